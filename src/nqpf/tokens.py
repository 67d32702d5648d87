"""Tokeniser: the default analyzer for the whole project (``TfidfVectorizer(analyzer=tokenize)``).

Pipeline: ``clean.normalize`` -> ``clean.repair_run_together`` -> lexicon phrases to canonical
tokens (``new_quality_productive_forces``) -> lower case -> possessive ``'s`` dropped -> word
tokens (hyphenated words are split into their parts; ``_`` phrase tokens stay whole) -> numbers
and 1-character tokens dropped -> simplemma lemmas -> stopwords dropped (checked before and after
lemmatising).

simplemma quirks handled here: it capitalises some proper nouns ("beijing" -> "Beijing"), so
lemmas are lower-cased; a few wrong lemmas are overridden (``LEMMA_EXCEPTIONS``: "ai" -> "be",
"media" -> "medium", "goods" -> "good"). Lexicon terms and ``_`` phrase tokens are never lemmatised.

Fast path (same tokens as the plain pipeline, checked in tests): the run-together repair and the
lexicon regex only run on texts that could match them (``CAMEL`` pre-check; every letter/digit
run of some variant occurs in the lower-cased ASCII text), the keep/lemma decision is cached per
word type, and ``tokenize_all(texts, n_jobs=2)`` splits the texts into chunks over processes.
"""

import functools
import re
from collections.abc import Iterable
from pathlib import Path

import simplemma
from joblib import Parallel, delayed
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
# ``clean.RUN_TOGETHER`` needs a lower-case letter directly before an upper-case one.
CAMEL = re.compile("[a-z][A-Z]")
# Letter/digit runs of a lexicon variant: each must occur in a text the variant matches.
VARIANT_RUN = re.compile("[a-z0-9]+")
MAX_MEMO = 500_000  # word types remembered by ``keep_cache``
CHUNK_SIZE = 2000  # texts per task in ``tokenize_all(..., n_jobs>1)``


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


@functools.cache
def variant_runs(lexicon: Lexicon) -> tuple[tuple[str, ...], ...]:
    """Lower-case letter/digit runs of each variant of ``lexicon`` (one tuple per variant)."""
    return tuple(dict.fromkeys(tuple(VARIANT_RUN.findall(variant.lower()))
                               for variant in lexicon.table["variant"]))


def apply_lexicon(text: str, lexicon: Lexicon) -> str:
    """``lexicon.apply(text)``, skipped for an ASCII text that lacks a letter/digit run of every
    variant (no variant can match it, so the result is the same)."""
    if text.isascii():
        lowered = text.lower()
        if not any(all(run in lowered for run in runs) for runs in variant_runs(lexicon)):
            return text
    return lexicon.apply(text)


def repair(text: str) -> str:
    """``clean.repair_run_together(text)``, skipped when no lower-case letter precedes an
    upper-case one (nothing to repair, so the result is the same)."""
    return clean.repair_run_together(text) if CAMEL.search(text) else text


@functools.cache
def protected_terms(lexicon: Lexicon) -> frozenset[str]:
    """Canonical terms of ``lexicon``: never lemmatised."""
    return frozenset(lexicon.terms)


@functools.cache
def keep_cache(stopwords: frozenset[str], protected: frozenset[str], lemmatize: bool) -> dict:
    """Memo {word: token or None (dropped)} for one setting of ``tokenize``, one entry per word
    type seen; ``tokenize`` empties it beyond ``MAX_MEMO`` entries."""
    return {}


def keep(word: str, stopwords: frozenset[str], protected: frozenset[str], lemmatize: bool):
    """The token for ``word`` (lemma unless a phrase/lexicon term), or None when it is dropped
    (shorter than 2 characters, a number or a stopword before or after lemmatising)."""
    if len(word) < 2 or NUMBER.fullmatch(word) or word in stopwords:
        return None
    if lemmatize and "_" not in word and word not in protected:
        word = lemma(word)
        if len(word) < 2 or word in stopwords:
            return None
    return word


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
    protected = protected_terms(lexicon)
    memo = keep_cache(stopwords, protected, lemmatize)
    if len(memo) > MAX_MEMO:
        memo.clear()
    text = apply_lexicon(repair(clean.normalize(text)), lexicon).lower()
    tokens = []
    for word in WORD.findall(POSSESSIVE.sub("", text)):
        if word in memo:
            token = memo[word]
        else:
            token = memo[word] = keep(word, stopwords, protected, lemmatize)
        if token is not None:
            tokens.append(token)
    return tokens


def tokenize_chunk(texts: list[str], lexicon: Lexicon | None, stopwords: frozenset[str] | None,
                   lemmatize: bool) -> list[list[str]]:
    """``tokenize`` over a list of texts (one task of ``tokenize_all``)."""
    return [tokenize(text, lexicon=lexicon, stopwords=stopwords, lemmatize=lemmatize)
            for text in texts]


def tokenize_all(
    texts: Iterable[str],
    *,
    lexicon: Lexicon | None = None,
    stopwords: Iterable[str] | None = None,
    lemmatize: bool = True,
    show_progress: bool = False,
    n_jobs: int = 1,
) -> list[list[str]]:
    """``tokenize`` over many texts (e.g. ``passages["text"]``), in input order; optional tqdm
    progress bar. ``n_jobs > 1`` tokenises chunks of ``CHUNK_SIZE`` texts in that many processes
    (``-1``: all cores); the tokens are the same as with ``n_jobs=1``."""
    texts = list(texts)
    stopwords = None if stopwords is None else frozenset(stopwords)
    chunks = [texts[i:i + CHUNK_SIZE] for i in range(0, len(texts), CHUNK_SIZE)]
    # Default lexicon/stopwords travel as None: each worker loads them once.
    results = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(tokenize_chunk)(chunk, lexicon, stopwords, lemmatize) for chunk in chunks
    )
    tokens: list[list[str]] = []
    with tqdm(total=len(texts), disable=not show_progress, desc="tokenize") as bar:
        for chunk_tokens in results:
            tokens.extend(chunk_tokens)
            bar.update(len(chunk_tokens))
    return tokens
