"""Tokeniser: the default analyzer for the whole project (``TfidfVectorizer(analyzer=tokenize)``).

Pipeline: ``clean.normalize`` -> ``clean.repair_run_together`` -> lexicon phrases to canonical
tokens (``new_quality_productive_forces``) -> lower case -> possessive ``'s`` dropped -> word
tokens (hyphenated words are split into their parts; ``_`` phrase tokens stay whole) -> numbers
and 1-character tokens dropped -> simplemma lemmas -> stopwords dropped (checked before and after
lemmatising).

simplemma quirks handled here: it capitalises some proper nouns ("beijing" -> "Beijing"), so
lemmas are lower-cased; a few wrong lemmas are overridden (``LEMMA_EXCEPTIONS``: "ai" -> "be",
"media" -> "medium", "goods" -> "good"). Lexicon terms and ``_`` phrase tokens are never lemmatised.
"""

import functools
import re
from collections.abc import Iterable
from pathlib import Path

import simplemma
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from tqdm.auto import tqdm

from . import clean, paths
from .lexicon import Lexicon, default_lexicon

POSSESSIVE = re.compile(r"'s\b")
# Letters/digits, optionally joined by "_" into one phrase token; hyphens and apostrophes split.
WORD = re.compile(r"[^\W_]+(?:_[^\W_]+)*")
# Numbers and ordinals/decades: "2024", "20th", "1980s".
NUMBER = re.compile(r"\d+(?:st|nd|rd|th|s)?")
LEMMA_EXCEPTIONS = {"ai": "ai", "media": "media", "goods": "goods"}


def load_stopwords(path: Path = paths.LEXICON / "stopwords_domain.txt") -> frozenset[str]:
    """scikit-learn's ``ENGLISH_STOP_WORDS`` plus the words listed in ``path`` (one per line,
    ``#`` starts a comment). A line ``-word`` removes ``word`` from the English list instead."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"stopword file not found: {path}")
    add, remove = set(), set()
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word.startswith("-"):
            remove.add(word[1:].strip())
        elif word:
            add.add(word)
    return frozenset((ENGLISH_STOP_WORDS - remove) | add)


@functools.cache
def default_stopwords() -> frozenset[str]:
    """The project stopwords (English list + ``data/lexicon/stopwords_domain.txt``), loaded once."""
    return load_stopwords()


@functools.lru_cache(maxsize=200_000)
def lemma(token: str) -> str:
    """simplemma English lemma of a lower-case token, lower-cased, with ``LEMMA_EXCEPTIONS``."""
    if token in LEMMA_EXCEPTIONS:
        return LEMMA_EXCEPTIONS[token]
    return simplemma.lemmatize(token, lang="en").lower()


def tokenize(
    text: str,
    *,
    lexicon: Lexicon | None = None,
    stopwords: Iterable[str] | None = None,
    lemmatize: bool = True,
) -> list[str]:
    """Tokens of one text (see module docstring). ``lexicon``/``stopwords`` default to the
    project files; pass ``stopwords=()`` to keep every word."""
    if not isinstance(text, str):
        raise ValueError(f"tokenize expects a str, got {type(text).__name__}")
    lexicon = default_lexicon() if lexicon is None else lexicon
    stopwords = default_stopwords() if stopwords is None else frozenset(stopwords)
    protected = set(lexicon.terms)
    text = lexicon.apply(clean.repair_run_together(clean.normalize(text))).lower()
    tokens = []
    for token in WORD.findall(POSSESSIVE.sub("", text)):
        if len(token) < 2 or NUMBER.fullmatch(token) or token in stopwords:
            continue
        if lemmatize and "_" not in token and token not in protected:
            token = lemma(token)
            if len(token) < 2 or token in stopwords:
                continue
        tokens.append(token)
    return tokens


def tokenize_all(
    texts: Iterable[str],
    *,
    lexicon: Lexicon | None = None,
    stopwords: Iterable[str] | None = None,
    lemmatize: bool = True,
    show_progress: bool = False,
) -> list[list[str]]:
    """``tokenize`` over many texts (e.g. ``passages["text"]``); optional tqdm progress bar."""
    lexicon = default_lexicon() if lexicon is None else lexicon
    stopwords = default_stopwords() if stopwords is None else frozenset(stopwords)
    return [
        tokenize(text, lexicon=lexicon, stopwords=stopwords, lemmatize=lemmatize)
        for text in tqdm(texts, disable=not show_progress, desc="tokenize")
    ]
