"""nqpf.chinese: folding, segmentation with the lexicon, Chinese tokens, stopwords."""

import unicodedata

import pandas as pd
import pytest

from nqpf import chinese, paths, tokenize
from nqpf.lexicon import default_lexicon
from nqpf.tokens import read_word_list, tokenize_all

CHINESE_VARIANTS = default_lexicon().matcher.chinese
# Each variant inside a sentence, between words it could be glued to.
SENTENCES = ["加快推进{}工作。", "我们坚持{}的方向，", "{}"]


@pytest.mark.parametrize(("variant", "term"), CHINESE_VARIANTS)
@pytest.mark.parametrize("sentence", SENTENCES)
def test_every_chinese_lexicon_variant_is_one_token(variant, term, sentence):
    tokens = tokenize(sentence.format(variant), language="zh")
    assert tokens.count(term) == 1, tokens


@pytest.mark.parametrize(
    "variant",
    ["新质生产力", "高质量发展", "关键核心技术", "科技创新", "现代化产业体系", "人才强国"])
def test_named_terms_are_in_the_lexicon(variant):
    assert variant in dict(CHINESE_VARIANTS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("加快发展新质生产力，推动高质量发展。",
         ["加快", "发展", "new_quality_productive_forces", "推动", "high_quality_development"]),
        # traditional characters are folded to simplified
        ("加快發展新質生產力，推動高質量發展。",
         ["加快", "发展", "new_quality_productive_forces", "推动", "high_quality_development"]),
        ("突破關鍵核心技術，建設現代化產業體系", ["突破", "key_core_technologies", "建设",
                                   "modern_industrial_system"]),
        # full-width letters, digits and punctuation
        ("发展ＡＩ和５Ｇ！人工智能（ＡＩ）", ["发展", "ai", "5g", "artificial_intelligence", "ai"]),
        ("“新质生产力”：２０２４年", ["new_quality_productive_forces"]),
        # mixed Chinese and English: both variants of a concept give one term; English
        # words keep their lemmas and stopwords
        ("发展new quality productive forces和新质生产力",
         ["发展", "new_quality_productive_forces", "new_quality_productive_forces"]),
        ("推动strategic emerging industries与战略性新兴产业的industries",
         ["推动", "strategic_emerging_industries", "strategic_emerging_industries", "industry"]),
        ("CPC和中国共产党, the Communist Party of China", ["cpc", "cpc", "cpc"]),
        # stopwords and punctuation dropped; directive forms kept
        ("我们要坚持和加强党的领导。", ["要", "坚持", "加强", "党的领导"]),
        ("", []),
        ("。，、", []),
        ("■两会丨CPPCC·代表", ["two_sessions", "cppcc", "代表"]),
        # characters spaced out one by one are one word (here a lexicon name)
        ("记者 习 近 平 报道", ["记者", "xi_jinping", "报道"]),
        ("发展 和 改革", ["发展", "改革"]),
    ],
)
def test_chinese_tokens(text, expected):
    assert tokenize(text, language="zh") == expected
    assert tokenize(text) == expected or not text.strip("。，、")  # detected as zh or mixed


@pytest.mark.parametrize(
    "text",
    ["加快发展新质生产力，推动高质量发展。", "發展ＡＩ與５Ｇ：“新質生產力”（２０２４）",
     "Ⅻ世纪的㈱公司，ﬁnance与①号", "丨CPPCC代表：“科技创新”……", "①②③ＡＢＣ　全角空格"],
)
def test_nfkc_per_word_gives_the_tokens_of_normalised_text(text):
    assert tokenize(text, language="zh") == tokenize(unicodedata.normalize("NFKC", text),
                                                     language="zh")


@pytest.mark.parametrize(
    ("text", "folded"),
    [("新質生產力", "新质生产力"), ("發展與臺灣", "发展与台湾"), ("新质生产力", "新质生产力"),
     ("plain English", "plain English"), ("", "")],
)
def test_fold(text, folded):
    assert chinese.fold(text) == folded


def test_normalize_full_width_and_traditional():
    assert chinese.normalize("ＡＩ與「新質生產力」，　２０２４") == 'AI与"新质生产力", 2024'


@pytest.mark.parametrize(
    ("text", "stretches"),
    [("发展5G和AI", [(2, 4), (5, 7)]), ("abc", [(0, 3)]), ("中文", []),
     ("12ab34cd中文", [(0, 8)]), ("２０２４年ＡＩ", [(5, 7)]), ("5G5G", [(0, 4)])],
)
def test_latin_stretches(text, stretches):
    assert chinese.latin_stretches(text) == stretches


def test_segment_keeps_user_words():
    assert chinese.segment("发展新质生产力") != ["发展", "新质生产力"]
    assert chinese.segment("发展新质生产力", ["新质生产力"]) == ["发展", "新质生产力"]


def test_tokenize_all_mixes_languages_and_workers():
    texts = ["加快发展新质生产力。", "New quality productive forces grow.", "推动AI发展"]
    expected = [tokenize(text) for text in texts]
    assert tokenize_all(texts) == expected
    assert tokenize_all(texts, languages=["zh", "en", "mixed"], n_jobs=2) == expected
    assert tokenize_all(pd.Series(texts), languages=pd.Series(["zh", "en", "zh"])) == expected


@pytest.mark.parametrize("bad", [{"language": "de"}, {"languages": ["zh"]}])
def test_bad_language_is_named(bad):
    with pytest.raises(ValueError, match="language"):
        if "language" in bad:
            tokenize("text", **bad)
        else:
            tokenize_all(["a", "b"], **bad)


def test_stopwords_keep_every_word_when_empty():
    assert "的" in tokenize("发展的道路", language="zh", stopwords=())
    assert "的" not in tokenize("发展的道路", language="zh")


STOPWORDS = chinese.default_stopwords()


@pytest.mark.parametrize(
    "directive", ["要", "必须", "加快", "推动", "坚持", "深化", "加强", "着力", "统筹", "健全",
                  "不得", "应当", "务必"])
def test_directive_forms_are_not_stopwords(directive):
    assert directive not in STOPWORDS


def test_directive_list_forms_are_not_stopwords():
    """Counted forms only: rows of category "-" (只要, 要是) are words that are not directive."""
    table = pd.read_csv(paths.LEXICON / "directives.csv")
    forms = set(table.loc[table["category"] != "-", "form"].str.strip())
    assert not forms & STOPWORDS


def test_stopword_file_names_its_source_and_licence():
    header = (paths.LEXICON / "stopwords_chinese.txt").read_text(encoding="utf-8")[:800]
    assert "stopwords-iso" in header.lower() and "MIT" in header
    assert len(read_word_list(paths.LEXICON / "stopwords_chinese.txt")) == 792
    assert {"的", "了", "和", "是", "在"} <= STOPWORDS
