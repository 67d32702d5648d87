"""Text from the sources researchers have: PDF, Word (.docx) and saved web pages (.html).

``read_source(path, decode=...)`` returns a ``Source``: the text nqpf keeps as the document's
raw text (every offset refers to it), its layout boilerplate as ``nqpf.boilerplate.Span``
(``header``, ``footer``, ``page_number``), the metadata found in the file (``title``,
``author``, ``date``) and any problem that left part of the file without text. The text of
each file is kept in ``data/processed/sources/`` under a hash of the file's bytes (and of this
module and the extractors' versions), so a file is extracted once; the original is never
changed.

- PDF (pdfminer.six, MIT): pages in reading order (its layout analysis reads a two-column page
  column by column); the lines of a paragraph joined (a word hyphenated at a line break
  rejoined, Chinese lines joined without a space), one paragraph a line; a paragraph that runs
  on over a column or page break joined to where it starts. Every page ends with
  ``nqpf.pages.PAGE_BREAK`` (a form feed on a line of its own, as pdftotext writes it). Lines
  that repeat at the top or bottom of the pages (running headers and footers) and page
  numbers stay in the text, set aside as spans. A PDF without a text layer (a scan) or that
  needs a password raises ValueError.
- DOCX (python-docx, MIT): paragraphs and tables (a row a line, cells separated by tabs) in
  document order; the headers (before the body) and footers (after it) set aside as spans.
- HTML (trafilatura, Apache-2.0): the main text, without navigation, scripts, adverts,
  share buttons or comments (markup never reaches the text; nothing on the page runs); title,
  author and date from the page's metadata.
"""

import hashlib
import io
import json
import logging
import os
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import NamedTuple

import docx
import pandas as pd
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTFigure, LTImage, LTTextBox, LTTextLine
from pdfminer.pdfdocument import PDFDocument, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfminer.utils import decode_text

from nqpf import paths
from nqpf.boilerplate import Span
from nqpf.pages import PAGE_BREAK

SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html"}
METADATA = ("title", "author", "date")
NEEDS_OCR = "no text layer: needs OCR"
# The extractors log what they skip (a damaged object, a font without a Unicode map) as
# warnings; the report says what matters, so they do not reach the notebooks' stderr.
for _name in ("pdfminer", "trafilatura", "htmldate", "docx"):
    logging.getLogger(_name).setLevel(logging.ERROR)

# A page number on its own: "3", "- 3 -", "— 3 —", "Page 3", "Page 3 of 10", "3 / 10", "第3页"
PAGE_NUMBER = re.compile(
    r"\s*(?:[-\u2013\u2014]\s*)?\d{1,4}(?:\s*[-\u2013\u2014])?\s*"
    r"|\s*(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*|\s*\d{1,4}\s*/\s*\d{1,4}\s*"
    r"|\s*第\s*\d{1,4}\s*页(?:\s*[,，]?\s*共\s*\d{1,4}\s*页)?\s*", re.IGNORECASE)
EDGE = 0.15  # headers and footers lie in the top and bottom 15% of the page
SENTENCE_END = tuple(".!?;:\u3002\uff01\uff1f\uff1b\uff1a\u2026")
CLOSERS = "\"'\u201d\u2019)]\u300d\u300f\uff09\u3011"
CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
HYPHENATED = re.compile(r"[A-Za-z\u00c0-\u024f][-\u00ad]$")
# Document properties that say nothing: a file name ("Microsoft Word - plan.docx") or a
# writer's placeholder ("untitled", "anonymous").
PLACEHOLDER = re.compile(r".*\.(?:docx?|pdf|txt|rtf|indd|wps)|Microsoft Word - .*"
                         r"|untitled|anonymous|unknown|author|title|none", re.IGNORECASE)


class Source(NamedTuple):
    """The text of a PDF, Word or HTML file and what was found with it."""

    text: str  # the raw text nqpf keeps: every offset refers to it
    format: str  # pdf, docx or html
    n_pages: int | None  # PDF pages; None for formats without fixed pages
    spans: list[Span]  # layout boilerplate: header, footer, page_number
    metadata: dict[str, str]  # title, author, date found in the file (only those found)
    problem: str = ""  # what part of the file gave no text, or ""
    encoding: str = ""  # the HTML's encoding; "" for PDF and DOCX


# ---------------------------------------------------------------- joining lines


def _ends_sentence(line: str) -> bool:
    return line.rstrip().rstrip(CLOSERS).endswith(SENTENCE_END)


def join_lines(first: str, second: str) -> str:
    """Two lines of one paragraph as one: a word hyphenated at the break rejoined
    ("produc-" + "tive"), no space where either side is Chinese, else one space."""
    first, second = first.rstrip(), second.lstrip()
    if HYPHENATED.search(first) and second[:1].islower():
        return first[:-1] + second
    if CJK.match(first[-1:]) or CJK.match(second[:1]):
        return first + second
    return f"{first} {second}"


class _Paragraph(NamedTuple):
    text: str
    is_open: bool  # its last line is full and ends no sentence: it may go on elsewhere


def _joins(paragraph: _Paragraph, following: str) -> bool:
    """Whether ``following`` (at the top of the next column or page) goes on with the
    sentence ``paragraph`` leaves open: it starts in lower case or, after Chinese, with a
    Chinese character."""
    return paragraph.is_open and bool(following) and (
        following[:1].islower()
        or bool(CJK.match(paragraph.text[-1:]) and CJK.match(following[:1])))


# ---------------------------------------------------------------- PDF


class _Box(NamedTuple):
    lines: list[tuple[str, float, float, float]]  # text, x0, x1, height
    x0: float
    x1: float
    y0: float
    y1: float

    @property
    def text(self) -> str:
        return " ".join(line[0] for line in self.lines)


def _boxes(layout) -> tuple[list[_Box], bool]:
    """The text boxes of a page (pdfminer's reading order) and whether it has an image."""
    boxes, image = [], False
    for element in layout:
        if isinstance(element, LTTextBox):
            lines = [(line.get_text().strip(), line.x0, line.x1, line.height)
                     for line in element if isinstance(line, LTTextLine)]
            lines = [line for line in lines if line[0]]
            if lines:
                boxes.append(_Box(lines, element.x0, element.x1, element.y0, element.y1))
        elif isinstance(element, LTFigure | LTImage):
            image = True
    return boxes, image


def _paragraphs(box: _Box) -> list[_Paragraph]:
    """The paragraphs of a text box: a line ends one when it is short (under half the box's
    width), or ends a sentence and stops short of the right edge, or the next line is
    indented. The last one is open if its last line is full and ends no sentence."""
    width = max(box.x1 - box.x0, 1.0)
    paragraphs, current = [], ""
    for i, (text, _, x1, height) in enumerate(box.lines):
        current = join_lines(current, text) if current else text
        following = box.lines[i + 1] if i + 1 < len(box.lines) else None
        full = x1 >= box.x1 - max(0.15 * width, height)
        short = x1 - box.x0 < 0.5 * width
        indented = following is not None and following[1] > box.x0 + 0.8 * height
        if following is None or short or indented or (_ends_sentence(text) and not full):
            paragraphs.append(_Paragraph(current, full and not _ends_sentence(text)
                                         and following is None))
            current = ""
    return paragraphs


def _edge_key(box: _Box) -> str:
    """A header or footer compared across pages: digits as #, white space and case folded."""
    return " ".join(re.sub(r"\d+", "#", box.text).split()).casefold()


def _furniture(pages: list[tuple[list[_Box], float]]) -> list[dict[int, tuple[str, bool]]]:
    """For each page, {box index: (kind, at the top)} of its running header, footer and page
    number: the top (bottom) box in the page's top (bottom) ``EDGE``, of at most two lines,
    when it is a page number or the same text (digits aside) is at that edge of at least two
    pages and 40% of them."""
    candidates = []
    for boxes, height in pages:
        found = {}
        if boxes:
            top = max(range(len(boxes)), key=lambda i: boxes[i].y1)
            bottom = min(range(len(boxes)), key=lambda i: boxes[i].y0)
            if boxes[bottom].y1 < EDGE * height and len(boxes[bottom].lines) <= 2:
                found[bottom] = ("footer", False)
            if boxes[top].y0 > (1 - EDGE) * height and len(boxes[top].lines) <= 2:
                found[top] = ("header", True)
        candidates.append(found)
    counts = Counter((kind, _edge_key(boxes[i]))
                     for (boxes, _), found in zip(pages, candidates, strict=True)
                     for i, (kind, _) in found.items())
    needed = max(2, 0.4 * len(pages))
    furniture = []
    for (boxes, _), found in zip(pages, candidates, strict=True):
        kinds = {}
        for i, (kind, at_top) in found.items():
            if PAGE_NUMBER.fullmatch(boxes[i].text):
                kinds[i] = ("page_number", at_top)
            elif counts[kind, _edge_key(boxes[i])] >= needed:
                kinds[i] = (kind, at_top)
        furniture.append(kinds)
    return furniture


def _pdf_metadata(document: PDFDocument) -> dict[str, str]:
    """Title and author from the PDF's document information (a title that is a file name,
    "Microsoft Word - plan.docx", is left out)."""
    found = {}
    for info in document.info:
        for key, field in (("Title", "title"), ("Author", "author")):
            value = resolve1(info.get(key))
            found[field] = decode_text(value) if isinstance(value, bytes) else value
    return _properties(found)


def _properties(found: dict) -> dict[str, str]:
    """The values of ``found`` that are text and say something, white space collapsed."""
    return {key: " ".join(value.split()) for key, value in found.items()
            if isinstance(value, str) and value.strip()
            and not PLACEHOLDER.fullmatch(value.strip())}


def read_pdf(data: bytes) -> Source:
    """A PDF's text, page by page (see the module's docstring). Raises ValueError for an
    encrypted PDF that needs a password, a PDF without a text layer (``NEEDS_OCR``) and one
    that cannot be parsed."""
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        manager = PDFResourceManager()
        device = PDFPageAggregator(manager, laparams=LAParams())
        interpreter = PDFPageInterpreter(manager, device)
        pages, images = [], []
        for page in PDFPage.create_pages(document):
            interpreter.process_page(page)
            layout = device.get_result()
            boxes, image = _boxes(layout)
            pages.append((boxes, layout.height))
            images.append(image)
    except PDFPasswordIncorrect:
        raise ValueError("encrypted PDF: needs a password (not read)") from None
    except Exception as error:  # a damaged file can fail anywhere in the parser
        raise ValueError(f"corrupt PDF (could not be parsed: {error or type(error).__name__})"
                         ) from None
    empty = [number for number, (boxes, _) in enumerate(pages, start=1) if not boxes]
    if len(empty) == len(pages):
        raise ValueError(NEEDS_OCR if any(images) or pages else "PDF without pages")
    problem = (f"pages {', '.join(map(str, empty))} of {len(pages)}: {NEEDS_OCR}"
               if empty else "")
    if document.encryption is not None:
        problem = "; ".join(filter(None, [problem, "encrypted, readable without a password"]))
    furniture = _furniture(pages)
    bodies = [[p for i, box in enumerate(boxes) if i not in kinds for p in _paragraphs(box)]
              for (boxes, _), kinds in zip(pages, furniture, strict=True)]
    for body in bodies:  # a paragraph that goes on in the next column
        for i in range(len(body) - 1, 0, -1):
            if _joins(body[i - 1], body[i].text):
                following = body.pop(i)
                body[i - 1] = following._replace(text=join_lines(body[i - 1].text,
                                                                 following.text))
    for number in range(1, len(bodies)):  # ... or on the next page
        previous = next((body for body in reversed(bodies[:number]) if body), None)
        if previous and bodies[number] and _joins(previous[-1], bodies[number][0].text):
            following = bodies[number].pop(0)
            previous[-1] = following._replace(text=join_lines(previous[-1].text,
                                                              following.text))
    text, spans = "", []
    for (boxes, _), kinds, body in zip(pages, furniture, bodies, strict=True):
        lines = ([(boxes[i].text, kind) for i, (kind, top) in kinds.items() if top]
                 + [(paragraph.text, "") for paragraph in body]
                 + [(boxes[i].text, kind) for i, (kind, top) in kinds.items() if not top])
        for line, kind in lines:
            if kind:
                spans.append(Span(len(text), len(text) + len(line), kind))
            text += line + "\n"
        text = text.removesuffix("\n") + PAGE_BREAK
    return Source(text, "pdf", len(pages), spans, _pdf_metadata(document), problem)


# ---------------------------------------------------------------- DOCX


def _table_lines(table) -> list[str]:
    """A Word table as text: a row a line, its cells' text separated by tabs (a cell merged
    over several columns once)."""
    lines = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if not cells or text != cells[-1]:
                cells.append(text)
        if any(cells):
            lines.append("\t".join(cells))
    return lines


def _part_lines(part) -> list[str]:
    """The non-empty paragraphs and table rows of a document part, in order."""
    lines = []
    for item in part.iter_inner_content():
        if isinstance(item, docx.table.Table):
            lines += _table_lines(item)
        elif item.text.strip():
            lines.append(item.text.strip())
    return lines


def read_docx(data: bytes) -> Source:
    """A Word file's text: its headers, the body's paragraphs and tables in order, its
    footers (see the module's docstring); title and author from its properties. Raises
    ValueError for a file that is not a readable .docx."""
    try:
        document = docx.Document(io.BytesIO(data))
        body = _part_lines(document)
        edges = {"header": [], "footer": []}
        for section in document.sections:
            for kind, parts in (("header", (section.first_page_header, section.header,
                                            section.even_page_header)),
                                ("footer", (section.first_page_footer, section.footer,
                                            section.even_page_footer))):
                for part in parts:
                    if not part.is_linked_to_previous:
                        edges[kind] += [line for line in _part_lines(part)
                                        if line not in edges[kind]]
        properties = document.core_properties
        found = {"title": properties.title, "author": properties.author}
    except (zipfile.BadZipFile, KeyError, ValueError, docx.opc.exceptions.PackageNotFoundError,
            OSError) as error:
        raise ValueError(f"corrupt Word file (not a readable .docx: {error})") from None
    if not body:
        raise ValueError("Word file without text")
    text, spans = "", []
    for line, kind in ([(line, "header") for line in edges["header"]]
                       + [(line, "") for line in body]
                       + [(line, "footer") for line in edges["footer"]]):
        if kind:
            spans.append(Span(len(text), len(text) + len(line), kind))
        text += line + "\n"
    return Source(text, "docx", None, spans, _properties(found))


# ---------------------------------------------------------------- HTML


def read_html(html: str, encoding: str = "") -> Source:
    """A saved web page's main text (trafilatura; markup, scripts, navigation, adverts and
    comments left out) with its title, author and date. Raises ValueError if it has none."""
    import trafilatura  # here: it takes about a second to import, needed for web pages only

    found = trafilatura.extract(html, output_format="json", with_metadata=True,
                                include_comments=False, include_tables=True,
                                favor_precision=True)
    result = json.loads(found) if found else {}
    text = (result.get("text") or "").strip()
    if not text:
        raise ValueError("web page without main text (nothing left after removing "
                         "navigation and markup)")
    metadata = _properties({key: result.get(key) for key in METADATA})
    return Source(text + "\n", "html", None, [], metadata, encoding=encoding)


# ---------------------------------------------------------------- reading and caching

EXTRACTORS = {"pdf": "pdfminer.six", "docx": "python-docx", "html": "trafilatura"}


def cache_key(data: bytes, kind: str) -> str:
    """Hash of a file's bytes, this module's code and the version of its extractor."""
    digest = hashlib.sha256(data)
    digest.update(Path(__file__).read_bytes())
    digest.update(f"{kind} {version(EXTRACTORS[kind])}".encode())
    return digest.hexdigest()[:32]


def _cached(folder: Path, key: str) -> Source | None:
    try:
        text = (folder / f"{key}.txt").read_bytes().decode("utf-8")
        fields = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Source(text, fields["format"], fields["n_pages"],
                  [Span(*span) for span in fields["spans"]], fields["metadata"],
                  fields["problem"], fields["encoding"])


def _store(folder: Path, key: str, source: Source) -> None:
    """Write the text and the rest under temporary names, then rename (notebooks may run
    side by side)."""
    paths.output_dir(folder)
    fields = source._asdict()
    text = fields.pop("text")
    for suffix, content in ((".txt", text.encode("utf-8")),
                            (".json", json.dumps(fields, ensure_ascii=False).encode("utf-8"))):
        partial = folder / f".{key}.{os.getpid()}{suffix}"
        partial.write_bytes(content)
        partial.replace(folder / f"{key}{suffix}")


def read_source(path: Path, *, decode: Callable[[bytes], tuple[str, str]],
                cache: bool = True) -> Source:
    """The ``Source`` of a ``.pdf``, ``.docx`` or ``.html``/``.htm`` file; an HTML file's bytes
    are decoded with ``decode`` (``nqpf.ingest.decode_bytes``: ``(text, encoding)``). Kept in
    ``data/processed/sources/<key>.txt`` (the text) and ``.json`` (the rest), ``key`` from
    ``cache_key``. Raises ValueError for a file that gives no text (its message says why) and
    OSError for one that cannot be read."""
    path = Path(path)
    kind = SUFFIXES[path.suffix.lower()]
    data = path.read_bytes()
    folder, key = paths.PROCESSED / "sources", cache_key(data, kind)
    if cache and (source := _cached(folder, key)) is not None:
        return source
    if kind == "html":
        source = read_html(*decode(data))
    else:
        source = read_pdf(data) if kind == "pdf" else read_docx(data)
    if cache:
        _store(folder, key, source)
    return source


# ---------------------------------------------------------------- into the corpus


def with_layout(spans: list[Span], layout: list[Span]) -> list[Span]:
    """A document's boilerplate ``spans`` with its ``layout`` spans (headers, footers, page
    numbers) added, the spans that overlap one of them dropped; sorted."""
    return sorted(layout + [span for span in spans
                            if not any(s.start < span.end and span.start < s.end
                                       for s in layout)])


def fill_metadata(docs: pd.DataFrame, found: dict[str, dict[str, str]]) -> pd.DataFrame:
    """``docs`` with the ``title``, ``author`` and ``date`` found in the files
    (``found``: {doc_id: metadata}) where the metadata has no value (a column is added if
    none has it)."""
    docs = docs.copy()
    for key in METADATA:
        values = {doc_id: fields[key] for doc_id, fields in found.items() if key in fields}
        if values:
            given = docs["doc_id"].map(values)
            docs[key] = docs[key].fillna(given) if key in docs else given
    return docs


def describe_files(report: pd.DataFrame, found: dict[str, Source],
                   texts: dict[str, str]) -> pd.DataFrame:
    """The ingest ``report`` of a folder with PDF, Word or HTML files, with the columns
    ``format`` (the file's extension: pdf, docx, html, txt ...), ``pages`` (PDF) and
    ``n_chars`` (of the text kept; ``texts``: {file name: text}); a loaded file's problem
    (pages without a text layer) is its ``reason``. Unchanged for a folder without such
    files."""
    suffixes = report["path"].map(lambda path: Path(path).suffix.lower() if "#" not in path
                                  else "")
    if not suffixes.isin(SUFFIXES.keys()).any():
        return report
    report = report.assign(
        format=suffixes.str.lstrip(".").map(lambda suffix: SUFFIXES.get(f".{suffix}", suffix)),
        pages=pd.array([found[path].n_pages if path in found else None
                        for path in report["path"]], dtype="Int64"),
        n_chars=pd.array([len(texts[path]) if path in texts else None
                          for path in report["path"]], dtype="Int64"))
    problems = report["path"].map(lambda path: found[path].problem if path in found else "")
    loaded = (report["status"] == "loaded") & (problems != "")
    report.loc[loaded, "reason"] = problems[loaded]
    return report
