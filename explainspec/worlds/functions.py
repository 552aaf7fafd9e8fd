"""Functions with known structure: the members of the world families.

Every class here implements :class:`explainspec.worlds.base.Function`:

- :class:`TermFunction` — ``c + sum_k coef_k * prod_{j in S_k} shape_kj(x_j)`` over a linearly
  independent basis of one-dimensional :class:`Shape` atoms. Families ``linear``, ``additive``,
  ``interaction``, ``multilinear`` and the ``off_support_bump`` modifier live here; sums, scalings
  and swaps stay in this class and merge like terms, so ``uses(i)`` stays exact (``f - f`` uses
  nothing).
- :class:`ExprFunction` — a whitelisted symbolic formula (family ``formula``, and ``relu_net``).
- fitted scikit-learn estimators (``tree`` family, ``model`` black boxes) are in
  :mod:`explainspec.worlds.fitted`.
- :class:`Combination`, :class:`Permuted`, :class:`Linked`, :class:`Embedded` — exact closures
  of the arithmetic, ``swap``, the logistic link and extra unused features, for any member.

All evaluate over a point ``(d,)`` (returning a float) or a batch ``(n, d)`` (returning ``(n,)``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from explainspec.worlds import symbolic as sym
from explainspec.worlds.base import Function, GroundTruthUnavailable

Array = np.ndarray


def _not_applicable(message: str) -> Exception:
    from explainspec.methods.base import NotApplicable

    return NotApplicable(message)


# --------------------------------------------------------------------------- shapes


@dataclass(frozen=True, slots=True, order=True)
class Shape:
    """A one-dimensional atom ``t -> s(t)`` of the term basis.

    ``kind`` and ``params``:

    - ``pow (k,)``: ``t**k`` (``k`` = 1..4)
    - ``sin (a,)``: ``sin(a*t)``, ``a > 0``; ``tanh (a,)``: ``tanh(a*t)``, ``a > 0``
    - ``abs ()``: ``|t|``
    - ``relu (c,)``: ``max(t - c, 0)`` with ``c != 0`` (``relu(t) = (t + |t|)/2`` would make the
      basis linearly dependent and ``uses`` inexact)
    - ``step (tau,)``: ``1[t > tau]``
    - ``tent (c, r)``: ``max(0, 1 - |t - c| / r)`` (the off-support bump)
    """

    kind: str
    params: tuple[float, ...] = ()

    def __call__(self, t: Any) -> Any:
        t = np.asarray(t, dtype=float)
        k, p = self.kind, self.params
        if k == "pow":
            return t ** int(p[0])
        if k == "sin":
            return np.sin(p[0] * t)
        if k == "tanh":
            return np.tanh(p[0] * t)
        if k == "abs":
            return np.abs(t)
        if k == "relu":
            return np.maximum(t - p[0], 0.0)
        if k == "step":
            return (t > p[0]).astype(float)
        if k == "tent":
            return np.maximum(0.0, 1.0 - np.abs(t - p[0]) / p[1])
        raise ValueError(f"unknown shape kind {k!r}")

    def deriv(self, t: Any) -> Any:
        """Exact derivative (one-sided convention at kinks: ``sign``, ``1[t > c]``)."""
        t = np.asarray(t, dtype=float)
        k, p = self.kind, self.params
        if k == "pow":
            n = int(p[0])
            return n * t ** (n - 1) if n > 1 else np.ones_like(t)
        if k == "sin":
            return p[0] * np.cos(p[0] * t)
        if k == "tanh":
            return p[0] * (1.0 - np.tanh(p[0] * t) ** 2)
        if k == "abs":
            return np.sign(t)
        if k == "relu":
            return (t > p[0]).astype(float)
        if k == "step":
            return np.zeros_like(t)
        if k == "tent":
            inside = np.abs(t - p[0]) < p[1]
            return np.where(inside, -np.sign(t - p[0]) / p[1], 0.0)
        raise ValueError(f"unknown shape kind {k!r}")

    @property
    def continuous(self) -> bool:
        return self.kind != "step"

    @property
    def smooth(self) -> bool:
        return self.kind in ("pow", "sin", "tanh")

    def node(self, var: int) -> sym.Node:
        """The formula of this shape applied to ``x_var``."""
        x: sym.Node = sym.Var(var)
        k, p = self.kind, self.params

        def shifted(c: float) -> sym.Node:
            if c == 0:
                return x
            return sym.Sub(x, sym.Const(c)) if c > 0 else sym.Add(x, sym.Const(-c))

        def scaled(a: float) -> sym.Node:
            return x if a == 1 else sym.Mul(sym.Const(a), x)

        if k == "pow":
            return x if p[0] == 1 else sym.Pow(x, sym.Const(int(p[0])))
        if k in ("sin", "tanh"):
            return sym.Apply(k, scaled(p[0]))
        if k == "abs":
            return sym.Apply("abs", x)
        if k in ("relu", "step"):
            return sym.Apply(k, shifted(p[0]))
        if k == "tent":
            dist = sym.Apply("abs", shifted(p[0]))
            return sym.Apply("relu", sym.Sub(sym.Const(1), sym.Div(dist, sym.Const(p[1]))))
        raise ValueError(f"unknown shape kind {k!r}")

    def text(self, var: int = 0) -> str:
        return sym.to_text(self.node(var))


IDENTITY = Shape("pow", (1,))

TermKey = tuple[tuple[int, Shape], ...]  # sorted (feature, shape) pairs, features distinct


# --------------------------------------------------------------------------- the base


def _as_batch(z: Any, d: int) -> tuple[Array, bool]:
    a = np.asarray(z, dtype=float)
    single = a.ndim == 1
    if single:
        a = a[None, :]
    if a.ndim != 2 or a.shape[1] != d:
        raise ValueError(f"expected a point of shape ({d},) or a batch (n, {d}); got {np.shape(z)}")
    return a, single


def kinks_of(f: Any, Z: Array) -> Array:
    """``f.kinks(Z)`` for a batch ``(n, d)``, all ``False`` for an ``f`` without the method."""
    k = getattr(f, "kinks", None)
    if not callable(k):
        return np.zeros(Z.shape[0], dtype=bool)
    return np.asarray(k(Z), dtype=bool).reshape(Z.shape[0])


def _node_kinks(node: sym.Node, Z: Array) -> Array:
    out = np.zeros(Z.shape[0], dtype=bool)
    sym.value_and_grad(node, Z, out)
    return out


def relu_layer_kinks(layers: Sequence[tuple[Array, Array]], Z: Array) -> Array:
    """Rows of ``Z`` at which a hidden unit of the ReLU network ``layers`` (``(W, b)``, ``W`` of
    shape ``(out, in)``) sits at its kink: a pre-activation within ``KINK_TOL`` of 0 (relative to
    the size of its terms) for a unit that reads its inputs (some nonzero weight)."""
    h = Z.T
    out = np.zeros(Z.shape[0], dtype=bool)
    for W, b in layers[:-1]:
        pre = W @ h + b[:, None]
        size = np.abs(W) @ np.abs(h) + np.abs(b)[:, None]
        live = np.any(W != 0, axis=1)[:, None]
        out |= np.any(live & (np.abs(pre) <= sym.KINK_TOL * (1.0 + size)), axis=0)
        h = np.maximum(pre, 0.0)
    return out


def _on_splits(splits: Iterable[tuple[int, float]], Z: Array) -> Array:
    """Rows of ``Z`` lying on a split threshold (``(feature, threshold)``, leaves have feature
    < 0) of a tree, where its value jumps."""
    out = np.zeros(Z.shape[0], dtype=bool)
    for j, th in splits:
        if j >= 0:
            out |= np.abs(Z[:, j] - th) <= sym.KINK_TOL * (1.0 + abs(th))
    return out


class FunctionBase:
    """Shared behaviour: batching, arithmetic, swap, handover and unavailable ground truth."""

    d: int
    tags: frozenset[str]

    # -- to implement
    def _eval(self, Z: Array) -> Array:
        raise NotImplementedError

    def _grad(self, Z: Array) -> Array:
        raise GroundTruthUnavailable(f"{type(self).__name__} has no exact gradient")

    def _uses(self, i: int) -> bool:
        return True

    def _text(self) -> str:
        raise NotImplementedError

    # -- protocol
    def __call__(self, z: Any) -> Any:
        Z, single = _as_batch(z, self.d)
        out = np.asarray(self._eval(Z), dtype=float).reshape(Z.shape[0])
        return float(out[0]) if single else out

    def grad(self, z: Any) -> Array:
        """Exact gradient at a point ``(d,)`` -> ``(d,)`` or a batch ``(n, d)`` -> ``(n, d)``.

        Where ``f`` is not differentiable (:meth:`kinks`) this is a one-sided convention
        (``relu'(0) = 0``, ``sign(0) = 0``, as autograd computes), not a derivative."""
        Z, single = _as_batch(z, self.d)
        G = np.asarray(self._grad(Z), dtype=float).reshape(Z.shape)
        return G[0] if single else G

    def kinks(self, z: Any) -> Any:
        """Whether ``f`` may fail to be differentiable at the point (``bool``) or at each row of a
        batch (``(n,)`` bool): a kink or jump of one of its pieces lies there (within
        :data:`~explainspec.worlds.symbolic.KINK_TOL` of the row's scale). ``False`` only where
        ``f`` is differentiable; ``True`` may be conservative (pieces whose kinks cancel)."""
        Z, single = _as_batch(z, self.d)
        out = np.asarray(self._kinks(Z), dtype=bool).reshape(Z.shape[0])
        return bool(out[0]) if single else out

    def _kinks(self, Z: Array) -> Array:
        return np.zeros(Z.shape[0], dtype=bool)  # smooth, or no gradient at all

    def formula(self) -> str:
        return f"f(x) = {self._text()}"

    def uses(self, i: int) -> bool:
        """Whether f depends on ``x_i`` anywhere on R^d (not only on the support)."""
        i = int(i)
        if not 0 <= i < self.d:
            raise IndexError(f"feature index i={i} is out of range for d={self.d}")
        return bool(self._uses(i))

    def component(self, i: int, t: Any) -> Any:
        raise GroundTruthUnavailable(
            f"component(i, t) needs a function additively separable in x_{i}; "
            f"{self.formula()} is not (family tags: {sorted(self.tags)})"
        )

    def handover(self, form: str) -> Any:
        """The function in the form a library takes: ``callable``, ``sklearn``, ``linear``, or
        ``torch`` / ``torch:float32`` (a ``torch.nn.Module``, :mod:`.handover_torch`)."""
        if form.startswith("torch"):
            from explainspec.worlds.handover_torch import handover

            return handover(self, form)
        if form == "callable":

            def predict(X: Any) -> Array:
                return self(np.asarray(X, dtype=float).reshape(-1, self.d))

            return predict
        return self._handover(form)

    def _handover(self, form: str) -> Any:
        raise _not_applicable(f"{self.formula()} cannot be handed over as {form!r}")

    def swap(self, i: int, j: int) -> Function:
        """f with features ``i`` and ``j`` exchanged: ``g(z) = f(z with z_i, z_j swapped)``."""
        perm = list(range(self.d))
        perm[i], perm[j] = perm[j], perm[i]
        return Permuted(self, tuple(perm))

    @property
    def weights(self) -> Array:
        raise GroundTruthUnavailable(f"f.weights needs a linear function; {self.formula()}")

    @property
    def terms(self) -> tuple[tuple[float, dict[int, Shape]], ...]:
        raise GroundTruthUnavailable(f"f.terms needs a sum of product terms; {self.formula()}")

    def term(self, S: Iterable[int]) -> Function:
        raise GroundTruthUnavailable(f"f.term(S) needs a sum of product terms; {self.formula()}")

    # -- arithmetic
    def __add__(self, other: Any) -> Function:
        if isinstance(other, int | float | np.number):
            return combine([(1.0, self), (1.0, constant(float(other), self.d))])
        if not isinstance(other, FunctionBase):
            return NotImplemented
        return combine([(1.0, self), (1.0, other)])

    def __radd__(self, other: Any) -> Function:
        if isinstance(other, int | float | np.number) and other == 0:
            return self  # sum([...])
        return self.__add__(other)

    def __sub__(self, other: Any) -> Function:
        if isinstance(other, int | float | np.number):
            return self + (-float(other))
        if not isinstance(other, FunctionBase):
            return NotImplemented
        return combine([(1.0, self), (-1.0, other)])

    def __rsub__(self, other: Any) -> Function:
        return (-self) + other

    def __mul__(self, a: Any) -> Function:
        if not isinstance(a, int | float | np.number):
            return NotImplemented
        return combine([(float(a), self)])

    __rmul__ = __mul__

    def __truediv__(self, a: Any) -> Function:
        if not isinstance(a, int | float | np.number):
            return NotImplemented
        return combine([(1.0 / float(a), self)])

    def __neg__(self) -> Function:
        return combine([(-1.0, self)])

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.formula()}>"


# --------------------------------------------------------------------------- term functions


def _term_node(coef: float, key: TermKey) -> sym.Node:
    factors = [s.node(j) for j, s in key]
    node: sym.Node | None = None
    for fac in factors:
        node = fac if node is None else sym.Mul(node, fac)
    if node is None:
        return sym.Const(coef)
    return node if coef == 1 else sym.Mul(sym.Const(coef), node)


def _sum_node(parts: Sequence[tuple[float, sym.Node | None]]) -> sym.Node:
    """``c1*n1 + c2*n2 - ...`` with signs folded into ``+``/``-`` (``None`` node = constant)."""
    out: sym.Node | None = None
    for coef, node in parts:
        if coef == 0:
            continue
        mag = abs(coef)
        body = (
            sym.Const(mag)
            if node is None
            else (node if mag == 1 else sym.Mul(sym.Const(mag), node))
        )
        if out is None:
            out = body if coef > 0 else sym.Neg(body)
        else:
            out = sym.Add(out, body) if coef > 0 else sym.Sub(out, body)
    return out if out is not None else sym.Const(0)


class TermFunction(FunctionBase):
    """``f(x) = intercept + sum_k coef_k * prod_{j in S_k} shape_kj(x_j)``.

    Parameters
    ----------
    d : int
        Number of features.
    terms : mapping of term key to coefficient
        A key is a tuple of ``(feature, Shape)`` pairs with distinct features; like keys are
        merged and zero coefficients dropped, so the representation is canonical.
    intercept : float
    extra_tags : iterable of str
        Tags added by the family (e.g. ``"off_support_bump"``).

    Examples
    --------
    >>> f = linear([2, -1], intercept=0.5)
    >>> f.formula()
    'f(x) = 2*x0 - x1 + 0.5'
    >>> f([1, 1])
    1.5
    """

    def __init__(
        self,
        d: int,
        terms: Mapping[TermKey, float] | Iterable[tuple[float, Mapping[int, Shape]]] = (),
        intercept: float = 0.0,
        extra_tags: Iterable[str] = (),
    ) -> None:
        self.d = int(d)
        merged: dict[TermKey, float] = {}
        items = terms.items() if isinstance(terms, Mapping) else ((k, c) for c, k in terms)
        for key, coef in items:
            k = _key(key)
            if any(j < 0 or j >= self.d for j, _ in k):
                raise ValueError(f"term {k} uses a feature outside 0..{self.d - 1}")
            merged[k] = merged.get(k, 0.0) + float(coef)
        self._terms = {k: c for k, c in sorted(merged.items(), key=_order) if c != 0.0 and k}
        const = sum(c for k, c in merged.items() if not k)
        self.intercept = float(intercept) + float(const)
        self._extra = frozenset(extra_tags)
        self.tags = self._compute_tags()

    # -- structure
    def _compute_tags(self) -> frozenset[str]:
        tags = {"callable", "terms"} | set(self._extra)
        keys = list(self._terms)
        shapes = [s for k in keys for _, s in k]
        if all(len(k) <= 1 for k in keys):
            tags.add("additive")
        if all(len(k) == 1 and k[0][1] == IDENTITY for k in keys):
            tags |= {"linear", "sklearn"}
        if all(s == IDENTITY for s in shapes):
            tags.add("multilinear")
        if all(s.continuous for s in shapes):
            tags.add("differentiable")
        if all(s.smooth for s in shapes):
            tags.add("smooth")
        return frozenset(tags)

    @property
    def order(self) -> int:
        """The highest interaction order (0 for a constant)."""
        return max((len(k) for k in self._terms), default=0)

    @property
    def terms(self) -> tuple[tuple[float, dict[int, Shape]], ...]:
        """``(coef, {feature: shape})`` for every term (the intercept is not a term)."""
        return tuple((c, dict(k)) for k, c in self._terms.items())

    def term(self, S: Iterable[int]) -> TermFunction:
        """The component ``g_S``: the sum of the terms whose feature set is exactly ``S``."""
        S = frozenset(int(i) for i in S)
        if not S:
            return TermFunction(self.d, {}, self.intercept)
        return TermFunction(self.d, {k: c for k, c in self._terms.items() if _features(k) == S})

    @property
    def weights(self) -> Array:
        if "linear" not in self.tags:
            raise GroundTruthUnavailable(f"f.weights needs a linear function; {self.formula()}")
        w = np.zeros(self.d)
        for k, c in self._terms.items():
            w[k[0][0]] = c
        return w

    def component(self, i: int, t: Any) -> Any:
        """``g_i(t)``: the terms in ``x_i`` alone (available when no term mixes ``x_i`` with
        another feature); then ``f(x) = intercept + sum_i g_i(x_i) + (terms without x_i)``."""
        i = int(i)
        mixed = [k for k in self._terms if len(k) > 1 and i in _features(k)]
        if mixed:
            super().component(i, t)
        tt = np.asarray(t, dtype=float)
        out = np.zeros_like(tt)
        for k, c in self._terms.items():
            if len(k) == 1 and k[0][0] == i:
                out = out + c * k[0][1](tt)
        return float(out) if out.ndim == 0 else out

    # -- protocol
    def _eval(self, Z: Array) -> Array:
        out = np.full(Z.shape[0], self.intercept)
        for k, c in self._terms.items():
            prod = np.full(Z.shape[0], c)
            for j, s in k:
                prod = prod * s(Z[:, j])
            out = out + prod
        return out

    def _grad(self, Z: Array) -> Array:
        G = np.zeros(Z.shape)
        for k, c in self._terms.items():
            vals = [s(Z[:, j]) for j, s in k]
            for a, (j, s) in enumerate(k):
                prod = c * s.deriv(Z[:, j])
                for b, v in enumerate(vals):
                    if b != a:
                        prod = prod * v
                G[:, j] += prod
        return G

    def _kinks(self, Z: Array) -> Array:
        return _node_kinks(self.node(), Z)

    def _uses(self, i: int) -> bool:
        return any(i in _features(k) for k in self._terms)

    def node(self) -> sym.Node:
        parts: list[tuple[float, sym.Node | None]] = [
            (c, _term_node(1.0, k)) for k, c in self._terms.items()
        ]
        if self.intercept != 0 or not parts:
            parts.append((self.intercept, None))
        return _sum_node(parts)

    def _text(self) -> str:
        return sym.to_text(self.node())

    def _handover(self, form: str) -> Any:
        if form in ("linear", "sklearn") and "linear" not in self.tags:
            raise _not_applicable(f"{self.formula()} is not linear; cannot hand over as {form!r}")
        if form == "linear":
            return self.weights.copy(), self.intercept
        if form == "sklearn":
            from sklearn.linear_model import LinearRegression

            est = LinearRegression()
            est.coef_ = self.weights.copy()
            est.intercept_ = float(self.intercept)
            est.n_features_in_ = self.d
            est.rank_ = int(np.count_nonzero(est.coef_))
            est.singular_ = np.ones(self.d)
            return est
        return super()._handover(form)

    def swap(self, i: int, j: int) -> TermFunction:
        return self.relabeled({i: j, j: i}, self.d)

    def relabeled(self, mapping: Mapping[int, int], d: int) -> TermFunction:
        """Rename features by ``mapping`` (others unchanged) in a space of ``d`` features."""
        terms = {tuple((mapping.get(j, j), s) for j, s in k): c for k, c in self._terms.items()}
        return TermFunction(d, terms, self.intercept, self._extra)


def _key(key: Any) -> TermKey:
    pairs = tuple(
        sorted((int(j), s) for j, s in (key.items() if isinstance(key, Mapping) else key))
    )
    feats = [j for j, _ in pairs]
    if len(set(feats)) != len(feats):
        raise ValueError(f"a term may use each feature once; got features {feats}")
    return pairs


def _features(key: TermKey) -> frozenset[int]:
    return frozenset(j for j, _ in key)


def _order(item: tuple[TermKey, float]) -> tuple[Any, ...]:
    key = item[0]
    return (len(key), [j for j, _ in key], key)


def constant(c: float, d: int) -> TermFunction:
    return TermFunction(d, {}, c)


# --------------------------------------------------------------------------- formulas


class ExprFunction(FunctionBase):
    """A function given by a whitelisted formula (:mod:`explainspec.worlds.symbolic`).

    ``uses(i)`` is ``True`` iff ``x_i`` occurs in the formula: exact for formulas built by the
    families, conservative for hand-written text that cancels (``x0 - x0``).
    """

    def __init__(
        self, node: sym.Node, d: int | None = None, extra_tags: Iterable[str] = (), **structure: Any
    ) -> None:
        used = sym.variables(node)
        need = max(used) + 1 if used else 0
        self.d = int(d) if d is not None else max(need, 1)
        if need > self.d:
            raise ValueError(f"the formula uses x{need - 1} but d={self.d}")
        self.node = node
        self._extra = frozenset(extra_tags)
        tags = {"callable", "formula"} | self._extra
        if not sym.uses_step(node):
            tags.add("differentiable")
        self.tags = frozenset(tags)
        self.structure = dict(structure)
        for k, v in structure.items():
            setattr(self, k, v)

    def _eval(self, Z: Array) -> Array:
        return sym.evaluate(self.node, Z)

    def _grad(self, Z: Array) -> Array:
        return sym.value_and_grad(self.node, Z)[1]

    def _kinks(self, Z: Array) -> Array:
        return _node_kinks(self.node, Z)

    def _uses(self, i: int) -> bool:
        return i in sym.variables(self.node)

    def _text(self) -> str:
        return sym.to_text(self.node)

    def swap(self, i: int, j: int) -> ExprFunction:
        return ExprFunction(sym.relabel(self.node, {i: j, j: i}), self.d, self._extra)


# --------------------------------------------------------------------------- closures


class Combination(FunctionBase):
    """``sum_k a_k f_k`` of arbitrary members (built by :func:`combine`)."""

    def __init__(self, parts: Sequence[tuple[float, Function]]) -> None:
        self.parts = tuple(parts)
        self.d = self.parts[0][1].d
        common = frozenset.intersection(*(p.tags for _, p in self.parts))
        self.tags = frozenset({"callable"} | (common & {"differentiable", "smooth"}))

    # ``parts`` is never empty (``__init__`` reads ``parts[0]``), so the sums are arrays, not 0.
    def _eval(self, Z: Array) -> Array:
        return cast(Array, sum(a * np.asarray(f(Z)) for a, f in self.parts))

    def _grad(self, Z: Array) -> Array:
        return cast(Array, sum(a * np.asarray(f.grad(Z)) for a, f in self.parts))

    def _kinks(self, Z: Array) -> Array:
        return np.logical_or.reduce([kinks_of(f, Z) for _, f in self.parts])

    def _uses(self, i: int) -> bool:
        users = [f for _, f in self.parts if f.uses(i)]
        if len(users) > 1 and any(getattr(f, "derived", False) for f in users):
            # sigmoid(f) + sigmoid(-f) is constant, permute(f, p) - f is 0 for a symmetric f:
            # parts derived in a check may cancel, so "some part reads x_i" is not a proof
            raise GroundTruthUnavailable(
                f"whether {self.formula()} uses x{i} is not known exactly: several of its parts "
                "read it and may cancel"
            )
        return bool(users)

    def _text(self) -> str:
        parts = [(a, sym.Var(-1)) for a, _ in self.parts]
        text = sym.to_text(_sum_node(parts))
        for _, f in self.parts:
            text = text.replace("x-1", f"({_body(f)})", 1)
        return text

    def swap(self, i: int, j: int) -> Function:
        return combine([(a, f.swap(i, j)) for a, f in self.parts])


def _body(f: Function) -> str:
    text = f.formula()
    return text.split(" = ", 1)[1] if text.startswith("f(x) = ") else text


def combine(pairs: Sequence[tuple[float, Function]]) -> Function:
    """``sum a_k f_k``, merged: term functions add term by term, formulas become one formula,
    identical members are collected, zero coefficients dropped."""
    flat: list[tuple[float, Function]] = []
    for a, f in pairs:
        if isinstance(f, Combination):
            flat.extend((a * b, g) for b, g in f.parts)
        else:
            flat.append((a, f))
    d = flat[0][1].d
    if any(f.d != d for _, f in flat):
        raise ValueError(f"cannot combine functions of different d: {[f.d for _, f in flat]}")
    if all(isinstance(f, TermFunction) for _, f in flat):
        terms: dict[TermKey, float] = {}
        intercept = 0.0
        extra: set[str] = set()
        for a, f in flat:
            assert isinstance(f, TermFunction)
            intercept += a * f.intercept
            extra |= f._extra if a != 0 else set()
            for k, c in f._terms.items():
                terms[k] = terms.get(k, 0.0) + a * c
        return TermFunction(d, terms, intercept, extra)
    formulas = [(a, f) for a, f in flat if isinstance(f, TermFunction | ExprFunction)]
    if len(formulas) == len(flat):
        collected: dict[sym.Node, float] = {}  # like formulas add up (f - f is 0)
        for a, f in formulas:
            node = f.node() if isinstance(f, TermFunction) else f.node
            collected[node] = collected.get(node, 0.0) + a
        nodes = [(a, node) for node, a in collected.items() if a != 0]
        extra = set().union(*(f._extra for _, f in formulas))
        return ExprFunction(_sum_node(nodes), d, extra)
    merged: list[list[Any]] = []
    for a, f in flat:
        for m in merged:
            if m[1] is f:
                m[0] += a
                break
        else:
            merged.append([a, f])
    kept = [(a, f) for a, f in merged if a != 0]
    if not kept:
        return constant(0.0, d)
    if len(kept) == 1 and kept[0][0] == 1:
        return kept[0][1]
    return Combination([(a, f) for a, f in kept])


class Permuted(FunctionBase):
    """``g(z) = f(w)`` with ``w_p = z_{perm[p]}`` (``perm`` a permutation of ``0..d-1``)."""

    def __init__(self, f: Function, perm: Sequence[int]) -> None:
        self.f, self.perm = f, tuple(int(p) for p in perm)
        self.d = f.d
        self.tags = frozenset(f.tags & {"callable", "differentiable", "smooth", "tree"}) | {
            "callable"
        }
        self._inv = tuple(int(p) for p in np.argsort(self.perm))

    def _eval(self, Z: Array) -> Array:
        return np.asarray(self.f(Z[:, list(self.perm)]))

    def _grad(self, Z: Array) -> Array:
        G = np.zeros(Z.shape)
        G[:, list(self.perm)] = self.f.grad(Z[:, list(self.perm)])
        return G

    def _kinks(self, Z: Array) -> Array:
        return kinks_of(self.f, Z[:, list(self.perm)])

    def _uses(self, i: int) -> bool:
        return self.f.uses(self._inv[i])

    def _text(self) -> str:
        return re.sub(r"\bx(\d+)\b", lambda m: f"x{self.perm[int(m.group(1))]}", _body(self.f))

    def swap(self, i: int, j: int) -> Function:
        perm = list(self.perm)
        perm[i], perm[j] = perm[j], perm[i]
        if perm == sorted(perm):
            return self.f
        return Permuted(self.f, perm)


class Embedded(FunctionBase):
    """``g(z) = f(z[keep])``: ``f`` placed in a larger space whose other features it ignores."""

    def __init__(self, f: Function, keep: Sequence[int], d: int) -> None:
        self.f, self.keep, self.d = f, tuple(int(k) for k in keep), int(d)
        self.tags = frozenset(f.tags & {"callable", "differentiable", "smooth"}) | {"callable"}

    def _eval(self, Z: Array) -> Array:
        return np.asarray(self.f(Z[:, list(self.keep)]))

    def _grad(self, Z: Array) -> Array:
        G = np.zeros(Z.shape)
        G[:, list(self.keep)] = self.f.grad(Z[:, list(self.keep)])
        return G

    def _kinks(self, Z: Array) -> Array:
        return kinks_of(self.f, Z[:, list(self.keep)])

    def _uses(self, i: int) -> bool:
        return i in self.keep and self.f.uses(self.keep.index(i))

    def _text(self) -> str:
        return re.sub(r"\bx(\d+)\b", lambda m: f"x{self.keep[int(m.group(1))]}", _body(self.f))


class Linked(FunctionBase):
    """``g(x) = 1 / (1 + exp(-f(x)))``: the logistic link (strictly monotone, so ``uses`` and
    symmetries of ``f`` carry over exactly)."""

    def __init__(self, f: Function) -> None:
        self.f, self.d = f, f.d
        self.tags = frozenset(f.tags & {"callable", "differentiable", "smooth"}) | {
            "callable",
            "logistic",
        }

    def _eval(self, Z: Array) -> Array:
        return 1.0 / (1.0 + np.exp(-np.asarray(self.f(Z))))

    def _grad(self, Z: Array) -> Array:
        p = self._eval(Z)
        return (p * (1 - p))[:, None] * self.f.grad(Z)

    def _kinks(self, Z: Array) -> Array:
        return kinks_of(self.f, Z)

    def _uses(self, i: int) -> bool:
        return self.f.uses(i)

    def _text(self) -> str:
        return f"1/(1 + exp(-({_body(self.f)})))"

    def swap(self, i: int, j: int) -> Function:
        return Linked(self.f.swap(i, j))


# --------------------------------------------------------------------------- family builders


def linear(weights: Sequence[float], intercept: float = 0.0) -> TermFunction:
    """``f(x) = w . x + c``."""
    d = len(weights)
    terms: dict[TermKey, float] = {((j, IDENTITY),): float(w) for j, w in enumerate(weights)}
    return TermFunction(d, terms, intercept)


def additive(
    shapes: Sequence[Sequence[tuple[float, Shape]]], intercept: float = 0.0
) -> TermFunction:
    """``f(x) = c + sum_j sum_k a_jk s_jk(x_j)``: ``shapes[j]`` is the list ``(a, Shape)`` of g_j."""
    terms: dict[TermKey, float] = {}
    for j, parts in enumerate(shapes):
        for a, s in parts:
            terms[((j, s),)] = terms.get(((j, s),), 0.0) + float(a)
    return TermFunction(len(shapes), terms, intercept)


def interaction(
    d: int, terms: Iterable[tuple[float, Mapping[int, Shape]]], intercept: float = 0.0
) -> TermFunction:
    """``f(x) = c + sum_k coef_k prod_{j in S_k} s_kj(x_j)``."""
    return TermFunction(d, list(terms), intercept)


def multilinear(
    d: int, coefs: Mapping[Iterable[int], float], intercept: float = 0.0
) -> TermFunction:
    """``f(x) = c + sum_S coef_S prod_{i in S} x_i``."""
    return TermFunction(
        d, [(c, {int(i): IDENTITY for i in S}) for S, c in coefs.items()], intercept
    )


def formula(text: str, d: int | None = None) -> ExprFunction:
    """A function given as formula text over ``x0, x1, ...`` (whitelisted; never ``eval``).

    Examples
    --------
    >>> formula("x0 * x1 + sin(x2)").formula()   # doctest: +SKIP
    'f(x) = x0*x1 + sin(x2)'
    """
    return ExprFunction(sym.parse(text), d)


#: a ReLU network whose formula, written out, would exceed this many variable occurrences
#: (``d * width ** depth``) is a :class:`ReluNet` evaluated with matrices: the
#: formula of a width-256, depth-16 net is astronomically long, and evaluating it node by node
#: takes exponential time
MAX_FORMULA_NET = 2048


class ReluNet(FunctionBase):
    """A ReLU network too large to write out as a formula: ``layers`` as matrices, evaluated
    and differentiated (back-propagation, the one-sided convention ``relu'(0) = 0``) with
    matrix products. ``uses(i)`` is ``False`` exactly when no first-layer weight reads ``x_i``.
    """

    def __init__(self, layers: Sequence[tuple[Any, Any]], d: int) -> None:
        self.layers = tuple((np.asarray(W, float), np.asarray(b, float)) for W, b in layers)
        self.d = int(d)
        self.tags = frozenset({"callable", "differentiable", "relu_net", "piecewise_linear"})

    def _eval(self, Z: Array) -> Array:
        h = Z.T
        for k, (W, b) in enumerate(self.layers):
            h = W @ h + b[:, None]
            if k < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        return h[0]

    def _grad(self, Z: Array) -> Array:
        h, masks = Z.T, []
        for W, b in self.layers[:-1]:
            pre = W @ h + b[:, None]
            masks.append(pre > 0)
            h = np.maximum(pre, 0.0)
        g = np.repeat(self.layers[-1][0], Z.shape[0], axis=0).T  # (width, n)
        for (W, _), m in zip(reversed(self.layers[:-1]), reversed(masks), strict=True):
            g = W.T @ (g * m)
        return g.T

    def _kinks(self, Z: Array) -> Array:
        return relu_layer_kinks(self.layers, Z)

    def _uses(self, i: int) -> bool:
        return bool(np.any(self.layers[0][0][:, i] != 0))

    def _text(self) -> str:
        sizes = " -> ".join(str(W.shape[0]) for W, _ in self.layers)
        return f"ReLU network {self.d} -> {sizes} (weights in f.layers)"

    def swap(self, i: int, j: int) -> Function:
        (W, b), rest = self.layers[0], self.layers[1:]
        W = W.copy()
        W[:, [i, j]] = W[:, [j, i]]
        return ReluNet(((W, b), *rest), self.d)


def relu_net(
    layers: Sequence[tuple[Sequence[Sequence[float]], Sequence[float]]], d: int
) -> Function:
    """A ReLU network: hidden layers ``h = relu(W h + b)``, the last layer linear.

    ``layers[k] = (W, b)`` with ``W`` of shape ``(out, in)``. Zero weights are left out of the
    formula, so ``uses(i)`` is ``False`` exactly when no first-layer weight reads ``x_i``. A
    network whose formula would be too long (:data:`MAX_FORMULA_NET`) is a :class:`ReluNet`.
    """
    occurrences = d  # of variables in the written-out formula: d times the hidden widths
    for W, _ in layers[:-1]:
        occurrences *= len(W)
    if occurrences > MAX_FORMULA_NET:
        return ReluNet(layers, d)
    hidden: list[sym.Node] = [sym.Var(j) for j in range(d)]
    for li, (W, b) in enumerate(layers):
        outs = []
        for row, bias in zip(W, b, strict=True):
            parts: list[tuple[float, sym.Node | None]] = [
                (float(w), h) for w, h in zip(row, hidden, strict=True) if w != 0
            ]
            parts.append((float(bias), None))
            pre = _sum_node(parts)
            outs.append(pre if li == len(layers) - 1 else sym.Apply("relu", pre))
        hidden = outs
    if len(hidden) != 1:
        raise ValueError("the last layer of relu_net must have one output")
    arrays = tuple((np.asarray(W, float), np.asarray(b, float)) for W, b in layers)
    return ExprFunction(hidden[0], d, {"relu_net", "piecewise_linear"}, layers=arrays)


# --------------------------------------------------------------------------- modifiers


def add_unused(f: Function, positions: Iterable[int]) -> Function:
    """``f`` in a space with extra features at ``positions`` that it ignores."""
    pos = sorted({int(p) for p in positions})
    D = f.d + len(pos)
    if pos and (pos[0] < 0 or pos[-1] >= D):
        raise ValueError(f"unused positions {pos} are out of range for d={D}")
    keep = [k for k in range(D) if k not in pos]
    mapping = dict(enumerate(keep))
    if isinstance(f, TermFunction):
        return f.relabeled(mapping, D)
    if isinstance(f, ExprFunction):
        return ExprFunction(sym.relabel(f.node, mapping), D, f._extra, **f.structure)
    return Embedded(f, keep, D)


def symmetrize(f: Function, i: int, j: int) -> Function:
    """``(f + f.swap(i, j)) / 2``: exactly symmetric in ``x_i`` and ``x_j``."""
    return combine([(0.5, f), (0.5, f.swap(i, j))])


def logistic(f: Function) -> Function:
    """The logistic link ``1 / (1 + exp(-f))``."""
    return Linked(f)


def bump_location(rows: Array) -> tuple[Array, float]:
    """A centre ``c`` off the support ``rows`` and a radius ``r`` with ``||z - c||_inf >= r`` for
    every row ``z``: a point of the product of the marginal levels that is not a row (so
    interventional games and PD evaluate there), else a point between or beyond the levels."""
    rows = np.asarray(rows, float)
    uniq = np.unique(rows, axis=0)
    levels = [np.unique(rows[:, j]) for j in range(rows.shape[1])]
    present = {tuple(r) for r in uniq}
    centre = None
    if np.prod([len(lv) for lv in levels], dtype=float) <= 4096:
        import itertools

        for cand in itertools.product(*levels):
            if cand not in present:
                centre = np.array(cand, float)
                break
    if centre is None:
        centre = np.array(
            [(lv[0] + lv[1]) / 2 if len(lv) > 1 else lv[0] + 1.0 for lv in levels], float
        )
    r = float(np.min(np.max(np.abs(uniq - centre), axis=1)))
    return centre, r


def off_support_bump(f: Function, rows: Array, height: float = 1.0) -> Function:
    """``f`` plus a tent bump ``height * prod_j max(0, 1 - |x_j - c_j| / r)`` located off the
    support ``rows``: it vanishes on every row, so f is unchanged there."""
    c, r = bump_location(rows)
    bump = TermFunction(
        f.d,
        {tuple((j, Shape("tent", (float(c[j]), r))) for j in range(f.d)): float(height)},
        extra_tags=("off_support_bump",),
    )
    g = combine([(1.0, f), (1.0, bump)])
    if isinstance(g, FunctionBase):
        g.bump_centre, g.bump_radius = c, r  # type: ignore[attr-defined]
    return g
