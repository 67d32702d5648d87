"""Open every report page in headless Chromium and look at it as a reader would: it renders
offline, without errors; every solution is hidden until its toggle is clicked and shown after;
no reader page shows an absolute path or a pandas ``dtype:`` line; every image fits the page
(at a desktop and a narrow width); the index links every page and every page links back. A
screenshot of every page is saved beside the report (``screenshots/``) for review.

Builds a report from the tiny notebooks of test_report.py; set ``NQPF_REPORT_DIR`` to a
folder holding a built report (e.g. ``reports``) to check that one instead.
Needs Debian's Chromium (``apt-get install -y chromium``) and the playwright package;
no browser download.
"""

import os
import re
from pathlib import Path

import pytest
from test_report import tiny_notebooks

from nqpf.report import build_report

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOCAL_URL = re.compile(r"^(file|data|about):")
ABSOLUTE_PATH = re.compile(r"(?:^|[\s\"'(=:])/(?:[\w.@+-]+/)+[\w.@+-]+", re.MULTILINE)
# a pandas Series footer ("Name: count, dtype: int64") or an empty Series printed
DTYPE_LINE = re.compile(r"^.*\bdtype: [\w\[\]]+\)?\s*$", re.MULTILINE)
WIDTHS = (1280, 700)  # a desktop and a narrow window

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not CHROMIUM.is_file():
    pytest.skip(
        "no chromium at /usr/bin/chromium: apt-get install chromium", allow_module_level=True
    )


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    """Folder of the report under test: NQPF_REPORT_DIR, or one built from tiny notebooks."""
    if os.environ.get("NQPF_REPORT_DIR"):
        folder = Path(os.environ["NQPF_REPORT_DIR"]).resolve()
        assert (folder / "index.html").is_file(), f"no index.html in {folder}"
        return folder
    root = tmp_path_factory.mktemp("browser")
    (root / "corpus").mkdir()
    index = build_report(
        corpus=root / "corpus", out_dir=root / "out", notebooks=tiny_notebooks(root / "nb"),
        progress=lambda line: None,
    )
    return index.parent


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, path: Path, screenshot: Path, *, width: int = WIDTHS[0]) -> dict:
    """Load ``path`` from file://; return its requests, errors, images, links and text."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    # Never let a request leave the machine, but record it so the test can fail on it.
    context.route(re.compile(r"^(?!file:|data:|about:)"), lambda route: route.abort())
    page = context.new_page()
    seen = {"requests": [], "errors": []}
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.on("console", lambda msg: msg.type == "error" and seen["errors"].append(msg.text))
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.goto(path.as_uri(), wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")  # the embedded CJK font, if any
    seen["images"] = page.eval_on_selector_all("img", """images => images.map(img => ({
        loaded: img.complete && img.naturalWidth > 0, right: img.getBoundingClientRect().right,
        shown: img.getBoundingClientRect().width, natural: img.naturalWidth}))""")
    seen["page_width"] = page.evaluate("document.documentElement.clientWidth")
    seen["links"] = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    seen["text"] = page.evaluate("document.body.innerText")
    seen["solutions"] = solutions_toggle(page)
    if screenshot is not None:
        page.screenshot(path=str(screenshot), full_page=True)
    context.close()
    return seen


def solutions_toggle(page) -> list[tuple[bool, bool]]:
    """For each ``<details>`` of a page: whether its content shows before and after a click
    on its summary."""
    states = []
    for details in page.query_selector_all("details"):
        content = details.query_selector(":scope > :not(summary)")
        if content is None:
            states.append((False, False))  # an empty toggle: nothing to show
            continue
        before = content.is_visible()
        details.query_selector("summary").click()
        states.append((before, content.is_visible()))
    return states


@pytest.fixture(scope="module")
def seen(report_dir, browser) -> dict[Path, dict]:
    """Every page of the report as the browser showed it (a screenshot of each saved)."""
    shots = report_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    return {path: open_page(browser, path, shots / f"{path.stem}.png")
            for path in sorted(report_dir.glob("*.html"))}


def test_every_page_renders_offline(report_dir, seen):
    assert report_dir / "index.html" in seen
    assert len(seen) >= 3
    for path, page in seen.items():
        leaving = [url for url in page["requests"] if not LOCAL_URL.match(url)]
        assert leaving == [], f"{path.name} requests {leaving}"
        assert page["errors"] == [], f"{path.name} console errors {page['errors']}"
        assert all(image["loaded"] for image in page["images"]), f"{path.name} broken image"
        assert (report_dir / "screenshots" / f"{path.stem}.png").stat().st_size > 0


def test_solutions_are_hidden_until_clicked(seen):
    toggles = {path.name: page["solutions"] for path, page in seen.items()}
    assert sum(map(len, toggles.values())) > 0, "no solution toggle in the report"
    for name, states in toggles.items():
        assert all(state == (False, True) for state in states), f"{name}: {states}"


def test_reader_pages_show_no_absolute_path_or_dtype_line(seen):
    readers = {path.name: page["text"] for path, page in seen.items()
               if path.name.endswith(".reader.html") or path.name == "index.html"}
    assert len(readers) >= 2
    for name, text in readers.items():
        assert not ABSOLUTE_PATH.findall(text), f"{name}: {ABSOLUTE_PATH.findall(text)[:3]}"
        assert not DTYPE_LINE.findall(text), f"{name}: {DTYPE_LINE.findall(text)[:3]}"


@pytest.mark.parametrize("width", WIDTHS)
def test_every_image_fits_the_page(report_dir, browser, seen, width):
    for path in seen:
        page = seen[path] if width == WIDTHS[0] else open_page(browser, path, None, width=width)
        for image in page["images"]:
            assert image["right"] <= page["page_width"] + 1, f"{path.name} at {width} px"
            assert image["shown"] <= image["natural"] + 1, f"{path.name}: enlarged image"


def test_every_page_is_linked_from_the_index_and_back(report_dir, seen):
    pages = {path for path in seen if path.name != "index.html"}
    index_links = {Path(link.removeprefix("file://")) for link in seen[report_dir / "index.html"]
                   ["links"] if not link.split("#")[0].endswith("index.html")}
    assert pages <= index_links
    for path in pages:
        targets = {Path(link.removeprefix("file://").split("#")[0]) for link in seen[path]["links"]}
        assert report_dir / "index.html" in targets, f"{path.name} does not link the index"
