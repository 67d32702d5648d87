"""Tables as a reader sees them in a notebook or report: rendered HTML, no meaningless row
numbers, documents named by their short labels (``nqpf.labels``), missing values as "—".

``table`` returns a pandas ``Styler`` with a stable id (a hash of its content), so a
re-run renders the same HTML byte for byte. The data themselves are not changed: save the
DataFrame, show its ``table``.
"""

import hashlib
import html

import pandas as pd
from pandas.io.formats.style import Styler

MISSING = "—"  # shown for a missing value (NaN, <NA>, None)
DOCUMENT = "document"  # the column that replaces doc_id when labels are given
MAX_ROWS = 50  # rows a rendered table shows; the saved CSV holds all
MAX_COLUMNS = 30  # ... and columns (a table with a column per document)


def with_labels(df: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    """``df`` with every ``doc_id`` (a column, the index or the columns' name) replaced by its
    label from ``labels`` (Series doc_id -> label, see ``nqpf.labels.doc_labels``) and renamed
    ``document``; ids without a label stay as they are."""
    lookup = labels.to_dict()
    out = df.copy()
    if "doc_id" in out.columns:
        out["doc_id"] = out["doc_id"].map(lambda d: lookup.get(d, d))
        out = out.rename(columns={"doc_id": DOCUMENT})
    if out.index.name == "doc_id":
        out.index = pd.Index([lookup.get(d, d) for d in out.index], name=DOCUMENT)
    if out.columns.name == "doc_id":
        out.columns = pd.Index([lookup.get(d, d) for d in out.columns], name=DOCUMENT)
    return out


class Table(Styler):
    """A ``Styler`` whose plain-text form is its table rather than a memory address, so a
    stored notebook output is the same on every run."""

    def __repr__(self) -> str:
        return self.data.to_string(na_rep=MISSING, max_rows=pd.get_option("display.max_rows"),
                                   max_cols=pd.get_option("display.max_columns"))


def table(df: pd.DataFrame, *, labels: pd.Series | None = None, index: bool = False,
          precision: int = 3, caption: str | None = None, max_rows: int = MAX_ROWS,
          max_columns: int = MAX_COLUMNS) -> Styler:
    """``df`` rendered for reading: floats to ``precision`` decimals, missing values as
    ``MISSING``, dates at midnight as dates, the row index hidden unless ``index`` (a
    meaningful index, e.g. terms or documents), documents named by ``labels`` (see
    ``with_labels``). Cell text, labels and the caption are HTML-escaped: corpus text never
    becomes markup. At most ``max_rows`` rows and ``max_columns`` columns are shown, and the
    caption says so (the page stays readable, and quick to render, on a large corpus)."""
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"table needs a DataFrame, got {type(df).__name__}")
    cuts = []
    if len(df) > max_rows:
        cuts.append(f"the first {max_rows} of {len(df):,} rows")
        df = df.head(max_rows)
    if df.shape[1] > max_columns:
        cuts.append(f"the first {max_columns} of {df.shape[1]:,} columns")
        df = df.iloc[:, :max_columns]
    if cuts:
        cut = " and ".join(cuts)
        caption = f"{caption} ({cut})" if caption else cut[0].upper() + cut[1:]
    shown = df if labels is None else with_labels(df, labels)
    styler = (Table(shown, uuid="nqpf", cell_ids=False)
              .format(precision=precision, na_rep=MISSING, escape="html")  # corpus text is text
              .format_index(escape="html", axis=0).format_index(escape="html", axis=1)
              .set_table_attributes('class="dataframe"'))
    days = [column for column in shown.columns if pd.api.types.is_datetime64_any_dtype(
        shown[column]) and (shown[column].dropna().dt.normalize() == shown[column].dropna()).all()]
    if days:  # dates without a time of day, as pandas prints them
        styler = styler.format("{:%Y-%m-%d}", subset=days, na_rep=MISSING)
    if not index:
        styler = styler.hide(axis="index")
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return identified(styler)


def identified(styler: Styler) -> Styler:
    """``styler`` with an id made from what it shows (a hash of its HTML), so the same table
    renders the same HTML on every run and two different tables on a page do not share one."""
    digest = hashlib.sha1(styler.set_uuid("nqpf").to_html().encode("utf-8")).hexdigest()[:8]
    return styler.set_uuid(f"nqpf{digest}")


def concordance(kwic: pd.DataFrame, *, labels: pd.Series | None = None, max_lines: int = 40,
                caption: str | None = None) -> Styler:
    """A KWIC table (``explore.kwic``) read as a concordance: the first ``max_lines`` lines,
    left context right-aligned, the keyword centred and bold, right context left-aligned,
    no line wrapped (the table scrolls sideways on a narrow page). Columns ``document``
    (``doc_id`` or its label), ``passage`` (<NA> shown as "—"), ``page`` (if ``kwic`` has
    it), ``left, keyword, right``.
    The caption states how many of how many lines are shown."""
    missing = [c for c in ("doc_id", "passage_id", "left", "keyword", "right")
               if c not in kwic.columns]
    if missing:
        raise ValueError(f"kwic table lacks column(s) {missing}: make it with explore.kwic")
    if max_lines < 1:
        raise ValueError(f"max_lines must be >= 1, got {max_lines}")
    cited = ["doc_id", "passage_id", *(["page"] if "page" in kwic.columns else [])]
    shown = kwic.head(max_lines)[[*cited, "left", "keyword", "right"]]
    shown = (shown if labels is None else with_labels(shown, labels)).rename(
        columns={"doc_id": DOCUMENT, "passage_id": "passage"})
    stated = "no line matches in this corpus" if kwic.empty else (
        f"{len(shown):,} of {len(kwic):,} lines"
        + (f" (at most {max_lines:,} shown)" if len(kwic) > max_lines else ""))
    styler = table(shown, caption=f"{caption}: {stated}" if caption else stated)
    align = {"left": "text-align: right;", "keyword": "text-align: center; font-weight: bold;",
             "right": "text-align: left;"}
    styler = styler.set_table_styles(
        {column: [{"selector": "td", "props": props}] for column, props in align.items()},
        overwrite=False)
    return identified(styler.set_table_styles(
        [{"selector": "td, th", "props": "white-space: nowrap;"}], overwrite=False
    ).set_table_attributes(
        'class="dataframe concordance" style="display: block; overflow-x: auto; max-width: 100%;"'))


def check_answer(answer, expected, *, tolerance: float = 0.0) -> str:
    """A self-check message: has the reader's ``answer`` to a question the value the data give
    (``expected``)? Numbers match within ``tolerance``, text ignoring case and surrounding
    space, lists/sets as sets. ``answer`` None: a reminder to answer first (the expected value
    is not given away)."""
    if answer is None:
        return "Not answered yet: write your answer into the cell above and run it again."
    if isinstance(expected, bool) or isinstance(answer, bool):
        right = answer is expected
    elif isinstance(expected, int | float) and isinstance(answer, int | float):
        right = abs(float(answer) - float(expected)) <= tolerance
    elif isinstance(expected, list | tuple | set | frozenset):
        right = isinstance(answer, list | tuple | set | frozenset) and (
            {str(a).strip().lower() for a in answer} == {str(e).strip().lower() for e in expected})
    else:
        right = str(answer).strip().lower() == str(expected).strip().lower()
    if right:
        return f"Correct: {answer!r}."
    return f"Not quite: you answered {answer!r}. Look again at the tables above, then try again."
