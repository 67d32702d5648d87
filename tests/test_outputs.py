import pandas as pd
import pytest

from nqpf import outputs, paths


def test_save_table_writes_csv_and_names_it(tmp_path):
    line = outputs.save_table(pd.DataFrame({"a": [1, 2]}), "demo", out_dir=tmp_path)
    assert (tmp_path / "tables" / "demo.csv").read_text().splitlines() == ["a", "1", "2"]
    assert line == f"Table saved: {tmp_path / 'tables' / 'demo.csv'} (2 rows)"


@pytest.mark.parametrize("name", ["", "a/b", "..\\x"])
def test_save_table_rejects_paths_as_names(tmp_path, name):
    with pytest.raises(ValueError, match="plain file name"):
        outputs.save_table(pd.DataFrame(), name, out_dir=tmp_path)


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
