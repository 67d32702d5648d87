"""Tables behind the interactive views: KWIC queries and sorting, relevance, shares, maps."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import nqpf
from nqpf import views
from nqpf.topics import TopicModel, TopicModelWarning

TOPIC_WORDS = {
    "talent": "talent education university training school teacher student skill",
    "industry": "industry manufacturing factory chain supply upgrade equipment machine",
    "green": "ecology green carbon environment energy emission climate forest",
}
COMMON = "development growth country policy reform"


def paragraph(rng, topic: str, n_words: int = 70) -> str:
    words = rng.choice(TOPIC_WORDS[topic].split() + COMMON.split(), size=n_words)
    words[10:14] = ["new", "quality", "productive", "forces"]
    return " ".join(words).capitalize() + "."


def write_corpus(folder, *, n_docs: int = 4, seed: int = 0):
    """A small corpus with planted topics: ``n_docs`` documents of six paragraphs, a
    boilerplate editor line each, and metadata (title, genre)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n_docs):
        topics = list(TOPIC_WORDS)
        paragraphs = [paragraph(rng, topics[(i + j) % 3]) for j in range(6)]
        text = "\n\n".join(paragraphs) + "\n\nEditor: Zhang San\n"
        (folder / f"doc{i}.txt").write_text(text, encoding="utf-8")
        rows.append({"doc_id": f"doc{i}", "title": f"Document number {i} <b>&</b>",
                     "genre": "news" if i % 2 else "commentary"})
    pd.DataFrame(rows).to_csv(folder / "metadata.csv", index=False)
    return folder


@pytest.fixture(scope="session")
def prepared(tmp_path_factory):
    return nqpf.prepare(write_corpus(tmp_path_factory.mktemp("views") / "corpus"), cache=False)


@pytest.fixture(scope="session")
def model(prepared):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TopicModelWarning)  # a small corpus, on purpose
        return TopicModel(3, random_state=0).fit(prepared.passages["tokens"])


LINES = pd.DataFrame({
    "doc_id": ["a", "a", "b", "b"], "passage_id": [1, 1, 2, 2], "start": [0, 10, 5, 20],
    "end": [3, 13, 8, 23],
    "left": ["the big", "a small", "very big", ""],
    "keyword": ["Cat", "cat", "CAT", "bat"],
    "right": ["sat down", "ran off", "sat up", "flew"],
})


@pytest.mark.parametrize("by, keywords", [
    ("position", ["Cat", "cat", "CAT", "bat"]),
    ("left", ["bat", "Cat", "CAT", "cat"]),  # "" < "big" (the, very) < "small"
    ("right", ["bat", "cat", "Cat", "CAT"]),  # flew < ran < sat down < sat up
    ("keyword", ["bat", "Cat", "cat", "CAT"]),  # ties keep their order
])
def test_sort_kwic(by, keywords):
    assert views.sort_kwic(LINES, by=by)["keyword"].tolist() == keywords


def test_sort_kwic_left_reads_from_the_keyword_outwards():
    lines = LINES.assign(left=["x b a", "y a c", "a b", "z a b"])
    # nearest words: a|b x, c|a y, b|a, b|a z -> a-b-x, b-a, b-a-z, c-a-y
    assert views.sort_kwic(lines, by="left")["left"].tolist() == ["x b a", "a b", "z a b",
                                                                  "y a c"]


def test_context_words_split_chinese_characters():
    assert views.context_words("发展 New-quality 生产力") == ["发", "展", "new", "quality",
                                                              "生", "产", "力"]


@pytest.mark.parametrize("query, kind, text, found", [
    ("productive forces", "term", "new productive\nforces", ["productive\nforces"]),
    ("new_quality_productive_forces", "concept", "New quality productivity and new-quality "
     "productive forces", ["New quality productivity", "new-quality productive forces"]),
    (r"talents?\b", "regex", "Talent and talents", ["Talent", "talents"]),
])
def test_query_pattern(query, kind, text, found):
    assert [m.group() for m in views.query_pattern(query, kind=kind).finditer(text)] == found


@pytest.mark.parametrize("query, kind, message", [
    ("x", "word", "kind must be one of"),
    ("  ", "term", "non-empty"),
    ("no_such_concept", "concept", "not a concept of the lexicon; concepts: new_quality"),
    ("(", "regex", "not a valid regular expression"),
    ("a*", "regex", "matches empty text"),
])
def test_query_pattern_errors(query, kind, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        views.query_pattern(query, kind=kind)


def test_kwic_lines(prepared):
    docs, passages = prepared.docs, prepared.passages
    lines = views.kwic_lines(docs, passages, "new_quality_productive_forces", kind="concept",
                             window=30, sort="right")
    assert list(lines.columns[:3]) == ["doc_id", "label", "passage_id"]
    assert len(lines) == 4 * 6  # one mention per paragraph
    assert lines["label"].iloc[0].startswith("Document number")
    texts = docs.set_index("doc_id")["text"]
    assert all(texts[d][s:e] == k for d, s, e, k in
               zip(lines["doc_id"], lines["start"], lines["end"], lines["keyword"], strict=True))
    assert lines["right"].map(views.context_words).is_monotonic_increasing
    one = views.kwic_lines(docs, passages, "new quality", doc_ids=[docs["doc_id"].iloc[1]])
    assert set(one["doc_id"]) == {docs["doc_id"].iloc[1]} and len(one) == 6
    with pytest.raises(ValueError, match="unknown document"):
        views.kwic_lines(docs, passages, "new", doc_ids=["nope"])
    with pytest.raises(ValueError, match="window"):
        views.kwic_lines(docs, passages, "new", window=0)


COMPONENTS = np.array([[0.5, 0.3, 0.2, 0.0], [0.1, 0.1, 0.4, 0.4]])
COUNTS = np.array([60, 20, 10, 10])


def test_relevance_formula_and_ends():
    share = COUNTS / COUNTS.sum()
    with np.errstate(divide="ignore"):
        expected = 0.3 * np.log(COMPONENTS) + 0.7 * np.log(COMPONENTS / share)
    got = views.relevance(COMPONENTS, COUNTS, lam=0.3)
    assert np.allclose(got[np.isfinite(expected)], expected[np.isfinite(expected)])
    assert np.isneginf(got[0, 3])  # weight 0: never relevant
    # lambda 1 ranks by weight, lambda 0 by lift
    assert views.rank_terms(views.relevance(COMPONENTS, COUNTS, lam=1)[0], 3).tolist() == [
        0, 1, 2]
    assert views.rank_terms(views.relevance(COMPONENTS, COUNTS, lam=0)[0], 3).tolist() == [
        2, 1, 0]
    with pytest.raises(ValueError, match="lambda"):
        views.relevance(COMPONENTS, COUNTS, lam=1.5)
    with pytest.raises(ValueError, match="one number per term"):
        views.relevance(COMPONENTS, COUNTS[:3])


def test_relevant_terms():
    table = views.relevant_terms(COMPONENTS, ["a", "b", "c", "d"], COUNTS, [0.6, 0.4], 2,
                                 lam=1, n=3)
    assert table.columns.tolist() == views.RELEVANCE_COLUMNS
    assert table["term"].tolist() == ["c", "d", "a"]  # c, d tie on weight: index order
    assert table["rank"].tolist() == [1, 2, 3]
    assert table["topic_count"].iloc[1] == pytest.approx(10)  # d only in topic 2
    both = [views.relevant_terms(COMPONENTS, list("abcd"), COUNTS, [0.6, 0.4], t, lam=1, n=4)
            .set_index("term")["topic_count"] for t in (1, 2)]
    assert np.allclose(both[0].add(both[1], fill_value=0)[list("abc")], COUNTS[:3])
    with pytest.raises(ValueError, match="topic must be between 1 and 2"):
        views.relevant_terms(COMPONENTS, list("abcd"), COUNTS, [0.6, 0.4], 3)


def test_topic_counts_share_out_each_term():
    shared = views.topic_counts(np.array([[0.5, 0.5, 0.0], [0.25, 0.75, 0.0]]), [10, 4, 3],
                                [0.5, 0.5])
    assert np.allclose(shared, [[20 / 3, 1.6, 0], [10 / 3, 2.4, 0]])  # no topic has term 3


def test_candidate_terms_rank_exactly_at_every_slider_position(model, prepared):
    counts = views.term_counts(prepared.passages["tokens"], model.vocab_)
    candidates = views.candidate_terms(model.components_, counts, n=5)
    for lam in views.LAMBDAS:
        scores = views.relevance(model.components_, counts, lam=lam)
        for topic, chosen in enumerate(candidates):
            full = views.rank_terms(scores[topic], 5)
            within = chosen[views.rank_terms(scores[topic][chosen], 5)]
            assert within.tolist() == full.tolist()


def test_term_counts():
    assert views.term_counts([["a", "b", "a"], ["c", "x"]], ["c", "a", "b"]).tolist() == [1, 2, 1]


def test_topic_shares():
    weights = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.0, 0.0]])
    shares = views.topic_shares(weights, [10, 30, 20, 5], ["y", "x", "y", "z"])
    assert shares.index.tolist() == ["y", "x", "z"]
    assert np.allclose(shares.to_numpy(), [[20 / 30, 10 / 30], [0, 1], [0, 0]])
    with pytest.raises(ValueError, match="same passages"):
        views.topic_shares(weights, [1, 2], ["a"] * 4)
    with pytest.raises(ValueError, match="1 passage"):
        views.topic_shares(weights, [1, 1, 1, 1], ["a", None, "b", "b"])


def test_passage_map():
    weights = np.array([[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0]])
    coords = views.passage_map(weights)
    assert coords.shape == (5, 2)
    assert np.allclose(coords[0], coords[1])  # same mixture, same place
    assert not np.allclose(coords[2], coords[3])
    assert (coords[np.abs(coords).argmax(axis=0), [0, 1]] > 0).all()  # sign convention
    assert np.array_equal(coords, views.passage_map(weights))
    assert views.passage_map(np.ones((3, 1))).shape == (3, 2)
    with pytest.raises(ValueError, match="non-negative"):
        views.passage_map(-weights)


def test_reader_spans_and_segments(prepared):
    docs = prepared.docs
    doc_id = docs["doc_id"].iloc[0]
    spans = views.reader_spans(doc_id, docs, prepared.passages, prepared.boilerplate)
    kinds = spans["kind"].value_counts()
    assert kinds["passage"] >= 1 and kinds["boilerplate"] >= 1
    assert (spans["name"] == "new_quality_productive_forces").sum() == 6
    assert spans["start"].is_monotonic_increasing
    text = docs["text"].iloc[0]
    editor = spans[spans["kind"] == "boilerplate"].iloc[0]
    assert "Zhang San" in text[editor["start"]:editor["end"]]
    pieces = views.segments(len(text), spans)
    assert "".join(text[lo:hi] for lo, hi, _ in pieces) == text
    hits = [text[lo:hi] for lo, hi, rows in pieces
            if any(spans["name"].iat[r] == "new_quality_productive_forces" for r in rows)]
    assert [hit.lower() for hit in hits] == ["new quality productive forces"] * 6
    with pytest.raises(ValueError, match="no document"):
        views.reader_spans("nope", docs, prepared.passages, prepared.boilerplate)
    with pytest.raises(ValueError, match="within the text"):
        views.segments(3, pd.DataFrame({"start": [2], "end": [5]}))


def test_sample_rows():
    table = pd.DataFrame({"x": range(100)}, index=range(100, 200))
    same, note = views.sample_rows(table, 100)
    assert same is table and note == ""
    sample, note = views.sample_rows(table, 10, what="passages")
    assert len(sample) == 10 and sample["x"].is_monotonic_increasing
    assert note.startswith("Showing a random sample of 10 of 100 passages")
    assert sample.equals(views.sample_rows(table, 10, what="passages")[0])
    assert not sample.equals(views.sample_rows(table, 10, random_state=1)[0])
    with pytest.raises(ValueError, match="max_rows"):
        views.sample_rows(table, 0)


@pytest.mark.parametrize("extra, expected", [
    ({}, ["label", "passage_id", "start", "end", "left", "keyword", "right"]),
    ({"page": [1, 2, 3, 4]}, ["label", "passage_id", "start", "end", "page", "left", "keyword",
                              "right"]),
])
def test_kwic_display_columns_show_pages_where_there_are_pages(extra, expected):
    assert views.kwic_display_columns(LINES.assign(label="x", **extra)) == expected
