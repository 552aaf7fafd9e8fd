"""A tiny symbolic expression language for functions given as formulas.

Nodes are frozen dataclasses; :func:`evaluate` computes values over a batch ``(n, d)`` and
:func:`value_and_grad` computes values and exact gradients by forward-mode differentiation of
the tree (derivatives of ``abs``, ``relu``, ``step``, ``max``, ``min`` are the one-sided ones
used almost everywhere: ``sign``, ``1[t > 0]``, ``0``, the derivative of the selected argument).

Only a whitelist is understood: numbers, variables ``x0, x1, ...``, ``+ - * / **``, and the
functions in :data:`FUNCTIONS` plus ``max``/``min``. :func:`from_ir` converts the spec IR of an
expression into these nodes and rejects everything else; nothing is ever passed to ``eval``.
The syntax (nodes, :func:`parse`, :func:`from_ir`, :func:`to_text`) lives in the numpy-free
:mod:`explainspec.worlds.formula_syntax` and is re-exported here; ``FUNCTIONS`` has exactly the
names of ``FUNCTION_NAMES``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from explainspec.worlds.formula_syntax import (  # noqa: F401 - the syntax, re-exported here
    FUNCTION_NAMES,
    Add,
    Apply,
    Const,
    Div,
    Extremum,
    FormulaError,
    Mul,
    Neg,
    Node,
    Pow,
    Sub,
    Var,
    from_ir,
    number_text,
    parse,
    relabel,
    to_text,
    uses_step,
    variables,
)

Array = np.ndarray


def _step(t: Array) -> Array:
    return (t > 0).astype(float)


def _relu(t: Array) -> Array:
    return np.maximum(t, 0.0)


def _dtanh(t: Array) -> Array:
    return 1.0 - np.tanh(t) ** 2


#: name -> (value, derivative) of the one-argument functions a formula may use.
FUNCTIONS: dict[str, tuple[Callable[[Array], Array], Callable[[Array], Array]]] = {
    "sin": (np.sin, np.cos),
    "cos": (np.cos, lambda t: -np.sin(t)),
    "exp": (np.exp, np.exp),
    "tanh": (np.tanh, _dtanh),
    "abs": (np.abs, np.sign),
    "relu": (_relu, _step),
    "step": (_step, np.zeros_like),
}

#: the functions with a kink (``abs``, ``relu``) or a jump (``step``) at 0
_KINKED = frozenset({"abs", "relu", "step"})


# --------------------------------------------------------------------------- evaluation


def evaluate(node: Node, Z: Array) -> Array:
    """Values of ``node`` at the rows of ``Z`` (shape ``(n, d)``) -> ``(n,)``."""
    n = Z.shape[0]
    if isinstance(node, Const):
        return np.full(n, float(node.value))
    if isinstance(node, Var):
        return Z[:, node.index].astype(float)
    if isinstance(node, Neg):
        return -evaluate(node.operand, Z)
    if isinstance(node, Apply):
        return FUNCTIONS[node.name][0](evaluate(node.arg, Z))
    if isinstance(node, Extremum):
        vals = np.stack([evaluate(a, Z) for a in node.args])
        return vals.max(axis=0) if node.is_max else vals.min(axis=0)
    a, b = evaluate(node.left, Z), evaluate(node.right, Z)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if isinstance(node, Add):
            return a + b
        if isinstance(node, Sub):
            return a - b
        if isinstance(node, Mul):
            return a * b
        if isinstance(node, Div):
            return a / b
        return np.power(a, b)


#: a piece's argument within this of its kink (relative to the row's scale) counts as on it:
#: the gradient there is a one-sided value, not the derivative (see :func:`value_and_grad`)
KINK_TOL = 1e-12


def value_and_grad(node: Node, Z: Array, kinks: Array | None = None) -> tuple[Array, Array]:
    """Values ``(n,)`` and exact gradients ``(n, d)`` of ``node`` at the rows of ``Z``.

    With ``kinks`` (a boolean array ``(n,)``), the rows at which ``node`` may not be
    differentiable are marked in it: the argument of ``abs``/``relu`` at its kink while it moves
    with ``x`` (a zero inner gradient keeps the derivative 0 there), the argument of ``step`` at
    its jump, two tied arguments of ``max``/``min`` with different gradients. The gradient
    returned at such a row is the one-sided convention, not a derivative."""
    if kinks is None:
        return _value_and_grad(node, Z, None, 0.0)
    scale = KINK_TOL * (1.0 + np.abs(Z).max(axis=1, initial=0.0))
    return _value_and_grad(node, Z, kinks, scale)


def _value_and_grad(node: Node, Z: Array, kinks: Array | None, tol: Any) -> tuple[Array, Array]:
    n, d = Z.shape
    if isinstance(node, Const):
        return np.full(n, float(node.value)), np.zeros((n, d))
    if isinstance(node, Var):
        g = np.zeros((n, d))
        g[:, node.index] = 1.0
        return Z[:, node.index].astype(float), g
    if isinstance(node, Neg):
        v, g = _value_and_grad(node.operand, Z, kinks, tol)
        return -v, -g
    if isinstance(node, Apply):
        v, g = _value_and_grad(node.arg, Z, kinks, tol)
        fn, dfn = FUNCTIONS[node.name]
        if kinks is not None and node.name in _KINKED:
            at = np.abs(v) <= tol
            if node.name != "step":  # |t|, relu(t): differentiable where t has gradient 0
                at &= np.any(g != 0, axis=1)
            kinks |= at
        return fn(v), dfn(v)[:, None] * g
    if isinstance(node, Extremum):
        pairs = [_value_and_grad(a, Z, kinks, tol) for a in node.args]
        vals = np.stack([p[0] for p in pairs])
        k = vals.argmax(axis=0) if node.is_max else vals.argmin(axis=0)
        grads = np.stack([p[1] for p in pairs])
        if kinks is not None:  # a tie between arguments whose gradients differ
            best, best_g = vals[k, np.arange(n)], grads[k, np.arange(n)]
            tied = np.abs(vals - best[None, :]) <= tol
            differ = np.any(grads != best_g[None, :, :], axis=2)
            kinks |= np.any(tied & differ, axis=0)
        return vals[k, np.arange(n)], grads[k, np.arange(n)]
    a, ga = _value_and_grad(node.left, Z, kinks, tol)
    b, gb = _value_and_grad(node.right, Z, kinks, tol)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if isinstance(node, Add):
            return a + b, ga + gb
        if isinstance(node, Sub):
            return a - b, ga - gb
        if isinstance(node, Mul):
            return a * b, ga * b[:, None] + gb * a[:, None]
        if isinstance(node, Div):
            return a / b, (ga * b[:, None] - gb * a[:, None]) / (b * b)[:, None]
        v = np.power(a, b)
        if isinstance(node.right, Const):
            e = float(node.right.value)
            return v, (e * np.power(a, e - 1.0))[:, None] * ga
        return v, v[:, None] * (gb * np.log(a)[:, None] + ga * (b / a)[:, None])
