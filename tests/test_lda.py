"""nqpf.lda.LDA gives scikit-learn's LatentDirichletAllocation(learning_method="batch") results."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.decomposition import LatentDirichletAllocation

from nqpf import lda
from nqpf.lda import LDA, row_blocks


def counts(n_docs=60, n_terms=80, *, empty=(3, 17), seed=0) -> sp.csr_matrix:
    """Sparse word counts with two topics' worth of structure and some empty documents."""
    rng = np.random.default_rng(seed)
    rates = np.where(rng.random((n_docs, 1)) < 0.5,
                     np.linspace(2, 0, n_terms), np.linspace(0, 2, n_terms))
    dtm = rng.poisson(rates * rng.random((n_docs, n_terms)))
    dtm[list(empty)] = 0
    return sp.csr_matrix(dtm)


def fitted(cls, dtm, **params):
    settings = {"n_components": 4, "max_iter": 30, "evaluate_every": 5, "perp_tol": 0.1,
                "random_state": 0} | params
    if cls is LatentDirichletAllocation:
        settings["learning_method"] = "batch"
    return cls(**settings).fit(dtm)


CASES = [
    {},
    {"n_components": 2, "random_state": 3},
    {"n_components": 9, "max_iter": 10},
    {"evaluate_every": -1, "max_iter": 12},
    {"mean_change_tol": 1e-6, "max_doc_update_iter": 7},
    {"doc_topic_prior": 0.5, "topic_word_prior": 0.2},
]


@pytest.mark.parametrize("params", CASES)
@pytest.mark.parametrize("dense", [False, True])
def test_same_model_as_scikit_learn(params, dense):
    dtm = counts()
    data = dtm.toarray() if dense else dtm
    stock, fast = fitted(LatentDirichletAllocation, data, **params), fitted(LDA, data, **params)
    # sums run in another order, so a document may stop one update earlier or later: far
    # below what the notebooks print (3 decimals), and the same top terms
    assert fast.n_iter_ == stock.n_iter_
    assert fast.bound_ == pytest.approx(stock.bound_, rel=1e-7)
    assert fast.n_features_in_ == stock.n_features_in_
    np.testing.assert_allclose(fast.components_, stock.components_, rtol=1e-5)
    np.testing.assert_array_equal(np.argsort(-fast.components_, axis=1)[:, :10],
                                  np.argsort(-stock.components_, axis=1)[:, :10])
    np.testing.assert_allclose(fast.transform(data), stock.transform(data), rtol=1e-5, atol=1e-9)
    assert fast.perplexity(data) == pytest.approx(stock.perplexity(data), rel=1e-7)
    assert fast.score(data) == pytest.approx(stock.score(data), rel=1e-7)


def test_blocks_do_not_change_the_result(monkeypatch):
    dtm = counts(n_docs=90)
    whole = fitted(LDA, dtm)
    monkeypatch.setattr(lda, "BLOCK_CELLS", 2000)  # ~10 documents per block
    assert len(list(row_blocks(sp.csr_array(dtm), 4))) > 5
    blocked = fitted(LDA, dtm)
    np.testing.assert_allclose(blocked.components_, whole.components_, rtol=1e-12)
    assert blocked.perplexity(dtm) == pytest.approx(whole.perplexity(dtm), rel=1e-12)


@pytest.mark.parametrize(
    ("row_lengths", "n_topics", "cells", "expected"),
    [
        ([5, 5, 5, 5], 2, 20, [(0, 2), (2, 4)]),
        ([5, 5, 5, 5], 1, 1000, [(0, 4)]),
        ([50, 1, 1], 2, 20, [(0, 1), (1, 3)]),  # a row larger than a block is a block
        ([0, 0, 3], 1, 1, [(0, 2), (2, 3)]),
        ([], 3, 10, []),
    ],
)
def test_row_blocks(monkeypatch, row_lengths, n_topics, cells, expected):
    monkeypatch.setattr(lda, "BLOCK_CELLS", cells)
    indptr = np.concatenate([[0], np.cumsum(row_lengths)]).astype(np.int32)
    dtm = sp.csr_array((np.ones(indptr[-1]), np.zeros(indptr[-1], dtype=np.int32), indptr),
                       shape=(len(row_lengths), 1))
    assert [(s.start, s.stop) for s in row_blocks(dtm, n_topics)] == expected


def test_float32_input_keeps_scikit_learn_dtypes():
    dtm = counts().astype(np.float32)
    stock, fast = fitted(LatentDirichletAllocation, dtm), fitted(LDA, dtm)
    assert fast.components_.dtype == stock.components_.dtype
    assert fast.transform(dtm).dtype == stock.transform(dtm).dtype
    # scikit-learn's digamma for float32 is its own series computed in float32, scipy's is
    # exact to float32 precision: the weights differ by up to ~0.3%
    np.testing.assert_allclose(fast.components_, stock.components_, rtol=1e-2)


def test_parameters_and_errors_follow_scikit_learn():
    assert LDA(3, random_state=1).get_params() == {
        name: value for name, value in LatentDirichletAllocation(3, random_state=1).get_params()
        .items() if name in LDA().get_params()}
    with pytest.raises(ValueError, match="Negative values"):
        LDA(2).fit(-counts().toarray())
    model = fitted(LDA, counts())
    with pytest.raises(ValueError, match="features"):
        model.transform(counts(n_terms=10))
