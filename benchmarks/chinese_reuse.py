"""Reused official phrasing in Chinese: character n-grams or word n-grams?

Runs ``nqpf.reuse.shared_ngrams`` (min_docs=3) on the CPC congress reports twice: with each
Han character a unit (what ``nqpf.reuse`` does) and with jieba's words as units, for several
n-gram lengths, and prints for each: phrases listed, seconds, how many of ``SLOGANS`` (a
reference list of Party formulas written down before the first run, not tuned to the output)
occur inside a listed phrase, in how many reports the best listed phrase holding each of the
first ten occurs, and how many of the 100 most widely shared phrases start and end at a jieba
word boundary or on a function character (的, 在, 和 ...).

Passages here are the body lines (``boilerplate.body_spans``, with ``recurring_blocks``
set aside).

    .venv/bin/python -m pip install -e ".[dev,bench]"  # jieba
    .venv/bin/python benchmarks/chinese_reuse.py [--corpus PATH]
"""

import argparse
import logging
import re
import time
from pathlib import Path

import jieba
import pandas as pd

import nqpf
from nqpf import reuse
from nqpf.boilerplate import body_spans, find_boilerplate, recurring_blocks

CORPUS = Path(__file__).resolve().parents[1].parent / "shared/corpus-zh/cpc_congress_reports.jsonl"
SLOGANS = [
    "中国特色社会主义", "高举中国特色社会主义伟大旗帜", "全面建设小康社会", "解放思想、实事求是",
    "马克思列宁主义、毛泽东思想", "建设有中国特色社会主义", "以经济建设为中心", "坚持四项基本原则",
    "坚持改革开放", "社会主义市场经济体制", "全心全意为人民服务", "实现中华民族伟大复兴",
    "“三个代表”重要思想", "科学发展观", "党的基本路线", "和平共处五项原则",
    "社会主义初级阶段", "一国两制", "民主集中制", "依法治国", "无产阶级专政", "两个文明",
    "精神文明建设", "人民代表大会制度",
]
FUNCTION_CHARS = set("的在和是了与及对为把被从以而并也都就又还或之其")
RUNS = [("characters", "chars", n) for n in (2, 3, 4, 5)] + [("jieba words", "words", n)
                                                           for n in (2, 3, 4, 5)]


def passages_of(corpus) -> pd.DataFrame:
    """Body lines of every document as a passages table."""
    texts = corpus.docs["text"].tolist()
    rows = [(doc_id, i, start, end, text[start:end])
            for doc_id, text, blocks in zip(corpus.docs["doc_id"], texts,
                                            recurring_blocks(texts), strict=True)
            for i, (start, end) in enumerate(
                body_spans(text, find_boilerplate(text, recurring=blocks)))]
    return pd.DataFrame(rows, columns=["doc_id", "passage_id", "start", "end", "text"])


def jieba_words(text: str) -> list[str]:
    return [w for w in jieba.lcut(reuse.normalize(text).lower()) if re.search(r"[^\W_]", w)]


def flat(text: str) -> str:
    return re.sub(r"\W", "", text)


def edges(table: pd.DataFrame, passages: pd.DataFrame) -> tuple[int, int]:
    """Of the first 100 phrases: (both ends on a jieba word boundary, an end on a function
    character), checked at the phrase's first occurrence."""
    texts = {(d, p): "".join(reuse.surface_words(t)) for d, p, t in
             zip(passages["doc_id"], passages["passage_id"], passages["text"], strict=True)}
    aligned = function = 0
    for phrase, cited in zip(table["ngram"].head(100), table["passages"].head(100), strict=True):
        doc_id, passage_id = cited.split("; ")[0].rsplit(":", 1)
        text, phrase = texts[(doc_id, int(passage_id))], flat(phrase)
        bounds, pos = {0}, 0
        for word in jieba.lcut(text):
            pos += len(word)
            bounds.add(pos)
        start = text.find(phrase)
        aligned += start in bounds and start + len(phrase) in bounds
        function += phrase[0] in FUNCTION_CHARS or phrase[-1] in FUNCTION_CHARS
    return aligned, function


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    corpus = nqpf.load_corpus(args.corpus, text_column="content", id_column="title")
    passages = passages_of(corpus)
    print(f"{len(corpus.docs)} documents, {len(passages)} passages (body lines)\n")
    print("| units | n | length | phrases | s | slogans found | reports per slogan (first 10) "
          "| top 100: on word boundaries | top 100: function-character edge |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    surface_words = reuse.surface_words
    for label, units, n in RUNS:
        reuse.surface_words = surface_words if units == "chars" else jieba_words
        start = time.perf_counter()
        table = reuse.shared_ngrams(passages, n=n, min_docs=3)
        seconds = time.perf_counter() - start
        phrases = table["ngram"].map(flat)
        found = [s for s in SLOGANS if phrases.str.contains(flat(s), regex=False).any()]
        reports = [int(table["n_docs"][phrases.str.contains(flat(s), regex=False)].max())
                   if s in found else 0 for s in SLOGANS[:10]]
        reuse.surface_words = surface_words
        aligned, function = edges(table, passages)
        length = f"{2 * n} characters" if units == "chars" else f"{n} words"
        print(f"| {label} | {n} | {length} | {len(table)} | {seconds:.1f} | "
              f"{len(found)}/{len(SLOGANS)} | {reports} | {aligned} | {function} |")


if __name__ == "__main__":
    main()
