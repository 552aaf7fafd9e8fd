"""A card made from a hostile spec and report, published with the site's theme and Markdown
extensions and loaded in headless chromium: no attack runs (``window.__xss`` stays unset), no
element carries an event handler or a ``javascript:`` link, and the hostile title is shown as
the text the spec wrote. The cards' Markdown itself is checked in ``tests/security``."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from browser.cdp import Browser
from browser.test_site_browser import _QuietHandler, browser, chromium  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "security"))
import hostile_cards  # noqa: E402

#: everything an attack could leave in the page
INERT = """JSON.stringify({
    xss: typeof window.__xss,
    handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
        .filter(a => a.name.toLowerCase().startsWith('on')).map(a => e.tagName + ' ' + a.name)),
    links: [...document.querySelectorAll('[href], [src]')]
        .map(e => e.getAttribute('href') || e.getAttribute('src'))
        .filter(u => /^\\s*(javascript|data):/i.test(u)),
    scripts: [...document.scripts].filter(s => s.textContent.includes('__xss')).length,
    h1: document.querySelector('article h1, h1').textContent,
    images: [...document.images].map(i => i.getAttribute('src')),
})"""


def _site(tmp: Path) -> Path:
    """A small site with the project's theme and Markdown extensions and the hostile card."""
    from explainspec import loads
    from explainspec.docgen.cards import write_cards
    from explainspec.docgen.results import load_results

    docs = tmp / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Hostile cards\n\n- [the card](cards/hostile.md)\n")
    write_cards([loads(hostile_cards.SPEC)], docs / "cards", load_results(hostile_cards.report()))
    config = {
        "site_name": "hostile",
        "docs_dir": "docs",
        "use_directory_urls": False,
        "theme": {"name": "material", "font": False},
        "markdown_extensions": [
            "admonition",
            "attr_list",
            "tables",
            {"toc": {"permalink": True}},
            "pymdownx.highlight",
            "pymdownx.superfences",
            {"pymdownx.snippets": {"base_path": [str(ROOT / "docs")], "check_paths": False}},
            "pymdownx.details",
        ],
    }
    (tmp / "mkdocs.yml").write_text(yaml.safe_dump(config))
    out = tmp / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(out)],
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=300,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("material")
    pytest.importorskip("matplotlib")
    site = _site(tmp_path_factory.mktemp("hostile-site"))
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("page_name", ["cards/hostile.html", "cards/index.html"])
def test_a_hostile_card_runs_nothing_in_the_browser(
    browser: Browser,  # noqa: F811 - the fixture
    hostile_site: str,
    page_name: str,
) -> None:
    page = browser.open(f"{hostile_site}/{page_name}")
    page.drain(1.0)
    # hover and click everything, as a reader might
    page.evaluate(
        """[...document.querySelectorAll('body *')].forEach(e => {
            for (const t of ['mouseover', 'mouseenter', 'focus']) e.dispatchEvent(new Event(t));
            if (e.tagName !== 'A' || !(e.getAttribute('href') || '').startsWith('http')) e.click?.();
        }); 1"""
    )
    page.drain(0.5)
    state = json.loads(page.evaluate(INERT))
    assert state["xss"] == "undefined", state
    assert state["handlers"] == [] and state["links"] == [] and state["scripts"] == 0, state
    assert all(src.startswith("assets/") or "/assets/" in src for src in state["images"]), state
    if page_name == "cards/hostile.html":
        assert state["h1"].rstrip("¶").strip() == hostile_cards.TITLE
    assert page.errors == []
