"""Adapters to Captum's attribution methods, called the way Captum's users call them:
``Method(model).attribute(inputs, baselines=..., ...)`` on the world's function handed over as a
``torch.nn.Module`` (``f.handover("torch")``, float64 unless ``dtype = "float32"``).

Every adapter takes a :class:`~explainspec.methods.base.Problem` and returns ``(k, d)``
attributions for the ``k`` points (``FeaturePermutation``: a global ``(d,)`` importance). torch and
captum are imported inside the functions (``import torch`` takes seconds), and a missing one is
:class:`~explainspec.methods.base.NotApplicable` naming the extra to install; the runner reports
such claims as skipped before any world is drawn (the catalog entries list the modules they need).

What goes in, per method (the catalog, :mod:`explainspec.catalog.methods_captum`, states what the
numbers mean):

- ``inputs``: the world's points, ``(k, d)``;
- ``baselines``: the world's baseline ``(1, d)`` (broadcast to every point) for the path and
  perturbation methods; the background rows ``(m, d)`` for the distribution methods
  (``GradientShap``, ``DeepLiftShap``); with ``baselines = "background"`` the Shapley-type methods
  run every point against every background row (inputs repeated, one baseline row each, as
  Captum's per-example baselines allow) and average over the rows;
- ``target``: none (the module returns one output per example).

Randomness: Captum draws from torch's global generator (``NoiseTunnel`` noise, ``randperm`` of
``ShapleyValueSampling`` and ``FeaturePermutation``, ``KernelShap``/``Lime`` coalitions) and, in
``GradientShap``, from numpy's global generator (``np.random.uniform`` for the path positions,
``np.random.choice`` for the baselines). :func:`seeded` runs the call inside
``torch.random.fork_rng()`` with ``torch.manual_seed(seed)`` and inside
:func:`~explainspec.methods._common.legacy_seed`, so both states are restored afterwards and the
same ``problem.seed`` gives the same numbers.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from explainspec.methods._common import legacy_seed, params_of, rows
from explainspec.methods.base import NotApplicable, Problem

INSTALL = "pip install 'explainspec[torch]'"

#: the noise types of NoiseTunnel and the attribution methods it may wrap here
NT_TYPES = ("smoothgrad", "smoothgrad_sq", "vargrad")
NT_BASES = ("saliency", "input_x_gradient", "integrated_gradients", "deeplift", "feature_ablation")


def _captum() -> Any:
    try:
        import captum.attr as attr
    except ImportError as exc:
        raise NotApplicable(f"captum is not installed ({exc}); {INSTALL}") from None
    return attr


def _torch() -> Any:
    from explainspec.worlds.handover_torch import import_torch

    return import_torch()


class _Call:
    """The pieces of one Captum call: parameters, torch, the model and tensors in its dtype."""

    def __init__(self, problem: Problem, name: str) -> None:
        self.p = params_of(problem, name)
        self.attr = _captum()
        self.torch = _torch()
        dtype = str(self.p.get("dtype", "float64"))
        if dtype not in ("float64", "float32"):
            raise ValueError(f"dtype = {dtype!r} must be 'float64' or 'float32'")
        self.dtype = getattr(self.torch, dtype)
        handover = getattr(problem.f, "handover", None)
        if handover is None:
            raise NotApplicable(f"{name} needs a world function that can be handed over as torch")
        self.model = handover(f"torch:{dtype}")
        self.problem = problem

    def guard(self, name: str, per_input: Any) -> int:
        """``per_input`` (path steps, noise samples: Captum holds inputs x per_input rows at
        once), refused when that many cells would pass the 'cells' limit."""
        from explainspec.catalog.limits import limit

        count = int(per_input)
        if count < 1 or count * max(1, int(np.size(self.problem.points))) > limit("cells"):
            raise ValueError(
                f"{name} = {count}: the points times {name} would pass the 'cells' limit "
                f"({limit('cells')} numbers in one array)"
            )
        return count

    def tensor(self, a: Any) -> Any:
        return self.torch.as_tensor(rows(a), dtype=self.dtype)

    @property
    def inputs(self) -> Any:
        return self.tensor(self.problem.points)

    @property
    def baseline(self) -> Any:
        """The world's baseline as one row ``(1, d)`` (broadcast to every input)."""
        return self.tensor(np.asarray(self.problem.baseline, dtype=float).reshape(1, -1))

    @property
    def background(self) -> Any:
        return self.tensor(self.problem.background)


def _numpy(t: Any) -> np.ndarray:
    return np.asarray(t.detach().double().cpu().numpy(), dtype=float)


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """torch's and numpy's global generators seeded with ``seed``, both restored afterwards."""
    import torch

    with torch.random.fork_rng(devices=[]), legacy_seed(seed):
        torch.manual_seed(int(seed) % 2**63)
        yield


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Captum warns on every DeepLift call (hooks on activations) and on float64 coefficients."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _adapter(fn: Any) -> Any:
    """Run the adapter with warnings silenced (Captum warns on every call that its inputs did not
    require gradients, and on every DeepLift call about hooks)."""

    @functools.wraps(fn)
    def run(problem: Problem) -> np.ndarray:
        with _quiet():
            return fn(problem)

    return run


def _against_background(c: _Call, run: Any) -> np.ndarray:
    """``run(inputs, baselines)`` for every point against every background row (inputs repeated,
    one baseline row each), averaged over the rows: ``(k, d)``."""
    x = c.inputs
    bg = c.background
    k, m = x.shape[0], bg.shape[0]
    inputs = x.repeat_interleave(m, dim=0)
    baselines = bg.repeat(k, 1)
    return _numpy(run(inputs, baselines)).reshape(k, m, -1).mean(axis=1)


def _batching(c: _Call) -> dict[str, int]:
    """``perturbations_per_eval``: how many perturbed inputs go through the model at once (speed
    only; the perturbations and their order are the same)."""
    return {"perturbations_per_eval": int(c.p["perturbations_per_eval"])}


def _baselines_mode(c: _Call, name: str) -> str:
    mode = str(c.p.get("baselines", "baseline"))
    if mode not in ("baseline", "background"):
        raise ValueError(f"{name}: baselines = {mode!r} must be 'baseline' or 'background'")
    return mode


# --------------------------------------------------------------------------- gradient methods


@_adapter
def integrated_gradients(problem: Problem) -> np.ndarray:
    """``IntegratedGradients(model).attribute(x, baselines=b, n_steps=..., method=...)``."""
    c = _Call(problem, "captum.integrated_gradients")
    ig = c.attr.IntegratedGradients(c.model, multiply_by_inputs=bool(c.p["multiply_by_inputs"]))
    n_steps = c.guard("n_steps", c.p["n_steps"])
    out = ig.attribute(c.inputs, baselines=c.baseline, n_steps=n_steps, method=str(c.p["method"]))
    return _numpy(out)


@_adapter
def saliency(problem: Problem) -> np.ndarray:
    """``Saliency(model).attribute(x, abs=...)``: the gradient (its absolute value by default)."""
    c = _Call(problem, "captum.saliency")
    return _numpy(c.attr.Saliency(c.model).attribute(c.inputs, abs=bool(c.p["abs"])))


@_adapter
def input_x_gradient(problem: Problem) -> np.ndarray:
    """``InputXGradient(model).attribute(x)``: ``x * grad f(x)``."""
    c = _Call(problem, "captum.input_x_gradient")
    return _numpy(c.attr.InputXGradient(c.model).attribute(c.inputs))


@_adapter
def deeplift(problem: Problem) -> np.ndarray:
    """``DeepLift(model).attribute(x, baselines=b)`` (the Rescale rule)."""
    c = _Call(problem, "captum.deeplift")
    dl = c.attr.DeepLift(
        c.model, multiply_by_inputs=bool(c.p["multiply_by_inputs"]), eps=float(c.p["eps"])
    )
    return _numpy(dl.attribute(c.inputs, baselines=c.baseline))


@_adapter
def deeplift_shap(problem: Problem) -> np.ndarray:
    """``DeepLiftShap(model).attribute(x, baselines=background)``."""
    c = _Call(problem, "captum.deeplift_shap")
    dls = c.attr.DeepLiftShap(c.model, multiply_by_inputs=bool(c.p["multiply_by_inputs"]))
    return _numpy(dls.attribute(c.inputs, baselines=c.background))


@_adapter
def gradient_shap(problem: Problem) -> np.ndarray:
    """``GradientShap(model).attribute(x, baselines=background, n_samples=..., stdevs=...)``."""
    c = _Call(problem, "captum.gradient_shap")
    gs = c.attr.GradientShap(c.model, multiply_by_inputs=bool(c.p["multiply_by_inputs"]))
    with seeded(problem.seed):
        out = gs.attribute(
            c.inputs,
            baselines=c.background,
            n_samples=c.guard("n_samples", c.p["n_samples"]),
            stdevs=float(c.p["stdevs"]),
        )
    return _numpy(out)


# --------------------------------------------------------------------------- perturbation methods


@_adapter
def feature_ablation(problem: Problem) -> np.ndarray:
    """``FeatureAblation(model).attribute(x, baselines=b)``: one feature at a time."""
    c = _Call(problem, "captum.feature_ablation")
    fa = c.attr.FeatureAblation(c.model)
    return _numpy(fa.attribute(c.inputs, baselines=c.baseline, **_batching(c)))


@_adapter
def occlusion(problem: Problem) -> np.ndarray:
    """``Occlusion(model).attribute(x, sliding_window_shapes=(w,), strides=s, baselines=b)``."""
    c = _Call(problem, "captum.occlusion")
    window = int(c.p["sliding_window"])
    d = int(np.shape(problem.points)[-1])
    if not 1 <= window <= d:
        raise NotApplicable(f"captum.occlusion: sliding_window = {window} needs d >= {window}")
    out = c.attr.Occlusion(c.model).attribute(
        c.inputs,
        sliding_window_shapes=(window,),
        strides=int(c.p["strides"]),
        baselines=c.baseline,
        **_batching(c),
    )
    return _numpy(out)


@_adapter
def feature_permutation(problem: Problem) -> np.ndarray:
    """``FeaturePermutation(model).attribute(data).mean(0)``: each column permuted within the batch
    of the world's data rows, the per-row output drop averaged over the rows: ``(d,)``."""
    c = _Call(problem, "captum.feature_permutation")
    data = c.tensor(problem.data)
    if data.shape[0] < 2:
        raise NotApplicable("captum.feature_permutation needs at least two data rows")
    with seeded(problem.seed):
        out = c.attr.FeaturePermutation(c.model).attribute(data)
    return _numpy(out).mean(axis=0)


@_adapter
def shapley_values(problem: Problem) -> np.ndarray:
    """``ShapleyValues(model).attribute(x, baselines=...)``: every feature order enumerated."""
    c = _Call(problem, "captum.shapley_values")
    sv = c.attr.ShapleyValues(c.model)
    kw = _batching(c)
    if _baselines_mode(c, "captum.shapley_values") == "background":
        return _against_background(c, lambda x, b: sv.attribute(x, baselines=b, **kw))
    return _numpy(sv.attribute(c.inputs, baselines=c.baseline, **kw))


@_adapter
def shapley_value_sampling(problem: Problem) -> np.ndarray:
    """``ShapleyValueSampling(model).attribute(x, baselines=..., n_samples=...)``."""
    c = _Call(problem, "captum.shapley_value_sampling")
    svs = c.attr.ShapleyValueSampling(c.model)
    kw = {"n_samples": int(c.p["n_samples"]), **_batching(c)}
    with seeded(problem.seed):
        if _baselines_mode(c, "captum.shapley_value_sampling") == "background":
            return _against_background(c, lambda x, b: svs.attribute(x, baselines=b, **kw))
        return _numpy(svs.attribute(c.inputs, baselines=c.baseline, **kw))


@_adapter
def kernel_shap(problem: Problem) -> np.ndarray:
    """``KernelShap(model).attribute(x, baselines=..., n_samples=...)``, one point at a time
    (Captum's KernelShap explains a batch only with a shared mask; we call it per point)."""
    c = _Call(problem, "captum.kernel_shap")
    ks = c.attr.KernelShap(c.model)
    kw = {"n_samples": int(c.p["n_samples"]), **_batching(c)}
    background = _baselines_mode(c, "captum.kernel_shap") == "background"
    out = []
    with seeded(problem.seed):
        for x in c.inputs:
            x1 = x.unsqueeze(0)
            if background:
                bg = c.background
                values = [
                    _numpy(ks.attribute(x1, baselines=bg[j : j + 1], **kw))[0]
                    for j in range(bg.shape[0])
                ]
                out.append(np.mean(values, axis=0))
            else:
                out.append(_numpy(ks.attribute(x1, baselines=c.baseline, **kw))[0])
    return np.stack(out)


_INTERPRETABLE = {
    "lasso": "SkLearnLasso",
    "linear": "SkLearnLinearRegression",
    "ridge": "SkLearnRidge",
}


@_adapter
def lime(problem: Problem) -> np.ndarray:
    """``Lime(model, interpretable_model=..., similarity_func=...).attribute(x, baselines=b,
    n_samples=...)``, one point at a time."""
    c = _Call(problem, "captum.lime")
    kind = str(c.p["interpretable_model"])
    if kind not in _INTERPRETABLE:
        raise ValueError(
            f"interpretable_model = {kind!r} is not one of {', '.join(_INTERPRETABLE)}"
        )
    from captum._utils.models import linear_model

    surrogate_cls = getattr(linear_model, _INTERPRETABLE[kind])
    surrogate = surrogate_cls() if kind == "linear" else surrogate_cls(alpha=float(c.p["alpha"]))
    similarity = c.attr._core.lime.get_exp_kernel_similarity_function(
        distance_mode=str(c.p["distance_mode"]), kernel_width=float(c.p["kernel_width"])
    )
    explainer = c.attr.Lime(c.model, interpretable_model=surrogate, similarity_func=similarity)
    kw = {"n_samples": int(c.p["n_samples"]), **_batching(c)}
    out = []
    with seeded(problem.seed):
        for x in c.inputs:
            attr = explainer.attribute(x.unsqueeze(0), baselines=c.baseline, **kw)
            out.append(_numpy(attr)[0])
    return np.stack(out)


# --------------------------------------------------------------------------- NoiseTunnel


@_adapter
def noise_tunnel(problem: Problem) -> np.ndarray:
    """``NoiseTunnel(Base(model)).attribute(x, nt_type=..., nt_samples=..., stdevs=..., ...)``."""
    c = _Call(problem, "captum.noise_tunnel")
    base, nt_type = str(c.p["base"]), str(c.p["nt_type"])
    if base not in NT_BASES:
        raise ValueError(f"base = {base!r} is not one of {', '.join(NT_BASES)}")
    if nt_type not in NT_TYPES:
        raise ValueError(f"nt_type = {nt_type!r} is not one of {', '.join(NT_TYPES)}")
    kwargs: dict[str, Any] = {}
    if base == "saliency":
        inner = c.attr.Saliency(c.model)
        kwargs["abs"] = bool(c.p["abs"])
    elif base == "input_x_gradient":
        inner = c.attr.InputXGradient(c.model)
    elif base == "integrated_gradients":
        inner = c.attr.IntegratedGradients(c.model)
        steps = c.guard("n_steps", int(c.p["n_steps"]) * int(c.p["nt_samples"]))
        kwargs.update(
            baselines=c.baseline, n_steps=steps // int(c.p["nt_samples"]), method=str(c.p["method"])
        )
    elif base == "deeplift":
        inner = c.attr.DeepLift(c.model)
        kwargs["baselines"] = c.baseline
    else:
        inner = c.attr.FeatureAblation(c.model)
        kwargs["baselines"] = c.baseline
    nt = c.attr.NoiseTunnel(inner)
    with seeded(problem.seed):
        out = nt.attribute(
            c.inputs,
            nt_type=nt_type,
            nt_samples=c.guard("nt_samples", c.p["nt_samples"]),
            stdevs=float(c.p["stdevs"]),
            **kwargs,
        )
    return _numpy(out)
