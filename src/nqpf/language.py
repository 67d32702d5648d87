"""The language of a text, read from its script, and how its words are counted.

``detect(text)`` gives one of ``LANGUAGES``:

- ``zh``: Chinese (simplified or traditional): Han characters make at least 80% of the text's
  words (a Han character counts as ``1 / CHARS_PER_WORD`` of a word);
- ``en``: Latin-script words make at least 80%; they are tokenised by the English pipeline
  (no other Latin-script language is told apart);
- ``mixed``: Han and Latin together make at least 80%, neither alone does;
- ``other``: anything else (another script, or no words at all); tokenised as today's
  English pipeline would (words between non-letters, no lemma unless English).

Chinese text is measured in characters: ``n_words`` counts each Han character as one, as word
processors count East Asian text, plus the white-space separated words of the rest. Sizes given
in words (``min_words``, passage lengths) are multiplied by ``CHARS_PER_WORD`` for ``zh`` and
``mixed`` documents (``size_factor``).

``profile(texts)`` gives all three measures of a whole corpus at once, as fast as reading it.
"""

import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import NamedTuple

import numpy as np

LANGUAGES = ("zh", "en", "mixed", "other")
CHINESE = frozenset({"zh", "mixed"})  # languages tokenised by the Chinese pipeline
# Han characters per Chinese word: 2.0 in the CPC reports segmented by rjieba (benchmarks/
# chinese.py prints it); a Chinese passage of ``max_words`` words has about twice as many
# characters.
CHARS_PER_WORD = 2
SHARE = 0.8  # share of a text's words a script needs to name its language
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
LATIN_WORD = re.compile("[A-Za-z\u00c0-\u024f\uff21-\uff3a\uff41-\uff5a]+")
# A word of any other script: a run of letters that are neither Latin nor Han.
OTHER_WORD = re.compile("(?:(?![A-Za-z\u00c0-\u024f\uff21-\uff3a\uff41-\uff5a"
                        "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])[^\\W\\d_])+")
WORD_CHAR = re.compile(r"[^\W_]")
ASCII_BATCH = 4096  # ASCII texts whose bytes ``profile`` reads at once (bounds its arrays)
SPACE, DELETE = ord(" "), 0x7F
_ASCII = frozenset(map(chr, range(0x80)))


class Profile(NamedTuple):
    """Per text: ``detect``, ``count_words`` in that language and ``single_spaced``."""

    languages: list[str]
    n_words: list[int]
    spaced: list[bool]


@cache
def _is_foreign(char: str) -> bool:
    """Whether ``char`` is a Han character or a letter of another script, not Latin."""
    return bool(HAN.match(char) or OTHER_WORD.match(char))


def _has_foreign(text: str) -> bool:
    """Whether ``HAN`` or ``OTHER_WORD`` finds something in ``text``: each of its distinct
    non-ASCII characters is tested (``_is_foreign``), quicker than searching it."""
    return any(map(_is_foreign, set(text).difference(_ASCII)))


def detect(text: str) -> str:
    """``zh``, ``en``, ``mixed`` or ``other`` for ``text`` (see module docstring)."""
    if text.isascii() or not _has_foreign(text):
        return "en" if LATIN_WORD.search(text) else "other"  # Latin words only, if any
    han = len(HAN.findall(text)) / CHARS_PER_WORD
    latin = len(LATIN_WORD.findall(text))
    other = len(OTHER_WORD.findall(text))
    total = han + latin + other
    if not total:
        return "other"
    if han >= SHARE * total:
        return "zh"
    if latin >= SHARE * total:
        return "en"
    return "mixed" if han and latin and han + latin >= SHARE * total else "other"


def count_words(text: str, language: str) -> int:
    """Words of ``text``: white-space separated for ``en`` and ``other``; for ``zh`` and
    ``mixed`` each Han character plus the white-space separated pieces of the rest that hold
    a letter or digit."""
    if language not in CHINESE:
        return len(text.split())
    rest = HAN.sub(" ", text).split()
    return len(HAN.findall(text)) + sum(1 for piece in rest if WORD_CHAR.search(piece))


def single_spaced(text: str) -> bool:
    """True if the white space of ``text`` is single spaces between words, so that
    ``" ".join(text.split()) == text``: " " is its only white-space character (any other one,
    such as a tab, line break or no-break space, is not printable), never two in a row nor at
    either end."""
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def size_factor(language: str) -> int:
    """What sizes given in words are multiplied by for ``language`` (``CHARS_PER_WORD`` for
    Chinese, whose sizes are counted in characters, else 1)."""
    return CHARS_PER_WORD if language in CHINESE else 1


def size_unit(languages: Iterable[str]) -> str:
    """What ``n_words`` counts in documents of ``languages``, for a sentence: ``words``,
    ``characters`` (all Chinese) or ``words (Chinese in characters)``."""
    chinese = {language in CHINESE for language in languages}
    return ("characters" if chinese == {True} else "words (Chinese in characters)"
            if True in chinese else "words")


def size_range(languages: Iterable[str], low: int, high: int) -> str:
    """Sizes ``low``-``high`` in words as they read for documents of ``languages``: ``60-200
    words``, ``120-400 characters`` (all Chinese, ``CHARS_PER_WORD``) or both."""
    unit = size_unit(languages)
    chars = f"{low * CHARS_PER_WORD}-{high * CHARS_PER_WORD} characters"
    return (f"{low}-{high} words" if unit == "words" else chars if unit == "characters"
            else f"{low}-{high} words, {chars} of Chinese")


def check_language(language: str | None) -> None:
    """Raise ``ValueError`` unless ``language`` is None (detect it) or one of ``LANGUAGES``."""
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; use one of {list(LANGUAGES)} "
                         "or None to detect it")


def _ascii_measures(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For ASCII ``texts``, read from their bytes at once: whether each holds a Latin letter
    (``detect`` gives ``en``), its number of spaces, and whether it is ``single_spaced`` (for
    ASCII: only bytes 0x20-0x7E, no two spaces in a row, none at either end). Shapes (n,)."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    full = lengths > 0
    letter, spaced = np.zeros(len(texts), dtype=bool), np.ones(len(texts), dtype=bool)
    n_spaces = np.zeros(len(texts), dtype=np.int64)
    if not full.any():
        return letter, n_spaces, spaced
    data = np.frombuffer("".join(texts).encode("ascii"), dtype=np.uint8)
    starts = (np.cumsum(lengths) - lengths)[full]  # one segment per non-empty text, in order
    space = data == SPACE
    # Two spaces that straddle two texts end one and start the other: both fail anyway.
    odd = (data < SPACE) | (data == DELETE)
    odd[:-1] |= space[:-1] & space[1:]
    letter[full] = np.logical_or.reduceat((data | 0x20) - ord("a") < 26, starts)
    n_spaces[full] = np.add.reduceat(space.view(np.uint8), starts, dtype=np.int64)
    spaced[full] = ~(np.logical_or.reduceat(odd, starts) | space[starts]
                     | space[starts + lengths[full] - 1])
    return letter, n_spaces, spaced


def profile(texts: Sequence[str], languages: Sequence[str | None] | None = None) -> Profile:
    """``detect``, ``count_words`` and ``single_spaced`` of every text (as if called one text
    at a time); ``languages``: one per text, used instead of detecting it where it is not
    None. ASCII texts are measured from their bytes, ``ASCII_BATCH`` at a time."""
    texts = list(texts)
    given = [None] * len(texts) if languages is None else list(languages)
    if len(given) != len(texts):
        raise ValueError(f"languages has {len(given)} entries for {len(texts)} texts")
    letter = np.zeros(len(texts), dtype=bool)
    n_spaces = np.zeros(len(texts), dtype=np.int64)
    spaced = np.zeros(len(texts), dtype=bool)
    is_ascii = np.fromiter(map(str.isascii, texts), dtype=bool, count=len(texts))
    ascii_at = np.flatnonzero(is_ascii)
    for start in range(0, len(ascii_at), ASCII_BATCH):
        at = ascii_at[start:start + ASCII_BATCH]
        letter[at], n_spaces[at], spaced[at] = _ascii_measures([texts[i] for i in at])
    for i in np.flatnonzero(~is_ascii).tolist():
        spaced[i], n_spaces[i] = single_spaced(texts[i]), texts[i].count(" ")
    found = [language or (("en" if has_letter else "other") if plain else detect(text))
             for text, language, plain, has_letter
             in zip(texts, given, is_ascii.tolist(), letter.tolist(), strict=True)]
    spaced_list = spaced.tolist()
    n_words = [spaces + 1 if is_spaced and text and language not in CHINESE
               else count_words(text, language)
               for text, language, is_spaced, spaces
               in zip(texts, found, spaced_list, n_spaces.tolist(), strict=True)]
    return Profile(found, n_words, spaced_list)
