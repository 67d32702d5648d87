"""Chinese tokenising throughput and segmentation quality on the CPC congress reports.

In one run, the pipelines taking turns repeat by repeat (medians of ``--repeats``):

- ``rjieba.cut`` (the bare segmenter nqpf uses, its default dictionary) on every document;
- ``nqpf.tokens.tokenize_all(texts, languages=["zh", ...])``: traditional -> simplified folding,
  rjieba with the lexicon's Chinese variants as user words, NFKC per word type, lexicon terms,
  Chinese stopwords, Latin stretches through the English pipeline;
- ``jieba.lcut`` (the reference implementation, if installed: ``pip install .[bench]``).

Quality: the share of the lexicon's Chinese variants in the (folded) texts that come out as one
word, and how often rjieba's words agree with jieba's (same word boundaries). Also the Han
characters per Chinese word (``nqpf.language.CHARS_PER_WORD``). Writes (or replaces) the section
"Chinese tokenising" of ``benchmarks/RESULTS.md``.

    python benchmarks/chinese.py --repeats 7
"""

import argparse
import gc
import json
import platform
import statistics
import time
from datetime import datetime
from pathlib import Path

import rjieba

from nqpf import chinese
from nqpf.language import HAN
from nqpf.lexicon import default_lexicon
from nqpf.tokens import tokenize_all

HERE = Path(__file__).parent
CORPUS = HERE.parent.parent / "shared" / "corpus-zh" / "cpc_congress_reports.jsonl"
SECTION = "## Chinese tokenising (benchmarks/chinese.py)"


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def boundaries(words: list[str]) -> set[int]:
    ends, position = set(), 0
    for word in words:
        position += len(word)
        ends.add(position)
    return ends


def kept_whole(words_of, texts: list[str], variants: list[str]) -> tuple[int, int]:
    """(occurrences of ``variants`` in ``texts`` that are one word, all occurrences)."""
    whole = total = 0
    for text in texts:
        words = words_of(text)
        counts = {variant: words.count(variant) for variant in variants}
        for variant in variants:
            n = text.count(variant)
            total += n
            whole += min(n, counts[variant])
    return whole, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    texts = [json.loads(line)["content"] for line in args.corpus.open(encoding="utf-8")]
    folded = [chinese.fold(text) for text in texts]
    n_chars = sum(map(len, texts))
    languages = ["zh"] * len(texts)
    try:
        import jieba
        jieba.setLogLevel(60)
        jieba.initialize()
    except ImportError:
        jieba = None
    start = time.perf_counter()
    tokenize_all(texts[:1], languages=languages[:1])  # loads lexicon, stopwords, segmenter
    setup = time.perf_counter() - start
    gc.freeze()  # jieba's dictionary (a dict of 350,000 words) is not scanned by each collection
    runs: dict[str, list[float]] = {"rjieba.cut": [], "nqpf tokenize_all": []}
    if jieba is not None:
        runs["jieba.lcut"] = []
    for _ in range(args.repeats):
        runs["rjieba.cut"].append(timed(lambda: [rjieba.cut(text) for text in texts]))
        runs["nqpf tokenize_all"].append(timed(lambda: tokenize_all(texts, languages=languages)))
        if jieba is not None:
            runs["jieba.lcut"].append(timed(lambda: [jieba.lcut(text) for text in texts]))
    medians = {name: statistics.median(times) for name, times in runs.items()}
    ratio = medians["nqpf tokenize_all"] / medians["rjieba.cut"]

    variants = [variant for variant, _ in default_lexicon().matcher.chinese]
    user = chinese.segmenter(tuple(variants))
    quality = {"rjieba.cut": kept_whole(rjieba.cut, folded, variants),
               "rjieba + lexicon (nqpf)": kept_whole(user.cut, folded, variants)}
    if jieba is not None:
        quality["jieba.lcut"] = kept_whole(jieba.lcut, folded, variants)
        agree = total = 0
        for text in folded:
            ours, theirs = boundaries(rjieba.cut(text)), boundaries(jieba.lcut(text))
            agree += len(ours & theirs)
            total += len(ours | theirs)
        agreement = f"{agree / total:.3f} of {total:,} word boundaries"
    else:
        agreement = "not measured (jieba not installed)"
    han_words = [word for text in folded for word in user.cut(text) if HAN.search(word)]
    chars_per_word = sum(len(HAN.findall(word)) for word in han_words) / len(han_words)

    lines = [
        SECTION, "",
        f"- Command: `python benchmarks/chinese.py --repeats {args.repeats}`; "
        f"{datetime.now():%Y-%m-%dT%H:%M}; Python {platform.python_version()}, "
        f"{platform.machine()}, one process",
        f"- Corpus: `{args.corpus.name}`, {len(texts)} documents, {n_chars:,} characters; "
        "each pipeline tokenises every document (whole texts), the pipelines taking turns; "
        f"medians of {args.repeats} runs; one-off set-up (lexicon, stopwords, segmenter with "
        f"user words) {setup:.2f} s, not in the times; objects made during set-up are "
        "left out of garbage collection (`gc.freeze()`), so that jieba's dictionary does not "
        "slow down the others' collections",
        "",
        "| pipeline | median s | runs s | characters per s | x rjieba.cut |",
        "|---|---|---|---|---|",
        *[f"| {name} | {median:.3f} | {', '.join(f'{t:.3f}' for t in runs[name])} | "
          f"{n_chars / median:,.0f} | {median / medians['rjieba.cut']:.2f} |"
          for name, median in medians.items()],
        "",
        f"- Target: nqpf (folding, lexicon, NFKC, stopwords, English stretches) <= 1.5x the "
        f"bare segmenter: {ratio:.2f}x -> {'met' if ratio <= 1.5 else 'NOT met'}",
        "- Lexicon variants kept as one word (occurrences of the lexicon's "
        f"{len(variants)} Chinese variants in the folded texts): "
        + "; ".join(f"{name} {whole:,} of {total:,}" for name, (whole, total) in quality.items()),
        f"- rjieba and jieba agree on {agreement}",
        f"- Han characters per Chinese word (rjieba with the lexicon): {chars_per_word:.2f}",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        results = HERE / "RESULTS.md"
        old = results.read_text(encoding="utf-8") if results.exists() else ""
        # this section replaced in place (or added at the end); the sections after it stay
        before, _, rest = old.partition(SECTION + "\n")
        after = rest[rest.find("\n## ") + 1:] if "\n## " in rest else ""
        before = before.rstrip("\n")
        results.write_text((before + "\n\n" if before else "") + text
                           + ("\n" + after if after else ""), encoding="utf-8")


if __name__ == "__main__":
    main()
