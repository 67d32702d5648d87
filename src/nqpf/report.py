"""Run the notebooks and publish them as a self-contained, offline HTML report.

``build_report`` executes every notebook with papermill (parameters injected into the
cell tagged ``parameters``), renders each executed copy twice (``nqpf.exporter``: the full
notebook and a reader's version without code) and writes ``index.html`` linking them. A
notebook that fails does not stop the others: the index marks it failed, with its error and a
link to the executed copy, and ``build_report`` raises ``NotebookError`` once the index is
written. Each run records what it wrote in ``manifest.json`` and removes the files that an
earlier run listed there and this run did not write again (``nqpf.outputs``).

Every page is checked after rendering: no scripts (but the inlined script of nqpf's own
interactive views, ``nqpf.interactive``, and their JSON data blocks), no event-handler
attributes and no resource that is not a ``data:`` URI, so a page opens offline and corpus
text shown in an output can never run as code.
"""

import functools
import hashlib
import html
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError
from traitlets.config import Config

from nqpf import outputs, paths

if TYPE_CHECKING:
    from nqpf.exporter import OfflineExporter

T = TypeVar("T")
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"

# papermill's tag for the cells it adds to a failed notebook ("An Exception was encountered")
ERROR_MARKER_TAG = "papermill-error-cell-tag"
# Cells that only set papermill parameters: shown in the full version, dropped for readers.
PARAMETER_TAGS = {"parameters", "injected-parameters"}
_READER_CONFIG = Config({"TagRemovePreprocessor": {"remove_cell_tags": PARAMETER_TAGS}})
_RENDER_LOCK = threading.Lock()
# Kernels log errors only: not ipykernel's warning, once per notebook, that a kernel on this
# machine's loopback talks over unencrypted TCP (as every local Jupyter kernel does).
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKUP = re.compile(r"[*`]+|(?<!\w)_+|_+(?!\w)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
_CSS_REMOTE = re.compile(r"url\(\s*['\"]?\s*(?:https?:)?//|@import", re.IGNORECASE)
_JS_IMPORT = re.compile(r"import\(\s*['\"]", re.IGNORECASE)


class NotebookError(RuntimeError):
    """A notebook failed while the report was being built."""


class Page(NamedTuple):
    """One notebook of the report: executed copy and its two HTML renderings (None when the
    copy could not be rendered), and why the notebook failed ("" if it ran to the end)."""

    notebook: Path
    full_html: Path | None
    reader_html: Path | None
    error: str = ""


def declared_parameters(notebook: Path) -> set[str]:
    """Names assigned in the notebook's cell tagged ``parameters`` (empty if it has none)."""
    return set(papermill.inspect_notebook(str(notebook)))


def notebook_parameters(notebooks: Iterable[Path]) -> dict[str, list[tuple[str, str, str]]]:
    """Every parameter the notebooks declare: name -> [(notebook stem, default, comment)], in
    order of first appearance."""
    found = defaultdict(list)
    for notebook in notebooks:
        for name, info in papermill.inspect_notebook(str(notebook)).items():
            found[name].append((Path(notebook).stem, info["default"], info["help"]))
    return dict(found)


def describe_parameters(notebooks: Iterable[Path]) -> str:
    """The notebooks' parameters as text, a line per name and default:
    ``name = default  # comment  [NN, …]`` (the numbers of the notebooks that declare it)."""
    blocks = []
    for name, declarations in notebook_parameters(notebooks).items():
        for default, comment in dict.fromkeys((d, c) for _, d, c in declarations):
            where = ", ".join(stem[:2] for stem, d, c in declarations
                              if (d, c) == (default, comment))
            note = f"  # {comment}" if comment else ""
            blocks.append(f"  {name} = {' '.join(default.split())}{note}  [{where}]")
    return "\n".join(blocks)


def check_parameters(parameters: dict, notebooks: Iterable[Path]) -> None:
    """Raise ``ValueError`` naming the known parameters if ``parameters`` has a name that no
    notebook declares."""
    known = notebook_parameters(notebooks)
    unknown = [name for name in parameters if name not in known]
    if unknown:
        raise ValueError(f"unknown notebook parameter(s) {', '.join(map(repr, unknown))}; the "
                         f"notebooks declare: {', '.join(sorted(known))}")


def run_notebooks(
    notebooks: Iterable[Path],
    *,
    out_dir: Path,
    parameters: dict,
    kernel_name: str = "python3",
    progress: Callable[[str], object] = print,
    n_jobs: int = 2,
) -> list[Path]:
    """Execute ``notebooks``, ``n_jobs`` at a time (each in its own kernel); return the
    executed copies in ``out_dir/notebooks``, in input order.

    Each notebook receives only the ``parameters`` its parameters cell declares and runs
    with its own folder as working directory. A failing cell raises ``NotebookError``
    naming the notebook, the cell and the error; the executed copy keeps the traceback.
    """
    notebooks = [Path(nb) for nb in notebooks]
    for notebook in notebooks:
        if not notebook.is_file():
            raise FileNotFoundError(f"notebook not found: {notebook}")
    target = paths.output_dir(Path(out_dir) / "notebooks")
    return run_each(notebooks, target, parameters, kernel_name=kernel_name, progress=progress,
                    n_jobs=n_jobs, finish=lambda source, executed, error: executed)


def run_each(notebooks: list[Path], target: Path, parameters: dict, *, kernel_name: str,
             progress: Callable[[str], object], n_jobs: int,
             finish: Callable[[Path, Path, str], T], keep_going: bool = False) -> list[T]:
    """Run each notebook into ``target``, ``n_jobs`` at a time in threads (each notebook in its
    own kernel process), and return ``finish(source, executed copy, error)`` for each, in input
    order; ``finish`` runs in the same thread as soon as its notebook is done. A failed notebook
    raises ``NotebookError`` (the first, in input order), or with ``keep_going`` is finished
    with its error message (else ""). Progress lines are printed one at a time."""
    lock = threading.Lock()

    def locked_progress(line: str) -> None:
        with lock:
            progress(line)

    def run(numbered: tuple[int, Path]) -> T:
        i, source = numbered
        label = f"[{i}/{len(notebooks)}] {source.stem} …"
        try:
            executed = run_notebook(source, target / source.name, parameters,
                                    kernel_name=kernel_name, progress=locked_progress,
                                    label=label)
        except NotebookError as error:
            if not keep_going:
                raise
            locked_progress(f"{label} FAILED: {error}")
            return finish(source, target / source.name, str(error))
        return finish(source, executed, "")

    with ThreadPoolExecutor(max_workers=max(1, n_jobs)) as pool:
        return list(pool.map(run, enumerate(notebooks, start=1)))


def run_notebook(notebook: Path, output: Path, parameters: dict, *, kernel_name: str,
                 progress: Callable[[str], object], label: str) -> Path:
    """Execute one notebook into ``output`` with the ``parameters`` it declares."""
    progress(label)
    declared = declared_parameters(notebook)
    injected = {name: value for name, value in parameters.items() if name in declared}
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=injected,
            kernel_name=kernel_name,
            # the kernel's working directory; papermill's cwd= would change this whole
            # process's directory, which notebooks running side by side would race on
            resources={"metadata": {"path": str(notebook.parent.resolve())}},
            progress_bar=False,
            request_save_on_cell_execute=False,  # written once at the end (and on failure)
            # every output is in when the last cell ends: stop the kernel at once (a graceful
            # stop waits ~0.6 s, long enough for the kernel to log the interrupt that
            # jupyter_client sends before either kind of stop)
            shutdown_kernel="immediate",
            extra_arguments=KERNEL_ARGUMENTS,
        )
    except PapermillExecutionError as error:
        raise NotebookError(
            f"notebook {notebook.name} failed at In [{error.exec_count}]: "
            f"{error.ename}: {error.evalue} (traceback in {output})"
        ) from None
    except Exception as error:  # a kernel that died or did not start, an unreadable notebook
        raise NotebookError(
            f"notebook {notebook.name} failed: {type(error).__name__}: {error}"
        ) from None
    progress(f"{label} done ({time.perf_counter() - start:.1f} s)")
    return output


def describe_notebook(nb: nbformat.NotebookNode, *, default_title: str = "") -> tuple[str, str]:
    """Title and one-sentence description of a notebook, as plain text.

    Taken from metadata ``nqpf.title`` / ``nqpf.description`` when present, otherwise from the
    first markdown cell (not counting those papermill adds to a failed notebook): its first
    heading and the first sentence of the text after it.
    """
    meta = nb.metadata.get("nqpf", {})
    title, description = meta.get("title", ""), meta.get("description", "")
    markdown = next((c.source for c in nb.cells if c.cell_type == "markdown"
                     and ERROR_MARKER_TAG not in c.metadata.get("tags", [])), "")
    lines = markdown.splitlines()
    heading = next((i for i, line in enumerate(lines) if _HEADING.match(line)), None)
    if heading is not None:
        title = title or _plain(_HEADING.match(lines[heading]).group(1))
        lines = lines[heading + 1 :]
    if not description:
        text = _plain(" ".join(line for line in lines if not _HEADING.match(line)))
        description = _SENTENCE_END.split(text, maxsplit=1)[0]
    return title or default_title, description


def _plain(markdown: str) -> str:
    """Markdown text without link targets, emphasis and code marks, on one line."""
    return " ".join(_MD_MARKUP.sub("", _MD_LINK.sub(r"\1", markdown)).split())


@functools.cache
def _exporter(*, reader: bool) -> "OfflineExporter":
    """One exporter per version, so its templates are compiled once per process (imported
    here, on the renderer's thread: the first kernels start without waiting for nbconvert)."""
    from nqpf.exporter import LOADER, TEMPLATE, OfflineExporter

    return OfflineExporter(
        template_name="lab",
        template_file=TEMPLATE,
        extra_loaders=[LOADER],
        embed_images=True,
        exclude_input=reader,
        exclude_input_prompt=reader,
        exclude_output_prompt=reader,
        config=_READER_CONFIG if reader else Config(),
    )


def _publish(executed: Path, out_dir: Path, *, source_dir: Path, error: str = "") -> Page:
    """Render an executed notebook's two pages into ``out_dir`` (a failed notebook's too, as
    far as it ran); a page that cannot be rendered is None and its reason joins ``error``."""
    if not executed.is_file():
        return Page(executed, None, None, error)
    try:
        return Page(executed, *render_html(executed, out_dir, source_dir=source_dir), error)
    except Exception as problem:  # whatever it is, the index shows it
        why = f"the executed notebook could not be rendered: {type(problem).__name__}: {problem}"
        return Page(executed, None, None, f"{error}; {why}" if error else why)


def render_html(
    executed_nb: Path, out_dir: Path, *, source_dir: Path | None = None
) -> tuple[Path, Path]:
    """Write ``NAME.html`` (full) and ``NAME.reader.html`` (no code) into ``out_dir``.

    Images are embedded as data URIs; relative image links in markdown are resolved from
    ``source_dir`` (default: the notebook's folder). Raises ``ValueError`` if a page would
    load anything from outside the file or contains a script.
    """
    executed_nb = Path(executed_nb)
    out_dir = paths.output_dir(Path(out_dir))
    nb = nbformat.read(executed_nb, as_version=4)
    # ipywidgets need a live kernel; without their saved state each shows its text form
    nb.metadata.pop("widgets", None)
    title, _ = describe_notebook(nb, default_title=executed_nb.stem)
    written = []
    for reader, suffix in ((False, ".html"), (True, ".reader.html")):
        resources = {
            "metadata": {"name": title, "path": str(source_dir or executed_nb.parent)},
        }
        with _RENDER_LOCK:  # exporters are shared; pages render one at a time
            body, _ = _exporter(reader=reader).from_notebook_node(nb, resources=resources)
        check_offline(body, name=executed_nb.stem + suffix)
        page = out_dir / (executed_nb.stem + suffix)
        page.write_text(body, encoding="utf-8")
        written.append(page)
    return written[0], written[1]


class _ActiveContent(HTMLParser):
    """Collects what would load or run: scripts (but JSON data blocks and the inlined script
    of ``nqpf.interactive``), handlers, non-data resources."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_style = False
        self._script: list[str] | None = None  # text of the open <script>, if it may run

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        if tag == "script":
            given = dict(attrs)
            if "src" in given or given.get("type", "application/json") != "application/json":
                self.problems.append("<script> element")
            elif "type" not in given:
                self._script = []  # allowed if it is nqpf.interactive's script
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            elif name in {"src", "srcset", "poster", "data", "action", "formaction"} or (
                name == "href" and tag != "a"
            ):
                if not value.lower().startswith(("data:", "#")):
                    self.problems.append(f'<{tag} {name}="{value[:80]}">')
            elif name == "href" and value.lower().startswith("javascript:"):
                self.problems.append(f'<a href="{value[:80]}">')
            elif name == "style" and _CSS_REMOTE.search(value):
                self.problems.append(f"<{tag} style> loading a remote resource")

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False
        if tag == "script" and self._script is not None:
            from nqpf.interactive import SCRIPT_SHA256

            digest = hashlib.sha256("".join(self._script).encode()).hexdigest()
            if digest != SCRIPT_SHA256:
                self.problems.append("<script> element")
            self._script = None

    def close(self):
        super().close()
        if self._script is not None:  # a script never closed runs to the end of the page
            self.problems.append("<script> element")

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)
        if self._in_style and _CSS_REMOTE.search(_strip_css_comments(data)):
            self.problems.append("<style> loading a remote resource")


def _strip_css_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)


def offline_problems(page: str) -> list[str]:
    """Everything in an HTML page that would run code or load a resource from elsewhere."""
    parser = _ActiveContent()
    parser.feed(page)
    parser.close()
    return parser.problems


def check_offline(page: str, *, name: str) -> None:
    """Raise ``ValueError`` naming ``name`` if the page is not inert and self-contained."""
    problems = offline_problems(page)
    if problems:
        shown = "; ".join(dict.fromkeys(problems))
        raise ValueError(f"{name} is not a self-contained offline page: {shown}")


_INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; color: #1a1a1a; }}
h1 {{ font-size: 1.6rem; }}
ol {{ padding-left: 1.4rem; }}
li {{ margin-bottom: 1rem; }}
.title {{ font-weight: 600; }}
.failed {{ color: #D55E00; font-weight: 600; }}
pre.error {{ white-space: pre-wrap; background: #fbeee6; padding: 0.5rem; font-size: 0.85rem; }}
.links a {{ margin-right: 1rem; }}
dl {{ font-size: 0.9rem; color: #444; }}
dt {{ font-weight: 600; float: left; margin-right: 0.5rem; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>Each notebook in two versions: the full notebook with its code, and a reader's
version with the results only. Every page works offline.</p>
<ol>
{items}
</ol>
{settings}
</body>
</html>
"""

_INDEX_ITEM = """<li{css}><span class="title">{title}</span>{status}<br>{description}<br>
{error}<span class="links">{links}</span></li>"""
_FAILED = ' <span class="failed">failed</span>'


def write_index(
    entries: Iterable[Page],
    out_dir: Path,
    *,
    title: str = "New quality productive forces: analysis report",
    settings: dict | None = None,
) -> Path:
    """Write ``out_dir/index.html`` linking each page's reader and full version; a failed
    page is marked failed, with its error and a link to the executed notebook.

    ``settings`` (name -> value), when given, is listed under the links so readers can see
    which corpus and parameters produced the report.
    """
    out_dir = paths.output_dir(Path(out_dir))
    items = []
    for entry in entries:
        nb_title, description = entry.notebook.stem, ""
        if entry.notebook.is_file():
            nb = nbformat.read(entry.notebook, as_version=4)
            nb_title, description = describe_notebook(nb, default_title=entry.notebook.stem)
        links = [(page, text) for page, text in (
            (entry.reader_html, "reader's version"), (entry.full_html, "full notebook with code"),
            (entry.notebook if entry.error and entry.notebook.is_file() else None,
             "executed notebook (.ipynb)")) if page is not None]
        items.append(
            _INDEX_ITEM.format(
                css=' class="failed-notebook"' if entry.error else "",
                title=html.escape(nb_title),
                status=_FAILED if entry.error else "",
                description=html.escape(description),
                error=f'<pre class="error">{html.escape(entry.error)}</pre>\n'
                if entry.error else "",
                links="".join(f'<a href="{html.escape(_relative(page, out_dir))}">{text}</a>'
                              for page, text in links),
            )
        )
    rows = "".join(
        f"<dt>{html.escape(str(k))}</dt><dd>{html.escape(str(v))}</dd>\n"
        for k, v in (settings or {}).items()
    )
    page = _INDEX_TEMPLATE.format(
        title=html.escape(title),
        items="\n".join(items),
        settings=f"<h2>Settings</h2>\n<dl>\n{rows}</dl>" if rows else "",
    )
    check_offline(page, name="index.html")
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def _relative(page: Path, folder: Path) -> str:
    return Path(page).resolve().relative_to(folder.resolve()).as_posix()


def default_notebooks() -> list[Path]:
    """The project's numbered notebooks, in order."""
    return sorted((paths.ROOT / "notebooks").glob(NOTEBOOK_GLOB))


def build_report(
    *,
    corpus: Path | None = None,
    corpus_options: dict | None = None,
    out_dir: Path | None = None,
    notebooks: Iterable[Path] | None = None,
    k_range: Iterable[int] | None = None,
    random_state: int = 0,
    parameters: dict | None = None,
    kernel_name: str = "python3",
    progress: Callable[[str], object] = print,
    n_jobs: int = 2,
) -> Path:
    """Run the notebooks (``n_jobs`` at a time), render them to HTML and return the path of
    ``index.html``.

    ``corpus`` defaults to the study corpus (``paths.RAW``), ``corpus_options`` (e.g.
    ``{"text_column": "content"}``) go to ``nqpf.prepare``, ``out_dir`` to ``paths.REPORTS``,
    ``notebooks`` to ``notebooks/NN_*.ipynb``; ``k_range`` is passed only when given.
    ``parameters`` sets any other notebook parameter (name -> value; it wins over the
    arguments above), in every notebook that declares it; a name that no notebook declares
    raises ``ValueError``. If a notebook fails, the others still run, the index marks it
    failed, and ``NotebookError`` is raised after the index and the manifest are written.
    """
    corpus = Path(corpus if corpus is not None else paths.RAW).expanduser().resolve()
    if not corpus.exists():
        raise FileNotFoundError(f"corpus not found: {corpus}")
    notebooks = [Path(nb).resolve() for nb in (notebooks or default_notebooks())]
    if not notebooks:
        folder = paths.ROOT / "notebooks"
        raise FileNotFoundError(f"no notebooks matching {NOTEBOOK_GLOB} in {folder}")
    for nb in notebooks:
        if not nb.is_file():
            raise FileNotFoundError(f"notebook not found: {nb}")
    extra = dict(parameters or {})
    for name, option in (("corpus", "--corpus"), ("out_dir", "--out")):
        if name in extra:
            raise ValueError(f"set the notebook parameter {name!r} with {option}")
    if extra:
        check_parameters(extra, notebooks)
    out_dir = paths.output_dir(Path(out_dir if out_dir is not None else paths.REPORTS)).resolve()
    parameters = {"corpus": str(corpus), "corpus_options": dict(corpus_options or {}),
                  "out_dir": str(out_dir), "random_state": random_state}
    if k_range is not None:
        parameters["k_range"] = [int(k) for k in k_range]
    parameters.update(extra)
    previous = outputs.manifest_files(out_dir)
    started = outputs.clock(out_dir)
    # Pages render in a thread of their own while the next notebooks run: a runner thread that
    # rendered its notebook itself left a core idle before starting the next kernel.
    with ThreadPoolExecutor(max_workers=1) as renderer:
        rendered = run_each(
            notebooks, paths.output_dir(out_dir / "notebooks"), parameters,
            kernel_name=kernel_name, progress=progress, n_jobs=n_jobs, keep_going=True,
            finish=lambda source, executed, error: renderer.submit(
                _publish, executed, out_dir, source_dir=source.parent, error=error))
        pages = [page.result() for page in rendered]
    index = write_index(pages, out_dir, settings=parameters)
    statuses = {page.notebook.stem: page.error or "complete" for page in pages}
    removed = outputs.write_manifest(out_dir, since=started, previous=previous,
                                     parameters=parameters, notebooks=statuses)
    if removed:
        progress(f"removed {len(removed)} file(s) an earlier run wrote and this one did not: "
                 f"{', '.join(removed[:5])}{' …' if len(removed) > 5 else ''}")
    progress(f"report written to {index}")
    failed = [page for page in pages if page.error]
    if failed:
        names = ", ".join(page.notebook.stem for page in failed)
        raise NotebookError(f"{len(failed)} of {len(pages)} notebooks failed ({names}); "
                            f"{index} marks them and links their executed copies. "
                            + " | ".join(" ".join(page.error.split()) for page in failed))
    return index
