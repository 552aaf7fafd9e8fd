"""The reference backfitting GAM (``reference.gam``): its fit against an independent
least-squares solve, its terms against exact components, SHAP of the fitted GAM."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from methods_fakes import polynomial, problem

from explainspec.methods import gam_adapters as ga
from explainspec.registry import registry

GRID = np.array(list(itertools.product([-1.0, 0.0, 2.0], repeat=3)))
DIAGONAL = np.array([[v, v, v] for v in (-1.0, 0.0, 2.0)])


def one_hot_fit(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The least-squares additive fit of ``y`` at the rows, by ``numpy.linalg.lstsq`` on the
    one-hot design of every feature's levels (independent of backfitting)."""
    cols = [np.ones((len(X), 1))]
    for j in range(X.shape[1]):
        levels = np.unique(X[:, j])
        cols.append((X[:, [j]] == levels[None, 1:]).astype(float))
    design = np.hstack(cols)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return design @ coef


@pytest.mark.parametrize("repeats", [0, 1, 5, 40])
def test_backfitting_is_the_least_squares_additive_fit_under_dependence(repeats):
    X = np.vstack([GRID, *[DIAGONAL] * repeats])  # more diagonal rows: stronger dependence
    y = np.sin(X[:, 0]) + X[:, 1] ** 2 + X[:, 0] * X[:, 2]
    model = ga.backfit(X, y, tol=1e-12, max_iter=100_000)
    assert np.max(np.abs(model.predict(X) - one_hot_fit(X, y))) < 1e-10
    terms = model.terms(X)
    assert np.max(np.abs(terms.mean(axis=0))) < 1e-12  # centred over the rows
    assert model.alpha == pytest.approx(y.mean(), abs=1e-15)


def test_additive_f_on_a_product_grid_gives_its_centred_components():
    f = polynomial({(0,): 1.5, (-1,): 2.0, (1, 1): 0.0, (2,): -1.0}, d=3)
    X = GRID
    model = ga.backfit(X, f(X), tol=1e-12, max_iter=100)
    comps = np.stack([1.5 * X[:, 0] + 2 * np.sin(X[:, 0]), 0 * X[:, 1], -1.0 * X[:, 2]], axis=1)
    assert np.max(np.abs(model.terms(X) - (comps - comps.mean(axis=0)))) < 1e-12
    assert model.sweeps <= 3  # independent features: one sweep fits, the next confirms


def test_terms_between_levels_are_interpolated_and_constant_beyond():
    X = np.array([[0.0], [1.0], [1.0], [3.0]])
    model = ga.backfit(X, np.array([0.0, 2.0, 2.0, 6.0]), tol=1e-12, max_iter=10)
    at = model.terms(np.array([[0.5], [2.0], [-5.0], [9.0]]))[:, 0] + model.alpha
    assert at.tolist() == pytest.approx([1.0, 4.0, 0.0, 6.0])


def test_no_convergence_is_an_error_not_a_silent_fit():
    X = np.vstack([GRID, *[DIAGONAL] * 40])
    y = X[:, 0] * X[:, 1]
    with pytest.raises(RuntimeError, match="did not converge in 2 sweeps"):
        ga.backfit(X, y, tol=1e-12, max_iter=2)


def test_method_reports_terms_and_shap_of_the_fitted_gam():
    f = polynomial({(0,): 1.0, (0, 1): 2.0, (2,): -0.5}, d=3)
    X = np.vstack([GRID, DIAGONAL])
    pts = X[[0, 5, 28]]
    terms = ga.gam(problem(f, pts, X))
    model = ga.backfit(X, f(X), tol=1e-12, max_iter=10_000)
    assert np.allclose(terms, model.terms(pts), atol=1e-15)
    shap_values = ga.gam(problem(f, pts, X, values="shap"))
    assert shap_values.shape == terms.shape
    assert np.max(np.abs(shap_values - terms)) < 1e-9


def test_catalog_entry():
    entry = registry("method").get("reference.gam")
    assert entry.extra["output"] == "attribution" and entry.extra["scope"] == "local"
    assert {p.name: p.default for p in entry.params} == {
        "values": "terms",
        "tol": 1e-12,
        "max_iter": 10000,
    }
    assert entry.load() is ga.gam
