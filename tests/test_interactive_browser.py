"""The interactive views in headless Chromium, inside a real report page (``render_html``):
the λ slider re-ranks terms, a search filters rows, a heading sorts them, a click opens a
passage, hovering a dot shows its text; no request leaves the machine, no console error.

Needs Debian's Chromium and playwright, as ``test_browser.py`` (whose launch it shares).
"""

import re

import nbformat
import pytest
from test_browser import CHROMIUM_ARGS, LOCAL_URL, browser  # noqa: F401  (fixture)
from test_views import model, prepared  # noqa: F401  (fixtures)

from nqpf import interactive, views
from nqpf.report import render_html


@pytest.fixture(scope="module")
def lines(prepared):  # noqa: F811
    return views.kwic_lines(prepared.docs, prepared.passages, "quality productive", window=40)


@pytest.fixture(scope="module")
def page_path(tmp_path_factory, model, prepared, lines):  # noqa: F811
    """A report page (reader version) whose outputs are the four views."""
    shown = [interactive.topic_map(model, prepared.passages, n_terms=6),
             interactive.passage_map(model, prepared.passages, prepared.docs),
             interactive.kwic_table(lines, prepared.passages),
             interactive.passage_table(model, prepared.passages, prepared.docs)]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Views\n\nInteractive views.")]
    for i, view in enumerate(shown, start=1):
        cell = nbformat.v4.new_code_cell("view", execution_count=i)
        cell.outputs = [nbformat.v4.new_output("display_data", data=view._repr_mimebundle_())]
        nb.cells.append(cell)
    folder = tmp_path_factory.mktemp("interactive")
    nbformat.write(nb, folder / "99_views.ipynb")
    _, reader = render_html(folder / "99_views.ipynb", folder / "out")  # checks it offline
    return reader


@pytest.fixture
def page(browser, page_path):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(re.compile(r"^(?!file:|data:|about:)"), lambda route: route.abort())
    tab = context.new_page()
    seen = {"requests": [], "errors": []}
    tab.on("request", lambda request: seen["requests"].append(request.url))
    tab.on("console", lambda msg: msg.type == "error" and seen["errors"].append(msg.text))
    tab.on("pageerror", lambda error: seen["errors"].append(str(error)))
    tab.goto(page_path.as_uri(), wait_until="load")
    yield tab
    context.close()
    assert [url for url in seen["requests"] if not LOCAL_URL.match(url)] == []
    assert seen["errors"] == []


def view(page, kind: str):
    return page.locator(f'.nqpf-view[data-view="{kind}"]')


def test_every_view_mounted(page):
    assert page.locator(".nqpf-view[data-nqpf-ready]").count() == 4
    assert interactive.FALLBACK not in page.inner_text("body")


def test_lambda_slider_reranks_terms(page, model, prepared):  # noqa: F811
    topic_map = view(page, "topics")
    counts = views.term_counts(prepared.passages["tokens"], model.vocab_)
    prevalence = [float(v) for v in topic_map.locator("script.nqpf-data").evaluate(
        "s => JSON.parse(s.textContent).topics.map(t => String(t.prevalence))")]

    def shown():
        return topic_map.locator("ol.nqpf-terms li").evaluate_all(
            "items => items.map(li => li.dataset.term)")

    def expected(topic, lam):
        table = views.relevant_terms(model.components_, model.vocab_, counts, prevalence,
                                     topic, lam=lam, n=6)
        return table["term"].str.replace("_", " ").tolist()

    assert shown() == expected(1, views.DEFAULT_LAMBDA)
    slider = topic_map.locator('input[type="range"]')
    slider.fill("0")
    assert topic_map.locator("output").inner_text() == "0.00"
    at_zero = shown()
    assert at_zero == expected(1, 0.0)
    slider.fill("1")
    assert shown() == expected(1, 1.0) != at_zero
    topic_map.locator("select").select_option("1")  # the second topic
    assert shown() == expected(2, 1.0)
    topic_map.locator('.nqpf-bubble[data-topic="3"]').click()
    assert shown() == expected(3, 1.0)


def rows_of(table):
    return table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent))")


def test_search_filters_and_headings_sort_the_kwic(page, lines):
    kwic = view(page, "table").first
    assert len(rows_of(kwic)) == len(lines) == 24
    kwic.locator('input[type="search"]').fill("DOCUMENT NUMBER 1")
    assert len(rows_of(kwic)) == 6 and {r[0] for r in rows_of(kwic)} == {
        "Document number 1 <b>&</b>"}
    assert kwic.locator(".nqpf-count").inner_text() == "6 of 24 rows"
    kwic.locator('input[type="search"]').fill("")
    kwic.locator("th button", has_text="end").click()
    ends = [int(r[3]) for r in rows_of(kwic)]
    assert ends == sorted(ends) and ends != lines["end"].tolist()
    kwic.locator("th button", has_text="end").click()  # again: descending
    assert [int(r[3]) for r in rows_of(kwic)] == sorted(ends, reverse=True)
    kwic.locator("th button", has_text="left").click()
    by_left = views.sort_kwic(lines, by="left")
    assert [(r[0], int(r[2])) for r in rows_of(kwic)] == list(zip(
        by_left["label"], by_left["start"], strict=True))
    kwic.locator("th button", has_text="right").click()
    by_right = views.sort_kwic(lines, by="right")
    assert [int(r[2]) for r in rows_of(kwic)] == by_right["start"].tolist()


def test_clicking_a_line_opens_its_passage(page, lines):
    kwic = view(page, "table").first
    kwic.locator("tbody tr").nth(4).click()
    detail = kwic.locator(".nqpf-detail")
    assert detail.locator("mark").inner_text() == lines["keyword"].iloc[4]
    row = lines.iloc[4]
    assert f"characters {row['start']}–{row['end']}" in detail.inner_text()


def test_passage_table_search_and_sort(page, prepared):  # noqa: F811
    table = view(page, "table").nth(1)
    table.locator('input[type="search"]').fill("zebra")
    assert rows_of(table) == [] and table.locator(".nqpf-count").inner_text() == (
        f"0 of {len(prepared.passages)} rows")
    table.locator('input[type="search"]').fill("")
    table.locator("th button", has_text="share").click()
    shares = [float(r[5]) for r in rows_of(table)]
    assert shares == sorted(shares)


def test_passage_map_hover_and_legend(page):
    points = view(page, "passages")
    hover = points.locator("script.nqpf-data").evaluate("s => JSON.parse(s.textContent).hover")
    points.locator("circle.nqpf-dot").last.hover()  # drawn last: on top of any twin
    tip = points.locator(".nqpf-tip")
    assert tip.is_visible() and tip.inner_text() == hover[-1]
    assert tip.inner_text().startswith("Document number 3 <b>&</b> · passage")
    visible = points.locator("circle.nqpf-dot:visible")
    before = visible.count()
    points.locator("button.nqpf-key").first.click()
    assert 0 < visible.count() < before
