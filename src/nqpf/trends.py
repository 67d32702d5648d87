"""How the discourse changes over time, and who says what.

- ``passage_counts``: occurrences of queries (a token or lexicon concept, counted in the
  passages' ``tokens``; a compiled regex, counted in the passages' ``text``) and the size of
  each passage: its tokens, or for Chinese its non-space characters (``unit_for``).
- ``rates``: the rate of each query per period (per 1,000 tokens, or per 10,000 characters),
  with a percentile bootstrap interval over documents (or over passages, when most periods
  have one document: the interval then shows the variation within the texts), the number of
  documents behind each point and their ids.
- ``first_appearances``: the first dated document using each lexicon concept, with the quoted
  passage and its offsets in the raw text.
- ``collocates_by_period``: ``nqpf.explore.collocations`` within each period.
- ``PrevalenceRegression``: topic proportions regressed on covariates, in the spirit of stm's
  ``estimateEffect``: one least-squares fit per topic, with bootstrap (over rows, or over
  groups such as documents) or analytic (OLS) intervals, and expected prevalence per
  covariate value for plotting.
"""

import re

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from nqpf import explore
from nqpf.checks import check_docs, require_columns
from nqpf.language import CHINESE
from nqpf.lexicon import Lexicon, default_lexicon

SCALE = {"tokens": 1000, "characters": 10_000}
UNIT_NAMES = {"tokens": "per 1,000 tokens", "characters": "per 10,000 characters"}
RESAMPLE = ("documents", "passages")
RATE_COLUMNS = ["period", "period_start", "query", "count", "size", "rate", "low", "high",
                "n_docs", "doc_ids"]
FIRST_COLUMNS = ["term", "doc_id", "date", "start", "end", "keyword", "quote", "n_docs"]
MIN_DOCS = 3  # periods with fewer documents get a warning (``period_problems``)
BLOCK = 2_000_000  # bootstrap weights held at once (replicates x units)


def unit_for(languages) -> str:
    """``characters`` if most documents are Chinese (``zh`` or ``mixed``), else ``tokens``."""
    languages = pd.Series(languages)
    return "characters" if languages.isin(CHINESE).mean() > 0.5 else "tokens"


def passage_counts(passages: pd.DataFrame, queries: dict, *, unit: str = "tokens") -> pd.DataFrame:
    """Counts of each query per passage: DataFrame (n_passages, 2 + n_queries), columns
    ``doc_id, size`` (tokens, or non-space characters of ``text`` for ``unit="characters"``)
    and one per ``queries`` label. A query is a token (a lexicon concept such as
    ``new_quality_productive_forces`` is one token) or a compiled regex (``re.Pattern``,
    matched in the passage ``text``)."""
    require_columns(passages, ["doc_id", "tokens", "text"], "passages")
    if unit not in SCALE:
        raise ValueError(f"unit must be one of {tuple(SCALE)}, got {unit!r}")
    if not isinstance(queries, dict) or not queries:
        raise ValueError("queries must be a non-empty dict of label -> token or re.Pattern")
    texts, tokens = passages["text"].tolist(), passages["tokens"].tolist()
    sizes = ([len(text) - sum(map(str.isspace, text)) for text in texts]
             if unit == "characters" else list(map(len, tokens)))
    table = pd.DataFrame({"doc_id": passages["doc_id"].to_numpy(), "size": sizes})
    for label, query in queries.items():
        if isinstance(query, re.Pattern):
            table[label] = [len(query.findall(text)) for text in texts]
        elif isinstance(query, str) and query:
            table[label] = [passage.count(query) for passage in tokens]
        else:
            raise ValueError(f"query {label!r} must be a token or a compiled regex, got {query!r}")
    return table


def _bootstrap(counts: np.ndarray, sizes: np.ndarray, n_boot: int, rng) -> np.ndarray:
    """Resampled rates: (n_boot, n_queries) of sum(counts) / sum(sizes) over ``len(sizes)``
    units drawn with replacement (multinomial weights, in blocks)."""
    n = len(sizes)
    out = np.empty((n_boot, counts.shape[1]))
    step = max(1, BLOCK // n)
    for first in range(0, n_boot, step):
        weights = rng.multinomial(n, np.full(n, 1 / n), size=min(step, n_boot - first))
        total = weights @ sizes
        with np.errstate(divide="ignore", invalid="ignore"):
            out[first:first + len(weights)] = (weights @ counts) / total[:, None]
    return out


def rates(counts: pd.DataFrame, periods: pd.DataFrame, *, unit: str = "tokens",
          resample: str = "documents", n_boot: int = 1000, level: float = 0.95,
          random_state: int = 0) -> pd.DataFrame:
    """Rate of each query per period: one row per period x query, columns ``RATE_COLUMNS``.

    ``counts``: ``passage_counts`` output; ``periods``: ``doc_id, period, period_start`` (the
    dated rows of ``nqpf.dates.document_dates``; passages of other documents are left out).
    ``rate`` = count / size x 1,000 (tokens) or x 10,000 (characters); ``low``/``high``: the
    percentile bootstrap interval at ``level``, resampling the period's ``documents`` (or its
    ``passages``) ``n_boot`` times; NaN when there is a single unit to resample."""
    require_columns(counts, ["doc_id", "size"], "counts")
    require_columns(periods, ["doc_id", "period", "period_start"], "periods")
    if resample not in RESAMPLE:
        raise ValueError(f"resample must be one of {RESAMPLE}, got {resample!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    queries = [c for c in counts.columns if c not in ("doc_id", "size")]
    rng = np.random.default_rng(random_state)
    table = counts.merge(periods[["doc_id", "period", "period_start"]], on="doc_id")
    rows = []
    for (period, start), group in table.groupby(["period", "period_start"], sort=True):
        units = group if resample == "passages" else group.groupby("doc_id", sort=True)[
            ["size", *queries]].sum()
        values, sizes = units[queries].to_numpy(float), units["size"].to_numpy(float)
        total = sizes.sum()
        rate = values.sum(axis=0) / total * SCALE[unit] if total else np.full(len(queries),
                                                                              np.nan)
        if len(units) > 1 and total:
            draws = _bootstrap(values, sizes, n_boot, rng) * SCALE[unit]
            low, high = np.nanquantile(draws, [(1 - level) / 2, (1 + level) / 2], axis=0)
        else:
            low = high = np.full(len(queries), np.nan)
        doc_ids = sorted(group["doc_id"].unique())
        rows += [(period, start, query, int(values[:, i].sum()), int(total), rate[i], low[i],
                  high[i], len(doc_ids), doc_ids) for i, query in enumerate(queries)]
    return pd.DataFrame(rows, columns=RATE_COLUMNS)


def period_problems(periods: pd.DataFrame, *, min_docs: int = MIN_DOCS,
                    period: str = "month") -> list[str]:
    """Sentences about what the dated documents cannot show, each saying what to do: fewer
    than two periods (no change to see) and periods with fewer than ``min_docs`` documents
    (a rate there is one author's habit, not a trend; a coarser ``period`` is suggested
    unless it is already ``year``)."""
    require_columns(periods, ["doc_id", "period"], "periods")
    per_period = periods.groupby("period")["doc_id"].nunique()
    problems = []
    if len(per_period) < 2:
        problems.append(f"The dated documents fall in {len(per_period)} period(s): a change over "
                        "time cannot be seen. Add dated documents, or date the undated ones "
                        "(metadata column, --date-column).")
    thin = per_period[per_period < min_docs]
    if len(thin):
        shown = ", ".join(f"{p} ({n})" for p, n in thin.head(8).items())
        problems.append(f"{len(thin)} of {len(per_period)} periods have fewer than {min_docs} "
                        f"documents: {shown}{' …' if len(thin) > 8 else ''}. Their rates "
                        "describe those documents, not a period; "
                        + ("add documents." if period == "year" else
                           "use a coarser period (period='year') or add documents."))
    return problems


def first_appearances(docs: pd.DataFrame, passages: pd.DataFrame, periods: pd.DataFrame, *,
                      terms: list[str] | None = None, lexicon: Lexicon | None = None,
                      window: int = 60) -> pd.DataFrame:
    """The first dated use of each lexicon concept in a document's body (inside a passage, so
    not in boilerplate such as a licence footer): one row per concept found, columns
    ``FIRST_COLUMNS`` (``start``/``end``: offsets in the raw text, ``text[start:end] ==
    keyword``; ``quote``: the keyword with ``window`` characters of context; ``n_docs``: dated
    documents using it in their body), in date order; same-day documents in ``doc_id`` order.
    ``periods``: ``doc_id, date`` of the dated documents."""
    check_docs(docs)
    require_columns(periods, ["doc_id", "date"], "periods")
    require_columns(passages, ["doc_id", "passage_id", "start", "end"], "passages")
    lexicon = default_lexicon() if lexicon is None else lexicon
    ordered = periods.sort_values(["date", "doc_id"])[["doc_id", "date"]].merge(
        docs[["doc_id", "text"]], on="doc_id")
    spans = passages.sort_values(["doc_id", "start"])
    bodies = {doc_id: (group["start"].to_numpy(), group["end"].to_numpy())
              for doc_id, group in spans.groupby("doc_id", sort=False)}
    empty = (np.zeros(0, dtype=int), np.zeros(0, dtype=int))
    rows = []
    for term in lexicon.terms if terms is None else terms:
        pattern = lexicon.variants_pattern(term)
        first, n_docs = None, 0
        for i, (doc_id, text) in enumerate(zip(ordered["doc_id"], ordered["text"],
                                               strict=True)):
            starts, ends = bodies.get(doc_id, empty)
            for match in pattern.finditer(text):
                j = np.searchsorted(starts, match.start(), side="right") - 1
                if j >= 0 and match.end() <= ends[j]:
                    n_docs += 1
                    first = first or (i, match.start())
                    break
        if first is None:
            continue
        doc = ordered.iloc[[first[0]]]
        lines = explore.kwic(doc, spans[spans["doc_id"] == doc["doc_id"].iat[0]], pattern,
                             window=window)
        line = lines[lines["start"] == first[1]].iloc[0]
        quote = f"{line['left']} [{line['keyword']}] {line['right']}".strip()
        rows.append((term, line["doc_id"], doc["date"].iat[0], int(line["start"]),
                     int(line["end"]), line["keyword"], quote, n_docs))
    table = pd.DataFrame(rows, columns=FIRST_COLUMNS)
    return table.sort_values(["date", "doc_id", "start"], ignore_index=True)


def collocates_by_period(passages: pd.DataFrame, node: str, group: str, *, top: int = 10,
                         **options) -> pd.DataFrame:
    """``nqpf.explore.collocations`` of token ``node`` within each value of column ``group``
    (e.g. period, or before/after a date): the ``top`` collocates per group, columns
    ``group`` then the collocation columns. Groups where ``node`` does not occur are left out
    (compare the groups in the result with those in ``passages``). ``options`` go to
    ``collocations`` (``window``, ``min_count``, ``measure`` …)."""
    require_columns(passages, ["tokens", group], "passages")
    tables = []
    for value, subset in passages.groupby(group, sort=True):
        if any(node in tokens for tokens in subset["tokens"]):
            table = explore.collocations(subset, node, **options).head(top)
            tables.append(table.assign(**{group: value}))
    if not tables:
        return pd.DataFrame(columns=[group, *explore.COLLOCATION_COLUMNS])
    result = pd.concat(tables, ignore_index=True)
    return result[[group, *explore.COLLOCATION_COLUMNS]]


def design_matrix(covariates: pd.DataFrame, *, center: bool = True) -> pd.DataFrame:
    """Regression columns: ``intercept``, each numeric covariate (centred on its mean if
    ``center``, so the intercept is the prevalence at the mean), and each other covariate as
    0/1 columns ``name=level`` for every level but the first in sorted order (the reference).
    Raises ``ValueError`` for missing values (drop or fill those rows first)."""
    if not isinstance(covariates, pd.DataFrame) or covariates.shape[1] == 0:
        raise ValueError("covariates must be a DataFrame with at least one column")
    missing = covariates.columns[covariates.isna().any()].tolist()
    if missing:
        raise ValueError(f"covariates {missing} have missing values; drop or fill those rows")
    columns = {"intercept": np.ones(len(covariates))}
    for name in covariates.columns:
        column = covariates[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            values = column.to_numpy(float)
            columns[name] = values - values.mean() if center else values
        else:
            for level in sorted(column.astype(str).unique())[1:]:
                columns[f"{name}={level}"] = (column.astype(str) == level).to_numpy(float)
    return pd.DataFrame(columns, index=covariates.index)


def regression_problem(n_rows: int, n_columns: int, n_groups: int | None = None) -> str | None:
    """Why a prevalence regression with ``n_columns`` coefficients cannot be estimated on
    ``n_rows`` rows (in ``n_groups`` resampled groups), saying what to do; None if it can."""
    if n_rows <= n_columns:
        return (f"{n_rows} rows for {n_columns} coefficients: the regression cannot be "
                "estimated. Use fewer covariates (or fewer levels), or add documents.")
    if n_groups is not None and n_groups < 3:
        return (f"{n_groups} group(s) to resample: no interval can be estimated. Add "
                "documents, or resample rows (groups=None), saying that rows are not "
                "independent.")
    return None


class PrevalenceRegression(BaseEstimator):
    """Topic prevalence regressed on covariates (the idea of stm's ``estimateEffect``).

    ``fit(proportions, covariates, groups=None)``: ``proportions`` (n_rows, n_topics) topic
    shares of documents or passages; ``covariates`` DataFrame (n_rows, n_covariates) turned
    into columns by ``design_matrix``. One least-squares fit per topic. Intervals at
    ``level``: ``interval="bootstrap"``: percentiles of ``n_boot`` refits on rows resampled
    with replacement (or on whole ``groups``, e.g. the documents of passages);
    ``"analytic"``: OLS t intervals (rows assumed independent, constant variance).

    Fitted: ``columns_`` (design columns), ``topics_``, ``coef_`` (n_columns, n_topics),
    ``draws_`` (n_boot, n_columns, n_topics; bootstrap only), ``cov_`` (n_topics,
    n_columns, n_columns) and ``dof_`` (analytic only), ``means_`` and ``levels_`` (to build
    new rows),
    ``effects_``: DataFrame ``topic, term, estimate, low, high``.
    """

    def __init__(self, *, interval="bootstrap", n_boot=500, level=0.95, random_state=0):
        self.interval = interval
        self.n_boot = n_boot
        self.level = level
        self.random_state = random_state

    def fit(self, proportions, covariates: pd.DataFrame, groups=None):
        if self.interval not in ("bootstrap", "analytic"):
            raise ValueError(f"interval must be 'bootstrap' or 'analytic', got {self.interval!r}")
        y = pd.DataFrame(proportions)
        if len(y) != len(covariates):
            raise ValueError(f"proportions has {len(y)} rows, covariates {len(covariates)}")
        x = design_matrix(covariates)
        groups = None if groups is None else np.asarray(groups)
        n_groups = None if groups is None else len(np.unique(groups))
        problem = regression_problem(len(x), x.shape[1],
                                     n_groups if self.interval == "bootstrap" else None)
        if problem:
            raise ValueError(problem)
        self.columns_, self.topics_ = list(x.columns), list(y.columns)
        self.means_ = {c: float(covariates[c].mean()) for c in covariates
                       if c in self.columns_}
        self.levels_ = {c: sorted(covariates[c].astype(str).unique()) for c in covariates
                        if c not in self.means_}
        xs, ys = x.to_numpy(float), y.to_numpy(float)
        self.coef_ = np.linalg.lstsq(xs, ys, rcond=None)[0]
        alpha = (1 - self.level) / 2
        if self.interval == "analytic":
            residuals = ys - xs @ self.coef_
            dof = self.dof_ = len(xs) - xs.shape[1]
            inverse = np.linalg.pinv(xs.T @ xs)
            self.cov_ = np.stack([inverse * (residuals[:, k] @ residuals[:, k] / dof)
                                  for k in range(ys.shape[1])])
            se = np.sqrt(np.stack([np.diag(c) for c in self.cov_], axis=1))
            t = stats.t.ppf(1 - alpha, dof)
            low, high = self.coef_ - t * se, self.coef_ + t * se
        else:
            self.draws_ = self._draws(xs, ys, groups)
            low, high = np.nanquantile(self.draws_, [alpha, 1 - alpha], axis=0)
        self.effects_ = pd.DataFrame({
            "topic": np.tile(self.topics_, len(self.columns_)),
            "term": np.repeat(self.columns_, len(self.topics_)),
            "estimate": self.coef_.ravel(), "low": low.ravel(), "high": high.ravel()})
        return self

    def _draws(self, xs, ys, groups) -> np.ndarray:
        rng = np.random.default_rng(self.random_state)
        units = np.arange(len(xs)) if groups is None else np.unique(groups)
        members = ({u: np.array([u]) for u in units} if groups is None
                   else {u: np.flatnonzero(groups == u) for u in units})
        draws = np.full((self.n_boot, xs.shape[1], ys.shape[1]), np.nan)
        for b in range(self.n_boot):
            rows = np.concatenate([members[u] for u in rng.choice(units, len(units))])
            if np.linalg.matrix_rank(xs[rows]) == xs.shape[1]:  # else a level was not drawn
                draws[b] = np.linalg.lstsq(xs[rows], ys[rows], rcond=None)[0]
        return draws

    def expected(self, column: str, values) -> pd.DataFrame:
        """Expected prevalence of each topic as ``column`` takes ``values``, other numeric
        covariates at their mean and other categorical ones at their reference level:
        DataFrame ``column, topic, estimate, low, high`` (one row per value x topic)."""
        check_is_fitted(self, "coef_")
        if column not in self.means_ and column not in self.levels_:
            raise ValueError(f"{column!r} is not a covariate; use one of "
                             f"{[*self.means_, *self.levels_]}")
        values = list(values)
        rows = np.zeros((len(values), len(self.columns_)))
        rows[:, 0] = 1
        for i, value in enumerate(values):
            if column in self.means_:
                rows[i, self.columns_.index(column)] = float(value) - self.means_[column]
            elif f"{column}={value}" in self.columns_:
                rows[i, self.columns_.index(f"{column}={value}")] = 1
            elif str(value) not in self.levels_[column]:
                raise ValueError(f"{value!r} is not a level of {column!r}: "
                                 f"{self.levels_[column]}")
        estimate = rows @ self.coef_
        alpha = (1 - self.level) / 2
        if self.interval == "bootstrap":
            spread = np.einsum("vc,bck->bvk", rows, self.draws_)
            low, high = np.nanquantile(spread, [alpha, 1 - alpha], axis=0)
        else:
            se = np.sqrt(np.einsum("vc,kcd,vd->vk", rows, self.cov_, rows))
            t = stats.t.ppf(1 - alpha, self.dof_)
            low, high = estimate - t * se, estimate + t * se
        return pd.DataFrame({column: np.repeat(values, len(self.topics_)),
                             "topic": np.tile(self.topics_, len(values)),
                             "estimate": estimate.ravel(), "low": low.ravel(),
                             "high": high.ravel()})
