"""TF-IDF over passages: a thin wrapper around scikit-learn's ``TfidfVectorizer``.

``build_tfidf`` fits on the precomputed ``tokens`` column of a passages table, so the
project tokeniser (``nqpf.tokenize``) runs once per passage, not once per analysis.
The other functions read the fitted matrix: distinctive terms per group, cosine
similarity between passages or documents, nearest passages, and free-text search.
Every hit is cited as ``doc_id``, ``passage_id``, ``start``-``end`` (offsets into the raw text).

Shapes: ``dtm: sparse (n_passages, n_terms)``, rows in the order of ``passages``;
``vocab = vectorizer.get_feature_names_out()``: array (n_terms,).
"""

import itertools
import sys
from collections.abc import Callable, Sequence
from numbers import Integral

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn import get_config
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.utils.validation import check_is_fitted
from tqdm.std import tqdm

from nqpf.checks import require_columns
from nqpf.clean import preview
from nqpf.keyness import count_matrix

PREVIEW_CHARS = 120
HIT_COLUMNS = ["doc_id", "passage_id", "start", "end", "score", "preview"]
PROGRESS_SECONDS = 10  # text progress bars on stdout (not widgets: the HTML report has no scripts)


def identity_analyzer(tokens: Sequence[str]) -> list[str]:
    """Analyzer for scikit-learn vectorizers on token lists that are already tokenised
    (``passages["tokens"]``); module level, so it pickles. Shared with ``nqpf.topics``."""
    return tokens if type(tokens) is list else list(tokens)


def count_tokens(docs: Sequence[Sequence[str]], vocabulary: dict[str, int] | None = None, *,
                 dtype=np.int64) -> tuple[np.ndarray, sparse.csr_array]:
    """Count the tokens of all token lists at once with ``pandas.factorize`` (not one token at
    a time in Python). Returns ``(terms, counts)``: ``terms`` (n_terms,) in first-seen order,
    or ordered by the indices of ``vocabulary`` when given (other tokens are then skipped);
    ``counts``: csr_array (n_docs, n_terms) of ``dtype``, indices sorted within each row."""
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    tokens = np.fromiter(itertools.chain.from_iterable(docs), dtype=object,
                         count=int(lengths.sum()))
    rows = np.repeat(np.arange(len(docs)), lengths)
    if vocabulary is None:
        codes, terms = pd.factorize(tokens)
        terms = np.asarray(terms, dtype=object)
    else:
        terms = np.empty(len(vocabulary), dtype=object)
        terms[list(vocabulary.values())] = list(vocabulary)
        codes = pd.Index(terms).get_indexer(tokens)
        rows, codes = rows[codes >= 0], codes[codes >= 0]
    counts = sparse.csr_array((np.ones(len(codes), dtype=dtype), (rows, codes)),
                              shape=(len(docs), len(terms)))
    counts.sum_duplicates()
    return terms, counts


def keep_terms(counts: sparse.csr_array, terms: np.ndarray, *, min_df: int | float,
               max_df: int | float, max_features: int | None
               ) -> tuple[sparse.csr_array, dict[str, int]]:
    """Sort the columns of ``counts`` (n_docs, n_terms) by term and keep the terms in at least
    ``min_df`` and at most ``max_df`` documents (a float: a share of the documents), the
    ``max_features`` most frequent of them if given, as scikit-learn's ``CountVectorizer`` does
    (the same matrix, index order included). Returns ``(counts, vocabulary)``."""
    n_docs = counts.shape[0]
    max_count = max_df if isinstance(max_df, Integral) else max_df * n_docs
    min_count = min_df if isinstance(min_df, Integral) else min_df * n_docs
    if max_count < min_count:
        raise ValueError("max_df corresponds to < documents than min_df")
    order = np.argsort(terms)
    rank = np.empty(len(terms), dtype=counts.indices.dtype)
    rank[order] = np.arange(len(terms), dtype=rank.dtype)
    counts = sparse.csr_array((counts.data, rank.take(counts.indices), counts.indptr),
                              shape=counts.shape)
    doc_frequencies = np.bincount(counts.indices, minlength=len(terms))
    keep = (doc_frequencies <= max_count) & (doc_frequencies >= min_count)
    if max_features is not None and keep.sum() > max_features:
        totals = np.asarray(counts.sum(axis=0)).ravel()
        most = np.flatnonzero(keep)[(-totals[keep]).argsort()[:max_features]]
        keep = np.zeros(len(terms), dtype=bool)
        keep[most] = True
    kept = np.flatnonzero(keep)
    if not len(kept):
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    vocabulary = dict(zip(terms[order][kept].tolist(), range(len(kept)), strict=True))
    return counts[:, kept], vocabulary


def sparse_output(counts: sparse.csr_array):
    """``counts`` as the sparse type scikit-learn's ``sparse_interface`` setting asks for."""
    return sparse.csr_matrix(counts) if get_config()["sparse_interface"] == "spmatrix" else counts


class TokenCountVectorizer(CountVectorizer):
    """``CountVectorizer`` that counts the analyzer's tokens with :func:`count_tokens`; the same
    ``vocabulary_`` and matrices (options ``analyzer``, ``min_df``, ``max_df``,
    ``max_features``, ``binary``, ``dtype``; a fixed ``vocabulary`` is not supported)."""

    def fit_transform(self, raw_documents, y=None):
        """Learn the vocabulary; return the counts: sparse (n_docs, n_terms)."""
        if self.vocabulary is not None:
            raise ValueError(f"{type(self).__name__} learns its vocabulary; vocabulary= is "
                             "not supported")
        terms, counts = count_tokens(self._analyzed(raw_documents), dtype=self.dtype)
        if not len(terms):
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        if self.binary:
            counts.data.fill(1)
        counts, self.vocabulary_ = keep_terms(counts, terms, min_df=self.min_df,
                                              max_df=self.max_df,
                                              max_features=self.max_features)
        return sparse_output(counts)

    def transform(self, raw_documents):
        """Counts of the vocabulary's terms: sparse (n_docs, n_terms); other tokens are
        ignored."""
        check_is_fitted(self, "vocabulary_")
        _, counts = count_tokens(self._analyzed(raw_documents), self.vocabulary_,
                                 dtype=self.dtype)
        if self.binary:
            counts.data.fill(1)
        return sparse_output(counts)

    def _analyzed(self, raw_documents) -> list:
        if isinstance(raw_documents, str):
            raise ValueError("Iterable over raw text documents expected, string object "
                             "received.")
        return list(map(self.build_analyzer(), raw_documents))


class TokenTfidfVectorizer(TfidfVectorizer, TokenCountVectorizer):
    """``TfidfVectorizer`` whose counting is :class:`TokenCountVectorizer`'s: scikit-learn's
    ``fit``/``fit_transform``/``transform`` get their counts from it through ``super()``, then
    weight them with its own ``TfidfTransformer``."""


def _check_rows(dtm, n_rows: int, what: str) -> None:
    if dtm.shape[0] != n_rows:
        raise ValueError(f"dtm has {dtm.shape[0]} rows but {what} has {n_rows}; "
                         "build the dtm from the same passages table")


def build_tfidf(
    passages: pd.DataFrame,
    *,
    min_df: int | float = 2,
    max_df: int | float = 0.9,
    sublinear_tf: bool = True,
    norm: str | None = "l2",
    analyzer: Callable[[str], list[str]] | str | None = None,
) -> tuple[TfidfVectorizer, sparse.csr_matrix]:
    """Fit TF-IDF on ``passages``; return ``(vectorizer, dtm)``, dtm: sparse (n_passages, n_terms).

    With ``analyzer=None`` the precomputed ``tokens`` column is used as is (identity analyzer);
    otherwise ``analyzer`` (e.g. ``nqpf.tokenize``) is applied to the raw ``text`` column.

    Defaults chosen for a small corpus (a few documents, a few hundred passages):

    - ``sublinear_tf=True``: tf becomes 1 + log(tf), so a slogan repeated five times in one
      passage does not swamp the passage's other terms;
    - ``norm="l2"``: rows have unit length, so dot products are cosine similarities and long
      and short passages compare fairly;
    - ``min_df=2``: a term in a single passage (a hapax) cannot be shared, so it adds nothing
      to similarity and only inflates the vocabulary;
    - ``max_df=0.9``: a term in more than 90% of passages (the central concept itself, in a
      corpus about it) does not distinguish passages.

    Raises ``ValueError`` if ``min_df``/``max_df`` leave no terms (too strict for a tiny corpus).
    """
    column = "tokens" if analyzer is None else "text"
    require_columns(passages, [column], "passages", non_empty=True)
    vectorizer = TokenTfidfVectorizer(
        analyzer=identity_analyzer if analyzer is None else analyzer,
        min_df=min_df, max_df=max_df, sublinear_tf=sublinear_tf, norm=norm,
    )
    try:
        dtm = vectorizer.fit_transform(passages[column])
    except ValueError as error:
        raise ValueError(
            f"TF-IDF with min_df={min_df!r}, max_df={max_df!r} keeps no terms from "
            f"{len(passages)} passages ({error}). For a tiny corpus try min_df=1 and "
            "max_df=1.0; an integer min_df must not exceed the number of passages."
        ) from error
    return vectorizer, dtm.tocsr()


SMALL_CORPUS_PASSAGES = 20  # choose_df: below this many passages keep every term


def choose_df(token_lists, *, min_df: int | float = 2,
              max_df: int | float = 0.9) -> tuple[int | float, int | float, str]:
    """``(min_df, max_df, note)`` for TF-IDF or a topic model on ``token_lists`` (one token
    list per passage): the given values when they keep at least one term; otherwise, and on a
    tiny corpus (fewer than ``SMALL_CORPUS_PASSAGES`` passages, where a term shared by two
    passages is already common), ``min_df=1, max_df=1.0``, which keeps every term. ``note``
    says what was changed and why ("" if nothing). Raises ``ValueError`` if the passages have
    no tokens at all."""
    _, terms, counts = count_matrix(token_lists)
    if counts.nnz == 0:
        raise ValueError("the passages have no tokens at all (only stopwords, numbers or "
                         "punctuation): there is nothing to weigh; add documents with text")
    n_passages = counts.shape[0]
    if n_passages < SMALL_CORPUS_PASSAGES:
        if (min_df, max_df) == (1, 1.0):
            return min_df, max_df, ""
        return 1, 1.0, (f"Only {n_passages} passage(s) (fewer than {SMALL_CORPUS_PASSAGES}): "
                        f"min_df={min_df!r}, max_df={max_df!r} changed to min_df=1, max_df=1.0, "
                        "so every term is kept.")
    frequency = np.bincount(counts.indices, minlength=len(terms))
    low = min_df if isinstance(min_df, int) else min_df * n_passages
    high = max_df if isinstance(max_df, int) else max_df * n_passages
    if ((frequency >= low) & (frequency <= high)).any():
        return min_df, max_df, ""
    return 1, 1.0, (f"No term occurs in at least min_df={min_df!r} and at most max_df={max_df!r} "
                    f"of the {n_passages} passages (they are nearly identical): using "
                    "min_df=1, max_df=1.0, which keeps every term.")


def vocab_sizes(passages: pd.DataFrame, min_dfs: Sequence[int], **options) -> pd.DataFrame:
    """How the vocabulary shrinks as ``min_df`` grows (other ``build_tfidf`` options as given).

    Columns: ``min_df``, ``n_terms`` (0 when the setting keeps no term, instead of an error),
    ``token_share`` (share of all token occurrences in ``passages["tokens"]`` that are
    vocabulary terms, in [0, 1]). One row per value of ``min_dfs``, in the order given.
    """
    require_columns(passages, ["tokens"], "passages")
    total = sum(len(tokens) for tokens in passages["tokens"])
    rows = []
    for min_df in min_dfs:
        try:
            vectorizer, _ = build_tfidf(passages, min_df=min_df, **options)
        except ValueError:
            rows.append((min_df, 0, 0.0))
            continue
        vocab = set(vectorizer.get_feature_names_out())
        kept = sum(token in vocab for tokens in passages["tokens"] for token in tokens)
        rows.append((min_df, len(vocab), kept / total if total else 0.0))
    return pd.DataFrame(rows, columns=["min_df", "n_terms", "token_share"])


def _group_matrix(groups: Sequence) -> tuple[list, sparse.csr_matrix]:
    """Group labels in order of first appearance and an indicator matrix (n_groups, n_rows)."""
    codes, labels = pd.factorize(pd.Series(list(groups)), sort=False)
    if (codes < 0).any():
        raise ValueError("groups contains missing values; give every passage a group")
    n_rows = len(codes)
    indicator = sparse.csr_matrix(
        (np.ones(n_rows), (codes, np.arange(n_rows))), shape=(len(labels), n_rows))
    return list(labels), indicator


def top_terms(dtm, vocab: Sequence[str], groups: Sequence, *, n_terms: int = 10) -> pd.DataFrame:
    """Distinctive terms per group (e.g. ``passages["doc_id"]`` or a genre per passage).

    A term's score in a group is its mean tf-idf over the group's passages; the ``n_terms`` best
    terms with a positive score are listed. Memory grows with the non-zero (group, term)
    pairs, not with n_groups x n_terms. Groups appear in order of first appearance.
    Columns: ``group, rank`` (1-based), ``term, score``.
    """
    _check_rows(dtm, len(groups), "groups")
    if len(vocab) != dtm.shape[1]:
        raise ValueError(f"vocab has {len(vocab)} terms but dtm has {dtm.shape[1]} columns")
    labels, indicator = _group_matrix(groups)
    sizes = np.asarray(indicator.sum(axis=1)).ravel()
    means = sparse.csr_array(indicator @ dtm)  # sparse (n_groups, n_terms): never dense
    means.sum_duplicates()
    vocab = np.asarray(vocab)
    rows = []
    for g, label in enumerate(labels):
        found = slice(means.indptr[g], means.indptr[g + 1])
        terms, scores = means.indices[found], means.data[found] / sizes[g]
        order = np.lexsort((vocab[terms], -scores))  # best score first, ties alphabetical
        rows += [(label, rank, vocab[terms[i]], float(scores[i]))
                 for rank, i in enumerate((i for i in order[:n_terms] if scores[i] > 0), start=1)]
    return pd.DataFrame(rows, columns=["group", "rank", "term", "score"])


def similarity(dtm) -> np.ndarray:
    """Cosine similarity between rows: array (n_rows, n_rows), symmetric, values in [0, 1].

    The diagonal is 1 for every row. A row with no terms (all zeros) has similarity 0 to
    every other row and 1 to itself, so the matrix stays a valid similarity matrix.
    """
    scores = cosine_similarity(dtm)
    scores = np.clip((scores + scores.T) / 2, 0.0, 1.0)
    np.fill_diagonal(scores, 1.0)
    return scores


def doc_vectors(dtm, doc_ids: Sequence[str]) -> tuple[list, sparse.csr_array]:
    """Document vectors: ``(labels, vectors)``, labels in order of first appearance and
    vectors sparse (n_docs, n_terms), each the sum of its passage rows, l2-normalised."""
    _check_rows(dtm, len(doc_ids), "doc_ids")
    labels, indicator = _group_matrix(doc_ids)
    return labels, sparse.csr_array(l2_normalize(indicator @ dtm))


def doc_similarity(dtm, doc_ids: Sequence[str], *, docs: Sequence[str] | None = None
                   ) -> pd.DataFrame:
    """Cosine similarity between documents: DataFrame (n_docs, n_docs) indexed and columned by
    ``doc_id`` (order of first appearance; only ``docs``, in that order, if given, so a large
    corpus never builds an n_docs x n_docs matrix). A document's vector is the sum of its
    passage vectors, l2-normalised; diagonal and empty rows as in ``similarity``."""
    labels, vectors = doc_vectors(dtm, doc_ids)
    if docs is not None:
        position = {label: i for i, label in enumerate(labels)}
        unknown = [doc for doc in docs if doc not in position]
        if unknown:
            raise ValueError(f"docs not found in doc_ids: {unknown[:10]}")
        labels, vectors = list(docs), vectors[[position[doc] for doc in docs]]
    index = pd.Index(labels, name="doc_id")
    return pd.DataFrame(similarity(vectors), index=index, columns=index.copy())


def top_k_similar(vectors, queries, *, n: int = 5, block_cells: int = 2**22,
                  progress: Callable | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For each row index in ``queries``, the ``n`` rows of ``vectors`` (sparse, l2-normalised
    rows) with the highest cosine similarity, itself excluded: ``(rows, scores)``, arrays
    (n_queries, n) sorted by score descending (equal scores: lower row first); fewer than ``n``
    positive scores are padded with row -1, score 0. Sparse dot products in blocks of about
    ``block_cells`` scores, so memory stays O(block_cells + n_queries * n), never
    n_queries x n_rows. ``progress``: called with the number of queries done after each block
    (e.g. a tqdm ``update``)."""
    vectors = sparse.csr_array(vectors)
    queries = np.asarray(queries, dtype=np.int64)
    n_rows = vectors.shape[0]
    transposed = vectors.T.tocsr()
    size = max(1, block_cells // max(n_rows, 1))
    best_rows = np.full((len(queries), n), -1, dtype=np.int64)
    best_scores = np.zeros((len(queries), n))
    for first in range(0, len(queries), size):
        block = queries[first:first + size]
        scores = (vectors[block] @ transposed).toarray()
        scores[np.arange(len(block)), block] = 0.0
        order = (np.argpartition(-scores, n - 1, axis=1)[:, :n] if n < n_rows
                 else np.tile(np.arange(n_rows), (len(block), 1)))
        top = np.take_along_axis(scores, order, axis=1)
        ranked = np.lexsort((order, -top), axis=1)
        order, top = (np.take_along_axis(a, ranked, axis=1) for a in (order, top))
        width = order.shape[1]
        best_rows[first:first + size, :width] = np.where(top > 0, order, -1)
        best_scores[first:first + size, :width] = np.where(top > 0, top, 0.0)
        if progress is not None:
            progress(len(block))
    return best_rows, best_scores


def similar_documents(dtm, doc_ids: Sequence[str], *, n: int = 5,
                      max_queries: int | None = None, progress: bool = False) -> pd.DataFrame:
    """Each document's ``n`` most similar other documents (cosine of the ``doc_vectors``),
    searched among ALL documents by :func:`top_k_similar`, for the first ``max_queries``
    documents (order of first appearance; None: every document). Pairs with similarity 0 are
    left out. Columns ``doc_id, rank`` (1 = most similar), ``similar_doc_id, similarity``.
    ``progress``: a tqdm bar over the query documents."""
    labels, vectors = doc_vectors(dtm, doc_ids)
    queries = np.arange(len(labels) if max_queries is None else min(max_queries, len(labels)))
    bar = tqdm(total=len(queries), desc="similar documents", disable=not progress,
               file=sys.stdout, mininterval=PROGRESS_SECONDS)
    with bar:
        rows, scores = top_k_similar(vectors, queries, n=n, progress=bar.update)
    query, rank = np.nonzero(rows >= 0)
    labels = np.asarray(labels, dtype=object)
    return pd.DataFrame({"doc_id": labels[queries[query]], "rank": rank + 1,
                         "similar_doc_id": labels[rows[query, rank]],
                         "similarity": scores[query, rank]})


def passage_labels(passages: pd.DataFrame, *, names: pd.Series | None = None) -> pd.Series:
    """Tick labels for passages: ``"<document> · <passage_id>"``, the document named by
    ``names`` (Series doc_id -> short label, ``nqpf.labels.doc_labels``) or else by its
    ``doc_id``. Same index as ``passages``."""
    require_columns(passages, ["doc_id", "passage_id"], "passages")
    documents = passages["doc_id"] if names is None else passages["doc_id"].map(
        lambda d: names.get(d, d))
    labels = [f"{doc} · {pid}" for doc, pid in zip(documents, passages["passage_id"],
                                                    strict=True)]
    return pd.Series(labels, index=passages.index, name="label")


def passage_similarity(dtm, passages: pd.DataFrame, *,
                       names: pd.Series | None = None) -> pd.DataFrame:
    """Cosine similarity between passages: DataFrame (n_passages, n_passages), indexed and
    columned by ``passage_labels`` (documents named by ``names``); diagonal and empty rows as
    in ``similarity``."""
    labels = passage_labels(passages, names=names)
    _check_rows(dtm, len(labels), "passages")
    index = pd.Index(labels.to_list(), name="passage")
    return pd.DataFrame(similarity(dtm), index=index, columns=index.copy())


def _hits(passages: pd.DataFrame, scores: np.ndarray, n: int,
          exclude: int | None = None) -> pd.DataFrame:
    """The ``n`` best-scoring passages with positive score, as a citation table indexed by
    row position in ``passages`` (``row``)."""
    scores = np.asarray(scores, dtype=float).ravel().copy()
    if exclude is not None:
        scores[exclude] = 0.0
    order = np.argsort(-scores, kind="stable")
    rows = [i for i in order[:n] if scores[i] > 0]
    table = passages.iloc[rows][["doc_id", "passage_id", "start", "end"]].copy()
    table["score"] = scores[rows]
    table["preview"] = [preview(t, PREVIEW_CHARS) for t in passages["text"].iloc[rows]]
    table.index = pd.Index(rows, name="row", dtype="int64")
    return table[HIT_COLUMNS]


def nearest_passages(dtm, passages: pd.DataFrame, index: int, *, n: int = 5) -> pd.DataFrame:
    """The ``n`` passages most similar (cosine) to passage ``index`` (row position in
    ``passages``), itself excluded, passages sharing no term left out.
    Columns: ``doc_id, passage_id, start, end, score, preview``; index ``row`` = row position."""
    require_columns(passages, ["doc_id", "passage_id", "start", "end", "text"], "passages")
    _check_rows(dtm, len(passages), "passages")
    if not 0 <= index < len(passages):
        raise ValueError(f"index {index} is out of range for {len(passages)} passages")
    scores = cosine_similarity(dtm, dtm[index:index + 1])
    return _hits(passages, scores, n, exclude=index)


def search(dtm, passages: pd.DataFrame, query: str, *, vectorizer: TfidfVectorizer,
           n: int = 5) -> pd.DataFrame:
    """Passages best matching a free-text ``query`` (cosine between the query's tf-idf vector
    and each passage). The query is tokenised like the passages: ``nqpf.tokens.tokenize`` for
    ``identity_analyzer`` (``build_tfidf`` default, ``nqpf.topics.make_vectorizer``), otherwise
    the vectorizer's own analyzer. Passages with score 0 are left out. Columns as
    ``nearest_passages``.

    Raises ``ValueError`` if none of the query's terms is in the vocabulary (listing them).
    """
    require_columns(passages, ["doc_id", "passage_id", "start", "end", "text"], "passages")
    _check_rows(dtm, len(passages), "passages")
    if vectorizer.analyzer is identity_analyzer:
        from nqpf.tokens import tokenize

        terms = tokenize(query)
        query_vector = vectorizer.transform([terms])
    else:
        terms = vectorizer.build_analyzer()(query)
        query_vector = vectorizer.transform([query])
    if query_vector.nnz == 0:
        unknown = sorted(set(terms))
        raise ValueError(f"none of the query's terms is in the TF-IDF vocabulary: {query!r} "
                         f"gives terms {unknown}; try other words (see vectorizer "
                         "get_feature_names_out())")
    return _hits(passages, cosine_similarity(dtm, query_vector), n)
