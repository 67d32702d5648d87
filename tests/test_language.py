"""nqpf.language: script detection and word counts."""

import random

import pytest

from nqpf.language import (
    CHARS_PER_WORD,
    HAN,
    OTHER_WORD,
    _has_foreign,
    check_language,
    count_words,
    detect,
    profile,
    single_spaced,
    size_factor,
    size_range,
    size_unit,
)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("加快发展新质生产力，推动高质量发展。", "zh"),
        ("新質生產力是創新起主導作用的先進生產力質態。", "zh"),
        ("Developing new quality productive forces.", "en"),
        ("Caf\u00e9 na\u00efve r\u00e9sum\u00e9", "en"),
        ("\u4e28CPPCC " + "word " * 50, "en"),  # one separator-like ideograph in English text
        ("新质生产力新质生产力 (new quality productive forces)", "mixed"),
        ("习近平强调发展新质生产力 (new quality productive forces) 是推动高质量发展的内在要求",
         "mixed"),  # 26 characters (13 words) and 4 English words: 76% Chinese
        ("习近平强调，发展新质生产力 (new quality productive forces) 是推动高质量发展的内在要求"
         "和重要着力点，必须继续做好创新这篇大文章，推动新质生产力加快发展。", "zh"),
        ("Новые производительные силы", "other"),
        ("12345 ...", "other"),
        ("", "other"),
        ("ＡＩ", "en"),
    ],
)
def test_detect(text, language):
    assert detect(text) == language


@pytest.mark.parametrize("text", [
    "", "plain ASCII", "caf\u00e9 \u2014 \u201cquoted\u201d", "\u00aa", "\u00b2", "\u00bd",
    "\u00b5", "\u00d7\u00f7", "\u4e00", "\U00020000", "\u0416", "\u0301", "\uff21",
    "\u3000\u3001", "\ud800", "\u0660", "\u2160", "_\u0131",
])
def test_has_foreign_finds_what_the_searches_find(text):
    """``detect``'s quick test, character by character, agrees with searching the text."""
    assert _has_foreign(text) == bool(HAN.search(text) or OTHER_WORD.search(text))


def test_has_foreign_agrees_on_random_text():
    rng = random.Random(0)
    for _ in range(2000):
        text = "".join(chr(rng.choice([rng.randrange(0x80), rng.randrange(0x80, 0x3000),
                                       rng.randrange(0x110000)])) for _ in range(rng.randrange(8)))
        assert _has_foreign(text) == bool(HAN.search(text) or OTHER_WORD.search(text)), text


@pytest.mark.parametrize(
    ("text", "language", "n_words"),
    [
        ("Two words", "en", 2),
        ("加快发展新质生产力。", "zh", 9),
        ("发展 AI 和 5G，2024 年", "zh", 6),  # 发展 和 年 (4 characters) + AI 5G 2024
        ("发展，，AI", "mixed", 3),  # punctuation is no word
        ("加快发展", "en", 1),  # counted as the language says
    ],
)
def test_count_words(text, language, n_words):
    assert count_words(text, language) == n_words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Two words", True),
        ("新质 生产力", True),
        ("", True),
        ("Two  words", False),
        (" leading", False),
        ("trailing ", False),
        ("tab\tseparated", False),
        ("line\nbreak", False),
        ("no\u00a0break", False),
        ("ideographic\u3000space", False),
        ("file\x1cseparator", False),  # white space to str.split
        ("line\u2028separator", False),
    ],
)
def test_single_spaced(text, expected):
    assert single_spaced(text) is expected
    if expected:  # what it promises
        assert " ".join(text.split()) == text
        assert count_words(text, "en") == text.count(" ") + bool(text)


def test_size_factor():
    assert [size_factor(lang) for lang in ("zh", "mixed", "en", "other")] == [
        CHARS_PER_WORD, CHARS_PER_WORD, 1, 1]


@pytest.mark.parametrize(("languages", "unit"), [
    (["en", "other"], "words"), (["zh", "mixed"], "characters"),
    (["zh", "en"], "words (Chinese in characters)"), ([], "words"),
])
def test_size_unit(languages, unit):
    assert size_unit(languages) == unit


@pytest.mark.parametrize(("languages", "sizes"), [
    (["en"], "60-200 words"), (["zh"], "120-400 characters"),
    (["mixed", "other"], "60-200 words, 120-400 characters of Chinese"),
])
def test_size_range(languages, sizes):
    assert size_range(languages, 60, 200) == sizes


def test_check_language_names_the_choices():
    check_language(None)
    with pytest.raises(ValueError, match="'zh', 'en', 'mixed', 'other'"):
        check_language("chinese")


PROFILED = [
    "", " ", "a", "1", "  ", "a  b", " a", "a ", "a b c", "tab\tseparated", "line\nbreak",
    "bell\x07", "delete\x7f", "file\x1cseparator", "123 456", "Developing new forces.",
    "加快发展新质生产力，推动高质量发展。", "new quality 新质生产力 productive forces",
    "no\u00a0break", "ideographic\u3000space", "Новые производительные силы", "café au lait",
    "x" * 5000 + " y", "@[`{", "AZaz", "line\u2028separator",
]


@pytest.mark.parametrize("batch", [1, 3, 4096])
@pytest.mark.parametrize("order", [1, -1])
def test_profile_measures_as_one_text_at_a_time(monkeypatch, batch, order):
    monkeypatch.setattr("nqpf.language.ASCII_BATCH", batch)
    texts = PROFILED[::order]
    found = profile(texts)
    assert found.languages == [detect(text) for text in texts]
    assert found.spaced == [single_spaced(text) for text in texts]
    assert found.n_words == [count_words(text, detect(text)) for text in texts]


def test_profile_uses_the_languages_given():
    texts = ["加快发展 新质生产力", "new quality", "新质生产力 forces"]
    found = profile(texts, ["en", None, "zh"])
    assert found.languages == ["en", "en", "zh"]
    assert found.n_words == [count_words(texts[0], "en"), 2, count_words(texts[2], "zh")]
    with pytest.raises(ValueError, match="languages has 1 entries for 3 texts"):
        profile(texts, ["en"])
