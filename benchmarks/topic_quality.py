"""Do nqpf's large-corpus topics agree with an outside classification? (issue 20)

Debian sorts every package into a section (``libs``, ``python``, ``doc``, ``games``, ...). The
sections are not in the project: this script downloads bookworm's ``Packages`` indexes
(main, contrib, non-free, non-free-firmware; amd64, which lists ``Architecture: all``
packages too) into a cache outside the repository (``~/.cache/nqpf-bench``, or
``--cache DIR``) and maps each benchmark description (its ``id`` is the binary package name)
to its section.

Each variant below models the 60,876 descriptions as documents (as ``benchmarks/run.py``),
takes each document's dominant topic and compares it with the sections of the documents that
have one: NMI (scikit-learn, arithmetic) and adjusted Rand. Two dominant topics per fit: the
variant's own (the largest of ``W``'s row for scikit-learn's ``NMF``; the largest of
``doc_topic_`` for ``TopicModel``) and the scale-free one, the largest of ``W[i, k] *
||H[k]||`` (the length of topic k's part of document i's reconstruction; NMF's ``W H`` does not
fix how a topic's size is split between ``W`` and ``H``, and the plain largest ``W`` depends on
that split). Also NPMI of the top-10 terms (one reference for all: each document's
``[a-z0-9]+`` words, its nqpf tokens and its unlemmatised nqpf tokens; co-occurrence within a
document), stability (matched Jaccard of the top-10 terms of the seeds, mean over pairs) and
the relative reconstruction error ||X - WH||_F / ||X||_F on the variant's own TF-IDF matrix
(comparable only between variants on the same matrix). Seconds are the CPU seconds of
vectorising and fitting (``time.process_time``; run with ``OMP_NUM_THREADS=1``), as the
machine is shared (the load average is printed).

Variants: the sklearn baseline (default ``CountVectorizer`` + ``TfidfTransformer`` + exact
``NMF``, up to 1000 iterations) and the same with nqpf's pruning (min_df=2, max_df=0.95);
nqpf as shipped (``TopicModel``, solver "auto": from 20,000 passages ``NMF`` stopped after 30
iterations, float32, scale-free weights); 50 iterations instead (its "scale-free" columns);
``solver="minibatch"`` (``MiniBatchNMF``, 15 epochs); ``MiniBatchNMF`` followed by 10 exact
iterations; and, on nqpf's TF-IDF matrix with ``NMF`` and 50 iterations unless named: the
exact solver to convergence (tol 1e-4), float64, init ``nndsvd`` instead of ``nndsvda``,
unlemmatised tokens, min_df=1, min_df=5, max_df=0.1 and sublinear tf.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/topic_quality.py   # K=20 and 40, 3 seeds
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/topic_quality.py --ks 40 --seeds 2 \
        --variants baseline nqpf --out /tmp/q.md
"""

import argparse
import gzip
import json
import lzma
import os
import platform
import re
import time
import urllib.request
import warnings
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.decomposition import NMF, MiniBatchNMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from nqpf.coherence import npmi_coherence, stability
from nqpf.tokens import tokenize_all
from nqpf.topics import TopicModel, TopicModelWarning, make_vectorizer

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "bench" / "debian-descriptions.jsonl.gz"
MIRROR = "https://deb.debian.org/debian/dists/bookworm"
COMPONENTS = ("main", "contrib", "non-free", "non-free-firmware")
TOP_N = 10
WORD = re.compile(r"[a-z0-9]+")
ROW = ("| {k} | {variant} | {terms:,} | {nmi:.3f} | {ari:.3f} | {nmi_free:.3f} | {ari_free:.3f} "
       "| {npmi:.3f} | {stability:.3f} | {error:.4f} | {seconds:.1f} |")
HEADER = ("| K | variant | terms | NMI | ARI | NMI scale-free | ARI scale-free | NPMI | stability "
          "| rel. error | CPU s |\n|---|---|---|---|---|---|---|---|---|---|---|")
# variant: (tokens, TF-IDF options, NMF options); "baseline*" and "nqpf"/"nqpf_minibatch"
# are fitted as shipped (see fit)
VARIANTS = {
    "baseline": None, "baseline_pruned": None, "nqpf": None, "nqpf_minibatch": None,
    "nqpf_cap50": ("tokens", {}, {"max_iter": 50}),
    "nqpf_minibatch_cd10": ("tokens", {}, {"max_iter": 10, "after_minibatch": True}),
    "nqpf_exact": ("tokens", {}, {"max_iter": 1000}),
    "nqpf_float64": ("tokens", {}, {"float64": True}),
    "nqpf_nndsvd": ("tokens", {}, {"init": "nndsvd"}),
    "nqpf_nolemma": ("plain", {}, {}),
    "nqpf_mindf1": ("tokens", {"min_df": 1}, {}),
    "nqpf_mindf5": ("tokens", {"min_df": 5}, {}),
    "nqpf_maxdf0.1": ("tokens", {"max_df": 0.1}, {}),
    "nqpf_sublinear": ("tokens", {"sublinear_tf": True}, {}),
}


def sections(cache: Path) -> dict[str, str]:
    """Binary package -> section (the part after a component prefix such as ``contrib/``)."""
    cache.mkdir(parents=True, exist_ok=True)
    mapping = {}
    for component in COMPONENTS:
        path = cache / f"Packages-{component}.xz"
        if not path.exists():
            urllib.request.urlretrieve(f"{MIRROR}/{component}/binary-amd64/Packages.xz", path)
        package = None
        with lzma.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                if line.startswith("Package: "):
                    package = line[9:].strip()
                elif line.startswith("Section: ") and package:
                    mapping.setdefault(package, line[9:].strip().rsplit("/", 1)[-1])
    return mapping


def read_corpus(path: Path, n_docs: int | None) -> tuple[list[str], list[str]]:
    ids, texts = [], []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if n_docs is not None and len(ids) >= n_docs:
                break
            record = json.loads(line)
            ids.append(record["id"])
            texts.append(record["text"])
    return ids, texts


def relative_error(x, w, h) -> float:
    """||X - WH||_F / ||X||_F without forming WH (X sparse)."""
    x = sparse.csr_matrix(x, dtype=np.float64)
    w, h = w.astype(np.float64), h.astype(np.float64)
    norm2 = x.multiply(x).sum()
    cross = np.sum((x @ h.T) * w)
    square = np.sum((w.T @ w) * (h @ h.T))
    return float(np.sqrt(max(norm2 - 2 * cross + square, 0) / norm2))


def scale_free(w, h) -> np.ndarray:
    """W (n_docs, K) times the length of each topic's row of H: the length of each topic's
    part of each document's reconstruction, whatever the split of scale between W and H."""
    return w * np.linalg.norm(h, axis=1)


def fit(variant: str, k: int, seed: int, data: dict) -> dict:
    """One fit: dtm, vocab, W, H, the variant's own document-topic weights, CPU seconds."""
    started = time.process_time()
    if variant.startswith("baseline"):
        options = {"min_df": 2, "max_df": 0.95} if variant == "baseline_pruned" else {}
        counts = CountVectorizer(**options).fit(data["texts"])
        dtm = TfidfTransformer().fit_transform(counts.transform(data["texts"]))
        model = NMF(k, random_state=seed, max_iter=1000)
        w = model.fit_transform(dtm)
        return {"dtm": dtm, "vocab": counts.get_feature_names_out(), "w": w,
                "h": model.components_, "weights": w,
                "seconds": time.process_time() - started}
    if variant in ("nqpf", "nqpf_minibatch"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TopicModelWarning)
            solver = "minibatch" if variant == "nqpf_minibatch" else "auto"
            fitted = TopicModel(k, random_state=seed, solver=solver).fit(data["tokens"])
        seconds = time.process_time() - started
        dtm = fitted.vectorizer_.transform(data["tokens"]).astype(fitted.model_.components_.dtype)
        return {"dtm": dtm, "vocab": fitted.vocab_, "w": fitted.model_.transform(dtm),
                "h": fitted.model_.components_, "weights": fitted.doc_topic_,
                "seconds": seconds}
    tokens, options, solver = VARIANTS[variant]
    vectorizer = make_vectorizer("nmf", min_df=options.get("min_df", 2),
                                 max_df=options.get("max_df", 0.95))
    vectorizer.set_params(sublinear_tf=options.get("sublinear_tf", False))
    dtm = vectorizer.fit_transform(data[tokens])
    dtm = dtm.astype(np.float64 if solver.get("float64") else np.float32)
    start = {}
    if solver.get("after_minibatch"):
        minibatch = MiniBatchNMF(k, init="nndsvda", batch_size=16_384, max_iter=15, tol=0,
                                 max_no_improvement=None, random_state=seed)
        start = {"W": minibatch.fit_transform(dtm), "H": minibatch.components_}
    model = NMF(k, init="custom" if start else solver.get("init", "nndsvda"),
                max_iter=solver.get("max_iter", 50), tol=1e-4, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        w = model.fit_transform(dtm, **start)
    return {"dtm": dtm, "vocab": vectorizer.get_feature_names_out(), "w": w,
            "h": model.components_, "weights": w, "seconds": time.process_time() - started}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--docs", type=int, default=None)
    parser.add_argument("--ks", type=int, nargs="+", default=[20, 40])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 per variant")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "nqpf-bench")
    parser.add_argument("--out", type=Path, default=None, help="also write the section here")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    section_of = sections(args.cache)
    ids, texts = read_corpus(args.corpus, args.docs)
    started = time.perf_counter()
    tokens = tokenize_all(texts, n_jobs=2)
    token_seconds = time.perf_counter() - started
    data = {"texts": texts, "tokens": tokens}
    if any("nolemma" in variant for variant in args.variants):
        data["plain"] = tokenize_all(texts, lemmatize=False, n_jobs=2)
    plain = data.get("plain") or tokenize_all(texts, lemmatize=False, n_jobs=2)
    reference = [sorted(set(WORD.findall(text.lower())) | set(a) | set(b))
                 for text, a, b in zip(texts, tokens, plain, strict=True)]
    labelled = np.array([section_of.get(i) is not None for i in ids])
    truth = np.array([section_of.get(i, "") for i in ids])[labelled]
    rows = []
    for k in args.ks:
        for variant in args.variants:
            runs = []
            for seed in range(args.seeds):
                run = fit(variant, k, seed, data)
                h = run["h"]
                top = [run["vocab"][row].tolist() for row in np.argsort(-h, axis=1)[:, :TOP_N]]
                dominant = run["weights"].argmax(axis=1)[labelled]
                free = scale_free(run["w"], h).argmax(axis=1)[labelled]
                runs.append({"nmi": normalized_mutual_info_score(truth, dominant),
                             "ari": adjusted_rand_score(truth, dominant),
                             "nmi_free": normalized_mutual_info_score(truth, free),
                             "ari_free": adjusted_rand_score(truth, free),
                             "npmi": float(np.mean(npmi_coherence(top, reference))),
                             "error": relative_error(run["dtm"], run["w"], h),
                             "seconds": run["seconds"], "top": top, "terms": len(run["vocab"])})
                print(f"K={k} {variant} seed {seed}: NMI {runs[-1]['nmi']:.3f}, scale-free "
                      f"{runs[-1]['nmi_free']:.3f}, {run['seconds']:.1f} CPU s", flush=True)
            rows.append({"k": k, "variant": variant, "terms": runs[0]["terms"],
                         **{m: float(np.mean([r[m] for r in runs]))
                            for m in ("nmi", "ari", "nmi_free", "ari_free", "npmi", "error",
                                      "seconds")},
                         "stability": stability([r["top"] for r in runs])})
            print(ROW.format(**rows[-1]), flush=True)
    load_after = os.getloadavg()[0]
    lines = [
        "## Topic quality against Debian sections (benchmarks/topic_quality.py)",
        "",
        f"- Date: {time.strftime('%Y-%m-%dT%H:%M')}; {os.cpu_count()} cores shared with other "
        f"sessions, load average (1 min) {load_before:.1f} before, {load_after:.1f} after; "
        f"Python {platform.python_version()}",
        f"- Corpus: {len(ids):,} Debian descriptions as documents; {int(labelled.sum()):,} have "
        f"a section in bookworm's Packages indexes ({len(set(truth))} sections); nqpf "
        f"tokenising {token_seconds:.1f} s (n_jobs=2)",
        f"- Metrics: mean over seeds 0..{args.seeds - 1} of NMI and ARI (dominant topic vs "
        "section; the variant's own and the scale-free one), NPMI (top-10 terms, common "
        "reference), relative reconstruction error on the variant's own matrix, CPU seconds "
        "of vectorising and fitting; stability = matched Jaccard of the seeds' top-10 terms",
        "",
        HEADER,
    ]
    lines.extend(ROW.format(**row) for row in rows)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
