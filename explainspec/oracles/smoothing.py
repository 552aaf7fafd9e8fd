"""Oracles of SmoothGrad and its variants: expectations over Gaussian noise ``x + sigma e``,
``e ~ N(0, I)``, in closed form.

- :func:`smoothgrad` — ``E[grad f(x + sigma e)]``, the mean of the (almost-everywhere) gradient
  at noisy points: what ``NoiseTunnel(Saliency(model, abs=False), nt_type="smoothgrad")``
  estimates. For a Lipschitz-continuous ``f`` it equals the gradient of the Gaussian-smoothed
  function, ``grad E[f(x + sigma e)]``; for ``f`` with jumps (``step``) it does not (the mean
  gradient ignores the jumps): :func:`smoothed_gradient` is the latter.
- :func:`smoothgrad_sq` — ``E[(d_i f(x + sigma e))^2]`` and :func:`vargrad` —
  ``Var[d_i f(x + sigma e)]``, per feature.

Closed forms, because the noise is independent across features: a product of one-dimensional
shapes of distinct features has the product of the one-dimensional expectations, and

- ``E (t + s Z)^k = sum_{m even} C(k, m) t^(k-m) s^m (m-1)!!``;
- ``E sin(a (t + s Z)) = sin(a t) exp(-a^2 s^2 / 2)`` (``cos`` likewise);
- ``E max(t + s Z - c, 0) = (t - c) Phi(u) + s phi(u)``, ``u = (t - c)/s``, and
  ``E 1[t + s Z > c] = Phi(u)``; ``|t|`` and the tent are sums of these;
- a one-hidden-layer ReLU network ``sum_k a_k relu(w_k . x + c_k) + c``:
  ``E grad = sum_k a_k w_k Phi((w_k . x + c_k) / (sigma |w_k|))``.

``tanh`` shapes, deeper networks and smooth activations have no closed form here: the oracles
raise :class:`GroundTruthUnavailable`. :func:`smoothgrad_sq` and :func:`vargrad` are exact for
polynomial terms (``x**k`` shapes, linear included) only.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from explainspec.oracles._common import GroundTruthUnavailable, OracleError, as_point

__all__ = ["gaussian_moment", "smoothed_gradient", "smoothgrad", "smoothgrad_sq", "vargrad"]


def _Phi(u: float) -> float:
    return 0.5 * math.erfc(-u / math.sqrt(2.0))


def _phi(u: float) -> float:
    return math.exp(-0.5 * u * u) / math.sqrt(2.0 * math.pi)


def gaussian_moment(k: int, t: float, s: float) -> float:
    """``E (t + s Z)^k`` for ``Z ~ N(0, 1)``.

    Examples
    --------
    >>> gaussian_moment(2, 1.0, 2.0), gaussian_moment(3, 1.0, 1.0)
    (5.0, 4.0)
    """
    total = 0.0
    for m in range(0, k + 1, 2):
        double_fact = math.prod(range(m - 1, 0, -2)) if m > 0 else 1
        total += math.comb(k, m) * t ** (k - m) * s**m * double_fact
    return total


def _relu_mean(t: float, c: float, s: float) -> tuple[float, float]:
    """``E relu(t + sZ - c)`` and ``E 1[t + sZ > c]``."""
    u = (t - c) / s
    return (t - c) * _Phi(u) + s * _phi(u), _Phi(u)


def _shape_means(shape: Any, t: float, s: float, jumps: bool) -> tuple[float, float]:
    """``(E shape(t + sZ), E shape'(t + sZ))``; with ``jumps``, the second is instead
    ``d/dt E shape(t + sZ)`` (they differ only for the step, whose jump the a.e. derivative
    misses)."""
    kind, p = shape.kind, shape.params
    if kind == "pow":
        k = int(p[0])
        return gaussian_moment(k, t, s), k * gaussian_moment(k - 1, t, s) if k > 1 else 1.0
    if kind == "sin":
        a = p[0]
        damp = math.exp(-0.5 * a * a * s * s)
        return math.sin(a * t) * damp, a * math.cos(a * t) * damp
    if kind == "relu":
        return _relu_mean(t, p[0], s)
    if kind == "abs":  # |t| = relu(t) + relu(-t)
        m, d = _relu_mean(t, 0.0, s)
        m2, d2 = _relu_mean(-t, 0.0, s)
        return m + m2, d - d2
    if kind == "step":
        u = (t - p[0]) / s
        return _Phi(u), (_phi(u) / s if jumps else 0.0)
    if kind == "tent":  # relu(1 - |t - c| / r) = (relu(t-c+r) - 2 relu(t-c) + relu(t-c-r)) / r
        c, r = p
        parts = [_relu_mean(t, c - r, s), _relu_mean(t, c, s), _relu_mean(t, c + r, s)]
        m = (parts[0][0] - 2 * parts[1][0] + parts[2][0]) / r
        d = (parts[0][1] - 2 * parts[1][1] + parts[2][1]) / r
        return m, d
    raise GroundTruthUnavailable(f"no closed form for the Gaussian mean of the shape {kind}")


def _sigma(sigma: Any) -> float:
    s = float(sigma)
    if not s > 0:
        raise OracleError(f"sigma = {sigma!r} must be positive")
    return s


def _mean_gradient(f: Any, x: np.ndarray, s: float, jumps: bool) -> np.ndarray:
    from explainspec.worlds import functions as fn

    d = x.shape[0]
    if isinstance(f, fn.TermFunction):
        out = np.zeros(d)
        for coef, shapes in f.terms:
            means = {j: _shape_means(sh, float(x[j]), s, jumps) for j, sh in shapes.items()}
            for i in shapes:
                prod = coef * means[i][1]
                for j, (m, _) in means.items():
                    if j != i:
                        prod *= m
                out[i] += prod
        return out
    if isinstance(f, fn.Combination):
        return sum((a * _mean_gradient(g, x, s, jumps) for a, g in f.parts), np.zeros(d))
    if isinstance(f, fn.Permuted):
        out = np.zeros(d)
        out[list(f.perm)] = _mean_gradient(f.f, x[list(f.perm)], s, jumps)
        return out
    if isinstance(f, fn.Embedded):
        out = np.zeros(d)
        out[list(f.keep)] = _mean_gradient(f.f, x[list(f.keep)], s, jumps)
        return out
    from explainspec.oracles.paths import network_of

    net = network_of(f)
    if net is not None and net[1] == "relu" and len(net[0]) == 2:
        (W, c), (w_out, _) = net[0]
        norms = np.linalg.norm(W, axis=1)
        out = np.zeros(d)
        for k in range(W.shape[0]):
            if norms[k] > 0:
                out += w_out[0, k] * W[k] * _Phi(float(W[k] @ x + c[k]) / (s * norms[k]))
        return out
    raise GroundTruthUnavailable(
        "SmoothGrad has a closed form here for terms of x**k, sin, abs, relu, step and tent "
        "shapes (sums, swaps, unused features included) and one-hidden-layer ReLU networks; "
        "not for this f"
    )


def smoothgrad(f: Any, x: Any, sigma: Any) -> np.ndarray:
    """``E[grad f(x + sigma e)]``, ``e ~ N(0, I)``: the mean almost-everywhere gradient, ``(d,)``.

    Examples
    --------
    >>> from explainspec.worlds.functions import formula
    >>> smoothgrad(formula("x0 ** 3"), [1.0], 1.0).tolist()  # 3 (t^2 + s^2)
    [6.0]
    """
    return _mean_gradient(f, as_point(x), _sigma(sigma), jumps=False)


def smoothed_gradient(f: Any, x: Any, sigma: Any) -> np.ndarray:
    """``grad E[f(x + sigma e)]``: the gradient of the Gaussian-smoothed ``f``, ``(d,)`` (equal to
    :func:`smoothgrad` unless ``f`` jumps)."""
    return _mean_gradient(f, as_point(x), _sigma(sigma), jumps=True)


def _polynomial_terms(f: Any) -> list[tuple[float, dict[int, int]]]:
    from explainspec.worlds import functions as fn

    if not isinstance(f, fn.TermFunction) or not all(
        s.kind == "pow" for _, shapes in f.terms for s in shapes.values()
    ):
        raise GroundTruthUnavailable(
            "smoothgrad_sq and vargrad have closed forms here for polynomial terms only"
        )
    return [(c, {j: int(s.params[0]) for j, s in shapes.items()}) for c, shapes in f.terms]


def smoothgrad_sq(f: Any, x: Any, sigma: Any) -> np.ndarray:
    """``E[(d_i f(x + sigma e))^2]`` for every feature ``i``, ``(d,)`` (polynomial ``f``)."""
    x = as_point(x)
    s = _sigma(sigma)
    terms = _polynomial_terms(f)
    out = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        # d_i f = sum_k c_k p_ki x_i^(p_ki - 1) prod_{j != i} x_j^p_kj: a sum of monomials
        mono = [
            (c * p[i], {j: (q - 1 if j == i else q) for j, q in p.items()})
            for c, p in terms
            if i in p
        ]
        total = 0.0
        for c1, p1 in mono:
            for c2, p2 in mono:
                prod = c1 * c2
                for j in set(p1) | set(p2):
                    prod *= gaussian_moment(p1.get(j, 0) + p2.get(j, 0), float(x[j]), s)
                total += prod
        out[i] = total
    return out


def vargrad(f: Any, x: Any, sigma: Any) -> np.ndarray:
    """``Var[d_i f(x + sigma e)]`` for every feature ``i``, ``(d,)`` (polynomial ``f``): the
    population variance (Captum's vargrad with ``n`` samples has expectation ``(1 - 1/n)`` times
    this)."""
    _polynomial_terms(f)
    return smoothgrad_sq(f, x, sigma) - smoothgrad(f, x, sigma) ** 2
