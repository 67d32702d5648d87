import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import pdist, squareform

from nqpf import layout

SAME_DIFFERENT = np.array([[1.0, 1.0, 0.0, 0.0], [2.0, 2.0, 0.0, 0.0], [0.0, 0.0, 1.0, 3.0]])


@pytest.mark.parametrize(
    ("components", "expected"),
    [
        (SAME_DIFFERENT, [[0, 0, 1], [0, 0, 1], [1, 1, 0]]),  # scale-free; disjoint -> 1
        ([[1, 0], [1, 1]], [[0, 0.5579230452], [0.5579230452, 0]]),  # sqrt(JS divergence)
    ],
)
def test_topic_distances(components, expected):
    assert np.allclose(layout.topic_distances(components), expected)


@pytest.mark.parametrize(
    ("components", "message"),
    [([[1, 0], [0, 0]], "all zero"), ([[1, -1], [1, 1]], "non-negative"), ([1, 2], "2-D"),
     ([[1, np.nan]], "finite")],
)
def test_topic_distances_rejects_bad_components(components, message):
    with pytest.raises(ValueError, match=message):
        layout.topic_distances(components)


POINTS = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0], [1.0, 1.0]])


@pytest.mark.parametrize(
    ("distances", "expected"),
    [
        ([[0, 2], [2, 0]], [[1, 0], [-1, 0]]),  # the second axis has no variance
        ([[0, 1, 1], [1, 0, 1], [1, 1, 0]], None),  # equilateral triangle
        (squareform(pdist(POINTS)), None),  # exact for Euclidean input
    ],
)
def test_classical_mds_reproduces_distances(distances, expected):
    coords = layout.classical_mds(distances)
    assert coords.shape == (len(distances), 2)
    assert np.allclose(squareform(pdist(coords)), distances)
    assert np.allclose(coords.mean(axis=0), 0)
    for axis in coords.T:  # sign convention: largest |value| is positive (or axis all 0)
        assert axis[np.argmax(np.abs(axis))] >= 0
    if expected is not None:
        assert np.array_equal(coords, expected)
        assert not (np.signbit(coords) & (coords == 0)).any()  # no negative zeros


@pytest.mark.parametrize(
    ("distances", "kwargs", "message"),
    [([[0, 1], [2, 0]], {}, "symmetric"), ([[0, 1, 1], [1, 0, 1]], {}, "square"),
     ([[0, 1], [1, 0]], {"n_components": 0}, "n_components"), ([[0, -1], [-1, 0]], {}, "negative")],
)
def test_classical_mds_rejects_bad_input(distances, kwargs, message):
    with pytest.raises(ValueError, match=message):
        layout.classical_mds(distances, **kwargs)


@pytest.mark.parametrize(
    ("doc_topic", "lengths", "expected"),
    [
        ([[1, 0], [0, 1]], [30, 10], [0.75, 0.25]),
        ([[0.5, 0.5], [0, 0]], [10, 99], [0.5, 0.5]),  # passage without topic weight ignored
        ([[0.2, 0.8], [0.6, 0.4]], [1, 1], [0.4, 0.6]),
    ],
)
def test_topic_prevalence(doc_topic, lengths, expected):
    assert np.allclose(layout.topic_prevalence(doc_topic, lengths), expected)


@pytest.mark.parametrize(
    ("doc_topic", "lengths", "message"),
    [([[1, 0]], [1, 2], "one per passage"), ([[0, 0]], [5], "undefined"),
     ([[1, 0]], [-1], "non-negative")],
)
def test_topic_prevalence_rejects_bad_input(doc_topic, lengths, message):
    with pytest.raises(ValueError, match=message):
        layout.topic_prevalence(doc_topic, lengths)


@pytest.mark.parametrize(
    ("labels", "expected_labels"),
    [(None, ["T1", "T2", "T3"]), (["talent", "tech", "reform"], ["talent", "tech", "reform"])],
)
def test_intertopic_map_table(labels, expected_labels):
    table = layout.intertopic_map(SAME_DIFFERENT, [0.2, 0.3, 0.5], labels=labels)
    assert list(table.columns) == ["topic", "label", "x", "y", "prevalence"]
    assert table["topic"].tolist() == [1, 2, 3]
    assert table["label"].tolist() == expected_labels
    assert table["prevalence"].tolist() == [0.2, 0.3, 0.5]
    xy = table[["x", "y"]].to_numpy()
    assert np.allclose(xy[0], xy[1])  # identical topics share a point
    assert np.isclose(np.linalg.norm(xy[2] - xy[0]), 1.0)  # disjoint topics: distance 1


@pytest.mark.parametrize(
    ("prevalence", "labels", "message"),
    [([0.5, 0.5], None, "prevalence"), ([0.2, 0.3, 0.5], ["a"], "labels")],
)
def test_intertopic_map_rejects_mismatched_lengths(prevalence, labels, message):
    with pytest.raises(ValueError, match=message):
        layout.intertopic_map(SAME_DIFFERENT, prevalence, labels=labels)


TOKENS = [["talent", "innovation", "talent"], ["talent", "reform"], ["innovation", "talent"],
          ["reform"], []]


@pytest.mark.parametrize(
    ("terms", "min_count", "expected"),
    [
        (["talent", "innovation", "reform"], 1,
         [("innovation", "talent", 2), ("reform", "talent", 1)]),
        (["talent", "innovation", "reform"], 2, [("innovation", "talent", 2)]),
        (["reform", "innovation", "unseen"], 1, []),  # no passage has both
        (["talent", "talent", "reform"], 0, [("reform", "talent", 1)]),  # zero never kept
    ],
)
def test_cooccurrence_edges(terms, min_count, expected):
    edges = layout.cooccurrence_edges(TOKENS, terms, min_count=min_count)
    assert list(edges.columns) == ["source", "target", "passages"]
    assert list(edges.itertuples(index=False, name=None)) == expected


@pytest.mark.parametrize(
    ("token_lists", "terms", "message"),
    [(TOKENS, ["talent"], "at least 2"), (["talent reform"], ["talent", "reform"], "strings"),
     ([], ["talent", "reform"], "empty"),
     (pd.DataFrame({"tokens": TOKENS}), ["talent", "reform"], r"DataFrame: pass passages")],
)
def test_cooccurrence_edges_rejects_bad_input(token_lists, terms, message):
    if not isinstance(token_lists, pd.DataFrame):
        token_lists = pd.Series(token_lists, dtype=object)
    with pytest.raises(ValueError, match=message):
        layout.cooccurrence_edges(token_lists, terms)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_spring_layout_is_seeded_and_scaled(n):
    weights = np.ones((n, n)) - np.eye(n)
    pos = layout.spring_layout(weights, random_state=3)
    assert pos.shape == (n, 2)
    assert np.abs(pos).max() <= 1.0 + 1e-12
    np.testing.assert_array_equal(pos, layout.spring_layout(weights, random_state=3))


def test_spring_layout_pulls_linked_nodes_together():
    weights = np.zeros((4, 4))
    weights[0, 1] = weights[1, 0] = weights[2, 3] = weights[3, 2] = 1.0  # two pairs
    pos = layout.spring_layout(weights)
    gap = np.linalg.norm(pos[:, None] - pos[None], axis=-1)
    assert max(gap[0, 1], gap[2, 3]) < min(gap[0, 2], gap[0, 3], gap[1, 2], gap[1, 3])
