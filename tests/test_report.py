"""End-to-end tests of nqpf.report on tiny notebooks generated in tmp_path."""

import contextlib
import html
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import papermill
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from nqpf import paths
from nqpf.__main__ import k_range, main, notebook_parameters, parser
from nqpf.report import (
    NotebookError,
    ProgressRelay,
    build_report,
    default_notebooks,
    describe_notebook,
    neighbours,
    offline_problems,
    portable,
    render_html,
    report_title,
    run_notebooks,
)

CODE_MARKER = "code_only_marker"
SCRIPT_TEXT = "<script>alert(1)</script>"
IMG_TEXT = "<img src=x onerror=alert(1)>"
ALT_TEXT = 'A line "from" <0,0> to (1,1)'


CHECK_MARKER = "check_cell_marker"
FINDING = "The tiny corpus has one finding."
SOLUTION_MARKER = "solution_marker"
EXERCISES = f"""## Exercises

1. Do something.

<details><summary>Solution</summary>

```python
{SOLUTION_MARKER} = 1
```

</details>"""


def notebook(path: Path, *, title: str, intro: str, parameters: str | None, code: str,
             more: tuple = ()) -> Path:
    """Write a notebook: a markdown title cell, a `parameters` cell, one code cell and the
    cells in ``more``."""
    cells = [new_markdown_cell(f"# {title}\n\n{intro}")]
    if parameters is not None:
        cells.append(new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    cells.append(new_code_cell(code))
    cells.extend(more)
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, path)
    return path


def tiny_notebooks(folder: Path) -> list[Path]:
    """Two notebooks: one prints its parameters, one shows markup text and a matplotlib figure."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        notebook(
            folder / "01_params.ipynb",
            title="Parameters",
            intro="Prints the *injected* settings. Second sentence.",
            parameters="corpus = None\nk_range = [2, 3]\nrandom_state = 0",
            code=f"{CODE_MARKER} = 1\nprint('corpus', corpus)\nprint('k_range', k_range)",
            more=(new_markdown_cell("## Results\n\nA section."),
                  new_code_cell(f"print('{CHECK_MARKER} equal:', True)",
                                metadata={"tags": ["check"]}),
                  new_code_cell(f"print('- {FINDING}')", metadata={"tags": ["findings"]}),
                  new_markdown_cell(EXERCISES)),
        ),
        notebook(
            folder / "02_outputs.ipynb",
            title="Table and figure",
            intro="Shows corpus text that looks like HTML, then draws a line.",
            parameters="corpus = None\nout_dir = None",
            code=(
                "import matplotlib.pyplot as plt\n"
                "import pandas as pd\n"
                f"print({IMG_TEXT!r})\n"
                "fig, ax = plt.subplots(figsize=(2, 2))\n"
                "ax.plot([0, 1], [0, 1])\n"
                "plt.show()\n"
                "from nqpf import outputs\n"
                "fig, ax = plt.subplots(figsize=(2, 2))\n"
                f"print(outputs.Run(out_dir).figure(fig, 'line', caption={ALT_TEXT!r}))\n"
                "print(outputs.Run(out_dir).table(pd.DataFrame({'a': [1, 2]}), 'tiny'))\n"
                "print(pd.Series([1, 2], name='count'))\n"
                f"pd.DataFrame({{'text': [{SCRIPT_TEXT!r}]}})"
            ),
        ),
    ]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A report built once from the tiny notebooks: (index path, notebooks, progress lines)."""
    root = tmp_path_factory.mktemp("report")
    corpus = root / "corpus"
    corpus.mkdir()
    notebooks = tiny_notebooks(root / "notebooks")
    lines = []
    index = build_report(
        corpus=corpus, out_dir=root / "out", notebooks=notebooks, k_range=[4, 5],
        progress=lines.append,
    )
    return index, notebooks, lines


def injected(executed: Path) -> str:
    nb = nbformat.read(executed, as_version=4)
    cells = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    return cells[0].source if cells else ""


@pytest.mark.parametrize(
    ("name", "present", "absent"),
    [
        ("01_params", ["k_range = [4, 5]", "corpus = ", "random_state = 0"], ["out_dir"]),
        ("02_outputs", ["corpus = ", "out_dir = "], ["k_range", "random_state"]),
    ],
)
def test_only_declared_parameters_are_injected(report, name, present, absent):
    index, _, _ = report
    source = injected(index.parent / "notebooks" / f"{name}.ipynb")
    for text in present:
        assert text in source
    for text in absent:
        assert text not in source


def test_injected_values_reach_the_outputs(report):
    index, _, _ = report
    nb = nbformat.read(index.parent / "notebooks" / "01_params.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "k_range [4, 5]" in printed
    assert str(index.parent.parent / "corpus") in printed


def test_progress_lines_count_notebooks(report):
    _, _, lines = report
    done = [line for line in lines if "done (" in line]
    # notebooks run side by side, so either may finish first
    assert sorted(line.split(" ")[:2] for line in done) == [
        ["[1/2]", "01_params"], ["[2/2]", "02_outputs"],
    ]


@pytest.mark.parametrize("name", ["01_params", "02_outputs"])
@pytest.mark.parametrize("suffix", [".html", ".reader.html"])
def test_pages_are_self_contained(report, name, suffix):
    index, _, _ = report
    page = (index.parent / f"{name}{suffix}").read_text(encoding="utf-8")
    assert offline_problems(page) == []
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", re.sub(r"<a\s[^>]*>", "", page))


@pytest.mark.parametrize(
    ("suffix", "has_code"), [(".html", True), (".reader.html", False)]
)
def test_reader_version_has_no_code(report, suffix, has_code):
    index, _, _ = report
    page = (index.parent / f"01_params{suffix}").read_text(encoding="utf-8")
    assert (CODE_MARKER in page) is has_code
    assert ('class="jp-CodeMirrorEditor' in page) is has_code
    assert ('class="jp-InputPrompt' in page) is has_code
    assert ("celltag_injected-parameters" in page) is has_code
    assert "k_range [4, 5]" in page  # outputs stay in both versions


@pytest.mark.parametrize("suffix", [".html", ".reader.html"])
def test_figure_is_embedded(report, suffix):
    index, _, _ = report
    page = (index.parent / f"02_outputs{suffix}").read_text(encoding="utf-8")
    assert re.search(r'<img [^>]*src="data:image/png;base64,', page)


@pytest.mark.parametrize("suffix", [".html", ".reader.html"])
def test_figure_caption_is_the_alt_text(report, suffix):
    index, _, _ = report
    page = (index.parent / f"02_outputs{suffix}").read_text(encoding="utf-8")
    alts = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: alts.extend(
        value for name, value in attrs if tag == "img" and name == "alt")
    parser.feed(page)
    # plt.show() gets nbconvert's placeholder, Run.figure its caption
    assert alts == ["No description has been provided for this image", ALT_TEXT]


@pytest.mark.parametrize("suffix", [".html", ".reader.html"])
@pytest.mark.parametrize("text", [SCRIPT_TEXT, IMG_TEXT])
def test_corpus_markup_is_shown_as_text(report, suffix, text):
    index, _, _ = report
    page = (index.parent / f"02_outputs{suffix}").read_text(encoding="utf-8")
    assert html.escape(text, quote=False) in page
    assert text not in page
    assert "<script" not in page.lower()
    assert "<img src=x" not in page.lower()


def test_rendering_again_in_threads_gives_the_same_pages(report, tmp_path):
    index, notebooks, _ = report
    executed = [index.parent / "notebooks" / nb.name for nb in notebooks] * 2
    around = neighbours(notebooks)
    with ThreadPoolExecutor(max_workers=4) as pool:  # exporters are shared between threads
        pages = list(pool.map(lambda nb: render_html(
            nb, tmp_path / nb.stem, around=around[nb.stem], report_dir=index.parent), executed))
    for full, reader in pages:
        for page in (full, reader):
            assert page.read_bytes() == (index.parent / page.name).read_bytes()


def links(page: str) -> list[str]:
    """The targets of a page's links to other files (not to places in the page)."""
    return [html.unescape(link) for link in re.findall(r'<a href="([^"#][^"]*)"', page)]


def test_index_links_every_page(report):
    index, _, _ = report
    page = index.read_text(encoding="utf-8")
    found = links(page)
    expected = {f"{n}{s}" for n in ("01_params", "02_outputs")
                for s in (".html", ".reader.html")}
    assert {link for link in found if link.endswith(".html")} == expected
    # the gallery links each figure's PNG; the folders of figures and tables are linked
    assert {"figures/line.png", "figures/", "figures/captions.csv"} <= set(found)
    assert all((index.parent / link).exists() for link in found)
    assert "Prints the injected settings. Second sentence." in page
    assert f"<figcaption>{html.escape(ALT_TEXT)}</figcaption>" in page
    assert offline_problems(page) == []


def test_failing_notebook_names_notebook_and_error(tmp_path):
    bad = notebook(
        tmp_path / "04_broken.ipynb", title="Broken", intro="Fails.",
        parameters="random_state = 0", code="1 / 0",
    )
    expected = r"04_broken\.ipynb failed at In \[2\]: ZeroDivisionError: division by zero"
    with pytest.raises(NotebookError, match=expected):
        run_notebooks([bad], out_dir=tmp_path / "out", parameters={}, progress=lambda line: None)
    executed = nbformat.read(tmp_path / "out" / "notebooks" / "04_broken.ipynb", as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.output_type == "error"]
    assert [e.ename for e in errors] == ["ZeroDivisionError"]  # the copy keeps the traceback


def test_parallel_runs_keep_this_process_directory(tmp_path):
    """Each kernel runs in its notebook's folder; this process's directory never changes."""
    folders = [tmp_path / name for name in "abcd"]
    sources = []
    for i, folder in enumerate(folders):
        folder.mkdir()
        sources.append(notebook(folder / f"{i}_cwd.ipynb", title="Cwd", intro="Where.",
                                parameters=None, code="import os\nprint(os.getcwd())"))
    before = os.getcwd()
    executed = run_notebooks(sources, out_dir=tmp_path / "out", parameters={}, n_jobs=2,
                             progress=lambda line: None)
    assert os.getcwd() == before
    printed = [nbformat.read(path, as_version=4).cells[-1].outputs[0].text.strip()
               for path in executed]
    assert printed == [str(source.parent) for source in sources]


def test_missing_corpus_is_reported_before_running(tmp_path):
    missing = tmp_path / "no_such_corpus"
    with pytest.raises(FileNotFoundError, match="no_such_corpus"):
        build_report(corpus=missing, out_dir=tmp_path / "out", notebooks=[tmp_path / "x.ipynb"])
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("page", "problem"),
    [
        ('<p>text</p><a href="https://example.org">cite</a>', None),
        ('<img src="data:image/png;base64,AAAA">', None),
        ("<style>/* see https://example.org */ p { color: red }</style>", None),
        ('<script src="https://cdn.example/require.js"></script>', "<script>"),
        ("<script>alert(1)</script>", "<script>"),
        ('<link rel="stylesheet" href="https://fonts.example/css">', "<link href="),
        ('<img src="//cdn.example/x.png">', "<img src="),
        ("<img src=x onerror=alert(1)>", "onerror"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ("<style>@import url(https://fonts.example/a.css);</style>", "<style>"),
        ('<div style="background: url(http://x.example/a.png)"></div>', "style"),
    ],
)
def test_offline_problems(page, problem):
    problems = offline_problems(page)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(
    ("cells", "metadata", "expected"),
    [
        (["# Title\n\nFirst sentence. Second one.\n\nNext paragraph."], {},
         ("Title", "First sentence. Second one.")),
        (["# Title\n\n## What you will learn\n\n- to *load*\n  a corpus;\n- to count.\n\nMore."],
         {}, ("Title", "to load a corpus;; to count.")),
        (["intro line", "# Later"], {}, ("fallback", "intro line")),
        (["# The `new_quality_productive_forces` token\n\nSee [this](http://x)! More."], {},
         ("The new_quality_productive_forces token", "See this! More.")),
        (["# Title\n\nText."], {"nqpf": {"description": "From metadata."}},
         ("Title", "From metadata.")),
        ([], {}, ("fallback", "")),
    ],
)
def test_describe_notebook(cells, metadata, expected):
    nb = new_notebook(cells=[new_markdown_cell(c) for c in cells], metadata=metadata)
    assert describe_notebook(nb, default_title="fallback") == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [((None, None, 1), None), ((2, 4, 1), [2, 3, 4]), ((2, 10, 4), [2, 6, 10]), ((3, 3, 1), [3])],
)
def test_k_range(args, expected):
    assert k_range(*args) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [((2, None, 1), "both"), ((5, 2, 1), "k-min"), ((2, 5, 0), "k-step"), ((0, 5, 1), "k-min")],
)
def test_k_range_rejects_bad_bounds(args, message):
    with pytest.raises(ValueError, match=message):
        k_range(*args)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--corpus", "no_such_corpus"], "corpus not found"),
        (["--notebooks", "no_such_notebook.ipynb"], "notebook not found"),
        (["--list-parameters", "--notebooks", "no_such_notebook.ipynb"], "notebook not found"),
        (["--k-min", "5", "--k-max", "2"], "k-min"),
        (["--k-min", "5"], "both --k-min and --k-max"),
    ],
)
def test_main_user_error_is_one_line(tmp_path, capsys, extra, message):
    assert main(["report", "--out", str(tmp_path / "out"), *extra]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nqpf report: error: ")
    assert message in err
    assert err.count("\n") == 1


def test_cli_missing_corpus_exits_1_without_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "nqpf", "report", "--corpus", "no_such_corpus"],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )
    assert result.returncode == 1
    assert result.stderr == f"nqpf report: error: corpus not found: {tmp_path / 'no_such_corpus'}\n"


def test_kernels_run_and_stop_quietly(tmp_path, capfd):
    """Kernel start and shutdown print nothing: no TCP warning, no logged interrupt."""
    source = notebook(tmp_path / "01_quiet.ipynb", title="Quiet", intro="Prints.",
                      parameters=None, code="print('hello')")
    run_notebooks([source], out_dir=tmp_path / "out", parameters={}, progress=lambda line: None)
    captured = capfd.readouterr()
    assert (captured.out, captured.err) == ("", "")


@pytest.fixture(scope="module")
def failing_report(tmp_path_factory):
    """A report whose first notebook fails: (index, notebooks, error, progress lines)."""
    root = tmp_path_factory.mktemp("failing")
    (root / "corpus").mkdir()
    others = tiny_notebooks(root / "nbs")[1:]
    notebooks = [notebook(root / "nbs" / "01_broken.ipynb", title="Broken <b>", intro="Fails.",
                          parameters="corpus = None", code="raise ValueError('no <two> groups')"),
                 *others]
    lines = []
    with pytest.raises(NotebookError) as info:
        build_report(corpus=root / "corpus", out_dir=root / "out", notebooks=notebooks,
                     progress=lines.append)
    return root / "out" / "index.html", notebooks, str(info.value), lines


def test_failed_notebook_is_marked_and_the_others_run(failing_report):
    index, _, error, lines = failing_report
    page = index.read_text(encoding="utf-8")
    assert error.startswith("1 of 2 notebooks failed (01_broken)")
    assert "ValueError: no <two> groups" in error
    assert page.count('class="failed-notebook"') == 1
    assert '<span class="title">Broken &lt;b&gt;</span>' in page  # not papermill's marker cell
    assert "An Exception was encountered" not in page
    assert "ValueError: no &lt;two&gt; groups" in page and "<two>" not in page
    pages = [link for link in links(page) if link.endswith((".html", ".ipynb"))]
    assert pages == ["01_broken.reader.html", "01_broken.html", "notebooks/01_broken.ipynb",
                     "02_outputs.reader.html", "02_outputs.html"]
    assert all((index.parent / link).is_file() for link in pages)
    assert any(line.startswith("[1/2] 01_broken … FAILED: notebook 01_broken.ipynb failed")
               for line in lines)
    assert offline_problems(page) == []


def test_manifest_lists_files_parameters_and_statuses(failing_report):
    index, _, _, _ = failing_report
    manifest = json.loads((index.parent / "manifest.json").read_text(encoding="utf-8"))
    files = {p.relative_to(index.parent).as_posix() for p in index.parent.rglob("*")
             if p.is_file()}
    assert set(manifest["files"]) == files - {"manifest.json"}
    assert manifest["notebooks"]["02_outputs"] == "complete"
    assert manifest["notebooks"]["01_broken"].startswith("notebook 01_broken.ipynb failed")
    assert manifest["parameters"]["random_state"] == 0
    assert {"python", "nqpf", "pandas", "matplotlib"} <= set(manifest["versions"])


def test_a_rerun_removes_what_it_no_longer_writes(tmp_path):
    out, corpus = tmp_path / "out", tmp_path / "corpus"
    corpus.mkdir()
    (tmp_path / "nbs").mkdir()
    first = notebook(tmp_path / "nbs" / "01_figs.ipynb", title="Figs", intro="Saves.",
                     parameters="out_dir = None\nnames = ['a', 'b']",
                     code="from pathlib import Path\nfor name in names:\n"
                          "    (Path(out_dir) / 'tables').mkdir(exist_ok=True)\n"
                          "    (Path(out_dir) / 'tables' / f'{name}.csv').write_text('x')")
    (out / "mine").mkdir(parents=True)
    (out / "mine" / "notes.txt").write_text("my own file")
    (out / "figures").mkdir()
    (out / "figures" / ".captions.csv.lock").write_text("")  # left by earlier versions
    build_report(corpus=corpus, out_dir=out, notebooks=[first], progress=lambda line: None)
    assert (out / "tables" / "b.csv").is_file()
    assert not (out / "figures").exists()
    lines = []
    build_report(corpus=corpus, out_dir=out, notebooks=[first], parameters={"names": ["a"]},
                 progress=lines.append)
    assert not (out / "tables" / "b.csv").exists()
    assert (out / "tables" / "a.csv").is_file() and (out / "mine" / "notes.txt").is_file()
    assert "removed 1 file(s) an earlier run wrote and this one did not: tables/b.csv" in lines


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["-p", "min_df", "1"], {"min_df": 1}),
        (["-p", "query", "talent and reform"], {"query": "talent and reform"}),
        (["-p", "k_range", "[2, 3]", "-p", "labels_file", "null"],
         {"k_range": [2, 3], "labels_file": None}),
        (["-p", "example_id", "[unclosed"], {"example_id": "[unclosed"}),
        (["-p", "a", "talent: reform", "-p", "b", "no", "-p", "c", "2024-03-10", "-p", "d",
          "- x", "-p", "e", "True", "-p", "f", "{x: 1}", "-p", "g", "1e-3", "-p", "h", "~"],
         {"a": "talent: reform", "b": "no", "c": "2024-03-10", "d": "- x", "e": True,
          "f": {"x": 1}, "g": 0.001, "h": None}),
        (["--params", "{params}", "-p", "max_df", "0.5"], {"min_df": 1, "max_df": 0.5}),
        (["--params", "{params}", "--k-min", "2", "--k-max", "4", "--random-state", "3"],
         {"min_df": 1, "max_df": 0.8, "k_range": [2, 3, 4], "random_state": 3}),
        (["--text-column", "body", "-p", "corpus_options", '{"id_column": "key"}'],
         {"corpus_options": {"id_column": "key", "text_column": "body"}}),
        (["--date-column", "year", "--metadata-file", "/m.csv"],
         {"date_column": "year", "corpus_options": {"metadata_file": "/m.csv"}}),
    ],
)
def test_command_line_notebook_parameters(tmp_path, argv, expected):
    params = tmp_path / "params.yaml"
    params.write_text("min_df: 1\nmax_df: 0.8\n", encoding="utf-8")
    args = parser().parse_args(["report", *[a.replace("{params}", str(params)) for a in argv]])
    assert notebook_parameters(args) == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [("- 1\n- 2\n", "must map parameter names to values"), ("a: [1\n", "not a readable YAML"),
     (None, "parameters file not found")],
)
def test_bad_parameters_file_is_one_line(tmp_path, capsys, content, message):
    params = tmp_path / "p.yaml"
    if content is not None:
        params.write_text(content, encoding="utf-8")
    assert main(["report", "--params", str(params), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nqpf report: error: ") and message in err and err.count("\n") == 1


def test_unknown_parameter_lists_the_known_ones(tmp_path, capsys):
    assert main(["report", "-p", "min_dff", "1", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "unknown notebook parameter(s) 'min_dff'; the notebooks declare: " in err
    assert "min_df" in err and "n_topics" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv", [["report", "--help"], ["report", "--list-parameters"]])
def test_help_lists_every_notebook_parameter(capsys, argv):
    with contextlib.suppress(SystemExit):
        assert main(argv) == 0
    shown = capsys.readouterr().out
    for nb in default_notebooks():
        for name, info in papermill.inspect_notebook(str(nb)).items():
            assert f"  {name} = {' '.join(info['default'].split())}  # {info['help']}" in shown


def test_cache_clear(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(paths, "PROCESSED", tmp_path / "processed")
    (tmp_path / "processed" / "abc").mkdir(parents=True)
    (tmp_path / "processed" / "abc" / "passages.parquet").write_bytes(b"x" * 2048)
    assert main(["cache", "size"]) == 0
    assert capsys.readouterr().out == "1 cached file(s), 0.0 MiB\n"
    assert main(["cache", "clear"]) == 0
    assert capsys.readouterr().out == "removed 1 cached file(s), 0.0 MiB\n"
    assert not (tmp_path / "processed").exists()


def test_a_kernel_that_cannot_start_is_a_failure_in_the_index(tmp_path):
    (tmp_path / "corpus").mkdir()
    sources = tiny_notebooks(tmp_path / "nbs")
    with pytest.raises(NotebookError, match="2 of 2 notebooks failed .*NoSuchKernel"):
        build_report(corpus=tmp_path / "corpus", out_dir=tmp_path / "out", notebooks=sources,
                     kernel_name="no_such_kernel", progress=lambda line: None)
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert page.count('class="failed-notebook"') == 2
    assert offline_problems(page) == []


@pytest.mark.parametrize(
    ("suffix", "in_page", "not_in_page"),
    [
        (".html", [CHECK_MARKER, "Table saved: tables/tiny.csv (2 rows)", "dtype: int64",
                   "Figure: A line"], ["<figcaption>"]),
        (".reader.html", ['<a href="tables/tiny.csv">tiny.csv</a> (2 rows)',
                          f"<figcaption>{html.escape(ALT_TEXT)}</figcaption>"],
         [CHECK_MARKER, "Table saved", "dtype:", "Figure: A line"]),
    ],
)
def test_reader_version_reads_as_a_report(report, suffix, in_page, not_in_page):
    index, _, _ = report
    page = "".join((index.parent / f"{name}{suffix}").read_text(encoding="utf-8")
                   for name in ("01_params", "02_outputs"))
    for text in in_page:
        assert text in page
    for text in not_in_page:
        assert text not in page


@pytest.mark.parametrize("name", ["01_params", "02_outputs"])
@pytest.mark.parametrize("suffix", [".html", ".reader.html"])
def test_no_page_shows_an_absolute_path(report, name, suffix):
    index, _, _ = report
    folders = {str(index.parent.parent), str(paths.ROOT), str(Path.home()), "/tmp/"}
    for page in (index, index.parent / f"{name}{suffix}"):
        text = page.read_text(encoding="utf-8")
        assert not [folder for folder in folders if folder in text], page.name


def test_each_page_links_the_index_its_neighbours_and_its_other_version(report):
    index, _, _ = report
    folder = index.parent
    expected = {
        "01_params.html": {"index.html", "02_outputs.html", "01_params.reader.html"},
        "01_params.reader.html": {"index.html", "02_outputs.reader.html", "01_params.html"},
        "02_outputs.html": {"index.html", "01_params.html", "02_outputs.reader.html",
                            "tables/tiny.csv"},
        "02_outputs.reader.html": {"index.html", "01_params.reader.html", "02_outputs.html",
                                   "tables/tiny.csv"},
    }
    for name, targets in expected.items():
        found = set(links((folder / name).read_text(encoding="utf-8")))
        assert found - {"tables/tiny.csv"} == targets - {"tables/tiny.csv"}, name
        assert all((folder / target).exists() for target in found)


def test_pages_have_contents_and_hidden_solutions(report):
    index, _, _ = report
    page = (index.parent / "01_params.reader.html").read_text(encoding="utf-8")
    contents = re.search(r'<nav class="nqpf-contents".*?</nav>', page, re.DOTALL).group()
    assert re.findall(r'href="#([^"]+)"', contents) == ["Results", "Exercises"]
    details = re.search(r"<details>.*?</details>", page, re.DOTALL).group()
    assert SOLUTION_MARKER in details


def test_index_shows_findings_and_the_first_paragraph(report):
    index, _, _ = report
    page = index.read_text(encoding="utf-8")
    assert f'<div class="findings"><strong>Key findings</strong><ul><li>{FINDING}</li>' in page
    assert 'href="tables/"' in page and '<h2 id="settings">' in page
    assert "<dt>corpus</dt><dd>…/corpus</dd>" in page


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("saved: {out}/figures/a.png, .svg)", "saved: figures/a.png, .svg)"),
        ('out_dir = "{out}"', 'out_dir = "…/out"'),
        ('corpus = "{root}/data/raw"', 'corpus = "data/raw"'),
        ("{home}/texts/a.txt", "~/texts/a.txt"),
        ("/srv/corpora/cpc.jsonl (12 rows)", "…/cpc.jsonl (12 rows)"),
        *[(text, text) for text in ("</style> and/or 1/2", "https://a.org/b/c ./x/y")],
    ],
)
def test_portable(text, expected):
    out = Path("/srv/reports/out")
    text = text.format(out=out, root=paths.ROOT, home=Path.home())
    assert portable(text, out_dir=out) == expected


@pytest.mark.parametrize(
    ("writes", "relayed"),
    [(["plain output\n", "Table saved: x.csv\n"], []),
     (["\rtopic models:  10%|█         | 5/54 [00:10<01:40,  2.0s/it]"],
      ["[5/9] 05 topic models:  10%|█         | 5/54 [00:10<01:40,  2.0s/it]"]),
     # a bar redrawn in one write: the last drawing counts
     (["\rpassages:   0%|  | 0/9 [00:00<?]\rpassages:  44%|▌ | 4/9 [00:04<00:05]\n"],
      ["[5/9] 05 passages:  44%|▌ | 4/9 [00:04<00:05]"]),
     # at most one line per interval: the second bar comes too soon
     (["a:  10%|█| 1/10 [00:01<00:09]", "a:  20%|█| 2/10 [00:02<00:08]"],
      ["[5/9] 05 a:  10%|█| 1/10 [00:01<00:09]"])],
)
def test_progress_relay_passes_on_progress_bars(writes, relayed):
    lines = []
    relay = ProgressRelay("[5/9] 05", lines.append, every=60)
    for text in writes:
        relay.write(text)
    relay.flush()
    assert lines == relayed


@pytest.mark.parametrize(
    ("corpus", "title"),
    [(paths.RAW, "New quality productive forces: analysis report"),
     (Path("/data/debian-descriptions.jsonl.gz"), "Analysis report: debian-descriptions.jsonl.gz")],
)
def test_report_title_names_a_corpus_other_than_the_study_corpus(corpus, title):
    assert report_title(corpus) == title


@pytest.mark.parametrize(("failures", "started"), [(1, True), (2, True), (3, False)])
def test_a_kernel_that_does_not_start_is_started_again(tmp_path, monkeypatch, failures,
                                                       started):
    source = notebook(tmp_path / "a.ipynb", title="A", intro="x", parameters=None, code="1")
    calls, lines = [], []

    def execute(path, output, **options):  # papermill, whose kernel dies at first
        calls.append(path)
        if len(calls) <= failures:
            raise RuntimeError("Kernel died before replying to kernel_info")
        Path(output).write_text(Path(path).read_text())

    monkeypatch.setattr(papermill, "execute_notebook", execute)
    run = partial(run_notebooks, [source], out_dir=tmp_path / "out", parameters={},
                  progress=lines.append)
    if started:
        assert run()[0].is_file()
        assert len(calls) == failures + 1
        assert sum("the kernel did not start" in line for line in lines) == failures
    else:
        with pytest.raises(NotebookError, match="its kernel did not start, 3 times"):
            run()
        assert len(calls) == 3
