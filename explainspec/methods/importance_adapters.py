"""Global importance beyond marginal permutation: conditional permutation, LOCO, mean |SHAP|.

Reference implementations (written independently of :mod:`explainspec.oracles`):

- :func:`cpi` -- conditional permutation importance on a finite pmf: column ``j`` is shuffled
  only among rows that agree on every other feature (Strobl et al. 2008's idea, exact
  conditioning on discrete data), ``n_repeats`` times, squared loss;
- :func:`cpi_gaussian` -- the conditional-sampling variant for continuous data: a Gaussian is
  fitted to the rows (mean, maximum-likelihood covariance) and ``x_j`` of each row is redrawn
  ``n_draws`` times from ``X_j | X_-j = x_-j`` under it;
- :func:`loco` -- leave-one-covariate-out with refitting of ordinary least squares;

and shap's global summary :func:`mean_abs_shap` (``shap.explainers.Exact`` over every data row,
``np.abs(values).mean(0)``, what ``shap.plots.bar`` ranks by).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from explainspec.methods._common import as_callable, params_of, rows
from explainspec.methods.base import Problem


def _data(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    return rows(problem.data), np.asarray(problem.y, dtype=float).reshape(-1)


def _loss_increase(
    problem: Problem, repeats: int, redraw: Callable[[int, np.random.Generator], np.ndarray]
) -> np.ndarray:
    """Mean over ``repeats`` of ``MSE(column j := redraw(j, rng)) - MSE`` for every ``j``."""
    rng = np.random.default_rng(problem.seed)
    data, y = _data(problem)
    fn = as_callable(problem.f)
    base = np.mean((y - fn(data)) ** 2)
    out = np.zeros(data.shape[1])
    for j in range(data.shape[1]):
        for _ in range(repeats):
            changed = data.copy()
            changed[:, j] = redraw(j, rng)
            out[j] += np.mean((y - fn(changed)) ** 2) - base
    return out / repeats


def cpi(problem: Problem) -> np.ndarray:
    """Mean over ``n_repeats`` within-group permutations of ``MSE(permuted) - MSE``, ``(d,)``."""
    k = int(params_of(problem, "reference.cpi")["n_repeats"])
    data = rows(problem.data)
    groups = []  # for every feature: the row indices of each group of equal x_-j
    for j in range(data.shape[1]):
        by_rest: dict[bytes, list[int]] = {}
        for r, rest in enumerate(np.delete(data, j, axis=1)):
            by_rest.setdefault(rest.tobytes(), []).append(r)
        groups.append([np.array(g) for g in by_rest.values()])

    def permute_within_groups(j: int, rng: np.random.Generator) -> np.ndarray:
        column = data[:, j].copy()
        for g in groups[j]:
            column[g] = data[rng.permutation(g), j]
        return column

    return _loss_increase(problem, k, permute_within_groups)


def cpi_gaussian(problem: Problem) -> np.ndarray:
    """Conditional sampling from the fitted Gaussian, ``n_draws`` per row, ``(d,)``."""
    k = int(params_of(problem, "reference.cpi_gaussian")["n_draws"])
    data = rows(problem.data)
    n, d = data.shape
    mean = data.mean(axis=0)
    cov = np.cov(data, rowvar=False, bias=True).reshape(d, d)  # maximum likelihood
    conditional = []
    for j in range(d):
        rest = [i for i in range(d) if i != j]
        # regression of x_j on the other columns under the fitted Gaussian
        coef = np.linalg.lstsq(cov[np.ix_(rest, rest)], cov[rest, j], rcond=None)[0]
        centre = mean[j] + (data[:, rest] - mean[rest]) @ coef
        conditional.append((centre, np.sqrt(max(cov[j, j] - cov[j, rest] @ coef, 0.0))))

    def draw(j: int, rng: np.random.Generator) -> np.ndarray:
        centre, sd = conditional[j]
        return centre + sd * rng.standard_normal(n)

    return _loss_increase(problem, k, draw)


def _ols_mse(X: np.ndarray, y: np.ndarray) -> float:
    design = np.column_stack([np.ones(X.shape[0]), X])
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    return float(np.mean((y - design @ coef) ** 2))


def loco(problem: Problem) -> np.ndarray:
    """``MSE(OLS on x_-j) - MSE(OLS on x)``, refitted and evaluated on the data, ``(d,)``."""
    data, y = _data(problem)
    full = _ols_mse(data, y)
    return np.array([_ols_mse(np.delete(data, j, axis=1), y) - full for j in range(data.shape[1])])


def mean_abs_shap(problem: Problem) -> np.ndarray:
    """``np.abs(shap.explainers.Exact(f, Independent(data))(data).values).mean(0)``, ``(d,)``.

    Every data row is explained in one batch, with every data row as background (``max_samples
    = len(data)``: no subsampling). shap 0.51's Exact can raise ``IndexError`` on a batch whose
    later row equals every background row (a constant background); then the rows are explained
    one at a time, as the ``shap.exact`` adapter always does (the same numbers, about 300 times
    slower).
    """
    import shap

    data = rows(problem.data)
    masker = shap.maskers.Independent(data, max_samples=len(data))
    explainer = shap.explainers.Exact(as_callable(problem.f), masker)
    try:
        values = np.asarray(explainer(data, silent=True).values, dtype=float)
    except IndexError:
        values = np.concatenate(
            [np.asarray(explainer(z[None, :], silent=True).values, dtype=float) for z in data]
        )
    return np.abs(values).mean(axis=0)
