"""Statistics of the data as builtins of check expressions (declared in
:mod:`explainspec.catalog.builtins`): conditional means and variances over a finite
distribution, quantiles, sorting, rank correlations, ``linspace``, and seeded noise.

Conditional statistics are exact: a finite distribution is uniform over its rows (a multiset), so
``E[f(X) | X_S = z_S]`` is the mean of ``f`` over the rows that equal ``z`` on ``S``. Rank
correlations are scipy's (``scipy.stats.spearmanr``, ``kendalltau``: tau-b, ties handled).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from explainspec.expr.functions import is_function
from explainspec.expr.guards import check_cells, check_range
from explainspec.worlds.base import GroundTruthUnavailable

__all__ = [
    "cond_mean",
    "cond_var",
    "kendall",
    "linspace",
    "noise",
    "quantile",
    "sort",
    "spearman",
]


def _rows(P: Any, what: str) -> np.ndarray:
    rows = getattr(P, "rows", P)
    if rows is None:
        raise GroundTruthUnavailable(
            f"{what} needs a finite distribution: the conditional expectation given X_S = x_S of "
            "a continuous one is not computed exactly here"
        )
    arr = np.asarray(rows, dtype=float)
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise ValueError(f"{what}: P must be a distribution or rows (n, d), got shape {arr.shape}")
    return arr


def _groups(
    f: Any, P: Any, given: Any, what: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """``(values, group of each row, rows, S)``: f over the rows of P, and which rows agree on
    the features of ``given``."""
    from explainspec.expr.subsets import as_subset

    rows = _rows(P, what)
    if is_function(f) or (callable(f) and not isinstance(f, np.ndarray)):
        values = np.asarray(f(rows), dtype=float).reshape(-1)
    else:
        values = np.asarray(f, dtype=float).reshape(-1)
    if values.shape[0] != rows.shape[0]:
        raise ValueError(
            f"{what}: f has {values.shape[0]} values for the {rows.shape[0]} rows of P (pass a "
            "function, or one value per row such as y)"
        )
    S = sorted(as_subset(given if given is not None else (), "given"))
    if S and S[-1] >= rows.shape[1]:
        raise ValueError(f"{what}: given = {set(S)} has features outside 0 .. {rows.shape[1] - 1}")
    if not S:
        return values, np.zeros(rows.shape[0], dtype=np.int64), rows, S
    _, group = np.unique(rows[:, S], axis=0, return_inverse=True)
    return values, group.reshape(-1), rows, S


def _at(rows: np.ndarray, S: list[int], at: Any, group: np.ndarray, what: str) -> int:
    """The group of the rows that agree with the point ``at`` on ``S``."""
    z = np.asarray(at, dtype=float).reshape(-1)
    if z.shape[0] != rows.shape[1]:
        raise ValueError(f"{what}: at has {z.shape[0]} features, P has {rows.shape[1]}")
    match = np.all(rows[:, S] == z[S][None, :], axis=1) if S else np.ones(rows.shape[0], bool)
    if not match.any():
        raise ValueError(
            f"{what}: no row of P has the values {z[S].tolist()} on the features {S}, so the "
            "conditional expectation is undefined there"
        )
    return int(group[np.argmax(match)])


def cond_mean(f: Any, P: Any, given: Any = None, at: Any = None) -> Any:
    """``E[f(X) | X_S = x_S]`` over the finite distribution ``P``, ``S = given``.

    Without ``at``: the conditional mean at every row of ``P`` (an ``(n,)`` array, constant on
    rows that agree on ``S``); with ``at = x``: its value at the point ``x`` (``x`` must agree
    with some row on ``S``). ``f`` is a function or the values at the rows of ``P`` (e.g. ``y``).

    >>> rows = [[0, 0], [0, 1], [1, 0], [1, 1]]
    >>> cond_mean([1, 2, 3, 4], rows, given = {0}).tolist()
    [1.5, 1.5, 3.5, 3.5]
    >>> float(cond_mean([1, 2, 3, 4], rows, given = {1}, at = [9, 1]))
    3.0
    """
    values, group, rows, S = _groups(f, P, given, "cond_mean")
    sums = np.bincount(group, weights=values)
    counts = np.bincount(group).astype(float)
    means = sums / counts
    if at is not None:
        return float(means[_at(rows, S, at, group, "cond_mean")])
    return means[group]


def cond_var(f: Any, P: Any, given: Any = None, at: Any = None) -> Any:
    """``Var[f(X) | X_S = x_S]`` over the finite distribution ``P`` (population variance within
    each group of rows that agree on ``S``); like :func:`cond_mean` otherwise.

    >>> rows = [[0, 0], [0, 1], [1, 0], [1, 1]]
    >>> cond_var([1, 2, 3, 5], rows, given = {0}).tolist()
    [0.25, 0.25, 1.0, 1.0]
    """
    values, group, rows, S = _groups(f, P, given, "cond_var")
    counts = np.bincount(group).astype(float)
    means = np.bincount(group, weights=values) / counts
    dev = values - means[group]
    var = np.bincount(group, weights=dev * dev) / counts
    if at is not None:
        return float(var[_at(rows, S, at, group, "cond_var")])
    return var[group]


def quantile(a: Any, q: Any) -> Any:
    """The ``q``-quantile(s) of the elements of ``a`` (numpy's default, linear interpolation
    between order statistics); ``q`` in ``[0, 1]``, a number or an array.

    >>> float(quantile([1, 2, 3, 4], 0.5)), quantile([0, 10], [0, 0.25]).tolist()
    (2.5, [0.0, 2.5])
    """
    arr = np.asarray(a, dtype=float).ravel()
    if arr.size == 0:
        raise ValueError("quantile of an empty array")
    qs = np.asarray(q, dtype=float)
    if np.any((qs < 0) | (qs > 1)):
        raise ValueError(f"quantile: q = {q!r} must lie in [0, 1]")
    out = np.quantile(arr, qs)
    return out[()] if np.ndim(out) == 0 else out


def sort(a: Any, descending: bool = False) -> np.ndarray:
    """The elements of a 1-d array in increasing (``descending = true``: decreasing) order.

    >>> sort([3, 1, 2]).tolist(), sort([3, 1, 2], descending = True).tolist()
    ([1, 2, 3], [3, 2, 1])
    """
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise ValueError(f"sort needs a 1-d array, got shape {arr.shape}")
    out = np.sort(arr, kind="stable")
    return out[::-1].copy() if descending else out


def _pair(a: Any, b: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(a, dtype=float).ravel()
    y = np.asarray(b, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"{what} needs arrays of equal length, got {x.size} and {y.size}")
    if x.size < 2:
        raise ValueError(f"{what} needs at least 2 values")
    return x, y


def spearman(a: Any, b: Any) -> float:
    """Spearman's rank correlation of two 1-d arrays (the Pearson correlation of their average
    ranks; scipy's ``spearmanr``). NaN when one is constant (NaN never passes a comparison).

    >>> spearman([1, 2, 3], [10, 20, 90]), spearman([1, 2, 3], [3, 2, 1])
    (1.0, -1.0)
    """
    from scipy.stats import spearmanr

    x, y = _pair(a, b, "spearman")
    if np.all(x == x[0]) or np.all(y == y[0]):
        return float("nan")
    return float(spearmanr(x, y).statistic)


def kendall(a: Any, b: Any) -> float:
    """Kendall's rank correlation tau-b of two 1-d arrays (scipy's ``kendalltau``, which
    accounts for ties). NaN when one is constant.

    >>> kendall([1, 2, 3, 4], [1, 3, 2, 4])
    0.6666666666666669
    """
    from scipy.stats import kendalltau

    x, y = _pair(a, b, "kendall")
    if np.all(x == x[0]) or np.all(y == y[0]):
        return float("nan")
    return float(kendalltau(x, y).statistic)


def linspace(a: Any, b: Any, n: Any) -> np.ndarray:
    """``n`` evenly spaced numbers from ``a`` to ``b`` (both included).

    >>> linspace(0, 1, 5).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    if isinstance(n, bool) or not float(n).is_integer() or int(n) < 1:
        raise ValueError(f"linspace(a, b, n): n = {n!r} must be an integer >= 1")
    check_range(int(n), "linspace")
    return np.linspace(float(a), float(b), int(n))


def noise(seed: Any, scale: Any = 1.0, shape: Any = (), stream: Any = 0) -> Any:
    """Gaussian noise ``N(0, scale**2)`` of the given shape, drawn from the seed: the same
    seed, scale, shape and stream give the same numbers. In a check, pass ``seed`` (the world's
    method seed, so each world draws its own noise and ``within mc`` replicates draw anew);
    ``stream = k`` gives independent draws from one seed.

    >>> a = noise(7, 0.1, 3)
    >>> a.shape, bool((a == noise(7, 0.1, 3)).all()), bool((a == noise(7, 0.1, 3, stream=1)).any())
    ((3,), True, False)
    """
    for name, v in (("seed", seed), ("stream", stream)):
        if isinstance(v, bool) or not float(v).is_integer() or int(v) < 0:
            raise ValueError(f"noise: {name} = {v!r} must be an integer >= 0")
    sd = float(scale)
    if not sd >= 0:
        raise ValueError(f"noise: scale = {scale!r} must be >= 0")
    dims = np.asarray(shape, dtype=float).reshape(-1)
    if not all(v.is_integer() and v >= 0 for v in dims):
        raise ValueError(f"noise: shape = {shape!r} must be non-negative integers")
    size = tuple(int(v) for v in dims)
    check_cells(size, f"noise of shape {list(size)}")
    rng = np.random.default_rng([int(seed), int(stream)])
    out = rng.normal(0.0, sd, size=size)
    return out[()] if out.ndim == 0 else out
