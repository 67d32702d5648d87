"""Do nqpf's large-corpus topics agree with an outside classification? (issue 20)

Debian sorts every package into a section (``libs``, ``python``, ``doc``, ``games``, ...). The
sections are not in the project: this script downloads bookworm's ``Packages`` indexes
(main, contrib, non-free, non-free-firmware; amd64, which lists ``Architecture: all``
packages too) into a cache outside the repository (``~/.cache/nqpf-bench``, or
``--cache DIR``) and maps each benchmark description (its ``id`` is the binary package name)
to its section.

Each variant below models the 60,876 descriptions as documents (as ``benchmarks/run.py``),
takes each document's dominant topic and compares it with the sections of the documents that
have one: NMI (scikit-learn, arithmetic) and adjusted Rand; plus NPMI of the top-10 terms
(one reference for all: each document's ``[a-z0-9]+`` words, its nqpf tokens and its
unlemmatised nqpf tokens; co-occurrence within a document), stability (matched Jaccard of
the top-10 terms of seeds 0 and 1) and the relative reconstruction error
||X - WH||_F / ||X||_F on the variant's own TF-IDF matrix (comparable only between variants
on the same matrix; the exact solver ``NMF`` is the reference there). Seconds are the CPU
seconds of the model fit (vectorising included for the sklearn and nqpf-vectorizer variants;
``time.process_time``, one BLAS thread), as the machine is shared (the load average is
printed).

Variants: the sklearn baseline (default ``CountVectorizer`` + ``TfidfTransformer`` + exact
``NMF``), nqpf as shipped (``TopicModel``, solver "auto"), nqpf with ``solver="minibatch"``
(the "auto" of before: ``MiniBatchNMF``, 15 epochs), with the exact solver (tol 1e-4, up to
1000 iterations), with 50 epochs or batches of 2,048 passages in ``MiniBatchNMF``, exact
without lemmas, the baseline's vocabulary pruned like nqpf's (min_df=2, max_df=0.95), and
nqpf's vocabulary kept whole (min_df=1), exact.

    .venv/bin/python benchmarks/topic_quality.py                 # K=20 and 40, ~10 min, 2 cores
    .venv/bin/python benchmarks/topic_quality.py --ks 20 --variants baseline nqpf --out /tmp/q.md
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
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from nqpf.coherence import npmi_coherence, stability
from nqpf.tokens import tokenize_all
from nqpf.topics import TopicModel, TopicModelWarning, make_vectorizer

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "bench" / "debian-descriptions.jsonl.gz"
MIRROR = "https://deb.debian.org/debian/dists/bookworm"
COMPONENTS = ("main", "contrib", "non-free", "non-free-firmware")
SEEDS = (0, 1)
TOP_N = 10
WORD = re.compile(r"[a-z0-9]+")
ROW = ("| {k} | {variant} | {terms:,} | {nmi:.3f} | {ari:.3f} | {npmi:.3f} | {stability:.3f} "
       "| {error:.4f} | {seconds:.1f} |")
VARIANTS = ("baseline", "nqpf", "nqpf_minibatch", "nqpf_exact", "nqpf_epochs50",
            "nqpf_batch2048", "nqpf_nolemma_exact", "baseline_pruned", "nqpf_mindf1_exact")


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


def fit(variant: str, k: int, seed: int, data: dict):
    """(dtm, vocab, W, H, CPU seconds) of one variant."""
    started = time.process_time()
    if variant.startswith("baseline"):
        options = {"min_df": 2, "max_df": 0.95} if variant == "baseline_pruned" else {}
        counts = CountVectorizer(**options).fit(data["texts"])
        dtm = TfidfTransformer().fit_transform(counts.transform(data["texts"]))
        vocab = counts.get_feature_names_out()
        model = NMF(k, random_state=seed, max_iter=1000)
    else:
        tokens = data["plain" if "nolemma" in variant else "tokens"]
        if variant in ("nqpf", "nqpf_minibatch"):
            solver = "minibatch" if variant == "nqpf_minibatch" else "auto"
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", TopicModelWarning)
                fitted = TopicModel(k, random_state=seed, solver=solver).fit(tokens)
            seconds = time.process_time() - started
            dtm = fitted.vectorizer_.transform(tokens).astype(fitted.model_.components_.dtype)
            return (dtm, fitted.vocab_, fitted.model_.transform(dtm),
                    fitted.model_.components_, seconds)
        vectorizer = make_vectorizer("nmf", min_df=1 if "mindf1" in variant else 2)
        dtm = vectorizer.fit_transform(tokens)
        vocab = vectorizer.get_feature_names_out()
        if variant.endswith("exact"):
            model = NMF(k, init="nndsvda", max_iter=1000, tol=1e-4, random_state=seed)
        else:
            dtm = dtm.astype(np.float32)
            epochs = 50 if variant == "nqpf_epochs50" else 15
            batch = 2048 if variant == "nqpf_batch2048" else 16_384
            model = MiniBatchNMF(k, init="nndsvda", batch_size=batch, max_iter=epochs, tol=0,
                                 max_no_improvement=None, random_state=seed)
    w = model.fit_transform(dtm)
    return dtm, vocab, w, model.components_, time.process_time() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--docs", type=int, default=None)
    parser.add_argument("--ks", type=int, nargs="+", default=[20, 40])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
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
            for seed in SEEDS:
                dtm, vocab, w, h, seconds = fit(variant, k, seed, data)
                dominant = w.argmax(axis=1)[labelled]
                top = [vocab[row].tolist() for row in np.argsort(-h, axis=1)[:, :TOP_N]]
                runs.append({"nmi": normalized_mutual_info_score(truth, dominant),
                             "ari": adjusted_rand_score(truth, dominant),
                             "npmi": float(np.mean(npmi_coherence(top, reference))),
                             "error": relative_error(dtm, w, h), "seconds": seconds,
                             "top": top, "terms": len(vocab)})
                print(f"K={k} {variant} seed {seed}: NMI {runs[-1]['nmi']:.3f}, "
                      f"{seconds:.1f} CPU s", flush=True)
            rows.append({"k": k, "variant": variant, "terms": runs[0]["terms"],
                         **{m: float(np.mean([r[m] for r in runs]))
                            for m in ("nmi", "ari", "npmi", "error", "seconds")},
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
        "- Metrics: mean over seeds 0 and 1 of NMI and ARI (dominant topic vs section), NPMI "
        "(top-10 terms, common reference), relative reconstruction error on the variant's own "
        "matrix, model seconds; stability = matched Jaccard of the two seeds' top-10 terms",
        "",
        "| K | variant | terms | NMI | ARI | NPMI | stability | rel. error | model CPU s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines.extend(ROW.format(**row) for row in rows)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
