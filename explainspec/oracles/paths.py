"""Path-method oracles: the quadrature rules of integrated gradients and their error bounds,
expected gradients, and DeepLIFT's Rescale rule on networks.

All are exact ground truth computed from the world's function, never by the method under test:

- :func:`ig_quadrature` — what a quadrature rule with ``n`` nodes gives for integrated gradients,
  ``sum_k w_k grad f(b + a_k (x - b)) * (x - b)``, with the rule's positions and weights in
  float64 and the exact gradient ``f.grad``. The rules are Captum's names: ``riemann_left``
  (``a_k = k/n``), ``riemann_right`` (``(k+1)/n``), ``riemann_middle`` (``(k+1/2)/n``), all with
  weights ``1/n``; ``riemann_trapezoid``, the trapezoid rule on ``n`` equally spaced points
  (``h = 1/(n-1)``, end weights ``h/2``: the weights add up to 1, unlike Captum's); and
  ``gausslegendre`` (``numpy.polynomial.legendre.leggauss(n)`` mapped to ``[0, 1]``).
- :func:`ig_error_bound` — a rigorous upper bound on the completeness error of that rule,
  ``|sum_i ig_quadrature_i - (f(x) - f(b))|``, from the function's structure (see its docstring).
- :func:`expected_gradients` — the mean over the rows ``z`` of ``P`` of
  ``integrated_gradients(f, x, z)``: the statistic GradientShap estimates (with no noise).
- :func:`deeplift_rescale`, :func:`deeplift_shap` — DeepLIFT with the Rescale rule on a network
  (``relu_net``/``mlp``): every hidden unit passes back ``(act(z) - act(z0)) / (z - z0)`` (its
  derivative at ``z`` where ``|z - z0| < eps``), linear layers their weights; contributions are
  multipliers times ``x - b`` and add up to ``f(x) - f(b)``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.polynomial import Polynomial

from explainspec.oracles._common import (
    GroundTruthUnavailable,
    OracleError,
    as_point,
    as_rows,
    evaluate,
)
from explainspec.oracles.gradients import refuse_at_kinks

__all__ = [
    "RULES",
    "deeplift_rescale",
    "deeplift_shap",
    "expected_gradients",
    "ig_error_bound",
    "ig_quadrature",
    "rule_nodes",
]

RULES = ("riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid", "gausslegendre")


def rule_nodes(n_steps: int, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``a_k`` in ``[0, 1]`` and weights ``w_k`` (adding up to 1) of a rule (computed
    once per rule and size: ``leggauss(50)`` alone takes milliseconds; read-only arrays).

    Examples
    --------
    >>> a, w = rule_nodes(3, "riemann_trapezoid")
    >>> a.tolist(), w.tolist()
    ([0.0, 0.5, 1.0], [0.25, 0.5, 0.25])
    """
    return _rule_nodes(int(n_steps), str(method))


@functools.lru_cache(maxsize=64)
def _rule_nodes(n: int, method: str) -> tuple[np.ndarray, np.ndarray]:
    a, w = _build_rule(n, method)
    a.flags.writeable = False
    w.flags.writeable = False
    return a, w


def _build_rule(n: int, method: str) -> tuple[np.ndarray, np.ndarray]:
    from explainspec.catalog.limits import limit

    if method not in RULES:
        raise OracleError(f"method = {method!r} is not one of {', '.join(RULES)}")
    if n < 1 or (n < 2 and method == "riemann_trapezoid"):
        raise OracleError(f"n_steps = {n} is too small for {method}")
    if n > limit("rows"):
        raise OracleError(f"n_steps = {n} is over the limit {limit('rows')} (the 'rows' limit)")
    k = np.arange(n, dtype=float)
    if method == "riemann_left":
        return k / n, np.full(n, 1.0 / n)
    if method == "riemann_right":
        return (k + 1) / n, np.full(n, 1.0 / n)
    if method == "riemann_middle":
        return (k + 0.5) / n, np.full(n, 1.0 / n)
    if method == "riemann_trapezoid":
        h = 1.0 / (n - 1)
        w = np.full(n, h)
        w[0] = w[-1] = h / 2
        return np.linspace(0.0, 1.0, n), w  # the last node exactly 1 ((n-1) * h may round below)
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return (nodes + 1) / 2, weights / 2


def _exact_gradient(f: Any) -> Callable[[np.ndarray], np.ndarray]:
    g = getattr(f, "grad", None)
    if not callable(g):
        raise GroundTruthUnavailable("this oracle needs f with an exact gradient (f.grad)")
    return lambda Z: np.asarray(g(Z), dtype=float).reshape(Z.shape)


def ig_quadrature(f: Any, x: Any, b: Any, n_steps: int = 50, method: str = "gausslegendre") -> Any:
    """Integrated gradients by the quadrature rule ``method`` with ``n_steps`` nodes, ``(d,)``.

    Examples
    --------
    >>> from explainspec.worlds.functions import formula
    >>> ig_quadrature(formula("x0 ** 2"), [1.0], [0.0], 2, "riemann_left").tolist()
    [0.5]
    """
    b = as_point(b)
    x = as_point(x, b.shape[0])
    alphas, weights = rule_nodes(n_steps, method)
    delta = x - b
    nodes = b[None, :] + alphas[:, None] * delta[None, :]
    G = _exact_gradient(f)(nodes)
    if np.any(delta != 0):  # (x = b: every rule gives 0, whatever the gradient)
        refuse_at_kinks(f, nodes, f"the gradient at a node of the {method} rule")
    return (weights @ G) * delta


# --------------------------------------------------------------------------- error bounds


def _discrepancy(n_steps: int, method: str) -> float:
    """``sup_a |W(a) - a|``, ``W`` the rule's cumulative weight (either one-sided limit)."""
    alphas, weights = rule_nodes(n_steps, method)
    order = np.argsort(alphas)
    a, cum = alphas[order], np.cumsum(weights[order])
    before = np.concatenate([[0.0], cum[:-1]])
    return float(max(np.abs(cum - a).max(), np.abs(before - a).max()))


def ig_error_bound(
    f: Any, x: Any, b: Any, n_steps: int = 50, method: str = "gausslegendre"
) -> float:
    """An upper bound on ``|sum(ig_quadrature(f, x, b, n_steps, method)) - (f(x) - f(b))|``.

    With ``F(a) = f(b + a (x - b))``, completeness asks the rule to integrate ``g = F'`` over
    ``[0, 1]``:

    - ``f`` linear: 0 (``g`` is constant; every rule here integrates constants exactly).
    - ``f`` a sum of products of powers (``pow`` terms): ``F`` is a polynomial, and the error is
      computed exactly (polynomial arithmetic, with an allowance ``1e-12 sum |coefficients|``
      for its float64 rounding). Gauss-Legendre with ``n`` nodes is exact up to degree ``2n``.
    - ``f`` a sum of products of ``x**k``, ``sin(a t)`` and ``tanh(a t)``: ``F`` is analytic, and
      ``|F|`` on a complex rectangle is bounded factor by factor (``|sin z| <= cosh(Im z)``,
      ``|tanh z| <= max(1, tan|Im z|)`` for ``|Im z| < pi/2``). Riemann left/right:
      ``max|F''| / (2n)``; middle: ``max|F'''| / (24 n^2)``; trapezoid: ``max|F'''| / (12
      (n-1)^2)``, with Cauchy's estimate ``|F^(m)| <= m! M(r) / r^m`` minimised over ``r``;
      Gauss-Legendre: ``(1/2) 64 M / (15 (1 - rho^-2) rho^(2n))`` with ``M`` a bound of ``|g|`` on
      the Bernstein ellipse ``E_rho`` of ``[0, 1]``, minimised over ``rho``.
    - ``f`` a ReLU network (``relu_net``: piecewise linear, ``g`` piecewise constant along the
      path): ``D * TV(g)``, with ``TV(g)`` the total variation of ``g`` on ``[0, 1]`` (every
      region of the path found exactly, the value at each kink included) and ``D = sup_a |W(a) -
      a|`` the discrepancy of the rule's cumulative weights ``W`` (``1/n`` left/right,
      ``1/(2n)`` middle, ``1/(2(n-1))`` trapezoid, computed for Gauss-Legendre).

    Raises
    ------
    GroundTruthUnavailable
        For any other ``f`` (the bound would not be rigorous).
    """
    b = as_point(b)
    x = as_point(x, b.shape[0])
    alphas, weights = rule_nodes(n_steps, method)  # validates the rule
    terms = _terms(f)
    if terms is not None and _all_kinds(terms, {"pow"}):
        bound = _polynomial_error(terms, x, b, alphas, weights)
    elif terms is not None and _all_kinds(terms, {"pow", "sin", "tanh"}):
        intercept = float(getattr(f, "intercept", 0.0))
        bound = _analytic_bound(terms, intercept, x, b, n_steps, method)
    elif (net := network_of(f)) is not None and net[1] == "relu":
        bound = _discrepancy(n_steps, method) * _relu_path_variation(f, net[0], x, b)
    else:
        raise GroundTruthUnavailable(
            "ig_error_bound has a rigorous bound for polynomial terms, products of x**k, sin "
            "and tanh, and ReLU networks (relu_net); not for this f"
        )
    return bound + _rounding(f, x, b, alphas, weights)


def _rounding(f: Any, x: np.ndarray, b: np.ndarray, alphas: np.ndarray, w: np.ndarray) -> float:
    """Float64 rounding of the rule and of ``f(x) - f(b)``: ``1e-12 (1 + sum_k w_k |g(a_k)| +
    |f(x)| + |f(b)|)`` (some hundred times the unit roundoff of the sums involved)."""
    delta = x - b
    g = _exact_gradient(f)(b[None, :] + alphas[:, None] * delta[None, :]) @ delta
    ends = np.abs(evaluate(f, np.vstack([x, b]))).sum()
    return 1e-12 * (1.0 + float(w @ np.abs(g)) + float(ends))


def _terms(f: Any) -> Any:
    try:
        terms = f.terms
    except (AttributeError, GroundTruthUnavailable):
        return None
    return None if terms is None or callable(terms) else terms


def _all_kinds(terms: Any, kinds: set[str]) -> bool:
    return all(getattr(s, "kind", None) in kinds for _, shapes in terms for s in shapes.values())


def _polynomial_error(
    terms: Any, x: np.ndarray, b: np.ndarray, alphas: np.ndarray, weights: np.ndarray
) -> float:
    """The exact error of the rule on ``F(a) = sum coef prod_j (b_j + a delta_j)**p_j``."""
    delta = x - b
    F = Polynomial([0.0])
    scale = 0.0
    for coef, shapes in terms:
        term = Polynomial([coef])
        for j, s in shapes.items():
            term = term * Polynomial([b[j], delta[j]]) ** int(s.params[0])
        F = F + term
        scale += float(np.abs(term.coef).sum())
    g = F.deriv()
    error = float(weights @ g(alphas)) - (F(1.0) - F(0.0))
    return abs(error) + 1e-12 * scale


def _factor_bound(s: Any, re_max: float, im: float) -> float:
    """``max |s(z)|`` over ``|Re z| <= re_max``, ``|Im z| <= im`` (inf when unbounded)."""
    kind, p = s.kind, s.params
    if kind == "pow":
        return float(math.hypot(re_max, im) ** int(p[0]))
    y = abs(p[0]) * im
    if kind == "sin":
        return math.cosh(y) if y < 700 else math.inf
    if kind == "tanh":
        return max(1.0, math.tan(y)) if y < math.pi / 2 - 1e-9 else math.inf
    raise GroundTruthUnavailable(f"no complex bound for the shape {kind}")


def _bound_on_rectangle(
    terms: Any, intercept: float, x: np.ndarray, b: np.ndarray, lo: float, hi: float, im: float
) -> float:
    """``max |F(a)|`` over ``lo <= Re a <= hi``, ``|Im a| <= im``, factor by factor."""
    delta = x - b
    total = abs(intercept)
    for coef, shapes in terms:
        prod = abs(coef)
        for j, s in shapes.items():
            re_max = max(abs(b[j] + lo * delta[j]), abs(b[j] + hi * delta[j]))
            prod *= _factor_bound(s, re_max, im * abs(delta[j]))
        total += prod
    return total


_RADII = np.geomspace(1e-3, 1e3, 121)
_RHOS = 1.0 + np.geomspace(1e-3, 1e4, 141)


def _analytic_bound(
    terms: Any, intercept: float, x: np.ndarray, b: np.ndarray, n: int, method: str
) -> float:
    def cauchy(m: int) -> float:  # max over [0, 1] of |F^(m)|
        best = math.inf
        for r in _RADII:
            M = _bound_on_rectangle(terms, intercept, x, b, -r, 1 + r, r)
            best = min(best, math.factorial(m) * M / r**m)
        return best

    if method in ("riemann_left", "riemann_right"):
        return cauchy(2) / (2 * n)
    if method == "riemann_middle":
        return cauchy(3) / (24 * n**2)
    if method == "riemann_trapezoid":
        return cauchy(3) / (12 * (n - 1) ** 2)
    best = math.inf
    for rho in _RHOS:
        half_re, half_im = (rho + 1 / rho) / 4, (rho - 1 / rho) / 4
        for delta in (1e-2, 1e-1, 0.5, 2.0):  # |g| = |F'| <= max |F| on the delta-disc / delta
            M = (
                _bound_on_rectangle(
                    terms,
                    intercept,
                    x,
                    b,
                    0.5 - half_re - delta,
                    0.5 + half_re + delta,
                    half_im + delta,
                )
                / delta
            )
            if not math.isfinite(M):
                continue
            log_bound = (
                (math.log(0.5 * 64 / 15) + math.log(M) if M > 0 else -math.inf)
                - math.log1p(-(rho**-2))
                - 2 * n * math.log(rho)
            )
            best = min(best, math.exp(log_bound) if log_bound > -700 else 0.0)
    return best


# --------------------------------------------------------------------------- networks


def network_of(f: Any) -> tuple[list[tuple[np.ndarray, np.ndarray]], str] | None:
    """``(layers, activation)`` of a network world function whose layers reproduce it, else
    ``None``: ``relu_net`` formulas (``f.layers``) and ``mlp`` members (``f.net_layers``)."""
    structure = getattr(f, "__dict__", {})
    if "net_layers" in structure:
        layers, activation = structure["net_layers"], str(structure.get("activation"))
    elif "layers" in structure:
        layers, activation = structure["layers"], "relu"
    else:
        return None
    try:
        layers = [(np.asarray(W, float), np.asarray(c, float)) for W, c in layers]
    except (TypeError, ValueError):
        return None
    d = int(getattr(f, "d", 0))
    if not layers or layers[0][0].ndim != 2:
        return None
    if layers[0][0].shape[1] != d:  # a relu_net placed among unused features (``unused``)
        layers = _embedded(f, layers, d)
        if layers is None:
            return None
    probe = np.random.default_rng(7).normal(size=(4, d))
    if not np.allclose(
        _forward(layers, activation, probe), evaluate(f, probe), rtol=1e-12, atol=1e-12
    ):
        return None
    return layers, activation


def _embedded(f: Any, layers: Any, d: int) -> Any:
    """The layers of a network formula relabeled into ``d`` features (``unused``): its used
    inputs (nonzero first-layer columns) go, in order, to the variables its formula reads; the
    result is checked against ``f`` by the caller."""
    from explainspec.worlds import symbolic as sym

    node = getattr(f, "node", None)
    if node is None or callable(node):  # a formula's node (TermFunction.node is a method)
        return None
    W = layers[0][0]
    used = [j for j in range(W.shape[1]) if np.any(W[:, j] != 0)]
    targets = sorted(sym.variables(node))
    if len(used) != len(targets) or W.shape[1] > d:
        return None
    wide = np.zeros((W.shape[0], d))
    wide[:, targets] = W[:, used]
    return [(wide, layers[0][1]), *layers[1:]]


def _act(activation: str) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    if activation == "relu":
        return (lambda t: np.maximum(t, 0.0)), (lambda t: (t > 0).astype(float))
    if activation == "tanh":
        return np.tanh, (lambda t: 1.0 - np.tanh(t) ** 2)
    if activation == "gelu":
        from scipy.special import ndtr

        return (lambda t: t * ndtr(t)), (
            lambda t: ndtr(t) + t * np.exp(-0.5 * t * t) / math.sqrt(2 * math.pi)
        )
    raise GroundTruthUnavailable(f"no network oracle for the activation {activation!r}")


def _forward(layers: Any, activation: str, Z: np.ndarray) -> np.ndarray:
    act = _act(activation)[0]
    h = Z
    for k, (W, c) in enumerate(layers):
        h = h @ W.T + c
        if k < len(layers) - 1:
            h = act(h)
    return h[:, 0]


def _relu_path_variation(f: Any, layers: Any, x: np.ndarray, b: np.ndarray) -> float:
    """Total variation of ``g(a) = grad f(b + a delta) . delta`` on ``[0, 1]``: the slopes of the
    affine regions along the path, and ``g`` at every kink and at both ends (by ``f.grad``, the
    world's one-sided convention), all found exactly (regions from the zero crossings of the
    pre-activations)."""
    from explainspec.oracles.gradients import relu_path_regions

    delta = x - b
    grad = _exact_gradient(f)
    kinks: list[float] = []
    slopes: list[float] = []
    for _, a1, J in relu_path_regions(layers, x, b, "ig_error_bound"):
        slopes.append(float(J @ delta))
        if a1 < 1.0:
            kinks.append(a1)
    # g at the kinks and at both ends (a unit may switch exactly at a = 0 or a = 1, where a rule
    # may put a node): every excursion of g from the slopes around it counts
    where = np.asarray([0.0, *kinks, 1.0])
    at = grad(b[None, :] + where[:, None] * delta[None, :]) @ delta
    tv = abs(at[0] - slopes[0]) + abs(slopes[-1] - at[-1])
    for r, g_kink in enumerate(at[1:-1]):
        tv += abs(g_kink - slopes[r]) + abs(slopes[r + 1] - g_kink)
    return float(tv)


def deeplift_rescale(f: Any, x: Any, b: Any, eps: float = 1e-10) -> np.ndarray:
    """DeepLIFT (Rescale rule) contributions of a network ``f`` at ``x`` from ``b``, ``(d,)``.

    Each hidden unit's multiplier is ``(act(z) - act(z0)) / (z - z0)`` for its pre-activations
    ``z`` (at ``x``) and ``z0`` (at ``b``), or ``act'(z)`` where ``|z - z0| < eps``; multipliers
    are chained back through the linear layers and multiplied by ``x - b``, so the contributions
    add up to ``f(x) - f(b)``.

    Raises
    ------
    GroundTruthUnavailable
        If ``f`` is not a network of the ``relu_net``/``mlp`` families.
    """
    b = as_point(b)
    x = as_point(x, b.shape[0])
    net = network_of(f)
    if net is None:
        raise GroundTruthUnavailable(
            "deeplift_rescale needs a network world function (relu_net or mlp)"
        )
    layers, activation = net
    act, dact = _act(activation)
    h, h0 = x, b
    multipliers = []
    for W, c in layers[:-1]:
        z, z0 = W @ h + c, W @ h0 + c
        a, a0 = act(z), act(z0)
        diff = z - z0
        small = np.abs(diff) < eps
        with np.errstate(divide="ignore", invalid="ignore"):
            m = np.where(small, dact(z), (a - a0) / np.where(small, 1.0, diff))
        multipliers.append(m)
        h, h0 = a, a0
    M = layers[-1][0][0]
    for (W, _), m in zip(reversed(layers[:-1]), reversed(multipliers), strict=True):
        M = (M * m) @ W
    return M * (x - b)


def deeplift_shap(f: Any, x: Any, P: Any) -> np.ndarray:
    """The mean over the rows ``z`` of ``P`` of :func:`deeplift_rescale` ``(f, x, z)``, ``(d,)``."""
    rows = as_rows(P)
    if rows is None:
        raise GroundTruthUnavailable("deeplift_shap needs a finite P (rows)")
    return np.mean([deeplift_rescale(f, x, z) for z in rows], axis=0)


def expected_gradients(f: Any, x: Any, P: Any) -> np.ndarray:
    """Expected gradients: the mean over the rows ``z`` of ``P`` of the integrated gradients from
    ``z`` (:func:`explainspec.oracles.integrated_gradients`), ``(d,)``; the sum is
    ``f(x) - mean f(P)``."""
    from explainspec.oracles.gradients import integrated_gradients

    rows = as_rows(P)
    if rows is None:
        raise GroundTruthUnavailable("expected_gradients needs a finite P (rows)")
    x = as_point(x, rows.shape[1])
    unique, counts = np.unique(rows, axis=0, return_counts=True)
    total = sum(c * integrated_gradients(f, x, z) for z, c in zip(unique, counts, strict=True))
    return np.asarray(total, dtype=float) / len(rows)
