import pickle
import re

import numpy as np
import pandas as pd
import pytest
import sklearn
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from nqpf.tfidf import (
    HIT_COLUMNS,
    TokenCountVectorizer,
    TokenTfidfVectorizer,
    build_tfidf,
    choose_df,
    doc_similarity,
    identity_analyzer,
    nearest_passages,
    passage_labels,
    passage_similarity,
    search,
    similar_documents,
    similarity,
    top_k_similar,
    top_terms,
    vocab_sizes,
)
from nqpf.tokens import tokenize
from nqpf.topics import make_vectorizer

# Three documents, three passages each; every document has one planted term in all its
# passages (semiconductor / farmland / tourism) amid words shared across documents.
DOCS = {
    "a": [
        "Semiconductor chips drive innovation. Semiconductor foundries expand industrial capacity.",
        "Semiconductor design needs talent and innovation in industry.",
        "Semiconductor exports support the economy and attract talent.",
    ],
    "b": [
        "Farmland protection secures grain harvests and rural innovation.",
        "Farmland irrigation and grain reserves support the rural economy.",
        "Farmland reform lifts rural talent and output.",
    ],
    "c": [
        "Tourism revenue grows as coastal resorts attract visitors and innovation.",
        "Tourism brands and coastal festivals draw visitors to the economy.",
        "Tourism services train talent for hotels.",
    ],
}


def make_passages(docs: dict[str, list[str]]) -> pd.DataFrame:
    """A passages table as ``nqpf.segment.passages_table`` returns it (offsets into a raw
    text made of the passages separated by blank lines)."""
    rows = []
    for doc_id, texts in docs.items():
        start = 0
        for passage_id, text in enumerate(texts, start=1):
            rows.append((doc_id, passage_id, start, start + len(text), text,
                         len(text.split()), tokenize(text)))
            start += len(text) + 2
    return pd.DataFrame(rows, columns=["doc_id", "passage_id", "start", "end", "text",
                                       "n_words", "tokens"])


@pytest.fixture(scope="module")
def passages():
    return make_passages(DOCS)


@pytest.fixture(scope="module")
def fitted(passages):
    return build_tfidf(passages)


TOKEN_LISTS = [["b", "a", "b"], [], ["c", "a"], ["a"], ["d", "d", "d", "b"], ["e"]]


@pytest.mark.parametrize(("fast", "stock"), [(TokenCountVectorizer, CountVectorizer),
                                             (TokenTfidfVectorizer, TfidfVectorizer)])
@pytest.mark.parametrize("options", [{}, {"min_df": 2}, {"max_df": 0.5, "sublinear_tf": True},
                                     {"binary": True}, {"max_features": 2}])
@pytest.mark.parametrize("interface", ["sparray", "spmatrix"])
def test_token_vectorizers_equal_scikit_learns(fast, stock, options, interface):
    if stock is CountVectorizer:
        options = {k: v for k, v in options.items() if k != "sublinear_tf"}
    new = [["a", "zzz", "b"], [], ["zzz"]]  # transform: out-of-vocabulary tokens are ignored
    with sklearn.config_context(sparse_interface=interface):
        ours = fast(analyzer=identity_analyzer, **options)
        theirs = stock(analyzer=identity_analyzer, **options)
        pairs = [(ours.fit_transform(TOKEN_LISTS), theirs.fit_transform(TOKEN_LISTS)),
                 (ours.transform(new), theirs.transform(new))]
    assert ours.vocabulary_ == theirs.vocabulary_
    for mine, expected in pairs:
        assert type(mine) is type(expected) and mine.dtype == expected.dtype
        assert (mine != expected).nnz == 0
        # the same arrays, entries in the same order (sums over rows add up alike)
        for part in ("indptr", "indices", "data"):
            np.testing.assert_array_equal(getattr(mine, part), getattr(expected, part))
    if stock is TfidfVectorizer:
        np.testing.assert_array_equal(ours.idf_, theirs.idf_)


def test_token_vectorizer_equals_scikit_learns_on_passages(passages):
    ours = TokenTfidfVectorizer(analyzer=identity_analyzer).fit_transform(passages["tokens"])
    theirs = TfidfVectorizer(analyzer=identity_analyzer).fit_transform(passages["tokens"])
    np.testing.assert_array_equal(ours.toarray(), theirs.toarray())


def test_token_vectorizer_empty_vocabulary():
    with pytest.raises(ValueError, match="empty vocabulary"):
        TokenCountVectorizer(analyzer=identity_analyzer).fit([[], []])


def test_build_tfidf_shapes_and_vocab(passages, fitted):
    vectorizer, dtm = fitted
    vocab = vectorizer.get_feature_names_out()
    assert sparse.issparse(dtm)
    assert dtm.shape == (len(passages), len(vocab))
    assert {"semiconductor", "farmland", "tourism", "innovation"} <= set(vocab)
    assert "festival" not in vocab  # in one passage only: dropped by min_df=2
    np.testing.assert_allclose(sparse.linalg.norm(dtm, axis=1), 1.0)


def test_build_tfidf_analyzer_on_text_matches_tokens_column(passages, fitted):
    vectorizer, dtm = fitted
    vectorizer_text, dtm_text = build_tfidf(passages, analyzer=tokenize)
    assert list(vectorizer_text.get_feature_names_out()) == list(
        vectorizer.get_feature_names_out())
    np.testing.assert_allclose(dtm_text.toarray(), dtm.toarray())


def test_build_tfidf_vectorizer_pickles(passages, fitted):
    vectorizer, dtm = fitted
    restored = pickle.loads(pickle.dumps(vectorizer))
    np.testing.assert_allclose(restored.transform(passages["tokens"]).toarray(), dtm.toarray())


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"min_df": 10}, "min_df=10"),  # more passages than the corpus has
        ({"min_df": 5}, "min_df=1"),  # no term is in five passages: suggest a lower min_df
        ({"max_df": 0.01}, "max_df=0.01"),
        ({"min_df": 0.9, "max_df": 0.5}, "max_df=1.0"),
    ],
)
def test_build_tfidf_too_strict_raises(passages, options, message):
    with pytest.raises(ValueError, match=message):
        build_tfidf(passages, **options)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (pd.DataFrame({"doc_id": ["a"], "text": ["x"]}), "missing column"),
        (pd.DataFrame({"tokens": []}), "empty"),
        ("not a table", "DataFrame"),
    ],
)
def test_build_tfidf_bad_input(table, message):
    with pytest.raises(ValueError, match=message):
        build_tfidf(table)


@pytest.mark.parametrize(
    ("group", "expected"),
    [("a", "semiconductor"), ("b", "farmland"), ("c", "tourism")],
)
def test_top_terms_finds_planted_term(passages, fitted, group, expected):
    vectorizer, dtm = fitted
    table = top_terms(dtm, vectorizer.get_feature_names_out(), passages["doc_id"], n_terms=3)
    assert list(table.columns) == ["group", "rank", "term", "score"]
    assert list(table["group"].unique()) == ["a", "b", "c"]
    rows = table[table["group"] == group]
    assert rows["rank"].tolist() == [1, 2, 3]
    assert rows.iloc[0]["term"] == expected
    assert rows["score"].is_monotonic_decreasing


@pytest.mark.parametrize(
    ("groups", "expected_groups"),
    [
        (["x"] * 9, ["x"]),
        (["farm" if d == "b" else "other" for d in "aaabbbccc"], ["other", "farm"]),
    ],
)
def test_top_terms_group_labels(fitted, groups, expected_groups):
    vectorizer, dtm = fitted
    table = top_terms(dtm, vectorizer.get_feature_names_out(), groups, n_terms=2)
    assert list(table["group"].unique()) == expected_groups
    if "farm" in expected_groups:
        assert table[table["group"] == "farm"].iloc[0]["term"] == "farmland"


def test_top_terms_length_mismatch(fitted):
    vectorizer, dtm = fitted
    with pytest.raises(ValueError, match="groups"):
        top_terms(dtm, vectorizer.get_feature_names_out(), ["a", "b"])


@pytest.mark.parametrize(
    "matrix",
    [
        "fitted",
        sparse.csr_matrix(np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 0.0], [3.0, 1.0, 0.0]])),
        np.array([[0.2, 0.4], [0.4, 0.8], [1.0, 0.0]]),
    ],
)
def test_similarity_symmetric_unit_diagonal(fitted, matrix):
    dtm = fitted[1] if isinstance(matrix, str) else matrix
    scores = similarity(dtm)
    n = dtm.shape[0]
    assert scores.shape == (n, n)
    np.testing.assert_array_equal(scores, scores.T)
    np.testing.assert_array_equal(np.diag(scores), np.ones(n))
    assert scores.min() >= 0 and scores.max() <= 1


def test_similarity_empty_row_is_zero_off_diagonal():
    dtm = sparse.csr_matrix(np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]]))
    scores = similarity(dtm)
    assert scores[1].tolist() == [0.0, 1.0, 0.0]
    assert scores[0, 2] == pytest.approx(1 / np.sqrt(2))


@pytest.mark.parametrize(
    ("rows", "doc_ids", "expected"),
    [
        # doc x = [1, 0] + [0, 1] -> [1, 1]/sqrt2; doc y = [1, 0]
        ([[1, 0], [0, 1], [1, 0]], ["x", "x", "y"], [[1, 1 / np.sqrt(2)], [1 / np.sqrt(2), 1]]),
        ([[0, 1], [1, 0]], ["y", "x"], [[1, 0], [0, 1]]),
        ([[0, 0], [1, 0]], ["x", "y"], [[1, 0], [0, 1]]),  # empty document
    ],
)
def test_doc_similarity(rows, doc_ids, expected):
    table = doc_similarity(sparse.csr_matrix(np.array(rows, dtype=float)), doc_ids)
    labels = list(dict.fromkeys(doc_ids))
    assert list(table.index) == labels and list(table.columns) == labels
    np.testing.assert_allclose(table.to_numpy(), expected)
    np.testing.assert_array_equal(table.to_numpy(), table.to_numpy().T)


def test_doc_similarity_on_corpus(passages, fitted):
    table = doc_similarity(fitted[1], passages["doc_id"])
    assert list(table.index) == ["a", "b", "c"]
    np.testing.assert_array_equal(np.diag(table.to_numpy()), np.ones(3))
    np.testing.assert_array_equal(table.to_numpy(), table.to_numpy().T)


@pytest.mark.parametrize(
    ("index", "same_doc"),
    [(0, "a"), (3, "b"), (6, "c")],
)
def test_nearest_passages(passages, fitted, index, same_doc):
    hits = nearest_passages(fitted[1], passages, index, n=2)
    assert list(hits.columns) == HIT_COLUMNS
    assert index not in hits.index
    assert len(hits) == 2
    assert (hits["doc_id"] == same_doc).all()
    assert hits["score"].is_monotonic_decreasing and (hits["score"] > 0).all()
    assert (hits["preview"].str.len() <= 120).all()


def test_nearest_passages_bad_index(passages, fitted):
    with pytest.raises(ValueError, match="out of range"):
        nearest_passages(fitted[1], passages, 99)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("semiconductor talent and innovation", ("a", 2)),
        ("grain harvests and rural innovation", ("b", 1)),  # "harvest": one passage, no term
        ("Coastal visitors attract tourism", ("c", 1)),
        ("Semiconductor exports support the economy", ("a", 3)),
    ],
)
def test_search_planted_passage_first(passages, fitted, query, expected):
    vectorizer, dtm = fitted
    hits = search(dtm, passages, query, vectorizer=vectorizer, n=4)
    assert list(hits.columns) == HIT_COLUMNS
    assert tuple(hits.iloc[0][["doc_id", "passage_id"]]) == expected
    assert 0 < len(hits) <= 4
    assert (hits["score"] > 0).all() and hits["score"].is_monotonic_decreasing
    first = passages.iloc[hits.index[0]]
    assert (hits.iloc[0]["start"], hits.iloc[0]["end"]) == (first["start"], first["end"])


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_search_with_topic_vectorizer(passages, fitted, method):
    """A vectorizer from nqpf.topics shares tfidf's identity analyzer, so queries are
    tokenised with nqpf.tokenize, not split into characters."""
    vectorizer = make_vectorizer(method, min_df=2, max_df=0.9)
    assert vectorizer.analyzer is identity_analyzer
    dtm = vectorizer.fit_transform(passages["tokens"])
    hits = search(dtm, passages, "semiconductor talent and innovation", vectorizer=vectorizer)
    fitted_vectorizer, fitted_dtm = fitted
    expected = search(fitted_dtm, passages, "semiconductor talent and innovation",
                      vectorizer=fitted_vectorizer)
    assert tuple(hits.iloc[0][["doc_id", "passage_id"]]) == tuple(
        expected.iloc[0][["doc_id", "passage_id"]])


def test_identity_analyzer_returns_tokens_as_list():
    assert identity_analyzer(("a", "b_c")) == ["a", "b_c"]


def test_search_with_text_analyzer(passages):
    vectorizer, dtm = build_tfidf(passages, analyzer=tokenize)
    hits = search(dtm, passages, "farmland grain support", vectorizer=vectorizer)
    assert tuple(hits.iloc[0][["doc_id", "passage_id"]]) == ("b", 2)


@pytest.mark.parametrize(
    ("query", "unknown"),
    [
        ("zebra xylophone", "zebra"),
        ("the festivals", "festival"),  # known word, but dropped by min_df
        ("and the of", "[]"),  # nothing left after tokenising
    ],
)
def test_search_unknown_terms_raise(passages, fitted, query, unknown):
    vectorizer, dtm = fitted
    with pytest.raises(ValueError, match=rf"vocabulary.*{re.escape(unknown)}"):
        search(dtm, passages, query, vectorizer=vectorizer)



TOY = pd.DataFrame({"tokens": [["a", "b"], ["a", "c"], ["a", "b", "d"]]})  # 7 tokens


@pytest.mark.parametrize(
    ("min_df", "n_terms", "token_share"),
    [
        (1, 4, 7 / 7),
        (2, 2, 5 / 7),  # a, b
        (3, 1, 3 / 7),  # a
        (4, 0, 0.0),  # more than the three passages: no term, no error
    ],
)
def test_vocab_sizes(min_df, n_terms, token_share):
    table = vocab_sizes(TOY, [min_df], max_df=1.0)
    assert list(table.columns) == ["min_df", "n_terms", "token_share"]
    assert table.iloc[0].tolist() == pytest.approx([min_df, n_terms, token_share])


def test_vocab_sizes_keeps_order():
    assert vocab_sizes(TOY, [3, 1], max_df=1.0)["n_terms"].tolist() == [1, 4]


@pytest.mark.parametrize(
    ("doc_ids", "passage_ids", "names", "labels"),
    [
        (["x", "x", "y"], [1, 2, 1], None, ["x · 1", "x · 2", "y · 1"]),
        (["y", "x"], [3, 1], pd.Series({"y": "Why", "x": "Ex"}), ["Why · 3", "Ex · 1"]),
        (["y", "z"], [3, 1], pd.Series({"y": "Why"}), ["Why · 3", "z · 1"]),  # unnamed: the id
    ],
)
def test_passage_labels(doc_ids, passage_ids, names, labels):
    table = pd.DataFrame({"doc_id": doc_ids, "passage_id": passage_ids})
    assert passage_labels(table, names=names).tolist() == labels


def test_passage_similarity(passages, fitted):
    table = passage_similarity(fitted[1], passages)
    assert table.shape == (9, 9)
    assert list(table.index) == passage_labels(passages).tolist() == list(table.columns)
    assert table.index[3] == f"{passages['doc_id'].iloc[3]} · 1"
    np.testing.assert_array_equal(table.to_numpy(), similarity(fitted[1]))
    with pytest.raises(ValueError, match="rows"):
        passage_similarity(fitted[1][:3], passages)


@pytest.mark.parametrize("docs", [["c", "a"], ["b"], ["a", "b", "c"]])
def test_doc_similarity_subset_equals_full_matrix(passages, fitted, docs):
    full = doc_similarity(fitted[1], passages["doc_id"])
    subset = doc_similarity(fitted[1], passages["doc_id"], docs=docs)
    pd.testing.assert_frame_equal(subset, full.loc[docs, docs])


def test_doc_similarity_unknown_doc(passages, fitted):
    with pytest.raises(ValueError, match="not found"):
        doc_similarity(fitted[1], passages["doc_id"], docs=["zzz"])


@pytest.mark.parametrize("n", [1, 2, 5])
@pytest.mark.parametrize("block_cells", [1, 7, 2**22])
def test_top_k_similar_equals_dense_ranking(n, block_cells):
    rng = np.random.default_rng(0)
    vectors = sparse.csr_array(rng.random((9, 6)) * (rng.random((9, 6)) < 0.4))
    vectors = sparse.csr_array(vectors / np.maximum(
        np.sqrt(vectors.multiply(vectors).sum(axis=1)), 1e-12)[:, None])
    queries = np.array([0, 4, 8])
    rows, scores = top_k_similar(vectors, queries, n=n, block_cells=block_cells)
    dense = (vectors @ vectors.T).toarray()
    for i, query in enumerate(queries):
        expected = [j for j in np.lexsort((np.arange(9), -dense[query]))
                    if j != query and dense[query, j] > 0][:n]
        kept = rows[i][rows[i] >= 0].tolist()
        assert kept == expected
        np.testing.assert_allclose(scores[i][:len(kept)], dense[query, kept])


@pytest.mark.parametrize("max_queries, n_docs", [(None, 3), (2, 2), (10, 3)])
def test_similar_documents(passages, fitted, max_queries, n_docs):
    table = similar_documents(fitted[1], passages["doc_id"], n=2, max_queries=max_queries)
    full = doc_similarity(fitted[1], passages["doc_id"])
    assert list(table.columns) == ["doc_id", "rank", "similar_doc_id", "similarity"]
    assert table["doc_id"].nunique() == n_docs
    for row in table.itertuples():
        assert row.similar_doc_id != row.doc_id
        assert row.similarity == pytest.approx(full.loc[row.doc_id, row.similar_doc_id])
        others = full.loc[row.doc_id].drop(row.doc_id).sort_values(ascending=False)
        assert row.similarity == pytest.approx(others.iloc[row.rank - 1])


@pytest.mark.parametrize(
    ("token_lists", "options", "expected", "note"),
    [
        ([["a", "b"], ["a", "c"]] * 15, {}, (2, 0.9), ""),
        ([["a", "b"], ["c"]], {}, (1, 1.0), "Only 2 passage"),
        ([["a", "b"], ["c"]], {"min_df": 1, "max_df": 1.0}, (1, 1.0), ""),
        ([["a", "b"]] * 30, {}, (1, 1.0), "No term occurs"),
        ([["a", "b"]] * 30, {"max_df": 1.0}, (2, 1.0), ""),
    ],
)
def test_choose_df(token_lists, options, expected, note):
    min_df, max_df, message = choose_df(token_lists, **options)
    assert (min_df, max_df) == expected
    assert message.startswith(note) and bool(message) == bool(note)


def test_choose_df_without_tokens():
    with pytest.raises(ValueError, match="no tokens at all"):
        choose_df([[], []])
