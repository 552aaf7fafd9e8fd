"""Value functions (cooperative games) of an explained point, as vectors over coalition bitmasks.

A game is a float array ``v`` of shape ``(2**d,)``; ``v[S]`` is the value of the coalition whose
bitmask is ``S`` (feature ``i`` is in ``S`` iff ``S >> i & 1``). ``v[0]`` is the value of the empty
coalition and ``v[2**d - 1]`` that of all features.

- :func:`interventional_game` -- ``v(S) = E_P f(x_S, Z_{-S})`` (marginal / interventional).
- :func:`baseline_game` -- ``v(S) = f(x_S, b_{-S})`` (BShap).
- :func:`conditional_game` -- ``v(S) = E_P[f(X) | X_S = x_S]`` (observational), exact on finite
  pmfs; closed form for a Gaussian ``P`` and ``f`` of degree <= 2.
- :func:`explainspec.oracles.trees.path_game` -- TreeSHAP's path-dependent (cover-weighted) game.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from explainspec.oracles import gaussian
from explainspec.oracles._common import (
    CHUNK_ELEMENTS,
    OracleError,
    as_point,
    as_rows,
    evaluate,
    gaussian_params,
    refuse_continuous_sample,
    subset_masks,
)

__all__ = ["baseline_game", "conditional_game", "interventional_game", "value"]


def interventional_game(f: Callable[[Any], Any], x: Any, P: Any) -> np.ndarray:
    """The interventional (marginal) game ``v(S) = mean_z f(x_S, z_{-S})`` over the rows ``z`` of P.

    ``f`` is evaluated on every hybrid point ``(x_S, z_{-S})``, in chunks of at most
    ``CHUNK_ELEMENTS`` numbers (512 KiB) with one call of ``f`` per chunk, so memory stays bounded
    whatever ``d``, the number of rows and the number of points.

    Parameters
    ----------
    f : callable
        ``(n, d) -> (n,)``.
    x : array_like of shape (d,) or (k, d)
        The point(s) to explain.
    P : rows array (n, d), finite distribution, or Gaussian distribution
        For a Gaussian ``P`` the game has a closed form for polynomial ``f`` of degree <= 2
        (:mod:`explainspec.oracles.gaussian`); other ``f`` raise ``GroundTruthUnavailable``.

    Returns
    -------
    ndarray of shape (2**d,) or (k, 2**d)

    Examples
    --------
    >>> import numpy as np
    >>> v = interventional_game(lambda z: z[:, 0] * z[:, 1], [1.0, 1.0], [[0.0, 0.0], [2.0, 2.0]])
    >>> v.tolist()   # v({}), v({0}), v({1}), v({0, 1})
    [2.0, 1.0, 1.0, 1.0]
    """
    rows = as_rows(P)
    X = np.asarray(x, dtype=float)
    single = X.ndim == 1
    X = np.atleast_2d(X)
    if rows is None:
        v = gaussian.interventional_game(f, X, P)
        return v[0] if single else v
    m, d = rows.shape
    if X.shape[1] != d:
        raise OracleError(f"x has {X.shape[1]} features but P has d = {d}")
    n_coal = 1 << d
    table = subset_masks(d)
    total = X.shape[0] * n_coal
    out = np.empty(total)
    step = max(1, CHUNK_ELEMENTS // (m * d))
    for start in range(0, total, step):
        pairs = np.arange(start, min(start + step, total))
        masks = table[pairs % n_coal]
        points = X[pairs // n_coal]
        # built feature-major (d, chunk, m) so that f sees a Fortran-ordered (chunk * m, d) batch:
        # its columns z[:, j] are contiguous, which is what column-wise numpy code reads fastest
        hybrid = np.where(masks.T[:, :, None], points.T[:, :, None], rows.T[:, None, :])
        out[pairs] = evaluate(f, hybrid.reshape(d, -1).T).reshape(len(pairs), m).mean(axis=1)
    out = out.reshape(X.shape[0], n_coal)
    return out[0] if single else out


def baseline_game(f: Callable[[Any], Any], x: Any, b: Any) -> np.ndarray:
    """The baseline game ``v(S) = f(x_S, b_{-S})`` (BShap, Sundararajan & Najmi 2020).

    Parameters
    ----------
    f : callable
    x, b : array_like of shape (d,)
        The point and the baseline.

    Returns
    -------
    ndarray of shape (2**d,)
    """
    b = as_point(b)
    return interventional_game(f, as_point(x, b.shape[0]), b[None, :])


def conditional_game(f: Callable[[Any], Any], x: Any, P: Any) -> np.ndarray:
    """The conditional (observational) game ``v(S) = E_P[f(X) | X_S = x_S]``.

    On a finite ``P`` (uniform over its rows) this is the mean of ``f`` over the rows that equal
    ``x`` on ``S`` -- exact filtering with ``==`` on floats, so ``x`` must be a row of ``P``.
    Each row's agreement pattern with ``x`` is a bitmask ``e``; a row is in the filter of ``S`` iff
    ``S`` is a subset of ``e``, so all ``2**d`` filtered means come from one superset-sum
    transform (``f`` is evaluated once per row).

    For a Gaussian ``P`` and polynomial ``f`` of degree <= 2 the closed form over the conditional
    Gaussian ``X | X_S = x_S`` is used (:mod:`explainspec.oracles.gaussian`).

    Parameters
    ----------
    f : callable
    x : array_like of shape (d,)
    P : rows array, finite distribution, or Gaussian distribution

    Returns
    -------
    ndarray of shape (2**d,)

    Raises
    ------
    OracleError
        If ``x`` is not a row of a finite ``P`` (the conditional expectation is undefined there).
    GroundTruthUnavailable
        For a Gaussian ``P`` and ``f`` not a polynomial of degree <= 2, and for rows that are a
        sample of a continuous distribution (every conditional would be a single row).
    """
    rows = as_rows(P)
    if rows is None:
        mu, _ = gaussian_params(P)
        return gaussian.conditional_game(f, as_point(x, mu.shape[0]), P)
    refuse_continuous_sample(P, "the conditional game")
    n, d = rows.shape
    x = as_point(x, d)
    agree = rows == x[None, :]
    full = (1 << d) - 1
    pattern = (agree.astype(np.int64) << np.arange(d)).sum(axis=1)
    if not np.any(pattern == full):
        raise OracleError(
            f"x = {x.tolist()} is not in the support of P (no row equals it), so the conditional "
            "game E[f(X) | X_S = x_S] is undefined; explain a row of P"
        )
    fz = evaluate(f, rows)
    sums = np.bincount(pattern, weights=fz, minlength=full + 1)
    counts = np.bincount(pattern, minlength=full + 1).astype(float)
    s = np.arange(full + 1)
    for i in range(d):  # superset sums: total over all patterns e that contain S
        without = (s >> i) & 1 == 0
        sums[without] += sums[s[without] | (1 << i)]
        counts[without] += counts[s[without] | (1 << i)]
    return sums / counts


#: the games :func:`value` knows, by the name a check gives
GAMES = ("interventional", "conditional", "baseline", "path")


def value(f: Callable[[Any], Any], x: Any, P: Any, S: Any, game: str = "interventional") -> float:
    """The value ``v(S)`` of one coalition ``S`` in a game of the explained point ``x``.

    - ``"interventional"``: ``v(S) = E_P f(x_S, Z_{-S})`` (``P`` a distribution or rows);
    - ``"conditional"``: ``v(S) = E_P[f(X) | X_S = x_S]`` (exact filtering of a finite ``P``:
      some row must equal ``x`` on ``S``);
    - ``"baseline"``: ``v(S) = f(x_S, b_{-S})``, with ``P`` the baseline point ``b``;
    - ``"path"``: TreeSHAP's path-dependent game of a tree ``f`` (``P`` is not used).

    ``S`` is a subset of the features (``{0, 2}``, or any collection of feature indices). One
    coalition is computed directly (one pass over the rows), not the whole ``2**d`` game.

    Examples
    --------
    >>> f = lambda z: z[:, 0] * z[:, 1]
    >>> value(f, [1.0, 1.0], [[0.0, 0.0], [2.0, 2.0]], {0}), value(f, [1.0, 1.0], [[0.0, 0.0]], {0, 1})
    (1.0, 1.0)
    >>> value(f, [1.0, 2.0], [0.0, 3.0], {0}, game = "baseline")
    3.0
    """
    if game not in GAMES:
        raise OracleError(f"game = {game!r} is not one of {', '.join(map(repr, GAMES))}")
    if isinstance(S, bool | int | float | str) or not hasattr(S, "__iter__"):
        raise OracleError(f"S must be a subset of the features such as {{0, 2}}, not {S!r}")
    members = sorted({int(i) for i in S})
    if game == "path":
        from explainspec.oracles.trees import path_game

        d = np.asarray(x).reshape(-1).shape[0]
        return float(path_game(f, x)[_mask(members, d)])
    if game == "conditional":
        refuse_continuous_sample(P, "the conditional game")
    if game == "baseline":
        b = as_point(P)
        point = as_point(x, b.shape[0])
        inside = _inside(members, b.shape[0])
        return float(evaluate(f, np.where(inside, point, b)[None, :])[0])
    rows = as_rows(P)
    if rows is None:  # a Gaussian P: the closed forms of the whole game
        whole = interventional_game if game == "interventional" else conditional_game
        return float(whole(f, x, P)[_mask(members, as_point(x).shape[0])])
    d = rows.shape[1]
    point = as_point(x, d)
    inside = _inside(members, d)
    if game == "interventional":
        return float(np.mean(evaluate(f, np.where(inside[None, :], point[None, :], rows))))
    match = np.all(rows[:, inside] == point[inside][None, :], axis=1)
    if not match.any():
        raise OracleError(
            f"no row of P equals x on the features {members}: E[f(X) | X_S = x_S] is undefined "
            "(explain a row of P)"
        )
    return float(np.mean(evaluate(f, rows[match])))


def _inside(members: list[int], d: int) -> np.ndarray:
    if members and (members[0] < 0 or members[-1] >= d):
        raise OracleError(f"S = {set(members)} has features outside 0 .. {d - 1}")
    inside = np.zeros(d, dtype=bool)
    inside[members] = True
    return inside


def _mask(members: list[int], d: int) -> int:
    _inside(members, d)
    return sum(1 << i for i in members)
