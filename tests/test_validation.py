import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score, cohen_kappa_score, normalized_mutual_info_score

from nqpf import selection, validation
from nqpf.validation import (
    agreement,
    agreement_table,
    baseline_topics,
    coded_topics,
    coder_agreement,
    cohen_kappa,
    confusion,
    krippendorff_alpha,
    label_scores,
    load_coding,
    map_coding,
    matched_topics,
    read_coding,
)

# one document of 300 characters, three passages with a one-character gap between them
DOCS = pd.DataFrame({"doc_id": ["d", "e"], "text": ["x" * 300, "y" * 50]})
PASSAGES = pd.DataFrame({"doc_id": ["d", "d", "d", "e"], "passage_id": [1, 2, 3, 1],
                         "start": [0, 101, 201, 0], "end": [100, 200, 300, 50]})


def write(tmp_path, text, name="coding.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def coding_table(rows, columns=("doc_id", "start", "end", "label")):
    table = pd.DataFrame(rows, columns=list(columns)).astype(str)
    return table.assign(line=np.arange(2, len(table) + 2))


# ---- reading and mapping -------------------------------------------------------------------


@pytest.mark.parametrize("span, passages", [
    ((0, 100), [1]),            # exactly a passage
    ((80, 130), [2]),           # straddles 1|2: 20 chars in 1, 29 in 2 (58% of the span)
    ((90, 110), [1]),           # straddles 1|2: half the span in 1 (10 of 20), 9 in 2
    ((50, 250), [1, 2]),        # half of 1, all of 2, 49% of 3 (and 24.5% of the span)
    ((0, 300), [1, 2, 3]),      # the whole document
    ((150, 160), [2]),          # inside a passage
])
def test_spans_label_the_passages_they_mostly_cover(span, passages):
    coding = map_coding(coding_table([("d", *span, "a")]), DOCS, PASSAGES)
    assert coding.labels["passage_id"].tolist() == passages
    assert coding.problems.empty
    row = coding.mapping.iloc[0]
    assert row["overlap"] == min(span[1], PASSAGES["end"][passages[0] - 1]) - max(
        span[0], PASSAGES["start"][passages[0] - 1])


def test_mapping_report_gives_overlap_shares():
    coding = map_coding(coding_table([("d", 80, 130, "a")]), DOCS, PASSAGES)
    row = coding.mapping.iloc[0]
    assert (row["line"], row["passage_id"], row["overlap"]) == (2, 2, 29)
    assert row["span_share"] == pytest.approx(29 / 50)
    assert row["passage_share"] == pytest.approx(29 / 99)


@pytest.mark.parametrize("row, problem", [
    (("x", 0, 10, "a"), "unknown document 'x'"),
    (("", 0, 10, "a"), "no doc_id"),
    (("d", 0, 10, " "), "empty label"),
    (("d", 0, 301, "a"), "out of range: the text of d has 300 characters"),
    (("d", 20, 20, "a"), "start must be below end"),
    (("d", "ten", 20, "a"), "whole numbers"),
    (("d", 100, 101, "a"), "outside nqpf's passages"),
    (("d", 60, 141, "a"), "covers less than 50% of any passage"),
])
def test_bad_rows_are_listed_with_their_line(row, problem):
    coding = map_coding(coding_table([("d", 0, 100, "a"), row]), DOCS, PASSAGES)
    assert coding.labels["passage_id"].tolist() == [1]
    assert coding.problems["line"].tolist() == [3]
    assert problem in coding.problems["problem"].iloc[0]


def test_passage_ids_and_offsets_in_one_file(tmp_path):
    path = write(tmp_path, "doc_id,passage_id,start,end,label,note\n"
                           "d,2,,,b,read twice\n"
                           "d,,80,130,a,\n"
                           "e,1,,,c,\n"
                           "e,4,,,c,\n")
    coding = load_coding(path, DOCS, PASSAGES)
    assert coding.labels.to_dict("list") == {"doc_id": ["d", "e"], "passage_id": [2, 1],
                                             "label": ["b", "c"]}
    problems = coding.problems.set_index("line")["problem"]
    assert "several labels from lines [2, 3]: 'b' (99 characters), 'a' (29 characters); " \
           "kept 'b'" in problems[2]
    assert "passage_id '4' is not a passage of e (it has 1..1)" in problems[5]


def test_second_coder_may_leave_rows_empty(tmp_path):
    path = write(tmp_path, "doc_id,passage_id,label,label_2\nd,1,a,a\nd,2,b,\nd,3,b,a\n")
    labels = load_coding(path, DOCS, PASSAGES).labels
    assert labels["label_2"].isna().tolist() == [False, True, False]
    table = coder_agreement(labels)
    assert table.loc[0, "units"] == 2 and table.loc[0, "percent"] == 0.5


@pytest.mark.parametrize("text, message", [
    ("doc_id,label\nd,a\n", "either a passage_id column or start and end"),
    ("doc_id,start,end\nd,0,1\n", "missing column(s) ['label']"),
    ("doc_id,passage_id,label\n", "no coded rows"),
    ("", "cannot read coding CSV"),
])
def test_unusable_files_are_refused_by_name(tmp_path, text, message):
    with pytest.raises(ValueError, match="coding") as error:
        read_coding(write(tmp_path, text))
    assert message in str(error.value)


def test_coded_topics_joins_the_dominant_topic():
    coding = map_coding(coding_table([("d", 0, 100, "a"), ("d", 101, 200, "b")]), DOCS, PASSAGES)
    topics = PASSAGES.assign(dominant_topic=pd.array([2, pd.NA, 1, 1], dtype="Int64"))
    table = coded_topics(coding, topics)
    assert table["topic"].tolist() == [2, validation.NO_TOPIC]
    named = topics.assign(dominant_topic=pd.array(["x", pd.NA, "y", "y"], dtype="string"))
    assert coded_topics(coding, named)["topic"].tolist() == ["x", validation.NO_TOPIC_NAME]
    with pytest.raises(ValueError, match="not in passage_topics"):
        coded_topics(coding, topics.iloc[2:])


# ---- agreement measures --------------------------------------------------------------------

LABELS = ["a", "a", "a", "b", "b", "c"]
TOPICS = [1, 1, 2, 2, 2, 1]


def test_confusion_is_the_hand_counted_table():
    table = confusion(LABELS, TOPICS)
    assert table.to_numpy().tolist() == [[2, 1], [0, 2], [1, 0]]
    assert table.index.tolist() == ["a", "b", "c"] and table.columns.tolist() == [1, 2]


def test_hungarian_matching_and_per_label_scores_by_hand():
    assert matched_topics(confusion(LABELS, TOPICS)) == {"a": 1, "b": 2}
    scores = label_scores(LABELS, TOPICS).set_index("label")
    # a: topic 1 holds a, a, c -> precision 2/3, recall 2/3; b: topic 2 holds a, b, b
    assert scores.loc["a", ["both", "n_topic", "n_coded"]].tolist() == [2, 3, 3]
    assert scores.loc["a", "precision"] == pytest.approx(2 / 3)
    assert scores.loc["b", "precision"] == pytest.approx(2 / 3)
    assert scores.loc["b", "recall"] == 1.0
    assert scores.loc["c", "topic"] is None and scores.loc["c", "f1"] == 0.0


def test_matching_is_one_to_one_not_greedy():
    # greedy would give topic 1 to "a" (3 passages) and leave "b" with topic 2 (0 passages)
    labels = ["a"] * 3 + ["a"] * 2 + ["b"] * 3
    topics = [1] * 3 + [2] * 2 + [1] * 3
    assert matched_topics(confusion(labels, topics)) == {"a": 2, "b": 1}


def test_agreement_equals_scikit_learn():
    rng = np.random.default_rng(0)
    labels = rng.choice(list("abcd"), 200)
    topics = rng.integers(1, 6, 200)
    result = agreement(labels, topics)
    assert result["nmi"] == pytest.approx(normalized_mutual_info_score(labels, topics))
    assert result["ari"] == pytest.approx(adjusted_rand_score(labels, topics))
    assert agreement(LABELS, TOPICS)["matched"] == pytest.approx(4 / 6)
    perfect = agreement(LABELS, ["x", "x", "x", "y", "y", "z"])
    assert perfect["nmi"] == pytest.approx(1) and perfect["macro_f1"] == 1.0


def test_agreement_table_has_one_row_per_model():
    table = agreement_table(LABELS, {"model": TOPICS, "same": LABELS})
    assert table.index.tolist() == ["model", "same"]
    assert table.loc["same", "nmi"] == pytest.approx(1.0)
    assert table.loc["model", "k"] == 2 and table.loc["model", "n"] == 6


def test_agreement_rejects_uneven_or_missing_input():
    with pytest.raises(ValueError, match="6 labels but 5 topics"):
        agreement(LABELS, TOPICS[:5])
    with pytest.raises(ValueError, match="missing values"):
        agreement(["a", None], [1, 2])


# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", example A: two observers,
# binary data, 10 units: alpha = 0.095. Cohen's kappa by hand: p_o = 0.6,
# p_e = 0.8 * 0.6 + 0.2 * 0.4 = 0.56, kappa = 0.04 / 0.44.
CODER_A = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
CODER_B = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]


def test_two_coder_agreement_by_hand():
    assert krippendorff_alpha(CODER_A, CODER_B) == pytest.approx(1 - 0.4 / (168 / 380))
    assert round(krippendorff_alpha(CODER_A, CODER_B), 3) == 0.095
    assert cohen_kappa(CODER_A, CODER_B) == pytest.approx(0.04 / 0.44)
    assert cohen_kappa(CODER_A, CODER_B) == pytest.approx(cohen_kappa_score(CODER_A, CODER_B))


def test_two_coder_agreement_skips_units_only_one_coded():
    a = ["x", "y", "x", None, "y"]
    b = ["x", "y", "y", "x", None]
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a[:3], b[:3]))
    assert krippendorff_alpha(a, b) == pytest.approx(krippendorff_alpha(a[:3], b[:3]))
    assert krippendorff_alpha(["x", "x"], ["x", "x"]) == 1.0
    with pytest.raises(ValueError, match="no unit was coded by both"):
        krippendorff_alpha(["x", None], [None, "y"])


def test_baseline_topics_are_sklearn_defaults():
    texts = ["red apple fruit", "green apple fruit", "fast car road", "slow car road"] * 3
    topics = baseline_topics(texts, 2)
    assert set(topics) == {1, 2}
    assert len(set(topics[[0, 1]])) == 1 and topics[0] != topics[2]
    assert baseline_topics(texts + ["!!!"], 2)[-1] == validation.NO_TOPIC


def test_agreement_by_k_peaks_at_the_planted_number_of_themes():
    rng = np.random.default_rng(0)
    vocabs = [[f"t{t}w{i}" for i in range(15)] for t in range(3)]
    planted = np.arange(90) % 3
    texts = [rng.choice(vocabs[t], 30).tolist() + rng.choice(["bg1", "bg2", "bg3"], 4).tolist()
             for t in planted]
    passages = pd.DataFrame({"doc_id": "d", "passage_id": range(1, 91),
                             "start": np.arange(90) * 10, "end": np.arange(90) * 10 + 9,
                             "tokens": texts})
    docs = pd.DataFrame({"doc_id": ["d"], "text": ["x" * 900]})
    table = passages[["doc_id", "passage_id"]].astype(str).assign(
        label=[f"theme {t}" for t in planted])
    coding = map_coding(table.assign(line=np.arange(2, 92)), docs, passages)
    result = selection.agreement_by_k(passages, coding, [2, 3, 5])
    assert result["k"].tolist() == [2, 3, 5] and (result["n"] == 90).all()
    assert result.set_index("k")["nmi"].idxmax() == 3
    assert result.set_index("k").loc[3, "nmi"] == pytest.approx(1.0)
