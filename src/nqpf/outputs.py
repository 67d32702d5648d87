"""Where a notebook run writes its figures and tables, how it names them in its output, and
the manifest of a report run (``manifest.json``: the files it wrote, its parameters, the
versions), with which the next run removes what it no longer writes."""

import csv
import hashlib
import json
import os
import platform
import re
import tempfile
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from filelock import FileLock
from IPython import get_ipython
from IPython.display import Image, display

from nqpf import dates, figures, paths

PROGRESS_BAR = re.compile(r"\d+%\||\d+/\d+ \[")  # a tqdm bar: "42%|████  | 21/50 [00:10<…"

MANIFEST = "manifest.json"
CAPTIONS = "captions.csv"
FILE_NAMES = "file_names.csv"  # text -> file name, where a name had to be made safe
PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$")
UNSAFE_CHARACTERS = re.compile(r"[^A-Za-z0-9_-]+")
LEFT_BEHIND = ["figures/.captions.csv.lock"]  # what versions before the manifest left behind
VERSIONED = ("nqpf", "numpy", "scipy", "pandas", "scikit-learn", "matplotlib", "papermill",
             "nbconvert")


def out_root(out_dir=None) -> Path:
    """The report folder of this run: ``out_dir`` or the project's ``reports/``."""
    return paths.REPORTS if out_dir is None else Path(out_dir)


class Run:
    """Where one notebook run writes: ``figures/`` and ``tables/`` under ``out_dir`` (the
    project's ``reports/`` when None). Notebooks make one (``run = outputs.Run(out_dir)``) and
    save every figure and table through it, so no output can miss the run's folder."""

    def __init__(self, out_dir=None):
        self.root = out_root(out_dir)

    @property
    def figures(self) -> Path:
        return paths.output_dir(self.root / "figures")

    @property
    def tables(self) -> Path:
        return paths.output_dir(self.root / "tables")

    def figure(self, fig, name: str, *, caption: str) -> str:
        """Save ``fig`` as ``figures/<name>.png`` and ``.svg``, record ``caption`` in
        ``figures/captions.csv`` (for the report index) and return "Figure: <caption> (saved:
        <path>, .svg)". In a notebook the saved PNG is displayed (the caption as its alt text)
        and ``fig`` closed, so what you see is the file."""
        if not isinstance(caption, str) or not caption.strip():
            raise ValueError(f"caption for figure {name!r} is empty")
        png, _ = figures.save_figure(fig, name, folder=self.figures)
        caption = " ".join(caption.split())
        record(self.figures / CAPTIONS, ("figure", "caption"), name, caption)
        if get_ipython() is not None:
            plt.close(fig)
            display(Image(filename=png, alt=caption))
        return f"Figure: {caption} (saved: {paths.relative(png)}, .svg)"

    def table(self, table: pd.DataFrame, name: str) -> str:
        """Write ``table`` to ``tables/<name>.csv`` and return a line saying where. A ``name``
        that is not a plain file name (say, a document id) is made one (``safe_name``: the
        mapping goes to ``tables/file_names.csv``)."""
        folder = self.tables
        path = folder / f"{safe_name(name, folder)}.csv"
        table.to_csv(path, index=False)
        return f"Table saved: {paths.relative(path)} ({len(table):,} rows)"


def file_name(text) -> str:
    """``text`` (e.g. a document id) as a file name stem that is never a path: ``text`` itself
    if it is plain (letters, digits, ``_``, ``-``; at most 80), else its plain characters (others
    as ``_``, at most 40) and 8 hex digits of its SHA-256, so that two texts never share a name."""
    text = str(text)
    if PLAIN_NAME.match(text):
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"{UNSAFE_CHARACTERS.sub('_', text).strip('_')[:40]}-{digest}".lstrip("-")


def safe_name(text, folder: Path) -> str:
    """``file_name(text)``; when that differs from ``text`` the pair is recorded in
    ``folder/file_names.csv`` (columns ``name, file_name``)."""
    stem = file_name(text)
    if stem != str(text):
        record(Path(folder) / FILE_NAMES, ("name", "file_name"), str(text), stem)
    return stem


def record(path: Path, columns: tuple[str, str], key: str, value: str) -> None:
    """Set ``key``'s row of the two-column CSV ``path`` (``columns``: key and value names) to
    ``value``, rows sorted by key; locked, as notebooks may run side by side (the lock file
    lives in the temporary folder, so none is left beside the table)."""
    digest = hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()[:16]
    with FileLock(Path(tempfile.gettempdir()) / f"nqpf-{digest}.lock"):
        rows = {}
        if path.exists():
            with path.open(newline="", encoding="utf-8") as handle:
                rows = {row[columns[0]]: row[columns[1]] for row in csv.DictReader(handle)}
        rows[key] = value
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(sorted(rows.items()))


def figure_documents(passages: pd.DataFrame, figure_docs: int, *,
                     docs: pd.DataFrame | None = None, date_column: str | None = None,
                     shown: str = "Per-document figures") -> tuple[list[str], str]:
    """The ``doc_id`` values that per-document figures show, and a note saying which they
    are when they are not all ("" otherwise).

    All the documents of ``passages`` (order of first appearance) if there are at most
    ``figure_docs``. Else ``figure_docs`` of them, those not flagged ``is_short`` in ``docs``
    (stubs show little in a figure) if there are enough: if ``docs`` has a ``date_column``
    that dates enough of them (``nqpf.dates.parse_date``), spread evenly over their order in
    time, the earliest and the latest included, in date order; else the first ones."""
    doc_ids = passages["doc_id"].drop_duplicates().tolist()
    if len(doc_ids) <= figure_docs:
        return doc_ids, ""
    candidates, which = doc_ids, f"{len(doc_ids):,} documents"
    if docs is not None and "is_short" in docs:
        short = set(docs.loc[docs["is_short"].astype(bool), "doc_id"])
        longer = [doc_id for doc_id in doc_ids if doc_id not in short]
        if figure_docs <= len(longer) < len(doc_ids):
            candidates = longer
            which = f"{len(longer):,} documents not flagged as short ({len(doc_ids):,} in all)"
    rest = "(parameter figure_docs); everything else covers all of them."
    if docs is not None and date_column in docs:
        found = dates.document_dates(docs, date_column).table
        dated = found[(found["reason"] == "") & found["doc_id"].isin(candidates)].sort_values(
            "date", kind="stable")
        if len(dated) >= figure_docs:
            at = np.round(np.linspace(0, len(dated) - 1, figure_docs)).astype(int)
            chosen = dated.iloc[at]
            first, last = chosen["value"].iloc[0], chosen["value"].iloc[-1]
            return chosen["doc_id"].tolist(), (
                f"{shown} cover {figure_docs:,} of {which}, spread evenly over the dates in "
                f"{date_column!r} ({first} to {last}), in date order {rest}")
    return candidates[:figure_docs], (f"{shown} cover the first {figure_docs:,} of {which} "
                                      f"{rest}")


def clock(out_dir) -> int:
    """The file system's time in ``out_dir`` (ns), read from a file written there now: a file
    written later (after the next tick of the file system's clock) is newer."""
    with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".nqpf-clock-") as marker:
        return os.stat(marker.name).st_mtime_ns


def manifest_files(out_dir) -> list[str]:
    """The files (relative to ``out_dir``) that the last run's manifest lists; [] if there is
    no readable manifest."""
    try:
        files = json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [name for name in files if isinstance(name, str)] if isinstance(files, list) else []


def written_since(out_dir, since: int) -> list[str]:
    """Files under ``out_dir`` (relative, sorted) modified after file-system time ``since``,
    the manifest excepted."""
    out_dir = Path(out_dir)
    found = []
    for folder, _, names in os.walk(out_dir):
        for name in names:
            path = Path(folder, name)
            try:
                if path.stat().st_mtime_ns > since:
                    found.append(path.relative_to(out_dir).as_posix())
            except OSError:  # vanished meanwhile
                continue
    return sorted(name for name in found if name != MANIFEST)


def remove_stale(out_dir, previous: list[str], written: list[str]) -> list[str]:
    """Delete the files listed in ``previous`` (an earlier manifest) that are not in
    ``written``, and the folders this leaves empty; only regular files inside ``out_dir``.
    Returns the removed names."""
    out_dir = Path(out_dir).resolve()
    removed = []
    for name in sorted(set(previous) - set(written)):
        path = out_dir / name
        if path.is_symlink() or not path.is_file() or not path.resolve().is_relative_to(out_dir):
            continue
        path.unlink()
        removed.append(name)
        for folder in path.parents:
            if folder == out_dir or any(folder.iterdir()):
                break
            folder.rmdir()
    return removed


def prune_captions(folder) -> None:
    """Drop the rows of ``folder/captions.csv`` whose figure (``<figure>.png``) is gone."""
    path = Path(folder) / CAPTIONS
    if not path.is_file():
        return
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    kept = [row for row in rows if (path.parent / f"{row['figure']}.png").is_file()]
    if len(kept) < len(rows):
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["figure", "caption"])
            writer.writerows((row["figure"], row["caption"]) for row in kept)


def versions() -> dict[str, str]:
    """Python's version and those of nqpf and the packages whose output the report shows."""
    found = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def write_manifest(out_dir, *, since: int, previous: list[str], parameters: dict,
                   notebooks: dict[str, str]) -> list[str]:
    """End a report run in ``out_dir``: remove what the ``previous`` manifest lists (and the lock
    file that versions before it left in ``figures/``) and this run, started at file-system time
    ``since``, did not write; then write ``manifest.json`` (files written, ``parameters``, each
    notebook's status, versions). Returns the removed names."""
    out_dir = Path(out_dir)
    removed = remove_stale(out_dir, [*previous, *LEFT_BEHIND], written_since(out_dir, since))
    prune_captions(out_dir / "figures")
    manifest = {"created": datetime.now(UTC).isoformat(timespec="seconds"),
                "parameters": parameters, "notebooks": notebooks, "versions": versions(),
                "files": written_since(out_dir, since), "removed": removed}
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False,
                                               default=str) + "\n", encoding="utf-8")
    return removed
