"""Adapters to ``lime.lime_tabular.LimeTabularExplainer`` in regression mode (optional extra).

lime is an optional dependency (``pip install explainspec[lime]``). Its defaults are part of the
statistic: quartile discretization of continuous features, perturbation samples drawn around
the *training mean* (not the instance), distances on standardized data with the kernel
``sqrt(exp(-d**2 / w**2))``, ``w = 0.75 * sqrt(d)``, and ``Ridge(alpha=1)`` as the surrogate.
We ask for ``num_features = d`` so no feature is dropped by lime's feature selection, and map
``as_map()`` back to feature order.

The surrogate is the one users pass as ``explain_instance(..., model_regressor=...)``:
``model_regressor = "ridge"`` is ``sklearn.linear_model.Ridge(alpha=alpha, fit_intercept=True,
random_state=seed)`` (lime's own default is exactly this with ``alpha = 1``), ``"linear"`` is
``LinearRegression()`` (no shrinkage). ``kernel_width`` is passed to the explainer (``None``:
lime's ``0.75 * sqrt(d)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from explainspec.methods._common import as_callable, params_of, rows
from explainspec.methods.base import NotApplicable, Problem


def _lime_tabular() -> Any:
    try:
        from lime import lime_tabular
    except ImportError:
        raise NotApplicable(
            "lime is not installed; install the optional extra: pip install 'explainspec[lime]'"
        ) from None
    return lime_tabular


def _surrogate(p: dict[str, Any], seed: int) -> Any:
    """The ``model_regressor`` lime fits: ``Ridge(alpha)`` (lime's default with alpha = 1) or OLS."""
    from sklearn.linear_model import LinearRegression, Ridge

    if p["model_regressor"] == "ridge":
        return Ridge(alpha=float(p["alpha"]), fit_intercept=True, random_state=int(seed) % 2**32)
    if p["model_regressor"] == "linear":
        return LinearRegression()
    raise ValueError(f"model_regressor = {p['model_regressor']!r}; expected 'ridge' or 'linear'")


def _explain(problem: Problem, name: str, **explainer_args: Any) -> np.ndarray:
    lime_tabular = _lime_tabular()
    p = params_of(problem, name)
    background = rows(problem.background)
    d = background.shape[1]
    explainer = lime_tabular.LimeTabularExplainer(
        background,
        mode="regression",
        kernel_width=p["kernel_width"],
        sample_around_instance=p["sample_around_instance"],
        random_state=int(problem.seed) % 2**32,
        **explainer_args,
    )
    predict = as_callable(problem.f)
    regressor = _surrogate(p, problem.seed)
    out = np.zeros((len(rows(problem.points)), d))
    for r, x in enumerate(rows(problem.points)):
        exp = explainer.explain_instance(
            x, predict, num_features=d, num_samples=p["num_samples"], model_regressor=regressor
        )
        # regression mode stores the surrogate's coefficients under label 1
        for j, coef in exp.as_map()[1]:
            out[r, int(j)] = coef
    return out


def tabular(problem: Problem) -> np.ndarray:
    """lime with its defaults (``discretize_continuous=True``): coefficients ``(k, d)``."""
    p = params_of(problem, "lime.tabular")
    return _explain(
        problem, "lime.tabular", discretize_continuous=True, discretizer=p["discretizer"]
    )


def tabular_continuous(problem: Problem) -> np.ndarray:
    """lime with ``discretize_continuous=False`` (standardized features): ``(k, d)``."""
    return _explain(problem, "lime.tabular_continuous", discretize_continuous=False)
