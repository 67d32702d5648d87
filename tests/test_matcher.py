import pickle
import re
import string
import subprocess
import sys

import pandas as pd
import pytest

from nqpf.lexicon import Lexicon, default_lexicon
from nqpf.matcher import ASCII_WORD, TWINS, VariantMatcher, ascii_only, ascii_words


@pytest.fixture(scope="module")
def matcher():
    return default_lexicon().matcher


def test_matcher_describes_the_lexicon(matcher):
    lexicon = default_lexicon()
    assert matcher.terms == set(lexicon.terms)
    is_chinese = lexicon.table["variant"].str.contains("[\u4e00-\u9fff]")
    assert len(matcher.runs) == len(set(lexicon.table.loc[~is_chinese, "variant"].str.lower()
                                        .str.replace("-", " ")))
    assert sorted(matcher.chinese) == sorted(
        lexicon.table.loc[is_chinese, ["variant", "term"]].itertuples(index=False, name=None))
    assert {"productive", "quality"} <= set().union(*matcher.runs)
    assert set(matcher.phrases) <= set().union(*matcher.runs)
    assert sorted(phrase for phrases in matcher.phrases.values() for phrase in phrases) == sorted(
        f" {' '.join(runs)} " for runs in matcher.runs)
    assert matcher.prunes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("New quality productive forces grow.", "new_quality_productive_forces grow."),
        ("new-quality\u00a0productive forces", "new_quality_productive_forces"),
        ("renewed productive forces", "renewed productive forces"),
    ],
)
def test_apply(matcher, text, expected):
    assert matcher.apply(text) == expected == default_lexicon().apply(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        (" \t\n ", []),
        ("Hello, World!", ["hello", "world"]),
        ("high-level e-mail", ["high", "level", "e", "mail"]),
        ("China's CHINA'S don't", ["china", "s", "china", "s", "don", "t"]),
        ("3.5 20th 1980s x86_64 i386", ["3", "5", "20th", "1980s", "x86_64", "i386"]),
        ("foo_bar Foo_Bar_Baz", ["foo_bar", "foo_bar_baz"]),
        ("_foo foo_ _foo_ _ __", ["foo", "foo", "foo"]),  # leading/trailing "_" split
        ("foo__bar a___b", ["foo", "bar", "a", "b"]),  # "__" splits
        ("__init__.py A_B-c", ["init", "py", "a_b", "c"]),
        ("new|productive (GNU/Linux) C++", ["new", "productive", "gnu", "linux", "c"]),
        ("\x00\x1f~\x7f", []),
    ],
)
def test_ascii_words(text, expected):
    assert ascii_words(text) == expected == ASCII_WORD.findall(text.lower())


def test_ascii_words_are_regex_words_on_every_ascii_character():
    text = "".join(map(chr, range(128))) * 2 + "a_b_ _c__d_1"
    assert ascii_words(text) == ASCII_WORD.findall(text.lower())


def test_ascii_only():
    assert ascii_only("caf\u00e9 \u4e2d\u56fd\U0001f600 x") == "caf? ??? x"


def test_twins_are_the_only_non_ascii_characters_regexes_match_with_ascii_letters():
    non_ascii = "".join(map(chr, [*range(0x80, 0xD800), *range(0xE000, 0x110000)]))
    letters = string.ascii_letters + string.digits
    assert set(re.findall("(?i)[a-z0-9]", non_ascii)) == set(map(chr, TWINS))
    assert set(re.findall(f"(?i)[{re.escape(non_ascii)}]", letters)) == set("iksIKS")
    for twin, letter in TWINS.items():
        assert sorted(re.findall(f"(?i){chr(twin)}", letters)) == [chr(letter).upper(),
                                                                   chr(letter)]


@pytest.mark.parametrize(
    ("text", "may_match"),
    [
        ("", False),
        ("a plain sentence about software", False),
        ("renewed productive forces", False),  # "new" only inside a longer word
        ("forces that are new and productive", False),  # all words, not one after another
        ("productive forces, new", False),
        ("new productive forces", True),
        ("New-Productive \n forces.", True),
        ("the big data", True),  # at the end
        ("Big data at the start", True),
        ("new, productive forces", True),  # consecutive words: the regex decides (no match)
        ("x_new productive forces", False),  # "_" is no word boundary
        ("new productive forces_x", False),
        ("Chinese People's Political Consultative Conference", True),
        # non-ASCII text: its ASCII words
        ("NEW-Productive\u00a0forces", True),
        ("Chinese People\u2019s Political Consultative Conference", True),
        ("caf\u00e9 and productive forces", False),
        ("caf\u00e9 and new productive forces", True),
        ("\u4e2d\u56fdnew productive forces\u4e2d", True),  # CJK: word boundaries
        ("\u00e9new productive forces", True),  # é is no boundary: the regex decides
        # twins, ASCII letters to the regex: always True
        ("two \u017fe\u017f\u017fions", True),
        ("\u212anew productive forces", True),
        ("\u0131 \u0130", True),
    ],
)
def test_may_match(matcher, text, may_match):
    assert matcher.may_match(text) is may_match
    if text.isascii():
        assert matcher.may_match(text, ascii_words(text)) is may_match
    if not may_match:
        assert matcher.apply(text) == text


@pytest.mark.parametrize(
    "text",
    ["new productive forces", "New-Productive\u00a0forces", "\u4e2dnew productive forces",
     "Two \u017fe\u017f\u017fions", "\u212aey core technologies"],
)
def test_may_match_where_the_regex_matches(matcher, text):
    assert matcher.apply(text) != text
    assert matcher.may_match(text)


def lexicon_of(variants: dict[str, str]) -> Lexicon:
    """A lexicon of ``{term: variant}``."""
    return Lexicon(pd.DataFrame({"term": list(variants), "variant": list(variants.values()),
                                 "category": "test"}))


@pytest.fixture(scope="module")
def odd_matcher():
    """Variants with "_", digits, apostrophes, twins and non-ASCII letters."""
    return lexicon_of({"x_ray": "x_ray scan", "g5": "5g network", "lets": "let's go",
                       "se": "se\u017fsion", "cafe": "caf\u00e9 culture",
                       "kelvin": "\u212aelvin scale"}).matcher


@pytest.mark.parametrize(
    ("text", "may_match"),
    [
        ("an x_ray scan", True), ("X_RAY scan.", True), ("an x ray scan", False),
        ("x_ray_scan", False), ("x_ray scan_", True),  # the regex decides: no match
        ("5G network", True), ("5 g network", False), ("a 5g-network", True),
        ("LET'S go", True), ("let\u2019s go", True), ("let s go", True), ("lets go", False),
        ("Session", True), ("se\u017fsion", True), ("sessions", False), ("se sion", False),
        ("CAF\u00c9 culture", True), ("caf culture", True), ("cafe culture", False),
        ("kelvin scale", True), ("\u212aelvin scale", True), ("elvin scale", False),
        ("plain text", False), ("", False),
    ],
)
def test_may_match_odd_variants(odd_matcher, text, may_match):
    assert odd_matcher.prunes
    assert odd_matcher.may_match(text) is may_match
    if not may_match:
        assert odd_matcher.apply(text) == text


def test_variant_without_ascii_words_rules_out_no_text():
    matcher = lexicon_of({"cuo": "\u00e7\u00f6", "cafe": "caf\u00e9"}).matcher
    assert not matcher.prunes
    assert matcher.may_match("plain text")
    assert matcher.apply("\u00c7\u00d6 text") == "cuo text"


def test_chinese_variants_go_to_the_chinese_pipeline():
    matcher = lexicon_of({"zhongguo": "\u4e2d\u570b", "cafe": "caf\u00e9"}).matcher
    assert matcher.chinese == (("\u4e2d\u56fd", "zhongguo"),)  # folded to simplified
    assert matcher.prunes and not matcher.may_match("\u4e2d\u56fd text")
    assert matcher.apply("\u4e2d\u56fd text") == "\u4e2d\u56fd text"
    assert matcher.terms == {"zhongguo", "cafe"}


def test_matcher_pickles_and_loads_without_pandas(matcher):
    data = pickle.dumps(matcher)
    assert pickle.loads(data) == matcher
    code = ("import pickle, sys; m = pickle.loads(sys.stdin.buffer.read()); "
            "print(m.apply('new productive forces'), 'pandas' in sys.modules, "
            "'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True,
                         check=True).stdout.decode().split()
    assert out == ["new_quality_productive_forces", "False", "False"]


def test_from_variants_runs_and_phrases():
    matcher = VariantMatcher.from_variants(
        re.compile("(a b)|(c)"), ["ab", "c", "d", "e"],
        ["Alpha beta", "gamma", "beta-alpha go", "pi_r's \u017fquare\u00b2"])
    assert matcher.runs == (("alpha", "beta"), ("gamma",), ("beta", "alpha", "go"),
                            ("pi_r", "s", "square"))
    assert matcher.phrases == {"alpha": (" alpha beta ", " beta alpha go "),
                               "gamma": (" gamma ",), "square": (" pi_r s square ",)}
    assert matcher.prunes
