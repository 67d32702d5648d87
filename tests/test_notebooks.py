"""The notebooks keep the collection's conventions (their outputs are checked by nbval)."""

import json
import re

import pytest
from papermill.translators import PythonTranslator

from nqpf import paths

NOTEBOOKS = sorted((paths.ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
STAGES = ["ingest", "cleaning", "exploration", "tfidf", "topics", "visualisation", "trends",
          "validation", "explore"]


def cells(path, kind):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if c["cell_type"] == kind]


def source(cell):
    return "".join(cell["source"])


def test_one_notebook_per_stage_in_order():
    assert [p.stem.split("_", 1)[1] for p in NOTEBOOKS] == STAGES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_declares_the_shared_settings(path):
    tagged = [c for c in cells(path, "code") if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    declared = [p.name for p in PythonTranslator.inspect({"source": source(tagged[0])})]
    lines = [ln for ln in source(tagged[0]).splitlines() if re.match(r"\w+ =", ln)]
    assert len(declared) == len(lines), "papermill cannot parse every parameter line"
    assert {"corpus", "corpus_options", "out_dir"} <= set(declared)
    # a seed only where something is random (topic models, layouts)
    assert ("random_state" in declared) == (path.stem >= "05")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_code_cell_sets_up_the_session(path):
    first = source(cells(path, "code")[0])
    assert "%matplotlib inline" in first and "set_config(display=\"text\")" in first


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_outputs_come_from_one_clean_run(path):
    code = cells(path, "code")
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    outputs = [o for c in code for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_function_definitions_in_code_cells(path):
    definition = re.compile(r"^\s*(def|class) ", re.M)
    assert not [source(c) for c in cells(path, "code") if definition.search(source(c))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_teaching_structure(path):
    text = "\n".join(source(c) for c in cells(path, "markdown"))
    assert text.startswith("# ")
    for heading in ("## What you will learn", "## Summary", "## Exercises"):
        assert heading in text
    assert text.count("<details>") >= 2


def printed(path) -> str:
    return "".join("".join(output.get("text", "")) for cell in cells(path, "code")
                   for output in cell.get("outputs", []))


def test_visualisation_shows_the_k_that_topics_chose():
    """Notebook 06 fits the K notebook 05 chooses (their stored outputs, checked by nbval)."""
    by_stage = {p.stem.split("_", 1)[1]: p for p in NOTEBOOKS}
    chosen = re.search(r"Chosen for NMF: K = (\d+)", printed(by_stage["topics"]))
    shown = re.search(r"n_topics = (\d+)", printed(by_stage["visualisation"]))
    assert chosen and shown and chosen.group(1) == shown.group(1)


def tagged(path, tag):
    return [c for c in cells(path, "code") if tag in c["metadata"].get("tags", [])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_paragraph_says_what_the_notebook_does(path):
    """The index page shows the paragraph after the title."""
    first = source(cells(path, "markdown")[0]).split("\n\n")
    assert first[0].startswith("# ") and len(first) > 1
    assert "This notebook" in first[1] and not first[1].startswith("#")
    assert len(first[1]) < 750, "the index shows this paragraph: keep it to a few sentences"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_findings_are_computed_and_printed(path):
    """One ``findings`` cell prints 2-4 findings, each from the data (no number typed in)."""
    (cell,) = tagged(path, "findings")
    lines = [ln for o in cell["outputs"] for ln in "".join(o.get("text", "")).splitlines() if ln]
    assert 2 <= len(lines) <= 4 and all(ln.startswith("- ") for ln in lines)
    numbers = re.findall(r"(?<!notebook )\b\d[\d,.]*\d", "\n".join(lines))
    typed = [n for n in numbers if n in source(cell)]
    assert not typed, f"numbers typed into the findings cell: {typed}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_self_check_compares_an_answer_with_the_data(path):
    checks = tagged(path, "self-check")
    assert checks and all("present.check_answer(my_answer" in source(c) for c in checks)
    assert all("my_answer = None" in source(c) for c in checks)  # students fill it in


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_outputs_read_as_a_report(path):
    """No Series printouts, no raw DataFrame HTML with row numbers, no NaN cells."""
    for cell in cells(path, "code"):
        for output in cell["outputs"]:
            text = "".join(output.get("text", "")) + "".join(
                output.get("data", {}).get("text/plain", ""))
            html = "".join(output.get("data", {}).get("text/html", ""))
            assert "dtype:" not in text, source(cell)
            assert '<table border="1" class="dataframe">' not in html, source(cell)
            assert ">nan<" not in html.lower() and "&lt;NA&gt;" not in html, source(cell)
