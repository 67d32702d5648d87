import math
import re

import pandas as pd
import pytest

from nqpf.explore import (
    collocations,
    compile_pattern,
    corpus_stats,
    directive_profile,
    dispersion,
    frequencies,
    kwic,
    load_directives,
    term_pattern,
)
from nqpf.lexicon import Lexicon

PASSAGES = pd.DataFrame({
    "doc_id": ["d1", "d1", "d2"],
    "passage_id": [1, 2, 1],
    "tokens": [["economy", "new_quality_productive_forces", "economy"],
               ["innovation", "economy"],
               ["innovation", "innovation", "high_quality_development", "economy"]],
})
DOCS = pd.DataFrame({"doc_id": ["d1", "d2"], "text": ["one two three four", "five six"]})

# Raw text with a header (boilerplate), a variant split by a line break and a hyphenated one.
RAW = ("Source: People's Daily | new quality productive forces\n\n"
       "We must develop New Quality\nProductive Forces according to local conditions. "
       "The new-quality productive forces drive high-quality development, and new quality "
       "productive forces need talent.")
BODY = RAW.index("We must")
KWIC_DOCS = pd.DataFrame({"doc_id": ["a", "b"], "text": [RAW, "Nothing relevant here."]})
KWIC_PASSAGES = pd.DataFrame({
    "doc_id": ["a", "a", "b"], "passage_id": [1, 2, 1],
    "start": [BODY, RAW.index("The new"), 0], "end": [RAW.index(" The new"), len(RAW), 22],
})
NQPF = re.compile(r"new[\s-]+quality\s+productive\s+forces", re.IGNORECASE)


def test_corpus_stats_counts_corpus_types_over_the_whole_corpus():
    sentences = pd.DataFrame({"doc_id": ["d1", "d1", "d2"]})
    table = corpus_stats(DOCS, PASSAGES, sentences).set_index("doc_id")
    assert list(table.columns) == ["words", "sentences", "passages", "tokens", "types", "ttr"]
    assert table.loc["d1"].tolist() == [4, 2, 2, 5, 3, 3 / 5]
    assert table.loc["d2"].tolist() == [2, 1, 1, 4, 3, 3 / 4]
    # 4 distinct tokens overall, not 3 + 3
    assert table.loc["corpus"].tolist() == [6, 3, 3, 9, 4, 4 / 9]


def test_corpus_stats_without_sentences_and_with_an_empty_document():
    docs = pd.concat([DOCS, pd.DataFrame({"doc_id": ["d3"], "text": [""]})], ignore_index=True)
    table = corpus_stats(docs, PASSAGES).set_index("doc_id")
    assert "sentences" not in table.columns
    assert table.loc["d3", ["words", "passages", "tokens", "types"]].tolist() == [0, 0, 0, 0]
    assert math.isnan(table.loc["d3", "ttr"])


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("all", {"economy": 4, "innovation": 3, "new_quality_productive_forces": 1,
              "high_quality_development": 1}),
     ("words", {"economy": 4, "innovation": 3}),
     ("phrases", {"new_quality_productive_forces": 1, "high_quality_development": 1})],
)
def test_frequencies_by_kind(kind, expected):
    table = frequencies(PASSAGES, kind=kind)
    assert list(table.columns) == ["term", "count", "per_1000", "rank"]
    assert dict(zip(table["term"], table["count"], strict=True)) == expected
    # per 1,000 tokens of all kinds: 9 tokens in all
    assert table["per_1000"].tolist() == pytest.approx([c / 9 * 1000 for c in table["count"]])
    assert table["rank"].tolist() == sorted(table["rank"])


def test_frequencies_per_document_sum_to_1000_and_ties_share_rank():
    table = frequencies(PASSAGES, by="doc_id")
    assert list(table.columns) == ["doc_id", "term", "count", "per_1000", "rank"]
    assert table.groupby("doc_id")["per_1000"].sum().tolist() == pytest.approx([1000, 1000])
    d2 = table[table["doc_id"] == "d2"].set_index("term")
    assert d2.loc["innovation", "rank"] == 1
    assert d2.loc["economy", "rank"] == d2.loc["high_quality_development", "rank"] == 2


def test_frequencies_top_keeps_n_rows_per_group():
    table = frequencies(PASSAGES, by="doc_id", top=1)
    assert table[["doc_id", "term"]].values.tolist() == [["d1", "economy"], ["d2", "innovation"]]


def test_frequencies_per_10000_characters():
    passages = pd.DataFrame({"doc_id": ["a", "a", "b"],
                             "text": ["发展新质生产力", "推动 高质量发展。", "新质生产力"],
                             "tokens": [["发展", "new_quality_productive_forces"],
                                        ["推动", "high_quality_development"],
                                        ["new_quality_productive_forces"]]})
    table = frequencies(passages, by="doc_id", per="characters")
    assert list(table.columns) == ["doc_id", "term", "count", "per_10000_chars", "rank"]
    rates = table.set_index(["doc_id", "term"])["per_10000_chars"]
    assert rates["a", "发展"] == pytest.approx(1 / 15 * 10_000)  # 7 + 8 non-space characters
    assert rates["b", "new_quality_productive_forces"] == pytest.approx(1 / 5 * 10_000)
    with pytest.raises(ValueError, match="per must be one of"):
        frequencies(passages, per="words")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['text'\]"):
        frequencies(PASSAGES, per="characters")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"kind": "lemmas"}, "kind must be"), ({"by": "genre"}, "missing column"),
     ({"top": 0}, "top must be"),
     # B2: NaN groups would be dropped silently
     ({"by": "source"}, r"'source' has no value for 2 of 3 row\(s\).*fillna\('unknown'\)")],
)
def test_frequencies_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        frequencies(PASSAGES.assign(source=["a", None, float("nan")]), **kwargs)


@pytest.mark.parametrize("pattern", [NQPF, "new quality productive forces"])
def test_kwic_finds_every_raw_occurrence_with_exact_offsets(pattern):
    table = kwic(KWIC_DOCS, KWIC_PASSAGES, pattern, window=30)
    expected = len(compile_pattern(pattern).findall(RAW))
    assert expected == (4 if pattern is NQPF else 3)  # the plain string skips "new-quality"
    assert len(table) == expected
    assert list(table.columns) == ["doc_id", "passage_id", "start", "end", "left", "keyword",
                                   "right"]
    assert all(RAW[s:e] == k for s, e, k in zip(table["start"], table["end"], table["keyword"],
                                                strict=True))
    assert "New Quality\nProductive Forces" in table["keyword"].tolist()
    # the header hit is kept with passage_id <NA>; the others cite their passage
    assert pd.isna(table["passage_id"].iloc[0])
    assert table["passage_id"].iloc[1:].tolist() == [1] + [2] * (expected - 2)


def test_kwic_context_is_collapsed_and_cut_at_word_boundaries():
    table = kwic(KWIC_DOCS, KWIC_PASSAGES, NQPF, window=30)
    second = table.iloc[1]
    # 30 chars before: "...productive forces\n\nWe must develop "; "productive" would not fit
    assert second["left"] == "forces We must develop"
    assert second["right"] == "according to local conditions."
    last = table.iloc[-1]
    assert last["right"] == "need talent."  # end of text
    for column in ("left", "right"):
        assert table[column].str.len().max() <= 30
        assert not table[column].str.contains("\n").any()
    words = set(RAW.split())
    assert all(set(text.split()) <= words for text in table["left"] + " " + table["right"])


ZH_RAW = ("坚持创新在我国现代化建设全局中的核心地位。加快发展新质\n生产力，推动高质量发展。"
          "习\u3000近\u3000平指出，要因地制宜发展新质生产力and AI technology。")
ZH_DOCS = pd.DataFrame({"doc_id": ["zh"], "text": [ZH_RAW]})
ZH_PASSAGES = pd.DataFrame({"doc_id": ["zh"], "passage_id": [0], "start": [0],
                            "end": [len(ZH_RAW)]})


def test_kwic_in_chinese_has_character_windows_and_raw_offsets():
    table = kwic(ZH_DOCS, ZH_PASSAGES, "新质生产力", window=10)
    assert table["keyword"].tolist() == ["新质\n生产力", "新质生产力"]
    assert all(ZH_RAW[s:e] == k for s, e, k in zip(table["start"], table["end"], table["keyword"],
                                                   strict=True))
    assert table["left"].tolist() == ["的核心地位。加快发展", "指出，要因地制宜发展"]
    # a Latin word at the edge is not split: "and AI technology。" has 18 characters
    assert table["right"].tolist() == ["，推动高质量发展。习", "and AI"]
    # a Latin word cut at the edge goes, the Chinese characters after it stay
    mixed = pd.DataFrame({"doc_id": ["m"], "text": ["we use AI technology发展新质生产力"]})
    lines = kwic(mixed, ZH_PASSAGES.assign(doc_id="m"), "新质生产力", window=6)
    assert lines["left"].tolist() == ["发展"]
    # white space between Chinese characters (习　近　平) is dropped from the context
    assert kwic(ZH_DOCS, ZH_PASSAGES, "指出", window=6)["left"].tolist() == ["发展。习近平"]


@pytest.mark.parametrize(
    ("query", "hits"),
    [("习近平", ["习\u3000近\u3000平"]), ("新质生产力", ["新质\n生产力", "新质生产力"]),
     ("高质量发展", ["高质量发展"]), ("AI technology", ["AI technology"]),
     ("质生", ["质\n生", "质生"]), ("AI tech", [])],
)
def test_compile_pattern_chinese_query_spans_white_space(query, hits):
    found = compile_pattern(query).findall(ZH_RAW)
    assert found == hits


def test_simplified_query_finds_traditional_forms():
    text = "發展新質生產力，堅持創新。发展新质生产力"
    assert compile_pattern("新质生产力").findall(text) == ["新質生產力", "新质生产力"]
    docs = pd.DataFrame({"doc_id": ["t"], "text": [text]})
    passages = pd.DataFrame({"doc_id": ["t"], "passage_id": [0], "start": [0],
                             "end": [len(text)]})
    assert kwic(docs, passages, "坚持", window=4)[["left", "keyword", "right"]].values.tolist() \
        == [["生產力，", "堅持", "創新。发"]]


def test_term_pattern_does_not_inflect_chinese_words():
    pattern = term_pattern("高质量发展", lexicon=LEXICON)
    assert pattern.findall("高质量发展s 高质量发展ing") == ["高质量发展", "高质量发展"]


def test_kwic_without_hits_and_bad_pattern():
    assert kwic(KWIC_DOCS, KWIC_PASSAGES, "absent phrase").empty
    with pytest.raises(ValueError, match="pattern must be"):
        kwic(KWIC_DOCS, KWIC_PASSAGES, "  ")


LEXICON = Lexicon(pd.DataFrame({
    "term": ["new_quality_productive_forces"] * 2,
    "variant": ["new quality productive forces", "new productive forces"],
    "category": ["concept"] * 2,
}))


@pytest.mark.parametrize(
    ("term", "inflect", "text", "hits"),
    [("new_quality_productive_forces", True,
      "New-quality productive\nforces and new productive forces", 2),
     ("talent", True, "Talent, talents and talented people", 3),  # the rule is not a lemmatiser
     ("talent", False, "Talent, talents and talented people", 1),
     ("accelerate", True, "accelerates accelerated accelerating acceleration", 3),
     ("high_quality_development", True, "high quality development, high-quality developments",
      1),
     ("innovation", True, "innovation-driven innovations", 2)],
)
def test_term_pattern_matches_raw_forms_of_a_token(term, inflect, text, hits):
    pattern = term_pattern(term, lexicon=LEXICON, inflect=inflect)
    assert len(pattern.findall(text)) == hits


def test_term_pattern_rejects_empty_terms():
    with pytest.raises(ValueError, match="term must be"):
        term_pattern(" _ ", lexicon=LEXICON)


def test_dispersion_positions_are_relative_offsets():
    table = dispersion(KWIC_DOCS, {"nqpf": NQPF, "talent": "talent"})
    assert list(table.columns) == ["doc_id", "term", "start", "relative_position"]
    assert table["term"].value_counts().to_dict() == {"nqpf": 4, "talent": 1}
    assert table["relative_position"].between(0, 1).all()
    assert table["relative_position"].tolist() == pytest.approx(table["start"] / len(RAW))


# Tiny passage set for collocations; node "x", window 1.
# P1 positions: a0 x1 b2 c3 d4 e5 x6 f7 z8 -> span {0, 2, 5, 7}; P2: x0 b1 g2 -> span {1}.
# "z" ends P1 and would touch P2's "x" if windows crossed passages: it must not count.
COLLOCATION_PASSAGES = pd.DataFrame({"tokens": [
    ["a", "x", "b", "c", "d", "e", "x", "f", "z"], ["x", "b", "g"]]})


@pytest.mark.parametrize(
    ("window", "min_count", "observed"),
    [(1, 1, {"a": 1, "b": 2, "e": 1, "f": 1}),
     (1, 2, {"b": 2}),
     (2, 1, {"a": 1, "b": 2, "c": 1, "d": 1, "e": 1, "f": 1, "z": 1, "g": 1})],
)
def test_collocation_observed_counts(window, min_count, observed):
    table = collocations(COLLOCATION_PASSAGES, "x", window=window, min_count=min_count)
    assert dict(zip(table["collocate"], table["observed"], strict=True)) == observed


def test_collocation_statistics_by_hand():
    table = collocations(COLLOCATION_PASSAGES, "x", window=1, min_count=1).set_index("collocate")
    assert list(table.columns) == ["observed", "expected", "node_freq", "collocate_freq",
                                   "log_likelihood", "log_ratio", "npmi", "log_dice"]
    b = table.loc["b"]
    # N = 12 tokens - 3 node = 9; R1 = span size 5; C1(b) = 2; O11 = 2; E11 = 5*2/9 = 10/9
    assert (b.observed, b.node_freq, b.collocate_freq) == (2, 3, 2)
    assert b.expected == pytest.approx(10 / 9)
    # G2 = g2(2, 0, 5, 4) = 2 * 2 ln(2 / (10/9)) = 4 ln 1.8
    assert b.log_likelihood == pytest.approx(2.3511466596084762)
    # LR = log2((2/5) / (0.5/4)) = log2(3.2)
    assert b.log_ratio == pytest.approx(math.log2(3.2))
    # npmi = log2(2 / (10/9)) / -log2(2/9) = 0.847997 / 2.169925
    assert b.npmi == pytest.approx(0.3907954910843927)
    # log Dice = 14 + log2(2*2 / (3 + 2)) = 14 + log2 0.8
    assert b.log_dice == pytest.approx(13.678071905112638)
    assert table.index[0] == "b"  # sorted by log-likelihood


@pytest.mark.parametrize(("positive", "collocates"), [(False, {"b", "c"}), (True, {"b"})])
def test_collocation_positive_keeps_only_attracted_collocates(positive, collocates):
    # node x, window 1: span {b, b} -> b attracted (O 2 > E); c: O 1 < E 1.5 (c is everywhere)
    passages = pd.DataFrame({"tokens": [["b", "x", "b"], ["c", "x", "c", "c", "c", "c"]]})
    table = collocations(passages, "x", window=1, min_count=1, positive=positive)
    assert set(table["collocate"]) == collocates
    assert (table["observed"] > table["expected"]).all() or not positive


def test_collocation_overlapping_windows_count_each_position_once():
    passages = pd.DataFrame({"tokens": [["a", "x", "x", "b", "c", "d"]]})
    table = collocations(passages, "x", window=1, min_count=1).set_index("collocate")
    # span {0, 3}: R1 = 2, N = 4, C1(a) = 1 -> E11 = 2 * 1 / 4
    assert table["expected"].tolist() == [0.5, 0.5]
    assert set(table.index) == {"a", "b"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"node": "absent"}, "does not occur"), ({"node": "x", "measure": "mi"}, "measure must"),
     ({"node": "x", "window": 0}, "window must")],
)
def test_collocation_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        collocations(COLLOCATION_PASSAGES, **kwargs)


DIRECTIVE_TEXT = (
    "We must accelerate reform. It accelerates, accelerated and is ACCELERATING growth; "
    "acceleration is not counted. It is necessary to adhere to and keep adhering\nto the plan. "
    "We will further deepen and deepened reform, but the depth is unchanged. Needs to act."
)
FORMS = pd.DataFrame({
    "form": ["must", "accelerate", "it is necessary", "necessary to", "adhere to", "we will",
             "further", "deepen", "need to", "needs to"],
    "category": ["modal", "exhortative", "modal", "modal", "exhortative", "modal",
                 "exhortative", "exhortative", "modal", "modal"],
    "inflect": ["no", "yes", "no", "no", "yes", "no", "no", "yes", "no", "no"],
})


@pytest.mark.parametrize(
    ("form", "count"),
    [("must", 1), ("accelerate", 4), ("it is necessary", 1), ("necessary to", 0),
     ("adhere to", 2), ("we will", 1), ("further", 1), ("deepen", 2), ("need to", 0),
     ("needs to", 1)],
)
def test_directive_profile_counts(form, count):
    docs = pd.DataFrame({"doc_id": ["d"], "text": [DIRECTIVE_TEXT]})
    table = directive_profile(docs, forms=FORMS).set_index("form")
    assert table["count"].get(form, 0) == count
    if count:
        assert table.loc[form, "rate"] == pytest.approx(
            count / len(DIRECTIVE_TEXT.split()) * 1000)
        assert table.loc[form, "unit"] == "per 1,000 words"


def test_directive_profile_has_a_row_per_document_and_form_that_occurs():
    docs = pd.DataFrame({"doc_id": ["d", "e", "f"],
                         "text": [DIRECTIVE_TEXT, "", "Should we? We must, we must."]})
    table = directive_profile(docs, forms=["should", "must"])
    assert list(table.columns) == ["doc_id", "form", "category", "count", "rate", "unit"]
    assert table[["doc_id", "form", "count"]].values.tolist() == [
        ["d", "must", 1], ["f", "should", 1], ["f", "must", 2]]
    assert directive_profile(docs.iloc[1:2], forms=["must"]).empty


def test_project_directives_file_loads():
    table = load_directives()
    assert list(table.columns) == ["form", "category", "inflect"]
    assert {"must", "accelerate", "we will"} <= set(table["form"])
    assert set(table["category"]) == {"modal", "exhortative", "-"}
    assert table.set_index("form").loc["accelerate", "inflect"]
    assert {"要", "必须", "加快", "推动", "坚持", "深化", "加强", "着力", "统筹", "健全"} <= set(
        table["form"])


ZH_DIRECTIVES = ("我们要坚持和加强党的全面领导，必须加快构建新发展格局。这是重要任务，主要靠改革，"
                 "要求各地大力推动高质量发展，不得不深化改革。\n堅持改革！")
ZH_FORMS = pd.DataFrame({
    "form": ["要", "必须", "坚持", "加强", "加快", "推动", "大力", "深化", "不得", "must",
             "重要", "主要", "要求", "不得不"],
    "category": ["modal", "modal", "exhortative", "exhortative", "exhortative", "exhortative",
                 "exhortative", "exhortative", "modal", "modal", "-", "-", "-", "-"],
})


@pytest.mark.parametrize(
    ("form", "count"),
    [("要", 1), ("必须", 1), ("坚持", 2), ("加强", 1), ("加快", 1), ("推动", 1), ("大力", 1),
     ("深化", 1), ("不得", 0)],
)
def test_directive_profile_counts_chinese_forms_per_10000_characters(form, count):
    """要 counts once: not inside 重要, 主要 or 要求 (category "-"); 不得 not inside 不得不;
    the traditional 堅持 counts for 坚持."""
    docs = pd.DataFrame({"doc_id": ["zh"], "text": [ZH_DIRECTIVES]})
    table = directive_profile(docs, forms=ZH_FORMS).set_index("form")
    characters = len("".join(ZH_DIRECTIVES.split()))
    assert table["count"].get(form, 0) == count
    if count:
        assert table.loc[form, "rate"] == pytest.approx(count / characters * 10_000)
    assert set(table["unit"]) == {"per 10,000 characters"}
    assert "重要" not in table.index and "must" not in table.index


@pytest.mark.parametrize(
    ("language", "forms"),
    [(None, ["要", "坚持"]),  # detected: mostly Han characters
     ("zh", ["要", "坚持"]), ("mixed", ["要", "坚持", "must"]), ("en", ["must"]),
     ("other", ["must"])],
)
def test_directive_profile_forms_follow_the_document_language(language, forms):
    docs = pd.DataFrame({"doc_id": ["d"], "text": [ZH_DIRECTIVES + " We must."]})
    if language is not None:
        docs["language"] = language
    table = directive_profile(docs, forms=pd.DataFrame({"form": ["要", "坚持", "must", "重要"],
                                                        "category": ["m", "e", "m", "-"]}))
    assert table["form"].tolist() == forms


def test_directive_profile_of_english_documents_ignores_chinese_forms():
    docs = pd.DataFrame({"doc_id": ["d"], "text": [DIRECTIVE_TEXT]})
    english = directive_profile(docs, forms=FORMS)
    chinese = ZH_FORMS[ZH_FORMS["form"] != "must"]
    both = directive_profile(docs, forms=pd.concat([FORMS, chinese], ignore_index=True))
    pd.testing.assert_frame_equal(english, both)


@pytest.mark.parametrize(
    ("csv", "error", "message"),
    [(None, FileNotFoundError, "not found"),
     ("form,kind\nmust,modal\n", ValueError, "missing column"),
     ("form,category,inflect\nmust,modal,maybe\n", ValueError, "inflect must be"),
     ("form,category\nmust,modal\nMust,modal\n", ValueError, "duplicate"),
     ("form,category\n,modal\n", ValueError, "non-empty form"),
     ('form,category\n"must,modal\n', ValueError, "cannot read directives CSV"),
     ("", ValueError, "cannot read directives CSV")],
)
def test_load_directives_errors(tmp_path, csv, error, message):
    path = tmp_path / "directives.csv"
    if csv is not None:
        path.write_text(csv, encoding="utf-8")
    with pytest.raises(error, match=message):
        load_directives(path)


def test_study_corpus_integration():
    """KWIC over the study corpus finds every raw variant of the concept (incl. boilerplate)."""
    from nqpf import paths
    from nqpf.ingest import load_corpus
    from nqpf.lexicon import default_lexicon
    from nqpf.segment import passages_table

    docs = load_corpus(paths.RAW).docs
    passages = passages_table(docs)
    pattern = default_lexicon().variants_pattern("new_quality_productive_forces")
    table = kwic(docs, passages, pattern)
    assert len(table) == sum(len(pattern.findall(text)) for text in docs["text"]) > 0
    stats = corpus_stats(docs, passages).set_index("doc_id")
    assert stats.loc["corpus", "types"] < stats["types"].drop("corpus").sum()
    top = collocations(passages, "new_quality_productive_forces", min_count=3)
    assert (top["observed"] >= 3).all()


def test_corpus_stats_counts_chinese_words_as_loading_did():
    docs = pd.DataFrame({"doc_id": ["zh"], "text": ["加快发展新质生产力"], "n_words": [9]})
    passages = pd.DataFrame({"doc_id": ["zh"], "tokens": [["加快", "发展", "新质生产力"]]})
    assert corpus_stats(docs, passages).set_index("doc_id").loc["zh", "words"] == 9


@pytest.mark.parametrize(
    ("text", "forms", "counts"),
    [("我们要坚\n持改革", ["坚持"], [1]),  # a line break inside a word
     ("发展5G网络，建设5G网络", ["5G网络", "发展"], [2, 1]),  # a form mixing Han and Latin
     ("Debian must 要 be 坚持 here", ["要", "坚持", "must"], [1, 1, 1])],
)
def test_directive_profile_finds_chinese_forms_between_other_text(text, forms, counts):
    docs = pd.DataFrame({"doc_id": ["d"], "text": [text], "language": ["mixed"]})
    table = directive_profile(docs, forms=forms).set_index("form")
    assert table.loc[forms, "count"].tolist() == counts
