"""SmoothGrad oracles against independent computations: Gauss-Hermite quadrature (exact for
polynomials), adaptive 1-D quadrature with the kinks as break points (scipy.integrate.quad), and
the definition of the gradient of the smoothed function by its own 1-D integrals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from explainspec.oracles.smoothing import (
    gaussian_moment,
    smoothed_gradient,
    smoothgrad,
    smoothgrad_sq,
    vargrad,
)
from explainspec.worlds import functions as fn
from explainspec.worlds import nets
from explainspec.worlds.base import GroundTruthUnavailable
from explainspec.worlds.functions import Shape
from explainspec.worlds.spec import FamilyChoice
from explainspec.worlds.strategies import family_member

GRID = np.array(np.meshgrid(*[[-1.0, 0.0, 1.0]] * 2, indexing="ij")).reshape(2, -1).T
SIGMAS = st.sampled_from([0.1, 0.5, 1.0, 2.0])


def members(name: str, **params) -> st.SearchStrategy:
    return family_member((FamilyChoice(name=name, params=params),), 2, GRID)


def hermite_expectation(fun, x: np.ndarray, s: float, order: int = 40) -> np.ndarray:
    """``E fun(x + s e)`` by a tensor Gauss-Hermite rule (exact for polynomials of degree < 2 order)."""
    t, w = np.polynomial.hermite_e.hermegauss(order)
    w = w / w.sum()
    grids = np.meshgrid(*[t] * x.shape[0], indexing="ij")
    Z = x + s * np.stack([g.ravel() for g in grids], axis=1)
    W = np.prod(np.meshgrid(*[w] * x.shape[0], indexing="ij"), axis=0).ravel()
    return np.tensordot(W, fun(Z), axes=1)


def test_gaussian_moments():
    # E Z^2 = 1, E Z^4 = 3, E (1 + Z)^3 = 1 + 3 = 4
    assert gaussian_moment(2, 0.0, 1.0) == 1.0
    assert gaussian_moment(4, 0.0, 1.0) == 3.0
    assert gaussian_moment(3, 1.0, 1.0) == 4.0
    assert gaussian_moment(0, 5.0, 2.0) == 1.0


@settings(max_examples=30, deadline=None)
@given(
    st.one_of(members("multilinear"), members("interaction", order=2, shapes=("poly",))),
    st.sampled_from(list(GRID)),
    SIGMAS,
)
def test_polynomials_against_gauss_hermite(f, x, s):
    x = x + np.array([0.3, -0.2])
    G = lambda Z: f.grad(Z)  # noqa: E731
    scale = 1 + np.abs(hermite_expectation(lambda Z: f.grad(Z) ** 2, x, s)).max()
    np.testing.assert_allclose(smoothgrad(f, x, s), hermite_expectation(G, x, s), atol=1e-9 * scale)
    np.testing.assert_allclose(
        smoothgrad_sq(f, x, s), hermite_expectation(lambda Z: G(Z) ** 2, x, s), atol=1e-9 * scale
    )
    mean = hermite_expectation(G, x, s)
    np.testing.assert_allclose(
        vargrad(f, x, s),
        hermite_expectation(lambda Z: G(Z) ** 2, x, s) - mean**2,
        atol=1e-8 * scale,
    )


KINKED = [
    Shape("pow", (3,)),
    Shape("sin", (2.0,)),
    Shape("abs"),
    Shape("relu", (0.5,)),
    Shape("relu", (-1.0,)),
    Shape("tent", (0.5, 1.0)),
    Shape("step", (0.0,)),
]


def _quad(fun, t: float, s: float, points) -> float:
    density = lambda e: math.exp(-0.5 * e * e) / math.sqrt(2 * math.pi)  # noqa: E731
    breaks = [(p - t) / s for p in points if -12 < (p - t) / s < 12]
    value, _ = integrate.quad(
        lambda e: fun(t + s * e) * density(e), -12, 12, points=breaks or None, limit=200
    )
    return value


@pytest.mark.parametrize("shape", KINKED, ids=lambda s: s.text())
@pytest.mark.parametrize("t", [-1.3, 0.0, 0.5, 2.0])
@pytest.mark.parametrize("s", [0.2, 1.0])
def test_one_dimensional_means_against_adaptive_quadrature(shape, t, s):
    """Additive f = shape(x0) + 0 * x1: smoothgrad_0 = E shape'(t + s Z) and, for the step, the
    gradient of the smoothed shape differs by the jump's density."""
    f = fn.additive([[(1.0, shape)], [(1.0, Shape("pow", (1,)))]])
    kinks = {"abs": [0.0], "relu": [shape.params[0] if shape.params else 0.0], "step": [0.0]}
    points = kinks.get(shape.kind, [])
    if shape.kind == "tent":
        points = [-0.5, 0.5, 1.5]
    mean_slope = _quad(lambda u: float(shape.deriv(u)), t, s, points)
    assert smoothgrad(f, [t, 0.0], s)[0] == pytest.approx(mean_slope, abs=1e-8)
    assert smoothgrad(f, [t, 0.0], s)[1] == 1.0
    h = 1e-4  # d/dt E shape(t + s Z) by a central difference of two adaptive quadratures
    smoothed = (_quad(shape, t + h, s, points) - _quad(shape, t - h, s, points)) / (2 * h)
    assert smoothed_gradient(f, [t, 0.0], s)[0] == pytest.approx(smoothed, abs=1e-6)
    if shape.kind == "step":
        assert smoothgrad(f, [t, 0.0], s)[0] == 0.0  # the a.e. derivative misses the jump
        assert smoothed_gradient(f, [t, 0.0], s)[0] == pytest.approx(
            math.exp(-0.5 * (t / s) ** 2) / (s * math.sqrt(2 * math.pi))
        )


@settings(max_examples=20, deadline=None)
@given(
    st.one_of(
        members("additive", shapes=("poly", "sin")),
        members("interaction", order=2, shapes=("poly", "sin")),
    ),
    st.sampled_from(list(GRID)),
    SIGMAS,
)
def test_products_of_smooth_shapes_against_gauss_hermite(f, x, s):
    # sin is entire: 60 Hermite nodes per axis integrate it to ~1e-12 for these frequencies
    want = hermite_expectation(f.grad, x, s, order=60)
    np.testing.assert_allclose(smoothgrad(f, x, s), want, atol=1e-8 * (1 + np.abs(want).max()))


def test_one_hidden_layer_relu_net_by_one_dimensional_integrals():
    W = np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 0.0]])
    c = np.array([0.0, 1.0, 3.0])
    a = np.array([1.0, -2.0, 5.0])  # the third unit is constant: no gradient
    f = fn.relu_net([(W, c), ([a], [0.5])], 2)
    x, s = np.array([0.3, -0.7]), 0.8
    want = np.zeros(2)
    for k in range(2):  # w.(x + s e) + c ~ N(w.x + c, s^2 |w|^2): E 1[. > 0] by quadrature
        m, sd = W[k] @ x + c[k], s * np.linalg.norm(W[k])
        p = _quad(lambda u: float(u > 0), m, sd, [0.0])
        want += a[k] * W[k] * p
    np.testing.assert_allclose(smoothgrad(f, x, s), want, atol=1e-9)


def test_closures_and_refusals():
    f = fn.interaction(2, [(2.0, {0: Shape("pow", (2,)), 1: Shape("sin", (1.0,))})], 1.0)
    x = np.array([0.5, -1.0])
    # swap and unused features move the coordinates
    np.testing.assert_allclose(smoothgrad(f.swap(0, 1), x[::-1], 0.5), smoothgrad(f, x, 0.5)[::-1])
    g = fn.add_unused(fn.relu_net([([[1.0, 2.0]], [0.5]), ([[1.0]], [0.0])], 2), [1])
    assert smoothgrad(g, [0.1, 7.0, -0.2], 0.5)[1] == 0.0
    tanh = fn.additive([[(1.0, Shape("tanh", (1.0,)))]])
    for oracle in (smoothgrad, smoothgrad_sq, vargrad):
        with pytest.raises(GroundTruthUnavailable):
            oracle(tanh, [0.0], 1.0)
    with pytest.raises(GroundTruthUnavailable):
        smoothgrad(nets.mlp([([[1.0]], [0.0]), ([[1.0]], [0.0])], 1, "gelu"), [0.0], 1.0)
    with pytest.raises(GroundTruthUnavailable):
        smoothgrad_sq(f, x, 1.0)  # sin: no closed form for the square here
