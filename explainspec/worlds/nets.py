"""Multi-layer perceptrons with smooth activations: the ``mlp`` family's members.

``mlp(activation = "relu")`` members are the ``relu_net`` formulas of
:func:`explainspec.worlds.functions.relu_net` (with their exact piecewise-linear ground truth);
``tanh`` and ``gelu`` members are :class:`NetFunction` objects: the network evaluated layer by layer,
with the exact gradient by backpropagation of the activation's derivative:

- ``tanh``: ``tanh'(t) = 1 - tanh(t)**2``;
- ``gelu``: the exact GELU ``t * Phi(t)`` (``Phi`` the standard normal cdf, as
  ``torch.nn.GELU(approximate="none")``), ``gelu'(t) = Phi(t) + t * phi(t)``.

The family's hypothesis strategy is ``explainspec.worlds.families.mlp_family``; its catalog entry
is in :mod:`explainspec.catalog.families`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from explainspec.worlds import symbolic as sym
from explainspec.worlds.base import Function
from explainspec.worlds.functions import FunctionBase, _sum_node, relu_net

Array = np.ndarray

ACTIVATIONS = ("relu", "tanh", "gelu")

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _phi_cdf(t: Array) -> Array:
    from scipy.special import ndtr  # scipy is a core dependency; imported when a gelu net runs

    return np.asarray(ndtr(t), dtype=float)


def _gelu(t: Array) -> Array:
    return t * _phi_cdf(t)


def _dgelu(t: Array) -> Array:
    return _phi_cdf(t) + t * _INV_SQRT_2PI * np.exp(-0.5 * t * t)


def _dtanh(t: Array) -> Array:
    return 1.0 - np.tanh(t) ** 2


#: activation -> (value, derivative), both exact
_ACT: dict[str, tuple[Callable[[Array], Array], Callable[[Array], Array]]] = {
    "tanh": (np.tanh, _dtanh),
    "gelu": (_gelu, _dgelu),
}


class NetFunction(FunctionBase):
    """``h_0 = x``, ``h_{l+1} = act(W_l h_l + b_l)`` for the hidden layers, the last layer linear.

    ``net_layers[k] = (W, b)`` with ``W`` of shape ``(out, in)``; ``activation`` is ``tanh`` or
    ``gelu``. ``uses(i)`` is ``True`` iff a path of nonzero weights leads from ``x_i`` to the output
    (conservative only where two paths cancel exactly).
    """

    def __init__(
        self, net_layers: Sequence[tuple[Any, Any]], d: int, activation: str, bias: bool = True
    ) -> None:
        if activation not in _ACT:
            raise ValueError(f"activation={activation!r} is not one of {', '.join(_ACT)}")
        self.d = int(d)
        self.activation = activation
        self.net_layers = tuple(
            (np.asarray(W, dtype=float).reshape(len(W), -1), np.asarray(b, dtype=float))
            for W, b in net_layers
        )
        if self.net_layers[0][0].shape[1] != self.d or self.net_layers[-1][0].shape[0] != 1:
            raise ValueError("an mlp maps d inputs to one output")
        self.bias = bool(bias)
        self.tags = frozenset(
            {"callable", "differentiable", "smooth", "network", f"{activation}_net"}
        )

    def _eval(self, Z: Array) -> Array:
        act = _ACT[self.activation][0]
        h = Z
        for k, (W, b) in enumerate(self.net_layers):
            h = h @ W.T + b
            if k < len(self.net_layers) - 1:
                h = act(h)
        return h[:, 0]

    def _grad(self, Z: Array) -> Array:
        act, dact = _ACT[self.activation]
        h, slopes = Z, []
        for W, b in self.net_layers[:-1]:
            pre = h @ W.T + b
            slopes.append(dact(pre))
            h = act(pre)
        g = np.repeat(self.net_layers[-1][0], Z.shape[0], axis=0)  # (n, width)
        for (W, _), s in zip(reversed(self.net_layers[:-1]), reversed(slopes), strict=True):
            g = (g * s) @ W
        return g

    def _uses(self, i: int) -> bool:
        reach = np.zeros(self.d, dtype=bool)
        reach[i] = True
        for W, _ in self.net_layers:
            reach = (np.abs(W[:, reach]) > 0).any(axis=1)
        return bool(reach.any())

    def node(self) -> sym.Node:
        """The formula (for display; ``gelu`` is not in the formula whitelist)."""
        hidden: list[sym.Node] = [sym.Var(j) for j in range(self.d)]
        last = len(self.net_layers) - 1
        for k, (W, b) in enumerate(self.net_layers):
            outs: list[sym.Node] = []
            for row, bias in zip(W, b, strict=True):
                parts: list[tuple[float, sym.Node | None]] = [
                    (float(w), h) for w, h in zip(row, hidden, strict=True) if w != 0
                ]
                parts.append((float(bias), None))
                pre = _sum_node(parts)
                outs.append(pre if k == last else sym.Apply(self.activation, pre))
            hidden = outs
        return hidden[0]

    def _text(self) -> str:
        return sym.to_text(self.node())


def mlp(
    layers: Sequence[tuple[Any, Any]], d: int, activation: str = "relu", bias: bool = True
) -> Function:
    """A network with ``activation`` hidden units; ``relu`` gives :func:`relu_net`'s formula."""
    if activation == "relu":
        return relu_net(layers, d)
    return NetFunction(layers, d, activation, bias)
