import hashlib

import pandas as pd
import pytest

from nqpf import outputs, paths


def test_save_table_writes_csv_and_names_it(tmp_path):
    line = outputs.save_table(pd.DataFrame({"a": [1, 2]}), "demo", out_dir=tmp_path)
    assert (tmp_path / "tables" / "demo.csv").read_text().splitlines() == ["a", "1", "2"]
    assert line == f"Table saved: {tmp_path / 'tables' / 'demo.csv'} (2 rows)"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("03_keyness", "03_keyness"),
        ("latex $\\alert$", "latex_alert-{digest}"),
        ("../../etc/passwd", "etc_passwd-{digest}"),
        ("..\\x", "x-{digest}"),
        ("", "-{digest}"),
        ("新质生产力", "-{digest}"),
        ("a" * 81, "a" * 40 + "-{digest}"),
        (".hidden", "hidden-{digest}"),
    ],
)
def test_file_name_is_never_a_path(name, expected):
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    stem = outputs.file_name(name)
    assert stem == expected.format(digest=digest).lstrip("-")
    assert outputs.PLAIN_NAME.match(stem)


def test_save_table_makes_names_safe_and_records_them(tmp_path):
    line = outputs.save_table(pd.DataFrame({"a": [1]}), "doc $1/2", out_dir=tmp_path)
    outputs.save_table(pd.DataFrame({"a": [1]}), "plain", out_dir=tmp_path)
    outputs.save_table(pd.DataFrame({"a": [1]}), "doc $1/3", out_dir=tmp_path)
    stem = outputs.file_name("doc $1/2")
    assert line == f"Table saved: {tmp_path / 'tables' / stem}.csv (1 rows)"
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == sorted(
        [f"{stem}.csv", f"{outputs.file_name('doc $1/3')}.csv", "plain.csv", "file_names.csv"])
    mapping = pd.read_csv(tmp_path / "tables" / "file_names.csv")
    assert mapping.values.tolist() == [["doc $1/2", stem], ["doc $1/3", outputs.file_name(
        "doc $1/3")]]


@pytest.mark.parametrize(
    ("path", "expected"),
    [(paths.REPORTS / "figures" / "x.png", "reports/figures/x.png"), ("/tmp/x.png", "/tmp/x.png")],
)
def test_relative(path, expected):
    assert outputs.relative(path) == expected


def test_default_root_is_reports():
    assert outputs.out_root() == paths.REPORTS


@pytest.mark.parametrize(
    ("doc_ids", "max_docs", "expected", "note"),
    [(["a", "a", "b"], 2, ["a", "b"], ""),
     (["b", "a", "b", "c"], 5, ["b", "a", "c"], ""),
     (["b", "a", "b", "c"], 2, ["b", "a"],
      "Figures cover the first 2 of 3 documents (parameter max_docs); everything else covers "
      "all of them.")],
)
def test_first_documents(doc_ids, max_docs, expected, note):
    passages = pd.DataFrame({"doc_id": doc_ids})
    assert outputs.first_documents(passages, max_docs, shown="Figures") == (expected, note)


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("short text", 20, "short text"),
        ("one two  three\nfour five six", 16, "one two three …"),  # as textwrap.shorten
        ("加快发展新质生产力，推动高质量发展。", 10, "加快发展新质生产 …"),  # no spaces: characters
        ("同志们： 现在，我代表第十五届中央委员会向大会作报告。", 12, "同志们： 现在，我代 …"),
    ],
)
def test_preview(text, width, expected):
    assert outputs.preview(text, width) == expected
    assert len(outputs.preview(text, width)) <= width
