"""Spec text shared by the cache-key and worker tests: Shapley values of a method, one claim that
a correct method satisfies and, optionally, one misreading it shows."""

from __future__ import annotations

HEAD = """spec {name} "Shapley values" {{
    method = {method}
    output = attribution
    question "How does f(x) minus the mean prediction split among the features?"
    world {{ function = linear; features = 1..3; data = grid(levels = 3); background = data; points = 2 }}
    claim efficiency holds "The attributions add up to f(x) minus the mean prediction." {{
        check sum(phi) == f(x) - mean(f(background)) within 1e-9
    }}
"""
ZERO = """    claim all_zero does_not_answer decomposition "The attributions are all zero." {{
        check for all i: abs(phi[i]) <= 1e-9
    }}
"""


def spec_text(*, with_misreading: bool = False) -> str:
    """A ``str.format`` template with fields ``name`` and ``method``."""
    return HEAD + (ZERO if with_misreading else "") + "}}\n"
