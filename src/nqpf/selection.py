"""Choosing the number of topics K: a sweep over K, methods and seeds judged by coherence,
diversity and stability (Greene, O'Callaghan & Cunningham 2014), and a stated rule; with a hand
coding, agreement per K (:func:`agreement_by_k`) to set beside the rule's choice.

Input is ``token_lists``: a list of token lists, one per passage (the passages' ``tokens``
column). Models are :class:`nqpf.topics.TopicModel`.
"""

import re
import sys
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, cpu_count, delayed
from tqdm.std import tqdm

from nqpf.checks import require_columns, require_token_lists
from nqpf.coherence import npmi_coherence, stability, topic_diversity
from nqpf.tfidf import PROGRESS_SECONDS, choose_df
from nqpf.topics import (
    METHODS,
    MINIBATCH_MIN_PASSAGES,
    TopicModel,
    TopicModelWarning,
    check_k,
    check_method,
    corpus_warnings,
    make_vectorizer,
    vectorize,
    vocabulary_size,
)
from nqpf.validation import Coding, agreement, coded_topics

MAX_FIT_PASSAGES = 10_000  # sweep: each run fits at most this many passages
SWEEP_LDA_ITER = 50  # sweep on 20,000+ passages: LDA passes per run (TopicModel: up to 200)
MAX_DEFAULT_K = 10
MIN_PARALLEL_PASSAGES = 1_000  # sweep(n_jobs=None) uses every core from here on
K_LIST = re.compile(r"^\s*[\[(]?\s*(\d+(\s*[,\s]\s*\d+)*)\s*[\])]?\s*$")


def k_values(k_range, n_passages: int, *, n_vocab: int | None = None) -> list[int]:
    """Numbers of topics to try, sorted. ``k_range``: None (default: 2 up to
    ``min(10, n_passages // 4)``, so every topic can rest on at least ~4 passages, and at most
    ``n_vocab``, the vocabulary size, if given), a list of ints, or a string of ints such as
    ``"[2, 3]"`` or ``"2 3 4"`` (as papermill ``-p`` passes it).
    Raises ValueError for a K below 2 or above the number of passages (or terms)."""
    if n_passages < 2:
        raise ValueError(f"topic models need at least 2 passages, got {n_passages}")
    if n_vocab is not None and n_vocab < 2:
        raise ValueError(f"topic models need at least 2 terms, got {n_vocab}: add documents "
                         "or lower min_df")
    limit = n_passages if n_vocab is None else min(n_passages, n_vocab)
    if k_range is None:
        return list(range(2, max(2, min(MAX_DEFAULT_K, n_passages // 4, limit)) + 1))
    if isinstance(k_range, str):
        match = K_LIST.match(k_range)
        if not match:
            raise ValueError(f"k_range must list whole numbers like '[2, 3, 4]', got {k_range!r}")
        k_range = [int(k) for k in re.split(r"[,\s]+", match.group(1))]
    elif isinstance(k_range, int):
        k_range = [k_range]
    ks = sorted({int(k) for k in k_range})
    if not ks:
        raise ValueError("k_range is empty: list the numbers of topics to try")
    for k in ks:
        check_k(k, n_passages)
        if k > limit:
            raise ValueError(f"number of topics ({k}) exceeds the number of terms ({n_vocab}); "
                             "try fewer topics or a lower min_df")
    return ks


def sweep_settings(token_lists, k_range=None, *, min_df: int | float = 2,
                   max_df: int | float = 0.95) -> tuple[list[int], int | float, int | float, str]:
    """``(ks, min_df, max_df, note)`` of a K sweep on ``token_lists`` (one token list per
    passage), as notebooks 05 and 06 both choose them: ``tfidf.choose_df`` (``note`` says what
    it changed, "" if nothing), then the ``k_values`` of ``k_range`` capped by the vocabulary
    those ``min_df``/``max_df`` keep."""
    min_df, max_df, note = choose_df(token_lists, min_df=min_df, max_df=max_df)
    n_vocab = vocabulary_size(token_lists, min_df=min_df, max_df=max_df)
    return k_values(k_range, len(token_lists), n_vocab=n_vocab), min_df, max_df, note


def sweep_jobs(n_jobs: int | None, n_passages: int) -> int:
    """Processes for a sweep: ``n_jobs`` when given; None: one below ``MIN_PARALLEL_PASSAGES``
    passages (starting worker processes would cost more than the fits), else every core."""
    if n_jobs is not None:
        return n_jobs
    return 1 if n_passages < MIN_PARALLEL_PASSAGES else cpu_count()


def run_sizes(n_passages: int, k: int, subsample: float, max_fit: int) -> tuple[int, int]:
    """Passages one sweep run fits (a ``subsample`` share, at most ``max_fit``, at least
    ``k``) and holds out for LDA perplexity (the rest, at most ``max_fit``)."""
    n_fit = min(max(k, round(subsample * n_passages)), max(k, max_fit))
    return n_fit, min(max(k, max_fit), n_passages - n_fit)


def _caps(max_fit: int | dict[str, int], methods) -> dict[str, int]:
    """``max_fit`` (an int, or one per method) for each of ``methods``."""
    caps = max_fit if isinstance(max_fit, dict) else dict.fromkeys(methods, max_fit)
    if missing := [method for method in methods if method not in caps]:
        raise ValueError(f"max_fit has no value for {missing}: give one per method")
    if min(caps[method] for method in methods) < 2:
        raise ValueError(f"max_fit must be at least 2 passages, got {max_fit}")
    return {method: caps[method] for method in methods}


def sample_note(n_passages: int, ks, max_fit: int | dict[str, int], *, methods=METHODS,
                subsample: float = 0.8) -> str:
    """What a sweep's runs fitted when ``max_fit`` (as in :func:`sweep`) cut their
    ``subsample`` share, in a sentence; "" when no method was cut."""
    sizes = {method: run_sizes(n_passages, min(ks), subsample, n)
             for method, n in _caps(max_fit, methods).items()}
    cut = {method: size for method, size in sizes.items()
           if size[0] < round(subsample * n_passages)}
    if not cut:
        return ""
    fitted = " / ".join(f"{n_fit:,} ({method.upper()})" for method, (n_fit, _) in cut.items())
    held_out = f", LDA perplexity on {cut['lda'][1]:,} other passages" if "lda" in cut else ""
    return (f"Each run fitted a random {fitted} of the {n_passages:,} passages (parameter "
            f"max_fit; drawn with the run's seed), not {subsample:.0%}; NPMI was scored on all "
            f"passages{held_out}.")


def fit_run(dtm, vectorizer, method, k, seed, subsample, n_terms, max_fit=MAX_FIT_PASSAGES):
    """One sweep run: fit on a random ``subsample`` share of the passages (at most
    ``max_fit``) drawn with ``seed``. Returns (top_terms, perplexity on the held-out passages,
    at most ``max_fit`` of them, or None)."""
    n_passages = dtm.shape[0]
    rows = np.random.default_rng(seed).permutation(n_passages)
    n_fit, n_held_out = run_sizes(n_passages, k, subsample, max_fit)
    fit_rows, held_out = np.sort(rows[:n_fit]), np.sort(rows[n_fit:n_fit + n_held_out])
    # the sweep's own policy: on a large corpus its many NMF fits use the mini-batch solver
    # (the K sweep of benchmarks/run.py: 9.6 s; TopicModel's exact "auto" solver: 63.8 s)
    # and its LDA runs stop after SWEEP_LDA_ITER passes (Debian: the sweep's LDA took 49 CPU s
    # instead of 73 s, perplexities within 1%)
    large = n_passages >= MINIBATCH_MIN_PASSAGES
    model = TopicModel(k, method=method, random_state=seed, n_terms=n_terms,
                       solver="minibatch" if large and method == "nmf" else "auto",
                       max_iter=SWEEP_LDA_ITER if large and method == "lda" else None)
    model.fit_dtm(dtm[fit_rows], vectorizer)
    perplexity = None
    if method == "lda":
        test = dtm[held_out] if len(held_out) else dtm[fit_rows]
        perplexity = float(model.model_.perplexity(test))
    return model.top_terms_, perplexity


def sweep(token_lists, ks, *, methods=METHODS, seeds=(0, 1, 2), subsample=0.8, n_terms=10,
          min_df=2, max_df=0.95, n_jobs=None, show_progress=False,
          max_fit: int | dict[str, int] = MAX_FIT_PASSAGES) -> pd.DataFrame:
    """Fit every method x K x seed and judge each (method, K) by topic quality.
    ``methods``: one of ``METHODS`` (a str) or several (default: both).

    Each run fits a random ``subsample`` share of the passages, at most ``max_fit`` of them
    (drawn with its seed; Greene et al. 2014), so that stability measures how much topics
    depend on which passages were seen and large corpora stay fast; NPMI is scored on all.
    ``max_fit``: an int, or a dict with one per method (``{"nmf": 5000, "lda": 1000}``: LDA
    is the slower to fit).
    NMF runs on corpora of 20,000 passages or more use the mini-batch solver (see
    :class:`TopicModel`). Returns
    DataFrame(method, k, npmi, diversity, stability, perplexity), one row per (method, K):
    ``npmi`` mean NPMI coherence of the top terms against all passages (co-occurrence within a
    passage), ``diversity`` share of unique top terms, both averaged over seeds; ``stability``
    mean matched Jaccard between the seeds' topics; ``perplexity`` LDA on held-out passages
    (at most ``max_fit`` of them; mean over seeds; NaN for NMF; shown for reference, do not
    choose K by it). Runs are independent and seeded, so ``n_jobs`` (processes) does not
    change the result; None: see :func:`sweep_jobs`.
    """
    token_lists = require_token_lists(token_lists, "token_lists")
    methods = (methods,) if isinstance(methods, str) else tuple(methods)
    if not methods:
        raise ValueError(f"methods is empty: pass one of {METHODS} or several")
    for method in methods:
        check_method(method)
    ks = sorted(set(ks))
    if not ks:
        raise ValueError("ks is empty: pass the numbers of topics to compare")
    if len(seeds) < 2:
        raise ValueError("sweep needs at least 2 seeds to measure stability")
    if not 0 < subsample <= 1:
        raise ValueError(f"subsample must be in (0, 1], got {subsample}")
    caps = _caps(max_fit, methods)
    for k in ks:
        check_k(k, len(token_lists))
    fitted = {}
    for method in methods:
        vectorizer = make_vectorizer(method, min_df=min_df, max_df=max_df)
        fitted[method] = vectorize(vectorizer, token_lists), vectorizer
    n_vocab = fitted[methods[0]][0].shape[1]
    for message in corpus_warnings(token_lists, ks[-1], n_vocab, min_df=min_df):
        warnings.warn(message, TopicModelWarning, stacklevel=2)
    tasks = [(method, k, seed) for method in methods for k in ks for seed in seeds]
    # no memmapping (max_nbytes=None): its temporary folders made joblib's resource tracker
    # print KeyError tracebacks into the notebook under load (joblib issues #1076, #1243)
    runs = Parallel(n_jobs=sweep_jobs(n_jobs, len(token_lists)), return_as="generator",
                    max_nbytes=None)(
        delayed(fit_run)(*fitted[method], method, k, seed, subsample, n_terms, caps[method])
        for method, k, seed in tasks
    )
    if show_progress:
        runs = tqdm(runs, total=len(tasks), desc="topic models", file=sys.stdout,
                    mininterval=PROGRESS_SECONDS)
    results = dict(zip(tasks, runs, strict=True))
    all_topics = [topic for top_terms, _ in results.values() for topic in top_terms]
    scores = iter(npmi_coherence(all_topics, token_lists))
    npmi = {task: np.mean([next(scores) for _ in top_terms])
            for task, (top_terms, _) in results.items()}
    rows = []
    for method in methods:
        for k in ks:
            keys = [(method, k, seed) for seed in seeds]
            rows.append({
                "method": method,
                "k": k,
                "npmi": float(np.mean([npmi[key] for key in keys])),
                "diversity": float(np.mean([topic_diversity(results[key][0]) for key in keys])),
                "stability": stability([results[key][0] for key in keys]),
                "perplexity": (float(np.mean([results[key][1] for key in keys]))
                               if method == "lda" else np.nan),
            })
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class KChoice:
    """Chosen number of topics and the reason, in words."""

    k: int
    reason: str


def choose_k(table: pd.DataFrame, *, method: str, min_stability=0.7, min_diversity=0.7,
             tolerance=0.01) -> KChoice:
    """Choose K from a :func:`sweep` table.

    Rule: among K with stability >= ``min_stability`` and diversity >= ``min_diversity``, take
    the highest NPMI coherence; any K whose NPMI is within ``tolerance`` of that best counts as
    a tie, and ties go to the smallest K. If no K passes both thresholds, take the most stable K
    (stability within ``tolerance`` of the best counts as a tie; ties to the smallest K) and
    say the topics are exploratory.
    """
    check_method(method)
    require_columns(table, ["method", "k", "npmi", "diversity", "stability"],
                    "table (the output of sweep())")
    rows = table[table["method"] == method].sort_values("k")
    if rows.empty:
        raise ValueError(f"table has no rows for method {method!r}")
    eligible = rows[(rows["stability"] >= min_stability) & (rows["diversity"] >= min_diversity)]
    if eligible.empty:
        best = rows[rows["stability"] >= rows["stability"].max() - tolerance].iloc[0]
        return KChoice(int(best["k"]), (
            f"no K reached stability >= {min_stability} and diversity >= {min_diversity}; "
            f"K={int(best['k'])} is the most stable (stability {best['stability']:.2f}; ties "
            f"within {tolerance} go to the smaller K); treat its topics as exploratory."
        ))
    top = eligible.loc[eligible["npmi"].idxmax()]
    best = eligible[eligible["npmi"] >= top["npmi"] - tolerance].iloc[0]
    why = (f"K={int(best['k'])} has the highest NPMI coherence ({best['npmi']:.3f}; ties within "
           f"{tolerance} go to the smaller K)" if best["k"] == top["k"] else
           f"K={int(best['k'])}'s NPMI coherence ({best['npmi']:.3f}) is within {tolerance} of "
           f"the highest (K={int(top['k'])}, {top['npmi']:.3f}), and ties go to the smaller K")
    return KChoice(int(best["k"]), (
        f"{why}, among the {len(eligible)} of {len(rows)} K values with stability >= "
        f"{min_stability} and diversity >= {min_diversity}."
    ))


def agreement_by_k(passages: pd.DataFrame, coding: Coding, ks, *, method: str = "nmf",
                   min_df=2, max_df=0.95, random_state: int = 0) -> pd.DataFrame:
    """Agreement with a hand coding per K (optional beside :func:`sweep`): for each K, one
    ``method`` model fitted on all ``passages`` (the final model's settings), its dominant
    topic per coded passage compared with ``coding`` (a :class:`nqpf.validation.Coding` mapped
    to these passages) by :func:`nqpf.validation.agreement`. Returns DataFrame(method, k, n,
    nmi, ari, matched, macro_f1), one row per K."""
    require_columns(passages, ["doc_id", "passage_id", "start", "end", "tokens"], "passages")
    check_method(method)
    token_lists = require_token_lists(passages["tokens"], "passages['tokens']")
    rows = []
    for k in sorted(set(ks)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TopicModelWarning)  # the sweep warns once
            model = TopicModel(k, method=method, random_state=random_state, min_df=min_df,
                               max_df=max_df).fit(token_lists)
        coded = coded_topics(coding, model.passage_topics(passages))
        rows.append({"method": method, "k": k, **agreement(coded["label"], coded["topic"])})
    return pd.DataFrame(rows)
