"""Oracles on a Gaussian P and on finite samples of it (issue 13.5): a closed form, or a refusal.

``cpi`` used to return 0 for every feature of a ``gaussian`` world (every row of the data sample
is its own group of equal x_-j), so a spec claiming "CPI is 0" was verified.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

import explainspec
from explainspec.oracles import ale, cpi, mplot, pd, pfi, shapley_conditional
from explainspec.worlds import distributions as dist
from explainspec.worlds import functions as fn
from explainspec.worlds.base import GroundTruthUnavailable


def _world(d=2, rho=0.6, n=64, seed=0):
    P = dist.gaussian(d, rho=rho)
    return P, P.sample(n, np.random.default_rng(seed))


def test_cpi_of_a_linear_f_on_a_gaussian_is_twice_the_conditional_variance():
    # y = f(X), f = w.x: CPI_j = 2 E Var(f(X) | X_-j) = 2 w_j^2 Var(X_j | X_-j) = 2 w_j^2 (1 - rho^2)
    P, _ = _world(rho=0.6)
    f = fn.linear([1.5, -2.0])
    np.testing.assert_allclose(
        cpi(f, P, f), 2 * np.array([1.5, -2.0]) ** 2 * (1 - 0.36), rtol=1e-12
    )
    # marginal permutation: 2 w_j^2 Var(X_j), correlation does not matter (C28)
    np.testing.assert_allclose(pfi(f, P, f), 2 * np.array([1.5, -2.0]) ** 2, rtol=1e-12)


def test_cpi_of_a_quadratic_f_on_a_gaussian():
    # f = x0 * x1 with rho = 0: given x1, f is linear in x0 with slope x1, so
    # CPI_0 = 2 E[x1^2 Var(X0)] = 2; f = x0^2: CPI_0 = 2 Var(X0^2) = 4 (X0 independent of X1)
    P, _ = _world(rho=0.0)
    f = fn.TermFunction(2, {((0, fn.IDENTITY), (1, fn.IDENTITY)): 1.0})
    np.testing.assert_allclose(cpi(f, P, f), [2.0, 2.0], rtol=1e-12)
    square = fn.TermFunction(2, {((0, fn.Shape("pow", (2,))),): 1.0})
    np.testing.assert_allclose(cpi(square, P, square), [4.0, 0.0], atol=1e-12)


def test_conditional_oracles_refuse_a_sample_of_a_continuous_distribution():
    P, data = _world()
    f = fn.linear([1.0, 1.0])
    y = f(data)
    assert data.continuous_source is P
    for call in (
        lambda: cpi(f, data, y),
        lambda: shapley_conditional(f, data[0], data),
        lambda: mplot(f, 0, data[:3, 0], data),
    ):
        with pytest.raises(GroundTruthUnavailable, match="sample of a continuous"):
            call()
    # the same rows copied into a plain array are a finite pmf: exact (CPI is 0 there)
    np.testing.assert_array_equal(cpi(f, np.array(data), y), [0.0, 0.0])
    # the interventional ones are exact for the sample's pmf (what a method sees as background)
    assert np.isfinite(pd(f, 0, 0.5, data))


def test_gaussian_without_a_closed_form_is_refused():
    P, data = _world()
    wiggly = fn.TermFunction(2, {((0, fn.Shape("sin", (1.0,))),): 1.0})
    f = fn.linear([1.0, -1.0])
    for call in (
        lambda: cpi(wiggly, P, wiggly),
        lambda: pfi(f, P, f, loss="absolute"),
        lambda: cpi(f, P, f(data)),  # targets of a sample are not P's targets
        lambda: mplot(wiggly, 0, 0.5, P),
        lambda: ale(wiggly, 0, 0.5, P),
    ):
        with pytest.raises(GroundTruthUnavailable):
            call()


SPEC = """
spec cpi_zero "CPI on a Gaussian" {
    method = reference.permutation_importance(n_repeats = 2)
    output = importance
    question "q?"
    world { function = linear; features = 2; data = gaussian(rho = 0.5) }
    claim cpi_is_zero holds "false: CPI of a linear model on correlated Gaussian data is positive" {
        check for all i: cpi(f, data, y)[i] == 0 within 1e-9
    }
    claim cpi_is_positive holds "CPI_j = 2 w_j^2 Var(X_j | X_-j) > 0" {
        check for all i: cpi(f, P, target)[i] == 2 * f.weights[i] ** 2 * 0.75 within 1e-9
    }
}
"""


def test_a_false_cpi_claim_on_a_gaussian_world_is_not_verified():
    spec = explainspec.loads(textwrap.dedent(SPEC))
    result = explainspec.verify(spec, profile="fast", seed=0, max_examples=5)
    assert result["cpi_is_zero"].verdict.value == "error"  # ES305: ground truth unavailable
    assert "sample of a continuous" in (result["cpi_is_zero"].error or "")
    assert result["cpi_is_positive"].verdict.value == "verified"
