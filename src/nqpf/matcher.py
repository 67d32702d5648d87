"""What tokenising needs from a lexicon, compiled and free of pandas.

``nqpf.lexicon.Lexicon`` builds one ``VariantMatcher`` from its table; ``nqpf.tokens`` uses it
and sends it to its worker processes, which therefore start without importing pandas.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# Word tokens of lower-case ASCII text: letter/digit runs, optionally joined by "_".
ASCII_WORD = re.compile("[a-z0-9]+(?:_[a-z0-9]+)*")
# ASCII letters to lower case, digits and "_" to themselves, every other ASCII character to " ".
ASCII_FOLD = {i: chr(i).lower() if chr(i).isalnum() or chr(i) == "_" else " " for i in range(128)}
# The only non-ASCII characters that case-insensitive regexes match with ASCII letters (checked
# in the tests): İ ı ſ and the Kelvin sign, to those letters.
TWINS = str.maketrans("\u0130\u0131\u017f\u212a", "iisk")
TWIN = re.compile(f"[{''.join(map(chr, TWINS))}]")


def ascii_words(text: str) -> list[str]:
    """``ASCII_WORD.findall(text.lower())`` of an ASCII ``text``, by ``str.translate`` and
    ``str.split`` (the regex only runs on the rare texts with ``_``, which may join words)."""
    folded = text.translate(ASCII_FOLD)
    return ASCII_WORD.findall(folded) if "_" in folded else folded.split()


@dataclass(frozen=True)
class VariantMatcher:
    """``pattern`` matches every variant, longest first; group ``i + 1`` is a variant of
    ``group_terms[i]``. ``terms``: the canonical terms; ``runs``: the ``ascii_words`` of each
    variant (``TWINS`` as their ASCII letters), in order; ``phrases``: {anchor (the longest
    run of a variant): the runs of its variants joined as ``" run run "``}; ``prunes``: every
    variant has runs, so that ``may_match`` can rule texts out. ``chinese``: (variant, term)
    pairs of the Chinese variants (folded to simplified characters), which ``pattern`` leaves
    to the Chinese pipeline (``nqpf.chinese``: user words of the segmenter)."""

    pattern: re.Pattern
    group_terms: tuple[str, ...]
    terms: frozenset[str]
    runs: tuple[tuple[str, ...], ...]
    chinese: tuple[tuple[str, str], ...] = ()
    phrases: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    prunes: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        phrases: dict[str, list[str]] = {}
        for runs in filter(None, self.runs):
            phrases.setdefault(max(sorted(runs), key=len), []).append(f" {' '.join(runs)} ")
        object.__setattr__(self, "phrases", {a: tuple(p) for a, p in phrases.items()})
        object.__setattr__(self, "prunes", all(self.runs))

    @classmethod
    def from_variants(cls, pattern: re.Pattern, group_terms: Iterable[str],
                      variants: Iterable[str],
                      chinese: Iterable[tuple[str, str]] = ()) -> "VariantMatcher":
        """The matcher for ``pattern`` whose groups are ``variants`` of ``group_terms``, and
        the ``chinese`` (variant, term) pairs."""
        group_terms, chinese = tuple(group_terms), tuple(chinese)
        runs = dict.fromkeys(tuple(ascii_words(ascii_only(v.translate(TWINS)))) for v in variants)
        terms = frozenset(group_terms) | {term for _, term in chinese}
        return cls(pattern, group_terms, terms, tuple(runs), chinese)

    def apply(self, text: str) -> str:
        """Rewrite every variant in ``text`` to its canonical term (longest match wins)."""
        return self.pattern.sub(lambda m: self.group_terms[m.lastindex - 1], text)

    def may_match(self, text: str, words: list[str] | None = None) -> bool:
        """False when no variant can match ``text``: the runs of no variant are consecutive
        words among the ``ascii_words`` of ``text`` (``words``: those of ASCII ``text``, if at
        hand), which they are wherever it matches (between word boundaries, words separated by
        white space or hyphens); only variants whose anchor is among the words are looked at.
        Always True for non-ASCII text with a ``TWINS`` character (to the regex an ASCII
        letter, to ``ascii_only`` a word boundary)."""
        if not self.prunes or not text.isascii() and TWIN.search(text):
            return True
        if words is None:
            words = ascii_words(ascii_only(text))
        anchors = self.phrases.keys() & words
        if not anchors:
            return False
        joined = f" {' '.join(words)} "
        return any(phrase in joined for anchor in anchors for phrase in self.phrases[anchor])


def ascii_only(text: str) -> str:
    """``text`` with each non-ASCII character replaced by ``?``, so that ``ascii_words`` splits
    words there, in texts and variants alike (``TWINS`` aside, no non-ASCII character matches
    an ASCII letter of a pattern)."""
    return text.encode("ascii", "replace").decode("ascii")
