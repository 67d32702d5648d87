import numpy as np
import pandas as pd
import pytest
from reference import dict_shared_ngrams
from scipy import sparse

from nqpf.reuse import (
    NGRAM_COLUMNS,
    content_words,
    join_words,
    shared_ngrams,
    shared_sentences,
    similar_pairs,
    surface_words,
)

SLOGAN = "accelerate the formation of new quality productive forces"

# The slogan in three documents (twice in "a"), each time amid different filler; "a" also
# repeats a sentence of its own in two passages, which must not be reported.
DOCS = {
    "a": [
        f"Provincial leaders said they would {SLOGAN.title()}, while the provincial bureau "
        "issued its annual plan for coastal ports.",
        f"Engineers in Hefei will {SLOGAN} through quantum laboratories. Again the "
        "provincial bureau issued its annual plan for coastal ports.",
    ],
    "b": [
        f"Delegates agreed that cities must {SLOGAN}; rural counties will follow with "
        "farmland reform.",
        "Nothing in this passage echoes any other document at all.",
    ],
    "c": [
        f"To {SLOGAN.upper()} is the task; venture funds back robotics startups.",
    ],
}


def make_passages(docs: dict[str, list[str]]) -> pd.DataFrame:
    """A passages table (offsets into a raw text made of passages separated by blank lines)."""
    rows = []
    for doc_id, texts in docs.items():
        start = 0
        for passage_id, text in enumerate(texts, start=1):
            rows.append((doc_id, passage_id, start, start + len(text), text))
            start += len(text) + 2
    return pd.DataFrame(rows, columns=["doc_id", "passage_id", "start", "end", "text"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("High-quality   development.", ["high", "quality", "development"]),
        ("\u201cNew\u201d QUALITY, productive_forces!", ["new", "quality", "productive", "forces"]),
        ("China's 2024 plan", ["china", "s", "2024", "plan"]),
        ("加快发展新质生产力，推动AI技术。", ["加", "快", "发", "展", "新", "质", "生", "产", "力",
                                              "推", "动", "ai", "技", "术"]),
        ("堅持ＡＩ", ["坚", "持", "ai"]),  # full-width letters normalised, traditional folded
    ],
)
def test_surface_words(text, expected):
    assert surface_words(text) == expected


@pytest.mark.parametrize("n", [3, 5, 8])
def test_shared_ngrams_finds_planted_slogan_once(n):
    table = shared_ngrams(make_passages(DOCS), n=n)
    assert list(table.columns) == NGRAM_COLUMNS
    assert table.to_dict("records") == [{
        "ngram": SLOGAN, "n_words": 8, "n_docs": 3, "n_occurrences": 4,
        "doc_ids": "a; b; c", "passages": "a:1; a:2; b:1; c:1",
    }]


@pytest.mark.parametrize(
    ("n", "min_docs", "expected_ngrams"),
    [
        (9, 2, []),  # the slogan is eight words long
        (5, 3, [SLOGAN]),
        (5, 4, []),  # only three documents use it
    ],
)
def test_shared_ngrams_thresholds(n, min_docs, expected_ngrams):
    table = shared_ngrams(make_passages(DOCS), n=n, min_docs=min_docs)
    assert table["ngram"].tolist() == expected_ngrams
    assert list(table.columns) == NGRAM_COLUMNS


def test_shared_ngrams_ignores_phrases_of_one_document():
    passages = make_passages(DOCS)
    table = shared_ngrams(passages, n=4)
    assert (table["n_docs"] >= 2).all()
    assert not table["ngram"].str.contains("bureau").any()


@pytest.mark.parametrize(
    ("docs", "expected"),
    [
        # "a" and "b" quote a longer form; "c" only the core: two rows, the core in three
        # documents, the long form in two.
        (
            {"a": [f"Firms {SLOGAN} and promote high quality development now."],
             "b": [f"Provinces {SLOGAN} and promote high quality development soon."],
             "c": [f"Cities {SLOGAN} with robots."]},
            [(SLOGAN, 3, "a; b; c"),
             (f"{SLOGAN} and promote high quality development", 2, "a; b")],
        ),
        # Two different shared phrases in one sentence of "a" stay two rows.
        (
            {"a": [f"Firms {SLOGAN} and then build a modern industrial system today."],
             "b": [f"Provinces {SLOGAN} soon."],
             "c": ["Cities build a modern industrial system with robots."]},
            [(SLOGAN, 2, "a; b"), ("build a modern industrial system", 2, "a; c")],
        ),
        # The core also appears a second time in the same passages without "must": still
        # one row, for the longer phrase.
        (
            {"a": [f"Firms must {SLOGAN}. Also we {SLOGAN} quickly."],
             "b": [f"Cities must {SLOGAN} now."]},
            [(f"must {SLOGAN}", 2, "a; b")],
        ),
    ],
)
def test_shared_ngrams_overlap_merging(docs, expected):
    table = shared_ngrams(make_passages(docs), n=4)
    assert list(table[["ngram", "n_docs", "doc_ids"]].itertuples(index=False, name=None)) \
        == expected


@pytest.mark.parametrize(
    ("options", "message"),
    [({"n": 0}, "n must be"), ({"min_docs": 1}, "min_docs"),
     ({"min_content_words": -1}, "min_content_words")],
)
def test_shared_ngrams_bad_options(options, message):
    with pytest.raises(ValueError, match=message):
        shared_ngrams(make_passages(DOCS), **options)


def test_shared_ngrams_missing_column():
    with pytest.raises(ValueError, match="missing column"):
        shared_ngrams(pd.DataFrame({"doc_id": ["a"], "text": ["x"]}))


SENTENCE = ("The government will steadily advance the construction of a modern industrial "
            "system and cultivate emerging industries of strategic importance across the "
            "whole country this year.")
FILLER = {
    "a": "Officials in Anhui reviewed the budget for provincial highways and bridges.",
    "b": "Reporters from Beijing asked about the quota for imported soybeans and corn.",
    "c": "Scientists in Chengdu presented a new vaccine for giant pandas in the reserve.",
}


def near_pair_docs(variant: str) -> dict[str, list[str]]:
    return {
        "a": [f"{FILLER['a']} {SENTENCE}"],
        "b": [FILLER["b"], f"It was said that. {variant} {FILLER['b']}"],
        "c": [FILLER["c"]],
    }


@pytest.mark.parametrize(
    ("variant", "threshold", "expected_pairs", "low", "high"),
    [
        (SENTENCE.replace("steadily", "firmly"), 0.8, 1, 0.8, 0.99),  # one word changed
        (SENTENCE.replace("steadily", "firmly"), 0.99, 0, None, None),
        (SENTENCE.upper(), 0.8, 1, 1.0, 1.0),  # same words, different case
        (SENTENCE.replace("modern industrial system", "green energy network"), 0.8, 0,
         None, None),
    ],
)
def test_shared_sentences_near_identical_pair(variant, threshold, expected_pairs, low, high):
    passages = make_passages(near_pair_docs(variant))
    table = shared_sentences(passages, threshold=threshold)
    assert len(table) == expected_pairs
    if expected_pairs:
        row = table.iloc[0]
        assert (row["doc_id_a"], row["passage_id_a"], row["doc_id_b"], row["passage_id_b"]) \
            == ("a", 1, "b", 2)
        assert low <= row["similarity"] <= high
        raw_b = "\n\n".join(near_pair_docs(variant)["b"])
        assert raw_b[row["start_b"]:row["end_b"]] == row["text_b"] == variant
        assert row["text_a"] == SENTENCE


def test_shared_sentences_accepts_sentences_table_and_skips_same_document():
    sentences = pd.DataFrame({
        "doc_id": ["a", "a", "b"],
        "sentence_id": [1, 2, 1],
        "start": [0, 200, 0],
        "end": [len(SENTENCE), 200 + len(SENTENCE), len(SENTENCE)],
        "text": [SENTENCE, SENTENCE, SENTENCE],
    })
    table = shared_sentences(sentences)
    assert list(table.columns) == [
        "doc_id_a", "sentence_id_a", "start_a", "end_a", "doc_id_b", "sentence_id_b",
        "start_b", "end_b", "similarity", "text_a", "text_b"]
    assert list(table[["sentence_id_a", "doc_id_b"]].itertuples(index=False, name=None)) \
        == [(1, "b"), (2, "b")]
    alone = shared_sentences(sentences[sentences["doc_id"] == "a"])
    assert alone.empty and list(alone.columns) == list(table.columns)
    assert (table["doc_id_a"] == "a").all()


@pytest.mark.parametrize(
    ("table", "options", "message"),
    [
        (pd.DataFrame({"doc_id": ["a"], "text": ["x"]}), {}, "missing column"),
        (make_passages(DOCS), {"threshold": 0}, "threshold"),
    ],
)
def test_shared_sentences_bad_input(table, options, message):
    with pytest.raises(ValueError, match=message):
        shared_sentences(table, **options)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["at", "the", "same", "time"], 1),
        (["new", "quality", "productive", "forces"], 4),
        (["it", "is", "also", "said"], 0),  # "also", "said": domain stopwords
        ([], 0),
    ],
)
def test_content_words(words, expected):
    assert content_words(words) == expected


FILLER_PHRASE = "at the same time it is also necessary to"


@pytest.mark.parametrize(
    ("min_content_words", "expected_ngrams"),
    [
        (0, [SLOGAN, f"{FILLER_PHRASE} plan"]),
        (3, [SLOGAN, f"{FILLER_PHRASE} plan"]),  # content words: time, necessary, plan
        (4, [SLOGAN]),
        (6, [SLOGAN]),  # accelerate, formation, new, quality, productive, forces
        (7, []),
    ],
)
def test_shared_ngrams_min_content_words(min_content_words, expected_ngrams):
    docs = {
        "a": [f"Leaders {SLOGAN}. Then {FILLER_PHRASE} plan ports."],
        "b": [f"Cities {SLOGAN}; but {FILLER_PHRASE} plan farms."],
    }
    table = shared_ngrams(make_passages(docs), n=5, min_content_words=min_content_words)
    assert sorted(table["ngram"]) == sorted(expected_ngrams)


@pytest.mark.parametrize(
    ("words", "text"),
    [(["high", "quality"], "high quality"), (["推", "动", "ai", "technology"], "推动ai technology"),
     (["新", "质"], "新质"), ([], "")],
)
def test_join_words(words, text):
    assert join_words(words) == text


ZH_SLOGAN = "坚持以经济建设为中心"  # 10 characters
ZH_DOCS = {
    "十三大": [f"我们必须{ZH_SLOGAN}，发展生产力。", "其他内容与别的报告无关。"],
    "十四大": [f"全党{ZH_SLOGAN}不动摇，加快改革开放。"],
    "十五大": [f"始终{ZH_SLOGAN}，推进现代化建设。"],
}


@pytest.mark.parametrize(("n", "found"), [(3, True), (5, True), (6, False)])
def test_shared_ngrams_compares_chinese_by_character(n, found):
    """A Chinese passage's sequences are 2n characters long; the slogan has 10 characters
    (grown to the shared "坚持以经济建设为中心")."""
    table = shared_ngrams(make_passages(ZH_DOCS), n=n)
    expected = [{"ngram": ZH_SLOGAN, "n_words": 10, "n_docs": 3, "n_occurrences": 3,
                 "doc_ids": "十三大; 十五大; 十四大", "passages": "十三大:1; 十四大:1; 十五大:1"}]
    assert table.to_dict("records") == (expected if found else [])


def test_shared_sentences_in_chinese():
    docs = {"a": ["我们要坚持以经济建设为中心，推动高质量发展。"],
            "b": ["我们要坚持以经济建设为中心，推动高质量发展！"],
            "c": ["这句话完全不同，讲的是别的事情。"]}
    table = shared_sentences(make_passages(docs), min_sentence_words=8)
    assert table[["doc_id_a", "doc_id_b", "similarity"]].values.tolist() == [["a", "b", 1.0]]


def brute_force_pairs(sets, threshold, groups):
    """Every pair with Jaccard >= threshold and different groups, by comparing all pairs."""
    rows = [set(np.flatnonzero(row)) for row in sets]
    found = []
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            union = len(rows[i] | rows[j])
            score = len(rows[i] & rows[j]) / union if union else 0.0
            if groups[i] != groups[j] and score >= threshold:
                found.append((i, j, score))
    return found


@pytest.mark.parametrize("threshold", [0.2, 0.4, 0.8, 1.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_similar_pairs_equals_all_pairs(threshold, seed):
    rng = np.random.default_rng(seed)
    base = rng.random((12, 30)) < 0.3
    sets = np.vstack([base, base ^ (rng.random((12, 30)) < 0.08), base[:3]])  # near copies
    groups = rng.integers(0, 4, len(sets))
    first, second, jaccard = similar_pairs(sparse.csr_array(sets.astype(int)), threshold, groups)
    expected = brute_force_pairs(sets, threshold, groups)
    assert expected  # the planted near copies
    assert list(zip(first.tolist(), second.tolist(), strict=True)) == [e[:2] for e in expected]
    assert jaccard.tolist() == pytest.approx([e[2] for e in expected])


@pytest.mark.parametrize("seed", range(4))
def test_similar_pairs_with_one_large_group(seed):
    """Most rows in one group (a long document): its rows are not candidates of one another,
    the pairs across groups are found as by comparing all pairs."""
    rng = np.random.default_rng(seed)
    base = rng.random((40, 30)) < 0.3
    sets = np.vstack([base, base ^ (rng.random((40, 30)) < 0.05)])
    groups = np.where(rng.random(len(sets)) < 0.9, "long", [f"d{i}" for i in range(len(sets))])
    first, second, _ = similar_pairs(sparse.csr_array(sets.astype(int)), 0.6, groups)
    expected = brute_force_pairs(sets, 0.6, groups)
    assert expected  # near copies across groups
    assert list(zip(first.tolist(), second.tolist(), strict=True)) == [e[:2] for e in expected]
    alone = similar_pairs(sparse.csr_array(sets.astype(int)), 0.6, np.zeros(len(sets)))
    assert all(len(part) == 0 for part in alone)


def test_similar_pairs_with_empty_rows():
    sets = np.array([[1, 1, 0, 1], [0, 0, 0, 0], [1, 1, 0, 1], [0, 0, 0, 0], [1, 0, 1, 1]])
    first, second, jaccard = similar_pairs(sparse.csr_array(sets), 0.5, np.arange(5))
    assert list(zip(first.tolist(), second.tolist(), jaccard.tolist(), strict=True)) == [
        (0, 2, 1.0), (0, 4, 0.5), (2, 4, 0.5)]


@pytest.mark.parametrize("max_pairs, block_rows", [(1, 1), (5, 2), (7, 256)])
def test_similar_pairs_stops_at_max_pairs(max_pairs, block_rows):
    sets = sparse.csr_array(np.ones((10, 4), dtype=int))  # 10 identical rows: 45 pairs
    first, second, _ = similar_pairs(sets, 0.8, np.arange(10), max_pairs=max_pairs,
                                     block_rows=block_rows)
    assert list(zip(first, second, strict=True)) == [
        (i, j) for i in range(10) for j in range(i + 1, 10)][:max_pairs]


def test_shared_sentences_max_pairs():
    sentence = "the provincial bureau issued its annual plan for coastal ports today"
    table = pd.DataFrame({"doc_id": list("abcde"), "sentence_id": 1, "start": 0,
                          "end": len(sentence), "text": sentence})
    assert len(shared_sentences(table)) == 10
    assert len(shared_sentences(table, max_pairs=3)) == 3


def generated_passages(seed: int, n_docs: int = 40) -> pd.DataFrame:
    """Passages that quote a few formulas, with variants, amid random filler; some mostly in
    Chinese (compared by character), one passage shorter than an n-gram, repeated
    passages within a document."""
    rng = np.random.default_rng(seed)
    vocabulary = ["the", "of", "and", "to", "policy", "reform", "growth", "forces", "quality",
                  "green", "digital", "port"]
    formulas = [SLOGAN, "build a modern industrial system with green digital growth",
                "the of and to the of and to", "深化改革扩大开放推动高质量发展"]
    docs = {}
    for d in range(n_docs):
        texts = []
        for _ in range(int(rng.integers(1, 4))):
            filler = list(rng.choice(vocabulary, size=int(rng.integers(0, 30))))
            for formula in rng.choice(formulas, size=int(rng.integers(0, 3))):
                cut = int(rng.integers(0, len(filler) + 1))
                filler[cut:cut] = [formula, str(rng.choice(vocabulary))]
            texts.append(" ".join(filler) or "ok")
        docs[f"d{d:02d}"] = texts + texts[:int(rng.integers(0, 2))]
    return make_passages(docs)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("n", "min_docs", "min_content_words"),
                         [(5, 2, 0), (3, 3, 0), (1, 2, 0), (4, 2, 2)])
def test_shared_ngrams_as_the_dict_of_every_ngram(seed, n, min_docs, min_content_words):
    passages = generated_passages(seed)
    options = {"n": n, "min_docs": min_docs, "min_content_words": min_content_words}
    expected = dict_shared_ngrams(passages, **options)
    assert len(expected) > 0
    pd.testing.assert_frame_equal(shared_ngrams(passages, **options), expected)


@pytest.mark.parametrize("source", ["study", "chinese"])
def test_shared_ngrams_on_real_corpora_as_before(source):
    import nqpf
    from nqpf import paths

    if source == "study":
        passages = nqpf.prepare(cache=False).passages
    else:
        path = paths.ROOT.parent / "shared" / "corpus-zh" / "cpc_congress_reports.jsonl"
        if not path.exists():
            pytest.skip(f"Chinese corpus not found: {path}")
        passages = nqpf.prepare(path, text_column="content", id_column="title").passages
    for min_content_words in (0, 2):
        pd.testing.assert_frame_equal(
            shared_ngrams(passages, min_content_words=min_content_words),
            dict_shared_ngrams(passages, min_content_words=min_content_words))
