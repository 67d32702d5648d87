"""Tokeniser: the default analyzer for the whole project (``TfidfVectorizer(analyzer=tokenize)``).

Pipeline: ``clean.normalize`` -> ``clean.repair_run_together`` -> lexicon phrases to canonical
tokens (``new_quality_productive_forces``) -> lower case -> possessive ``'s`` dropped -> word
tokens (hyphenated words are split into their parts; ``_`` phrase tokens stay whole) -> numbers
and 1-character tokens dropped -> simplemma lemmas -> stopwords dropped (checked before and after
lemmatising).

simplemma quirks handled here: it capitalises some proper nouns ("beijing" -> "Beijing"), so
lemmas are lower-cased; a few wrong lemmas are overridden (``LEMMA_EXCEPTIONS``: "ai" -> "be",
"media" -> "medium", "goods" -> "good"). Lexicon terms and ``_`` phrase tokens are never lemmatised.

Fast path (same tokens as the plain pipeline, checked in tests): the lexicon regex only runs on
texts that could match it (every letter/digit run of some variant is a word of the lower-cased
ASCII text), the keep/lemma decision is cached per word type, and ``tokenize_all(texts,
n_jobs=2)`` splits the texts into chunks over processes. This module does not import
scikit-learn, so those worker processes start quickly and stay small.
"""

import functools
import re
from collections.abc import Iterable
from pathlib import Path

import simplemma
from joblib import Parallel, delayed
from tqdm.auto import tqdm

from . import clean, paths
from .lexicon import Lexicon, default_lexicon

POSSESSIVE = re.compile(r"'s\b")
# Letters/digits, optionally joined by "_" into one phrase token; hyphens and apostrophes split.
WORD = re.compile(r"[^\W_]+(?:_[^\W_]+)*")
ASCII_WORD = re.compile("[a-z0-9]+(?:_[a-z0-9]+)*")  # ``WORD`` on lower-case ASCII, faster
# Numbers and ordinals/decades: "2024", "20th", "1980s".
NUMBER = re.compile(r"\d+(?:st|nd|rd|th|s)?")
LEMMA_EXCEPTIONS = {"ai": "ai", "media": "media", "goods": "goods"}
# Letter/digit runs of a lexicon variant: each is a word of a text the variant matches.
VARIANT_RUN = re.compile("[a-z0-9]+")
MAX_MEMO = 500_000  # word types remembered by ``keep_cache``
CHUNK_SIZE = 2000  # texts per task in ``tokenize_all(..., n_jobs>1)``
SEPARATOR = "\0"  # joins a text's tokens on their way back from a worker process


def read_word_list(path: Path) -> list[str]:
    """Lower-case words of a word-list file: one per line, ``#`` starts a comment."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"stopword file not found: {path}")
    words = (line.split("#", 1)[0].strip().lower()
             for line in path.read_text(encoding="utf-8").splitlines())
    return [word for word in words if word]


def load_stopwords(path: Path = paths.LEXICON / "stopwords_domain.txt", *,
                   english: Path = paths.LEXICON / "stopwords_english.txt") -> frozenset[str]:
    """The words of ``english`` (scikit-learn's ``ENGLISH_STOP_WORDS``) plus those listed in
    ``path``; a line ``-word`` in ``path`` removes ``word`` from the English list instead."""
    words = read_word_list(path)
    remove = {word[1:].strip() for word in words if word.startswith("-")}
    add = {word for word in words if not word.startswith("-")}
    return frozenset((set(read_word_list(english)) - remove) | add)


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
def variant_runs(lexicon: Lexicon) -> tuple[frozenset[str], ...]:
    """Lower-case letter/digit runs of each variant of ``lexicon`` (one set per variant)."""
    return tuple(dict.fromkeys(frozenset(VARIANT_RUN.findall(variant.lower()))
                               for variant in lexicon.table["variant"]))


@functools.cache
def variant_anchors(lexicon: Lexicon) -> frozenset[str]:
    """The longest letter/digit run of each variant: a text needs one of them to match."""
    return frozenset(max(sorted(runs), key=len) for runs in variant_runs(lexicon) if runs)


def lexicon_may_match(text: str, words: list[str], lexicon: Lexicon) -> bool:
    """False when no variant of ``lexicon`` can match ``text``: it is ASCII and each variant
    has a letter/digit run that is not among ``words`` (the ``WORD`` tokens of ``text.lower()``;
    a variant's runs are whole tokens there, as variants match between word boundaries)."""
    if not text.isascii():
        return True
    if variant_anchors(lexicon).isdisjoint(words):
        return False
    found = set(words)
    return any(variant <= found for variant in variant_runs(lexicon))


def words_of(text: str, lexicon: Lexicon) -> list[str]:
    """Lower-case ``WORD`` tokens of a normalised ``text``, with lexicon variants rewritten to
    their canonical terms and possessive 's dropped (the regexes run only where needed)."""
    word = ASCII_WORD if text.isascii() else WORD
    lowered = text.lower()
    words = word.findall(lowered)
    if lexicon_may_match(text, words, lexicon):
        lowered = lexicon.apply(text).lower()
    elif "'s" not in lowered:
        return words
    return word.findall(POSSESSIVE.sub("", lowered))


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
    words = words_of(clean.repair_run_together(clean.normalize(text)), lexicon)
    for word in set(words).difference(memo):
        memo[word] = keep(word, stopwords, protected, lemmatize)
    return [token for token in map(memo.__getitem__, words) if token is not None]


def tokenize_chunk(texts: list[str], lexicon: Lexicon | None, stopwords: frozenset[str] | None,
                   lemmatize: bool) -> list[str]:
    """``tokenize`` over a list of texts (one task of ``tokenize_all``); each text's tokens
    come back joined by ``SEPARATOR`` (one string per text pickles much faster)."""
    return [SEPARATOR.join(tokenize(text, lexicon=lexicon, stopwords=stopwords,
                                    lemmatize=lemmatize)) for text in texts]


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
        for joined in results:
            tokens.extend(text.split(SEPARATOR) if text else [] for text in joined)
            bar.update(len(joined))
    return tokens
