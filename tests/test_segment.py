import pandas as pd
import pytest

from nqpf import paths
from nqpf.boilerplate import body_spans, find_boilerplate
from nqpf.segment import passage_spans, passages_table, sentence_spans, sentences_table

DOCS = ["000", "001", "002", "003", "004"]


def raw(doc_number: str) -> str:
    (path,) = paths.RAW.glob(f"{doc_number}_*.txt")
    return path.read_text(encoding="utf-8")


def para(n_words: int, *, per: int = 10, lead: str = "Growth") -> str:
    """A paragraph of ``n_words`` words in sentences of ``per`` words."""
    sentences = []
    while n_words > 0:
        size = min(per, n_words)
        sentences.append(" ".join([lead] + ["word"] * (size - 1)) + ".")
        n_words -= size
    return " ".join(sentences)


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return pd.DataFrame({"doc_id": DOCS, "text": [raw(d) for d in DOCS]})


@pytest.fixture(scope="module")
def passages(corpus) -> pd.DataFrame:
    return passages_table(corpus)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It works. It ends.", ["It works.", "It ends."]),
        ("See e.g. China and i.e. Beijing. Then more.",
         ["See e.g. China and i.e. Beijing.", "Then more."]),
        ("Mr. Xi spoke. Dr. Li agreed.", ["Mr. Xi spoke.", "Dr. Li agreed."]),
        ("The U.S. Congress met. It voted.", ["The U.S. Congress met.", "It voted."]),
        ("Tools, machines, etc. Chips too.", ["Tools, machines, etc. Chips too."]),
        ("Growth was 5.2 percent. Prices rose 3.5%.",
         ["Growth was 5.2 percent.", "Prices rose 3.5%."]),
        ("No. 1 Middle School won. It grew in 2023. Then it fell.",
         ["No. 1 Middle School won.", "It grew in 2023.", "Then it fell."]),
        ("J. K. Rowling wrote it.", ["J. K. Rowling wrote it."]),
        ("Stop here. and go on.", ["Stop here. and go on."]),
        ('He said, "We will win." Then he left.', ['He said, "We will win."', "Then he left."]),
        ("are people themselves.\". Talents are", ["are people themselves.\".", "Talents are"]),
        ("\u201cWe must act.\u201d Representative Wang said so.",
         ["\u201cWe must act.\u201d", "Representative Wang said so."]),
        ("It is \u2018great\u2019. \u201cWhy?\u201d Asked twice! (Yes.) Done.",
         ["It is \u2018great\u2019.", "\u201cWhy?\u201d", "Asked twice!", "(Yes.)", "Done."]),
        ("the pace of industrialization developmentIncrease investment in research.",
         ["the pace of industrialization development", "Increase investment in research."]),
        ("operation modelsVigorously develop quantum information. Then more.",
         ["operation models", "Vigorously develop quantum information.", "Then more."]),
        ("strong country. 1. Talent is the primary resource. 2. Focusing on needs.",
         ["strong country.", "1. Talent is the primary resource.", "2. Focusing on needs."]),
        ("A heading\nThe body starts here.", ["A heading", "The body starts here."]),
        ("  Leading space.\u00a0 Next one.  \n\n", ["Leading space.", "Next one."]),
        ("", []),
    ],
)
def test_sentence_spans(text, expected):
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == expected
    assert all(not text[s].isspace() and not text[e - 1].isspace() for s, e in spans)


def test_sentence_spans_offsets_are_absolute():
    text = "Title\n\nOne sentence. Two sentence."
    start = text.index("One")
    assert sentence_spans(text, start) == [(start, start + 13), (start + 14, len(text))]
    assert sentence_spans(text, start, start + 13) == [(start, start + 13)]


def words(text: str, spans: list[tuple[int, int]]) -> list[int]:
    return [len(text[s:e].split()) for s, e in spans]


@pytest.mark.parametrize(
    ("text", "expected_words"),
    [
        # Short paragraphs merge forward until >= 60 words; the short remainder joins back.
        ("\n\n".join([para(20)] * 5), [100]),
        # A long paragraph is split at sentences into balanced chunks of <= 200 words.
        (para(450), [150, 150, 150]),
        (para(401), [140, 130, 131]),
        (para(4000), [200] * 20),
        (para(150, per=50) + " " + para(300, per=300) + " " + para(60, per=30),
         [150, 300, 60]),
        # Numbered parts always start a passage, even a short one.
        (para(80) + " 1. Talent matters. " + para(37) + " 2. Focusing on needs. " + para(76),
         [80, 40, 80]),
        # Headings join the text that follows.
        (para(80) + "\n\nFight for core technologies\n\n" + para(80)
         + "\n\nLaying a foundation\n\n" + para(80), [80, 84, 83]),
        # Boilerplate between paragraphs is never inside a passage.
        (para(40) + "\n\nMing Ju at work. (Photo/Zhou Qi)\n\n" + para(80), [40, 80]),
        # Trailing remainder: merged back if <= 250 words, else kept.
        (para(190) + "\n\n" + para(50), [240]),
        (para(200) + "\n\n" + para(55), [200, 55]),
        # A short paragraph joins the previous passage when joining the next would pass 250.
        (para(80) + "\n\n" + para(55) + "\n\n" + para(200), [135, 200]),
        # A single sentence longer than max_words stays whole, up to twice max_words ...
        (para(300, per=300), [300]),
        (para(400, per=400), [400]),
        # ... and a longer one (a list, text without sentence ends) is cut between words.
        (para(401, per=401), [133, 134, 134]),
        (para(60) + " " + para(1000, per=1000), [60, 200, 200, 200, 200, 200]),
        ("", []),
    ],
)
def test_passage_spans_rules(text, expected_words):
    assert words(text, passage_spans(text)) == expected_words


def test_a_long_chinese_sentence_is_cut_between_characters():
    """Chinese sizes are in characters: max_words=200 is 400 characters, and a sentence of
    more than twice that is cut, between characters."""
    text = "发展新质生产力" * 150  # 1,050 characters, no sentence end
    spans = passage_spans(text, language="zh")
    assert [end - start for start, end in spans] == [350, 350, 350]
    assert "".join(text[start:end] for start, end in spans) == text
    assert passage_spans(text[:800], language="zh") == [(0, 800)]


def test_passage_spans_rejects_bad_sizes():
    with pytest.raises(ValueError, match="min_words <= max_words"):
        passage_spans("Some text.", min_words=300, max_words=200)


@pytest.mark.parametrize("doc", DOCS)
def test_passages_cover_the_body_once(doc):
    text = raw(doc)
    spans = passage_spans(text)
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert not [(s, e, b) for s, e in spans for b in find_boilerplate(text)
                if b.start < e and s < b.end]
    body_words = " ".join(text[s:e] for s, e in body_spans(text)).split()
    assert " ".join(text[s:e] for s, e in spans).split() == body_words


def test_passages_table(passages, corpus):
    assert list(passages.columns) == ["doc_id", "passage_id", "language", "start", "end", "text",
                                      "n_words", "n_sentences", "tokens"]
    texts = dict(zip(corpus["doc_id"], corpus["text"], strict=True))
    assert all(texts[r.doc_id][r.start:r.end] == r.text for r in passages.itertuples())
    assert (passages["n_words"] == passages["text"].str.split().str.len()).all()
    for _, ids in passages.groupby("doc_id")["passage_id"]:
        assert ids.tolist() == list(range(1, len(ids) + 1))
    assert all(isinstance(t, list) and t and all(isinstance(w, str) for w in t)
               for t in passages["tokens"])
    # Guaranteed on the study corpus (see passage_spans for the general rules).
    assert passages["n_words"].between(30, 250).all()


def test_passages_table_counts(passages):
    assert passages.groupby("doc_id").size().to_dict() == {
        "000": 3, "001": 12, "002": 13, "003": 8, "004": 6}


@pytest.mark.parametrize(
    ("doc", "opening"),
    [
        ("001", "1. Talent is"),
        ("001", "2. Focusing"),
        ("002", "Fight the battle against key core technologies\n\nAccelerating"),
        ("002", "Further stimulate the innovative vitality"),
        ("002", "Laying a solid foundation"),
        ("004", "Chongqing- Ming Ju"),
    ],
)
def test_passage_starts(passages, doc, opening):
    assert passages.loc[passages["doc_id"] == doc, "text"].str.startswith(opening).sum() == 1


def test_sentences_table(corpus):
    table = sentences_table(corpus)
    assert list(table.columns) == ["doc_id", "sentence_id", "start", "end", "text", "n_words"]
    texts = dict(zip(corpus["doc_id"], corpus["text"], strict=True))
    assert all(texts[r.doc_id][r.start:r.end] == r.text for r in table.itertuples())
    doc = table[table["doc_id"] == "003"]["text"].tolist()
    i = doc.index("It is necessary to rely on the scale and application advantages of the "
                  "Internet, increase the cutting-edge exploration of future networks, metaverse, "
                  "generative artificial intelligence, future display and other fields, and "
                  "accelerate the pace of industrialization development")
    assert doc[i + 1].startswith("Increase investment in scientific research")
    assert not table["text"].str.contains("Editor:|Related Pages|Photo/").any()


@pytest.mark.parametrize("function", [passages_table, sentences_table])
def test_tables_name_missing_columns(function):
    with pytest.raises(ValueError, match=r"missing column\(s\) \['text'\]"):
        function(pd.DataFrame({"doc_id": ["a"], "body": ["Some text."]}))
