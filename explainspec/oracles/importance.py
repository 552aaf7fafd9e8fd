"""Permutation feature importance in the infinite-permutation limit, marginal and conditional.

On a finite ``P`` (uniform over its ``n`` rows) a uniformly random permutation sends row ``a``'s
value of feature ``j`` to a uniformly random row ``b`` (``b = a`` included), so the expected
importance over permutations -- the limit of infinitely many repeats -- is an exact mean over
row pairs. Importances are differences of mean losses (not ratios).
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
    refuse_continuous_sample,
)

__all__ = ["cpi", "pfi"]

_LOSSES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "squared": lambda y, p: (y - p) ** 2,
    "absolute": lambda y, p: np.abs(y - p),
}


def _loss(loss: str) -> str:
    if loss not in _LOSSES:
        raise OracleError(f"loss={loss!r} is not one of {sorted(_LOSSES)}")
    return loss


def _setup(
    f: Callable[[Any], Any], P: Any, y: Any, loss: str
) -> tuple[np.ndarray, np.ndarray, Callable[[np.ndarray, np.ndarray], np.ndarray], np.ndarray]:
    rows = as_rows(P)
    assert rows is not None  # a Gaussian P is handled by the callers
    L = _LOSSES[_loss(loss)]
    target = evaluate(y, rows) if callable(y) else np.asarray(y, dtype=float).reshape(-1)
    if target.shape[0] != rows.shape[0]:
        raise OracleError(f"y has {target.shape[0]} values but P has {rows.shape[0]} rows")
    return rows, target, L, L(target, evaluate(f, rows))


def _pair_losses(
    f: Callable[[Any], Any],
    rows: np.ndarray,
    target: np.ndarray,
    L: Callable[[np.ndarray, np.ndarray], np.ndarray],
    j: int,
    a: np.ndarray,
    b: np.ndarray,
) -> np.ndarray:
    """``loss(y_a, f(x_a with x_aj := x_bj))`` for the pairs ``(a[k], b[k])``, chunked."""
    d = rows.shape[1]
    out = np.empty(a.shape[0])
    step = max(1, CHUNK_ELEMENTS // d)
    for start in range(0, a.shape[0], step):
        aa, bb = a[start : start + step], b[start : start + step]
        z = rows[aa].copy()
        z[:, j] = rows[bb, j]
        out[start : start + step] = L(target[aa], evaluate(f, z))
    return out


def pfi(f: Callable[[Any], Any], P: Any, y: Any, loss: str = "squared") -> np.ndarray:
    """Permutation feature importance, infinite-permutation limit.

    ``PFI_j = mean_{a, b} loss(y_a, f(x_a with x_aj := x_bj)) - mean_a loss(y_a, f(x_a))`` over
    all ``n**2`` ordered row pairs. Computed from the distinct values ``u`` of column ``j`` (with
    multiplicities), which needs ``n * #u`` evaluations of ``f`` instead of ``n**2``.

    For ``f = w.x + c`` and ``y = f(X)`` (any correlation) ``PFI_j = 2 w_j**2 Var(X_j)`` under the
    squared loss, with the population variance over the rows.

    A Gaussian ``P``: closed form for ``f`` and targets ``y`` (a function of ``X``) of degree <= 2
    and the squared loss (:func:`explainspec.oracles.gaussian.permutation_importance`).

    Parameters
    ----------
    f : callable
    P : rows array (n, d) or finite distribution
    y : array_like of shape (n,), or a callable giving the targets of the rows
    loss : {"squared", "absolute"}

    Returns
    -------
    ndarray of shape (d,)
    """
    if as_rows(P) is None:
        return gaussian.permutation_importance(f, P, y, _loss(loss), conditional=False)
    rows, target, L, base = _setup(f, P, y, loss)
    n, d = rows.shape
    out = np.empty(d)
    for j in range(d):
        values, counts = np.unique(rows[:, j], return_counts=True)
        order = np.argsort(rows[:, j], kind="stable")
        holder = order[np.searchsorted(rows[:, j], values, sorter=order)]  # a row with value u
        a, b = np.tile(np.arange(n), values.shape[0]), np.repeat(holder, n)
        per_value = _pair_losses(f, rows, target, L, j, a, b).reshape(values.shape[0], n)
        # differences per pair, so a feature f ignores gets exactly 0
        out[j] = (counts / n) @ (per_value - base[None, :]).mean(axis=1)
    return out


def cpi(f: Callable[[Any], Any], P: Any, y: Any, loss: str = "squared") -> np.ndarray:
    """Conditional permutation importance, infinite-permutation limit, exact on a finite ``P``.

    Feature ``j`` is permuted only within groups of rows with equal other features ``x_-j``
    (the conditional distribution of ``X_j`` given ``X_-j``):
    ``CPI_j = mean_a mean_{b in G(a)} loss(y_a, f(x_a with x_aj := x_bj)) - mean_a loss(y_a, f(x_a))``
    where ``G(a) = {b : x_b,-j == x_a,-j}`` (including ``a``). If every group is a single row,
    ``X_j`` is a function of ``X_-j`` under ``P`` and ``CPI_j = 0``.

    A Gaussian ``P``: conditional Gaussian sampling of ``X_j | X_-j`` in closed form for ``f`` and
    the targets ``y`` (a function of ``X``, e.g. ``target``) of degree <= 2 and the squared loss
    (:func:`explainspec.oracles.gaussian.permutation_importance`). Rows sampled from a continuous
    distribution are refused: no two share ``x_-j``, so ``CPI = 0`` would say nothing about it.

    Returns
    -------
    ndarray of shape (d,)

    Raises
    ------
    GroundTruthUnavailable
        A Gaussian ``P`` outside the closed form, or rows sampled from a continuous ``P``.
    """
    if as_rows(P) is None:
        return gaussian.permutation_importance(f, P, y, _loss(loss), conditional=True)
    refuse_continuous_sample(P, "cpi")
    rows, target, L, base = _setup(f, P, y, loss)
    n, d = rows.shape
    out = np.empty(d)
    for j in range(d):
        _, group = np.unique(np.delete(rows, j, axis=1), axis=0, return_inverse=True)
        group = group.reshape(-1)
        size = np.bincount(group)
        order = np.argsort(group, kind="stable")
        starts = np.concatenate([[0], np.cumsum(size)[:-1]])
        a = np.repeat(np.arange(n), size[group])
        # the members of a's group, listed for every a
        offsets = np.arange(a.shape[0]) - np.repeat(
            np.cumsum(size[group]) - size[group], size[group]
        )
        b = order[starts[group[a]] + offsets]
        losses = _pair_losses(f, rows, target, L, j, a, b)
        out[j] = np.sum((losses - base[a]) / size[group[a]]) / n
    return out
