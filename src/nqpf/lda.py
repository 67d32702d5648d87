"""Latent Dirichlet allocation by batch variational Bayes, with the per-document loops vectorised.

:class:`LDA` fits the model scikit-learn's ``LatentDirichletAllocation(learning_method="batch")``
fits, with the same parameters, random draws and fitted attributes (``components_``, ``n_iter_``,
``bound_``, ...), and gives the same ``transform``, ``perplexity`` and ``score`` (tests compare
the two). The stock class updates each document's topic distribution in a Python loop (the
E-step) and scores the variational bound in another; on many short passages these loops are most
of the fitting time. Here the same fixed-point iteration runs for a block of documents at once,
each document stopping when its mean change falls below ``mean_change_tol`` as before, and the
bound is summed block by block. Online learning (``partial_fit``) is not offered: nqpf fits in
batch.
"""

import numpy as np
import scipy.sparse as sp
from scipy.special import gammaln, logsumexp, psi
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, check_non_negative, validate_data

BLOCK_CELLS = 2_000_000  # E-step blocks: non-zero counts x topics at most this


def row_blocks(dtm: sp.csr_array, n_topics: int):
    """Row slices of ``dtm`` whose non-zeros times ``n_topics`` stay within BLOCK_CELLS."""
    limit = max(1, BLOCK_CELLS // max(1, n_topics))
    start, n_rows = 0, dtm.shape[0]
    while start < n_rows:
        stop = int(np.searchsorted(dtm.indptr, dtm.indptr[start] + limit, side="right")) - 1
        stop = min(n_rows, max(stop, start + 1))
        yield slice(start, stop)
        start = stop


def pair_sums(dtm: sp.csr_array, doc_values: np.ndarray, term_values: np.ndarray,
              reduce=np.sum) -> np.ndarray:
    """For each non-zero (d, w) of ``dtm``, over topics k: with ``reduce=np.sum`` the sum of
    ``doc_values[d, k] * term_values[k, w]``; with ``logsumexp`` (values in log space) the
    log-sum-exp of ``doc_values[d, k] + term_values[k, w]``. Shapes (n_docs, K), (K, n_terms)."""
    rows = np.repeat(np.arange(dtm.shape[0]), np.diff(dtm.indptr))
    pairs_doc, pairs_term = doc_values[rows], term_values.T[dtm.indices]
    if reduce is np.sum:
        return np.einsum("ij,ij->i", pairs_doc, pairs_term)
    return reduce(pairs_doc + pairs_term, axis=1)


def segments(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For consecutive runs of ``lengths`` items: each item's run number, each run's start."""
    return np.repeat(np.arange(len(lengths)), lengths), np.cumsum(lengths) - lengths


def dirichlet_expectation(values: np.ndarray) -> np.ndarray:
    """``E[log x]`` for each row of ``values`` (n_rows, K) as Dirichlet parameters."""
    return psi(values) - psi(values.sum(axis=1))[:, np.newaxis]


def update_doc_topics(dtm: sp.csr_array, exp_topic_word: np.ndarray, doc_topic: np.ndarray,
                      *, prior: float, max_iter: int, tol: float) -> np.ndarray:
    """E-step for the documents of ``dtm`` (n_docs, n_terms), starting from ``doc_topic``
    (n_docs, K; updated in place): each document iterates until its mean absolute change is
    below ``tol`` or ``max_iter`` is reached, as in scikit-learn. Returns
    ``exp(E[log theta])`` (n_docs, K) of the final ``doc_topic``."""
    exp_doc_topic = np.exp(dirichlet_expectation(doc_topic))
    eps = np.finfo(dtm.dtype).eps
    lengths = np.diff(dtm.indptr)
    empty = lengths == 0  # no words: the update gives the prior at once
    doc_topic[empty] = prior
    exp_doc_topic[empty] = np.exp(dirichlet_expectation(doc_topic[empty]))
    # documents still iterating (rows of dtm), their values transposed (K, n_rows: the long
    # axis last, so the products and sums below run over contiguous memory), and their
    # non-zeros in row order
    rows = np.flatnonzero(~empty)
    gamma, exp_gamma = doc_topic[rows].T.copy(), exp_doc_topic[rows].T.copy()
    counts, term_values = dtm.data, np.take(exp_topic_word, dtm.indices, axis=1)
    local, starts = segments(lengths[rows])
    for _ in range(max_iter if len(rows) else 0):
        weights = np.einsum("ij,ij->j", np.take(exp_gamma, local, axis=1), term_values)
        weights += eps
        np.divide(counts, weights, out=weights)
        new = np.add.reduceat(term_values * weights, starts, axis=1)
        new *= exp_gamma
        new += prior
        done = np.abs(new - gamma).sum(axis=0) / new.shape[0] < tol
        gamma, exp_gamma = new, np.exp(psi(new) - psi(new.sum(axis=0)))
        if done.any():
            finished = rows[done]
            doc_topic[finished], exp_doc_topic[finished] = gamma[:, done].T, exp_gamma[:, done].T
            keep = np.repeat(~done, lengths[rows])
            rows, gamma, exp_gamma = rows[~done], gamma[:, ~done], exp_gamma[:, ~done]
            if not len(rows):
                break
            counts, term_values = counts[keep], term_values[:, keep]
            local, starts = segments(lengths[rows])
    doc_topic[rows], exp_doc_topic[rows] = gamma.T, exp_gamma.T  # stopped at max_iter
    return exp_doc_topic


class LDA(TransformerMixin, BaseEstimator):
    """Batch variational Bayes LDA with the parameters and results of scikit-learn's
    ``LatentDirichletAllocation(learning_method="batch")``. ``fit``/``transform`` take a
    dtm (n_docs, n_terms) of counts, sparse or dense; ``transform`` returns topic shares
    (n_docs, n_components), rows summing to 1. Fitted: ``components_`` (n_components, n_terms),
    ``exp_dirichlet_component_``, ``doc_topic_prior_``, ``topic_word_prior_``, ``n_iter_``,
    ``bound_`` (perplexity on the training dtm), ``random_state_``, ``n_features_in_``."""

    def __init__(self, n_components=10, *, doc_topic_prior=None, topic_word_prior=None,
                 max_iter=10, evaluate_every=-1, perp_tol=1e-1, mean_change_tol=1e-3,
                 max_doc_update_iter=100, random_state=None):
        self.n_components = n_components
        self.doc_topic_prior = doc_topic_prior
        self.topic_word_prior = topic_word_prior
        self.max_iter = max_iter
        self.evaluate_every = evaluate_every
        self.perp_tol = perp_tol
        self.mean_change_tol = mean_change_tol
        self.max_doc_update_iter = max_doc_update_iter
        self.random_state = random_state

    def fit(self, X, y=None):
        """Fit on the counts ``X`` (n_docs, n_terms); ``max_iter`` passes over all documents,
        stopping early when the perplexity (checked every ``evaluate_every`` passes) changes
        by less than ``perp_tol``."""
        dtm = self._counts(X, reset=True)
        self.random_state_ = check_random_state(self.random_state)
        prior = 1.0 / self.n_components
        self.doc_topic_prior_ = prior if self.doc_topic_prior is None else self.doc_topic_prior
        self.topic_word_prior_ = prior if self.topic_word_prior is None else self.topic_word_prior
        self.components_ = self.random_state_.gamma(
            100.0, 0.01, (self.n_components, dtm.shape[1])).astype(dtm.dtype, copy=False)
        self.exp_dirichlet_component_ = np.exp(dirichlet_expectation(self.components_))
        self.n_iter_, last_bound = 0, None
        for i in range(self.max_iter):
            _, suff_stats = self._e_step(dtm, sufficient_stats=True, random_init=True)
            self.components_ = self.topic_word_prior_ + suff_stats
            self.exp_dirichlet_component_ = np.exp(dirichlet_expectation(self.components_))
            if self.evaluate_every > 0 and (i + 1) % self.evaluate_every == 0:
                bound = self._perplexity(dtm)
                if last_bound and abs(last_bound - bound) < self.perp_tol:
                    break
                last_bound = bound
            self.n_iter_ += 1
        self.bound_ = self._perplexity(dtm)
        return self

    def transform(self, X):
        """Topic shares of each document of ``X``: ndarray (n_docs, n_components)."""
        check_is_fitted(self)
        doc_topic, _ = self._e_step(self._counts(X, reset=False))
        return doc_topic / doc_topic.sum(axis=1)[:, np.newaxis]

    def perplexity(self, X) -> float:
        """``exp(-bound / number of words)`` of ``X`` (lower is better)."""
        check_is_fitted(self)
        return self._perplexity(self._counts(X, reset=False))

    def score(self, X, y=None) -> float:
        """Approximate log-likelihood of ``X`` (the variational bound)."""
        check_is_fitted(self)
        dtm = self._counts(X, reset=False)
        return self._bound(dtm, self._e_step(dtm)[0])

    def _counts(self, X, *, reset: bool) -> sp.csr_array:
        dtype = [np.float64, np.float32] if reset else self.components_.dtype
        X = validate_data(self, X, reset=reset, accept_sparse="csr", dtype=dtype)
        check_non_negative(X, type(self).__name__)
        return sp.csr_array(X)

    def _perplexity(self, dtm: sp.csr_array) -> float:
        return float(np.exp(-self._bound(dtm, self._e_step(dtm)[0]) / dtm.sum()))

    def _e_step(self, dtm: sp.csr_array, *, sufficient_stats=False, random_init=False):
        """Document-topic parameters (n_docs, K) and, if asked, the M-step's statistics."""
        n_docs = dtm.shape[0]
        if random_init:
            doc_topic = self.random_state_.gamma(100.0, 0.01, (n_docs, self.n_components))
            doc_topic = doc_topic.astype(dtm.dtype, copy=False)
        else:
            doc_topic = np.ones((n_docs, self.n_components), dtype=dtm.dtype)
        exp_topic_word = self.exp_dirichlet_component_
        suff_stats = (np.zeros(self.components_.shape, dtype=self.components_.dtype)
                      if sufficient_stats else None)
        eps = np.finfo(dtm.dtype).eps
        for rows in row_blocks(dtm, self.n_components):
            block = dtm[rows]
            exp_doc_topic = update_doc_topics(
                block, exp_topic_word, doc_topic[rows], prior=self.doc_topic_prior_,
                max_iter=self.max_doc_update_iter, tol=self.mean_change_tol)
            if sufficient_stats:
                norm_phi = pair_sums(block, exp_doc_topic, exp_topic_word) + eps
                weighted = sp.csr_array((block.data / norm_phi, block.indices, block.indptr),
                                        shape=block.shape)
                suff_stats += (weighted.T @ exp_doc_topic).T
        return doc_topic, (suff_stats * exp_topic_word if sufficient_stats else None)

    def _bound(self, dtm: sp.csr_array, doc_topic: np.ndarray) -> float:
        """The variational bound of ``dtm`` given its document-topic parameters."""
        log_doc_topic = dirichlet_expectation(doc_topic)
        log_topic_word = dirichlet_expectation(self.components_)
        score = 0.0  # E[log p(docs | theta, beta)]
        for rows in row_blocks(dtm, self.n_components):
            block = dtm[rows]
            score += float(block.data @ pair_sums(block, log_doc_topic[rows], log_topic_word,
                                                  reduce=logsumexp))
        # E[log p(theta | alpha) - log q(theta | gamma)]
        score += log_likelihood(self.doc_topic_prior_, doc_topic, log_doc_topic,
                                self.n_components)
        # E[log p(beta | eta) - log q(beta | lambda)]
        return score + log_likelihood(self.topic_word_prior_, self.components_, log_topic_word,
                                      self.components_.shape[1])


def log_likelihood(prior, distr, log_expectation, size) -> float:
    """Dirichlet terms of the bound, as scikit-learn computes them."""
    score = np.sum((prior - distr) * log_expectation)
    score += np.sum(gammaln(distr) - gammaln(prior))
    return score + np.sum(gammaln(prior * size) - gammaln(np.sum(distr, 1)))
