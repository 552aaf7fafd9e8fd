"""Planted bugs of the second red team of the verdicts (session 6): faulty methods that the
library specs let through before (every ``holds`` claim of the library spec verified them at
fast seed 0), and that ``test_redteam_library`` keeps caught by the library specs themselves.
Some twins were tried and found already caught; they stay here as the record: the ``shap.tree``
and ``shapiq`` approximator twins (their specs draw ``background = sample(k)``),
``shapley_uses_data`` (``shapley.symmetry`` on a dependent world), and the two noted below.

- ``*_uses_data``: the built-in method handed ``problem.data`` as its background. While every
  library world had ``background = data`` the swap changed nothing. ``*_uses_background``: the
  other way round, for the methods that average over the data (PD, ALE, M-plot, mean |SHAP|).
- LIME on a non-linear f: a default kernel width of 0.75 d, an adapter explaining only the
  first point, a kernel on unstandardized distances (the last one was already caught by
  ``lime_wls.population_limit_is_smoothgrad``).
- n-Shapley values: the Shapley-Taylor index in their place, and B_1 = +1/2 (the latter was
  already caught by ``nshapley.efficiency``).

Not merged into ``quality_plugins.BROKEN``: these have no spec of their own under
``tests/quality/specs``; their correct twin is the library spec's own method.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Any

import numpy as np
from toolbox_plugins import _builtin

import explainspec
from explainspec.methods._common import as_callable, rows
from explainspec.methods.base import Problem
from explainspec.registry import register, registry


def register_twin(name: str, real: str, obj: Any, doc: str) -> None:
    """Register ``quality.<name>`` as a copy of the built-in ``real``'s entry (its parameters,
    output and shape) that runs ``obj`` instead (``@explainspec.method`` cannot declare the
    ``2**d`` output shape of ``reference.nshapley`` and ``shapiq.*``)."""
    entry = registry("method").get(real)
    obj.__doc__ = doc
    extra = dict(entry.extra) | {"library": "plugin"}
    extra.pop("needs", None)
    extra.pop("install", None)
    register(
        dataclasses.replace(
            entry,
            name=f"quality.{name}",
            doc=doc,
            target=None,
            extra=MappingProxyType(extra),
            obj=obj,
        )
    )


def _swapped_twin(name: str, real: str, field: str, source: str) -> None:
    """Register ``quality.<name>``: the built-in ``real`` handed ``problem.<source>`` as its
    ``<field>`` (``background`` from the data: an adapter passing ``problem.data`` to the
    explainer; ``data`` from the background: a curve averaged over the background rows)."""

    def twin(problem: Problem) -> np.ndarray:
        swapped = dataclasses.replace(problem, **{field: getattr(problem, source)})
        return _builtin(real, swapped, **problem.params)

    doc = f"``{real}`` with ``problem.{source}`` passed where ``problem.{field}`` belongs."
    register_twin(name, real, twin, doc)


USES_DATA = {
    "shapley_uses_data": "reference.shapley",
    "shap_exact_uses_data": "shap.exact",
    "shap_kernel_uses_data": "shap.kernel",
    "shap_permutation_uses_data": "shap.permutation",
    "shap_sampling_uses_data": "shap.sampling",
    "shap_partition_uses_data": "shap.partition",
    "shapiq_exact_uses_data": "shapiq.exact",
    "banzhaf_uses_data": "reference.banzhaf",
    "nshapley_uses_data": "reference.nshapley",
    "shapley_conditional_uses_data": "reference.shapley_conditional",
    "lime_wls_uses_data": "reference.lime_wls",
    "lime_tabular_uses_data": "lime.tabular",
    "lime_tabular_continuous_uses_data": "lime.tabular_continuous",
    "shap_linear_correlation_uses_data": "shap.linear_correlation",
    "shap_tree_uses_data": "shap.tree",
    "shapiq_kernelshapiq_uses_data": "shapiq.kernelshapiq",
    "shapiq_permutation_sii_uses_data": "shapiq.permutation_sii",
    "shapiq_svarmiq_uses_data": "shapiq.svarmiq",
}
for _name, _real in USES_DATA.items():
    _swapped_twin(_name, _real, "background", "data")


# ------------------------------------------------------------------ LIME with a non-linear f


def _lime_twin(real: str):
    """Register the decorated function as ``quality.<its name>``, a twin of ``real`` taking
    its parameters."""
    entry = registry("method").get(real)

    def decorate(fn):
        return explainspec.method(
            f"quality.{fn.__name__}",
            output="attribution",
            params=entry.params,
            randomized=True,
        )(fn)

    return decorate


@_lime_twin("lime.tabular_continuous")
def lime_continuous_kernel_width_d(problem: Problem) -> np.ndarray:
    """lime's continuous mode with the default kernel width taken as 0.75 d instead of
    0.75 sqrt(d) (equal at d = 1). A linear f is fitted exactly whatever the weights, so it
    passed every claim of ``lime_tabular_continuous``."""
    d = rows(problem.background).shape[1]
    params = dict(problem.params)
    if params.get("kernel_width") is None:
        params["kernel_width"] = 0.75 * d
    return _builtin("lime.tabular_continuous", problem, **params)


@_lime_twin("lime.tabular_continuous")
def lime_continuous_first_point_only(problem: Problem) -> np.ndarray:
    """lime's continuous mode that explains the first point and returns its coefficients for
    every point (a loop that keeps the first explanation). Every claim of
    ``lime_tabular_continuous`` explained one point per world, so it passed them all."""
    first = dataclasses.replace(problem, points=rows(problem.points)[:1])
    out = _builtin("lime.tabular_continuous", first, **problem.params)
    return np.repeat(out, len(rows(problem.points)), axis=0)


@_lime_twin("reference.lime_wls")
def lime_wls_unscaled_distance(problem: Problem) -> np.ndarray:
    """``reference.lime_wls`` whose kernel reads the raw distance |z - x| instead of the
    distance in units of the background's standard deviations. On the library's symmetric
    grid (std sqrt(2/3)) the kernel is a little wider; a linear f is fitted exactly anyway."""
    from explainspec.methods.reference import _weighted_ridge

    p = problem.params
    bg = rows(problem.background)
    d = bg.shape[1]
    mean, scale = bg.mean(axis=0), bg.std(axis=0)
    scale[scale == 0] = 1.0
    width = float(p["kernel_width"]) if p.get("kernel_width") is not None else 0.75 * np.sqrt(d)
    rng = np.random.default_rng(problem.seed)
    fn = as_callable(problem.f)
    out = []
    for x in rows(problem.points):
        centre = x if p["sample_around"] == "instance" else mean
        z = centre + scale * rng.standard_normal((int(p["num_samples"]), d))
        z[0] = x
        dist = np.sqrt(np.sum((z - x) ** 2, axis=1))  # the bug: not divided by scale
        weights = np.sqrt(np.exp(-(dist**2) / width**2))
        feats = (z - mean) / scale if p["standardize"] else z
        out.append(_weighted_ridge(feats, fn(z), weights, float(p["alpha"])))
    return np.stack(out)


# --------------------------------------------------------------------------- n-Shapley values


def _nshapley_twin(fn):
    """Register ``fn`` (a map from the Moebius transform of a game, ``d`` and ``n`` to the
    ``2**d`` values) as ``quality.<its name>``, a twin of ``reference.nshapley``."""
    from explainspec.methods.reference import interventional_game, moebius_from_game

    def method(problem: Problem) -> np.ndarray:
        n = int(problem.params["n"])
        f = as_callable(problem.f)
        bg = rows(problem.background)
        out = []
        for x in rows(problem.points):
            d = x.shape[0]
            m = moebius_from_game(interventional_game(f, x, bg), d)
            out.append(fn(m, d, n))
        return np.stack(out)

    method.__doc__ = fn.__doc__
    entry = registry("method").get("reference.nshapley")
    register(
        dataclasses.replace(
            entry,
            name=f"quality.{fn.__name__}",
            doc=fn.__doc__.strip().split("\n\n")[0],
            target=None,
            extra=MappingProxyType(dict(entry.extra) | {"library": "plugin"}),
            obj=method,
        )
    )
    return fn


def _sizes(d: int) -> np.ndarray:
    return np.array([bin(s).count("1") for s in range(2**d)])


@_nshapley_twin
def nshapley_is_stii(m: np.ndarray, d: int, n: int) -> np.ndarray:
    """The Shapley-Taylor interaction index (STII) of order n in place of the n-Shapley values
    (k-SII): the Moebius dividends below order n, and each dividend of a larger coalition T
    split equally among its C(|T|, n) subsets of size n. STII is efficient too, is the Shapley
    value at n = 1 and the Moebius transform at n = d, equals k-SII when f has no interaction
    above order n, and splits back to the Shapley values: it passed every claim of
    ``nshapley``."""
    from math import comb

    size = _sizes(d)
    out = np.where(size < n, m, 0.0)
    for s in np.flatnonzero(size == n):
        sup = [t for t in range(2**d) if t & s == s]
        out[s] = sum(m[t] / comb(int(size[t]), n) for t in sup)
    return out


@_nshapley_twin
def nshapley_bernoulli_plus_half(m: np.ndarray, d: int, n: int) -> np.ndarray:
    """n-Shapley values with the other convention for the first Bernoulli number (B_1 = +1/2,
    as in ``scipy.special.bernoulli``-free code copied from a table of B_n^+), so the
    correction moves the pair interactions up to the singletons with the wrong sign."""
    size = _sizes(d)
    bern = [1.0, 0.5, 1 / 6, 0.0, -1 / 30]
    interaction = np.zeros(2**d)
    for s in range(1, 2**d):
        sup = [t for t in range(2**d) if t & s == s]
        interaction[s] = sum(m[t] / (size[t] - size[s] + 1) for t in sup)
    out = np.zeros(2**d)
    out[0] = m[0]
    for s in range(1, 2**d):
        if size[s] > n:
            continue
        sup = [t for t in range(2**d) if t & s == s and size[t] <= n]
        out[s] = sum(bern[size[t] - size[s]] * interaction[t] for t in sup)
    return out


# ------------------------------------------------- the other way round: background as the data


USES_BACKGROUND = {
    "pd_uses_background": "sklearn.partial_dependence",
    "ale_uses_background": "reference.ale",
    "mplot_uses_background": "reference.mplot",
    "shap_mean_abs_uses_background": "shap.mean_abs",
}
for _name, _real in USES_BACKGROUND.items():
    _swapped_twin(_name, _real, "data", "background")
