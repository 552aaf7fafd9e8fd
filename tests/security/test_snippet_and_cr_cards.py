"""Code in a card is code: a carriage return or a snippet marker in it is not Markdown.

Two ways out of the cards' code spans and fenced blocks, both through text the cards show
verbatim (a report's counterexample values and error messages, the spec's own source):

- a carriage return: Python-Markdown turns a lone ``\\r`` into a line break before it parses
  blocks, so ``a\\r<script>...`` in a code span of a table cell (a report's counterexample
  ``info``) ended the cell and the line after it was raw HTML: a ``<script>`` element in the
  published card;
- pymdownx.snippets notation, which the site's Markdown reads on every line before anything
  else, fences included: a spec source line ``--8<-- "first.espec"`` (inside a multi-line
  string) included a file of the site into the card, a lone ``--8<--`` made every later line a
  file name (the rest of the card vanished; with the site's ``check_paths`` the build failed),
  and ``--8<-- [start:x]`` anywhere in a line (a parameter value in a code span) removed the
  whole line (the hyper-parameter's row and the source line that set it).
"""

from __future__ import annotations

import json
import re
import sys
from html import unescape
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
import hostile_cards  # noqa: E402
from test_xss_cards import EXTENSIONS  # noqa: E402 - the site's Markdown extensions

from explainspec import load, loads  # noqa: E402
from explainspec.docgen.cards import render_card  # noqa: E402
from explainspec.docgen.escape import code, fence  # noqa: E402
from explainspec.docgen.results import load_results  # noqa: E402

markdown = pytest.importorskip("markdown")
pytest.importorskip("pymdownx.snippets")

INCLUDED = "INCLUDED-FILE-CONTENT"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snippets base path holding one file the attacks try to include."""
    base = tmp_path_factory.mktemp("site")
    (base / "inc.md").write_text(f"{INCLUDED}\n", encoding="utf-8")
    (base / "sec.md").write_text(f"a\n--8<-- [start:s]\n{INCLUDED}\n--8<-- [end:s]\n", "utf-8")
    return base


def render(page: str, base: Path, check_paths: bool = True) -> str:
    config = {"pymdownx.snippets": {"base_path": [str(base)], "check_paths": check_paths}}
    return markdown.markdown(page, extensions=EXTENSIONS, extension_configs=config)


def code_texts(html: str) -> list[str]:
    """The text of every ``<code>`` element (highlighting spans removed)."""
    return [
        unescape(re.sub(r"<[^>]+>", "", body))
        for body in re.findall(r"<code[^>]*>(.*?)</code>", html, re.S)
    ]


def assert_inert(html: str) -> None:
    """No element of ``html`` is a script or a heading, and none has an event handler."""
    for tag, attrs in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>", html):
        assert tag.lower() not in ("script", "h1"), (tag, attrs)
        assert not re.search(r"\bon[a-z]+\s*=", attrs, re.I), (tag, attrs)


#: lines that are snippet notation or close to it
NOTATION = [
    '--8<-- "inc.md"',
    "--8<-- 'inc.md'",
    '  --8<-- "inc.md"',
    "\t-8<- 'sec.md:s'",
    "--8<--",
    "---8<---",
    "--8<-- ",
    ';--8<-- "inc.md"',
    ";;--8<--",
    "inc.md",
    "--8<-- [start:x]",
    "x = --8<-- [END: y] z",
    "a ;--8<-- [start:x] b --8<-- [end:x]",
    '--8<-- "inc.md" trailing',
    "<script>window.__xss=1</script>",
    '# heading {: onclick="window.__xss=2" }',
    "[x](javascript:window.__xss=3)",
    "````",
]
LINE_BREAKS = ["\n", "\r", "\r\n"]


def _join(parts: list[tuple[str, str]]) -> str:
    return "".join(line + brk for line, brk in parts)


body_strategy = st.lists(
    st.tuples(st.sampled_from(NOTATION), st.sampled_from(LINE_BREAKS)), min_size=1, max_size=6
).map(_join)


@settings(max_examples=150, deadline=None)
@given(body=body_strategy)
def test_a_fence_shows_its_lines_whatever_they_are(site: Path, body: str) -> None:
    html = render("\n".join(fence(body, "text")) + "\n\npage end\n", site)
    assert INCLUDED not in html
    assert_inert(html)
    assert "page end" in html  # nothing after the fence vanished
    # every line as written (Markdown expands tabs to 4 columns)
    want = "\n".join(line.expandtabs(4) for line in re.split(r"\r\n|\r|\n", body.rstrip("\r\n")))
    assert code_texts(html) == [want + "\n"]


@settings(max_examples=150, deadline=None)
@given(value=body_strategy)
def test_a_code_span_in_a_table_cell_stays_one_cell(site: Path, value: str) -> None:
    page = f"| quantity | value |\n|---|---|\n| q | {code(value)} |\n\npage end\n"
    html = render(page, site)
    assert INCLUDED not in html
    assert_inert(html)
    assert "page end" in html
    assert html.count("<td>") == 2  # the row is there, as one row of two cells
    # the cell shows the value on one line (a code span cannot hold a line break; Markdown
    # collapses its white space)
    assert [" ".join(t.split()) for t in code_texts(html)] == [" ".join(value.split())]


def test_a_report_with_carriage_returns_makes_an_inert_card(site: Path) -> None:
    # the hostile report of tests/security/hostile_cards with every line break a lone \r:
    # the counterexample's info (a code span) ended its table cell and `<script>` followed
    report = json.loads(json.dumps(hostile_cards.report()).replace("\\n", "\\r"))
    card = render_card(loads(hostile_cards.SPEC), load_results(report))
    html = render(card, site, check_paths=False)
    assert "<script" not in html, re.findall(r".{80}<script.{40}", html)
    assert_inert(html.replace("<h1", "<h0", 1))  # the card's own title is its one h1


SPEC = """spec snippets "Snippet notation in a spec" {
    method = reference.shapley(tag = "--8<-- [start:x]")
    output = attribution
    question "How does f(x) minus the mean prediction split among the features?
--8<-- "inc.md"
--8<--
sec.md
--8<--"
    world { function = linear; features = 2; data = grid(levels = 3); background = data; points = 1 }
    claim efficiency holds "The attributions add up to f(x) minus the mean prediction." {
        check sum(phi) == f(x) - mean(f(background)) within 1e-9
    }
}
"""


def test_a_spec_source_with_snippet_notation_is_shown_as_written(
    site: Path, tmp_path: Path
) -> None:
    path = tmp_path / "snippets.espec"
    path.write_text(SPEC.replace('"inc.md"', "'inc.md'"), encoding="utf-8")
    card = render_card(load(path))
    html = render(card, site)  # the site's check_paths: a vanished line was a failed build
    assert INCLUDED not in html
    source = [t for t in code_texts(html) if t.startswith("spec snippets")]
    assert source == [path.read_text(encoding="utf-8")], source
    # the hyper-parameter's row is still there
    assert '"--8<-- [start:x]"' in code_texts(html)
