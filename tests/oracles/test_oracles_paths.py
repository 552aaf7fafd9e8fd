"""Oracles of the path methods: quadrature rules, their error bounds, expected gradients and
DeepLIFT's Rescale rule, each against an independent computation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explainspec.oracles import integrated_gradients
from explainspec.oracles.paths import (
    RULES,
    deeplift_rescale,
    deeplift_shap,
    expected_gradients,
    ig_error_bound,
    ig_quadrature,
    rule_nodes,
)
from explainspec.worlds import functions as fn
from explainspec.worlds import nets
from explainspec.worlds.base import GroundTruthUnavailable, UndefinedAtPoint
from explainspec.worlds.spec import FamilyChoice
from explainspec.worlds.strategies import family_member

GRID = np.array(np.meshgrid(*[[-1.0, 0.0, 1.0]] * 3, indexing="ij")).reshape(3, -1).T


def members(name: str, **params) -> st.SearchStrategy:
    return family_member((FamilyChoice(name=name, params=params),), 3, GRID)


SMOOTH = st.one_of(
    members("linear"),
    members("multilinear"),
    members("additive", shapes=("poly", "sin", "tanh")),
    members("interaction", order=2, shapes=("poly", "sin", "tanh")),
    members("interaction", order=3, shapes=("poly", "sin")),
)
NETS = st.one_of(members("relu_net", width=3), members("relu_net", width=3, depth=2))
POINTS = st.sampled_from(list(GRID))


def test_rule_nodes_are_the_textbook_rules():
    a, w = rule_nodes(4, "riemann_left")
    assert a.tolist() == [0, 0.25, 0.5, 0.75] and w.tolist() == [0.25] * 4
    assert rule_nodes(4, "riemann_right")[0].tolist() == [0.25, 0.5, 0.75, 1.0]
    assert rule_nodes(4, "riemann_middle")[0].tolist() == [0.125, 0.375, 0.625, 0.875]
    a, w = rule_nodes(5, "riemann_trapezoid")
    assert a.tolist() == [0, 0.25, 0.5, 0.75, 1.0] and w.tolist() == [0.125] + [0.25] * 3 + [0.125]
    a, w = rule_nodes(3, "gausslegendre")  # nodes 1/2 -+ sqrt(3/5)/2, weights 5/18, 4/9, 5/18
    np.testing.assert_allclose(a, [0.5 - math.sqrt(0.6) / 2, 0.5, 0.5 + math.sqrt(0.6) / 2])
    np.testing.assert_allclose(w, [5 / 18, 8 / 18, 5 / 18])
    for rule in RULES:
        assert rule_nodes(7, rule)[1].sum() == pytest.approx(1.0, abs=1e-15)


@settings(max_examples=25, deadline=None)
@given(SMOOTH, POINTS, POINTS, st.sampled_from(RULES), st.sampled_from([2, 5, 20, 50]))
def test_error_bound_holds_for_smooth_terms(f, x, b, rule, n):
    quad = ig_quadrature(f, x, b, n, rule)
    error = abs(quad.sum() - (f(x) - f(b)))
    bound = ig_error_bound(f, x, b, n, rule)
    assert math.isfinite(bound) and error <= bound


def rule_with_convention(f, x, b, n, rule):
    """The rule as a library computes it: ``f.grad`` at every node, its one-sided convention
    at a node on a kink included (where ``ig_quadrature`` refuses: no ground truth there)."""
    x, b = np.asarray(x, float), np.asarray(b, float)
    alphas, weights = rule_nodes(n, rule)
    return (weights @ f.grad(b[None, :] + alphas[:, None] * (x - b)[None, :])) * (x - b)


@settings(max_examples=25, deadline=None)
@given(NETS, POINTS, POINTS, st.sampled_from(RULES), st.sampled_from([2, 5, 50]))
def test_error_bound_holds_for_relu_networks(f, x, b, rule, n):
    # the midpoint of grid points often puts a kink exactly on a Riemann node: the bound must
    # hold for the one-sided convention a library uses there too
    error = abs(rule_with_convention(f, x, b, n, rule).sum() - (f(x) - f(b)))
    try:
        bound = ig_error_bound(f, x, b, n, rule)
    except UndefinedAtPoint:  # the path runs inside a kink: no gradient along it to bound
        assert _inside_a_kink(f, x, b)
        return
    assert error <= bound
    try:
        assert np.array_equal(
            ig_quadrature(f, x, b, n, rule), rule_with_convention(f, x, b, n, rule)
        )
    except UndefinedAtPoint:  # a node on a kink: refused, never the convention
        assert f.kinks(b[None, :] + rule_nodes(n, rule)[0][:, None] * (x - b)[None, :]).any()


@settings(max_examples=20, deadline=None)
@given(members("multilinear"), POINTS, POINTS)
def test_polynomial_error_is_the_exact_error(f, x, b):
    # Gauss-Legendre with n nodes integrates degree 2n - 1 exactly: with 5 nodes a multilinear
    # polynomial in 3 variables (degree <= 3 along the path, g of degree <= 2) has no error
    assert ig_error_bound(f, x, b, 5, "gausslegendre") < 1e-10
    # the left rule's error on F(a) = c a^2 (g = 2 c a) is exactly c / n: f = x0 * x1 from 0
    g = fn.multilinear(2, {(0, 1): 1.0})
    assert ig_error_bound(g, [1.0, 1.0], [0.0, 0.0], 4, "riemann_left") == pytest.approx(0.25)


@settings(max_examples=20, deadline=None)
@given(st.one_of(SMOOTH, NETS), POINTS, POINTS)
def test_fine_quadrature_converges_to_integrated_gradients(f, x, b):
    # the midpoint rule's error is O(h^2) on smooth f and at most h/2 times the jumps of the
    # gradient along the path on a ReLU net (here h = 1/4000 and jumps of at most ~10)
    smooth = "terms" in f.tags
    try:
        truth = integrated_gradients(f, x, b)
    except UndefinedAtPoint:  # the path runs inside a kink: IG exists only by a convention
        assert not smooth and _inside_a_kink(f, x, b)
        return
    np.testing.assert_allclose(
        rule_with_convention(f, x, b, 4000, "riemann_middle"),
        truth,
        atol=(1e-5 if smooth else 2e-3) * (1 + np.abs(f(x) - f(b))),
    )


def _inside_a_kink(f, x, b):
    """A stretch of the path from ``b`` to ``x`` lies where ``f`` may have no gradient: three
    consecutive points of 257 equally spaced ones are on kinks (a path that only crosses kinks
    meets them at isolated points)."""
    alphas = np.linspace(0.0, 1.0, 257)[:, None]
    k = f.kinks(b[None, :] + alphas * (x - b)[None, :])
    return bool(np.any(k[:-2] & k[1:-1] & k[2:]))


# found by the test above (CI, 2026-12-04): the third unit, -0.5 x0 + 0.5 x1 + 0.5 x2 + 1, is 0 on
# the whole path from b = (1, -1, 0) to x = (0, -1, -1); the oracle read it as off there and
# returned IG = 0, while a library's midpoint rule, seeing rounding noise of either sign, gave
# (0.029, 0, -0.029). The partial derivatives do not exist along the path: no ground truth.
KINK_NET = nets.relu_net(
    [
        ([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [-0.5, 0.5, 0.5]], [0.0, 0.0, 1.0]),
        ([[1.0, 1.0, 1.0]] * 3, [0.0, 0.0, 0.0]),
        ([[1.0, 1.0, 1.0]], [0.0]),
    ],
    3,
)


def test_a_path_inside_a_kink_has_no_integrated_gradients():
    x, b = np.array([0.0, -1.0, -1.0]), np.array([1.0, -1.0, 0.0])
    with pytest.raises(UndefinedAtPoint, match="runs along a kink"):
        integrated_gradients(KINK_NET, x, b)
    with pytest.raises(UndefinedAtPoint, match="runs along a kink"):
        ig_error_bound(KINK_NET, x, b, 50, "riemann_middle")
    # a path that only crosses the same kink keeps its exact value (completeness)
    ig = integrated_gradients(KINK_NET, np.array([1.0, 1.0, 1.0]), np.zeros(3))
    assert ig.sum() == pytest.approx(
        float(KINK_NET(np.ones((1, 3)))[0] - KINK_NET(np.zeros((1, 3)))[0])
    )


def test_error_bound_refuses_what_it_cannot_bound():
    step = fn.additive([[(1.0, fn.Shape("step", (0.0,)))]])
    with pytest.raises(GroundTruthUnavailable):
        ig_error_bound(step, [1.0], [-1.0])
    with pytest.raises(GroundTruthUnavailable):
        ig_error_bound(nets.mlp([([[1.0]], [0.5]), ([[2.0]], [0.0])], 1, "tanh"), [1.0], [0.0])


@settings(max_examples=15, deadline=None)
@given(st.one_of(SMOOTH, NETS), POINTS)
def test_expected_gradients_is_the_mean_ig_and_complete(f, x):
    bg = GRID[[0, 4, 4, 13, 26]]  # a multiset: row 4 twice
    try:
        eg = expected_gradients(f, x, bg)
    except UndefinedAtPoint:  # a path from a background row runs inside a kink
        assert any(_inside_a_kink(f, np.asarray(x, float), z) for z in bg)
        return
    mean = np.mean([integrated_gradients(f, x, z) for z in bg], axis=0)
    np.testing.assert_allclose(eg, mean, atol=1e-12)
    assert eg.sum() == pytest.approx(f(x) - f(bg).mean(), abs=1e-6 * (1 + abs(f(x))))


def _relu_deeplift_by_hand(W, c, a, x, b):
    """One hidden ReLU layer: phi_i = sum_k a_k m_k W_ki (x_i - b_i)."""
    z, z0 = W @ x + c, W @ b + c
    m = np.where(
        z != z0, (np.maximum(z, 0) - np.maximum(z0, 0)) / np.where(z != z0, z - z0, 1), z > 0
    )
    return (a * m) @ W * (x - b)


@settings(max_examples=30, deadline=None)
@given(NETS, POINTS, POINTS)
def test_deeplift_rescale_is_complete(f, x, b):
    assert deeplift_rescale(f, x, b).sum() == pytest.approx(f(x) - f(b), abs=1e-9)


def test_deeplift_rescale_by_hand_and_against_integrated_gradients():
    W = np.array([[1.0, -1.0], [0.5, 2.0], [1.0, 1.0]])
    c = np.array([0.0, 1.0, -0.5])
    a = np.array([1.0, -2.0, 0.5])
    f = fn.relu_net([(W, c), ([a], [0.5])], 2)
    x, b = np.array([1.0, -1.0]), np.array([-1.0, 1.0])
    np.testing.assert_allclose(deeplift_rescale(f, x, b), _relu_deeplift_by_hand(W, c, a, x, b))
    # one hidden layer: each pre-activation is affine along the path, so the secant slope is the
    # mean derivative along it and DeepLift equals IG (kinks crossed or not)
    np.testing.assert_allclose(deeplift_rescale(f, x, b), integrated_gradients(f, x, b), atol=1e-12)
    # two hidden layers: the second layer's pre-activations are not affine along the path
    deep = fn.relu_net(
        [(W, c), ([[1.0, 1.0, -1.0], [1.0, -1.0, 0.5]], [0.0, 0.5]), ([[1.0, 2.0]], [0.0])], 2
    )
    assert np.abs(deeplift_rescale(deep, x, b) - integrated_gradients(deep, x, b)).max() > 0.1
    # without biases and from 0 every unit keeps its state along the path: DeepLift = IG
    g = fn.relu_net([(W, 0 * c), ([[1.0, 1.0, -1.0]], [0.0]), ([[2.0]], [0.0])], 2)
    y = np.array([1.0, -0.5])
    np.testing.assert_allclose(
        deeplift_rescale(g, y, 0 * y), integrated_gradients(g, y, 0 * y), atol=1e-12
    )
    # towards x = (1, -1) the third unit, x0 + x1, is 0 on the whole path: g has no partial
    # derivatives along it, so IG has no ground truth (DeepLift's rule still gives a value)
    with pytest.raises(UndefinedAtPoint):
        integrated_gradients(g, x, 0 * x)


def test_deeplift_of_smooth_networks_uses_the_secant_slopes():
    f = nets.mlp([([[1.0, 2.0]], [0.5]), ([[3.0]], [0.0])], 2, "tanh")
    x, b = np.array([1.0, 0.5]), np.array([0.0, -1.0])
    z, z0 = 1 + 1 + 0.5, -2 + 0.5
    m = (math.tanh(z) - math.tanh(z0)) / (z - z0)
    np.testing.assert_allclose(deeplift_rescale(f, x, b), 3 * m * np.array([1.0, 2.0]) * (x - b))
    assert deeplift_shap(f, x, np.stack([b, b])) == pytest.approx(deeplift_rescale(f, x, b))
    with pytest.raises(GroundTruthUnavailable):
        deeplift_rescale(fn.linear([1.0, 2.0]), x, b)
