import pandas as pd
import pytest

from nqpf import clean
from nqpf.cleaning_views import before_after, char_names, reveal, variant_forms
from nqpf.lexicon import Lexicon

LEXICON = Lexicon(pd.DataFrame({
    "term": ["nqpf", "nqpf", "hqd"],
    "variant": ["new quality productive forces", "new productive forces",
                "high-quality development"],
    "category": ["concept", "concept", "concept"],
}))


def _docs(*texts):
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": list(texts)})


@pytest.mark.parametrize(("text", "expected"), [
    ("plain text", "plain text"),
    ("a\u00a0b", "a[U+00A0]b"),
    ("\u25a0Title\n", "[U+25A0]Title[U+000A]"),
    ("\u201cquoted\u201d", "[U+201C]quoted[U+201D]"),
    ("tab\there", "tab[U+0009]here"),
    ("同志们：\n", "同志们[U+FF1A][U+000A]"),  # Han characters stay readable
    ("", ""),
])
def test_reveal(text, expected):
    assert reveal(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("abc", []),
    ("a\u00a0b\u00a0c\u25a0", [("\u00a0", "NO-BREAK SPACE", 2), ("\u25a0", "BLACK SQUARE", 1)]),
    ("\u4e28x", [("\u4e28", "CJK UNIFIED IDEOGRAPH-4E28", 1)]),
])
def test_char_names(text, expected):
    table = char_names(text)
    assert list(table.columns) == ["char", "name", "count"]
    assert list(table.itertuples(index=False, name=None)) == expected


@pytest.mark.parametrize(("texts", "pattern", "step", "width", "expected"), [
    # window cut at the match +- width, step applied to the window
    (["xx developmentIncrease yy"], clean.RUN_TOGETHER, clean.repair_run_together, 5,
     [("d0", 3, 14, "xx developmentIncre", "xx development. Incre")]),
    # window never crosses a line break
    (["Title\n\u25a0Body text\nnext"], "\u25a0", clean.normalize, 50,
     [("d0", 6, 7, "\u25a0Body text", "Body text")]),
    # one example per document, documents without a match give no row
    (["a\u00a0b a\u00a0b", "none", "c\u00a0d"], "\u00a0", clean.normalize, 1,
     [("d0", 1, 2, "a\u00a0b", "a b"), ("d2", 1, 2, "c\u00a0d", "c d")]),
])
def test_before_after(texts, pattern, step, width, expected):
    table = before_after(_docs(*texts), pattern, step, width=width)
    assert list(table.columns) == ["doc_id", "start", "end", "before", "after"]
    assert list(table.itertuples(index=False, name=None)) == expected


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"width": -1}, "width"),
    ({"per_doc": 0}, "per_doc"),
])
def test_before_after_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        before_after(_docs("a"), "a", str.upper, **kwargs)


@pytest.mark.parametrize(("texts", "term", "expected"), [
    (["New quality productive forces and new productive forces; new\u00a0productive\nforces."],
     "nqpf",
     [("d0", "new productive forces", "nqpf", 2),
      ("d0", "New quality productive forces", "nqpf", 1)]),
    (["high-quality development", "nothing here", "High-Quality Development twice "
      "High-Quality Development"], "hqd",
     [("d0", "high-quality development", "hqd", 1),
      ("d2", "High-Quality Development", "hqd", 2)]),
    (["no match"], "nqpf", []),
])
def test_variant_forms(texts, term, expected):
    table = variant_forms(_docs(*texts), term, lexicon=LEXICON)
    assert list(table.columns) == ["doc_id", "surface", "term", "count"]
    assert list(table.itertuples(index=False, name=None)) == expected


def test_variant_forms_unknown_term():
    with pytest.raises(ValueError, match="not a term"):
        variant_forms(_docs("x"), "nope", lexicon=LEXICON)
