"""Adapters to the shap explainers, called the way shap's users call them.

Every adapter takes a :class:`~explainspec.methods.base.Problem` and returns ``(k, d)``
attributions (``(k, d, d)`` for interaction values). ``shap`` is imported inside each function
(importing it costs seconds).

Randomness: shap 0.51's samplers draw from numpy's *global* RNG. ``Permutation`` takes
``seed=`` (it calls ``np.random.seed(seed)`` in its constructor); Kernel, Sampling, Partition and
the correlation-dependent Linear explainer take no seed, so we run them inside
:func:`~explainspec.methods._common.legacy_seed`, which seeds the global RNG and restores its
state afterwards. The same ``problem.seed`` therefore gives the same numbers.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from typing import Any

import numpy as np

from explainspec.methods._common import (
    as_callable,
    as_linear_model,
    as_sklearn,
    legacy_seed,
    params_of,
    require_tags,
    rows,
)
from explainspec.methods.base import Problem


def _link(p: dict[str, Any]) -> Any:
    """shap's link object for the ``link`` parameter (``identity`` or ``logit``)."""
    import shap

    links = {"identity": shap.links.identity, "logit": shap.links.logit}
    if p["link"] not in links:
        raise ValueError(f"link = {p['link']!r}; expected 'identity' or 'logit'")
    return links[p["link"]]


def _values(out: Any) -> np.ndarray:
    """The attribution array of a shap result (``Explanation`` or ndarray), as floats."""
    values = getattr(out, "values", out)
    return np.asarray(values, dtype=float)


def exact(problem: Problem) -> np.ndarray:
    """Exact interventional Shapley values with ``shap.explainers.Exact``.

    The masker keeps every background row (``max_samples=len(background)``); shap's default
    ``max_samples=100`` would silently subsample larger backgrounds and change the statistic.
    """
    import shap

    p = params_of(problem, "shap.exact")
    bg = rows(problem.background)
    masker = shap.maskers.Independent(bg, max_samples=len(bg))
    explainer = shap.explainers.Exact(
        as_callable(problem.f), masker, link=_link(p), linearize_link=bool(p["linearize_link"])
    )
    # One point per call: shap 0.51's Exact raises IndexError inside MaskedModel.main_effects
    # when a point after the first in a batch equals every background row on all features
    # (nothing varies). Per-point calls give the same numbers and the correct zeros there.
    return np.concatenate(
        [
            _values(explainer(x[None, :], max_evals=p["max_evals"], silent=True))
            for x in rows(problem.points)
        ]
    )


def permutation(problem: Problem) -> np.ndarray:
    """``shap.explainers.Permutation`` (antithetic permutation sampling), seeded with ``seed=``."""
    import shap

    p = params_of(problem, "shap.permutation")
    bg = rows(problem.background)
    masker = shap.maskers.Independent(bg, max_samples=len(bg))
    with legacy_seed(problem.seed):  # Permutation seeds the global RNG itself; restore after
        explainer = shap.explainers.Permutation(
            as_callable(problem.f),
            masker,
            link=_link(p),
            linearize_link=bool(p["linearize_link"]),
            seed=int(problem.seed) % 2**32,
        )
        out = explainer(rows(problem.points), max_evals=p["max_evals"], silent=True)
    return _values(out)


def kernel(problem: Problem) -> np.ndarray:
    """``shap.KernelExplainer(f, background).shap_values(points, nsamples=..., l1_reg=...)``.

    With the default ``l1_reg='num_features(10)'`` shap runs a LARS path and keeps at most 10
    features (the rest get 0) before the constrained WLS solve. With every coalition enumerated
    (``nsamples >= 2**d - 2``, the default for ``d <= 10``) this is the plain KernelSHAP estimate;
    with sampled coalitions LARS can drop a feature even for ``d <= 10`` (its value is then 0, not
    the plain estimate's sampling noise), which makes the estimate non-linear in f.
    """
    import shap

    p = params_of(problem, "shap.kernel")
    explainer = shap.KernelExplainer(
        as_callable(problem.f), rows(problem.background), link=p["link"]
    )
    with legacy_seed(problem.seed):
        values = explainer.shap_values(
            rows(problem.points), nsamples=p["nsamples"], l1_reg=p["l1_reg"], silent=True
        )
    return np.asarray(values, dtype=float)


def sampling(problem: Problem) -> np.ndarray:
    """``shap.SamplingExplainer(f, background).shap_values(points, nsamples=...)``."""
    import shap

    p = params_of(problem, "shap.sampling")
    explainer = shap.SamplingExplainer(as_callable(problem.f), rows(problem.background))
    with legacy_seed(problem.seed):
        values = explainer.shap_values(
            rows(problem.points),
            nsamples=p["nsamples"],
            min_samples_per_feature=p["min_samples_per_feature"],
            silent=True,
        )
    return np.asarray(values, dtype=float)


def _tree_model(problem: Problem, name: str) -> Any:
    require_tags(problem, name, ("tree", "sklearn"))
    return as_sklearn(problem.f, name)


def tree(problem: Problem) -> np.ndarray:
    """Interventional TreeSHAP: ``TreeExplainer(model, data=background, 'interventional')``."""
    import shap

    model = _tree_model(problem, "shap.tree")
    explainer = shap.TreeExplainer(
        model, data=rows(problem.background), feature_perturbation="interventional"
    )
    return np.asarray(explainer.shap_values(rows(problem.points)), dtype=float)


def tree_path(problem: Problem) -> np.ndarray:
    """Path-dependent TreeSHAP: ``TreeExplainer(model, feature_perturbation='tree_path_dependent')``."""
    import shap

    model = _tree_model(problem, "shap.tree_path")
    explainer = shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")
    return np.asarray(explainer.shap_values(rows(problem.points)), dtype=float)


def saabas(problem: Problem) -> np.ndarray:
    """Saabas attributions: ``TreeExplainer(model).shap_values(points, approximate=True)``."""
    import shap

    model = _tree_model(problem, "shap.saabas")
    explainer = shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")
    return np.asarray(explainer.shap_values(rows(problem.points), approximate=True), dtype=float)


def tree_interaction(problem: Problem) -> np.ndarray:
    """SHAP interaction values ``(k, d, d)`` of the path-dependent tree game."""
    import shap

    model = _tree_model(problem, "shap.tree_interaction")
    explainer = shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")
    return np.asarray(explainer.shap_interaction_values(rows(problem.points)), dtype=float)


def linear(problem: Problem) -> np.ndarray:
    """``shap.LinearExplainer(model, background)``: interventional, ``w * (x - mean(bg))``."""
    import shap

    require_tags(problem, "shap.linear", ("linear",))
    model = as_linear_model(problem.f, "shap.linear")
    explainer = shap.LinearExplainer(model, rows(problem.background))
    return np.asarray(explainer.shap_values(rows(problem.points)), dtype=float)


def linear_correlation(problem: Problem) -> np.ndarray:
    """``shap.LinearExplainer(model, shap.maskers.Impute(background), nsamples=...)``.

    shap 0.51 still accepts ``feature_perturbation='correlation_dependent'`` but deprecates it
    in favour of this masker, which selects the same code path (Gaussian conditional game).
    """
    import shap

    require_tags(problem, "shap.linear_correlation", ("linear",))
    p = params_of(problem, "shap.linear_correlation")
    model = as_linear_model(problem.f, "shap.linear_correlation")
    # shap prints an unconditional tqdm bar ("Estimating transforms") to stderr: keep it quiet
    quiet = contextlib.redirect_stderr(io.StringIO())
    with legacy_seed(problem.seed), warnings.catch_warnings(), quiet:
        warnings.simplefilter("ignore", FutureWarning)
        explainer = shap.LinearExplainer(
            model, shap.maskers.Impute(rows(problem.background)), nsamples=p["nsamples"]
        )
        values = explainer.shap_values(rows(problem.points))
    return np.asarray(values, dtype=float)


def partition(problem: Problem) -> np.ndarray:
    """``shap.explainers.Partition`` with ``shap.maskers.Partition(background, clustering=...)``."""
    import shap

    p = params_of(problem, "shap.partition")
    bg = rows(problem.background)
    masker = shap.maskers.Partition(bg, max_samples=len(bg), clustering=p["clustering"])
    with legacy_seed(problem.seed):
        explainer = shap.explainers.Partition(as_callable(problem.f), masker)
        out = explainer(rows(problem.points), max_evals=p["max_evals"], silent=True)
    return _values(out)
