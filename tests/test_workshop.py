"""nqpf.workshop: student copies keep no solution and still run; the Binder environment holds
exactly what the notebooks import, pinned as in pyproject.toml."""

import ast
import json
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

import nqpf
from nqpf import paths, workshop
from nqpf.__main__ import main

NOTEBOOKS = sorted((paths.ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
BINDER = paths.ROOT / "binder" / "requirements.txt"
KERNEL_ONLY = {"ipykernel"}  # in the Binder file for the kernel, imported by no notebook
SOLUTION = "<details><summary>Solution</summary>\n\n```python\nx = 1\n```\n\n</details>"


@pytest.mark.parametrize(
    ("markdown", "expected", "removed"),
    [
        ("1. Do it.\n\n" + SOLUTION + "\n\n2. Next.", "1. Do it.\n\n2. Next.", 1),
        (f"{SOLUTION}\n{SOLUTION}", "", 2),
        ("<details>\n<summary> solution </summary>\ncode\n</details>", "", 1),
        ("<details><summary>Hint</summary>look up</details>",
         "<details><summary>Hint</summary>look up</details>", 0),
        ("No exercise here.", "No exercise here.", 0),
    ],
)
def test_without_solutions(markdown, expected, removed):
    assert workshop.without_solutions(markdown) == (expected, removed)


def test_student_notebook():
    nb = new_notebook(cells=[
        new_code_cell("a = 1", execution_count=1,
                      outputs=[new_output("stream", name="stdout", text="1\n")]),
        new_markdown_cell(f"## Exercises\n\n1. One.\n\n{SOLUTION}\n\n2. Two.\n\n{SOLUTION}"),
        new_code_cell("b = a + 1", metadata={"tags": ["solution"]}),
        new_markdown_cell("## Summary"),
    ])
    student = workshop.student_notebook(nb)
    assert [(c.cell_type, c.source) for c in student.cells] == [
        ("code", "a = 1"), ("markdown", "## Exercises\n\n1. One.\n\n2. Two."),
        ("code", "# Exercise 1: your code here\n"), ("code", "# Exercise 2: your code here\n"),
        ("markdown", "## Summary")]
    assert student.cells[0].outputs == [] and student.cells[0].execution_count is None
    assert nb.cells[0].outputs and "<details>" in nb.cells[1].source  # the source is unchanged


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("workshop")
    assert main(["workshop", "--out", str(out)]) == 0
    return out


def solution_code(nb) -> list[str]:
    """The code lines inside the solution blocks of a notebook's Markdown."""
    blocks = [block for cell in nb.cells if cell.cell_type == "markdown"
              for block in workshop.SOLUTION_BLOCK.findall(cell.source)]
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip() and not line.lstrip().startswith(("<", "```", "#"))]


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_solution_is_left_for_students(built, source):
    nb = nbformat.read(source, as_version=4)
    student = nbformat.read(built / "student" / source.name, as_version=4)
    instructor = nbformat.read(built / "instructor" / source.name, as_version=4)
    assert instructor == nb
    code = solution_code(nb)
    assert code, "the source has no solution to remove"
    text = json.dumps([cell.source for cell in student.cells])
    assert "<details" not in text and "Solution" not in text
    # solution lines that the notebook has nowhere else must be gone
    elsewhere = {line.strip() for cell in nb.cells
                 for line in workshop.SOLUTION_BLOCK.sub("", cell.source).splitlines()}
    only_in_solutions = [line for line in code if line not in elsewhere]
    assert only_in_solutions
    left = {line.strip() for cell in student.cells for line in cell.source.splitlines()}
    assert [line for line in only_in_solutions if line in left] == []
    assert all(not cell.get("outputs") for cell in student.cells)


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_student_notebook_executes(built, source):
    student = built / "student" / source.name
    nb = nbformat.read(student, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(student.parent)}}).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []


def test_a_notebook_without_solutions_is_refused(tmp_path):
    plain = tmp_path / "01_plain.ipynb"
    nbformat.write(new_notebook(cells=[new_markdown_cell("# Plain")]), plain)
    with pytest.raises(ValueError, match="01_plain.ipynb: no exercise solution found"):
        workshop.build([plain], out_dir=tmp_path / "out")
    assert main(["workshop", "--notebooks", str(plain), "--out", str(tmp_path / "o")]) == 1


def _imports(source: str) -> set[str]:
    """Modules a piece of Python imports (``from nqpf import x`` counts as ``nqpf.x``)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.add(node.module)
            if node.module == "nqpf":
                found |= {f"nqpf.{alias.name}" for alias in node.names}
    return found


def notebook_distributions() -> set[str]:
    """Distributions of the third-party modules the notebooks import, directly or through the
    nqpf modules they use (every import in those modules, also those inside functions)."""
    todo = set()
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                todo |= _imports("\n".join(line for line in cell.source.splitlines()
                                           if not line.lstrip().startswith(("%", "!"))))
    seen, third_party = set(), set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        if module == "nqpf":  # names nqpf imports on first use
            todo |= {f"nqpf.{name}" for name in nqpf.EXPORTS.values()}
            todo |= _imports((paths.ROOT / "src" / "nqpf" / "__init__.py").read_text())
        elif module.startswith("nqpf."):
            file = paths.ROOT / "src" / (module.replace(".", "/") + ".py")
            if file.is_file():
                todo |= _imports(file.read_text(encoding="utf-8"))
        elif module.split(".")[0] not in sys.stdlib_module_names:
            third_party.add(module.split(".")[0])
    distributions = packages_distributions()
    return {name.lower() for module in third_party for name in distributions[module]}


def requirement_name(line: str) -> str:
    return re.split(r"[=<>!~\[ ]", line.strip(), maxsplit=1)[0].lower()


def test_binder_environment_is_what_the_notebooks_import():
    lines = [line.strip() for line in BINDER.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())
    declared = {requirement_name(line): line.split("#")[0].strip()
                for line in project["project"]["dependencies"]}
    for line in lines:  # the same pins as pyproject.toml
        assert declared.get(requirement_name(line)) == line, line
    # a scheduler (the dask extra) is optional: imported only when the notebook is given one
    extras = project["project"]["optional-dependencies"]
    optional = {requirement_name(line) for line in extras["dask"]}
    assert ({requirement_name(line) for line in lines} - KERNEL_ONLY
            == notebook_distributions() - optional)
