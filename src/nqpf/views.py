"""The tables behind the interactive views (``nqpf.widgets`` in JupyterLab, ``nqpf.interactive``
in the report): KWIC lines for a term, concept or regex, sorted by left or right context; term
relevance as in pyLDAvis; topic shares per document or group; a 2-D map of passages; the spans
a passage reader highlights; and a stated sample of tables too large to show whole.

Topic numbers are 1-based, offsets index the raw ``text`` (``text[start:end]``).
"""

import itertools
import re

import numpy as np
import pandas as pd

from nqpf import explore
from nqpf.boilerplate import CJK
from nqpf.checks import require_columns
from nqpf.labels import doc_labels
from nqpf.lexicon import Lexicon, default_lexicon
from nqpf.tfidf import count_tokens

QUERY_KINDS = ("term", "concept", "regex")
KWIC_SORTS = ("position", "left", "right", "keyword")
LAMBDAS = np.arange(101) / 100  # the relevance slider's positions, 0.00 .. 1.00
DEFAULT_LAMBDA = 0.6  # Sievert & Shirley (2014): best for interpreting topics
RELEVANCE_COLUMNS = ["rank", "term", "relevance", "weight", "lift", "corpus_count",
                     "topic_count"]
SPAN_KINDS = ("passage", "boilerplate", "concept")
_CONTEXT_WORD = re.compile(f"{CJK.pattern}|(?:(?!{CJK.pattern})\\w)+")


def query_pattern(query: str, *, kind: str = "term",
                  lexicon: Lexicon | None = None) -> re.Pattern:
    """The raw-text regex of a query: ``term`` = the words as typed (``explore.compile_pattern``:
    whole words, any case, any white space between them), ``concept`` = every variant of a
    lexicon term (``"new_quality_productive_forces"``), ``regex`` = a regular expression,
    matched ignoring case."""
    if kind not in QUERY_KINDS:
        raise ValueError(f"kind must be one of {QUERY_KINDS}, got {kind!r}")
    if not isinstance(query, str) or not query.strip():
        raise ValueError(f"the query must be a non-empty string, got {query!r}")
    if kind == "term":
        return explore.compile_pattern(query)
    if kind == "concept":
        lexicon = default_lexicon() if lexicon is None else lexicon
        if query.strip() not in lexicon.terms:
            raise ValueError(f"{query!r} is not a concept of the lexicon; concepts: "
                             f"{', '.join(lexicon.terms)}")
        return lexicon.variants_pattern(query.strip())
    try:
        regex = re.compile(query, re.IGNORECASE)
    except re.error as error:
        raise ValueError(f"{query!r} is not a valid regular expression: {error}") from None
    if regex.search(""):
        raise ValueError(f"the regular expression {query!r} matches empty text")
    return regex


def context_words(context: str) -> list[str]:
    """Words of a KWIC context, lower-cased, each Chinese character one word."""
    return _CONTEXT_WORD.findall(context.casefold())


def sort_kwic(lines: pd.DataFrame, *, by: str = "position") -> pd.DataFrame:
    """KWIC ``lines`` (``explore.kwic``'s columns) sorted as a concordance: ``position``
    (document order, then offset), ``left`` (by the word just before the keyword, then the one
    before it …), ``right`` (by the words after the keyword) or ``keyword``; ties keep
    document order. Returns a new frame with a fresh index."""
    if by not in KWIC_SORTS:
        raise ValueError(f"sort must be one of {KWIC_SORTS}, got {by!r}")
    require_columns(lines, ["left", "keyword", "right"], "KWIC lines")
    if by == "position":
        keys = list(range(len(lines)))
    elif by == "left":
        keys = [context_words(text)[::-1] for text in lines["left"]]
    elif by == "right":
        keys = [context_words(text) for text in lines["right"]]
    else:
        keys = [text.casefold() for text in lines["keyword"]]
    order = sorted(range(len(lines)), key=keys.__getitem__)  # stable: ties keep their order
    return lines.iloc[order].reset_index(drop=True)


def kwic_lines(docs: pd.DataFrame, passages: pd.DataFrame, query: str, *, kind: str = "term",
               window: int = 60, doc_ids=None, sort: str = "position",
               lexicon: Lexicon | None = None) -> pd.DataFrame:
    """KWIC lines of ``query`` (see ``query_pattern``) in ``docs`` (or only those in
    ``doc_ids``), sorted by ``sort`` (see ``sort_kwic``): DataFrame(n_lines, 8), the columns of
    ``explore.kwic`` with the document's ``label`` (``labels.doc_labels``) after ``doc_id``."""
    if window < 1:
        raise ValueError(f"window must be at least 1 character, got {window}")
    labels = doc_labels(docs)
    if doc_ids is not None:
        doc_ids = [str(doc_id) for doc_id in doc_ids]
        unknown = sorted(set(doc_ids) - set(labels.index))
        if unknown:
            raise ValueError(f"unknown document id(s) {unknown[:5]}")
        docs = docs[docs["doc_id"].astype(str).isin(doc_ids)]
    lines = explore.kwic(docs, passages, query_pattern(query, kind=kind, lexicon=lexicon),
                         window=window)
    lines.insert(1, "label", lines["doc_id"].astype(str).map(labels).astype(object))
    return sort_kwic(lines, by=sort)


def kwic_display_columns(lines: pd.DataFrame) -> list[str]:
    """The columns a reader sees of ``kwic_lines``: label, passage, offsets, the page where
    the corpus has pages, and the concordance."""
    page = ["page"] if "page" in lines else []
    return ["label", "passage_id", "start", "end", *page, "left", "keyword", "right"]


def term_counts(token_lists, vocab) -> np.ndarray:
    """How often each term of ``vocab`` (n_terms,) occurs in ``token_lists``: (n_terms,) int."""
    vocabulary = {term: j for j, term in enumerate(vocab)}
    _, counts = count_tokens(list(token_lists), vocabulary)
    return np.asarray(counts.sum(axis=0)).ravel()


def _check_lambda(lam: float) -> float:
    if not 0 <= lam <= 1:
        raise ValueError(f"lambda must be between 0 and 1, got {lam}")
    return float(lam)


def log_terms(components, counts) -> tuple[np.ndarray, np.ndarray]:
    """``log p(term | topic)`` and the log lift ``log(p(term | topic) / p(term))``, both
    (n_topics, n_terms); ``components`` rows sum to 1, ``counts`` (n_terms,) are corpus
    counts. A term with weight 0 in a topic (or count 0) gets -inf there."""
    components = np.asarray(components, dtype=float)
    counts = np.asarray(counts, dtype=float)
    if components.ndim != 2 or counts.shape != (components.shape[1],):
        raise ValueError(f"counts must hold one number per term ({components.shape[-1]}), "
                         f"got shape {counts.shape}")
    if counts.sum() <= 0:
        raise ValueError("no term of the vocabulary occurs in the corpus: relevance undefined")
    with np.errstate(divide="ignore"):
        log_weight = np.log(components)
        log_lift = log_weight - np.log(counts / counts.sum())
    log_lift[~np.isfinite(log_weight)] = -np.inf
    return log_weight, log_lift


def relevance(components, counts, *, lam: float = DEFAULT_LAMBDA) -> np.ndarray:
    """pyLDAvis's relevance of every term to every topic, (n_topics, n_terms):
    ``lam * log p(term | topic) + (1 - lam) * log lift``; ``lam`` = 1 ranks by weight in the
    topic, ``lam`` = 0 by lift (terms special to the topic)."""
    lam = _check_lambda(lam)
    log_weight, log_lift = log_terms(components, counts)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(log_weight), lam * log_weight + (1 - lam) * log_lift,
                        -np.inf)


def rank_terms(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` highest finite ``scores`` (n_terms,), highest first, ties in index
    order (as the report's topic map ranks them)."""
    order = np.lexsort((np.arange(len(scores)), -scores))
    return order[np.isfinite(scores[order])][:n]


def topic_counts(components, counts, prevalence) -> np.ndarray:
    """Each term's corpus ``counts`` (n_terms,) shared out over the topics in proportion to
    ``components * prevalence`` (pyLDAvis's estimated term frequency within a topic):
    (n_topics, n_terms), columns sum to ``counts`` (0 where no topic has the term)."""
    joint = np.asarray(components, dtype=float) * np.asarray(prevalence, dtype=float)[:, None]
    totals = joint.sum(axis=0)
    share = np.divide(joint, totals, out=np.zeros_like(joint), where=totals > 0)
    return share * np.asarray(counts, dtype=float)


def relevant_terms(components, vocab, counts, prevalence, topic: int, *,
                   lam: float = DEFAULT_LAMBDA, n: int = 30) -> pd.DataFrame:
    """The ``n`` most relevant terms of ``topic`` (1-based) at ``lam``: DataFrame(rank, term,
    relevance, weight = p(term | topic), lift, corpus_count, topic_count); ``topic_count``: see
    ``topic_counts`` (pyLDAvis's red bar). ``prevalence`` (n_topics,): each topic's share of
    all tokens."""
    components = np.asarray(components, dtype=float)
    if not 1 <= topic <= len(components):
        raise ValueError(f"topic must be between 1 and {len(components)}, got {topic}")
    scores = relevance(components, counts, lam=lam)[topic - 1]
    chosen = rank_terms(scores, n)
    _, log_lift = log_terms(components, counts)
    in_topic = topic_counts(components, counts, prevalence)[topic - 1]
    counts = np.asarray(counts, dtype=float)
    return pd.DataFrame({
        "rank": np.arange(1, len(chosen) + 1), "term": np.asarray(vocab, dtype=object)[chosen],
        "relevance": scores[chosen], "weight": components[topic - 1, chosen],
        "lift": np.exp(log_lift[topic - 1, chosen]), "corpus_count": counts[chosen],
        "topic_count": in_topic[chosen],
    }, columns=RELEVANCE_COLUMNS)


def candidate_terms(components, counts, *, n: int = 30, lambdas=LAMBDAS) -> list[np.ndarray]:
    """Per topic, the indices of every term that is among the ``n`` most relevant at some
    ``lambdas`` value (sorted): all the report's slider needs to rank exactly at its
    positions."""
    scores = [relevance(components, counts, lam=lam) for lam in lambdas]
    return [np.unique(np.concatenate([rank_terms(s[topic], n) for s in scores]))
            for topic in range(len(scores[0]))]


def topic_shares(weights, lengths, groups) -> pd.DataFrame:
    """Topic shares per group (a document, a genre …): DataFrame (n_groups, n_topics), index
    the groups in order of first appearance, columns 1..K; each row is the mean of its
    passages' ``weights`` (n_passages, n_topics) weighted by ``lengths`` (tokens per passage),
    so it sums to 1 (0 where no passage has a topic)."""
    weights = np.asarray(weights, dtype=float)
    lengths = np.asarray(lengths, dtype=float)
    groups = pd.Series(np.asarray(groups, dtype=object))
    if weights.ndim != 2 or lengths.shape != (len(weights),) or len(groups) != len(weights):
        raise ValueError(f"weights (n_passages, n_topics), lengths and groups must describe the "
                         f"same passages: got {weights.shape}, {lengths.shape}, {len(groups)}")
    if groups.isna().any():
        raise ValueError(f"{int(groups.isna().sum())} passage(s) have no group")
    table = pd.DataFrame(weights * lengths[:, None], columns=range(1, weights.shape[1] + 1))
    table = table.groupby(groups.to_numpy(), sort=False).sum()
    totals = table.sum(axis=1).to_numpy()
    shares = np.divide(table.to_numpy(), totals[:, None], out=np.zeros(table.shape),
                       where=totals[:, None] > 0)
    result = pd.DataFrame(shares, index=table.index, columns=table.columns)
    result.columns.name = "topic"
    return result


def passage_map(doc_topic) -> np.ndarray:
    """2-D positions of passages, (n_passages, 2): the first two principal components of the
    square roots of their topic weights (Hellinger geometry: passages with similar mixtures lie
    close), each axis signed so its largest value is positive; deterministic."""
    weights = np.asarray(doc_topic, dtype=float)
    if weights.ndim != 2 or (weights < 0).any():
        raise ValueError(f"doc_topic must be a non-negative (n_passages, n_topics) matrix, "
                         f"got shape {weights.shape}")
    roots = np.sqrt(weights)
    centred = roots - roots.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    coords = np.zeros((len(weights), 2))
    n_axes = min(2, len(axes))
    coords[:, :n_axes] = centred @ axes[:n_axes].T
    coords[np.abs(coords) < 1e-12] = 0.0
    for axis in coords.T:
        if axis[np.argmax(np.abs(axis))] < 0:
            axis *= -1
    return coords + 0.0


def reader_spans(doc_id: str, docs: pd.DataFrame, passages: pd.DataFrame,
                 boilerplate: pd.DataFrame, *, lexicon: Lexicon | None = None) -> pd.DataFrame:
    """What a reader of document ``doc_id`` sees marked: DataFrame(kind, start, end, name), one
    row per passage (name "passage N"), boilerplate span (its kind) and concept hit (the
    lexicon term), sorted by start."""
    matches = docs[docs["doc_id"].astype(str) == str(doc_id)]
    if matches.empty:
        raise ValueError(f"no document with doc_id {doc_id!r}")
    text = matches["text"].iloc[0]
    lexicon = default_lexicon() if lexicon is None else lexicon
    own = passages[passages["doc_id"].astype(str) == str(doc_id)]
    spans = boilerplate[boilerplate["doc_id"].astype(str) == str(doc_id)]
    rows = [("passage", s, e, f"passage {p}")
            for p, s, e in zip(own["passage_id"], own["start"], own["end"], strict=True)]
    rows += [("boilerplate", s, e, kind)
             for kind, s, e in zip(spans["kind"], spans["start"], spans["end"], strict=True)]
    rows += [("concept", *match.span(), term) for term in lexicon.terms
             for match in lexicon.variants_pattern(term).finditer(text)]
    table = pd.DataFrame(rows, columns=["kind", "start", "end", "name"])
    table = table.astype({"start": "int64", "end": "int64"})
    return table.sort_values(["start", "end"], kind="stable").reset_index(drop=True)


def segments(length: int, spans: pd.DataFrame) -> list[tuple[int, int, tuple[int, ...]]]:
    """The text ``[0, length)`` cut at every span edge: ``(start, end, rows)`` pieces in order,
    ``rows`` the positions in ``spans`` (columns ``start, end``) that cover the piece."""
    starts, ends = spans["start"].to_numpy(), spans["end"].to_numpy()
    if ((starts < 0) | (ends > length) | (starts > ends)).any():
        raise ValueError(f"spans must lie within the text (0..{length}) with start <= end")
    cuts = sorted({0, length, *starts.tolist(), *ends.tolist()})
    return [(lo, hi, tuple(np.flatnonzero((starts <= lo) & (ends >= hi)).tolist()))
            for lo, hi in itertools.pairwise(cuts) if hi > lo]


def sample_rows(table: pd.DataFrame, max_rows: int, *, random_state: int = 0,
                what: str = "rows") -> tuple[pd.DataFrame, str]:
    """``table`` whole if it has at most ``max_rows`` rows, else a random sample of
    ``max_rows`` rows in their original order; and a sentence saying so ("" if whole)."""
    if max_rows < 1:
        raise ValueError(f"max_rows must be at least 1, got {max_rows}")
    if len(table) <= max_rows:
        return table, ""
    rows = np.sort(np.random.default_rng(random_state).choice(len(table), max_rows,
                                                              replace=False))
    sample = table.iloc[rows]
    return sample, (f"Showing a random sample of {max_rows:,} of {len(table):,} {what} "
                    f"(above {max_rows:,} {what} the view samples; random_state "
                    f"{random_state}).")
