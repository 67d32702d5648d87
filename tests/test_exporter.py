"""nqpf.exporter renders the pages nbconvert's lab exporter would, with our template."""

import base64
import copy
import io
import re

import matplotlib
import matplotlib.pyplot as plt
import pytest
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbformat.v4 import (
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_output,
)

from nqpf.exporter import (
    CJK_FAMILY,
    CONTENTS_MARK,
    LOADER,
    MISSING_ALT,
    RELAYOUT_SCRIPT,
    TEMPLATE,
    OfflineExporter,
    ReaderPreprocessor,
    accessible,
    png_display_width,
    with_cjk_font,
    with_contents,
)
from nqpf.report import offline_problems

matplotlib.use("Agg")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def png() -> str:
    fig, ax = plt.subplots(figsize=(1, 1))
    ax.plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def sample_notebook():
    """Markdown, tricky code, text, an HTML table and two images (one with alt metadata)."""
    image = png()
    outputs = [
        new_output("stream", name="stdout", text="<img src=x onerror=alert(1)> &nbsp;\n"),
        new_output("display_data", data={"image/png": image}),
        new_output("display_data", data={"image/png": image},
                   metadata={"image/png": {"alt": 'A "line" <0,0>'}}),
        new_output("execute_result", execution_count=1,
                   data={"text/html": "<table><tr><td>1 &amp; 2</td></tr></table>",
                         "text/plain": "table"}),
    ]
    cells = [new_markdown_cell("# Title\n\nSome *text* and `code`.\n\n<img src='data:,'>"),
             new_code_cell("s = '<script>alert(1)</script>'  # <b> &amp; \"q\"\nok = 1 < 2",
                           execution_count=1, outputs=outputs)]
    # two widget views, one with its state saved in the notebook (rendered), one without
    widget = "application/vnd.jupyter.widget-view+json"
    cells.append(new_code_cell("w", execution_count=2, outputs=[
        new_output("display_data", data={widget: {"model_id": model, "version_major": 2,
                                                  "version_minor": 0},
                                         "text/plain": f"widget {model}"})
        for model in ("saved", "lost")]))
    nb = new_notebook(cells=cells)
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {"saved": {"model_name": "IntSliderModel"}}, "version_major": 2,
        "version_minor": 0}}
    return nb


@pytest.mark.parametrize("exclude_input", [False, True])
@pytest.mark.parametrize("resources", [None, {"metadata": {"path": "/a", "name": "05_x"}}])
def test_same_page_as_nbconverts_exporter(exclude_input, resources):
    options = {"template_name": "lab", "template_file": TEMPLATE, "extra_loaders": [LOADER],
               "embed_images": True, "exclude_input": exclude_input}
    nb = sample_notebook()
    ours, _ = OfflineExporter(**options).from_notebook_node(nb, resources=resources)
    stock, _ = HTMLExporter(**options, filters={"png_display_width": png_display_width}
                            ).from_notebook_node(nb, resources=resources)
    assert "widget lost" in ours and "widget saved" not in ours  # the saved one is a view
    # a rendered widget view gets a random element id; ours fills the contents mark
    ours, stock = (UUID.sub("<uuid>", page) for page in (ours, stock.replace(CONTENTS_MARK, "")))
    assert BeautifulSoup(ours, "html.parser") == BeautifulSoup(stock, "html.parser")
    assert ours.count('tabindex="0"') == stock.count('tabindex="0"') > 0
    assert "<script>alert" not in ours


def test_code_renders_as_in_the_lab_template():
    """The template skips the lab template's bleach pass over highlighted code."""
    nb = sample_notebook()
    ours, _ = OfflineExporter(template_name="lab", template_file=TEMPLATE,
                              extra_loaders=[LOADER]).from_notebook_node(nb)
    lab, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    code = BeautifulSoup(ours, "html.parser").select("div.cm-editor")
    assert code == BeautifulSoup(lab, "html.parser").select("div.cm-editor")
    assert len(code) == 2


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("<p>text</p>", "<p>text</p>"),
        ("<img src=x>", f'<img src=x alt="{MISSING_ALT}">'),
        ("<img src='x' />", f"<img src='x'  alt=\"{MISSING_ALT}\"/>"),
        ('<IMG SRC="a>b">', f'<IMG SRC="a>b" alt="{MISSING_ALT}">'),
        ('<img src=x alt="">', '<img src=x alt="">'),
        ('<div class="jp-Cell-inputWrapper">', '<div class="jp-Cell-inputWrapper" tabindex="0">'),
        ('<div class="a jp-OutputArea-output b"\n data-x="1">',
         '<div class="a jp-OutputArea-output b"\n data-x="1" tabindex="0">'),
        ('<div class="jp-OutputArea-output" tabindex="-1">',
         '<div class="jp-OutputArea-output" tabindex="-1">'),
        ('<div class="jp-OutputArea-outputs">', '<div class="jp-OutputArea-outputs">'),
        ('<span class="jp-OutputArea-output">', '<span class="jp-OutputArea-output">'),
        ("<p>a\nb</p>\n<div class=jp-OutputArea-output>\n  <img\n src=x>",
         '<p>a\nb</p>\n<div class=jp-OutputArea-output tabindex="0">\n  <img\n src=x'
         f' alt="{MISSING_ALT}">'),
    ],
)
def test_accessible(page, expected):
    assert accessible(page) == expected


def _embedded_font_characters(page: str) -> set[str]:
    from fontTools.ttLib import TTFont

    data = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", page).group(1)
    return {chr(code) for code in TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()}


@pytest.mark.parametrize(
    ("text", "embedded"),
    [
        ("<p>English only: new quality productive forces</p>", set()),
        ("<p>加快发展新质生产力，推动高质量发展。</p>", set("加快发展新质生产力，推动高量。")),
        ("<p>新質生產力</p>", set("新質生產力")),  # traditional: the font has every Big5 hanzi
    ],
)
def test_with_cjk_font_embeds_exactly_the_characters_shown(text, embedded):
    page = f"<html><head><title>t</title></head><body>{text}</body></html>"
    result = with_cjk_font(page)
    if not embedded:
        assert result == page
        return
    assert _embedded_font_characters(result) == embedded
    assert f'"{CJK_FAMILY}"' in result and not offline_problems(result)
    assert f"<script>{RELAYOUT_SCRIPT}</script>" in result  # allowed by its digest
    tampered = result.replace('display = "none"', 'display = "block"')
    assert offline_problems(tampered) == ["<script> element"]  # any other script is not


def exporter(**options) -> OfflineExporter:
    return OfflineExporter(template_name="lab", template_file=TEMPLATE, extra_loaders=[LOADER],
                           embed_images=True, **options)


SOLUTION = "1. Count it.\n\n<details><summary>Solution</summary>\n\n```python\nanswer = 42\n```" \
           "\n\n</details>\n\n2. Next exercise."


@pytest.mark.parametrize("exclude_input", [False, True])
def test_a_solution_stays_inside_its_toggle(exclude_input):
    nb = new_notebook(cells=[new_markdown_cell(SOLUTION)])
    page, _ = exporter(exclude_input=exclude_input).from_notebook_node(nb)
    details = BeautifulSoup(page, "html.parser").select("details")
    assert len(details) == 1
    assert details[0].summary.get_text() == "Solution"
    assert "answer = 42" in details[0].get_text()  # the code is hidden with it
    assert "Next exercise" not in details[0].get_text()


def png_bytes(*, dpi: int | None, width_inches: float = 2) -> str:
    fig, ax = plt.subplots(figsize=(width_inches, 1))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi or 100)
    plt.close(fig)
    data = buffer.getvalue()
    if dpi is None:  # drop the pHYs chunk
        start = data.index(b"pHYs") - 4
        data = data[:start] + data[start + 4 + 4 + 9 + 4:]
    return base64.b64encode(data).decode("ascii")


@pytest.mark.parametrize(
    ("dpi", "width_inches", "expected"),
    [(150, 2, 192), (150, 8, 768), (72, 2, 192), (96, 3, 288), (None, 2, 200)],
)
def test_png_display_width_is_the_physical_size(dpi, width_inches, expected):
    assert png_display_width(png_bytes(dpi=dpi, width_inches=width_inches)) == expected


def test_png_display_width_rejects_other_data():
    with pytest.raises(ValueError, match="not a PNG"):
        png_display_width(base64.b64encode(b"GIF89a" + bytes(40)).decode())


def test_images_are_shown_at_their_size_no_wider_than_the_page():
    image = png_bytes(dpi=150, width_inches=8)
    nb = new_notebook(cells=[new_code_cell("f", execution_count=1, outputs=[
        new_output("display_data", data={"image/png": image})])])
    page, _ = exporter().from_notebook_node(nb)
    assert re.search(r'<img src="data:image/png;base64,[^"]+" width="768"', page)
    assert ".jp-RenderedImage img, .jp-RenderedMarkdown img { max-width: 100%; height: auto; }" \
        in page


def stream(text: str):
    return new_output("stream", name="stdout", text=text)


CAPTIONED = new_output("display_data", data={"image/png": "iVBORw0KGgo="})


@pytest.mark.parametrize(
    ("outputs", "texts", "captions", "tables"),
    [
        ([stream("Table saved: /r/tables/03_freq.csv (1,452 rows)\n")], [], [],
         [("03_freq.csv", "1,452")]),
        ([stream("5 documents\nTable saved: tables/a.csv (1 row)\nmore\n")],
         ["5 documents\nmore\n"], [], [("a.csv", "1")]),
        ([CAPTIONED,
          stream("Figure: Tokens (per 1,000) by doc. (saved: /r/figures/x.png, .svg)\n")],
         [], ["Tokens (per 1,000) by doc."], []),
        # no image before it: the line stays
        ([stream("Figure: lonely (saved: x.png, .svg)\n")],
         ["Figure: lonely (saved: x.png, .svg)\n"], [], []),
        ([new_output("execute_result", execution_count=1,
                     data={"text/plain": "a    1\nb    2\nName: count, dtype: int64"})],
         ["a    1\nb    2"], [], []),
        ([stream("x\ndtype: object\n")], ["x\n"], [], []),
        ([stream("The dtype: of a column is kept in prose.\n")],
         ["The dtype: of a column is kept in prose.\n"], [], []),
        # progress bars, redrawn after carriage returns, are for the terminal
        ([stream("topic models:   0%|          | 0/54 [00:00<?, ?it/s]\rtopic models:  41%|████"
                 "      | 22/54 [00:10<00:14,  2.17it/s]\nEach run fitted 1,000 passages.\n")],
         ["Each run fitted 1,000 passages.\n"], [], []),
    ],
)
def test_reader_preprocessor(outputs, texts, captions, tables):
    nb = new_notebook(cells=[new_code_cell("x", execution_count=1, outputs=outputs)])
    nb, resources = ReaderPreprocessor().preprocess(copy.deepcopy(nb), {})
    kept = nb.cells[0].outputs
    assert [o.get("text", o.get("data", {}).get("text/plain")) for o in kept
            if "image/png" not in o.get("data", {})] == texts
    assert [o.metadata["image/png"]["caption"] for o in kept
            if "caption" in o.get("metadata", {}).get("image/png", {})] == captions
    assert resources["nqpf"]["tables"] == tables


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('<h2 id="A">A<a class="anchor-link" href="#A">¶</a></h2><h3 id="b-1">b &amp; 1</h3>',
         '<li class="level-2"><a href="#A">A</a></li>'
         '<li class="level-3"><a href="#b-1">b &amp; 1</a></li>'),
        ("<h1 id='t'>Title</h1><h4 id='x'>x</h4><h2>no id</h2>", None),
    ],
)
def test_with_contents(body, expected):
    page = f"<html><body>{CONTENTS_MARK}{body}</body></html>"
    result = with_contents(page)
    assert CONTENTS_MARK not in result
    if expected is None:
        assert "nqpf-contents" not in result
    else:
        assert f"<ul>{expected}</ul>" in result
