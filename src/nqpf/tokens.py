"""Tokeniser: the default analyzer for the whole project (``TfidfVectorizer(analyzer=tokenize)``).

Each text is tokenised by the pipeline of its language (``nqpf.language``): ``zh`` and ``mixed``
by the Chinese pipeline (``nqpf.chinese``, which hands its Latin stretches back to the English
one), ``en`` and ``other`` by the English pipeline described here.

English pipeline: ``clean.normalize`` -> ``clean.repair_run_together`` -> lexicon phrases to
canonical tokens (``new_quality_productive_forces``) -> lower case -> possessive ``'s`` dropped
-> word tokens (hyphenated words are split into their parts; ``_`` phrase tokens stay whole) ->
numbers and 1-character tokens dropped -> simplemma lemmas -> stopwords dropped (checked before
and after lemmatising). The plain pipeline (``tests/reference.py``) runs each of these steps on
every text.

simplemma quirks handled here: it capitalises some proper nouns ("beijing" -> "Beijing"), so
lemmas are lower-cased; a few wrong lemmas are overridden (``LEMMA_EXCEPTIONS``: "ai" -> "be",
"media" -> "medium", "goods" -> "good"). Lexicon terms and ``_`` phrase tokens are never lemmatised.

Fast path (same tokens as the plain pipeline, checked in tests), see ``words_of``: ASCII text
(nearly all) is normalised only for the lexicon regex, as ``normalize`` only changes white space
and ``|`` there, which split words anyway, and its words come from ``str.translate`` and
``str.split`` (``nqpf.matcher.ascii_words``) instead of a regex; ``repair_run_together`` runs its
regex only where the letters have the shape of a run-together sentence; the lexicon regex only
runs on texts in which all words of a variant occur one after another
(``VariantMatcher.may_match``); the possessive step is left out, as the "s" of 's is a
1-character token, dropped anyway. The keep/lemma decision is cached per word type
(``KeepMemo``), and ``tokenize_all(texts, n_jobs=2)`` shares chunks of texts with a worker process.
Those workers import neither pandas nor scikit-learn (the lexicon travels as its compiled
``VariantMatcher``), so they start quickly and stay small.
"""

import functools
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import simplemma
from joblib import effective_n_jobs
from tqdm.auto import tqdm

from . import chinese, clean, parallel, paths
from .language import CHINESE, check_language, detect
from .matcher import VariantMatcher, ascii_words

if TYPE_CHECKING:
    from .lexicon import Lexicon

# Possessive 's, for the plain pipeline (the fast path leaves its "s" to the 1-character rule).
POSSESSIVE = re.compile(r"'s\b")
# Letters/digits, optionally joined by "_" into one phrase token; hyphens and apostrophes split.
# (``nqpf.matcher.ASCII_WORD``: the same on lower-case ASCII text.)
WORD = re.compile(r"[^\W_]+(?:_[^\W_]+)*")
# Numbers and ordinals/decades: "2024", "20th", "1980s".
NUMBER = re.compile(r"\d+(?:st|nd|rd|th|s)?")
LEMMA_EXCEPTIONS = {"ai": "ai", "media": "media", "goods": "goods"}
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


class KeepMemo(dict):
    """{word: ``keep(word, *options)``}, filled in on the first look-up of each word."""

    def __init__(self, *options):
        super().__init__()
        self.options = options

    def __missing__(self, word: str):
        token = self[word] = keep(word, *self.options)
        return token


@functools.cache
def keep_cache(stopwords: frozenset[str], protected: frozenset[str],
               lemmatize: bool) -> KeepMemo:
    """Memo {word: token or None (dropped)} for one setting of ``tokenize``, one entry per word
    type seen; ``tokenize`` empties it beyond ``MAX_MEMO`` entries."""
    return KeepMemo(stopwords, protected, lemmatize)


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


def default_matcher(lexicon: "Lexicon | None") -> VariantMatcher:
    """The matcher of ``lexicon``, or of the project lexicon (loaded here, on first use, so that
    worker processes, which receive a matcher, never import pandas)."""
    if lexicon is None:
        from .lexicon import default_lexicon

        lexicon = default_lexicon()
    return lexicon.matcher


def words_of(text: str, matcher: VariantMatcher) -> list[str]:
    """Lower-case ``WORD`` tokens of a raw ``text`` after ``clean.normalize`` and
    ``clean.repair_run_together``, with lexicon variants rewritten to their canonical terms
    (the lexicon regex only runs where ``matcher.may_match``). ASCII text is normalised only
    for that regex (its variants may span a ``|``)."""
    if not text.isascii():
        text = clean.normalize(text)  # often ASCII now (curly quotes, dashes, no-break spaces)
    text = clean.repair_run_together(text)
    if not text.isascii():
        return WORD.findall((matcher.apply(text) if matcher.may_match(text) else text).lower())
    words = ascii_words(text)
    if matcher.may_match(text, words):
        return ascii_words(matcher.apply(clean.normalize(text)))
    return words


def tokens_of(text: str, matcher: VariantMatcher, stopwords: frozenset[str],
              lemmatize: bool) -> list[str]:
    """``tokenize`` with its options resolved."""
    memo = keep_cache(stopwords, matcher.terms, lemmatize)
    if len(memo) > MAX_MEMO:
        memo.clear()
    # filter(None): drops the None of dropped words (a token is never "")
    return list(filter(None, map(memo.__getitem__, words_of(text, matcher))))


def tokens_in(text: str, language: str, matcher: VariantMatcher, stopwords: frozenset[str],
              chinese_stopwords: frozenset[str], lemmatize: bool) -> list[str]:
    """Tokens of ``text`` by the pipeline of ``language`` (options resolved)."""
    if language not in CHINESE:
        return tokens_of(text, matcher, stopwords, lemmatize)
    return chinese.tokens_of(text, matcher.chinese, chinese_stopwords,
                             lambda latin: tokens_of(latin, matcher, stopwords, lemmatize))


def _stopword_lists(stopwords: Iterable[str] | None) -> tuple[frozenset[str], frozenset[str]]:
    """(English, Chinese) stopwords: the project lists, or ``stopwords`` for both."""
    if stopwords is None:
        return default_stopwords(), chinese.default_stopwords()
    stopwords = frozenset(stopwords)
    return stopwords, stopwords


def tokenize(
    text: str,
    *,
    language: str | None = None,
    lexicon: "Lexicon | None" = None,
    stopwords: Iterable[str] | None = None,
    lemmatize: bool = True,
) -> list[str]:
    """Tokens of one text (see module docstring) by the pipeline of ``language`` (None:
    ``nqpf.language.detect(text)``). ``lexicon``/``stopwords`` default to the project files
    (the English and the Chinese stopwords); pass ``stopwords=()`` to keep every word."""
    if not isinstance(text, str):
        raise ValueError(f"tokenize expects a str, got {type(text).__name__}")
    check_language(language)
    return tokens_in(text, language or detect(text), default_matcher(lexicon),
                     *_stopword_lists(stopwords), lemmatize)


def tokenize_chunk(items: list[tuple[str, str]], matcher: VariantMatcher,
                   stopwords: frozenset[str], chinese_stopwords: frozenset[str],
                   lemmatize: bool) -> list[str]:
    """``tokens_in`` over a list of (language, text) pairs (one task of ``tokenize_all`` in a
    worker); each text's tokens come back joined by ``SEPARATOR`` (one string per text
    pickles faster)."""
    return [SEPARATOR.join(tokens_in(text, language, matcher, stopwords, chinese_stopwords,
                                     lemmatize)) for language, text in items]


def split_tokens(joined: str) -> list[str]:
    """The tokens joined by ``tokenize_chunk``; interned, so each word type is stored once."""
    return list(map(sys.intern, joined.split(SEPARATOR))) if joined else []


def tokenize_all(
    texts: Iterable[str],
    *,
    languages: Iterable[str] | None = None,
    lexicon: "Lexicon | None" = None,
    stopwords: Iterable[str] | None = None,
    lemmatize: bool = True,
    show_progress: bool = False,
    n_jobs: int = 1,
) -> list[list[str]]:
    """``tokenize`` over many texts (e.g. ``passages["text"]``), in input order, each in its
    language (``languages``, one per text, e.g. ``passages["language"]``; None: detected);
    optional tqdm progress bar. ``n_jobs > 1`` (``-1``: all cores) tokenises chunks of
    ``CHUNK_SIZE`` texts in this process and ``n_jobs - 1`` worker processes at once (started
    on first use, kept for later calls); the tokens are the same as with ``n_jobs=1``."""
    texts = list(texts)
    languages = list(map(detect, texts)) if languages is None else list(languages)
    if len(languages) != len(texts):
        raise ValueError(f"tokenize_all got {len(languages)} languages for {len(texts)} texts")
    for language in set(languages):
        check_language(language)
    english, chinese_stopwords = _stopword_lists(stopwords)
    options = dict(matcher=default_matcher(lexicon), stopwords=english,
                   chinese_stopwords=chinese_stopwords, lemmatize=lemmatize)
    with tqdm(total=len(texts), disable=not show_progress, desc="tokenize") as bar:
        return parallel.map_chunks(
            list(zip(languages, texts, strict=True)),
            lambda chunk: [tokens_in(text, language, **options) for language, text in chunk],
            functools.partial(tokenize_chunk, **options),
            chunk_size=CHUNK_SIZE, workers=effective_n_jobs(n_jobs) - 1,
            decode=lambda joined: list(map(split_tokens, joined)), done=bar.update)
