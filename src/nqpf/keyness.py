"""Keyness and the 2x2 contingency statistics shared with ``nqpf.explore.collocations``.

Every statistic here reads one 2x2 table laid out as in keyword analysis:

==========  ========  ===========
            target    reference
==========  ========  ===========
term        a         b
corpus      c         d          (sizes in tokens, term included)
==========  ========  ===========

Relative frequencies are per 1,000 tokens (``tokens`` lists from ``nqpf.tokenize``,
stopwords and numbers already removed), never per raw word.
"""

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.stats import chi2

from nqpf.checks import require_columns, require_values

KEYNESS_COLUMNS = ["term", "target_count", "reference_count", "target_per_1000",
                   "reference_per_1000", "g2", "log_ratio", "p_value", "significant", "direction"]


def count_tokens(token_lists: Iterable[list[str]]) -> Counter:
    """Token counts over an iterable of token lists (e.g. ``passages["tokens"]``)."""
    counts: Counter = Counter()
    for tokens in token_lists:
        counts.update(tokens)
    return counts


def count_matrix(token_lists, groups=None) -> tuple[pd.Index, np.ndarray, sparse.csr_array]:
    """Sparse token counts per group: ``(labels, terms, counts)`` with ``counts`` a
    ``csr_array`` (n_groups, n_terms) of int64, ``labels`` the groups in order of first
    appearance (one group per token list if ``groups`` is None) and ``terms`` an object array
    (n_terms,) in order of first appearance. Memory grows with the number of distinct
    (group, term) pairs, never with n_groups x n_terms."""
    lists = token_lists if isinstance(token_lists, list) else list(token_lists)
    if groups is None:
        codes, labels = np.arange(len(lists)), pd.RangeIndex(len(lists))
    else:
        codes, labels = pd.factorize(pd.Series(groups, copy=False), sort=False)
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    tokens = np.fromiter(itertools.chain.from_iterable(lists), dtype=object,
                         count=int(lengths.sum()))
    term_codes, terms = pd.factorize(tokens, sort=False)
    rows = np.repeat(codes, lengths)
    counts = sparse.csr_array((np.ones(len(term_codes), dtype=np.int64), (rows, term_codes)),
                              shape=(len(labels), len(terms)))
    counts.sum_duplicates()
    return labels, np.asarray(terms, dtype=object), counts


def g2(a, b, c, d):
    """Dunning's log-likelihood G² in the two-term form of Rayson & Garside (2000), as in
    the UCREL log-likelihood calculator: ``E1 = c(a+b)/(c+d)``, ``E2 = d(a+b)/(c+d)``,
    ``G² = 2(a ln(a/E1) + b ln(b/E2))`` with ``0 ln 0 = 0``.

    Arguments broadcast as numpy arrays (``c``, ``d`` > 0); scalars give a numpy float.
    """
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(a > 0, a * np.log(a / e1), 0.0) + np.where(b > 0, b * np.log(b / e2), 0.0)
    return (2 * terms)[()]


def log_ratio(a, b, c, d):
    """Hardie's (2014) Log Ratio effect size ``log2((a/c) / (b/d))``; a zero count ``a`` or
    ``b`` is replaced by 0.5 so the ratio stays finite. Positive: relatively more in target.
    NaN if a corpus size ``c`` or ``d`` is 0 (nothing to compare with)."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    a, b = np.where(a == 0, 0.5, a), np.where(b == 0, 0.5, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log2((a * d) / (b * c))
    return np.where((c > 0) & (d > 0), ratio, np.nan)[()]


def keyness(counts_target, counts_reference, *, alpha: float = 0.01,
            bonferroni: bool = False) -> pd.DataFrame:
    """Keywords of a target against a reference corpus.

    ``counts_*``: term -> count (``Counter``, dict or Series); corpus sizes ``c``, ``d`` are
    the totals of the counts. ``p_value`` is the chi-squared (1 df) tail of G²;
    ``significant`` means ``p_value < alpha`` (default 0.01, i.e. G² >= 6.63), with
    ``alpha`` divided by the number of terms if ``bonferroni``. ``direction`` is ``"+"``
    (key: relatively more frequent in the target, log ratio > 0) or ``"-"`` (negative key).
    Returns DataFrame (n_terms, 10), one row per term seen in either corpus, columns
    ``KEYNESS_COLUMNS``, sorted by G² descending, then term.
    """
    target, reference = _as_counts(counts_target, "counts_target"), _as_counts(
        counts_reference, "counts_reference")
    terms = sorted(set(target) | set(reference))
    a = np.array([target.get(term, 0) for term in terms], dtype=float)
    b = np.array([reference.get(term, 0) for term in terms], dtype=float)
    c, d = sum(target.values()), sum(reference.values())
    table = pd.DataFrame({
        "term": terms, "target_count": a.astype(int), "reference_count": b.astype(int),
        "target_per_1000": a / c * 1000, "reference_per_1000": b / d * 1000,
        "g2": g2(a, b, c, d), "log_ratio": log_ratio(a, b, c, d),
    }, columns=KEYNESS_COLUMNS[:7])
    table["p_value"] = chi2.sf(table["g2"], 1)
    threshold = alpha / max(len(terms), 1) if bonferroni else alpha
    table["significant"] = table["p_value"] < threshold
    table["direction"] = np.where(a / c >= b / d, "+", "-")
    return table.sort_values(["g2", "term"], ascending=[False, True], ignore_index=True)


def comparison_problem(passages: pd.DataFrame, group_col: str) -> str | None:
    """Why ``keyness_by(passages, group_col)`` cannot run, in one sentence that says what to
    do, or None if it can (at least two groups with tokens)."""
    require_columns(passages, ["tokens", group_col], "passages")
    with_tokens = passages[passages["tokens"].map(len) > 0]
    n_groups = with_tokens[group_col].nunique()
    if n_groups < 2:
        return (f"Keyness compares each {group_col} with the others, but the passages have "
                f"{n_groups} {group_col} value(s) with tokens: skipped; add documents (or "
                "another group column) to compare.")
    return None


def empty_keyness(group_col: str) -> pd.DataFrame:
    """A ``keyness_by`` table with no rows (columns and dtypes as usual)."""
    return keyness({"_": 1}, {"_": 1}).iloc[:0].assign(**{group_col: pd.Series(dtype=str)})[
        [group_col, *KEYNESS_COLUMNS]]


def keyness_by(passages: pd.DataFrame, group_col: str, *, alpha: float = 0.01,
               bonferroni: bool = False, groups=None) -> pd.DataFrame:
    """Keyness of each group of passages (e.g. ``doc_id``, or ``genre`` merged in from
    ``corpus.docs``) against all other passages. Returns DataFrame (sum of n_terms per group,
    11): ``group_col`` then the ``keyness`` columns; groups in order of first appearance.
    ``groups``: only these groups are targets (each still against all other passages), which
    keeps the table small on corpora of many documents; None: every group. A group whose
    passages have no tokens has no rows. Raises ``ValueError`` if a passage has no value in
    ``group_col`` (fill it first)."""
    require_columns(passages, ["tokens", group_col], "passages")
    require_values(passages, group_col, "passages")
    if passages[group_col].nunique() < 2:
        raise ValueError(f"passages needs at least two groups in {group_col!r} to compare")
    total = count_tokens(passages["tokens"])
    targets = passages
    if groups is not None:
        groups = list(groups)
        unknown = sorted(set(groups) - set(passages[group_col]), key=str)
        if unknown:
            raise ValueError(f"groups not found in {group_col!r}: {unknown[:10]}")
        targets = passages[passages[group_col].isin(groups)]
    tables = []
    for group, tokens in targets.groupby(group_col, sort=False)["tokens"]:
        target = count_tokens(tokens)
        if not target:  # a group without tokens has no keywords
            continue
        table = keyness(target, total - target, alpha=alpha, bonferroni=bonferroni)
        tables.append(table.assign(**{group_col: group})[[group_col, *KEYNESS_COLUMNS]])
    return pd.concat(tables, ignore_index=True) if tables else empty_keyness(group_col)


def _as_counts(counts, name: str) -> dict:
    """Validate a term -> count mapping and drop zero counts."""
    if isinstance(counts, pd.Series):
        counts = counts.to_dict()
    if not isinstance(counts, Mapping):
        raise ValueError(f"{name} must be a Counter, dict or Series of term -> count")
    counts = {term: n for term, n in counts.items() if n}
    if any(n < 0 for n in counts.values()):
        raise ValueError(f"{name} has negative counts")
    if not counts:
        raise ValueError(f"{name} is empty: no tokens to compare")
    return counts
