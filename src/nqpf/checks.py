"""Input checks shared by the analysis modules: table columns, token lists, CSV files.

Each check raises ``ValueError`` (``FileNotFoundError`` for a missing file) with a message
naming the input and the problem, so a predictable user mistake never surfaces as a KeyError
or parser error from deep inside pandas.
"""

from collections.abc import Iterable
from pathlib import Path

import pandas as pd


def require_columns(table: pd.DataFrame, columns: Iterable[str | None], name: str, *,
                    non_empty: bool = False, numeric: Iterable[str] = ()) -> None:
    """Raise ``ValueError`` unless ``table`` (called ``name`` in messages) is a DataFrame with
    every one of ``columns`` (``None`` entries, e.g. an unused optional column, are skipped),
    has rows if ``non_empty``, and has a numeric dtype in every column of ``numeric``."""
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame, got {type(table).__name__}")
    missing = [column for column in columns if column is not None and column not in table]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}; it has {list(table.columns)}")
    if non_empty and table.empty:
        raise ValueError(f"{name} is empty: it has no rows")
    for column in numeric:
        if not pd.api.types.is_numeric_dtype(table[column]):
            raise ValueError(f"{name} column {column!r} must be numeric, got {table[column].dtype}")


def require_values(table: pd.DataFrame, column: str, name: str) -> None:
    """Raise ``ValueError`` if ``table[column]`` has missing values (NaN/None): grouping by
    it would silently drop those rows."""
    n_missing = int(table[column].isna().sum())
    if n_missing:
        raise ValueError(
            f"{name} column {column!r} has no value for {n_missing} of {len(table)} row(s); "
            f"fill them first, e.g. {name}[{column!r}] = {name}[{column!r}].fillna('unknown')"
        )


def require_token_lists(token_lists, name: str) -> list[list[str]]:
    """Validate one token list per passage (e.g. ``passages["tokens"]``) and return them as a
    list of lists. Rejects a DataFrame, a string, an empty input and any item that is a
    string or not iterable."""
    hint = "pass passages['tokens']"
    if isinstance(token_lists, pd.DataFrame):
        raise ValueError(f"{name} must be one token list per passage, got a DataFrame: {hint}")
    if isinstance(token_lists, str):
        raise ValueError(f"{name} must be an iterable of token lists, got a str: {hint}")
    lists = list(token_lists)
    if not lists:
        raise ValueError(f"{name} is empty: pass one token list per passage")
    for i, tokens in enumerate(lists):
        if isinstance(tokens, str) or not isinstance(tokens, Iterable):
            raise ValueError(f"{name}[{i}] must be a list of tokens, not strings (got "
                             f"{type(tokens).__name__}): {hint}")
    return [tokens if type(tokens) is list else list(tokens) for tokens in lists]


def read_csv_table(path: Path | str, what: str, **read_csv_kwargs) -> pd.DataFrame:
    """``pd.read_csv(path, **read_csv_kwargs)`` with clear errors: ``FileNotFoundError`` if
    there is no file, ``ValueError`` naming the file if it is empty, malformed (e.g. an
    unclosed quote) or not text. ``what`` names the file's role, e.g. ``"lexicon"``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{what} file not found: {path}")
    try:
        return pd.read_csv(path, **read_csv_kwargs)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot read {what} CSV ({error})") from error


def check_docs(docs: pd.DataFrame, columns: tuple[str, ...] = ("doc_id", "text")) -> None:
    """Raise ``ValueError`` unless ``docs`` is a DataFrame with ``columns``, string texts and,
    if it has a ``language`` column, only ``nqpf.language.LANGUAGES`` in it."""
    from nqpf.language import LANGUAGES

    require_columns(docs, columns, "docs")
    if "text" in columns:
        bad = [d for d, t in zip(docs["doc_id"], docs["text"], strict=True)
               if not isinstance(t, str)]
        if bad:
            raise ValueError(f"docs has non-string text for doc_id(s) {bad}")
    if "language" in docs:
        unknown = sorted(map(str, set(docs["language"].tolist()) - set(LANGUAGES)))
        if unknown:
            raise ValueError(f"docs column 'language' has {unknown}; use one of "
                             f"{list(LANGUAGES)} (nqpf.language)")
