"""Reference implementations against the oracles room's exact values and closed forms."""

import numpy as np
import pytest
from hypothesis import given
from methods_fakes import FakeFunction, linear_function, problem, small_worlds

from explainspec import oracles
from explainspec.methods import reference as R
from explainspec.methods.base import NotApplicable


@given(small_worlds(max_d=4))
def test_games_agree_with_the_oracles(world):
    f, bg, pts = world
    b = bg[-1]
    pr = problem(f, pts, bg, baseline=b)
    for x, phi, cond, base, bz in zip(
        pts,
        R.shapley(pr),
        R.shapley_conditional(pr),
        R.shapley_baseline(pr),
        R.banzhaf(pr),
        strict=True,
    ):
        np.testing.assert_allclose(phi, oracles.shapley(f, x, bg), atol=1e-9)
        np.testing.assert_allclose(cond, oracles.shapley_conditional(f, x, bg), atol=1e-9)
        np.testing.assert_allclose(base, oracles.shapley_baseline(f, x, b), atol=1e-9)
        np.testing.assert_allclose(bz, oracles.banzhaf(f, x, bg), atol=1e-9)
        # efficiency (C01) for the three Shapley games
        np.testing.assert_allclose(phi.sum(), f(x) - f(bg).mean(), atol=1e-9)
        np.testing.assert_allclose(base.sum(), f(x) - f(b), atol=1e-9)


@given(small_worlds(min_d=2, max_d=4))
def test_nshapley_agrees_with_the_oracle_and_its_corollaries(world):
    f, bg, pts = world
    d = bg.shape[1]
    x = pts[0]
    for n in range(1, d + 1):
        phi = R.nshapley(problem(f, pts[:1], bg, n=n))[0]
        np.testing.assert_allclose(phi, oracles.nshapley(f, x, bg, n), atol=1e-9)
        np.testing.assert_allclose(phi.sum(), f(x), atol=1e-9)
    one = R.nshapley(problem(f, pts[:1], bg, n=1))[0]
    np.testing.assert_allclose(
        one[[1 << i for i in range(d)]], oracles.shapley(f, x, bg), atol=1e-9
    )
    full = R.nshapley(problem(f, pts[:1], bg, n=d))[0]
    np.testing.assert_allclose(full, oracles.moebius(f, x, bg), atol=1e-9)


def test_conditional_needs_x_in_the_support():
    f = linear_function([1.0, 1.0])
    with pytest.raises(NotApplicable, match="support"):
        R.shapley_conditional(problem(f, [[5.0, 5.0]], [[0.0, 0.0], [1.0, 1.0]]))


def test_shapley_permutation_converges_to_the_exact_value():
    rng = np.random.default_rng(0)
    f = FakeFunction(fn=lambda z: z[:, 0] * z[:, 1] * z[:, 2] + z[:, 3] ** 2, d=4)
    bg = rng.integers(-2, 3, size=(10, 4)).astype(float)
    x = bg[:1] + 1
    exact = oracles.shapley(f, x[0], bg)
    reps = np.stack(
        [R.shapley_permutation(problem(f, x, bg, seed=s, n_permutations=20))[0] for s in range(20)]
    )
    np.testing.assert_allclose(reps.sum(1), exact.sum(), atol=1e-9)  # efficient per draw
    se = reps.std(0, ddof=1) / np.sqrt(len(reps))
    assert np.all(np.abs(reps.mean(0) - exact) <= 5 * se + 1e-9)


def _tanh_net():
    W = np.array([[1.0, -0.5, 0.3], [0.2, 0.8, -1.0]])
    v = np.array([1.5, -0.7])

    def fn(z):
        return np.tanh(z @ W.T) @ v

    def grad(z):
        z = np.atleast_2d(z)
        return ((1 - np.tanh(z @ W.T) ** 2) * v) @ W

    return FakeFunction(fn=fn, d=3, tags=frozenset({"callable", "differentiable"}), gradient=grad)


def test_gradients_and_integrated_gradients():
    f = _tanh_net()
    x = np.array([[1.0, -2.0, 0.5]])
    g = R.gradient(problem(f, x, np.zeros((2, 3))))
    np.testing.assert_allclose(g, R.gradient(problem(f, x, np.zeros((2, 3)), h=1e-5)), atol=1e-8)
    np.testing.assert_allclose(R.gradient_x_input(problem(f, x, np.zeros((2, 3)))), x * g)
    gaps = {}
    for rule in ("riemann_left", "midpoint"):
        ig = R.integrated_gradients(problem(f, x, np.zeros((2, 3)), steps=50, rule=rule))
        gaps[rule] = abs(ig.sum() - (f(x[0]) - f(np.zeros(3))))
    assert gaps["midpoint"] < 1e-3 * gaps["riemann_left"]  # O(1/m^2) against O(1/m) (C35)
    ig = R.integrated_gradients(problem(f, x, np.zeros((2, 3)), steps=2000, rule="midpoint"))
    np.testing.assert_allclose(ig.sum(), f(x[0]) - f(np.zeros(3)), rtol=1e-6)


def test_occlusion_double_counts_an_and_and_misses_an_or():
    x = np.array([[2.0, 3.0]])
    prod = FakeFunction(fn=lambda z: z[:, 0] * z[:, 1], d=2)
    np.testing.assert_allclose(R.occlusion(problem(prod, x, np.zeros((1, 2)))), [[6.0, 6.0]])
    mx = FakeFunction(fn=lambda z: z.max(axis=1), d=2)
    np.testing.assert_allclose(
        R.occlusion(problem(mx, [[1.0, 1.0]], np.zeros((1, 2)))), [[0.0, 0.0]]
    )


def test_lime_wls_recovers_a_linear_function_for_any_width():
    rng = np.random.default_rng(0)
    w = np.array([3.0, -2.0, 0.5, 0.0])
    bg = rng.normal(size=(50, 4))
    for width in (0.1, 1.0, 10.0):
        phi = R.lime_wls(problem(linear_function(w, 1.0), bg[:2], bg, kernel_width=width))
        np.testing.assert_allclose(phi, np.tile(w, (2, 1)), atol=1e-8)


def test_counterfactual_closed_form_and_optimiser_agree():
    w, b = np.array([2.0, 1.0]), -1.0
    x = np.array([[-1.0, 0.5]])
    lin = linear_function(w, b)
    np.testing.assert_allclose(R.counterfactual_l2(problem(lin, x, np.zeros((1, 2)))), [[0.0, 1.0]])
    opaque = FakeFunction(fn=lambda z: z @ w + b, d=2)  # no 'linear' tag: SLSQP
    np.testing.assert_allclose(
        R.counterfactual_l2(problem(opaque, x, np.zeros((1, 2)))), [[0.0, 1.0]], atol=1e-6
    )


def test_analytic_gradient_uses_f_grad_for_every_family_that_has_one():
    """``h = "analytic"`` takes ``f.grad`` whenever it exists, not only for functions tagged
    ``differentiable`` (library request: the additive family with a ``step`` shape is untagged
    but exact). At a jump the value is the family's convention (0), where the ``grad`` oracle
    refuses (no ground truth there); a numeric ``h`` keeps central differences (jump / 2h)."""
    W = pytest.importorskip("explainspec.worlds.functions")
    step, absolute = W.Shape("step", (0.0,)), W.Shape("abs")
    smooth = W.Shape("pow", (2,))
    f = W.additive([[(1.0, step)], [(2.0, absolute), (1.0, smooth)]])
    assert "differentiable" not in f.tags
    pts = np.array([[0.0, 0.0], [0.5, -1.5], [-1.0, 2.0]])  # a jump, a kink, smooth points
    pr = problem(f, pts, np.zeros((1, 2)))
    g = R.gradient(pr)
    np.testing.assert_array_equal(g, f.grad(pts))
    np.testing.assert_array_equal(g[1:], oracles.grad(f, pts[1:]))  # where f is differentiable
    with pytest.raises(oracles.UndefinedAtPoint):
        oracles.grad(f, pts[:1])  # the jump of the step and the kink of |t| at (0, 0)
    assert g[0, 0] == 0.0  # the step's jump: convention 0, not 1 / (2h)
    assert g[0, 1] == 0.0  # |t| at 0: sign(0) = 0 (plus 2 t = 0)
    np.testing.assert_allclose(g[1], [0.0, -2.0 - 3.0])  # step away from the jump; 2 sign + 2 t
    fd = R.gradient(problem(f, pts, np.zeros((1, 2)), h=1e-5))
    np.testing.assert_allclose(fd[0, 0], 1 / (2 * 1e-5))  # central differences see the jump
    np.testing.assert_allclose(fd[1:], g[1:], atol=1e-6)  # and agree away from kinks
    np.testing.assert_array_equal(R.gradient_x_input(pr), pts * g)


def test_analytic_gradient_falls_back_to_central_differences_without_grad():
    f = FakeFunction(fn=lambda z: np.sin(z[:, 0]) * z[:, 1], d=2)  # grad raises
    x = np.array([[0.3, 2.0]])
    g = R.gradient(problem(f, x, np.zeros((1, 2))))
    np.testing.assert_allclose(g, [[2.0 * np.cos(0.3), np.sin(0.3)]], atol=1e-8)
    with pytest.raises(ValueError, match="analytic"):
        R.gradient(problem(f, x, np.zeros((1, 2)), h="exact"))
