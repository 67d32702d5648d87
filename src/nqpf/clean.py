"""Text normalisation and repair: small pure ``str -> str`` functions.

They never change the raw text kept in ``corpus.docs``; they prepare a copy for
tokenising. Offsets always refer to the raw text (see ``nqpf.segment``).
"""

import re
import textwrap
import unicodedata

QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u300c": '"', "\u300d": '"',
})
# The characters ``QUOTES`` replaces: a regex finds them faster than ``str.translate`` goes
# through non-ASCII text.
CURLY_QUOTES = re.compile(f"[{''.join(map(chr, QUOTES))}]")
DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")
# Bullets and separators used as decoration in Chinese web sources: ■ □ ● • · 丨 | ▲ ◆ ★ …
SEPARATOR_CHARS = "\u25a0-\u25ff\u2022\u00b7\u2027\u30fb\u4e28\u2605\u2606|"
SEPARATORS = re.compile(f"[{SEPARATOR_CHARS}]+")
# ... but a circle after a Chinese numeral is a zero written as a circle ("一九八○年", "二○○○年"):
# it becomes the zero "〇" ("一九八〇年"), not a space.
CIRCLE_ZERO = re.compile("(?<=[〇一二三四五六七八九○◯])[○◯]")
SPACES = re.compile(r"[^\S\n]+")
NEWLINES = re.compile(r"\s*\n\s*")
# A sentence glued to the next one by a lost full stop: "developmentIncrease". A word of four
# or more lower-case letters (group 1), then a capitalised word of three or more letters; not
# a name with capitals inside ("PowerPoint", "RewriteMap", "iPhone"). The possessive "{4,}+"
# never gives letters back: a shorter run could not be followed by a capital anyway.
RUN_TOGETHER = re.compile(r"(?<![A-Za-z])([a-z]{4,}+)(?=[A-Z][a-z]{2})")
# ASCII letters to "a" (lower case) or "A" (upper case), other ASCII characters to " ": in this
# shape of an ASCII text, each ``RUN_TOGETHER`` match ends just before an "A" of "aaaaAaa".
LETTER_SHAPES = {i: "a" if chr(i).islower() else "A" if chr(i).isupper() else " "
                 for i in range(128)}


def normalize(text: str, *, keep_newlines: bool = False) -> str:
    """Unicode NFKC, straight quotes, plain hyphens, separators and bullets to spaces (a
    circle written for a zero in a Chinese numeral to "〇"),
    runs of white space to one space (one newline between lines if ``keep_newlines``)."""
    if not text.isascii():  # ASCII text is already NFKC, with straight quotes and hyphens
        text = straight_quotes(unicodedata.normalize("NFKC", text))
        text = SEPARATORS.sub(" ", CIRCLE_ZERO.sub("〇", DASHES.sub("-", text)))
    elif "|" in text:  # the only ASCII separator
        text = SEPARATORS.sub(" ", text)
    if keep_newlines:
        return NEWLINES.sub("\n", SPACES.sub(" ", text)).strip()
    return " ".join(text.split())  # str.split and regex \s agree on what white space is


def straight_quotes(text: str) -> str:
    """``text.translate(QUOTES)``, by a regex search: faster on non-ASCII text, in which
    ``str.translate`` looks up every character."""
    return CURLY_QUOTES.sub(lambda quote: QUOTES[ord(quote[0])], text)


def repair_run_together(text: str) -> str:
    """Split sentences glued together by a lost full stop: ``"modelsVigorously"`` becomes
    ``"models. Vigorously"``; a word with capitals inside it that does not start in lower case
    (``"PowerPoint"``) is a name and stays."""
    if text.isascii() and "aaaaAaa" not in text.translate(LETTER_SHAPES):
        return text  # nothing to repair (str.translate and "in" are faster than the regex)
    return RUN_TOGETHER.sub(r"\1. ", text)


def preview(text: str, width: int) -> str:
    """``text`` on one line in at most ``width`` characters, cut at a word boundary and
    marked `` …`` (``textwrap.shorten``); text with few spaces (Chinese) is cut between
    characters instead of losing everything after its first long stretch."""
    short = textwrap.shorten(text, width, placeholder=" …")
    flat = " ".join(text.split())
    if len(short) < width * 3 // 4 < len(flat):
        return flat[:width - 2].rstrip() + " …"
    return short
