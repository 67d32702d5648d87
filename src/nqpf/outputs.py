"""Where a notebook run writes its figures and tables, and how it names them in its output."""

from pathlib import Path

import pandas as pd

from nqpf import paths


def out_root(out_dir=None) -> Path:
    """The report folder of this run: ``out_dir`` or the project's ``reports/``."""
    return paths.REPORTS if out_dir is None else Path(out_dir)


def figures_dir(out_dir=None) -> Path:
    return paths.output_dir(out_root(out_dir) / "figures")


def tables_dir(out_dir=None) -> Path:
    return paths.output_dir(out_root(out_dir) / "tables")


def relative(path: Path) -> str:
    """``path`` relative to the project root when inside it, so printed output is portable."""
    path = Path(path).resolve()
    return str(path.relative_to(paths.ROOT)) if path.is_relative_to(paths.ROOT) else str(path)


def save_table(table: pd.DataFrame, name: str, *, out_dir=None) -> str:
    """Write ``table`` to ``<out_dir>/tables/<name>.csv`` and return a line saying where."""
    if not name or "/" in name or "\\" in name:
        raise ValueError(f"table name must be a plain file name, got {name!r}")
    path = tables_dir(out_dir) / f"{name}.csv"
    table.to_csv(path, index=False)
    return f"Table saved: {relative(path)} ({len(table):,} rows)"


def first_documents(passages: pd.DataFrame, max_docs: int, *,
                    shown: str = "Per-document figures") -> tuple[list[str], str]:
    """The first ``max_docs`` ``doc_id`` values of ``passages`` (order of first appearance),
    and a note saying that ``shown`` covers only these when there are more ("" otherwise)."""
    doc_ids = passages["doc_id"].drop_duplicates().tolist()
    if len(doc_ids) <= max_docs:
        return doc_ids, ""
    return doc_ids[:max_docs], (f"{shown} cover the first {max_docs} of {len(doc_ids)} "
                                "documents (parameter max_docs); everything else covers all "
                                "of them.")
