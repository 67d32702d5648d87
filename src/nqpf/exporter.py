"""nbconvert's lab HTML exporter, made for offline pages and rendering faster.

``OfflineExporter`` renders with ``TEMPLATE``: the lab template without the blocks that load
require.js, MathJax, mermaid.js and the widget manager from CDNs (font and style sheets of the
lab template are already inline), with a PNG's ``alt`` metadata (figure captions, see
``outputs.Run.figure``) as its alt text, and with code cells not passed through bleach after
pygments, which has escaped all their text already (the same HTML, rendered in two thirds of
the time).

Where the stock exporter re-parses the whole page with BeautifulSoup to give images without
alt text a default one and to make cells focusable (``tabindex="0"``), two thirds of what is
left of the rendering time, ``accessible`` inserts the same attributes in one ``HTMLParser``
pass. nqpf.report imports this module on its renderer thread, so kernels start without waiting
for nbconvert.
"""

import base64
import io
import os
import re
from html.parser import HTMLParser

import jinja2
from nbconvert import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

TEMPLATE = "nqpf_offline.html.j2"
_TEMPLATE_SOURCE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block data_png scoped -%}
{%- set alt = output | get_metadata('alt', 'image/png') -%}
{%- if alt -%}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
 alt="{{ alt | escape_html }}">
</div>
{%- else -%}{{ super() }}{%- endif -%}
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


class OfflineExporter(HTMLExporter):
    """``HTMLExporter`` with ``accessible`` in place of its BeautifulSoup pass, and the CJK
    font embedded in pages that show Chinese (``with_cjk_font``); the same options (use
    ``template_file=TEMPLATE, extra_loaders=[LOADER]`` for offline pages)."""

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
        return with_cjk_font(accessible(page)), resources


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


# Characters a page needs the CJK font for: CJK radicals to ideographs, compatibility
# ideographs, full-width forms, CJK punctuation and the supplementary ideograph planes.
CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
                 "\U00020000-\U0003134f]")
CJK_FAMILY = "nqpf-cjk"
# The page's own font stacks (JupyterLab's) with the embedded CJK font as the last fallback.
_CJK_STYLE = """<style>
@font-face {{ font-family: "{family}"; src: url(data:font/woff;base64,{font}) format("woff"); }}
:root {{
  --jp-ui-font-family: system-ui, -apple-system, "Segoe UI", helvetica, arial, sans-serif,
    "{family}";
  --jp-content-font-family: system-ui, -apple-system, "Segoe UI", helvetica, arial, sans-serif,
    "{family}";
  --jp-code-font-family-default: menlo, consolas, "DejaVu Sans Mono", monospace, "{family}";
}}
</style>
"""


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
    style = _CJK_STYLE.format(family=CJK_FAMILY, font=base64.b64encode(woff.getvalue()).decode())
    return page.replace("</head>", style + "</head>", 1)
