"""Data-driven phrase detection: adjacent bigrams scored by NPMI, then merged into ``a_b`` tokens.

Workflow: ``detect_phrases(passages["tokens"])`` -> inspect / ``save_phrases`` -> researcher
deletes rows in the CSV -> ``load_phrases`` -> ``merge_phrases(tokens, phrases)``.
Only plain words form phrases: tokens that already contain ``_`` (lexicon phrases) are skipped,
so every phrase ``a_b`` splits back into exactly ``first`` and ``second``.
"""

import math
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from nqpf.checks import read_csv_table, require_columns, require_token_lists

PHRASE_COLUMNS = ["phrase", "first", "second", "count", "npmi"]


def detect_phrases(
    token_lists: Iterable[list[str]],
    *,
    min_count: int = 5,
    threshold: float = 0.3,
    max_phrases: int | None = None,
) -> pd.DataFrame:
    """Collocations among adjacent tokens, scored by normalised pointwise mutual information:

        npmi(a, b) = ln( p(a, b) / (p(a) p(b)) ) / -ln p(a, b)
        p(a) = c(a) / N,  p(a, b) = c(a, b) / N,  N = total number of tokens

    where c(a) counts token ``a`` and c(a, b) counts ``a`` directly followed by ``b`` within one
    token list (bigrams never cross passages). npmi is 1 when a and b only occur together,
    0 when independent. Defaults: bigrams seen at least ``min_count=5`` times with
    npmi >= ``threshold=0.3``; ``max_phrases`` keeps the best ones.
    token_lists: iterable of list[str] (e.g. ``passages["tokens"]``).
    Returns DataFrame with columns phrase (``a_b``), first, second, count, npmi, sorted by
    npmi desc, count desc, phrase.
    """
    if not isinstance(min_count, int) or min_count < 1:
        raise ValueError(f"min_count must be an int >= 1, got {min_count!r}")
    if not -1 <= threshold <= 1:
        raise ValueError(f"threshold must be between -1 and 1 (an NPMI value), got {threshold!r}")
    if max_phrases is not None and (not isinstance(max_phrases, int) or max_phrases < 0):
        raise ValueError(f"max_phrases must be None or an int >= 0, got {max_phrases!r}")
    lists = require_token_lists(token_lists, "token_lists")
    unigrams = Counter(token for tokens in lists for token in tokens)
    bigrams = Counter(
        pair
        for tokens in lists
        for pair in zip(tokens, tokens[1:], strict=False)
        if "_" not in pair[0] and "_" not in pair[1]
    )
    n = sum(unigrams.values())
    rows = []
    for (first, second), count in bigrams.items():
        if count < min_count:
            continue
        p_ab = count / n
        pmi = math.log(p_ab / ((unigrams[first] / n) * (unigrams[second] / n)))
        npmi = pmi / -math.log(p_ab)
        if npmi >= threshold:
            rows.append((f"{first}_{second}", first, second, count, npmi))
    table = pd.DataFrame(rows, columns=PHRASE_COLUMNS).astype(
        {"phrase": str, "first": str, "second": str, "count": "int64", "npmi": "float64"}
    )
    table = table.sort_values(
        ["npmi", "count", "phrase"], ascending=[False, False, True], ignore_index=True
    )
    return table if max_phrases is None else table.head(max_phrases)


def _pairs(phrases) -> frozenset[tuple[str, str]]:
    """Accepted bigrams from a phrase table or an iterable of ``"a_b"`` strings."""
    if isinstance(phrases, pd.DataFrame):
        if {"first", "second"} <= set(phrases.columns):
            return frozenset(zip(phrases["first"], phrases["second"], strict=True))
        if "phrase" not in phrases.columns:
            raise ValueError("phrases table needs a 'phrase' column (or 'first' and 'second')")
        phrases = phrases["phrase"]
    if isinstance(phrases, str):
        raise ValueError("phrases must be an iterable of 'a_b' strings or a table, got a str")
    return frozenset(_split(phrase) for phrase in phrases)


def _split(phrase: str) -> tuple[str, str]:
    parts = str(phrase).split("_")
    if len(parts) != 2 or not all(parts):
        raise ValueError(f"phrase {phrase!r} must be two words joined by one '_' (a_b)")
    return parts[0], parts[1]


def merge_phrases(tokens: list[str], phrases) -> list[str]:
    """Join accepted bigrams into ``a_b`` tokens, greedily from left to right
    (``a b c`` with phrases a_b and b_c gives ``a_b c``).
    phrases: DataFrame from ``detect_phrases``/``load_phrases`` or iterable of ``"a_b"``."""
    return _merge(tokens, _pairs(phrases))


def merge_all(token_lists, phrases) -> list[list[str]]:
    """``merge_phrases`` for each token list (e.g. the passages' ``tokens`` column), reading
    ``phrases`` once."""
    pairs = _pairs(phrases)
    return [_merge(tokens, pairs) for tokens in token_lists]


def _merge(tokens: list[str], pairs: frozenset[tuple[str, str]]) -> list[str]:
    if isinstance(tokens, str):
        raise ValueError("tokens must be a list of tokens, got a str")
    tokens = list(tokens)
    merged, i = [], 0
    while i < len(tokens):
        if i + 1 < len(tokens) and (tokens[i], tokens[i + 1]) in pairs:
            merged.append(f"{tokens[i]}_{tokens[i + 1]}")
            i += 2
        else:
            merged.append(tokens[i])
            i += 1
    return merged


def save_phrases(table: pd.DataFrame, path: Path) -> Path:
    """Write a phrase table as CSV (columns phrase, first, second, count, npmi) for editing."""
    require_columns(table, PHRASE_COLUMNS, "phrase table")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.loc[:, PHRASE_COLUMNS].to_csv(path, index=False)
    return path


def load_phrases(path: Path) -> pd.DataFrame:
    """Read a phrase CSV written by ``save_phrases`` (possibly edited: rows deleted).
    Needs a ``phrase`` column; ``first``/``second`` are rebuilt from it; ``count``/``npmi``
    may be blank for hand-added rows."""
    table = read_csv_table(path, "phrase", dtype={"phrase": str}, keep_default_na=False,
                           na_values={"count": [""], "npmi": [""]})
    require_columns(table, ["phrase"], str(path))
    try:
        pairs = [_split(phrase) for phrase in table["phrase"]]
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from error
    blank = pd.Series(float("nan"), index=table.index)
    return pd.DataFrame({
        "phrase": table["phrase"].astype(str),
        "first": pd.Series([a for a, _ in pairs], index=table.index, dtype=str),
        "second": pd.Series([b for _, b in pairs], index=table.index, dtype=str),
        "count": pd.to_numeric(table["count"]) if "count" in table.columns else blank,
        "npmi": pd.to_numeric(table["npmi"]).astype("float64") if "npmi" in table else blank,
    })
