"""Closed forms of the oracles on a Gaussian ``P = N(mu, Sigma)`` for polynomial ``f`` of degree
at most 2 (linear or quadratic), and the refusal everywhere else.

A quadratic ``q(u) = u^T A u + b.u + c`` of a Gaussian vector ``u ~ N(m, C)`` has

- ``E q = tr(A C) + m^T A m + b.m + c``,
- ``Var q = 2 tr(A C A C) + (2 A m + b)^T C (2 A m + b)``

(the centred quadratic and linear parts are uncorrelated: Gaussian odd moments vanish). Every
oracle below reduces to these two formulas:

- interventional games and PD: ``u = (x_S, X_-S)``, the coordinates in ``S`` fixed (``C`` zero
  there), the others from the marginal of ``X_-S``;
- conditional games and M-plots: ``u = X | X_S = x_S``, the conditional Gaussian (Schur
  complement);
- ALE: ``E[d_j f(X) | X_j = z]`` is affine in ``z`` for quadratic ``f``, so its integral and its
  centring are polynomials in ``t``;
- permutation importance (squared loss, targets ``y = g(X)`` plus independent noise, ``g`` of
  degree <= 2): with ``u = (X, Z')``, ``Z' ~ N(0, 1)`` independent, the permuted point
  ``X~ = M u + m0`` is affine in ``u`` -- marginal (PFI): ``X~_j = mu_j + sqrt(Sigma_jj) Z'``;
  conditional (CPI): ``X~_j = E[X_j | X_-j] + s Z'`` with ``s^2 = Var(X_j | X_-j)``, i.e.
  conditional Gaussian sampling -- so the importance ``E (g(X) - f(X~))^2 - E (g(X) - f(X))^2``
  is a difference of second moments of quadratics in ``u``. Independent noise adds the same
  ``Var(noise)`` to both and cancels.

Anything else (a function with sin, relu or a tree; the absolute loss; targets given as the
``(n,)`` values of a sample instead of a function) raises ``GroundTruthUnavailable``: a finite
sample of ``P`` is not ``P``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from explainspec.oracles._common import (
    GroundTruthUnavailable,
    OracleError,
    evaluate,
    gaussian_params,
    linear_parts,
    subset_masks,
)

__all__ = [
    "Quadratic",
    "ale",
    "conditional_game",
    "interventional_game",
    "mplot",
    "pd",
    "permutation_importance",
    "quadratic_parts",
]


@dataclass(frozen=True, slots=True)
class Quadratic:
    """``q(u) = u^T A u + b.u + c`` with ``A`` symmetric."""

    A: np.ndarray
    b: np.ndarray
    c: float

    def mean(self, m: np.ndarray, C: np.ndarray) -> float:
        """``E q(u)`` for ``u ~ N(m, C)``."""
        return float(np.trace(self.A @ C) + m @ self.A @ m + self.b @ m + self.c)

    def second_moment(self, m: np.ndarray, C: np.ndarray) -> float:
        """``E q(u)^2`` for ``u ~ N(m, C)``."""
        slope = 2 * self.A @ m + self.b
        var = 2 * np.trace(self.A @ C @ self.A @ C) + slope @ C @ slope
        return float(var + self.mean(m, C) ** 2)

    def composed(self, M: np.ndarray, m0: np.ndarray) -> Quadratic:
        """``u -> q(M u + m0)``."""
        A = M.T @ self.A @ M
        b = 2 * M.T @ self.A @ m0 + M.T @ self.b
        c = float(m0 @ self.A @ m0 + self.b @ m0 + self.c)
        return Quadratic((A + A.T) / 2, b, c)

    def __sub__(self, other: Quadratic) -> Quadratic:
        return Quadratic(self.A - other.A, self.b - other.b, self.c - other.c)


def quadratic_parts(f: Any, d: int) -> Quadratic:
    """``f`` as a :class:`Quadratic` in its ``d`` features: from ``f.terms`` whose shapes are all
    powers of total degree <= 2 per term (or a linear ``f``), checked against ``f`` itself at a
    few points, so a function that merely claims the structure is caught.

    Raises
    ------
    GroundTruthUnavailable
        If ``f`` is not such a polynomial (or does not expose the structure).
    """
    A, b = np.zeros((d, d)), np.zeros(d)
    try:
        terms = f.terms
    except (AttributeError, GroundTruthUnavailable):
        terms = None
    if terms is None or callable(terms):
        w, _ = linear_parts(f, d)  # GroundTruthUnavailable when not linear either
        b = w
    else:
        for coef, shapes in terms:
            powers = {}
            for j, g in shapes.items():
                if getattr(g, "kind", None) != "pow" or not 0 <= int(j) < d:
                    raise _not_quadratic(f)
                powers[int(j)] = int(g.params[0])
            degree = sum(powers.values())
            if degree > 2:
                raise _not_quadratic(f)
            if degree == 1:
                (j,) = powers
                b[j] += coef
            elif degree == 2 and len(powers) == 1:
                (j,) = powers
                A[j, j] += coef
            elif degree == 2:
                i, j = powers
                A[i, j] += coef / 2
                A[j, i] += coef / 2
    c = float(evaluate(f, np.zeros((1, d)))[0])
    q = Quadratic(A, b, c)
    probe = np.vstack([np.eye(d), -0.5 * np.eye(d), np.linspace(-1.5, 2.0, d), np.ones(d)])
    want = np.einsum("ni,ij,nj->n", probe, A, probe) + probe @ b + c
    got = evaluate(f, probe)
    if not np.allclose(got, want, rtol=1e-9, atol=1e-9 * (1 + np.abs(want).max())):
        raise GroundTruthUnavailable(
            "f exposes polynomial terms of degree <= 2 but its outputs do not match them"
        )
    return q


def _not_quadratic(f: Any) -> GroundTruthUnavailable:
    formula = f.formula() if callable(getattr(f, "formula", None)) else repr(f)
    return GroundTruthUnavailable(
        f"on a Gaussian P this oracle has an exact form only for polynomial f of degree <= 2 "
        f"(linear or quadratic); {formula} is not one"
    )


def conditional(
    mu: np.ndarray, cov: np.ndarray, inside: np.ndarray, x: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance (``(d,)``, ``(d, d)``) of ``X | X_S = x_S`` for ``X ~ N(mu, cov)``
    (``inside`` the boolean mask of ``S``; the coordinates in ``S`` are ``x_S``, variance 0).

    A singular ``Sigma_SS`` is handled with its pseudo-inverse (the conditional law on the
    support of ``X_S``)."""
    m, C = mu.copy(), np.zeros_like(cov)
    out = ~inside
    m[inside] = x[inside]
    if not out.any():
        return m, C
    if not inside.any():
        return mu.copy(), cov.copy()
    gain = cov[np.ix_(out, inside)] @ np.linalg.pinv(cov[np.ix_(inside, inside)])
    m[out] = mu[out] + gain @ (x[inside] - mu[inside])
    C[np.ix_(out, out)] = cov[np.ix_(out, out)] - gain @ cov[np.ix_(inside, out)]
    return m, C


def interventional_game(f: Any, X: np.ndarray, P: Any) -> np.ndarray:
    """``v(S) = E f(x_S, X_-S)`` for every point of ``X`` ``(k, d)``: ``(k, 2**d)``."""
    mu, cov = gaussian_params(P)
    d = mu.shape[0]
    if X.shape[1] != d:
        raise OracleError(f"x has {X.shape[1]} features but P has d = {d}")
    q = quadratic_parts(f, d)
    table = subset_masks(d)
    v = np.empty((X.shape[0], table.shape[0]))
    for S, inside in enumerate(table):
        keep = (~inside).astype(float)
        C = cov * np.outer(keep, keep)
        for k, x in enumerate(X):
            v[k, S] = q.mean(np.where(inside, x, mu), C)
    return v


def conditional_game(f: Any, x: np.ndarray, P: Any) -> np.ndarray:
    """``v(S) = E[f(X) | X_S = x_S]``: ``(2**d,)``."""
    mu, cov = gaussian_params(P)
    d = mu.shape[0]
    q = quadratic_parts(f, d)
    return np.array([q.mean(*conditional(mu, cov, inside, x)) for inside in subset_masks(d)])


def pd(f: Any, j: int, t: np.ndarray, P: Any) -> np.ndarray:
    """``PD_j(t) = E f(t, X_-j)`` (the marginal of ``X_-j``), the shape of ``t``."""
    mu, cov = gaussian_params(P)
    q = quadratic_parts(f, mu.shape[0])
    keep = np.ones(mu.shape[0])
    keep[j] = 0.0
    C = cov * np.outer(keep, keep)
    flat = [q.mean(np.where(keep == 0, value, mu), C) for value in t.reshape(-1)]
    return np.array(flat).reshape(t.shape)


def mplot(f: Any, j: int, t: np.ndarray, P: Any) -> np.ndarray:
    """``E[f(X) | X_j = t]``, the shape of ``t``."""
    mu, cov = gaussian_params(P)
    d = mu.shape[0]
    q = quadratic_parts(f, d)
    if cov[j, j] <= 0:
        raise OracleError(f"X_{j} is constant under P, so E[f(X) | X_j = t] is undefined")
    inside = np.arange(d) == j
    flat = []
    for value in t.reshape(-1):
        point = mu.copy()
        point[j] = value
        flat.append(q.mean(*conditional(mu, cov, inside, point)))
    return np.array(flat).reshape(t.shape)


def ale(f: Any, j: int, t: np.ndarray, P: Any) -> np.ndarray:
    """Accumulated local effects, continuous definition (Apley & Zhu 2020):
    ``A(t) = int_{mu_j}^t E[d_j f(X) | X_j = z] dz``, centred so that ``E A(X_j) = 0``.

    For ``f = x^T A x + b.x + c``, ``d_j f = 2 (A x)_j + b_j`` and
    ``E[X | X_j = z] = mu + Sigma_{:,j} (z - mu_j) / Sigma_jj``, so the integrand is
    ``alpha + beta (z - mu_j)`` and ``A(t) = alpha (t - mu_j) + beta ((t - mu_j)^2 - Sigma_jj) / 2``.
    """
    mu, cov = gaussian_params(P)
    q = quadratic_parts(f, mu.shape[0])
    if cov[j, j] <= 0:
        raise OracleError(f"X_{j} is constant under P: its accumulated local effects are undefined")
    alpha = 2 * q.A[j] @ mu + q.b[j]
    beta = 2 * q.A[j] @ cov[:, j] / cov[j, j]
    s = t - mu[j]
    return alpha * s + beta * (s**2 - cov[j, j]) / 2


def permutation_importance(f: Any, P: Any, y: Any, loss: str, *, conditional: bool) -> np.ndarray:
    """PFI (``conditional=False``) or CPI (``True``) on a Gaussian ``P``, infinite-permutation
    limit: ``E loss(y, f(X~)) - E loss(y, f(X))`` with ``X~ = X`` except ``X~_j`` drawn from
    the marginal of ``X_j`` (PFI) or from ``X_j | X_-j`` (CPI), independently of ``X``."""
    mu, cov = gaussian_params(P)
    d = mu.shape[0]
    if loss != "squared":
        raise GroundTruthUnavailable(
            f"on a Gaussian P permutation importance has a closed form only for the squared "
            f"loss, not loss = {loss!r}"
        )
    if not callable(y):
        raise GroundTruthUnavailable(
            "on a continuous P the targets must be given as a function of X (e.g. `target`), "
            "not as the values of a finite sample (they are not P's targets)"
        )
    qf, qg = quadratic_parts(f, d), quadratic_parts(y, d)
    # u = (X, Z'): mean (mu, 0), covariance blockdiag(Sigma, 1)
    m = np.concatenate([mu, [0.0]])
    C = np.zeros((d + 1, d + 1))
    C[:d, :d], C[d, d] = cov, 1.0
    keep = np.hstack([np.eye(d), np.zeros((d, 1))])  # X = keep @ u
    target = qg.composed(keep, np.zeros(d))
    base = (target - qf.composed(keep, np.zeros(d))).second_moment(m, C)
    out = np.empty(d)
    for j in range(d):
        M, m0 = keep.copy(), np.zeros(d)
        M[j] = 0.0
        if conditional:
            rest = np.arange(d) != j
            gain = cov[j, rest] @ np.linalg.pinv(cov[np.ix_(rest, rest)]) if d > 1 else np.zeros(0)
            var = max(float(cov[j, j] - gain @ cov[rest, j]), 0.0) if d > 1 else cov[j, j]
            M[j, :d][rest] = gain
            m0[j] = mu[j] - gain @ mu[rest]
        else:
            var = cov[j, j]
        M[j, d] = np.sqrt(var)
        m0[j] += 0.0 if conditional else mu[j]
        out[j] = (target - qf.composed(M, m0)).second_moment(m, C) - base
    return out
