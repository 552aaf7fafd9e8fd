"""A reference generalized additive model fitted by backfitting, and its terms as an explanation.

Users of spline GAMs (pyGAM's ``LinearGAM(s(0) + s(1) + ...)``, R's ``mgcv::gam``) fit an
additive model ``g(x) = alpha + g_1(x_1) + ... + g_d(x_d)`` to their data and read its terms as
"the components of f". This module fits such a model to the world's ``data`` and ``y`` with the
backfitting algorithm (Buja, Hastie & Tibshirani 1989; Hastie & Tibshirani 1990, algorithm 4.1):

    alpha = mean(y); g_j = 0
    repeat: for j = 1..d: g_j = S_j(y - alpha - sum_{k != j} g_k); g_j -= mean(g_j)
    until no term is further than ``tol`` from the fixed point (the change of the last sweep
    times r / (1 - r), r the observed rate of the linear convergence)

with the *level* smoother ``S_j``: the mean of the partial residuals at each distinct level of
``x_j`` (the saturated smoother of a feature with a few levels, which a spline with a knot per
level and no penalty also gives). Every term is centred to mean 0 over the training rows (the
identifiability constraint; "purified" mains), and the fit is the least-squares additive fit of
``y`` over the rows: unique when the design is identifiable, one of many splits of the effect
when two features are collinear. A term at a value of ``x_j`` between two levels is interpolated
linearly, beyond the extreme levels it is constant.

Why a reference implementation and not pyGAM (issue 18 asked for pyGAM if "a light, maintained
package fits"): pyGAM 0.12.0 (December 2025, Python 3.10-3.14, numpy 2) declares ``scipy < 1.17``;
it runs on scipy 1.17.1 (checked in a scratch environment) but installing it downgrades scipy
for the whole environment, a year after scipy 1.17 was released. Its spline terms are
penalized (``lam = 0.6``) and not centred, so they match no exact component on these worlds
without the adapter re-fitting them anyway. The level smoother makes the fitted terms exact
(to the convergence tolerance), which is what the claims about GAM terms need.

``values = "shap"`` reports instead the interventional SHAP values of the *fitted* GAM (its
``predict``), computed with ``shap.explainers.Exact`` over the training rows as background:
what a user gets when running SHAP on the GAM.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explainspec.methods._common import params_of, rows
from explainspec.methods.base import Problem

NAME = "reference.gam"


@dataclass(frozen=True)
class AdditiveFit:
    """A fitted additive model: ``alpha`` and, per feature, the term's value at each level."""

    alpha: float
    levels: tuple[np.ndarray, ...]
    values: tuple[np.ndarray, ...]
    sweeps: int

    def terms(self, points: np.ndarray) -> np.ndarray:
        """``(k, d)``: term ``j`` at ``points[:, j]`` (linear between levels, constant beyond)."""
        pts = rows(points)
        return np.stack(
            [
                np.interp(pts[:, j], lv, v)
                for j, (lv, v) in enumerate(zip(self.levels, self.values, strict=True))
            ],
            axis=1,
        )

    def predict(self, points: np.ndarray) -> np.ndarray:
        return self.alpha + self.terms(points).sum(axis=1)


def backfit(X: np.ndarray, y: np.ndarray, *, tol: float, max_iter: int) -> AdditiveFit:
    """Backfitting with the level smoother (see the module's docstring).

    Raises
    ------
    RuntimeError
        When the terms still move by more than ``tol`` after ``max_iter`` sweeps.
    """
    X = rows(X)
    y = np.asarray(y, dtype=float).reshape(-1)
    n, d = X.shape
    levels, index = [], []
    for j in range(d):
        lv, idx = np.unique(X[:, j], return_inverse=True)
        levels.append(lv)
        index.append(idx)
    counts = [
        np.bincount(idx, minlength=lv.shape[0]) for lv, idx in zip(levels, index, strict=True)
    ]
    alpha = float(y.mean())
    values = [np.zeros(lv.shape[0]) for lv in levels]
    fitted = np.zeros((d, n))  # term j at each row
    previous = np.inf
    for sweep in range(1, max_iter + 1):
        change = 0.0
        for j in range(d):
            partial = y - alpha - (fitted.sum(axis=0) - fitted[j])
            new = np.bincount(index[j], weights=partial, minlength=levels[j].shape[0]) / counts[j]
            new -= float(np.dot(new, counts[j])) / n  # centred over the rows
            change = max(change, float(np.max(np.abs(new - values[j]))))
            values[j] = new
            fitted[j] = new[index[j]]
        # backfitting converges linearly: with rate r = change / previous, the distance to the
        # fixed point is at most change * r / (1 - r); stop when that bound (or the change
        # itself, when r >= 1 says nothing yet) is within tol
        rate = change / previous if previous > 0 else 0.0
        bound = change * rate / (1.0 - rate) if rate < 1.0 else np.inf
        if change == 0.0 or max(change, bound) <= tol:
            return AdditiveFit(alpha, tuple(levels), tuple(values), sweep)
        previous = change
    raise RuntimeError(
        f"backfitting did not converge in {max_iter} sweeps (the terms still move by "
        f"{change:.3g} > tol = {tol:g}); raise max_iter"
    )


def fit(problem: Problem) -> AdditiveFit:
    """The GAM fitted to the world's ``data`` and ``y`` with the spec's parameters."""
    p = params_of(problem, NAME)
    return backfit(problem.data, problem.y, tol=float(p["tol"]), max_iter=int(p["max_iter"]))


def gam(problem: Problem) -> np.ndarray:
    """The fitted GAM's terms at the points (``values = "terms"``), or the interventional SHAP
    values of the fitted GAM over the training rows (``values = "shap"``), ``(k, d)``."""
    p = params_of(problem, NAME)
    model = fit(problem)
    points = rows(problem.points)
    if p["values"] == "terms":
        return model.terms(points)
    if p["values"] != "shap":
        raise ValueError(f"values = {p['values']!r}; expected 'terms' or 'shap'")
    import shap

    background = rows(problem.data)
    masker = shap.maskers.Independent(background, max_samples=len(background))
    explainer = shap.explainers.Exact(model.predict, masker)
    # one point per call, as in the shap.exact adapter (shap 0.51 batches mis-handle a point equal
    # to every background row)
    return np.concatenate(
        [np.asarray(explainer(x[None, :], silent=True).values, dtype=float) for x in points]
    )
