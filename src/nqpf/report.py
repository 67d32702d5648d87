"""Run the notebooks and publish them as a self-contained, offline HTML report.

``build_report`` executes every notebook with papermill (parameters injected into the
cell tagged ``parameters``), renders each executed copy twice (``nqpf.exporter``: the full
notebook and a reader's version without code, parameters, cells tagged ``check`` and the
lines that say where files were saved) and writes ``index.html`` linking them, with each
notebook's introduction, its key findings (the output of a cell tagged ``findings``), a
gallery of the figures and the run's settings. Each page links the index, the notebooks
before and after it and its other version, and has a table of contents. No page shows this
machine's absolute paths: they are shown relative to the report folder, the project or the
home folder (``portable``). A
notebook that fails does not stop the others: the index marks it failed, with its error and a
link to the executed copy, and ``build_report`` raises ``NotebookError`` once the index is
written. Each run records what it wrote in ``manifest.json`` and removes the files that an
earlier run listed there and this run did not write again (``nqpf.outputs``).

Every page is checked after rendering: no scripts (but the inlined script of nqpf's own
interactive views, ``nqpf.interactive``, and their JSON data blocks), no event-handler
attributes and no resource that is not a ``data:`` URI, so a page opens offline and corpus
text shown in an output can never run as code.
"""

import base64
import contextlib
import csv
import functools
import hashlib
import html
import io
import math
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
NOTEBOOK_GLOB = paths.NOTEBOOK_GLOB

# papermill's tag for the cells it adds to a failed notebook ("An Exception was encountered")
ERROR_MARKER_TAG = "papermill-error-cell-tag"
# Cells that only set papermill parameters: shown in the full version, dropped for readers.
PARAMETER_TAGS = {"parameters", "injected-parameters"}
CHECK_TAG = "check"  # cells that check a result: full version only
FINDINGS_TAG = "findings"  # a cell whose printed text the index shows as key findings
_READER_CONFIG = Config(
    {"TagRemovePreprocessor": {"remove_cell_tags": PARAMETER_TAGS | {CHECK_TAG}}})
_RENDER_LOCK = threading.Lock()
# Kernels log errors only: not ipykernel's warning, once per notebook, that a kernel on this
# machine's loopback talks over unencrypted TCP (as every local Jupyter kernel does).
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]
RELAY_SECONDS = 30  # a running notebook's progress bars reach the terminal at most this often

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKUP = re.compile(r"[*`]+|(?<!\w)_+|_+(?!\w)")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+•]|\d+[.)])\s+", re.MULTILINE)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# An absolute POSIX path in printed text (not part of a URL or a relative path).
_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/~<-])/(?:[\w.@+-]+/)+[\w.@+-]+")
_CSS_REMOTE = re.compile(r"url\(\s*['\"]?\s*(?:https?:)?//|@import", re.IGNORECASE)
_JS_IMPORT = re.compile(r"import\(\s*['\"]", re.IGNORECASE)


class NotebookError(RuntimeError):
    """A notebook failed while the report was being built."""


# A kernel that dies before it answers (two kernels started at once may pick the same free
# port) is started again, up to KERNEL_STARTS times in all.
KERNEL_DID_NOT_START = "Kernel died before replying to kernel_info"
KERNEL_STARTS = 3


def portable(text: str, *, out_dir: Path) -> str:
    """``text`` with each absolute path shown without this machine's folders: relative to
    ``out_dir`` (the report folder) inside it, to the project root inside the project, as
    ``~/…`` in the home folder, else as ``…/NAME``; ``out_dir`` itself by its name."""
    out_dir = Path(out_dir).resolve()
    home = Path.home().resolve()

    def shown(match: re.Match) -> str:
        path = Path(match.group())
        if path != out_dir and path.is_relative_to(out_dir):
            return path.relative_to(out_dir).as_posix()
        if path.is_relative_to(paths.ROOT):
            return path.relative_to(paths.ROOT).as_posix() or "."
        if path.is_relative_to(home) and path != home:
            return f"~/{path.relative_to(home).as_posix()}"
        return f"…/{path.name}"

    return _ABSOLUTE_PATH.sub(shown, text)


def portable_notebook(nb: nbformat.NotebookNode, *, out_dir: Path) -> None:
    """Make the injected parameters and every output of ``nb`` ``portable``, in place."""
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = portable(cell.source, out_dir=out_dir)
        for output in cell.get("outputs", []):
            if "text" in output:
                output.text = portable(output.text, out_dir=out_dir)
            for kind, value in output.get("data", {}).items():
                if kind.startswith("text/") and isinstance(value, str):
                    output.data[kind] = portable(value, out_dir=out_dir)
            if "traceback" in output:
                output.traceback = [portable(line, out_dir=out_dir) for line in output.traceback]
                output.evalue = portable(output.evalue, out_dir=out_dir)


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


class ProgressRelay:
    """Where a running notebook's printed output also goes (papermill's ``stdout_file``):
    passes its progress-bar lines on to ``progress`` after ``label``, at most one every
    ``every`` seconds, so that a long report says how far a slow cell has come."""

    def __init__(self, label: str, progress: Callable[[str], object], *,
                 every: float = RELAY_SECONDS):
        self.label, self.progress, self.every = label, progress, every
        self.last = -math.inf

    def write(self, text: str) -> None:
        lines = (line.split("\r")[-1].strip() for line in text.split("\n"))
        bars = [line for line in lines if outputs.PROGRESS_BAR.search(line)]
        if bars and time.monotonic() - self.last >= self.every:
            self.last = time.monotonic()
            self.progress(f"{self.label} {bars[-1]}")

    def flush(self) -> None:
        """Nothing is buffered."""


def run_notebook(notebook: Path, output: Path, parameters: dict, *, kernel_name: str,
                 progress: Callable[[str], object], label: str) -> Path:
    """Execute one notebook into ``output`` with the ``parameters`` it declares."""
    progress(label)
    declared = declared_parameters(notebook)
    injected = {name: value for name, value in parameters.items() if name in declared}
    start = time.perf_counter()
    for attempt in range(1, KERNEL_STARTS + 1):
        try:
            return _execute(notebook, output, injected, kernel_name=kernel_name,
                            progress=progress, label=label, start=start)
        except _KernelDidNotStart as error:  # no cell has run: the notebook can start over
            problem = str(error)
            if attempt < KERNEL_STARTS:
                progress(f"{label} the kernel did not start ({problem}); starting another")
    raise NotebookError(f"notebook {notebook.name} failed: its kernel did not start, "
                        f"{KERNEL_STARTS} times ({problem})")


class _KernelDidNotStart(Exception):
    """The kernel died before it answered (jupyter_client's ``KERNEL_DID_NOT_START``)."""


def _execute(notebook: Path, output: Path, injected: dict, *, kernel_name: str,
             progress: Callable[[str], object], label: str, start: float) -> Path:
    """``run_notebook``'s one run with papermill: a kernel that does not start raises
    ``_KernelDidNotStart``, any other failure ``NotebookError``."""
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
            stdout_file=ProgressRelay(label, progress),
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
        if isinstance(error, RuntimeError) and str(error).startswith(KERNEL_DID_NOT_START):
            raise _KernelDidNotStart(str(error)) from None
        raise NotebookError(
            f"notebook {notebook.name} failed: {type(error).__name__}: {error}"
        ) from None
    progress(f"{label} done ({time.perf_counter() - start:.1f} s)")
    return output


def describe_notebook(nb: nbformat.NotebookNode, *, default_title: str = "") -> tuple[str, str]:
    """Title and description of a notebook, as plain text.

    Taken from metadata ``nqpf.title`` / ``nqpf.description`` when present, otherwise from the
    first markdown cell (not counting those papermill adds to a failed notebook): its first
    heading and the first paragraph after it (a list's items joined by "; ").
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
        paragraphs = _BLANK_LINE.split("\n".join(ln for ln in lines if not _HEADING.match(ln)))
        first = next((p for p in paragraphs if p.strip()), "")
        items = [_plain(item) for item in _LIST_ITEM.split(first) if item.strip()]
        description = "; ".join(items) if _LIST_ITEM.match(first) else _plain(first)
    return title or default_title, description


def findings(nb: nbformat.NotebookNode) -> str:
    """The text that the notebook's cells tagged ``findings`` printed or showed ("" if it has
    none)."""
    texts = []
    for cell in nb.cells:
        if cell.cell_type == "code" and FINDINGS_TAG in cell.metadata.get("tags", []):
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                texts.append(output.get("text", "") if output.output_type == "stream"
                             else data.get("text/markdown", data.get("text/plain", "")))
    return "\n".join(text.strip() for text in texts if text.strip())


def _plain(markdown: str) -> str:
    """Markdown text without link targets, emphasis and code marks, on one line."""
    return " ".join(_MD_MARKUP.sub("", _MD_LINK.sub(r"\1", markdown)).split())


@functools.cache
def _exporter(*, reader: bool) -> "OfflineExporter":
    """One exporter per version, so its templates are compiled once per process (imported
    here, on the renderer's thread: the first kernels start without waiting for nbconvert)."""
    from nqpf.exporter import LOADER, TEMPLATE, OfflineExporter, ReaderPreprocessor

    exporter = OfflineExporter(
        template_name="lab",
        template_file=TEMPLATE,
        extra_loaders=[LOADER],
        embed_images=True,
        exclude_input=reader,
        exclude_input_prompt=reader,
        exclude_output_prompt=reader,
        config=_READER_CONFIG if reader else Config(),
    )
    if reader:
        exporter.register_preprocessor(ReaderPreprocessor, enabled=True)
    return exporter


class Neighbours(NamedTuple):
    """The notebooks before and after one in the report: (file stem, title) or None."""

    previous: tuple[str, str] | None = None
    next: tuple[str, str] | None = None


ALONE = Neighbours()  # a page without neighbours


def neighbours(notebooks: list[Path]) -> dict[str, Neighbours]:
    """Each notebook's neighbours in ``notebooks`` (by stem), titles read from the notebooks."""
    named = []
    for notebook in notebooks:
        title = notebook.stem
        if notebook.is_file():
            with contextlib.suppress(Exception):  # an unreadable notebook fails when run
                title, _ = describe_notebook(nbformat.read(notebook, as_version=4),
                                             default_title=notebook.stem)
        named.append((notebook.stem, title))
    return {stem: Neighbours(named[i - 1] if i else None, named[i + 1] if i + 1 < len(named)
                             else None) for i, (stem, _) in enumerate(named)}


def navigation(stem: str, *, reader: bool, around: Neighbours, where: str) -> str:
    """Links of a page (``where``: "top" or "bottom"): the index, the notebooks before and
    after it (same version) and the page's other version."""
    suffix = ".reader.html" if reader else ".html"
    links = [("index.html", "↑ Index of the report")]
    if around.previous:
        links.append((around.previous[0] + suffix, f"← {around.previous[1]}"))
    if around.next:
        links.append((around.next[0] + suffix, f"{around.next[1]} →"))
    links.append((stem + (".html" if reader else ".reader.html"),
                  "Full notebook with code" if reader else "Reader's version"))
    anchors = "".join(f'<a href="{html.escape(href)}">{html.escape(text)}</a>'
                      for href, text in links)
    return f'<nav class="nqpf-nav {where}" aria-label="Report pages">{anchors}</nav>'


def _publish(executed: Path, out_dir: Path, *, source_dir: Path, error: str = "",
             around: Neighbours = ALONE) -> Page:
    """Render an executed notebook's two pages into ``out_dir`` (a failed notebook's too, as
    far as it ran); a page that cannot be rendered is None and its reason joins ``error``."""
    if not executed.is_file():
        return Page(executed, None, None, error)
    try:
        return Page(executed, *render_html(executed, out_dir, source_dir=source_dir,
                                           around=around), error)
    except Exception as problem:  # whatever it is, the index shows it
        why = f"the executed notebook could not be rendered: {type(problem).__name__}: {problem}"
        return Page(executed, None, None, f"{error}; {why}" if error else why)


def render_html(
    executed_nb: Path, out_dir: Path, *, source_dir: Path | None = None,
    around: Neighbours = ALONE, report_dir: Path | None = None,
) -> tuple[Path, Path]:
    """Write ``NAME.html`` (full) and ``NAME.reader.html`` (no code) into ``out_dir``, each
    linking the index, the ``around`` notebooks and its other version, paths ``portable``
    (relative to ``report_dir``, the folder the run wrote to; default ``out_dir``).

    Images are embedded as data URIs; relative image links in markdown are resolved from
    ``source_dir`` (default: the notebook's folder). Raises ``ValueError`` if a page would
    load anything from outside the file or contains a script.
    """
    executed_nb = Path(executed_nb)
    out_dir = paths.output_dir(Path(out_dir))
    nb = nbformat.read(executed_nb, as_version=4)
    # ipywidgets need a live kernel; without their saved state each shows its text form
    nb.metadata.pop("widgets", None)
    portable_notebook(nb, out_dir=report_dir or out_dir)
    title, _ = describe_notebook(nb, default_title=executed_nb.stem)
    stem = executed_nb.stem
    written = []
    for reader, suffix in ((False, ".html"), (True, ".reader.html")):
        resources = {
            "metadata": {"name": title, "path": str(source_dir or executed_nb.parent)},
            "nqpf": {place: navigation(stem, reader=reader, around=around, where=where)
                     for place, where in (("header", "top"), ("footer", "bottom"))},
        }
        with _RENDER_LOCK:  # exporters are shared; pages render one at a time
            body, _ = _exporter(reader=reader).from_notebook_node(nb, resources=resources)
        check_offline(body, name=executed_nb.stem + suffix)
        page = out_dir / (executed_nb.stem + suffix)
        page.write_text(body, encoding="utf-8")
        written.append(page)
    return written[0], written[1]


class _ActiveContent(HTMLParser):
    """Collects what would load or run: scripts (but JSON data blocks and the inlined scripts
    of ``nqpf.interactive`` and ``nqpf.exporter.RELAYOUT_SCRIPT``), handlers, non-data
    resources."""

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
            from nqpf.exporter import RELAYOUT_SHA256
            from nqpf.interactive import SCRIPT_SHA256

            digest = hashlib.sha256("".join(self._script).encode()).hexdigest()
            if digest not in {SCRIPT_SHA256, RELAYOUT_SHA256}:
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
body {{ font-family: {sans}, "{cjk}"; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; color: #1a1a1a; }}
h1 {{ font-size: 1.6rem; }}
ol.notebooks {{ padding-left: 1.4rem; }}
ol.notebooks > li {{ margin-bottom: 1.2rem; }}
.title {{ font-weight: 600; font-size: 1.05rem; }}
.failed {{ color: #D55E00; font-weight: 600; }}
pre.error {{ white-space: pre-wrap; background: #fbeee6; padding: 0.5rem; font-size: 0.85rem; }}
.links a {{ margin-right: 1rem; }}
.findings {{ background: #f5f7fa; border-left: 3px solid #0072B2; padding: 0.3rem 0.8rem;
            margin: 0.4rem 0; }}
.findings p {{ margin: 0.2rem 0; }}
.gallery {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
           gap: 1rem; margin-bottom: 1.5rem; }}
.gallery figure {{ margin: 0; font-size: 0.85rem; color: #333; }}
.gallery img {{ width: 100%; height: auto; max-height: 18rem; object-fit: contain;
                border: 1px solid #ddd; }}
nav.contents a {{ margin-right: 1rem; }}
dl {{ font-size: 0.9rem; color: #444; }}
dt {{ font-weight: 600; float: left; margin-right: 0.5rem; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p>Each notebook in two versions: a reader's version with the results only, and the full
notebook with its code. Every page works offline.</p>
<nav class="contents" aria-label="Contents">{contents}</nav>
<h2 id="notebooks">Notebooks</h2>
<ol class="notebooks">
{items}
</ol>
{gallery}
{files}
{settings}
</main>
</body>
</html>
"""

_INDEX_ITEM = """<li{css}><span class="title">{title}</span>{status}<br>{description}
{findings}{error}<br><span class="links">{links}</span></li>"""
_FAILED = ' <span class="failed">failed</span>'
THUMBNAIL_WIDTH = 360  # pixels of a gallery thumbnail


def _findings_html(text: str) -> str:
    """Key findings as HTML: lines that start with a list mark as a list, others as
    paragraphs."""
    if not text:
        return ""
    blocks, items = [], []
    for line in text.splitlines():
        if _LIST_ITEM.match(line):
            items.append(f"<li>{html.escape(_LIST_ITEM.sub('', line, count=1))}</li>")
            continue
        if items:
            blocks.append(f"<ul>{''.join(items)}</ul>")
            items = []
        if line.strip():
            blocks.append(f"<p>{html.escape(line.strip())}</p>")
    if items:
        blocks.append(f"<ul>{''.join(items)}</ul>")
    return f'<div class="findings"><strong>Key findings</strong>{"".join(blocks)}</div>'


def figure_captions(out_dir: Path) -> list[tuple[str, str]]:
    """(figure name, caption) of each figure in ``out_dir/figures/captions.csv`` whose PNG is
    there, by name."""
    table = Path(out_dir) / "figures" / outputs.CAPTIONS
    if not table.is_file():
        return []
    with table.open(newline="", encoding="utf-8") as handle:
        rows = [(row["figure"], row["caption"]) for row in csv.DictReader(handle)]
    return sorted((name, caption) for name, caption in rows
                  if (Path(out_dir) / "figures" / f"{name}.png").is_file())


def thumbnail(png: Path, *, width: int = THUMBNAIL_WIDTH) -> str:
    """A base64 PNG of ``png`` scaled down to ``width`` pixels wide (never up)."""
    from PIL import Image

    buffer = io.BytesIO()
    with Image.open(png) as image:
        image.thumbnail((width, image.height))
        image.save(buffer, format="PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


_SAVED_FIGURE = re.compile(r"figures/([^/\s,()]+)\.png")


def figure_order(nb: nbformat.NotebookNode) -> list[str]:
    """Names of the figures a notebook saved, in the order its outputs say so."""
    text = "".join(output.get("text", "") for cell in nb.cells
                   for output in cell.get("outputs", []))
    return list(dict.fromkeys(_SAVED_FIGURE.findall(text)))


def _gallery(out_dir: Path, entries: list[Page], titles: dict[str, str]) -> str:
    """Thumbnails of the run's figures, by notebook (in the order it shows them), each linked
    to its PNG and captioned."""
    captions = figure_captions(out_dir)
    if not captions:
        return ""
    pages = {entry.notebook.stem[:3]: entry for entry in entries}
    order = {name: i for entry in entries if entry.notebook.is_file()
             for i, name in enumerate(figure_order(nbformat.read(entry.notebook, as_version=4)))}
    captions.sort(key=lambda row: (row[0][:3], order.get(row[0], len(order)), row[0]))
    groups = defaultdict(list)
    for name, caption in captions:
        groups[name[:3] if name[:3] in pages else ""].append((name, caption))
    sections = ['<h2 id="figures">Figures</h2>']
    for key, figures in sorted(groups.items(), key=lambda item: (item[0] == "", item[0])):
        entry = pages.get(key)
        if entry is None:
            sections.append("<h3>Other figures</h3>")
        else:
            title = html.escape(titles[entry.notebook.stem])
            page = entry.reader_html
            sections.append(f'<h3><a href="{html.escape(_relative(page, out_dir))}">{title}</a>'
                            "</h3>" if page else f"<h3>{title}</h3>")
        cells = [
            f'<figure><a href="figures/{html.escape(name)}.png"><img alt="{html.escape(caption)}"'
            f' src="data:image/png;base64,{thumbnail(out_dir / "figures" / f"{name}.png")}">'
            f"</a><figcaption>{html.escape(caption)}</figcaption></figure>"
            for name, caption in figures]
        sections.append(f'<div class="gallery">{"".join(cells)}</div>')
    return "\n".join(sections)


def _files(out_dir: Path) -> str:
    """Links to the run's ``tables/`` and ``figures/`` folders, with what they hold."""
    tables = sorted((out_dir / "tables").glob("*.csv"))
    pngs = sorted((out_dir / "figures").glob("*.png"))
    links = []
    if tables:
        links.append(f'<li><a href="tables/">tables/</a>: {len(tables)} tables (CSV)</li>')
    if pngs:
        links.append(f'<li><a href="figures/">figures/</a>: {len(pngs)} figures (PNG and SVG), '
                     f'captions in <a href="figures/{outputs.CAPTIONS}">{outputs.CAPTIONS}</a>'
                     "</li>")
    return f'<h2 id="files">Tables and figures</h2>\n<ul>{"".join(links)}</ul>' if links else ""


STUDY_TITLE = "New quality productive forces: analysis report"


def report_title(corpus: Path) -> str:
    """The index's title: ``STUDY_TITLE`` for the study corpus, else one naming ``corpus``."""
    return STUDY_TITLE if paths.is_study_corpus(corpus) else f"Analysis report: {corpus.name}"


def write_index(
    entries: Iterable[Page],
    out_dir: Path,
    *,
    title: str = STUDY_TITLE,
    settings: dict | None = None,
) -> Path:
    """Write ``out_dir/index.html`` linking each page's reader and full version, with each
    notebook's description and key findings (``findings``), a gallery of the figures in
    ``figures/captions.csv`` and links to ``tables/`` and ``figures/``; a failed page is marked
    failed, with its error and a link to the executed notebook.

    ``settings`` (name -> value), when given, is listed at the end (paths ``portable``) so
    readers can see which corpus and parameters produced the report.
    """
    from nqpf.exporter import CJK_FAMILY, SANS, with_cjk_font

    out_dir = paths.output_dir(Path(out_dir))
    entries = list(entries)
    items, titles = [], {}
    for entry in entries:
        nb_title, description, found = entry.notebook.stem, "", ""
        if entry.notebook.is_file():
            nb = nbformat.read(entry.notebook, as_version=4)
            nb_title, description = describe_notebook(nb, default_title=entry.notebook.stem)
            found = portable(findings(nb), out_dir=out_dir)
        titles[entry.notebook.stem] = nb_title
        links = [(page, text) for page, text in (
            (entry.reader_html, "reader's version"), (entry.full_html, "full notebook with code"),
            (entry.notebook if entry.error and entry.notebook.is_file() else None,
             "executed notebook (.ipynb)")) if page is not None]
        error = portable(entry.error, out_dir=out_dir)
        items.append(
            _INDEX_ITEM.format(
                css=' class="failed-notebook"' if entry.error else "",
                title=html.escape(nb_title),
                status=_FAILED if entry.error else "",
                description=html.escape(description),
                findings=_findings_html(found),
                error=f'<pre class="error">{html.escape(error)}</pre>\n' if error else "",
                links="".join(f'<a href="{html.escape(_relative(page, out_dir))}">{text}</a>'
                              for page, text in links),
            )
        )
    rows = "".join(
        f"<dt>{html.escape(str(k))}</dt><dd>{html.escape(portable(str(v), out_dir=out_dir))}</dd>\n"
        for k, v in (settings or {}).items()
    )
    sections = {"gallery": _gallery(out_dir, entries, titles), "files": _files(out_dir),
                "settings": f'<h2 id="settings">Settings</h2>\n<dl>\n{rows}</dl>' if rows else ""}
    contents = [("notebooks", "Notebooks")] + [
        (anchor, text) for anchor, text, key in (("figures", "Figures", "gallery"),
                                                 ("files", "Tables and figures", "files"),
                                                 ("settings", "Settings", "settings"))
        if sections[key]]
    page = _INDEX_TEMPLATE.format(
        title=html.escape(title),
        sans=SANS, cjk=CJK_FAMILY,
        contents="".join(f'<a href="#{anchor}">{text}</a>' for anchor, text in contents),
        items="\n".join(items),
        **sections,
    )
    page = with_cjk_font(page)
    check_offline(page, name="index.html")
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def _relative(page: Path, folder: Path) -> str:
    return Path(page).resolve().relative_to(folder.resolve()).as_posix()


def default_notebooks() -> list[Path]:
    """The project's numbered notebooks, in order."""
    return paths.notebooks()


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
        raise FileNotFoundError(f"no notebooks matching {NOTEBOOK_GLOB} in {paths.NOTEBOOKS}")
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
        around = neighbours(notebooks)
        rendered = run_each(
            notebooks, paths.output_dir(out_dir / "notebooks"), parameters,
            kernel_name=kernel_name, progress=progress, n_jobs=n_jobs, keep_going=True,
            finish=lambda source, executed, error: renderer.submit(
                _publish, executed, out_dir, source_dir=source.parent, error=error,
                around=around[source.stem]))
        pages = [page.result() for page in rendered]
    index = write_index(pages, out_dir, title=report_title(corpus), settings=parameters)
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
