import numpy as np
import pandas as pd
import pytest

from nqpf.checks import (
    check_docs,
    read_csv_table,
    require_columns,
    require_token_lists,
    require_values,
)

TABLE = pd.DataFrame({"doc_id": ["a", "b"], "n": [1, 2], "text": ["x", "y"]})


@pytest.mark.parametrize(
    ("table", "columns", "options", "message"),
    [
        (["not", "a", "frame"], ["doc_id"], {}, "passages must be a pandas DataFrame, got list"),
        (TABLE, ["doc_id", "tokens"], {},
         r"passages is missing column\(s\) \['tokens'\]; it has \['doc_id', 'n', 'text'\]"),
        (TABLE.iloc[:0], ["doc_id"], {"non_empty": True}, "passages is empty"),
        (TABLE, ["doc_id"], {"numeric": ["text"]}, "passages column 'text' must be numeric"),
    ],
)
def test_require_columns_rejects(table, columns, options, message):
    with pytest.raises(ValueError, match=message):
        require_columns(table, columns, "passages", **options)


@pytest.mark.parametrize(
    ("table", "columns", "options"),
    [
        (TABLE, ["doc_id", None], {"non_empty": True}),  # None: optional column not used
        (TABLE.iloc[:0], ["doc_id"], {}),  # empty is fine unless non_empty
        (TABLE, [], {"numeric": ["n"]}),
    ],
)
def test_require_columns_accepts(table, columns, options):
    assert require_columns(table, columns, "passages", **options) is None


@pytest.mark.parametrize(
    ("values", "message"),
    [([None, "x", np.nan], r"'genre' has no value for 2 of 3 row\(s\).*fillna\('unknown'\)"),
     ([np.nan], "no value for 1 of 1")],
)
def test_require_values_rejects_missing(values, message):
    with pytest.raises(ValueError, match=message):
        require_values(pd.DataFrame({"genre": values}), "genre", "passages")


def test_require_values_accepts_complete_column():
    assert require_values(pd.DataFrame({"genre": ["x", "y"]}), "genre", "passages") is None


@pytest.mark.parametrize(
    ("token_lists", "message"),
    [
        (pd.DataFrame({"tokens": [["a"]]}), r"got a DataFrame: pass passages\['tokens'\]"),
        ("rare earth", r"got a str: pass passages\['tokens'\]"),
        ([], "token_lists is empty"),
        (["rare earth"], r"token_lists\[0\] must be a list of tokens, not strings \(got str\)"),
        ([["a"], None], r"token_lists\[1\] .*got NoneType"),
    ],
)
def test_require_token_lists_rejects(token_lists, message):
    with pytest.raises(ValueError, match=message):
        require_token_lists(token_lists, "token_lists")


@pytest.mark.parametrize(
    ("token_lists", "expected"),
    [
        ([["a", "b"], []], [["a", "b"], []]),
        (pd.Series([("a",), np.array(["b", "c"])]), [["a"], ["b", "c"]]),
        ((tokens for tokens in [["a"]]), [["a"]]),
    ],
)
def test_require_token_lists_returns_lists(token_lists, expected):
    assert require_token_lists(token_lists, "token_lists") == expected


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        (None, FileNotFoundError, "lexicon file not found: .*table.csv"),
        (b"", ValueError, r"table.csv: cannot read lexicon CSV \(No columns"),
        (b'term,variant\nx,"open quote\n', ValueError, "cannot read lexicon CSV"),
        (b"term,variant\n\xff\xfe\x00x,y\n", ValueError, "cannot read lexicon CSV"),
    ],
)
def test_read_csv_table_errors(tmp_path, content, error, message):
    path = tmp_path / "table.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(error, match=message):
        read_csv_table(path, "lexicon")


def test_read_csv_table_passes_options(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("term,variant\nx, NA\n", encoding="utf-8")
    table = read_csv_table(path, "lexicon", dtype=str, keep_default_na=False,
                           skipinitialspace=True)
    assert table.to_dict("list") == {"term": ["x"], "variant": ["NA"]}


@pytest.mark.parametrize(
    ("language", "message"),
    [(["de"], r"column 'language' has \['de'\]; use one of \['zh', 'en', 'mixed', 'other'\]"),
     ([None], r"has \['None'\]")],
)
def test_check_docs_names_an_unknown_language(language, message):
    docs = pd.DataFrame({"doc_id": ["a"], "text": ["x"], "language": language})
    with pytest.raises(ValueError, match=message):
        check_docs(docs)
    check_docs(docs.assign(language="zh"))
