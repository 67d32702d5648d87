"""The phrase lexicon: canonical terms and their surface variants (data/lexicon/lexicon.csv).

``lexicon.csv`` has one row per surface variant: ``term`` (canonical token, lower case, words
joined by ``_``), ``variant`` (as written in text, words separated by spaces or hyphens) and
``category`` (concept / policy / institution / technology / person ...). Matching is case-,
hyphen-, non-breaking-space- and line-break-insensitive, so the patterns work on RAW text
(for KWIC and counts) and on normalised text (for tokenising) alike.

Chinese variants (any variant with a Han character, written in simplified characters) map to
the same terms: 新质生产力 and "new quality productive forces" both become
``new_quality_productive_forces``. The tokeniser keeps them whole as user words of the
segmenter (``nqpf.chinese``) on text folded to simplified characters; ``variants_pattern``
also matches their traditional forms (OpenCC ``s2t``, ``s2tw``, ``s2hk``) in raw text.
"""

import difflib
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import chinese, clean, paths
from .checks import read_csv_table, require_columns
from .language import HAN
from .matcher import VariantMatcher

COLUMNS = ("term", "variant", "category")
TERM = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")
# Between the words of a variant: any run of white space (incl. no-break space, newline),
# ASCII hyphens and the dashes that ``clean.normalize`` turns into hyphens.
SEPARATOR = rf"(?:[\s\-]|{clean.DASHES.pattern})+"
SPLIT_WORDS = re.compile(SEPARATOR)
APOSTROPHE = "['\u2018\u2019\u02bc]"
# Word boundaries: no Latin letter, digit or underscore right before or after a variant
# (CJK characters and bullets such as "丨" count as boundaries).
WORD_CHAR = "[0-9A-Za-z_\u00c0-\u024f]"
BEFORE = f"(?<!{WORD_CHAR})"
ASCII_RUN = re.compile("[0-9a-z_]+")
AFTER = f"(?!{WORD_CHAR})"


def _words(variant: str) -> list[str]:
    """Lower-case words of a variant: ``"New-quality forces"`` -> [new, quality, forces]."""
    return [w for w in SPLIT_WORDS.split(variant.strip().lower()) if w]


def _regex(words: list[str]) -> str:
    return SEPARATOR.join(re.escape(w).replace("'", APOSTROPHE) for w in words)


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Canonical terms and variants. ``table``: DataFrame with columns term, variant, category
    (one row per variant); ``matcher``: the compiled variants (``nqpf.matcher``). Build with
    ``load_lexicon`` or ``Lexicon(table)``."""

    table: pd.DataFrame
    source: str = "lexicon table"
    matcher: VariantMatcher = field(init=False, repr=False)
    _variants: dict = field(init=False, repr=False)

    def __post_init__(self):
        table = _checked(self.table, self.source)
        variants: dict[str, dict[tuple, str]] = {}  # term -> {word tuple: variant}
        owner: dict[tuple, str] = {}
        for term, variant in zip(table["term"], table["variant"], strict=True):
            key = tuple(_words(variant))
            if owner.setdefault(key, term) != term:
                raise ValueError(
                    f"{self.source}: variant {variant!r} is listed for two terms: "
                    f"{owner[key]!r} and {term!r}"
                )
            variants.setdefault(term, {})[key] = variant
        # Longest variant first (most words, then most characters) so that
        # "new quality productive forces" wins over "new productive forces".
        ordered = sorted(owner, key=lambda k: (-len(k), -len(" ".join(k)), k))
        latin = [k for k in ordered if not HAN.search(" ".join(k))]
        combined = "|".join(f"({_regex(list(k))})" for k in latin) or "(?!)"
        pattern = re.compile(f"{BEFORE}(?:{combined}){AFTER}", re.IGNORECASE)
        han = {chinese.keep_form("".join(k)): owner[k] for k in ordered if k not in latin}
        matcher = VariantMatcher.from_variants(pattern, [owner[k] for k in latin],
                                               [" ".join(k) for k in latin], han.items())
        object.__setattr__(self, "table", table)
        object.__setattr__(self, "_variants", variants)
        object.__setattr__(self, "matcher", matcher)

    def __repr__(self) -> str:
        return f"Lexicon({len(self.terms)} terms, {len(self.table)} variants, from {self.source})"

    @property
    def terms(self) -> list[str]:
        """Canonical terms in file order."""
        return list(self._variants)

    def variants(self, term: str) -> list[str]:
        """Surface variants of ``term`` as written in the lexicon, longest first."""
        return list(self._term_variants(term).values())

    def name(self, term: str, *, chinese: bool = False) -> str:
        """``term`` for a reader: its words ("reform and opening up"), after its first Chinese
        variant if ``chinese`` ("改革开放 (reform and opening up)"); anything that is not a
        term as it is."""
        if term not in self._variants:
            return term
        words = term.replace("_", " ")
        han = next((variant for variant in self.variants(term) if HAN.search(variant)), None)
        return f"{han} ({words})" if chinese and han else words

    def variants_pattern(self, term: str) -> re.Pattern:
        """Compiled regex matching every variant of ``term`` in raw or normalised text
        (case-insensitive; words separated by any run of spaces, no-break spaces, newlines
        or hyphens/dashes; word boundaries at both ends; longest variant first; Chinese
        variants in simplified and traditional characters)."""
        keys = list(self._term_variants(term))
        keys += [(form,) for key in keys if len(key) == 1 and HAN.search(key[0])
                 for form in chinese.traditional_forms(key[0]) if (form,) not in keys]
        keys.sort(key=lambda k: (-len(k), -len(" ".join(k)), k))
        alternatives = "|".join(_regex(list(k)) for k in dict.fromkeys(keys))
        return re.compile(f"{BEFORE}(?:{alternatives}){AFTER}", re.IGNORECASE)

    def ascii_words(self, term: str) -> list[frozenset[str]] | None:
        """For each variant of ``term``, its runs of ``[0-9a-z_]``: wherever
        ``variants_pattern(term)`` matches an ASCII text, every run of one variant is a whole
        run of the lower-cased text. None if a variant has no run or has non-ASCII letters
        with case (case-insensitive matching could find them in ASCII text); variants with
        Han characters cannot match ASCII text and add nothing."""
        words = []
        for key in self._term_variants(term):
            text = " ".join(key)
            if not text.isascii():
                if any(c.lower() != c or c.upper() != c for c in text if not c.isascii()):
                    return None
                continue
            runs = frozenset(ASCII_RUN.findall(text))
            if not runs:
                return None
            words.append(runs)
        return words

    def apply(self, text: str) -> str:
        """Rewrite every variant in ``text`` to its canonical term (longest match wins)."""
        return self.matcher.apply(text)

    def _term_variants(self, term: str) -> dict[tuple, str]:
        if term not in self._variants:
            close = difflib.get_close_matches(term, self.terms, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ValueError(f"{term!r} is not a term of {self.source}{hint}")
        keys = self._variants[term]
        return {k: keys[k] for k in sorted(keys, key=lambda k: (-len(k), -len(" ".join(k)), k))}


def _checked(table: pd.DataFrame, source: str) -> pd.DataFrame:
    """Validate a lexicon table; return it stripped, with duplicate rows dropped."""
    require_columns(table, COLUMNS, source)
    table = table.loc[:, list(COLUMNS)].fillna("").astype(str)
    table = table.apply(lambda column: column.str.strip())
    for i, row in enumerate(table.itertuples(index=False), start=2):
        empty = [c for c in COLUMNS if not getattr(row, c)]
        if empty:
            raise ValueError(f"{source}: row {i} has an empty {', '.join(empty)}: {tuple(row)}")
        if not TERM.fullmatch(row.term):
            raise ValueError(
                f"{source}: row {i}: term {row.term!r} must be lower case words joined by '_'"
            )
        if not any(w.strip("'") for w in _words(row.variant)):
            raise ValueError(f"{source}: row {i}: variant {row.variant!r} has no words")
    if table.empty:
        raise ValueError(f"{source}: no rows")
    return table.drop_duplicates(ignore_index=True)


def load_lexicon(path: Path = paths.LEXICON / "lexicon.csv") -> Lexicon:
    """Read a lexicon CSV (header ``term,variant,category``; extra columns are ignored)."""
    table = read_csv_table(path, "lexicon", dtype=str, keep_default_na=False,
                           skipinitialspace=True)
    return Lexicon(table, source=str(path))


def concept_counts(
    docs: pd.DataFrame, *, terms: list[str] | None = None, lexicon: Lexicon | None = None
) -> pd.DataFrame:
    """Occurrences of lexicon terms in the raw ``text`` of each document (a term's pattern
    runs only on the texts that could hold it: ``Lexicon.ascii_words``).
    docs: DataFrame with ``doc_id`` and ``text``. Returns DataFrame (n_docs, n_terms) of int,
    index ``doc_id``, one column per term (all lexicon terms unless ``terms`` is given)."""
    require_columns(docs, ["doc_id", "text"], "docs")
    lexicon = lexicon if lexicon is not None else default_lexicon()
    terms = lexicon.terms if terms is None else list(terms)
    texts = docs["text"].tolist()
    variants = {term: lexicon.ascii_words(term) for term in terms}
    wanted = set().union(*(runs for found in variants.values() for runs in found or ()))
    in_rows = defaultdict(set)  # lexicon word -> the ASCII texts with it as a run
    unsure = set(range(len(texts)))  # texts whose runs do not decide: not ASCII
    for row, text in enumerate(texts):
        if text.isascii():
            unsure.discard(row)
            for word in wanted.intersection(ASCII_RUN.findall(text.lower())):
                in_rows[word].add(row)
    counts = {}
    for term in terms:
        pattern, column = lexicon.variants_pattern(term), np.zeros(len(texts), dtype=np.int64)
        rows = range(len(texts)) if variants[term] is None else unsure.union(
            *(set.intersection(*(in_rows[word] for word in runs)) for runs in variants[term]))
        for row in rows:
            column[row] = len(pattern.findall(texts[row]))
        counts[term] = column
    return pd.DataFrame(counts, index=pd.Index(docs["doc_id"], name="doc_id"), columns=terms)


@functools.cache
def default_lexicon() -> Lexicon:
    """The project lexicon (``paths.LEXICON / "lexicon.csv"``), loaded once per session."""
    return load_lexicon()
