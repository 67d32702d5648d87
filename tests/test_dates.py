import datetime

import numpy as np
import pandas as pd
import pytest

from nqpf import dates

DAY, MONTH, YEAR = "day", "month", "year"


@pytest.mark.parametrize(("value", "expected", "precision"), [
    ("2024", "2024-01-01", YEAR),
    ("2024年", "2024-01-01", YEAR),
    (" 1921 ", "1921-01-01", YEAR),
    (2024, "2024-01-01", YEAR),
    (2024.0, "2024-01-01", YEAR),
    (np.int64(1956), "1956-01-01", YEAR),
    ("2024-03", "2024-03-01", MONTH),
    ("2024/3", "2024-03-01", MONTH),
    ("2024.11", "2024-11-01", MONTH),
    ("2024年3月", "2024-03-01", MONTH),
    ("March 2024", "2024-03-01", MONTH),
    ("Mar. 2024", "2024-03-01", MONTH),
    ("sept 2023", "2023-09-01", MONTH),
    ("2024-03-10", "2024-03-10", DAY),
    ("2024-03-10T04:02:54", "2024-03-10", DAY),
    ("2024-03-10 04:02:54+08:00", "2024-03-10", DAY),
    ("2024/3/10", "2024-03-10", DAY),
    ("2024.03.10", "2024-03-10", DAY),
    ("2024年3月10日", "2024-03-10", DAY),
    ("2024年3月10号", "2024-03-10", DAY),
    ("２０２４年３月１０日", "2024-03-10", DAY),  # full-width digits
    ("March 10, 2024", "2024-03-10", DAY),
    ("march 10 2024", "2024-03-10", DAY),
    ("Mar. 10, 2024", "2024-03-10", DAY),
    ("10 Mar 2024", "2024-03-10", DAY),
    ("10 March, 2024", "2024-03-10", DAY),
    ("5th September 2023", "2023-09-05", DAY),
    ("2024-02-29", "2024-02-29", DAY),  # a leap day
    (datetime.date(2024, 3, 10), "2024-03-10", DAY),
    (datetime.datetime(2024, 3, 10, 23, 59), "2024-03-10", DAY),
    (pd.Timestamp("2024-03-10 04:02"), "2024-03-10", DAY),
])
def test_parse_date_reads_each_form(value, expected, precision):
    assert dates.parse_date(value) == (pd.Timestamp(expected), precision)


@pytest.mark.parametrize(("value", "reason"), [
    (None, "no date"),
    (float("nan"), "no date"),
    (pd.NaT, "no date"),
    ("", "no date"),
    ("   ", "no date"),
    (True, "is not a date"),
    (12.5, "is not a year"),
    (99, "is not a year"),
    ("yesterday", "is not a date form"),
    ("24", "is not a date form"),
    ("03/04/2024", "day and month order unknown"),
    ("3.4.2024", "day and month order unknown"),
    ("2024-13-01", "not a calendar date"),
    ("2023-02-29", "not a calendar date"),
    ("31 Apr 2024", "not a calendar date"),
    ("2024年13月", "not a calendar date"),
    ("Marchember 2024", "unknown month name"),
    ("2024-03-10 and 2024-03-11", "is not a date form"),
])
def test_parse_date_says_why_a_value_is_unusable(value, reason):
    with pytest.raises(ValueError, match=reason):
        dates.parse_date(value)


def test_parse_dates_keeps_every_row_and_its_index():
    table = dates.parse_dates(pd.Series(["2024", None, "nope"], index=[7, 8, 9]))
    assert table.index.tolist() == [7, 8, 9]
    assert table["precision"].tolist() == [YEAR, "", ""]
    assert table["reason"].tolist()[0] == "" and table["reason"].str.len().tolist()[1:] != [0, 0]
    assert table["date"].isna().tolist() == [False, True, True]


def frame(values):
    return pd.DataFrame({"date": pd.to_datetime(values), "precision": DAY})


@pytest.mark.parametrize(("first", "last", "period"), [
    ("2024-01-01", "2024-03-10", "month"),
    ("2023-01-01", "2024-12-31", "month"),  # 24 months
    ("2023-01-01", "2025-01-01", "quarter"),  # 25 months
    ("2019-01-01", "2024-12-31", "quarter"),  # 24 quarters
    ("2019-01-01", "2025-01-01", "year"),
    ("1921-07-23", "2022-10-16", "year"),
    ("2024-03-10", "2024-03-10", "month"),
])
def test_choose_period_from_the_span(first, last, period):
    assert dates.choose_period(frame([first, last])).period == period


def test_choose_period_keeps_bare_years_and_can_be_overridden():
    table = pd.concat([frame(["2024-03-10"]),
                       pd.DataFrame({"date": [pd.Timestamp("2023-01-01")], "precision": YEAR})])
    assert dates.choose_period(table).period == "year"
    assert "1 date(s) give only a year" in dates.choose_period(table).reason
    chosen = dates.PeriodChoice("month", "month: chosen by you")
    assert dates.choose_period(table, "month") == chosen
    with pytest.raises(ValueError, match="period must be one of"):
        dates.choose_period(table, "week")


DOCS = pd.DataFrame({"doc_id": ["a", "b", "c", "d", "e"],
                     "date": ["2024-03-10", "March 2024", "2023", None, "03/04/2024"]})


def test_document_dates_lists_every_undated_document_with_its_reason():
    found = dates.document_dates(DOCS)
    assert found.period == "year"  # "2023" gives only a year
    assert found.dated["doc_id"].tolist() == ["c", "b", "a"]
    assert found.dated["period"].tolist() == ["2023", "2024", "2024"]
    assert found.undated["doc_id"].tolist() == ["d", "e"]
    assert found.undated["reason"].tolist()[0] == "no date"
    assert found.summary().startswith("3 of 5 documents dated, 2023 to 2024; 2 year")


@pytest.mark.parametrize(
    ("values", "date_format", "span"),
    [(["2024-03-10", "2024-01-30"], "%Y-%m-%d", "2024-01-30 to 2024-03-10"),
     (["2024-03-10", "March 2024"], "%Y-%m", "2024-03 to 2024-03"),
     (["2024-03-10", "2023"], "%Y", "2023 to 2024"),
     ([None, None], "%Y-%m-%d", None)],
)
def test_dates_are_shown_as_precise_as_the_least_precise(values, date_format, span):
    found = dates.document_dates(pd.DataFrame({"doc_id": ["a", "b"], "date": values}))
    assert found.date_format == date_format
    if span:
        assert f", {span}; " in found.summary()


def test_as_given_shows_each_date_as_precise_as_its_value():
    found = dates.document_dates(DOCS)
    shown = dates.as_given(found.table)
    assert shown.tolist() == ["2024-03-10", "2024-03", "2023", pd.NA, pd.NA]
    assert shown.index.equals(found.table.index)
    assert dates.as_given(found.dated).tolist() == ["2023", "2024-03", "2024-03-10"]


def test_a_finer_period_sets_aside_coarser_dates_with_the_reason():
    found = dates.document_dates(DOCS, period="month")
    assert found.dated["period"].tolist() == ["2024-03", "2024-03"]
    assert found.dated["period_start"].tolist() == [pd.Timestamp("2024-03-01")] * 2
    reason = found.table.set_index("doc_id").loc["c", "reason"]
    assert reason == "gives only a year; the period is month (use period='year')"
    assert len(found.table) == len(DOCS)


def test_quarter_labels():
    found = dates.document_dates(DOCS.iloc[:2], period="quarter")
    assert found.dated["period"].tolist() == ["2024Q1", "2024Q1"]


def test_a_missing_date_column_makes_every_document_undated_naming_the_columns():
    found = dates.document_dates(DOCS.rename(columns={"date": "published"}), "year")
    assert found.dated.empty and len(found.undated) == 5
    reason = "no date column 'year' (metadata columns: published)"
    assert found.undated["reason"].iat[0] == reason
    assert found.summary() == "0 of 5 documents dated"
    computed = DOCS.drop(columns="date").assign(text="x", n_words=1, is_short=False)
    assert dates.document_dates(computed).undated["reason"].iat[0] == (
        "no date column 'date' (metadata columns: none)")  # not the computed columns
