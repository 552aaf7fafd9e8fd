"""Safety and errors: the attribute whitelist, unknown names, types, NaN, no eval anywhere."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from _expr_helpers import ToyFunction, check, parse

import explainspec.expr
from explainspec.catalog.builtins import ATTRIBUTES
from explainspec.expr import EvalError, Mode, SimpleEnv, evaluate, value
from explainspec.lang import ir


@pytest.mark.parametrize("attr", ["__class__", "_secret", "__add__", "__globals__", "w"])
def test_attributes_outside_the_whitelist_are_rejected(attr: str) -> None:
    env = SimpleEnv({"f": ToyFunction([1.0]), "x": np.zeros(1)})
    span = ir.Span(line=3, column=7)
    node = ir.Attribute(value=ir.Name(id="f"), attr=attr, span=span)
    with pytest.raises(EvalError, match="not allowed") as info:
        value(node, env)
    assert info.value.span == span


def test_the_whitelist_is_plain_and_has_no_private_names() -> None:
    assert {"component", "uses", "weights", "swap", "T", "shape"} <= ATTRIBUTES
    assert not any(a.startswith("_") for a in ATTRIBUTES)


def test_a_whitelisted_attribute_missing_on_the_value_is_an_error() -> None:
    with pytest.raises(EvalError, match="has no attribute 'intercept'"):
        check("f.intercept == 0", f=ToyFunction([1.0]))


def test_unknown_names_are_named_with_suggestions() -> None:
    with pytest.raises(EvalError, match=r"unknown name 'sqr'.*'sqrt'"):
        check("sqr(2) == 1")


def test_type_errors_carry_the_span_of_the_offending_node() -> None:
    text = "phi[i] == f within 1e-6"
    with pytest.raises(EvalError, match="must be a number") as info:
        evaluate(parse(text), SimpleEnv({"phi": np.zeros(2), "i": 0, "f": ToyFunction([1.0])}))
    assert info.value.span is not None and info.value.span.column == 11
    with pytest.raises(EvalError, match="out of bounds|has shape") as info:
        check("phi[5] > 0", phi=np.zeros(2))
    assert info.value.span is not None
    with pytest.raises(EvalError, match="must be a condition"):
        check("phi[0] + 1", phi=np.zeros(2))
    with pytest.raises(EvalError, match="cannot compare shapes"):
        check("phi == [1, 2, 3] within 1", phi=np.zeros(2))
    with pytest.raises(EvalError, match="not callable"):
        check("phi(1) > 0", phi=np.zeros(2))
    with pytest.raises(EvalError, match="index"):
        check("phi[0.5] > 0", phi=np.zeros(2))


def test_nan_never_passes_not_even_under_not_or_or() -> None:
    nan = np.array([1.0, math.nan])
    for text in [
        "phi == 0 within 1",
        "not phi == 0 within 1",
        "phi[1] > 0 or phi[0] > 0",
        "not phi[1] < 0",
    ]:
        out = check(text, phi=nan)
        assert out.margin == -math.inf and out.nan and not out.holds, text
        assert any("NaN" in t.text for t in out.trace)
    assert check("corr(a, b) > -2", a=[1.0, 1.0], b=[1.0, 2.0]).nan  # constant input: NaN
    assert (
        check("phi == 0 within 1", Mode(tolerance_scale=11, slack=1e-6), phi=nan).margin
        == -math.inf
    )


def test_no_eval_exec_or_compile_in_the_interpreter() -> None:
    root = Path(explainspec.expr.__file__).parent
    pattern = re.compile(r"\b(eval|exec|compile)\s*\(")
    sources = list(root.rglob("*.py"))
    assert sources
    for path in sources:
        assert not pattern.search(path.read_text()), path
    # the grep test itself can fail:
    assert pattern.search("x = eval('1')")


@pytest.mark.parametrize(
    "module",
    ["base", "builtins", "guards", "interpreter", "margins", "nodes", "render", "__init__"],
)
def test_doctests(module: str) -> None:
    import doctest
    import importlib

    name = "explainspec.expr" if module == "__init__" else f"explainspec.expr.{module}"
    failures, tried = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert failures == 0 and tried > 0
