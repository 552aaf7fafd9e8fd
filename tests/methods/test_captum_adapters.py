"""The Captum adapters: each one against its exact statistic on fixed worlds, seeding, batching,
dtypes and the torch module's reuse. (The spec library checks them over generated worlds.)"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from explainspec import oracles
from explainspec.methods.base import Problem
from explainspec.oracles.paths import deeplift_rescale, expected_gradients, ig_quadrature
from explainspec.oracles.smoothing import smoothgrad
from explainspec.worlds import fitted, nets
from explainspec.worlds import functions as fn

torch = pytest.importorskip("torch")
pytest.importorskip("captum")

from explainspec.methods import captum_adapters as C  # noqa: E402

GRID = np.array(np.meshgrid(*[[-1.0, 0.0, 1.0]] * 3, indexing="ij")).reshape(3, -1).T
BACKGROUND = GRID[::4]  # 7 rows
POINTS = np.array([[1.0, -1.0, 0.5], [0.0, 1.0, -1.0]])
BASELINE = np.array([-1.0, 0.5, 0.0])

RELU = fn.relu_net(
    [
        ([[1.0, -1.0, 0.5], [0.5, 2.0, -1.0], [1.0, 1.0, 1.0]], [0.0, 1.0, -0.5]),
        ([[1.0, -2.0, 0.5]], [0.5]),
    ],
    3,
)
DEEP = fn.relu_net(
    [
        ([[1.0, -1.0, 0.5], [0.5, 2.0, -1.0]], [0.0, 1.0]),
        ([[1.0, -1.0], [0.5, 1.0]], [0.5, -0.5]),
        ([[2.0, -1.0]], [0.0]),
    ],
    3,
)
POLY = fn.interaction(
    3,
    [
        (1.0, {0: fn.Shape("pow", (2,)), 1: fn.Shape("pow", (1,))}),
        (-2.0, {2: fn.Shape("pow", (3,))}),
    ],
    0.5,
)
SMOOTH = fn.interaction(
    3,
    [
        (2.0, {0: fn.Shape("sin", (1.0,)), 1: fn.Shape("pow", (2,))}),
        (1.0, {2: fn.Shape("tanh", (2.0,))}),
    ],
)
ADDITIVE = fn.additive(
    [[(1.0, fn.Shape("pow", (2,)))], [(2.0, fn.Shape("sin", (1.0,)))], [(-1.0, fn.Shape("abs"))]],
    1.0,
)


def problem(f, seed: int = 3, **params) -> Problem:
    return Problem(
        f=f,
        points=POINTS,
        background=BACKGROUND,
        data=GRID,
        y=f(GRID),
        grid=np.zeros((3, 0)),
        baseline=BASELINE,
        seed=seed,
        params=params,
    )


def rows(oracle, f, *args) -> np.ndarray:
    return np.stack([oracle(f, x, *args) for x in POINTS])


# ----------------------------------------------------------------- the statistics


@pytest.mark.parametrize(
    "rule", ["gausslegendre", "riemann_left", "riemann_right", "riemann_middle"]
)
@pytest.mark.parametrize("f", [POLY, SMOOTH], ids=["poly", "smooth"])
def test_integrated_gradients_is_the_stated_rule(f, rule):
    phi = C.integrated_gradients(problem(f, method=rule, n_steps=20))
    want = rows(ig_quadrature, f, BASELINE, 20, rule)
    np.testing.assert_allclose(phi, want, atol=1e-6 * (1 + np.abs(want).sum()))


def test_trapezoid_weights_add_up_to_one_minus_one_over_n():
    f = fn.linear([1.0, -2.0, 0.5], 3.0)
    phi = C.integrated_gradients(problem(f, method="riemann_trapezoid", n_steps=10))
    np.testing.assert_allclose(phi, 0.9 * f.weights * (POINTS - BASELINE), rtol=1e-7)


def test_gradient_methods():
    for f in (RELU, SMOOTH, ADDITIVE):
        g = f.grad(POINTS)
        np.testing.assert_allclose(C.saliency(problem(f)), np.abs(g), atol=1e-12)
        np.testing.assert_allclose(C.saliency(problem(f, abs=False)), g, atol=1e-12)
        np.testing.assert_allclose(C.input_x_gradient(problem(f)), POINTS * g, atol=1e-12)


def test_deeplift_is_the_rescale_rule_and_deeplift_shap_its_mean():
    for f in (RELU, DEEP, nets.mlp([([[1.0, 2.0, -1.0]], [0.5]), ([[3.0]], [0.0])], 3, "tanh")):
        np.testing.assert_allclose(
            C.deeplift(problem(f)), rows(deeplift_rescale, f, BASELINE), atol=1e-10
        )
        want = rows(oracles.paths.deeplift_shap, f, BACKGROUND)
        np.testing.assert_allclose(C.deeplift_shap(problem(f)), want, atol=1e-10)


def test_perturbation_methods():
    for f in (RELU, POLY, ADDITIVE):
        occ = rows(oracles.occlusion, f, BASELINE)
        np.testing.assert_allclose(C.feature_ablation(problem(f)), occ, atol=1e-12)
        np.testing.assert_allclose(C.occlusion(problem(f)), occ, atol=1e-6)
        bshap = rows(oracles.shapley_baseline, f, BASELINE)
        np.testing.assert_allclose(C.shapley_values(problem(f)), bshap, atol=1e-5)
        interventional = rows(oracles.shapley, f, BACKGROUND)
        np.testing.assert_allclose(
            C.shapley_values(problem(f, baselines="background")), interventional, atol=1e-5
        )
    # KernelShap and Lime with a linear surrogate are exact for an additive model
    bshap = rows(oracles.shapley_baseline, ADDITIVE, BASELINE)
    np.testing.assert_allclose(C.kernel_shap(problem(ADDITIVE)), bshap, atol=1e-5)
    np.testing.assert_allclose(
        C.lime(problem(ADDITIVE, interpretable_model="linear")),
        rows(oracles.occlusion, ADDITIVE, BASELINE),
        atol=1e-5,
    )


def test_shapley_value_sampling_is_efficient_and_unbiased():
    runs = np.stack(
        [
            C.shapley_value_sampling(problem(POLY, seed=s, perturbations_per_eval=8))
            for s in range(20)
        ]
    )
    total = POLY(POINTS) - POLY(BASELINE)
    np.testing.assert_allclose(runs.sum(axis=2), np.broadcast_to(total, (20, 2)), atol=1e-5)
    bshap = rows(oracles.shapley_baseline, POLY, BASELINE)
    se = runs.std(axis=0) / np.sqrt(20)
    assert np.all(np.abs(runs.mean(axis=0) - bshap) <= 5 * se + 1e-4)


def test_gradient_shap_and_smoothgrad_are_unbiased():
    runs = np.stack([C.gradient_shap(problem(POLY, seed=s, n_samples=50)) for s in range(40)])
    want = rows(expected_gradients, POLY, BACKGROUND)
    se = runs.std(axis=0) / np.sqrt(40)
    assert np.all(np.abs(runs.mean(axis=0) - want) <= 5 * se + 1e-9)
    f = fn.multilinear(3, {(0, 1): 1.0, (2,): 2.0})
    runs = np.stack(
        [C.noise_tunnel(problem(f, seed=s, abs=False, nt_samples=50)) for s in range(40)]
    )
    want = rows(smoothgrad, f, 1.0)
    se = runs.std(axis=0) / np.sqrt(40)
    assert np.all(np.abs(runs.mean(axis=0) - want) <= 5 * se + 1e-9)


def test_feature_permutation_is_zero_for_an_additive_model_and_global():
    out = C.feature_permutation(problem(ADDITIVE))
    assert out.shape == (3,)
    np.testing.assert_allclose(out, 0.0, atol=1e-12)
    assert np.abs(C.feature_permutation(problem(POLY))).max() > 1e-3


# ----------------------------------------------------------------- seeds, batching, dtypes


RANDOMIZED = [
    ("gradient_shap", {}),
    ("shapley_value_sampling", {}),
    ("kernel_shap", {}),
    ("lime", {}),
    ("noise_tunnel", {}),
    ("feature_permutation", {}),
]


@pytest.mark.parametrize(("name", "params"), RANDOMIZED, ids=[n for n, _ in RANDOMIZED])
def test_randomized_methods_are_reproducible_and_leave_global_rngs_alone(name, params):
    method = getattr(C, name)
    torch_state = torch.random.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    a = method(problem(POLY, seed=5, **params))
    b = method(problem(POLY, seed=5, **params))
    c = method(problem(POLY, seed=6, **params))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert torch.equal(torch_state, torch.random.get_rng_state())
    np.testing.assert_array_equal(np_state, np.random.get_state()[1])


@pytest.mark.parametrize(
    "name",
    [
        "feature_ablation",
        "occlusion",
        "shapley_values",
        "shapley_value_sampling",
        "kernel_shap",
        "lime",
    ],
)
def test_perturbations_per_eval_changes_no_number(name):
    method = getattr(C, name)
    np.testing.assert_array_equal(
        method(problem(RELU)), method(problem(RELU, perturbations_per_eval=16))
    )


def test_float32_model():
    phi32 = C.integrated_gradients(problem(SMOOTH, dtype="float32"))
    phi64 = C.integrated_gradients(problem(SMOOTH))
    np.testing.assert_allclose(phi32, phi64, atol=1e-4)
    with pytest.raises(ValueError, match="dtype"):
        C.saliency(problem(SMOOTH, dtype="float16"))


def test_module_is_built_once_per_world_function():
    f = fn.relu_net([([[1.0, -1.0, 0.5]], [0.0]), ([[2.0]], [0.5])], 3)
    C.integrated_gradients(problem(f))
    module = f.__dict__["_torch_modules"]["float64"]
    C.saliency(problem(f))
    C.deeplift(problem(f))
    assert f.__dict__["_torch_modules"]["float64"] is module


def test_bad_parameters_are_clear_errors():
    with pytest.raises(ValueError, match="nt_type"):
        C.noise_tunnel(problem(SMOOTH, nt_type="smooth"))
    with pytest.raises(ValueError, match="base"):
        C.noise_tunnel(problem(SMOOTH, base="lime"))
    with pytest.raises(ValueError, match="baselines"):
        C.shapley_values(problem(SMOOTH, baselines="mean"))
    with pytest.raises(ValueError, match="interpretable_model"):
        C.lime(problem(SMOOTH, interpretable_model="tree"))


def test_trees_are_not_applicable():
    from explainspec.methods.base import NotApplicable

    tree = fitted.fit_tree(GRID, GRID[:, 0], depth=2)
    with pytest.raises(NotApplicable):
        C.saliency(dataclasses.replace(problem(RELU), f=tree))


def test_sizes_over_the_cells_limit_are_refused_before_allocating():
    from explainspec.catalog.limits import limit

    huge = limit("cells")  # times 6 input cells: over the limit
    with pytest.raises(ValueError, match="'cells' limit"):
        C.integrated_gradients(problem(SMOOTH, n_steps=huge))
    with pytest.raises(ValueError, match="'cells' limit"):
        C.noise_tunnel(problem(SMOOTH, nt_samples=huge))
    with pytest.raises(ValueError, match="'cells' limit"):
        C.gradient_shap(problem(SMOOTH, n_samples=huge))
    with pytest.raises(oracles.OracleError, match="limit"):
        ig_quadrature(SMOOTH, POINTS[0], BASELINE, 10**9, "riemann_left")
