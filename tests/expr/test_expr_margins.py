"""The margin semantics table, rule by rule, with numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _expr_helpers import check, margin

from explainspec.expr import Mode

TINY = 5e-324


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        # a == b within T: T*s - |a - b|
        ("a == b within 0.5", {"a": 1.0, "b": 1.25}, 0.25),
        ("a == b within 0.5", {"a": 1.0, "b": 2.0}, -0.5),
        # within r relative: r*s*max(|a|, |b|, 1e-12) - |a - b|
        ("a == b within 0.1 relative", {"a": 10.0, "b": 10.5}, 0.1 * 10.5 - 0.5),
        ("a == b within 0.01 relative", {"a": 10.0, "b": 11.0}, 0.01 * 11.0 - 1.0),
        # order comparisons: b - a, mirrored
        ("a < b", {"a": 1.0, "b": 3.5}, 2.5),
        ("a <= b", {"a": 4.0, "b": 3.5}, -0.5),
        ("a > b", {"a": 1.0, "b": 3.5}, -2.5),
        ("a >= b", {"a": 4.0, "b": 3.5}, 0.5),
        # sign(a) == sign(b): +-min(|a|, |b|)
        ("sign(a) == sign(b)", {"a": 2.0, "b": 0.5}, 0.5),
        ("sign(a) == sign(b)", {"a": -2.0, "b": 0.5}, -0.5),
        ("sign(a) != sign(b)", {"a": -2.0, "b": 0.5}, 0.5),
        # == without tolerance: exact; ints, bools, strings are +-inf
        ("a == b", {"a": 3, "b": 3}, math.inf),
        ("a == b", {"a": 3, "b": 4}, -math.inf),
        ("a == b", {"a": True, "b": False}, -math.inf),
        ("a == b", {"a": "x", "b": "x"}, math.inf),
        ("a != b", {"a": 3, "b": 4}, math.inf),
        ("a == b", {"a": 0.5, "b": 0.5}, math.inf),
        ("a == b", {"a": 0.5, "b": 0.75}, -0.25),
        # booleans as conditions
        ("u", {"u": True}, math.inf),
        ("u", {"u": False}, -math.inf),
        # and min, or max, not negates
        ("a < 1 and a < 3", {"a": 0.5}, 0.5),
        ("a < 1 or a < 3", {"a": 0.5}, 2.5),
        ("not a < 3", {"a": 0.5}, -2.5),
        # implies: max(-m(a), m(b))
        ("a < 1 implies a < 0", {"a": 0.5}, -0.5),
        ("a < 0 implies a > 2", {"a": 0.5}, 0.5),
        ("a < 1 implies a < 3", {"a": 0.5}, 2.5),
    ],
)
def test_margin_rules(text: str, values: dict, expected: float) -> None:
    assert margin(text, **values) == pytest.approx(expected, abs=1e-12)


def test_array_comparisons_reduce_by_the_worst_element() -> None:
    out = check(
        "phi == truth within 0.1", phi=np.array([1.0, 2.0, 3.0]), truth=np.array([1.0, 2.5, 3.05])
    )
    assert out.margin == pytest.approx(0.1 - 0.5)
    items = {item.text: item.value for item in out.trace}
    assert items["worst element"] == (1,)
    assert items["phi[1]"] == 2.0 and items["truth[1]"] == 2.5


def test_boundary_cases_are_never_zero_and_agree_with_truth() -> None:
    # Non-strict comparisons hold on the boundary, strict ones fail, and `not` keeps that right.
    assert margin("a <= b", a=1.0, b=1.0) == TINY
    assert margin("a < b", a=1.0, b=1.0) == -TINY
    assert margin("not a < b", a=1.0, b=1.0) == TINY
    assert margin("a == b within 0.5", a=1.0, b=1.5) == TINY
    assert margin("a != b within 0.5", a=1.0, b=1.5) == -TINY
    assert margin("sign(a) == sign(b)", a=0.0, b=0.0) == TINY
    assert margin("sign(a) == sign(b)", a=0.0, b=2.0) == -TINY


def test_mode_scales_tolerance_and_adds_slack_in_positive_position() -> None:
    refute = Mode(tolerance_scale=11, slack=1e-6)
    # 11 * 0.1 - 0.5 + 1e-6: phi is the method's output, where leniency applies
    assert check("phi == b within 0.1", refute, phi=1.0, b=1.5).margin == pytest.approx(0.6 + 1e-6)
    assert check("phi <= b", refute, phi=1.0 + 5e-7, b=1.0).margin == pytest.approx(5e-7)
    assert check("sign(phi) == sign(b)", refute, phi=1e-7, b=-1.0).margin == pytest.approx(9e-7)
    assert check("explain(1) <= b", refute, explain=lambda v: v + 5e-7, b=1.0).margin > 0


def test_mode_is_lenient_under_negation_too() -> None:
    refute = Mode(tolerance_scale=10, slack=1e-6)
    # not (phi == b within 1): the tolerance shrinks to 0.1 where it is negated ...
    assert check("not phi == b within 1", refute, phi=0.0, b=0.5).margin == pytest.approx(0.4)
    # ... and a method-reading premise of implies needs a clear margin before it counts.
    assert check("phi > 0 implies u", refute, phi=5e-7, u=False).margin > 0
    assert check("phi > 0 implies u", refute, phi=1.0, u=False).margin < 0


def test_default_mode_is_the_plain_semantics() -> None:
    assert check("a == b within 0.1", Mode(), a=1.0, b=1.5).margin == pytest.approx(-0.4)
    with pytest.raises(ValueError, match="tolerance_scale"):
        Mode(tolerance_scale=0)
    with pytest.raises(ValueError, match="slack"):
        Mode(slack=-1)


def test_all_and_any_as_conditions_keep_the_comparison_margin() -> None:
    phi = np.array([0.5, -0.25, 2.0])
    assert margin("all(phi >= 0)", phi=phi) == -0.25
    assert margin("any(phi >= 1)", phi=phi) == 1.0
    # inside a value they are plain booleans
    assert margin("all(phi >= 0) == false", phi=phi) == math.inf


def test_empty_quantifier_domains() -> None:
    assert margin("for all i in range(0): phi[i] > 0", phi=np.zeros(2)) == math.inf
    assert margin("for some i in range(0): phi[i] > 0", phi=np.zeros(2)) == -math.inf
