import pandas as pd
import pytest

from nqpf import paths, pipeline

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
