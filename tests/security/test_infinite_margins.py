"""An infinite value in a check never decides a verdict through an undefined (NaN) margin.

A compared value that overflows to ``inf`` (``1e308 * 10``, a method's or a function's output
that overflows) left the margin undefined: ``inf == 0 within 10% relative`` is ``0.1·inf −
inf``, ``inf <= inf`` is ``inf − inf``, ``decreasing([inf, inf])`` likewise. The NaN margin then
went through ``for all`` / ``and`` / ``or``, which pick the worst binding with Python's ``<``: a
NaN after a passing binding was dropped (the claim was ``verified`` with an infinite element that
is not within 10% of 0), a NaN before a failing binding hid the failure (a misreading was
``unshown`` although a binding violated it). Now equal operands differ by 0 (equal infinities
included) and a margin still undefined is a NaN: the whole check fails and it never shows a
misreading, whatever the order of the bindings.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

import explainspec
from explainspec.expr import evaluate
from explainspec.expr.interpreter import SimpleEnv
from explainspec.lang import load_text, parse_expression

ENV = {"a": np.array([0.0, np.inf]), "b": np.array([np.inf, 0.0])}


def outcome(src: str):
    return evaluate(parse_expression(src), SimpleEnv(ENV))


@pytest.mark.parametrize(
    "src",
    [
        # the infinite element is not within 10% of 0, in either order of the bindings
        "for all i in [0, 1]: a[i] == 0 within 0.1 relative",
        "for all i in [1, 0]: a[i] == 0 within 0.1 relative",
        "for all i in [0, 1]: b[i] == 0 within 0.1 relative",
        "a[0] == 0 within 0.1 relative and a[1] == 0 within 0.1 relative",
        "a[1] == 0 within 0.1 relative and a[0] == 0 within 0.1 relative",
        "all(a == 0 within 0.1 relative)",
        "not (a[1] != 0 within 0.1 relative)",
        "for all i in [0, 1]: a[i] <= 0 within 0.1 relative",
        "sum(a == 0 within 0.1 relative) == 1",
        "a[1] <= -a[1] within 0.1 relative",
    ],
)
def test_an_undefined_margin_fails_the_whole_check(src: str) -> None:
    out = outcome(src)
    assert out.nan, (src, out.margin)
    assert not out.holds
    assert any("undefined" in str(item) for item in out.trace), out.trace


@pytest.mark.parametrize(
    ("src", "holds"),
    [
        ("a[1] <= a[1]", True),
        ("a[1] >= a[1]", True),
        ("a[1] < a[1]", False),
        ("a[1] == a[1] within 0.1", True),
        ("a[1] == a[1] within 0.1 relative", True),
        ("a[1] != a[1] within 0.1", False),
        ("-a[1] <= a[1] within 0.1 relative", True),
        ("for all i in [1, 0]: a[i] <= a[i] and a[i] >= 0", True),
        ("for all i in [1, 0]: a[i] <= a[i] and a[i] > 0", False),
        ("for all i in [1, 0]: decreasing([a[i], a[i], 0])", True),
        ("for all i in [0, 1]: increasing([0, a[i], a[i]])", True),
        ("for all i in [0, 1]: increasing([a[i], 0])", False),
        ("converges([0, 1e308 * 10], to = 1e308 * 10, within = 1)", True),
        ("converges([1e308 * 10, 1e308 * 10, 1e308 * 10], to = 1e308 * 10, within = 1)", True),
        ("converges([1e308 * 10, 1e308 * 10, 0], to = 0, within = 1)", True),
        ("converges([0, 1e308 * 10], to = 0, within = 1)", False),
    ],
)
def test_equal_infinities_differ_by_zero(src: str, holds: bool) -> None:
    out = outcome(src)
    assert not out.nan, (src, out.trace)
    assert out.holds is holds, (src, out.margin)


SPEC = textwrap.dedent(
    """\
    spec infinite_margins "An infinite quantity in a check" {
        method = reference.shapley
        output = attribution
        question "How does f(x) minus the mean prediction split among the features?"
        world { function = linear; features = 2; data = grid(levels = 3); background = data; points = 1 }
        claim relative holds "Each element is within 10% of 0." {
            check for all i in [0, 1]: [0, 1e308 * 10][i] == 0 within 0.1 relative
        }
        claim shown does_not_answer local_effect "Every element is 0." {
            check for all i in [0, 1]: [1e308 * 10, 5][i] <= 1e308 * 10 and [0, 1][i] == 0
        }
    }
    """
)


def test_a_run_neither_verifies_nor_hides_through_an_infinity() -> None:
    result = explainspec.verify(load_text(SPEC), profile="fast", max_examples=3)
    verdicts = {c.claim: c.verdict.value for c in result.claims}
    # was: relative verified (the NaN of the second binding was dropped), shown unshown (the
    # NaN of `inf <= inf` in the first binding hid the failing second binding)
    assert verdicts == {"relative": "refuted", "shown": "shown"}, verdicts
