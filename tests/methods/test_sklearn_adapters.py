"""scikit-learn adapters: PD and ICE against direct evaluation, permutation importance against
its expectation with a tolerance computed from repeats (CLAIMS C22, C27, C28)."""

import numpy as np
from hypothesis import given
from methods_fakes import linear_function, problem, small_worlds, tree_function

from explainspec import oracles
from explainspec.methods import reference as R
from explainspec.methods import sklearn_adapters as K


def exact_pd(f, data, grid):
    d = data.shape[1]
    out = np.empty(grid.shape)
    for j in range(d):
        for a, t in enumerate(grid[j]):
            z = data.copy()
            z[:, j] = t
            out[j, a] = np.mean(f(z))
    return out


@given(small_worlds(max_d=4))
def test_partial_dependence_is_the_exact_pd_and_ice_is_f(world):
    f, data, pts = world
    pr = problem(f, pts, data)
    np.testing.assert_allclose(K.partial_dependence(pr), exact_pd(f, data, pr.grid), atol=1e-12)
    np.testing.assert_allclose(R.pd(pr), exact_pd(f, data, pr.grid), atol=1e-12)
    oracle = np.stack([oracles.pd(f, j, pr.grid[j], data) for j in range(data.shape[1])])
    np.testing.assert_allclose(K.partial_dependence(pr), oracle, atol=1e-12)
    ice = K.ice(pr)
    for r, x in enumerate(pts):
        np.testing.assert_allclose(ice[r], exact_pd(f, x[None, :], pr.grid), atol=1e-12)


def test_partial_dependence_of_a_sklearn_tree_uses_the_model():
    from sklearn.tree import DecisionTreeRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    model = DecisionTreeRegressor(max_depth=3).fit(X, X[:, 0] + X[:, 1] ** 2)
    pr = problem(tree_function(model, 3), X[:2], X)
    np.testing.assert_allclose(
        K.partial_dependence(pr), exact_pd(model.predict, X, pr.grid), atol=1e-12
    )


def _expected_linear_pfi(w, data):
    # noise-free y = f(X): for a uniformly random permutation pi, pi(i) is uniform over the rows,
    # so E[MSE_perm - MSE] = w_j**2 E(x_ij - x_pi(i)j)**2 = 2 w_j**2 Var_n(X_j) exactly
    return 2 * np.asarray(w) ** 2 * data.var(axis=0)


def _within_repeats(method, pr_of_seed, truth, n_seeds=12, z=5.0):
    reps = np.stack([method(pr_of_seed(s)) for s in range(n_seeds)])
    se = reps.std(axis=0, ddof=1) / np.sqrt(n_seeds)
    gap = np.abs(reps.mean(0) - truth)
    assert np.all(gap <= z * se + 1e-9 * (1 + np.abs(truth))), (reps.mean(0), truth, se)
    return reps


def test_permutation_importance_of_a_linear_model_is_two_w_squared_var():
    rng = np.random.default_rng(0)
    w = [2.0, -1.0, 0.0]
    data = rng.normal(size=(60, 3)) @ np.array([[1, 0.7, 0], [0, 1, 0], [0, 0.5, 1]])
    f = linear_function(w, 0.5)
    truth = _expected_linear_pfi(w, data)
    # the oracle's infinite-permutation limit (all pairs of rows) is the same number
    np.testing.assert_allclose(oracles.pfi(f, data, f(data)), truth, atol=1e-12)
    for method in (K.permutation_importance, R.permutation_importance):
        reps = _within_repeats(method, lambda s: problem(f, data[:1], data, seed=s), truth)
        assert np.all(reps[:, 2] == 0.0)  # C27: an unused feature gets exactly zero
        assert np.all(reps[:, 0] > 0)


def test_permutation_importance_scoring_is_a_param():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(30, 2))
    f = linear_function([1.0, 1.0])
    mse = K.permutation_importance(problem(f, data[:1], data))
    r2 = K.permutation_importance(problem(f, data[:1], data, scoring="r2"))
    assert not np.allclose(mse, r2)
