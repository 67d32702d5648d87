"""Benchmark the Dask and streaming paths; appends its section to benchmarks/RESULTS.md.

- Dask against one process, on the Debian descriptions (an uncompressed JSONL copy in
  ``benchmarks/.scratch/``): ``single`` = ``load_corpus`` -> ``passages_table`` ->
  ``make_vectorizer("lda")`` dtm (with ``n_jobs`` 1 and 2; modules imported before the clock);
  ``dask`` = a ``LocalCluster`` (2 worker processes, 1 thread each, ``--preload nqpf.cluster``,
  started before the clock) -> ``prepare_distributed``
  (returns once every block's dtm is built on the workers). Both then fit NMF K=20 by
  ``partial_fit`` over TF-IDF batches of at least 2,000 passages (``nqpf.stream.fit_topics``).
  The runs take turns, each in a fresh subprocess; times are medians. Per-partition
  throughput comes from the Dask task stream (``read_block`` tasks).
- Streaming: ``prepare_stream`` + TF-IDF + NMF K=20 by ``partial_fit`` on the PyPI summaries
  (a quarter and all of them), peak RSS of the process.
- ``--calibrate``: peak RSS of ``nqpf.prepare`` (in memory) on the Debian copy and on the first
  200,000 PyPI summaries, for the memory model of ``nqpf.sizing``.

Usage: ``python benchmarks/dask_bench.py --repeats 3 --calibrate`` (about 15 minutes on 2
idle cores); ``--skip-stream``, ``--docs N`` for a quick check, ``--out PATH``.
"""

import argparse
import gzip
import itertools
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench"
SCRATCH = ROOT / "benchmarks" / ".scratch"
K = 20
HEADING = "## Dask and streaming (benchmarks/dask_bench.py)"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fit_nmf(tfidf) -> tuple[float, list]:
    """Seconds to fit NMF K=20 on ``tfidf`` blocks as ``nqpf.stream.fit_topics`` does."""
    from nqpf import stream

    start = time.perf_counter()
    model = stream.fit_topics(lambda: iter(tfidf), K)
    return time.perf_counter() - start, model


def child_single(path: str, n_jobs: int) -> dict:
    from nqpf.ingest import load_corpus
    from nqpf.segment import passages_table
    from nqpf.topics import make_vectorizer

    start = time.perf_counter()
    table = passages_table(load_corpus(path).docs, n_jobs=n_jobs)
    dtm = make_vectorizer("lda").fit_transform(table["tokens"])
    prepare = time.perf_counter() - start
    tfidf = make_vectorizer("nmf").fit_transform(table["tokens"])
    topics, _ = fit_nmf([tfidf[i:i + 2000] for i in range(0, tfidf.shape[0], 2000)])
    return {"prepare": prepare, "topics": topics, "passages": dtm.shape[0],
            "terms": dtm.shape[1], "rss": peak_mib()}


def child_dask(path: str, block_bytes: int) -> dict:
    from distributed import Client, LocalCluster, get_task_stream

    from nqpf import stream
    from nqpf.cluster import prepare_distributed

    start = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, preload=["nqpf.cluster"])
    client = Client(cluster)
    started = time.perf_counter() - start
    with get_task_stream(client) as tasks:
        start = time.perf_counter()
        prepared = prepare_distributed(path, client, block_bytes=block_bytes)
        prepare = time.perf_counter() - start
    topics, _ = fit_nmf(prepared.tfidf_blocks())
    blocks, dedup = list(prepared.blocks()), stream.Deduplicator()
    start = time.perf_counter()
    for block in blocks:  # the client's share of prepare: duplicate keys, in input order
        dedup.keep(block)
    dedup_seconds = time.perf_counter() - start
    reads = [sum(s["stop"] - s["start"] for s in task["startstops"] if s["action"] == "compute")
             for task in tasks.data if task["key"].startswith("read_block")]
    workers = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result = {"start": started, "prepare": prepare, "topics": topics,
              "passages": prepared.n_passages, "terms": len(prepared.vocab),
              "docs": prepared.n_docs, "parts": prepared.n_blocks, "read_seconds": sum(reads),
              "dedup_seconds": dedup_seconds,
              "rss": peak_mib(), "worker_rss": max(workers.values())}
    client.close()
    cluster.close()
    return result


def child_stream(path: str) -> dict:
    from nqpf import stream

    folder = SCRATCH / f"stream-{Path(path).stem}"
    start = time.perf_counter()
    prepared = stream.prepare_stream(path, folder=folder)
    prepare = time.perf_counter() - start
    start = time.perf_counter()
    model = prepared.fit_topics(K)
    topics = time.perf_counter() - start
    shutil.rmtree(folder)
    return {"prepare": prepare, "topics": topics, "docs": prepared.n_docs,
            "passages": prepared.n_passages, "terms": len(prepared.vocab),
            "failed": int((prepared.report["status"] == "failed").sum()),
            "skipped": int((prepared.report["status"] == "skipped").sum()),
            "top": [", ".join(terms) for terms in stream.top_terms(model, prepared.vocab,
                                                                   n=6)[:3]],
            "rss": peak_mib()}


def child_calibrate(path: str) -> dict:
    import nqpf
    from nqpf import sizing

    estimate = sizing.estimate_size(path)
    start = time.perf_counter()
    prepared = nqpf.prepare(path, cache=False)
    return {"seconds": time.perf_counter() - start, "docs": len(prepared.docs),
            "text_mib": estimate.text_bytes / 2**20, "estimated_mib": estimate.memory_bytes
            / 2**20, "rss": peak_mib()}


def run(*argv) -> dict:
    output = subprocess.run([sys.executable, __file__, "--child", *map(str, argv)],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.splitlines()[-1])


def copy_lines(source: Path, target: Path, n_lines: int | None) -> Path:
    """The first ``n_lines`` lines of ``source`` (gzipped) written to ``target``."""
    SCRATCH.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if target.name.endswith(".gz") else open
    with gzip.open(source, "rb") as lines, opener(target, "wb") as out:
        out.writelines(itertools.islice(lines, n_lines))
    return target


def median(rows: list[dict], key: str) -> float:
    return statistics.median(row[key] for row in rows)


def section(args, single1, single2, dask, streams, calibration) -> str:
    d_total = median(dask, "prepare") + median(dask, "topics")
    s1_total = median(single1, "prepare") + median(single1, "topics")
    s2_total = median(single2, "prepare") + median(single2, "topics")
    first = dask[0]
    per_part = first["docs"] / median(dask, "read_seconds")
    lines = [
        HEADING, "",
        f"- Command: `python benchmarks/dask_bench.py {' '.join(args.argv)}`",
        f"- Date: {datetime.now():%Y-%m-%dT%H:%M}; 2 cores shared with other jobs; medians of "
        f"{args.repeats} runs, each in a fresh subprocess, the paths taking turns.",
        f"- Corpus: Debian descriptions, {first['docs']:,} documents, {first['passages']:,} "
        f"passages, {first['terms']:,} terms (min_df=2, max_df=0.95); uncompressed JSONL split "
        f"into {first['parts']} parts of {args.block_bytes / 2**20:.0f} MiB for Dask. "
        "Vocabulary, dtm and tokens are identical in both paths (tests/test_cluster.py).",
        "", "| path | prepare + dtm s | NMF K=20 (partial_fit) s | total s | x one process "
        "(n_jobs=2) | peak RSS MiB (client / worker) |", "|---|---|---|---|---|---|",
    ]
    for name, rows, total in (("one process, n_jobs=1", single1, s1_total),
                              ("one process, n_jobs=2", single2, s2_total),
                              ("Dask LocalCluster, 2 workers", dask, d_total)):
        worker = f" / {median(rows, 'worker_rss'):.0f}" if "worker_rss" in rows[0] else ""
        lines.append(f"| {name} | {median(rows, 'prepare'):.1f} | {median(rows, 'topics'):.1f}"
                     f" | {total:.1f} | {total / s2_total:.2f} | {median(rows, 'rss'):.0f}"
                     f"{worker} |")
    lines += [
        "",
        f"- Target: Dask overhead <= 1.5x on one machine: {d_total / s2_total:.2f}x against "
        f"one process with n_jobs=2 (same two cores), {d_total / s1_total:.2f}x against "
        f"n_jobs=1 -> {'met' if d_total / s2_total <= 1.5 else 'NOT met'}. Starting the "
        f"LocalCluster (not in the times): {median(dask, 'start'):.1f} s.",
        f"- Per-partition throughput (task stream, `read_block`: read, clean, segment, "
        f"tokenise, count): {per_part:,.0f} documents per second per worker "
        f"({median(dask, 'read_seconds'):.1f} worker-seconds for {first['docs']:,} documents).",
        f"- Projection for 10 million documents like these on N workers: "
        f"10,000,000 / ({per_part:,.0f} x N) s for the workers' pass "
        f"({10_000_000 / per_part / 8 / 60:.0f} min on 8, "
        f"{10_000_000 / per_part / 32 / 60:.0f} min on 32), plus the client's sequential "
        f"work: duplicate keys at {first['docs'] / median(dask, 'dedup_seconds'):,.0f} "
        f"documents/s ({10_000_000 * median(dask, 'dedup_seconds') / first['docs'] / 60:.1f} "
        f"min for 10 million) and NMF by partial_fit, here {median(dask, 'topics'):.1f} s "
        f"for {first['passages']:,} passages, i.e. about "
        f"{10_000_000 / first['passages'] * median(dask, 'topics') / 60:.0f} min for 10 "
        "million passages on one client core (fit the topics on a sample at that size).",
    ]
    if streams:
        lines += ["", "Streaming (`nqpf.stream.prepare_stream`, blocks of 50,000 lines on disk, "
                  "one process, n_jobs=1) + TF-IDF + NMF K=20 by partial_fit, PyPI summaries:", "",
                  "| lines | documents | passages | terms | skipped / failed records | "
                  "prepare s | NMF s | peak RSS MiB |", "|---|---|---|---|---|---|---|---|"]
        for n_lines, row in streams:
            lines.append(f"| {n_lines:,} | {row['docs']:,} | {row['passages']:,} | "
                         f"{row['terms']:,} | {row['skipped']:,} / {row['failed']:,} | "
                         f"{row['prepare']:.0f} | {row['topics']:.0f} | {row['rss']:.0f} |")
        full = streams[-1][1]
        lines += ["", f"- Target: peak RSS <= 2 GiB on all 841,709 summaries: "
                  f"{full['rss']:.0f} MiB -> {'met' if full['rss'] <= 2048 else 'NOT met'}.",
                  f"- First topics: {' / '.join(full['top'])}"]
    if calibration:
        lines += ["", "Calibration of `nqpf.sizing` (peak RSS of the in-memory `nqpf.prepare`):",
                  "", "| corpus | documents | text MiB | prepare s | peak RSS MiB | "
                  "estimated MiB |", "|---|---|---|---|---|---|"]
        for name, row in calibration:
            lines.append(f"| {name} | {row['docs']:,} | {row['text_mib']:.0f} | "
                         f"{row['seconds']:.0f} | {row['rss']:.0f} | "
                         f"{row['estimated_mib']:.0f} |")
    return "\n".join(lines) + "\n"


def write(out: Path, text: str) -> None:
    """Replace this script's section of ``out`` (or append it)."""
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    if HEADING in old:
        before, rest = old.split(HEADING, 1)
        after = rest[rest.find("\n## "):] if "\n## " in rest else ""
        old = before.rstrip("\n") + "\n\n" + text + after
    else:
        old = old.rstrip("\n") + "\n\n" + text
    out.write_text(old, encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--docs", type=int, help="first N Debian documents (default: all)")
    parser.add_argument("--block-bytes", type=int, default=4 * 2**20)
    parser.add_argument("--skip-stream", action="store_true")
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args(argv)
    if args.child:
        mode, path, *rest = args.child
        functions = {"single": child_single, "dask": child_dask, "stream": child_stream,
                     "calibrate": child_calibrate}
        print(json.dumps(functions[mode](path, *map(int, rest))))
        return
    args.argv = sys.argv[1:] if argv is None else argv
    debian = copy_lines(BENCH / "debian-descriptions.jsonl.gz", SCRATCH / "debian.jsonl",
                        args.docs)
    single1, single2, dask = [], [], []
    for repeat in range(args.repeats):
        single1.append(run("single", debian, 1))
        single2.append(run("single", debian, 2))
        dask.append(run("dask", debian, args.block_bytes))
        print(f"run {repeat + 1}: single {single1[-1]['prepare']:.1f}/{single2[-1]['prepare']:.1f}"
              f" s, dask {dask[-1]['prepare']:.1f} s", flush=True)
    streams = []
    if not args.skip_stream:
        pypi = BENCH / "pypi-summaries.jsonl.gz"
        quarter = copy_lines(pypi, SCRATCH / "pypi-quarter.jsonl.gz", 210_427)
        for n_lines, path in ((210_427, quarter), (841_709, pypi)):
            streams.append((n_lines, run("stream", path)))
            print(f"stream {n_lines}: {streams[-1][1]}", flush=True)
    calibration = []
    if args.calibrate:
        sample = copy_lines(BENCH / "pypi-summaries.jsonl.gz", SCRATCH / "pypi-200k.jsonl",
                            200_000)
        for name, path in (("Debian descriptions", debian), ("PyPI, first 200,000", sample)):
            calibration.append((name, run("calibrate", path)))
            print(f"calibrate {name}: {calibration[-1][1]}", flush=True)
    write(args.out, section(args, single1, single2, dask, streams, calibration))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
