"""Each family's declared ground truth matches what its functions compute, on generated members.

Ground truth is checked against independent computations: central differences for gradients,
direct perturbation for ``uses``, the re-parsed formula text for ``formula()``, sklearn's own
``tree_.feature`` and ``predict`` for trees and hand-overs.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from explainspec.worlds import fitted
from explainspec.worlds import functions as fn
from explainspec.worlds.base import Function, GroundTruthUnavailable
from explainspec.worlds.families import BUILDERS
from explainspec.worlds.functions import IDENTITY, Shape
from explainspec.worlds.spec import FamilyChoice, Range
from explainspec.worlds.strategies import family_member

GRID = np.array(np.meshgrid(*[[-1.0, 0.0, 1.0]] * 3, indexing="ij")).reshape(3, -1).T


def points(seed: int, n: int, d: int) -> np.ndarray:
    """Continuous points in about [-2.5, 2.5]: almost surely away from every kink and step."""
    return np.random.default_rng(seed).uniform(-2.5, 2.5, size=(n, d)) + 1e-3


def members(name: str, d: int = 3, **params) -> st.SearchStrategy[Function]:
    return family_member((FamilyChoice(name=name, params=params),), d, GRID[:, :d])


ANALYTIC = st.one_of(
    members("linear"),
    members("additive"),
    members("multilinear"),
    members("interaction", order=2),
    members("interaction", order=3),
    members("relu_net", width=3, depth=2),
)


def central_diff(f: Function, X: np.ndarray, h: float = 1e-6) -> np.ndarray:
    G = np.zeros_like(X)
    for j in range(X.shape[1]):
        E = np.zeros_like(X)
        E[:, j] = h
        G[:, j] = (f(X + E) - f(X - E)) / (2 * h)
    return G


@given(ANALYTIC, st.integers(0, 2**16))
def test_grad_matches_central_differences(f, seed):
    X = points(seed, 8, f.d)
    G = f.grad(X)
    assert G.shape == X.shape
    np.testing.assert_allclose(G, central_diff(f, X), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(f.grad(X[0]), G[0])


@given(ANALYTIC, st.integers(0, 2**16))
def test_formula_text_reparses_to_the_same_function(f, seed):
    text = f.formula()
    assert text.startswith("f(x) = ")
    again = fn.formula(text.removeprefix("f(x) = "), f.d)
    X = points(seed, 16, f.d)
    np.testing.assert_allclose(again(X), f(X), rtol=1e-12, atol=1e-12)


@given(st.one_of(members("additive"), members("interaction", order=2)), st.integers(0, 2**16))
def test_terms_re_evaluate_to_f(f, seed):
    X = points(seed, 16, f.d)
    total = np.full(len(X), f.intercept)
    for coef, factors in f.terms:
        prod = np.full(len(X), coef)
        for j, shape in factors.items():
            prod = prod * shape(X[:, j])
        total += prod
    np.testing.assert_allclose(total, f(X), rtol=1e-12, atol=1e-12)
    # term(S) are the pieces: they add up to f minus the intercept
    sets = {frozenset(fs) for _, fs in f.terms}
    pieces = sum((f.term(S)(X) for S in sets), np.zeros(len(X)))
    np.testing.assert_allclose(pieces, f(X) - f.intercept, rtol=1e-12, atol=1e-12)


@given(members("additive"), st.integers(0, 2**16))
def test_components_sum_to_f_minus_intercept(f, seed):
    X = points(seed, 16, f.d)
    total = sum(f.component(i, X[:, i]) for i in range(f.d))
    np.testing.assert_allclose(total, f(X) - f.intercept, rtol=1e-12, atol=1e-12)
    assert isinstance(f.component(0, 0.25), float)


def test_component_of_an_interaction_is_unavailable():
    f = fn.multilinear(2, {(0, 1): 1.0})
    with pytest.raises(GroundTruthUnavailable):
        f.component(0, 1.0)
    with pytest.raises(GroundTruthUnavailable):
        _ = f.weights


UNUSED = st.sampled_from(["linear", "additive", "interaction", "relu_net", "tree", "model"])


@given(UNUSED, st.integers(1, 2), st.integers(0, 2**16), st.data())
def test_unused_features_have_no_effect_anywhere(name, k, seed, data):
    params = {"order": 2} if name == "interaction" else {}
    if name == "model":
        params = {
            "kind": data.draw(st.sampled_from(["gbr", "mlp", "logistic"])),
            "on": (FamilyChoice(name="additive"),),
        }
    choice = FamilyChoice(name=name, params=params, unused=k)
    D = 3 + k
    f = data.draw(family_member((choice,), D, points(seed, 40, D).round(1)))
    unused = [i for i in range(D) if not f.uses(i)]
    assert len(unused) >= k
    X = points(seed, 16, D)
    Y = X.copy()
    Y[:, unused] = np.random.default_rng(seed + 1).normal(scale=10, size=(16, len(unused)))
    np.testing.assert_array_equal(f(X), f(Y))  # also far off any support


def test_unused_positions_are_interleaved_not_always_last():
    f = fn.add_unused(fn.linear([1.0, 2.0]), [0, 2])
    assert [f.uses(i) for i in range(4)] == [False, True, False, True]
    assert f.formula() == "f(x) = x1 + 2*x3"


@given(st.one_of(ANALYTIC, members("tree", depth=2)), st.integers(0, 2**16))
def test_symmetric_pair_commutes(f, seed):
    g = fn.symmetrize(f, 0, 2)
    X = points(seed, 16, f.d)
    np.testing.assert_allclose(g(X), g(X[:, [2, 1, 0]]), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g(X), g.swap(0, 2)(X), rtol=1e-12, atol=1e-12)


@given(members("tree", depth=Range(1, 3)))
def test_tree_uses_are_its_split_features_and_handover_predicts_f(f):
    model = f.handover("sklearn")
    feats = set(model.tree_.feature[model.tree_.feature >= 0].tolist())
    assert {i for i in range(f.d) if f.uses(i)} == feats
    np.testing.assert_array_equal(model.predict(GRID), f(GRID))
    assert f.depth <= 3
    leaves = [n for n in f.nodes if n.feature < 0]
    assert all(v.value * 2 == round(v.value * 2) for v in leaves)  # readable leaf values
    assert sum(n.cover for n in leaves) == f.nodes[0].cover


@given(members("linear"), st.integers(0, 2**16))
def test_linear_handover_predicts_the_same(f, seed):
    X = points(seed, 16, f.d)
    est = f.handover("sklearn")
    np.testing.assert_allclose(est.predict(X), f(X), rtol=1e-12)
    coef, intercept = f.handover("linear")
    np.testing.assert_allclose(X @ coef + intercept, f(X), rtol=1e-12)
    np.testing.assert_array_equal(coef, f.weights)


def test_handover_of_a_nonlinear_function_is_not_applicable():
    from explainspec.methods.base import NotApplicable

    with pytest.raises(NotApplicable):
        fn.multilinear(2, {(0, 1): 1.0}).handover("sklearn")
    assert fn.multilinear(2, {(0, 1): 1.0}).handover("callable")([[2.0, 3.0]])[0] == 6.0


@given(
    ANALYTIC,
    st.one_of(ANALYTIC, members("tree")),
    st.sampled_from([2.0, -0.5, 3.0]),
    st.integers(0, 2**16),
)
def test_arithmetic_stays_exact(f, g, a, seed):
    X = points(seed, 8, f.d)
    for h, expect in [
        (a * f + g, a * f(X) + g(X)),
        (f - g, f(X) - g(X)),
        (-f, -f(X)),
        (f / 2, f(X) / 2),
        (f + 1, f(X) + 1),
    ]:
        np.testing.assert_allclose(h(X), expect, rtol=1e-12, atol=1e-12)
        assert set(h.tags) >= {"callable"}
    np.testing.assert_allclose(
        (a * f + g).grad(X), a * f.grad(X) + g.grad(X), rtol=1e-12, atol=1e-12
    )
    zero = f - f
    assert not any(zero.uses(i) for i in range(f.d))
    assert [(f + g).uses(i) for i in range(f.d)] == [
        f.uses(i) or g.uses(i) for i in range(f.d)
    ] or ("terms" in f.tags and "terms" in g.tags)


@given(ANALYTIC, st.integers(0, 2**16))
def test_swap_exchanges_features_with_exact_gradient(f, seed):
    X = points(seed, 8, f.d)
    g = f.swap(0, 1)
    np.testing.assert_allclose(g(X), f(X[:, [1, 0, 2]]), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        g.grad(X), f.grad(X[:, [1, 0, 2]])[:, [1, 0, 2]], rtol=1e-12, atol=1e-12
    )
    assert [g.uses(i) for i in range(3)] == [f.uses(1), f.uses(0), f.uses(2)]


def test_logistic_link_is_exact():
    f = fn.logistic(fn.linear([2.0, -1.0], 0.5))
    x = np.array([0.3, 0.2])
    p = 1 / (1 + np.exp(-(0.6 - 0.2 + 0.5)))
    assert f(x) == pytest.approx(p, rel=1e-15)
    np.testing.assert_allclose(f.grad(x), p * (1 - p) * np.array([2.0, -1.0]), rtol=1e-14)
    assert f.formula() == "f(x) = 1/(1 + exp(-(2*x0 - x1 + 0.5)))"


@given(ANALYTIC, st.sampled_from(["grid", "dependent"]))
def test_off_support_bump_changes_f_only_off_the_support(f, kind):
    from explainspec.worlds import distributions as dist

    P = dist.grid(3, 3) if kind == "grid" else dist.dependent(3, 0.5)
    if kind == "dependent":
        P = dist.from_rows(np.unique(P.rows, axis=0)[::2])  # a support that is not a product
    g = fn.off_support_bump(f, P.rows)
    np.testing.assert_array_equal(g(P.rows), f(P.rows))
    c = g.bump_centre
    assert g(c) - f(c) == pytest.approx(1.0)
    assert not any((P.rows == c).all(axis=1))


def test_shapes_are_exact_and_readable():
    f = fn.interaction(
        3,
        [
            (2.0, {0: IDENTITY}),
            (-1.0, {1: IDENTITY, 2: IDENTITY}),
            (1.0, {2: Shape("sin", (1.0,))}),
            (0.5, {0: Shape("step", (0.5,))}),
            (1.0, {1: Shape("relu", (-1.0,))}),
        ],
    )
    assert f.formula() == "f(x) = 2*x0 + 0.5*step(x0 - 0.5) + relu(x1 + 1) + sin(x2) - x1*x2"
    assert f([1.0, 2.0, 0.0]) == 2 + 0.5 + 3 + 0 - 0
    assert f.order == 2 and "additive" not in f.tags and "differentiable" not in f.tags


def test_model_family_mlp_gradient_and_conservative_uses():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    X[:, 1] = 0.0
    f = fitted.fit_model("mlp", X, X[:, 0] ** 2 + X[:, 2], seed=0)
    assert [f.uses(i) for i in range(3)] == [True, False, True]
    P = points(1, 6, 3)
    np.testing.assert_allclose(f.grad(P), central_diff(f, P), rtol=1e-5, atol=1e-6)
    assert f.handover("sklearn") is f.model


def test_every_builder_is_declared_in_the_catalog():
    from explainspec.registry import registry

    reg = registry("family")
    for name in BUILDERS:
        assert reg.get(name).load() is BUILDERS[name]
