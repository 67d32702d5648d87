"""What tokenising needs from a lexicon, compiled and free of pandas.

``nqpf.lexicon.Lexicon`` builds one ``VariantMatcher`` from its table; ``nqpf.tokens`` uses it
and sends it to its worker processes, which therefore start without importing pandas.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# Letter/digit runs of a lexicon variant: each is a word of a text the variant matches.
VARIANT_RUN = re.compile("[a-z0-9]+")


@dataclass(frozen=True)
class VariantMatcher:
    """``pattern`` matches every variant, longest first; group ``i + 1`` is a variant of
    ``group_terms[i]``. ``terms``: the canonical terms; ``runs``: the lower-case letter/digit
    runs of each variant; ``anchors``: the longest run of each variant."""

    pattern: re.Pattern
    group_terms: tuple[str, ...]
    terms: frozenset[str]
    runs: tuple[frozenset[str], ...]
    anchors: frozenset[str] = field(init=False)

    def __post_init__(self):
        anchors = frozenset(max(sorted(runs), key=len) for runs in self.runs if runs)
        object.__setattr__(self, "anchors", anchors)

    @classmethod
    def from_variants(cls, pattern: re.Pattern, group_terms: Iterable[str],
                      variants: Iterable[str]) -> "VariantMatcher":
        """The matcher for ``pattern`` whose groups are ``variants`` of ``group_terms``."""
        group_terms = tuple(group_terms)
        runs = dict.fromkeys(frozenset(VARIANT_RUN.findall(v.lower())) for v in variants)
        return cls(pattern, group_terms, frozenset(group_terms), tuple(runs))

    def apply(self, text: str) -> str:
        """Rewrite every variant in ``text`` to its canonical term (longest match wins)."""
        return self.pattern.sub(lambda m: self.group_terms[m.lastindex - 1], text)

    def may_match(self, text: str, words: list[str]) -> bool:
        """False when no variant can match ``text``: it is ASCII and each variant has a run
        that is not among ``words`` (the word tokens of ``text.lower()``; a variant's runs are
        whole words there, as variants match between word boundaries)."""
        if not text.isascii():
            return True
        if self.anchors.isdisjoint(words):
            return False
        found = set(words)
        return any(runs <= found for runs in self.runs)
