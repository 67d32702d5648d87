import pytest
from reference import regex_normalize

from nqpf.clean import QUOTES, RUN_TOGETHER, normalize, repair_run_together, straight_quotes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\u25a0Notes on the Two Sessions", "Notes on the Two Sessions"),
        ("Forces \u4e28CPPCC Member", "Forces CPPCC Member"),
        ("\u201cNew\u201d and \u2018quality\u2019", "\"New\" and 'quality'"),
        ("new\u00a0quality  productive\tforces", "new quality productive forces"),
        ("three \u201c3\u201d s. \n\nThe first", 'three "3" s. The first'),
        ("\uff28\uff49\uff47\uff48\u2013level", "High-level"),  # full-width letters, en dash
        ("  \n  ", ""),
        ("一九八\u25cb年", "一九八〇年"),  # a circle for a zero in a Chinese numeral ...
        ("二\u25cb\u25cb\u25cb年，二\u25ef二\u25cb年", "二〇〇〇年,二〇二〇年"),  # NFKC: "，" ","
        ("\u25cb 发展 \u25cb一是", "发展 一是"),  # ... not a bullet
        ("五\u00b7七指示", "五 七指示"),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_normalize_keeps_newlines_on_request():
    assert normalize("a  \n\n  b", keep_newlines=True) == "a\nb"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("industrialization developmentIncrease investment",
         "industrialization development. Increase investment"),
        ("operation modelsVigorously develop", "operation models. Vigorously develop"),
        ("the iPhone and McDonald and YouTube", "the iPhone and McDonald and YouTube"),
        ("Government Work Report", "Government Work Report"),
        ("abcdEfg abcEfg abcdEf wordsAndMoreWordsHere",
         "abcd. Efg abcEfg abcdEf words. AndMoreWordsHere"),
        ("RewriteMap, PowerPoint and PackageKit", "RewriteMap, PowerPoint and PackageKit"),
    ],
)
def test_repair_run_together(raw, expected):
    assert repair_run_together(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "", "abcdEfg", "abcEfg", "abcdEf", "abcdEFg", "ABCDefg", "aaaaBbbbCcc", "aaaaBbbbbCcc",
        "abcd Efg", "abcd-Efg", "abcd1Efg", "abcd_Efg", "xx developmentIncrease yy",
        "abcdEfg|hijkLmnop", "Efgh abcdEfgh", "abcd\nEfg", "wordsAndMoreWordsHere", "RewriteMap",
        # non-ASCII: only ASCII letters count
        "caf\u00e9abcdEfg", "abc\u00e9Efg", "abcd\u00c9fg", "abcdE\u00e9g", "\u4e2dabcdEfg\u4e2d",
    ],
)
def test_repair_run_together_equals_the_regex(raw):
    assert repair_run_together(raw) == RUN_TOGETHER.sub(r"\1. ", raw)


@pytest.mark.parametrize(
    "raw",
    ["", "plain 'ASCII' \"text\"", "".join(map(chr, QUOTES)) * 2,
     "\u201cNew\u201d and \u2018quality\u2019 \u300cx\u300d \u00e9\u2032\u2033 \u201e"],
)
def test_straight_quotes_equals_translate(raw):
    assert straight_quotes(raw) == raw.translate(QUOTES)


@pytest.mark.parametrize("keep_newlines", [False, True])
@pytest.mark.parametrize(
    "raw",
    [
        "plain ASCII text,  with\ttabs\r\nand | bars  ",
        "\u00a0no-break\u3000ideographic\u2002en space\x1cfile separator\x85next line",
        "\u201cquoted\u201d \u2014 dash \u25a0 bullet\n\n  \u4e28 \uff21\uff22 full width",
        "\u25cb 一九八\u25cb年 \u25cb\u25cb",
        "\n\n",
        "",
    ],
)
def test_normalize_equals_the_regex_pipeline(raw, keep_newlines):
    assert normalize(raw, keep_newlines=keep_newlines) == regex_normalize(raw, keep_newlines)
