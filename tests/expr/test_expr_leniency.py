"""Refutation-mode leniency applies only where the method's noise is (issue 13.2).

A comparison that reads the method's output (``phi``, ``explain(...)``, anything computed from
them, a quantifier variable ranging over such a value) gets the mode's tolerance scale and slack;
a comparison of exact quantities (the world, oracles, literals) is evaluated as written in every
mode.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _expr_helpers import ToyFunction, check, parse
from hypothesis import given
from hypothesis import strategies as st

from explainspec.expr import Mode, SimpleEnv, evaluate

REFUTE = Mode(tolerance_scale=11, slack=1e-6)  # the runner's does_not_answer mode (defaults)


def both(text: str, **values: object) -> tuple[float, float]:
    """The margin of ``text`` in the plain and in the refutation mode."""
    return check(text, **values).margin, check(text, REFUTE, **values).margin


def test_an_exact_premise_is_evaluated_as_written() -> None:
    # Issue 13.2: g and f agree exactly, so the premise holds; before, refutation mode took the
    # slack (1e-6) from the premise's 1e-12 of room, the premise "failed" and the misreading
    # (phi[0] is 1, not above 1000) was never shown.
    f = ToyFunction([1.0, 2.0])
    values = {
        "f": f,
        "g": ToyFunction([1.0, 2.0]),
        "data": np.array([[0.0, 1.0], [1.0, -1.0]]),
        "phi": np.array([1.0, 0.0]),
    }
    text = "max(abs(g(data) - f(data))) <= 1e-12 implies phi[0] > 1000"
    plain, refute = both(text, **values)
    assert plain == pytest.approx(-999)
    assert refute == pytest.approx(-999 + 1e-6)  # the conclusion reads phi: it gets the slack
    assert refute < 0  # shown
    # written with a tolerance, the same premise behaves the same (it did before, too)
    same = "max(abs(g(data) - f(data))) == 0 within 1e-12 implies phi[0] > 1000"
    assert check(same, REFUTE, **values).margin == pytest.approx(refute)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("a <= b", {"a": 1.0, "b": 1.0 - 5e-7}),
        ("a < b", {"a": 1.0, "b": 1.0}),
        ("a < 0", {"a": 2.5e-7}),
        ("a == b within 1e-6", {"a": 0.0, "b": 2e-6}),
        ("a == b within 0.1 relative", {"a": 10.0, "b": 12.0}),
        ("a != b within 1e-6", {"a": 0.0, "b": 5e-7}),
        ("a == b", {"a": 0.5, "b": 0.5 + 1e-9}),
        ("sign(a) == sign(b)", {"a": 1e-7, "b": -1.0}),
        ("not a <= b", {"a": 1.0, "b": 1.0 + 1e-7}),
        ("for all i: x[i] > 0", {"x": np.array([1.0, -1e-7]), "d": 2}),
        ("for all i in range(2): x[i] >= 0", {"x": np.array([1.0, -1e-7])}),
        ("sum(x) == 1 within 1e-9 implies x[0] > 0.5", {"x": np.array([0.5, 0.5])}),
    ],
)
def test_exact_comparisons_are_the_same_in_every_mode(text: str, values: dict) -> None:
    plain, refute = both(text, **values)
    assert refute == plain
    assert refute < 0  # each of these is violated: refutation mode shows it, as written


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("phi <= b", {"phi": 1.0 + 5e-7, "b": 1.0}),
        ("sum(phi) * 2 <= b", {"phi": np.array([0.5, 2.5e-7]), "b": 1.0}),
        ("explain(0) <= b", {"explain": lambda k: 1.0 + 5e-7, "b": 1.0}),
        ("phi == b within 0.1", {"phi": 1.0, "b": 1.5}),
        ("for all i in argsort(phi)[:1]: x[i] > 0", {"phi": np.array([2.0, 1.0]), "x": [1, -5e-7]}),
    ],
)
def test_method_reading_comparisons_get_the_leniency(text: str, values: dict) -> None:
    plain, refute = both(text, **values)
    assert plain < 0 <= refute


def test_an_env_can_declare_which_names_come_from_the_method() -> None:
    text = parse("est <= 1")
    env = SimpleEnv({"est": 1.0 + 5e-7})
    assert evaluate(text, env, mode=REFUTE).margin < 0  # 'est' is not a method name by default
    env = SimpleEnv({"est": 1.0 + 5e-7}, method_names=frozenset({"est"}))
    assert evaluate(text, env, mode=REFUTE).margin > 0


# --------------------------------------------------------------------------- properties
#
# Generated checks over an env with a method output `phi`, a method `explain(k)` and exact
# quantities `x`, `t`. Values stay within +-1e3, so a slack of 1e-6 is never lost to rounding.

VALUE = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False).map(lambda v: round(v, 6))
NEAR = st.sampled_from([0.0, 1.0, -1.0, 1e-7, -1e-7, 5e-7, 2e-6])

METHOD_TERMS = ["phi[0]", "phi[1]", "sum(phi)", "2 * phi[2] - t", "explain(1)", "abs(phi[0])"]
EXACT_TERMS = ["x[0]", "x[1]", "t", "x[2] + 1", "mean(x)", "0", "1e-6", "-0.5"]
ORDER = ["<", "<=", ">", ">="]
TOLS = ["", " within 1e-6", " within 0.01", " within 0.1 relative"]


@st.composite
def envs(draw: st.DrawFn) -> dict:
    phi = np.array([draw(VALUE | NEAR) for _ in range(3)])
    x = np.array([draw(VALUE | NEAR) for _ in range(3)])
    return {
        "phi": phi,
        "x": x,
        "t": draw(VALUE | NEAR),
        "explain": lambda k, _phi=phi: float(_phi[int(k)]) * 0.5,
        "d": 3,
    }


@st.composite
def comparisons(draw: st.DrawFn, reads: bool | None = None) -> tuple[str, bool]:
    """A comparison and whether it reads the method (``reads``: force one kind)."""
    kind = draw(st.booleans()) if reads is None else reads
    left = draw(st.sampled_from(METHOD_TERMS if kind else EXACT_TERMS))
    right = draw(st.sampled_from(METHOD_TERMS + EXACT_TERMS if kind else EXACT_TERMS))
    shape = draw(st.sampled_from(["order", "eq", "ne", "sign"]))
    if shape == "order":
        return f"{left} {draw(st.sampled_from(ORDER))} {right}", kind
    if shape == "sign":
        return f"sign({left}) == sign({right})", kind
    op = "==" if shape == "eq" else "!="
    return f"{left} {op} {right}{draw(st.sampled_from(TOLS))}", kind


@st.composite
def checks(draw: st.DrawFn, depth: int = 2) -> tuple[str, bool]:
    """A check built from comparisons with and/or/not/implies/quantifiers; whether it reads."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(comparisons())
    shape = draw(st.sampled_from(["and", "or", "not", "implies", "forall", "exists"]))
    if shape == "not":
        inner, reads = draw(checks(depth - 1))
        return f"not ({inner})", reads
    if shape in ("forall", "exists"):
        body, reads = draw(comparisons())
        body = body.replace("[0]", "[i]").replace("[1]", "[i]")
        kind = "all" if shape == "forall" else "some"
        return f"(for {kind} i: {body})", reads or "phi" in body
    (a, ra), (b, rb) = draw(checks(depth - 1)), draw(checks(depth - 1))
    return f"({a}) {shape} ({b})", ra or rb


def finite_or_same(m_ref: float, m_plain: float) -> bool:
    return m_ref == m_plain or (math.isinf(m_ref) and math.isinf(m_plain))


@given(env=envs(), leaf=comparisons())
def test_leniency_per_comparison(env: dict, leaf: tuple[str, bool]) -> None:
    text, reads = leaf
    for expr in (text, f"not ({text})"):
        plain = evaluate(parse(expr), SimpleEnv(env)).margin
        refute = evaluate(parse(expr), SimpleEnv(env), mode=REFUTE).margin
        if reads:
            assert refute >= plain, expr  # never stricter ...
            assert refute > plain or math.isinf(plain), expr  # ... and actually more lenient
        else:
            assert refute == plain, expr  # exact: evaluated as written


@given(env=envs(), expr=checks())
def test_refutation_mode_is_never_stricter_and_exact_checks_are_unchanged(
    env: dict, expr: tuple[str, bool]
) -> None:
    text, reads = expr
    plain = evaluate(parse(text), SimpleEnv(env)).margin
    refute = evaluate(parse(text), SimpleEnv(env), mode=REFUTE).margin
    assert refute >= plain, text
    if not reads:
        assert refute == plain, text
