"""Integers in checks are exact or refused (issue 14.5): no int64 wrap-around, no rounding.

Integer scalars are Python integers (exact up to ``limit("integer_bits")``); integer arrays are
int64 and an operation that could leave that range is refused (``ES313``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _expr_helpers import check, margin, parse, verify_checks

from explainspec.catalog.limits import limit
from explainspec.expr import EvalError, IntegerRangeError, SimpleEnv, value


def val(text: str, **values: object) -> object:
    return value(parse(text), SimpleEnv(values))


def test_the_issue_check_is_false() -> None:
    # int64 made 2 ** 64 == 0 and 3 * 4611686018427387904 negative: the check was verified
    out = check("2 ** 64 < 1 and 3 * 4611686018427387904 < 0")
    assert not out.holds
    assert margin("2 ** 64 < 1") == pytest.approx(1 - 2.0**64)
    assert margin("3 * 4611686018427387904 < 0") == pytest.approx(-3 * 4611686018427387904.0)


def test_integer_arithmetic_is_exact() -> None:
    assert val("2 ** 64") == 18446744073709551616
    assert val("3 * 4611686018427387904") == 13835058055282163712
    assert val("-(9223372036854775807 + 1)") == -(2**63)
    assert val("2 ** 100 - 2 ** 100 + 1") == 1
    assert margin("2 ** 64 == 18446744073709551616") == math.inf
    assert margin("2 ** 64 + 1 == 2 ** 64") == -math.inf
    # comparisons are exact beyond 2**53 (as floats both sides would be equal)
    assert margin("2 ** 64 < 2 ** 64 + 1") == 1.0
    assert margin("2.0 ** 60 < 2 ** 60 + 1") == 1.0
    assert margin("2 ** 60 + 1 <= 2.0 ** 60") == -1.0
    # and beyond the float range, where the float views are both infinite
    assert margin("2 ** 2000 > 2 ** 1999") == math.inf
    assert margin("2 ** 2000 < 2 ** 1999") == -math.inf
    assert margin("2 ** 2000 == 2 ** 2000 + 1") == -math.inf
    assert margin("2 ** 1500 + 1 > 2 ** 1500") == 1.0


def test_division_and_negative_powers_are_floats_as_before() -> None:
    assert val("1 / 0") == math.inf
    assert val("2 ** -1") == 0.5
    assert val("7 / 2") == 3.5
    assert val("2 ** 70 * 1.5") == 1.5 * 2.0**70
    assert val("sum(range(4)) * 2") == 12 and isinstance(val("sum(range(4)) * 2"), int)


def test_huge_powers_are_refused_before_they_are_computed() -> None:
    # 99999999999999999999 ** 99999999999999999999 has about 6.6e21 bits: computing it would
    # never finish; it is refused from the sizes of its operands
    with pytest.raises(IntegerRangeError, match="at least .* bits.*integer_bits") as info:
        check("99999999999999999999 ** 99999999999999999999 > 0")
    assert info.value.code == "ES313" and info.value.span is not None
    bits = limit("integer_bits")
    assert val(f"2 ** {bits - 1}") == 2 ** (bits - 1)
    with pytest.raises(IntegerRangeError):
        val(f"2 ** {bits}")
    with pytest.raises(IntegerRangeError):
        val(f"2 ** {bits - 1} * 2")
    with pytest.raises(IntegerRangeError):
        val(f"2 ** {bits - 1} + 2 ** {bits - 1}")


def test_integer_arrays_never_wrap_around() -> None:
    with pytest.raises(IntegerRangeError, match="64-bit"):
        val("range(5) * 4611686018427387904")
    with pytest.raises(IntegerRangeError, match="64-bit"):
        val("range(3) + 2 ** 70")
    with pytest.raises(IntegerRangeError, match="64-bit"):
        val("2 ** range(70)")
    with pytest.raises(IntegerRangeError, match="64-bit"):
        val("sum(range(10) * 1000000000000000000)")  # the product fits, the sum does not
    with pytest.raises(IntegerRangeError, match="64-bit"):
        val("[1, 2 ** 70]")
    with pytest.raises(IntegerRangeError, match="64-bit"):
        val("dot(range(3) + 3037000499, range(3) + 3037000499)")
    big = np.array([2**62, -(2**62)])
    with pytest.raises(IntegerRangeError, match="64-bit"):
        val("a + a", a=big)
    with pytest.raises(IntegerRangeError, match="64-bit"):
        val("a @ a", a=big)
    # what fits is computed by numpy as before
    assert val("range(5) * 4").tolist() == [0, 4, 8, 12, 16]
    assert val("a + 1", a=np.array([2**62])).tolist() == [2**62 + 1]
    assert val("2 ** range(62)")[-1] == 2**61


def test_integer_arrays_compare_exactly() -> None:
    a = np.array([2**62, 2**62 + 1])
    assert margin("a[1] > a[0]", a=a) == 1.0
    assert margin("a > 2 ** 62", a=a) == -5e-324  # a[0] == 2**62 exactly: the strict > fails
    assert margin("a == 2 ** 62 + 1", a=a) == -math.inf
    assert margin("a[1] == 2 ** 62 + 1", a=a) == math.inf


def test_huge_integers_elsewhere_are_errors_not_crashes() -> None:
    assert margin("phi[:2 ** 70][0] >= 0", phi=np.zeros(2)) > 0  # a slice past the end is clipped
    for text in (
        "phi[2 ** 70] > 0",
        "2 ** 2000 * 1.5 > 0",
        "member(2 ** 70, 3)",
        "range(2 ** 70, 2 ** 70 + 2)[0] > 0",
    ):
        with pytest.raises(EvalError):
            check(text, phi=np.zeros(2))


def test_the_issue_check_is_refuted_end_to_end() -> None:
    result = verify_checks(
        wraps="2 ** 64 < 1 and 3 * 4611686018427387904 < 0",
        huge="99999999999999999999 ** 99999999999999999999 > 0",
    )
    assert result["wraps"].verdict.value == "refuted"  # was verified
    assert result["huge"].verdict.value == "error"
    assert [d.code for d in result["huge"].diagnostics] == ["ES313"]
