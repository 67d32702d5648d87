"""Where things live: the one module that knows the project root.

Notebooks run with ``notebooks/`` as their working directory (nbval, papermill,
JupyterLab), so every path is resolved from this file, never from the cwd.
Set ``NQPF_HOME`` to point the collection at another project folder.
"""

import os
from pathlib import Path

ROOT = Path(os.environ.get("NQPF_HOME", Path(__file__).resolve().parents[2]))
DATA = ROOT / "data"
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
LEXICON = DATA / "lexicon"
REPORTS = ROOT / "reports"
NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"  # the numbered notebooks


def notebooks() -> list[Path]:
    """The project's numbered notebooks, in order."""
    return sorted(NOTEBOOKS.glob(NOTEBOOK_GLOB))


def output_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and return it."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def relative(path: Path) -> str:
    """``path`` relative to the project root when inside it, so printed output is portable."""
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def is_study_corpus(corpus) -> bool:
    """Whether ``corpus`` (None or a path) names the study corpus, ``RAW``."""
    return corpus is None or Path(corpus).resolve() == RAW.resolve()
