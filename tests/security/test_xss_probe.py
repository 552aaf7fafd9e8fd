"""Stored XSS through the probe's findings: ``docs/evidence/probe.json`` and what it feeds.

The probe's JSON reaches the published site twice: the page ``docs/library/assumptions.md``
(``explainspec.docgen.assumptions.render``) and the cards and matrix (``CardWriter(probe=...)``:
the lines under a claim, the line under a reading, the matrix's hover). Its texts come from a
spec (an ``assume`` text becomes a step's ``condition``) and from the runs (counterexamples,
diagnostics); the JSON itself is a file of the checkout. Every text of it is an attack here.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import hostile_cards  # noqa: E402
from test_xss_cards import EXTENSIONS, assert_inert, render  # noqa: E402

from explainspec import loads  # noqa: E402
from explainspec.docgen.assumptions import render as render_page  # noqa: E402
from explainspec.docgen.cards import CardWriter  # noqa: E402

markdown = pytest.importorskip("markdown")

ATTACK, MULTILINE = hostile_cards.ATTACK, hostile_cards.MULTILINE
#: a table cell's end, then an element with an event handler (attr_list, unquoted: what
#: survives a filter of quotes, brackets and parentheses)
CELL_BREAK = "x | *b*{: onclick=location=name } | y"

_STEP: dict[str, Any] = {
    "id": ATTACK,
    "axis": ATTACK,
    "field": ATTACK,
    "direction": ATTACK,
    "was": ATTACK,
    "searched": MULTILINE,
    "widened": ATTACK,
    "condition": CELL_BREAK + " " + ATTACK,
    "finding": "necessary",
    "reason": ATTACK,
    "note": MULTILINE,
    "run": {
        "verdict": ATTACK,
        "examples": ATTACK,
        "margin": ATTACK,
        "error": MULTILINE,
        "diagnostics": [{"code": ATTACK, "message": MULTILINE}],
        "counterexample": ["f(x) = " + ATTACK, "P: " + CELL_BREAK, "x = " + MULTILINE],
    },
}


def _doc(spec: str, claims: list[str]) -> dict[str, Any]:
    steps = []
    for finding in ("necessary", "defines", "not_applicable", "inconclusive", "still_refuted"):
        step = copy.deepcopy(_STEP)
        step["finding"] = finding
        steps.append(step)
    return {
        "format": "explainspec-probe/1",
        "profile": ATTACK,
        "seed": MULTILINE,
        "note": MULTILINE,
        "library": [ATTACK],
        "specs": {ATTACK: {"file": ATTACK, "digest": ATTACK, "seconds": 1, "claims": 1}},
        "claims": [
            {
                "spec": spec,
                "claim": claim,
                "kind": ATTACK,
                "source": ATTACK,
                "verdict": ATTACK,
                "examples": MULTILINE,
                "note": ATTACK,
                "steps": copy.deepcopy(steps),
                "widest": {ATTACK: MULTILINE},
            }
            for claim in claims
        ],
    }


def test_the_assumptions_page_of_a_hostile_probe_renders_as_text():
    doc = _doc(ATTACK, [MULTILINE])
    parsed = render(render_page(doc, command=ATTACK))
    assert_inert(parsed)
    shown = "".join(t for texts in parsed.texts.values() for t in texts)
    for fragment in ("<script>window.__xss=1</script>", "[ref]: javascript:window.__xss=9"):
        assert fragment in shown, fragment


def test_a_cell_of_the_assumptions_page_stays_one_cell():
    doc = _doc("s", ["c"])
    doc["claims"][0]["steps"] = [dict(_STEP, condition=CELL_BREAK)]
    html = markdown.markdown(render_page(doc), extensions=EXTENSIONS)
    row = html.split("<tbody>")[1].split("</tr>")[0]
    assert row.count("<td>") == 4, row
    assert CELL_BREAK in render(render_page(doc)).texts["td"]


@pytest.fixture
def spec():
    return loads(hostile_cards.SPEC)


def test_the_matrix_hover_cannot_leave_its_link_or_its_cell(spec):
    """An ``assume`` text becomes a step's condition; the matrix puts it in a link title inside a
    table cell: a ``|`` in it used to end the cell and make the rest Markdown, so that
    ``*b*{: onclick=...}`` became an element with an event handler."""
    probe = _doc(spec.name, [c.name for c in spec.claims])
    for claim in probe["claims"]:
        claim["kind"], claim["verdict"] = "answers", "verified"
    writer = CardWriter(None, probe=probe)
    page = writer.index([spec])
    parsed = render(page)
    assert_inert(parsed)
    html = markdown.markdown(page, extensions=EXTENSIONS)
    rows = [r for r in html.split("<tbody>")[1].split("</tr>") if "<td>" in r]
    header = html.split("<thead>")[1].split("</thead>")[0]
    for row in rows:  # one cell per column, and the mark is still a link
        assert row.count("<td>") == header.count("<th>"), row
    assert any('href="hostile.md#crashed"' in r for r in rows)


def test_the_card_of_a_hostile_probe_renders_as_text(spec):
    probe = _doc(spec.name, [c.name for c in spec.claims])
    writer = CardWriter(None, probe=probe)
    assert_inert(render(writer.card(spec)))
