"""Builtins: the catalog and the implementations agree, and each has the documented semantics."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
from _expr_helpers import margin, parse

from explainspec.catalog.builtins import ENTRIES
from explainspec.expr import SimpleEnv, value
from explainspec.registry import REQUIRED, registry

REQUIRED_NAMES = set(
    [
        "sum",
        "mean",
        "abs",
        "sign",
        "max",
        "min",
        "norm",
        "argmax",
        "argmin",
        "argsort",
        "rank",
        "corr",
        "all",
        "any",
        "len",
        "sqrt",
        "exp",
        "log",
        "std",
        "var",
        "range",
        "zeros",
        "ones",
        "dot",
        "clip",
        "round",
        "floor",
        "swap",
        "member",
        "popcount",
        # functions as values, subsets, trends, statistics (issue 15)
        "comb",
        "sigmoid",
        "logit",
        "tanh",
        "restrict",
        "permute",
        "bump",
        "off_support_bump",
        "quadratic_at",
        "subsets",
        "bitmask",
        "decreasing",
        "increasing",
        "converges",
        "cond_mean",
        "cond_var",
        "quantile",
        "sort",
        "spearman",
        "kendall",
        "linspace",
        "noise",
    ]
)


def test_the_catalog_lists_every_builtin_and_each_loads() -> None:
    assert {e.name for e in ENTRIES} == REQUIRED_NAMES
    for entry in registry("builtin"):
        fn = entry.load()
        assert callable(fn) and entry.extra["returns"] and entry.doc
        sig = inspect.signature(fn)
        names = [p.name for p in sig.parameters.values() if p.kind is not p.VAR_POSITIONAL]
        assert names == [p.name for p in entry.params], entry.name
        assert entry.variadic == any(p.kind is p.VAR_POSITIONAL for p in sig.parameters.values())
        for p in entry.params:
            default = sig.parameters[p.name].default
            assert (default is inspect.Parameter.empty) == (p.default is REQUIRED), entry.name
            if p.default is not REQUIRED:
                assert default == p.default, entry.name


def v(text: str, **values: object) -> object:
    return value(parse(text), SimpleEnv(values))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sum([1, 2, 3])", 6),
        ("sum([[1, 2], [3, 4]], axis = 0)", [4, 6]),
        ("mean([1, 2, 6])", 3.0),
        ("abs(-2)", 2),
        ("sign([-3, 0, 2])", [-1, 0, 1]),
        ("max([1, 5, 2])", 5),
        ("max([1, 5, 2], 3)", [3, 5, 3]),
        ("min([1, 5, 2], [0, 9, 9])", [0, 5, 2]),
        ("norm([3, 4])", 5.0),
        ("norm([3, -4], p = 1)", 7.0),
        ("argmax([1, 7, 7])", 1),
        ("argmin([4, 1, 1])", 1),
        ("argsort([3, 1, 2])", [1, 2, 0]),
        ("rank([10, 30, 20, 20])", [1.0, 4.0, 2.5, 2.5]),
        ("corr([1, 2, 3], [3, 2, 1])", -1.0),
        ("all([1, 1, 0])", False),
        ("any([0, 0, 1])", True),
        ("len([[1], [2], [3]])", 3),
        ("sqrt(16)", 4.0),
        ("exp(0)", 1.0),
        ("log(1)", 0.0),
        ("std([1, 3])", 1.0),
        ("var([1, 3], ddof = 1)", 2.0),
        ("range(1, 7, 2)", [1, 3, 5]),
        ("zeros(2)", [0.0, 0.0]),
        ("ones([1, 2])", [[1.0, 1.0]]),
        ("dot([1, 2], [3, 4])", 11),
        ("clip([-2, 0.5, 3], 0, 1)", [0.0, 0.5, 1.0]),
        ("round(2.567, 2)", 2.57),
        ("floor(-0.5)", -1.0),
    ],
)
def test_builtin_semantics(text: str, expected: object) -> None:
    got = v(text)
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(expected, dtype=float))


def test_corr_of_a_constant_is_nan_and_rank_needs_one_dimension() -> None:
    assert math.isnan(v("corr([1, 1, 1], [1, 2, 3])"))  # type: ignore[arg-type]
    with pytest.raises(Exception, match="1-d"):
        v("rank([[1, 2]])")


def test_builtins_as_conditions_and_with_arrays_from_the_env() -> None:
    phi = np.array([0.5, -0.25, 0.75])
    assert margin("sum(phi) == 1 within 1e-9", phi=phi) == pytest.approx(1e-9)
    assert margin("all(abs(phi) <= 1)", phi=phi) == pytest.approx(0.25)
    assert margin("rank(abs(phi))[2] == 3", phi=phi) == math.inf
    assert margin("argsort(-phi)[0] == 2", phi=phi) == math.inf
    assert margin("for all i in range(len(phi)): phi[i] <= max(phi)", phi=phi) > 0
