"""Stored XSS: spec and report text reaches the published cards as text, never as markup.

The hostile spec and report of ``hostile_cards`` put an attack into every field a card shows
(title, question, statements, assumptions, references, parameter values, verdicts, error
messages, counterexample texts, versions). The cards are rendered to HTML with the Markdown
extensions of the site (``mkdocs.yml``) and the HTML is inspected element by element; the same
card is loaded in a real browser by ``tests/browser/test_site_browser.py``.
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import hostile_cards  # noqa: E402

from explainspec import loads  # noqa: E402
from explainspec.docgen.cards import CardWriter, render_card, render_index  # noqa: E402
from explainspec.docgen.escape import code, fence, text  # noqa: E402
from explainspec.docgen.results import load_results  # noqa: E402

markdown = pytest.importorskip("markdown")

ROOT = Path(__file__).resolve().parents[2]
#: the site's Markdown extensions (mkdocs.yml)
EXTENSIONS = [
    "admonition",
    "attr_list",
    "tables",
    "toc",
    "pymdownx.highlight",
    "pymdownx.superfences",
    "pymdownx.details",
    "pymdownx.snippets",
]
CONFIG = {"pymdownx.snippets": {"base_path": [str(ROOT / "docs")], "check_paths": False}}


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside each tag name."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.texts: dict[str, list[str]] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._open.append(tag)
        self.texts.setdefault(tag, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        for tag in self._open:
            self.texts[tag][-1] += data


def render(page: str) -> _Elements:
    html = markdown.markdown(page, extensions=EXTENSIONS, extension_configs=CONFIG)
    parsed = _Elements()
    parsed.feed(html)
    return parsed


def assert_inert(parsed: _Elements) -> None:
    for tag, attrs in parsed.tags:
        assert tag not in ("script", "iframe", "object", "embed", "base", "form"), (tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, attrs)
            if name in ("href", "src", "action", "formaction"):
                assert not value.strip().lower().startswith(("javascript:", "data:")), (tag, attrs)
        if tag == "img":
            assert attrs.get("src", "").startswith("assets/"), attrs  # only the cards' own plots


@pytest.fixture
def spec():
    return loads(hostile_cards.SPEC)


def test_a_hostile_card_renders_as_text(spec):
    card = render_card(spec, load_results(hostile_cards.report()))
    parsed = render(card)
    assert_inert(parsed)
    # and every attack is shown, as the characters the spec wrote
    assert parsed.texts["h1"] == [hostile_cards.TITLE]
    shown = "".join(t for texts in parsed.texts.values() for t in texts)
    for fragment in (
        "<script>window.__xss=1</script>",
        '{: onclick="window.__xss=4"}',
        "[click](javascript:window.__xss=3)",
        "# injected",
        "[ref]: javascript:window.__xss=9",
        "<script>window.__xss=12</script>",
    ):
        assert fragment in shown, fragment


def test_a_hostile_card_with_plots_keeps_only_its_own_images(spec, tmp_path):
    pytest.importorskip("matplotlib")
    writer = CardWriter(load_results(hostile_cards.report()), assets=tmp_path / "assets")
    parsed = render(writer.card(spec))
    assert_inert(parsed)


def test_the_index_of_hostile_cards_renders_as_text(spec):
    parsed = render(render_index([spec], load_results(hostile_cards.report())))
    assert_inert(parsed)
    assert any(hostile_cards.TITLE in t for t in parsed.texts["a"])


@pytest.mark.parametrize(
    "value",
    [
        hostile_cards.ATTACK,
        hostile_cards.MULTILINE,
        "1. a list",
        "- a list",
        "+ a list",
        "# a heading",
        "!!! warning",
        "~~~",
        "```",
        "---",
        "| a | b |",
        "_emphasis_ and *emphasis* and __strong__",
        "a \\[ b \\",
        "&lt; &amp;",
        "x_i + y_j == f(x) - 0.5",
    ],
)
def test_text_renders_as_exactly_its_characters(value):
    parsed = render(text(value))
    assert_inert(parsed)
    assert "".join(parsed.texts.get("p", [""])) == " ".join(value.split())


@pytest.mark.parametrize("value", ["a`b", "``` x", "`", "x ``", "<script>", "a | b"])
def test_code_spans_and_fences_hold_any_text(value):
    parsed = render(f"see {code(value)} here")
    assert parsed.texts["code"] == [value]
    parsed = render("\n".join(fence(f"{value}\n```\n````\n<script>", "text")) + "\n\nafter")
    assert_inert(parsed)
    assert parsed.texts["p"][-1] == "after"
