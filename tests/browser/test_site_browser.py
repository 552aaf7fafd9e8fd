"""The built site in a real headless browser: pages load without console errors, images display,
and a card shows its counterexample plot (screenshot saved for a human to look at)."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from docgen.test_site import built_site

from browser.cdp import Browser, find_chromium

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_COPY = ROOT / "docs" / "assets" / "screenshots" / "card.png"

IMAGES = "JSON.stringify([...document.images].map(i => [i.getAttribute('src'), i.complete, i.naturalWidth]))"


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def served_site() -> Iterator[str]:
    site = built_site()
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture(scope="module")
def browser(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    b = Browser(chromium, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield b
    finally:
        b.close()


def _card_with_plot(site_url: str) -> str:
    """A library card with a counterexample plot, preferring one with a curve of f."""
    import json
    import urllib.request

    from explainspec.lang import discover, load
    from explainspec.resources import specs_dir

    names = sorted(load(p).name for p in discover([specs_dir()]))
    report = ROOT / "docs" / "evidence" / "library.json"
    shown = set()
    if report.is_file():
        for c in json.loads(report.read_text(encoding="utf-8"))["claims"]:
            if c.get("counterexample"):
                shown.add(c["spec"])
    for name in [n for n in names if n in shown] + names:
        with urllib.request.urlopen(f"{site_url}/cards/{name}.html") as response:
            page = response.read().decode("utf-8")
        if f'alt="Counterexample to {name}.' in page and ": f along the feature" in page:
            return name
    for name in names:
        with urllib.request.urlopen(f"{site_url}/cards/{name}.html") as response:
            if 'alt="Counterexample to' in response.read().decode("utf-8"):
                return name
    pytest.fail("no card of the built-in library shows a counterexample plot")


def test_home_page_loads_cleanly(browser: Browser, served_site: str) -> None:
    page = browser.open(f"{served_site}/index.html")
    page.drain()
    assert page.evaluate("document.title").startswith("explainspec")
    assert page.errors == []
    for src, complete, width in __import__("json").loads(page.evaluate(IMAGES)):
        assert complete and width > 0, src


def test_card_shows_its_counterexample_plot(
    browser: Browser, served_site: str, tmp_path: Path
) -> None:
    import json

    name = _card_with_plot(served_site)
    page = browser.open(f"{served_site}/cards/{name}.html")
    page.drain()
    assert page.errors == []
    images = json.loads(page.evaluate(IMAGES))
    plots = [(src, ok, w) for src, ok, w in images if "assets/" in src and src.endswith(".png")]
    assert plots, images
    for src, complete, width in images:
        assert complete and width > 0, f"image {src} is not displayed"
    # screenshot: the claim heading of the first counterexample down to the bottom of its plot
    box = json.loads(
        page.evaluate(
            """(() => {
            const img = document.querySelector('img[alt*=": f along the feature"]')
                || document.querySelector('img[alt^="Counterexample to"]');
            let h = img.closest('article') || document.body;
            const heads = [...document.querySelectorAll('h3')].filter(
                e => e.compareDocumentPosition(img) & Node.DOCUMENT_POSITION_FOLLOWING);
            const top = heads.length ? heads[heads.length - 1] : img;
            const a = top.getBoundingClientRect(), b = img.getBoundingClientRect();
            const x = Math.min(a.left, b.left) - 16;
            return JSON.stringify({x: Math.max(0, x + scrollX), y: a.top + scrollY - 16,
                width: Math.max(a.width, b.width) + 32, height: b.bottom - a.top + 32});
        })()"""
        )
    )
    shot = page.screenshot(tmp_path / "card.png", clip=box)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert box["height"] > 200  # the plot itself is 360 px high
    # committed for people to look at; EXPLAINSPEC_UPDATE_SCREENSHOTS=1 refreshes it after a
    # change of the cards or plots
    if not SCREENSHOT_COPY.exists() or os.environ.get("EXPLAINSPEC_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOT_COPY.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT_COPY)


def test_matrix_is_readable(browser: Browser, served_site: str, tmp_path: Path) -> None:
    """The method x question matrix: ✔ green, ✖ red, a legend, every question header on one
    line; screenshots of the index, the matrix and a card are taken (kept in tmp_path)."""
    import json

    page = browser.open(f"{served_site}/cards/index.html")
    page.drain()
    assert page.errors == []
    found = json.loads(
        page.evaluate(
            """JSON.stringify((() => {
            const spans = [...document.querySelectorAll('td a span')];
            const color = m => spans.filter(s => s.textContent.startsWith(m))
                .map(s => getComputedStyle(s).color);
            const heads = [...document.querySelectorAll('thead th')];
            // an inline element broken over n lines has n client rects
            const lines = el => (el.querySelector('code') || el).getClientRects().length;
            return {yes: color('✔'), no: color('✖'), legend: document.body.innerText
                .includes('does not answer it'), columns: heads.length,
                wrapped: heads.slice(1).filter(h => lines(h) > 1).map(h => h.innerText)};
        })())"""
        )
    )
    assert found["yes"] and set(found["yes"]) == {"rgb(26, 127, 55)"}
    assert found["no"] and set(found["no"]) == {"rgb(207, 34, 46)"}
    assert found["legend"] and found["columns"] > 3
    assert found["wrapped"] == []
    for url, name in (
        (f"{served_site}/index.html", "index.png"),
        (f"{served_site}/cards/index.html", "matrix.png"),
        (f"{served_site}/cards/shap_kernel.html", "card.png"),
    ):
        shot = browser.open(url)
        shot.drain()
        assert shot.errors == []
        for src, complete, width in json.loads(shot.evaluate(IMAGES)):
            assert complete and width > 0, src
        assert shot.screenshot(tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
