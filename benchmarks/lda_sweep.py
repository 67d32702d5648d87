"""Time notebook 05's LDA sweep with nqpf.lda.LDA and with scikit-learn's stock
LatentDirichletAllocation, taking turns in one process (CPU seconds, medians of repeats).

    .venv/bin/python benchmarks/lda_sweep.py --repeats 5 [--debian 2000]

The sweep is ``selection.sweep(methods="lda", seeds=[0, 1, 2], n_jobs=1)`` over the default K
range of the study corpus (and of the first N Debian descriptions with ``--debian N``).
"""

import argparse
import gzip
import json
import statistics
import time
import warnings
from pathlib import Path

from sklearn.decomposition import LatentDirichletAllocation

import nqpf
from nqpf import selection, tokens, topics

DEBIAN = Path(__file__).resolve().parents[2] / "shared" / "bench" / "debian-descriptions.jsonl.gz"


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--repeats", type=int, default=5)
    args.add_argument("--debian", type=int, default=0, help="also the first N Debian documents")
    args = args.parse_args()
    corpora = [("study corpus", nqpf.prepare(None).passages["tokens"].tolist())]
    if args.debian:
        with gzip.open(DEBIAN, "rt") as lines:
            texts = [json.loads(line)["text"]
                     for _, line in zip(range(args.debian), lines, strict=False)]
        corpora.append((f"{args.debian} Debian descriptions", tokens.tokenize_all(texts)))
    models = {"nqpf.lda.LDA": topics.LDA, "LatentDirichletAllocation": LatentDirichletAllocation}
    for name, token_lists in corpora:
        ks = selection.k_values(None, len(token_lists))
        seconds = {label: [] for label in models}
        for _ in range(args.repeats):
            for label, model in models.items():
                topics.LDA = model  # the class TopicModel fits
                start = time.process_time()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    selection.sweep(token_lists, ks, methods="lda", seeds=[0, 1, 2], n_jobs=1)
                seconds[label].append(time.process_time() - start)
        medians = {label: statistics.median(values) for label, values in seconds.items()}
        print(f"{name}: {len(token_lists)} passages, K = {ks[0]}..{ks[-1]}, CPU s (median of "
              f"{args.repeats}): " + ", ".join(f"{label} {value:.2f}" for label, value in
                                               medians.items())
              + f"; ratio {medians['nqpf.lda.LDA'] / medians['LatentDirichletAllocation']:.2f}")


if __name__ == "__main__":
    main()
