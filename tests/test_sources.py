"""PDF, Word and web pages: text, pages, layout boilerplate, metadata and the ingest report.

Every fixture is generated here: PDFs with reportlab (Chinese in its built-in STSong-Light
CID font), Word files with python-docx, web pages by hand.
"""

import hashlib
import random
import re

import docx
import pandas as pd
import pytest
from PIL import Image
from reportlab.lib import pdfencrypt
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from nqpf import paths, prepare, sources
from nqpf.explore import kwic
from nqpf.ingest import decode_bytes, load_corpus
from nqpf.pages import page_column, page_starts
from nqpf.topics import TopicModel, TopicModelWarning

pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
WIDTH, HEIGHT = A4
HEADER = "Provincial Plan on New Quality Productive Forces"
ZH_HEADER = "某省人民政府文件"


@pytest.fixture(autouse=True)
def cache_folder(tmp_path, monkeypatch):
    """Extracted texts go to a temporary data/processed."""
    monkeypatch.setattr(paths, "PROCESSED", tmp_path / "processed")
    return tmp_path / "processed"


def write_pdf(path, pages, *, header=None, footer="- {n} -", font="Helvetica", encrypt=None,
              title=None):
    """A PDF with one page per item of ``pages``: a list of ``(x, y_from_top, text)``
    drawn in that order, the ``header`` and ``footer`` (``{n}``: page number) on each."""
    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    if title:
        pdf.setTitle(title)
        pdf.setAuthor("Provincial Development Office")
    for number, lines in enumerate(pages, start=1):
        pdf.setFont(font, 9)
        if header:
            pdf.drawString(72, HEIGHT - 40, header)
        if footer:
            pdf.drawCentredString(WIDTH / 2, 30, footer.format(n=number))
        pdf.setFont(font, 11)
        for x, y, text in lines:
            pdf.drawString(x, HEIGHT - y, text)
        pdf.showPage()
    pdf.save()
    return path


def column(lines, *, x=72, top=100, leading=14):
    return [(x, top + i * leading, line) for i, line in enumerate(lines)]


PAGE_1 = column([
    "The province will accelerate the development of new quality produc-",
    "tive forces in manufacturing, energy and the digital economy over the",
    "next five years.",
    "Local governments will support research institutes and train skilled",
    "workers so that factories can upgrade their equipment and supply",
])
PAGE_2 = column([
    "chains across the region.",
    "Universities will open new programmes in data science.",
])
# Two columns drawn row by row, left then right: read column by column.
LEFT = ["Talent is the first resource of", "innovation in every city of the",
        "province and its universities."]
RIGHT = ["Green energy projects cut the", "emissions of old industrial parks",
         "and create new jobs."]
TWO_COLUMNS = [item for i, (left, right) in enumerate(zip(LEFT, RIGHT, strict=True))
               for item in ((72, 100 + 14 * i, left), (320, 100 + 14 * i, right))]


@pytest.fixture
def english_pdf(tmp_path):
    return write_pdf(tmp_path / "plan.pdf", [PAGE_1, PAGE_2, TWO_COLUMNS], header=HEADER,
                     title="Provincial plan")


def test_pdf_text_pages_and_furniture(english_pdf):
    source = sources.read_pdf(english_pdf.read_bytes())
    text = source.text
    assert source.format == "pdf" and source.n_pages == 3 and source.problem == ""
    assert source.metadata == {"title": "Provincial plan",
                               "author": "Provincial Development Office"}
    body = [line for line in text.split("\n") if line.strip()
            and not any(s.start <= text.index(line) < s.end for s in source.spans)]
    assert body == [
        # hyphenated word rejoined, lines of a paragraph joined
        "The province will accelerate the development of new quality productive forces in "
        "manufacturing, energy and the digital economy over the next five years.",
        # a paragraph running over the page break is kept whole where it starts
        "Local governments will support research institutes and train skilled workers so that "
        "factories can upgrade their equipment and supply chains across the region.",
        "Universities will open new programmes in data science.",
        # the two-column page column by column, although it was drawn row by row
        " ".join(LEFT), " ".join(RIGHT)]
    assert [(s.kind, text[s.start:s.end]) for s in source.spans] == [
        ("header", HEADER), ("page_number", "- 1 -"), ("header", HEADER),
        ("page_number", "- 2 -"), ("header", HEADER), ("page_number", "- 3 -")]
    starts = page_starts(text)
    assert len(starts) == 3 and text.count("\f") == 3
    assert [text.index("Universities") >= starts[0], text.index("Talent") >= starts[2]] == [
        True, True]


def test_chinese_pdf_lines_joined_without_spaces(tmp_path):
    lines = column(["加快发展新质生产力，推动高质量发展，培育壮大战略性新兴产业和未来", "产业。",
                    "二、重点任务"], top=110, leading=16)
    path = write_pdf(tmp_path / "zh.pdf", [lines, column(["一是加强科技创新。"])],
                     header=ZH_HEADER, footer="第{n}页", font="STSong-Light")
    source = sources.read_pdf(path.read_bytes())
    assert source.text == (f"{ZH_HEADER}\n加快发展新质生产力，推动高质量发展，"
                           "培育壮大战略性新兴产业和未来产业。\n二、重点任务\n第1页\n\f\n"
                           f"{ZH_HEADER}\n一是加强科技创新。\n第2页\n\f\n")
    assert [s.kind for s in source.spans] == ["header", "page_number"] * 2


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("new quality produc-", "tive forces", "new quality productive forces"),
        ("the state-", "Owned firms", "the state- Owned firms"),  # a capital: not a break
        ("推动高", "质量发展", "推动高质量发展"),
        ("发展新质生产力，", "推动", "发展新质生产力，推动"),
        ("new quality", "productive forces", "new quality productive forces"),
        ("新质生产力", "AI", "新质生产力AI"),
    ],
)
def test_join_lines(first, second, joined):
    assert sources.join_lines(first, second) == joined


def test_scan_and_encrypted_pdfs_raise_with_the_reason(tmp_path):
    rng = random.Random(0)
    image = Image.new("L", (100, 140), 255)
    for _ in range(2000):
        image.putpixel((rng.randrange(100), rng.randrange(140)), 0)
    image.save(tmp_path / "scan.png")
    pdf = canvas.Canvas(str(tmp_path / "scan.pdf"))
    pdf.drawImage(str(tmp_path / "scan.png"), 50, 100, 500, 700)
    pdf.showPage()
    pdf.save()
    with pytest.raises(ValueError, match="^no text layer: needs OCR$"):
        sources.read_pdf((tmp_path / "scan.pdf").read_bytes())
    locked = write_pdf(tmp_path / "locked.pdf", [PAGE_2],
                       encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="o"))
    with pytest.raises(ValueError, match="^encrypted PDF: needs a password"):
        sources.read_pdf(locked.read_bytes())
    open_ = write_pdf(tmp_path / "open.pdf", [PAGE_2], encrypt=pdfencrypt.StandardEncryption(
        "", ownerPassword="o", canCopy=0))
    source = sources.read_pdf(open_.read_bytes())
    assert "Universities" in source.text
    assert source.problem == "encrypted, readable without a password"


def write_docx(path, *, chinese=False):
    document = docx.Document()
    document.core_properties.title = "人才工作报告" if chinese else "Talent work report"
    document.core_properties.author = "Research Office"
    document.sections[0].header.paragraphs[0].text = "内部资料" if chinese else "Internal draft"
    document.sections[0].footer.paragraphs[0].text = "Research Office 2024"
    document.add_paragraph("人才是第一资源。" if chinese else "Talent is the first resource.")
    document.add_paragraph("")
    table = document.add_table(rows=2, cols=3)
    for row, cells in zip(table.rows, [["Region", "Talents", "Growth"],
                                       ["East", "120", "5%"]], strict=True):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    document.add_paragraph("Universities train engineers.")
    document.save(path)
    return path


@pytest.mark.parametrize("chinese", [False, True])
def test_docx_paragraphs_tables_headers_and_footers(tmp_path, chinese):
    source = sources.read_docx(write_docx(tmp_path / "report.docx", chinese=chinese).read_bytes())
    first = "人才是第一资源。" if chinese else "Talent is the first resource."
    header = "内部资料" if chinese else "Internal draft"
    assert source.text == (f"{header}\n{first}\nRegion\tTalents\tGrowth\nEast\t120\t5%\n"
                           "Universities train engineers.\nResearch Office 2024\n")
    assert [(s.kind, source.text[s.start:s.end]) for s in source.spans] == [
        ("header", header), ("footer", "Research Office 2024")]
    assert source.metadata["author"] == "Research Office"
    assert source.n_pages is None


def test_corrupt_docx_raises(tmp_path):
    with pytest.raises(ValueError, match="^corrupt Word file"):
        sources.read_docx(b"PK\x03\x04 not really a zip")


ARTICLE = [
    "The provincial government on Tuesday published a plan to accelerate the development of "
    "new quality productive forces across its manufacturing base.",
    "Officials said the plan would support research institutes, train skilled workers and help "
    "factories upgrade their equipment over the next five years.",
    "Universities in the province will open new programmes in data science and advanced "
    "materials, according to the document.",
]
FURNITURE = ["Home", "China", "World", "Business", "Buy cheap flights now! Limited offer.",
             "Related articles", "Stocks rise on Monday", "Weather warning issued",
             "Share on WeChat", "Copyright 2024 Daily News. All rights reserved.", "About us",
             "Great article, thanks!"]
SCRIPT = "window.stolen = document.cookie"


def news_page(paragraphs=ARTICLE, *, title="Province sets out plan for new productive forces",
              charset="utf-8"):
    """A saved news page: navigation, an advert, related links, share buttons, comments, a
    footer and scripts around the article."""
    nav = "".join(f'<li><a href="/{w.lower()}">{w}</a></li>' for w in FURNITURE[:4])
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title} | Daily</title>
<meta name="author" content="Li Wei"><meta property="article:published_time" content="2024-03-05">
<script>{SCRIPT}; alert("xss")</script><style>p {{color: red}}</style></head>
<body><header><nav><ul>{nav}</ul></nav></header>
<div class="ad">{FURNITURE[4]}</div>
<main><article><h1>{title}</h1>{body}</article></main>
<aside><h3>{FURNITURE[5]}</h3><ul><li><a href="/a">{FURNITURE[6]}</a></li>
<li><a href="/b">{FURNITURE[7]}</a></li></ul></aside>
<div class="share"><a href="#">{FURNITURE[8]}</a></div>
<div class="comments"><div class="comment"><p>{FURNITURE[11]}</p></div></div>
<footer><p>{FURNITURE[9]} <a href="/about">{FURNITURE[10]}</a></p></footer>
<script>document.write("<p>injected by a script</p>")</script><noscript>Enable JS</noscript>
</body></html>"""


def test_html_keeps_the_article_and_drops_the_rest():
    """What trafilatura keeps of a saved news page (README, "PDF, Word and web pages")."""
    source = sources.read_html(news_page(), "utf-8")
    kept = [p for p in ARTICLE if p in source.text]
    dropped = [f for f in FURNITURE if f not in source.text]
    assert (len(kept), len(dropped)) == (3, 12)  # all 3 paragraphs kept, all 12 lines dropped
    assert source.text.splitlines() == ["Province sets out plan for new productive forces",
                                        *ARTICLE]
    for markup in (SCRIPT, "alert", "injected", "<", "color: red", "Enable JS"):
        assert markup not in source.text
    assert source.metadata == {"title": "Province sets out plan for new productive forces",
                               "author": "Li Wei", "date": "2024-03-05"}
    assert source.spans == [] and source.encoding == "utf-8"


def test_chinese_page_in_gb18030(tmp_path):
    paragraphs = ["新华社北京3月5日电 政府工作报告提出，大力推进现代化产业体系建设，"
                  "加快发展新质生产力。",
                  "充分发挥创新主导作用，以科技创新推动产业创新，加快推进新型工业化，"
                  "提高全要素生产率。"]
    path = tmp_path / "新闻.html"
    path.write_bytes(news_page(paragraphs, title="政府工作报告解读", charset="gb2312")
                     .encode("gb18030"))
    source = sources.read_source(path, decode=decode_bytes)
    assert source.encoding == "gb18030"
    assert source.text.splitlines() == ["政府工作报告解读", *paragraphs]  # nothing else
    assert source.metadata["title"] == "政府工作报告解读"


def test_extracted_text_cached_by_content_and_file_untouched(english_pdf, cache_folder):
    before = hashlib.sha256(english_pdf.read_bytes()).hexdigest()
    first = sources.read_source(english_pdf, decode=decode_bytes)
    key = sources.cache_key(english_pdf.read_bytes(), "pdf")
    assert (cache_folder / "sources" / f"{key}.txt").read_bytes().decode() == first.text
    assert sources.read_source(english_pdf, decode=decode_bytes) == first  # from the cache
    (cache_folder / "sources" / f"{key}.txt").write_bytes(b"changed")  # proves it is read
    assert sources.read_source(english_pdf, decode=decode_bytes).text == "changed"
    assert hashlib.sha256(english_pdf.read_bytes()).hexdigest() == before


@pytest.mark.parametrize(
    ("text", "offsets", "pages"),
    [
        ("no pages", [0, 5], [None, None]),
        ("one\n\f\n", [0, 3], [1, 1]),
        ("one\n\f\ntwo\n\f\nthree\n\f\n", [0, 4, 6, 9, 12, 16], [1, 1, 2, 2, 3, 3]),
        ("a\fb\f", [0, 2, 3], [1, 2, 2]),  # pdftotext's form feeds without line breaks
    ],
)
def test_page_column(text, offsets, pages):
    assert page_column({"d": text}, ["d"] * len(offsets), offsets) == pages


@pytest.fixture
def mixed_folder(tmp_path, english_pdf):
    folder = tmp_path / "mixed"
    folder.mkdir()
    english_pdf.rename(folder / "plan.pdf")
    write_docx(folder / "report.docx")
    (folder / "news.html").write_text(news_page(), encoding="utf-8")
    (folder / "notes.txt").write_text("Notes on the plan.\n\nThe plan supports research.\n",
                                      encoding="utf-8")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 broken")
    write_pdf(folder / "locked.pdf", [PAGE_2],
              encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="o"))
    pdf = canvas.Canvas(str(folder / "scan.pdf"))
    pdf.rect(50, 100, 500, 700, fill=1)  # a page with no text on it
    pdf.showPage()
    pdf.save()
    (folder / "metadata.csv").write_text("doc_id,title\nreport,Curated title\n",
                                         encoding="utf-8")
    return folder


def test_folder_report_has_a_row_per_file(mixed_folder):
    corpus = load_corpus(mixed_folder)
    report = corpus.report.set_index("path")
    rows = report[["status", "format", "pages", "n_chars"]].astype(object).fillna("-")
    texts = corpus.docs.set_index("doc_id")["text"].str.len()
    assert rows.to_dict("index") == {
        "broken.docx": {"status": "failed", "format": "docx", "pages": "-", "n_chars": "-"},
        "locked.pdf": {"status": "failed", "format": "pdf", "pages": "-", "n_chars": "-"},
        "metadata.csv": {"status": "metadata", "format": "csv", "pages": "-", "n_chars": "-"},
        "news.html": {"status": "loaded", "format": "html", "pages": "-",
                      "n_chars": texts["news"]},
        "notes.txt": {"status": "loaded", "format": "txt", "pages": "-",
                      "n_chars": texts["notes"]},
        "plan.pdf": {"status": "loaded", "format": "pdf", "pages": 3, "n_chars": texts["plan"]},
        "report.docx": {"status": "loaded", "format": "docx", "pages": "-",
                        "n_chars": texts["report"]},
        "scan.pdf": {"status": "failed", "format": "pdf", "pages": "-", "n_chars": "-"},
    }
    assert report.loc["locked.pdf", "reason"] == "encrypted PDF: needs a password (not read)"
    assert report.loc["scan.pdf", "reason"] == "no text layer: needs OCR"
    assert report.loc["broken.docx", "reason"].startswith("corrupt Word file")
    docs = corpus.docs.set_index("doc_id")
    assert docs.loc["report", "title"] == "Curated title"  # the user's metadata wins
    assert docs.loc["news", ["title", "author", "date"]].tolist() == [
        "Province sets out plan for new productive forces", "Li Wei", "2024-03-05"]
    assert docs.loc["plan", "title"] == "Provincial plan"
    kinds = {doc_id: [s.kind for s in spans] for doc_id, spans in corpus.spans.items()}
    assert kinds["plan"] == ["header", "page_number"] * 3
    assert kinds["report"] == ["header", "footer"]


def test_partly_scanned_pdf_loads_with_the_problem(tmp_path):
    folder = tmp_path / "partly"
    folder.mkdir()
    pdf = canvas.Canvas(str(folder / "half.pdf"))
    for text in ("The first page has a text layer with enough words.", None):
        if text:
            pdf.drawString(72, 700, text)
        else:
            pdf.rect(50, 100, 500, 700, fill=1)
        pdf.showPage()
    pdf.save()
    report = load_corpus(folder).report.set_index("path")
    assert report.loc["half.pdf", ["status", "reason", "pages"]].tolist() == [
        "loaded", "pages 2 of 2: no text layer: needs OCR", 2]


def test_passages_kwic_and_representative_passages_cite_the_page(mixed_folder):
    prepared = prepare(mixed_folder, cache=False, min_words=5, max_words=40)
    passages, docs = prepared.passages, prepared.docs
    plan = passages[passages["doc_id"] == "plan"]
    raw = docs.set_index("doc_id").loc["plan", "text"]
    assert plan["page"].tolist() == [1, 1, 2, 3, 3]
    assert all(raw[s:e] == t for s, e, t in zip(plan["start"], plan["end"], plan["text"],
                                                 strict=True))
    assert HEADER not in " ".join(passages["text"])  # headers are boilerplate
    assert passages.loc[passages["doc_id"] != "plan", "page"].isna().all()
    assert prepared.sentences["page"].dtype == "Int64"
    lines = kwic(docs, passages, re.compile("data science|Talent"))
    assert lines[["doc_id", "page", "keyword"]].astype(object).fillna("-").values.tolist() == [
        ["news", "-", "data science"], ["plan", 2, "data science"], ["plan", 3, "Talent"],
        ["report", "-", "Talent"], ["report", "-", "Talent"]]  # the table: "Talents"
    with pytest.warns(TopicModelWarning):  # few, short passages: warned of, as meant here
        model = TopicModel(n_topics=2, min_df=1, max_df=1.0).fit(passages["tokens"])
    representative = model.representative_passages(passages, n=2)
    pages = passages.set_index(["doc_id", "passage_id"])["page"]
    assert representative["page"].tolist() == [
        pages[doc_id, passage_id] for doc_id, passage_id in
        zip(representative["doc_id"], representative["passage_id"], strict=True)]


def test_text_corpus_tables_unchanged(tmp_path):
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "a.txt").write_text("Talent is the first resource. " * 10, encoding="utf-8")
    corpus = load_corpus(folder)
    assert "format" not in corpus.report and "page" not in kwic(corpus.docs, pd.DataFrame(
        {"doc_id": ["a"], "passage_id": [1], "start": [0], "end": [10]}), "Talent")
