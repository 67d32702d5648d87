"""Boilerplate in raw text: titles, bylines, credits, timestamps, navigation links.

Boilerplate is located, never deleted: ``find_boilerplate`` returns spans of character
offsets into the raw text, ``boilerplate_table`` keeps them per document,
``body_spans`` returns the complement (the body paragraphs) for ``nqpf.segment`` and
``body_end`` where the body ends.

To recognise a new kind of line, add a ``(kind, pattern)`` pair to ``RULES``. The module
imports pandas only in ``boilerplate_table``, so worker processes start without it.
"""

import re
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import pandas as pd

_H = r"[^\S\n]"  # horizontal white space (never crosses a line break)

# Each rule is (kind, pattern); every pattern matches within one line. Patterns written
# ``^ ... $`` cover a whole line and are tried at line starts only (so every alternative of
# such a pattern starts with ``^``); those anchored only at ``$`` cover a trailing
# parenthetical at the end of a longer line. Earlier rules win where spans overlap.
RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "Mondo Technology Updated on 2024-01-30": a source name, then an update date.
    ("byline", re.compile(
        rf"^{_H}*[^\n]{{0,80}}?\b(?:Updated|Published|Posted|Released)(?:{_H}+(?:on|at))?"
        rf":?{_H}*\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}[^\n]{{0,20}}$",
        re.MULTILINE | re.IGNORECASE)),
    # "Source: Xinhua"
    ("byline", re.compile(rf"^{_H}*(?:Source|From){_H}*[:\uff1a][^\n]{{0,80}}$",
                          re.MULTILINE | re.IGNORECASE)),
    # "Author: Yang Huixin, Jiao Yong, Unit: ..." / "By Zhang San and Li Si"
    ("author", re.compile(
        rf"^{_H}*(?:Authors?|Writers?|Written{_H}+by|Text){_H}*[:\uff1a][^\n]*$",
        re.MULTILINE | re.IGNORECASE)),
    ("author", re.compile(
        rf"^{_H}*By{_H}+[A-Z][\w'-]*(?:(?:,|{_H}+and|{_H})+[A-Z][\w'-]*){{0,8}}{_H}*$",
        re.MULTILINE)),
    # "Editor: Zheng Jianlong", "Responsible editor: ...", "Editor in charge: ..."
    ("editor", re.compile(
        rf"^{_H}*(?:(?:Responsible|Chief|Executive){_H}+)?(?:Editors?|Edited{_H}+by"
        rf"|Proofread(?:ing|er)?|Reviewer)(?:{_H}+in{_H}+charge)?{_H}*[:\uff1a][^\n]*$",
        re.MULTILINE | re.IGNORECASE)),
    # "(Our reporters Xu Yang, ... participated in the reporting)": a whole line ...
    ("reporters", re.compile(
        rf"^{_H}*\([^()\n]*\b(?:reporters?|correspondents?|journalists?)\b[^()\n]*\){_H}*$",
        re.MULTILINE | re.IGNORECASE)),
    # ... or the same note closing the last paragraph.
    ("reporters", re.compile(
        rf"\((?:Our|Xinhua|By)?{_H}*(?:reporters?|correspondents?)\b[^()\n]*\){_H}*$",
        re.MULTILINE | re.IGNORECASE)),
    # A caption paragraph (up to ~60 words) ending in "(Photo/Zhou Qi)" or "(Photo: ...)" ...
    ("photo", re.compile(
        rf"^[^\n]{{0,400}}\((?:Photo|Image|Picture|Pic)s?(?:{_H}*[/:\uff1a]|{_H}+by\b)[^()\n]*\)"
        rf"{_H}*$",
        re.MULTILINE | re.IGNORECASE)),
    # ... or only the credit when it closes a long paragraph.
    ("photo", re.compile(
        rf"\((?:Photo|Image|Picture|Pic)s?(?:{_H}*[/:\uff1a]|{_H}+by\b)[^()\n]*\){_H}*$",
        re.MULTILINE | re.IGNORECASE)),
    # "2024-03-10 04:02:54", "2024/03/10", "March 10, 2024"
    ("timestamp", re.compile(
        rf"^{_H}*(?:\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep"
        rf"|Oct|Nov|Dec)[a-z]*\.?{_H}+\d{{1,2}},?{_H}+\d{{4}})"
        rf"(?:(?:{_H}+|T)\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?{_H}*$",
        re.MULTILINE | re.IGNORECASE)),
    # Web-page furniture on a line of its own.
    ("navigation", re.compile(
        rf"^{_H}*(?:Related{_H}+(?:Pages?|Articles?|News|Reading|Stories|Links)|Share"
        rf"(?:{_H}+(?:to|this|on){_H}*[^\n]{{0,30}})?|Back{_H}+to{_H}+top|Return{_H}+to{_H}+top"
        rf"|Print|Read{_H}+more|More|Recommended(?:{_H}+for{_H}+you)?|Previous|Next"
        rf"|Comments?|Top|Home|Close){_H}*[:\uff1a]?{_H}*$",
        re.MULTILINE | re.IGNORECASE)),
    ("copyright", re.compile(
        rf"^{_H}*(?:Copyright\b|\u00a9|\(c\){_H})[^\n]*$|^[^\n]{{0,80}}All{_H}+rights"
        rf"{_H}+reserved\.?{_H}*$",
        re.MULTILINE | re.IGNORECASE)),
)

TITLE_MAX_WORDS = 25
# A line ending in sentence or clause punctuation (then perhaps closing quotes or brackets)
# is not a heading.
_PUNCTUATION = ".!?;:,\u3002\uff01\uff1f\uff1b\uff1a\uff0c\u2026"
_CLOSERS = "\"'\u201d\u2019)]"
_LINE = re.compile(r"[^\n]+")
_WORD = re.compile(r"\w")


class Span(NamedTuple):
    """A boilerplate span: ``raw[start:end]`` is of the given ``kind``."""

    start: int
    end: int
    kind: str


def is_heading(line: str, *, max_words: int = TITLE_MAX_WORDS) -> bool:
    """True if ``line`` looks like a title or heading: fewer than ``max_words`` words and
    no sentence punctuation at its end."""
    line = line.strip()
    n_words = len(line.split(maxsplit=max_words))  # counting stops after max_words
    return 0 < n_words < max_words and line.rstrip(_CLOSERS)[-1:] not in _PUNCTUATION


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` so it neither starts nor ends on white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _overlaps(start: int, end: int, spans: list[Span]) -> bool:
    return any(s.start < end and start < s.end for s in spans)


def _title_span(text: str, spans: list[Span]) -> Span | None:
    """The first non-empty line, if it looks like a heading, is not already boilerplate,
    and is followed by more text."""
    for match in _LINE.finditer(text):
        start, end = trim_span(text, match.start(), match.end())
        if start == end:
            continue
        if (_WORD.search(text, end) and is_heading(text[start:end])
                and not _overlaps(start, end, spans)):
            return Span(start, end, "title")
        return None
    return None


# One pattern matching where any ``^``-anchored rule matches: a cheap first test, so those
# rules run one by one only on the few lines that need it.
_ANY_LINE_RULE = re.compile("|".join(
    f"(?{'i' if pattern.flags & re.IGNORECASE else ''}:{pattern.pattern})"
    for _, pattern in RULES if pattern.pattern.startswith("^")), re.MULTILINE)
# The other rules are searched one by one: ``re`` skips ahead to a pattern's leading literal
# (here "("), which it cannot do for an alternation of them.
_END_RULES = tuple(pattern for _, pattern in RULES if not pattern.pattern.startswith("^"))


def find_boilerplate(text: str) -> list[Span]:
    """Boilerplate spans in raw ``text``, sorted by start, non-overlapping.

    Kinds: ``title`` (a short unpunctuated first line), then those of ``RULES``:
    ``byline``, ``author``, ``editor``, ``reporters``, ``photo``, ``timestamp``,
    ``navigation``, ``copyright``. Section headings inside the body are content, not
    boilerplate."""
    spans: list[Span] = []
    line_starts = [line.start() for line in _LINE.finditer(text)
                   if _ANY_LINE_RULE.match(text, line.start())]
    any_end = any(pattern.search(text) for pattern in _END_RULES)
    for kind, pattern in RULES if line_starts or any_end else ():
        if pattern.pattern.startswith("^"):
            matches = [m for start in line_starts if (m := pattern.match(text, start))]
        else:
            matches = pattern.finditer(text) if any_end else []
        for match in matches:
            start, end = trim_span(text, match.start(), match.end())
            if start < end and not _overlaps(start, end, spans):
                spans.append(Span(start, end, kind))
    title = _title_span(text, spans)
    if title is not None:
        spans.append(title)
    return sorted(spans)


def _paragraphs(text: str, cuts: list[Span]) -> list[tuple[int, int]]:
    """Lines of ``text`` with the ``cuts`` cut out, trimmed, pieces without a word dropped."""
    paragraphs = []
    for line in _LINE.finditer(text):
        pos = line.start()
        pieces = []
        for span in cuts:
            if line.start() <= span.start < line.end():
                pieces.append((pos, span.start))
                pos = span.end
        pieces.append((pos, line.end()))
        for start, end in pieces:
            start, end = trim_span(text, start, end)
            if _WORD.search(text[start:end]):
                paragraphs.append((start, end))
    return paragraphs


def body_spans(text: str, spans: list[Span] | None = None) -> list[tuple[int, int]]:
    """Body paragraphs of raw ``text`` as ``(start, end)`` offsets: one per line, trimmed
    of white space, with boilerplate (``spans``: ``find_boilerplate(text)`` if at hand) cut
    out and pieces without any word dropped."""
    return _paragraphs(text, find_boilerplate(text) if spans is None else spans)


def _last_word_line_end(text: str) -> int:
    """End of the last line that holds a word, trimmed of white space; 0 if none does."""
    end = len(text.rstrip())
    while end:
        start = text.rfind("\n", 0, end) + 1
        if _WORD.search(text, start, end):
            return end
        end = len(text[:start].rstrip())
    return 0


def body_end(text: str, spans: list[Span] | None = None) -> int:
    """Where the body of raw ``text`` ends, ``body_spans(text)[-1][1]``; 0 if it has none.
    Without boilerplate that is the end of the last line with a word. ``spans``:
    ``find_boilerplate(text)`` if at hand."""
    cuts = find_boilerplate(text) if spans is None else spans
    if not cuts:
        return _last_word_line_end(text)
    paragraphs = _paragraphs(text, cuts)
    return paragraphs[-1][1] if paragraphs else 0


def find_all(texts: list[str]) -> list[list[Span]]:
    """``find_boilerplate`` of each text (one task of ``nqpf.ingest.load_corpus`` in a
    worker)."""
    return list(map(find_boilerplate, texts))


def boilerplate_table(docs: "pd.DataFrame") -> "pd.DataFrame":
    """One row per boilerplate span: ``doc_id, kind, start, end, text`` (``text`` is
    ``raw[start:end]``). ``docs`` needs columns ``doc_id`` and ``text``."""
    import pandas as pd  # here only: worker processes that find body ends never need it

    from nqpf.checks import check_docs

    check_docs(docs)
    rows = [
        (doc_id, span.kind, span.start, span.end, text[span.start:span.end])
        for doc_id, text in zip(docs["doc_id"], docs["text"], strict=True)
        for span in find_boilerplate(text)
    ]
    table = pd.DataFrame(rows, columns=["doc_id", "kind", "start", "end", "text"])
    return table.astype({"start": "int64", "end": "int64"})
