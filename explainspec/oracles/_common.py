"""Shared plumbing of the oracles: calling ``f`` on batches, reading ``P``, coalition bitmasks.

Every oracle accepts ``f`` as any callable ``(n, d) -> (n,)`` and the distribution ``P`` as a rows
array ``(n, d)`` (uniform weights, a multiset), an object with ``.rows`` (finite), or a Gaussian
object with ``.mean``/``.cov`` and ``rows is None``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from math import comb
from typing import Any

import numpy as np

from explainspec.worlds.base import GroundTruthUnavailable, UndefinedAtPoint

__all__ = [
    "GroundTruthUnavailable",
    "UndefinedAtPoint",
    "OracleError",
    "as_point",
    "as_rows",
    "continuous_source",
    "refuse_continuous_sample",
    "evaluate",
    "gaussian_params",
    "linear_parts",
    "popcounts",
    "shapley_from_game",
    "subset_masks",
]

#: Elements (points x features) of one chunk of hybrid points: 2**16 float64 = 512 KiB, so a
#: chunk and f's temporaries stay in cache (measured in bench/oracles.py: 2**16 beats 2**22 by
#: about 1.5x on column-wise numpy functions).
CHUNK_ELEMENTS = 1 << 16


class OracleError(ValueError):
    """An oracle was called with arguments outside its definition (e.g. ``x`` not in supp P)."""


def evaluate(f: Callable[[Any], Any], z: np.ndarray) -> np.ndarray:
    """``f`` on a batch ``(n, d)``, returned as a float ``(n,)`` array.

    Parameters
    ----------
    f : callable
        ``(n, d) -> (n,)`` (a world ``Function``, an sklearn ``predict`` or any callable).
    z : ndarray of shape (n, d)

    Returns
    -------
    ndarray of shape (n,)
    """
    z = np.asarray(z, dtype=float)
    if z.shape[0] == 0:
        return np.zeros(0)
    out = np.asarray(f(z), dtype=float).reshape(-1)
    if out.shape[0] != z.shape[0]:
        raise OracleError(
            f"f returned {out.shape[0]} values for a batch of {z.shape[0]} points; "
            "expected a callable (n, d) -> (n,)"
        )
    return out


def as_point(x: Any, d: int | None = None) -> np.ndarray:
    """A point as a float ``(d,)`` array, checking its length against ``d`` if given."""
    x = np.asarray(x, dtype=float).reshape(-1)
    if d is not None and x.shape[0] != d:
        raise OracleError(f"x has {x.shape[0]} features, expected d = {d}")
    return x


def as_rows(P: Any) -> np.ndarray | None:
    """The rows of a finite ``P`` as a float ``(n, d)`` array, or ``None`` for a Gaussian ``P``.

    Raises
    ------
    OracleError
        If ``P`` is neither a rows array, nor has ``.rows``, nor ``.mean``/``.cov``.
    """
    if isinstance(P, np.ndarray | list | tuple):
        rows = np.asarray(P, dtype=float)
    elif getattr(P, "rows", None) is not None:
        rows = np.asarray(P.rows, dtype=float)
    elif hasattr(P, "mean") and hasattr(P, "cov"):
        return None
    else:
        raise OracleError(
            f"P={P!r} is neither a rows array (n, d), a finite distribution with .rows, "
            "nor a Gaussian with .mean/.cov"
        )
    if rows.ndim == 1:
        rows = rows[:, None]
    if rows.ndim != 2 or rows.shape[0] == 0:
        raise OracleError(f"P must have shape (n, d) with n >= 1, got {rows.shape}")
    return rows


def continuous_source(P: Any) -> Any:
    """The continuous distribution the rows ``P`` were sampled from, if the world marked them
    (:class:`explainspec.worlds.distributions.ContinuousSample`: the data, background and
    points of a ``gaussian`` world), else ``None``."""
    return getattr(P, "continuous_source", None)


def refuse_continuous_sample(P: Any, what: str) -> None:
    """Raise ``GroundTruthUnavailable`` if ``P`` is a finite sample of a continuous distribution.

    The pmf of such a sample has no two rows that agree on any feature, so every conditional
    distribution given ``X_S = x_S`` is a single row: conditional games, M-plots and
    conditional permutation importance would be trivial (CPI exactly 0, ``v(S) = f(x)``), which
    is never what a check about the distribution means.
    """
    if continuous_source(P) is not None:
        raise GroundTruthUnavailable(
            f"{what} conditions on X_S = x_S, and these rows are a finite sample of a continuous "
            "distribution: no two of them agree on a feature, so every conditional distribution "
            "is one row and the value would be trivial. Pass the distribution P instead (a "
            "Gaussian P has closed forms for polynomial f of degree <= 2)"
        )


def gaussian_params(P: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(mean (d,), cov (d, d))`` of a Gaussian ``P``."""
    mu = np.asarray(P.mean() if callable(P.mean) else P.mean, dtype=float).reshape(-1)
    cov = np.asarray(P.cov() if callable(P.cov) else P.cov, dtype=float)
    return mu, cov.reshape(mu.shape[0], mu.shape[0])


def linear_parts(f: Any, d: int | None = None) -> tuple[np.ndarray, float]:
    """``(w, c)`` of a linear ``f = w.x + c``, from ``f.handover("linear")`` or ``f.weights``.

    The pair is checked against ``f`` itself at a few points, so a function that merely claims
    to be linear (or one whose output went through a link) is caught.

    Raises
    ------
    GroundTruthUnavailable
        If ``f`` does not expose its weights, or its outputs do not match them.
    """
    w = c = None
    handover = getattr(f, "handover", None)
    if callable(handover):
        try:
            w, c = handover("linear")
        except Exception:  # noqa: BLE001 - any refusal means "not linear"
            w = None
    if w is None:
        try:
            w, c = f.weights, getattr(f, "intercept", 0.0)
        except (AttributeError, GroundTruthUnavailable):
            w = None
    if w is None:
        raise GroundTruthUnavailable(
            "this oracle has an exact form only for linear f (f.handover('linear') or f.weights)"
        )
    w = np.asarray(w, dtype=float).reshape(-1)
    c = float(np.asarray(c if c is not None else 0.0, dtype=float).reshape(-1)[0])
    if d is not None and w.shape[0] != d:
        raise OracleError(f"linear f has {w.shape[0]} weights, expected d = {d}")
    probe = np.vstack([np.zeros(w.shape[0]), np.eye(w.shape[0]), np.linspace(-1, 2, w.shape[0])])
    got = evaluate(f, probe)
    want = probe @ w + c
    if not np.allclose(got, want, rtol=1e-9, atol=1e-9 * (1 + np.abs(want).max())):
        raise GroundTruthUnavailable("f exposes linear weights but its outputs do not match them")
    return w, c


def subset_masks(d: int) -> np.ndarray:
    """Boolean ``(2**d, d)`` table: row ``S`` says which features are in coalition bitmask ``S``."""
    s = np.arange(1 << d, dtype=np.int64)
    return ((s[:, None] >> np.arange(d)) & 1).astype(bool)


def popcounts(d: int) -> np.ndarray:
    """``|S|`` for every bitmask ``S`` in ``0 .. 2**d - 1``."""
    s = np.arange(1 << d, dtype=np.int64)
    counts = np.zeros(1 << d, dtype=np.int64)
    for i in range(d):
        counts += (s >> i) & 1
    return counts


def _players(v: np.ndarray) -> int:
    n = v.shape[-1]
    d = n.bit_length() - 1
    if n != 1 << d:
        raise OracleError(f"a game has 2**d entries; got {n}")
    return d


def shapley_from_game(v: Any) -> np.ndarray:
    """Shapley values ``phi_i = sum_{S not containing i} |S|!(d-|S|-1)!/d! (v(S+i) - v(S))``.

    Parameters
    ----------
    v : array_like of shape (2**d,) or (k, 2**d)

    Returns
    -------
    ndarray of shape (d,) or (k, d)

    Examples
    --------
    >>> shapley_from_game([0.0, 0.0, 0.0, 1.0]).tolist()   # unanimity game of {0, 1}
    [0.5, 0.5]
    """
    v = np.asarray(v, dtype=float)
    d = _players(v)
    sizes = popcounts(d)
    weight = np.array([1.0 / (d * comb(d - 1, s)) for s in range(d)])
    phi = np.empty(v.shape[:-1] + (d,))
    for i, without, delta in _contributions(v, d):
        phi[..., i] = delta @ weight[sizes[without]]
    return phi


def _contributions(v: np.ndarray, d: int) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """For each player ``i``: the coalitions ``S`` without ``i`` and ``v(S + i) - v(S)``."""
    s = np.arange(1 << d)
    for i in range(d):
        without = s[(s >> i) & 1 == 0]
        yield i, without, v[..., without | (1 << i)] - v[..., without]
