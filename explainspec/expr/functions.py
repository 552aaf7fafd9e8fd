"""Builtins that build functions in a check: links (``sigmoid(f)``), restriction, permutation,
bumps and quadratics to add to ``f`` (declared in :mod:`explainspec.catalog.builtins`).

The functions themselves (with their exact ground truth) are in
:mod:`explainspec.worlds.derived`; this module only adapts the arguments a check passes. The
element-wise builtins of one argument (``exp``, ``log``, ``abs``, ...) applied to a function give
a function too (:func:`lift`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

__all__ = [
    "bump",
    "is_function",
    "lift",
    "logit",
    "off_support_bump",
    "permute",
    "quadratic_at",
    "restrict",
    "sigmoid",
    "tanh",
]

F = TypeVar("F", bound=Callable[..., Any])


def is_function(v: Any) -> bool:
    """A world's function (or one derived from it), as opposed to numbers and arrays."""
    return callable(v) and hasattr(v, "formula") and hasattr(v, "d")


def lift(name: str) -> Callable[[F], F]:
    """Make the element-wise builtin ``name`` give the function ``name(f)`` when its argument
    is a function (``exp(f)``, ``abs(f - g)``)."""

    def wrap(impl: F) -> F:
        def builtin(a: Any, *rest: Any, **kwargs: Any) -> Any:
            if is_function(a):
                if rest or any(v not in (0, None) for v in kwargs.values()):
                    raise TypeError(f"{name}(f) of a function takes no further arguments")
                from explainspec.worlds import derived

                return derived.compose(name, a)
            return impl(a, *rest, **kwargs)

        builtin.__name__ = impl.__name__
        builtin.__qualname__ = impl.__qualname__
        builtin.__doc__ = impl.__doc__
        builtin.__wrapped__ = impl  # type: ignore[attr-defined]
        return builtin  # type: ignore[return-value]

    return wrap


def _scalar(v: Any) -> Any:
    return v[()] if isinstance(v, np.ndarray) and v.ndim == 0 else v


@lift("sigmoid")
def sigmoid(a: Any) -> Any:
    """The logistic function ``1 / (1 + exp(-a))``, element-wise; of a function, the function
    ``sigmoid(f)``.

    >>> float(sigmoid(0))
    0.5
    """
    return _scalar(1.0 / (1.0 + np.exp(-np.asarray(a, dtype=float))))


@lift("logit")
def logit(a: Any) -> Any:
    """The log-odds ``log(p / (1 - p))``, element-wise (the inverse of ``sigmoid``).

    >>> float(logit(0.5))
    0.0
    """
    p = np.asarray(a, dtype=float)
    return _scalar(np.log(p / (1.0 - p)))


@lift("tanh")
def tanh(a: Any) -> Any:
    """Hyperbolic tangent, element-wise.

    >>> float(tanh(0))
    0.0
    """
    return _scalar(np.tanh(np.asarray(a, dtype=float)))


def _function(f: Any, what: str) -> Any:
    if not is_function(f):
        raise TypeError(f"{what} takes a function (f, g, or one built from them), not {f!r}")
    return f


def restrict(f: Any, S: Any, at: Any) -> Any:
    """``f`` with the features outside the subset ``S`` fixed at the point ``at``:
    ``z -> f(z_S, at_-S)`` (see :func:`explainspec.worlds.derived.restrict`)."""
    from explainspec.expr.subsets import as_subset
    from explainspec.worlds import derived

    return derived.restrict(_function(f, "restrict"), as_subset(S, "restrict"), at)


def permute(f: Any, p: Any) -> Any:
    """``f`` with its features reordered: ``permute(f, p)(x[p]) = f(x)`` (a permutation ``p``
    of ``0 .. d - 1``); of an array, ``a[..., p]`` (its last axis reordered)."""
    from explainspec.worlds import derived

    if is_function(f):
        return derived.permute(f, p)
    arr = np.asarray(f)
    if arr.ndim == 0:
        raise TypeError("permute(a, p) takes a function or an array")
    perm = derived.permutation(p, arr.shape[-1])
    return arr[..., list(perm)]


def bump(center: Any, width: Any, height: Any = 1.0) -> Any:
    """A tent bump: ``height`` at ``center``, 0 where a feature is ``width`` or more away."""
    from explainspec.worlds import derived

    return derived.bump(center, width, height)


def off_support_bump(P: Any, height: Any = 1.0) -> Any:
    """A tent bump that is 0 on every row of ``P``, of height ``height`` off them."""
    from explainspec.worlds import derived

    return derived.off_support_bump(P, height)


def quadratic_at(x: Any, value: Any = 0.0, slope: Any = 0.0, curvature: Any = 1.0) -> Any:
    """``z -> value + slope . (z - x) + curvature * ||z - x||^2``."""
    from explainspec.worlds import derived

    return derived.quadratic_at(x, value, slope, curvature)
