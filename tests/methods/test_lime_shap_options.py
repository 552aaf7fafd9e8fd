"""lime's model_regressor/alpha and kernel_width, shap's link: the new parameters."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from methods_fakes import linear_function, polynomial, problem

from explainspec.methods import shap_adapters as sh
from explainspec.oracles import shapley
from explainspec.oracles.links import shapley_link

GRID = np.array(list(itertools.product([-1.0, 0.0, 1.0], repeat=3)))


def test_lime_default_regressor_is_lime_own_default():
    """model_regressor = 'ridge', alpha = 1 passes Ridge(alpha=1) explicitly: the numbers are the
    ones lime gives with model_regressor=None (regression test of the round-3 behaviour)."""
    lime_tabular = pytest.importorskip("lime.lime_tabular")
    from explainspec.methods import lime_adapters as la

    f = polynomial({(0,): 1.0, (1, 2): 2.0}, 3)
    p = problem(f, GRID[:2], GRID, seed=7, num_samples=500)
    ours = la.tabular_continuous(p)
    explainer = lime_tabular.LimeTabularExplainer(
        GRID, mode="regression", discretize_continuous=False, random_state=7
    )
    for r, x in enumerate(GRID[:2]):
        exp = explainer.explain_instance(x, f.fn, num_features=3, num_samples=500)
        for j, coef in exp.as_map()[1]:
            assert ours[r, j] == coef


def test_lime_least_squares_recovers_weight_times_std_for_any_width():
    pytest.importorskip("lime")
    from explainspec.methods import lime_adapters as la

    f = linear_function([1.0, -2.0, 0.5])
    for width in (0.5, 3.0):
        out = la.tabular_continuous(
            problem(
                f,
                GRID[:2],
                GRID,
                model_regressor="linear",
                kernel_width=width,
                sample_around_instance=True,
                num_samples=300,
            )
        )
        np.testing.assert_allclose(out, np.tile(f.linear[0] * GRID.std(axis=0), (2, 1)), atol=1e-9)
    ridge = la.tabular_continuous(problem(f, GRID[:1], GRID, num_samples=300, alpha=10.0))
    assert np.all(np.abs(ridge[0]) < np.abs(f.linear[0] * GRID.std(axis=0)))
    with pytest.raises(ValueError, match="model_regressor"):
        la.tabular_continuous(problem(f, GRID[:1], GRID, model_regressor="lasso"))


def test_shap_logit_link_explains_the_linked_game():
    h = polynomial({(0,): 1.0, (1, 2): -1.5}, 3)
    f = type(h)(fn=lambda z: 1 / (1 + np.exp(-h.fn(z))), d=3)
    points = GRID[[0, 13, 26]]
    want = np.stack([shapley_link(f, x, GRID, link="logit") for x in points])
    np.testing.assert_allclose(sh.kernel(problem(f, points, GRID, link="logit")), want, atol=1e-8)
    # Exact with linearize_link = False explains the same game; shap's default (True) another one
    np.testing.assert_allclose(
        sh.exact(problem(f, points, GRID, link="logit", linearize_link=False)), want, atol=1e-9
    )
    default = sh.exact(problem(f, points, GRID, link="logit"))
    assert np.abs(default - want).max() > 1e-3
    logit = lambda q: np.log(q / (1 - q))  # noqa: E731
    # both keep the log-odds efficiency: link(f(x)) - link(mean f)
    np.testing.assert_allclose(
        default.sum(axis=1), logit(f(points)) - logit(f(GRID).mean()), atol=1e-9
    )
    ident = sh.exact(problem(f, points, GRID))
    np.testing.assert_allclose(ident, np.stack([shapley(f, x, GRID) for x in points]), atol=1e-9)
    with pytest.raises(ValueError, match="link"):
        sh.exact(problem(f, points, GRID, link="probit"))


def test_shap_linearized_logit_link_is_nan_when_a_prediction_equals_the_mean():
    """shap 0.51 bug pinned (why specs/shap_exact_logit.espec sets linearize_link = false): the
    default link reweighting divides by logit(p_r) - logit(mean p), 0 for a background row whose
    prediction is the mean one; every value is then NaN."""
    pytest.importorskip("shap")
    grid = np.array(list(itertools.product([-1.0, 0.0, 1.0], repeat=2)))
    f = type(polynomial({(0,): 1.0}, 2))(fn=lambda z: 1 / (1 + np.exp(-z[:, 0])), d=2)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = sh.exact(problem(f, grid[:1], grid, link="logit"))
    assert np.isnan(out).all()
    fixed = sh.exact(problem(f, grid[:1], grid, link="logit", linearize_link=False))
    np.testing.assert_allclose(fixed[0], shapley_link(f, grid[0], grid), atol=1e-9)
