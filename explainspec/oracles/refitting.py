"""Importance by conditional sampling from a fitted Gaussian, and by refitting without a feature.

- :func:`cpi_gaussian` -- conditional permutation importance where ``X_j`` is redrawn from its
  conditional distribution given ``X_-j`` under the Gaussian fitted to the rows (mean and
  maximum-likelihood covariance), in the limit of infinitely many draws. Exact (a closed-form
  Gaussian expectation) for functions affine in each coordinate (families ``linear`` and
  ``multilinear``); any other ``f`` raises :class:`GroundTruthUnavailable`.
- :func:`loco` -- leave-one-covariate-out with refitting of the least-squares linear learner:
  the increase of the mean squared error of the best linear predictor (with intercept) of ``y``
  when feature ``j`` is left out. It is a property of the data ``(X, y)``, not of any model.

Both treat the rows as a finite population (uniform weights), so they are exact finite sums.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from explainspec.oracles._common import GroundTruthUnavailable, OracleError, as_rows, evaluate

__all__ = ["cpi_gaussian", "gaussian_conditional", "loco"]

#: Tags of the world families whose functions are affine in every single coordinate.
AFFINE_TAGS = frozenset({"linear", "multilinear"})


def _targets(y: Any, rows: np.ndarray) -> np.ndarray:
    target = evaluate(y, rows) if callable(y) else np.asarray(y, dtype=float).reshape(-1)
    if target.shape[0] != rows.shape[0]:
        raise OracleError(f"y has {target.shape[0]} values but P has {rows.shape[0]} rows")
    return target


def _rows(P: Any, name: str) -> np.ndarray:
    rows = as_rows(P)
    if rows is None:
        raise OracleError(f"{name} needs the rows of the data (n, d), e.g. `data`")
    return rows


def gaussian_conditional(rows: np.ndarray, j: int) -> tuple[np.ndarray, float]:
    """Conditional means ``(n,)`` and the variance of ``X_j | X_-j`` under the fitted Gaussian.

    The Gaussian has the rows' mean and maximum-likelihood covariance ``S`` (divisor ``n``).
    ``E[X_j | x_-j] = mu_j + S_{j,-j} S_{-j,-j}^+ (x_-j - mu_-j)`` and
    ``Var = S_jj - S_{j,-j} S_{-j,-j}^+ S_{-j,j}`` (pseudo-inverse: a singular ``S_{-j,-j}``
    means a least-squares regression on the other columns). For ``d = 1`` these are the
    mean and the variance of ``X_j``.
    """
    mu = rows.mean(axis=0)
    centred = rows - mu
    S = centred.T @ centred / rows.shape[0]
    rest = [k for k in range(rows.shape[1]) if k != j]
    if not rest:
        return np.full(rows.shape[0], mu[j]), float(S[j, j])
    beta = np.linalg.pinv(S[np.ix_(rest, rest)]) @ S[rest, j]
    mean = mu[j] + centred[:, rest] @ beta
    var = float(S[j, j] - S[j, rest] @ beta)
    return mean, max(var, 0.0)


def cpi_gaussian(f: Callable[[Any], Any], P: Any, y: Any, loss: str = "squared") -> np.ndarray:
    """Conditional-sampling permutation importance under the Gaussian fitted to the rows.

    ``CPI_j = mean_r E[loss(y_r, f(x_r with x_rj := T))] - mean_r loss(y_r, f(x_r))`` with
    ``T ~ N(m_r, s^2)`` the conditional law of ``X_j`` given ``x_r,-j`` under the fitted
    Gaussian (:func:`gaussian_conditional`). For ``f`` affine in ``x_j``,
    ``f(x with x_j := t) = a + b t`` and under the squared loss the expectation is
    ``(y - a - b m)^2 + b^2 s^2``: exact. For ``f = w.x + c`` and ``y = f(X)`` this is
    ``2 w_j^2 s^2`` (half from the spread of the draws, half from the regression residual).

    Parameters
    ----------
    f : callable
        Affine in every coordinate: a world function tagged ``linear`` or ``multilinear``.
    P : rows array (n, d) or finite distribution (the data rows)
    y : array_like (n,) or callable
    loss : {"squared"}

    Returns
    -------
    ndarray of shape (d,)

    Raises
    ------
    GroundTruthUnavailable
        If ``f`` is not tagged affine, or its values are not affine in a coordinate.
    """
    if loss != "squared":
        raise OracleError(f"loss = {loss!r}: cpi_gaussian has a closed form for 'squared' only")
    tags = frozenset(getattr(f, "tags", frozenset()))
    if not tags & AFFINE_TAGS:
        raise GroundTruthUnavailable(
            "cpi_gaussian is exact only for f affine in each feature (families linear and "
            f"multilinear); this f has tags {{{', '.join(sorted(tags)) or 'none'}}}"
        )
    rows = _rows(P, "cpi_gaussian")
    target = _targets(y, rows)
    base = np.mean((target - evaluate(f, rows)) ** 2)
    n, d = rows.shape
    out = np.empty(d)
    for j in range(d):
        probe = np.repeat(rows[None], 3, axis=0)
        probe[0, :, j], probe[1, :, j], probe[2, :, j] = 0.0, 1.0, -2.5
        f0, f1, f2 = evaluate(f, probe.reshape(-1, d)).reshape(3, n)
        a, b = f0, f1 - f0
        scale = 1.0 + np.abs(f0).max() + np.abs(f1).max()
        if not np.allclose(f2, a - 2.5 * b, rtol=0.0, atol=1e-9 * scale):
            raise GroundTruthUnavailable(f"f is not affine in x_{j}: no closed form")
        mean, var = gaussian_conditional(rows, j)
        out[j] = np.mean((target - a - b * mean) ** 2 + b**2 * var) - base
    return out


def _linear_mse(C: np.ndarray, cols: list[int]) -> float:
    """Residual variance of the last variable regressed (with intercept) on ``cols``."""
    yy = C[-1, -1]
    if not cols:
        return float(yy)
    cxy = C[cols, -1]
    return float(yy - cxy @ np.linalg.pinv(C[np.ix_(cols, cols)]) @ cxy)


def loco(P: Any, y: Any) -> np.ndarray:
    """Leave-one-covariate-out importance of the least-squares linear learner, exact.

    ``LOCO_j = MSE(OLS of y on X_-j) - MSE(OLS of y on X)``, both with intercept, fitted and
    evaluated on the rows (a population). With the covariance ``C`` of ``(X, y)`` over the rows
    (divisor ``n``), the MSE of the best linear predictor on columns ``A`` is
    ``C_yy - C_yA C_AA^+ C_Ay``. A feature with a perfect linear substitute among the others
    gets 0, whatever ``y`` does with it.

    Parameters
    ----------
    P : rows array (n, d) or finite distribution
    y : array_like (n,) or callable

    Returns
    -------
    ndarray of shape (d,)
    """
    rows = _rows(P, "loco")
    target = _targets(y, rows)
    Z = np.column_stack([rows, target])
    Z = Z - Z.mean(axis=0)
    C = Z.T @ Z / rows.shape[0]
    d = rows.shape[1]
    full = _linear_mse(C, list(range(d)))
    return np.array([_linear_mse(C, [k for k in range(d) if k != j]) - full for j in range(d)])
