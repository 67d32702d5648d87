import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from nqpf import paths
from nqpf.lexicon import default_lexicon
from nqpf.tokens import lemma, load_stopwords, tokenize, tokenize_all

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


def test_default_stopword_file_is_clean():
    stopwords = load_stopwords()
    domain = stopwords - ENGLISH_STOP_WORDS
    assert {"say", "said", "etc", "year"} <= stopwords
    assert all(w == w.strip().lower() and w for w in domain)


def test_missing_stopword_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        load_stopwords(tmp_path / "missing.txt")
