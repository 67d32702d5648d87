import json

import pandas as pd
import pytest

from nqpf import boilerplate, parallel, paths, pipeline, segment, tokens

DOCS = {"a.txt": "Talent is the primary resource. " * 30,
        "b.txt": "Innovation drives growth. " * 30}


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "PROCESSED", tmp_path / "processed")
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_second_call_reads_the_cache(corpus, monkeypatch):
    first = pipeline.prepare(corpus)
    monkeypatch.setattr(pipeline, "segment_docs", lambda *a, **k: pytest.fail("not cached"))
    second = pipeline.prepare(corpus)
    pd.testing.assert_frame_equal(first.passages, second.passages)
    pd.testing.assert_frame_equal(first.boilerplate, second.boilerplate)
    assert second.passages["tokens"].map(type).eq(list).all()


def test_cache_holds_only_finished_tables(corpus):
    pipeline.prepare(corpus)
    (folder,) = paths.PROCESSED.iterdir()
    assert sorted(f.name for f in folder.iterdir()) == sorted(
        f"{name}.parquet" for name in pipeline.TABLES)  # no temporary files left


def test_no_cache_writes_nothing(corpus):
    pipeline.prepare(corpus, cache=False)
    assert not paths.PROCESSED.exists()


@pytest.mark.parametrize(
    ("change", "same"),
    [
        (lambda docs, settings: (docs, settings), True),
        (lambda docs, settings: (docs.assign(text=docs["text"] + "."), settings), False),
        (lambda docs, settings: (docs.assign(doc_id=["x", "y"]), settings), False),
        (lambda docs, settings: (docs, {**settings, "min_words": 61}), False),
        (lambda docs, settings: (docs.assign(language=["en", "en"]), settings), False),
    ],
)
def test_cache_key_follows_the_inputs(change, same):
    docs = pd.DataFrame({"doc_id": ["a", "b"], "text": ["one", "two"]})
    settings = {"min_words": 60, "max_words": 200}
    key = pipeline.cache_key(docs, settings)
    assert (pipeline.cache_key(*change(docs, settings)) == key) is same


def test_cache_key_follows_the_lexicon(tmp_path, monkeypatch):
    docs = pd.DataFrame({"doc_id": ["a"], "text": ["one"]})
    monkeypatch.setattr(paths, "LEXICON", tmp_path)
    (tmp_path / "lexicon.csv").write_text("term,variant,category\n")
    before = pipeline.cache_key(docs, {})
    (tmp_path / "lexicon.csv").write_text("term,variant,category\nx,y,z\n")
    assert pipeline.cache_key(docs, {}) != before


SIMPLIFIED = ("一、加快发展新质生产力\n\n"
              "新质生产力是创新起主导作用的先进生产力质态。它由技术革命性突破、生产要素创新性配置、"
              "产业深度转型升级而催生！发展新质生产力是推动高质量发展的内在要求和重要着力点；"
              "必须继续做好创新这篇大文章。\n\n"
              "二、突破关键核心技术\n\n"
              "他说：“要以科技创新引领现代化产业体系建设。”我们要实施人才强国战略？" * 3)
TRADITIONAL = ("新質生產力是創新起主導作用的先進生產力質態。"
               "它由技術革命性突破、生產要素創新性配置、產業深度轉型升級而催生。"
               "發展新質生產力是推動高質量發展的內在要求和重要著力點！\n" * 4)
MIXED = ("新质生产力 (new quality productive forces) 是一个新概念。"
         "The term new productive forces first appeared in 2023. 它强调科技创新。\n"
         "New-quality productive forces drive high-quality development. 高质量发展是首要任务。\n")
ENGLISH = "Talent is the primary resource. Innovation drives growth and development. " * 20
FILES = {"a_simplified.txt": (SIMPLIFIED, "utf-8"),
         "b_gb18030.txt": ("三、结语\n\n" + SIMPLIFIED, "gb18030"),
         "c_big5.txt": (TRADITIONAL, "big5"), "d_mixed.txt": (MIXED * 3, "utf-8"),
         "e_english.txt": (ENGLISH, "utf-8")}


@pytest.fixture
def chinese_corpus(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "PROCESSED", tmp_path / "processed")
    folder = tmp_path / "zh"
    folder.mkdir()
    for name, (text, encoding) in FILES.items():
        (folder / name).write_bytes(text.encode(encoding))
    return folder


def test_chinese_and_mixed_corpus_offsets_and_tokens(chinese_corpus):
    prepared = pipeline.prepare(chinese_corpus, cache=False)
    docs = prepared.docs.set_index("doc_id")
    assert docs["language"].tolist() == ["zh", "zh", "zh", "mixed", "en"]
    assert prepared.corpus.report.set_index("path").loc["c_big5.txt", "encoding"] == "big5"
    raw = docs["text"]
    for table in (prepared.passages, prepared.sentences, prepared.boilerplate):
        assert len(table)
        for doc_id, start, end, text in table[["doc_id", "start", "end", "text"]].itertuples(
                index=False):
            assert raw[doc_id][start:end] == text
    passages = prepared.passages.set_index("doc_id")
    assert (passages.loc["a_simplified", "language"] == "zh").all()
    for doc_id in ("a_simplified", "b_gb18030", "c_big5", "d_mixed"):
        tokens = [t for ts in passages.loc[[doc_id], "tokens"] for t in ts]
        assert "new_quality_productive_forces" in tokens, doc_id
    assert raw["b_gb18030"] == "三、结语\n\n" + SIMPLIFIED
    assert passages.loc[["c_big5"], "tokens"].iloc[0][:4] == [
        "new_quality_productive_forces", "创新", "主导作用", "先进"]
    sentences = prepared.sentences.set_index("doc_id").loc["a_simplified", "text"].tolist()
    assert sentences[:3] == ["新质生产力是创新起主导作用的先进生产力质态。",  # after the title
                             "它由技术革命性突破、生产要素创新性配置、产业深度转型升级而催生！",
                             "发展新质生产力是推动高质量发展的内在要求和重要着力点；"]
    assert "他说：“要以科技创新引领现代化产业体系建设。”" in sentences


def test_chinese_passages_are_sized_in_characters(chinese_corpus):
    prepared = pipeline.prepare(chinese_corpus, cache=False, min_words=20, max_words=40)
    passages = prepared.passages
    zh = passages[passages["language"] == "zh"]
    assert zh["n_words"].max() <= 1.25 * 40 * 2 and zh["n_words"].median() > 40
    # numbered parts (二、) start a passage
    assert passages["text"].str.startswith("二、").any()


def test_language_option_forces_every_document(chinese_corpus):
    prepared = pipeline.prepare(chinese_corpus, cache=False, language="en")
    assert set(prepared.docs["language"]) == {"en"}
    assert set(prepared.passages["language"]) == {"en"}
    with pytest.raises(ValueError, match="unknown language 'cn'"):
        pipeline.prepare(chinese_corpus, cache=False, language="cn")


def test_jsonl_with_content_and_title(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "PROCESSED", tmp_path / "processed")
    source = tmp_path / "reports.jsonl"
    source.write_text("\n".join(json.dumps({"title": f"报告{i}", "content": text},
                                           ensure_ascii=False)
                                for i, text in enumerate([SIMPLIFIED, SIMPLIFIED, TRADITIONAL]))
                      + "\n"
                      + json.dumps({"title": "论联合政府 (七大)",
                                    "content": "论联合政府的版本包括："}) + "\n", encoding="utf-8")
    options = {"text_column": "content", "id_column": "title"}  # as notebooks' corpus_options
    prepared = pipeline.prepare(source, **options)
    assert prepared.docs["doc_id"].tolist() == ["报告0", "报告2", "论联合政府 (七大)"]
    assert prepared.docs["is_short"].tolist() == [False, False, True]  # a stub record
    report = prepared.corpus.report.set_index("path")
    assert report.loc["reports.jsonl#row 2", "reason"] == "duplicate of reports.jsonl#row 1"


def counted(monkeypatch, module, name, counts):
    function = getattr(module, name)

    def wrapper(*args, **kwargs):
        counts[name] = counts.get(name, 0) + 1
        return function(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)


def test_each_stage_runs_once_per_document(chinese_corpus, monkeypatch):
    counts: dict[str, int] = {}
    for module, name in [(boilerplate, "find_boilerplate"), (pipeline, "body_spans"),
                         (segment, "document_sentences"), (segment, "sentence_spans"),
                         (segment, "document_passages"), (tokens, "tokens_in")]:
        counted(monkeypatch, module, name, counts)
    prepared = pipeline.prepare(chinese_corpus, cache=False)
    stage_counts = dict(counts)
    n_docs, n_passages = len(prepared.docs), len(prepared.passages)
    n_paragraphs = sum(len(boilerplate.body_spans(text)) for text in prepared.docs["text"])
    # find_all settles one-line ASCII texts without boilerplate (here the English one) at once
    searched = sum(not text.isascii() or "\n" in text for text in prepared.docs["text"])
    assert searched == n_docs - 1
    assert stage_counts == {"find_boilerplate": searched, "body_spans": n_docs,
                      "document_sentences": n_docs, "sentence_spans": n_paragraphs,
                      "document_passages": n_docs, "tokens_in": n_passages}


def test_loading_starts_no_workers(chinese_corpus, monkeypatch):
    monkeypatch.setattr(parallel, "map_chunks", lambda items, local, remote, *, workers, **k:
                        local(items) if workers == 0 else pytest.fail("worker started"))
    pipeline.load_corpus(chinese_corpus)


def test_boilerplate_table_from_the_spans_found_while_loading(tmp_path):
    prepared = pipeline.prepare(cache=False)
    pd.testing.assert_frame_equal(prepared.boilerplate, boilerplate.boilerplate_table(
        prepared.docs))


@pytest.mark.parametrize(
    ("lengths", "chunk_docs", "chunk_chars", "expected"),
    [([5, 5, 5], 2, 100, [(0, 2), (2, 3)]),
     ([5, 5, 5], 10, 9, [(0, 1), (1, 2), (2, 3)]),
     ([50, 1, 1], 10, 10, [(0, 1), (1, 3)]),  # a long document is a chunk of its own
     ([1], 10, 10, [(0, 1)])],
)
def test_chunk_rows(monkeypatch, lengths, chunk_docs, chunk_chars, expected):
    monkeypatch.setattr(pipeline, "CHUNK_DOCS", chunk_docs)
    monkeypatch.setattr(pipeline, "CHUNK_CHARS", chunk_chars)
    docs = pd.DataFrame({"text": ["x" * n for n in lengths]})
    assert [(rows.start, rows.stop) for rows in pipeline.chunk_rows(docs)] == expected


def test_max_docs_prepares_the_sample(corpus):
    prepared = pipeline.prepare(corpus, max_docs=1, sample="first", cache=False)
    assert prepared.docs["doc_id"].tolist() == ["a"]
    assert set(prepared.passages["doc_id"]) == {"a"}
