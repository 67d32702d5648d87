"""End to end: `python -m nqpf report` reruns the whole collection on another corpus."""

import json
import random
import subprocess
import sys

import pandas as pd
import pytest

from nqpf import paths
from nqpf.language import HAN

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
     "figures/02_passage_lengths.png", "figures/06_wordcloud_corpus.svg",
     "tables/07_dates.csv", "index.html"],
)
def test_outputs_written_to_the_chosen_folder(rerun, name):
    _, out = rerun
    assert (out / name).stat().st_size > 0


def test_ingest_report_accounts_for_every_file(rerun):
    _, out = rerun
    report = (out / "tables" / "01_ingest_report.csv").read_text(encoding="utf-8").splitlines()
    assert len(report) == 1 + 8 and all(",loaded," in line for line in report[1:])


ZH_THEMES = {
    "talent": "人才 教育 大学 培养 技能 教师 学生 研究",
    "industry": "制造业 工厂 设备 升级 产业链 供应商 机器 工业",
    "green": "生态 绿色 能源 森林 环境 保护 排放 低碳",
    "digital": "数字 数据 平台 算力 网络 智能 算法 软件",
}
ZH_VERBS = ["推动", "加强", "加快", "深化", "支持", "培育", "完善"]
ZH_SLOGAN = "必须加快发展新质生产力，推动高质量发展。"


def generated_chinese_corpus(path, *, n_docs=6, seed=0):
    """A JSONL file of ``n_docs`` Chinese texts (field ``content``, ids in ``title``), each
    mostly about one theme, sharing one slogan."""
    rng = random.Random(seed)
    records = []
    for i in range(n_docs):
        words = ZH_THEMES[list(ZH_THEMES)[i % len(ZH_THEMES)]].split() * 3
        paragraphs = ["".join(f"地方政府{rng.choice(ZH_VERBS)}{'、'.join(rng.sample(words, 4))}。"
                              for _ in range(8)) for _ in range(4)]
        paragraphs.insert(2, ZH_SLOGAN)
        records.append({"title": f"文件{i:02d}", "content": "\n\n".join(paragraphs)})
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records),
                    encoding="utf-8")
    return path


def test_report_on_a_chinese_corpus(tmp_path):
    corpus = generated_chinese_corpus(tmp_path / "zh.jsonl")
    out = tmp_path / "report"
    result = subprocess.run(
        [sys.executable, "-m", "nqpf", "report", "--corpus", str(corpus), "--out", str(out),
         "--text-column", "content", "--id-column", "title", "--k-min", "2", "--k-max", "3"],
        capture_output=True, text=True, cwd=paths.ROOT, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    frequencies = pd.read_csv(out / "tables" / "03_frequencies.csv")
    top = frequencies["term"].head(20).tolist()
    assert "new_quality_productive_forces" in frequencies["term"].tolist()
    assert all(len(term) <= 6 for term in top if HAN.search(term)), top  # words, not clauses
    assert sum(bool(HAN.search(term)) for term in top) >= 15, top
    topic_terms = pd.read_csv(out / "tables" / "topics.csv").to_string()
    assert HAN.search(topic_terms)
    assert "文件00" in (out / "03_exploration.reader.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """The report on a folder of txt + pdf + docx + html files."""
    from test_sources import ARTICLE, PAGE_1, PAGE_2, news_page, write_docx, write_pdf

    tmp = tmp_path_factory.mktemp("mixed")
    corpus = generated_corpus(tmp / "corpus", n_docs=4)
    write_pdf(corpus / "plan.pdf", [PAGE_1, PAGE_2], header="Provincial plan")
    write_docx(corpus / "report.docx")
    (corpus / "news.html").write_text(news_page([*ARTICLE, SLOGAN]), encoding="utf-8")
    out = tmp / "report"
    result = subprocess.run(
        [sys.executable, "-m", "nqpf", "report", "--corpus", str(corpus), "--out", str(out),
         "--k-min", "2", "--k-max", "3"],
        capture_output=True, text=True, cwd=paths.ROOT, timeout=900)
    return result, out


def test_mixed_folder_analysed_and_no_script_in_the_report(mixed):
    from test_sources import SCRIPT

    result, out = mixed
    for name in ("02_cleaning", "03_exploration", "04_tfidf", "05_topics", "06_visualisation"):
        assert f"{name} … done" in result.stdout, result.stderr[-2000:]
    kwic = pd.read_csv(out / "tables" / "03_kwic_concept.csv")
    assert {"plan", "news"} <= set(kwic["doc_id"]) and "page" in kwic
    assert kwic.loc[kwic["doc_id"] == "plan", "page"].tolist() == [1]
    pages = list(out.rglob("*.html"))
    assert pages and not any(SCRIPT in page.read_text(encoding="utf-8") for page in pages)


def test_mixed_folder_report_succeeds(mixed):
    result, out = mixed
    assert result.returncode == 0, result.stderr[-2000:]
    report = pd.read_csv(out / "tables" / "01_ingest_report.csv").set_index("path")
    assert report["format"].to_dict() == {**{f"doc_{i:02d}.txt": "txt" for i in range(4)},
                                          "news.html": "html", "plan.pdf": "pdf",
                                          "report.docx": "docx"}
    assert (report["status"] == "loaded").all() and report.loc["plan.pdf", "pages"] == 2
