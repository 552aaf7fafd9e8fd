"""World resolution and strategies: drawn worlds respect the spec; shrinking simplifies."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import find, given
from hypothesis.errors import InvalidArgument

from explainspec.lang import ir
from explainspec.lang.parser import parse_value
from explainspec.worlds import WorldError, build_example, from_world, resolve
from explainspec.worlds.spec import Range
from explainspec.worlds.strategies import minimal_settings

FIND = minimal_settings(200)


def block(**fields: str) -> ir.WorldBlock:
    return ir.WorldBlock(
        fields=tuple(ir.WorldField(name=k, value=parse_value(v)) for k, v in fields.items())
    )


MIXED = resolve(
    block(
        function="any(tree(depth = 2), interaction(order = 2), linear, additive(unused = 1))",
        features="2..4",
        data="any(dependent(rho = 0.5), grid(levels = 3), sample(n = 12))",
        points="3",
        background="sample(5)",
        baseline="mean",
    )
)


@given(from_world(MIXED))
def test_drawn_worlds_respect_the_spec(w):
    d = w.d
    assert 2 <= d <= 4
    assert w.info["family"].split("(")[0] in {"tree", "interaction", "linear", "additive"}
    assert w.data.shape[1] == d and w.background.shape == (5, d)
    assert w.points.shape == (3, d)
    support = {tuple(r) for r in w.data.tolist()}
    assert all(tuple(p) in support for p in w.points.tolist())  # points on the support
    assert all(tuple(b) in support for b in w.background.tolist())
    np.testing.assert_allclose(w.baseline, w.data.mean(axis=0))
    np.testing.assert_array_equal(w.y, w.f(w.data))
    assert w.grid.shape[0] == d and w.grid.ndim == 2
    if w.P.rows is not None and "grid" in w.info["distribution"]:
        np.testing.assert_array_equal(w.grid, [np.unique(w.data[:, j]) for j in range(d)])
    if w.info["family"].startswith("additive"):
        assert sum(w.f.uses(i) for i in range(d)) == d - 1
    for key in ("formula", "distribution", "points", "baseline", "seed"):
        assert w.info[key] is not None


def test_shrinking_goes_to_fewest_features_simplest_family_and_independence():
    spec = resolve(
        block(
            function="any(tree(depth = 2), interaction(order = 2), additive, linear)",
            features="2..5",
            data="any(dependent(rho = 0..0.9), grid(levels = 3))",
        )
    )
    w = find(from_world(spec), lambda w: w.d >= 1, settings=FIND)
    assert w.d == 2
    assert w.f.formula() == "f(x) = x0 + x1"
    assert w.P.is_product()
    assert w.seed == 0


def test_shrinking_lowers_interaction_order_and_dependence():
    spec = resolve(
        block(
            function="interaction(order = 2..3)",
            features="3..4",
            data="dependent(rho = 0..0.9)",
        )
    )
    w = find(from_world(spec), lambda w: not w.P.is_product(), settings=FIND)
    assert w.d == 3 and w.f.order == 2
    assert 0 < w.P.rho <= 0.1  # the smallest positive rho step
    w = find(from_world(spec), lambda w: w.f.order >= 3, settings=FIND)
    assert w.f.order == 3 and w.P.is_product()


def test_shrunk_counterexamples_read_simply():
    spec = resolve(block(function="interaction(order = 2)", features="2..4"))
    w = find(from_world(spec), lambda w: not w.f.tags & {"additive"}, settings=FIND)
    assert w.f.formula() == "f(x) = x0*x1"


def test_impossible_specs_raise():
    with pytest.raises(InvalidArgument, match="max_rows"):
        from_world(resolve(block(data="grid(levels = 5)", features="7..9")))
    with pytest.raises(WorldError, match="features"):
        resolve(block(function="unused(linear, k = 3)", features="1..3"))
    with pytest.raises(InvalidArgument, match="max_background"):
        from_world(resolve(block(background="sample(100)")), max_background=50)
    with pytest.raises(WorldError, match="limit `background`"):  # a documented limit, found early
        resolve(block(background="sample(1001)"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"function": "lineer"}, "Did you mean 'linear'"),
        ({"function": "interaction(degree = 2)"}, "no parameter 'degree'"),
        ({"data": "dependent(rho = 2)"}, r"rho = 2 must be a number in \[0.0, 1.0\]"),
        ({"function": 'formula("x0 + foo(x1)")'}, "the function 'foo'"),
        ({"function": 'formula("__import__(x0)")'}, "not allowed"),
        ({"features": "0"}, "features = 0"),
        ({"colour": "1"}, "unknown world field 'colour'"),
        ({"baseline": "median"}, "baseline = 'median'"),
        ({"target": "g"}, "second function"),
    ],
)
def test_bad_values_raise_clear_world_errors(fields, message):
    with pytest.raises(WorldError, match=message) as info:
        resolve(block(**fields))
    assert info.value.span is not None or info.value.message


def test_resolve_defaults_and_modifier_forms_agree():
    spec = resolve(block(function="unused(any(linear, additive), k = 2)"))
    assert [c.unused for c in spec.function] == [2, 2]
    spec2 = resolve(block(function="any(linear, additive, unused = 2)"))
    assert spec.function == spec2.function
    spec3 = resolve(block(function="tree(depth = 2..3)", features="3"))
    assert spec3.function[0].params["depth"] == Range(2, 3) and spec3.features == Range(3, 3)
    assert resolve(None).function[0].name == "linear"


def test_overrides_replace_fields_and_limits():
    spec = resolve(block(data="grid(levels = 4)", features="2..6"))
    w = find(from_world(spec, features=(3, 3), max_rows=100), lambda w: True, settings=FIND)
    assert w.d == 3 and len(w.data) == 64
    with pytest.raises(TypeError, match="unknown world override"):
        from_world(spec, colour=1)


def test_build_example_takes_concrete_values():
    w = build_example(
        block(function='formula("x0")', data="rows([[0, 0], [1, 1]])", points="[[1, 1]]")
    )
    assert w.d == 2 and w.f.formula() == "f(x) = x0"
    np.testing.assert_array_equal(w.points, [[1, 1]])
    np.testing.assert_array_equal(w.background, [[0, 0], [1, 1]])
    assert not w.f.uses(1) and w.f(w.points[0]) == 1.0
    assert w.seed == 0 and "P(0, 0) = 1/2" in w.info["distribution"]


@given(from_world(resolve(block(function="symmetric(additive)", data="binary(rho = 0.5)"))))
def test_symmetric_and_binary_worlds(w):
    X = w.data
    np.testing.assert_allclose(w.f(X), w.f(X[:, [1, 0, *range(2, w.d)]]), atol=1e-12)
    assert set(np.unique(X)) <= {0.0, 1.0} and w.P.realized["rho"] > 0


@given(from_world(resolve(block(function="off_support_bump(linear)", data="dependent(rho = 0.5)"))))
def test_off_support_bump_worlds_agree_with_the_base_on_the_data(w):
    base = w.f - w.f.term(range(w.d))  # drop the order-d bump term (d >= 2 here)
    np.testing.assert_array_equal(w.f(w.data), base(w.data))
    assert "off_support_bump" in w.f.tags
