"""Topic quality: NPMI coherence, topic diversity and stability across runs.

NPMI follows gensim's ``CoherenceModel(coherence="c_npmi")`` exactly (one-one segmentation,
boolean window probabilities, epsilon 1e-12, arithmetic mean over word pairs). The default
window is the whole passage (``window=None``): two terms co-occur when they occur in the same
passage. That equals gensim with ``window_size`` at least as long as the longest passage.
"""

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment

EPSILON = 1e-12  # as gensim.topic_coherence.direct_confirmation_measure


def occurrence_matrix(terms: Sequence[str], reference_token_lists, *, window: int | None = None):
    """Boolean occurrence of ``terms`` in the windows of the reference texts.

    Returns sparse (n_windows, n_terms) with 1 where the term occurs in the window. With
    ``window=None`` each text is one window; otherwise a text of ``L >= window`` tokens gives
    ``L - window + 1`` sliding windows and a shorter (or empty) text is one window, as in gensim.
    """
    if window is not None and window < 1:
        raise ValueError(f"window must be a positive number of tokens or None, got {window}")
    index = {term: j for j, term in enumerate(terms)}
    rows: list[int] = []
    cols: list[int] = []
    n_windows = 0
    for tokens in reference_token_lists:
        n_tokens = len(tokens)
        sliding = window is not None and n_tokens > window
        last = n_tokens - window if sliding else 0
        for position, token in enumerate(tokens):
            j = index.get(token)
            if j is None:
                continue
            first = max(0, position - window + 1) if sliding else 0
            stop = min(position, last) + 1
            rows.extend(range(n_windows + first, n_windows + stop))
            cols.extend([j] * (stop - first))
        n_windows += last + 1
    occurrences = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.int64), (rows, cols)), shape=(n_windows, len(terms))
    )
    occurrences.data[:] = 1  # duplicates were summed: keep presence only
    return occurrences


def npmi_coherence(top_terms, reference_token_lists, *, window: int | None = None) -> list[float]:
    """Mean NPMI over all pairs of each topic's terms, one value per topic (range -1..1).

    top_terms: list of topics, each a list of terms (use the top 10).
    reference_token_lists: the reference texts (passages' ``tokens``).
    window: None = co-occurrence within the same passage; an int = gensim's sliding window.
    """
    topics = [list(topic) for topic in top_terms]
    if not topics:
        raise ValueError("top_terms is empty: pass at least one topic")
    short = [i + 1 for i, topic in enumerate(topics) if len(topic) < 2]
    if short:
        raise ValueError(f"topics {short} have fewer than 2 terms: NPMI needs word pairs")
    terms = sorted({term for topic in topics for term in topic})
    occurrences = occurrence_matrix(terms, reference_token_lists, window=window)
    n_windows = occurrences.shape[0]
    if n_windows == 0:
        raise ValueError("reference_token_lists is empty: pass the passages' tokens")
    counts = (occurrences.T @ occurrences).toarray()
    missing = [term for j, term in enumerate(terms) if counts[j, j] == 0]
    if missing:
        raise ValueError(f"terms never occur in the reference texts: {missing[:10]}")
    index = {term: j for j, term in enumerate(terms)}
    probability = counts / n_windows
    scores = []
    for topic in topics:
        ids = np.array([index[term] for term in topic])
        first, second = np.triu_indices(len(ids), k=1)
        a, b = ids[first], ids[second]
        joint = probability[a, b]
        ratio = np.log((joint + EPSILON) / (probability[a, a] * probability[b, b]))
        scores.append(float(np.mean(ratio / -np.log(joint + EPSILON))))
    return scores


def topic_diversity(top_terms) -> float:
    """Share of unique terms among all top terms of all topics (Dieng et al. 2020), 0..1."""
    all_terms = [term for topic in top_terms for term in topic]
    if not all_terms:
        raise ValueError("top_terms is empty: pass at least one topic with terms")
    return len(set(all_terms)) / len(all_terms)


def jaccard(a, b) -> float:
    """Jaccard similarity of two term lists taken as sets."""
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a | b else 1.0


def match_topics(a, b) -> tuple[list[tuple[int, int]], list[float]]:
    """Match topics of run ``a`` to topics of run ``b`` maximising total Jaccard similarity
    of their term lists (Hungarian algorithm). Returns 0-based index pairs ``(i, j)`` and the
    Jaccard similarity of each pair; runs of different sizes match min(len(a), len(b)) topics."""
    if not len(a) or not len(b):
        raise ValueError("match_topics needs two non-empty lists of topics")
    similarity = np.array([[jaccard(x, y) for y in b] for x in a])
    rows, cols = linear_sum_assignment(similarity, maximize=True)
    pairs = [(int(i), int(j)) for i, j in zip(rows, cols, strict=True)]
    return pairs, [float(similarity[i, j]) for i, j in pairs]


def stability(runs_top_terms) -> float:
    """Agreement between runs (Greene, O'Callaghan & Cunningham 2014): for every pair of runs,
    the mean Jaccard similarity of optimally matched topics; averaged over pairs, 0..1.

    runs_top_terms: list of runs, each a list of topics, each a list of terms.
    """
    runs = list(runs_top_terms)
    if len(runs) < 2:
        raise ValueError(f"stability needs at least 2 runs, got {len(runs)}")
    agreements = [
        np.mean(match_topics(runs[i], runs[j])[1])
        for i in range(len(runs))
        for j in range(i + 1, len(runs))
    ]
    return float(np.mean(agreements))
