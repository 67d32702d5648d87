"""The JupyterLab explorers: set a control (its handler runs), read the table it shows."""

import pandas as pd
import pytest
from test_views import model, prepared  # noqa: F401  (fixtures)

from nqpf import views, widgets


@pytest.fixture
def kwic(prepared):  # noqa: F811
    return widgets.KwicExplorer(prepared.docs, prepared.passages, window=30)


def test_kwic_explorer_follows_its_controls(kwic, prepared):  # noqa: F811
    assert len(kwic.lines) == 24 and "24 lines in 4 documents" in kwic.status.value
    assert kwic.table.value.count("<tr") == 25  # heading + lines
    kwic.sort.value = "left"
    assert kwic.lines.equals(views.sort_kwic(kwic.lines, by="left"))
    assert kwic.lines["left"].map(lambda t: views.context_words(t)[::-1]).is_monotonic_increasing
    kwic.documents.value = tuple(prepared.docs["doc_id"][:1])
    assert set(kwic.lines["doc_id"]) == {"doc0"} and len(kwic.lines) == 6
    kwic.documents.value = ("doc1", "doc3")
    assert set(kwic.lines["doc_id"]) == {"doc1", "doc3"}
    kwic.kind.value, kwic.query.value = "regex", r"\bteach\w*"
    assert kwic.lines["keyword"].str.lower().str.startswith("teach").all()
    kwic.window.value = 10
    assert kwic.lines["left"].str.len().max() <= 10


def test_kwic_explorer_shows_a_lines_passage(kwic, prepared):  # noqa: F811
    kwic.line.value = 3
    row = kwic.lines.iloc[3]
    assert f"passage {row['passage_id']}" in kwic.passage.value
    assert f"the match at {row['start']}–{row['end']}" in kwic.passage.value
    assert f'title="{row["keyword"]}">{row["keyword"]}</span>' in kwic.passage.value


@pytest.mark.parametrize("kind, query, message", [
    ("regex", "(", "not a valid regular expression"),
    ("concept", "nothing", "not a concept of the lexicon"),
    ("term", "zebra", "0 lines in 0 documents"),
])
def test_kwic_explorer_says_what_is_wrong(kwic, kind, query, message):
    kwic.kind.value, kwic.query.value = kind, query
    assert message in kwic.status.value
    assert kwic.lines.empty and kwic.line.options == () and kwic.passage.value == ""


def test_kwic_explorer_escapes_corpus_text(prepared):  # noqa: F811
    docs = prepared.docs.assign(text=prepared.docs["text"].str.replace(
        "Editor", "<script>alert(1)</script> Editor", regex=False))
    explorer = widgets.KwicExplorer(docs, prepared.passages, query="Editor", kind="term")
    assert "<script>" not in explorer.table.value and "&lt;script&gt;" in explorer.table.value


def test_topic_browser_reranks_with_lambda(model, prepared):  # noqa: F811
    browser = widgets.TopicBrowser(model, prepared.passages, prepared.docs, group="genre",
                                   n_terms=8)
    by_weight = browser.terms["term"].tolist()
    browser.lam.value = 1.0
    assert browser.terms["weight"].is_monotonic_decreasing
    browser.lam.value = 0.0
    assert browser.terms["lift"].round(9).is_monotonic_decreasing
    assert browser.terms["term"].tolist() != by_weight
    assert "λ = 0.00" in browser.terms_html.value
    browser.topic.value = 2
    assert browser.terms.equals(views.relevant_terms(
        model.components_, model.vocab_, browser.counts, browser.prevalence, 2, lam=0.0, n=8))
    assert browser.passages_html.value.count("<blockquote>") == 3
    assert "Share of T2 per document" in browser.shares_html.value
    assert "commentary" in browser.shares_html.value and "news" in browser.shares_html.value
    assert browser.doc_shares.sum(axis=1).round(9).eq(1).all()
    with pytest.raises(ValueError, match="no column 'year'"):
        widgets.TopicBrowser(model, prepared.passages, prepared.docs, group="year")


def test_passage_reader_marks_the_chosen_document(prepared):  # noqa: F811
    reader = widgets.PassageReader(prepared.docs, prepared.passages, prepared.boilerplate)
    reader.document.value = "doc2"
    kinds = reader.spans["kind"].value_counts()
    assert f"{kinds['passage']} passages" in reader.summary.value
    assert reader.text.value.count("nqpf-passage-start") == kinds["passage"] + 1  # + CSS rule
    assert "Zhang San</span>" in reader.text.value


def test_long_document_lists_are_cut_and_say_so(monkeypatch, prepared):  # noqa: F811
    monkeypatch.setattr(widgets, "MAX_CHOICES", 2)
    reader = widgets.PassageReader(prepared.docs, prepared.passages, prepared.boilerplate)
    assert [doc for _, doc in reader.document.options] == ["doc0", "doc1"]
    assert "the first 2 of 4 documents" in reader.widget.children[1].value
    kwic = widgets.KwicExplorer(prepared.docs, prepared.passages)
    assert len(kwic.documents.options) == 3 and len(kwic.lines) == 24  # "all" + two


def test_explorers_describe_themselves_as_text(kwic):
    bundle = kwic._repr_mimebundle_()
    assert bundle["text/plain"].startswith("KWIC explorer")
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert isinstance(kwic.lines, pd.DataFrame)
