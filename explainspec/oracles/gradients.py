"""Local oracles: gradient, integrated gradients, occlusion and the minimal-L2 counterfactual.

Accuracy, as tested in ``tests/oracles``:

- :func:`grad`: exact when ``f.grad`` exists (world families); otherwise Richardson-extrapolated
  central differences with step ``h = 1e-3 * max(1, |x_i|)``: truncation error
  ``<= h**4 / 30 * max|f^(5)|`` plus rounding ``<= 1.5 * eps * max|f| / h``, i.e. about 1e-10
  relative for smooth f of moderate scale (not reliable within ``2h`` of a kink).
- :func:`integrated_gradients`: exact for linear ``f`` and for ``terms`` whose shapes are
  polynomials (``kind == "pow"``: the path integral of a polynomial is integrated symbolically);
  otherwise adaptive Gauss-Legendre quadrature of the gradient along the path (8 nodes per
  interval, bisected until the halves agree with the whole to ``tol * length``, with the kinks of
  known shapes as interval ends): absolute error about ``tol * (1 + |f(x) - f(b)|)``, default
  ``tol = 1e-10``. With a finite-difference gradient the accuracy is that of :func:`grad`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.polynomial import Polynomial

from explainspec.oracles._common import (
    GroundTruthUnavailable,
    OracleError,
    as_point,
    evaluate,
    linear_parts,
)

__all__ = ["counterfactual_l2", "grad", "integrated_gradients", "occlusion"]

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(8)


def _analytic_grad(f: Any, probe: np.ndarray) -> Callable[[np.ndarray], np.ndarray] | None:
    """``f.grad`` as a batch function, if ``f`` has one that works at ``probe`` ``(1, d)``."""
    g = getattr(f, "grad", None)
    if not callable(g):
        return None

    def batch(Z: np.ndarray) -> np.ndarray:
        return np.asarray(g(Z), dtype=float).reshape(Z.shape)

    try:
        batch(probe)
    except (GroundTruthUnavailable, NotImplementedError, AttributeError, ValueError, TypeError):
        return None
    return batch


def _fd_grad(f: Callable[[Any], Any], Z: np.ndarray) -> np.ndarray:
    """Richardson-extrapolated central differences at every row of ``Z``, ``(n, d)``."""
    n, d = Z.shape
    h = 1e-3 * np.maximum(1.0, np.abs(Z))  # (n, d)
    steps = np.stack([h, h / 2])  # (2, n, d)
    eye = np.eye(d)
    # points: (2 step sizes, +/-, n, d features, d coordinates)
    shift = steps[:, None, :, :, None] * eye[None, None, None, :, :]
    signs = np.array([1.0, -1.0])[None, :, None, None, None]
    pts = Z[None, None, :, None, :] + signs * shift
    vals = evaluate(f, pts.reshape(-1, d)).reshape(2, 2, n, d)
    central = (vals[:, 0] - vals[:, 1]) / (2 * steps)  # (2, n, d)
    return (4 * central[1] - central[0]) / 3


def _gradient_function(f: Any, probe: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    exact = _analytic_grad(f, probe)
    return exact if exact is not None else (lambda Z: _fd_grad(f, Z))


def grad(f: Any, x: Any) -> np.ndarray:
    """Gradient of ``f`` at ``x``: ``f.grad`` when available, else central differences.

    Parameters
    ----------
    f : callable
    x : array_like of shape (d,) or (k, d)

    Returns
    -------
    ndarray of the shape of ``x``

    Examples
    --------
    >>> grad(lambda z: z[:, 0] ** 2 * z[:, 1], [3.0, 2.0]).round(8).tolist()
    [12.0, 9.0]
    """
    X = np.asarray(x, dtype=float)
    Z = np.atleast_2d(X)
    G = _gradient_function(f, Z[:1])(Z)
    return G[0] if X.ndim == 1 else G


def occlusion(f: Callable[[Any], Any], x: Any, b: Any) -> np.ndarray:
    """Occlusion: ``O_i = f(x) - f(x with x_i := b_i)`` for every feature ``i``.

    Returns
    -------
    ndarray of shape (d,)
    """
    b = as_point(b)
    x = as_point(x, b.shape[0])
    d = x.shape[0]
    occluded = np.where(np.eye(d, dtype=bool), b[None, :], x[None, :])
    return evaluate(f, x[None, :])[0] - evaluate(f, occluded)


def counterfactual_l2(f: Any, x: Any) -> np.ndarray:
    """The point of the decision boundary ``f = 0`` closest to ``x`` in L2, for linear ``f``.

    ``x* = x - f(x) w / |w|**2`` at distance ``|f(x)| / |w|`` (add ``eps * sign`` for a strict flip).

    Raises
    ------
    GroundTruthUnavailable
        If ``f`` is not linear (no closed form; optimisers only find local solutions).
    """
    x = as_point(x)
    w, c = linear_parts(f, x.shape[0])
    norm2 = float(w @ w)
    if norm2 == 0.0:
        raise OracleError("f is constant: its decision boundary is empty or everything")
    return x - (float(w @ x) + c) / norm2 * w


# --------------------------------------------------------------------------- integrated gradients


def _terms_or_none(f: Any) -> Any:
    try:
        terms = f.terms
    except (AttributeError, GroundTruthUnavailable):
        return None
    return None if terms is None or callable(terms) else terms


def _polynomial_ig(terms: Any, x: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """Exact IG of ``sum coef prod x_j**p_j`` (all shapes ``kind == "pow"``), else ``None``."""
    if not all(getattr(g, "kind", None) == "pow" for _, shapes in terms for g in shapes.values()):
        return None
    delta = x - b
    ig = np.zeros(x.shape[0])
    for coef, shapes in terms:
        powers = {j: int(g.params[0]) for j, g in shapes.items()}
        path = {j: Polynomial([b[j], delta[j]]) for j in powers}  # x_j(alpha)
        for i, p in powers.items():
            integrand = Polynomial([coef * p * delta[i]]) * path[i] ** (p - 1)
            for j, q in powers.items():
                if j != i:
                    integrand = integrand * path[j] ** q
            antiderivative = integrand.integ()
            ig[i] += antiderivative(1.0) - antiderivative(0.0)
    return ig


def _kinks(terms: Any, x: np.ndarray, b: np.ndarray) -> list[float]:
    """Path positions ``alpha`` in (0, 1) where a known shape has a kink or a jump."""
    out = []
    for _, shapes in terms or ():
        for j, g in shapes.items():
            kind, params = getattr(g, "kind", None), getattr(g, "params", ())
            points = {"abs": [0.0], "relu": list(params[:1]), "step": list(params[:1])}.get(
                kind, []
            )
            if kind == "tent":
                points = [params[0] - params[1], params[0], params[0] + params[1]]
            for c in points:
                if x[j] != b[j]:
                    alpha = (c - b[j]) / (x[j] - b[j])
                    if 0.0 < alpha < 1.0:
                        out.append(float(alpha))
    return sorted(set(out))


def _gauss_legendre(
    gradient: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    b: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
) -> np.ndarray:
    """``int_lo^hi grad f(b + alpha (x - b)) d alpha`` for many intervals at once: ``(k, d)``."""
    mid, half = (lo + hi) / 2, (hi - lo) / 2
    alpha = mid[:, None] + half[:, None] * _GL_NODES[None, :]  # (k, nodes)
    pts = b[None, None, :] + alpha[:, :, None] * (x - b)[None, None, :]
    G = gradient(pts.reshape(-1, x.shape[0])).reshape(alpha.shape + (x.shape[0],))
    return half[:, None] * np.einsum("knd,n->kd", G, _GL_WEIGHTS)


def integrated_gradients(
    f: Any, x: Any, b: Any, *, tol: float = 1e-10, max_depth: int = 50
) -> np.ndarray:
    """Integrated gradients ``IG_i = (x_i - b_i) int_0^1 d_i f(b + alpha (x - b)) d alpha``.

    Exact for linear ``f`` and for polynomial ``terms``; otherwise adaptive Gauss-Legendre
    quadrature (see the module docstring for the accuracy). The gradient is the almost-everywhere
    gradient, so completeness ``sum IG = f(x) - f(b)`` needs ``f`` continuous along the path.

    Parameters
    ----------
    f : callable
    x, b : array_like of shape (d,)
        The point and the baseline.
    tol : float
        Absolute tolerance per unit of path length, scaled by ``1 + |f(x) - f(b)|``.
    max_depth : int
        Maximum number of bisections of an interval.

    Returns
    -------
    ndarray of shape (d,)

    Examples
    --------
    >>> relu_saturated = lambda z: 1 - np.maximum(1 - z[:, 0], 0)
    >>> round(float(integrated_gradients(relu_saturated, [2.0], [0.0])[0]), 9)
    1.0
    """
    b = as_point(b)
    x = as_point(x, b.shape[0])
    delta = x - b
    terms = _terms_or_none(f)
    if terms is not None:
        exact = _polynomial_ig(terms, x, b)
        if exact is not None:
            return exact
    try:
        w, _ = linear_parts(f, x.shape[0])
    except GroundTruthUnavailable:
        pass
    else:
        return w * delta
    gradient = _gradient_function(f, x[None, :])
    scale = tol * (1.0 + abs(float(evaluate(f, np.vstack([x, b])) @ [1.0, -1.0])))
    edges = np.array([0.0, *_kinks(terms, x, b), 1.0])
    lo, hi = edges[:-1], edges[1:]
    whole = _gauss_legendre(gradient, x, b, lo, hi)
    total = np.zeros(x.shape[0])
    for _ in range(max_depth):
        mid = (lo + hi) / 2
        left = _gauss_legendre(gradient, x, b, lo, mid)
        right = _gauss_legendre(gradient, x, b, mid, hi)
        err = np.abs((left + right - whole) * delta).max(axis=1)
        # a kink inside an interval keeps err ~ jump * length: the floor 1e-2 * scale lets such
        # intervals stop once they are tiny, at a total cost of 1e-2 * scale per kink
        done = err <= scale * np.maximum(hi - lo, 1e-2)
        total += (left + right)[done].sum(axis=0)
        if done.all():
            return total * delta
        keep = ~done
        lo, hi = np.concatenate([lo[keep], mid[keep]]), np.concatenate([mid[keep], hi[keep]])
        whole = np.concatenate([left[keep], right[keep]])
    raise OracleError(
        f"integrated_gradients did not reach tol = {tol} within {max_depth} bisections "
        "(is the gradient discontinuous in a way that is not a kink?)"
    )
