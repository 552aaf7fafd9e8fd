"""``f.handover("torch")``: the module computes f, and torch.autograd gives the world's analytic
gradient, for every family that has a module form (and its closures: sums, swap, unused, link).

The gradient is compared with ``f.grad`` (the families' own exact gradient) at continuous points
(away from kinks) and at grid points (on kinks, where both must follow the same one-sided
convention). The ``mlp`` family's own gradient is checked against central differences in
``test_mlp_gradient_matches_central_differences``, so the chain is closed.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explainspec.methods.base import NotApplicable
from explainspec.worlds import fitted, nets
from explainspec.worlds import functions as fn
from explainspec.worlds.spec import NET_ACTIVATIONS, FamilyChoice
from explainspec.worlds.strategies import family_member

torch = pytest.importorskip("torch")

GRID = np.array(np.meshgrid(*[[-1.0, 0.0, 1.0]] * 3, indexing="ij")).reshape(3, -1).T


def members(name: str, d: int = 3, **params) -> st.SearchStrategy:
    return family_member((FamilyChoice(name=name, params=params),), d, GRID[:, :d])


def modified(name: str, d: int = 3, **mods) -> st.SearchStrategy:
    return family_member((FamilyChoice(name=name, **mods),), d, GRID[:, :d])


FAMILIES = st.one_of(
    members("linear"),
    members("additive"),
    members("multilinear"),
    members("interaction", order=2),
    members("interaction", order=3),
    members("relu_net", width=3, depth=2),
    members("relu_net", width=3, depth=1, bias=False),
    members("mlp", activation="tanh", depth=2),
    members("mlp", activation="gelu", width=2, depth=2, bias=False),
    members("mlp", activation="relu"),
    members("formula", text="max(x0, x1) * sin(x2) + abs(x0 - 1) / (2 + x1**2)"),
    modified("relu_net", unused=1),
    modified("additive", symmetric=(0, 1)),
    modified("interaction", link="logistic"),
    modified("multilinear", off_support_bump=1.0),
)


def autograd(module, X: np.ndarray, dtype=None) -> tuple[np.ndarray, np.ndarray]:
    z = torch.tensor(X, dtype=dtype or torch.float64, requires_grad=True)
    out = module(z)
    (g,) = torch.autograd.grad(out.sum(), z)
    return out.detach().double().numpy(), g.double().numpy()


#: small nets trained on the world's data (scikit-learn fits them: slower, fewer examples)
TRAINED = st.one_of(
    members("model", kind="mlp", on=(FamilyChoice(name="additive"),)),
    members("model", kind="logistic", on=(FamilyChoice(name="interaction"),)),
)


@settings(max_examples=40, deadline=None)
@given(FAMILIES, st.integers(0, 2**16))
def test_module_values_and_gradients_equal_the_world_function(f, seed):
    check_module(f, seed)


@settings(max_examples=3, deadline=None)
@given(TRAINED, st.integers(0, 2**16))
def test_trained_nets_are_handed_over_exactly(f, seed):
    check_module(f, seed)


def check_module(f, seed: int) -> None:
    module = f.handover("torch")
    continuous = np.random.default_rng(seed).uniform(-2.5, 2.5, size=(6, f.d)) + 1e-3
    for X in (continuous, GRID[:, : f.d]):
        values, grads = autograd(module, X)
        np.testing.assert_allclose(values, f(X), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(grads, f.grad(X), rtol=1e-11, atol=1e-11)


@settings(max_examples=20, deadline=None)
@given(FAMILIES, st.integers(0, 2**16))
def test_float32_variant_agrees_to_float32_precision(f, seed):
    # continuous points: a kink hit exactly in float64 need not be hit in float32
    X = np.random.default_rng(seed).uniform(-2.5, 2.5, size=(6, f.d)) + 1e-3
    values, grads = autograd(f.handover("torch:float32"), X, torch.float32)
    scale = 1 + np.abs(f(X)).max()
    np.testing.assert_allclose(values, f(X), atol=1e-5 * scale)
    np.testing.assert_allclose(grads, f.grad(X), atol=1e-4 * (1 + np.abs(f.grad(X)).max()))
    assert f.handover("torch:float32")(torch.zeros(1, f.d, dtype=torch.float32)).dtype == (
        torch.float32
    )


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(["tanh", "gelu"]),
    st.booleans(),
    st.integers(1, 3),
    st.integers(1, 2),
    st.integers(0, 2**16),
)
def test_mlp_gradient_matches_central_differences(activation, bias, width, depth, seed):
    rng = np.random.default_rng(seed)
    d = 3
    layers, fan_in = [], d
    for _ in range(depth):
        layers.append((rng.normal(size=(width, fan_in)), rng.normal(size=width) * bias))
        fan_in = width
    layers.append((rng.normal(size=(1, fan_in)), rng.normal(size=1) * bias))
    f = nets.mlp(layers, d, activation, bias)
    X = rng.uniform(-2, 2, size=(5, d))
    h = 1e-6
    G = np.stack([(f(X + h * e) - f(X - h * e)) / (2 * h) for e in np.eye(d)], axis=1)
    np.testing.assert_allclose(f.grad(X), G, rtol=1e-6, atol=1e-7)


def test_activations_are_listed_once():
    assert nets.ACTIVATIONS == NET_ACTIVATIONS


def test_module_is_built_once_per_function_and_dtype():
    f = fn.relu_net([([[1.0, -1.0], [0.5, 2.0]], [0.0, 1.0]), ([[1.0, -2.0]], [0.5])], 2)
    m = f.handover("torch")
    assert f.handover("torch") is m and f.handover("torch:float64") is m
    assert f.handover("torch:float32") is f.handover("torch:float32") is not m
    g = 2 * f  # a new function object gets its own module
    assert g.handover("torch") is not m


def test_networks_are_sequential_linear_and_activation_modules():
    f = fn.relu_net([([[1.0, -1.0], [0.5, 2.0]], [0.0, 1.0]), ([[1.0, -2.0]], [0.5])], 2)
    kinds = [type(m).__name__ for m in f.handover("torch").net]
    assert kinds == ["Linear", "ReLU", "Linear"]
    g = nets.mlp([([[1.0, 0.5]], [0.0]), ([[2.0]], [0.0])], 2, "gelu", bias=False)
    assert [type(m).__name__ for m in g.handover("torch").net] == ["Linear", "GELU", "Linear"]
    # relu nets after `unused` keep one ReLU module per unit (module-based methods see them)
    h = fn.add_unused(f, [0])
    assert sum(type(m).__name__ == "ReLU" for m in h.handover("torch").modules()) == 2


def test_building_leaves_the_global_torch_rng_alone():
    state = torch.random.get_rng_state()
    nets.mlp([([[1.0, 0.5]], [0.0]), ([[2.0]], [0.0])], 2, "tanh").handover("torch")
    assert torch.equal(state, torch.random.get_rng_state())


def test_trees_and_plugins_are_not_applicable():
    X = GRID[:, :2]
    tree = fitted.fit_tree(X, X[:, 0], depth=2)
    with pytest.raises(NotApplicable, match="no torch module form"):
        tree.handover("torch")
    with pytest.raises(NotApplicable, match="unknown torch handover form"):
        fn.linear([1.0, 2.0]).handover("torch:float16")


def test_missing_torch_is_not_applicable_with_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(NotApplicable, match=r"explainspec\[torch\]"):
        fn.linear([1.0, 2.0]).handover("torch")


def test_piecewise_constant_and_constant_functions_have_a_zero_gradient():
    step = fn.Shape("step", (0.0,))
    for f in (fn.additive([[(1.0, step)], [(2.0, step)]]), fn.constant(3.0, 2)):
        values, grads = autograd(f.handover("torch"), GRID[:, :2] + 0.25)
        np.testing.assert_array_equal(values, f(GRID[:, :2] + 0.25))
        np.testing.assert_array_equal(grads, np.zeros((27, 2)))
