"""Property tests: the sign of a margin agrees with the boolean truth of the comparison."""

from __future__ import annotations

import operator

import numpy as np
from _expr_helpers import absolute, cmp, name, relative
from hypothesis import given
from hypothesis import strategies as st

from explainspec.expr import SimpleEnv, evaluate
from explainspec.lang import ir

FLOATS = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False) | st.sampled_from(
    [0.0, 1.0, -1.0]
)
OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def agrees(margin: float, truth: bool) -> bool:
    return (margin > 0 and truth) or (margin < 0 and not truth)


@given(a=FLOATS, b=FLOATS, op=st.sampled_from(sorted(OPS)))
def test_order_comparisons(a: float, b: float, op: str) -> None:
    m = evaluate(cmp(op, name("a"), name("b")), SimpleEnv({"a": a, "b": b})).margin
    assert agrees(m, OPS[op](a, b))


@given(a=FLOATS, b=FLOATS, t=st.floats(min_value=0, max_value=1e3), negate=st.booleans())
def test_equality_within_absolute(a: float, b: float, t: float, negate: bool) -> None:
    expr: ir.Expr = cmp("!=" if negate else "==", name("a"), name("b"), absolute(t))
    m = evaluate(expr, SimpleEnv({"a": a, "b": b})).margin
    assert agrees(m, (abs(a - b) <= t) != negate)


@given(a=FLOATS, b=FLOATS, r=st.floats(min_value=0, max_value=1))
def test_equality_within_relative(a: float, b: float, r: float) -> None:
    m = evaluate(cmp("==", name("a"), name("b"), relative(r)), SimpleEnv({"a": a, "b": b})).margin
    assert agrees(m, abs(a - b) <= r * max(abs(a), abs(b), 1e-12))


@given(a=FLOATS, b=FLOATS)
def test_sign_agreement(a: float, b: float) -> None:
    sign = ir.Name(id="sign")
    expr = cmp("==", ir.Call(func=sign, args=(name("a"),)), ir.Call(func=sign, args=(name("b"),)))
    m = evaluate(expr, SimpleEnv({"a": a, "b": b})).margin
    assert agrees(m, bool(np.sign(a) == np.sign(b)))


@given(
    a=FLOATS,
    b=FLOATS,
    c=FLOATS,
    shape=st.sampled_from(["and", "or", "not", "implies"]),
)
def test_connectives(a: float, b: float, c: float, shape: str) -> None:
    left, right = cmp("<=", name("a"), name("b")), cmp("<", name("b"), name("c"))
    truth_l, truth_r = a <= b, b < c
    expr: ir.Expr
    if shape == "and":
        expr, truth = ir.BoolOp(op=ir.BoolOpKind.AND, operands=(left, right)), truth_l and truth_r
    elif shape == "or":
        expr, truth = ir.BoolOp(op=ir.BoolOpKind.OR, operands=(left, right)), truth_l or truth_r
    elif shape == "not":
        expr, truth = ir.Not(operand=left), not truth_l
    else:
        expr, truth = ir.Implies(left=left, right=right), (not truth_l) or truth_r
    m = evaluate(expr, SimpleEnv({"a": a, "b": b, "c": c})).margin
    assert agrees(m, truth)


@given(xs=st.lists(FLOATS, min_size=1, max_size=6), t=st.floats(min_value=0, max_value=10))
def test_quantifier_is_the_worst_element(xs: list[float], t: float) -> None:
    phi = np.array(xs)
    body = cmp("<=", ir.Index(value=name("phi"), items=(name("i"),)), name("t"))
    out = evaluate(
        ir.Quantifier(kind=ir.QuantKind.ALL, vars=("i",), body=body),
        SimpleEnv({"phi": phi, "t": t, "d": len(xs)}),
    )
    assert agrees(out.margin, bool(np.all(phi <= t)))
    m = t - phi
    m[m == 0] = 5e-324  # a boundary case of <= holds by the smallest positive margin
    assert out.margin == m.min()
    assert m[out.trace[0].value] == m.min()  # the bound element is the one that decides
