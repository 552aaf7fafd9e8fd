"""Interaction indices of a game up to an order: SII, BII, k-SII, STII, FSII, FBII, Möbius.

Every index is returned as a vector over coalition bitmasks, ``(2**d,)`` (``(k, 2**d)`` for ``k``
games), with the entries of coalitions larger than ``order`` set to 0 and entry 0 (the empty
coalition) holding the base value ``v(empty)`` for every index (for the efficient indices k-SII,
STII and FSII that is the index's own value at the empty set; SII, BII and FBII define another
number there, which this module does not report):

============  ===========================================================================
``"SII"``     Shapley interaction index (Grabisch & Roubens 1999), from the Möbius transform
              ``m``: ``I(S) = sum_{T >= S} m(T) / (|T| - |S| + 1)``; ``I({i})`` are the Shapley
              values.
``"BII"``     Banzhaf interaction index: ``I(S) = sum_{T >= S} m(T) / 2**(|T| - |S|)``.
``"k-SII"``   k-Shapley interaction index = n-Shapley values (Bordt & von Luxburg 2023),
              ``k = order``: the SII of the top order aggregated with Bernoulli numbers; efficient
              (entries sum to ``v(N)``), entry 0 is ``v(empty)``.
``"STII"``    Shapley-Taylor interaction index (Sundararajan et al. 2020): ``m(S)`` for
              ``|S| < order``, ``sum_{T >= S} m(T) / C(|T|, order)`` for ``|S| = order``.
``"FSII"``    Faithful Shapley interaction index (Tsai, Yeh & Ravikumar 2023): the coefficients
              of the best approximation ``v(T) ~ sum_{S <= T, |S| <= order} Phi(S)`` in least
              squares with the Shapley kernel weights ``1 / ((d - 1) C(d - 2, |T| - 1))`` on
              ``0 < |T| < d``, subject to exactness at ``T = empty`` and ``T = N``.
``"FBII"``    Faithful Banzhaf interaction index: the same approximation in unweighted least
              squares over all ``2**d`` coalitions (no constraint).
``"Moebius"`` the Möbius transform up to ``order`` (all of it for ``order = d``).
============  ===========================================================================

The FSII and FBII are solved exactly (the constrained problem through its KKT system, with
``numpy.linalg.lstsq``), not with a large penalty weight: they are definitions, and the solution
is unique because the design matrix of all coalitions has full column rank.

Pure pairwise interaction: when ``f`` has interactions of order at most 2 (every Möbius dividend
of a coalition of 3 or more is 0), every index above gives the pair entries ``m({i, j})`` at
order 2; with a three-way dividend ``m(T)`` none does: SII, BII and k-SII add ``m(T) / 2`` to each
pair in ``T``, STII ``m(T) / 3``, the faithful indices a weight that depends on ``d``.
"""

from __future__ import annotations

from collections.abc import Callable
from math import comb
from typing import Any

import numpy as np

from explainspec.oracles._common import OracleError, popcounts
from explainspec.oracles.games import interventional_game
from explainspec.oracles.shapley import (
    _check_enumerable,
    _d_of,
    _players,
    moebius_from_game,
    nshapley_from_game,
)

__all__ = ["INDICES", "interaction_index", "interaction_index_from_game"]

#: The index names, as shapiq spells them.
INDICES = ("SII", "BII", "k-SII", "STII", "FSII", "FBII", "Moebius")


def _superset_weighted(m: np.ndarray, d: int, weight: Callable[[int, int], float]) -> np.ndarray:
    """``out[S] = sum_{T superset of S} weight(|S|, |T|) * m[T]`` for every bitmask ``S``."""
    sizes = popcounts(d)
    s = np.arange(1 << d)
    table = np.array(
        [[weight(a, b) if b >= a else 0.0 for b in range(d + 1)] for a in range(d + 1)]
    )
    out = np.zeros_like(m)
    for S in range(1 << d):
        sup = s[(s & S) == S]
        out[..., S] = m[..., sup] @ table[sizes[S], sizes[sup]]
    return out


def _design(d: int, order: int) -> tuple[np.ndarray, np.ndarray]:
    """``(A, cols)``: ``A[T, c] = 1`` iff the coalition ``cols[c]`` (``|cols[c]| <= order``) is a
    subset of ``T``; ``cols`` are the bitmasks of size at most ``order``, ascending."""
    sizes = popcounts(d)
    s = np.arange(1 << d)
    cols = s[sizes <= order]
    A = ((s[:, None] & cols[None, :]) == cols[None, :]).astype(float)
    return A, cols


def _faithful(v: np.ndarray, d: int, order: int, shapley: bool) -> np.ndarray:
    A, cols = _design(d, order)
    sizes = popcounts(d)
    flat = v.reshape(-1, 1 << d)
    out = np.zeros_like(flat)
    if shapley:
        full = (1 << d) - 1
        inner = (sizes > 0) & (sizes < d)
        w = np.zeros(1 << d)
        w[inner] = [1.0 / ((d - 1) * comb(d - 2, int(k) - 1)) for k in sizes[inner]]
        C = A[[0, full]]  # exactness at the empty and the grand coalition
        sw = np.sqrt(w)[:, None]
        n = A.shape[1]
        kkt = np.zeros((n + 2, n + 2))
        kkt[:n, :n] = 2 * (A * sw).T @ (A * sw)
        kkt[:n, n:] = C.T
        kkt[n:, :n] = C
        for r, game in enumerate(flat):
            rhs = np.concatenate([2 * (A * w[:, None]).T @ game, game[[0, full]]])
            sol = np.linalg.lstsq(kkt, rhs, rcond=None)[0]
            out[r, cols] = sol[:n]
    else:
        for r, game in enumerate(flat):
            out[r, cols] = np.linalg.lstsq(A, game, rcond=None)[0]
    return out.reshape(v.shape)


def interaction_index_from_game(v: Any, index: str = "k-SII", order: int = 2) -> np.ndarray:
    """The interaction index ``index`` of the game ``v`` up to ``order``, by bitmask.

    Parameters
    ----------
    v : array_like of shape (2**d,) or (k, 2**d)
    index : {"SII", "BII", "k-SII", "STII", "FSII", "FBII", "Moebius"}
    order : int
        The largest coalition size, ``1 <= order <= d``.

    Returns
    -------
    ndarray of the shape of ``v``; zero for coalitions larger than ``order``.

    Examples
    --------
    >>> v = [0.0, 1.0, 2.0, 4.0]            # m = (0, 1, 2, 1): one pair dividend of 1
    >>> interaction_index_from_game(v, "SII", 2).tolist()   # base, Shapley values, the pair
    [0.0, 1.5, 2.5, 1.0]
    >>> interaction_index_from_game(v, "k-SII", 2).tolist()  # the Möbius transform at order d
    [0.0, 1.0, 2.0, 1.0]
    """
    v = np.asarray(v, dtype=float)
    d = _players(v)
    if index not in INDICES:
        raise OracleError(f"index = {index!r} is not one of {', '.join(INDICES)}")
    if not 1 <= int(order) <= d:
        raise OracleError(f"order = {order!r} must be between 1 and d = {d}")
    order = int(order)
    m = moebius_from_game(v)
    keep = popcounts(d) <= order
    if index == "k-SII":
        return nshapley_from_game(v, order)  # entry 0 is v(empty) by its definition
    if index == "Moebius":
        out = m
    elif index == "SII":
        out = _superset_weighted(m, d, lambda s, t: 1.0 / (t - s + 1))
    elif index == "BII":
        out = _superset_weighted(m, d, lambda s, t: 0.5 ** (t - s))
    elif index == "STII":
        top = _superset_weighted(m, d, lambda s, t: 1.0 / comb(t, order) if t >= order else 0.0)
        out = np.where(popcounts(d) == order, top, m)
    else:
        out = _faithful(v, d, order, shapley=index == "FSII")
    out = np.where(keep, out, 0.0)
    out[..., 0] = v[..., 0]
    return out


def interaction_index(
    f: Callable[[Any], Any], x: Any, P: Any, index: str = "k-SII", order: int = 2
) -> np.ndarray:
    """The interaction index ``index`` up to ``order`` of the interventional game at ``x``.

    The game is ``v(S) = E_P f(x_S, Z_{-S})`` (see
    :func:`explainspec.oracles.games.interventional_game`); the indices are those of
    :func:`interaction_index_from_game`, by bitmask, ``(2**d,)``.
    """
    _check_enumerable(_d_of(P, x))
    return interaction_index_from_game(interventional_game(f, x, P), index, order)
