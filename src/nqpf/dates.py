"""Dates from metadata, and the periods (year, quarter, month) documents fall in.

``parse_date(value)`` reads the forms researchers have and says how precise each is:

==========================================  =========
form                                        precision
==========================================  =========
``2024``, ``2024年``, a number 2024          year
``2024-03``, ``2024/3``, ``2024年3月``,       month
``March 2024``, ``Mar. 2024``
``2024-03-10`` (time part ignored),          day
``2024/3/10``, ``2024.03.10``,
``2024年3月10日`` (full-width digits too),
``March 10, 2024``, ``10 Mar 2024``,
a ``datetime``/``date``/``Timestamp``
==========================================  =========

Anything else raises ``ValueError`` with the reason (no date, an unknown form, not a
calendar date, ``03/04/2024`` whose day and month order is unknown). ``document_dates`` keeps
every document: the undated ones carry their reason, and so do dates too coarse for the
period (a bare year cannot be put in a month).
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nqpf.checks import require_columns
from nqpf.ingest import DOC_COLUMNS

PERIODS = ("year", "quarter", "month")  # coarse to fine
PRECISIONS = ("year", "month", "day")
RANK = {precision: rank for rank, precision in enumerate(PRECISIONS)}
DATE_FORMATS = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}  # a date as precise as given
FREQ = {"year": "Y", "quarter": "Q", "month": "M"}
NEEDS = {"year": "year", "quarter": "month", "month": "month"}  # precision a period needs
MONTHS = {name: number for number, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
     ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
     ("october", "oct"), ("november", "nov"), ("december", "dec")], start=1) for name in names}
MONTH = r"(?P<month>[a-z]+)\.?"
FORMS = [  # (compiled pattern, precision), tried in order on the lower-cased, NFKC text
    (re.compile(r"(?P<year>\d{4})年?"), "year"),
    (re.compile(r"(?P<year>\d{4})(?:[-/.](?P<month>\d{1,2})|年(?P<cmonth>\d{1,2})月)"), "month"),
    (re.compile(r"(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})"
                r"(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?"), "day"),
    (re.compile(r"(?P<year>\d{4})年(?P<month>\d{1,2})月(?P<day>\d{1,2})[日号]"), "day"),
    (re.compile(MONTH + r",? (?P<year>\d{4})"), "month"),
    (re.compile(MONTH + r" (?P<day>\d{1,2})(?:st|nd|rd|th)?,? (?P<year>\d{4})"), "day"),
    (re.compile(r"(?P<day>\d{1,2})(?:st|nd|rd|th)? " + MONTH + r",? (?P<year>\d{4})"), "day"),
]
AMBIGUOUS = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
DATE_COLUMNS = ["doc_id", "value", "date", "precision", "period", "period_start", "reason"]
# choose_period: the finest period that gives at most MAX_PERIODS periods over the span
MAX_PERIODS = 24


def parse_date(value) -> tuple[pd.Timestamp, str]:
    """``(first day, precision)`` of ``value`` (see the module docstring for the forms);
    precision is ``year``, ``month`` or ``day``. Raises ``ValueError`` saying why a value
    is not a usable date."""
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"{value!r} is not a date")
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # NaN, NaT
        raise ValueError("no date")
    if isinstance(value, datetime.date):  # datetime and Timestamp too
        return pd.Timestamp(value.year, value.month, value.day), "day"
    if isinstance(value, int | float | np.integer | np.floating):
        if float(value).is_integer() and 1000 <= value <= 9999:
            return pd.Timestamp(int(value), 1, 1), "year"
        raise ValueError(f"the number {value!r} is not a year")
    text = " ".join(unicodedata.normalize("NFKC", str(value)).lower().split())
    if not text:
        raise ValueError("no date")
    for pattern, precision in FORMS:
        match = pattern.fullmatch(text)
        if match:
            return _timestamp(match, precision, value), precision
    if AMBIGUOUS.fullmatch(text):
        raise ValueError(f"{value!r}: day and month order unknown; write it as 2024-03-04")
    raise ValueError(f"{value!r} is not a date form nqpf reads (e.g. 2024-03-10, 2024, "
                     "March 10, 2024, 2024年3月10日)")


def _timestamp(match: re.Match, precision: str, value) -> pd.Timestamp:
    parts = match.groupdict()
    month = parts.get("cmonth") or parts.get("month") or "1"
    if not month.isdigit():
        if month not in MONTHS:
            raise ValueError(f"{value!r}: unknown month name {month!r}")
        month = MONTHS[month]
    try:
        day = datetime.date(int(parts["year"]), int(month), int(parts.get("day") or 1))
    except ValueError:
        raise ValueError(f"{value!r} is not a calendar date") from None
    return pd.Timestamp(day)


def parse_dates(values) -> pd.DataFrame:
    """``parse_date`` over ``values`` (a Series or list): DataFrame (n_values, 4), columns
    ``value, date`` (NaT where unusable), ``precision`` and ``reason`` (empty when usable),
    on the index of ``values``."""
    values = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    rows = []
    for value in values.tolist():
        try:
            rows.append((value, *parse_date(value), ""))
        except ValueError as error:
            rows.append((value, pd.NaT, "", str(error)))
    table = pd.DataFrame(rows, columns=["value", "date", "precision", "reason"],
                         index=values.index)
    return table.astype({"date": "datetime64[ns]", "value": object})


@dataclass(frozen=True)
class PeriodChoice:
    """The period chosen for a set of dates, and why."""

    period: str
    reason: str


def choose_period(dates: pd.DataFrame, period: str | None = None, *,
                  max_periods: int = MAX_PERIODS) -> PeriodChoice:
    """``year``, ``quarter`` or ``month`` for the usable rows of ``parse_dates`` output:
    ``period`` if given (checked), else the finest period that keeps every date (a bare year
    forces ``year``, a month ``quarter`` or ``month``) and gives at most ``max_periods``
    periods from the first date to the last."""
    require_columns(dates, ["date", "precision"], "dates")
    if period is not None:
        if period not in PERIODS:
            raise ValueError(f"period must be one of {PERIODS} or None, got {period!r}")
        return PeriodChoice(period, f"{period}: chosen by you")
    usable = dates[dates["date"].notna()]
    if usable.empty:
        return PeriodChoice("year", "year: no usable dates, nothing to choose from")
    if (usable["precision"] == "year").any():
        n_years = int((usable["precision"] == "year").sum())
        return PeriodChoice("year", f"year: {n_years} date(s) give only a year")
    first, last = usable["date"].min(), usable["date"].max()
    for candidate in PERIODS[::-1]:
        n = len(pd.period_range(first, last, freq=FREQ[candidate]))
        if n <= max_periods or candidate == "year":
            return PeriodChoice(candidate, f"{candidate}: {n} {candidate}(s) from "
                                f"{first:%Y-%m-%d} to {last:%Y-%m-%d} (at most {max_periods} "
                                "periods, finest first)")
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Dates:
    """Every document's date and period. ``table``: one row per document, columns
    ``DATE_COLUMNS`` (``period`` a label such as ``2024``, ``2024Q1`` or ``2024-03`` and
    ``period_start`` its first day; ``reason`` empty for dated documents);
    ``period``/``reason``: the period used and why (``choose_period``)."""

    table: pd.DataFrame
    period: str
    reason: str

    @property
    def dated(self) -> pd.DataFrame:
        """Rows with a period, in date order."""
        return self.table[self.table["reason"] == ""].sort_values(["date", "doc_id"])

    @property
    def undated(self) -> pd.DataFrame:
        """Rows without a period: ``doc_id, value, reason``."""
        return self.table.loc[self.table["reason"] != "", ["doc_id", "value", "reason"]]

    @property
    def date_format(self) -> str:
        """``strftime`` format of ``DATE_FORMATS`` for the dates of the dated documents: as
        precise as the least precise of them (``%Y`` if one gives only its year)."""
        return DATE_FORMATS[min(self.dated["precision"], key=RANK.get, default="day")]

    def summary(self) -> str:
        """One line: how many documents are dated, their span, the period."""
        dated, shown = self.dated, self.date_format
        if dated.empty:
            return f"0 of {len(self.table)} documents dated"
        return (f"{len(dated)} of {len(self.table)} documents dated, "
                f"{dated['date'].min():{shown}} to {dated['date'].max():{shown}}; "
                f"{dated['period'].nunique()} {self.period} period(s) with documents "
                f"({self.reason})")


def as_given(dates: pd.DataFrame) -> pd.Series:
    """The ``date`` of each row of a ``Dates`` table as precise as its ``precision``
    (``DATE_FORMATS``): ``1921``, not its first day ``1921-01-01``; missing where it has none."""
    require_columns(dates, ["date", "precision"], "dates")
    shown = pd.Series(pd.NA, index=dates.index, dtype="string")
    for precision, date_format in DATE_FORMATS.items():
        rows = dates["date"].notna() & (dates["precision"] == precision)
        shown[rows] = dates.loc[rows, "date"].dt.strftime(date_format)
    return shown


def document_dates(docs: pd.DataFrame, column: str = "date", *,
                   period: str | None = None) -> Dates:
    """The date of every document from metadata ``column`` (``parse_date``) and its period
    (``period``, or ``choose_period``). Documents without a usable date, or with a date too
    coarse for the period, keep their row with the reason; a missing column makes every
    document undated, saying which columns there are."""
    require_columns(docs, ["doc_id"], "docs")
    if column not in docs:
        shown = [c for c in docs.columns if c not in ["doc_id", *DOC_COLUMNS]]
        values = pd.Series([None] * len(docs), index=docs.index, dtype=object)
        parsed = parse_dates(values).assign(reason=f"no date column {column!r} (metadata "
                                            f"columns: {', '.join(shown) or 'none'})")
    else:
        parsed = parse_dates(docs[column])
    choice = choose_period(parsed, period)
    table = parsed.assign(doc_id=docs["doc_id"].to_numpy())
    coarse = (table["reason"] == "") & (
        table["precision"].map(RANK) < RANK[NEEDS[choice.period]])
    table.loc[coarse, "reason"] = (f"gives only a year; the period is {choice.period} "
                                   "(use period='year')")
    usable = table["reason"] == ""
    periods = table["date"].where(usable).dt.to_period(FREQ[choice.period])
    table["period"] = periods.astype(str).where(usable, pd.NA).astype("string")
    table["period_start"] = periods.dt.start_time
    return Dates(table[DATE_COLUMNS].reset_index(drop=True), choice.period, choice.reason)
