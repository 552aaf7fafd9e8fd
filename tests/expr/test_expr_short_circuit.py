"""Guards protect (issue 13.10): ``and``, ``or`` and ``implies`` short-circuit for errors.

Operands are evaluated left to right; once the operands to the left decide the result, an
operand to the right that cannot be evaluated (``EvalError``) is skipped and the margin is the one
of the operands evaluated. Refusals (sizes, integers) and NaN are never excused.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _expr_helpers import check, margin

from explainspec.expr import EvalError, LimitError, Mode

PHI = np.array([0.5, 2.0, 3.0])


def test_implies_guards_an_index() -> None:
    # d = 3: for i = 2 the premise is false and phi[3] does not exist
    out = check("for all i: i < d - 1 implies phi[i + 1] > phi[i]", phi=PHI, d=3)
    # i = 2 decides: its premise 2 < 2 fails on the boundary (margin -5e-324), so the
    # implication holds by +5e-324 without evaluating phi[3]
    assert out.margin == 5e-324
    assert [(t.text, t.value) for t in out.trace if t.role == "binding"] == [("i", 2)]
    assert margin("for all i: i < d - 1 implies phi[i + 1] > 2.5", phi=PHI, d=3) == -0.5  # i = 0


def test_and_and_or_guard_an_index() -> None:
    assert margin("for all i: i >= d - 1 or phi[i + 1] > 0", phi=PHI, d=3) == 5e-324  # i = 2
    assert margin("for some i: i < d - 1 and phi[i + 1] > 2.5", phi=PHI, d=3) == 0.5
    # a violated guarded check is still violated, by its deciding comparison
    assert margin("for all i: i >= d - 1 or phi[i + 1] > 2.5", phi=PHI, d=3) == -0.5


def test_a_guard_in_refutation_mode() -> None:
    refute = Mode(tolerance_scale=11, slack=1e-6)
    out = check("for all i: i < d - 1 implies phi[i + 1] > 5", refute, phi=PHI, d=3)
    assert out.margin == pytest.approx(2.0 - 5 + 1e-6)  # decided by i = 0: phi[1] = 2
    assert not out.holds


def test_operands_that_can_be_evaluated_still_count() -> None:
    # short-circuiting is for errors only: the margins are the ones of the plain semantics
    assert margin("a < 1 or a < 3", a=0.5) == 2.5
    assert margin("a > 1 and a > 3", a=0.5) == -2.5
    assert margin("a > 1 implies a > 3", a=0.5) == 0.5


def test_a_guard_must_come_first() -> None:
    with pytest.raises(EvalError, match="out of bounds"):
        check("for all i: phi[i + 1] > 0 or i >= d - 1", phi=PHI, d=3)


def test_an_error_where_the_guard_does_not_decide_is_raised() -> None:
    with pytest.raises(EvalError, match="out of bounds"):
        check("for all i: i < d implies phi[i + 1] > 0", phi=PHI, d=3)
    with pytest.raises(EvalError, match="out of bounds"):
        check("i < 5 and phi[i] > 0", phi=PHI, i=3)


def test_quantifier_bindings_do_not_guard_each_other() -> None:
    with pytest.raises(EvalError, match="out of bounds"):
        check("for all i in range(4): phi[i] > 1", phi=PHI)  # phi[0] fails, phi[3] raises


def test_refusals_are_never_excused() -> None:
    with pytest.raises(LimitError):
        check("a > 1 implies sum(ones([50000, 50000])) > 0", a=0.0)
    with pytest.raises(LimitError):
        check("a < 1 or sum(ones([50000, 50000])) > 0", a=0.0)


def test_nan_is_never_excused() -> None:
    out = check("a < 1 or 0 * phi[0] / 0 > 0", a=0.0, phi=PHI)
    assert out.nan and out.margin == -math.inf


def test_not_implies_and_nested_guards() -> None:
    # the guard works at any depth and under not
    assert margin("not (i < 2 and phi[i + 1] < 0)", phi=PHI, i=2) == 5e-324
    assert margin("(i < 2 implies phi[i + 1] > 0) and phi[0] > 0", phi=PHI, i=3) == 0.5
