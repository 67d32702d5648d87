"""nbconvert's lab HTML exporter, made for offline pages that read as a report.

``OfflineExporter`` renders with ``TEMPLATE``: the lab template without the blocks that load
require.js, MathJax, mermaid.js and the widget manager from CDNs (font and style sheets of the
lab template are already inline), with a PNG's ``alt`` metadata (figure captions, see
``outputs.Run.figure``) as its alt text and the PNG shown at its physical size (``PNG width
× 96 / its dpi`` CSS pixels, never wider than the page), with code cells not passed through
bleach after pygments, which has escaped all their text already (the same HTML, rendered in
two thirds of the time), and with a page style (``PAGE_STYLE``: a column of readable width,
figure captions, navigation, CJK font fallbacks). ``resources["nqpf"]`` may carry a
``header`` and a ``footer`` (HTML put at the top and bottom of the page) and ``tables`` (the
tables a notebook saved, listed as links at the page end).

Markdown is rendered as nbconvert does, except that HTML blocks without an image skip the
BeautifulSoup pass that embeds images: that pass closed every ``<details>`` at the end of its
own block, so an exercise's ``<details><summary>Solution</summary>`` (a block of its own,
the solution's Markdown after it) showed an empty toggle with the solution below it, open.

``ReaderPreprocessor`` makes the reader's version of a notebook: no cells tagged ``check``,
no "Table saved: …" lines (the tables go to the page end), each "Figure: <caption> (saved:
…)" line turned into the caption under its image, and no pandas ``dtype:`` footers.

Where the stock exporter re-parses the whole page with BeautifulSoup to give images without
alt text a default one and to make cells focusable (``tabindex="0"``), two thirds of what is
left of the rendering time, ``accessible`` inserts the same attributes in one ``HTMLParser``
pass. nqpf.report imports this module on its renderer thread, so kernels start without waiting
for nbconvert.
"""

import base64
import hashlib
import html
import io
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import jinja2
from nbconvert import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import Preprocessor

from nqpf.outputs import PROGRESS_BAR

TEMPLATE = "nqpf_offline.html.j2"
# Fonts with Chinese glyphs, by name, before the generic family: Linux, macOS, Windows.
CJK_FONTS = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", ' \
    '"Microsoft YaHei", "SimHei"'
SANS = f'system-ui, -apple-system, "Segoe UI", helvetica, arial, {CJK_FONTS}, sans-serif'
MONO = f'menlo, consolas, "DejaVu Sans Mono", {CJK_FONTS}, monospace'
PAGE_STYLE = f"""<style>
:root {{ --jp-ui-font-family: {SANS}; --jp-content-font-family: {SANS};
         --jp-code-font-family-default: {MONO}; }}
main {{ max-width: 68rem; margin: 0 auto; padding: 0 1rem 2rem; }}
.jp-RenderedImage img, .jp-RenderedMarkdown img {{ max-width: 100%; height: auto; }}
.jp-OutputArea-output {{ overflow-x: auto; }}
figure.nqpf-figure {{ margin: 0.25rem 0 1rem; }}
figure.nqpf-figure figcaption {{ font-family: var(--jp-content-font-family); font-size: 0.9rem;
  color: #333; max-width: 48rem; margin-top: 0.3rem; white-space: normal; }}
details > summary {{ cursor: pointer; font-weight: 600; }}
nav.nqpf-nav a, nav.nqpf-contents a, section.nqpf-tables a {{ color: #0b5cad;
  text-decoration: underline; }}
nav.nqpf-nav {{ display: flex; flex-wrap: wrap; gap: 0.4rem 1.5rem; padding: 0.6rem 0;
  margin: 0 0 0.5rem; border-bottom: 1px solid #ddd; font-family: var(--jp-ui-font-family);
  font-size: 0.95rem; }}
nav.nqpf-nav.bottom {{ border-bottom: none; border-top: 1px solid #ddd; margin-top: 1.5rem; }}
nav.nqpf-contents {{ font-family: var(--jp-ui-font-family); font-size: 0.9rem;
  background: #f5f7fa; border: 1px solid #dde3ea; padding: 0.5rem 1rem; margin: 0.5rem 0 1rem; }}
nav.nqpf-contents ul {{ margin: 0.2rem 0; padding-left: 1.2rem; }}
nav.nqpf-contents li.level-3 {{ margin-left: 1.2rem; font-size: 0.85rem; }}
section.nqpf-tables {{ font-family: var(--jp-ui-font-family); border-top: 1px solid #ddd;
  margin-top: 1.5rem; }}
</style>
"""
CONTENTS_MARK = "<!-- nqpf: contents -->"  # where ``with_contents`` puts the table of contents
_TEMPLATE_SOURCE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}""" + PAGE_STYLE + """{%- endblock html_head_css -%}
{%- block body_header -%}{{ super() }}{{ resources.get('nqpf', {}).get('header', '') }}
""" + CONTENTS_MARK + """
{%- endblock body_header -%}
{%- block body_footer -%}
{%- set tables = resources.get('nqpf', {}).get('tables', []) -%}
{%- if tables %}
<section class="nqpf-tables"><h2 id="nqpf-tables">Tables</h2>
<p>The tables this notebook saved (CSV, in the report's <code>tables/</code> folder):</p><ul>
{%- for name, rows in tables %}
<li><a href="tables/{{ name | escape_html }}">{{ name | escape_html }}</a> ({{ rows }} rows)</li>
{%- endfor %}</ul></section>
{%- endif %}
{{ resources.get('nqpf', {}).get('footer', '') }}{{ super() }}
{%- endblock body_footer -%}
{%- block data_png scoped -%}
{%- set alt = output | get_metadata('alt', 'image/png') -%}
{%- set caption = output | get_metadata('caption', 'image/png') -%}
{%- set width = output | get_metadata('width', 'image/png') -%}
{%- set height = output | get_metadata('height', 'image/png') -%}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
{%- if caption %}<figure class="nqpf-figure">{% endif %}
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
{%- if width is not none %} width="{{ width | escape_html }}"
{%- if height is not none %} height="{{ height | escape_html }}"{% endif %}
{%- else %} width="{{ output.data['image/png'] | png_display_width }}"{% endif %}
{%- if alt %} alt="{{ alt | escape_html }}"{% endif %}>
{%- if caption %}<figcaption>{{ caption | escape_html }}</figcaption></figure>{% endif %}
</div>
{%- endblock data_png -%}
{% block input %}
<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor" data-type="inline">
     <div class="cm-editor cm-s-jupyter">
{{ cell.source | highlight_code(metadata=cell.metadata) }}
     </div>
</div>
{%- endblock input %}
"""
LOADER = jinja2.DictLoader({TEMPLATE: _TEMPLATE_SOURCE})
MISSING_ALT = "No description has been provided for this image"  # nbconvert's wording
FOCUSABLE = frozenset({"jp-Cell-inputWrapper", "jp-OutputArea-output"})  # div classes
_LINE_END = re.compile("\n")


SCREEN_DPI = 96  # CSS pixels per inch
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_display_width(png: str) -> int:
    """CSS width (px) of a base64 PNG shown at its physical size: its pixel width × 96 / its
    dpi (from its ``pHYs`` chunk, as matplotlib writes it); its pixel width when it states no
    dpi."""
    head = base64.b64decode(png[:8192 - 8192 % 4])
    if not head.startswith(_PNG_SIGNATURE) or len(head) < 24:
        raise ValueError("not a PNG image")
    width = int.from_bytes(head[16:20], "big")
    position = 8
    while position + 8 <= len(head):
        length = int.from_bytes(head[position:position + 4], "big")
        kind = head[position + 4:position + 8]
        data = head[position + 8:position + 8 + length]
        if kind == b"IDAT":
            break
        if kind == b"pHYs" and len(data) == 9 and data[8] == 1:  # unit: pixels per metre
            dpi = int.from_bytes(data[:4], "big") * 0.0254
            return max(1, round(width * SCREEN_DPI / dpi)) if dpi else width
        position += 12 + length
    return width


class _Renderer(IPythonRenderer):
    """nbconvert's Markdown renderer, with HTML re-parsed (to embed images) only where it
    holds an image: the re-parse closes elements left open, such as a ``<details>`` whose
    content is the Markdown after its block."""

    def block_html(self, html: str) -> str:
        if "<img" in html.lower():
            return super().block_html(html)
        return super(IPythonRenderer, self).block_html(html)

    def inline_html(self, html: str) -> str:
        if "<img" in html.lower():
            return super().inline_html(html)
        return super(IPythonRenderer, self).inline_html(html)


class OfflineExporter(HTMLExporter):
    """``HTMLExporter`` with ``accessible`` in place of its BeautifulSoup pass, ``_Renderer``
    for Markdown and the CJK font embedded in pages that show Chinese (``with_cjk_font``); the
    same options (use ``template_file=TEMPLATE, extra_loaders=[LOADER]`` for offline pages)."""

    @jinja2.pass_context
    def markdown2html(self, context, source):
        """Markdown to HTML, as ``HTMLExporter.markdown2html`` with ``_Renderer``."""
        cell = context.get("cell", {})
        renderer = _Renderer(
            escape=False,
            attachments=cell.get("attachments", {}),
            embed_images=self.embed_images,
            path=context.get("resources", {}).get("metadata", {}).get("path", ""),
            anchor_link_text=self.anchor_link_text,
            exclude_anchor_links=self.exclude_anchor_links,
            **self.lexer_options,
        )
        return MarkdownWithMath(renderer=renderer).render(source)

    def default_filters(self):
        """nbconvert's filters, ``markdown2html`` (ours) and ``png_display_width``."""
        yield from super().default_filters()
        yield ("markdown2html", self.markdown2html)
        yield ("png_display_width", png_display_width)

    def from_notebook_node(self, nb, resources=None, **kw):
        """Render ``nb``: ``(html, resources)``, as ``HTMLExporter.from_notebook_node``."""
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        self.register_filter("highlight_code", self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        # widget views render only with the notebook's widget state, which the filter looks
        # up by the notebook's path in ``resources`` (as HTMLExporter passes it)
        metadata = (resources or {}).get("metadata", {})
        path = os.path.join(metadata.get("path", ""), metadata.get("name", ""))
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata={path: nb.metadata}, parent=self, resources=resources))
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return with_cjk_font(with_contents(accessible(page))), resources


# Lines that ``outputs.Run`` prints after saving a figure or a table.
FIGURE_LINE = re.compile(r"^Figure: (?P<caption>.+) \(saved: [^()]*\)$")
TABLE_LINE = re.compile(r"^Table saved: (?P<path>.+) \((?P<rows>[\d,]+) rows?\)$")
# The footer pandas prints under a Series: "Name: count, dtype: int64", "dtype: object".
DTYPE_LINE = re.compile(r"^(?:Name: .*, )?(?:Length: [\d,]+, )?dtype: [\w\[\], ]+$")


class ReaderPreprocessor(Preprocessor):
    """The reader's version of a notebook's outputs: "Figure: <caption> (saved: …)" lines
    become the ``caption`` metadata of the image shown before them in the cell, "Table
    saved: <path> (N rows)" lines are dropped and listed in ``resources["nqpf"]["tables"]``
    (file name, rows), and pandas ``dtype:`` footer lines and progress bars are dropped;
    outputs left empty go."""

    def preprocess(self, nb, resources):
        tables = []
        for cell in nb.cells:
            if cell.cell_type == "code":
                kept = []
                for output in cell.outputs:
                    if _read_output(output, kept, tables):
                        kept.append(output)
                cell.outputs = kept
        resources.setdefault("nqpf", {}).setdefault("tables", []).extend(tables)
        return nb, resources


def _read_output(output, before: list, tables: list) -> bool:
    """Rewrite one output in place for readers (see ``ReaderPreprocessor``; ``before``: the
    cell's outputs kept so far); False if nothing is left of it."""
    if output.output_type == "stream":
        kept = []
        for line in output.text.splitlines():
            figure, table = FIGURE_LINE.match(line), TABLE_LINE.match(line)
            if figure and _caption_image(before, figure["caption"]):
                continue
            if table:
                tables.append((Path(table["path"].strip()).name, table["rows"]))
            elif not DTYPE_LINE.match(line) and not PROGRESS_BAR.search(line):
                kept.append(line)
        output.text = "".join(line + "\n" for line in kept)
        return bool(output.text.strip())
    data = output.get("data", {})
    if "text/plain" in data and len(data) == 1:
        kept = [line for line in data["text/plain"].splitlines() if not DTYPE_LINE.match(line)]
        data["text/plain"] = "\n".join(kept)
        return bool(data["text/plain"].strip())
    return True


def _caption_image(before: list, caption: str) -> bool:
    """Give the last PNG in ``before`` without a caption the ``caption``; False if none."""
    for output in reversed(before):
        if "image/png" in output.get("data", {}):
            metadata = output.setdefault("metadata", {}).setdefault("image/png", {})
            if "caption" in metadata:
                return False
            metadata["caption"] = caption
            return True
    return False


class _Insertions(HTMLParser):
    """Offsets in a page where a start tag needs an attribute, and the attribute."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=False)
        self.line_starts = [0] + [match.end() for match in _LINE_END.finditer(page)]
        self.insertions: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "img" and "alt" not in names:
            self._insert(f' alt="{MISSING_ALT}"')
        elif tag == "div" and "tabindex" not in names and classes & FOCUSABLE:
            self._insert(' tabindex="0"')

    def _insert(self, attribute: str) -> None:
        line, column = self.getpos()
        tag = self.get_starttag_text()
        end = self.line_starts[line - 1] + column + len(tag) - (2 if tag.endswith("/>") else 1)
        self.insertions.append((end, attribute))


def accessible(page: str) -> str:
    """``page`` with the attributes nbconvert's HTML exporter adds: a default ``alt`` on
    images without one, ``tabindex="0"`` on cell inputs and outputs (divs of class
    ``jp-Cell-inputWrapper`` or ``jp-OutputArea-output``), so keyboards can reach them."""
    parser = _Insertions(page)
    parser.feed(page)
    parser.close()
    pieces, start = [], 0
    for end, attribute in parser.insertions:
        pieces += [page[start:end], attribute]
        start = end
    return "".join(pieces) + page[start:]


class _Headings(HTMLParser):
    """The ``h2``/``h3`` headings with an ``id`` in a page: (level, id, text), anchor links'
    text left out."""

    def __init__(self):
        super().__init__()
        self.headings: list[tuple[int, str, str]] = []
        self._open: list | None = None  # [level, id, text pieces] while inside a heading
        self._in_anchor = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in {"h2", "h3"} and attributes.get("id"):
            self._open = [int(tag[1]), attributes["id"], []]
        elif tag == "a" and "anchor-link" in (attributes.get("class") or "").split():
            self._in_anchor = True

    def handle_endtag(self, tag):
        if tag == "a":
            self._in_anchor = False
        elif tag in {"h2", "h3"} and self._open:
            level, anchor, pieces = self._open
            self.headings.append((level, anchor, " ".join("".join(pieces).split())))
            self._open = None

    def handle_data(self, data):
        if self._open and not self._in_anchor:
            self._open[2].append(data)


def with_contents(page: str) -> str:
    """``page`` with a table of contents (its ``h2`` and ``h3`` headings, linked) in place of
    ``CONTENTS_MARK``; unchanged without the mark, the mark dropped without headings."""
    if CONTENTS_MARK not in page:
        return page
    parser = _Headings()
    parser.feed(page)
    parser.close()
    items = "".join(
        f'<li class="level-{level}"><a href="#{html.escape(anchor)}">{html.escape(text)}</a></li>'
        for level, anchor, text in parser.headings)
    contents = (f'<nav class="nqpf-contents" aria-label="Contents"><strong>Contents</strong>'
                f"<ul>{items}</ul></nav>") if items else ""
    return page.replace(CONTENTS_MARK, contents, 1)


# Characters a page needs the CJK font for: CJK radicals to ideographs, compatibility
# ideographs, full-width forms, CJK punctuation and the supplementary ideograph planes.
CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
                 "\U00020000-\U0003134f]")
CJK_FAMILY = "nqpf-cjk"
# The page's font stacks with the embedded CJK font as the last fallback.
_CJK_STYLE = """<style>
@font-face {{ font-family: "{family}"; src: url(data:font/woff;base64,{font}) format("woff"); }}
:root {{ --jp-ui-font-family: {sans}, "{family}"; --jp-content-font-family: {sans}, "{family}";
         --jp-code-font-family-default: {mono}, "{family}"; }}
</style>
<script>{script}</script>
"""
# Chromium draws the first Chinese text it lays out before the embedded font has loaded as
# empty boxes, and keeps them (the first cell of the first table, say): this script lays the
# page out again once the font is ready. ``nqpf.report`` lets it through by its SHA-256.
RELAYOUT_SCRIPT = """window.addEventListener("load", () => document.fonts.ready.then(() => {
  const root = document.documentElement;
  root.style.display = "none";
  void root.offsetHeight;
  root.style.display = "";
}));"""
RELAYOUT_SHA256 = hashlib.sha256(RELAYOUT_SCRIPT.encode()).hexdigest()


def with_cjk_font(page: str) -> str:
    """``page`` with the Chinese characters it shows embedded as a subset of the figures' CJK
    font (Noto Sans SC, SIL OFL; WOFF as a data URI, a few dozen KB), the last fallback of the
    page's fonts, so that Chinese reads on a machine without a CJK font; a page without such
    characters is returned unchanged."""
    chars = set(CJK.findall(page))
    if not chars or "</head>" not in page:
        return page
    import pylopdf_fonts_zh_cn  # the font nqpf.figures draws Chinese with
    from fontTools import subset

    options = subset.Options(flavor="woff", layout_features=[], hinting=False,
                             name_IDs=[], notdef_outline=True)
    font = subset.load_font(str(pylopdf_fonts_zh_cn.sans_path()), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(map(ord, chars)))
    subsetter.subset(font)
    woff = io.BytesIO()
    subset.save_font(font, woff, options)
    style = _CJK_STYLE.format(family=CJK_FAMILY, sans=SANS, mono=MONO, script=RELAYOUT_SCRIPT,
                              font=base64.b64encode(woff.getvalue()).decode())
    return page.replace("</head>", style + "</head>", 1)
