import re

import pandas as pd
import pytest

from nqpf import paths
from nqpf.boilerplate import (
    _ASCII_RULES,
    RULES,
    Span,
    _as_lower,
    body_end,
    body_spans,
    boilerplate_table,
    find_all,
    find_boilerplate,
    is_heading,
    recurring_blocks,
)
from nqpf.checks import check_docs

BODY = "Talents are the primary resource for developing new quality productive forces."
ZH = "加快发展新质生产力，推动高质量发展。"
WIKISOURCE = ("这部作品在1931年1月1日以前以匿名或別名發表，確實作者身份不明，在\n美國\n"
              "以及版權期限是\n匿名別名作品發表起95年\n以下的國家以及地区屬於\n公有領域\n。")


def raw(doc_number: str) -> str:
    (path,) = paths.RAW.glob(f"{doc_number}_*.txt")
    return path.read_text(encoding="utf-8")


def kinds(text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start:s.end]) for s in find_boilerplate(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\u25a0Notes on the Two Sessions\n" + BODY,
         [("title", "\u25a0Notes on the Two Sessions")]),
        ("Cultivate Talents\u00a0\u4e28CPPCC Member\n\n" + BODY,
         [("title", "Cultivate Talents\u00a0\u4e28CPPCC Member")]),
        ("Title Line\n\nMondo Technology Updated on 2024-01-30\n\n" + BODY,
         [("title", "Title Line"), ("byline", "Mondo Technology Updated on 2024-01-30")]),
        (BODY + "\nSource: Xinhua", [("byline", "Source: Xinhua")]),
        (BODY + "\n\nAuthor: Yang Huixin, Jiao Yong, Unit: Shandong University",
         [("author", "Author: Yang Huixin, Jiao Yong, Unit: Shandong University")]),
        (BODY + "\nBy Zhang San and Li Si", [("author", "By Zhang San and Li Si")]),
        (BODY + "\n\nEditor: Zheng Jianlong\n", [("editor", "Editor: Zheng Jianlong")]),
        (BODY + "\nResponsible editor\uff1aLi Si", [("editor", "Responsible editor\uff1aLi Si")]),
        (BODY + "\n\n(Our reporters Xu Yang and Zou Xiang participated in the reporting)",
         [("reporters", "(Our reporters Xu Yang and Zou Xiang participated in the reporting)")]),
        (BODY + " (Reporter Xu Yang)", [("reporters", "(Reporter Xu Yang)")]),
        (BODY + "\n\nMing Ju speaks at a meeting. (Photo/Zhou Qi)\n\n" + BODY,
         [("photo", "Ming Ju speaks at a meeting. (Photo/Zhou Qi)")]),
        (BODY + "\n" + BODY * 8 + " (Photo: Xinhua)", [("photo", "(Photo: Xinhua)")]),
        (BODY + "\n\n2024-03-10 04:02:54\n", [("timestamp", "2024-03-10 04:02:54")]),
        (BODY + "\nMarch 10, 2024", [("timestamp", "March 10, 2024")]),
        (BODY + "\n\nRelated Pages", [("navigation", "Related Pages")]),
        (BODY + "\nShare\nBack to top\nPrint",
         [("navigation", "Share"), ("navigation", "Back to top"), ("navigation", "Print")]),
        (BODY + "\nCopyright 2024 Xinhua. All rights reserved.",
         [("copyright", "Copyright 2024 Xinhua. All rights reserved.")]),
        # Wikisource's licence notice, its lines broken at links, in one or two documents
        (ZH + "\n\n" + WIKISOURCE, [("copyright", WIKISOURCE.removesuffix("\n。"))]),
        (ZH + "\n\n本作品来自1949年10月1日之后的中国共产党文件……所以属于\n公有领域\n。\n\n↑",
         [("copyright", "本作品来自1949年10月1日之后的中国共产党文件……所以属于\n公有领域"),
          ("footnote", "↑")]),
        # Not boilerplate: a first line that is a sentence, a heading inside the body,
        # body sentences that merely mention photos, reporters, dates or sharing.
        (BODY + "\n\nFight the battle against key core technologies\n\n" + BODY, []),
        ("Photosynthesis (Photosynthesis is key) matters. By 2035, we share results.\n"
         "The reporters said so on 2024-03-10 in Beijing.", []),
        ("Only A Short Line", []),  # a lone short line is not a title of nothing
        # Perl module names (Debian descriptions) are not "Text:", "Source:" or "Editor:" lines
        ("Text::CSV_XS provides facilities for the composition of comma-separated values.", []),
        ("Source::Highlight colours source code.\nEditor::Tools edits it.", []),
        # ... and a sentence that starts with "Copyright" is not a copyright line
        ("Copyright does not exist: Book about hacker culture, folklore and history by Linus "
         "Walleij. The book tells the story of the computer underground from the 1960s on.", []),
    ],
)
def test_find_boilerplate_rules(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ("000", [("title", "\u25a0Notes on the Two Sessions")]),
        ("001", [("title", "To cultivate and strengthen new quality productive forces and "
                           "solidify the talent foundation")]),
        ("002", [("reporters", "(Our reporters Xu Yang, Zhang Jiaying, Deng Jianyang, Zhai "
                               "Qinqi, Shen Tongrui, Zou Xiang, and Li Zhuoer participated in "
                               "the reporting)"),
                 ("editor", "Editor: Zheng Jianlong"),
                 ("timestamp", "2024-03-10 04:02:54")]),
        ("003", [("title", "Understand the connotation of new quality productivity"),
                 ("byline", "Mondo Technology Updated on 2024-01-30"),
                 ("author", "Author: Yang Huixin, Jiao Yong, Unit: Shandong University, "
                            "Shandong University of Science and Technology **Economy**)."),
                 ("navigation", "Related Pages")]),
        ("004", [("title", "Cultivate High-Level Talents to Faster New Quality Productive "
                           "Forces\u00a0\u4e28CPPCC Member"),
                 ("photo", "Ming Ju is a member of the National Committee of the Chinese "
                           "People's Political Consultative Conference (CPPCC), Secretary of "
                           "the Party Committee, and Director of the Chongqing Science and "
                           "Technology Bureau. (Photo/Zhou Qi)")]),
    ],
)
def test_find_boilerplate_on_corpus(doc, expected):
    assert kinds(raw(doc)) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Fight the battle against key core technologies", True),
        ("\u25a0Notes on the Two Sessions", True),
        ("The first spring of the year is the right time for struggle.", False),
        ("A heading ending in a colon:", False),
        ("What is it?\u201d", False),
        (" ".join(["word"] * 25), False),
        ("   ", False),
        ("决胜全面建成小康社会", True),
        ("(譯自中共駐共產國際代表團檔案俄文稿)", True),
        ("同志们！", False),
        ("这个伟大的革命风暴摧毁了以叛徒内奸工贼为首的资产阶级司令部揭露了党内一小撮叛徒特务",
         True),  # 41 Han characters, no punctuation
        ("这个伟大的革命风暴，摧毁了以叛徒、内奸、工贼为首的资产阶级司令部，揭露了党内一小撮叛徒、"
         "特务、死不改悔的走资本主义道路的当权派", False),  # 50 Han characters: 25 words
    ],
)
def test_is_heading(line, expected):
    assert is_heading(line) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Title Here\n\n  First para.  \n\n\nSecond para.\n", ["First para.", "Second para."]),
        ("First para.\n" + BODY * 8 + " (Photo: Xinhua)\nEditor: Li", ["First para.", BODY * 8]),
        ("Title Here\n\u25a0\n\nBody text.", ["Body text."]),
        ("", []),
    ],
)
def test_body_spans(text, expected):
    assert [text[s:e] for s, e in body_spans(text)] == expected


@pytest.mark.parametrize(
    ("text", "last_paragraph"),
    [
        (BODY + "\n\nSource: Xinhua", BODY),  # trailing byline
        (BODY + "\nBy Zhang San and Li Si\n", BODY),
        (BODY + "\nCopyright 2024 Xinhua. All rights reserved.", BODY),
        (BODY + "\n" + BODY * 8 + " (Photo: Xinhua)", BODY * 8),  # credit closing a paragraph
        (BODY + "\n\nMing Ju speaks at a meeting. (Photo/Zhou Qi)", BODY),  # caption line
        (BODY + " (Reporter Xu Yang)\n", BODY),
        (BODY + "\n\u25a0\n---\n  \n", BODY),  # trailing lines without a word
        ("It goes on\r\n\u25a0\r\n", "It goes on"),
        ("First para.\r\nSecond para.\r\n", "Second para."),
        (BODY + "\r\nIt goes on, and\r\n\r\nEditor: Li Si\r\n", "It goes on, and"),
        ("Title Here\r\n\r\nFirst para.\r\nSecond para.\r\n", "Second para."),
        ("A title\n\nIt ends here.\n\nEditor: Zheng Jianlong\n\n2024-03-10 04:02:54",
         "It ends here."),
        ("Only A Short Line", "Only A Short Line"),
        ("word", "word"),
        ("Title Here\n\nRelated Pages", None),  # nothing but boilerplate
        ("Related Pages\nShare", None),
        ("\u25a0 ---", None),
        (" \n\t\n", None),
        ("", None),
    ],
)
def test_body_end(text, last_paragraph):
    spans = body_spans(text)
    end = body_end(text)
    assert end == (spans[-1][1] if spans else 0)
    assert text[:end].endswith(last_paragraph) if last_paragraph else end == 0


@pytest.mark.parametrize("doc", ["000", "001", "002", "003", "004"])
def test_body_end_on_corpus(doc):
    text = raw(doc)
    assert body_end(text) == body_spans(text)[-1][1]


@pytest.mark.parametrize("doc", ["000", "001", "002", "003", "004"])
def test_body_spans_are_the_complement_of_boilerplate(doc):
    text = raw(doc)
    spans = body_spans(text) + [(s.start, s.end) for s in find_boilerplate(text)]
    spans.sort()
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    covered = " ".join(text[s:e] for s, e in spans)
    assert covered.split() == text.split()  # every word is body or boilerplate, once


@pytest.mark.parametrize(("kind", "pattern"), [rule for rule in RULES
                                               if rule[1].pattern.startswith("^")])
def test_line_rules_match_only_at_line_starts(kind, pattern):
    """Rules written ``^ ...`` are tried at line starts only: that finds what a full search
    finds, on the corpus and on lines that hold the rule's words mid-line."""
    texts = [raw(doc) for doc in ("000", "001", "002", "003", "004")]
    texts += [f"{BODY} Source: Xinhua. Editor: Li Si (Photo/Zhou Qi) 2024-03-10 Print"]
    for text in texts:
        found = [m.span() for m in pattern.finditer(text)]
        assert all(start == 0 or text[start - 1] == "\n" for start, _ in found), kind


def test_spans_are_trimmed_named_tuples():
    text = raw("004")
    for span in find_boilerplate(text):
        assert isinstance(span, Span)
        assert not text[span.start].isspace() and not text[span.end - 1].isspace()


def test_boilerplate_table_keeps_spans():
    docs = pd.DataFrame({"doc_id": ["002", "003"], "text": [raw("002"), raw("003")]})
    table = boilerplate_table(docs)
    assert list(table.columns) == ["doc_id", "kind", "start", "end", "text"]
    assert table.groupby("doc_id")["kind"].apply(list).to_dict() == {
        "002": ["reporters", "editor", "timestamp"],
        "003": ["title", "byline", "author", "navigation"],
    }
    texts = dict(zip(docs["doc_id"], docs["text"], strict=True))
    assert all(texts[r.doc_id][r.start:r.end] == r.text for r in table.itertuples())


@pytest.mark.parametrize(
    ("docs", "message"),
    [
        (pd.DataFrame({"doc_id": ["a"]}), r"missing column\(s\) \['text'\]"),
        (pd.DataFrame({"body": ["x"]}), r"missing column\(s\) \['doc_id', 'text'\]"),
        (pd.DataFrame({"doc_id": ["a"], "text": [None]}), r"non-string text .*\['a'\]"),
        (["not", "a", "frame"], "must be a pandas DataFrame"),
    ],
)
def test_check_docs_errors(docs, message):
    with pytest.raises(ValueError, match=message):
        check_docs(docs)
    with pytest.raises(ValueError, match=message):
        boilerplate_table(docs)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ZH + "\n来源：新华社", [("byline", "来源：新华社")]),
        (ZH + "\n來源：人民網", [("byline", "來源：人民網")]),
        ("新华社北京3月5日电（记者张三、李四）" + ZH,
         [("byline", "新华社北京3月5日电（记者张三、李四）")]),
        (ZH + "\n责任编辑：王五", [("editor", "责任编辑：王五")]),
        (ZH + "\n編輯：李四\n", [("editor", "編輯：李四")]),
        (ZH + "\n【责任编辑：王五】", [("editor", "【责任编辑：王五】")]),
        (ZH + "（责任编辑：王五）", [("editor", "（责任编辑：王五）")]),
        ("本报记者 张三 李四\n" + ZH, [("reporters", "本报记者 张三 李四")]),
        (ZH + "\n记者：张三", [("reporters", "记者：张三")]),
        (ZH + "（记者 张三）", [("reporters", "（记者 张三）")]),
        (ZH + "\n发布时间：2024-03-10 10:00", [("timestamp", "发布时间：2024-03-10 10:00")]),
        ("（2017年10月18日）\n" + ZH, [("timestamp", "（2017年10月18日）")]),
        (ZH + "\n日期：2024年3月10日", [("timestamp", "日期：2024年3月10日")]),
        ("上届代表会议[ 1 ]以来" + ZH, [("footnote", "[ 1 ]")]),
        ("報告。\n上屆代表會議\n[\n1\n]\n以來的工作報告。", [("footnote", "[\n1\n]")]),
        (ZH + "\n[\nCPC 2\n]\n" + ZH, [("footnote", "[\nCPC 2\n]")]),
        (ZH + "\n\u2191\n为代表大会之误，下同。", [("footnote", "\u2191")]),
        (ZH + "\n作者：张三", [("author", "作者：张三")]),
        ("文/李四\n" + ZH, [("author", "文/李四")]),
        (ZH + "（图片来源：新华社）", [("photo", "（图片来源：新华社）")]),
        (ZH + "\n图为工人在车间作业。新华社记者 张三 摄\n" + ZH,
         [("photo", "图为工人在车间作业。新华社记者 张三 摄")]),
        (ZH + "\n分享到：\n返回顶部\n上一篇",
         [("navigation", "分享到："), ("navigation", "返回顶部"), ("navigation", "上一篇")]),
        (ZH + "\n版权所有 © 人民网股份有限公司", [("copyright", "版权所有 © 人民网股份有限公司")]),
        (ZH + "\n未经授权禁止转载", [("copyright", "未经授权禁止转载")]),
        (ZH + "（完）", [("end", "（完）")]),
        # Not boilerplate: sentences that mention sources, reporters, editors or dates.
        ("记者从国家统计局获悉，今年经济平稳增长。\n" + ZH, []),
        (ZH + "编辑工作要坚持来源于人民。\n2024年是关键一年。", []),
        ("一九七六年十月粉碎江青反革命集团以来，" + ZH, []),
        ("作者认为，分享发展成果要坚持完整准确。\n文化建设要加强。\n" + ZH, []),
        ("各地区要完善制度，更多惠及群众。\n图为什么重要？" + ZH, []),
    ],
)
def test_find_boilerplate_chinese_rules(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize("text", [
    "（图片来源：新华社）", "(图片来源：x)", "图源：新华社", "（（图源：x）", "(圖片來源: a b)\t",
    "ab（ 图源：x）", "x（图片来源：新华社）\ny", "（图片来源x", "图片来源：" + "字" * 41,
    "((图源：a)", "（图\n源：x）", "（图源：x）（图片来源：y）", "(圖源：a)\n圖源：b", ""])
def test_chinese_photo_credit_rule_finds_what_its_plain_form_finds(text):
    """The rule spells out its optional opening bracket (so that ``re`` skips ahead)."""
    plain = re.compile(r"[（(]?(?:图片来源|圖片來源|图源|圖源)[^\S\n]*[:\uff1a]"
                       r"[^（）()\n]{0,40}[)）]?[^\S\n]*$", re.MULTILINE)
    (rule,) = [pattern for kind, pattern in RULES if kind == "photo" and "图源" in pattern.pattern]
    assert [m.span() for m in rule.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_footnote_marks_split_over_lines_leave_no_body_line():
    text = "同志们：\n现在我代表中央委员会作关于上届代表会议\n[\n1\n]\n以来的工作报告。"
    assert [text[s:e] for s, e in body_spans(text)] == [
        "同志们：", "现在我代表中央委员会作关于上届代表会议", "以来的工作报告。"]


FOOTER = "\n\n本作品属于公有领域。\n根据著作权法第五条，\n不适用于著作权法保护。\n\nPublic domain\n"
NAV = "首页 | 新闻 | 要闻 | 国际 | 财经 | 评论 | 图片 | 视频 | 专题 | English\n\n"


@pytest.mark.parametrize(
    ("texts", "min_docs", "expected"),
    [
        # A footer closing three of four documents (white space around lines may differ).
        ([f"第{i}篇。{ZH}" + FOOTER for i in range(3)] + [ZH], 3,
         [[FOOTER.strip()]] * 3 + [[]]),
        ([f"第{i}篇。{ZH}" + FOOTER.replace("\n", "  \n") for i in range(2)] + [ZH], 2,
         [[FOOTER.replace("\n", "  \n").strip()]] * 2 + [[]]),
        # ... but not when fewer than min_docs share it.
        ([f"第{i}篇。{ZH}" + FOOTER for i in range(2)] + [ZH], 3, [[], [], []]),
        # Site navigation opening documents, and a footer: both blocks.
        ([NAV + f"第{i}篇。{ZH}" + FOOTER for i in range(3)], 3,
         [[NAV.strip(), FOOTER.strip()]] * 3),
        # A shared salutation is shorter than min_chars: content.
        ([f"同志们：\n\n第{i}篇报告。{ZH}" for i in range(4)], 3, [[]] * 4),
        # Duplicate documents: the last line with a word stays body.
        ([NAV + ZH + FOOTER] * 3, 3, [[(NAV + ZH + FOOTER).split("\n\nPublic")[0]]] * 3),
        ([], 3, []),
    ],
)
def test_recurring_blocks(texts, min_docs, expected):
    blocks = recurring_blocks(texts, min_docs=min_docs)
    assert [[text[s:e] for s, e in doc] for text, doc in zip(texts, blocks, strict=True)] \
        == expected


def test_recurring_blocks_become_boilerplate_spans():
    texts = [NAV + f"第{i}篇。{ZH}\n[ 1 ]注释{i}" + FOOTER for i in range(3)]
    blocks = recurring_blocks(texts)
    text = texts[0]
    assert [(s.kind, text[s.start:s.end]) for s in find_boilerplate(text, recurring=blocks[0])] \
        == [("recurring", NAV.strip()), ("footnote", "[ 1 ]"), ("recurring", FOOTER.strip())]
    spans = find_boilerplate(text, recurring=blocks[0])
    assert [text[s:e] for s, e in body_spans(text, spans)] == ["第0篇。" + ZH, "注释0"]
    assert body_end(text, spans) == body_spans(text, spans)[-1][1]
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "text": texts})
    table = boilerplate_table(docs, recurring=blocks)
    assert table["kind"].value_counts().to_dict() == {"recurring": 6, "footnote": 3}
    with pytest.raises(ValueError, match="2 entries for 3 documents"):
        boilerplate_table(docs, recurring=blocks[:2])


def test_recurring_blocks_leave_the_study_corpus_alone():
    texts = [raw(doc) for doc in ("000", "001", "002", "003", "004")]
    assert recurring_blocks(texts, min_docs=2) == [[]] * 5


def test_recurring_blocks_rejects_min_docs_below_two():
    with pytest.raises(ValueError, match="min_docs must be at least 2"):
        recurring_blocks(["a"], min_docs=1)


# Texts that test ``find_all``'s search of one-line texts joined: rules at their edges,
# texts with nothing, white space or NUL at an edge, halves of a match that would join up
# if the texts ran into each other, dated words near and beyond the head, non-ASCII and
# several-line texts (searched alone) among them.
EDGE_CASES = [
    "", " ", "\t", " \t ", BODY, BODY + " ", BODY + "\t", " \t" + BODY,
    "Source: Xinhua", "  Source: Xinhua\t", "source:xinhua", "Source:", " Xinhua",
    "Author: Li Si", "By Zhang San and Li Si", "by zhang san", "Editor: Zheng Jianlong",
    "(Our reporters Xu Yang and Zou Xiang participated in the reporting)",
    BODY + " (Reporter Xu Yang)", BODY * 8 + " (Reporter Xu Yang)\t",
    "(Photo/Zhou Qi)", "(Photo: Xinhua) ", "A\tB (Photo/Zhou Qi)", BODY * 8 + " (Photo: Xinhua)",
    "(Photo by Li) and more", "(", ")", "(Photo", "/Zhou Qi)", "(\x00", "Photo/Zhou Qi)",
    "2024-03-10 04:02:54", "March 10, 2024", "2024-03-10 is the day",
    "Related Pages", "Share", " Back to top ", "Share\x00", "\x00Share", "Print:",
    "Copyright 2024 Xinhua", "(c) 2024 Xinhua", "All rights reserved.", "all  RIGHTS\treserved",
    "\tAll rights reserved", "Copyright 2024. All rights reserved. Terms apply.", "All rights",
    "reserved", "x" * 80 + "All rights reserved", "x" * 81 + "All rights reserved",
    "Mondo Technology Updated on 2024-01-30", "UPDATED: 2024-01-30", "\tPosted at 2024/1/3",
    "Released", "on 2024-01-30", "x" * 90 + " updated on 2024-01-30",
    "[1", "]", "[", "1]", "[ 12 ]", "[CPC 1]", BODY + " [3]", "[\t1 ]" + BODY, "\x00",
    "a\x00", "\x00\x00", BODY + "\x00[1]", "\u3000[1]\u3000",
    ZH + "（完）", "（完", "）", "来源：新华社", "新华社北京3月5日电（记者张三、李四）" + ZH,
    "（图片来源：新华社）", "图源：新华社", "(圖片來源：x)", "版权所有 © 人民网", "记者 张三",
    "Café updated on 2024-01-30", "\u00a92024 Example", "Ünïcode Share", "［1］", "［",
    "Poſted on 2024-01-30", "Café publİshed: 2024-01-30", "x publıshed on 2024-01-30",
    "releaſed at 2024.1.2", "Ünï ALL RIGHTS RESERVED.", "ı" * 85 + " updated on 2024-01-30",
    "Title Line\n\n" + BODY, BODY + "\nSource: Xinhua", "(\n", "a\x00\nb", "\x00\n", "\n",
    "Share\n", ZH + "\n[\n1\n]", WIKISOURCE, WIKISOURCE.replace("\n", ""), "本作品公有领域。",
    # white space that Python's ``re`` sees and RE2 does not (``find_all`` searches one-line
    # ASCII texts with RE2): vertical tab, 0x1C-0x1F
    "Source:\x0bXinhua", "\x1cSource: Xinhua", "[\x1f1\x1d]", "Share\x1e", "By\x0bLi Si",
    "Text::CSV reads CSV files", "x" * 500 + " (Photo: Xinhua)",
]


def test_find_all_finds_what_find_boilerplate_finds():
    expected = [find_boilerplate(text) for text in EDGE_CASES]
    assert sum(map(bool, expected)) >= 45  # the test holds texts with spans
    assert find_all(EDGE_CASES) == expected
    assert find_all(EDGE_CASES[::-1]) == expected[::-1]
    assert find_all([]) == []


def test_every_ascii_rule_matches_an_edge_case():
    """``find_all`` searches one-line ASCII texts with a wider RE2 form of each ASCII rule
    (``_re2``); a new rule needs an edge case above for the tests to check that form."""
    one_line = [text for text in EDGE_CASES if text.isascii() and "\n" not in text]
    for kind, pattern in _ASCII_RULES.rules:
        assert any(pattern.search(text) for text in one_line), (kind, pattern.pattern)


def test_find_all_finds_what_find_boilerplate_finds_in_each_pair():
    """Each text next to each other (and itself): no match runs from one into the next."""
    found = {text: find_boilerplate(text) for text in EDGE_CASES}
    for first in EDGE_CASES:
        for second in EDGE_CASES:
            assert find_all([first, second]) == [found[first], found[second]], (first, second)


@pytest.mark.parametrize("before", [0, 1, 79, 80, 81, 120])
@pytest.mark.parametrize("indent", ["", "  ", "\t "])
def test_find_all_finds_dated_bylines_where_find_boilerplate_does(before, indent):
    """One-line texts look for the dated byline's word near their start first: the rule
    allows 80 characters before it (after leading white space), not 81."""
    texts = [f"{indent}{'x' * before} {word} on 2024-01-30{tail}"
             for word in ("Updated", "UPDATED", "POSTED", "released", "Published", "Publishedx")
             for tail in ("", " 10:00", "x" * 21)]
    expected = [find_boilerplate(text) for text in texts]
    assert find_all(texts) == expected
    assert any(expected) == (before < 80)


@pytest.mark.parametrize("before", [0, 1, 78, 79, 80, 81, 120])
@pytest.mark.parametrize("indent", ["", "  ", "\t "])
def test_find_all_finds_all_rights_reserved_where_find_boilerplate_does(before, indent):
    """... and for "All rights reserved", which may start 80 characters into the line
    (white space included), not 81."""
    texts = [f"{indent}{'x' * before}{words}{tail}"
             for words in ("All rights reserved", "ALL  RIGHTS\tRESERVED", "all rights")
             for tail in ("", ".", ". \t", " here")]
    expected = [find_boilerplate(text) for text in texts]
    assert find_all(texts) == expected
    assert any(expected) == (len(indent) + before <= 80)


def test_as_lower_lowers_as_re_ignores_case():
    """``find_all`` looks for some rules' words in lower-cased heads: every character that
    ``re``, ignoring case, matches to an ASCII letter must become that letter, and no
    character may change the length."""
    text = "".join(map(chr, range(0x110000)))
    assert len(_as_lower(text)) == len(text)
    for char in set(re.findall("(?i)[a-z]", text)):
        assert re.fullmatch(f"(?i){_as_lower(char)}", char), char
