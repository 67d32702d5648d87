import pickle
import re
import subprocess
import sys

import pytest

from nqpf.lexicon import default_lexicon
from nqpf.matcher import VariantMatcher
from nqpf.tokens import WORD


@pytest.fixture(scope="module")
def matcher():
    return default_lexicon().matcher


def test_matcher_describes_the_lexicon(matcher):
    lexicon = default_lexicon()
    assert matcher.terms == set(lexicon.terms)
    assert len(matcher.runs) == len(set(lexicon.table["variant"].str.lower()
                                        .str.replace("-", " ")))
    assert {"productive", "quality"} <= set().union(*matcher.runs)
    assert matcher.anchors <= set().union(*matcher.runs)


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
    ("text", "may_match"),
    [
        ("a plain sentence about software", False),
        ("renewed productive forces", False),  # "new" only inside a longer word
        ("forces that are new and productive", True),  # all words occur: the regex decides
        ("NEW-Productive\u00a0forces", True),  # not ASCII: always the regex
    ],
)
def test_may_match(matcher, text, may_match):
    assert matcher.may_match(text, WORD.findall(text.lower())) is may_match
    if not may_match:
        assert matcher.apply(text) == text


def test_matcher_pickles_and_loads_without_pandas(matcher):
    data = pickle.dumps(matcher)
    assert pickle.loads(data) == matcher
    code = ("import pickle, sys; m = pickle.loads(sys.stdin.buffer.read()); "
            "print(m.apply('new productive forces'), 'pandas' in sys.modules, "
            "'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True,
                         check=True).stdout.decode().split()
    assert out == ["new_quality_productive_forces", "False", "False"]


def test_from_variants_runs_and_anchors():
    matcher = VariantMatcher.from_variants(re.compile("(a b)|(c)"), ["ab", "c"],
                                           ["Alpha beta", "gamma"])
    assert matcher.runs == (frozenset({"alpha", "beta"}), frozenset({"gamma"}))
    assert matcher.anchors == {"alpha", "gamma"}
