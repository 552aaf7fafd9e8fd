"""Quantifiers, the worst binding in the trace, values and calls the checks use."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _expr_helpers import ToyFunction, check, margin, parse

from explainspec.expr import SimpleEnv, evaluate, value


def test_for_all_reports_the_worst_binding() -> None:
    phi = np.array([0.0, 0.3, -0.2])
    truth = np.array([0.0, 0.3, 0.4])
    out = check("for all i: phi[i] == truth[i] within 1e-6", phi=phi, truth=truth, d=3)
    assert out.margin == pytest.approx(1e-6 - 0.6)
    assert out.trace[0].text == "i" and out.trace[0].value == 2 and out.trace[0].role == "binding"
    rendered = out.render()
    assert "i = 2" in rendered
    assert "phi[i] = -0.2" in rendered and "truth[i] = 0.4" in rendered
    assert "margin of phi[i] == truth[i] within 1e-6" in rendered


def test_for_some_reports_the_best_binding_and_multiple_variables() -> None:
    phi = np.array([0.1, 0.9, 0.4])
    out = check("for some i: phi[i] > 0.5", phi=phi, d=3)
    assert out.margin == pytest.approx(0.4)
    assert [(t.text, t.value) for t in out.trace if t.role == "binding"] == [("i", 1)]
    pair = check("for all i, j: phi[i] - phi[j] <= 0.5", phi=phi, d=3)
    assert pair.margin == pytest.approx(0.5 - 0.8)
    assert [(t.text, t.value) for t in pair.trace if t.role == "binding"] == [("i", 1), ("j", 0)]


def test_explicit_domain_and_missing_d() -> None:
    assert margin("for all i in [0, 2]: phi[i] > 0", phi=np.array([1.0, -5.0, 2.0])) == 1.0
    with pytest.raises(Exception, match="defines no 'd'"):
        check("for all i: phi[i] > 0", phi=np.zeros(2))


def test_and_or_traces_follow_the_deciding_operand() -> None:
    out = check("a < 1 and b < 1", a=0.0, b=3.0)
    assert [t.text for t in out.trace if t.role == "operand"] == ["b"]
    out = check("a < 1 or b < 1", a=0.0, b=3.0)
    assert [t.text for t in out.trace if t.role == "operand"] == ["a"]


def test_violated_implication_shows_premise_and_conclusion() -> None:
    f = ToyFunction([1.0, 0.0])
    out = check("for all i: phi[i] != 0 implies f.uses(i)", phi=np.array([0.5, 0.25]), f=f, d=2)
    assert out.margin == -0.25  # max(-m(premise), m(conclusion)) = max(-0.25, -inf)
    texts = [t.text for t in out.trace]
    assert texts[0] == "i" and out.trace[0].value == 1
    assert "phi[i]" in texts and "f.uses(i)" in texts


def test_indexing_slicing_and_negative_indexes() -> None:
    bg = np.arange(6.0).reshape(3, 2)
    env = SimpleEnv({"background": bg, "phi": np.array([1.0, 2.0, 3.0])})
    assert value(parse("background[:, 1]"), env).tolist() == [1.0, 3.0, 5.0]
    assert value(parse("phi[-1]"), env) == 3.0
    assert value(parse("phi[1:]"), env).tolist() == [2.0, 3.0]
    assert value(parse("background.T.shape"), env) == (2, 3)
    assert value(parse("[1, 2] @ [3, 4]"), env) == 11


def test_arithmetic_follows_numpy() -> None:
    env = SimpleEnv({"a": np.array([1.0, 2.0])})
    assert value(parse("1 / 0"), env) == math.inf
    assert value(parse("2 ** -1"), env) == 0.5
    assert value(parse("-a * 2 + 1"), env).tolist() == [-1.0, -3.0]


def test_calls_with_keywords_attributes_and_function_arithmetic() -> None:
    f, g = ToyFunction([1.0, 2.0]), ToyFunction([0.5, 0.0])
    calls = []

    def explain(fn=f, *, at=None):  # the runner's explain: here the exact components at `at`
        calls.append(fn)
        return fn.component(0, at[0]) * np.array([1.0, 0.0]) + fn.component(1, at[1]) * np.array(
            [0.0, 1.0]
        )

    env = SimpleEnv({"f": f, "g": g, "x": np.array([1.0, 2.0]), "explain": explain, "d": 2})
    out = evaluate(
        parse(
            "explain(2 * f + g, at = x) == 2 * explain(f, at = x) + explain(g, at = x) within 1e-9"
        ),
        env,
    )
    assert out.holds
    assert calls[0].w.tolist() == [2.5, 4.0]
    assert value(parse("f.swap(0, 1).weights"), env).tolist() == [2.0, 1.0]
    assert value(parse("f.component(1, x[1])"), env) == 8.0
    assert value(parse("f(x)"), env) == 9.0


def test_values_are_exact_in_the_trace_and_rounded_for_display() -> None:
    out = check("a == b within 1e-12", a=1 / 3, b=0.3333333)
    operand = next(t for t in out.trace if t.text == "a")
    assert operand.value == 1 / 3
    assert str(operand) == "a = 0.333333"
