import gzip
import itertools
import json
import sys

import pytest
from joblib import Parallel, delayed
from reference import plain_tokenize
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from nqpf import paths, segment
from nqpf import tokens as tokens_module
from nqpf.ingest import load_corpus
from nqpf.lexicon import default_lexicon
from nqpf.matcher import ascii_words
from nqpf.tokens import (
    keep_cache,
    lemma,
    load_stopwords,
    read_word_list,
    split_tokens,
    tokenize,
    tokenize_all,
)

CONCEPT = "new_quality_productive_forces"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # every surface variant of the concept -> one token
        ("New quality productive forces", [CONCEPT]),
        ("new-quality productive forces", [CONCEPT]),
        ("New\u00a0quality productivity", [CONCEPT]),
        ("new \u2010quality\nproductivity", [CONCEPT]),
        ("new qualitative productivity", [CONCEPT]),
        ("NEW PRODUCTIVE FORCES", [CONCEPT]),
        # longest match wins
        ("new quality productive forces and new productive forces", [CONCEPT, CONCEPT]),
        # fixed expressions -> phrase tokens, kept whole and not lemmatised
        ("high-quality development", ["high_quality_development"]),
        ("key core technologies", ["key_core_technologies"]),
        ("Two Sessions and the Government Work Report", ["two_sessions", "government_work_report"]),
        ("industry chains and talent chains", ["industrial_chain", "talent_chain"]),
        ("General Secretary Xi Jinping\u2019s speech", ["xi_jinping", "speech"]),
        ("\u4e28CPPCC Member", ["cppcc", "member"]),
        # stopwords (English list and domain list), numbers, punctuation, 1-char tokens
        ("The 2024 report, he said: 20th (1980s) \u2014 a b 3.5!", ["report"]),
        ("It is also one of the years", []),
        # "system" is removed from the English stopword list by the domain file
        ("talent systems", ["talent", "system"]),
        # lemmas
        ("talents forces technologies industries universities", [
            "talent", "force", "technology", "industry", "university"]),
        ("cultivating developing achievements", ["cultivate", "develop", "achievement"]),
        ("Beijing Chongqing", ["beijing", "chongqing"]),  # simplemma capitalises; lower-cased
        ("AI data media", ["ai", "data", "media"]),  # simplemma quirks overridden
        # hyphenated words split into parts; possessive dropped
        ("high-level talents", ["high", "level", "talent"]),
        ("China's talent-driven growth", ["china", "talent", "drive", "growth"]),
        # run-together sentences repaired
        ("developmentIncrease investment", ["development", "increase", "investment"]),
        ("operation modelsVigorously develop", ["operation", "model", "vigorously", "develop"]),
    ],
)
def test_tokenize(text, expected):
    assert tokenize(text) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("talents", "talent"), ("forces", "force"), ("technologies", "technology"),
     ("industries", "industry"), ("data", "data"), ("ai", "ai"), ("beijing", "beijing")],
)
def test_lemma(word, expected):
    assert lemma(word) == expected


def test_tokenize_options():
    text = "The talents of the Two Sessions"
    assert tokenize(text, lemmatize=False) == ["talents", "two_sessions"]
    assert tokenize(text, stopwords=()) == ["the", "talent", "of", "the", "two_sessions"]


def test_tokenize_rejects_non_str():
    with pytest.raises(ValueError, match="str"):
        tokenize(["a list"])


def test_tokenize_is_a_scikit_learn_analyzer():
    vectorizer = CountVectorizer(analyzer=tokenize)
    dtm = vectorizer.fit_transform(["New quality productivity needs talents.", "Talent first."])
    assert dtm.shape == (2, 3)
    assert set(vectorizer.get_feature_names_out()) == {CONCEPT, "need", "talent"}


def test_tokenize_all_matches_tokenize():
    texts = ["new productive forces", "talents and industries"]
    assert tokenize_all(texts) == [tokenize(t) for t in texts]


@pytest.mark.parametrize("path", sorted(paths.RAW.glob("*.txt")), ids=lambda p: p.stem)
def test_concept_tokens_match_raw_occurrences(path):
    raw = path.read_text(encoding="utf-8")
    expected = len(default_lexicon().variants_pattern(CONCEPT).findall(raw))
    assert expected > 0
    assert tokenize(raw).count(CONCEPT) == expected


def test_load_stopwords(tmp_path):
    path = tmp_path / "stop.txt"
    path.write_text("# comment\nFoo  # trailing comment\n\n-system\nbar\n", encoding="utf-8")
    stopwords = load_stopwords(path)
    assert {"foo", "bar", "the"} <= stopwords
    assert "system" not in stopwords
    assert "#" not in "".join(stopwords)
    assert stopwords == (ENGLISH_STOP_WORDS - {"system"}) | {"foo", "bar"}


def test_english_stopword_file_is_scikit_learns_list():
    assert set(read_word_list(paths.LEXICON / "stopwords_english.txt")) == ENGLISH_STOP_WORDS


def test_load_stopwords_with_own_english_list(tmp_path):
    (tmp_path / "english.txt").write_text("the\nof\n", encoding="utf-8")
    (tmp_path / "domain.txt").write_text("said\n-of\n", encoding="utf-8")
    assert load_stopwords(tmp_path / "domain.txt", english=tmp_path / "english.txt") == {
        "the", "said"}


def test_default_stopword_file_is_clean():
    stopwords = load_stopwords()
    domain = stopwords - ENGLISH_STOP_WORDS
    assert {"say", "said", "etc", "year"} <= stopwords
    assert all(w == w.strip().lower() and w for w in domain)


def test_missing_stopword_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        load_stopwords(tmp_path / "missing.txt")


# ---- fast path: same tokens as the plain pipeline ------------------------------------------

BENCH_CORPUS = paths.ROOT.parent / "shared" / "bench" / "debian-descriptions.jsonl.gz"


def sample_texts():
    """Study corpus passages plus the first 500 benchmark documents (if the corpus is there)."""
    texts = list(segment.passages_table(load_corpus(paths.RAW).docs)["text"])
    if BENCH_CORPUS.is_file():
        with gzip.open(BENCH_CORPUS, "rt", encoding="utf-8") as lines:
            texts += [json.loads(line)["text"] for line in itertools.islice(lines, 500)]
    return texts


@pytest.fixture(scope="module")
def texts():
    return sample_texts()


def test_fast_path_gives_plain_tokens(texts):
    assert len(texts) > 20
    assert [tokenize(t) for t in texts] == [plain_tokenize(t) for t in texts]


def test_parallel_tokenize_all_shares_joblibs_workers(texts):
    def square(x):
        return x * x

    expected = [plain_tokenize(t) for t in texts[:40]]
    for _ in range(2):  # either may come first: each takes the other's worker processes over
        assert tokenize_all(texts[:40], n_jobs=2) == expected
        assert Parallel(n_jobs=2)(delayed(square)(x) for x in range(4)) == [0, 1, 4, 9]


def test_parallel_tokenize_all_gives_plain_tokens(texts, monkeypatch):
    monkeypatch.setattr(tokens_module, "CHUNK_SIZE", 50)  # several chunks, order must hold
    assert tokenize_all(texts, n_jobs=2) == [plain_tokenize(t) for t in texts]


@pytest.mark.parametrize(
    "text",
    [
        "", "   ", "\n\t", "_", "a", "a b c d e f", "The and of",
        # underscores: phrase tokens, or split at leading/trailing/double "_"
        "__init__ foo_bar _x y_ a__b snake_case_name", "x86_64 and i386_x",
        "new_quality_productive_forces",
        # apostrophes and possessives
        "China's CHINA'S people\u2019s Xi Jinping's speech", "the companies' 'quoted' word's end'",
        "don't won't it's 's s' ''s", "Chinese People's Political Consultative Conference",
        "chinese people\u2019s political consultative conference's members",
        # digits, hyphens, run-together sentences, separators
        "2024 20th 1980s 3.5 v2 4G-network 5g", "high-level e-mail \u2014 en\u2013dash --x-- -",
        "developmentNew productive forces",
        "modelsVigorously develop new-quality productive forces",
        "aaaaBbbbbCcc abcdEf ABCDefg", "Two  Sessions\n\nand the\tNPC | CPPCC|member",
        # lexicon variants at the start and end, across separators
        "New productive forces start the text", "the text ends with new productive forces",
        "new productive forces", "new|productive forces", "new, productive forces",
        "new productive forces_x", "x_new productive forces", "new\u00a0productive\u2014forces",
        "the big data era and the new era", "forces that are new and productive",
        # non-ASCII
        "caf\u00e9 na\u00efve r\u00e9sum\u00e9's Z\u00fcrich",
        "\u4e2d\u56fd\u7684new productive forces",
        "\u5317\u4eac new quality productivity \u4e28CPPCC", "\u00e9new productive forces",
        "full-width \uff4e\uff45\uff57 productive forces",
        "\u201cnew productive forces\u201d \u2018big data\u2019 \u00abTwo Sessions\u00bb",
        # twins: ASCII letters to the lexicon regex
        "\u017fe\u017f\u017fions two \u017fe\u017f\u017fions \u212aey core technologies",
        "\u0130stanbul \u0131 \u212a",
    ],
)
def test_fast_path_edge_cases_give_plain_tokens(text):
    # The English pipeline (texts with Han characters would otherwise go to the Chinese one)
    assert tokenize(text, language="en") == plain_tokenize(text)
    assert tokenize_all([text, text], languages=["en", "en"], n_jobs=1) == [
        plain_tokenize(text)] * 2


@pytest.mark.parametrize(
    ("text", "skipped"),
    [
        ("a plain sentence about software", True),  # no run of any variant occurs
        ("renewed productive forces", True),  # "new" only inside a longer run
        ("forces that are new and productive", True),  # all runs, not one after another
        ("new productive forces", False),
        ("NEW-Productive\u00a0forces", False),  # non-ASCII: its ASCII words
        ("caf\u00e9 productive forces", True),
        ("new, productive forces", False),  # the words one after another: the regex decides
    ],
)
def test_lexicon_pre_check(text, skipped):
    lexicon = default_lexicon()
    assert lexicon.matcher.may_match(text) is not skipped
    if text.isascii():
        assert lexicon.matcher.may_match(text, ascii_words(text)) is not skipped
    if skipped:
        assert lexicon.apply(text) == text


@pytest.mark.parametrize(("joined", "expected"), [("", []), ("a", ["a"]),
                                                  ("ab\0cd\0ab", ["ab", "cd", "ab"])])
def test_split_tokens(joined, expected):
    tokens = split_tokens(joined)
    assert tokens == expected
    assert all(token is sys.intern(token) for token in tokens)  # one object per word type


def test_keep_cache_is_per_setting():
    assert tokenize("talents", lemmatize=False) == ["talents"]
    assert tokenize("talents") == ["talent"]
    assert tokenize("talents", stopwords={"talent"}) == []


def test_keep_cache_fills_in_on_look_up():
    memo = keep_cache(frozenset({"the"}), frozenset({"two_sessions"}), True)
    assert memo["talents"] == "talent"
    assert memo["the"] is None
    assert memo["two_sessions"] == "two_sessions"
    assert {"talents", "the", "two_sessions"} <= memo.keys()
