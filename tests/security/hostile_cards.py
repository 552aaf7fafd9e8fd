"""A spec and a verification report whose every text field is an attack on the published site.

Used by ``tests/security/test_xss_cards.py`` (the Markdown of the cards, rendered with the site's
Markdown extensions) and ``tests/browser`` (the same card in a real browser). Every attack, if it
worked, would set ``window.__xss`` or leave an element the checks look for (a ``<script>``, an
``on*`` attribute, a ``javascript:`` link).
"""

from __future__ import annotations

import copy
from typing import Any

#: one line that tries every way into the page: raw HTML, an image, a Markdown link, an
#: attribute list, an autolink, a snippet include
ATTACK = (
    '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
    '[click](javascript:window.__xss=3){: onclick="window.__xss=4"} '
    '<javascript:window.__xss=5> ![i](javascript:window.__xss=6) --8<-- "index.md"'
)
#: the same over several lines: a heading with attributes, a fence, a reference-style link
MULTILINE = (
    'intro\n# injected {: onmouseover="window.__xss=7" }\n```\n</code><script>'
    "window.__xss=8</script>\n```\n[r][ref]\n\n[ref]: javascript:window.__xss=9\n~~~\n!!! note"
)
TITLE = "Hostile <script>window.__xss=10</script> title [x](javascript:window.__xss=11)"


def _dsl_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


SPEC = f"""spec hostile {_dsl_string(TITLE)} {{
    method = reference.shapley(evil = {_dsl_string(ATTACK)})
    output = attribution
    question {_dsl_string(ATTACK)}
    references = [{_dsl_string(ATTACK)}, {_dsl_string(MULTILINE)}]
    assume independent {_dsl_string(ATTACK)}
    world {{ function = formula({_dsl_string("x0 + 0 * x1")}); features = 2; data = grid(levels = 3); background = data; points = 1 }}
    claim efficiency holds {_dsl_string(ATTACK)} {{
        assume bounded {_dsl_string(MULTILINE)}
        check sum(phi) == f(x) - mean(f(background)) within 1e-9
    }}
    claim direction does_not_answer local_effect {_dsl_string(MULTILINE)} {{
        check for all i: sign(phi[i]) == sign(grad(f, x)[i])
    }}
    claim crashed answers component {_dsl_string(TITLE)} {{
        check phi[0] == 0 within 1e-9
    }}
}}
"""

_COUNTEREXAMPLE: dict[str, Any] = {
    "function": "f(x) = " + ATTACK,
    "second": None,
    "distribution": ATTACK,
    "d": 2,
    "point": [0.5, -1.0],
    "baseline": None,
    "background_rows": 9,
    "phi": [0.5, 0.0],
    "quantities": [
        {"text": "```" + ATTACK + "``", "value": 1.0, "shown": ATTACK, "role": "operand"},
        {"text": "sign(phi[i])", "value": -1, "shown": "`-1` " + ATTACK, "role": "operand"},
        {"text": MULTILINE, "value": -0.5, "shown": "-0.5", "role": "margin"},
    ],
    "margin": -0.5,
    "seed": 0,
    "world_seed": 1,
    "reproduce": "explainspec verify x.espec\n```\n<script>window.__xss=12</script>\n```",
    "source": "example " + ATTACK,
    "info": [[ATTACK, ATTACK], ["family", MULTILINE]],
}

REPORT: dict[str, Any] = {
    "report_version": 1,
    "profile": ATTACK,
    "seed": ATTACK,
    "finished": ATTACK,
    "versions": {"explainspec": ATTACK, ATTACK: "1.0"},
    "claims": [
        {
            "spec": "hostile",
            "claim": "efficiency",
            "verdict": "verified",
            "margin": 1e-9,
            "examples": 3,
        },
        {
            "spec": "hostile",
            "claim": "direction",
            "verdict": "shown",
            "margin": -0.5,
            "examples": 2,
            "counterexample": _COUNTEREXAMPLE,
        },
        {
            "spec": "hostile",
            "claim": "crashed",
            "verdict": ATTACK,
            "error": MULTILINE,
            "examples": 0,
        },
    ],
}


def report() -> dict[str, Any]:
    """A fresh copy of :data:`REPORT`."""
    return copy.deepcopy(REPORT)
