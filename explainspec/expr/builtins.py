"""Implementations of the builtin functions of check expressions.

Declared (names, parameters, docs) in :mod:`explainspec.catalog.builtins`; the interpreter loads
them lazily through ``registry("builtin")``. Every function accepts numbers, lists or arrays and
works on ``numpy.asarray`` of them. Names that would shadow Python builtins carry a trailing
underscore here (``sum_``); in a spec they are written without it (``sum(phi)``).

Sizes a check chooses here (``range``, ``zeros``, ``ones``, the broadcast of ``max``/``min``/
``clip``, ``dot``) are refused before allocating, and integer results that would leave the 64-bit
range of an array are refused rather than wrapped (:mod:`explainspec.expr.guards`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from explainspec.catalog.limits import limit
from explainspec.expr.base import IntegerRangeError
from explainspec.expr.functions import is_function, lift
from explainspec.expr.guards import (
    INT64_MAX,
    check_array_op,
    check_cells,
    check_range,
    int_bound,
)
from explainspec.lang import ir

__all__ = [
    "abs_",
    "all_",
    "any_",
    "argmax",
    "argmin",
    "argsort",
    "clip",
    "comb",
    "corr",
    "dot",
    "exp",
    "floor",
    "len_",
    "log",
    "max_",
    "member",
    "mean",
    "min_",
    "norm",
    "ones",
    "popcount",
    "range_",
    "rank",
    "round_",
    "sign",
    "sqrt",
    "std",
    "sum_",
    "swap",
    "var",
    "zeros",
]


def _scalar(v: Any) -> Any:
    """0-d arrays become numpy scalars, so ``sum(phi)`` prints and compares like a number."""
    return v[()] if isinstance(v, np.ndarray) and v.ndim == 0 else v


def sum_(a: Any, axis: int | None = None) -> Any:
    """Sum of the elements (along ``axis`` if given).

    >>> float(sum_([1, 2, 3.5]))
    6.5
    >>> sum_([[1, 2], [3, 4]], axis=1).tolist()
    [3, 7]
    """
    arr = np.asarray(a)
    bound = int_bound(arr) if arr.dtype.kind in "iu" else None
    if bound is not None and bound * max(arr.size, 1) > INT64_MAX:
        raise _too_large(f"the sum of {arr.size} integers up to {bound} in size")
    return _scalar(np.sum(arr, axis=axis))


def mean(a: Any, axis: int | None = None) -> Any:
    """Arithmetic mean of the elements (along ``axis`` if given).

    >>> float(mean([1, 2, 3, 6]))
    3.0
    """
    return _scalar(np.mean(np.asarray(a), axis=axis))


@lift("abs")
def abs_(a: Any) -> Any:
    """Absolute value, element-wise.

    >>> abs_([-1.5, 2]).tolist()
    [1.5, 2.0]
    """
    if isinstance(a, int):  # a Python integer stays exact
        return abs(a)
    arr = np.asarray(a)
    bound = int_bound(arr)
    if bound is not None and bound > INT64_MAX:  # abs(-2**63) wraps around in int64
        raise _too_large("abs(-2 ** 63)")
    return _scalar(np.abs(arr))


@lift("sign")
def sign(a: Any) -> Any:
    """Sign (-1, 0 or 1), element-wise.

    >>> sign([-2.0, 0.0, 3.0]).tolist()
    [-1.0, 0.0, 1.0]
    """
    return _scalar(np.sign(np.asarray(a)))


def _extreme(reduce: Any, pairwise: Any, a: Any, rest: tuple[Any, ...]) -> Any:
    if not rest:
        arr = np.asarray(a)
        if arr.size == 0:
            raise ValueError("of an empty array")
        return _scalar(reduce(arr))
    out = np.asarray(a)
    for b in rest:
        b = np.asarray(b)
        check_cells(np.broadcast_shapes(out.shape, b.shape), "the element-wise result")
        out = pairwise(out, b)
    return _scalar(out)


def max_(a: Any, *rest: Any) -> Any:
    """One argument: the largest element; several: the element-wise maximum.

    >>> float(max_([1, 5, 2]))
    5.0
    >>> max_([1, 5, 2], 3).tolist()
    [3, 5, 3]
    """
    return _extreme(np.max, np.maximum, a, rest)


def min_(a: Any, *rest: Any) -> Any:
    """One argument: the smallest element; several: the element-wise minimum.

    >>> float(min_([1, 5, 2]))
    1.0
    >>> min_([1, 5, 2], [0, 9, 9]).tolist()
    [0, 5, 2]
    """
    return _extreme(np.min, np.minimum, a, rest)


def norm(a: Any, p: float = 2) -> Any:
    """The ``p``-norm of all elements (Euclidean by default; ``p = inf`` for the maximum norm).

    >>> float(norm([3, 4]))
    5.0
    >>> float(norm([3, -4], p=1))
    7.0
    """
    return np.linalg.norm(np.asarray(a, dtype=float).ravel(), ord=p)


def argmax(a: Any) -> int:
    """Index of the largest element of the flattened array (the first one on ties).

    >>> argmax([1, 7, 7])
    1
    """
    return int(np.argmax(np.asarray(a)))


def argmin(a: Any) -> int:
    """Index of the smallest element of the flattened array (the first one on ties).

    >>> argmin([4, 1, 1])
    1
    """
    return int(np.argmin(np.asarray(a)))


def argsort(a: Any) -> np.ndarray:
    """Indices that sort ``a`` ascending (stable); use ``argsort(-a)`` for descending.

    >>> argsort([3, 1, 2]).tolist()
    [1, 2, 0]
    """
    return np.argsort(np.asarray(a), kind="stable")


def rank(a: Any) -> np.ndarray:
    """Ranks ``1 .. n`` of the elements of a 1-d array, ascending; ties get the average rank.

    >>> rank([10, 30, 20, 20]).tolist()
    [1.0, 4.0, 2.5, 2.5]
    """
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise ValueError(f"rank needs a 1-d array, got shape {arr.shape}")
    order = np.argsort(arr, kind="stable")
    sorted_vals = arr[order]
    ranks = np.empty(arr.shape, dtype=float)
    # Group equal values: each group gets the mean of the 1-based positions it spans.
    starts = np.flatnonzero(np.r_[True, sorted_vals[1:] != sorted_vals[:-1]])
    ends = np.r_[starts[1:], arr.size]
    for s, e in zip(starts, ends, strict=True):
        ranks[order[s:e]] = (s + 1 + e) / 2
    return ranks


def corr(a: Any, b: Any) -> float:
    """Pearson correlation of two 1-d arrays of equal length.

    NaN when either is constant (the correlation is undefined); NaN never passes a comparison.

    >>> round(corr([1, 2, 3], [2, 4, 7]), 4)
    0.9934
    >>> corr([1, 2, 3], [3, 2, 1])
    -1.0
    """
    x = np.asarray(a, dtype=float).ravel()
    y = np.asarray(b, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"corr needs arrays of equal length, got {x.size} and {y.size}")
    xc, yc = x - x.mean(), y - y.mean()
    denom = float(np.sqrt(np.sum(xc * xc) * np.sum(yc * yc)))
    if denom == 0.0:
        return float("nan")
    return float(np.clip(np.sum(xc * yc) / denom, -1.0, 1.0))


def all_(a: Any) -> bool:
    """True if every element is true (true for an empty array).

    >>> all_([True, 1, 2.0]), all_([1, 0])
    (True, False)
    """
    return bool(np.all(np.asarray(a)))


def any_(a: Any) -> bool:
    """True if some element is true (false for an empty array).

    >>> any_([0, 0, 1]), any_([])
    (True, False)
    """
    return bool(np.any(np.asarray(a)))


def len_(a: Any) -> int:
    """Length of the first axis; the number of features of a subset.

    >>> len_([[1, 2], [3, 4], [5, 6]])
    3
    """
    if isinstance(a, frozenset | list | tuple):  # a subset: its number of features
        return len(a)
    if is_function(a):
        raise TypeError("len() of a function")
    arr = np.asarray(a)
    if arr.ndim == 0:
        raise TypeError("len() of a number")
    return int(arr.shape[0])


@lift("sqrt")
def sqrt(a: Any) -> Any:
    """Square root, element-wise (NaN for negative numbers).

    >>> float(sqrt(9))
    3.0
    """
    return _scalar(np.sqrt(np.asarray(a, dtype=float)))


@lift("exp")
def exp(a: Any) -> Any:
    """Exponential, element-wise.

    >>> float(exp(0))
    1.0
    """
    return _scalar(np.exp(np.asarray(a, dtype=float)))


@lift("log")
def log(a: Any) -> Any:
    """Natural logarithm, element-wise (``-inf`` at 0, NaN below).

    >>> float(log(1))
    0.0
    """
    return _scalar(np.log(np.asarray(a, dtype=float)))


def std(a: Any, ddof: int = 0) -> Any:
    """Standard deviation of all elements (population: ``ddof = 0``, unless given).

    >>> float(std([1, 3]))
    1.0
    """
    return _scalar(np.std(np.asarray(a, dtype=float), ddof=ddof))


def var(a: Any, ddof: int = 0) -> Any:
    """Variance of all elements (population: ``ddof = 0``, unless given).

    >>> float(var([1, 3], ddof=1))
    2.0
    """
    return _scalar(np.var(np.asarray(a, dtype=float), ddof=ddof))


def _int(v: Any, what: str) -> int:
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    arr = np.asarray(v)
    if arr.ndim != 0 or arr.dtype.kind not in "biu":
        raise TypeError(f"{what} must be an integer, got {v!r}")
    return int(arr)


def _too_large(what: str) -> Exception:
    return IntegerRangeError(f"{what} leaves the 64-bit range of an integer array")


def range_(start: Any, stop: Any = None, step: Any = 1) -> np.ndarray:
    """Integers like Python's ``range``: ``range(stop)``, ``range(start, stop[, step])``.

    >>> range_(3).tolist(), range_(1, 7, 2).tolist()
    ([0, 1, 2], [1, 3, 5])
    """
    if stop is None:
        start, stop = 0, start
    lo, hi, by = _int(start, "start"), _int(stop, "stop"), _int(step, "step")
    if by == 0:
        raise ValueError("range() step must not be zero")
    check_range(len(range(lo, hi, by)), "the range")
    if max(abs(lo), abs(hi)) > INT64_MAX:
        raise _too_large(f"a range reaching {max(abs(lo), abs(hi))}")
    return np.arange(lo, hi, by)


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int) and not isinstance(shape, bool):
        dims: tuple[int, ...] = (shape,)
    else:
        arr = np.asarray(shape)
        dims = (_int(arr, "shape"),) if arr.ndim == 0 else tuple(_int(s, "shape") for s in arr)
    if any(n < 0 for n in dims):
        raise ValueError(f"negative dimensions are not allowed: {list(dims)}")
    check_cells(dims, f"an array of shape {list(dims)}")
    return dims


def zeros(shape: Any) -> np.ndarray:
    """An array of zeros of the given shape (an int or a list of ints).

    >>> zeros(2).tolist(), zeros([1, 2]).tolist()
    ([0.0, 0.0], [[0.0, 0.0]])
    """
    return np.zeros(_shape(shape))


def ones(shape: Any) -> np.ndarray:
    """An array of ones of the given shape (an int or a list of ints).

    >>> ones(3).tolist()
    [1.0, 1.0, 1.0]
    """
    return np.ones(_shape(shape))


def dot(a: Any, b: Any) -> Any:
    """Dot product (the matrix product for 2-d arrays, like ``a @ b``).

    >>> int(dot([1, 2], [3, 4]))
    11
    """
    x, y = np.asarray(a), np.asarray(b)
    if x.ndim > 2 or y.ndim > 2:  # np.dot pairs every row of x with every column stack of y
        check_cells((*x.shape[:-1], *y.shape[:-2], *y.shape[-1:]), "dot")
    check_array_op(ir.BinOp.MATMUL if x.ndim and y.ndim else ir.BinOp.MUL, x, y, "dot")
    return _scalar(np.dot(x, y))


def clip(a: Any, lo: Any, hi: Any) -> Any:
    """Limit the values to ``[lo, hi]``, element-wise.

    >>> clip([-2, 0.5, 3], 0, 1).tolist()
    [0.0, 0.5, 1.0]
    """
    arr, low, high = np.asarray(a), np.asarray(lo), np.asarray(hi)
    check_cells(np.broadcast_shapes(arr.shape, low.shape, high.shape), "the clipped array")
    return _scalar(np.clip(arr, low, high))


@lift("round")
def round_(a: Any, decimals: int = 0) -> Any:
    """Round to ``decimals`` decimals, element-wise (halves to even, as numpy does).

    >>> round_([0.5, 1.5, 2.25], 1).tolist()
    [0.5, 1.5, 2.2]
    """
    return _scalar(np.round(np.asarray(a), _int(decimals, "decimals")))


@lift("floor")
def floor(a: Any) -> Any:
    """Largest integer not above ``a``, element-wise.

    >>> floor([-0.5, 1.5]).tolist()
    [-1.0, 1.0]
    """
    return _scalar(np.floor(np.asarray(a, dtype=float)))


def swap(a: Any, i: Any, j: Any, axis: Any = -1) -> np.ndarray:
    """A copy of ``a`` with positions ``i`` and ``j`` exchanged along ``axis``.

    >>> swap([10, 20, 30], 0, 2).tolist()
    [30, 20, 10]
    >>> swap([[1, 2], [3, 4]], 0, 1, axis=0).tolist()
    [[3, 4], [1, 2]]
    """
    arr = np.array(a, copy=True)
    ax = _int(axis, "axis")
    order = np.arange(arr.shape[ax])
    ii, jj = _int(i, "i"), _int(j, "j")
    order[[ii, jj]] = order[[jj, ii]]
    return np.take(arr, order, axis=ax)


def comb(n: Any, k: Any) -> int:
    """The binomial coefficient ``n choose k`` (exact; 0 when ``k`` is outside ``0 .. n``): the
    number of subsets of size ``k`` of ``n`` features, for Shapley weights.

    >>> comb(4, 2), comb(3, 5)
    (6, 0)
    """
    import math

    from explainspec.expr.guards import check_int

    a, b = _int(n, "n"), _int(k, "k")
    if a < 0:
        raise ValueError(f"comb(n, k): n = {a} must be >= 0")
    if a > limit("range"):
        raise ValueError(f"comb(n, k): n = {a} is over the limit range = {limit('range')}")
    return check_int(math.comb(a, b) if 0 <= b <= a else 0, "comb(n, k)")


def member(i: Any, S: Any) -> Any:
    """Whether feature ``i`` belongs to the coalition with bitmask ``S``.

    >>> member(1, 0b110), member(0, 0b110)
    (True, False)
    >>> member(0, range_(4)).tolist()
    [False, True, False, True]
    """
    bit = _int(i, "i")
    if bit < 0:
        raise ValueError(f"member: i={bit} must be a feature index >= 0")
    masks = np.asarray(S)
    if not np.issubdtype(masks.dtype, np.integer):
        raise TypeError(f"member: S must be an integer bitmask, got {masks.dtype}")
    out = (masks >> bit) & 1 == 1
    return out.item() if out.ndim == 0 else out


def popcount(S: Any) -> Any:
    """The size of the coalition with bitmask ``S`` (number of set bits), element-wise.

    >>> popcount(0b1011)
    3
    >>> popcount(range_(4)).tolist()
    [0, 1, 1, 2]
    """
    masks = np.asarray(S)
    if not np.issubdtype(masks.dtype, np.integer) or np.any(masks < 0):
        raise TypeError("popcount: S must be a non-negative integer bitmask")
    counts = np.vectorize(lambda m: int(m).bit_count(), otypes=[int])(masks)
    return counts.item() if counts.ndim == 0 else counts
