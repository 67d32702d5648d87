"""Tables behind map-like figures: Jensen–Shannon distances between topics, classical
(Torgerson) scaling of a distance matrix to 2-D, topic prevalence, passage-level term
co-occurrence edges and a seeded spring layout for networks. Tables and coordinates only;
``nqpf.figures`` (``bubble_map``, ``network``) draws them.
"""

import itertools

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial.distance import jensenshannon

from nqpf.checks import require_token_lists

TINY = 1e-12  # eigenvalues / coordinates below this are numerical noise


def _matrix(values, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {array.shape}")
    if not np.isfinite(array).all() or (array < 0).any():
        raise ValueError(f"{name} must hold finite, non-negative numbers")
    return array


def topic_distances(components) -> np.ndarray:
    """Jensen–Shannon distance (base 2, 0 = same, 1 = no shared terms) between every pair of
    topics. components: (n_topics, n_terms) term weights (e.g. ``TopicModel.components_``),
    rows non-negative and not all zero -> (n_topics, n_topics) symmetric, zero diagonal."""
    components = _matrix(components, "components")
    empty = np.flatnonzero(components.sum(axis=1) == 0)
    if len(empty):
        raise ValueError(f"components row(s) {empty.tolist()} are all zero: no distribution")
    n = len(components)
    distances = np.zeros((n, n))
    for i, j in itertools.combinations(range(n), 2):
        distances[i, j] = distances[j, i] = jensenshannon(components[i], components[j], base=2)
    return distances


def classical_mds(distances, *, n_components: int = 2) -> np.ndarray:
    """Classical (Torgerson) multidimensional scaling, as in LDAvis' default map.

    distances: (n, n) symmetric, zero diagonal -> coordinates (n, n_components), centred on 0.
    Deterministic: no random start; each axis is flipped so that its largest absolute
    coordinate is positive. Axes beyond the data's dimensions (e.g. the 2nd of 2 points) are 0.
    """
    distances = _matrix(distances, "distances")
    n = len(distances)
    if distances.shape != (n, n) or not np.allclose(distances, distances.T):
        raise ValueError(f"distances must be a square symmetric matrix, got {distances.shape}")
    if n_components < 1:
        raise ValueError(f"n_components must be >= 1, got {n_components}")
    centring = np.eye(n) - 1 / n
    gram = -0.5 * centring @ distances**2 @ centring
    values, vectors = np.linalg.eigh(gram)
    order = np.argsort(-values, kind="stable")[:n_components]
    values = np.where(values[order] > TINY, values[order], 0.0)
    coords = np.zeros((n, n_components))
    coords[:, : len(order)] = vectors[:, order] * np.sqrt(values)
    coords[np.abs(coords) < TINY] = 0.0
    for axis in coords.T:
        if axis[np.argmax(np.abs(axis))] < 0:
            axis *= -1
    return coords + 0.0  # no negative zeros


def topic_prevalence(doc_topic, lengths) -> np.ndarray:
    """Share of all tokens assigned to each topic (as LDAvis sizes its bubbles).

    doc_topic: (n_passages, n_topics), rows sum to 1 or 0; lengths: (n_passages,) tokens per
    passage -> (n_topics,) summing to 1.
    """
    doc_topic = _matrix(doc_topic, "doc_topic")
    lengths = np.asarray(lengths, dtype=float)
    if lengths.shape != (len(doc_topic),) or (lengths < 0).any():
        raise ValueError(f"lengths must be {len(doc_topic)} non-negative numbers (one per "
                         f"passage), got shape {lengths.shape}")
    totals = lengths @ doc_topic
    if totals.sum() == 0:
        raise ValueError("no passage has both tokens and a topic weight: prevalence undefined")
    return totals / totals.sum()


def intertopic_map(components, prevalence, *, labels=None) -> pd.DataFrame:
    """Intertopic distance map: Jensen–Shannon distances between topics scaled to 2-D.

    components: (n_topics, n_terms); prevalence: (n_topics,) e.g. from ``topic_prevalence``;
    labels: n_topics names (default "T1", "T2", …). Returns DataFrame(topic (1-based), label,
    x, y, prevalence), one row per topic, ready for ``figures.bubble_map``.
    """
    coords = classical_mds(topic_distances(components))
    n = len(coords)
    prevalence = np.asarray(prevalence, dtype=float)
    if prevalence.shape != (n,):
        raise ValueError(f"prevalence must hold {n} values (one per topic), got {prevalence.shape}")
    labels = [f"T{k}" for k in range(1, n + 1)] if labels is None else list(labels)
    if len(labels) != n:
        raise ValueError(f"labels must hold {n} names (one per topic), got {len(labels)}")
    return pd.DataFrame({"topic": np.arange(1, n + 1), "label": labels, "x": coords[:, 0],
                         "y": coords[:, 1], "prevalence": prevalence})


def cooccurrence_edges(token_lists, terms, *, min_count: int = 1) -> pd.DataFrame:
    """How many passages contain both terms, for every pair of ``terms``.

    token_lists: one token list per passage (``passages["tokens"]``); terms: the tokens to
    link (e.g. the 25 most frequent). Returns DataFrame(source, target, passages) with
    ``source < target`` alphabetically and ``passages >= min_count``, sorted by ``passages``
    descending, then source, target — the edges for ``figures.network``.
    """
    terms = sorted(set(terms))
    if len(terms) < 2:
        raise ValueError(f"terms must name at least 2 distinct tokens, got {terms}")
    token_lists = require_token_lists(token_lists, "token_lists")
    index = {term: j for j, term in enumerate(terms)}
    rows, cols = [], []
    for i, tokens in enumerate(token_lists):
        present = {index[token] for token in tokens if token in index}
        rows += [i] * len(present)
        cols += sorted(present)
    incidence = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)),
                                  shape=(len(token_lists), len(terms)))
    counts = (incidence.T @ incidence).toarray()
    i, j = np.triu_indices(len(terms), k=1)
    edges = pd.DataFrame({"source": np.array(terms)[i], "target": np.array(terms)[j],
                          "passages": counts[i, j].astype("int64")})
    edges = edges[edges["passages"] >= max(min_count, 1)]
    return edges.sort_values(["passages", "source", "target"], ascending=[False, True, True],
                             ignore_index=True)


def spring_layout(weights: np.ndarray, *, random_state: int = 0,
                  iterations: int = 200) -> np.ndarray:
    """Fruchterman–Reingold layout with fixed seed.

    weights: (n, n) symmetric, >= 0 -> positions (n, 2) scaled into [-1, 1].
    """
    n = len(weights)
    rng = np.random.default_rng(random_state)
    pos = rng.uniform(-1, 1, size=(n, 2))
    if n == 1:
        return np.zeros((1, 2))
    w = weights / weights.max() if weights.max() > 0 else weights
    k = 1 / np.sqrt(n)
    step = 0.1
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.maximum(np.linalg.norm(delta, axis=-1), 0.01)
        force = k**2 / dist - w * dist**2 / k
        disp = (delta / dist[..., None] * force[..., None]).sum(axis=1) - 0.1 * pos
        length = np.maximum(np.linalg.norm(disp, axis=1), 0.01)
        pos += disp / length[:, None] * np.minimum(length, step)[:, None]
        step -= 0.1 / (iterations + 1)
    pos -= pos.mean(axis=0)
    return pos / np.abs(pos).max()
