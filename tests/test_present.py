import pandas as pd
import pytest
from pandas.io.formats.style import Styler

from nqpf import present

LABELS = pd.Series({"000_a": "Alpha", "001_b": "Beta"}, name="label")
KWIC = pd.DataFrame({
    "doc_id": ["000_a", "001_b", "001_b"], "passage_id": pd.array([1, pd.NA, 2], dtype="Int64"),
    "start": [5, 9, 40], "end": [11, 15, 46],
    "left": ["the primary", "a long left context", "x"], "keyword": ["talent"] * 3,
    "right": ["is key", "y", "z"],
})


@pytest.mark.parametrize(
    ("df", "column_names", "index_names"),
    [
        (pd.DataFrame({"doc_id": ["000_a", "zzz"], "n": [1, 2]}), ["document", "n"], None),
        (pd.DataFrame({"n": [1, 2]}, index=pd.Index(["001_b", "000_a"], name="doc_id")),
         ["n"], ["Beta", "Alpha"]),
        (pd.DataFrame([[1, 2]], columns=pd.Index(["000_a", "001_b"], name="doc_id")),
         ["Alpha", "Beta"], None),
    ],
)
def test_with_labels_names_documents_everywhere(df, column_names, index_names):
    out = present.with_labels(df, LABELS)
    assert list(out.columns) == column_names
    if index_names:
        assert list(out.index) == index_names and out.index.name == "document"
    if "document" in out.columns:
        assert list(out["document"]) == ["Alpha", "zzz"]  # unknown ids stay as they are


def test_table_hides_row_numbers_and_shows_missing_as_dash():
    html = present.table(pd.DataFrame({"a": [1.23456, None]})).to_html()
    assert "1.235" in html and present.MISSING in html and "nan" not in html.lower()
    assert "row_heading" not in html  # no index column


@pytest.mark.parametrize(
    ("dates", "shown", "not_shown"),
    [(["1921-07-23", None], "1921-07-23", "00:00:00"),
     (["1921-07-23 14:30", "1922-01-01 00:00"], "1921-07-23 14:30:00", None)],
)
def test_table_shows_dates_at_midnight_as_dates(dates, shown, not_shown):
    html = present.table(pd.DataFrame({"date": pd.to_datetime(dates)})).to_html()
    assert shown in html and (not_shown is None or not_shown not in html)


def test_table_keeps_a_meaningful_index():
    html = present.table(pd.DataFrame({"a": [1]}, index=pd.Index(["talent"], name="term")),
                         index=True).to_html()
    assert "talent" in html


def test_table_renders_the_same_html_on_every_call():
    df = pd.DataFrame({"a": [1, 2]})
    assert present.table(df).to_html() == present.table(df.copy()).to_html()
    assert present.table(df).to_html() != present.table(df.assign(a=[1, 3])).to_html()


def test_table_rejects_a_series():
    with pytest.raises(ValueError, match="DataFrame"):
        present.table(pd.Series([1]))


def test_concordance_says_when_nothing_matches():
    html = present.concordance(KWIC.head(0), caption="talent").to_html()
    assert "talent: no line matches in this corpus" in html


def test_concordance_aligns_on_the_keyword_and_states_the_cap():
    styler = present.concordance(KWIC, labels=LABELS, max_lines=2, caption="talent")
    assert isinstance(styler, Styler)
    html = styler.to_html()
    assert "talent: 2 of 3 lines (at most 2 shown)" in html
    assert list(styler.data.columns) == ["document", "passage", "left", "keyword", "right"]
    css = html.split("</style>")[0]
    column = {name: f"col{i}" for i, name in enumerate(styler.data.columns)}
    assert f"td.{column['left']} {{\n  text-align: right;" in css
    assert f"td.{column['keyword']} {{\n  text-align: center;" in css
    assert f"td.{column['right']} {{\n  text-align: left;" in css
    assert "white-space: nowrap" in css
    assert "Alpha" in html and "000_a" not in html


def test_concordance_shows_all_lines_under_the_cap():
    assert "3 of 3 lines</caption>" in present.concordance(KWIC, max_lines=10).to_html()


@pytest.mark.parametrize(("kwic", "kwargs", "message"), [
    (KWIC.drop(columns="left"), {}, "left"), (KWIC, {"max_lines": 0}, "max_lines")])
def test_concordance_rejects_bad_input(kwic, kwargs, message):
    with pytest.raises(ValueError, match=message):
        present.concordance(kwic, **kwargs)


@pytest.mark.parametrize(
    ("answer", "expected", "kwargs", "start"),
    [
        (None, 3, {}, "Not answered yet"),
        (3, 3, {}, "Correct"),
        (2, 3, {}, "Not quite"),
        (0.34, 0.337, {"tolerance": 0.01}, "Correct"),
        (0.3, 0.337, {"tolerance": 0.01}, "Not quite"),
        (" Talent ", "talent", {}, "Correct"),
        (["b", "A"], ["a", "b"], {}, "Correct"),
        ("a", ["a", "b"], {}, "Not quite"),
        (True, True, {}, "Correct"),
        (1, True, {}, "Not quite"),
    ],
)
def test_check_answer(answer, expected, kwargs, start):
    message = present.check_answer(answer, expected, **kwargs)
    assert message.startswith(start)
    if answer is None:
        assert str(expected) not in message  # the answer is not given away


def test_concordance_cites_the_page_when_there_is_one():
    styler = present.concordance(KWIC.assign(page=pd.array([1, 2, pd.NA], dtype="Int64")))
    assert list(styler.data.columns) == ["document", "passage", "page", "left", "keyword",
                                         "right"]
    assert "td.col4 {\n  text-align: center;" in styler.to_html()


def test_table_id_depends_on_what_is_shown_not_on_hidden_digits():
    a = present.table(pd.DataFrame({"x": [0.1234567]})).to_html()
    b = present.table(pd.DataFrame({"x": [0.1234568]})).to_html()  # same to 3 decimals
    assert a == b


def test_table_prints_as_its_rows_not_an_address():
    shown = present.table(pd.DataFrame({"term": ["a", "b"], "share": [0.5, None]}))
    lines = repr(shown).splitlines()
    assert lines[0].split() == ["term", "share"]
    assert [line.split() for line in lines[1:]] == [["0", "a", "0.5"], ["1", "b", present.MISSING]]


@pytest.mark.parametrize("where", ["cell", "column", "index", "caption"])
def test_table_escapes_corpus_text(where):
    script = "<script>alert(1)</script>"
    df = pd.DataFrame({"text": [script if where == "cell" else "x"]},
                      index=[script if where == "index" else "a"])
    if where == "column":
        df.columns = [script]
    shown = present.table(df, index=True, caption=script if where == "caption" else None)
    page = shown.to_html()
    assert "<script>" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize(("n_rows", "n_columns", "caption", "expected"), [
    (3, 2, None, None),
    (60, 2, None, "The first 50 of 60 rows"),
    (60, 2, "Key", "Key (the first 50 of 60 rows)"),
    (3, 40, None, "The first 30 of 40 columns"),
    (60, 40, "Counts", "Counts (the first 50 of 60 rows and the first 30 of 40 columns)"),
])
def test_table_shows_at_most_max_rows_and_columns_and_says_so(n_rows, n_columns, caption,
                                                             expected):
    df = pd.DataFrame({f"doc_{c}": range(n_rows) for c in range(n_columns)})
    shown = present.table(df, caption=caption)
    assert shown.data.shape == (min(n_rows, present.MAX_ROWS), min(n_columns, present.MAX_COLUMNS))
    assert shown.caption == expected
