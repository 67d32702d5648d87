import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.models import CoherenceModel

from nqpf.coherence import (
    match_topics,
    npmi_coherence,
    occurrence_matrix,
    stability,
    topic_diversity,
)

VOCAB = [f"w{i}" for i in range(40)]


def random_texts(*, repeats: bool):
    """120 texts of 5..39 tokens (plus one empty text) and 5 topics of 10 terms."""
    rng = np.random.default_rng(0)
    texts = [
        rng.choice(VOCAB, size=rng.integers(5, 40), replace=repeats).tolist() for _ in range(120)
    ] + [[]]
    topics = [rng.choice(VOCAB, size=10, replace=False).tolist() for _ in range(5)]
    return texts, topics


def gensim_npmi(topics, texts, window_size):
    model = CoherenceModel(
        topics=topics, texts=texts, dictionary=Dictionary(texts), coherence="c_npmi",
        window_size=window_size, topn=10, processes=1,
    )
    return model.get_coherence_per_topic()


@pytest.mark.parametrize(
    ("window", "repeats"),
    [
        # whole passage = gensim with a window at least as long as the longest text
        (None, True),
        (None, False),
        # sliding windows agree with gensim when no token repeats inside a window (gensim's
        # accumulator drops a term when an earlier copy leaves the window)
        (10, False),
        (25, False),
    ],
)
def test_npmi_matches_gensim(window, repeats):
    texts, topics = random_texts(repeats=repeats)
    window_size = window or max(len(text) for text in texts)
    expected = gensim_npmi(topics, texts, window_size)
    assert npmi_coherence(topics, texts, window=window) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("texts", "topic", "expected"),
    [
        ([["a", "b"], ["a", "b"], ["c"]], ["a", "b"], 1.0),  # always together
        ([["a", "b"], ["a"], ["b"], []], ["a", "b"], 0.0),  # independent
        ([["a", "b", "c"], ["a", "b"], ["c"]], ["a", "b", "c"], (1 + 2 * -0.2618595) / 3),
    ],
)
def test_npmi_hand_examples(texts, topic, expected):
    assert npmi_coherence([topic], texts) == pytest.approx([expected], abs=1e-6)


@pytest.mark.parametrize(
    ("tokens", "window", "expected"),
    [
        (["a", "b", "c", "d"], None, [[1, 1]]),
        (["a", "b", "c", "d"], 2, [[1, 0], [0, 0], [0, 1]]),
        (["a", "x", "x", "d"], 3, [[1, 0], [0, 1]]),
        (["a", "d"], 5, [[1, 1]]),  # shorter than the window: one window
    ],
)
def test_occurrence_matrix(tokens, window, expected):
    matrix = occurrence_matrix(["a", "d"], [tokens], window=window)
    assert matrix.toarray().tolist() == expected


@pytest.mark.parametrize(
    ("top_terms", "reference", "message"),
    [
        ([["a", "zzz"]], [["a", "b"]], "never occur"),
        ([["a"]], [["a", "b"]], "fewer than 2 terms"),
        ([], [["a", "b"]], "top_terms is empty"),
        ([["a", "b"]], [], "reference_token_lists is empty"),
    ],
)
def test_npmi_errors(top_terms, reference, message):
    with pytest.raises(ValueError, match=message):
        npmi_coherence(top_terms, reference)


@pytest.mark.parametrize(
    ("top_terms", "expected"),
    [
        ([["a", "b"], ["c", "d"]], 1.0),
        ([["a", "b"], ["a", "b"]], 0.5),
        ([["a", "b", "c"], ["a", "d", "e"]], 5 / 6),
    ],
)
def test_topic_diversity(top_terms, expected):
    assert topic_diversity(top_terms) == pytest.approx(expected)


RUN = [["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"]]


@pytest.mark.parametrize(
    ("runs", "expected"),
    [
        ([RUN, RUN], 1.0),
        ([RUN, RUN[::-1], [RUN[1], RUN[2], RUN[0]]], 1.0),  # permuted topics still match
        ([RUN, [["x", "y", "z"], ["u", "v", "w"], ["p", "q", "r"]]], 0.0),
        ([RUN, [["a", "b", "x"], ["d", "e", "f"], ["g", "h", "i"]]], (0.5 + 1 + 1) / 3),
    ],
)
def test_stability(runs, expected):
    assert stability(runs) == pytest.approx(expected)


def test_match_topics_finds_permutation():
    pairs, jaccards = match_topics(RUN, [RUN[2], RUN[0], RUN[1]])
    assert pairs == [(0, 1), (1, 2), (2, 0)]
    assert jaccards == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stability([RUN]), "at least 2 runs"),
        (lambda: match_topics([], RUN), "non-empty"),
        (lambda: topic_diversity([]), "empty"),
        (lambda: occurrence_matrix(["a"], [["a"]], window=0), "window"),
    ],
)
def test_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
