"""Planted bugs in Captum calls: two per family of Captum methods, each a plausible mistake in
how a user (or an adapter) calls Captum, and the correct twin the quality tests run the same
spec with (the built-in ``captum.*`` adapter).

Families: path integrals (IntegratedGradients), gradients (Saliency, InputXGradient), DeepLift
(DeepLift, DeepLiftShap), noise (NoiseTunnel), expected gradients (GradientShap), Shapley
sampling (ShapleyValues, ShapleyValueSampling), perturbation (FeatureAblation, KernelShap).

Each broken method takes the parameters of its twin (the same names and defaults), so a spec
runs either one. Import this module (``--plugin captum_plugins``) before loading the specs in
``specs/captum``. torch and captum are imported inside the methods.
"""

from __future__ import annotations

import dataclasses

import numpy as np

import explainspec
from explainspec.methods import captum_adapters as ca
from explainspec.methods.base import Problem
from explainspec.registry import registry


def _twin(name: str, bug: str, *, randomized: bool = False):
    """Register ``quality.<bug>`` with the parameters, output and scope of ``captum.<name>``."""
    entry = registry("method").get(f"captum.{name}")

    def decorate(fn):
        fn = ca._adapter(fn)  # Captum's warnings silenced, as in the adapters
        return explainspec.method(
            f"quality.{bug}",
            output=entry.extra["output"],
            scope=entry.extra["scope"],
            params=entry.params,
            statistic={"value_function": "a planted bug", "randomness": "as the twin"},
            randomized=randomized,
            doc=fn.__doc__,
        )(fn)

    return decorate


def _as(problem: Problem, name: str) -> ca._Call:
    return ca._Call(problem, f"captum.{name}")


# ---------------------------------------------------------------- path integrals


@_twin("integrated_gradients", "captum_ig_swapped")
def captum_ig_swapped(problem: Problem) -> np.ndarray:
    """IntegratedGradients with the input and the baseline swapped (attribute(b, baselines=x))."""
    c = _as(problem, "integrated_gradients")
    ig = c.attr.IntegratedGradients(c.model)
    k = c.inputs.shape[0]
    out = ig.attribute(
        c.baseline.repeat(k, 1),
        baselines=c.inputs,
        n_steps=int(c.p["n_steps"]),
        method=str(c.p["method"]),
    )
    return ca._numpy(out)


@_twin("integrated_gradients", "captum_ig_not_multiplied")
def captum_ig_not_multiplied(problem: Problem) -> np.ndarray:
    """IntegratedGradients(model, multiply_by_inputs=False): the mean gradient on the path, never
    multiplied by x - b."""
    c = _as(problem, "integrated_gradients")
    ig = c.attr.IntegratedGradients(c.model, multiply_by_inputs=False)
    out = ig.attribute(
        c.inputs, baselines=c.baseline, n_steps=int(c.p["n_steps"]), method=str(c.p["method"])
    )
    return ca._numpy(out)


# ---------------------------------------------------------------- gradients


@_twin("saliency", "captum_saliency_abs_always")
def captum_saliency_abs_always(problem: Problem) -> np.ndarray:
    """Saliency that drops the abs parameter (Captum's default abs=True is always used)."""
    c = _as(problem, "saliency")
    return ca._numpy(c.attr.Saliency(c.model).attribute(c.inputs))


@_twin("input_x_gradient", "captum_input_x_gradient_at_baseline")
def captum_input_x_gradient_at_baseline(problem: Problem) -> np.ndarray:
    """x times the gradient taken at the baseline instead of at x."""
    c = _as(problem, "input_x_gradient")
    k = c.inputs.shape[0]
    grads = c.attr.Saliency(c.model).attribute(c.baseline.repeat(k, 1), abs=False)
    return ca._numpy(grads) * np.asarray(ca._numpy(c.inputs))


# ---------------------------------------------------------------- DeepLift


@_twin("deeplift", "captum_deeplift_default_baseline")
def captum_deeplift_default_baseline(problem: Problem) -> np.ndarray:
    """DeepLift called without baselines (Captum then uses zeros), whatever the world's baseline."""
    c = _as(problem, "deeplift")
    return ca._numpy(c.attr.DeepLift(c.model).attribute(c.inputs))


@_twin("deeplift_shap", "captum_deeplift_shap_first_row")
def captum_deeplift_shap_first_row(problem: Problem) -> np.ndarray:
    """DeepLiftShap given only the first background row (as DeepLift: DeepLiftShap needs two)."""
    c = _as(problem, "deeplift_shap")
    return ca._numpy(c.attr.DeepLift(c.model).attribute(c.inputs, baselines=c.background[:1]))


# ---------------------------------------------------------------- NoiseTunnel


@_twin("noise_tunnel", "captum_smoothgrad_squares", randomized=True)
def captum_smoothgrad_squares(problem: Problem) -> np.ndarray:
    """NoiseTunnel told smoothgrad that averages the squared attributions (smoothgrad_sq)."""
    params = {**problem.params}
    if params.get("nt_type", "smoothgrad") == "smoothgrad":
        params["nt_type"] = "smoothgrad_sq"
    return ca.noise_tunnel(dataclasses.replace(problem, params=params))


@_twin("noise_tunnel", "captum_smoothgrad_no_noise", randomized=True)
def captum_smoothgrad_no_noise(problem: Problem) -> np.ndarray:
    """NoiseTunnel with the noise's standard deviation dropped (stdevs = 0.0)."""
    return ca.noise_tunnel(dataclasses.replace(problem, params={**problem.params, "stdevs": 0.0}))


# ---------------------------------------------------------------- GradientShap


@_twin("gradient_shap", "captum_gradient_shap_at_input", randomized=True)
def captum_gradient_shap_at_input(problem: Problem) -> np.ndarray:
    """(x - z) * grad f(x) for random background rows z: the gradient at the end of the path
    instead of at a random point on it."""
    c = _as(problem, "gradient_shap")
    rng = np.random.default_rng(problem.seed)
    x = ca._numpy(c.inputs)
    bg = ca._numpy(c.background)
    grad = ca._numpy(c.attr.Saliency(c.model).attribute(c.inputs, abs=False))
    n = int(c.p["n_samples"])
    z = bg[rng.integers(0, len(bg), size=(len(x), n))]  # (k, n, d)
    return ((x[:, None, :] - z) * grad[:, None, :]).mean(axis=1)


@_twin("gradient_shap", "captum_gradient_shap_mean_baseline", randomized=True)
def captum_gradient_shap_mean_baseline(problem: Problem) -> np.ndarray:
    """GradientShap given the mean of the background as its only baseline (two copies of it)."""
    c = _as(problem, "gradient_shap")
    mean = c.background.mean(dim=0, keepdim=True).repeat(2, 1)
    gs = c.attr.GradientShap(c.model)
    with ca.seeded(problem.seed):
        out = gs.attribute(c.inputs, baselines=mean, n_samples=int(c.p["n_samples"]))
    return ca._numpy(out)


# ---------------------------------------------------------------- Shapley sampling


@_twin("shapley_values", "captum_shapley_values_default_baseline")
def captum_shapley_values_default_baseline(problem: Problem) -> np.ndarray:
    """ShapleyValues called without baselines (Captum then uses zeros)."""
    c = _as(problem, "shapley_values")
    return ca._numpy(c.attr.ShapleyValues(c.model).attribute(c.inputs))


@_twin("shapley_value_sampling", "captum_svs_one_order", randomized=True)
def captum_svs_one_order(problem: Problem) -> np.ndarray:
    """Marginal contributions in one fixed feature order (0, 1, ..., d-1), as if the permutation
    sampler were never shuffled."""
    c = _as(problem, "shapley_value_sampling")
    fn = problem.f
    b = np.asarray(problem.baseline, dtype=float)
    out = []
    for x in np.atleast_2d(problem.points):
        z = b.copy()
        prev = float(fn(z))
        phi = np.zeros_like(x)
        for i in range(len(x)):
            z[i] = x[i]
            cur = float(fn(z))
            phi[i], prev = cur - prev, cur
        out.append(phi)
    del c  # the twin's parameters were validated; the bug never uses them
    return np.stack(out)


# ---------------------------------------------------------------- perturbation


@_twin("feature_ablation", "captum_feature_ablation_reversed")
def captum_feature_ablation_reversed(problem: Problem) -> np.ndarray:
    """FeatureAblation's drop taken the wrong way round: f(ablated) - f(x)."""
    return -ca.feature_ablation(problem)


@_twin("kernel_shap", "captum_kernel_shap_lime_sampling", randomized=True)
def captum_kernel_shap_lime_sampling(problem: Problem) -> np.ndarray:
    """ "KernelShap" built as Lime with a linear surrogate: uniform coalitions and cosine-kernel
    weights instead of the Shapley kernel with the 1e6-weighted full and empty coalitions."""
    c = _as(problem, "kernel_shap")
    from captum._utils.models.linear_model import SkLearnLinearRegression

    lime = c.attr.Lime(c.model, interpretable_model=SkLearnLinearRegression())
    out = []
    with ca.seeded(problem.seed), ca._quiet():
        for x in c.inputs:
            attr = lime.attribute(
                x.unsqueeze(0), baselines=c.baseline, n_samples=int(c.p["n_samples"])
            )
            out.append(ca._numpy(attr)[0])
    return np.stack(out)


BROKEN: dict[str, str] = {
    "quality.captum_ig_swapped": "captum.integrated_gradients",
    "quality.captum_ig_not_multiplied": "captum.integrated_gradients",
    "quality.captum_saliency_abs_always": "captum.saliency",
    "quality.captum_input_x_gradient_at_baseline": "captum.input_x_gradient",
    "quality.captum_deeplift_default_baseline": "captum.deeplift",
    "quality.captum_deeplift_shap_first_row": "captum.deeplift_shap",
    "quality.captum_smoothgrad_squares": "captum.noise_tunnel",
    "quality.captum_smoothgrad_no_noise": "captum.noise_tunnel",
    "quality.captum_gradient_shap_at_input": "captum.gradient_shap",
    "quality.captum_gradient_shap_mean_baseline": "captum.gradient_shap",
    "quality.captum_shapley_values_default_baseline": "captum.shapley_values",
    "quality.captum_svs_one_order": "captum.shapley_value_sampling",
    "quality.captum_feature_ablation_reversed": "captum.feature_ablation",
    "quality.captum_kernel_shap_lime_sampling": "captum.kernel_shap",
}
