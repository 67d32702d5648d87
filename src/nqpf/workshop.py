"""Workshop copies of the notebooks: ``student/`` without solutions, ``instructor/`` with them.

Both come from the same sources, ``notebooks/NN_*.ipynb``. An instructor copy is the source
as committed (solutions and stored outputs). A student copy has every exercise solution
(``<details><summary>Solution</summary> … </details>`` in Markdown, and code cells tagged
``solution``) removed, an empty code cell for each removed solution after the exercises, and no
stored outputs, so that students run it themselves. ``python -m nqpf workshop`` (``make
workshop``) writes both into ``workshop/`` (or ``--out``); docs/workshop.md plans the day.
"""

import copy
import re
from collections.abc import Iterable
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell

from nqpf import paths

SOLUTION_TAG = "solution"  # a code cell that is an exercise's solution
SOLUTION_BLOCK = re.compile(
    r"[ \t]*<details>\s*<summary>\s*Solution\s*</summary>.*?</details>[ \t]*\n?",
    re.IGNORECASE | re.DOTALL,
)
_EXTRA_BLANK_LINES = re.compile(r"\n{3,}")
WORKSHOP = paths.ROOT / "workshop"
ANSWER_CELL = "# Exercise {number}: your code here\n"


def without_solutions(markdown: str) -> tuple[str, int]:
    """``markdown`` without its solution blocks, and how many there were."""
    text, removed = SOLUTION_BLOCK.subn("", markdown)
    return _EXTRA_BLANK_LINES.sub("\n\n", text).strip("\n") if removed else markdown, removed


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A student's copy of ``nb`` (not changed): no solutions, an answer cell for each, no
    outputs or execution counts."""
    student = copy.deepcopy(nb)
    cells, number = [], 0
    for cell in student.cells:
        if SOLUTION_TAG in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
        if cell.cell_type == "markdown":
            cell.source, removed = without_solutions(cell.source)
            for _ in range(removed):
                number += 1
                cells.append(new_code_cell(ANSWER_CELL.format(number=number)))
    student.cells = cells
    return student


def build(notebooks: Iterable[Path] | None = None, *, out_dir: Path | None = None
          ) -> dict[str, list[Path]]:
    """Write ``out_dir/student/`` and ``out_dir/instructor/`` (default ``workshop/``) from
    ``notebooks`` (default the project's ``notebooks/NN_*.ipynb``); return the files written,
    by kind. A notebook without any solution to remove is reported as a ``ValueError``, so an
    exercise format the builder does not know cannot slip through to students."""
    notebooks = [Path(nb) for nb in (notebooks or paths.notebooks())]
    out_dir = Path(out_dir if out_dir is not None else WORKSHOP)
    if not notebooks:
        raise FileNotFoundError("no notebooks to build the workshop from")
    written = {"student": [], "instructor": []}
    for source in notebooks:
        if not source.is_file():
            raise FileNotFoundError(f"notebook not found: {source}")
        nb = nbformat.read(source, as_version=4)
        student = student_notebook(nb)
        if len(student.cells) == len(nb.cells) and all(
                a.source == b.source for a, b in zip(student.cells, nb.cells, strict=True)):
            raise ValueError(f"{source}: no exercise solution found (expected "
                             "<details><summary>Solution</summary> in Markdown or a code cell "
                             f"tagged {SOLUTION_TAG!r})")
        for kind, version in (("student", student), ("instructor", nb)):
            target = paths.output_dir(out_dir / kind) / source.name
            nbformat.write(version, target)
            written[kind].append(target)
    return written
