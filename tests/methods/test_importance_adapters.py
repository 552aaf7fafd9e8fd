"""CPI (finite pmf and Gaussian conditional sampling), LOCO and mean |SHAP| against the oracles."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from methods_fakes import polynomial, problem

from explainspec.methods import importance_adapters as ima
from explainspec.oracles import cpi, pfi, shapley
from explainspec.oracles.refitting import cpi_gaussian, loco
from explainspec.worlds import functions as fn

GRID = np.array(list(itertools.product([-1.0, 0.0, 1.0], repeat=3)))
DEPENDENT = np.vstack([GRID] + [np.array([[v, v, v] for v in (-1.0, 0.0, 1.0)])] * 6)


def _within_mc(runs, want, z=5.0):
    runs = np.asarray(runs)
    se = runs.std(axis=0, ddof=1) / np.sqrt(len(runs))
    return np.all(np.abs(runs.mean(axis=0) - want) <= z * se + 1e-9 * (1 + np.abs(want)))


def test_cpi_estimates_the_conditional_oracle_and_differs_from_pfi_under_dependence():
    f = polynomial({(0,): 1.0, (1, 2): 2.0, (0, 2): -1.0}, 3)
    y = f(DEPENDENT)
    runs = [ima.cpi(problem(f, DEPENDENT[:1], DEPENDENT, seed=s)) for s in range(20)]
    want = cpi(f, DEPENDENT, y)
    assert _within_mc(runs, want)
    assert np.abs(want - pfi(f, DEPENDENT, y)).max() > 0.1


def test_cpi_is_pfi_on_a_product_grid_and_zero_for_an_unused_feature():
    f = polynomial({(0,): 1.0, (0, 1): 2.0}, 3)
    runs = [ima.cpi(problem(f, GRID[:1], GRID, seed=s)) for s in range(20)]
    assert _within_mc(runs, pfi(f, GRID, f(GRID)))
    assert all(r[2] == 0.0 for r in runs)


def test_cpi_gaussian_estimates_its_oracle():
    rng = np.random.default_rng(2)
    X = rng.multivariate_normal(np.zeros(3), [[1, 0.7, 0.2], [0.7, 1, 0.4], [0.2, 0.4, 1]], 48)
    f = fn.multilinear(3, {(0,): 1.0, (1, 2): -2.0})
    y = f(X) + 0.1 * np.sin(7 * X[:, 0])
    runs = [ima.cpi_gaussian(problem(f, X[:1], X, y=y, seed=s)) for s in range(20)]
    assert _within_mc(runs, cpi_gaussian(f, X, y))


def test_loco_is_the_oracle_and_ignores_f():
    y = DEPENDENT @ [1.0, -2.0, 0.5] + DEPENDENT[:, 0] * DEPENDENT[:, 1]
    out = ima.loco(problem(polynomial({(0,): 1.0}, 3), DEPENDENT[:1], DEPENDENT, y=y))
    np.testing.assert_allclose(out, loco(DEPENDENT, y), atol=1e-10)
    other = ima.loco(problem(polynomial({(2,): 5.0}, 3), DEPENDENT[:1], DEPENDENT, y=y))
    np.testing.assert_array_equal(out, other)


def test_mean_abs_shap_is_the_mean_absolute_exact_shapley_value():
    pytest.importorskip("shap")
    f = polynomial({(0,): 1.0, (1, 2): 2.0, (-1,): 1.0}, 3)
    out = ima.mean_abs_shap(problem(f, DEPENDENT[:1], DEPENDENT))
    want = np.abs(shapley(f, DEPENDENT, DEPENDENT)).mean(axis=0)
    np.testing.assert_allclose(out, want, atol=1e-9)
