"""Shapley, Banzhaf, Möbius, interaction and n-Shapley values: from any game, and as oracles.

The ``*_from_game`` functions take a game ``v`` of shape ``(2**d,)`` (or ``(k, 2**d)`` for ``k``
points) indexed by coalition bitmask (see :mod:`explainspec.oracles.games`) and are exact
enumerations with the closed-form weights. The oracles (``shapley``, ``banzhaf``, ...) build the
game from ``(f, x, P)`` and apply them.

For a function with ``terms`` (a sum ``c + sum_t coef_t * prod_{j in T_t} g_j(x_j)``),
:func:`shapley_terms` is exact at any ``d``: the interventional game is linear in ``f``, and a term
ignores every feature outside ``T_t``, so those features are null players of the term's game and
each term needs only its own ``2**|T_t|`` coalitions -- for any background, dependent or not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from functools import cache
from math import comb, factorial
from typing import Any

import numpy as np

from explainspec.oracles._common import (
    GroundTruthUnavailable,
    OracleError,
    _contributions,
    _players,
    as_point,
    as_rows,
    evaluate,
    popcounts,
    shapley_from_game,
)
from explainspec.oracles.games import baseline_game, conditional_game, interventional_game
from explainspec.oracles.shapley_exact import baseline_shapley, interventional_shapley

__all__ = [
    "banzhaf",
    "banzhaf_from_game",
    "moebius",
    "moebius_from_game",
    "nshapley",
    "nshapley_from_game",
    "shapley",
    "shapley_baseline",
    "shapley_conditional",
    "shapley_from_game",
    "shapley_interaction",
    "shapley_interaction_from_game",
    "shapley_path",
    "shapley_terms",
]

#: Largest d for which a game is enumerated (2**20 coalitions per point).
MAX_ENUMERATION_D = 20


def banzhaf_from_game(v: Any) -> np.ndarray:
    """Banzhaf values ``beta_i = 2**-(d-1) sum_{S not containing i} (v(S+i) - v(S))``.

    Parameters
    ----------
    v : array_like of shape (2**d,) or (k, 2**d)

    Returns
    -------
    ndarray of shape (d,) or (k, d)
    """
    v = np.asarray(v, dtype=float)
    d = _players(v)
    beta = np.empty(v.shape[:-1] + (d,))
    for i, _, delta in _contributions(v, d):
        beta[..., i] = delta.sum(axis=-1) / 2 ** (d - 1)
    return beta


def moebius_from_game(v: Any) -> np.ndarray:
    """Möbius transform (Harsanyi dividends) ``m(S) = sum_{T subset of S} (-1)**|S-T| v(T)``.

    Computed with the fast subset transform (``d * 2**d`` additions).

    Parameters
    ----------
    v : array_like of shape (2**d,) or (k, 2**d)

    Returns
    -------
    ndarray of the same shape, indexed by bitmask; ``m[0] = v(empty)`` and
    ``sum_{T subset of S} m[T] = v(S)``.
    """
    m = np.array(v, dtype=float, copy=True)
    d = _players(m)
    s = np.arange(1 << d)
    for i in range(d):
        with_i = s[(s >> i) & 1 == 1]
        m[..., with_i] -= m[..., with_i ^ (1 << i)]
    return m


@cache
def _bernoulli(n: int) -> tuple[float, ...]:
    """Bernoulli numbers ``B_0 .. B_n`` with ``B_1 = -1/2``."""
    B = [Fraction(1)]
    for k in range(1, n + 1):
        B.append(-sum(comb(k + 1, j) * B[j] for j in range(k)) / Fraction(k + 1))
    return tuple(float(b) for b in B)


def _interaction_indices(v: np.ndarray, max_order: int) -> dict[int, np.ndarray]:
    """Shapley interaction indices (Grabisch & Roubens 1999) of every ``T`` with ``|T| <= max_order``.

    ``I(T) = sum_{S subset of N-T} |S|!(d-|S|-|T|)!/(d-|T|+1)! Delta_T v(S)`` with the discrete
    derivative ``Delta_T v(S) = sum_{L subset of T} (-1)**|T-L| v(S + L)``. Keys are bitmasks.
    """
    d = _players(v)
    sizes = popcounts(d)
    s = np.arange(1 << d)
    out: dict[int, np.ndarray] = {}
    for T in range(1, 1 << d):
        t = int(sizes[T])
        if t > max_order:
            continue
        rest = s[(s & T) == 0]
        deriv = np.zeros(v.shape[:-1] + (rest.shape[0],))
        L = T
        while True:  # all subsets L of T
            sign = -1.0 if (t - int(sizes[L])) % 2 else 1.0
            deriv += sign * v[..., rest | L]
            if L == 0:
                break
            L = (L - 1) & T
        weight = np.array(
            [factorial(k) * factorial(d - k - t) / factorial(d - t + 1) for k in range(d - t + 1)]
        )
        out[T] = deriv @ weight[sizes[rest]]
    return out


def shapley_interaction_from_game(v: Any, *, convention: str = "index") -> np.ndarray:
    """Pairwise Shapley interaction index of a game, as a ``(d, d)`` matrix.

    Parameters
    ----------
    v : array_like of shape (2**d,) or (k, 2**d)
    convention : {"index", "shap"}
        ``"index"``: off-diagonal ``[i, j]`` is the Shapley interaction index
        ``I_ij = sum_{S subset of N-{i,j}} |S|!(d-|S|-2)!/(d-1)! Delta_ij v(S)`` (Grabisch &
        Roubens); the diagonal holds the Shapley values ``phi_i``.
        ``"shap"``: shap's SHAP interaction values (Lundberg et al. 2020): off-diagonal
        ``I_ij / 2``, diagonal ``phi_i - sum_{j != i} I_ij / 2``, so every row sums to ``phi_i``.

    Returns
    -------
    ndarray of shape (d, d) or (k, d, d)
    """
    v = np.asarray(v, dtype=float)
    d = _players(v)
    if convention not in ("index", "shap"):
        raise OracleError(f"convention={convention!r} is not 'index' or 'shap'")
    phi = shapley_from_game(v)
    out = np.zeros(v.shape[:-1] + (d, d))
    for T, value in _interaction_indices(v, 2).items():
        if T & (T - 1) == 0:
            continue
        i, j = (k for k in range(d) if (T >> k) & 1)
        out[..., i, j] = out[..., j, i] = value if convention == "index" else value / 2
    idx = np.arange(d)
    if convention == "index":
        out[..., idx, idx] = phi
    else:
        out[..., idx, idx] = phi - out.sum(axis=-1)
    return out


def nshapley_from_game(v: Any, n: int) -> np.ndarray:
    """n-Shapley values (Bordt & von Luxburg 2023) of a game, indexed by bitmask.

    ``Phi^n(S) = sum_{T superset of S, |T| <= n} B_{|T|-|S|} I(T)`` for ``1 <= |S| <= n``, where
    ``I`` is the Shapley interaction index and ``B_k`` are the Bernoulli numbers (``B_1 = -1/2``).
    ``Phi^n(S) = 0`` for ``|S| > n`` and ``Phi^n(empty) = v(empty)`` (the base value), so the
    entries sum to ``v(N)``. ``Phi^1`` are the Shapley values and ``Phi^d`` the Möbius transform.

    Parameters
    ----------
    v : array_like of shape (2**d,) or (k, 2**d)
    n : int
        The order, ``1 <= n <= d``.

    Returns
    -------
    ndarray of the shape of ``v``
    """
    v = np.asarray(v, dtype=float)
    d = _players(v)
    if not 1 <= int(n) <= d:
        raise OracleError(f"n = {n!r} must be between 1 and d = {d}")
    n = int(n)
    B = _bernoulli(n)
    sizes = popcounts(d)
    index = _interaction_indices(v, n)
    out = np.zeros_like(v)
    out[..., 0] = v[..., 0]
    for S in index:
        total = np.zeros(v.shape[:-1])
        for T, value in index.items():
            if T & S == S:
                total = total + B[int(sizes[T] - sizes[S])] * value
        out[..., S] = total
    return out


# ---------------------------------------------------------------------------------------------
# oracles


def _check_enumerable(d: int) -> None:
    if d > MAX_ENUMERATION_D:
        raise OracleError(
            f"d = {d} is too large to enumerate 2**d coalitions (limit d <= {MAX_ENUMERATION_D}); "
            "exact Shapley values at large d need a function with `terms` (shapley_terms)"
        )


def _bound_source(f: Any) -> bool:
    """A user's model bound by ``explainspec audit`` (tag ``source``): its exact values come from
    :mod:`explainspec.oracles.shapley_exact` (tree ensembles at any d, enumeration to d = 16)."""
    return "source" in getattr(f, "tags", ())


def _d_of(P: Any, x: Any) -> int:
    rows = as_rows(P)
    return rows.shape[1] if rows is not None else np.asarray(x).shape[-1]


def shapley(f: Callable[[Any], Any], x: Any, P: Any) -> np.ndarray:
    """Interventional Shapley values of ``f`` at ``x`` with respect to ``P``.

    The game is ``v(S) = E_{Z ~ P} f(x_S, Z_{-S})``. If ``f`` exposes ``terms`` that reproduce it,
    the exact term-wise algorithm :func:`shapley_terms` is used (any ``d``); otherwise the game is
    enumerated (``d <= 20``).

    Parameters
    ----------
    f : callable
        ``(n, d) -> (n,)``; a world ``Function`` may offer ``terms``.
    x : array_like of shape (d,) or (k, d)
    P : rows array (n, d), finite distribution, or Gaussian distribution (linear ``f`` only)

    Returns
    -------
    ndarray of shape (d,) or (k, d)

    Examples
    --------
    >>> import numpy as np
    >>> bg = np.array([[0.0, 0.0], [1.0, 1.0]])
    >>> shapley(lambda z: z[:, 0], [1.0, 1.0], bg).tolist()
    [0.5, 0.0]
    """
    rows = as_rows(P)
    if rows is not None and _bound_source(f):
        return interventional_shapley(f, x, rows)
    if rows is not None:
        fast = _terms_shapley_or_none(f, x, rows)
        if fast is not None:
            return fast
    _check_enumerable(_d_of(P, x))
    return shapley_from_game(interventional_game(f, x, P))


def shapley_conditional(f: Callable[[Any], Any], x: Any, P: Any) -> np.ndarray:
    """Conditional-expectation (observational) Shapley values; ``x`` must be in supp P.

    See :func:`explainspec.oracles.games.conditional_game` for the game (exact filtering on finite
    ``P``; closed form for a Gaussian ``P`` and linear ``f``).

    Returns
    -------
    ndarray of shape (d,)
    """
    _check_enumerable(_d_of(P, x))
    return shapley_from_game(conditional_game(f, x, P))


def shapley_baseline(f: Callable[[Any], Any], x: Any, b: Any) -> np.ndarray:
    """Baseline Shapley values (BShap): the game ``v(S) = f(x_S, b_{-S})``.

    Returns
    -------
    ndarray of shape (d,)
    """
    b = as_point(b)
    if _bound_source(f):
        return baseline_shapley(f, x, b)
    fast = _terms_shapley_or_none(f, as_point(x, b.shape[0]), b[None, :])
    if fast is not None:
        return fast
    _check_enumerable(b.shape[0])
    return shapley_from_game(baseline_game(f, x, b))


def shapley_path(f: Any, x: Any) -> np.ndarray:
    """Shapley values of TreeSHAP's path-dependent (cover-weighted) game of a tree model.

    See :func:`explainspec.oracles.trees.path_game`.

    Returns
    -------
    ndarray of shape (d,)
    """
    from explainspec.oracles.trees import path_game

    return shapley_from_game(path_game(f, x))


def banzhaf(f: Callable[[Any], Any], x: Any, P: Any) -> np.ndarray:
    """Banzhaf values of the interventional game, ``(d,)``."""
    _check_enumerable(_d_of(P, x))
    return banzhaf_from_game(interventional_game(f, x, P))


def moebius(f: Callable[[Any], Any], x: Any, P: Any) -> np.ndarray:
    """Möbius transform of the interventional game, ``(2**d,)`` indexed by bitmask.

    With independent ``P``, ``m(S)`` is the fANOVA component ``f_S(x_S)``; ``m[0] = E_P f``.
    """
    _check_enumerable(_d_of(P, x))
    return moebius_from_game(interventional_game(f, x, P))


def shapley_interaction(
    f: Callable[[Any], Any], x: Any, P: Any, convention: str = "index"
) -> np.ndarray:
    """Pairwise Shapley interaction index of the interventional game, ``(d, d)``.

    See :func:`shapley_interaction_from_game` for ``convention`` (``"index"``: Grabisch-Roubens
    index off the diagonal, Shapley values on it; ``"shap"``: shap's interaction values).
    """
    _check_enumerable(_d_of(P, x))
    return shapley_interaction_from_game(interventional_game(f, x, P), convention=convention)


def nshapley(f: Callable[[Any], Any], x: Any, P: Any, n: int) -> np.ndarray:
    """n-Shapley values of the interventional game, ``(2**d,)`` by bitmask (zero for ``|S| > n``)."""
    _check_enumerable(_d_of(P, x))
    return nshapley_from_game(interventional_game(f, x, P), n)


# ---------------------------------------------------------------------------------------------
# term-wise exact Shapley values


Term = tuple[float, dict[int, Callable[[np.ndarray], np.ndarray]]]


def _term_values(terms: Sequence[Term], z: np.ndarray) -> np.ndarray:
    total = np.zeros(z.shape[0])
    for coef, shapes in terms:
        prod = np.full(z.shape[0], float(coef))
        for j, g in shapes.items():
            prod = prod * np.asarray(g(z[:, j]), dtype=float).reshape(-1)
        total += prod
    return total


def _terms_shapley_or_none(f: Any, x: Any, rows: np.ndarray) -> np.ndarray | None:
    """Term-wise Shapley values if ``f.terms`` exists and reproduces ``f`` (up to a constant)."""
    try:
        terms = f.terms
    except (AttributeError, GroundTruthUnavailable):
        return None
    if terms is None or callable(terms):
        return None
    X = np.atleast_2d(np.asarray(x, dtype=float))
    probe = np.vstack([X[:8], rows[:8], X[:1] * 0.5 + rows[:1] * 0.5])
    try:
        resid = evaluate(f, probe) - _term_values(terms, probe)
    except Exception:  # noqa: BLE001 - terms we cannot evaluate: enumerate instead
        return None
    scale = 1.0 + np.abs(resid).max()
    if not np.all(np.abs(resid - resid[0]) <= 1e-9 * scale):
        return None  # terms do not describe f (e.g. a link was applied): enumerate instead
    return shapley_terms(terms, x, rows)


def shapley_terms(terms: Sequence[Term], x: Any, P: Any) -> np.ndarray:
    """Exact interventional Shapley values of ``sum_t coef_t prod_{j in T_t} g_j(x_j)``.

    The interventional game is linear in ``f`` and a term ignores the features outside ``T_t``
    (they are null players of its game), so ``phi = sum_t phi(term_t)`` and each term's values come
    from its own ``2**|T_t|`` coalitions: ``v_t(U) = coef_t * mean_z prod_{j in U} g_j(x_j)
    prod_{j in T_t - U} g_j(z_j)`` for ``U`` a subset of ``T_t``. Exact for any background,
    dependent or not. A constant added to ``f`` does not change Shapley values.

    Parameters
    ----------
    terms : sequence of (coef, {feature: shape})
        ``shape`` maps a 1-D array of values of its feature to a 1-D array.
    x : array_like of shape (d,) or (k, d)
    P : rows array (n, d) or finite distribution

    Returns
    -------
    ndarray of shape (d,) or (k, d)
    """
    rows = as_rows(P)
    if rows is None:
        raise OracleError("shapley_terms needs a finite P (rows)")
    X = np.asarray(x, dtype=float)
    single = X.ndim == 1
    X = np.atleast_2d(X)
    k, d = X.shape
    if rows.shape[1] != d:
        raise OracleError(f"x has {d} features but P has d = {rows.shape[1]}")
    phi = np.zeros((k, d))
    for coef, shapes in terms:
        feats = sorted(shapes)
        t = len(feats)
        if t == 0 or coef == 0:
            continue
        gx = np.stack([np.asarray(shapes[j](X[:, j]), float).reshape(-1) for j in feats])  # (t, k)
        gz = np.stack([np.asarray(shapes[j](rows[:, j]), float).reshape(-1) for j in feats])
        # game of this term over the 2**t subsets U of its features, for every point: (k, 2**t)
        inside = ((np.arange(1 << t)[:, None] >> np.arange(t)) & 1).astype(bool)  # (2**t, t)
        prod = np.ones((k, 1 << t, rows.shape[0]))
        for a in range(t):
            prod *= np.where(inside[None, :, a, None], gx[a][:, None, None], gz[a][None, None, :])
        v = float(coef) * prod.mean(axis=2)
        phi[:, feats] += shapley_from_game(v)
    return phi[0] if single else phi
