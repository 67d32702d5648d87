"""nqpf.exporter renders the pages nbconvert's lab exporter would, with our template."""

import base64
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
    LOADER,
    MISSING_ALT,
    TEMPLATE,
    OfflineExporter,
    accessible,
    with_cjk_font,
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
    stock, _ = HTMLExporter(**options).from_notebook_node(nb, resources=resources)
    assert "widget lost" in ours and "widget saved" not in ours  # the saved one is a view
    # a rendered widget view gets a random element id
    ours, stock = (UUID.sub("<uuid>", page) for page in (ours, stock))
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
