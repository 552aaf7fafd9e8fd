"""Subsets of the features as values of check expressions: ``{0, 2}``, ``S | {i}``, ``S - {i}``,
``i in S``, ``len(S)``, and the list ``subsets(d, without = {i})`` a quantifier ranges over.

A :class:`Subset` is a frozenset of feature indices (non-negative integers). Coalition-indexed
oracles (``moebius``, ``nshapley``) index their results by bitmask; indexing such a result with
a subset uses its bitmask (``moebius(f, x, P)[{0, 2}]`` is entry ``0b101``), and ``bitmask(S)``
gives it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import numpy as np

from explainspec.expr.guards import check_range

__all__ = ["Subset", "as_subset", "bitmask", "subset_of", "subsets"]


class Subset(frozenset[int]):
    """A subset of the features: a frozenset of feature indices, shown as ``{0, 2}``.

    >>> S = Subset({2, 0})
    >>> S, S | {1}, S - {0}, len(S), 2 in S, S.mask
    ({0, 2}, {0, 1, 2}, {2}, 2, True, 5)
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "{" + ", ".join(str(i) for i in sorted(self)) + "}"

    __str__ = __repr__

    @property
    def mask(self) -> int:
        """The bitmask of the subset (feature ``i`` is bit ``i``)."""
        return sum(1 << i for i in self)

    def __or__(self, other: Any) -> Subset:
        return Subset(frozenset.__or__(self, as_subset(other, "|")))

    __ror__ = __or__

    def __and__(self, other: Any) -> Subset:
        return Subset(frozenset.__and__(self, as_subset(other, "&")))

    __rand__ = __and__

    def __sub__(self, other: Any) -> Subset:
        return Subset(frozenset.__sub__(self, as_subset(other, "-")))

    def __rsub__(self, other: Any) -> Subset:
        return Subset(frozenset.__sub__(as_subset(other, "-"), self))

    def __xor__(self, other: Any) -> Any:
        return NotImplemented


def subset_of(items: Iterable[Any]) -> Subset:
    """The subset of the given feature indices (integers >= 0; a ``ValueError`` otherwise).

    >>> subset_of([2, 0, 2])
    {0, 2}
    """
    out = set()
    for v in items:
        i = _index(v)
        out.add(i)
    return Subset(out)


def _index(v: Any) -> int:
    if isinstance(v, bool | np.bool_):
        raise ValueError(f"a subset holds feature indices, not the boolean {v}")
    if (
        isinstance(v, int | np.integer)
        or isinstance(v, float | np.floating)
        and float(v).is_integer()
    ):
        i = int(v)
    else:
        raise ValueError(f"a subset holds feature indices (integers >= 0), not {v!r}")
    if i < 0:
        raise ValueError(f"a subset holds feature indices (integers >= 0), not {i}")
    return i


def as_subset(v: Any, op: str = "") -> Subset:
    """``v`` as a subset: a :class:`Subset`, a set, or a sequence of feature indices."""
    if isinstance(v, Subset):
        return v
    if isinstance(v, set | frozenset | list | tuple):
        return subset_of(v)
    if isinstance(v, np.ndarray) and v.ndim == 1:
        return subset_of(v.tolist())
    where = f" `{op}`" if op else ""
    raise TypeError(f"{where.strip() or 'this'} takes subsets of the features, not {v!r}")


def bitmask(S: Any) -> int:
    """The bitmask of subset ``S`` (feature ``i`` is bit ``i``): the index of ``S`` in a
    coalition-indexed result (``moebius``, ``nshapley``).

    >>> bitmask(Subset({0, 2}))
    5
    """
    return as_subset(S).mask


def subsets(n: Any, without: Any = None, size: Any = None) -> list[Subset]:
    """Every subset of the features ``0 .. n - 1`` (or of the subset ``n``), without the
    features of ``without``, and only those of ``size`` elements if given; smallest first, then
    in lexicographic order. At most ``limit("range")`` subsets (``2 ** n``): refused beyond.

    >>> subsets(2)
    [{}, {0}, {1}, {0, 1}]
    >>> subsets(3, without = Subset({1}), size = 1)
    [{0}, {2}]
    """
    if isinstance(n, Subset | set | frozenset | list | tuple) or (
        isinstance(n, np.ndarray) and n.ndim == 1
    ):
        ground = sorted(as_subset(n))
    else:
        if isinstance(n, bool) or not isinstance(n, int | np.integer):
            raise TypeError(f"subsets(n): n must be a number of features or a subset, not {n!r}")
        if int(n) < 0:
            raise ValueError(f"subsets(n): n = {int(n)} must be >= 0")
        ground = list(range(int(n)))
    if without is not None:
        drop = as_subset(without, "without")
        ground = [i for i in ground if i not in drop]
    if size is None:
        sizes: Iterable[int] = range(len(ground) + 1)
        count = 2 ** len(ground) if len(ground) < 64 else 2**64
    else:
        if isinstance(size, bool) or not isinstance(size, int | np.integer):
            raise TypeError(f"subsets(size = {size!r}): size must be an integer")
        k = int(size)
        sizes = [k] if 0 <= k <= len(ground) else []
        count = _comb(len(ground), k) if 0 <= k <= len(ground) else 0
    check_range(count, f"the subsets of {len(ground)} features")
    return [Subset(c) for k in sizes for c in itertools.combinations(ground, k)]


def _comb(n: int, k: int) -> int:
    import math

    return math.comb(n, k)
