"""Adapters to InterpretML's Explainable Boosting Machine (optional extra ``[interpret]``).

An EBM is a glass-box model: a sum of per-feature and per-pair lookup tables (terms) learned by
cyclic gradient boosting. Users fit ``ExplainableBoostingRegressor`` to their data and read the
terms as "the model's components": ``ebm.eval_terms(X)`` (what ``explain_local`` shows) and
``ebm.term_importances()``. The method fits the EBM to the world's ``data`` and ``y`` with the
spec's parameters (``random_state = seed``, ``n_jobs = 1``: the bags are computed one after the
other, with the same numbers as in parallel) and reports the terms by coalition bitmask: entry
``2**j`` the main term of ``x_j``, ``2**i + 2**j`` the pair term of ``x_i, x_j``, entry 0 the
intercept. interpret is imported inside the functions (``interpret-core``; it costs seconds).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from explainspec.methods._common import params_of, rows
from explainspec.methods.base import NotApplicable, Problem

#: Parameters passed to ``ExplainableBoostingRegressor`` unchanged (all of the entry's).
_EBM_KEYS = (
    "interactions",
    "max_bins",
    "outer_bags",
    "validation_size",
    "learning_rate",
    "max_rounds",
    "early_stopping_rounds",
    "smoothing_rounds",
    "interaction_smoothing_rounds",
    "min_samples_leaf",
    "greedy_ratio",
)


def _regressor() -> Any:
    try:
        from interpret.glassbox import ExplainableBoostingRegressor
    except ImportError:
        raise NotApplicable(
            "interpret is not installed; install the optional extra: "
            "pip install 'explainspec[interpret]' (the interpret-core package)"
        ) from None
    return ExplainableBoostingRegressor


def fit_ebm(problem: Problem, name: str) -> Any:
    """``ExplainableBoostingRegressor(**params, random_state=seed, n_jobs=1).fit(data, y)``."""
    cls = _regressor()
    p = params_of(problem, name)
    X = rows(problem.data)
    y = np.asarray(problem.y, dtype=float).reshape(-1)
    validation = p["validation_size"]
    if validation == 0:  # interpret takes 0 (no hold-out) only as an integer count
        validation = 0
    model = cls(
        **{k: p[k] for k in _EBM_KEYS if k != "validation_size"},
        validation_size=validation,
        random_state=int(problem.seed) % 2**31,
        n_jobs=1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "Missing values detected" never applies here
        model.fit(X, y)
    return model


def _bitmask(features: Any) -> int:
    return sum(1 << int(j) for j in features)


def ebm(problem: Problem) -> np.ndarray:
    """Term contributions of the fitted EBM at the points, ``(k, 2**d)`` by bitmask."""
    model = fit_ebm(problem, "interpret.ebm")
    points = rows(problem.points)
    d = points.shape[1]
    contributions = np.asarray(model.eval_terms(points), dtype=float)  # (k, n_terms)
    out = np.zeros((points.shape[0], 2**d))
    for t, features in enumerate(model.term_features_):
        out[:, _bitmask(features)] += contributions[:, t]
    out[:, 0] = float(model.intercept_)
    return out


def ebm_importance(problem: Problem) -> np.ndarray:
    """``ebm.term_importances('avg_weight')`` by bitmask, ``(2**d,)`` (entry 0 is 0)."""
    model = fit_ebm(problem, "interpret.ebm_importance")
    d = rows(problem.data).shape[1]
    out = np.zeros(2**d)
    for importance, features in zip(
        model.term_importances("avg_weight"), model.term_features_, strict=True
    ):
        out[_bitmask(features)] += float(importance)
    return out
