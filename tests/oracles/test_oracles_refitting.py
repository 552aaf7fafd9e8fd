"""Oracles of the tabular toolbox besides the interaction indices: cpi_gaussian, loco (refitting),
shapley_link (linked games) and mad, each against an independent computation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from explainspec.oracles import GroundTruthUnavailable, OracleError, shapley
from explainspec.oracles.counterfactuals import mad
from explainspec.oracles.links import shapley_link
from explainspec.oracles.refitting import cpi_gaussian, gaussian_conditional, loco
from explainspec.worlds import functions as fn

# ----------------------------------------------------------------------------- cpi_gaussian


def _sample(n=40, d=3, rho=0.6, seed=0):
    rng = np.random.default_rng(seed)
    cov = np.full((d, d), rho) + (1 - rho) * np.eye(d)
    return rng.multivariate_normal(np.zeros(d), cov, size=n)


def test_gaussian_conditional_is_the_regression_on_the_other_columns():
    X = _sample()
    for j in range(X.shape[1]):
        rest = np.delete(X, j, axis=1)
        design = np.column_stack([np.ones(len(X)), rest])
        coef = np.linalg.lstsq(design, X[:, j], rcond=None)[0]
        mean, var = gaussian_conditional(X, j)
        np.testing.assert_allclose(mean, design @ coef, atol=1e-10)
        # the ML residual variance of that regression
        assert var == pytest.approx(np.mean((X[:, j] - design @ coef) ** 2), abs=1e-10)


def test_linear_closed_form_two_w_squared_conditional_variance():
    X = _sample()
    w = np.array([1.0, -2.0, 0.5])
    f = fn.linear(w, 0.5)
    out = cpi_gaussian(f, X, f(X))
    want = [2 * w[j] ** 2 * gaussian_conditional(X, j)[1] for j in range(3)]
    np.testing.assert_allclose(out, want, atol=1e-10)


def test_multilinear_agrees_with_many_conditional_draws():
    """An independent Monte-Carlo computation of the same expectation (10**5 draws per row),
    compared within 6 of its standard errors: the seed is fixed, the bound is not tuned to it."""
    X = _sample(n=20)
    f = fn.multilinear(3, {(0, 1): 1.0, (2,): -1.0, (0, 2): 0.5})
    y = f(X) + np.linspace(-1, 1, len(X))
    exact = cpi_gaussian(f, X, y)
    rng = np.random.default_rng(1)
    base = np.mean((y - f(X)) ** 2)
    for j in range(3):
        mean, var = gaussian_conditional(X, j)
        draws = mean[None, :] + np.sqrt(var) * rng.standard_normal((100_000, len(X)))
        Z = np.repeat(X[None], 100_000, axis=0)
        Z[:, :, j] = draws
        loss = ((y[None, :] - f(Z.reshape(-1, 3)).reshape(100_000, -1)) ** 2).mean(axis=1) - base
        assert abs(loss.mean() - exact[j]) <= 6 * loss.std() / np.sqrt(len(loss))


def test_cpi_gaussian_refuses_functions_without_a_closed_form():
    X = _sample()
    f = fn.formula("x0 * x0 + x1", 3)  # not tagged affine
    with pytest.raises(GroundTruthUnavailable):
        cpi_gaussian(f, X, f(X))
    with pytest.raises(OracleError):
        cpi_gaussian(fn.linear([1.0, 1.0, 1.0]), X, np.zeros(len(X)), loss="absolute")


# ------------------------------------------------------------------------------------- loco


def test_loco_matches_refitting_with_scikit_learn():
    from sklearn.linear_model import LinearRegression

    X = _sample(n=30, d=4, seed=3)
    y = X @ [1.0, 0.0, -2.0, 0.5] + np.sin(X[:, 0])

    def mse(A):
        model = LinearRegression().fit(A, y)
        return np.mean((y - model.predict(A)) ** 2)

    want = [mse(np.delete(X, j, axis=1)) - mse(X) for j in range(4)]
    np.testing.assert_allclose(loco(X, y), want, atol=1e-10)


def test_loco_of_a_perfect_substitute_is_zero():
    X = np.array([[0.0, 0.0, 1.0], [1.0, 1.0, 0.0], [2.0, 2.0, 1.0], [3.0, 3.0, 0.0]])
    y = 2 * X[:, 0] + X[:, 2]
    out = loco(X, y)
    assert out[0] == pytest.approx(0.0, abs=1e-12) and out[1] == pytest.approx(0.0, abs=1e-12)
    assert out[2] > 0.1


def test_loco_with_a_callable_target():
    X = np.array(list(itertools.product([-1.0, 0.0, 1.0], repeat=2)))
    np.testing.assert_allclose(loco(X, lambda z: z[:, 0]), loco(X, X[:, 0]))
    with pytest.raises(OracleError):
        loco(X, np.zeros(3))


# ----------------------------------------------------------------------------- shapley_link


def test_identity_link_is_the_interventional_shapley_value():
    rows = np.array(list(itertools.product([-1.0, 0.5, 2.0], repeat=3)))
    f = lambda z: z[:, 0] * z[:, 1] + z[:, 2]  # noqa: E731
    x = np.array([2.0, -1.0, 0.5])
    np.testing.assert_allclose(shapley_link(f, x, rows, link="identity"), shapley(f, x, rows))


def test_logit_link_efficiency_and_a_worked_game():
    rows = np.array(list(itertools.product([-1.0, 0.0, 1.0], repeat=2)))
    f = lambda z: 1 / (1 + np.exp(-(z[:, 0] + 2 * z[:, 1])))  # noqa: E731
    x = np.array([1.0, 1.0])
    phi = shapley_link(f, x, rows)
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    assert phi.sum() == pytest.approx(logit(f(x[None])[0]) - logit(f(rows).mean()), abs=1e-12)
    # two players: phi_0 = (v(0) - v() + v(01) - v(1)) / 2, with v = logit of mean probability
    v = {}
    for mask in range(4):
        z = np.where([(mask >> i) & 1 for i in range(2)], x, rows)
        v[mask] = logit(f(z).mean())
    assert phi[0] == pytest.approx((v[1] - v[0] + v[3] - v[2]) / 2, abs=1e-12)
    with pytest.raises(OracleError):
        shapley_link(lambda z: z[:, 0], x, rows)  # not a probability
    with pytest.raises(OracleError):
        shapley_link(f, x, rows, link="probit")


# -------------------------------------------------------------------------------------- mad


def test_mad_is_numpys_median_absolute_deviation_with_dices_zero_rule():
    X = np.array([[0.0, 5.0, 1.0], [1.0, 5.0, 2.0], [3.0, 5.0, 4.0], [10.0, 6.0, 8.0]])
    want = np.median(np.abs(X - np.median(X, axis=0)), axis=0)
    assert want[1] == 0.0
    want[1] = 1.0
    np.testing.assert_array_equal(mad(X), want)
