"""Functions derived from others inside a check, keeping exact ground truth.

The metamorphic move of the literature: take the drawn ``f``, derive another function whose
ground truth is known, and compare the method on both. Each builder here returns a
:class:`~explainspec.worlds.base.Function`:

- :func:`compose` — a unary link applied to a function (``sigmoid(f)``, ``exp(f)``, ``abs(f)``,
  ``f ** 2``): values, exact gradient by the chain rule, ``uses(i)`` exact for one-to-one links;
- :func:`restrict` — ``f`` with the features outside ``S`` fixed at a point (``f(x_S, b_-S)``);
- :func:`permute` — ``f`` with its features reordered, so that ``permute(f, p)(x[p]) = f(x)``;
- :func:`bump`, :func:`off_support_bump`, :func:`quadratic_at` — functions built from a point
  or the data, to add to ``f``: a tent bump, a bump that is 0 on every row of the data, and a
  quadratic with a given value and slope at a point.

Term functions stay term functions wherever the result is one (restriction, permutation and the
built functions are sums of product terms), so ``f.terms``, ``f.term(S)``, ``f.component`` and
the term-wise oracles keep working; ground truth a derivation cannot give exactly raises
:class:`~explainspec.worlds.base.GroundTruthUnavailable`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from explainspec.worlds import functions as fn
from explainspec.worlds import symbolic as sym
from explainspec.worlds.base import Function, GroundTruthUnavailable
from explainspec.worlds.functions import ExprFunction, FunctionBase, Shape, TermFunction

Array = np.ndarray

__all__ = [
    "LINKS",
    "Composed",
    "Restricted",
    "bump",
    "compose",
    "off_support_bump",
    "permute",
    "quadratic_at",
    "restrict",
]


def _sigmoid(t: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-t))


def _dsigmoid(t: Array) -> Array:
    p = _sigmoid(t)
    return p * (1.0 - p)


class Link:
    """A unary function ``t -> value(t)`` with its derivative; ``injective`` when it is
    one-to-one (then ``L(f)`` depends on ``x_i`` exactly when ``f`` does), ``smooth`` when it is
    differentiable everywhere, ``continuous`` when it keeps continuity."""

    __slots__ = ("continuous", "deriv", "injective", "name", "smooth", "value")

    def __init__(
        self,
        name: str,
        value: Callable[[Array], Array],
        deriv: Callable[[Array], Array],
        *,
        injective: bool,
        smooth: bool,
        continuous: bool = True,
    ) -> None:
        self.name, self.value, self.deriv = name, value, deriv
        self.injective, self.smooth, self.continuous = injective, smooth, continuous


#: The links a check may apply to a function: the element-wise builtins of one argument.
LINKS: dict[str, Link] = {
    "exp": Link("exp", np.exp, np.exp, injective=True, smooth=True),
    "log": Link("log", np.log, lambda t: 1.0 / t, injective=True, smooth=True),
    "sqrt": Link("sqrt", np.sqrt, lambda t: 0.5 / np.sqrt(t), injective=True, smooth=True),
    "sigmoid": Link("sigmoid", _sigmoid, _dsigmoid, injective=True, smooth=True),
    "logit": Link(
        "logit",
        lambda p: np.log(p / (1.0 - p)),
        lambda p: 1.0 / (p * (1.0 - p)),
        injective=True,
        smooth=True,
    ),
    "tanh": Link("tanh", np.tanh, lambda t: 1.0 - np.tanh(t) ** 2, injective=True, smooth=True),
    "abs": Link("abs", np.abs, np.sign, injective=False, smooth=False),
    "sign": Link("sign", np.sign, np.zeros_like, injective=False, smooth=False, continuous=False),
    "floor": Link(
        "floor", np.floor, np.zeros_like, injective=False, smooth=False, continuous=False
    ),
    "round": Link(
        "round", np.round, np.zeros_like, injective=False, smooth=False, continuous=False
    ),
}


def link_kinks(link: Link, v: Array) -> Array:
    """Where the link has a kink or a jump at the inner values ``v``: none for a smooth link;
    ``floor`` at integers, ``round`` at halves, the others (``abs``, ``sign``, fractional powers)
    at 0 (within ``KINK_TOL`` of the value's size)."""
    v = np.asarray(v, dtype=float)
    if link.smooth:
        return np.zeros(v.shape, dtype=bool)
    tol = sym.KINK_TOL * (1.0 + np.abs(v))
    if link.name == "floor":
        return np.abs(v - np.round(v)) <= tol
    if link.name == "round":
        return np.abs(v - np.floor(v) - 0.5) <= tol
    return np.abs(v) <= tol


def power_link(k: float) -> Link:
    """``t -> t ** k``: one-to-one for odd integer ``k`` (and ``k = 1``)."""
    odd = float(k).is_integer() and int(k) % 2 == 1
    integral = float(k).is_integer() and k >= 1
    return Link(
        f"pow{k:g}",
        lambda t: np.power(t, k),
        lambda t: k * np.power(t, k - 1.0),
        injective=odd,
        smooth=integral,
        continuous=k > 0,
    )


class Composed(FunctionBase):
    """``g(x) = L(f(x))`` for a :class:`Link` ``L``: the gradient is ``L'(f(x)) grad f(x)``
    (exact where ``f``'s is; the one-sided convention at kinks, ``0`` for piecewise constant
    links), and ``uses(i)`` is ``f.uses(i)`` for a one-to-one link. For a link that is not
    one-to-one (``abs``, ``sign``, ``floor``, ``round``, even powers) ``uses(i)`` is exact only
    when ``f`` does not use ``x_i``; otherwise it raises :class:`GroundTruthUnavailable`."""

    #: built in a check: parts of a sum that may cancel (see Combination.uses)
    derived = True

    def __init__(self, link: Link, f: Function, text: str | None = None) -> None:
        self.link, self.f, self.d = link, f, f.d
        tags = {"callable"}
        if "differentiable" in f.tags and link.continuous:
            tags.add("differentiable")
        if "smooth" in f.tags and link.smooth:
            tags.add("smooth")
        self.tags = frozenset(tags)
        self._label = text

    def _eval(self, Z: Array) -> Array:
        with np.errstate(all="ignore"):
            return self.link.value(np.asarray(self.f(Z), dtype=float))

    def _grad(self, Z: Array) -> Array:
        with np.errstate(all="ignore"):
            inner = np.asarray(self.f(Z), dtype=float)
            return self.link.deriv(inner)[:, None] * np.asarray(self.f.grad(Z))

    def _kinks(self, Z: Array) -> Array:
        inner = np.asarray(self.f(Z), dtype=float)
        return fn.kinks_of(self.f, Z) | link_kinks(self.link, inner)

    def _uses(self, i: int) -> bool:
        if not self.f.uses(i):
            return False
        if self.link.injective:
            return True
        raise GroundTruthUnavailable(
            f"whether {self.formula()} uses x{i} is not known exactly: {self.link.name} is not "
            "one-to-one, so it may hide the dependence of the inner function"
        )

    def _text(self) -> str:
        inner = fn._body(self.f)
        if self._label is not None:
            return self._label.replace("{}", inner)
        return f"{self.link.name}({inner})"

    def swap(self, i: int, j: int) -> Function:
        return Composed(self.link, self.f.swap(i, j), self._label)


def compose(name: str, f: Function) -> Function:
    """The builtin ``name`` applied to the function ``f``: a :class:`Composed` function.

    >>> g = compose("exp", fn.linear([1.0, 0.0]))
    >>> round(g([1.0, 5.0]), 6), g.uses(1), g.grad([0.0, 0.0]).tolist()
    (2.718282, False, [1.0, 0.0])
    """
    link = LINKS.get(name)
    if link is None:
        raise TypeError(f"{name}(f) of a function is not defined")
    return Composed(link, f)


def power(f: Function, k: Any) -> Function:
    """``f ** k`` for a number ``k``."""
    if isinstance(k, bool) or not isinstance(k, int | float | np.integer | np.floating):
        raise TypeError("a function can be raised only to a number: f ** 2")
    k = float(k)
    if k == 1:
        return f
    text = f"({{}}) ** {sym.number_text(k)}"
    return Composed(power_link(k), f, text)


# --------------------------------------------------------------------------- restriction


def _point(b: Any, d: int, what: str) -> Array:
    arr = np.asarray(b, dtype=float).reshape(-1)
    if arr.shape != (d,):
        raise ValueError(f"{what} must be a point of {d} features, got shape {np.shape(b)}")
    return arr


def _features(S: Any, d: int) -> frozenset[int]:
    out = frozenset(int(i) for i in S)
    bad = sorted(i for i in out if not 0 <= i < d)
    if bad:
        raise ValueError(f"features {bad} are outside 0 .. {d - 1}")
    return out


def restrict(f: Function, S: Iterable[Any], at: Any) -> Function:
    """``g(z) = f(z_S, b_{-S})``: ``f`` with the features outside ``S`` fixed at the point ``at``
    (``g`` keeps ``d`` features and ignores those outside ``S``).

    A term function gives a term function (each factor of a fixed feature becomes a number), a
    formula gives the formula with those numbers substituted (and folded, so ``x0 * x1`` at
    ``x1 = 0`` uses nothing); any other function is wrapped, with ``uses(i)`` exact where it
    can be (``i`` outside ``S``, or unused by ``f``; a tree: the splits still reachable).

    >>> g = restrict(fn.formula("x0 * x1 + x2"), {0, 2}, at=[5.0, 0.0, 7.0])
    >>> g.formula(), g.uses(0), g([1.0, 9.0, 2.0])
    ('f(x) = x2', False, 2.0)
    """
    b = _point(at, f.d, "restrict(f, S, at): at")
    keep = _features(S, f.d)
    if isinstance(f, TermFunction):
        terms: dict[Any, float] = {}
        for coef, shapes in f.terms:
            c = coef
            kept = []
            for j, s in shapes.items():
                if j in keep:
                    kept.append((j, s))
                else:
                    c *= float(s(b[j]))
            key = tuple(sorted(kept))
            terms[key] = terms.get(key, 0.0) + c
        return TermFunction(f.d, terms, f.intercept)
    if isinstance(f, ExprFunction):
        node = _substitute(f.node, {j: float(b[j]) for j in range(f.d) if j not in keep})
        return ExprFunction(node, f.d)
    return Restricted(f, keep, b)


class Restricted(FunctionBase):
    """``g(z) = f(z_S, b_{-S})`` for a function without a symbolic form (see :func:`restrict`)."""

    #: built in a check: parts of a sum that may cancel (see Combination.uses)
    derived = True

    def __init__(self, f: Function, keep: frozenset[int], b: Array) -> None:
        self.f, self.keep, self.b, self.d = f, keep, b, f.d
        self._mask = np.array([j in keep for j in range(f.d)])
        self.tags = frozenset(f.tags & {"callable", "differentiable", "smooth"}) | {"callable"}

    def _hybrid(self, Z: Array) -> Array:
        return np.where(self._mask[None, :], Z, self.b[None, :])

    def _eval(self, Z: Array) -> Array:
        return np.asarray(self.f(self._hybrid(Z)))

    def _grad(self, Z: Array) -> Array:
        return np.asarray(self.f.grad(self._hybrid(Z))) * self._mask[None, :]

    def _kinks(self, Z: Array) -> Array:
        return fn.kinks_of(self.f, self._hybrid(Z))

    def _uses(self, i: int) -> bool:
        if i not in self.keep or not self.f.uses(i):
            return False
        nodes = getattr(self.f, "nodes", None)
        if nodes is not None and hasattr(self.f, "split_features"):
            return i in _reachable_splits(nodes, self.keep, self.b)
        raise GroundTruthUnavailable(
            f"whether {self.formula()} uses x{i} is not known exactly: fixing the other features "
            "may remove the dependence"
        )

    def _text(self) -> str:
        fixed = ", ".join(
            f"x{j} = {sym.number_text(float(self.b[j]))}"
            for j in range(self.d)
            if j not in self.keep
        )
        return f"{fn._body(self.f)} at {fixed}" if fixed else fn._body(self.f)


def _reachable_splits(nodes: Sequence[Any], keep: frozenset[int], b: Array) -> set[int]:
    """The features split on at the nodes a tree can still reach when the features outside
    ``keep`` are fixed at ``b`` (sklearn's convention: ``x_j <= threshold`` goes left)."""
    found: set[int] = set()
    stack = [0]
    while stack:
        node = nodes[stack.pop()]
        if node.feature < 0:
            continue
        if node.feature in keep:
            found.add(node.feature)
            stack += [node.left, node.right]
        else:
            stack.append(node.left if b[node.feature] <= node.threshold else node.right)
    return found


def _substitute(node: sym.Node, values: dict[int, float]) -> sym.Node:
    """``node`` with the variables in ``values`` replaced by numbers, constant subtrees folded,
    and products with an exact zero dropped (so ``x0 * x1`` at ``x1 = 0`` is ``0``)."""
    if isinstance(node, sym.Var):
        return sym.Const(values[node.index]) if node.index in values else node
    if isinstance(node, sym.Const):
        return node
    if isinstance(node, sym.Neg):
        inner = _substitute(node.operand, values)
        return sym.Const(-inner.value) if isinstance(inner, sym.Const) else sym.Neg(inner)
    if isinstance(node, sym.Apply):
        out: sym.Node = sym.Apply(node.name, _substitute(node.arg, values))
    elif isinstance(node, sym.Extremum):
        out = sym.Extremum(node.is_max, tuple(_substitute(a, values) for a in node.args))
    else:
        left, right = _substitute(node.left, values), _substitute(node.right, values)
        if isinstance(node, sym.Mul) and any(
            isinstance(s, sym.Const) and s.value == 0 for s in (left, right)
        ):
            return sym.Const(0.0)
        out = type(node)(left, right)
    if not sym.variables(out):
        with np.errstate(all="ignore"):
            value = float(sym.evaluate(out, np.zeros((1, 1)))[0])
        if math.isfinite(value):
            return sym.Const(value)
    return out


# --------------------------------------------------------------------------- permutation


def permutation(p: Any, d: int) -> tuple[int, ...]:
    """``p`` as a permutation of ``0 .. d - 1`` (a ``ValueError`` otherwise)."""
    perm = tuple(int(i) for i in np.asarray(p).reshape(-1))
    if sorted(perm) != list(range(d)):
        raise ValueError(f"{list(perm)} is not a permutation of the {d} features 0 .. {d - 1}")
    return perm


def permute(f: Function, p: Any) -> Function:
    """``f`` with its features reordered by ``p``: ``g = permute(f, p)`` has
    ``g(x[p]) = f(x)``, so feature ``k`` of ``g`` is feature ``p[k]`` of ``f``, and an
    attribution method that is equivariant gives ``explain(g, at = x[p]) = phi[p]``.

    >>> g = permute(fn.linear([1.0, 2.0, 3.0]), [2, 0, 1])
    >>> g.weights.tolist()
    [3.0, 1.0, 2.0]
    """
    perm = permutation(p, f.d)
    mapping = {perm[k]: k for k in range(f.d)}  # f's feature perm[k] is g's feature k
    if isinstance(f, TermFunction):
        return f.relabeled(mapping, f.d)
    if isinstance(f, ExprFunction):
        return ExprFunction(sym.relabel(f.node, mapping), f.d)
    inverse = [0] * f.d
    for k, j in enumerate(perm):
        inverse[j] = k
    out = fn.Permuted(f, inverse)
    out.derived = True  # type: ignore[attr-defined]
    return out


# --------------------------------------------------------------------------- built functions


def bump(center: Any, width: Any, height: Any = 1.0) -> TermFunction:
    """A tent ``height * prod_j max(0, 1 - |x_j - c_j| / width)``: ``height`` at ``center``, 0
    where any feature is ``width`` or more away from it (exact terms, gradient and ``uses``).

    >>> b = bump([0.0, 0.0], 1.0, 2.0)
    >>> b([0.0, 0.0]), b([0.5, 0.0]), b([1.0, 0.0])
    (2.0, 1.0, 0.0)
    """
    c = np.asarray(center, dtype=float).reshape(-1)
    if c.size == 0:
        raise ValueError("bump(center, width): center must be a point")
    r = float(width)
    if not (r > 0 and math.isfinite(r)):
        raise ValueError(f"bump(center, width): width = {width!r} must be a positive number")
    h = float(height)
    key = tuple((j, Shape("tent", (float(c[j]), r))) for j in range(c.size))
    return TermFunction(c.size, {key: h}, extra_tags=("bump",))


def off_support_bump(P: Any, height: Any = 1.0) -> TermFunction:
    """A tent bump located off the support of ``P`` (a finite distribution or its rows): 0 on
    every row, so ``f + off_support_bump(P, h)`` agrees with ``f`` on the data and differs
    where interventional games and PD evaluate off the data."""
    rows = getattr(P, "rows", P)
    if rows is None:
        raise GroundTruthUnavailable(
            "off_support_bump(P) needs a finite P: a continuous distribution has no points off "
            "its support"
        )
    rows = np.asarray(rows, dtype=float)
    if rows.ndim != 2 or rows.shape[0] == 0:
        raise ValueError(f"off_support_bump(P): P must be rows (n, d), got shape {rows.shape}")
    c, r = fn.bump_location(rows)
    if not r > 0:
        raise ValueError("off_support_bump(P): every point is on the support of P")
    key = tuple((j, Shape("tent", (float(c[j]), r))) for j in range(rows.shape[1]))
    return TermFunction(rows.shape[1], {key: float(height)}, extra_tags=("off_support_bump",))


def quadratic_at(x: Any, value: Any = 0.0, slope: Any = 0.0, curvature: Any = 1.0) -> TermFunction:
    """``h(z) = value + slope . (z - x) + curvature * ||z - x||^2``: the quadratic with value
    ``value`` and gradient ``slope`` (a number for every feature, or a vector) at ``x``, curved
    away from it. ``f + quadratic_at(x, 0, 0)`` agrees with ``f`` at ``x`` to first order and
    differs elsewhere.

    >>> h = quadratic_at([1.0, 0.0], value=2.0, slope=[1.0, 0.0])
    >>> h([1.0, 0.0]), h.grad([1.0, 0.0]).tolist(), h([2.0, 0.0])
    (2.0, [1.0, 0.0], 4.0)
    """
    x0 = np.asarray(x, dtype=float).reshape(-1)
    d = x0.size
    g = np.broadcast_to(np.asarray(slope, dtype=float), (d,))
    c = float(curvature)
    terms: dict[Any, float] = {}
    intercept = float(value)
    for j in range(d):
        # c (z - x)^2 + g (z - x) = c z^2 + (g - 2 c x) z + (c x^2 - g x)
        terms[((j, Shape("pow", (2,))),)] = c
        terms[((j, fn.IDENTITY),)] = float(g[j]) - 2 * c * float(x0[j])
        intercept += c * float(x0[j]) ** 2 - float(g[j]) * float(x0[j])
    return TermFunction(d, terms, intercept)
