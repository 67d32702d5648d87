"""Open every report page in headless Chromium: it renders offline, without errors.

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


def open_page(browser, path: Path, screenshot: Path) -> dict:
    """Load ``path`` from file://; return its requests, errors and image widths."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    # Never let a request leave the machine, but record it so the test can fail on it.
    context.route(re.compile(r"^(?!file:|data:|about:)"), lambda route: route.abort())
    page = context.new_page()
    seen = {"requests": [], "errors": []}
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.on("console", lambda msg: msg.type == "error" and seen["errors"].append(msg.text))
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.goto(path.as_uri(), wait_until="load")
    seen["image_widths"] = page.eval_on_selector_all(
        "img", "images => images.map(img => img.complete ? img.naturalWidth : 0)"
    )
    seen["links"] = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    page.screenshot(path=str(screenshot), full_page=True)
    context.close()
    return seen


def test_every_page_renders_offline(report_dir, browser):
    pages = sorted(report_dir.glob("*.html"))
    assert report_dir / "index.html" in pages
    assert len(pages) >= 3
    shots = report_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    for path in pages:
        shot = shots / f"{path.stem}.png"
        seen = open_page(browser, path, shot)
        leaving = [url for url in seen["requests"] if not LOCAL_URL.match(url)]
        assert leaving == [], f"{path.name} requests {leaving}"
        assert seen["errors"] == [], f"{path.name} console errors {seen['errors']}"
        assert all(width > 0 for width in seen["image_widths"]), f"{path.name} broken image"
        assert shot.stat().st_size > 0
        if path.name == "index.html":
            targets = {link.removeprefix("file://") for link in seen["links"]}
            assert targets == {p.as_posix() for p in pages if p.name != "index.html"}
