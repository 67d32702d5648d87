"""Boilerplate in raw text: titles, bylines, credits, timestamps, navigation links.

Boilerplate is located, never deleted: ``find_boilerplate`` returns spans of character
offsets into the raw text, ``boilerplate_table`` keeps them per document,
``body_spans`` returns the complement (the body paragraphs) for ``nqpf.segment`` and
``body_end`` where the body ends. ``recurring_blocks`` finds, across a corpus, blocks of lines
that open or close many documents verbatim (a licence footer, site navigation); pass a
document's blocks to ``find_boilerplate(text, recurring=...)`` to set them aside too (and its
spans to ``body_spans``/``body_end``).

To recognise a new kind of line, add a ``(kind, pattern)`` pair to ``RULES``. The module
imports pandas only in ``boilerplate_table``, so worker processes start without it.
"""

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate, chain, repeat
from operator import add
from typing import TYPE_CHECKING, NamedTuple

from nqpf.language import HAN

if TYPE_CHECKING:
    import pandas as pd

_H = r"[^\S\n]"  # horizontal white space (never crosses a line break)
_COLON = rf"{_H}*[:\uff1a]"  # ASCII or full-width colon
_LABEL = r"[:\uff1a](?!:)"  # the colon after a label, not "::" as in "Text::CSV" (a Perl module)
_COPYRIGHT_MOST = 120  # characters of a copyright line: a longer one is a sentence about it
_HANZI_NAMES = "[\u4e00-\u9fff\u00b7\u30fb\u3001\uff0c, \t\u3000\u00a0]"  # names, 、, spaces
_PHOTO_SOURCE = "图片来源|圖片來源|图源|圖源"  # "picture source"

_DATED = ("updated", "published", "posted", "released")  # what a dated byline says ...
_DATED_WITHIN = 80  # ... within this many characters of the line's start (after white space)
_DATED_BYLINE = re.compile(
    rf"^{_H}*[^\n]{{0,{_DATED_WITHIN}}}?\b(?:{'|'.join(_DATED)})(?:{_H}+(?:on|at))?"
    rf":?{_H}*\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}[^\n]{{0,20}}$", re.MULTILINE | re.IGNORECASE)
_RIGHTS_WITHIN = 80  # "All rights reserved" closes a line it starts this far into, at most
_ALL_RIGHTS = re.compile(
    rf"^[^\n]{{0,{_RIGHTS_WITHIN}}}All{_H}+rights{_H}+reserved\.?{_H}*$",
    re.MULTILINE | re.IGNORECASE)

# Each rule is (kind, pattern); every pattern but the footnote mark and Wikisource's licence
# notice matches within one line. Patterns written ``^ ...`` cover a line or its start and are
# tried at line starts only (so every alternative of such a pattern starts with ``^``); those
# anchored only at ``$`` cover a trailing parenthetical at the end of a longer line; the
# footnote mark is found anywhere (its white space may break lines, as the links of the
# licence notice break its lines, but no pattern matches NUL: ``find_all`` relies on both).
# Earlier rules win where spans overlap.
RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "Mondo Technology Updated on 2024-01-30": a source name, then an update date.
    ("byline", _DATED_BYLINE),
    # "Source: Xinhua"
    ("byline", re.compile(rf"^{_H}*(?:Source|From){_H}*{_LABEL}[^\n]{{0,80}}$",
                          re.MULTILINE | re.IGNORECASE)),
    # "Author: Yang Huixin, Jiao Yong, Unit: ..." / "By Zhang San and Li Si"
    ("author", re.compile(
        rf"^{_H}*(?:Authors?|Writers?|Written{_H}+by|Text){_H}*{_LABEL}[^\n]*$",
        re.MULTILINE | re.IGNORECASE)),
    ("author", re.compile(
        rf"^{_H}*By{_H}+[A-Z][\w'-]*(?:(?:,|{_H}+and|{_H})+[A-Z][\w'-]*){{0,8}}{_H}*$",
        re.MULTILINE)),
    # "Editor: Zheng Jianlong", "Responsible editor: ...", "Editor in charge: ..."
    ("editor", re.compile(
        rf"^{_H}*(?:(?:Responsible|Chief|Executive){_H}+)?(?:Editors?|Edited{_H}+by"
        rf"|Proofread(?:ing|er)?|Reviewer)(?:{_H}+in{_H}+charge)?{_H}*{_LABEL}[^\n]*$",
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
    ("copyright", re.compile(rf"^{_H}*(?:Copyright\b|\u00a9|\(c\){_H})"
                             rf"[^\n]{{0,{_COPYRIGHT_MOST}}}$",
                             re.MULTILINE | re.IGNORECASE)),
    ("copyright", _ALL_RIGHTS),
    # Chinese (simplified and traditional) residue of news and web pages.
    # "来源：新华社", "來源：人民網", "原标题：……"
    ("byline", re.compile(
        rf"^{_H}*(?:来源|來源|稿源|出处|出處|原标题|原標題){_COLON}[^\n]{{0,80}}$", re.MULTILINE)),
    # "新华社北京3月5日电（记者张三、李四）" opening the first paragraph: the dateline only.
    ("byline", re.compile(
        rf"^{_H}*(?:新华社|新華社|中新社|中新网|中新網|人民网|人民網|本报|本報)[^\n，。]{{0,20}}?"
        rf"[电電]{_H}*(?:[（(][^（）()\n]{{0,40}}[)）])?", re.MULTILINE)),
    # "作者：张三", "文/李四", "文｜王五"
    ("author", re.compile(
        rf"^{_H}*(?:作者{_COLON}|文{_H}*[/／|｜丨]){_H}*[^\n]{{0,60}}$", re.MULTILINE)),
    # "责任编辑：张三", "编辑：李四", "【责任编辑：王五】" on a line of their own ...
    ("editor", re.compile(
        rf"^{_H}*[（(【\[]?{_H}*(?:责任编辑|責任編輯|编辑|編輯|责编|責編|审核|審核|审校|審校|校对"
        rf"|校對|监制|監製|主编|主編){_COLON}[^\n]{{0,60}}$", re.MULTILINE)),
    # ... or closing the last paragraph: "……。（责任编辑：张三）"
    ("editor", re.compile(
        rf"[（(【\[]{_H}*(?:责任编辑|責任編輯|编辑|編輯|责编|責編){_COLON}[^（）()【】\[\]\n]{{0,40}}"
        rf"[)）】\]]{_H}*$", re.MULTILINE)),
    # "本报记者 张三 李四", "记者：张三", "（记者 张三 通讯员 李四）": names only, no sentence ...
    ("reporters", re.compile(
        rf"^{_H}*[（(]?{_H}*(?:本报|本報|本刊|本台|新华社|新華社|中新社|特约|特約)?{_H}*"
        rf"(?:记者|記者|通讯员|通訊員)(?:{_COLON})?{_HANZI_NAMES}{{1,30}}[)）]?{_H}*$",
        re.MULTILINE)),
    # ... or closing the last paragraph: "……。（记者 张三）"
    ("reporters", re.compile(
        rf"[（(](?:本报|本報)?(?:记者|記者)[^（）()\n]{{0,40}}[)）]{_H}*$", re.MULTILINE)),
    # "发布时间：2024-03-10 10:00", "日期：2024年3月10日", "（2017年10月18日）"
    ("timestamp", re.compile(
        rf"^{_H}*(?:发布时间|發佈時間|發布時間|发布日期|發佈日期|發布日期|发表时间|發表時間|更新时间"
        rf"|更新時間|时间|時間|日期){_COLON}[^\n]{{0,60}}$", re.MULTILINE)),
    ("timestamp", re.compile(
        rf"^{_H}*[（(]?{_H}*\d{{4}}{_H}*年{_H}*\d{{1,2}}{_H}*月(?:{_H}*\d{{1,2}}{_H}*[日号號])?"
        rf"{_H}*[)）]?(?:{_H}*\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?{_H}*$", re.MULTILINE)),
    # "（图片来源：新华社）", "图为……。新华社记者 张三 摄" closing a caption or paragraph (the
    # optional bracket written out, "（(?:X)|\((?:X)|X", so that ``re`` skips ahead to a
    # first character of it, as it does not for "[（(]?(?:X)")
    ("photo", re.compile(
        rf"(?:（(?:{_PHOTO_SOURCE})|\((?:{_PHOTO_SOURCE})|{_PHOTO_SOURCE}){_COLON}"
        rf"[^（）()\n]{{0,40}}[)）]?{_H}*$", re.MULTILINE)),
    ("photo", re.compile(rf"^图为[^\n]{{0,200}}[摄攝]{_H}*$", re.MULTILINE)),
    # Web-page furniture on a line of its own: "分享到：", "返回顶部", "上一篇", "相关阅读" ...
    ("navigation", re.compile(
        rf"^{_H}*(?:分享到|分享|扫一扫|掃一掃|返回顶部|返回頂部|返回首页|返回首頁|打印|列印"
        rf"|关闭窗口|關閉窗口|关闭|關閉|上一篇|下一篇|相关新闻|相關新聞|相关阅读|相關閱讀|相关链接"
        rf"|相關鏈接|推荐阅读|推薦閱讀|热门推荐|熱門推薦|更多){_H}*(?:{_COLON})?{_H}*$",
        re.MULTILINE)),
    # "版权所有 © 人民网", "未经授权禁止转载"
    ("copyright", re.compile(
        r"^[^\n]{0,40}(?:版权所有|版權所有|未经(?:书面)?(?:授权|许可)[^\n]{0,12}(?:不得|禁止)"
        r"(?:转载|轉載|使用)|未經(?:書面)?(?:授權|許可)[^\n]{0,12}(?:不得|禁止)(?:轉載|使用))"
        r"[^\n]{0,80}$", re.MULTILINE)),
    # Wikisource's licence notice under a text, its lines broken at links: "这部作品在1931年1月
    # 1日以前……屬於\n公有領域" (then "\n。", a line without a word, which also opens the
    # closing block that several such texts share), "本作品来自1949年10月1日（含）之后的……公有领域"
    ("copyright", re.compile(r"^(?:这部作品|這部作品|本作品)[^\x00]{0,500}?公有[领領]域(?=\s*。)",
                             re.MULTILINE)),
    # "……。（完）" closing a news item
    ("end", re.compile(rf"[（(]{_H}*完{_H}*[)）]{_H}*$", re.MULTILINE)),
    # Wiki footnote marks, "[1]", "[ 12 ]", "[CPC 1]", also broken over lines ("[\n1\n]"),
    # with ASCII or full-width brackets ...
    ("footnote", re.compile(r"\[\s*(?:[A-Za-z]{1,8}\s+)?[1-9]\d{0,2}\s*\]")),
    ("footnote", re.compile(r"［\s*(?:[A-Za-z]{1,8}\s+)?[1-9]\d{0,2}\s*］")),
    # ... and the "↑" that links a footnote back to its mark.
    ("footnote", re.compile(rf"^{_H}*↑{_H}*$", re.MULTILINE)),
)

TITLE_MAX_WORDS = 25
# Any CJK character: ideographs, kana, hangul, CJK and full-width punctuation and forms.
CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
                 "\U00020000-\U0003134f]")
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
    """True if ``line`` looks like a title or heading: fewer than ``max_words`` words (a Han
    character counts as half a word) and no sentence punctuation at its end."""
    line = line.strip()
    n_words = len(line.split(maxsplit=max_words))  # counting stops after max_words
    if not line.isascii() and (han := len(HAN.findall(line))):
        n_words = han / 2 + len(HAN.sub(" ", line).split(maxsplit=max_words))
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


class _Prepared(NamedTuple):
    """Rules ready to search (``_prepare``)."""

    rules: tuple[tuple[str, re.Pattern[str]], ...]
    any_line_rule: re.Pattern[str]  # matches where any ``^``-anchored rule matches
    end_rules: tuple[re.Pattern[str], ...]  # the other rules
    text_start: re.Pattern[str]  # line rules after "\x00\n", for ``_one_line_hits``


def _prepare(rules: tuple[tuple[str, re.Pattern[str]], ...]) -> _Prepared:
    """``rules`` with ``any_line_rule``, one pattern for the ``^``-anchored rules (a cheap first
    test, so those rules run one by one only on the few lines that need it), and the other
    rules, searched one by one (``re`` skips ahead to a pattern's leading literal, such as
    "(", which it cannot do for an alternation of them). ``text_start`` leaves out the
    ``_NEAR_START`` rules and those that hold an end rule (``_holds_end_rule``)."""
    line_rules = [p for _, p in rules if p.pattern.startswith("^")]
    end_rules = tuple(p for _, p in rules if not p.pattern.startswith("^"))
    left_out = [p for p, _, _ in _NEAR_START] + [
        p for p in line_rules if _holds_end_rule(p, end_rules)]
    return _Prepared(rules, _any_of(line_rules), end_rules,
                     _any_of([p for p in line_rules if p not in left_out], before="\x00\n"))


def _any_of(patterns: list[re.Pattern[str]], *, before: str = "") -> re.Pattern[str]:
    """One pattern matching where any of ``patterns`` (``^``-anchored) matches, after
    ``before``."""
    return re.compile(before + "(?:" + "|".join(
        f"(?{'i' if pattern.flags & re.IGNORECASE else ''}:{pattern.pattern})"
        for pattern in patterns) + ")", re.MULTILINE)


def _holds_end_rule(pattern: re.Pattern[str], end_rules: tuple[re.Pattern[str], ...]) -> bool:
    """Whether ``pattern`` is ``^[^\\n]{0,N}`` then one of ``end_rules`` (with the same
    flags), so that a line it matches holds a match of that end rule."""
    return any(pattern.flags == end.flags and re.fullmatch(
        r"\^\[\^\\n\]\{0,\d+\}", pattern.pattern.removesuffix(end.pattern)) for end in end_rules)


# The rules that look for a word some way into a line (``re`` tries every position up to it,
# slowly): (pattern, words, how far into the line a word may start, after white space or
# not). In one-line texts they are tried only where one of their words is in the head
# (``_near_start_hits``): the first ``_HEAD`` characters after white space, as far as such
# a word can end.
_NEAR_START = ((_DATED_BYLINE, _DATED, _DATED_WITHIN), (_ALL_RIGHTS, ("all",), _RIGHTS_WITHIN))
_HEAD = max(within + max(map(len, words)) for _, words, within in _NEAR_START)
# Rules whose pattern holds non-ASCII characters (the Chinese ones) cannot match ASCII text,
# which is therefore searched with the others only.
_ALL_RULES = _prepare(RULES)
_ASCII_RULES = _prepare(tuple(rule for rule in RULES if rule[1].pattern.isascii()))
_SEPARATOR = "\n\x00\n"  # between one-line texts searched at once (``_one_line_hits``)
# Python's white space in ASCII text, more than RE2's (vertical tab, 0x1C-0x1F), for ``_re2``
_ASCII_S, _ASCII_H = r"[\t-\r\x1c- ]", r"[\t\x0b-\r\x1c- ]"
_ESCAPE = re.compile(r"\\u([0-9a-f]{4})")
# How a line rule opens "at most N characters into the line": "^[^\n]{0,80}" or
# "^" _H "*[^\n]{0,80}?"
_ANY_START = re.compile(r"\A\^(?:" + re.escape(_H) + r"\*)?" + re.escape(r"[^\n]")
                        + r"\{0,\d+\}\??")
# The non-ASCII letters that ``re``, ignoring case, takes for ASCII ones, but which do not
# lower-case to them (as "\u212a", the Kelvin sign, does to "k"): long s, dotless i, and
# I with a dot (which lower-cases to two characters).
_AS_ASCII = (("\u017f", "s"), ("\u0131", "i"), ("\u0130", "i"))


def find_boilerplate(text: str, *, recurring: Sequence[tuple[int, int]] = ()) -> list[Span]:
    """Boilerplate spans in raw ``text``, sorted by start, non-overlapping.

    Kinds: ``recurring`` (the ``(start, end)`` blocks passed in, from ``recurring_blocks``),
    ``title`` (a short unpunctuated first line), then those of ``RULES``: ``byline``,
    ``author``, ``editor``, ``reporters``, ``photo``, ``timestamp``, ``navigation``,
    ``copyright``, ``end`` (（完）), ``footnote``. Section headings inside the body are content,
    not boilerplate."""
    spans: list[Span] = []
    prepared = _ASCII_RULES if text.isascii() else _ALL_RULES
    line_starts = [line.start() for line in _LINE.finditer(text)
                   if prepared.any_line_rule.match(text, line.start())]
    any_end = any(pattern.search(text) for pattern in prepared.end_rules)
    for kind, pattern in prepared.rules if line_starts or any_end else ():
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
    return set_aside(spans, recurring)


def set_aside(spans: list[Span], blocks: Sequence[tuple[int, int]]) -> list[Span]:
    """A document's boilerplate ``spans`` with its ``blocks`` (``recurring_blocks``) added as
    ``recurring`` spans, the spans that overlap a block dropped; sorted."""
    recurring = [Span(start, end, "recurring") for start, end in blocks]
    return sorted(recurring + [s for s in spans if not _overlaps(s.start, s.end, recurring)])


def _paragraphs(text: str, cuts: list[Span]) -> list[tuple[int, int]]:
    """Lines of ``text`` with the ``cuts`` (sorted, non-overlapping; a cut may span lines)
    cut out, trimmed, pieces without a word dropped."""
    paragraphs, i = [], 0
    for line in _LINE.finditer(text):
        while i < len(cuts) and cuts[i].end <= line.start():
            i += 1
        pos, j = line.start(), i
        pieces = []
        while j < len(cuts) and cuts[j].start < line.end():
            pieces.append((pos, max(pos, cuts[j].start)))
            pos = max(pos, cuts[j].end)
            j += 1
        pieces.append((pos, max(pos, line.end())))
        for start, end in pieces:
            start, end = trim_span(text, start, end)
            if _WORD.search(text, start, end):
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


def _starts(texts: list[str]) -> list[int]:
    """Where each of ``texts`` starts in ``_SEPARATOR`` + ``_SEPARATOR.join(texts)``, and
    where one more would."""
    return list(accumulate(map(add, map(len, texts), repeat(len(_SEPARATOR))),
                           initial=len(_SEPARATOR)))


def _one_line_hits(texts: list[str], prepared: _Prepared) -> set[int]:
    """Indices of the one-line ``texts`` (no line break) in which a rule of ``prepared``
    matches. They are searched at once, joined by ``_SEPARATOR``, which finds what a search of
    each finds: no rule matches across it (``[^\\n]`` and ``_H`` stop at its line breaks,
    ``\\s`` at its NUL), and next to it a rule sees what it sees at a text's edge (``^``
    matches after "\\n", ``$`` before it, ``\\b`` sees a non-word character either way).
    The line rules (``text_start``) are tried after each "\\x00\\n", which ``re`` finds
    quickly: at the start of each text (a text has no "\\n"), and after a text ending in NUL
    on the separator's line of a NUL alone, where no rule matches. A match lies in the text
    it ends in."""
    starts = _starts(texts)
    joined = _SEPARATOR + _SEPARATOR.join(texts)
    matches = chain(prepared.text_start.finditer(joined),
                    *(pattern.finditer(joined) for pattern in prepared.end_rules))
    return {bisect_right(starts, match.end()) - 1 for match in matches} | _near_start_hits(texts)


def _near_start_hits(texts: list[str]) -> set[int]:
    """Indices of the one-line ``texts`` in which a ``_NEAR_START`` rule matches, tried only
    where the text's head holds one of its words, in any case as ``re`` sees it
    (``_as_lower``). The heads are joined (no word holds a separator) and searched at once."""
    heads = [text.lstrip()[:_HEAD] for text in texts]
    starts = _starts(heads)
    joined = _as_lower(_SEPARATOR + _SEPARATOR.join(heads))
    hits = set()
    for pattern, words, _ in _NEAR_START:
        maybe = {bisect_right(starts, found) - 1 for word in words
                 for found in _occurrences(joined, word)}
        hits.update(i for i in maybe if pattern.match(texts[i]))
    return hits


def _as_lower(text: str) -> str:
    """``text`` lower-cased, as long as before: each character that ``re``, ignoring case,
    matches to an ASCII letter becomes that letter."""
    for char, letter in _AS_ASCII:
        text = text.replace(char, letter)
    return text.lower()


def _occurrences(text: str, word: str) -> Iterator[int]:
    """Where ``word`` occurs in ``text``."""
    found = text.find(word)
    while found >= 0:
        yield found
        found = text.find(word, found + 1)


def _re2(pattern: re.Pattern[str]) -> tuple[str, str]:
    """``(flags, source)`` of ASCII rule ``pattern`` as RE2 (``pyarrow.compute``) reads it, to
    search one-line ASCII text: there it matches wherever ``pattern`` does, and perhaps
    elsewhere. A leading "at most N characters into the line" (``_ANY_START``) and the
    lookahead (which RE2 lacks) are dropped; Python's white space and ``\\uXXXX`` escapes are
    spelled out."""
    source = _ANY_START.sub("", pattern.pattern).replace(_H, _ASCII_H).replace(r"\s", _ASCII_S)
    source = _ESCAPE.sub(r"\\x{\1}", source.replace("(?!:)", ""))
    return "i" * bool(pattern.flags & re.IGNORECASE), source


def _ascii_filters(rules: tuple[tuple[str, re.Pattern[str]], ...]) -> tuple[str, ...]:
    """The ``_re2`` of the ASCII ``rules`` in three patterns: those anchored at the start,
    those anchored at the end only (the ``$`` outside their alternation, so that RE2 reads
    texts back from their end) and the others. RE2 searches each group quickly, and all of
    them together slowly."""
    patterns = list(dict.fromkeys(_re2(pattern) for _, pattern in rules))
    start = [f"(?{flags}:{source})" for flags, source in patterns if source.startswith("^")]
    end = [f"(?{flags}:{source[:-1]})" for flags, source in patterns
           if not source.startswith("^") and source.endswith("$")]
    rest = [f"(?{flags}:{source})" for flags, source in patterns
            if not source.startswith("^") and not source.endswith("$")]
    return "|".join(start), f"(?:{'|'.join(end)})$", "|".join(rest)


def _ascii_hits(texts: list[str]) -> list[int]:
    """Indices of the one-line ASCII ``texts`` in which an ASCII rule may match, searched all
    at once by RE2 (``_ascii_filters``), in compiled code."""
    import pyarrow as pa  # here only: what pandas reads strings with, started only if needed
    import pyarrow.compute as pc

    array = pa.array(texts, type=pa.large_string())
    found = [pc.indices_nonzero(pc.match_substring_regex(array, pattern)).to_pylist()
             for pattern in _ASCII_FILTERS]
    return sorted(set().union(*found))


_ASCII_FILTERS = _ascii_filters(_ASCII_RULES.rules)


def find_all(texts: list[str]) -> list[list[Span]]:
    """``find_boilerplate`` of each text (one task of ``nqpf.ingest.load_corpus`` in a
    worker). Texts of one line (no line break) are first tested all at once, the ASCII ones
    with RE2 (``_ascii_hits``), the others with the rules joined (``_one_line_hits``); those
    no rule matches in have no spans (a title needs a second line)."""
    searched: list[int] = []  # texts of several lines, then the one-line texts with a hit
    one_line, ascii_one_line = [], []
    for i, text in enumerate(texts):
        (searched if "\n" in text else ascii_one_line if text.isascii() else one_line).append(i)
    searched += [one_line[j] for j in _one_line_hits([texts[i] for i in one_line], _ALL_RULES)]
    searched += [ascii_one_line[j] for j in _ascii_hits([texts[i] for i in ascii_one_line])]
    spans: list[list[Span]] = [[] for _ in texts]
    for i in searched:
        spans[i] = find_boilerplate(texts[i])
    return spans


def boilerplate_table(docs: "pd.DataFrame", *,
                      recurring: Sequence[Sequence[tuple[int, int]]] | None = None,
                      ) -> "pd.DataFrame":
    """One row per boilerplate span: ``doc_id, kind, start, end, text`` (``text`` is
    ``raw[start:end]``). ``docs`` needs columns ``doc_id`` and ``text``; ``recurring``: one
    list of blocks per row of ``docs`` (``recurring_blocks(docs["text"])``)."""
    import pandas as pd  # here only: worker processes that find body ends never need it

    from nqpf.checks import check_docs

    check_docs(docs)
    blocks = [()] * len(docs) if recurring is None else list(recurring)
    if len(blocks) != len(docs):
        raise ValueError(f"recurring has {len(blocks)} entries for {len(docs)} documents")
    rows = [
        (doc_id, span.kind, span.start, span.end, text[span.start:span.end])
        for doc_id, text, doc_blocks in zip(docs["doc_id"], docs["text"], blocks, strict=True)
        for span in find_boilerplate(text, recurring=doc_blocks)
    ]
    table = pd.DataFrame(rows, columns=["doc_id", "kind", "start", "end", "text"])
    return table.astype({"start": "int64", "end": "int64"})


def _lines(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every line of ``text`` that is not blank, trimmed."""
    return [span for line in _LINE.finditer(text)
            if (span := trim_span(text, line.start(), line.end()))[0] < span[1]]


def _shared_depths(edges: list[list[str]], min_docs: int) -> list[int]:
    """For each sequence of lines (read from a document's edge), how many of its first lines
    are, in the same order, the first lines of at least ``min_docs`` sequences (a trie with a
    document count per node)."""
    node_of: dict[tuple[int, str], int] = {}
    counts: list[int] = []
    paths = []
    for lines in edges:
        path, node = [], -1
        for line in lines:
            node = node_of.setdefault((node, line), len(counts))
            if node == len(counts):
                counts.append(0)
            counts[node] += 1
            path.append(node)
        paths.append(path)
    return [max((d + 1 for d, node in enumerate(path) if counts[node] >= min_docs), default=0)
            for path in paths]


def recurring_blocks(texts: Sequence[str], *, min_docs: int = 3, min_chars: int = 30,
                     max_lines: int = 100) -> list[list[tuple[int, int]]]:
    """Blocks of lines that open or close many documents verbatim: licence footers, site
    navigation, standard notices. Returns, per text, a list of 0-2 ``(start, end)`` spans
    (the opening block, the closing block) for ``find_boilerplate(recurring=...)``.

    Rule: compare documents line by line from their first (last) non-blank line, lines
    stripped of white space; the opening (closing) block of a document is its longest run
    of first (last) lines that is, line for line, the first (last) lines of at least
    ``min_docs`` documents. It is kept if it has at least ``min_chars`` non-space
    characters (so a shared salutation such as "同志们：" stays), at least one line with a
    word stays outside the blocks (a duplicate document is not all boilerplate), and only the
    ``max_lines`` lines nearest each edge are compared (texts of one line are not). Time and
    memory are linear in the number of lines compared.
    """
    if min_docs < 2:
        raise ValueError(f"min_docs must be at least 2, got {min_docs}")
    # Texts of one non-blank line have no block to set aside and take no part.
    compared = [(i, doc) for i, text in enumerate(texts) if "\n" in text
                and len(doc := _lines(text)) > 1]
    heads = _shared_depths([[texts[i][s:e] for s, e in doc[:max_lines]]
                            for i, doc in compared], min_docs)
    tails = _shared_depths([[texts[i][s:e] for s, e in reversed(doc[-max_lines:])]
                            for i, doc in compared], min_docs)
    blocks: list[list[tuple[int, int]]] = [[] for _ in texts]
    for (i, doc), head, tail in zip(compared, heads, tails, strict=True):
        text = texts[i]
        with_word = [j for j, span in enumerate(doc) if _WORD.search(text, *span)]
        if not with_word:
            continue
        head = min(head, with_word[-1])  # stop before the last line with a word
        # ... and the closing block after the first line with a word not in the opening one
        first = next((j for j in with_word if j >= head), None)
        tail = min(tail, len(doc) - 1 - first) if first is not None else 0
        for block in (doc[:head], doc[len(doc) - tail:] if tail else []):
            if block and sum(not c.isspace() for c in text[block[0][0]:block[-1][1]]) >= min_chars:
                blocks[i].append((block[0][0], block[-1][1]))
    return blocks
