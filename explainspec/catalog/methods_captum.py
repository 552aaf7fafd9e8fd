"""Captum's attribution methods, declared as plain data (no torch or captum import here).

The adapters are :mod:`explainspec.methods.captum_adapters`; they need the ``torch`` extra
(``pip install "explainspec[torch]"``): ``extra["needs"]`` lists the modules, and a claim whose
method needs a module that cannot be imported is reported ``skipped`` with the install hint,
before any world is drawn. Parameters carry Captum 0.9's defaults, so a spec that leaves one out
checks the method as Captum's users run it. Every entry states its statistic: which value
function, which baseline, what the numbers are.

Facts about Captum 0.9 recorded below (read in its source, and measured by the specs
``specs/captum_*``):

- ``IntegratedGradients`` multiplies the gradients by ``torch.tensor(step_sizes).float()``: the
  quadrature weights are rounded to float32 even for a float64 model (relative error up to
  ~6e-8 per weight); the Riemann rules' positions come from ``torch.linspace`` in float32.
- Its ``riemann_trapezoid`` rule uses the step ``1/n`` with halved end weights at the ``n``
  points ``linspace(0, 1, n)``: the weights add up to ``1 - 1/n``, so the result is
  ``(1 - 1/n)`` times the trapezoid rule (a 2% shortfall at the default 50 steps, even for a
  linear model).
- ``Lime`` and ``KernelShap`` fit the surrogate with scikit-learn and return its coefficients as
  ``torch.FloatTensor``: float32.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from explainspec.registry import Entry, Param

_T = "explainspec.methods.captum_adapters"

#: what a captum method needs installed, and how to get it (read by the runner before any world)
NEEDS = ("torch", "captum")
INSTALL = "explainspec[torch]"

_SEEDED = (
    "torch.random.fork_rng() with torch.manual_seed(seed), and numpy's global RNG seeded with "
    "seed (GradientShap draws from it); both states restored after the call"
)

_DTYPE = Param(
    name="dtype",
    type="'float64' | 'float32'",
    default="float64",
    doc="dtype of the model (f.handover('torch') or 'torch:float32') and of the inputs.",
)
_MULTIPLY = Param(
    name="multiply_by_inputs",
    type="bool",
    default=True,
    doc="Captum default True: the 'global' attribution, multiplied by (x - baseline); False "
    "returns the 'local' multipliers.",
)
_BASELINES = Param(
    name="baselines",
    type="'baseline' | 'background'",
    default="baseline",
    doc="'baseline': the world's baseline point for every input (Captum's usual call); "
    "'background': every input against every background row (per-example baselines), averaged.",
)


def _c(
    name: str,
    attr: str,
    doc: str,
    *,
    statistic: dict[str, Any],
    params: tuple[Param, ...] = (),
    randomized: bool = False,
    output: str = "attribution",
    scope: str = "local",
) -> Entry:
    return Entry(
        kind="method",
        name=f"captum.{name}",
        doc=doc,
        params=params + (_DTYPE,),
        target=f"{_T}:{attr}",
        extra=MappingProxyType(
            {
                "output": output,
                "scope": scope,
                "statistic": dict(statistic),
                "requires": ("callable",),
                "randomized": randomized,
                "library": "captum",
                "needs": NEEDS,
                "install": INSTALL,
            }
        ),
    )


_BATCH = Param(
    name="perturbations_per_eval",
    type="int",
    default=1,
    doc="perturbed inputs per forward pass (Captum 1): speed only, the same numbers.",
    low=1,
    limit="samples",
)

#: Captum's IntegratedGradients rules (``method=``)
_RULES = (
    "'gausslegendre' | 'riemann_left' | 'riemann_right' | 'riemann_middle' | 'riemann_trapezoid'"
)


def _count(name: str, default: int, doc: str) -> Param:
    """A sample or evaluation count: at least 1, at most the 'samples' limit."""
    return Param(name=name, type="int", default=default, doc=doc, low=1, limit="samples")


_BASELINE_POINT = "the world's baseline point b, one row (1, d) broadcast to every input"
_RAW = "raw model output (the module returns one value per example; no target)"
_SHAPLEY_BASELINES = (
    "baselines = 'baseline': the baseline game v(S) = f(x_S, b_-S) (BShap); 'background': the mean "
    "of the baseline games over the background rows, i.e. the interventional game "
    "v(S) = mean_z f(x_S, z_-S)"
)

ENTRIES: list[Entry] = [
    _c(
        "integrated_gradients",
        "integrated_gradients",
        "captum.attr.IntegratedGradients(model).attribute(x, baselines=b, n_steps=..., "
        "method=...): the path integral of the gradient from b to x by a quadrature rule.",
        statistic={
            "value_function": "path integral from the baseline (straight line)",
            "background": _BASELINE_POINT,
            "output_scale": _RAW,
            "estimator": "sum_k w_k grad f(b + a_k (x - b)) * (x - b) with the rule's positions "
            "a_k and weights w_k; gausslegendre (default): numpy leggauss(n) on [0, 1], exact for "
            "f polynomial of degree <= 2n along the path; riemann_left/right/middle: positions "
            "k/n, (k+1)/n, (k+1/2)/n with weights 1/n; riemann_trapezoid: positions "
            "linspace(0, 1, n) with weights 1/n, halved at the ends (they add up to 1 - 1/n)",
            "precision": "step sizes are cast to float32 by Captum (torch.tensor(...).float()); "
            "Riemann positions come from float32 torch.linspace",
        },
        params=(
            _count("n_steps", 50, "gradient evaluations (Captum 50)."),
            Param(
                name="method",
                type=_RULES,
                default="gausslegendre",
                doc="the quadrature rule (Captum default gausslegendre).",
            ),
            _MULTIPLY,
        ),
    ),
    _c(
        "saliency",
        "saliency",
        "captum.attr.Saliency(model).attribute(x, abs=...): the gradient of f at x, its absolute "
        "value by default (abs=True).",
        statistic={
            "value_function": "none (infinitesimal)",
            "background": "none",
            "output_scale": "|df/dx_i| (abs=True, Captum's default) or df/dx_i (abs=False)",
        },
        params=(
            Param(name="abs", type="bool", default=True, doc="Captum default True: |gradient|."),
        ),
    ),
    _c(
        "input_x_gradient",
        "input_x_gradient",
        "captum.attr.InputXGradient(model).attribute(x): x_i * df/dx_i (x).",
        statistic={
            "value_function": "none (infinitesimal)",
            "background": "none (implicitly the origin)",
            "output_scale": "x_i * df/dx_i",
        },
    ),
    _c(
        "deeplift",
        "deeplift",
        "captum.attr.DeepLift(model).attribute(x, baselines=b): DeepLIFT with the Rescale rule: "
        "every nonlinear module passes back (its output difference) / (its input difference) "
        "between x and b (the gradient where the difference is below eps).",
        statistic={
            "value_function": "reference-based multipliers (Rescale rule) from the baseline",
            "background": _BASELINE_POINT,
            "output_scale": "contributions that add up to f(x) - f(b) (summation-to-delta) when "
            "every nonlinearity is a module Captum overrides (ReLU, Tanh, Sigmoid, ...)",
            "rule": "Rescale only (Captum has no RevealCancel); linear operations pass gradients",
        },
        params=(
            _MULTIPLY,
            Param(
                name="eps",
                type="float",
                default=1e-10,
                doc="below this input difference a unit passes its gradient (Captum 1e-10).",
                low=0,
            ),
        ),
    ),
    _c(
        "deeplift_shap",
        "deeplift_shap",
        "captum.attr.DeepLiftShap(model).attribute(x, baselines=background): DeepLift against "
        "every background row, averaged over the rows.",
        statistic={
            "value_function": "mean over the background rows z of DeepLift (Rescale) from z",
            "background": "the rows passed as background (each one a baseline, uniform weights)",
            "output_scale": "contributions that add up to f(x) - mean f(background) for networks "
            "of overridden modules",
        },
        params=(_MULTIPLY,),
    ),
    _c(
        "gradient_shap",
        "gradient_shap",
        "captum.attr.GradientShap(model).attribute(x, baselines=background, n_samples=..., "
        "stdevs=...): n_samples draws of a background row z, a position a ~ U(0, 1) and noise "
        "e ~ N(0, stdevs^2 I); each gives (x + e - z) * grad f(z + a (x + e - z)); their mean.",
        statistic={
            "value_function": "expected gradients: E over z ~ background (uniform), a ~ U(0, 1), "
            "e ~ N(0, stdevs^2 I) of (x + e - z) * grad f(z + a (x + e - z)); with stdevs = 0 "
            "(the default) this is the mean over the background rows of the integrated gradients "
            "from each row",
            "background": "the rows passed as background (drawn with replacement)",
            "output_scale": "mean of the sampled terms; their sum adds up to f(x) - mean "
            "f(background) in expectation (stdevs = 0)",
            "estimator": "Monte Carlo with n_samples draws per point",
            "randomness": _SEEDED,
        },
        params=(
            _count("n_samples", 5, "draws per point (Captum 5)."),
            Param(
                name="stdevs",
                type="float",
                default=0.0,
                doc="noise on x (Captum default 0.0).",
                low=0,
            ),
            _MULTIPLY,
        ),
        randomized=True,
    ),
    _c(
        "feature_ablation",
        "feature_ablation",
        "captum.attr.FeatureAblation(model).attribute(x, baselines=b): f(x) - f(x with x_i := "
        "b_i), one feature at a time.",
        statistic={
            "value_function": "baseline, one feature at a time (occlusion)",
            "background": _BASELINE_POINT,
            "output_scale": "f(x) - f(x with x_i := b_i)",
        },
        params=(_BATCH,),
    ),
    _c(
        "occlusion",
        "occlusion",
        "captum.attr.Occlusion(model).attribute(x, sliding_window_shapes=(w,), strides=s, "
        "baselines=b): windows of w consecutive features set to b; each feature gets the mean "
        "output drop over the windows that cover it.",
        statistic={
            "value_function": "baseline, windows of consecutive features",
            "background": _BASELINE_POINT,
            "output_scale": "mean over the windows W covering i of f(x) - f(x with x_W := b_W); "
            "w = 1 is f(x) - f(x with x_i := b_i)",
        },
        params=(
            Param(
                name="sliding_window",
                type="int",
                default=1,
                doc="window length w.",
                low=1,
                limit="features",
            ),
            Param(
                name="strides",
                type="int",
                default=1,
                doc="window stride (Captum 1).",
                low=1,
                limit="features",
            ),
            _BATCH,
        ),
    ),
    _c(
        "feature_permutation",
        "feature_permutation",
        "captum.attr.FeaturePermutation(model).attribute(data).mean(0): each column permuted "
        "within the batch of the world's data rows (a uniformly random permutation, redrawn "
        "while it is the identity), the per-row drop f(row) - f(permuted row) averaged over the "
        "rows.",
        statistic={
            "value_function": "marginal permutation within the batch (no loss, no y)",
            "background": "the world's data rows, as one batch",
            "output_scale": "mean over the rows of f(x_r) - f(x_r with x_ri := x_{pi(r), i}); its "
            "expectation is n!/(n! - 1) * (mean f(data) - mean_r pd(f, i, x_ri, data)) for n "
            "rows (the identity permutation is redrawn)",
            "randomness": _SEEDED,
        },
        output="importance",
        scope="global",
        randomized=True,
    ),
    _c(
        "shapley_values",
        "shapley_values",
        "captum.attr.ShapleyValues(model).attribute(x, baselines=...): the mean marginal "
        "contribution over all d! feature orders, features outside the coalition at the baseline.",
        statistic={
            "value_function": _SHAPLEY_BASELINES,
            "background": _BASELINE_POINT + " ('baseline'), or the background rows ('background')",
            "output_scale": "Shapley values; they add up to f(x) - f(b) (or f(x) - mean "
            "f(background))",
            "estimator": "exact enumeration of the d! orders",
        },
        params=(_BASELINES, _BATCH),
    ),
    _c(
        "shapley_value_sampling",
        "shapley_value_sampling",
        "captum.attr.ShapleyValueSampling(model).attribute(x, baselines=..., n_samples=...): "
        "the mean marginal contribution over n_samples random feature orders (torch.randperm).",
        statistic={
            "value_function": _SHAPLEY_BASELINES,
            "background": _BASELINE_POINT + " ('baseline'), or the background rows ('background')",
            "output_scale": "Shapley values, unbiased; every order is efficient, so each run adds "
            "up to f(x) - f(b)",
            "estimator": "n_samples uniformly random orders, shared by the points of a batch",
            "randomness": _SEEDED,
        },
        params=(
            _count("n_samples", 25, "random orders (Captum 25)."),
            _BASELINES,
            _BATCH,
        ),
        randomized=True,
    ),
    _c(
        "kernel_shap",
        "kernel_shap",
        "captum.attr.KernelShap(model).attribute(x, baselines=..., n_samples=...): weighted "
        "linear regression of f(x_S, b_-S) on the coalition indicators; the full and empty "
        "coalitions first with weight 1e6, then n_samples - 2 coalitions drawn from the Shapley "
        "kernel (size k with probability proportional to (d - 1) / (k (d - k))), weight 1 each.",
        statistic={
            "value_function": _SHAPLEY_BASELINES,
            "background": _BASELINE_POINT + " ('baseline'), or the background rows ('background')",
            "output_scale": "coefficients of the surrogate (sklearn LinearRegression with "
            "intercept), returned as float32; the constraint sum = f(x) - f(b) is only the "
            "weight 1e6 of two samples",
            "estimator": "KernelSHAP regression on sampled coalitions (with repetition); exact "
            "for an additive f, whose game is linear in the indicators",
            "randomness": _SEEDED,
        },
        params=(
            _count("n_samples", 25, "coalitions (Captum 25)."),
            _BASELINES,
            _BATCH,
        ),
        randomized=True,
    ),
    _c(
        "lime",
        "lime",
        "captum.attr.Lime(model, interpretable_model=..., similarity_func=exp kernel).attribute"
        "(x, baselines=b, n_samples=...): a weighted linear surrogate of f(x_S, b_-S) on binary "
        "coalition indicators drawn uniformly (each feature kept with probability 1/2), weights "
        "exp(-dist(x, sample)^2 / width^2) with the cosine distance by default.",
        statistic={
            "value_function": "local surrogate on the indicators 'x_i kept (else b_i)'",
            "background": _BASELINE_POINT,
            "output_scale": "surrogate coefficients (float32); default SkLearnLasso(alpha=0.01) "
            "shrinks them",
            "kernel": "exp(-d^2 / kernel_width^2), d the cosine (default) or euclidean distance "
            "between x and the perturbed input in feature space",
            "randomness": _SEEDED,
        },
        params=(
            _count("n_samples", 50, "perturbations (Captum 50)."),
            Param(
                name="interpretable_model",
                type="'lasso' | 'linear' | 'ridge'",
                default="lasso",
                doc="SkLearnLasso(alpha) (Captum's default, alpha 0.01), SkLearnLinearRegression, "
                "SkLearnRidge(alpha).",
            ),
            Param(name="alpha", type="float", default=0.01, doc="penalty of lasso / ridge.", low=0),
            Param(name="kernel_width", type="float", default=1.0, doc="Captum default 1.0."),
            Param(
                name="distance_mode",
                type="'cosine' | 'euclidean'",
                default="cosine",
                doc="Captum default cosine.",
            ),
            _BATCH,
        ),
        randomized=True,
    ),
    _c(
        "noise_tunnel",
        "noise_tunnel",
        "captum.attr.NoiseTunnel(Base(model)).attribute(x, nt_type=..., nt_samples=..., "
        "stdevs=...): the base attribution at nt_samples noisy copies x + e, e ~ N(0, stdevs^2 "
        "I), combined: smoothgrad = their mean, smoothgrad_sq = the mean of their squares, "
        "vargrad = mean of squares - square of the mean.",
        statistic={
            "value_function": "the base method at Gaussian perturbations of x",
            "background": "the base method's (the world's baseline for integrated_gradients, "
            "deeplift, feature_ablation)",
            "output_scale": "smoothgrad: mean A(x + e), an unbiased estimate of E A(x + e) (for "
            "base saliency with abs=False: the gradient of the Gaussian-smoothed f, "
            "grad E f(x + e)); smoothgrad_sq: mean A(x + e)^2; vargrad: the plug-in variance "
            "(divisor nt_samples), whose expectation is (1 - 1/nt_samples) Var A(x + e)",
            "noise": "absolute standard deviation stdevs on every feature (not relative to the "
            "feature's range)",
            "randomness": _SEEDED,
        },
        params=(
            Param(
                name="base",
                type="'saliency' | 'input_x_gradient' | 'integrated_gradients' | 'deeplift' | "
                "'feature_ablation'",
                default="saliency",
                doc="the wrapped Captum method.",
            ),
            Param(
                name="nt_type",
                type="'smoothgrad' | 'smoothgrad_sq' | 'vargrad'",
                default="smoothgrad",
                doc="how the noisy attributions are combined (Captum default smoothgrad).",
            ),
            _count("nt_samples", 5, "noisy copies (Captum 5)."),
            Param(name="stdevs", type="float", default=1.0, doc="noise std (Captum 1.0).", low=0),
            Param(name="abs", type="bool", default=True, doc="Saliency's abs (Captum True)."),
            _count("n_steps", 50, "integrated_gradients base."),
            Param(name="method", type=_RULES, default="gausslegendre", doc="ig base rule."),
        ),
        randomized=True,
    ),
]
