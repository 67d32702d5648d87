"""Self-contained interactive views: escaped data, one allowed script, deterministic bytes."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from test_views import model, prepared  # noqa: F401  (fixtures)

from nqpf import interactive, views
from nqpf.report import offline_problems

HOSTILE = '</script><script>alert(1)</script> <img src=x onerror=alert(2)> & \u2028'
DATA = re.compile(r'<script type="application/json" class="nqpf-data">(.*?)</script>', re.S)


def data_of(view: interactive.View) -> dict:
    return json.loads(DATA.search(view.html).group(1))


def test_to_json_escapes_markup_and_round_trips():
    text = interactive.to_json({"text": HOSTILE})
    assert not set("<>&\u2028") & set(text)
    assert json.loads(text) == {"text": HOSTILE}


def test_view_is_inert_offline_and_deterministic():
    frame = pd.DataFrame({"text": [HOSTILE, "plain"], "n": [1, 2]})
    page = interactive.table(frame, title="T <b>").html
    assert offline_problems(page) == []
    assert "<script>alert" not in page and "<img src=x" not in page and "T &lt;b&gt;" in page
    assert page.count(interactive.SCRIPT) == 1
    assert page == interactive.table(frame, title="T <b>").html
    assert data_of(interactive.table(frame, title="x"))["rows"] == [[HOSTILE, 1], ["plain", 2]]


@pytest.mark.parametrize("page, problem", [
    ("<script>" + interactive.SCRIPT + "</script>", None),
    ('<script type="application/json">{"a": 1}</script>', None),
    ("<script>" + interactive.SCRIPT + "alert(1)</script>", "<script> element"),
    ("<script>" + interactive.SCRIPT, "<script> element"),  # never closed
    ('<script src="data:text/javascript,1"></script>', "<script> element"),
    ('<script type="module">' + interactive.SCRIPT + "</script>", "<script> element"),
    ('<script type="application/json" src="x.json"></script>', "<script> element"),
])
def test_report_lets_through_only_the_views_script(page, problem):
    problems = offline_problems(page)
    assert (problem in problems) if problem else problems == []


def test_table_cells_notes_and_sampling():
    frame = pd.DataFrame({"f": [0.123456789, np.nan], "i": [np.int64(3), 4],
                          "b": [True, False], "s": ["x", None]})
    data = data_of(interactive.table(frame, title="t"))
    assert data["rows"] == [[0.123457, 3, "True", "x"], [None, 4, "False", None]]
    big = pd.DataFrame({"x": range(50)})
    view = interactive.table(big, title="big", max_rows=20)
    assert len(data_of(view)["rows"]) == 20
    assert "Showing a random sample of 20 of 50 rows" in view.html
    assert "random sample" in view.plain


def test_kwic_table_marks_each_keyword_in_its_passage(prepared):  # noqa: F811
    lines = views.kwic_lines(prepared.docs, prepared.passages, "quality productive",
                             sort="left")
    data = data_of(interactive.kwic_table(lines, prepared.passages))
    assert data["columns"] == ["document", "passage", "start", "end", "left", "keyword",
                               "right"]
    assert len(data["rows"]) == len(lines) == 24
    for row, (text_index, start, end, caption) in zip(data["rows"], data["details"],
                                                     strict=True):
        assert data["texts"][text_index][start:end] == row[5]
        assert f"characters {row[2]}–{row[3]}" in caption
    assert data["sort_keys"]["left"] == [views.context_words(t)[::-1] for t in lines["left"]]
    assert len(data["texts"]) == len(set(zip(lines["doc_id"], lines["passage_id"],
                                             strict=True)))  # each passage once


def test_topic_map_ranks_as_relevant_terms_at_any_slider_position(model, prepared):  # noqa: F811
    passages = prepared.passages
    view = interactive.topic_map(model, passages, n_terms=5)
    data = data_of(view)
    assert [t["topic"] for t in data["topics"]] == [1, 2, 3]
    assert abs(sum(t["prevalence"] for t in data["topics"]) - 1) < 1e-9
    counts = views.term_counts(passages["tokens"], model.vocab_)
    prevalence = np.array([t["prevalence"] for t in data["topics"]])
    for lam in (0.0, 0.37, 0.6, 1.0):
        for topic, candidates in enumerate(data["candidates"], start=1):
            # what interactive.js computes
            ranked = sorted(candidates, key=lambda c: (-(lam * c[1] + (1 - lam) * c[2]), c[0]))
            shown = [data["terms"][c[0]] for c in ranked[:5]]
            expected = views.relevant_terms(model.components_, model.vocab_, counts, prevalence,
                                            topic, lam=lam, n=5)
            assert shown == expected["term"].str.replace("_", " ").tolist()


def test_passage_map_points_hover_and_sample(model, prepared):  # noqa: F811
    docs, passages = prepared.docs, prepared.passages
    data = data_of(interactive.passage_map(model, passages, docs))
    assert len(data["points"]) == len(data["hover"]) == len(passages)
    assert {p[2] for p in data["points"]} <= {0, 1, 2}
    assert data["hover"][0].startswith("Document number 0 <b>&</b> · passage 1 · T")
    view = interactive.passage_map(model, passages, docs, max_points=10)
    assert len(data_of(view)["points"]) == 10
    assert f"random sample of 10 of {len(passages)} passages" in view.html


def test_passage_table(model, prepared):  # noqa: F811
    view = interactive.passage_table(model, prepared.passages, prepared.docs)
    data = data_of(view)
    assert len(data["rows"]) == len(prepared.passages)
    assert {row[4] for row in data["rows"]} <= {"T1", "T2", "T3"}
    assert all(0 < row[5] <= 1 for row in data["rows"])
    assert data["texts"][0] == prepared.passages["text"].iloc[0]


def test_reader_html_escapes_and_marks():
    text = "Head <x>\n\nNew quality productive forces & more. Editor: A"
    spans = pd.DataFrame({"kind": ["boilerplate", "passage", "concept", "boilerplate"],
                          "start": [0, 10, 10, 48], "end": [8, 48, 39, 57],
                          "name": ["title", "passage 1", "new_quality_productive_forces",
                                   "editor"]})
    page = interactive.reader_html(text, spans)
    assert offline_problems(page) == []
    assert "Head &lt;x&gt;" in page and "&amp; more" in page and "<x>" not in page
    assert '<span class="nqpf-passage-start">[passage 1] </span>' in page
    assert ('<span class="nqpf-concept" title="new_quality_productive_forces">New quality '
            'productive forces</span>') in page
    assert page.count('class="nqpf-boilerplate"') == 2


@pytest.mark.parametrize(("max_chars", "shown", "note"),
                         [(100, 'title="editor">Editor: A</span></div>', False),
                          (20, 'title="concept">New qualit</span></div>', True)])
def test_reader_html_shows_the_start_of_a_long_text(max_chars, shown, note):
    text = "Head <x>\n\nNew quality productive forces & more. Editor: A"
    spans = pd.DataFrame({"kind": ["passage", "concept", "boilerplate"], "start": [10, 10, 48],
                          "end": [57, 39, 57], "name": ["passage 1", "concept", "editor"]})
    page = interactive.reader_html(text, spans, max_chars=max_chars)
    assert shown in page
    assert ("The first 20 of 57 characters." in page) == note
    assert ("editor" in page) == (not note)  # spans past the cut are not drawn
