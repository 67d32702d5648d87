"""End to end: `python -m nqpf report` reruns the whole collection on another corpus."""

import random
import subprocess
import sys

import pytest

from nqpf import paths

THEMES = {
    "talent": "talent education university training skill teacher student research",
    "industry": "manufacturing industry factory equipment upgrading chain supplier machine",
    "green": "ecological green carbon energy forest environment protection emission",
    "digital": "digital data platform computing network intelligence algorithm software",
}
VERBS = ["promote", "strengthen", "accelerate", "deepen", "support", "cultivate", "improve"]
SLOGAN = "We must accelerate the development of new quality productive forces."


def generated_corpus(folder, *, n_docs=8, seed=0):
    """``n_docs`` texts of ~300 words, each mostly about one theme, sharing one slogan."""
    rng = random.Random(seed)
    folder.mkdir()
    for i in range(n_docs):
        theme = list(THEMES)[i % len(THEMES)]
        paragraphs = []
        for _ in range(4):
            words = [*THEMES[theme].split()] * 3 + rng.sample(" ".join(THEMES.values()).split(), 6)
            sentences = [f"Local governments {rng.choice(VERBS)} {' '.join(rng.sample(words, 6))}."
                         for _ in range(8)]
            paragraphs.append(" ".join(sentences))
        paragraphs.insert(2, SLOGAN)
        (folder / f"doc_{i:02d}.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def rerun(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rerun")
    corpus, out = generated_corpus(tmp / "corpus"), tmp / "report"
    result = subprocess.run(
        [sys.executable, "-m", "nqpf", "report", "--corpus", str(corpus), "--out", str(out),
         "--k-min", "2", "--k-max", "4"],
        capture_output=True, text=True, cwd=paths.ROOT, timeout=900)
    return result, out


def test_report_command_succeeds_and_prints_progress(rerun):
    result, out = rerun
    assert result.returncode == 0, result.stderr[-2000:]
    notebooks = sorted(p.stem for p in (paths.ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for i, name in enumerate(notebooks, start=1):
        assert f"[{i}/{len(notebooks)}] {name} … done" in result.stdout


@pytest.mark.parametrize("version", ["", ".reader"])
def test_every_notebook_rendered(rerun, version):
    _, out = rerun
    for notebook in (paths.ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"):
        page = out / f"{notebook.stem}{version}.html"
        assert page.stat().st_size > 10_000
        assert "doc_00" in page.read_text(encoding="utf-8")  # it analysed the new corpus


@pytest.mark.parametrize(
    "name",
    ["tables/01_ingest_report.csv", "tables/topics.csv", "tables/passage_topics.csv",
     "figures/02_passage_lengths.png", "figures/06_wordcloud_corpus.svg", "index.html"],
)
def test_outputs_written_to_the_chosen_folder(rerun, name):
    _, out = rerun
    assert (out / name).stat().st_size > 0


def test_ingest_report_accounts_for_every_file(rerun):
    _, out = rerun
    report = (out / "tables" / "01_ingest_report.csv").read_text(encoding="utf-8").splitlines()
    assert len(report) == 1 + 8 and all(",loaded," in line for line in report[1:])
