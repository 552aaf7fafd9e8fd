"""Oracles of the gradient-path and noise methods (integrated-gradients quadrature, expected
gradients, DeepLIFT's Rescale rule, SmoothGrad), declared as plain data (no numpy import).

Implementations: :mod:`explainspec.oracles.paths` and :mod:`explainspec.oracles.smoothing`;
appended to :data:`explainspec.catalog.oracles.ENTRIES`.
"""

from __future__ import annotations

from explainspec.catalog._common import entry
from explainspec.registry import Entry, Param

_F = Param(name="f", type="function", doc="the function, any callable (n, d) -> (n,)")
_X = Param(name="x", type="point", doc="the point to explain, (d,)")
_B = Param(name="b", type="point", doc="the baseline point, (d,)")
_P = Param(name="P", type="data", doc="the distribution, or its rows (n, d) with uniform weights")
_N = Param(
    name="n_steps",
    type="int",
    default=50,
    doc="nodes of the rule (Captum's n_steps)",
    low=1,
    limit="rows",
)
_RULE = Param(
    name="method",
    type="'riemann_left' | 'riemann_right' | 'riemann_middle' | 'riemann_trapezoid' | "
    "'gausslegendre'",
    default="gausslegendre",
    doc="the quadrature rule (Captum's method names)",
)
_SIGMA = Param(name="sigma", type="float", doc="standard deviation of the noise on every feature")


def _entry(module: str, name: str, doc: str, returns: str, params: tuple[Param, ...]) -> Entry:
    return entry(
        "oracle",
        name,
        doc,
        params,
        target=f"explainspec.oracles.{module}:{name}",
        returns=returns,
    )


ENTRIES: list[Entry] = [
    _entry(
        "paths",
        "ig_quadrature",
        "Integrated gradients by a quadrature rule with n_steps nodes, in float64 with the exact "
        "gradient: sum_k w_k grad f(b + a_k (x - b)) * (x - b). riemann_left/right/middle: "
        "positions k/n, (k+1)/n, (k+1/2)/n, weights 1/n; riemann_trapezoid: the trapezoid rule on "
        "n equally spaced points (weights add up to 1); gausslegendre: leggauss(n) on [0, 1]. "
        "Refused when a node lies on a kink of f (UndefinedAtPoint: the point is skipped).",
        "(d,)",
        (_F, _X, _B, _N, _RULE),
    ),
    _entry(
        "paths",
        "ig_error_bound",
        "A rigorous bound on |sum(ig_quadrature(f, x, b, n_steps, method)) - (f(x) - f(b))|: the "
        "exact error for polynomial terms; derivative (Cauchy) and Bernstein-ellipse bounds for "
        "products of x**k, sin, tanh; discrepancy times the total variation of the path "
        "derivative for ReLU networks. Refuses other f.",
        "number",
        (_F, _X, _B, _N, _RULE),
    ),
    _entry(
        "paths",
        "expected_gradients",
        "Expected gradients: the mean over the rows z of P of integrated_gradients(f, x, z) "
        "(what GradientShap estimates without noise); adds up to f(x) - mean f(P).",
        "(d,)",
        (_F, _X, _P),
    ),
    _entry(
        "paths",
        "deeplift_rescale",
        "DeepLIFT with the Rescale rule on a network (relu_net, mlp): each hidden unit passes back "
        "(act(z) - act(z0)) / (z - z0) between x and b (act'(z) where they coincide); "
        "contributions add up to f(x) - f(b).",
        "(d,)",
        (_F, _X, _B),
    ),
    _entry(
        "paths",
        "deeplift_shap",
        "The mean over the rows z of P of deeplift_rescale(f, x, z); adds up to f(x) - mean f(P).",
        "(d,)",
        (_F, _X, _P),
    ),
    _entry(
        "smoothing",
        "smoothgrad",
        "E[grad f(x + sigma e)], e ~ N(0, I): the mean (almost-everywhere) gradient under Gaussian "
        "noise, in closed form (terms of x**k, sin, abs, relu, step, tent; one-hidden-layer ReLU "
        "nets). Equals the gradient of the smoothed f unless f jumps.",
        "(d,)",
        (_F, _X, _SIGMA),
    ),
    _entry(
        "smoothing",
        "smoothed_gradient",
        "grad E[f(x + sigma e)]: the gradient of the Gaussian-smoothed f (differs from smoothgrad "
        "where f jumps: a step contributes phi((t - tau) / sigma) / sigma).",
        "(d,)",
        (_F, _X, _SIGMA),
    ),
    _entry(
        "smoothing",
        "smoothgrad_sq",
        "E[(d_i f(x + sigma e))^2] per feature, in closed form for polynomial f.",
        "(d,)",
        (_F, _X, _SIGMA),
    ),
    _entry(
        "smoothing",
        "vargrad",
        "Var[d_i f(x + sigma e)] per feature (population variance), for polynomial f.",
        "(d,)",
        (_F, _X, _SIGMA),
    ),
]
