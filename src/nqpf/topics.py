"""Topic models on passage tokens (NMF on TF-IDF, LDA on counts) and warnings for small
corpora. Choosing the number of topics K is in :mod:`nqpf.selection`.

Input everywhere is ``token_lists``: a list of token lists, one per passage (the passages'
``tokens`` column). Topic numbers are 1-based in every table a user sees.
"""

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import jensenshannon
from sklearn.base import BaseEstimator
from sklearn.decomposition import NMF, LatentDirichletAllocation, MiniBatchNMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from nqpf import paths
from nqpf.checks import read_csv_table, require_columns, require_token_lists
from nqpf.lda import LDA
from nqpf.tfidf import TokenCountVectorizer, TokenTfidfVectorizer, identity_analyzer

METHODS = ("nmf", "lda")
MAX_ITER = {"nmf": 1000, "lda": 200, "minibatch": 15, "online": 5, "large": 30}
SOLVERS = ("auto", "cd", "minibatch")
MINIBATCH_MIN_PASSAGES = 20_000  # from here on: NMF capped at 30 iterations, LDA online
MINIBATCH_SIZE = 16_384
ONLINE_PASSAGES = 400_000  # online LDA: epochs (at most 5) that visit about this many passages
MIN_PASSAGES = 100
MIN_MEDIAN_TOKENS = 30
TERMS_PER_TOPIC = 5
PASSAGE_COLUMNS = ("doc_id", "passage_id", "start", "end", "text", "tokens")


class TopicModelWarning(UserWarning):
    """The corpus is too small or K too large for trustworthy topics."""


def online_epochs(n_passages: int) -> int:
    """Epochs of online LDA for ``n_passages``: enough to visit about ``ONLINE_PASSAGES``
    passages, at least 1 and at most ``MAX_ITER["online"]`` (five epochs over the 841,709 PyPI
    summaries took 519 s in notebook 05)."""
    return min(MAX_ITER["online"], max(1, math.ceil(ONLINE_PASSAGES / max(1, n_passages))))


def make_vectorizer(method: str, *, min_df=2, max_df=0.95):
    """TF-IDF vectorizer for NMF, count vectorizer for LDA, both on ready-made tokens."""
    check_method(method)
    vectorizer = TokenTfidfVectorizer if method == "nmf" else TokenCountVectorizer
    return vectorizer(analyzer=identity_analyzer, min_df=min_df, max_df=max_df)


def check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def check_solver(solver: str, method: str) -> None:
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}")
    if method == "lda" and solver != "auto":
        raise ValueError(f"solver={solver!r} applies to NMF only; use solver='auto' for LDA")


def check_k(k: int, n_passages: int) -> None:
    if k < 2:
        raise ValueError(f"number of topics must be at least 2, got {k}")
    if k > n_passages:
        raise ValueError(f"number of topics ({k}) exceeds the number of passages ({n_passages})")


def vectorize(vectorizer, token_lists):
    """Fit ``vectorizer`` and return dtm: sparse (n_passages, n_terms); clear error if empty."""
    try:
        return vectorizer.fit_transform(token_lists)
    except ValueError as error:
        raise ValueError(
            f"no vocabulary for topic modelling ({error}); add passages or lower min_df"
        ) from error


def corpus_warnings(token_lists, k: int, n_vocab: int, *, min_df=2) -> list[str]:
    """Warnings about corpus size for ``k`` topics given ``n_vocab`` terms kept after min_df."""
    n_passages = len(token_lists)
    median_tokens = float(np.median([len(tokens) for tokens in token_lists]))
    messages = []
    if k >= n_passages / 3:
        messages.append(
            f"K={k} topics for {n_passages} passages: K approaches the number of passages, so "
            f"topics describe single passages; use fewer than {math.ceil(n_passages / 3)} topics."
        )
    if n_passages < MIN_PASSAGES:
        messages.append(
            f"only {n_passages} passages (fewer than {MIN_PASSAGES}): topics are unstable on "
            "so few passages; add documents and treat the topics as exploratory."
        )
    if median_tokens < MIN_MEDIAN_TOKENS:
        messages.append(
            f"median passage has {median_tokens:g} tokens (fewer than {MIN_MEDIAN_TOKENS}): "
            "word co-occurrence is too sparse; merge short passages into longer ones."
        )
    if n_vocab < TERMS_PER_TOPIC * k:
        messages.append(
            f"only {n_vocab} terms occur in at least min_df={min_df} passages "
            f"(fewer than {TERMS_PER_TOPIC} x K = {TERMS_PER_TOPIC * k}): use fewer topics, "
            "lower min_df or add documents, and treat the topics as exploratory."
        )
    return messages


def check_corpus(token_lists, k: int, *, min_df=2, max_df=0.95) -> list[str]:
    """Warnings (list of messages, each saying what to do) about fitting ``k`` topics to
    ``token_lists``; an empty list means no concern. Raises ValueError for impossible K."""
    token_lists = require_token_lists(token_lists, "token_lists")
    check_k(k, len(token_lists))
    dtm = vectorize(make_vectorizer("lda", min_df=min_df, max_df=max_df), token_lists)
    return corpus_warnings(token_lists, k, dtm.shape[1], min_df=min_df)


def vocabulary_size(token_lists, *, min_df=2, max_df=0.95) -> int:
    """Number of terms a topic model on ``token_lists`` keeps with ``min_df``/``max_df``
    (0 if none)."""
    try:
        return vectorize(make_vectorizer("lda", min_df=min_df, max_df=max_df),
                         require_token_lists(token_lists, "token_lists")).shape[1]
    except ValueError:
        return 0


def normalize_rows(weights: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1; all-zero rows stay zero."""
    sums = weights.sum(axis=1, keepdims=True)
    return np.divide(weights, sums, out=np.zeros_like(weights, dtype=float), where=sums > 0)


def load_labels(path) -> dict[int, str]:
    """Researcher labels from a CSV with columns ``topic`` (1-based) and ``label``."""
    path = Path(path)
    table = read_csv_table(path, "topic label", dtype={"label": str}, keep_default_na=False)
    require_columns(table, ["topic", "label"], path.name)
    topics = pd.to_numeric(table["topic"], errors="coerce")
    if topics.isna().any() or (topics % 1 != 0).any():
        raise ValueError(f"{path.name}: column 'topic' must hold whole topic numbers")
    if topics.duplicated().any():
        twice = sorted(set(topics[topics.duplicated()].astype(int)))
        raise ValueError(f"{path.name}: topics listed twice: {twice}")
    labels = table["label"].str.strip()
    if (labels == "").any():
        raise ValueError(f"{path.name}: empty label for topic(s) {topics[labels == ''].tolist()}")
    return dict(zip(topics.astype(int).tolist(), labels.tolist(), strict=True))


def match_labels(names: dict[int, str], n_topics: int) -> tuple[dict[int, str], str]:
    """Researcher ``names`` (from :func:`load_labels`) if they cover exactly topics
    1..``n_topics``, else no names; with a sentence saying which and why. Labels written for
    another K (or another corpus) would name the wrong topics, so they are all-or-nothing."""
    if not names:
        return {}, "no researcher labels given: using automatic labels (top 3 terms)."
    if set(names) != set(range(1, n_topics + 1)):
        return {}, (
            f"the label file lists topics {sorted(names)} but the model has topics "
            f"1..{n_topics}: using automatic labels (top 3 terms). Edit the file to label "
            f"exactly topics 1..{n_topics}."
        )
    return dict(names), f"using the researcher's labels for topics 1..{n_topics}."


def topic_names(model: "TopicModel", *, labels_file=None, corpus=None,
                n_terms: int = 3) -> tuple[list[str], str]:
    """The one set of topic labels notebooks 05 and 06 use: researcher labels from
    ``labels_file`` (CSV topic,label; None: ``data/topic_labels.csv``, for the study corpus
    only) where they name exactly topics 1..K, else the top ``n_terms`` terms. Returns the labels
    (one per topic) and a sentence saying which were used and why."""
    path = labels_file or (paths.DATA / "topic_labels.csv" if paths.is_study_corpus(corpus)
                           else None)
    names, note = match_labels(load_labels(path) if path is not None else {}, model.n_topics)
    return model.labels(n_terms=n_terms, names=names), note


class TopicModel(BaseEstimator):
    """NMF (on TF-IDF, deterministic ``nndsvda`` start) or LDA (variational Bayes, on counts)
    over passage tokens.

    Fitted attributes: ``vectorizer_``, ``model_``, ``vocab_`` (n_terms,), ``components_``
    (n_topics, n_terms; rows sum to 1), ``top_terms_`` (list of n_topics lists of ``n_terms``
    terms), ``doc_topic_`` (n_passages, n_topics; rows sum to 1 or are zero for passages without
    vocabulary), ``perplexity_`` (LDA on the training passages; None for NMF), ``n_iter_``,
    ``converged_`` (None for the mini-batch solver, which runs a fixed number of epochs),
    ``topic_scale_`` (n_topics,; see ``solver``).
    Choose K with :func:`nqpf.selection.sweep`, not with perplexity.

    ``solver`` (NMF only): ``"cd"`` = scikit-learn ``NMF`` (coordinate descent, tol 1e-4, up
    to 1000 iterations); ``"minibatch"`` = ``MiniBatchNMF`` (batches of 16,384 passages, 15
    epochs, ``nndsvda`` start, batch order drawn from ``random_state``, in float32);
    ``"auto"`` (default) = ``"cd"``, and from 20,000 passages on: in float32, stopped after 30
    iterations (``converged_`` then says whether tol was reached), with passage weights that
    do not depend on the arbitrary scale NMF gives each topic (a passage's weight on a topic is
    its NMF weight times ``topic_scale_``, the length of the topic's row of
    ``model_.components_``, i.e. the length of the topic's part of the passage's
    reconstruction; ``topic_scale_`` is all ones otherwise). On the 60,876 Debian descriptions
    its dominant topics agree better with Debian's sections than those of ``"minibatch"`` or
    of scikit-learn's default TF-IDF + NMF, at K=20 and K=40 (``benchmarks/topic_quality.py``,
    ``benchmarks/RESULTS.md``); results on corpora under 20,000 passages do not change.
    LDA from 20,000 passages on is fitted online (scikit-learn's ``LatentDirichletAllocation``,
    ``learning_method="online"``, mini-batches of 16,384 passages, ``online_epochs`` epochs:
    5 below 100,000 passages, fewer above, one from 400,000 on; ``converged_`` None), below that
    in batch.
    """

    def __init__(self, n_topics=10, *, method="nmf", random_state=0, max_iter=None, n_terms=10,
                 min_df=2, max_df=0.95, solver="auto"):
        self.n_topics = n_topics
        self.method = method
        self.random_state = random_state
        self.max_iter = max_iter
        self.n_terms = n_terms
        self.min_df = min_df
        self.max_df = max_df
        self.solver = solver

    def fit(self, token_lists, y=None):
        """Fit on token_lists (one token list per passage); warns (TopicModelWarning) when the
        corpus is small for ``n_topics``."""
        check_method(self.method)
        check_solver(self.solver, self.method)
        token_lists = require_token_lists(token_lists, "token_lists")
        check_k(self.n_topics, len(token_lists))
        vectorizer = make_vectorizer(self.method, min_df=self.min_df, max_df=self.max_df)
        dtm = vectorize(vectorizer, token_lists)
        for message in corpus_warnings(token_lists, self.n_topics, dtm.shape[1],
                                       min_df=self.min_df):
            warnings.warn(message, TopicModelWarning, stacklevel=2)
        return self.fit_dtm(dtm, vectorizer)

    def fit_dtm(self, dtm, vectorizer):
        """Fit on a ready dtm: sparse (n_passages, n_terms) made by the fitted ``vectorizer``
        (lets :func:`nqpf.selection.sweep` vectorize once for many K and seeds). No corpus
        warnings."""
        check_method(self.method)
        check_solver(self.solver, self.method)
        minibatch = self.method == "nmf" and self.solver == "minibatch"
        large = dtm.shape[0] >= MINIBATCH_MIN_PASSAGES
        capped = self.method == "nmf" and self.solver == "auto" and large
        online = self.method == "lda" and large
        max_iter = self.max_iter or (online_epochs(dtm.shape[0]) if online else MAX_ITER[
            "minibatch" if minibatch else "large" if capped else self.method])
        if minibatch or capped:
            dtm = dtm.astype(np.float32)  # half the memory traffic; same topics on the benchmark
        if minibatch:
            model = MiniBatchNMF(self.n_topics, init="nndsvda", batch_size=MINIBATCH_SIZE,
                                 max_iter=max_iter, tol=0, max_no_improvement=None,
                                 random_state=self.random_state)
        elif self.method == "nmf":
            model = NMF(self.n_topics, init="nndsvda", max_iter=max_iter, tol=1e-4,
                        random_state=self.random_state)
        elif online:
            model = LatentDirichletAllocation(
                self.n_topics, learning_method="online", batch_size=MINIBATCH_SIZE,
                max_iter=max_iter, total_samples=dtm.shape[0], random_state=self.random_state)
        else:
            model = LDA(self.n_topics, max_iter=max_iter, evaluate_every=5, perp_tol=0.1,
                        random_state=self.random_state)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # recorded in converged_
            weights = model.fit_transform(dtm)
        self.converged_ = None if minibatch or online else model.n_iter_ < max_iter
        self.topic_scale_ = (np.linalg.norm(model.components_, axis=1) if capped
                             else np.ones(self.n_topics))
        self.vectorizer_ = vectorizer
        self.model_ = model
        self.vocab_ = vectorizer.get_feature_names_out()
        self.n_iter_ = model.n_iter_
        self.components_ = normalize_rows(model.components_)
        order = np.argsort(-self.components_, axis=1, kind="stable")[:, : self.n_terms]
        self.top_terms_ = [self.vocab_[row].tolist() for row in order]
        self.doc_topic_ = self._doc_topic(weights, dtm)
        self.perplexity_ = float(model.perplexity(dtm)) if self.method == "lda" else None
        return self

    def _doc_topic(self, weights, dtm) -> np.ndarray:
        weights = normalize_rows(np.asarray(weights, dtype=float) * self.topic_scale_)
        weights[dtm.getnnz(axis=1) == 0] = 0.0  # passages without vocabulary have no topic
        return weights

    def transform(self, token_lists) -> np.ndarray:
        """Document-topic weights: ndarray (n_passages, n_topics), rows sum to 1 (or are 0)."""
        check_is_fitted(self, "model_")
        dtm = self.vectorizer_.transform(require_token_lists(token_lists, "token_lists"))
        dtm = dtm.astype(self.model_.components_.dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return self._doc_topic(self.model_.transform(dtm), dtm)

    def topic_table(self, n_terms=10) -> pd.DataFrame:
        """Top ``n_terms`` terms per topic: DataFrame(topic, rank, term, weight)."""
        check_is_fitted(self, "model_")
        order = np.argsort(-self.components_, axis=1, kind="stable")[:, :n_terms]
        rows = [
            (topic + 1, rank + 1, self.vocab_[j], float(self.components_[topic, j]))
            for topic, row in enumerate(order)
            for rank, j in enumerate(row)
        ]
        return pd.DataFrame(rows, columns=["topic", "rank", "term", "weight"])

    def labels(self, n_terms=3, *, names=None) -> list[str]:
        """One label per topic: researcher ``names`` ({topic number: label}, e.g. from
        :func:`load_labels`) where given, else the top ``n_terms`` terms "talent · innovation · …";
        a label shared by several topics gets its topic number, "… (2)", so labels are unique."""
        check_is_fitted(self, "model_")
        names = dict(names or {})
        unknown = sorted(set(names) - set(range(1, self.n_topics + 1)))
        if unknown:
            raise ValueError(f"labels given for unknown topics {unknown}: "
                             f"the model has topics 1..{self.n_topics}")
        labels = [
            names.get(topic + 1, " · ".join(terms[:n_terms]))
            for topic, terms in enumerate(self.top_terms_)
        ]
        repeated = {label for label in labels if labels.count(label) > 1}
        return [f"{label} ({topic})" if label in repeated else label
                for topic, label in enumerate(labels, start=1)]

    def representative_passages(self, passages: pd.DataFrame, n=3) -> pd.DataFrame:
        """The ``n`` passages with the highest weight per topic, equal weights (often 1.0: every
        term of a short passage in one topic) going to the passage with more tokens:
        DataFrame(topic, rank, doc_id, passage_id, start, end, [page,] weight, text), ``page``
        if ``passages`` has it (a corpus with pages, ``nqpf.segment``). Passages with zero
        weight are left out."""
        require_columns(passages, PASSAGE_COLUMNS, "passages")
        weights = self.transform(passages["tokens"])
        n_tokens = passages["tokens"].map(len).to_numpy()
        cited = ["doc_id", "passage_id", "start", "end", *(["page"] if "page" in passages else [])]
        rows = []
        for topic in range(self.n_topics):
            order = np.lexsort((-n_tokens, -weights[:, topic]))[:n]
            for rank, i in enumerate(i for i in order if weights[i, topic] > 0):
                passage = passages.iloc[i]
                rows.append((topic + 1, rank + 1, *passage[cited], float(weights[i, topic]),
                             passage["text"]))
        table = pd.DataFrame(rows, columns=["topic", "rank", *cited, "weight", "text"])
        return table.astype({"page": "Int64"}) if "page" in cited else table

    def passage_topics(self, passages: pd.DataFrame) -> pd.DataFrame:
        """Topic weights per passage: DataFrame(doc_id, passage_id, start, end, topic_1 ..
        topic_K, dominant_topic); ``dominant_topic`` is the 1-based topic with the highest
        weight, <NA> for passages without vocabulary (all weights 0)."""
        require_columns(passages, ("doc_id", "passage_id", "start", "end", "tokens"), "passages")
        weights = self.transform(passages["tokens"])
        table = passages[["doc_id", "passage_id", "start", "end"]].reset_index(drop=True)
        for topic in range(self.n_topics):
            table[f"topic_{topic + 1}"] = weights[:, topic]
        dominant = pd.array(weights.argmax(axis=1) + 1, dtype="Int64")
        dominant[weights.sum(axis=1) == 0] = pd.NA
        table["dominant_topic"] = dominant
        return table

    def document_topics(self, passages: pd.DataFrame) -> pd.DataFrame:
        """Topic mixture per document: DataFrame (n_docs, n_topics), index ``doc_id`` (order of
        first appearance), columns topic numbers 1..K; the mean of its passages' weights,
        weighted by their number of tokens; rows sum to 1 (0 if no passage has vocabulary)."""
        require_columns(passages, ("doc_id", "tokens"), "passages")
        weights = self.transform(passages["tokens"])
        weighted = weights * passages["tokens"].map(len).to_numpy()[:, None]
        table = pd.DataFrame(weighted, columns=range(1, self.n_topics + 1))
        table.columns.name = "topic"
        table = table.groupby(passages["doc_id"].to_numpy(), sort=False).sum()
        table.index.name = "doc_id"
        return pd.DataFrame(normalize_rows(table.to_numpy()), index=table.index,
                            columns=table.columns)

    def topic_flow(self, passages: pd.DataFrame) -> pd.DataFrame:
        """Topic weight along each document: DataFrame(doc_id, passage_id, position, topic,
        weight), one row per passage and topic; position = (i - 0.5) / n for the i-th of n
        passages of the document (0..1)."""
        require_columns(passages, ("doc_id", "passage_id", "tokens"), "passages")
        passages = passages.sort_values(["doc_id", "passage_id"], kind="stable")
        weights = self.transform(passages["tokens"])
        by_doc = passages.groupby("doc_id", sort=False)["passage_id"]
        position = (by_doc.cumcount() + 0.5) / by_doc.transform("size")
        flow = pd.DataFrame({
            "doc_id": np.repeat(passages["doc_id"].to_numpy(), self.n_topics),
            "passage_id": np.repeat(passages["passage_id"].to_numpy(), self.n_topics),
            "position": np.repeat(position.to_numpy(), self.n_topics),
            "topic": np.tile(np.arange(1, self.n_topics + 1), len(passages)),
            "weight": weights.ravel(),
        })
        return flow


def compare_topics(model_a: TopicModel, model_b: TopicModel) -> pd.DataFrame:
    """Similarity of every topic of ``model_a`` (rows) with every topic of ``model_b``
    (columns): 1 - Jensen-Shannon distance (base 2) of their term distributions over the
    union of both vocabularies; 1 = same distribution, 0 = no shared terms."""
    for model in (model_a, model_b):
        check_is_fitted(model, "model_")
    vocab = sorted(set(model_a.vocab_) | set(model_b.vocab_))
    index = {term: j for j, term in enumerate(vocab)}

    def aligned(model):
        distributions = np.zeros((model.n_topics, len(vocab)))
        distributions[:, [index[term] for term in model.vocab_]] = model.components_
        return distributions

    a, b = aligned(model_a), aligned(model_b)
    similarity = np.array([[1 - jensenshannon(p, q, base=2) for q in b] for p in a])
    return pd.DataFrame(
        similarity,
        index=pd.Index(range(1, len(a) + 1), name="topic_a"),
        columns=pd.Index(range(1, len(b) + 1), name="topic_b"),
    )


def pair_topics(similarity: pd.DataFrame) -> pd.DataFrame:
    """One-to-one pairing of the row topics of ``similarity`` (``compare_topics``) with its
    column topics that maximises the total similarity (Hungarian algorithm): DataFrame with
    columns ``topic_a, topic_b, similarity``, one row per paired row topic, in row order.
    With more rows than columns the rows left over are not paired."""
    if similarity.empty:
        raise ValueError("similarity is empty: compare two fitted models first")
    rows, cols = linear_sum_assignment(similarity.to_numpy(dtype=float), maximize=True)
    return pd.DataFrame({
        "topic_a": similarity.index[rows].to_numpy(),
        "topic_b": similarity.columns[cols].to_numpy(),
        "similarity": similarity.to_numpy(dtype=float)[rows, cols],
    })


def concentration(weight_by_doc: pd.DataFrame) -> pd.DataFrame:
    """How much each topic depends on a few documents. ``weight_by_doc``: documents x topics
    (index ``doc_id``, one column per topic, non-negative weights). Returns one row per topic
    (index: the columns of ``weight_by_doc``) with ``main_doc`` (the document with the most
    weight), ``main_share`` (its share of the topic's weight) and ``docs_for_half`` (the fewest
    documents that carry at least half of it)."""
    weights = weight_by_doc.to_numpy(dtype=float)
    totals = weights.sum(axis=0)
    ranked = np.cumsum(-np.sort(-weights, axis=0), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame({
            "main_doc": weight_by_doc.index[weights.argmax(axis=0)],
            "main_share": weights.max(axis=0) / totals,
            "docs_for_half": (ranked < totals / 2).sum(axis=0) + 1,
        }, index=weight_by_doc.columns)
