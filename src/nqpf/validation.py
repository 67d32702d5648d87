"""Validating topics against a researcher's hand coding (Grimmer & Stewart: "validate,
validate, validate").

Hand coding comes as a CSV with one row per coded span: ``doc_id, start, end, label`` (character
offsets into the raw document text, as nqpf's passages use) or ``doc_id, passage_id, label``
(coded on nqpf's own passages), optionally ``label_2`` (a second coder's label for the same
span); other columns (a note, the coder's name) are kept out of the analysis. Spans are mapped
to nqpf's passages by character overlap (:func:`map_coding`), bad rows are listed, never
dropped silently.

Agreement of a coding with topics (the dominant topic of each coded passage, or any other
grouping): NMI and adjusted Rand (scikit-learn), per-label precision/recall against the
topic matched to it one-to-one by the Hungarian method, and a confusion table; agreement of
two coders by Cohen's kappa and Krippendorff's alpha (nominal). :func:`baseline_topics` is the
naive reference: scikit-learn's default ``TfidfVectorizer`` + ``NMF`` at the same K.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, cohen_kappa_score, normalized_mutual_info_score

from nqpf.checks import read_csv_table, require_columns

LABEL_COLUMNS = ("label", "label_2")
MIN_SHARE = 0.5  # a span labels a passage covering half of the span or half of the passage
NO_TOPIC = 0  # dominant topic of a passage without vocabulary, in agreement tables
NO_TOPIC_NAME = "no topic"  # the same where topics are named (guided topics)
MAPPING_COLUMNS = ["line", "doc_id", "start", "end", "passage_id", "overlap", "span_share",
                   "passage_share"]
PROBLEM_COLUMNS = ["line", "doc_id", "problem"]


@dataclass(frozen=True)
class Coding:
    """A hand coding mapped to nqpf's passages.

    ``labels``: one row per coded passage, ``doc_id, passage_id, label`` (+ ``label_2`` if the
    file had it; <NA> where the second coder gave none); ``mapping``: one row per (file row,
    passage it labels), ``line`` (line in the file, header = 1), ``doc_id, start, end,
    passage_id, overlap`` (characters shared), ``span_share`` and ``passage_share`` (overlap
    as a share of the span and of the passage); ``problems``: ``line, doc_id, problem``, one
    row per file row that labels no passage and per passage given different labels."""

    labels: pd.DataFrame
    mapping: pd.DataFrame
    problems: pd.DataFrame


def read_coding(path) -> pd.DataFrame:
    """The coding file at ``path`` as text: its columns plus ``line`` (line number in the
    file). Requires ``doc_id`` and ``label`` and either ``passage_id`` or ``start`` and
    ``end``; raises ValueError naming the file otherwise."""
    path = Path(path)
    table = read_csv_table(path, "coding", dtype=str, keep_default_na=False)
    table.columns = [str(column).strip() for column in table.columns]
    require_columns(table, ["doc_id", "label"], path.name)
    if "passage_id" not in table and not {"start", "end"} <= set(table):
        raise ValueError(f"{path.name}: give either a passage_id column or start and end "
                         f"columns (character offsets); it has {list(table.columns)}")
    if table.empty:
        raise ValueError(f"{path.name}: no coded rows")
    return table.assign(line=np.arange(2, len(table) + 2))


def _whole(value: str) -> int | None:
    """``value`` as a whole number, None if it is not one."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def _row_span(row, lengths: dict, passages_of: dict) -> tuple[int, int] | str:
    """(start, end) of one coding row, or the problem with it."""
    doc_id = row.get("doc_id", "").strip()
    if doc_id not in lengths:
        return f"unknown document {doc_id!r}" if doc_id else "no doc_id"
    if not row.get("label", "").strip():
        return "empty label"
    passage = row.get("passage_id", "").strip()
    if passage:
        number = _whole(passage)
        spans = passages_of[doc_id]
        if number not in spans:
            return (f"passage_id {passage!r} is not a passage of {doc_id} (it has "
                    f"1..{len(spans)})")
        return spans[number]
    start, end = _whole(row.get("start", "")), _whole(row.get("end", ""))
    if start is None or end is None:
        return "start and end must be whole numbers (or give a passage_id)"
    if not 0 <= start < end <= lengths[doc_id]:
        return (f"offsets {start}-{end} out of range: the text of {doc_id} has "
                f"{lengths[doc_id]} characters and start must be below end")
    return start, end


def map_coding(coding: pd.DataFrame, docs: pd.DataFrame, passages: pd.DataFrame, *,
               name: str = "coding", min_share: float = MIN_SHARE) -> Coding:
    """Map coded spans (a :func:`read_coding` table) to ``passages`` of ``docs``.

    A span labels every passage of its document that it overlaps by at least ``min_share`` of
    the span or of the passage (a span straddling a boundary labels the passage holding most
    of it; a long span labels each passage it mostly covers). A passage labelled differently
    by several spans keeps the label with the most overlapping characters (listed in
    ``problems``). Rows naming an unknown document or passage, offsets out of range, an empty
    label, or a span that labels no passage are listed in ``problems`` (``name`` is the file
    name used in messages)."""
    require_columns(coding, ["doc_id", "label", "line"], name)
    require_columns(docs, ["doc_id", "text"], "docs")
    require_columns(passages, ["doc_id", "passage_id", "start", "end"], "passages")
    lengths = dict(zip(docs["doc_id"].astype(str), docs["text"].str.len(), strict=True))
    passages_of = {doc_id: dict(zip(group["passage_id"], zip(group["start"], group["end"],
                                                              strict=True), strict=True))
                   for doc_id, group in passages.groupby(passages["doc_id"].astype(str))}
    passages_of.update({doc_id: {} for doc_id in lengths if doc_id not in passages_of})
    label_columns = [column for column in LABEL_COLUMNS if column in coding]
    mapped, problems = [], []
    for row in coding.fillna("").astype(str).to_dict("records"):
        line, doc_id = int(row["line"]), row.get("doc_id", "").strip()
        span = _row_span(row, lengths, passages_of)
        if isinstance(span, str):
            problems.append((line, doc_id, span))
            continue
        start, end = span
        hits = []
        for passage_id, (p_start, p_end) in passages_of[doc_id].items():
            overlap = min(end, p_end) - max(start, p_start)
            if overlap > 0:
                hits.append((passage_id, overlap, overlap / (end - start),
                             overlap / (p_end - p_start)))
        kept = [hit for hit in hits if max(hit[2], hit[3]) >= min_share]
        if not kept:
            largest = max(hits, key=lambda hit: hit[1], default=None)
            problems.append((line, doc_id, (
                f"span {start}-{end} lies outside nqpf's passages (boilerplate or between "
                "passages)" if largest is None else
                f"span {start}-{end} covers less than {min_share:.0%} of any passage and no "
                f"passage holds {min_share:.0%} of it (most: passage {largest[0]}, "
                f"{largest[1]} characters)")))
        labels = {column: row[column].strip() for column in label_columns}
        mapped.extend((line, doc_id, start, end, *hit, *labels.values()) for hit in kept)
    mapping = pd.DataFrame(mapped, columns=MAPPING_COLUMNS + label_columns)
    labels = _passage_labels(mapping, label_columns, problems)
    problems = pd.DataFrame(problems, columns=PROBLEM_COLUMNS).sort_values("line", kind="stable")
    return Coding(labels, mapping.drop(columns=label_columns).astype(
        {"start": "int64", "end": "int64", "overlap": "int64"}), problems.reset_index(drop=True))


def _passage_labels(mapping: pd.DataFrame, label_columns: list[str],
                    problems: list) -> pd.DataFrame:
    """One row per coded passage: the label with the most overlap per label column; passages
    given several labels are added to ``problems``."""
    keys = ["doc_id", "passage_id"]
    table = mapping[keys].drop_duplicates().reset_index(drop=True)
    for column in label_columns:
        given = mapping[mapping[column] != ""]
        totals = given.groupby([*keys, column], sort=False)["overlap"].sum().reset_index()
        totals = totals.sort_values("overlap", ascending=False, kind="stable")
        for (doc_id, passage_id), group in totals.groupby(keys, sort=False):
            if len(group) > 1:
                lines = sorted(set(given.loc[(given["doc_id"] == doc_id)
                                             & (given["passage_id"] == passage_id), "line"]))
                shares = ", ".join(f"{label!r} ({overlap} characters)"
                                   for label, overlap in zip(group[column], group["overlap"],
                                                             strict=True))
                problems.append((lines[0], doc_id, (
                    f"passage {passage_id} has several {column}s from lines {lines}: {shares}; "
                    f"kept {group[column].iloc[0]!r}")))
        best = totals.drop_duplicates(keys)[[*keys, column]]
        table = table.merge(best, on=keys, how="left")
        table[column] = table[column].astype("string")
    return table.sort_values(keys, kind="stable").reset_index(drop=True)


def load_coding(path, docs: pd.DataFrame, passages: pd.DataFrame, *,
                min_share: float = MIN_SHARE) -> Coding:
    """:func:`read_coding` then :func:`map_coding` (see there)."""
    return map_coding(read_coding(path), docs, passages, name=Path(path).name,
                      min_share=min_share)


def coded_topics(coding: Coding, passage_topics: pd.DataFrame) -> pd.DataFrame:
    """The coded passages with their dominant topic: ``coding.labels`` + ``topic`` (from
    ``passage_topics``, e.g. ``TopicModel.passage_topics`` or ``GuidedNMF.passage_topics``;
    ``NO_TOPIC`` = 0, or ``NO_TOPIC_NAME`` for named topics, for a passage without
    vocabulary). Raises ValueError if a coded passage has no row there."""
    require_columns(passage_topics, ["doc_id", "passage_id", "dominant_topic"], "passage_topics")
    topics = passage_topics[["doc_id", "passage_id", "dominant_topic"]].astype({"doc_id": str})
    table = coding.labels.merge(topics, on=["doc_id", "passage_id"], how="left",
                                indicator=True)
    missing = table[table["_merge"] == "left_only"]
    if len(missing):
        raise ValueError(f"{len(missing)} coded passage(s) are not in passage_topics, e.g. "
                         f"{missing['doc_id'].iloc[0]} passage {missing['passage_id'].iloc[0]}: "
                         "use the passages the coding was mapped to")
    topic = table.pop("dominant_topic")
    topic = (topic.fillna(NO_TOPIC).astype(int) if pd.api.types.is_numeric_dtype(topic)
             else topic.astype(object).where(topic.notna(), NO_TOPIC_NAME))
    return table.drop(columns="_merge").assign(topic=topic)


def _pair(labels, topics) -> tuple[np.ndarray, np.ndarray]:
    labels, topics = np.asarray(labels, dtype=object), np.asarray(topics, dtype=object)
    if len(labels) != len(topics):
        raise ValueError(f"{len(labels)} labels but {len(topics)} topics: give one of each per "
                         "coded passage")
    if len(labels) == 0:
        raise ValueError("no coded passages to compare")
    if pd.isna(labels).any():
        raise ValueError("labels contain missing values: drop uncoded passages first")
    return labels, topics


def confusion(labels, topics) -> pd.DataFrame:
    """Passages per label (rows, sorted) and topic (columns, sorted): DataFrame
    (n_labels, n_topics) of counts."""
    labels, topics = _pair(labels, topics)
    table = pd.crosstab(pd.Series(labels, name="label"), pd.Series(topics, name="topic"))
    return table.sort_index().sort_index(axis=1)


def matched_topics(table: pd.DataFrame) -> dict:
    """Label -> topic, one-to-one, maximising the passages on the diagonal of a
    :func:`confusion` ``table`` (Hungarian method); labels left over (more labels than
    topics) are not in the result."""
    rows, columns = linear_sum_assignment(table.to_numpy(), maximize=True)
    return {table.index[i]: table.columns[j] for i, j in zip(rows, columns, strict=True)}


def label_scores(labels, topics) -> pd.DataFrame:
    """Per label: ``label, topic`` (the matched topic, None if none), ``n_coded`` (passages
    with the label), ``n_topic`` (coded passages in the topic), ``both``, ``precision``
    (both / n_topic), ``recall`` (both / n_coded), ``f1``; 0 where undefined."""
    table = confusion(labels, topics)
    match = matched_topics(table)
    rows = []
    for label in table.index:
        topic = match.get(label)
        both = int(table.loc[label, topic]) if topic is not None else 0
        n_coded = int(table.loc[label].sum())
        n_topic = int(table[topic].sum()) if topic is not None else 0
        precision = both / n_topic if n_topic else 0.0
        recall = both / n_coded
        f1 = 2 * precision * recall / (precision + recall) if both else 0.0
        rows.append((label, topic, n_coded, n_topic, both, precision, recall, f1))
    scores = pd.DataFrame(rows, columns=["label", "topic", "n_coded", "n_topic", "both",
                                         "precision", "recall", "f1"])
    scores["topic"] = pd.Series([row[1] for row in rows], dtype=object)  # None stays None
    return scores


def agreement(labels, topics) -> dict[str, float]:
    """Agreement of hand ``labels`` with ``topics`` (one of each per coded passage): ``n``,
    ``nmi`` (arithmetic normalisation, as scikit-learn), ``ari`` (adjusted Rand),
    ``matched`` (share of passages whose topic is the one matched to their label) and
    ``macro_f1`` (mean F1 over labels, see :func:`label_scores`)."""
    labels, topics = _pair(labels, topics)
    scores = label_scores(labels, topics)
    return {"n": len(labels),
            "nmi": float(normalized_mutual_info_score(labels, topics)),
            "ari": float(adjusted_rand_score(labels, topics)),
            "matched": float(scores["both"].sum() / len(labels)),
            "macro_f1": float(scores["f1"].mean())}


def agreement_table(labels, groupings: Mapping[str, Sequence]) -> pd.DataFrame:
    """:func:`agreement` of ``labels`` with each of ``groupings`` ({name: topics or codes per
    coded passage}): DataFrame indexed by name, columns ``k`` (groups used), ``n, nmi, ari,
    matched, macro_f1``."""
    rows = {name: {"k": len(set(topics)), **agreement(labels, topics)}
            for name, topics in groupings.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    return table


def _two_coders(a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = pd.Series(a, dtype=object), pd.Series(b, dtype=object)
    if len(a) != len(b):
        raise ValueError(f"coders have {len(a)} and {len(b)} labels: give one per unit each")
    return a.to_numpy(), b.to_numpy()


def cohen_kappa(a, b) -> float:
    """Cohen's kappa of two coders' labels (units both coded; missing values skipped)."""
    a, b = _two_coders(a, b)
    both = ~(pd.isna(a) | pd.isna(b))
    if not both.any():
        raise ValueError("no unit was coded by both coders")
    return float(cohen_kappa_score(a[both].astype(str), b[both].astype(str)))


def krippendorff_alpha(a, b) -> float:
    """Krippendorff's alpha (nominal) of two coders; units only one coder labelled are
    skipped (they make no pair). alpha = 1 - D_o / D_e over the coincidence matrix
    (Krippendorff 2011, "Computing Krippendorff's alpha-reliability")."""
    a, b = _two_coders(a, b)
    both = ~(pd.isna(a) | pd.isna(b))
    a, b = a[both].astype(str), b[both].astype(str)
    if len(a) == 0:
        raise ValueError("no unit was coded by both coders")
    values = sorted(set(a) | set(b))
    index = {value: i for i, value in enumerate(values)}
    coincidence = np.zeros((len(values), len(values)))
    for x, y in zip(a, b, strict=True):  # each unit with two values adds both ordered pairs
        coincidence[index[x], index[y]] += 1
        coincidence[index[y], index[x]] += 1
    n_c, n = coincidence.sum(axis=1), coincidence.sum()
    observed = (n - np.trace(coincidence)) / n
    expected = (n * n - (n_c ** 2).sum()) / (n * (n - 1))
    if expected == 0:
        return 1.0 if observed == 0 else 0.0
    return float(1 - observed / expected)


def coder_agreement(labels: pd.DataFrame) -> pd.DataFrame:
    """Agreement of the two coders of a :attr:`Coding.labels` table (columns ``label`` and
    ``label_2``): one row, ``units`` (both coded), ``percent`` (same label), ``kappa``,
    ``alpha``."""
    require_columns(labels, LABEL_COLUMNS, "labels")
    both = labels.dropna(subset=list(LABEL_COLUMNS))
    if both.empty:
        raise ValueError("no passage has both label and label_2: a second coder is needed")
    a, b = both["label"].to_numpy(object), both["label_2"].to_numpy(object)
    return pd.DataFrame({"units": [len(both)], "percent": [float((a == b).mean())],
                         "kappa": [cohen_kappa(a, b)], "alpha": [krippendorff_alpha(a, b)]})


def baseline_topics(texts: Sequence[str], k: int, *, random_state: int = 0) -> np.ndarray:
    """Dominant topic (1-based; ``NO_TOPIC`` for a text without vocabulary) per text of a
    naive model: scikit-learn's ``TfidfVectorizer()`` with its defaults (no stopwords, no
    lemmas, every term) and ``NMF(k, max_iter=1000)`` (as the benchmark's sklearn baseline):
    ndarray (n_texts,)."""
    dtm = TfidfVectorizer().fit_transform(list(texts))
    weights = NMF(k, random_state=random_state, max_iter=1000).fit_transform(dtm)
    return np.where(weights.sum(axis=1) > 0, weights.argmax(axis=1) + 1, NO_TOPIC)
