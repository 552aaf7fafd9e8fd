"""Planted bugs in the statistics of the tabular toolbox (issue 18), and their correct twins.

Imported by ``quality_plugins`` (which merges :data:`BROKEN` into its own map), so every broken
method here has a spec in ``specs/`` that the checker must refute, and whose correct twin (a
built-in method) must be verified under 20 seeds.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import numpy as np

import explainspec
from explainspec.methods._common import as_callable, rows
from explainspec.methods.base import Problem
from explainspec.methods.reference import interventional_game, moebius_from_game
from explainspec.registry import Entry, register, registry


def _builtin(name: str, problem: Problem, **params: object) -> np.ndarray:
    """A built-in method with its registered defaults and ``params`` over them."""
    entry = registry("method").get(name)
    merged = {p.name: p.default for p in entry.params if not p.required} | params
    return np.asarray(entry.load()(dataclasses.replace(problem, params=merged)), dtype=float)


# ----------------------------------------------------------------------------------- curves


@explainspec.method("quality.ale_uncentred", output="curve", scope="global")
def ale_uncentred(problem: Problem) -> np.ndarray:
    """ALE anchored at 0 at the lowest level instead of centred to mean 0 over the data."""
    curve = _builtin("reference.ale", problem)
    data = rows(problem.data)
    lowest = np.array(
        [np.interp(data[:, j].min(), problem.grid[j], curve[j]) for j in range(len(curve))]
    )
    return curve - lowest[:, None]


@explainspec.method("quality.ale_lower_rows", output="curve", scope="global")
def ale_lower_rows(problem: Problem) -> np.ndarray:
    """ALE whose step k is averaged over the rows at the LOWER level of the step (k - 1)."""
    fn = as_callable(problem.f)
    data = rows(problem.data)
    grid = np.asarray(problem.grid, dtype=float)
    out = np.empty(grid.shape)
    for j in range(data.shape[1]):
        levels = np.unique(data[:, j])
        steps = np.zeros(len(levels))
        for k in range(1, len(levels)):
            at = data[data[:, j] == levels[k - 1]]  # the bug: rows of the level below
            hi, lo = at.copy(), at.copy()
            hi[:, j], lo[:, j] = levels[k], levels[k - 1]
            steps[k] = np.mean(fn(hi) - fn(lo))
        acc = np.cumsum(steps)
        acc -= np.interp(data[:, j], levels, acc).mean()
        out[j] = np.interp(grid[j], levels, acc)
    return out


@explainspec.method("quality.mplot_is_pd", output="curve", scope="global")
def mplot_is_pd(problem: Problem) -> np.ndarray:
    """An 'M-plot' that averages f over every data row with x_j := t (partial dependence)."""
    return _builtin("reference.pd", problem)


# ------------------------------------------------------------------------------- importance


@explainspec.method(
    "quality.cpi_marginal",
    output="importance",
    scope="global",
    randomized=True,
    statistic={"randomness": "numpy.random.default_rng(seed)"},
)
def cpi_marginal(problem: Problem) -> np.ndarray:
    """'Conditional' permutation importance that permutes the whole column (marginal PFI)."""
    return _builtin("reference.permutation_importance", problem)


@explainspec.method(
    "quality.cpi_gaussian_marginal_variance",
    output="importance",
    scope="global",
    randomized=True,
    statistic={"randomness": "numpy.random.default_rng(seed)"},
)
def cpi_gaussian_marginal_variance(problem: Problem) -> np.ndarray:
    """Conditional sampling around the conditional mean, but with the MARGINAL variance."""
    rng = np.random.default_rng(problem.seed)
    data = rows(problem.data)
    y = np.asarray(problem.y, dtype=float)
    fn = as_callable(problem.f)
    base = np.mean((y - fn(data)) ** 2)
    n, d = data.shape
    mean = data.mean(axis=0)
    cov = np.cov(data, rowvar=False, bias=True).reshape(d, d)
    out = np.zeros(d)
    for j in range(d):
        rest = [i for i in range(d) if i != j]
        coef = np.linalg.lstsq(cov[np.ix_(rest, rest)], cov[rest, j], rcond=None)[0]
        centre = mean[j] + (data[:, rest] - mean[rest]) @ coef
        for _ in range(5):
            drawn = data.copy()
            drawn[:, j] = centre + np.sqrt(cov[j, j]) * rng.standard_normal(n)  # the bug
            out[j] += np.mean((y - fn(drawn)) ** 2) - base
    return out / 5


@explainspec.method("quality.loco_no_refit", output="importance", scope="global")
def loco_no_refit(problem: Problem) -> np.ndarray:
    """'LOCO' that keeps the full least-squares fit and sets x_j to its mean (no refitting)."""
    data = rows(problem.data)
    y = np.asarray(problem.y, dtype=float)
    design = np.column_stack([np.ones(len(data)), data])
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    full = np.mean((y - design @ coef) ** 2)
    out = np.empty(data.shape[1])
    for j in range(data.shape[1]):
        dropped = design.copy()
        dropped[:, j + 1] = data[:, j].mean()
        out[j] = np.mean((y - dropped @ coef) ** 2) - full
    return out


# ---------------------------------------------------------------------- interactions, recourse


def ksii_without_bernoulli(problem: Problem) -> np.ndarray:
    """'k-SII' of order 2 that reports the Shapley interaction index itself: the singletons are
    Shapley values, without the Bernoulli correction that makes k-SII efficient."""
    fn = as_callable(problem.f)
    bg = rows(problem.background)
    out = []
    for x in rows(problem.points):
        d = x.shape[0]
        v = interventional_game(fn, x, bg)
        m = moebius_from_game(v, d)
        size = np.array([bin(S).count("1") for S in range(1 << d)])
        sii = np.zeros(1 << d)
        sii[0] = v[0]
        for S in range(1, 1 << d):
            if size[S] <= 2:
                sup = [T for T in range(1 << d) if T & S == S]
                sii[S] = sum(m[T] / (size[T] - size[S] + 1) for T in sup)
        out.append(sii)
    return np.stack(out)


register(
    Entry(
        kind="method",
        name="quality.ksii_without_bernoulli",
        doc="k-SII that forgets the Bernoulli aggregation (returns SII).",
        extra=MappingProxyType(
            {
                "output": "attribution",
                "scope": "local",
                "statistic": {},
                "requires": ("callable",),
                "randomized": False,
                "library": "plugin",
                "shape": "2**d",
            }
        ),
        obj=ksii_without_bernoulli,
    ),
    replace=True,
)


@explainspec.method(
    "quality.counterfactual_l1_unweighted", output="counterfactual", requires=("linear",)
)
def counterfactual_l1_unweighted(problem: Problem) -> np.ndarray:
    """The 'MAD-weighted' L1 counterfactual that forgets the MAD weights (plain L1)."""
    return _builtin("reference.counterfactual_l1", problem, scale="none")


BROKEN: dict[str, str] = {
    "quality.ale_uncentred": "reference.ale",
    "quality.ale_lower_rows": "reference.ale",
    "quality.mplot_is_pd": "reference.mplot",
    "quality.cpi_marginal": "reference.cpi",
    "quality.cpi_gaussian_marginal_variance": "reference.cpi_gaussian",
    "quality.loco_no_refit": "reference.loco",
    "quality.ksii_without_bernoulli": "reference.nshapley",
    "quality.counterfactual_l1_unweighted": "reference.counterfactual_l1",
}
"""Broken method -> the correct built-in method its spec is also run with."""
