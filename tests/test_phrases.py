import math

import pandas as pd
import pytest

from nqpf.phrases import (
    PHRASE_COLUMNS,
    detect_phrases,
    load_phrases,
    merge_all,
    merge_phrases,
    save_phrases,
)

# "rare earth" always occurs together (npmi 1); "talent" and "policy" also occur apart.
TOKEN_LISTS = [
    ["rare", "earth", "talent", "policy"],
    ["rare", "earth", "talent"],
    ["policy", "talent", "policy", "rare", "earth"],
    ["talent", "policy"],
]


def npmi_by_hand(c_ab, c_a, c_b, n):
    p_ab, p_a, p_b = c_ab / n, c_a / n, c_b / n
    return math.log(p_ab / (p_a * p_b)) / -math.log(p_ab)


def test_detect_phrases_npmi_matches_formula():
    table = detect_phrases(TOKEN_LISTS, min_count=1, threshold=-1)
    assert list(table.columns) == PHRASE_COLUMNS
    scores = dict(zip(table["phrase"], table["npmi"], strict=True))
    # N = 14 tokens; c(rare) = c(earth) = 3, c(talent) = c(policy) = 4;
    # c(rare earth) = 3, c(talent policy) = 3, c(earth talent) = 2
    assert scores["rare_earth"] == pytest.approx(1.0)
    assert scores["rare_earth"] == pytest.approx(npmi_by_hand(3, 3, 3, 14))
    assert scores["talent_policy"] == pytest.approx(npmi_by_hand(3, 4, 4, 14))
    assert scores["talent_policy"] == pytest.approx(math.log(21 / 8) / math.log(14 / 3))
    assert scores["earth_talent"] == pytest.approx(npmi_by_hand(2, 3, 4, 14))
    assert scores["earth_talent"] == pytest.approx(math.log(7 / 3) / math.log(7))
    assert table.loc[0, "phrase"] == "rare_earth"
    assert table.loc[0, ["first", "second", "count"]].tolist() == ["rare", "earth", 3]
    assert table["npmi"].is_monotonic_decreasing


@pytest.mark.parametrize(
    ("min_count", "threshold", "max_phrases", "expected"),
    [
        (3, 0.3, None, ["rare_earth", "talent_policy"]),
        (3, 0.7, None, ["rare_earth"]),
        (4, -1, None, []),
        (2, -1, None, ["rare_earth", "talent_policy", "earth_talent"]),
        (2, -1, 1, ["rare_earth"]),
        (1, 0.99, None, ["rare_earth"]),
    ],
)
def test_detect_phrases_filters(min_count, threshold, max_phrases, expected):
    table = detect_phrases(
        TOKEN_LISTS, min_count=min_count, threshold=threshold, max_phrases=max_phrases
    )
    assert table["phrase"].tolist() == expected


def test_detect_phrases_sorts_ties_by_count_then_phrase():
    lists = [["a", "b"], ["c", "d"], ["c", "d"], ["e", "f"]]
    table = detect_phrases(lists, min_count=1, threshold=-1)
    assert table["npmi"].tolist() == pytest.approx([1.0, 1.0, 1.0])
    assert table["phrase"].tolist() == ["c_d", "a_b", "e_f"]


def test_detect_phrases_skips_existing_phrase_tokens():
    lists = [["new_quality_productive_forces", "talent"]] * 5
    assert detect_phrases(lists, min_count=1).empty


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"token_lists": "rare earth"}, "str"),
        ({"token_lists": ["rare earth"]}, r"token_lists\[0\]"),
        ({"token_lists": []}, "token_lists is empty"),
        ({"token_lists": pd.DataFrame({"tokens": [["a"]]})}, r"pass passages\['tokens'\]"),
        ({"token_lists": [], "min_count": 0}, "min_count"),
        ({"token_lists": [], "threshold": 2}, "threshold"),
        ({"token_lists": [], "max_phrases": -1}, "max_phrases"),
    ],
)
def test_detect_phrases_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        detect_phrases(**kwargs)


@pytest.mark.parametrize(
    ("tokens", "phrases", "expected"),
    [
        (["rare", "earth", "talent"], ["rare_earth"], ["rare_earth", "talent"]),
        (["a", "b", "c"], ["a_b", "b_c"], ["a_b", "c"]),  # greedy left to right
        (["x", "a", "b", "c"], ["b_c", "a_b"], ["x", "a_b", "c"]),
        (["a", "a", "a"], ["a_a"], ["a_a", "a"]),
        (["b", "a"], ["a_b"], ["b", "a"]),  # order matters
        ([], ["a_b"], []),
        (["a", "b"], [], ["a", "b"]),
    ],
)
def test_merge_phrases(tokens, phrases, expected):
    assert merge_phrases(tokens, phrases) == expected


def test_merge_all_merges_each_list():
    token_lists = [["rare", "earth", "x"], [], ["a", "b", "rare", "earth"]]
    assert merge_all(token_lists, ["rare_earth", "a_b"]) == [
        merge_phrases(tokens, ["rare_earth", "a_b"]) for tokens in token_lists]
    with pytest.raises(ValueError, match="got a str"):
        merge_all(["rare earth"], ["rare_earth"])


def test_merge_phrases_accepts_detected_table():
    table = detect_phrases(TOKEN_LISTS, min_count=3)
    assert merge_phrases(["policy", "rare", "earth"], table) == ["policy", "rare_earth"]


@pytest.mark.parametrize("phrases", [["a_b_c"], ["ab"], ["_b"], "a_b"])
def test_merge_phrases_bad_phrases(phrases):
    with pytest.raises(ValueError, match="a_b"):
        merge_phrases(["a", "b"], phrases)


def test_save_load_roundtrip(tmp_path):
    table = detect_phrases(TOKEN_LISTS, min_count=1, threshold=-1)
    path = save_phrases(table, tmp_path / "sub" / "phrases.csv")
    loaded = load_phrases(path)
    pd.testing.assert_frame_equal(loaded, table)


def test_load_edited_phrase_file(tmp_path):
    path = tmp_path / "phrases.csv"
    path.write_text("phrase\nrare_earth\ncutting_edge\n", encoding="utf-8")
    table = load_phrases(path)
    assert table["first"].tolist() == ["rare", "cutting"]
    assert table["second"].tolist() == ["earth", "edge"]
    assert table["count"].isna().all()
    assert merge_phrases(["cutting", "edge"], table) == ["cutting_edge"]


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        ("first,second\na,b\n", ValueError, "phrase"),
        ("phrase\na_b_c\n", ValueError, "a_b_c"),
        ('phrase,count\n"a_b,3\n', ValueError, "cannot read phrase CSV"),
        ("", ValueError, "cannot read phrase CSV"),
    ],
)
def test_load_bad_phrase_file(tmp_path, content, error, message):
    path = tmp_path / "phrases.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(error, match=message):
        load_phrases(path)


def test_load_missing_phrase_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="none.csv"):
        load_phrases(tmp_path / "none.csv")


def test_save_rejects_incomplete_table(tmp_path):
    with pytest.raises(ValueError, match="npmi"):
        save_phrases(pd.DataFrame({"phrase": ["a_b"]}), tmp_path / "x.csv")
