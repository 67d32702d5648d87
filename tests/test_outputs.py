import hashlib

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from nqpf import clean, outputs, paths


def draw():
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, 1])
    ax.set(title="t", xlabel="x", ylabel="y")
    return fig


def test_run_writes_under_its_folder_or_reports(tmp_path):
    assert outputs.Run().root == paths.REPORTS
    run = outputs.Run(tmp_path)
    assert (run.figures, run.tables) == (tmp_path / "figures", tmp_path / "tables")
    assert run.figures.is_dir() and run.tables.is_dir()


def test_run_table_writes_csv_and_names_it(tmp_path):
    line = outputs.Run(tmp_path).table(pd.DataFrame({"a": [1, 2]}), "demo")
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


def test_run_table_makes_names_safe_and_records_them(tmp_path):
    run = outputs.Run(tmp_path)
    line = run.table(pd.DataFrame({"a": [1]}), "doc $1/2")
    run.table(pd.DataFrame({"a": [1]}), "plain")
    run.table(pd.DataFrame({"a": [1]}), "doc $1/3")
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
    assert paths.relative(path) == expected


@pytest.mark.parametrize(
    ("doc_ids", "figure_docs", "expected", "note"),
    [(["a", "a", "b"], 2, ["a", "b"], ""),
     (["b", "a", "b", "c"], 5, ["b", "a", "c"], ""),
     (["b", "a", "b", "c"], 2, ["b", "a"],
      "Figures cover the first 2 of 3 documents (parameter figure_docs); everything else covers "
      "all of them.")],
)
def test_figure_documents_without_dates(doc_ids, figure_docs, expected, note):
    passages = pd.DataFrame({"doc_id": doc_ids})
    assert outputs.figure_documents(passages, figure_docs, shown="Figures") == (expected, note)
    docs = pd.DataFrame({"doc_id": sorted(set(doc_ids))})  # no date column: the same
    assert outputs.figure_documents(passages, figure_docs, docs=docs, date_column="date",
                                    shown="Figures") == (expected, note)


YEARS = {"e": "1921", "a": "1945", "d": "1956", "b": "1969", "c": "2022", "f": "not a date"}


@pytest.mark.parametrize(
    ("figure_docs", "expected", "note"),
    [
        (2, ["e", "c"], "Figures cover 2 of 6 documents, spread evenly over the dates in 'year' "
                        "(1921 to 2022), in date order (parameter figure_docs); everything "
                        "else covers all of them."),
        (3, ["e", "d", "c"], "Figures cover 3 of 6 documents, spread evenly over the dates in "
                             "'year' (1921 to 2022), in date order (parameter figure_docs); "
                             "everything else covers all of them."),
        (5, ["e", "a", "d", "b", "c"], "Figures cover 5 of 6 documents, spread evenly over the "
                                       "dates in 'year' (1921 to 2022), in date order "
                                       "(parameter figure_docs); everything else covers all "
                                       "of them."),
        (6, ["a", "b", "c", "d", "e", "f"], ""),  # all of them
    ],
)
def test_figure_documents_spread_over_the_dates(figure_docs, expected, note):
    docs = pd.DataFrame({"doc_id": list(YEARS), "year": list(YEARS.values())})
    passages = pd.DataFrame({"doc_id": sorted(YEARS)})
    assert outputs.figure_documents(passages, figure_docs, docs=docs, date_column="year",
                                    shown="Figures") == (expected, note)


def test_figure_documents_too_few_dates_gives_the_first():
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "year": ["2020", None, None]})
    passages = pd.DataFrame({"doc_id": ["a", "b", "c"]})
    shown, note = outputs.figure_documents(passages, 2, docs=docs, date_column="year")
    assert shown == ["a", "b"]
    assert note.startswith("Per-document figures cover the first 2 of 3 documents")


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
    assert clean.preview(text, width) == expected
    assert len(clean.preview(text, width)) <= width


def test_run_figure_records_captions(tmp_path):
    run, fig = outputs.Run(tmp_path), draw()
    run.figure(fig, "b_fig", caption="Second,  with comma.")
    run.figure(fig, "a_fig", caption="First.")
    run.figure(fig, "b_fig", caption="Second, replaced.")
    plt.close(fig)
    table = pd.read_csv(tmp_path / "figures" / outputs.CAPTIONS)
    assert table.to_dict("list") == {"figure": ["a_fig", "b_fig"],
                                     "caption": ["First.", "Second, replaced."]}
    # the caption lock lives in the temporary folder, not beside the figures
    assert sorted(p.name for p in run.figures.iterdir()) == [
        "a_fig.png", "a_fig.svg", "b_fig.png", "b_fig.svg", "captions.csv"]


@pytest.mark.parametrize("caption", ["", "   ", None])
def test_run_figure_rejects_an_empty_caption(tmp_path, caption):
    fig = draw()
    with pytest.raises(ValueError, match="caption"):
        outputs.Run(tmp_path).figure(fig, "fine", caption=caption)
    plt.close(fig)
    assert not any(tmp_path.rglob("*.*"))


@pytest.mark.parametrize(
    ("under_root", "expected"),
    [
        (True, "Figure: Topic shares. (saved: reports/figures/shares.png, .svg)"),
        (False, "Figure: Topic shares. (saved: TMP/reports/figures/shares.png, .svg)"),
    ],
)
def test_run_figure_returns_relative_caption_line(tmp_path, monkeypatch, under_root, expected):
    monkeypatch.setattr(paths, "ROOT", tmp_path if under_root else tmp_path / "elsewhere")
    fig = draw()
    line = outputs.Run(tmp_path / "reports").figure(fig, "shares", caption="Topic  shares.")
    plt.close(fig)
    assert line == expected.replace("TMP", str(tmp_path))
    assert (tmp_path / "reports" / "figures" / "shares.svg").exists()


@pytest.mark.parametrize("in_notebook", [True, False])
def test_run_figure_displays_the_saved_png_in_a_notebook(tmp_path, monkeypatch, in_notebook):
    shown = []
    monkeypatch.setattr(outputs, "get_ipython", lambda: object() if in_notebook else None)
    monkeypatch.setattr(outputs, "display", shown.append)
    fig = draw()
    outputs.Run(tmp_path).figure(fig, "shares", caption="Topic shares.")
    assert plt.fignum_exists(fig.number) is not in_notebook  # closed: not drawn again inline
    assert [image.data for image in shown] == (
        [(tmp_path / "figures" / "shares.png").read_bytes()] if in_notebook else [])
    plt.close(fig)


@pytest.mark.parametrize(
    ("short", "figure_docs", "expected", "note"),
    [
        (["e", "b"], 3, ["a", "d", "c"],
         "Figures cover 3 of 3 documents not flagged as short (5 in all), spread evenly over "
         "the dates in 'year' (1945 to 2022), in date order (parameter figure_docs); "
         "everything else covers all of them."),
        (["e", "b"], 4, ["e", "a", "b", "c"],  # too few longer ones: all dated documents
         "Figures cover 4 of 5 documents, spread evenly over the dates in 'year' (1921 to "
         "2022), in date order (parameter figure_docs); everything else covers all of them."),
        ([], 2, ["e", "c"],
         "Figures cover 2 of 5 documents, spread evenly over the dates in 'year' (1921 to "
         "2022), in date order (parameter figure_docs); everything else covers all of them."),
    ],
)
def test_figure_documents_leave_out_stubs(short, figure_docs, expected, note):
    years = {k: v for k, v in YEARS.items() if k != "f"}
    docs = pd.DataFrame({"doc_id": list(years), "year": list(years.values()),
                         "is_short": [doc_id in short for doc_id in years]})
    passages = pd.DataFrame({"doc_id": sorted(years)})
    assert outputs.figure_documents(passages, figure_docs, docs=docs, date_column="year",
                                    shown="Figures") == (expected, note)
    undated = docs.drop(columns="year")  # the first ones, stubs left out
    first = [doc_id for doc_id in sorted(years) if doc_id not in short][:figure_docs]
    if len(first) == figure_docs and short:
        assert outputs.figure_documents(passages, figure_docs, docs=undated)[0] == first
