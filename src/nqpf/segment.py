"""Sentences and passages with character offsets into the RAW text.

Offsets are computed on the text exactly as loaded (never on a normalised copy), so
``raw[start:end]`` is always the passage or sentence quoted. Passages (~60-200 words; for
Chinese, counted in characters, ~120-400: ``nqpf.language.size_factor``) are the unit of
analysis; they are built from the body paragraphs found by ``nqpf.boilerplate.body_spans``
and cited as ``doc_id``, ``passage_id``, ``start``-``end``.

Two stages, each run once per document, each handing its result to the next:
``document_sentences`` (the sentences of each body paragraph) and ``document_passages``
(passages made of those sentences). ``segment_docs`` runs both over a corpus.
"""

import functools
import math
import re
from itertools import pairwise
from typing import NamedTuple

import pandas as pd
from tqdm.auto import tqdm

from nqpf import chinese
from nqpf.boilerplate import TITLE_MAX_WORDS, body_spans, is_heading, trim_span
from nqpf.checks import check_docs
from nqpf.clean import RUN_TOGETHER
from nqpf.language import CHINESE, HAN, check_language, count_words, detect, size_factor
from nqpf.pages import has_pages, page_column
from nqpf.tokens import tokenize_all

# End of a sentence: . ! ? (and any closing quotes or brackets), then white space and the
# start of the next sentence (an upper-case letter or digit, perhaps after opening quotes).
SENTENCE_END = re.compile("(?:[.!?]+[\"'\u201d\u2019)\\]]*)+"
                          "(?=[^\\S\\n]+[\"'\u201c\u2018(\\[]*[A-Z0-9])")
# Words after which a full stop does not end a sentence (compared lower-case, without the
# final full stop). Single capital letters (initials) are handled separately.
ABBREVIATIONS = frozenset({
    "e.g", "i.e", "etc", "cf", "vs", "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr",
    "no", "nos", "fig", "figs", "vol", "p", "pp", "inc", "ltd", "co", "corp", "dept",
    "u.s", "u.k", "u.n", "e.u", "p.r.c", "a.m", "p.m",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
})
_OPENERS = "\"'\u201c\u2018(["
_LINE = re.compile(r"[^\n]+")
_INITIAL = re.compile(r"[A-Z]")
_LIST_MARKER = re.compile(r"\d{1,2}")
# A numbered part, "1. Talent is ...": always starts a new passage.
NUMBERED_PART = re.compile(r"\d+\.\s+[A-Z]")
LONG_SENTENCE = 2  # a sentence of more than this many times max_words is cut (_pieces)
_WORD = re.compile(r"\S+")
_CHINESE_WORD = re.compile(f"{HAN.pattern}|(?:(?!{HAN.pattern})\\S)+")  # a Han character, or not


def _n_words(text: str, start: int, end: int, language: str = "en") -> int:
    return count_words(text[start:end], language)


def _is_false_stop(text: str, line_start: int, sentence_start: int, stop: int) -> bool:
    """True if the full stop at ``stop`` closes an abbreviation, an initial, or the list
    number that opens the current sentence ("1. Talent is ...")."""
    word_start = stop
    while word_start > line_start and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:stop].lstrip(_OPENERS)
    if text[stop] != "." or not word:
        return False
    if word.lower() in ABBREVIATIONS or _INITIAL.fullmatch(word):
        return True
    return word_start == sentence_start and _LIST_MARKER.fullmatch(word) is not None


def sentence_spans(text: str, start: int = 0, end: int | None = None, *,
                   language: str = "en") -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as ``(start, end)`` offsets into ``text``.

    Splits after . ! ? (plus closing quotes or brackets) followed by white space and an
    upper-case letter, digit or opening quote; not after abbreviations (``ABBREVIATIONS``),
    initials or a leading list number; also at run-together boundaries
    (``nqpf.clean.RUN_TOGETHER``: "developmentIncrease") and at every line break.
    ``language`` ``zh`` or ``mixed``: also after 。！？； and their ASCII forms, with any
    closing quotes or brackets (``nqpf.chinese.SENTENCE_END``: 。” ！」).
    Spans are trimmed of white space."""
    end = len(text) if end is None else end
    spans = []
    for line in _LINE.finditer(text, start, end):
        cuts = [(m.start(), m.end()) for m in SENTENCE_END.finditer(text, line.start(), line.end())]
        cuts += [(m.end(), m.end())  # after the lower-case word
                 for m in RUN_TOGETHER.finditer(text, line.start(), line.end())]
        if language in CHINESE:
            cuts += [(m.end(), m.end())
                     for m in chinese.SENTENCE_END.finditer(text, line.start(), line.end())]
        current = line.start()
        for stop, cut in sorted(cuts):
            first, _ = trim_span(text, current, cut)
            if stop != cut and _is_false_stop(text, line.start(), first, stop):
                continue
            spans.append(trim_span(text, current, cut))
            current = cut
        spans.append(trim_span(text, current, line.end()))
    return [(s, e) for s, e in spans if s < e]


class _Unit(NamedTuple):
    start: int
    end: int
    n_words: int
    barrier: bool  # nothing may be merged across its start (numbered part, boilerplate)
    heading: bool
    n_sentences: int


def _fewest_groups(words: list[int], max_words: int) -> int:
    """Fewest groups of consecutive items of at most ``max_words`` (greedy is optimal;
    an item longer than ``max_words`` is a group of its own)."""
    groups, size = 0, max_words + 1
    for w in words:
        if size + w > max_words:
            groups, size = groups + 1, w
        else:
            size += w
    return groups


def _balanced_chunks(text: str, sentences: list[tuple[int, int]], max_words: int,
                     count) -> list[list[tuple[int, int]]]:
    """Split consecutive ``sentences`` into the fewest groups of at most ``max_words`` words
    (``count(text, start, end)``; a single longer sentence is a group of its own), as equal in
    size as possible (least sum of squared group sizes)."""
    words = [count(text, s, e) for s, e in sentences]
    n, k = len(sentences), _fewest_groups(words, max_words)
    prefix = [0]
    for w in words:
        prefix.append(prefix[-1] + w)
    # cost[j][i]: least sum of squared sizes splitting the first i sentences into j groups.
    cost = [[math.inf] * (n + 1) for _ in range(k + 1)]
    back = [[0] * (n + 1) for _ in range(k + 1)]
    cost[0][0] = 0
    for j in range(1, k + 1):
        for i in range(j, n + 1):
            for p in range(i - 1, j - 2, -1):
                size = prefix[i] - prefix[p]
                if size > max_words and i - p > 1:
                    break
                if cost[j - 1][p] + size * size < cost[j][i]:
                    cost[j][i], back[j][i] = cost[j - 1][p] + size * size, p
    cuts, i = [], n
    for j in range(k, 0, -1):
        cuts.append((back[j][i], i))
        i = back[j][i]
    return [sentences[p:i] for p, i in reversed(cuts)]


def _pieces(text: str, sentence: tuple[int, int], max_words: int, language: str,
            count) -> list[tuple[int, int]]:
    """``sentence``, or if it has more than ``LONG_SENTENCE * max_words`` words (a list, a
    text without sentence ends) the fewest pieces of it of at most ``max_words`` words, about
    equal, cut between words (in Chinese text, between characters)."""
    start, end = sentence
    if end - start <= LONG_SENTENCE * max_words or count(text, start, end) <= (
            LONG_SENTENCE * max_words):
        return [sentence]
    words = [word.span() for word in (_CHINESE_WORD if language in CHINESE else _WORD)
             .finditer(text, start, end)]
    n_pieces = -(-len(words) // max_words)
    cuts = [len(words) * i // n_pieces for i in range(n_pieces + 1)]
    return [(words[a][0], words[b - 1][1]) for a, b in pairwise(cuts)]


def _is_numbered(text: str, start: int, language: str) -> bool:
    return (NUMBERED_PART.match(text, start) is not None
            or (language in CHINESE and chinese.NUMBERED_PART.match(text, start) is not None))


def _units(text: str, paragraphs: list[tuple[int, int]], sentences: list[list[tuple[int, int]]],
           max_words: int, language: str) -> list[_Unit]:
    """Body ``paragraphs`` (with their ``sentences``), cut at numbered parts, long ones split at
    sentence boundaries (very long sentences in ``_pieces``)."""
    count = functools.partial(_n_words, language=language)
    units: list[_Unit] = []
    previous_end = 0
    for (p_start, p_end), paragraph_sentences in zip(paragraphs, sentences, strict=True):
        # Boilerplate between two paragraphs (any word outside the body) is a barrier.
        barrier = bool(units) and bool(text[previous_end:p_start].split())
        heading = is_heading(text[p_start:p_end], max_words=TITLE_MAX_WORDS)
        previous_end = p_end
        parts: list[list[tuple[int, int]]] = []
        for sentence in paragraph_sentences:
            if not parts or _is_numbered(text, sentence[0], language):
                parts.append([])
            parts[-1] += _pieces(text, sentence, max_words, language, count)
        for i, part in enumerate(parts):
            for j, chunk in enumerate(_balanced_chunks(text, part, max_words, count)):
                start, end = chunk[0][0], chunk[-1][1]
                opens = j == 0 and (_is_numbered(text, start, language) or (i == 0 and barrier))
                units.append(_Unit(start, end, count(text, start, end), opens, heading,
                                   len(chunk)))
    return units


def _join(text: str, first: _Unit, second: _Unit, language: str) -> _Unit:
    return first._replace(end=second.end, n_words=_n_words(text, first.start, second.end, language),
                          heading=False, n_sentences=first.n_sentences + second.n_sentences)


def document_sentences(text: str, paragraphs: list[tuple[int, int]], *,
                       language: str = "en") -> list[list[tuple[int, int]]]:
    """The sentences (``sentence_spans``) of each body paragraph of raw ``text``
    (``paragraphs``: ``nqpf.boilerplate.body_spans(text)``): the sentence stage, once per
    document."""
    return [sentence_spans(text, start, end, language=language) for start, end in paragraphs]


def passage_spans(text: str, *, min_words: int = 60, max_words: int = 200,
                  language: str = "en") -> list[tuple[int, int]]:
    """Passages of raw ``text`` as ``(start, end)`` offsets (see ``document_passages``)."""
    paragraphs = body_spans(text)
    sentences = document_sentences(text, paragraphs, language=language)
    return [(start, end) for start, end, _ in document_passages(
        text, paragraphs, sentences, min_words=min_words, max_words=max_words,
        language=language)]


def document_passages(text: str, paragraphs: list[tuple[int, int]],
                      sentences: list[list[tuple[int, int]]], *, min_words: int = 60,
                      max_words: int = 200, language: str = "en") -> list[tuple[int, int, int]]:
    """Passages of raw ``text`` as ``(start, end, n_sentences)``, about ``min_words`` to
    ``max_words`` words each (for ``zh`` and ``mixed`` text, characters: both times
    ``nqpf.language.CHARS_PER_WORD``), made of the body ``paragraphs`` and their
    ``sentences`` (``document_sentences``): the passage stage, once per document.

    Body paragraphs (``nqpf.boilerplate.body_spans``) longer than ``max_words`` are split
    at sentence boundaries into the fewest balanced chunks of at most ``max_words`` (a
    sentence of more than ``LONG_SENTENCE * max_words`` words is first cut between words);
    a numbered part ("1. Talent is ...", in Chinese text also 一、 and （一）) always starts a
    passage. Paragraphs shorter than
    ``min_words`` (headings, one-sentence paragraphs) are merged with the following ones
    until the passage reaches ``min_words``; a short non-heading paragraph joins the
    previous passage instead when merging forward would pass ``1.25 * max_words`` and
    merging back would not. A short remainder before a numbered part, boilerplate or the
    end of the text joins the previous passage if the result has at most
    ``1.25 * max_words`` words. Nothing is merged across boilerplate or numbered parts.
    """
    if not 0 < min_words <= max_words:
        raise ValueError(f"need 0 < min_words <= max_words, got {min_words=}, {max_words=}")
    check_language(language)
    min_words, max_words = (size * size_factor(language) for size in (min_words, max_words))
    limit = 1.25 * max_words
    passages: list[_Unit] = []

    def close(unit: _Unit) -> None:
        if (unit.n_words < min_words and passages and not unit.barrier
                and passages[-1].n_words + unit.n_words <= limit):
            passages[-1] = _join(text, passages[-1], unit, language)
        else:
            passages.append(unit)

    pending: _Unit | None = None
    for unit in _units(text, paragraphs, sentences, max_words, language):
        if pending is None:
            pending = unit
        elif unit.barrier or pending.n_words >= min_words:
            close(pending)
            pending = unit
        elif (pending.n_words + unit.n_words > limit and not pending.heading
              and not pending.barrier and passages
              and passages[-1].n_words + pending.n_words <= limit):
            passages[-1] = _join(text, passages[-1], pending, language)
            pending = unit
        else:
            pending = _join(text, pending, unit, language)
    if pending is not None:
        close(pending)
    return [(p.start, p.end, p.n_sentences) for p in passages]


def _languages(docs: pd.DataFrame) -> list[str]:
    """``docs["language"]``, or each text's ``nqpf.language.detect`` without that column."""
    if "language" in docs:
        return docs["language"].tolist()
    return [detect(text) for text in docs["text"]]


def segment_docs(docs: pd.DataFrame, paragraphs: list | None = None, *, min_words: int = 60,
                 max_words: int = 200,
                 show_progress: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(passages, sentences)`` of ``docs`` (columns ``doc_id``, ``text``, optional
    ``language``), the sentence and passage stages once per document; ``paragraphs``: each
    document's ``body_spans`` if at hand. Columns as in ``passages_table`` (no ``tokens``) and
    ``sentences_table``."""
    check_docs(docs)
    languages = _languages(docs)
    if paragraphs is None:
        paragraphs = [body_spans(text) for text in docs["text"]]
    passage_rows, sentence_rows = [], []
    rows = zip(docs["doc_id"], docs["text"], languages, paragraphs, strict=True)
    for doc_id, raw, language, body in tqdm(rows, total=len(docs), desc="passages",
                                           disable=not show_progress):
        sentences = document_sentences(raw, body, language=language)
        spans = [span for paragraph in sentences for span in paragraph]
        for sentence_id, (start, end) in enumerate(spans, start=1):
            sentence_rows.append((doc_id, sentence_id, start, end, raw[start:end],
                                  _n_words(raw, start, end, language)))
        passages = document_passages(raw, body, sentences, min_words=min_words,
                                     max_words=max_words, language=language)
        for passage_id, (start, end, n_sentences) in enumerate(passages, start=1):
            passage_rows.append((doc_id, passage_id, language, start, end, raw[start:end],
                                 _n_words(raw, start, end, language), n_sentences))
    passages = pd.DataFrame(passage_rows, columns=["doc_id", "passage_id", "language", "start",
                                                   "end", "text", "n_words", "n_sentences"])
    sentences = pd.DataFrame(sentence_rows, columns=["doc_id", "sentence_id", "start", "end",
                                                     "text", "n_words"])
    passages = passages.astype({c: "int64" for c in ("passage_id", "start", "end", "n_words",
                                                     "n_sentences")})
    sentences = sentences.astype({c: "int64" for c in ("sentence_id", "start", "end", "n_words")})
    if has_pages(docs["text"]):
        texts = dict(zip(docs["doc_id"], docs["text"], strict=True))
        for table in (passages, sentences):
            table.insert(table.columns.get_loc("end") + 1, "page", pd.array(
                page_column(texts, table["doc_id"], table["start"]), dtype="Int64"))
    return passages, sentences


def passages_table(docs: pd.DataFrame, *, min_words: int = 60, max_words: int = 200,
                   show_progress: bool = False, n_jobs: int = 1) -> pd.DataFrame:
    """One row per passage: ``doc_id, passage_id`` (1-based within the document),
    ``language`` (the document's), ``start, end`` (offsets into the raw ``text``), ``text``
    (``== raw[start:end]``), ``n_words`` (Chinese: characters, see ``nqpf.language``),
    ``n_sentences, tokens`` (``nqpf.tokenize`` of the passage in its language; ``n_jobs``
    processes, see ``tokens.tokenize_all``). ``docs`` needs columns ``doc_id`` and ``text``
    (and uses ``language`` if it has it)."""
    passages, _ = segment_docs(docs, min_words=min_words, max_words=max_words,
                               show_progress=show_progress)
    passages["tokens"] = tokenize_all(passages["text"], languages=passages["language"],
                                      show_progress=show_progress, n_jobs=n_jobs)
    return passages


def sentences_table(docs: pd.DataFrame) -> pd.DataFrame:
    """One row per body sentence: ``doc_id, sentence_id`` (1-based within the document),
    ``start, end, text, n_words``. ``docs`` needs columns ``doc_id`` and ``text``."""
    return segment_docs(docs)[1]
