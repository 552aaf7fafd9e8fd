"""Planted bugs found by the red team of the verdicts: faulty methods that the library specs (or
the checker) let through before, and that stay caught here.

Imported by ``quality_plugins`` (which merges :data:`BROKEN` into its own map): every broken
method has a spec in ``specs/`` that the checker must refute, and whose correct twin must be
verified under 20 seeds.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from toolbox_plugins import _builtin

import explainspec
from explainspec.methods._common import as_callable, rows
from explainspec.methods.base import Problem
from explainspec.methods.reference import coalition_masks, interventional_game, moebius_from_game
from explainspec.registry import registry


@explainspec.method("quality.shapley_clips_points_in_place", output="attribution")
def shapley_clips_points_in_place(problem: Problem) -> np.ndarray:
    """Shapley values at the points clipped to the background's range shrunk by 0.5, clipped
    in place (``np.clip(..., out=problem.points)``). Before the checker handed methods copies,
    the oracles then read the clipped points too, and every claim of ``shapley`` verified."""
    bg = rows(problem.background)
    np.clip(problem.points, bg.min(axis=0) + 0.5, bg.max(axis=0) - 0.5, out=problem.points)
    return _builtin("reference.shapley", problem)


@explainspec.method("quality.shapley_order3_split_in_halves", output="attribution")
def shapley_order3_split_in_halves(problem: Problem) -> np.ndarray:
    """Shapley values as Harsanyi splits, each dividend m(S) divided by min(|S|, 2) instead of
    |S|: right for additive and pairwise models, wrong from order 3 on (a wrong split of
    order-3 dividends passed every claim of ``shapley`` at fast seed 0)."""
    fn = as_callable(problem.f)
    bg = rows(problem.background)
    d = int(problem.f.d)
    masks = coalition_masks(d)
    share = np.maximum(np.minimum(masks.sum(axis=1), 2), 1).astype(float)
    out = []
    for x in rows(problem.points):
        m = moebius_from_game(interventional_game(fn, x, bg), d)
        out.append([np.sum(m[masks[:, i]] / share[masks[:, i]]) for i in range(d)])
    return np.array(out)


@explainspec.method("quality.occlusion_ignores_baseline", output="attribution")
def occlusion_ignores_baseline(problem: Problem) -> np.ndarray:
    """Occlusion to 0 whatever baseline it is given (the adapter forgets to pass it on; the
    library specs' drawn worlds use the zero baseline, so it passed every claim of
    ``occlusion``)."""
    return _builtin(
        "reference.occlusion",
        dataclasses.replace(problem, baseline=np.zeros_like(problem.baseline)),
    )


@explainspec.method("quality.pfi_scores_predictions", output="importance", scope="global")
def pfi_scores_predictions(problem: Problem) -> np.ndarray:
    """Permutation importance (infinite-permutation limit) with the loss taken against the
    model's own predictions f(X) instead of the targets y (it passed every claim of
    ``permutation_importance``: its worlds had y = f(X))."""
    from quality_plugins import pfi_exact

    fitted = as_callable(problem.f)(rows(problem.data))
    return pfi_exact(dataclasses.replace(problem, y=fitted))


BROKEN: dict[str, str] = {
    "quality.shapley_clips_points_in_place": "reference.shapley",
    "quality.shapley_order3_split_in_halves": "reference.shapley",
    "quality.occlusion_ignores_baseline": "reference.occlusion",
    "quality.pfi_scores_predictions": "quality.pfi_exact",
}
"""Broken method -> the correct method its spec is also run with."""


@explainspec.method(
    "quality.lime_wls_unweighted",
    output="attribution",
    params=registry("method").get("reference.lime_wls").params,
    randomized=True,
)
def lime_wls_unweighted(problem: Problem) -> np.ndarray:
    """``reference.lime_wls`` that drops the kernel weights (an unweighted least-squares fit on
    the same samples). A linear f is recovered all the same, so it passed every claim of
    ``lime_wls`` before ``population_limit_is_smoothgrad``. Checked against the library spec
    only (``test_redteam_library``): its twin is the library spec's own method."""
    from explainspec.methods.reference import _weighted_ridge

    p = problem.params
    bg = rows(problem.background)
    d = bg.shape[1]
    mean, scale = bg.mean(axis=0), bg.std(axis=0)
    scale[scale == 0] = 1.0
    rng = np.random.default_rng(problem.seed)
    fn = as_callable(problem.f)
    out = []
    for x in rows(problem.points):
        z = x + scale * rng.standard_normal((int(p["num_samples"]), d))
        z[0] = x
        feats = (z - mean) / scale if p["standardize"] else z
        out.append(_weighted_ridge(feats, fn(z), np.ones(len(z)), float(p["alpha"])))
    return np.stack(out)


@explainspec.method(
    "quality.gradient_clips_to_data_range",
    output="attribution",
    params=registry("method").get("reference.gradient").params,
)
def gradient_clips_to_data_range(problem: Problem) -> np.ndarray:
    """The gradient at the points clipped to the range of the background (a 'robust' input
    guard): right at every row of the data, so it passed every claim of ``gradient`` while the
    points were rows of the data. Checked against the library spec only."""
    bg = rows(problem.background)
    clipped = np.clip(rows(problem.points), bg.min(axis=0), bg.max(axis=0))
    return _builtin(
        "reference.gradient", dataclasses.replace(problem, points=clipped), **problem.params
    )


@explainspec.method(
    "quality.pfi_shuffle_never_identity",
    output="importance",
    scope="global",
    params=registry("method").get("reference.permutation_importance").params,
    randomized=True,
)
def pfi_shuffle_never_identity(problem: Problem) -> np.ndarray:
    """``reference.permutation_importance`` whose 'shuffle' is a random cyclic shift by 1..n-1:
    no row keeps its own value, so the estimate is n / (n - 1) times the importance (4% on 27
    rows, hidden by the noise of 5 repeats even at the standard profile). Checked against the
    library spec only."""
    rng = np.random.default_rng(problem.seed)
    data = rows(problem.data)
    y = np.asarray(problem.y, dtype=float).reshape(-1)
    fn = as_callable(problem.f)
    base = np.mean((y - fn(data)) ** 2)
    n, d = data.shape
    k = int(problem.params["n_repeats"])
    out = np.zeros(d)
    for j in range(d):
        for _ in range(k):
            permuted = data.copy()
            permuted[:, j] = np.roll(data[:, j], int(rng.integers(1, max(n, 2))))
            out[j] += np.mean((y - fn(permuted)) ** 2) - base
    return out / k
