"""Time ``python -m nqpf report`` on a large corpus and record per-notebook time and peak memory.

Runs the report command as a user would (``python -m nqpf report --corpus X --out Y``), samples
the resident memory of every process of its tree with psutil (every 0.2 s), and reads each
executed notebook's papermill metadata for its wall time and its slowest cells. Kernels are
matched to notebooks by start time. The result replaces (or appends) the section
``## Report at scale`` of ``benchmarks/RESULTS.md``; the rest of that file is left alone.

    .venv/bin/python benchmarks/report_scale.py --docs 5000     # quick: first 5,000 documents
    .venv/bin/python benchmarks/report_scale.py                 # all 60,876 descriptions
    .venv/bin/python benchmarks/report_scale.py --long-text 50 \
        --section "## Report at scale: one 50 MB text"         # a folder of one long text
    .venv/bin/python benchmarks/report_scale.py --corpus ../shared/bench/pypi-summaries.jsonl.gz \
        --section "## Report at scale: PyPI"

``--long-text MB`` writes (not committed: ``benchmarks/.scratch/``) a folder holding one text of
MB MiB, the Debian descriptions one after another with a blank line between them (repeated
past their 21 MiB), and runs the report on it.

Targets (issue 16, 2 cores): peak RSS <= 3 GiB in every process, wall time <= 5 minutes.
"""

import argparse
import itertools
import json
import os
import platform
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import nbformat
import psutil

from nqpf import paths

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import DEFAULT_CORPUS, ROOT, corpus_file, write_section  # noqa: E402

SECTION = "## Report at scale"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
TARGET_RSS_MIB = 3 * 1024
TARGET_SECONDS = 300


class TreeSampler(threading.Thread):
    """Peak RSS (MiB) of every process in the tree of ``pid``, by pid, with its command line
    and start time; and the peak of the tree's total. Sampled every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.root, self.interval = psutil.Process(pid), interval
        self.peaks: dict[int, dict] = {}
        self.tree_peak = 0.0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                break
            total = 0.0
            for process in processes:
                try:
                    rss = process.memory_info().rss / 2**20
                    entry = self.peaks.setdefault(process.pid, {
                        "cmdline": " ".join(process.cmdline()), "started": process.create_time(),
                        "rss": 0.0})
                except psutil.Error:
                    continue
                entry["rss"] = max(entry["rss"], rss)
                total += rss
            self.tree_peak = max(self.tree_peak, total)
            time.sleep(self.interval)


def run_report(corpus: Path, out: Path, jobs: int) -> dict:
    """Run the report; return wall seconds, exit code, sampler, the load average meanwhile."""
    command = [sys.executable, "-m", "nqpf", "report", "--corpus", str(corpus), "--out",
               str(out), "--jobs", str(jobs)]
    load_before = os.getloadavg()[0]
    cached = len(list(paths.PROCESSED.glob("*"))) if paths.PROCESSED.is_dir() else 0
    start, started = time.perf_counter(), time.time()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    sampler = TreeSampler(process.pid)
    sampler.start()
    lines = []
    for line in process.stdout:
        print(line, end="", file=sys.stderr)
        lines.append(line.rstrip())
    code = process.wait()
    seconds = time.perf_counter() - start
    sampler.done.set()
    sampler.join()
    return {"seconds": seconds, "code": code, "sampler": sampler, "lines": lines,
            "started": started, "load": (load_before, os.getloadavg()[0]),
            "command": " ".join(["python", *command[1:]]), "cached": cached}


def notebook_rows(out: Path, sampler: TreeSampler) -> list[dict]:
    """Per executed notebook: seconds (papermill), its three slowest cells, and the peak RSS
    of the kernel whose start time is closest to the notebook's start."""
    kernels = [p for p in sampler.peaks.values() if "ipykernel" in p["cmdline"]]
    rows = []
    for path in sorted((out / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        meta = nb.metadata.get("papermill", {})
        start = meta.get("start_time")
        started = datetime.fromisoformat(start).timestamp() if start else None
        kernel = (min(kernels, key=lambda k: abs(k["started"] - started))
                  if kernels and started else None)
        cells = []
        for cell in nb.cells:
            duration = cell.metadata.get("papermill", {}).get("duration")
            if cell.cell_type == "code" and duration is not None:
                cells.append((duration, cell.execution_count, cell.source.split("\n")[0][:50]))
        slowest = sorted(cells, reverse=True)[:3]
        failed = meta.get("exception") or any(
            output.get("output_type") == "error" for cell in nb.cells
            for output in cell.get("outputs", []))
        rows.append({"notebook": path.stem, "seconds": meta.get("duration"),
                     "rss": kernel["rss"] if kernel else None, "failed": bool(failed),
                     "slowest": slowest})
    return rows


def long_text(source: Path, mib: float, folder: Path) -> Path:
    """A folder in ``folder`` holding one text of ``mib`` MiB: the texts of the JSONL corpus
    ``source`` one after another, a blank line between them, the corpus repeated if it is
    smaller (the Debian descriptions hold 21 MiB)."""
    target = folder / f"long-text-{mib:g}mib"
    path = target / f"{source.name.split('.')[0]}-{mib:g}mib.txt"
    if not path.exists():
        target.mkdir(exist_ok=True)
        texts = [json.loads(line)["text"] for line in _lines(source)]
        parts, size = [], 0
        for text in itertools.cycle(texts):
            parts.append(text)
            size += len(text.encode()) + 2
            if size >= mib * 2**20:
                break
        path.write_text("\n\n".join(parts), encoding="utf-8")
    return target


def section(args, corpus: Path, n_docs: int, result: dict, rows: list[dict]) -> str:
    """The markdown section for RESULTS.md."""
    sampler = result["sampler"]
    peak_process = max(sampler.peaks.values(), key=lambda p: p["rss"])
    size = (f"one text of {sum(p.stat().st_size for p in corpus.iterdir()) / 2**20:,.0f} MiB"
            if corpus.is_dir() else f"{n_docs:,} documents")
    lines = [
        args.section, "",
        f"- Command: `python benchmarks/report_scale.py {' '.join(args.argv)}`".rstrip() + "",
        f"- Runs: `{result['command']}`",
        f"- Date: {datetime.fromtimestamp(result['started']).isoformat(timespec='minutes')}",
        f"- Machine: {os.cpu_count()} cores, {platform.platform()}; load average (1 min) "
        f"{result['load'][0]:.1f} before, {result['load'][1]:.1f} after (other jobs share "
        "the cores, so times are upper bounds)",
        f"- Corpus: `{corpus.name}`, {size}; prepared-corpus cache "
        f"`data/processed/`: {result['cached']} file(s) before the run "
        f"({'warm if this corpus ran before' if result['cached'] else 'cold'})",
        f"- Exit status {result['code']}; wall time {result['seconds']:.0f} s; peak RSS of the "
        f"largest process {peak_process['rss']:.0f} MiB "
        f"(`{peak_process['cmdline'][:60]}`); peak of the whole tree {sampler.tree_peak:.0f} MiB "
        "(psutil, every 0.2 s)", "",
        "| notebook | seconds | kernel peak RSS MiB | slowest cells (s) |",
        "|---|---|---|---|",
    ]
    for row in rows:
        seconds = f"{row['seconds']:.1f}" if row["seconds"] is not None else "n/a"
        rss = f"{row['rss']:.0f}" if row["rss"] is not None else "n/a"
        slowest = "; ".join(f"In [{n}] {d:.1f} `{s.replace('|', '/')}`"
                            for d, n, s in row["slowest"])
        status = " (failed)" if row["failed"] else ""
        lines.append(f"| {row['notebook']}{status} | {seconds} | {rss} | {slowest} |")
    over = max(p["rss"] for p in sampler.peaks.values())
    debian = (args.corpus.resolve() == DEFAULT_CORPUS.resolve() and not args.docs
              and not args.long_text)
    scope = "" if debian else (" (the targets are set for the 60,876 Debian descriptions; "
                               "shown for comparison)")
    lines += [
        "",
        f"- Target peak RSS <= 3 GiB per process: {over:.0f} MiB -> "
        f"{'met' if over <= TARGET_RSS_MIB else '**not met**'}",
        f"- Target wall time <= 5 minutes: {result['seconds']:.0f} s -> "
        f"{'met' if result['seconds'] <= TARGET_SECONDS and not result['code'] else '**not met**'}"
        f"{scope}",
        "",
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--docs", type=int, default=None, help="first N documents only")
    parser.add_argument("--out", type=Path, default=Path("/tmp/nqpf-report-scale"),
                        help="report folder (default /tmp/nqpf-report-scale)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks at a time (default 2)")
    parser.add_argument("--long-text", type=float, metavar="MB",
                        help="run on a folder of one text of MB MiB made from --corpus")
    parser.add_argument("--section", default=SECTION,
                        help=f"heading of the section to write (default {SECTION!r})")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="markdown file whose section to write (default RESULTS.md)")
    args = parser.parse_args(argv)
    args.argv = argv if argv is not None else sys.argv[1:]
    if not args.corpus.is_file():
        raise FileNotFoundError(f"benchmark corpus not found: {args.corpus}")
    scratch = ROOT / "benchmarks" / ".scratch"
    scratch.mkdir(exist_ok=True)
    corpus = corpus_file(args.corpus, args.docs, scratch)
    if args.long_text:
        corpus = long_text(corpus, args.long_text, scratch)
    n_docs = 1 if corpus.is_dir() else sum(1 for _ in _lines(corpus))
    result = run_report(corpus, args.out, args.jobs)
    rows = notebook_rows(args.out, result["sampler"])
    text = section(args, corpus, n_docs, result, rows)
    write_section(text, args.results, args.section)
    print(text, file=sys.stderr)
    print(f"wrote {args.results}", file=sys.stderr)
    return result["code"]


def _lines(path: Path):
    import gzip

    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as lines:
        yield from (line for line in lines if line.strip())


if __name__ == "__main__":
    sys.exit(main())
