import gc
import gzip
import json

import numpy as np
import pandas as pd
import pytest

from nqpf import ingest, paths
from nqpf.ingest import Corpus, decode_bytes, detect_encoding, load_corpus, read_text

SIMPLIFIED = ("新质生产力是创新起主导作用的先进生产力质态。"
              "它由技术革命性突破、生产要素创新性配置、产业深度转型升级而催生，以劳动者、劳动资料、劳动对象及其优化组合的跃升为基本内涵。"
              "发展新质生产力是推动高质量发展的内在要求和重要着力点！")
TRADITIONAL = ("新質生產力是創新起主導作用的先進生產力質態。"
               "它由技術革命性突破、生產要素創新性配置、產業深度轉型升級而催生，以勞動者、勞動資料、勞動對象及其優化組合的躍升為基本內涵。"
               "發展新質生產力是推動高質量發展的內在要求和重要著力點！")
ENGLISH = ("The report calls them \u201cnew quality productive forces\u201d \u2014 a phrase "
           "that\u2019s everywhere.\r\nIt\u2019s used 12 times\u2026 Caf\u00e9 owners "
           "noticed, too.\n")
MIXED = ("Xi said: \u201c新质生产力\u201d means new quality productive forces. "
         "Na\u00efve? No \u2014 \u00e9lan.\n")
WORDS = "Productive forces grow when science and technology lead. " * 12

ENCODINGS = [
    # (file encoding, text, expected detected encoding)
    ("utf-8", MIXED, "utf-8"),
    ("utf-8-sig", MIXED, "utf-8-sig"),
    ("utf-16", MIXED, "utf-16"),  # BOM in native order
    ("utf-16-be", "\ufeff" + MIXED, "utf-16"),
    ("gb18030", SIMPLIFIED, "gb18030"),
    ("gbk", SIMPLIFIED, "gb18030"),
    ("gb18030", SIMPLIFIED[:23], "gb18030"),  # one short sentence
    ("big5", TRADITIONAL, "big5"),
    ("big5", TRADITIONAL[:23], "big5"),
    ("cp1252", ENGLISH, "cp1252"),
    ("cp1252", "\u201cQuoted\u201d", "cp1252"),
]


@pytest.mark.parametrize(("codec", "text", "expected"), ENCODINGS)
def test_encodings_detected_and_text_kept_exactly(tmp_path, codec, text, expected):
    path = tmp_path / "doc.txt"
    path.write_bytes(text.encode(codec))
    assert detect_encoding(path.read_bytes()) == expected
    assert read_text(path) == (text.removeprefix("\ufeff"), expected)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
         + bytes(np.random.default_rng(0).integers(0, 256, 400, dtype=np.uint8)),
         "binary file (not text)"),
        (bytes(np.random.default_rng(0).integers(0x80, 0x100, 300, dtype=np.uint8)),
         "could not decode: tried utf-8, gb18030, big5, cp1252"),
    ],
)
def test_decode_bytes_rejects_bad_input(data, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        decode_bytes(data)


@pytest.fixture
def messy_folder(tmp_path):
    files = {
        "a_utf8.txt": MIXED.encode() + WORDS.encode(),
        "b_gbk.md": SIMPLIFIED.encode("gbk"),
        "c_big5.txt": TRADITIONAL.encode("big5"),
        "d_cp1252.txt": ENGLISH.encode("cp1252"),
        "e_copy.txt": b"  " + MIXED.encode() + WORDS.encode() + b"\n",
        "f_empty.txt": b"",
        "g_blank.txt": b" \n\t\n",
        "h_image.txt": b"\x89PNG\r\n\x1a\n\x00\x00"
        + bytes(np.random.default_rng(1).integers(0, 256, 200, dtype=np.uint8)),
        "i_bad.txt": bytes(np.random.default_rng(0).integers(0x80, 0x100, 300, dtype=np.uint8)),
        "j_paper.doc": b"\xd0\xcf\x11\xe0",
        ".DS_Store": b"\x00\x00\x00\x01Bud1",
        "metadata.csv": b"doc_id,genre\na_utf8,news\nd_cp1252,op-ed\nz_gone,blog\n",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


@pytest.mark.parametrize(
    ("path", "status", "reason", "encoding"),
    [
        (".DS_Store", "skipped", "hidden file", ""),
        ("a_utf8.txt", "loaded", "", "utf-8"),
        ("b_gbk.md", "loaded", "", "gb18030"),
        ("c_big5.txt", "loaded", "", "big5"),
        ("d_cp1252.txt", "loaded", "", "cp1252"),
        ("e_copy.txt", "skipped", "duplicate of a_utf8.txt", "utf-8"),
        ("f_empty.txt", "skipped", "empty file", ""),
        ("g_blank.txt", "skipped", "empty file", "utf-8"),
        ("h_image.txt", "failed", "binary file (not text)", ""),
        ("i_bad.txt", "failed", "could not decode: tried utf-8, gb18030, big5, cp1252, "
         "charset-normalizer", ""),
        ("j_paper.doc", "skipped", "unsupported file type .doc", ""),
        ("metadata.csv", "metadata", "2 of 4 documents have no metadata row (b_gbk, c_big5)",
         "utf-8"),
        ("metadata.csv#line 4", "skipped", "metadata row without a document (doc_id z_gone)", ""),
    ],
)
def test_folder_report_rows(messy_folder, path, status, reason, encoding):
    report = load_corpus(messy_folder).report.set_index("path")
    assert report.loc[path, ["status", "reason", "encoding"]].tolist() == [status, reason, encoding]


def test_folder_loads_the_rest_with_metadata(messy_folder):
    corpus = load_corpus(messy_folder, short_words=10)
    docs = corpus.docs.set_index("doc_id")
    assert list(docs.index) == ["a_utf8", "b_gbk", "c_big5", "d_cp1252"]
    assert list(corpus.docs.columns) == ["doc_id", "genre", "language", "text", "n_chars",
                                         "n_words", "ends_mid_sentence", "is_short",
                                         "is_duplicate"]
    assert list(corpus.report.columns) == ["path", "status", "reason", "encoding", "size_bytes",
                                           "language"]
    assert corpus.report["path"].is_monotonic_increasing
    assert len(corpus.report) == 13
    assert docs.loc["b_gbk", "text"] == SIMPLIFIED
    assert docs.loc["d_cp1252", "text"] == ENGLISH  # \r\n kept
    assert docs["genre"].fillna("-").tolist() == ["news", "-", "-", "op-ed"]
    assert docs["language"].tolist() == ["en", "zh", "zh", "en"]
    assert corpus.report.set_index("path")["language"].to_dict() == {
        **dict.fromkeys(corpus.report["path"], ""), "a_utf8.txt": "en", "b_gbk.md": "zh",
        "c_big5.txt": "zh", "d_cp1252.txt": "en"}
    # Chinese: 102 characters (Han characters, each a word), short from short_words=52 on
    assert docs["n_words"].tolist() == [len((MIXED + WORDS).split()), 102, 102, 21]
    assert docs["is_short"].tolist() == [False, False, False, False]
    short = load_corpus(messy_folder, short_words=52).docs["is_short"].tolist()
    assert short == [False, True, True, True]
    assert not docs["is_duplicate"].any()
    assert "4 documents" in repr(corpus)


def test_near_duplicate_is_loaded_and_flagged(tmp_path):
    (tmp_path / "a.txt").write_text(WORDS)
    (tmp_path / "b.txt").write_text(WORDS.upper().replace(" ", "\n"))
    assert load_corpus(tmp_path).docs["is_duplicate"].tolist() == [False, True]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It ends well.", False),
        ("Does it?\n\n", False),
        ("He said \u201cyes.\u201d", False),
        ("它结束了。", False),
        ("talent system and mechanism,\n\n", True),
        ("A title\n\nIt breaks off in the middle, and\n\nRelated Pages", True),
        ("A title\n\nIt ends here.\n\nEditor: Zheng Jianlong\n\n2024-03-10 04:02:54", False),
        ("A title\r\n\r\nIt breaks off in the middle, and\r\n\r\nSource: Xinhua\r\n", True),
        ("It ends here.\r\nMing Ju at a meeting, and (Photo/Zhou Qi)\r\n\u25a0\r\n", False),
        (WORDS + "and then (Photo: Xinhua)", True),  # the credit is cut, not the paragraph
        ("Related Pages", False),  # no body at all
    ],
)
def test_ends_mid_sentence(tmp_path, text, expected):
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    assert load_corpus(tmp_path).docs["ends_mid_sentence"].tolist() == [expected]


@pytest.mark.parametrize(
    ("files", "source", "id_column", "error", "message"),
    [
        (None, "corpus", None, FileNotFoundError, "corpus source not found"),
        ({}, "corpus", None, ValueError, "no documents loaded from .*: 0 files seen"),
        ({"m": b"x"}, "corpus/metadata.csv", None, FileNotFoundError, "source not found"),
        ({"a.txt": b"", "b.txt": b"\x00\x01", "c.doc": b"x"}, "corpus", None, ValueError,
         r"3 files seen: 2 skipped \(1 empty file, 1 unsupported file type \.doc\), 1 failed"),
        ({"t.csv": b"id,body\n1,hello\n"}, "corpus/t.csv", None, ValueError,
         r"no text column 'text'; columns are \['id', 'body'\]"),
        ({"t.csv": b"id,text\n1,hello\n"}, "corpus/t.csv", "key", ValueError,
         "no id column 'key'"),
        ({"t.jsonl": b'{"name": "a", "doc_id": "b", "text": "hello"}\n'}, "corpus/t.jsonl",
         "name", ValueError, "a 'doc_id' column beside the id column 'name'"),
        ({"t.csv": b"name,doc_id,text\na,b,hello\n"}, "corpus/t.csv", "name", ValueError,
         "a 'doc_id' column beside the id column 'name'"),
        ({"t.parquet": b"PAR1"}, "corpus/t.parquet", None, ValueError,
         "unsupported corpus file type"),
        ({"t.jsonl": b"{bad\n[1]\n"}, "corpus/t.jsonl", None, ValueError,
         "2 records seen: 2 failed \\(1 invalid JSON on line 1, 1 invalid JSON on line 2\\)"),
    ],
)
def test_errors_name_the_path(tmp_path, files, source, id_column, error, message):
    if files is not None:
        (tmp_path / "corpus").mkdir()
        for name, data in files.items():
            (tmp_path / "corpus" / name).write_bytes(data)
    with pytest.raises(error, match=message) as info:
        load_corpus(tmp_path / source, id_column=id_column)
    assert str(tmp_path / "corpus") in str(info.value)


ROWS = [
    {"id": "x1", "text": "First document text.", "genre": "news"},
    {"id": "x2", "text": "", "genre": "blog"},
    {"id": "x3", "text": "Third one, 新质生产力", "genre": None},
]


def _write_table(path):
    if path.suffix == ".csv":
        pd.DataFrame(ROWS).to_csv(path, index=False)
        return
    lines = [json.dumps(row, ensure_ascii=False) for row in ROWS]
    data = "\n".join([lines[0], lines[1], "{not json", lines[2], ""]).encode()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)


@pytest.mark.parametrize(
    ("name", "report"),
    [
        ("t.csv", {"t.csv#row 1": "loaded", "t.csv#row 2": "skipped", "t.csv#row 3": "loaded"}),
        ("t.jsonl", {"t.jsonl#row 1": "loaded", "t.jsonl#row 2": "skipped",
                     "t.jsonl#row 3": "failed", "t.jsonl#row 4": "loaded"}),
        ("t.jsonl.gz", {"t.jsonl.gz#row 1": "loaded", "t.jsonl.gz#row 2": "skipped",
                        "t.jsonl.gz#row 3": "failed", "t.jsonl.gz#row 4": "loaded"}),
    ],
)
def test_table_sources(tmp_path, name, report):
    _write_table(tmp_path / name)
    corpus = load_corpus(tmp_path / name, short_words=3)
    assert dict(zip(corpus.report["path"], corpus.report["status"], strict=True)) == report
    assert set(corpus.report["reason"]) >= {"", "empty text"}
    assert list(corpus.docs.columns[:2]) == ["doc_id", "genre"]
    assert corpus.docs["doc_id"].tolist() == ["x1", "x3"]
    assert corpus.docs["text"].tolist() == ["First document text.", "Third one, 新质生产力"]
    assert corpus.docs["genre"].fillna("-").tolist() == ["news", "-"]
    assert corpus.docs["is_short"].tolist() == [False, False]


@pytest.mark.parametrize(
    ("content", "statuses"),
    [
        # a bad line in the middle fails on its own
        ('{"id": "a", "text": "one"}\n{bad\n{"id": "c", "text": "three"}\n',
         {1: "loaded", 2: "failed", 3: "loaded"}),
        # blank lines are skipped, but counted in the row numbers
        ('\n{"id": "a", "text": "one"}\n  \n\n{"id": "b", "text": "two"}\n\n',
         {2: "loaded", 5: "loaded"}),
        # valid JSON that is not an object
        ('[1, 2]\n{"id": "a", "text": "one"}\n"text"\n3\nnull\n',
         {1: "failed", 2: "loaded", 3: "failed", 4: "failed", 5: "failed"}),
        # two objects on one line, one object over two lines
        ('{"id": "a", "text": "one"} {"id": "b", "text": "two"}\n{"id": "c",\n"text": "x"}\n'
         '{"id": "d", "text": "four"}', {1: "failed", 2: "failed", 3: "failed", 4: "loaded"}),
        # Windows line endings, and a line break inside a JSON string
        ('{"id": "a", "text": "one"}\r\n{"id": "b", "text": "tw\u2028o"}\r\n'
         '{"id": "c", "text": "three"}', {1: "loaded", 2: "failed", 3: "failed", 4: "loaded"}),
    ],
)
def test_jsonl_lines_are_read_one_by_one(tmp_path, content, statuses):
    (tmp_path / "t.jsonl").write_bytes(content.encode())
    report = load_corpus(tmp_path / "t.jsonl").report
    assert report["path"].tolist() == [f"t.jsonl#row {n}" for n in statuses]
    assert report["status"].tolist() == list(statuses.values())
    assert report.loc[report["status"] == "failed", "reason"].tolist() == [
        f"invalid JSON on line {n}" for n, status in statuses.items() if status == "failed"]


ONE_A_LINE = "".join(json.dumps({"id": f"d{i}", "text": f"Text {i}.\nLine 2", "n": i},
                                 ensure_ascii=i % 2 == 0) + "\n" for i in range(3))


@pytest.mark.parametrize(
    ("content", "at_once"),
    [
        (ONE_A_LINE, True),
        (ONE_A_LINE.rstrip("\n"), True),
        ("\ufeff" + ONE_A_LINE, True),
        ('{"id": "a", "text": "é", "_row": 7, "m": {"k": [1, null]}}\n' + ONE_A_LINE, True),
        ('{"id": "a", "text": 5}\n{"id": "b", "text": null}\n' + ONE_A_LINE, True),
        ("\n" + ONE_A_LINE, False),  # a blank line
        (ONE_A_LINE.replace("\n", "\r\n"), False),
        (ONE_A_LINE + '{"id": "x", "text": "a\u2028b"}\n', False),
        (ONE_A_LINE + '{"id": "x", "text": "a\x85b"}\n', False),
        (ONE_A_LINE + '{"id": "x",\n"text": "over two lines"}\n', False),
        (ONE_A_LINE + '{"id": "x", "text": "a"} {"id": "y", "text": "b"}\n', False),
        (ONE_A_LINE + '{"id": "x", "text": "a", "v": NaN}\n', False),  # json reads NaN
        ('  ' + ONE_A_LINE, False),
        (ONE_A_LINE + "[1]\n", False),
    ],
)
def test_jsonl_read_at_once_as_line_by_line(tmp_path, monkeypatch, content, at_once):
    """A file whose every line is one JSON object is read in one call: what it gives is what
    reading it line by line gives."""
    path = tmp_path / "t.jsonl"
    path.write_bytes(content.encode())
    data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    assert (ingest._jsonl_objects(data) is not None) == at_once
    at_once_corpus = load_corpus(path, id_column="id")
    monkeypatch.setattr(ingest, "_jsonl_objects", lambda data: None)
    by_line = load_corpus(path, id_column="id")
    pd.testing.assert_frame_equal(at_once_corpus.docs, by_line.docs)
    pd.testing.assert_frame_equal(at_once_corpus.report, by_line.report)
    assert at_once_corpus.spans == by_line.spans


def test_invalid_json_line_reason(tmp_path):
    _write_table(tmp_path / "t.jsonl")
    report = load_corpus(tmp_path / "t.jsonl").report
    assert report.loc[report["status"] == "failed", "reason"].tolist() == ["invalid JSON on line 3"]


@pytest.mark.parametrize("at_once", [True, False])
@pytest.mark.parametrize(
    ("line", "reason"),
    [('{"id": "a", "text": "one \\ud800 two"}', "\\ud800 is half of a UTF-16 surrogate pair"),
     ('{"id": "a", "text": "ok", "tags": [{"k": "\\uDC01"}]}', "\\udc01 is half"),
     ('{"id": "a", "text": "an emoji \\ud83d\\ude00 is a pair"}', None)],
)
def test_jsonl_lone_surrogate_is_a_failed_line(tmp_path, monkeypatch, line, reason, at_once):
    """Half a surrogate pair decodes to a string no codec can write: its line is reported, the
    rest loads (a whole pair is one character)."""
    path = tmp_path / "t.jsonl"
    path.write_text(line + '\n{"id": "b", "text": "fine text"}\n', encoding="ascii")
    if not at_once:
        monkeypatch.setattr(ingest, "_jsonl_objects", lambda data: None)
    corpus = load_corpus(path, id_column="id")
    failed = corpus.report.loc[corpus.report["status"] == "failed", "reason"].tolist()
    if reason is None:
        assert failed == [] and "\U0001f600" in corpus.docs["text"].iloc[0]
    else:
        assert corpus.docs["doc_id"].tolist() == ["b"]
        assert len(failed) == 1 and failed[0].startswith("invalid JSON on line 1: " + reason)


def test_table_without_id_column_numbers_rows(tmp_path):
    years = [str(2000 + i) for i in range(12)]
    pd.DataFrame({"text": [f"text {y}" for y in years], "year": years}).to_csv(
        tmp_path / "t.csv", index=False)
    corpus = load_corpus(tmp_path / "t.csv")
    assert corpus.docs[["doc_id", "year"]].values.tolist()[:2] == [["row_00001", "2000"],
                                                                   ["row_00002", "2001"]]
    assert corpus.report["path"].tolist()[1:3] == ["t.csv#row 2", "t.csv#row 3"]  # not row 10


def test_study_corpus():
    corpus = load_corpus(paths.RAW)
    assert isinstance(corpus, Corpus)
    docs = corpus.docs.set_index("doc_id")
    assert len(docs) == 5 and docs.index.is_monotonic_increasing
    assert docs.loc["001_8a91a8690185a09f", "ends_mid_sentence"]
    assert not docs.loc[["000_cc4c2005567dd4c4", "004_186ae9db1759b207"],
                        "ends_mid_sentence"].any()
    assert docs["genre"].notna().all()
    assert {"title", "date", "source", "author", "genre", "language"} <= set(docs.columns)
    assert len(corpus.report) == 6
    assert corpus.report["status"].value_counts().to_dict() == {"loaded": 5, "metadata": 1}
    for doc_id, text in docs["text"].items():
        assert text == (paths.RAW / f"{doc_id}.txt").read_bytes().decode("utf-8")


@pytest.mark.parametrize(
    ("lines", "statuses"),
    [
        (['{"id": "a", "text": "one"}', '{"text": "no id key"}'], ["loaded", "failed"]),
        (['{"id": null, "text": "null id"}', '{"id": "b", "text": "two"}'], ["failed", "loaded"]),
        (['{"id": " ", "text": "blank id"}', '{"id": "c", "text": "three"}'], ["failed", "loaded"]),
    ],
)
def test_records_without_an_id_fail_with_a_reason(tmp_path, lines, statuses):
    (tmp_path / "t.jsonl").write_text("\n".join(lines), encoding="utf-8")
    corpus = load_corpus(tmp_path / "t.jsonl")
    assert corpus.report["status"].tolist() == statuses
    assert corpus.report.loc[corpus.report["status"] == "failed", "reason"].tolist() == [
        "empty id (column 'id')"]
    assert "nan" not in corpus.docs["doc_id"].tolist() and len(corpus.docs) == 1


@pytest.mark.parametrize("source", [paths.RAW, "jsonl"])
def test_parallel_load_gives_the_same_corpus(source, tmp_path, monkeypatch):
    if source == "jsonl":
        source = tmp_path / "docs.jsonl"
        texts = [ENGLISH, "Short text\nSource: Xinhua", "Ends mid", "", ENGLISH, "Last one."]
        source.write_text("".join(json.dumps({"id": f"d{i}", "text": text}) + "\n"
                                  for i, text in enumerate(texts)), encoding="utf-8")
    serial = load_corpus(source)
    monkeypatch.setattr(ingest, "CHUNK_SIZE", 2)  # several chunks, order must hold
    parallel = load_corpus(source, n_jobs=2)
    pd.testing.assert_frame_equal(parallel.docs, serial.docs)
    pd.testing.assert_frame_equal(parallel.report, serial.report)


NO_METADATA = "; the documents are loaded without metadata"


@pytest.mark.parametrize(
    ("metadata", "rows", "genres"),
    [
        (b"", {"metadata.csv": ("failed", "empty metadata file" + NO_METADATA)}, None),
        (b"\n\n", {"metadata.csv": ("failed", "empty metadata file" + NO_METADATA)}, None),
        (b"\x00\x01", {"metadata.csv": ("failed", "binary file (not text)" + NO_METADATA)}, None),
        (b"id,genre\na,news\n", {"metadata.csv": (
            "failed", "no 'doc_id' column (columns are ['id', 'genre'])" + NO_METADATA)}, None),
        # a row with a field too many, an unclosed quote that swallows the next row, and a
        # quoted field over two lines (kept)
        (b'doc_id,genre\na,"news\nsection"\nb,news,extra\nc,"blog\nd,essay\n',
         {"metadata.csv": ("metadata", "3 of 4 documents have no metadata row (b, c, d)"),
          "metadata.csv#line 4": ("skipped",
                                  "metadata line 4: 3 fields where the header has 2 (check the "
                                  "quoting)"),
          "metadata.csv#line 5": ("skipped",
                                  "metadata lines 5-6: the 'genre' field runs over into "
                                  "'d,essay', which looks like another row (an unclosed quote?)")},
         ["news\nsection", "-", "-", "-"]),
        # a quote opened in the id column: the id holds a line break
        (b'doc_id,genre\n"a\nb",news\nc,blog\n',
         {"metadata.csv": ("metadata", "3 of 4 documents have no metadata row (a, b, d)"),
          "metadata.csv#line 2": ("skipped", "metadata lines 2-3: the doc_id contains a line "
                                             "break (an unclosed quote?)")},
         ["-", "-", "blog", "-"]),
        # ids that differ only in case or extension get a hint; a repeated id is reported
        (b"doc_id,genre\nA,news\nb.txt,blog\nc,x\nc,y\nd,z\n",
         {"metadata.csv": ("metadata", "2 of 4 documents have no metadata row (a, b)"),
          "metadata.csv#line 2": ("skipped", "metadata row without a document (doc_id A); did "
                                  "you mean 'a'? (a doc_id is the file name without extension, "
                                  "case counts)"),
          "metadata.csv#line 3": ("skipped", "metadata row without a document (doc_id b.txt); "
                                  "did you mean 'b'? (a doc_id is the file name without "
                                  "extension, case counts)"),
          "metadata.csv#line 5": ("skipped", "metadata line 5: repeated doc_id c (first on "
                                  "line 4)")},
         ["-", "-", "x", "z"]),
        # unnamed and repeated columns get names of their own
        (b"doc_id,genre,genre,,\na,x,y,,\nb,x,y,1,\nc,x,y,,\nd,x,y,,\n",
         {"metadata.csv": ("metadata", "unnamed or repeated columns renamed to ['genre.1', "
                                       "'column_4', 'column_5']")}, ["x", "x", "x", "x"]),
        # metadata columns named like computed ones are ignored, not a reason to stop
        (b"doc_id,n_words\na,7\nb,1\nc,2\nd,3\n",
         {"metadata.csv": ("metadata", "columns ['n_words'] ignored: they clash with computed "
                                       "ones")}, None),
    ],
)
def test_metadata_problems_are_rows_and_the_texts_load(tmp_path, metadata, rows, genres):
    for name in "abcd":
        (tmp_path / f"{name}.txt").write_text(f"Text {name}. " + WORDS, encoding="utf-8")
    (tmp_path / "metadata.csv").write_bytes(metadata)
    corpus = load_corpus(tmp_path)
    report = corpus.report.set_index("path")
    assert corpus.docs["doc_id"].tolist() == ["a", "b", "c", "d"]
    assert {path: tuple(report.loc[path, ["status", "reason"]]) for path in report.index
            if path.startswith("metadata")} == rows
    if genres is None:
        assert "genre" not in corpus.docs
    else:
        assert corpus.docs["genre"].fillna("-").tolist() == genres
    assert corpus.docs["n_words"].tolist() == [len(f"Text {n}. {WORDS}".split()) for n in "abcd"]


def _unreadable(error: OSError):
    real = ingest.Path.read_bytes

    def read_bytes(self):
        if self.name == "b.txt":
            raise error
        return real(self)

    return read_bytes


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda folder, patch: patch.setattr(
            ingest.Path, "read_bytes", _unreadable(PermissionError(13, "Permission denied")),
        ), "permission denied (not readable)"),
        (lambda folder, patch: patch.setattr(
            ingest.Path, "read_bytes", _unreadable(FileNotFoundError(2, "No such file")),
        ), "vanished while loading (or a broken symbolic link)"),
        (lambda folder, patch: patch.setattr(
            ingest.Path, "read_bytes", _unreadable(OSError(5, "Input/output error")),
        ), "could not be read: Input/output error"),
        (lambda folder, patch: ((folder / "b.txt").unlink(),
                                (folder / "b.txt").symlink_to(folder / "b.txt")),
         "symbolic link loop (not read)"),
        (lambda folder, patch: ((folder / "b.txt").unlink(),
                                (folder / "b.txt").symlink_to(folder / "gone.txt")),
         "vanished while loading (or a broken symbolic link)"),
    ],
)
def test_unreadable_files_get_their_own_row(tmp_path, monkeypatch, make, reason):
    for name in "abc":
        (tmp_path / f"{name}.txt").write_text(f"Text {name}. " + WORDS, encoding="utf-8")
    make(tmp_path, monkeypatch)
    corpus = load_corpus(tmp_path)
    assert corpus.docs["doc_id"].tolist() == ["a", "c"]
    assert corpus.report.set_index("path").loc["b.txt", ["status", "reason"]].tolist() == [
        "failed", reason]


def test_unreadable_metadata_is_a_row(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(WORDS, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("doc_id,genre\na,news\n", encoding="utf-8")
    real = ingest.Path.read_bytes
    monkeypatch.setattr(ingest.Path, "read_bytes", lambda self: (_ for _ in ()).throw(
        PermissionError(13, "Permission denied")) if self.name == "metadata.csv" else real(self))
    corpus = load_corpus(tmp_path)
    assert corpus.docs["doc_id"].tolist() == ["a"]
    assert corpus.report.set_index("path").loc["metadata.csv", "reason"] == (
        "permission denied (not readable)" + NO_METADATA)


def test_metadata_file_is_joined_on_the_shared_columns(tmp_path):
    records = [{"id": "a", "text": "One text here.", "congress": 1},
               {"id": "b", "text": "Another text.", "congress": 20},
               {"id": "c", "text": "A third text.", "congress": 99}]
    (tmp_path / "t.jsonl").write_text("\n".join(map(json.dumps, records)), encoding="utf-8")
    (tmp_path / "years.csv").write_text("congress,year\n1,1921\n20,2022\n", encoding="utf-8")
    corpus = load_corpus(tmp_path / "t.jsonl", metadata_file=tmp_path / "years.csv")
    assert corpus.docs["year"].fillna("none").tolist() == ["1921", "2022", "none"]
    row = corpus.report[corpus.report["path"] == "years.csv"].iloc[0]
    assert (row["status"], row["reason"]) == (
        "metadata", "joined on ['congress']: 2 of 3 documents have a row")


@pytest.mark.parametrize(("content", "message"), [
    ("number,year\n1,1921\n", "no column to join on"),
    ("congress,year\n1,1921\n1,1922\n", "repeat"),
])
def test_metadata_file_problems_name_the_file(tmp_path, content, message):
    (tmp_path / "t.jsonl").write_text(json.dumps({"text": "A text.", "congress": 1}),
                                      encoding="utf-8")
    (tmp_path / "m.csv").write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=f"m.csv: .*{message}"):
        load_corpus(tmp_path / "t.jsonl", metadata_file=tmp_path / "m.csv")


@pytest.fixture
def numbered_table(tmp_path):
    path = tmp_path / "numbered.jsonl"
    path.write_text("".join(json.dumps({"id": f"d{i:02d}", "text": f"Text number {i}."}) + "\n"
                            for i in range(20)), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("max_docs", "sample", "random_state", "n_loaded", "reason"),
    [(None, "random", 0, 20, None),
     (25, "random", 0, 20, None),
     (5, "first", 0, 5, "left out by max_docs=5: the first 5 of 20 documents kept"),
     (5, "random", 0, 5, "left out by max_docs=5: a random sample of 5 (random_state=0) of 20"),
     (5, "random", 1, 5, "(random_state=1)")],
)
def test_max_docs_keeps_a_stated_sample(numbered_table, max_docs, sample, random_state,
                                        n_loaded, reason):
    corpus = load_corpus(numbered_table, max_docs=max_docs, sample=sample,
                         random_state=random_state)
    assert len(corpus.docs) == n_loaded and len(corpus.report) == 20
    left_out = corpus.report[corpus.report["status"] == "skipped"]
    assert len(left_out) == 20 - n_loaded
    assert all(reason in text for text in left_out["reason"])
    loaded = corpus.report.loc[corpus.report["status"] == "loaded", "path"]
    assert sorted(loaded.str.replace("numbered.jsonl#row ", "").map(int)) == sorted(
        corpus.docs["doc_id"].str[1:].map(int) + 1)
    if sample == "first" and max_docs:
        assert corpus.docs["doc_id"].tolist() == [f"d{i:02d}" for i in range(max_docs)]


def test_random_samples_differ_by_seed_and_repeat(numbered_table):
    first, again, other = (load_corpus(numbered_table, max_docs=5, random_state=seed)
                           .docs["doc_id"].tolist() for seed in (0, 0, 1))
    assert first == again != other


def test_sampled_out_documents_leave_no_unmatched_metadata_rows():
    corpus = load_corpus(paths.RAW, max_docs=2)
    assert not corpus.report["reason"].str.contains("without a document").any()
    assert corpus.docs["title"].notna().all()


@pytest.mark.parametrize(("options", "message"),
                         [({"max_docs": 0}, "max_docs must be"),
                          ({"max_docs": 2.5}, "max_docs must be"),
                          ({"max_docs": 3, "sample": "last"}, "sample must be one of")])
def test_bad_sample_options(numbered_table, options, message):
    with pytest.raises(ValueError, match=message):
        load_corpus(numbered_table, **options)


def test_word_counts_and_duplicates_whatever_the_spacing(tmp_path):
    texts = ["Alpha beta gamma.", "alpha  BETA\tgamma.", " Alpha beta gamma. ", "x\u00a0y z",
             "X y\u3000Z", "新质 生产力", "one"]
    lines = [json.dumps({"id": f"d{i}", "text": text}) for i, text in enumerate(texts)]
    (tmp_path / "t.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = load_corpus(tmp_path / "t.jsonl")
    docs = corpus.docs  # d2 is d0 with spaces around it: a skipped duplicate
    assert corpus.report["reason"].tolist()[2] == "duplicate of t.jsonl#row 1"
    assert docs["n_words"].tolist() == [3, 3, 3, 3, 5, 1]
    assert docs["is_duplicate"].tolist() == [False, True, False, True, False, False]
    assert docs["is_duplicate"].dtype == bool


def test_jsonl_text_values_that_are_not_strings(tmp_path):
    lines = ['{"id": "c", "text": 7, "year": 2020}', '{"id": "b", "text": null}', '{"id": "a"}',
             '{"id": "d", "text": "words", "year": 2021}']
    (tmp_path / "t.jsonl").write_text("\n".join(lines), encoding="utf-8")
    corpus = load_corpus(tmp_path / "t.jsonl")
    assert corpus.docs[["doc_id", "text", "year"]].values.tolist() == [["c", "7", 2020.0],
                                                                       ["d", "words", 2021.0]]
    assert corpus.report["reason"].tolist() == ["", "empty text", "empty text", ""]


def test_documents_sorted_by_id_and_report_by_row(tmp_path):
    lines = [json.dumps({"id": i, "text": f"text {i}"}) for i in ("b2", "b10", "a")]
    (tmp_path / "t.jsonl").write_text("\n".join(["{bad", *lines]), encoding="utf-8")
    corpus = load_corpus(tmp_path / "t.jsonl")
    assert corpus.docs["doc_id"].tolist() == ["a", "b10", "b2"]
    assert corpus.docs.index.tolist() == [0, 1, 2]
    assert corpus.report["path"].tolist() == [f"t.jsonl#row {n}" for n in range(1, 5)]
    assert corpus.report["status"].tolist() == ["failed", "loaded", "loaded", "loaded"]


def test_jsonl_number_ids_keep_their_metadata(tmp_path):
    lines = ['{"id": 2, "text": "two words", "year": 2021}',
             '{"id": 10, "text": "ten words", "year": 2020}']
    (tmp_path / "t.jsonl").write_text("\n".join(lines), encoding="utf-8")
    docs = load_corpus(tmp_path / "t.jsonl").docs
    assert docs[["doc_id", "year"]].values.tolist() == [["10", 2020], ["2", 2021]]


def test_garbage_collector_left_as_it_was(tmp_path):
    """Loading a table pauses Python's cycle collector, and leaves it as it found it, also
    when loading fails."""
    (tmp_path / "t.jsonl").write_text(ONE_A_LINE, encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text("nothing\n", encoding="utf-8")
    assert gc.isenabled()
    load_corpus(tmp_path / "t.jsonl")
    with pytest.raises(ValueError, match="no documents loaded"):
        load_corpus(tmp_path / "bad.jsonl")
    assert gc.isenabled()
    gc.disable()
    try:
        load_corpus(tmp_path / "t.jsonl")
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"text": "plain"}', False),
        (b'{"text": "\\ud800"}', True),
        (b'{"text": "\\uD83D\\uDE00"}', True),
        (b'{"text": "\\u00e9 \\\\ud"}', True),  # an escaped backslash: checked again later
        (b'{"text": "\\u4e2d"}', False),
        (b'{"text": "ud \\\\"}', False),
        (b'{"text": "\\u', False),  # at the very end
        (b"", False),
    ],
)
def test_surrogate_escapes_are_found_in_every_part(monkeypatch, body, expected):
    for part in (ingest.CHECK_BYTES, 3):  # the escape may straddle two parts
        monkeypatch.setattr(ingest, "CHECK_BYTES", part)
        assert ingest._surrogate_escapes(body) is expected


def _corpus_or_error(path, options):
    try:
        return load_corpus(path, **options)
    except ValueError as error:
        return str(error)


@pytest.mark.parametrize(
    ("lines", "options", "by_column"),
    [
        (['{"id": "b", "text": "two", "title": "B"}', '{"id": "a", "text": "one"}'], {}, True),
        (['{"id": "a", "text": "one", "x": 1}', '{"id": "a", "text": "two", "x": 2.5}'], {}, True),
        (['{"id": "", "text": "one", "x": 2.5}', '{"id": " ", "text": "two", "x": 1}',
          '{"id": "c", "text": "three", "x": 3}'], {}, True),
        (['{"id": 3, "text": "one"}', '{"id": 1.5, "text": "two"}'], {}, False),
        (['{"id": "a", "text": "one", "_row": 7}', '{"id": "b", "text": "two"}'], {}, False),
        (['{"text": "one", "id": "b", "a": "x"}', '{"b": true, "text": "two", "id": "a"}',
          '{"c": null, "id": "c", "text": "three", "a": ""}'], {}, True),
        (['{"id": "a", "text": 7}', '{"id": "b", "text": null}', '{"id": "c"}'], {}, False),
        (['{"text": "one", "year": 2020}', '{"year": 2021, "text": "two"}'], {}, True),
        (['{"name": "a", "text": "one", "doc_id": ""}'], {"id_column": "doc_id"}, True),
        (['{"name": "a", "text": "one", "language": "en"}'], {"id_column": "name"}, True),
        (['{"id": "a", "text": "one", "n_words": 3}'], {}, True),
        (['{"id": "a", "text": "one"}'], {"id_column": "text"}, False),
        (['{"id": "a", "text": "one"}'], {"id_column": "name"}, False),
        (['{"id": "a", "body": "one"}'], {}, False),
        (['{"id": "a", "text": "one"}', '{"id": "b", "text": "two"}'], {"max_docs": 1}, True),
    ],
)
def test_jsonl_read_by_column_as_by_table(tmp_path, monkeypatch, lines, options, by_column):
    """JSON Lines whose texts and ids are strings are read column by column, straight from
    the objects: what that gives (documents, metadata, report, errors) is what their table
    gives; other files are read as a table."""
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    objects = ingest._jsonl_objects(path.read_bytes())
    text_column = options.get("text_column", "text")
    columns = ingest._string_columns(objects, path, text_column, options.get("id_column"),
                                     "utf-8", [])
    assert (columns is not None) == by_column
    read = _corpus_or_error(path, options)
    monkeypatch.setattr(ingest, "_string_columns", lambda *args: None)
    by_table = _corpus_or_error(path, options)
    if isinstance(by_table, str):
        assert read == by_table
    else:
        pd.testing.assert_frame_equal(read.docs, by_table.docs)
        pd.testing.assert_frame_equal(read.report, by_table.report)
        assert read.spans == by_table.spans
