import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from nqpf.keyness import (
    comparison_problem,
    count_matrix,
    empty_keyness,
    g2,
    keyness,
    keyness_by,
    log_ratio,
)

# 2x2 tables: term count a (target), b (reference); corpus sizes c (target), d (reference).
# E1 = c(a+b)/(c+d), E2 = d(a+b)/(c+d), G2 = 2(a ln(a/E1) + b ln(b/E2)), LR = log2((a/c)/(b/d)).
TABLES = [
    # E1 = 1000*15/3000 = 5, E2 = 10; G2 = 2(10 ln 2 + 5 ln 0.5) = 10 ln 2; LR = log2(.01/.0025) = 2
    ((10, 5, 1000, 2000), 6.931471805599453, 2.0),
    # E1 = 100*4/400 = 1, E2 = 3; G2 = 2(3 ln 3 + 1 ln 1/3) = 4 ln 3; LR = log2(.03/(1/300))=log2 9
    ((3, 1, 100, 300), 4.394449154672438, 3.169925001442312),
    # a = 0: E2 = 5, G2 = 2(0 + 10 ln 2) = 20 ln 2; LR with a -> 0.5: log2(.0005/.01) = log2 .05
    ((0, 10, 1000, 1000), 13.862943611198906, -4.321928094887363),
    # b = 0: E1 = 1000*20/4000 = 5, G2 = 2 * 20 ln 4 = 40 ln 4; LR = log2(.02/(.5/3000)) = log2 120
    ((20, 0, 1000, 3000), 55.451774444795625, 6.906890595608519),
    # same relative frequency: G2 = 0, LR = 0
    ((5, 5, 1000, 1000), 0.0, 0.0),
    ((2, 6, 100, 300), 0.0, 0.0),
]


@pytest.mark.parametrize(("table", "expected_g2", "expected_lr"), TABLES)
def test_g2_and_log_ratio_match_hand_computed_tables(table, expected_g2, expected_lr):
    assert g2(*table) == pytest.approx(expected_g2, abs=1e-12)
    assert log_ratio(*table) == pytest.approx(expected_lr, abs=1e-12)


@pytest.mark.parametrize(("table", "expected_g2", "expected_lr"), TABLES)
def test_swapping_target_and_reference_keeps_g2_and_negates_log_ratio(table, expected_g2,
                                                                      expected_lr):
    a, b, c, d = table
    assert g2(b, a, d, c) == pytest.approx(expected_g2, abs=1e-12)
    assert log_ratio(b, a, d, c) == pytest.approx(-expected_lr, abs=1e-12)


def test_g2_is_vectorised_and_zero_when_term_is_absent():
    tables = np.array([t for t, _, _ in TABLES] + [(0, 0, 10, 10)], dtype=float).T
    expected = [g for _, g, _ in TABLES] + [0.0]
    np.testing.assert_allclose(g2(*tables), expected, atol=1e-12)


def test_keyness_columns_values_and_direction():
    target = Counter({"nqpf": 10, "other": 990})
    reference = Counter({"nqpf": 5, "other": 1995})
    table = keyness(target, reference).set_index("term")
    assert list(table.columns) == ["target_count", "reference_count", "target_per_1000",
                                   "reference_per_1000", "g2", "log_ratio", "p_value",
                                   "significant", "direction"]
    row = table.loc["nqpf"]
    assert (row.target_count, row.reference_count) == (10, 5)
    assert row.target_per_1000 == pytest.approx(10.0)
    assert row.reference_per_1000 == pytest.approx(2.5)
    assert row.g2 == pytest.approx(6.931471805599453)  # same table as TABLES[0]
    assert row.log_ratio == pytest.approx(2.0)
    assert row.p_value == pytest.approx(0.008469, abs=1e-6)  # chi2(1) tail of 6.93
    assert row.direction == "+"
    assert table.loc["other", "direction"] == "-"


@pytest.mark.parametrize(
    ("alpha", "bonferroni", "significant"),
    [(0.01, False, True),    # p = 0.0085 < 0.01
     (0.005, False, False),  # p = 0.0085 >= 0.005
     (0.01, True, False)],   # 2 terms: p = 0.0085 >= 0.01 / 2
)
def test_keyness_significance_threshold(alpha, bonferroni, significant):
    table = keyness({"nqpf": 10, "other": 990}, pd.Series({"nqpf": 5, "other": 1995}),
                    alpha=alpha, bonferroni=bonferroni)
    assert table.set_index("term").loc["nqpf", "significant"] == significant


def test_keyness_keeps_terms_missing_from_one_side_sorted_by_g2():
    table = keyness({"a": 20, "b": 980}, {"b": 2980, "c": 20})
    assert table["term"].tolist()[-1] == "b"
    assert set(table["term"]) == {"a", "b", "c"}
    assert table["g2"].is_monotonic_decreasing
    assert table.set_index("term").loc["c", "target_count"] == 0


@pytest.mark.parametrize(
    ("target", "reference", "message"),
    [({}, {"a": 1}, "counts_target is empty"),
     ({"a": 1}, ["a"], "counts_reference must be"),
     ({"a": -1, "b": 2}, {"a": 1}, "negative")],
)
def test_keyness_rejects_bad_counts(target, reference, message):
    with pytest.raises(ValueError, match=message):
        keyness(target, reference)


def test_keyness_by_compares_each_group_with_the_rest():
    passages = pd.DataFrame({
        "doc_id": ["d1", "d1", "d2"],
        "tokens": [["x", "y"], ["x", "x"], ["y", "y", "z", "z"]],
    })
    table = keyness_by(passages, "doc_id")
    assert list(table.columns[:2]) == ["doc_id", "term"]
    row = table.set_index(["doc_id", "term"]).loc[("d1", "x")]
    # d1: x 3 of 4 tokens; rest (d2): x 0 of 4. E1 = 4*3/8 = 1.5; G2 = 2 * 3 ln 2 = 6 ln 2
    assert (row.target_count, row.reference_count) == (3, 0)
    assert row.g2 == pytest.approx(6 * math.log(2))
    assert row.log_ratio == pytest.approx(math.log2(3 / 0.5))


def test_keyness_by_only_the_chosen_groups_against_all_others():
    passages = pd.DataFrame({"doc_id": ["d1", "d2", "d3", "d1"],
                             "tokens": [["x", "y"], ["y", "z"], ["z", "z"], ["x"]]})
    every = keyness_by(passages, "doc_id")
    chosen = keyness_by(passages, "doc_id", groups=["d3", "d1"])
    assert list(chosen["doc_id"].unique()) == ["d1", "d3"]  # order of first appearance
    expected = every[every["doc_id"].isin(["d1", "d3"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(chosen, expected)
    with pytest.raises(ValueError, match=r"groups not found in 'doc_id': \['d9'\]"):
        keyness_by(passages, "doc_id", groups=["d1", "d9"])


@pytest.mark.parametrize(
    ("groups", "expected"),
    [(None, ["d1", "d3"]), (["d2", "d3"], ["d3"]), (["d2"], [])],
)
def test_keyness_by_gives_a_group_without_tokens_no_rows(groups, expected):
    """A one-word package summary such as "0" leaves a passage with no tokens (PyPI)."""
    passages = pd.DataFrame({"doc_id": ["d1", "d2", "d3"],
                             "tokens": [["x", "y"], [], ["z", "z"]]})
    table = keyness_by(passages, "doc_id", groups=groups)
    assert table["doc_id"].unique().tolist() == expected
    assert list(table.columns) == list(keyness_by(passages, "doc_id").columns)


@pytest.mark.parametrize(
    ("passages", "group_col", "message"),
    [(pd.DataFrame({"tokens": [["a"]]}), "genre", "missing column"),
     (pd.DataFrame({"genre": ["x", "x"], "tokens": [["a"], ["b"]]}), "genre", "two groups"),
     # B2: a passage without a genre would be dropped by groupby but still count as reference
     (pd.DataFrame({"genre": ["x", None, "y"], "tokens": [["a"], ["b"], ["c"]]}), "genre",
      r"'genre' has no value for 1 of 3 row\(s\).*fillna"),
     (pd.DataFrame({"genre": [np.nan, np.nan, "y"], "tokens": [["a"], ["b"], ["c"]]}), "genre",
      "no value for 2 of 3")],
)
def test_keyness_by_errors(passages, group_col, message):
    with pytest.raises(ValueError, match=message):
        keyness_by(passages, group_col)


@pytest.mark.parametrize(("table", "expected_g2"), [((3, 0, 3, 0), 0.0), ((0, 2, 0, 5), 0.0)])
def test_empty_corpus_side_gives_zero_g2_and_nan_log_ratio(table, expected_g2):
    assert g2(*table) == expected_g2
    assert np.isnan(log_ratio(*table))


@pytest.mark.parametrize(
    ("token_lists", "groups", "labels", "terms", "dense"),
    [
        ([["a", "b", "a"], ["b"]], None, [0, 1], ["a", "b"], [[2, 1], [0, 1]]),
        ([["a"], ["b"], ["a", "c"]], ["x", "y", "x"], ["x", "y"], ["a", "b", "c"],
         [[2, 0, 1], [0, 1, 0]]),
        ([[], ["z"]], ["x", "x"], ["x"], ["z"], [[1]]),
        ([[], []], ["x", "y"], ["x", "y"], [], [[], []]),
    ],
)
def test_count_matrix(token_lists, groups, labels, terms, dense):
    got_labels, got_terms, counts = count_matrix(token_lists, groups)
    assert list(got_labels) == labels and list(got_terms) == terms
    assert counts.shape == (len(labels), len(terms))
    np.testing.assert_array_equal(counts.toarray(), np.array(dense).reshape(counts.shape))


@pytest.mark.parametrize(
    ("tokens", "doc_ids", "problem"),
    [
        ([["a"], ["b"]], ["x", "y"], None),
        ([["a"], ["b"]], ["x", "x"], "1 doc_id value"),
        ([["a"], []], ["x", "y"], "1 doc_id value"),
    ],
)
def test_comparison_problem(tokens, doc_ids, problem):
    message = comparison_problem(pd.DataFrame({"tokens": tokens, "doc_id": doc_ids}), "doc_id")
    assert message == problem if problem is None else problem in message


def test_empty_keyness_has_keyness_by_columns():
    table = empty_keyness("doc_id")
    full = keyness_by(pd.DataFrame({"tokens": [["a"], ["b"]], "doc_id": ["x", "y"]}), "doc_id")
    assert table.empty and list(table.columns) == list(full.columns)
    assert (table.dtypes == full.dtypes).all()
