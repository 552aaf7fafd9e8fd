"""The given parameters of a family (a world built from stated values, not drawn), validated.

``linear(weights = [...], intercept = c)``, ``polynomial(terms = [[coef, [e0, e1, ...]], ...])``,
``tree(splits = [feature, threshold, left, right])`` and ``relu_net(layers = [[W, b], ...])``
state a function as a paper writes it; ``linspace(a, b, n)`` states grid levels. Plain Python
(no numpy): :func:`explainspec.worlds.resolve` runs this on every world of ``explainspec check``,
so ``check`` refuses what a run would refuse. The builders are in :mod:`explainspec.worlds.given`.

Errors are :class:`GivenError` (``ES229``, ``ES228`` for a size over its limit); the resolver
adds the span.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from explainspec.catalog.limits import limit

#: the given parameters of each family (the other parameters are drawn ones)
GIVEN: Mapping[str, tuple[str, ...]] = {
    "linear": ("weights", "intercept"),
    "polynomial": ("terms", "intercept"),
    "tree": ("splits",),
    "relu_net": ("layers",),
}
#: the largest exponent of one variable in a ``polynomial`` term
MAX_POWER = 8


class GivenError(ValueError):
    """A given parameter the resolver refuses (``code``: ES229, or ES228 over a limit)."""

    def __init__(self, message: str, code: str = "ES229", hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.code, self.hint = message, code, hint


def _over(what: str, value: Any, name: str) -> GivenError:
    return GivenError(
        f"{what} = {value} is over the limit: at most {limit(name)} (limit `{name}`)",
        code="ES228",
        hint="the limits keep a spec from exhausting the machine; see docs/concepts/security.md",
    )


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _index(v: Any) -> bool:
    return _number(v) and float(v).is_integer() and v >= 0


def _show(v: Any) -> str:
    if isinstance(v, tuple):
        return "[" + ", ".join(_show(x) for x in v) + "]"
    return repr(v)


def param(family: str, key: str, v: Any) -> dict[str, Any]:
    """The resolved entries of the given parameter ``key = v`` of ``family`` (``min_d``: the
    fewest features the function needs)."""
    if key == "intercept":
        if not _number(v):
            raise GivenError(f"intercept = {v!r} must be a finite number")
        return {"intercept": float(v)}
    if key == "weights":
        if not (isinstance(v, tuple) and v and all(_number(x) for x in v)):
            raise GivenError(f"weights = {_show(v)} must be a non-empty list of numbers")
        if len(v) > limit("features"):
            raise _over("weights", len(v), "features")
        return {"weights": tuple(float(x) for x in v), "min_d": len(v)}
    if family == "polynomial":
        terms = polynomial_terms(v)
        return {"terms": terms, "min_d": max([len(e) for _, e in terms] + [1])}
    if key == "splits":
        nodes = tree_nodes(v)
        used = [n[0] for n in nodes if len(n) == 4]
        return {"splits": v, "min_d": max(used) + 1 if used else 1}
    if key == "layers":
        layers = network_layers(v)
        return {"layers": layers, "min_d": len(layers[0][0][0])}
    raise GivenError(f"{family}() parameter {key!r} is not a given parameter")  # pragma: no cover


def check_combination(family: str, params: Mapping[str, Any]) -> None:
    """Refuse given and drawn parameters that contradict each other."""
    if family == "tree" and "splits" in params and "depth" in params:
        raise GivenError("tree(splits = ...) states the tree: give splits or depth, not both")
    if family == "relu_net" and "layers" in params:
        both = [k for k in ("width", "depth") if k in params]
        if both:
            raise GivenError(
                f"relu_net(layers = ...) states the network: {', '.join(both)} cannot be given too"
            )
        if params.get("bias") is False and any(b != 0 for _, bs in params["layers"] for b in bs):
            raise GivenError("relu_net(layers = ..., bias = false) has a nonzero bias in layers")


def polynomial_terms(v: Any) -> tuple[tuple[float, tuple[int, ...]], ...]:
    """``[[coef, [e0, e1, ...]], ...]``: ``coef * x0**e0 * x1**e1 * ...`` (exponents are
    integers 0..:data:`MAX_POWER`; a term of exponents 0 is a constant)."""
    bad = GivenError(
        f"terms = {_show(v)} must be a non-empty list of [coef, [e0, e1, ...]]: a number and "
        f"the integer powers 0..{MAX_POWER} of x0, x1, ... (e.g. [[2, [1, 0]], [-1, [2, 1]]] "
        "is 2 x0 - x0**2 x1)"
    )
    if not isinstance(v, tuple) or not v:
        raise bad
    if len(v) > limit("terms"):
        raise _over("terms", len(v), "terms")
    out = []
    for t in v:
        if not (isinstance(t, tuple) and len(t) == 2 and _number(t[0])):
            raise bad
        exps = t[1]
        if not isinstance(exps, tuple) or not all(_index(e) and e <= MAX_POWER for e in exps):
            raise bad
        if len(exps) > limit("features"):
            raise _over("the exponents of a term", len(exps), "features")
        out.append((float(t[0]), tuple(int(e) for e in exps)))
    return tuple(out)


def tree_nodes(v: Any) -> list[tuple[Any, ...]]:
    """The nodes of ``splits`` in depth-first order, left first (scikit-learn's order): a leaf
    is ``(value,)``, a split ``(feature, threshold, left_id, right_id)``."""
    nodes: list[tuple[Any, ...]] = []

    def walk(n: Any, depth: int) -> int:
        if len(nodes) >= limit("literal_items"):
            raise _over("the nodes of splits", len(nodes), "literal_items")
        me = len(nodes)
        if _number(n):
            nodes.append((float(n),))
            return me
        if not (isinstance(n, tuple) and len(n) == 4 and _index(n[0]) and _number(n[1])):
            raise GivenError(
                f"splits: {_show(n)} must be a leaf value (a number) or a split "
                "[feature, threshold, left, right] (left: x[feature] <= threshold)"
            )
        if n[0] >= limit("features"):
            raise _over("a split feature", int(n[0]), "features")
        if depth >= limit("depth"):
            raise _over("the depth of splits", depth + 1, "depth")
        nodes.append((int(n[0]), float(n[1]), -1, -1))
        left = walk(n[2], depth + 1)
        right = walk(n[3], depth + 1)
        nodes[me] = (int(n[0]), float(n[1]), left, right)
        return me

    walk(v, 0)
    return nodes


def network_layers(v: Any) -> tuple[tuple[tuple[tuple[float, ...], ...], tuple[float, ...]], ...]:
    """``[[W1, b1], ..., [WL, bL]]``: hidden layers ``h = relu(W h + b)``, the last linear with
    one output; ``W`` is a list of rows (one per unit, one weight per input)."""
    bad = GivenError(
        f"layers = {_show(v)} must be a list of [W, b]: W a list of rows of numbers (one row "
        "per unit), b one number per row; e.g. [[[1, -1], [0, 1]], [0, 0]], [[[1, 1]], [0]]]"
    )
    if not isinstance(v, tuple) or not v:
        raise bad
    if len(v) > limit("depth") + 1:
        raise _over("the layers of relu_net", len(v), "depth")
    out = []
    fan_in = None
    for k, layer in enumerate(v):
        if not (isinstance(layer, tuple) and len(layer) == 2):
            raise bad
        W, b = layer
        if not (
            isinstance(W, tuple)
            and W
            and all(isinstance(r, tuple) and r and all(_number(x) for x in r) for r in W)
            and isinstance(b, tuple)
            and all(_number(x) for x in b)
        ):
            raise bad
        widths = {len(r) for r in W}
        if len(widths) != 1 or len(b) != len(W):
            raise GivenError(
                f"layers[{k}]: every row of W needs the same length and b one number per row"
            )
        (width_in,) = widths
        if fan_in is not None and width_in != fan_in:
            raise GivenError(
                f"layers[{k}]: W takes {width_in} inputs but the layer before has {fan_in} units"
            )
        if len(W) > limit("width"):
            raise _over(f"the units of layers[{k}]", len(W), "width")
        if width_in > limit("features") and k == 0:
            raise _over("the inputs of layers[0]", width_in, "features")
        out.append((tuple(tuple(float(x) for x in r) for r in W), tuple(float(x) for x in b)))
        fan_in = len(W)
    if fan_in != 1:
        raise GivenError(f"the last layer of relu_net(layers = ...) must have 1 unit, not {fan_in}")
    return tuple(out)


def linspace(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> tuple[float, ...]:
    """``linspace(a, b, n)``: ``n`` evenly spaced values from ``a`` to ``b`` inclusive (the
    values of ``numpy.linspace``: ``a + k * (b - a) / (n - 1)``, the last exactly ``b``)."""
    names = ("a", "b", "n")
    bound = dict(zip(names, args, strict=False))
    for k, x in kwargs.items():
        if k not in names or k in bound:
            raise GivenError(f"linspace(a, b, n): unexpected or repeated argument {k!r}")
        bound[k] = x
    if len(args) > 3 or set(bound) != set(names):
        raise GivenError("linspace(a, b, n) takes three numbers: from a to b, n values")
    a, b, n = bound["a"], bound["b"], bound["n"]
    if not (_number(a) and _number(b) and _index(n) and n >= 1):
        raise GivenError(f"linspace({a!r}, {b!r}, {n!r}) needs numbers a, b and an integer n >= 1")
    n = int(n)
    if n > limit("levels"):
        raise _over("linspace(...) n", n, "levels")
    if n == 1:
        return (float(a),)
    step = (float(b) - float(a)) / (n - 1)
    return tuple(float(a) + k * step for k in range(n - 1)) + (float(b),)


#: ``labels = ...``: how the targets become class labels (``none``: ``y`` is the target itself)
LABELS = ("none", "bernoulli", "threshold")


def labels(v: Any) -> str:
    """The ``labels`` world field: ``bernoulli`` (``y ~ Bernoulli(p)``, drawn from the world's
    seed), ``threshold`` (``y = 1[p > 0.5]``) or ``none``."""
    if v not in LABELS:
        raise GivenError(f"labels = {v!r} must be one of {', '.join(LABELS)}")
    return str(v)


def check_labels(spec: Any) -> None:
    """Class labels need a probability: the target (``f``, ``g`` or a family) must be on the
    probability scale, a ``link = logistic`` family or ``model(kind = logistic)``, and no noise
    is added to labels (``spec``: a :class:`~explainspec.worlds.spec.WorldSpec`)."""
    kind = spec.labels
    if kind == "none":
        return
    if spec.noise:
        raise GivenError(
            f"labels = {kind} draws class labels: noise = {spec.noise} cannot be added"
        )
    target = spec.target  # "f", "g" or the choices of a target family
    choices = spec.function if target == "f" else (spec.second or ()) if target == "g" else target
    for c in choices:
        if c.link != "logistic" and not (c.name == "model" and c.params.get("kind") == "logistic"):
            raise GivenError(
                f"labels = {kind} needs the target on the probability scale; "
                f"{c.describe()} is not (give it link = logistic, or logistic(...))"
            )
