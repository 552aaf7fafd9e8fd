"""shap adapters against exact ground truth where they must be exact (CLAIMS C06, C46, C47)."""

import numpy as np
import pytest
from hypothesis import given
from methods_fakes import FakeFunction, linear_function, problem, small_worlds, tree_function

from explainspec import oracles
from explainspec.methods import shap_adapters as S


def exact_shapley(f, points, bg):
    return np.stack([oracles.shapley(f, x, bg) for x in points])


@given(small_worlds(max_d=5))
def test_kernel_with_enumeration_is_the_interventional_shapley_value(world):
    f, bg, pts = world
    d = bg.shape[1]
    phi = S.kernel(problem(f, pts, bg, nsamples=2**d - 2))
    np.testing.assert_allclose(phi, exact_shapley(f, pts, bg), atol=1e-9, rtol=1e-9)


@given(small_worlds(max_d=4))
def test_exact_explainer_is_the_interventional_shapley_value(world):
    f, bg, pts = world
    np.testing.assert_allclose(S.exact(problem(f, pts, bg)), exact_shapley(f, pts, bg), atol=1e-9)


@given(small_worlds(max_d=5, max_order=2))
def test_permutation_is_exact_for_games_of_order_two(world):
    # an order and its reverse split every pairwise dividend equally: antithetic sampling is
    # exact as soon as interactions have order <= 2, whatever the number of permutations
    f, bg, pts = world
    phi = S.permutation(problem(f, pts, bg, max_evals=4 * bg.shape[1] + 2))
    np.testing.assert_allclose(phi, exact_shapley(f, pts, bg), atol=1e-9)


def test_permutation_is_efficient_and_close_with_order_three_interactions():
    rng = np.random.default_rng(1)
    f = FakeFunction(fn=lambda z: z[:, 0] * z[:, 1] * z[:, 2] + z[:, 3], d=4)
    bg = rng.integers(-2, 3, size=(8, 4)).astype(float)
    pts = bg[:2] + 1.0
    exact = exact_shapley(f, pts, bg)
    phi = S.permutation(problem(f, pts, bg, max_evals=2000, seed=3))
    np.testing.assert_allclose(phi.sum(1), exact.sum(1), atol=1e-9)  # efficiency by construction
    assert np.abs(phi - exact).max() < 0.25 * np.abs(exact).max()


def test_linear_is_w_times_x_minus_background_mean():
    rng = np.random.default_rng(0)
    w = np.array([1.5, -2.0, 0.5])
    bg = rng.normal(size=(50, 3)) @ np.array([[1, 0.8, 0], [0, 1, 0.5], [0, 0, 1]])  # correlated
    pts = rng.normal(size=(4, 3))
    phi = S.linear(problem(linear_function(w, 0.7), pts, bg))
    np.testing.assert_allclose(phi, w * (pts - bg.mean(0)), atol=1e-12)


def test_linear_correlation_is_the_gaussian_conditional_game():
    # C07: f = x1 + x2 + 0 x3 with a correlated Gaussian; compare with the closed-form
    # conditional Shapley values of the Gaussian fitted to the background
    rng = np.random.default_rng(0)
    cov = np.array([[1, 0.9, 0.5], [0.9, 1, 0.5], [0.5, 0.5, 1]])
    bg = rng.multivariate_normal(np.zeros(3), cov, size=2000)
    f = linear_function([1.0, 1.0, 0.0])
    x = np.array([[1.0, -1.0, 2.0]])

    class Gaussian:
        d, rows = 3, None
        mean, cov = bg.mean(0), np.cov(bg.T, bias=True)

    truth = oracles.shapley_conditional(f, x[0], Gaussian())
    phi = S.linear_correlation(problem(f, x, bg, nsamples=2000))
    assert abs(phi[0, 2]) > 0.3  # the unused feature gets credit (the point of C07)
    np.testing.assert_allclose(phi[0], truth, atol=0.05)


def _gbr(seed=0, d=4, n=60):
    from sklearn.ensemble import GradientBoostingRegressor

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = X[:, 0] * X[:, 1] + np.sin(X[:, 2]) + (X[:, 3] > 0)
    return GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=seed).fit(X, y), X


@pytest.mark.parametrize("seed", [0, 1])
def test_tree_interventional_is_brute_force_interventional(seed):
    model, X = _gbr(seed)
    f = tree_function(model, X.shape[1])
    bg, pts = X[:25], X[30:34]
    phi = S.tree(problem(f, pts, bg))
    np.testing.assert_allclose(phi, exact_shapley(model.predict, pts, bg), atol=1e-6)


def test_tree_path_is_the_path_dependent_game_and_interactions_sum_to_it():
    from sklearn.tree import DecisionTreeRegressor

    rng = np.random.default_rng(2)
    X = rng.normal(size=(80, 3))
    model = DecisionTreeRegressor(max_depth=3, random_state=0).fit(X, X[:, 0] * X[:, 1] + X[:, 2])
    f = tree_function(model, 3)
    pts = X[:3]
    phi = S.tree_path(problem(f, pts, X))
    truth = np.stack([oracles.shapley_path(model, x) for x in pts])
    np.testing.assert_allclose(phi, truth, atol=1e-9)
    inter = S.tree_interaction(problem(f, pts, X))
    np.testing.assert_allclose(inter.sum(axis=2), phi, atol=1e-9)
    root = model.tree_.value[0].ravel()[0]
    saabas = S.saabas(problem(f, pts, X))
    np.testing.assert_allclose(saabas.sum(1), model.predict(pts) - root, atol=1e-9)


def test_tree_methods_refuse_a_non_tree():
    from explainspec.methods.base import NotApplicable

    f = linear_function([1.0, 2.0])
    with pytest.raises(NotApplicable, match="tree"):
        S.tree(problem(f, np.zeros((1, 2)), np.ones((3, 2))))


def test_partition_on_two_features_is_shapley_and_efficient():
    rng = np.random.default_rng(0)
    f = FakeFunction(fn=lambda z: z[:, 0] * z[:, 1] + z[:, 2] ** 2, d=3)
    bg = rng.normal(size=(20, 3))
    pts = bg[:2]
    phi = S.partition(problem(f, pts, bg))
    exact = exact_shapley(f, pts, bg)
    np.testing.assert_allclose(phi.sum(1), exact.sum(1), atol=1e-9)
    two = FakeFunction(fn=lambda z: z[:, 0] * z[:, 1] + z[:, 1], d=2)
    np.testing.assert_allclose(
        S.partition(problem(two, bg[:2, :2], bg[:, :2])),
        exact_shapley(two, bg[:2, :2], bg[:, :2]),
        atol=1e-9,
    )


def test_sampling_is_unbiased_within_its_monte_carlo_error():
    rng = np.random.default_rng(0)
    f = FakeFunction(fn=lambda z: z[:, 0] * z[:, 1] + np.sin(z[:, 2]), d=3)
    bg = rng.normal(size=(15, 3))
    pts = bg[:1]
    exact = exact_shapley(f, pts, bg)[0]
    reps = np.stack([S.sampling(problem(f, pts, bg, nsamples=300, seed=s))[0] for s in range(12)])
    se = reps.std(axis=0, ddof=1) / np.sqrt(len(reps))
    assert np.all(np.abs(reps.mean(0) - exact) <= 5 * se + 1e-9)
    assert np.any(reps.std(0) > 0)  # it really is random across seeds


def test_kernel_default_l1_reg_keeps_only_ten_features():
    # shap >= 0.47 defaults to l1_reg="num_features(10)": at d = 12 two attributions are exactly
    # 0 even though every feature matters; l1_reg=False gives the plain KernelSHAP estimate
    rng = np.random.default_rng(0)
    d = 12
    a = rng.normal(size=d)
    f = FakeFunction(fn=lambda z: z @ a + z[:, 0] * z[:, 1] + np.sin(z[:, 2] * z[:, 3]), d=d)
    bg = rng.normal(size=(20, d))
    x = bg[:1] + 0.5
    exact = exact_shapley(f, x, bg)[0]
    assert np.all(np.abs(exact) > 1e-3)
    default = S.kernel(problem(f, x, bg, seed=0))[0]
    plain = S.kernel(problem(f, x, bg, seed=0, l1_reg=False))[0]
    assert np.sum(default == 0.0) == 2
    assert np.all(plain != 0.0)
    assert np.abs(plain - exact).max() < np.abs(default - exact).max()


def test_exact_survives_points_where_no_feature_varies():
    # regression: shap 0.51's Exact raises IndexError on such a point after the first in a batch
    f = FakeFunction(fn=lambda z: -2 * z[:, 0], d=2)
    bg = np.full((2, 2), -2.0)
    pts = np.array([[1.0, -2.0], [-2.0, -2.0]])
    np.testing.assert_allclose(S.exact(problem(f, pts, bg)), [[-6.0, 0.0], [0.0, 0.0]])
