"""scikit-learn's ``LatentDirichletAllocation`` with its per-document loops vectorised.

The stock class updates each document's topic distribution in a Python loop (the E-step)
and scores the variational bound in another; on many short passages these loops are most
of the fitting time. :class:`LDA` runs the same fixed-point iteration for a block of
documents at once, each document stopping when its mean change falls below
``mean_change_tol`` as before, and sums the bound block by block. Everything else
(parameters, M-step, fitted attributes) is scikit-learn's. The two methods replaced are
private to scikit-learn (version pinned in pyproject.toml); tests compare the results with
the stock class. ``n_jobs`` is not used: one process does the vectorised work.
"""

import numpy as np
import scipy.sparse as sp
from scipy.special import gammaln, logsumexp, psi
from sklearn.decomposition import LatentDirichletAllocation
from sklearn.decomposition._online_lda_fast import _dirichlet_expectation_2d

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


def update_doc_topics(dtm: sp.csr_array, exp_topic_word: np.ndarray, doc_topic: np.ndarray,
                      *, prior: float, max_iter: int, tol: float) -> np.ndarray:
    """E-step for the documents of ``dtm`` (n_docs, n_terms), starting from ``doc_topic``
    (n_docs, K; updated in place): each document iterates until its mean absolute change is
    below ``tol`` or ``max_iter`` is reached, as in scikit-learn. Returns
    ``exp(E[log theta])`` (n_docs, K) of the final ``doc_topic``."""
    exp_doc_topic = np.exp(_dirichlet_expectation_2d(doc_topic))
    eps = np.finfo(dtm.dtype).eps
    lengths = np.diff(dtm.indptr)
    empty = lengths == 0  # no words: the update gives the prior at once
    doc_topic[empty] = prior
    exp_doc_topic[empty] = np.exp(_dirichlet_expectation_2d(doc_topic[empty]))
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


class LDA(LatentDirichletAllocation):
    """``LatentDirichletAllocation`` with a vectorised E-step and bound (same parameters)."""

    def _e_step(self, X, cal_sstats, random_init, parallel=None):
        dtm = sp.csr_array(X)
        n_docs = dtm.shape[0]
        if random_init:
            doc_topic = self.random_state_.gamma(100.0, 0.01, (n_docs, self.n_components))
            doc_topic = doc_topic.astype(dtm.dtype, copy=False)
        else:
            doc_topic = np.ones((n_docs, self.n_components), dtype=dtm.dtype)
        exp_topic_word = self.exp_dirichlet_component_
        suff_stats = (np.zeros(self.components_.shape, dtype=self.components_.dtype)
                      if cal_sstats else None)
        eps = np.finfo(dtm.dtype).eps
        for rows in row_blocks(dtm, self.n_components):
            block = dtm[rows]
            exp_doc_topic = update_doc_topics(
                block, exp_topic_word, doc_topic[rows], prior=self.doc_topic_prior_,
                max_iter=self.max_doc_update_iter, tol=self.mean_change_tol)
            if cal_sstats:
                norm_phi = pair_sums(block, exp_doc_topic, exp_topic_word) + eps
                weighted = sp.csr_array((block.data / norm_phi, block.indices, block.indptr),
                                        shape=block.shape)
                suff_stats += (weighted.T @ exp_doc_topic).T
        return doc_topic, (suff_stats * exp_topic_word if cal_sstats else None)

    def _approx_bound(self, X, doc_topic_distr, sub_sampling):
        dtm = sp.csr_array(X)
        log_doc_topic = _dirichlet_expectation_2d(doc_topic_distr)
        log_topic_word = _dirichlet_expectation_2d(self.components_)
        score = 0.0  # E[log p(docs | theta, beta)]
        for rows in row_blocks(dtm, self.n_components):
            block = dtm[rows]
            score += float(block.data @ pair_sums(block, log_doc_topic[rows], log_topic_word,
                                                  reduce=logsumexp))
        # E[log p(theta | alpha) - log q(theta | gamma)]
        score += _log_likelihood(self.doc_topic_prior_, doc_topic_distr, log_doc_topic,
                                 self.n_components)
        if sub_sampling:  # compensate for the subsampling of the documents
            score *= float(self.total_samples) / dtm.shape[0]
        # E[log p(beta | eta) - log q(beta | lambda)]
        return score + _log_likelihood(self.topic_word_prior_, self.components_, log_topic_word,
                                       self.components_.shape[1])


def _log_likelihood(prior, distr, log_expectation, size) -> float:
    """Dirichlet terms of the bound, as scikit-learn computes them."""
    score = np.sum((prior - distr) * log_expectation)
    score += np.sum(gammaln(distr) - gammaln(prior))
    return score + np.sum(gammaln(prior * size) - gammaln(np.sum(distr, 1)))
