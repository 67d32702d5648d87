import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.decomposition import NMF, MiniBatchNMF
from threadpoolctl import threadpool_limits

from nqpf import topics
from nqpf.coherence import match_topics
from nqpf.topics import (
    METHODS,
    TopicModel,
    TopicModelWarning,
    check_corpus,
    compare_topics,
    load_labels,
    match_labels,
)

N_PLANTED = 3


def planted_corpus(n_passages=150, length=40, seed=0):
    """3 topics with disjoint 15-word vocabularies (Zipf-like word frequencies); each passage
    draws 36 tokens from one topic and 4 from 20 shared background words."""
    rng = np.random.default_rng(seed)
    vocabs = [[f"t{t}w{i}" for i in range(15)] for t in range(N_PLANTED)]
    background = [f"bg{i}" for i in range(20)]
    p = 1 / np.arange(1, 16) ** 0.7
    texts = []
    for i in range(n_passages):
        own = rng.choice(vocabs[i % N_PLANTED], size=length - 4, p=p / p.sum())
        tokens = rng.permutation(np.concatenate([own, rng.choice(background, size=4)]))
        texts.append(tokens.tolist())
    return vocabs, texts


VOCABS, TEXTS = planted_corpus()
TINY = [[f"w{(i + j) % 12}" for j in range(8)] for i in range(20)]


def passages_table(texts):
    """Passages in the shape of nqpf.segment.passages_table: 3 documents."""
    return pd.DataFrame({
        "doc_id": [f"doc{i % 3}" for i in range(len(texts))],
        "passage_id": [i // 3 + 1 for i in range(len(texts))],
        "start": [0] * len(texts),
        "end": [len(" ".join(tokens)) for tokens in texts],
        "text": [" ".join(tokens) for tokens in texts],
        "tokens": texts,
    })


@pytest.fixture(scope="module")
def models():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning on a good corpus
        return {method: TopicModel(N_PLANTED, method=method).fit(TEXTS) for method in METHODS}


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_recovers_planted_topics(models, method):
    model = models[method]
    pairs, _ = match_topics(VOCABS, model.top_terms_)
    assert all(set(model.top_terms_[j]) <= set(VOCABS[i]) for i, j in pairs)
    assert model.components_.sum(axis=1) == pytest.approx(np.ones(N_PLANTED))
    assert model.converged_
    assert (model.perplexity_ is None) == (method == "nmf")


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_deterministic_across_runs_and_threads(models, method):
    fits = []
    for threads in (1, 2):
        with threadpool_limits(threads):
            fits.append(TopicModel(N_PLANTED, method=method).fit(TEXTS))
    for fit in fits:
        assert fit.top_terms_ == models[method].top_terms_
        np.testing.assert_array_equal(
            np.round(fit.components_, 8), np.round(models[method].components_, 8)
        )
        np.testing.assert_array_equal(
            np.round(fit.doc_topic_, 8), np.round(models[method].doc_topic_, 8)
        )


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_transform_rows(models, method):
    weights = models[method].transform([TEXTS[0], ["unknown", "words"]])
    assert weights.shape == (2, N_PLANTED)
    assert weights[0].sum() == pytest.approx(1.0)
    assert weights[1].tolist() == [0.0] * N_PLANTED


def test_topic_table_and_labels(models):
    model = models["nmf"]
    table = model.topic_table(n_terms=4)
    assert table.columns.tolist() == ["topic", "rank", "term", "weight"]
    assert table["topic"].unique().tolist() == [1, 2, 3]
    assert table["rank"].unique().tolist() == [1, 2, 3, 4]
    labels = model.labels(n_terms=2)
    assert labels[0] == " · ".join(model.top_terms_[0][:2])
    assert model.labels(names={2: "talent"})[1] == "talent"


@pytest.mark.parametrize(
    ("csv", "error", "message"),
    [
        ("topic,label\n1,talent\n3,industry\n", None, {1: "talent", 3: "industry"}),
        ("topic,name\n1,talent\n", ValueError, "missing column"),
        ("topic,label\n1,talent\n1,industry\n", ValueError, "listed twice"),
        ("topic,label\none,talent\n", ValueError, "whole topic numbers"),
        ("topic,label\n1,\n", ValueError, "empty label"),
        # B4: parser errors become ValueErrors naming the file
        ('topic,label\n1,"talent\n', ValueError, r"labels.csv: cannot read topic label CSV"),
        ("", ValueError, r"labels.csv: cannot read topic label CSV"),
    ],
)
def test_load_labels(tmp_path, csv, error, message):
    path = tmp_path / "labels.csv"
    path.write_text(csv)
    if error is None:
        assert load_labels(path) == message
    else:
        with pytest.raises(error, match=message):
            load_labels(path)


def test_label_errors(models, tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_labels(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="unknown topics \\[7\\]"):
        models["nmf"].labels(names={7: "talent"})


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_representative_passages(models, method):
    model = models[method]
    table = model.representative_passages(passages_table(TEXTS), n=2)
    assert table.columns.tolist() == [
        "topic", "rank", "doc_id", "passage_id", "start", "end", "weight", "text"
    ]
    assert len(table) == 2 * N_PLANTED
    for row in table.itertuples():
        assert set(row.text.split()) & set(model.top_terms_[row.topic - 1])


def test_representative_passages_break_ties_by_length(models, monkeypatch):
    model = models["nmf"]
    weights = np.zeros((3, model.n_topics))
    weights[:, 0] = [1.0, 1.0, 0.6]  # two short passages all in topic 1
    monkeypatch.setattr(model, "transform", lambda tokens: weights)
    passages = passages_table([text.split() for text in ("a b", "a b c d e", "a b c d e f g h i")])
    table = model.representative_passages(passages, n=3)
    assert table.loc[table["topic"] == 1, "text"].tolist() == [
        "a b c d e", "a b", "a b c d e f g h i"]


def test_topic_flow(models):
    flow = models["nmf"].topic_flow(passages_table(TEXTS))
    assert flow.columns.tolist() == ["doc_id", "passage_id", "position", "topic", "weight"]
    assert len(flow) == len(TEXTS) * N_PLANTED
    assert flow["position"].between(0, 1, inclusive="neither").all()
    sums = flow.groupby(["doc_id", "passage_id"])["weight"].sum()
    assert sums.to_numpy() == pytest.approx(np.ones(len(TEXTS)))


def test_representative_passages_needs_columns(models):
    with pytest.raises(ValueError, match="missing column"):
        models["nmf"].representative_passages(pd.DataFrame({"tokens": TEXTS}))


def test_compare_topics_matches_nmf_and_lda(models):
    similarity = compare_topics(models["nmf"], models["lda"])
    assert similarity.shape == (N_PLANTED, N_PLANTED)
    assert similarity.index.tolist() == [1, 2, 3]
    values = similarity.to_numpy()
    best = values.max(axis=1)
    assert (best > 0.8).all()
    assert (np.sort(values, axis=1)[:, :-1] < 0.3).all()


@pytest.mark.parametrize(
    ("texts", "k", "expected"),
    [
        (TEXTS, 3, []),
        (TINY, 3, ["fewer than 100", "median passage has 8", "only 12 terms"]),
        (TEXTS, 50, ["approaches the number of passages", "only 65 terms"]),
        (TEXTS, 14, ["only 65 terms"]),
    ],
)
def test_check_corpus(texts, k, expected):
    messages = check_corpus(texts, k)
    assert len(messages) == len(expected)
    for message, fragment in zip(messages, expected, strict=True):
        assert fragment in message


def test_fit_warns_on_tiny_corpus():
    with pytest.warns(TopicModelWarning) as record:
        TopicModel(3).fit(TINY)
    assert [str(w.message).split(" ")[0:2] for w in record] == [
        ["only", "20"], ["median", "passage"], ["only", "12"]
    ]


@pytest.mark.parametrize(
    ("texts", "kwargs", "message"),
    [
        ([], {}, "empty"),
        (TEXTS, {"n_topics": 1}, "at least 2"),
        (TEXTS[:5], {"n_topics": 6}, "exceeds the number of passages"),
        (["a string"] * 5, {"n_topics": 2}, "not strings"),
        (pd.DataFrame({"tokens": TINY}), {"n_topics": 2}, r"DataFrame: pass passages\['tokens'\]"),
        (TEXTS, {"method": "lsa"}, "method must be one of"),
        ([["a"], ["b"]], {"n_topics": 2}, "no vocabulary"),
        (TEXTS, {"solver": "fast"}, "solver must be one of"),
        (TEXTS, {"method": "lda", "solver": "minibatch"}, "NMF only"),
    ],
)
def test_fit_errors(texts, kwargs, message):
    with pytest.raises(ValueError, match=message):
        TopicModel(**kwargs).fit(texts)


@pytest.mark.parametrize(
    ("solver", "threshold", "expected", "dtype", "max_iter"),
    [
        ("auto", topics.MINIBATCH_MIN_PASSAGES, NMF, np.float64, 1000),  # 150 passages: below
        ("auto", len(TEXTS), NMF, np.float32, 30),  # at the threshold: capped, in float32
        ("cd", len(TEXTS), NMF, np.float64, 1000),
        ("minibatch", topics.MINIBATCH_MIN_PASSAGES, MiniBatchNMF, np.float32, 15),
    ],
)
def test_nmf_solver(monkeypatch, solver, threshold, expected, dtype, max_iter):
    monkeypatch.setattr(topics, "MINIBATCH_MIN_PASSAGES", threshold)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = TopicModel(N_PLANTED, solver=solver).fit(TEXTS)
    assert type(model.model_) is expected
    assert model.model_.max_iter == max_iter
    assert (model.converged_ is None) == (expected is MiniBatchNMF)
    pairs, _ = match_topics(VOCABS, model.top_terms_)
    assert all(set(model.top_terms_[j]) <= set(VOCABS[i]) for i, j in pairs)
    assert model.model_.components_.dtype == dtype
    np.testing.assert_allclose(model.transform(TEXTS[:3]).sum(axis=1), 1.0)


def test_auto_solver_keeps_small_corpus_results(models):
    model = TopicModel(N_PLANTED, solver="cd").fit(TEXTS)
    np.testing.assert_array_equal(model.components_, models["nmf"].components_)
    np.testing.assert_array_equal(models["nmf"].topic_scale_, np.ones(N_PLANTED))


@pytest.mark.parametrize(("threshold", "scaled"),
                         [(topics.MINIBATCH_MIN_PASSAGES, False), (len(TEXTS), True)])
def test_large_corpus_weights_are_scale_free(monkeypatch, threshold, scaled):
    """From the threshold on, a passage's weight on a topic is the length of that topic's part
    of the passage's reconstruction, W[i, k] * ||H[k]||, so it does not depend on how NMF
    splits a topic's size between W and H; below it, the plain W (small corpora unchanged)."""
    monkeypatch.setattr(topics, "MINIBATCH_MIN_PASSAGES", threshold)
    model = TopicModel(N_PLANTED).fit(TEXTS)
    dtm = model.vectorizer_.transform(TEXTS).astype(model.model_.components_.dtype)
    w, h = model.model_.transform(dtm), model.model_.components_
    parts = np.linalg.norm(w[:, :, None] * h[None, :, :], axis=2)  # (n_passages, n_topics)
    expected = parts if scaled else w
    np.testing.assert_allclose(model.transform(TEXTS),
                               expected / expected.sum(axis=1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(model.doc_topic_, model.transform(TEXTS), atol=1e-4)
    assert np.ptp(model.topic_scale_) > 0 if scaled else np.all(model.topic_scale_ == 1)


@pytest.mark.parametrize(
    ("names", "n_topics", "expected", "message"),
    [
        ({1: "a", 2: "b", 3: "c"}, 3, {1: "a", 2: "b", 3: "c"}, "researcher's labels"),
        ({1: "a", 2: "b"}, 3, {}, "lists topics [1, 2] but the model has topics 1..3"),
        ({1: "a", 2: "b", 3: "c"}, 2, {}, "model has topics 1..2"),
        ({}, 3, {}, "no researcher labels"),
    ],
)
def test_match_labels(names, n_topics, expected, message):
    used, note = match_labels(names, n_topics)
    assert used == expected
    assert message in note


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_passage_topics(models, method):
    passages = passages_table(TEXTS[:6] + [["unknown", "words"]])
    table = models[method].passage_topics(passages)
    assert table.columns.tolist() == [
        "doc_id", "passage_id", "start", "end", "topic_1", "topic_2", "topic_3",
        "dominant_topic",
    ]
    weights = table[["topic_1", "topic_2", "topic_3"]].to_numpy()
    assert weights[:6].sum(axis=1) == pytest.approx(np.ones(6))
    assert table["dominant_topic"].iloc[:6].tolist() == (weights[:6].argmax(axis=1) + 1).tolist()
    assert table["dominant_topic"].isna().tolist() == [False] * 6 + [True]
    # passages i and i + 3 were drawn from the same planted topic
    assert table["dominant_topic"].iloc[:3].tolist() == table["dominant_topic"].iloc[3:6].tolist()


@pytest.mark.parametrize(
    ("texts", "doc_ids", "expected_index"),
    [
        (TEXTS[:6], ["b", "a", "b", "a", "b", "a"], ["b", "a"]),  # order of first appearance
        (TEXTS[:3] + [["unknown"]], ["a", "a", "a", "z"], ["a", "z"]),
    ],
)
def test_document_topics(models, texts, doc_ids, expected_index):
    passages = pd.DataFrame({"doc_id": doc_ids, "tokens": texts})
    table = models["nmf"].document_topics(passages)
    assert table.index.tolist() == expected_index
    assert table.columns.tolist() == [1, 2, 3]
    sums = table.sum(axis=1).to_numpy()
    expected_sums = [0.0 if doc == "z" else 1.0 for doc in expected_index]
    assert sums == pytest.approx(expected_sums)


def test_document_topics_weights_by_tokens(models):
    model = models["nmf"]
    long, short = TEXTS[0], TEXTS[1][:4]
    passages = pd.DataFrame({"doc_id": ["d", "d"], "tokens": [long, short]})
    weights = model.transform([long, short])
    expected = (len(long) * weights[0] + len(short) * weights[1]) / (len(long) + len(short))
    assert model.document_topics(passages).loc["d"].to_numpy() == pytest.approx(expected)


@pytest.mark.parametrize(("threshold", "learning_method"),
                         [(topics.MINIBATCH_MIN_PASSAGES, "batch"), (len(TEXTS), "online")])
def test_lda_online_from_threshold(monkeypatch, threshold, learning_method):
    monkeypatch.setattr(topics, "MINIBATCH_MIN_PASSAGES", threshold)
    model = TopicModel(N_PLANTED, method="lda").fit(TEXTS)
    assert getattr(model.model_, "learning_method", "batch") == learning_method
    assert (model.converged_ is None) == (learning_method == "online")
    pairs, _ = match_topics(VOCABS, model.top_terms_)
    assert all(set(model.top_terms_[j]) <= set(VOCABS[i]) for i, j in pairs)


@pytest.mark.parametrize(("token_lists", "options", "expected"),
                         [([["a", "b"], ["a", "c"], ["b"]], {}, 2),
                          ([["a", "b"], ["a", "c"]], {"min_df": 1, "max_df": 1.0}, 3),
                          ([["a"], ["a"]], {}, 0)])
def test_vocabulary_size(token_lists, options, expected):
    assert topics.vocabulary_size(token_lists, **options) == expected


def test_labels_unique_when_names_repeat(models):
    model = models["nmf"]
    names = {1: "same", 2: "same"}
    labels = model.labels(names=names)
    assert labels[:2] == ["same (1)", "same (2)"]
    assert len(set(labels)) == len(labels)


@pytest.mark.parametrize(
    ("matrix", "pairs"),
    [
        ([[0.1, 0.9, 0.2], [0.8, 0.7, 0.1], [0.2, 0.3, 0.6]], [(1, 2), (2, 1), (3, 3)]),
        # both rows like column 1 best: one-to-one gives row 1 the next best column
        ([[0.6, 0.5], [0.9, 0.1]], [(1, 2), (2, 1)]),
    ],
)
def test_pair_topics_pairs_one_to_one_by_similarity(matrix, pairs):
    n_rows, n_cols = len(matrix), len(matrix[0])
    similarity = pd.DataFrame(matrix, index=range(1, n_rows + 1), columns=range(1, n_cols + 1))
    paired = topics.pair_topics(similarity)
    assert list(zip(paired["topic_a"], paired["topic_b"], strict=True)) == pairs
    assert list(paired["similarity"]) == [matrix[a - 1][b - 1] for a, b in pairs]


def test_topic_names_use_researcher_labels_only_when_complete(models, tmp_path):
    model = models["nmf"]
    complete = tmp_path / "labels.csv"
    complete.write_text("topic,label\n" + "".join(f"{k},Theme {k}\n"
                                                  for k in range(1, N_PLANTED + 1)))
    names, note = topics.topic_names(model, labels_file=complete, corpus="elsewhere")
    assert names == [f"Theme {k}" for k in range(1, N_PLANTED + 1)] and "researcher" in note
    partial = tmp_path / "partial.csv"
    partial.write_text("topic,label\n1,Only one\n")
    names, note = topics.topic_names(model, labels_file=partial, corpus="elsewhere")
    assert names == model.labels(n_terms=3) and "automatic" in note
    names, note = topics.topic_names(model, corpus="elsewhere")  # no file for another corpus
    assert names == model.labels(n_terms=3) and "no researcher labels" in note


@pytest.mark.parametrize(
    ("weights", "main_doc", "main_share", "docs_for_half"),
    [([5, 3, 2], "a", 0.5, 1),  # exactly half from one document
     ([2, 2, 2, 2], "a", 0.25, 2),
     ([1, 4, 0, 0], "b", 0.8, 1),
     ([3, 3, 2, 1, 1], "a", 0.3, 2)],
)
def test_concentration(weights, main_doc, main_share, docs_for_half):
    weight_by_doc = pd.DataFrame({"topic_1": weights, "topic_2": weights[::-1]},
                                 index=list("abcde")[:len(weights)])
    table = topics.concentration(weight_by_doc)
    assert table.loc["topic_1"].tolist() == [main_doc, pytest.approx(main_share), docs_for_half]
    assert table.loc["topic_2", "docs_for_half"] == docs_for_half


@pytest.mark.parametrize(("n_passages", "epochs"),
                         [(1, 5), (20_000, 5), (80_000, 5), (80_001, 5), (100_000, 4),
                          (200_000, 2), (399_999, 2), (400_000, 1), (841_709, 1)])
def test_online_epochs_visit_about_a_fixed_number_of_passages(n_passages, epochs):
    assert topics.online_epochs(n_passages) == epochs


def test_online_lda_runs_the_epochs_for_its_size(monkeypatch):
    monkeypatch.setattr(topics, "MINIBATCH_MIN_PASSAGES", len(TEXTS))
    monkeypatch.setattr(topics, "ONLINE_PASSAGES", len(TEXTS) * 2)
    model = TopicModel(N_PLANTED, method="lda").fit(TEXTS)
    assert model.model_.max_iter == 2
