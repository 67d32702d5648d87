"""The real report, end to end, on a gallery of small hostile corpora.

Each case is a corpus a new user could well try. Whatever the notebooks make of it, the
report must be written: exit status 0 only if every notebook ran to the end, ``index.html``
present, every notebook complete or marked failed with its reason (index and manifest), the
ingest report accounting for every file, and nothing outside ``--out`` touched (the cache in
``data/processed/`` aside). Marked ``slow`` (six kernels per case): ``make test`` skips it,
``.ci/run`` runs it after ``make test``.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from nqpf import paths

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted(p.stem for p in (paths.ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MUST_COMPLETE = {"01_ingest", "06_visualisation", "07_trends"}  # degrade on every case here
MARKUP = "<script>alert(1)</script> <img src=x onerror=alert(2)>"
SENTENCE = ("Local governments support innovation, talent training and advanced manufacturing "
            "to develop new quality productive forces for high-quality development.")
TEXTS = [
    "Universities train engineers for strategic emerging industries. Talent policy links "
    "education, science and industry, and provinces fund laboratories and pilot platforms. "
    "New quality productive forces rest on original innovation and key core technologies.",
    "Farmers use digital tools to raise yields. Rural cooperatives share machinery and data, "
    "and county governments build cold-chain logistics. Green agriculture lowers emissions "
    "while incomes rise, which the plan calls high-quality development of the countryside.",
    "Factories adopt industrial robots and cloud platforms. Manufacturing firms upgrade "
    "production lines, cut energy use and export more advanced equipment. Finance supports "
    "technology start-ups with patient capital and venture funds.",
    "Cities open data to companies and protect privacy. Artificial intelligence and the "
    "digital economy change services, and regulators draft rules for platforms, algorithms "
    "and cross-border data flows that keep markets open and fair.",
]
# Kernels inherit the environment: this sitecustomize makes one file unreadable in every
# process of the run, as a file without read permission would be for a non-root user.
UNREADABLE_HOOK = """import os, pathlib
_name = os.environ.get("NQPF_TEST_UNREADABLE")
_real = pathlib.Path.read_bytes
def _read_bytes(self):
    if _name and self.name == _name:
        raise PermissionError(13, "Permission denied", str(self))
    return _real(self)
pathlib.Path.read_bytes = _read_bytes
"""


def long_text(i: int) -> str:
    return " ".join(TEXTS[(i + j) % len(TEXTS)] for j in range(3))


def write(folder: Path, files: dict[str, str | bytes]) -> None:
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())


CASES = {
    "one_document": lambda f: write(f, {"only.txt": long_text(0)}),
    "five_identical": lambda f: write(f, {f"copy_{i}.txt": long_text(0) for i in range(5)}),
    "two_short": lambda f: write(f, {"a.txt": TEXTS[0][:120], "b.txt": TEXTS[1][:120]}),
    "one_sentence_300": lambda f: write(
        f, {f"doc_{i:03d}.txt": f"Item {i}. " + " ".join([SENTENCE] * 3) for i in range(300)}),
    "single_genre": lambda f: write(f, {
        **{f"d{i}.txt": long_text(i) for i in range(4)},
        "metadata.csv": "doc_id,genre\n" + "".join(f"d{i},news\n" for i in range(4))}),
    "dollar_id": lambda f: write(f, {"latex $\\alert$.txt": long_text(0),
                                     "plain.txt": long_text(1), "price $5 $6.txt": long_text(2)}),
    "empty_metadata": lambda f: write(f, {**{f"d{i}.txt": long_text(i) for i in range(3)},
                                          "metadata.csv": b""}),
    "bad_quoting": lambda f: write(f, {
        **{f"d{i}.txt": long_text(i) for i in range(3)},
        "metadata.csv": 'doc_id,genre\nd0,news\nd1,"blog\nd2,essay\nd3,x,y\n'}),
    "unreadable_file": lambda f: write(f, {f"d{i}.txt": long_text(i) for i in range(3)}),
    "symlink_loop": lambda f: (write(f, {f"d{i}.txt": long_text(i) for i in range(3)}),
                               (f / "loop.txt").symlink_to(f / "loop.txt")),
    # a CSV corpus whose ids and texts look like markup, paths and mathtext
    "markup_csv": lambda f: (pd.DataFrame({
        "id": ["<b>bold</b>", "../../escape", "$a$ and $b$"],
        "text": [f"{MARKUP} {long_text(i)}" for i in range(3)]}).to_csv(f / "docs.csv",
                                                                         index=False),
        f / "docs.csv")[1],
}
TABLE_ROWS = {"markup_csv": 3}


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every entry under ``folder``: (size, mtime) without following symbolic links."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            info = os.lstat(os.path.join(root, name))
            found[os.path.relpath(os.path.join(root, name), folder)] = (info.st_size,
                                                                      info.st_mtime_ns)
    return found


def git_status() -> str:
    """Changes to the project's data and notebooks (the cache, ignored by git, aside)."""
    return subprocess.run(["git", "status", "--porcelain", "--", "data", "notebooks"],
                          cwd=paths.ROOT, text=True, capture_output=True, check=False).stdout


@pytest.fixture(scope="module")
def project_before():
    return git_status(), snapshot(paths.REPORTS) if paths.REPORTS.exists() else {}


@pytest.mark.parametrize("case", list(CASES))
def test_report_on_hostile_corpus(case, tmp_path, project_before):
    corpus, out, hook = tmp_path / "corpus", tmp_path / "out", tmp_path / "hook"
    corpus.mkdir()
    hook.mkdir()
    source = CASES[case](corpus)  # a case that builds a table returns its path
    source = source if isinstance(source, Path) else corpus
    (hook / "sitecustomize.py").write_text(UNREADABLE_HOOK, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(hook), "OMP_NUM_THREADS": "1",
           "NQPF_TEST_UNREADABLE": "d1.txt" if case == "unreadable_file" else ""}
    corpus_before, tmp_before = snapshot(corpus), set(os.listdir(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "nqpf", "report", "--corpus", str(source), "--out", str(out),
         "--jobs", "2"], capture_output=True, text=True, env=env, check=False, timeout=900)

    assert (out / "manifest.json").is_file(), result.stdout + result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    statuses = manifest["notebooks"]
    failed = {name: error for name, error in statuses.items() if error != "complete"}
    print(f"{case}: exit {result.returncode}; failed: "
          + ("; ".join(f"{n}: {e[:160]}" for n, e in failed.items()) or "none"))
    assert sorted(statuses) == NOTEBOOKS
    assert result.returncode == (1 if failed else 0), result.stderr
    assert all(name in result.stderr for name in failed)
    assert "Traceback" not in result.stderr
    assert not MUST_COMPLETE & set(failed), failed
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count('class="failed-notebook"') == len(failed)
    assert "An Exception was encountered" not in index  # titles from the notebooks' own cells
    for name in NOTEBOOKS:
        assert (out / "notebooks" / f"{name}.ipynb").is_file()
        if name in failed:
            assert failed[name].startswith(f"notebook {name}.ipynb failed")
            assert f'href="notebooks/{name}.ipynb"' in index
        else:
            assert f'href="{name}.reader.html"' in index

    ingest = pd.read_csv(out / "tables" / "01_ingest_report.csv", keep_default_na=False)
    if case in TABLE_ROWS:
        assert set(ingest["path"]) == {f"docs.csv#row {n}" for n in range(1, 4)}
    else:
        assert set(os.listdir(corpus)) <= set(ingest["path"])
    assert ingest["reason"].str.contains("Traceback").sum() == 0
    if case == "unreadable_file":
        assert ingest.set_index("path").loc["d1.txt", "reason"] == (
            "permission denied (not readable)")
    if case == "symlink_loop":
        assert ingest.set_index("path").loc["loop.txt", "reason"] == (
            "symbolic link loop (not read)")
    if case in {"empty_metadata", "bad_quoting"}:
        assert (ingest["status"] == "loaded").sum() == 3

    assert snapshot(corpus) == corpus_before
    assert set(os.listdir(tmp_path)) == tmp_before | {"out"}
    assert not [p for p in out.rglob("*.lock")]
    for page in out.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, page.name
    assert set(manifest["files"]) == {p.relative_to(out).as_posix() for p in out.rglob("*")
                                      if p.is_file()} - {"manifest.json"}
    before_status, before_reports = project_before
    assert git_status() == before_status
    assert (snapshot(paths.REPORTS) if paths.REPORTS.exists() else {}) == before_reports
