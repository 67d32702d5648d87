"""Guided topics: a researcher's themes, given as seed words, steer a topic model; and a
transparent dictionary coding by the same words.

Seed words come from an editable CSV (``data/seed_words.csv``): one row per theme and seed,
columns ``theme, seed``; a seed is a word or a lexicon phrase, English or Chinese, tokenised
like the passages (lemmas, lexicon phrases, Chinese segmentation), so "talents", "人才" and
"key core technologies" match the tokens the model sees (:func:`seed_report` lists seeds
that do not become one token).

:class:`GuidedNMF` fits NMF on the passages' TF-IDF with one topic per theme plus ``n_free``
free topics. The theme topics start from their seed words (a custom initialisation; free topics
start from what the seeds leave unexplained); with ``seed_weight > 0`` each theme also adds a
pseudo-passage made of its seed words, carrying ``seed_weight`` of the data, so the seeds keep
pulling their topic during the fit (anchoring). Measured on generated corpora whose passages
mix a planted theme with a stronger cross-cutting style (``tests/test_guided.py``): free NMF
finds the styles; seeded initialisation with enough free topics to take the styles recovers
the themes exactly; anchoring then only narrows the theme topics to their seed words (NMI
1.0 -> 0.7 at ``seed_weight=0.2``), and helps only when there are too few free topics (still
poor). Hence the defaults: ``seed_weight=0``, ``n_free=3``; give the model free topics.

:func:`dictionary_scores` counts each theme's seed tokens in every passage, as quanteda's
``dictionary`` lookup does; :func:`dictionary_labels` gives each passage its top theme.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.linalg import LinearOperator, svds
from sklearn.base import BaseEstimator
from sklearn.decomposition import NMF, non_negative_factorization
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from nqpf.checks import read_csv_table, require_columns, require_token_lists
from nqpf.tokens import tokenize
from nqpf.topics import make_vectorizer, normalize_rows, vectorize

SEED_WEIGHT = 0.0  # share of the data the seed pseudo-passages carry (0: initialisation only)
N_FREE = 3
MAX_ITER = 1000
FREE = "free"  # name prefix of free topics: free 1, free 2, ...
NO_THEME = "none"  # dictionary label of a passage without any (or with tied) theme words


def read_seed_words(path) -> pd.DataFrame:
    """The seed file at ``path``: DataFrame(theme, seed), stripped, in file order. Raises
    ValueError naming the file and line for a missing column, an empty cell or a repeated
    (theme, seed) pair."""
    path = Path(path)
    table = read_csv_table(path, "seed words", dtype=str, keep_default_na=False)
    table.columns = [str(column).strip() for column in table.columns]
    require_columns(table, ["theme", "seed"], path.name)
    table = table[["theme", "seed"]].apply(lambda column: column.str.strip())
    if table.empty:
        raise ValueError(f"{path.name}: no seed words")
    empty = table.index[(table["theme"] == "") | (table["seed"] == "")]
    if len(empty):
        raise ValueError(f"{path.name}: empty theme or seed on line(s) {(empty + 2).tolist()}")
    repeated = table.index[table.duplicated()]
    if len(repeated):
        raise ValueError(f"{path.name}: repeated theme and seed on line(s) "
                         f"{(repeated + 2).tolist()}")
    return table.reset_index(drop=True)


def seed_report(seeds: pd.DataFrame) -> pd.DataFrame:
    """Each seed of a :func:`read_seed_words` table tokenised like the passages:
    DataFrame(theme, seed, token, note); ``token`` is <NA> and ``note`` says why when the seed
    is not used: a stopword gives no token, and a phrase that is not one lexicon term gives
    several (its words, e.g. "national" and "park", would match far more than the phrase: add
    the phrase to the lexicon or give single words)."""
    require_columns(seeds, ["theme", "seed"], "seeds")
    rows = []
    for theme, seed in zip(seeds["theme"], seeds["seed"], strict=True):
        tokens = tokenize(seed)
        note = ("" if len(tokens) == 1 else "no token (a stopword?)" if not tokens else
                f"several tokens {tokens}: not a lexicon phrase")
        rows.append((theme, seed, tokens[0] if len(tokens) == 1 else pd.NA, note))
    return pd.DataFrame(rows, columns=["theme", "seed", "token", "note"]).astype(
        {"token": "string"})


def seed_terms(seeds: pd.DataFrame) -> dict[str, list[str]]:
    """Theme -> its seed tokens (the used seeds of :func:`seed_report`), themes in file order,
    tokens unique; a theme without usable seeds maps to an empty list."""
    report = seed_report(seeds)
    terms: dict[str, list[str]] = {}
    for theme, token in zip(report["theme"], report["token"], strict=True):
        found = terms.setdefault(theme, [])
        if not pd.isna(token) and token not in found:
            found.append(token)
    return terms


def dictionary_scores(token_lists, themes: dict[str, list[str]]) -> pd.DataFrame:
    """Occurrences of each theme's seed tokens in each passage: DataFrame (n_passages,
    n_themes) of counts, columns in the order of ``themes`` (from :func:`seed_terms`)."""
    token_lists = require_token_lists(token_lists, "token_lists")
    theme_of = {}
    for theme, tokens in themes.items():
        for token in tokens:
            theme_of.setdefault(token, []).append(theme)
    counts = np.zeros((len(token_lists), len(themes)), dtype=int)
    column = {theme: j for j, theme in enumerate(themes)}
    for i, tokens in enumerate(token_lists):
        for token in tokens:
            for theme in theme_of.get(token, ()):
                counts[i, column[theme]] += 1
    return pd.DataFrame(counts, columns=pd.Index(list(themes), name="theme"))


def dictionary_labels(scores: pd.DataFrame) -> pd.Series:
    """Each passage's theme with the most seed-word occurrences in :func:`dictionary_scores`
    ``scores``; ``NO_THEME`` where no theme word occurs or the top themes tie."""
    values = scores.to_numpy()
    top = values.max(axis=1, initial=0)
    unique = (values == top[:, None]).sum(axis=1) == 1
    labels = np.where((top > 0) & unique, scores.columns.to_numpy()[values.argmax(axis=1)],
                      NO_THEME)
    return pd.Series(labels, index=scores.index, name="theme")


class GuidedNMF(BaseEstimator):
    """NMF on passage TF-IDF with one topic per seeded theme and ``n_free`` free topics.

    ``themes``: {theme: seed tokens} (:func:`seed_terms`). Theme topics start as their seed
    tokens (equal weights); free topics start from a truncated SVD of what the themes leave
    unexplained; passage weights start by non-negative least squares. ``seed_weight``: share of
    the data (squared Frobenius norm of the TF-IDF rows) carried by one pseudo-passage per
    theme made of its seed tokens; 0 = seeded initialisation only. Topics are ordered themes
    first, then free topics.

    Fitted attributes: ``vectorizer_``, ``model_``, ``vocab_`` (n_terms,), ``topic_names_``
    (theme names, then "free 1" ...), ``seeds_found_``/``seeds_missing_`` ({theme: tokens in /
    not in the vocabulary}), ``components_`` (n_topics, n_terms; rows sum to 1),
    ``top_terms_``, ``doc_topic_`` (n_passages, n_topics; rows sum to 1 or are 0),
    ``n_iter_``.
    """

    def __init__(self, themes=None, n_free=N_FREE, *, seed_weight=SEED_WEIGHT, random_state=0,
                 max_iter=MAX_ITER, n_terms=10, min_df=2, max_df=0.95):
        self.themes = themes
        self.n_free = n_free
        self.seed_weight = seed_weight
        self.random_state = random_state
        self.max_iter = max_iter
        self.n_terms = n_terms
        self.min_df = min_df
        self.max_df = max_df

    def fit(self, token_lists, y=None):
        """Fit on ``token_lists`` (one token list per passage). Raises ValueError if no
        theme has a seed token in the vocabulary."""
        if not self.themes:
            raise ValueError("themes is empty: give {theme: seed tokens}, e.g. from "
                             "guided.seed_terms(guided.read_seed_words(path))")
        if self.n_free < 0 or not 0 <= self.seed_weight < 1:
            raise ValueError(f"need n_free >= 0 and 0 <= seed_weight < 1, got {self.n_free} "
                             f"and {self.seed_weight}")
        token_lists = require_token_lists(token_lists, "token_lists")
        vectorizer = make_vectorizer("nmf", min_df=self.min_df, max_df=self.max_df)
        dtm = vectorize(vectorizer, token_lists)
        vocab = vectorizer.get_feature_names_out()
        index = {term: j for j, term in enumerate(vocab)}
        self.seeds_found_ = {theme: [t for t in tokens if t in index]
                             for theme, tokens in self.themes.items()}
        self.seeds_missing_ = {theme: [t for t in tokens if t not in index]
                               for theme, tokens in self.themes.items()}
        empty = [theme for theme, found in self.seeds_found_.items() if not found]
        if empty:
            raise ValueError(f"no seed word of theme(s) {empty} is in the vocabulary "
                             f"(min_df={self.min_df}): choose words that occur in the passages")
        seeds = np.zeros((len(self.themes), len(vocab)))
        for i, found in enumerate(self.seeds_found_.values()):
            seeds[i, [index[t] for t in found]] = 1 / np.sqrt(len(found))  # unit rows
        n_topics = len(self.themes) + self.n_free
        if n_topics > min(dtm.shape):
            raise ValueError(f"{n_topics} topics for a {dtm.shape[0]} x {dtm.shape[1]} dtm: "
                             "use fewer free topics")
        data = dtm
        if self.seed_weight > 0:  # each pseudo-passage gets an equal share of seed_weight
            norm2 = dtm.multiply(dtm).sum()
            scale = np.sqrt(self.seed_weight / (1 - self.seed_weight) * norm2 / len(seeds))
            data = sparse.vstack([dtm, sparse.csr_matrix(seeds * scale)]).tocsr()
        w_start, h_start = self._start(data, seeds)
        model = NMF(n_topics, init="custom", max_iter=self.max_iter, tol=1e-4,
                    random_state=self.random_state)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            weights = model.fit_transform(data, W=w_start, H=h_start)[: dtm.shape[0]]
        self.vectorizer_, self.model_, self.vocab_ = vectorizer, model, vocab
        self.n_iter_ = model.n_iter_
        self.topic_names_ = [*self.themes, *(f"{FREE} {i + 1}" for i in range(self.n_free))]
        self.components_ = normalize_rows(model.components_)
        order = np.argsort(-self.components_, axis=1, kind="stable")[:, : self.n_terms]
        self.top_terms_ = [vocab[row].tolist() for row in order]
        self.doc_topic_ = self._doc_topic(weights, dtm)
        return self

    def _start(self, data, seeds) -> tuple[np.ndarray, np.ndarray]:
        """(W, H) to start from: seed rows; free rows from the leading singular vectors of the
        data with the seed directions projected out (sparse, never a dense copy of the data);
        W by non-negative least squares."""
        scale = np.sqrt(data.multiply(data).sum() / data.shape[0])  # mean row norm
        h_start = seeds * scale
        if self.n_free:
            basis, _ = np.linalg.qr(seeds.T)  # (n_terms, n_themes), orthonormal
            projected = data @ basis
            residual = LinearOperator(
                data.shape, dtype=float,
                matvec=lambda x: data @ x - projected @ (basis.T @ x),
                rmatvec=lambda y: data.T @ y - basis @ (projected.T @ y))
            start = np.random.default_rng(self.random_state).random(min(data.shape))
            _, _, vectors = svds(residual, k=self.n_free, v0=start)
            h_start = np.vstack([h_start, np.abs(vectors[::-1]) * scale])
        h_start = np.maximum(h_start, 1e-6 * scale)  # no exact zeros in the start
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            w_start, _, _ = non_negative_factorization(
                data, H=h_start, n_components=len(h_start), update_H=False,
                max_iter=200)
        return w_start, h_start

    @staticmethod
    def _doc_topic(weights, dtm) -> np.ndarray:
        weights = normalize_rows(np.asarray(weights, dtype=float))
        weights[dtm.getnnz(axis=1) == 0] = 0.0
        return weights

    def transform(self, token_lists) -> np.ndarray:
        """Topic weights of new passages: ndarray (n_passages, n_topics), rows sum to 1 or 0."""
        check_is_fitted(self, "model_")
        dtm = self.vectorizer_.transform(require_token_lists(token_lists, "token_lists"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return self._doc_topic(self.model_.transform(dtm), dtm)

    def passage_topics(self, passages: pd.DataFrame) -> pd.DataFrame:
        """DataFrame(doc_id, passage_id, one column per topic name, dominant_topic), as
        ``TopicModel.passage_topics`` but with topic names; ``dominant_topic`` is the topic
        name with the highest weight, <NA> for passages without vocabulary."""
        require_columns(passages, ("doc_id", "passage_id", "tokens"), "passages")
        weights = self.transform(passages["tokens"])
        table = passages[["doc_id", "passage_id"]].reset_index(drop=True)
        table[self.topic_names_] = weights
        names = np.asarray(self.topic_names_, dtype=object)[weights.argmax(axis=1)]
        table["dominant_topic"] = pd.array(names, dtype="string")
        table.loc[weights.sum(axis=1) == 0, "dominant_topic"] = pd.NA
        return table

    def theme_table(self) -> pd.DataFrame:
        """Per topic: ``topic`` (name), ``seeds`` (seed tokens in the vocabulary), ``missing``
        (seed tokens not in it), ``top_terms`` (joined by ", ")."""
        check_is_fitted(self, "model_")
        return pd.DataFrame({
            "topic": self.topic_names_,
            "seeds": [", ".join(self.seeds_found_.get(name, [])) for name in self.topic_names_],
            "missing": [", ".join(self.seeds_missing_.get(name, []))
                        for name in self.topic_names_],
            "top_terms": [", ".join(terms) for terms in self.top_terms_],
        })
