import gzip
import json

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from nqpf import paths, stream
from nqpf.ingest import load_corpus
from nqpf.segment import passages_table
from nqpf.tfidf import TokenTfidfVectorizer, identity_analyzer
from nqpf.topics import make_vectorizer

TEXT = ("New quality productive forces drive high-quality development. Science and technology "
        "innovation is the core element of these forces in every province.")
LINES = [
    json.dumps({"id": "a", "text": TEXT}),
    "{not json",
    json.dumps(["a", "list"]),
    "",
    json.dumps({"id": "b", "text": "   "}),
    json.dumps({"id": "", "text": "no id here"}),
    json.dumps({"id": "c", "text": TEXT + "  "}),  # duplicate text (after stripping)
    json.dumps({"id": "a", "text": "Another text under a repeated id."}),
    json.dumps({"id": "d", "text": "Digital platforms and green industries grow together."}),
]


def in_memory(source, **options):
    table = passages_table(load_corpus(source, **options).docs)
    vectorizer = make_vectorizer("lda")
    dtm = vectorizer.fit_transform(table["tokens"])
    return table, vectorizer, dtm


def assert_same(prepared: stream.Prepared, table, vectorizer, dtm) -> None:
    pd.testing.assert_frame_equal(prepared.passages(), table)  # tokens included
    assert prepared.vocab.tolist() == vectorizer.get_feature_names_out().tolist()
    ours = prepared.dtm()
    assert ours.shape == dtm.shape and ours.dtype == dtm.dtype
    assert (ours != dtm).nnz == 0


@pytest.fixture
def jsonl(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return path


def test_malformed_lines_are_reported_with_their_numbers_and_the_rest_loads(jsonl, tmp_path):
    prepared = stream.prepare_stream(jsonl, min_df=1, max_df=1.0, folder=tmp_path / "blocks")
    report = prepared.report.set_index("path")
    assert report.loc["corpus.jsonl#row 2", "reason"] == "invalid JSON on line 2"
    assert report.loc["corpus.jsonl#row 3", "reason"] == "invalid JSON on line 3"
    # same statuses as load_corpus, row by row
    expected = load_corpus(jsonl).report.query("status != 'loaded'")
    assert report["status"].sort_index().to_dict() == expected.set_index("path")[
        "status"].sort_index().to_dict()
    assert prepared.n_docs == len(load_corpus(jsonl).docs) == 2
    assert sorted(prepared.passages()["doc_id"]) == ["a", "d"]


@pytest.mark.parametrize("block_bytes", [1, 40, 150, 10**6])
def test_byte_ranges_read_every_line_once_with_its_number(jsonl, block_bytes):
    parts, _ = stream.parts(jsonl, block_bytes=block_bytes)
    parts = stream.number_lines(parts, [stream.count_lines(part) for part in parts])
    read = [stream.read_part(part, id_column="id") for part in parts]
    lines = [n for records in read for n in records.lines]
    failed = sorted(row[0] for records in read for row in records.report)
    assert lines == [1, 7, 8, 9]
    assert failed == [f"corpus.jsonl#row {n}" for n in (2, 3, 5, 6)]


@pytest.mark.parametrize("rows, expected", [
    ([("t1", "a"), ("t2", "b")], [True, True]),
    ([("t1", "a"), ("t1", "b"), ("t2", "b")], [True, False, True]),  # dropped text frees id
    ([("t1", "a"), ("t2", "a"), ("t2", "b")], [True, False, True]),  # dropped id frees text
    ([("t1", "a"), ("t1", "a")], [True, False]),
])
def test_deduplicator_follows_load_corpus(rows, expected):
    block = stream.Block([i for _, i in rows], np.arange(1, len(rows) + 1),
                         np.array([stream.key(t) for t, _ in rows], dtype=np.uint64),
                         np.array([stream.key(i) for _, i in rows], dtype=np.uint64),
                         None, None, None)
    keep, report = stream.Deduplicator().keep(block, "x")
    assert keep.tolist() == expected
    assert len(report) == expected.count(False)


@pytest.mark.parametrize("min_df, max_df", [(1, 1.0), (2, 0.95), (0.01, 0.5), (3, 40)])
def test_vocabulary_is_scikit_learns(min_df, max_df):
    table = passages_table(load_corpus(paths.RAW).docs)
    vectorizer = make_vectorizer("lda", min_df=min_df, max_df=max_df)
    vectorizer.fit(table["tokens"])
    counter = make_vectorizer("lda", min_df=1, max_df=1.0)
    counts = counter.fit_transform(table["tokens"]).tocsr()
    block = stream.Block([], np.array([]), np.array([]), np.array([]), None,
                         counter.get_feature_names_out(), counts)
    vocab = stream.vocabulary(block.frequencies(), len(table), min_df=min_df, max_df=max_df)
    assert vocab.index.tolist() == vectorizer.get_feature_names_out().tolist()


def test_vocabulary_refuses_settings_that_keep_nothing():
    with pytest.raises(ValueError, match="lower min_df"):
        stream.vocabulary(pd.Series([1, 1], index=["a", "b"]), 2, min_df=2, max_df=1.0)


def test_study_corpus_as_in_memory(tmp_path):
    prepared = stream.prepare_stream(paths.RAW, keep_text=True, folder=tmp_path)
    table, vectorizer, dtm = in_memory(paths.RAW)
    assert_same(prepared, table, vectorizer, dtm)
    assert prepared.report["status"].tolist() == ["metadata"]
    # TF-IDF blocks: the topic vectorizer's, and with sublinear tf the like of build_tfidf
    for sublinear_tf in (False, True):
        expected = TokenTfidfVectorizer(analyzer=identity_analyzer, min_df=2, max_df=0.95,
                                        sublinear_tf=sublinear_tf).fit_transform(table["tokens"])
        ours = sparse.vstack(list(prepared.tfidf_blocks(sublinear_tf=sublinear_tf)))
        assert ours.shape == expected.shape
        assert abs(ours - expected).max() < 1e-12  # the study corpus is read in doc_id order


def test_chunks_of_a_gzipped_file_give_the_whole(tmp_path):
    source = tmp_path / "debian.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as file:
        for line in ["", *LINES]:
            file.write(line + "\n")
    whole = stream.prepare_stream(source, min_df=1, max_df=1.0, folder=tmp_path / "a")
    chunked = stream.prepare_stream(source, min_df=1, max_df=1.0, chunk_lines=2,
                                    folder=tmp_path / "b")
    assert chunked.n_blocks == 5 and whole.n_blocks == 1
    pd.testing.assert_frame_equal(chunked.passages(), whole.passages())
    assert (chunked.dtm() != whole.dtm()).nnz == 0
    assert chunked.report.sort_values("path").values.tolist() == whole.report.sort_values(
        "path").values.tolist()
    assert "debian.jsonl.gz#row 3" in set(chunked.report["path"])  # numbers count the blank line


def test_parquet_row_groups_read_like_jsonl(jsonl, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = [json.loads(line) for line in LINES if line.startswith("{\"")]
    path = tmp_path / "corpus.parquet"
    pq.write_table(pa.Table.from_pylist(records), path, row_group_size=2)
    assert len(stream.parts(path)[0]) == 3
    from_parquet = stream.prepare_stream(path, min_df=1, max_df=1.0, folder=tmp_path / "p")
    from_jsonl = stream.prepare_stream(jsonl, min_df=1, max_df=1.0, folder=tmp_path / "j")
    pd.testing.assert_frame_equal(from_parquet.passages(), from_jsonl.passages())


@pytest.mark.parametrize("source, message", [
    ("missing.jsonl", "not found"),
    ("", "no .jsonl"),
])
def test_bad_sources(tmp_path, source, message):
    error = FileNotFoundError if source else ValueError
    (tmp_path / "notes.csv").write_text("x\n")
    with pytest.raises(error, match=message):
        stream.parts(tmp_path / source)


def test_missing_text_column_is_named(jsonl):
    part = stream.parts(jsonl)[0][0]
    with pytest.raises(ValueError, match="no text column 'body'"):
        stream.id_column_of(part, None, "body")


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_topics_by_partial_fit_are_seeded(tmp_path, method):
    prepared = stream.prepare_stream(paths.RAW, folder=tmp_path)
    first = prepared.fit_topics(3, method=method, n_epochs=2, random_state=1)
    second = prepared.fit_topics(3, method=method, n_epochs=2, random_state=1)
    assert first.components_.shape == (3, len(prepared.vocab))
    np.testing.assert_array_equal(first.components_, second.components_)
    terms = stream.top_terms(first, prepared.vocab, n_terms=4)
    assert len(terms) == 3 and all(len(t) == 4 for t in terms)


@pytest.mark.parametrize("sizes, min_rows, expected", [
    ([1, 1, 3, 0, 2], 2, [2, 3, 2]),
    ([5], 2, [5]),
    ([1, 0, 1], 5, [2]),
    ([0, 0], 1, []),
])
def test_batches_are_stacked_to_a_minimum(sizes, min_rows, expected):
    blocks = [sparse.csr_matrix((n, 3)) for n in sizes]
    assert [b.shape[0] for b in stream.batches_of(blocks, min_rows)] == expected


def test_deduplicator_remembers_across_blocks():
    dedup = stream.Deduplicator()
    first = stream.Block(["a", "b"], np.array([1, 2]), np.array([5, 9], dtype=np.uint64),
                         np.array([1, 2], dtype=np.uint64), None, None, None)
    second = stream.Block(["c", "b", "d"], np.array([3, 4, 5]),
                          np.array([9, 7, 1], dtype=np.uint64),
                          np.array([3, 2, 4], dtype=np.uint64), None, None, None)
    assert dedup.keep(first)[0].tolist() == [True, True]
    keep, report = dedup.keep(second, "f")
    assert keep.tolist() == [False, False, True]
    assert [row[2] for row in report] == ["duplicate text c", "duplicate doc_id b"]
    assert dedup.texts.keys.tolist() == [1, 5, 9]


def test_chinese_corpus_as_in_memory(tmp_path):  # per-document language, Chinese tokens
    source = paths.ROOT.parent / "shared" / "corpus-zh" / "cpc_congress_reports.jsonl"
    if not source.exists():
        pytest.skip(f"Chinese corpus not found: {source}")
    options = {"text_column": "content", "id_column": "title"}
    prepared = stream.prepare_stream(source, keep_text=True, folder=tmp_path, **options)
    assert_same(prepared, *in_memory(source, **options))
