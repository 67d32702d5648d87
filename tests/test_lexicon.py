import pandas as pd
import pytest
from reference import regex_concept_counts

from nqpf import paths
from nqpf.ingest import load_corpus
from nqpf.lexicon import Lexicon, concept_counts, default_lexicon, load_lexicon

CONCEPT = "new_quality_productive_forces"
STUDY_DOCS = sorted(paths.RAW.glob("*.txt"))


@pytest.fixture(scope="module")
def lexicon():
    return default_lexicon()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("new quality productive forces", CONCEPT),
        ("New Quality Productive Forces", CONCEPT),
        ("New-quality productive forces", CONCEPT),
        ("new\u00a0quality productivity", CONCEPT),
        ("new\u2010quality\u2011productive\u2013forces", CONCEPT),
        ("new quality\n productive  forces", CONCEPT),
        ("new qualitative productivity", CONCEPT),
        ("new qualitative productive forces", CONCEPT),
        ("New productive forces", CONCEPT),
        ("a new productive force.", f"a {CONCEPT}."),
        # longest match wins: not "new_quality_productive_forces forces"
        ("new quality productive forces", CONCEPT),
        ("General Secretary Xi Jinping and Xi Jinping", "xi_jinping and xi_jinping"),
        ("high-quality development", "high_quality_development"),
        ("High quality development", "high_quality_development"),
        ("key core technologies", "key_core_technologies"),
        ("science and technology", "science_and_technology"),
        ("scientific and technological innovation", "scientific_and_technological_innovation"),
        ("innovation chain, industry chain, capital chain and talent chain",
         "innovation_chain, industrial_chain, capital_chain and talent_chain"),
        ("industrial chains", "industrial_chain"),
        ("the Two Sessions", "the two_sessions"),
        ("Government Work Report", "government_work_report"),
        ("Chinese People\u2019s Political Consultative Conference (CPPCC)", "cppcc (cppcc)"),
        ("Forces \u4e28CPPCC Member", "Forces \u4e28cppcc Member"),
        ("Chinese-style modernization", "chinese_modernization"),
        ("strategic emerging industries and future industries",
         "strategic_emerging_industries and future_industries"),
        ("self-reliance and self-improvement", "self_reliance"),
        # word boundaries: no match inside longer words
        ("renew productive forces", "renew productive forces"),
        ("new quality productivityx", "new quality productivityx"),
        ("cppcc_member", "cppcc_member"),
    ],
)
def test_apply(lexicon, text, expected):
    assert lexicon.apply(text) == expected


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        (CONCEPT, "The New quality\nproductivity and new-quality productive forces; new productive"
                  "\n forces, not productive forces.",
         ["New quality\nproductivity", "new-quality productive forces", "new productive\n forces"]),
        (CONCEPT, "renewed productive forces, newer quality productivity", []),
        ("xi_jinping", "General Secretary Xi Jinping\u2019s speech; Xi\u00a0Jinping",
         ["General Secretary Xi Jinping", "Xi\u00a0Jinping"]),
        ("cppcc", "members of the Chinese People's\nPolitical Consultative Conference (CPPCC)",
         ["Chinese People's\nPolitical Consultative Conference", "CPPCC"]),
    ],
)
def test_variants_pattern_finds_exact_occurrences(lexicon, term, text, expected):
    assert lexicon.variants_pattern(term).findall(text) == expected


def test_variants_pattern_lists_longest_first(lexicon):
    assert lexicon.variants("xi_jinping")[0] == "General Secretary Xi Jinping"
    assert lexicon.variants(CONCEPT)[0].lower().startswith("new qualit")


@pytest.mark.parametrize(("term", "chinese", "name"), [
    ("reform_and_opening_up", False, "reform and opening up"),
    ("reform_and_opening_up", True, "改革开放 (reform and opening up)"),
    ("new_quality_productive_forces", True, "新质生产力 (new quality productive forces)"),
    ("innovat* (regex)", True, "innovat* (regex)"),  # not a term
])
def test_name(term, chinese, name):
    assert default_lexicon().name(term, chinese=chinese) == name


def test_unknown_term_suggests_close_matches(lexicon):
    with pytest.raises(ValueError, match="new_quality_productive_forces"):
        lexicon.variants_pattern("new_quality_productive_force")


def test_terms_are_canonical_and_include_contract_terms(lexicon):
    required = {CONCEPT, "high_quality_development", "key_core_technologies",
                "science_and_technology", "innovation_chain", "industrial_chain", "talent_chain",
                "capital_chain", "two_sessions", "government_work_report", "cppcc", "xi_jinping"}
    assert required <= set(lexicon.terms)
    assert len(lexicon.terms) == len(set(lexicon.terms))


def test_study_corpus_mentions_the_concept_in_every_document(lexicon):
    assert len(STUDY_DOCS) == 5
    pattern = lexicon.variants_pattern(CONCEPT)
    counts = {p.stem: len(pattern.findall(p.read_text(encoding="utf-8"))) for p in STUDY_DOCS}
    assert all(n > 0 for n in counts.values()), counts


def test_concept_counts_match_variants_pattern(lexicon):
    docs = pd.DataFrame({"doc_id": [p.stem for p in STUDY_DOCS],
                         "text": [p.read_text(encoding="utf-8") for p in STUDY_DOCS]})
    table = concept_counts(docs, terms=[CONCEPT, "cppcc"])
    assert list(table.columns) == [CONCEPT, "cppcc"]
    assert list(table.index) == list(docs["doc_id"])
    expected = [len(lexicon.variants_pattern(CONCEPT).findall(t)) for t in docs["text"]]
    assert table[CONCEPT].tolist() == expected


def test_concept_counts_rejects_bad_docs():
    with pytest.raises(ValueError, match="text"):
        concept_counts(pd.DataFrame({"doc_id": ["a"]}))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("term,variant\nx,x\n", "missing column.*category"),
        ("term,variant,category\nx,,concept\n", "row 2 has an empty variant"),
        ("term,variant,category\nx,x,concept\n,y,concept\n", "row 3 has an empty term"),
        ("term,variant,category\nNew Term,x,concept\n", "lower case words joined by '_'"),
        ("term,variant,category\na,same thing,concept\nb,Same-thing,concept\n", "two terms"),
        ("term,variant,category\n", "no rows"),
        ("", "cannot read"),
        ('term,variant,category\nx,"open,concept\n', "cannot read lexicon CSV"),
    ],
)
def test_bad_lexicon_csv(tmp_path, content, message):
    path = tmp_path / "lexicon.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as error:
        load_lexicon(path)
    assert "lexicon.csv" in str(error.value)


def test_missing_lexicon_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        load_lexicon(tmp_path / "nope.csv")


def test_lexicon_from_table_keeps_extra_columns_out():
    table = pd.DataFrame({"term": ["a_b"], "variant": ["A b"], "category": ["x"], "note": ["n"]})
    lexicon = Lexicon(table)
    assert list(lexicon.table.columns) == ["term", "variant", "category"]
    assert lexicon.apply("an A-b.") == "an a_b."


ODD_LEXICON = pd.DataFrame(
    [("research_and_development", "R&D", "concept"),
     ("research_and_development", "r and d", "concept"),
     ("cafe_economy", "café economy", "concept"), ("kelvin", "\u212aelvin scale", "concept"),
     ("made_in_china", "made-in-China 2025", "policy"), ("made_in_china", "中国制造2025", "policy"),
     ("dont", "don't stop", "concept")], columns=["term", "variant", "category"])
TEXTS = [
    "New Quality Productive Forces (new-quality productive\u00a0forces) and newquality forces",
    "R&D and r-and-d; (R&D) but not XR&D or R&DX; café economy; CAFÉ ECONOMY",
    "Kelvin scale, KELVIN SCALE, \u212aelvin scale; Made in China 2025, made-in-china 2025",
    "中国制造2025与新质生产力，新質生產力；don't stop, DON\u2019T STOP, dont stop",
    "Plain ASCII text with productive forces but no new quality, self-reliance, Self Reliance",
    "",
]


@pytest.mark.parametrize("table", [None, ODD_LEXICON])
def test_concept_counts_as_every_pattern_on_every_text(table):
    lexicon = default_lexicon() if table is None else Lexicon(table)
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(TEXTS))], "text": TEXTS})
    expected = regex_concept_counts(docs, lexicon)
    assert expected.to_numpy().sum() > 5
    pd.testing.assert_frame_equal(concept_counts(docs, lexicon=lexicon), expected)


def test_concept_counts_on_the_study_corpus_as_every_pattern_on_every_text():
    docs = load_corpus(paths.RAW).docs
    pd.testing.assert_frame_equal(concept_counts(docs), regex_concept_counts(docs))


@pytest.mark.parametrize(("variant", "expected"),
                         [("R&D", [frozenset({"r", "d"})]), ("café economy", None),
                          ("中国制造2025", []), ("don't stop", [frozenset({"don", "t", "stop"})])])
def test_ascii_words(variant, expected):
    lexicon = Lexicon(pd.DataFrame([("term", variant, "concept")],
                                   columns=["term", "variant", "category"]))
    assert lexicon.ascii_words("term") == expected
