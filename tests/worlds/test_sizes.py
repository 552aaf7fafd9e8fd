"""Worlds at realistic sizes (issue 21): profile bounds on drawn size ranges, the `mixed`
distribution, and large black-box worlds with exact ground truth."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from explainspec.catalog.limits import limit
from explainspec.lang import ir
from explainspec.lang.parser import parse_value
from explainspec.runner.settings import PROFILES
from explainspec.worlds import WorldError, from_world, resolve, sized
from explainspec.worlds import distributions as dist
from explainspec.worlds.spec import Range


def block(**fields: str) -> ir.WorldBlock:
    return ir.WorldBlock(
        fields=tuple(ir.WorldField(name=k, value=parse_value(v)) for k, v in fields.items())
    )


def test_profiles_grow_and_thorough_reaches_the_limits():
    fast, standard, thorough = (PROFILES[n].size for n in ("fast", "standard", "thorough"))
    for field in ("features", "rows", "background"):
        assert getattr(fast, field) <= getattr(standard, field) <= getattr(thorough, field)
    assert (thorough.features, thorough.rows, thorough.background) == (
        limit("features"),
        limit("rows"),
        limit("background"),
    )
    assert standard.features >= 16  # black-box exact ground truth at d = 16 from `standard`


def test_sized_lowers_only_the_upper_end_of_drawn_ranges():
    spec = resolve(
        block(features="2..16", data="gaussian(n = 100..1000)", background="sample(10..500)")
    )
    s = sized(spec, features=8, rows=200, background=100)
    assert s.features == Range(2, 8)
    assert s.data[0].params["n"] == Range(100, 200)
    assert s.background == ("sample", Range(10, 100))
    # a single size is drawn as written, and a range never goes below its lower end
    fixed = resolve(block(features="12", data="sample(n = 300)", background="sample(400)"))
    assert sized(fixed, 8, 200, 100) == fixed
    assert sized(resolve(block(features="12..16")), 8, 200, 100).features == Range(12, 12)
    # bounds above the range change nothing
    assert sized(spec, 100, 100_000, 1000) == spec


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(from_world(sized(resolve(block(features="2..16")), 8, 200, 100)))
def test_a_profile_bound_is_what_the_search_draws(w):
    assert 2 <= w.d <= 8


def test_mixed_has_categorical_and_continuous_columns():
    P = dist.mixed(6, 500, np.random.default_rng(1), rho=0.3, categorical=0.5, levels=4)
    X = P.rows
    assert X.shape == (500, 6)
    cat, cont = X[:, :3], X[:, 3:]
    assert set(np.unique(cat)) == {0.0, 1.0, 2.0, 3.0}
    # equally likely categories (Gaussian quantile cuts): each near 1/4 of 500 rows
    for j in range(3):
        counts = np.bincount(cat[:, j].astype(int), minlength=4)
        assert counts.min() > 80 and counts.max() < 170
    assert len(np.unique(cont)) == cont.size  # continuous: all distinct
    assert np.corrcoef(cont, rowvar=False)[0, 1] > 0.1  # the correlation is there
    with pytest.raises(ValueError, match="categorical"):
        dist.mixed(3, 10, np.random.default_rng(0), categorical=1.5)
    with pytest.raises(WorldError, match="at least 2 categories"):
        resolve(block(data="mixed(levels = 1)"))


LARGE = resolve(
    block(
        function="any(relu_net, tree(depth = 4))",
        features="16",
        data="mixed(n = 100)",
        background="data",
        points="2",
    )
)


@pytest.mark.slow
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(from_world(LARGE))
def test_a_d16_black_box_world_has_exact_shapley_values(w):
    """The exact interventional Shapley values of a 16-feature world with 100 mixed background
    rows: efficiency holds to rounding (an independent identity: sum(phi) = f(x) - E f)."""
    from explainspec.oracles.shapley_exact import interventional_shapley

    assert w.d == 16 and len(w.background) == 100
    phi = interventional_shapley(lambda X: w.f(X), w.points, w.background)  # as a black box
    fx = w.f(w.points)
    mean = float(np.mean(w.f(w.background)))
    np.testing.assert_allclose(phi.sum(axis=1), fx - mean, atol=1e-8)
