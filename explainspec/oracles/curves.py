"""Exact feature-effect curves: PD, ICE, M-plot and ALE.

A finite ``P`` is uniform over its rows (a multiset), so every curve value is an exact finite
mean; a Gaussian ``P`` has closed forms for ``f`` of degree <= 2
(:mod:`explainspec.oracles.gaussian`) and refuses other ``f``.
Every function takes ``t`` as a number or an array and returns the shape of ``t``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from explainspec.oracles import gaussian
from explainspec.oracles._common import (
    CHUNK_ELEMENTS,
    OracleError,
    as_rows,
    evaluate,
    gaussian_params,
    refuse_continuous_sample,
)

__all__ = ["ale", "ice", "mplot", "pd"]


def _feature(j: Any, d: int) -> int:
    j = int(j)
    if not 0 <= j < d:
        raise OracleError(f"feature j = {j} is out of range for d = {d}")
    return j


def _set_column_means(
    f: Callable[[Any], Any], rows: np.ndarray, j: int, t: np.ndarray
) -> np.ndarray:
    """``out[a, r] = f(rows[r] with column j := t[a])`` for flat ``t``: shape ``(len(t), n)``."""
    n, d = rows.shape
    out = np.empty((t.shape[0], n))
    step = max(1, CHUNK_ELEMENTS // (n * d))
    for start in range(0, t.shape[0], step):
        values = t[start : start + step]
        z = np.broadcast_to(rows, (values.shape[0], n, d)).copy()
        z[:, :, j] = values[:, None]
        out[start : start + step] = evaluate(f, z.reshape(-1, d)).reshape(values.shape[0], n)
    return out


def pd(f: Callable[[Any], Any], j: int, t: Any, P: Any) -> Any:
    """Partial dependence ``PD_j(t) = mean_z f(z with z_j := t)`` over the rows ``z`` of ``P``.

    PD integrates over the *marginal* of ``X_-j``, so it evaluates ``f`` off the support when the
    features are dependent.

    Parameters
    ----------
    f : callable
    j : int
        The feature.
    t : float or array_like
        Value(s) of feature ``j``.
    P : rows array, finite distribution, or Gaussian distribution (``f`` of degree <= 2 only)

    Returns
    -------
    float or ndarray of the shape of ``t``

    Examples
    --------
    >>> pd(lambda z: z[:, 0] * z[:, 1], 0, [1.0, 2.0], [[0.0, 1.0], [0.0, 3.0]]).tolist()
    [2.0, 4.0]
    """
    t_arr = np.asarray(t, dtype=float)
    rows = as_rows(P)
    if rows is None:
        mu, _ = gaussian_params(P)
        out = gaussian.pd(f, _feature(j, mu.shape[0]), t_arr, P)
    else:
        j = _feature(j, rows.shape[1])
        out = _set_column_means(f, rows, j, t_arr.reshape(-1)).mean(axis=1).reshape(t_arr.shape)
    return float(out) if out.ndim == 0 else out


def ice(f: Callable[[Any], Any], j: int, t: Any, z: Any) -> Any:
    """Individual conditional expectation ``f(z with z_j := t)``.

    Parameters
    ----------
    f : callable
    j : int
    t : float or array_like
    z : array_like of shape (d,) or (n, d)
        One point, or rows (one curve each).

    Returns
    -------
    float or ndarray
        The shape of ``t`` for a point ``z``; ``(n,) + t.shape`` for rows.
    """
    t_arr = np.asarray(t, dtype=float)
    Z = np.asarray(z, dtype=float)
    single = Z.ndim == 1
    Z = np.atleast_2d(Z)
    j = _feature(j, Z.shape[1])
    curves = _set_column_means(f, Z, j, t_arr.reshape(-1)).T.reshape(Z.shape[:1] + t_arr.shape)
    out = curves[0] if single else curves
    return float(out) if np.ndim(out) == 0 else out


def mplot(f: Callable[[Any], Any], j: int, t: Any, P: Any) -> Any:
    """Marginal plot (M-plot): the conditional mean ``E_P[f(X) | X_j = t]``.

    Exact filtering of the rows of ``P`` with ``X_j == t`` (float equality); ``t`` must be a level
    of ``X_j``. A Gaussian ``P``: closed form for ``f`` of degree <= 2. Rows sampled from a
    continuous distribution are refused (each ``X_j = t`` would select a single row).

    Returns
    -------
    float or ndarray of the shape of ``t``

    Raises
    ------
    OracleError
        If some ``t`` is not a value that ``X_j`` takes.
    GroundTruthUnavailable
        A Gaussian ``P`` and ``f`` not of degree <= 2, or rows sampled from a continuous ``P``.
    """
    rows = as_rows(P)
    t_arr = np.asarray(t, dtype=float)
    if rows is None:
        mu, _ = gaussian_params(P)
        curve = gaussian.mplot(f, _feature(j, mu.shape[0]), t_arr, P)
        return float(curve) if curve.ndim == 0 else curve
    refuse_continuous_sample(P, "mplot")
    j = _feature(j, rows.shape[1])
    fz = evaluate(f, rows)
    out = np.empty(t_arr.size)
    for a, value in enumerate(t_arr.reshape(-1)):
        keep = rows[:, j] == value
        if not keep.any():
            raise OracleError(
                f"t = {value!r} is not a level of X_{j} (levels: {np.unique(rows[:, j]).tolist()}),"
                " so E[f(X) | X_j = t] is undefined"
            )
        out[a] = fz[keep].mean()
    shaped = out.reshape(t_arr.shape)
    return float(shaped) if shaped.ndim == 0 else shaped


def ale(f: Callable[[Any], Any], j: int, t: Any, P: Any) -> Any:
    """Accumulated local effects of feature ``j`` (Apley & Zhu 2020), exact on a finite ``P``.

    Definition used: let ``q_0 < q_1 < ... < q_K`` be the distinct levels of ``X_j``. Interval
    ``k`` (``k = 1..K``) is ``(q_{k-1}, q_k]``, except that the first interval also contains
    ``q_0`` (Apley & Zhu's convention). Its local effect is the mean, over the rows ``z`` with
    ``z_j`` in the interval, of ``f(z with z_j := q_k) - f(z with z_j := q_{k-1})``. The uncentred
    ALE is ``A(q_0) = 0``, ``A(q_k) = sum_{l <= k}`` of the local effects; it is centred so that
    its mean over ``P`` (``mean_z A(z_j)``) is zero. Between levels ``A`` is interpolated linearly,
    beyond the extreme levels it is constant. With one level the ALE is 0.

    For additive ``f = g_j(x_j) + h(x_-j)`` it equals ``g_j(t) - E g_j(X_j)`` at the levels, for any
    dependence; for a product ``P`` it equals the PD centred over ``X_j`` at the levels.

    A Gaussian ``P``: the continuous definition ``A(t) = int E[d_j f(X) | X_j = z] dz``, centred,
    in closed form for ``f`` of degree <= 2 (:func:`explainspec.oracles.gaussian.ale`).

    Returns
    -------
    float or ndarray of the shape of ``t``
    """
    rows = as_rows(P)
    t_arr = np.asarray(t, dtype=float)
    if rows is None:
        mu, _ = gaussian_params(P)
        curve = gaussian.ale(f, _feature(j, mu.shape[0]), t_arr, P)
        return float(curve) if np.ndim(curve) == 0 else curve
    j = _feature(j, rows.shape[1])
    levels = np.unique(rows[:, j])
    if levels.shape[0] == 1:
        out = np.zeros(t_arr.shape)
    else:
        # interval index of each row: level index k, with rows at q_0 in interval 1
        k_of_row = np.maximum(np.searchsorted(levels, rows[:, j]), 1)
        hi = _set_column_means(f, rows, j, levels)  # (K + 1, n)
        rows_idx = np.arange(rows.shape[0])
        diffs = hi[k_of_row, rows_idx] - hi[k_of_row - 1, rows_idx]
        effect = np.bincount(k_of_row, weights=diffs, minlength=levels.shape[0])
        count = np.bincount(k_of_row, minlength=levels.shape[0])
        local = np.zeros(levels.shape[0])
        local[1:] = effect[1:] / count[1:]  # every interval holds at least the rows at q_k
        A = np.cumsum(local)
        A = A - A[np.searchsorted(levels, rows[:, j])].mean()
        out = np.interp(t_arr, levels, A)
    return float(out) if np.ndim(out) == 0 else out
