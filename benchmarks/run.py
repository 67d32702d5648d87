"""Benchmark the nqpf pipeline against peers on a large corpus; writes benchmarks/RESULTS.md.

Pipelines (each run in a fresh subprocess, so peak memory is not shared):

- ``nqpf``: ``nqpf.load_corpus(n_jobs)`` -> ``nqpf.tokens.tokenize_all(n_jobs)`` -> TF-IDF +
  NMF K=20 (``nqpf.topics.TopicModel(method="nmf")``) -> NPMI.
- ``sklearn``: default ``CountVectorizer`` + ``TfidfTransformer`` + ``NMF(K=20)``.
- ``gensim``: ``simple_preprocess`` minus gensim stopwords, ``Dictionary.filter_extremes``,
  ``LdaModel(K=20, passes=PASSES)``.
- ``tomotopy``: same preprocessing as gensim, ``LDAModel(k=20)`` trained ``TOMOTOPY_ITER``
  iterations.

Each pipeline runs once per seed (seeds 0..repeats-1); stage times are medians over the seeds,
stability compares the seeds' top-10 terms (``nqpf.coherence.stability``). NPMI of every model
is computed on one common reference (see ``reference_sets``). Usage: see benchmarks/README.md.
"""

import argparse
import gzip
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
import warnings
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "bench" / "debian-descriptions.jsonl.gz"
PIPELINES = ("nqpf", "sklearn", "gensim", "tomotopy")
K = 20
TOP_N = 10
PASSES = 2
TOMOTOPY_ITER = 200
SWEEP_KS = range(5, 45, 5)
SIMPLE_WORD = re.compile(r"[a-z0-9]+")


def read_texts(path: Path, n_docs: int | None, field: str = "text") -> list:
    """The ``field`` of the first ``n_docs`` records of a .jsonl(.gz) file, in file order (the
    peers' loader)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    values = []
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if n_docs is not None and len(values) >= n_docs:
                break
            if line.strip():
                values.append(json.loads(line)[field])
    return values


def corpus_file(path: Path, n_docs: int | None, folder: Path) -> Path:
    """``path`` itself, or a .jsonl.gz copy of its first ``n_docs`` records in ``folder``."""
    if n_docs is None:
        return path
    subset = folder / f"{path.name.split('.')[0]}-{n_docs}.jsonl.gz"
    if not subset.exists():
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as source, gzip.open(subset, "wt") as out:
            for i, line in enumerate(source):
                if i >= n_docs:
                    break
                out.write(line)
    return subset


def gensim_tokens(texts):
    from gensim.parsing.preprocessing import STOPWORDS
    from gensim.utils import simple_preprocess

    return [[w for w in simple_preprocess(text) if w not in STOPWORDS] for text in texts]


# ---- pipelines: each returns ({stage: seconds}, top_terms, extra) -------------------------------


@contextmanager
def timed(times: dict, stage: str):
    """Store the seconds the ``with`` block takes as ``times[stage]``."""
    start = time.perf_counter()
    yield
    times[stage] = time.perf_counter() - start


def pipeline_nqpf(path, seed, n_jobs):
    from nqpf.ingest import load_corpus
    from nqpf.tokens import tokenize_all
    from nqpf.topics import TopicModel

    times = {}
    with timed(times, "load"):
        corpus = load_corpus(path, n_jobs=n_jobs)
    with timed(times, "tokenize"):
        token_lists = tokenize_all(corpus.docs["text"], n_jobs=n_jobs)
    with timed(times, "tfidf+nmf"):
        model = TopicModel(K, method="nmf", random_state=seed, n_terms=TOP_N).fit(token_lists)
    extra = {"n_docs": len(corpus.docs), "n_terms": len(model.vocab_),
             "nmf_iter": int(model.n_iter_)}
    # by document id: nqpf orders documents by id, the peers (and the NPMI reference) by line
    return times, model.top_terms_, extra, dict(zip(corpus.docs["doc_id"], token_lists,
                                                    strict=True))


def pipeline_sklearn(path, seed, n_jobs):
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    times = {}
    with timed(times, "load"):
        texts = read_texts(path, None)
    with timed(times, "tokenize"):
        vectorizer = CountVectorizer()
        counts = vectorizer.fit_transform(texts)
    with timed(times, "tfidf+nmf"):
        model = NMF(K, random_state=seed, max_iter=1000)
        model.fit(TfidfTransformer().fit_transform(counts))
    vocab = vectorizer.get_feature_names_out()
    top = [vocab[row[::-1][:TOP_N]].tolist() for row in model.components_.argsort(axis=1)]
    return times, top, {"n_terms": len(vocab), "nmf_iter": int(model.n_iter_)}, None


def pipeline_gensim(path, seed, n_jobs):
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    times = {}
    with timed(times, "load"):
        texts = read_texts(path, None)
    with timed(times, "tokenize"):
        docs = gensim_tokens(texts)
        dictionary = Dictionary(docs)
        dictionary.filter_extremes(no_below=5, no_above=0.5)
        bows = [dictionary.doc2bow(doc) for doc in docs]
    with timed(times, "lda"):
        model = LdaModel(bows, num_topics=K, id2word=dictionary, passes=PASSES, chunksize=2000,
                         random_state=seed)
    top = [[word for word, _ in model.show_topic(t, TOP_N)] for t in range(K)]
    return times, top, {"n_terms": len(dictionary), "passes": PASSES}, None


def pipeline_tomotopy(path, seed, n_jobs):
    import tomotopy as tp

    times = {}
    with timed(times, "load"):
        texts = read_texts(path, None)
    with timed(times, "tokenize"):
        model = tp.LDAModel(k=K, min_cf=5, seed=seed)
        for doc in gensim_tokens(texts):
            if doc:
                model.add_doc(doc)
    with timed(times, "lda"):
        model.train(TOMOTOPY_ITER, workers=n_jobs)
    top = [[word for word, _ in model.get_topic_words(t, TOP_N)] for t in range(K)]
    return times, top, {"n_terms": len(model.used_vocabs), "iterations": TOMOTOPY_ITER}, None


def sweep_worker(path, n_jobs):
    """Time ``nqpf.selection.sweep`` (NMF, K=5..40 step 5, 3 seeds) on the nqpf tokens."""
    import nqpf
    from nqpf.selection import sweep
    from nqpf.tokens import tokenize_all

    token_lists = tokenize_all(nqpf.load_corpus(path).docs["text"], n_jobs=n_jobs)
    start = time.perf_counter()
    table = sweep(token_lists, SWEEP_KS, methods=("nmf",), n_jobs=n_jobs)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "n_docs": len(token_lists), "table": table.to_dict("records")}


def worker(args) -> dict:
    if args.worker == "sweep":
        return sweep_worker(args.corpus, args.n_jobs)
    run = globals()[f"pipeline_{args.worker}"]
    times, top, extra, nqpf_tokens = run(args.corpus, args.seed, args.n_jobs)
    if nqpf_tokens is not None and args.save_tokens:
        Path(args.save_tokens).write_text(json.dumps(nqpf_tokens))
    return {"times": times, "top_terms": top, "extra": extra}


# ---- parent: subprocesses, memory, scores, report -----------------------------------------------


def run_child(argv: list[str]) -> tuple[dict, float, float]:
    """Run this script as a worker; returns (its JSON result, peak RSS of its largest process
    in MiB from wait4, peak total RSS of its process tree in MiB sampled with psutil)."""
    import psutil

    process = subprocess.Popen([sys.executable, __file__, *argv], stdout=subprocess.PIPE)
    peak_tree = [0.0]
    done = threading.Event()

    def sample():
        parent = psutil.Process(process.pid)
        while not done.is_set():
            try:
                tree = [parent, *parent.children(recursive=True)]
                peak_tree[0] = max(peak_tree[0], sum(p.memory_info().rss for p in tree) / 2**20)
            except psutil.Error:
                pass
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    if process.returncode:
        raise RuntimeError(f"worker {argv} failed with exit code {process.returncode}")
    return json.loads(output), usage.ru_maxrss / 1024, peak_tree[0]


def reference_sets(texts, nqpf_tokens) -> list[list[str]]:
    """Common NPMI reference: per document, its lower-case letter/digit words (``[a-z0-9]+``,
    what scikit-learn sees), its ``simple_preprocess`` words (gensim, tomotopy) and its nqpf
    tokens (lemmas, phrase tokens), so every model's top terms occur in it; co-occurrence
    counts within the same documents."""
    from gensim.utils import simple_preprocess

    return [sorted(set(SIMPLE_WORD.findall(text.lower())) | set(simple_preprocess(text))
                   | set(tokens))
            for text, tokens in zip(texts, nqpf_tokens, strict=True)]


def kernel_floor() -> list[float]:
    """Seconds, per notebook of the report, to start a kernel (as ``make report`` does) in the
    notebooks' folder and run the notebook's first cell: its imports (nqpf, pandas,
    scikit-learn, matplotlib and what else it needs), ``%matplotlib inline`` and settings."""
    import nbformat
    from jupyter_client.manager import start_new_kernel

    from nqpf.report import KERNEL_ARGUMENTS, default_notebooks

    seconds = []
    for notebook in default_notebooks():
        cells = nbformat.read(notebook, as_version=4).cells
        setup = next(cell.source for cell in cells if cell.cell_type == "code")
        start = time.perf_counter()
        manager, client = start_new_kernel(kernel_name="python3", cwd=str(notebook.parent),
                                           extra_arguments=KERNEL_ARGUMENTS)
        reply = client.execute_interactive(setup, timeout=120, output_hook=lambda msg: None)
        client.stop_channels()
        manager.shutdown_kernel(now=True)
        seconds.append(time.perf_counter() - start)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"first cell of {notebook.name} failed: {reply['content']}")
    return seconds


def idle_core_seconds() -> float:
    """Seconds all cores of the machine have spent idle (or waiting for I/O) since boot."""
    import psutil

    times = psutil.cpu_times()
    return times.idle + times.iowait


def make_report_seconds() -> tuple[float, float]:
    """Wall-clock seconds of ``make report`` in the repository root, and the core-seconds the
    machine's cores stood idle meanwhile (raises if it fails)."""
    idle, start = idle_core_seconds(), time.perf_counter()
    subprocess.run(["make", "report"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, idle_core_seconds() - idle


def machine() -> str:
    from threadpoolctl import threadpool_info

    blas = ", ".join(f"{i['internal_api']} {i['version']} ({i['num_threads']} threads)"
                     for i in threadpool_info())
    return (f"{os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}, "
            f"BLAS/OpenMP: {blas or 'none loaded'}")


def nqpf_location() -> str:
    import nqpf

    return str(Path(nqpf.__file__).parent)


def seconds_list(values) -> str:
    return ", ".join(f"{value:.1f}" for value in values)


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeats", type=int, default=3, help="runs (seeds 0..repeats-1)")
    parser.add_argument("--docs", type=int, default=None, help="first N documents only")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--pipelines", nargs="+", default=list(PIPELINES), choices=PIPELINES)
    parser.add_argument("--sweep-docs", type=int, default=None,
                        help="documents for the K sweep (default: same as --docs, i.e. all); "
                             "0 = skip")
    parser.add_argument("--floor", action="store_true",
                        help="measure the kernel start floor (--repeats times)")
    parser.add_argument("--make-report", action="store_true",
                        help="time `make report` (after the pipelines, nothing else running; "
                             "--repeats times, taking turns with the floor)")
    parser.add_argument("--load-only", action="store_true",
                        help="only time load_corpus against the plain JSON read (--repeats "
                             "times) and write its own section of --out")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--save-tokens", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        warnings.simplefilter("ignore", UserWarning)  # small-corpus advice from nqpf.topics
        warnings.simplefilter("ignore", RuntimeWarning)  # tomotopy: workers > 1 not seeded
        json.dump(worker(args), sys.stdout)
        return
    if not args.corpus.is_file():
        raise FileNotFoundError(f"benchmark corpus not found: {args.corpus}")
    if args.load_only:
        (ROOT / "benchmarks" / ".scratch").mkdir(exist_ok=True)
        path = corpus_file(args.corpus, args.docs, ROOT / "benchmarks" / ".scratch")
        before = os.getloadavg()[0]
        times, cpu = load_ratio(path, args.repeats, args.n_jobs)
        text = load_section(argv if argv is not None else sys.argv[1:], path, times, cpu,
                            (before, os.getloadavg()[0]))
        write_section(text, args.out, LOAD_SECTION)
        print(text, file=sys.stderr)
        return
    if args.repeats < 2:
        raise ValueError("--repeats must be at least 2 (stability compares seeds)")
    scratch = ROOT / "benchmarks" / ".scratch"
    scratch.mkdir(exist_ok=True)
    path = corpus_file(args.corpus, args.docs, scratch)
    tokens_file = scratch / "nqpf_tokens.json"
    results = {name: [] for name in args.pipelines}
    for seed in range(args.repeats):  # pipelines take turns, so drifts in machine speed hit all
        for name in args.pipelines:
            child = ["--worker", name, "--corpus", str(path), "--seed", str(seed),
                     "--n-jobs", str(args.n_jobs)]
            if name == "nqpf" and seed == 0:
                child += ["--save-tokens", str(tokens_file)]
            result, rss, tree = run_child(child)
            results[name].append((result, rss, tree))
            stages = ", ".join(f"{stage} {s:.1f} s" for stage, s in result["times"].items())
            print(f"{name} seed {seed}: {stages}, rss {rss:.0f} MiB", file=sys.stderr)
    from nqpf.coherence import npmi_coherence, stability

    texts = read_texts(path, None)
    tokens_by_id = json.loads(tokens_file.read_text()) if "nqpf" in results else {}
    reference = reference_sets(texts, [tokens_by_id.get(str(doc_id), [])
                                       for doc_id in read_texts(path, None, field="id")])
    rows = {}
    for name, runs in results.items():
        stages = {stage: statistics.median(r[0]["times"][stage] for r in runs)
                  for stage in runs[0][0]["times"]}
        tops = [r[0]["top_terms"] for r in runs]
        npmi = statistics.mean(s for top in tops for s in npmi_coherence(top, reference))
        rows[name] = {"stages": stages, "total": sum(stages.values()), "npmi": npmi,
                      "stability": stability(tops), "rss": max(r[1] for r in runs),
                      "tree": max(r[2] for r in runs), "extra": runs[0][0]["extra"],
                      "top": tops[0]}
    sweep_docs = args.docs if args.sweep_docs is None else args.sweep_docs
    sweep = None
    if sweep_docs != 0:
        sweep_path = corpus_file(args.corpus, sweep_docs, scratch)
        sweep, sweep_rss, _ = run_child(["--worker", "sweep", "--corpus", str(sweep_path),
                                         "--n-jobs", str(args.n_jobs)])
    turns = args.repeats if args.floor or args.make_report else 0
    floors, reports = [], []
    for _ in range(turns):  # floor and report take turns too
        if args.floor:
            floors.append(kernel_floor())
        if args.make_report:
            reports.append(make_report_seconds())
    write_report(args, argv, rows, sweep, floors, reports, len(texts))
    print(f"wrote {args.out}", file=sys.stderr)


LOAD_SECTION = "## Loading (benchmarks/run.py --load-only)"
HEAD_SECTIONS = ("## Pipelines", "## Targets", "## Where the time goes", "## K sweep table",
                 "## Top terms")  # what write_report writes, under the title


def load_ratio(path: Path, repeats: int, n_jobs: int) -> dict:
    """Wall seconds (each a list of ``repeats``, taking turns) of the peers' plain JSON read,
    of ``nqpf.load_corpus`` with ``n_jobs=1`` and ``n_jobs``, of its reading of the file
    alone (``nqpf.ingest._read_table``: decoding, checks, line numbers, metadata table) and of
    its measures alone (``nqpf.measure.measure`` of every text in one process: language,
    words, spacing, boilerplate spans), both with the cycle collector paused as in
    ``load_corpus``, in this process; and the CPU seconds of this process for those that run
    in it alone (robust to a busy machine)."""
    from nqpf import ingest
    from nqpf.ingest import load_corpus
    from nqpf.measure import measure

    times = {"plain": [], "load_1": [], f"load_{n_jobs}": [], "read": [], "measure": []}
    cpu = {name: [] for name in ("plain", "load_1", "read", "measure")}
    for _ in range(repeats):
        for name in times:
            start, start_cpu = time.perf_counter(), time.process_time()
            if name == "plain":
                texts = read_texts(path, None)
            elif name == "read":
                with ingest._gc_paused():  # as in load_corpus
                    ingest._read_table(path, "text", None, [])
            elif name == "measure":
                with ingest._gc_paused():
                    measure([(text, None) for text in texts])
            else:
                load_corpus(path, n_jobs=int(name.split("_")[1]))
            times[name].append(time.perf_counter() - start)
            if name in cpu:
                cpu[name].append(time.process_time() - start_cpu)
    return times, cpu


def load_section(argv, path: Path, times: dict, cpu: dict, load: tuple[float, float]) -> str:
    """The markdown section of ``--load-only``."""
    median = {name: statistics.median(values) for name, values in times.items()}
    median_cpu = {name: statistics.median(values) for name, values in cpu.items()}
    ratio = min(median[name] for name in median if name.startswith("load_")) / median["plain"]
    ratio_cpu = median_cpu["load_1"] / median_cpu["plain"]
    rest = median_cpu["load_1"] - median_cpu["read"] - median_cpu["measure"]
    extra, extra_cpu = ratio - 1, ratio_cpu - 1  # what loading adds to the plain read
    lines = [LOAD_SECTION, "",
             f"- Command: `python benchmarks/run.py {' '.join(argv)}`",
             f"- Date: {datetime.now().isoformat(timespec='minutes')}; {machine()}; load "
             f"average (1 min) {load[0]:.1f} before, {load[1]:.1f} after",
             f"- Corpus: `{path.name}`; medians of {len(times['plain'])} runs, taking turns, "
             "in one process", "",
             "| step | median s | runs s | median CPU s |", "|---|---|---|---|"]
    lines += [f"| {name} | {median[name]:.2f} | {seconds_list(values)} | "
              f"{median_cpu[name]:.2f} |" if name in cpu else
              f"| {name} | {median[name]:.2f} | {seconds_list(values)} | (workers) |"
              for name, values in times.items()]
    lines += ["",
              "- plain: the peers' loader (`json.loads` of each line, the text field only); "
              "load_N: `nqpf.load_corpus(n_jobs=N)` (decoding, ingest report, duplicates, "
              "language, word counts, boilerplate spans, flags); read: its reading of the "
              "file alone (decoding, encoding and binary checks, line numbers, metadata "
              "table); measure: `nqpf.measure.measure` of every text alone (language, word "
              "count, spacing, boilerplate spans)",
              f"- `load_corpus` against the plain read: {ratio:.1f}x wall (best n_jobs), "
              f"{ratio_cpu:.1f}x CPU (n_jobs=1); what it adds to the plain read (the ingest "
              f"report and quality flags): {extra:.1f}x wall, {extra_cpu:.1f}x CPU",
              f"- Target: the ingest report and quality flags cost at most 2x the plain read "
              f"-> {verdict(min(extra, extra_cpu) <= 2)}; the stricter reading, `load_corpus` "
              f"in all at most 2x the plain read -> {verdict(min(ratio, ratio_cpu) <= 2)}",
              "- Alone, CPU s: "
              + ", ".join(f"{name} {median_cpu[name]:.2f} "
                          f"({median_cpu[name] / median_cpu['plain']:.1f}x the plain read)"
                          for name in ("read", "measure"))
              + f", the rest {rest:.2f} (ingest report, duplicates, flags, tables)",
              ""]
    return "\n".join(lines)


def write_section(text: str, path: Path, heading: str) -> None:
    """Replace the section ``heading`` (up to the next ``## `` heading) in ``path``, or
    append it; the rest of the file is left alone."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    line = f"\n{heading}\n"  # the whole heading line: "## A" is not "## A: B"
    if line in old:
        head, rest = old.split(line, 1)
        tail = rest.split("\n## ", 1)
        new = head + "\n" + text + ("\n## " + tail[1] if len(tail) > 1 else "")
    else:
        new = old.rstrip("\n") + "\n\n" + text
    path.write_text(new, encoding="utf-8")


def write_report(args, argv, rows, sweep, floors, reports, n_docs):
    command = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    lines = [
        "# nqpf benchmark results", "",
        f"- Command: `{command}`",
        f"- Date: {datetime.now().isoformat(timespec='minutes')}",
        f"- Machine: {machine()}",
        f"- nqpf imported from: `{nqpf_location()}`",
        f"- Corpus: `{args.corpus.name}`, {n_docs:,} documents; K={K}; {args.repeats} runs "
        f"(seeds 0..{args.repeats - 1}) per pipeline, each in a fresh subprocess, the "
        "pipelines taking turns (seed 0 of each, then seed 1, ...); times are "
        f"medians; nqpf loads and tokenises with n_jobs={args.n_jobs}, tomotopy trains with "
        f"{args.n_jobs} workers, gensim LdaModel ({PASSES} passes) and the sklearn baseline "
        "run as shipped (BLAS threads as listed above).",
        "- NPMI reference (one for all models): per document, its lower-case `[a-z0-9]+` words, "
        "its gensim `simple_preprocess` words and its nqpf tokens; co-occurrence = same "
        "document (`nqpf.coherence.npmi_coherence`, window=None), mean over each model's "
        "top-10 terms of all topics and runs.",
        "- Stability: `nqpf.coherence.stability` of the runs' top-10 terms (mean matched "
        "Jaccard over seed pairs). Every pipeline's runs see the same documents and differ only "
        "in the seed: for nqpf that is `random_state` of `TopicModel` (on this corpus exact NMF "
        "in float32 stopped after 50 iterations, whose seed enters through the randomized SVD of "
        "the `nndsvda` start). The "
        "K sweep (`nqpf.selection.sweep`) also draws each seed's subsample of passages, so its "
        "stability column is stricter.",
        "- Peak RSS: largest single process (`os.wait4` ru_maxrss); tree = sampled sum over the "
        "worker and its child processes (psutil, every 0.2 s).", "",
        "## Pipelines", "",
        "| pipeline | load s | tokenize s | model s | total s | x sklearn | NPMI | stability "
        "| peak RSS MiB | tree RSS MiB | terms |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    base = rows.get("sklearn", {}).get("total")
    for name, row in rows.items():
        stages = row["stages"]
        model = stages.get("tfidf+nmf", stages.get("lda"))
        ratio = f"{row['total'] / base:.2f}" if base else "n/a"
        lines.append(
            f"| {name} | {stages['load']:.1f} | {stages['tokenize']:.1f} | {model:.1f} | "
            f"{row['total']:.1f} | {ratio} | {row['npmi']:.3f} | {row['stability']:.3f} | "
            f"{row['rss']:.0f} | {row['tree']:.0f} | {row['extra']['n_terms']:,} |")
    lines += ["", "## Targets", ""]
    nqpf = rows.get("nqpf")
    if nqpf:
        if base:
            lines.append(f"- nqpf total <= 2x sklearn baseline: {nqpf['total'] / base:.2f}x -> "
                         f"{verdict(nqpf['total'] <= 2 * base)}")
        if "gensim" in rows:
            speedup = rows["gensim"]["total"] / nqpf["total"]
            lines.append(f"- nqpf >= 4x faster than gensim LDA: {speedup:.2f}x -> "
                         f"{verdict(speedup >= 4)}")
        ldas = [rows[n]["npmi"] for n in ("gensim", "tomotopy") if n in rows]
        if ldas:
            lines.append(f"- nqpf NPMI >= best LDA peer: {nqpf['npmi']:.3f} vs {max(ldas):.3f} "
                         f"-> {verdict(nqpf['npmi'] >= max(ldas))}")
        lines.append(f"- seed stability >= 0.85: {nqpf['stability']:.3f} -> "
                     f"{verdict(nqpf['stability'] >= 0.85)}")
        peak = max(nqpf["rss"], nqpf["tree"])
        lines.append(f"- peak RSS <= 1 GiB: {peak:.0f} MiB (largest of process and tree) -> "
                     f"{verdict(peak <= 1024)}")
    if sweep:
        lines.append(f"- K sweep (NMF, K=5..40 step 5, 3 seeds, n_jobs={args.n_jobs}) <= 60 s: "
                     f"{sweep['seconds']:.1f} s on {sweep['n_docs']:,} documents -> "
                     f"{verdict(sweep['seconds'] <= 60 and sweep['n_docs'] >= n_docs)}"
                     + ("" if sweep["n_docs"] >= n_docs else " (subset only: not the target)"))
    else:
        lines.append("- K sweep: not run (`--sweep-docs 0`).")
    floor = statistics.median(sum(kernels) for kernels in floors) if floors else None
    if floors:
        per_notebook = [statistics.median(column) for column in zip(*floors, strict=True)]
        lines.append(f"- Kernel floor (per notebook, one after another: start a kernel and run the "
                     f"notebook's first cell, i.e. its imports, `%matplotlib inline` and settings; "
                     f"median of {len(floors)}): {floor:.1f} s (runs: "
                     f"{seconds_list(sum(k) for k in floors)}; per notebook: "
                     f"{seconds_list(per_notebook)})")
    if reports:
        report = statistics.median(seconds for seconds, _ in reports)
        line = (f"- `make report` wall time (median of {len(reports)}, prepared-corpus cache "
                f"warm after the first): {report:.1f} s (runs: "
                f"{seconds_list(seconds for seconds, _ in reports)}; idle core-seconds meanwhile: "
                f"{seconds_list(idle for _, idle in reports)})")
        if floor:
            line += (f" = {report / floor:.2f}x the kernel floor ({floor:.1f} s); "
                     f"target <= 1.5x -> {verdict(report / floor <= 1.5)}")
        lines.append(line)
    lines += ["", "## Where the time goes (share of each pipeline's total)", ""]
    for name, row in rows.items():
        shares = ", ".join(f"{stage} {seconds / row['total']:.0%} ({seconds:.1f} s)"
                           for stage, seconds in row["stages"].items())
        lines.append(f"- {name}: {shares}")
    if sweep:
        lines += ["", "## K sweep table (nqpf.selection.sweep)", "",
                  "| k | npmi | diversity | stability |", "|---|---|---|---|"]
        lines += [f"| {r['k']} | {r['npmi']:.3f} | {r['diversity']:.3f} | {r['stability']:.3f} |"
                  for r in sweep["table"]]
    lines += ["", "## Top terms of the first three topics (seed 0)", ""]
    for name, row in rows.items():
        lines += [f"- {name}: " + " / ".join(", ".join(t[:6]) for t in row["top"][:3])]
    write_head("\n".join(lines), args.out)


def write_head(text: str, path: Path) -> None:
    """Write the pipeline comparison at the top of ``path``, in place of the sections it wrote
    before, keeping the sections other benchmarks wrote there (Dask, Chinese, report at scale,
    loading, topic quality)."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    kept = [part.strip("\n") for part in re.split(r"\n(?=## )", old)[1:]
            if not part.startswith(HEAD_SECTIONS)]
    path.write_text("\n\n".join([text.strip("\n"), *kept]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
