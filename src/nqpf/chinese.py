"""The Chinese text pipeline: normalisation for counting, word segmentation, tokens, sentences.

Tokens of a Chinese (or mixed Chinese/English) text: traditional characters folded to simplified
(OpenCC ``t2s``), separators (``nqpf.clean.SEPARATORS``: 丨 ■ ·) to spaces -> the text cut into
Han stretches and Latin stretches (``LATIN``: from a Latin letter, perhaps after digits, up to
the next Han character) -> Han stretches segmented into words by rjieba (jieba's dictionary and
algorithm in Rust; the lexicon's Chinese variants added as user words, so 新质生产力 stays one word)
-> each word: NFKC (full-width letters and digits to half-width), lower case, a lexicon variant
to its canonical term (``new_quality_productive_forces``), dropped if it holds no letter
(punctuation, numbers) or is a Chinese stopword (``data/lexicon/stopwords_chinese.txt``) ->
Latin stretches through the English pipeline (``nqpf.tokens``), so English words keep their
lemmas and phrase terms.

NFKC runs once per word type (memoised), not on every text: the tokens are the same as with
the text normalised first (tested), as rjieba cuts at full-width punctuation and spaces, and
``LATIN`` stretches take full-width letters and digits in; only the rarer compatibility
characters (``COMPATIBILITY``: circled numbers, ㈱, Roman numerals, ligatures, compatibility
ideographs) are normalised in the text first, one by one. Offsets never point into folded text:
sentences and passages are found on the RAW text (``SENTENCE_END``, ``NUMBERED_PART``).
"""

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable

from . import clean, paths
from .language import HAN

# Sentence end in Chinese text: 。！？； (full-width, and ASCII ! ? ;), then any closing
# quotes and brackets: 。” ！」 ？）
SENTENCE_END = re.compile("[\u3002\uff01\uff1f\uff1b!?;]+"
                          "[\u201d\u2019\u300d\u300f\uff09\u300b\u3009)\\]\"']*")
# A numbered part: 一、 二十、 （一） (1) at the start of a line; it starts a new passage.
NUMBERED_PART = re.compile("[\u4e00\u4e8c\u4e09\u56db\u4e94\u516d\u4e03\u516b\u4e5d\u5341"
                           "\u767e]+\u3001|[\uff08(][\u4e00\u4e8c\u4e09\u56db\u4e94\u516d\u4e03"
                           "\u516b\u4e5d\u5341\\d]+[\uff09)]")
# A Latin stretch: from a Latin letter up to the next Han character (``latin_stretches`` adds
# the digits before it: 5G). Starting at the letter lets ``re`` skip ahead to letters.
LATIN = re.compile("[A-Za-z\uff21-\uff3a\uff41-\uff5a][^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]*")
COMPATIBILITY = ("\u2150-\u218f\u2460-\u24ff\u2776-\u2793\u3200-\u33ff\uf900-\ufaff"
                 "\ufb00-\ufb4f\ufe10-\ufe6f")
# One pass over the text for both: a separator (丨 ■ ·, ``nqpf.clean.SEPARATORS``) becomes a
# space, a compatibility character its NFKC form.
SEPARATOR_OR_COMPATIBILITY = re.compile(f"[{clean.SEPARATOR_CHARS}{COMPATIBILITY}]")
# Han characters spaced out one by one, as names in bylines ("习 近 平") and headings ("目 录"):
# one word, segmented without the spaces
SPACED_HAN = re.compile(f"(?<!{HAN.pattern}){HAN.pattern}(?:[ \u3000]{HAN.pattern})+"
                        f"(?!{HAN.pattern})")
DIGITS = frozenset("0123456789\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19")
USER_WORD_FREQ = 1_000_000  # jieba frequency of the lexicon's user words: they always win
MAX_MEMO = 500_000  # word types remembered by ``keep_cache``


TRADITIONAL = ("s2t", "s2tw", "s2hk")  # OpenCC conversions that give traditional forms


@functools.cache
def _converter(config: str = "t2s"):
    import opencc  # here: English-only worker processes never load it

    return opencc.OpenCC(config)


def fold(text: str) -> str:
    """Traditional characters to simplified (OpenCC ``t2s``: characters and phrases);
    simplified and other text unchanged."""
    return _converter().convert(text) if HAN.search(text) else text


def traditional_forms(text: str) -> list[str]:
    """The traditional forms of simplified ``text`` (OpenCC ``TRADITIONAL``), each once,
    ``text`` itself left out."""
    forms = dict.fromkeys(_converter(config).convert(text) for config in TRADITIONAL)
    return [form for form in forms if form != text]


def normalize(text: str) -> str:
    """``nqpf.clean.normalize`` (NFKC: full-width forms to half-width, straight quotes, plain
    hyphens, one space between words) and ``fold``: the form in which Chinese words are
    counted."""
    return fold(clean.normalize(text))


@functools.cache
def segmenter(user_words: tuple[str, ...] = ()):
    """An rjieba ``Jieba`` with ``user_words`` added (one per process and word list)."""
    import rjieba

    jieba = rjieba.Jieba()
    for word in user_words:
        jieba.add_word(word, USER_WORD_FREQ, None)
    return jieba


def segment(text: str, user_words: Iterable[str] = ()) -> list[str]:
    """rjieba's words of ``text`` (white space and punctuation are words of their own),
    ``user_words`` kept whole."""
    return segmenter(tuple(user_words)).cut(text)


def read_stopwords(path=paths.LEXICON / "stopwords_chinese.txt") -> frozenset[str]:
    """The Chinese stopwords of ``path`` (one per line, ``#`` comments), folded like words."""
    from .tokens import read_word_list

    return frozenset(keep_form(word) for word in read_word_list(path))


@functools.cache
def default_stopwords() -> frozenset[str]:
    """``data/lexicon/stopwords_chinese.txt``, loaded once."""
    return read_stopwords()


def keep_form(word: str) -> str:
    """A segmented word as it is counted: NFKC, straight quotes, lower case, folded."""
    return fold(clean.straight_quotes(unicodedata.normalize("NFKC", word)).lower())


def keep(word: str, stopwords: frozenset[str], terms: dict[str, str]) -> str | None:
    """The token for a segmented word: its lexicon term, else ``keep_form(word)``; None
    (dropped) if it holds no letter (white space, punctuation, numbers) or is a stopword."""
    form = keep_form(word)
    if form in terms:
        return terms[form]
    if form in stopwords or not any(char.isalpha() for char in form):
        return None
    return form


class KeepMemo(dict):
    """{word: ``keep(word, stopwords, terms)``}, filled in on the first look-up of each word."""

    def __init__(self, stopwords: frozenset[str], terms: tuple[tuple[str, str], ...]):
        super().__init__()
        self.stopwords, self.terms = stopwords, dict(terms)

    def __missing__(self, word: str):
        token = self[word] = keep(word, self.stopwords, self.terms)
        return token


@functools.cache
def keep_cache(stopwords: frozenset[str], terms: tuple[tuple[str, str], ...]) -> KeepMemo:
    """Memo of ``keep`` for one stopword list and lexicon; ``tokens_of`` empties it beyond
    ``MAX_MEMO`` word types."""
    return KeepMemo(stopwords, terms)


def _replacement(match: re.Match) -> str:
    char = match.group()
    return " " if clean.SEPARATORS.match(char) else unicodedata.normalize("NFKC", char)


def latin_stretches(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each Latin stretch of ``text`` (``LATIN``, with the digits just
    before it)."""
    stretches = []
    for match in LATIN.finditer(text):
        start = match.start()
        while start > (stretches[-1][1] if stretches else 0) and text[start - 1] in DIGITS:
            start -= 1
        stretches.append((start, match.end()))
    return stretches


def tokens_of(text: str, terms: tuple[tuple[str, str], ...], stopwords: frozenset[str],
              latin: Callable[[str], list[str]]) -> list[str]:
    """Tokens of a Chinese or mixed ``text`` (see module docstring). ``terms``: (folded
    Chinese variant, canonical term) pairs of the lexicon; ``latin``: the tokens of a Latin
    stretch (the English pipeline)."""
    memo = keep_cache(stopwords, terms)
    if len(memo) > MAX_MEMO:
        memo.clear()
    jieba = segmenter(tuple(variant for variant, _ in terms))
    text = SEPARATOR_OR_COMPATIBILITY.sub(_replacement, fold(text))
    text = SPACED_HAN.sub(lambda spaced: "".join(spaced.group().split()), text)
    tokens: list[str] = []
    position = 0
    for start, end in latin_stretches(text):
        if start > position:
            tokens += filter(None, map(memo.__getitem__, jieba.cut(text[position:start])))
        tokens += latin(text[start:end])
        position = end
    if position < len(text):
        tokens += filter(None, map(memo.__getitem__, jieba.cut(text[position:])))
    return tokens
