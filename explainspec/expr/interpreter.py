"""The interpreter of check expressions: plain values and quantitative margins.

A check evaluates to a *margin* (signal-temporal-logic robustness): positive = the check holds
with that much room, negative = it is violated by that much. Nothing here uses Python's
``eval``: the interpreter walks :mod:`explainspec.lang.ir` nodes, looks names up in a fixed order
and reads attributes only from :data:`explainspec.catalog.builtins.ATTRIBUTES`.

Margin rules (``s = mode.tolerance_scale``; leniency only on comparisons that read the method,
see :class:`~explainspec.expr.base.Mode`):

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
``a implies b``                 ``max(−m(a), m(b))``; violated: ``m(b)`` (see below)
==============================  ==============================================================

The margin is the one of the *deciding comparison*, so a violation is measured where it is:

- a violated ``a implies b`` is violated by ``m(b)``: the premise only says where the check
  applies (robustness, ``max(−m(a), m(b))``, would report how near the premise was to failing);
  except when only the premise reads the method (``phi[i] != 0 implies f.uses(i)``): then the
  violation is ``−m(a)``, how clearly the method established the premise;
- a violated ``or`` (and an ``and`` under ``not``) whose operands mix exact guards and
  method-reading comparisons is violated by the best method-reading operand: exact operands
  (``f.uses(i)``, ``abs(x[i] - baseline[i]) > 0``) are guards, not what the claim measures.

These keep the sign of every margin (so the verdict) and keep margins monotone: a more lenient
comparison never makes the whole check stricter.

Guards protect (short-circuit for errors): operands are evaluated left to right, and once the
operands to the left decide the result (an ``and`` operand is false, an ``or`` operand holds, the
premise of ``implies`` is false) an operand to the right that cannot be evaluated (an
``EvalError``: an index out of range, a type error) is skipped, and the margin is the one of the
operands evaluated. ``i < d - 1 implies phi[i + 1] > 0`` is therefore defined for every ``i``.
Refusals of a check's cost (``ES313``, ``ES314``) and NaN are never excused. The bindings of a
quantifier have no order, so they do not guard each other.

Array comparisons are element-wise and reduce by min (the worst element, named in the trace).
An atomic margin is never exactly zero: a boundary case of a non-strict comparison (``<=``,
``==``) gets the smallest positive float, of a strict one (``<``, ``!=``) the smallest negative
one, so ``margin >= 0`` and ``margin > 0`` agree with the boolean truth, also under ``not``.
NaN in a compared value makes the whole check fail with margin ``−inf`` (``Outcome.nan``), and
so does a margin that infinite operands leave undefined (``inf == 0 within 10% relative``);
equal operands differ by 0, equal infinities included (``inf <= inf`` holds).

Integers are exact (Python integers up to ``limit("integer_bits")``) or refused; sizes chosen at
evaluation time are refused before allocating (:mod:`explainspec.expr.guards`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from explainspec.catalog.builtins import ATTRIBUTES
from explainspec.expr.base import (
    METHOD_NAMES,
    PLAIN,
    Env,
    EvalError,
    IntegerRangeError,
    Mode,
    Outcome,
    SimpleEnv,
    TraceItem,
)
from explainspec.expr.bindings import LetFrame, sweep_items
from explainspec.expr.guards import (
    INT64_MAX,
    check_array_op,
    check_bindings,
    check_cells,
    check_int,
    check_int_array,
    exact_int,
    index_cells,
)
from explainspec.expr.margins import (
    NaNFound,
    Res,
    compare,
    condition,
    describe,
    index_text,
    reduce,
)
from explainspec.expr.nodes import Scope, source_text
from explainspec.expr.subsets import Subset, subset_of
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


# --------------------------------------------------------------------------- entry points


def evaluate(expr: ir.Expr, env: Env, *, mode: Mode = PLAIN) -> Outcome:
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
        ``margin > 0`` means the check holds with that much room; ``decided_by`` names the
        comparison that decided it (the trace ends with a ``decided by`` note when it shows
        several comparisons).

    Raises
    ------
    EvalError
        For an unknown name, a wrong type, an index out of range, ... (with the node's span);
        its subclasses refuse an integer or a size over its limit (``ES313``, ``ES314``).
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
    >>> out.margin, out.holds, out.decided_by
    (0.25, True, 'a == 1 within 0.5')
    >>> [str(t) for t in out.trace]
    ['a = 1.25', 'margin of a == 1 within 0.5: 0.25']
    """
    ctx = _Ctx(env, mode)
    with np.errstate(all="ignore"):
        try:
            res = ctx.cond(expr, +1)
            trace = res.trace()
        except NaNFound as found:
            return Outcome(-math.inf, tuple(found.trace), nan=True)
    if res.decider is not None and sum(item.role == "margin" for item in trace) > 1:
        trace.append(TraceItem(f"decided by {res.decider}", res.margin, "note"))
    return Outcome(res.margin, tuple(trace), decided_by=res.decider)


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
    ctx = _Ctx(env, PLAIN)
    with np.errstate(all="ignore"):
        try:
            return ctx.val(expr)
        except NaNFound as found:
            raise EvalError(f"NaN in a comparison: {found.trace[0].text}", _span(expr)) from None


# --------------------------------------------------------------------------- internals


_CONDITIONS = (ir.Compare, ir.BoolOp, ir.Not, ir.Implies, ir.Quantifier)
_REGISTRY_CACHE: dict[str, Any] = {}
_MISSING = object()


def _span(e: Any) -> ir.Span | None:
    return getattr(e, "span", None)


def _located(exc: EvalError, span: ir.Span | None, prefix: str = "") -> EvalError:
    """``exc`` with ``span`` (and ``prefix`` before its message) if it has no span yet."""
    if exc.span is not None:
        return exc
    return exc.at(f"{prefix}{exc.message}", span)


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


class _Ctx:
    """One evaluation: the env, the mode, quantifier bindings, the scope of names that read the
    method, the number of bindings the enclosing quantifiers multiply to, and per-evaluation
    caches."""

    __slots__ = ("env", "mode", "bindings", "scope", "work", "lets", "_replicas")

    def __init__(
        self,
        env: Env,
        mode: Mode,
        bindings: Mapping[str, Any] | None = None,
        replicas: dict[int, Env] | None = None,
        scope: Scope | None = None,
        work: int = 1,
        lets: LetFrame | None = None,
    ) -> None:
        self.env = env
        self.mode = mode
        self.bindings = dict(bindings or {})
        self._replicas = {} if replicas is None else replicas
        if scope is None:
            scope = Scope(self.method_names())
        self.scope = scope
        self.work = work
        self.lets = lets

    def method_names(self) -> frozenset[str]:
        return frozenset(getattr(self.env, "method_names", METHOD_NAMES))

    def child(
        self,
        bindings: Mapping[str, Any] | None = None,
        env: Env | None = None,
        scope: Scope | None = None,
        work: int | None = None,
    ) -> _Ctx:
        return _Ctx(
            self.env if env is None else env,
            self.mode,
            {**self.bindings, **(bindings or {})},
            self._replicas if env is None else {},
            self.scope if scope is None else scope,
            self.work if work is None else work,
            self.lets,
        )

    def with_lets(self, e: ir.With) -> _Ctx:
        """The context of a check with ``let`` values (see :mod:`explainspec.expr.bindings`)."""
        frame = LetFrame(e.lets, self.method_names())
        scope = self.scope.bind(tuple(frame.reading), reads=True)
        return _Ctx(self.env, self.mode, self.bindings, self._replicas, scope, self.work, frame)

    def let_context(self) -> _Ctx:
        """Where a let's value is computed: this env, no quantifier bindings, plain values."""
        return _Ctx(self.env, PLAIN, None, self._replicas, self.scope, 1, self.lets)

    def varying(self) -> frozenset[str] | None:
        """The names whose values differ between the env's replicates, lets included (``None``
        when the env does not say: then every name may)."""
        replicated = getattr(self.env, "replicated", None)
        if replicated is None:
            return None
        replicated = frozenset(replicated)
        if self.lets is None:
            return replicated
        return replicated | self.lets.varying(replicated)

    def text(self, e: Any) -> str:
        return source_text(e)

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
        if self.lets is not None and name in self.lets:
            return self.lets.value(name, self)
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
        v = e.value
        if isinstance(v, int) and not isinstance(v, bool):
            try:
                return check_int(v, "the literal")
            except EvalError as exc:
                raise _located(exc, e.span) from None
        return v

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
                f"{self.text(e.value)} ({describe(obj)}) has no attribute {e.attr!r}", e.span
            ) from None

    def _v_call(self, e: ir.Call) -> Any:
        fn = self.val(e.func)
        if not callable(fn):
            raise EvalError(f"{self.text(e.func)} ({describe(fn)}) is not callable", e.span)
        args = [self.val(a) for a in e.args]
        kwargs = {k.name: self.val(k.value) for k in e.kwargs}
        try:
            out = fn(*args, **kwargs)
        except EvalError as exc:  # a builtin's refusal (a size or an integer over its limit)
            raise _located(exc, e.span, f"{self.text(e)}: ") from exc
        except (TypeError, ValueError, IndexError, ArithmeticError) as exc:
            raise EvalError(f"{self.text(e)}: {exc}", e.span) from exc
        if _is_function(out) and out is not fn:
            return self._same_function(fn, args, kwargs, out)
        return out

    def _same_function(self, fn: Any, args: list[Any], kwargs: dict[str, Any], out: Any) -> Any:
        """A function a call built (``sigmoid(f)``, ``restrict(f, S, at = x)``, ``f.swap(0,
        1)``), the same object each time within a world when the env keeps a memo: the runner
        caches method calls by function, so ``explain(sigmoid(f))`` is one call per world."""
        memo = getattr(self.env, "memo", None)
        if memo is None:
            return out
        try:
            key = (
                "call",
                _operand_key(fn),
                tuple(_value_key(a) for a in args),
                tuple(sorted((k, _value_key(v)) for k, v in kwargs.items())),
            )
        except TypeError:  # an argument that cannot be keyed
            return out
        hit = memo.get(key)
        if hit is None:  # the entry keeps the arguments alive, so their ids stay theirs
            hit = memo[key] = ((fn, args, kwargs), out)
        return hit[1]

    def _v_index(self, e: ir.Index) -> Any:
        base = self.val(e.value)
        key = tuple(self._index_item(i) for i in e.items)
        if isinstance(base, list | tuple) and len(key) == 1 and isinstance(key[0], int):
            seq: Any = base
        else:
            try:
                seq = np.asarray(base)
            except (TypeError, ValueError) as exc:
                raise EvalError(f"cannot index {describe(base)}: {exc}", e.span) from exc
            if seq.dtype == object and seq.ndim == 0:
                raise EvalError(
                    f"{self.text(e.value)} ({describe(base)}) cannot be indexed", e.span
                )
            if any(isinstance(k, np.ndarray) for k in key):  # fancy indexing allocates
                cells = index_cells(seq.shape, key)
                if cells is not None:
                    try:
                        check_cells((cells,), self.text(e))
                    except EvalError as exc:
                        raise _located(exc, e.span) from None
        try:
            out = seq[key[0] if len(key) == 1 else key]
        except (IndexError, TypeError, ValueError, OverflowError) as exc:
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
        if isinstance(v, int) and not isinstance(v, bool):
            return v
        if isinstance(v, Subset):  # a coalition-indexed result is indexed by bitmask
            return v.mask
        arr = np.asarray(v)
        if arr.dtype.kind in "iub":
            return int(arr) if arr.ndim == 0 and arr.dtype.kind != "b" else arr
        raise EvalError(
            f"index {self.text(item)} must be an integer, got {describe(v)}", _span(item)
        )

    def _int(self, e: Any) -> int:
        v = self.val(e)
        if isinstance(v, int) and not isinstance(v, bool):
            return v
        arr = np.asarray(v)
        if arr.ndim != 0 or arr.dtype.kind not in "iu":
            raise EvalError(f"{self.text(e)} must be an integer, got {describe(v)}", _span(e))
        return int(arr)

    def _v_list(self, e: ir.ListExpr) -> Any:
        items = [self.val(i) for i in e.items]
        for node, v in zip(e.items, items, strict=True):
            _fits_array(v, node, self.text)
        return _as_array(items)

    def _v_set(self, e: ir.SetExpr) -> Subset:
        items = [self.val(i) for i in e.items]
        try:
            return subset_of(items)
        except ValueError as exc:
            raise EvalError(f"{self.text(e)}: {exc}", e.span) from None

    def _v_comprehension(self, e: ir.Comprehension) -> Any:
        source = self.val(e.domain)
        try:
            values = sweep_items(source)
        except TypeError as exc:
            raise EvalError(
                f"{self.text(e)}: the values of {e.var} must be a list, got {describe(source)} "
                f"({exc})",
                _span(e.domain),
            ) from None
        work = self.work * len(values)
        try:
            check_bindings(work, f"[... for {e.var} in {self.text(e.domain)}]")
        except EvalError as exc:
            raise _located(exc, e.span) from None
        scope = self.scope.bind((e.var,), reads=self.scope.reads(e.domain))
        out = [self.child({e.var: v}, scope=scope, work=work).val(e.element) for v in values]
        return _as_list_value(out, e.element, self.text)

    def _v_with(self, e: ir.With) -> Any:
        return self.with_lets(e).val(e.body)

    def _v_range(self, e: ir.RangeExpr) -> Any:
        raise EvalError(
            f"{self.text(e)}: a range lo..hi is only allowed as a world field value; "
            "use range(lo, hi + 1) in a check",
            e.span,
        )

    def _v_unary(self, e: ir.Unary) -> Any:
        v = self.val(e.operand)
        v = v if isinstance(v, bool) else _arith(v)  # -true is -1, as in Python
        if _is_function(v):
            return self._function_op(e.op, (v,), lambda: self._unary(e, v))
        return self._unary(e, v)

    def _unary(self, e: ir.Unary, v: Any) -> Any:
        try:
            check_int_array(v, self.text(e))
        except EvalError as exc:
            raise _located(exc, e.span) from None
        try:
            return -v if e.op is ir.UnaryOp.NEG else +v
        except TypeError as exc:
            raise EvalError(f"cannot apply {e.op.value} to {describe(v)}", e.span) from exc

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
        text = self.text(e)
        if e.op in _SET_OPS or isinstance(a, Subset) or isinstance(b, Subset):
            return self._set_op(e, a, b)
        if _is_function(a) or _is_function(b):
            return self._function_arith(e, a, b)
        if isinstance(a, str) or isinstance(b, str):
            raise EvalError(
                f"cannot compute {text}: a string only names an option, it has no arithmetic",
                e.span,
            )
        try:
            if _is_pyint(a) and _is_pyint(b):
                return exact_int(e.op, a, b, text)
            if e.op is ir.BinOp.POW and _is_int(a) and _is_int(b) and np.any(np.asarray(b) < 0):
                a = np.asarray(a, dtype=float)  # numpy refuses integers to negative integer powers
            check_array_op(e.op, a, b, text)
            out = _BINOPS[e.op](a, b)
        except EvalError as exc:
            raise _located(exc, e.span) from None
        except OverflowError as exc:  # a Python integer beyond the float or int64 range
            raise IntegerRangeError(
                f"cannot compute {text}: {describe(a)} {e.op.value} {describe(b)} ({exc})",
                e.span,
            ) from exc
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise EvalError(
                f"cannot compute {text}: {describe(a)} {e.op.value} {describe(b)} ({exc})",
                e.span,
            ) from exc
        if out is NotImplemented:
            raise EvalError(f"cannot compute {describe(a)} {e.op.value} {describe(b)}", e.span)
        return out

    def _set_op(self, e: ir.Binary, a: Any, b: Any) -> Subset:
        """``S | T``, ``S & T``, ``S - T`` of subsets."""
        if not (isinstance(a, Subset) and isinstance(b, Subset)) or e.op not in (
            *_SET_OPS,
            ir.BinOp.SUB,
        ):
            raise EvalError(
                f"cannot compute {self.text(e)}: {describe(a)} {e.op.value} {describe(b)} "
                "(subsets combine with |, & and - only, with other subsets: S | {i})",
                e.span,
            )
        out: Subset = _BINOPS[e.op](a, b)
        return out

    def _function_arith(self, e: ir.Binary, a: Any, b: Any) -> Any:
        """Arithmetic with functions: ``2 * f + g``, ``f + c``, ``f / 2``, ``f ** 2``."""
        from explainspec.worlds import derived

        try:
            if e.op is ir.BinOp.POW and _is_function(a) and not _is_function(b):
                return derived.power(a, _arith(b))
            if e.op in (ir.BinOp.MUL, ir.BinOp.DIV) and _is_function(a) and _is_function(b):
                raise TypeError(
                    "the product or quotient of two functions is not supported (multiply a "
                    'function by a number, or write the product as formula("..."))'
                )
            if _is_function(b) and e.op in (ir.BinOp.DIV, ir.BinOp.POW):
                raise TypeError(f"a number {e.op.value} a function is not supported")
            if not all(_is_function(v) or _is_number(v) for v in (a, b)):
                raise TypeError("functions combine with numbers and other functions only")
            out = _BINOPS[e.op](a, b)
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise EvalError(
                f"cannot compute {self.text(e)}: {describe(a)} {e.op.value} {describe(b)} ({exc})",
                e.span,
            ) from exc
        if out is NotImplemented:
            raise EvalError(f"cannot compute {describe(a)} {e.op.value} {describe(b)}", e.span)
        return out

    def _v_condition(self, e: Any) -> Any:
        plain = self.child()
        plain.mode = PLAIN  # a boolean inside a value is plain: leniency applies to the check
        if isinstance(e, ir.Compare):
            m, *_ = compare(plain, e, +1)
            out = m > 0
            return bool(out) if out.ndim == 0 else out
        return plain.cond(e, +1).margin > 0

    # ----------------------------------------------------------------------- conditions

    def cond(self, e: Any, pol: int) -> Res:
        """The margin of condition ``e`` in polarity ``pol`` (``-1`` under ``not`` and in a
        premise: where leniency divides tolerances instead of multiplying them)."""
        if isinstance(e, ir.Compare):
            return condition(self, e, pol)
        if isinstance(e, ir.BoolOp):
            return self._c_boolop(e, pol)
        if isinstance(e, ir.Not):
            inner = self.cond(e.operand, -pol)
            return Res(-inner.margin, inner.trace, inner.decider)
        if isinstance(e, ir.Implies):
            return self._c_implies(e, pol)
        if isinstance(e, ir.Quantifier):
            return self._c_quantifier(e, pol)
        if isinstance(e, ir.With):
            return self.with_lets(e).cond(e.body, pol)
        if isinstance(e, ir.Call) and isinstance(e.func, ir.Name):
            special = self._c_special(e, pol)
            if special is not None:
                return special
        return self._c_boolean(e)

    def _c_boolop(self, e: ir.BoolOp, pol: int) -> Res:
        is_and = e.op is ir.BoolOpKind.AND
        done: list[tuple[Any, Res]] = []
        decided = False
        for operand in e.operands:
            try:
                res = self.cond(operand, pol)
            except EvalError as exc:
                if not decided or exc.refusal:
                    raise
                continue  # the operands to the left decide: this one is not needed
            done.append((operand, res))
            decided = decided or ((res.margin < 0) if is_and else (res.margin >= 0))
        pick = min if is_and else max
        best = pick((res for _, res in done), key=lambda r: r.margin)
        # An `or` that fails (an `and` that holds under `not`) is a disjunction of alternatives
        # none of which saves the check; exact operands among them are guards, so the size of
        # the violation is the one of the best method-reading operand.
        failed = (best.margin >= 0) if is_and else (best.margin < 0)
        if failed and is_and == (pol < 0):
            readers = [res for operand, res in done if self.scope.reads(operand)]
            if readers and len(readers) < len(done):
                chosen = pick(readers, key=lambda r: r.margin)
                guards = [res for operand, res in done if not self.scope.reads(operand)]

                def trace() -> list[TraceItem]:
                    return [item for g in guards for item in g.trace()] + chosen.trace()

                return Res(chosen.margin, trace, chosen.decider)
        return best

    def _c_implies(self, e: ir.Implies, pol: int) -> Res:
        premise = self.cond(e.left, -pol)
        try:
            conclusion = self.cond(e.right, pol)
        except EvalError as exc:
            if exc.refusal or premise.margin >= 0:
                raise
            # the premise does not hold: the implication holds whatever the conclusion is
            return Res(-premise.margin, premise.trace, premise.decider)
        if pol > 0 and premise.margin >= 0:
            if conclusion.margin >= 0:
                return conclusion
            # Violated: the premise held and the conclusion failed (show both). The violation
            # is measured on the conclusion, unless only the premise reads the method (`phi[i]
            # != 0 implies f.uses(i)`): the exact side is the guard.
            if self.scope.reads(e.left) and not self.scope.reads(e.right):
                return Res(
                    -premise.margin,
                    lambda: premise.trace() + conclusion.trace(),
                    premise.decider,
                )
            return Res(
                conclusion.margin, lambda: premise.trace() + conclusion.trace(), conclusion.decider
            )
        margin = max(-premise.margin, conclusion.margin)
        if margin < 0:
            return Res(margin, lambda: premise.trace() + conclusion.trace(), conclusion.decider)
        if -premise.margin >= conclusion.margin:
            return Res(margin, premise.trace, premise.decider)
        return Res(margin, conclusion.trace, conclusion.decider)

    def _c_quantifier(self, e: ir.Quantifier, pol: int) -> Res:
        domain = self._domain(e)
        work = self.work * len(domain) ** len(e.vars)
        try:
            check_bindings(work, f"for {e.kind.value} {', '.join(e.vars)}")
        except EvalError as exc:
            raise _located(exc, e.span) from None
        reads = e.domain is not None and self.scope.reads(e.domain)
        scope = self.scope.bind(tuple(e.vars), reads=reads)
        best: Res | None = None
        is_all = e.kind is ir.QuantKind.ALL
        for combo in itertools.product(domain, repeat=len(e.vars)):
            binding = dict(zip(e.vars, combo, strict=True))
            res = self.child(binding, scope=scope, work=work).cond(e.body, pol)
            if best is None or (res.margin < best.margin if is_all else res.margin > best.margin):
                best = _with_bindings(res, binding)
        if best is None:
            empty = math.inf if is_all else -math.inf
            return Res(
                empty,
                lambda: [TraceItem(f"{self.text(e)}: the domain is empty", None, "note")],
                self.text(e),
            )
        return best

    def _domain(self, e: ir.Quantifier) -> list[Any]:
        if e.domain is None:
            try:
                d = self.env.lookup("d")
            except KeyError:
                raise EvalError(
                    f"{self.text(e)}: quantifier over features, but the env defines no 'd'", e.span
                ) from None
            return list(range(int(d)))
        source = self.val(e.domain)
        if isinstance(source, Subset):  # the features of a subset: for all j in S - {i}
            return sorted(source)
        if (
            isinstance(source, list | tuple)
            and source
            and all(isinstance(v, Subset) for v in source)
        ):
            return list(source)
        arr = np.asarray(source) if not isinstance(source, list | tuple) or source else None
        if arr is None:  # an empty list
            return []
        if arr.ndim > 1 or (arr.size and arr.dtype.kind not in "iu"):
            raise EvalError(
                f"the domain {self.text(e.domain)} must be a sequence of integers or of "
                f"subsets, got {describe(source)}",
                _span(e.domain),
            )
        return [int(v) for v in arr.ravel()]

    def _c_special(self, e: ir.Call, pol: int) -> Res | None:
        """Builtins whose truth value has margins: ``all(a <= b)`` / ``any(a <= b)`` keep the
        comparison's margins; ``decreasing``, ``increasing`` and ``converges`` have their own
        (:mod:`explainspec.expr.trends`)."""
        func = e.func
        assert isinstance(func, ir.Name)  # the caller checks
        if func.id in self.bindings or (self.lets is not None and func.id in self.lets):
            return None
        try:
            fn = self.resolve(func)
        except EvalError:
            return None
        if len(e.args) == 1 and not e.kwargs and isinstance(e.args[0], ir.Compare):
            if fn is _builtin("all_"):
                return condition(self, e.args[0], pol, worst=np.argmin)
            if fn is _builtin("any_"):
                return condition(self, e.args[0], pol, worst=np.argmax)
        from explainspec.expr import trends

        if getattr(fn, "__module__", None) == trends.__name__ and fn in trends.CONDITIONS:
            return trends.condition(self, e, fn, pol)
        return None

    def _c_boolean(self, e: Any) -> Res:
        v = self.val(e)
        arr = np.asarray(v) if isinstance(v, bool | np.bool_ | np.ndarray) else None
        if arr is None or arr.dtype.kind != "b":
            raise EvalError(
                f"{self.text(e)} must be a condition (a comparison or a boolean), got {describe(v)}",
                _span(e),
            )
        m = np.where(arr, math.inf, -math.inf)
        margin, idx = reduce(m, np.argmin)
        text = self.text(e)

        def trace() -> list[TraceItem]:
            items = [TraceItem(text, v)]
            if idx is not None and arr.size > 1:
                items.append(TraceItem("worst element", idx, "index"))
                items.append(TraceItem(index_text(text, idx), bool(arr[idx]), "element"))
            return items

        return Res(margin, trace, text)


def _fits_array(v: Any, node: Any, text: Callable[[Any], str]) -> None:
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > INT64_MAX:
        raise IntegerRangeError(
            f"{text(node)} = {v} does not fit the 64-bit integers of an array "
            "(write it as a float if an approximate value is fine)",
            _span(node),
        )


def _as_array(items: list[Any]) -> Any:
    """A list of values as an array when they are numbers or equal-shape arrays; the list
    itself otherwise (subsets, functions, strings, ragged arrays)."""
    if any(isinstance(v, Subset) or _is_function(v) for v in items):
        return items
    try:
        arr = np.asarray(items)
    except (TypeError, ValueError):
        return items
    return items if arr.dtype == object else arr


def _as_list_value(items: list[Any], node: Any, text: Callable[[Any], str]) -> Any:
    for v in items:
        _fits_array(v, node, text)
    return _as_array(items)


def _value_key(v: Any) -> Any:
    """A hashable key of a call's argument: numbers, strings, subsets and arrays by value,
    functions and other objects by identity (``TypeError`` for what cannot be keyed)."""
    if isinstance(v, np.ndarray):
        if v.dtype == object:
            raise TypeError("an object array")
        return ("array", v.shape, v.dtype.str, v.tobytes())
    if v is None or isinstance(v, bool | int | float | str | np.generic | Subset):
        return ("value", type(v).__name__, v)
    if isinstance(v, list | tuple):
        return ("seq", tuple(_value_key(x) for x in v))
    return ("object", id(v))


def _with_bindings(res: Res, binding: Mapping[str, Any]) -> Res:
    inner = res.trace
    return Res(
        res.margin,
        lambda: [TraceItem(k, v, "binding") for k, v in binding.items()] + inner(),
        res.decider,
    )


def _arith(v: Any) -> Any:
    """The value as an operand of arithmetic: integers as Python integers (exact), floats and
    booleans as numpy scalars (so ``1.0 / 0`` is ``inf`` as everywhere else in numpy), lists
    and tuples as arrays."""
    if isinstance(v, bool):
        return np.bool_(v)
    if isinstance(v, int):
        return v
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, float):
        return np.float64(v)
    if isinstance(v, list | tuple):
        return np.asarray(v)
    if isinstance(v, np.ndarray) and v.ndim == 0 and v.dtype.kind in "iu":
        return int(v)
    return v


def _is_pyint(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_function(v: Any) -> bool:
    """A world's function (or a combination of them), as opposed to numbers and arrays."""
    return callable(v) and hasattr(v, "formula")


def _operand_key(v: Any) -> tuple[str, Any]:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return ("number", v)
    if isinstance(v, np.ndarray | np.generic) and np.ndim(v) == 0 and v.dtype.kind in "biuf":
        return ("number", v.item())
    return ("object", id(v))


def _is_number(v: Any) -> bool:
    """A real number (not a boolean, not an array)."""
    if isinstance(v, bool | np.bool_):
        return False
    return isinstance(v, int | float | np.integer | np.floating)


def _is_int(v: Any) -> bool:
    if _is_pyint(v):
        return True
    return isinstance(v, np.integer | np.ndarray) and np.asarray(v).dtype.kind in "iu"


_SET_OPS = (ir.BinOp.UNION, ir.BinOp.INTERSECT)

_BINOPS: dict[ir.BinOp, Callable[[Any, Any], Any]] = {
    ir.BinOp.ADD: lambda a, b: a + b,
    ir.BinOp.SUB: lambda a, b: a - b,
    ir.BinOp.MUL: lambda a, b: a * b,
    ir.BinOp.DIV: lambda a, b: a / b,
    ir.BinOp.POW: lambda a, b: a**b,
    ir.BinOp.MATMUL: lambda a, b: a @ b,
    ir.BinOp.UNION: lambda a, b: a | b,
    ir.BinOp.INTERSECT: lambda a, b: a & b,
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
    ir.SetExpr: _Ctx._v_set,
    ir.Comprehension: _Ctx._v_comprehension,
    ir.With: _Ctx._v_with,
    ir.RangeExpr: _Ctx._v_range,
    ir.Unary: _Ctx._v_unary,
    ir.Binary: _Ctx._v_binary,
    **{t: _Ctx._v_condition for t in _CONDITIONS},
}
