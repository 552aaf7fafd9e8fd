"""The interpreter of check expressions: plain values and quantitative margins.

A check evaluates to a *margin* (signal-temporal-logic robustness): positive = the check holds
with that much room, negative = it is violated by that much. Nothing here uses Python's
``eval``: the interpreter walks :mod:`explainspec.lang.ir` nodes, looks names up in a fixed order
and reads attributes only from :data:`explainspec.catalog.builtins.ATTRIBUTES`.

Margin rules (``s = mode.tolerance_scale``; see :class:`Mode` for how ``slack`` and ``s`` apply
under negation):

==============================  ==============================================================
``a == b within T``             ``T·s − |a − b|``
``a == b within r relative``    ``r·s·max(|a|, |b|, 1e-12) − |a − b|``
``a == b within mc(z)``         ``z·s·se(d) + 1e-9·(1 + |b|) − |mean(d)|``, ``d_r = a_r − b_r``
``a < b``, ``a <= b``           ``b − a`` (``>``, ``>=`` mirrored)
``sign(a) == sign(b)``          ``+min(|a|, |b|)`` where the signs agree, ``−min(|a|, |b|)``
``a == b`` (no tolerance)       ints/bools/strings: ``±inf``; floats: ``+inf`` if equal, else
                                ``−|a − b|``
``a != b``                      ``−margin(a == b)``
a boolean as a condition        ``±inf``
``and`` / ``for all``           min;   ``or`` / ``for some``: max;   ``not``: negation
``a implies b``                 ``max(−m(a), m(b))``
==============================  ==============================================================

Array comparisons are element-wise and reduce by min (the worst element, named in the trace).
An atomic margin is never exactly zero: a boundary case of a non-strict comparison (``<=``,
``==``) gets the smallest positive float, of a strict one (``<``, ``!=``) the smallest negative
one, so ``margin >= 0`` and ``margin > 0`` agree with the boolean truth, also under ``not``.
NaN in a compared value makes the whole check fail with margin ``−inf`` (``Outcome.nan``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from explainspec._memo import remember
from explainspec.catalog.builtins import ATTRIBUTES
from explainspec.expr.render import expr_text, format_value
from explainspec.lang import ir

__all__ = [
    "Env",
    "EvalError",
    "Mode",
    "Outcome",
    "SimpleEnv",
    "TraceItem",
    "evaluate",
    "value",
]

_TINY = 5e-324  # the smallest positive float: the margin of a boundary case
_MC_FLOOR = 1e-9  # relative floor of the mc tolerance, so exact replicates do not fail on 1 ulp

# --------------------------------------------------------------------------- public types


class EvalError(Exception):
    """A check could not be evaluated: unknown name, wrong type, bad index, ...

    ``span`` is the location of the offending node (``None`` for hand-built IR).

    >>> str(EvalError("unknown name 'phy'", None))
    "unknown name 'phy'"
    """

    def __init__(self, message: str, span: ir.Span | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span

    def __str__(self) -> str:
        return f"{self.span}: {self.message}" if self.span is not None else self.message


@runtime_checkable
class Env(Protocol):
    """Where names come from: the runner's world, or a :class:`SimpleEnv`.

    ``lookup(name)`` raises ``KeyError`` for names the env does not define (the interpreter then
    tries the oracle and builtin registries). ``replicate(r)`` is the same world with the method
    run under the ``r``-th independent seed (``0 <= r < replicates``), used by ``within mc(z)``.

    Optionally an env has a ``memo`` dict, shared by every evaluation on the same world: the
    interpreter then builds a combination of functions (``2 * f + g``) once per world and returns
    that same object every time, so a runner that caches method calls by function sees one
    function, not a new one per point or replicate.

    Optionally an env has ``replicated``, the frozenset of the names whose values differ between
    its replicates (the runner's world: ``phi``, ``explain`` and ``seed``). A side of a ``within
    mc(z)`` comparison that names none of them (the oracle side, typically) is then evaluated
    once, not once per replicate: its value is the same in every replicate. Without it every
    name may differ, and both sides are evaluated in every replicate.
    """

    @property
    def replicates(self) -> int: ...

    def lookup(self, name: str) -> Any: ...

    def replicate(self, r: int) -> Env: ...


class SimpleEnv:
    """An :class:`Env` over a mapping, for tests and simple use.

    ``replicate_fn(r)`` returns the ``r``-th replicate as an ``Env`` or as a mapping of the names
    that change (laid over this env's mapping).

    >>> env = SimpleEnv({"phi": [1.0, 2.0]}, replicates=2,
    ...                 replicate_fn=lambda r: {"phi": [1.0 + r, 2.0]})
    >>> env.lookup("phi"), env.replicate(1).lookup("phi")
    ([1.0, 2.0], [2.0, 2.0])
    """

    def __init__(
        self,
        mapping: Mapping[str, Any] | None = None,
        *,
        replicates: int = 0,
        replicate_fn: Callable[[int], Env | Mapping[str, Any]] | None = None,
    ) -> None:
        self._values = dict(mapping or {})
        self._replicates = int(replicates)
        self._replicate_fn = replicate_fn

    @property
    def replicates(self) -> int:
        return self._replicates

    def lookup(self, name: str) -> Any:
        return self._values[name]

    def replicate(self, r: int) -> Env:
        if self._replicate_fn is None or not 0 <= r < self._replicates:
            raise LookupError(f"replicate {r} of an env with {self._replicates} replicates")
        rep = self._replicate_fn(r)
        if isinstance(rep, Mapping):
            return SimpleEnv({**self._values, **rep})
        return rep

    def __repr__(self) -> str:
        return f"SimpleEnv({sorted(self._values)}, replicates={self._replicates})"


@dataclass(frozen=True, slots=True)
class Mode:
    """How lenient a check is.

    The runner evaluates ``answers``/``holds`` claims with the default and ``does_not_answer``
    claims with ``tolerance_scale = 1 + refute_factor`` and ``slack = refute_floor``, so a
    misreading is shown only when it is violated clearly, never by floating-point noise.

    Leniency always favours the whole check. A comparison in *positive* position (not under
    ``not``, not in the premise of ``implies``) gets its tolerance multiplied by
    ``tolerance_scale`` and ``slack`` added to its margin. In *negative* position (where its
    margin is negated) the tolerance is divided by ``tolerance_scale`` and, for comparisons
    without tolerance (``<``, ``sign(a) == sign(b)``, exact ``==``), ``slack`` is subtracted; an
    equality with a tolerance gets no slack there, since ``T / s`` already asks for a clear match.
    ``!=`` is ``not ==``.

    >>> Mode(tolerance_scale=11, slack=1e-6)
    Mode(tolerance_scale=11, slack=1e-06)
    """

    tolerance_scale: float = 1.0
    slack: float = 0.0

    def __post_init__(self) -> None:
        if not self.tolerance_scale > 0:
            raise ValueError(f"tolerance_scale={self.tolerance_scale!r} must be positive")
        if not self.slack >= 0:
            raise ValueError(f"slack={self.slack!r} must be >= 0")


@dataclass(frozen=True, slots=True)
class TraceItem:
    """One line of a trace: the source text of a quantity and its exact value.

    ``role`` is ``"binding"`` (a quantifier variable), ``"operand"`` (a compared quantity),
    ``"index"`` (the worst element of an array comparison), ``"element"`` (the operands'
    values at that element), ``"stat"``
    (replicate statistics of ``within mc``), ``"margin"`` (the comparison and its margin) or
    ``"note"``. ``str()`` rounds for display; ``value`` stays exact.

    >>> str(TraceItem("sum(phi)", 0.73100000001))
    'sum(phi) = 0.731'
    >>> str(TraceItem("phi[i] == 0 within 1e-06", -0.25, "margin"))
    'margin of phi[i] == 0 within 1e-06: -0.25'
    """

    text: str
    value: Any
    role: str = "operand"

    def __str__(self) -> str:
        if self.role == "margin":
            return f"margin of {self.text}: {format_value(self.value)}"
        if self.role == "note":
            return self.text
        if self.role == "index":
            return f"{self.text}: [{', '.join(str(i) for i in self.value)}]"
        return f"{self.text} = {format_value(self.value)}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a check: its margin and the trace of the comparison that decided it.

    ``nan`` is true when a compared value was NaN (then ``margin`` is ``−inf``); a runner should
    treat it as an error of the method rather than as evidence for a misreading.

    >>> o = Outcome(-0.5, (TraceItem("i", 1, "binding"), TraceItem("phi[i]", 2.5)))
    >>> o.holds
    False
    >>> print(o.render())
    i = 1
    phi[i] = 2.5
    margin: -0.5
    """

    margin: float
    trace: tuple[TraceItem, ...] = ()
    nan: bool = False

    @property
    def holds(self) -> bool:
        """Whether the check holds (``margin >= 0``)."""
        return self.margin >= 0

    def render(self) -> str:
        """The trace as readable lines, values rounded, ending with the overall margin."""
        lines = [str(item) for item in self.trace]
        last = self.trace[-1] if self.trace else None
        if last is None or last.role != "margin" or last.value != self.margin:
            lines.append(f"margin: {format_value(self.margin)}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- entry points


def evaluate(expr: ir.Expr, env: Env, *, mode: Mode = Mode()) -> Outcome:  # noqa: B008
    """Evaluate a check expression to its margin and the trace that explains it.

    Parameters
    ----------
    expr
        A check expression (IR from ``explainspec.lang.parse_expression``).
    env
        Where ``phi``, ``x``, ``f``, ``explain`` ... come from.
    mode
        Leniency (see :class:`Mode`); the default is the plain semantics.

    Returns
    -------
    Outcome
        ``margin > 0`` means the check holds with that much room.

    Raises
    ------
    EvalError
        For an unknown name, a wrong type, an index out of range, ... (with the node's span).
    explainspec.worlds.base.GroundTruthUnavailable
        Passed through unchanged when a check asks a function for ground truth its family does
        not expose (``f.component`` of a function with interactions); errors of the method
        itself (raised by ``explain`` or ``phi``) pass through as well, except ``TypeError``,
        ``ValueError``, ``IndexError`` and ``ArithmeticError`` from a call, which become an
        ``EvalError`` at the call (chained to the original).

    Examples
    --------
    >>> from explainspec.lang import ir
    >>> check = ir.Compare(op=ir.CmpOp.EQ, left=ir.Name(id="a"), right=ir.Number(value=1),
    ...                    tolerance=ir.Tolerance(kind=ir.TolKind.ABS, value=0.5))
    >>> out = evaluate(check, SimpleEnv({"a": 1.25}))
    >>> out.margin, out.holds
    (0.25, True)
    >>> [str(t) for t in out.trace]
    ['a = 1.25', 'margin of a == 1 within 0.5: 0.25']
    """
    ctx = _Ctx(env, mode)
    with np.errstate(all="ignore"):
        try:
            res = ctx.cond(expr, +1)
            return Outcome(res.margin, tuple(res.trace()))
        except _NaNFound as found:
            return Outcome(-math.inf, tuple(found.trace), nan=True)


def value(expr: ir.Expr, env: Env) -> Any:
    """Evaluate an expression to a plain value (a number, an array, a Function, a bool ...).

    Comparisons inside a value are plain element-wise booleans (no :class:`Mode`).

    Examples
    --------
    >>> from explainspec.lang import ir
    >>> e = ir.Index(value=ir.Name(id="phi"), items=(ir.Unary(op=ir.UnaryOp.NEG,
    ...                                                        operand=ir.Number(value=1)),))
    >>> float(value(e, SimpleEnv({"phi": [0.5, 2.0]})))
    2.0
    """
    ctx = _Ctx(env, Mode())
    with np.errstate(all="ignore"):
        try:
            return ctx.val(expr)
        except _NaNFound as found:
            raise EvalError(f"NaN in a comparison: {found.trace[0].text}", _span(expr)) from None


# --------------------------------------------------------------------------- internals


class _NaNFound(Exception):
    """A compared value was NaN: the whole check fails (never caught by ``or``/``not``)."""

    def __init__(self, trace: list[TraceItem]) -> None:
        super().__init__("NaN")
        self.trace = trace


@dataclass(slots=True)
class _Res:
    """A margin and a deferred trace (only the deciding branch's trace is ever built)."""

    margin: float
    trace: Callable[[], list[TraceItem]]


_CONDITIONS = (ir.Compare, ir.BoolOp, ir.Not, ir.Implies, ir.Quantifier)
_REGISTRY_CACHE: dict[str, Any] = {}
_MISSING = object()


def _span(e: Any) -> ir.Span | None:
    return getattr(e, "span", None)


def _registry_value(name: str) -> Any:
    """An oracle or builtin by name (oracles first), loaded lazily and cached; ``_MISSING``."""
    cached = _REGISTRY_CACHE.get(name, _MISSING)
    if cached is not _MISSING:
        return cached
    from explainspec.registry import registry

    for kind in ("oracle", "builtin"):
        try:
            reg = registry(kind)
        except ImportError:  # a catalog module not written yet: the kind is empty
            continue
        if name in reg:
            try:
                obj = reg.get(name).load()
            except (ImportError, AttributeError, LookupError) as exc:
                raise EvalError(f"{kind} {name!r} is not available: {exc}") from exc
            _REGISTRY_CACHE[name] = obj
            return obj
    return _MISSING


def _known_names() -> list[str]:
    from explainspec.registry import registry

    names: list[str] = []
    for kind in ("oracle", "builtin"):
        try:
            names += registry(kind).names()
        except ImportError:
            continue
    return names


def _builtin(name: str) -> Any:
    from explainspec.expr import builtins

    return getattr(builtins, name)


def _is_discrete(v: Any) -> bool:
    if isinstance(v, str):
        return True
    arr = np.asarray(v)
    return arr.dtype.kind in "biuUS"


def _describe(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return f"array of shape {v.shape} ({v.dtype})"
    return f"{type(v).__name__} {format_value(v)}"


def _nudge(m: np.ndarray, strict: bool) -> np.ndarray:
    """Replace exact zeros by ±tiny: boundary cases hold for ``<=``/``==``, fail for ``<``/``!=``."""
    return np.where(m == 0, -_TINY if strict else _TINY, m)


def _index_text(text: str, idx: tuple[int, ...]) -> str:
    base = text if text.replace("_", "").replace(".", "").isalnum() else f"({text})"
    return f"{base}[{', '.join(map(str, idx))}]"


def _reduce(m: np.ndarray, worst: Callable[..., Any]) -> tuple[float, tuple[int, ...] | None]:
    """The worst (``np.argmin``) or best (``np.argmax``) element and its index (None for scalars)."""
    if m.size == 0:
        return (math.inf if worst is np.argmin else -math.inf), None
    flat = int(worst(m))
    idx = tuple(int(i) for i in np.unravel_index(flat, m.shape)) if m.ndim else None
    return float(m.ravel()[flat]), idx


#: the names in an expression and the source texts of expression nodes, by the node's identity
#: (see :func:`explainspec._memo.remember`): a claim's check is analysed and printed once, not
#: once per world
_NAMES: dict[int, tuple[Any, frozenset[str]]] = {}
_TEXTS: dict[int, tuple[Any, str]] = {}
_MAX_NODES = 65536


def _names_in(e: Any) -> frozenset[str]:
    """Every name that occurs in expression ``e`` (bound or free: a superset of what it reads),
    computed once per node."""
    return remember(_NAMES, id(e), e, lambda: _collect_names(e), _MAX_NODES)


def _collect_names(e: Any) -> frozenset[str]:
    found: set[str] = set()
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Name):
            found.add(node.id)
        elif isinstance(node, list | tuple):
            stack.extend(node)
        elif hasattr(node, "__dataclass_fields__") and not isinstance(node, ir.Span):
            stack.extend(getattr(node, k) for k in node.__dataclass_fields__)
    return frozenset(found)


def _source_text(e: Any) -> str:
    return remember(_TEXTS, id(e), e, lambda: expr_text(e), _MAX_NODES)


class _Ctx:
    """One evaluation: the env, the mode, quantifier bindings and per-evaluation caches."""

    __slots__ = ("env", "mode", "bindings", "_replicas")

    def __init__(
        self,
        env: Env,
        mode: Mode,
        bindings: Mapping[str, Any] | None = None,
        replicas: dict[int, Env] | None = None,
    ) -> None:
        self.env = env
        self.mode = mode
        self.bindings = dict(bindings or {})
        self._replicas = {} if replicas is None else replicas

    def child(self, bindings: Mapping[str, Any] | None = None, env: Env | None = None) -> _Ctx:
        return _Ctx(
            self.env if env is None else env,
            self.mode,
            {**self.bindings, **(bindings or {})},
            self._replicas if env is None else {},
        )

    def text(self, e: Any) -> str:
        return _source_text(e)

    def replica(self, r: int) -> Env:
        env = self._replicas.get(r)
        if env is None:
            env = self._replicas[r] = self.env.replicate(r)
        return env

    # ----------------------------------------------------------------------- names

    def resolve(self, node: ir.Name) -> Any:
        name = node.id
        if name in self.bindings:
            return self.bindings[name]
        try:
            return self.env.lookup(name)
        except KeyError:
            pass
        try:
            obj = _registry_value(name)
        except EvalError as exc:
            raise EvalError(exc.message, node.span) from exc
        if obj is _MISSING:
            import difflib

            known = sorted(set(self.bindings) | set(_known_names()))
            close = difflib.get_close_matches(name, known, n=2, cutoff=0.6)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise EvalError(
                f"unknown name {name!r}: not a quantifier variable, a quantity of the world, "
                f"an oracle or a builtin.{hint}",
                node.span,
            )
        return obj

    # ----------------------------------------------------------------------- values

    def val(self, e: Any) -> Any:
        method = _VALUE.get(type(e))
        if method is None:
            raise EvalError(f"cannot evaluate {type(e).__name__} {self.text(e)!r}", _span(e))
        return method(self, e)

    def _v_literal(self, e: ir.Number | ir.String | ir.Bool) -> Any:
        return e.value

    def _v_name(self, e: ir.Name) -> Any:
        return self.resolve(e)

    def _v_attribute(self, e: ir.Attribute) -> Any:
        if e.attr.startswith("_") or e.attr not in ATTRIBUTES:
            allowed = ", ".join(sorted(ATTRIBUTES))
            raise EvalError(f"attribute {e.attr!r} is not allowed; allowed: {allowed}", e.span)
        obj = self.val(e.value)
        try:
            return getattr(obj, e.attr)
        except AttributeError:
            raise EvalError(
                f"{self.text(e.value)} ({_describe(obj)}) has no attribute {e.attr!r}", e.span
            ) from None

    def _v_call(self, e: ir.Call) -> Any:
        fn = self.val(e.func)
        if not callable(fn):
            raise EvalError(f"{self.text(e.func)} ({_describe(fn)}) is not callable", e.span)
        args = [self.val(a) for a in e.args]
        kwargs = {k.name: self.val(k.value) for k in e.kwargs}
        try:
            return fn(*args, **kwargs)
        except (TypeError, ValueError, IndexError, ArithmeticError) as exc:
            raise EvalError(f"{self.text(e)}: {exc}", e.span) from exc

    def _v_index(self, e: ir.Index) -> Any:
        base = self.val(e.value)
        key = tuple(self._index_item(i) for i in e.items)
        if isinstance(base, list | tuple) and len(key) == 1 and isinstance(key[0], int):
            seq: Any = base
        else:
            try:
                seq = np.asarray(base)
            except (TypeError, ValueError) as exc:
                raise EvalError(f"cannot index {_describe(base)}: {exc}", e.span) from exc
            if seq.dtype == object and seq.ndim == 0:
                raise EvalError(
                    f"{self.text(e.value)} ({_describe(base)}) cannot be indexed", e.span
                )
        try:
            out = seq[key[0] if len(key) == 1 else key]
        except (IndexError, TypeError, ValueError) as exc:
            shape = getattr(seq, "shape", (len(seq),))
            raise EvalError(
                f"{self.text(e)}: {exc} ({self.text(e.value)} has shape {shape})", e.span
            ) from exc
        return out[()] if isinstance(out, np.ndarray) and out.ndim == 0 else out

    def _index_item(self, item: Any) -> Any:
        if isinstance(item, ir.Slice):
            parts = [
                None if p is None else self._int(p) for p in (item.start, item.stop, item.step)
            ]
            return slice(*parts)
        v = self.val(item)
        arr = np.asarray(v)
        if arr.dtype.kind in "iub":
            return int(arr) if arr.ndim == 0 and arr.dtype.kind != "b" else arr
        raise EvalError(
            f"index {self.text(item)} must be an integer, got {_describe(v)}", _span(item)
        )

    def _int(self, e: Any) -> int:
        v = self.val(e)
        arr = np.asarray(v)
        if arr.ndim != 0 or arr.dtype.kind not in "iu":
            raise EvalError(f"{self.text(e)} must be an integer, got {_describe(v)}", _span(e))
        return int(arr)

    def _v_list(self, e: ir.ListExpr) -> Any:
        items = [self.val(i) for i in e.items]
        try:
            arr = np.asarray(items)
        except (TypeError, ValueError):
            return items
        return items if arr.dtype == object else arr

    def _v_range(self, e: ir.RangeExpr) -> Any:
        raise EvalError(
            f"{self.text(e)}: a range lo..hi is only allowed as a world field value; "
            "use range(lo, hi + 1) in a check",
            e.span,
        )

    def _v_unary(self, e: ir.Unary) -> Any:
        v = self.val(e.operand)
        if _is_function(v):
            return self._function_op(e.op, (v,), lambda: self._unary(e, v))
        return self._unary(e, v)

    def _unary(self, e: ir.Unary, v: Any) -> Any:
        try:
            return -v if e.op is ir.UnaryOp.NEG else +v
        except TypeError as exc:
            raise EvalError(f"cannot apply {e.op.value} to {_describe(v)}", e.span) from exc

    def _function_op(self, op: Any, operands: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """``compute()``, the same object each time within a world when the env keeps a memo:
        ``explain(2 * f + g)`` is then one method call for the world, not one per point (the
        runner caches method calls by function object)."""
        memo = getattr(self.env, "memo", None)
        if memo is None:
            return compute()
        key = (op, *(_operand_key(v) for v in operands))
        hit = memo.get(key)
        if hit is None:  # the entry keeps the operands alive, so their ids stay theirs
            hit = memo[key] = (operands, compute())
        return hit[1]

    def _v_binary(self, e: ir.Binary) -> Any:
        a, b = _arith(self.val(e.left)), _arith(self.val(e.right))
        if _is_function(a) or _is_function(b):
            return self._function_op(e.op, (a, b), lambda: self._binary(e, a, b))
        return self._binary(e, a, b)

    def _binary(self, e: ir.Binary, a: Any, b: Any) -> Any:
        if e.op is ir.BinOp.POW and _is_int(a) and _is_int(b) and np.any(np.asarray(b) < 0):
            a = np.asarray(a, dtype=float)  # numpy refuses integers to negative integer powers
        try:
            out = _BINOPS[e.op](a, b)
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise EvalError(
                f"cannot compute {self.text(e)}: {_describe(a)} {e.op.value} {_describe(b)} ({exc})",
                e.span,
            ) from exc
        if out is NotImplemented:
            raise EvalError(f"cannot compute {_describe(a)} {e.op.value} {_describe(b)}", e.span)
        return out

    def _v_condition(self, e: Any) -> Any:
        plain = self.child()
        plain.mode = Mode()  # a boolean inside a value is plain: leniency applies to the check
        if isinstance(e, ir.Compare):
            m, *_ = plain.compare(e, +1)
            out = m > 0
            return bool(out) if out.ndim == 0 else out
        return plain.cond(e, +1).margin > 0

    # ----------------------------------------------------------------------- conditions

    def cond(self, e: Any, pol: int) -> _Res:
        if isinstance(e, ir.Compare):
            return self._c_compare(e, pol)
        if isinstance(e, ir.BoolOp):
            results = [self.cond(o, pol) for o in e.operands]
            pick = min if e.op is ir.BoolOpKind.AND else max
            return pick(results, key=lambda r: r.margin)
        if isinstance(e, ir.Not):
            inner = self.cond(e.operand, -pol)
            return _Res(-inner.margin, inner.trace)
        if isinstance(e, ir.Implies):
            return self._c_implies(e, pol)
        if isinstance(e, ir.Quantifier):
            return self._c_quantifier(e, pol)
        if isinstance(e, ir.Call) and len(e.args) == 1 and not e.kwargs:
            special = self._c_all_any(e, pol)
            if special is not None:
                return special
        return self._c_boolean(e)

    def _c_implies(self, e: ir.Implies, pol: int) -> _Res:
        premise = self.cond(e.left, -pol)
        conclusion = self.cond(e.right, pol)
        margin = max(-premise.margin, conclusion.margin)
        if margin < 0:  # violated: show that the premise held and the conclusion failed
            return _Res(margin, lambda: premise.trace() + conclusion.trace())
        return _Res(
            margin, premise.trace if -premise.margin >= conclusion.margin else conclusion.trace
        )

    def _c_quantifier(self, e: ir.Quantifier, pol: int) -> _Res:
        domain = self._domain(e)
        best: _Res | None = None
        is_all = e.kind is ir.QuantKind.ALL
        for combo in itertools.product(domain, repeat=len(e.vars)):
            binding = dict(zip(e.vars, combo, strict=True))
            res = self.child(binding).cond(e.body, pol)
            if best is None or (res.margin < best.margin if is_all else res.margin > best.margin):
                best = _with_bindings(res, binding)
        if best is None:
            empty = math.inf if is_all else -math.inf
            return _Res(
                empty, lambda: [TraceItem(f"{self.text(e)}: the domain is empty", None, "note")]
            )
        return best

    def _domain(self, e: ir.Quantifier) -> list[int]:
        if e.domain is None:
            try:
                d = self.env.lookup("d")
            except KeyError:
                raise EvalError(
                    f"{self.text(e)}: quantifier over features, but the env defines no 'd'", e.span
                ) from None
            source: Any = range(int(d))
            where: Any = e
        else:
            source, where = self.val(e.domain), e.domain
        arr = np.asarray(list(source) if isinstance(source, range) else source)
        if arr.ndim > 1 or (arr.size and arr.dtype.kind not in "iu"):
            raise EvalError(
                f"the domain {self.text(where)} must be a sequence of integers, got {_describe(source)}",
                _span(where),
            )
        return [int(v) for v in arr.ravel()]

    def _c_all_any(self, e: ir.Call, pol: int) -> _Res | None:
        """``all(a <= b)`` / ``any(a <= b)`` as a condition keep the comparison's margins."""
        arg = e.args[0]
        if not (isinstance(e.func, ir.Name) and isinstance(arg, ir.Compare)):
            return None
        fn = self.resolve(e.func)
        if fn is _builtin("all_"):
            return self._c_compare(arg, pol, worst=np.argmin)
        if fn is _builtin("any_"):
            return self._c_compare(arg, pol, worst=np.argmax)
        return None

    def _c_boolean(self, e: Any) -> _Res:
        v = self.val(e)
        arr = np.asarray(v) if isinstance(v, bool | np.bool_ | np.ndarray) else None
        if arr is None or arr.dtype.kind != "b":
            raise EvalError(
                f"{self.text(e)} must be a condition (a comparison or a boolean), got {_describe(v)}",
                _span(e),
            )
        m = np.where(arr, math.inf, -math.inf)
        margin, idx = _reduce(m, np.argmin)
        text = self.text(e)

        def trace() -> list[TraceItem]:
            items = [TraceItem(text, v)]
            if idx is not None and arr.size > 1:
                items.append(TraceItem("worst element", idx, "index"))
                items.append(TraceItem(_index_text(text, idx), bool(arr[idx]), "element"))
            return items

        return _Res(margin, trace)

    def _c_compare(self, e: ir.Compare, pol: int, worst: Callable[..., Any] = np.argmin) -> _Res:
        m, items, elems = self.compare(e, pol)
        margin, idx = _reduce(m, worst)
        text = self.text(e)
        # Literal operands (`0`, `1e-6`) are already in the comparison's text.
        literals = {self.text(o) for o in (e.left, e.right) if _is_literal(o)}

        def trace() -> list[TraceItem]:
            out = [item for item in items if item.text not in literals]
            if idx is not None and m.size > 1:
                label = "worst element" if worst is np.argmin else "best element"
                out.append(TraceItem(label, idx, "index"))
                for item, arr in elems:
                    if np.ndim(arr) and item.text not in literals:
                        elem = np.broadcast_to(arr, m.shape)[idx]
                        out.append(TraceItem(_index_text(item.text, idx), elem, "element"))
            out.append(TraceItem(text, margin, "margin"))
            return out

        return _Res(margin, trace)

    # ----------------------------------------------------------------------- comparisons

    def compare(
        self, e: ir.Compare, pol: int
    ) -> tuple[np.ndarray, list[TraceItem], list[tuple[TraceItem, Any]]]:
        """Element-wise margins of a comparison, its trace items, and the per-element operands."""
        if e.op is ir.CmpOp.NE:
            m, items, elems = self.compare(_as_eq(e), -pol)
            return -m, items, elems  # the nudge of == (+tiny) becomes −tiny: != is strict
        tol = e.tolerance
        if tol is not None and tol.kind is ir.TolKind.MC:
            return self._compare_mc(e, tol, pol)
        sign_fn = _builtin("sign")
        if (
            e.op is ir.CmpOp.EQ
            and tol is None
            and self._is_sign_call(e.left, sign_fn)
            and self._is_sign_call(e.right, sign_fn)
        ):
            return self._compare_sign(e, pol)

        a, b = self.val(e.left), self.val(e.right)
        ta, tb = TraceItem(self.text(e.left), a), TraceItem(self.text(e.right), b)
        items, elems = [ta, tb], [(ta, a), (tb, b)]
        if e.op is ir.CmpOp.EQ and tol is None and _is_discrete(a) and _is_discrete(b):
            try:
                eq = np.asarray(np.equal(np.asarray(a), np.asarray(b)))
            except (TypeError, ValueError) as exc:
                raise EvalError(
                    f"cannot compare {_describe(a)} with {_describe(b)}", e.span
                ) from exc
            self._shape_check(e, a, b)
            return np.where(eq, math.inf, -math.inf), items, elems
        x, y = self._numeric(e.left, a), self._numeric(e.right, b)
        x, y = self._broadcast(e, x, y)
        self._nan_check(e, items, x, y)
        s = self.mode.tolerance_scale if pol > 0 else 1.0 / self.mode.tolerance_scale
        slack = self.mode.slack
        diff = np.abs(x - y)
        if e.op is ir.CmpOp.EQ:
            if tol is None:
                m = np.where(x == y, math.inf, -diff + pol * slack)
            else:
                scale = (
                    np.maximum(np.maximum(np.abs(x), np.abs(y)), 1e-12)
                    if tol.kind is ir.TolKind.REL
                    else 1.0
                )
                m = tol.value * s * scale - diff + (slack if pol > 0 else 0.0)
            return _nudge(m, strict=False), items, elems
        room = x - y if e.op in (ir.CmpOp.GT, ir.CmpOp.GE) else y - x
        if tol is not None:  # `a <= b within T`: T (scaled) extra room
            scale = (
                np.maximum(np.maximum(np.abs(x), np.abs(y)), 1e-12)
                if tol.kind is ir.TolKind.REL
                else 1.0
            )
            room = room + tol.value * s * scale
        m = room + pol * slack
        return _nudge(m, strict=e.op in (ir.CmpOp.LT, ir.CmpOp.GT)), items, elems

    def _is_sign_call(self, e: Any, sign_fn: Any) -> bool:
        if not (
            isinstance(e, ir.Call)
            and isinstance(e.func, ir.Name)
            and len(e.args) == 1
            and not e.kwargs
        ):
            return False
        try:
            return self.resolve(e.func) is sign_fn
        except EvalError:
            return False

    def _compare_sign(
        self, e: ir.Compare, pol: int
    ) -> tuple[np.ndarray, list[TraceItem], list[tuple[TraceItem, Any]]]:
        la, lb = e.left.args[0], e.right.args[0]  # type: ignore[union-attr]
        a, b = self.val(la), self.val(lb)
        ta, tb = TraceItem(self.text(la), a), TraceItem(self.text(lb), b)
        items, elems = [ta, tb], [(ta, a), (tb, b)]
        x, y = self._broadcast(e, self._numeric(la, a), self._numeric(lb, b))
        self._nan_check(e, items, x, y)
        size = np.minimum(np.abs(x), np.abs(y))
        agree = np.sign(x) == np.sign(y)
        m = np.where(agree, size, -size) + pol * self.mode.slack
        # On the boundary (a zero against a non-zero) differing signs still fail.
        return np.where(m == 0, np.where(agree, _TINY, -_TINY), m), items, elems

    def _compare_mc(
        self, e: ir.Compare, tol: ir.Tolerance, pol: int
    ) -> tuple[np.ndarray, list[TraceItem], list[tuple[TraceItem, Any]]]:
        if e.op is not ir.CmpOp.EQ:
            raise EvalError(f"{self.text(e)}: 'within mc(z)' applies to == and != only", e.span)
        reps = int(self.env.replicates)
        if reps < 2:
            raise EvalError(
                f"{self.text(e)}: 'within mc(z)' needs at least 2 replicates of the method, "
                f"the env has {reps}",
                e.span,
            )
        lefts, rights = [], []
        varying = getattr(self.env, "replicated", None)
        same_a = varying is not None and not (_names_in(e.left) & varying)
        same_b = varying is not None and not (_names_in(e.right) & varying)
        a0 = self.val(e.left) if same_a else None
        b0 = self.val(e.right) if same_b else None
        for r in range(reps):
            rc = self.child(env=self.replica(r))
            a = a0 if same_a else rc.val(e.left)
            b = b0 if same_b else rc.val(e.right)
            x, y = self._broadcast(e, self._numeric(e.left, a), self._numeric(e.right, b))
            lefts.append(x)
            rights.append(y)
        xs, ys = np.stack(lefts), np.stack(rights)
        ma, mb = xs.mean(axis=0), ys.mean(axis=0)
        ta = TraceItem(f"{self.text(e.left)} (mean of {reps} replicates)", _scalar(ma))
        tb = TraceItem(f"{self.text(e.right)} (mean of {reps} replicates)", _scalar(mb))
        items = [ta, tb]
        self._nan_check(e, items, xs, ys)
        d = xs - ys
        mean_d = d.mean(axis=0)
        se = d.std(axis=0, ddof=1) / math.sqrt(reps)
        s = self.mode.tolerance_scale if pol > 0 else 1.0 / self.mode.tolerance_scale
        m = tol.value * s * se + _MC_FLOOR * (1 + np.abs(mb)) - np.abs(mean_d)
        if pol > 0:
            m = m + self.mode.slack
        items += [
            TraceItem("mean difference", _scalar(mean_d), "stat"),
            TraceItem("standard error", _scalar(se), "stat"),
        ]
        tmean = TraceItem("mean difference", mean_d)
        tse = TraceItem("standard error", se)
        return _nudge(m, strict=False), items, [(ta, ma), (tb, mb), (tmean, mean_d), (tse, se)]

    def _numeric(self, node: Any, v: Any) -> np.ndarray:
        if isinstance(v, bool | int | float | np.number | np.bool_ | np.ndarray | list | tuple):
            try:
                arr = np.asarray(v)
            except (TypeError, ValueError):
                arr = np.asarray(None)
            if arr.dtype.kind in "biuf":
                return arr.astype(float)
        raise EvalError(
            f"{self.text(node)} must be a number or a numeric array to compare, got {_describe(v)}",
            _span(node),
        )

    def _broadcast(
        self, e: ir.Compare, x: np.ndarray, y: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        try:
            bx, by = np.broadcast_arrays(x, y)
        except ValueError:
            raise EvalError(
                f"{self.text(e)}: cannot compare shapes {x.shape} and {y.shape}", e.span
            ) from None
        return bx, by

    def _shape_check(self, e: ir.Compare, a: Any, b: Any) -> None:
        self._broadcast(e, np.asarray(a), np.asarray(b))

    def _nan_check(self, e: ir.Compare, items: list[TraceItem], *arrays: np.ndarray) -> None:
        for item, arr in zip(items, arrays, strict=False):
            if np.isnan(arr).any():
                where = tuple(int(i) for i in np.argwhere(np.isnan(arr))[0]) if arr.ndim else ()
                at = f" at index {where}" if where else ""
                raise _NaNFound(
                    [
                        *items,
                        TraceItem(
                            f"{item.text} is NaN{at}: a NaN never passes a check", None, "note"
                        ),
                        TraceItem(self.text(e), -math.inf, "margin"),
                    ]
                )


def _is_literal(e: Any) -> bool:
    if isinstance(e, ir.Unary):
        return _is_literal(e.operand)
    return isinstance(e, ir.Number | ir.String | ir.Bool)


def _scalar(v: Any) -> Any:
    arr = np.asarray(v)
    return arr[()] if arr.ndim == 0 else arr


def _with_bindings(res: _Res, binding: Mapping[str, Any]) -> _Res:
    inner = res.trace
    return _Res(
        res.margin, lambda: [TraceItem(k, v, "binding") for k, v in binding.items()] + inner()
    )


def _as_eq(e: ir.Compare) -> ir.Compare:
    return ir.Compare(
        op=ir.CmpOp.EQ, left=e.left, right=e.right, tolerance=e.tolerance, span=e.span
    )


def _arith(v: Any) -> Any:
    """Python numbers become numpy scalars, so ``1 / 0`` is ``inf`` as everywhere else in numpy."""
    if isinstance(v, bool | int | float):
        return np.asarray(v)[()]
    if isinstance(v, list | tuple):
        return np.asarray(v)
    return v


def _is_function(v: Any) -> bool:
    """A world's function (or a combination of them), as opposed to numbers and arrays."""
    return callable(v) and hasattr(v, "formula")


def _operand_key(v: Any) -> tuple[str, Any]:
    if isinstance(v, np.ndarray | np.generic) and np.ndim(v) == 0 and v.dtype.kind in "biuf":
        return ("number", v.item())
    return ("object", id(v))


def _is_int(v: Any) -> bool:
    return isinstance(v, np.integer | np.ndarray) and np.asarray(v).dtype.kind in "iu"


_BINOPS: dict[ir.BinOp, Callable[[Any, Any], Any]] = {
    ir.BinOp.ADD: lambda a, b: a + b,
    ir.BinOp.SUB: lambda a, b: a - b,
    ir.BinOp.MUL: lambda a, b: a * b,
    ir.BinOp.DIV: lambda a, b: a / b,
    ir.BinOp.POW: lambda a, b: a**b,
    ir.BinOp.MATMUL: lambda a, b: a @ b,
}

_VALUE: dict[type, Callable[[_Ctx, Any], Any]] = {
    ir.Number: _Ctx._v_literal,
    ir.String: _Ctx._v_literal,
    ir.Bool: _Ctx._v_literal,
    ir.Name: _Ctx._v_name,
    ir.Attribute: _Ctx._v_attribute,
    ir.Call: _Ctx._v_call,
    ir.Index: _Ctx._v_index,
    ir.ListExpr: _Ctx._v_list,
    ir.RangeExpr: _Ctx._v_range,
    ir.Unary: _Ctx._v_unary,
    ir.Binary: _Ctx._v_binary,
    **{t: _Ctx._v_condition for t in _CONDITIONS},
}
