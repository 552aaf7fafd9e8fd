"""The margins of comparisons: ``a == b within T``, ``a < b``, ``sign(a) == sign(b)``, ``within
mc(z)``, element-wise over arrays, with the leniency of the :class:`~explainspec.expr.base.Mode`
applied only to comparisons that read the method.

Every function takes the evaluation context of :mod:`explainspec.expr.interpreter` (``ctx``: it
evaluates operands with ``ctx.val``, prints them with ``ctx.text`` and knows the ``mode``, the
``scope`` of names that read the method and the ``env``) and returns element-wise margins, the
trace items of the operands, and the per-element operand values.

Numbers are compared exactly: floats as they are, integers up to 2**53 through their exact
float values, larger integers (Python integers, or ``int64`` beyond 2**53) through exact
rational arithmetic (:class:`fractions.Fraction`), so ``2 ** 64 < 2 ** 64 + 1`` holds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from explainspec._memo import remember
from explainspec.expr.base import PLAIN, EvalError, IntegerRangeError, Mode, TraceItem
from explainspec.expr.guards import check_cells, float_of_int, int_bound
from explainspec.expr.nodes import is_literal
from explainspec.expr.subsets import Subset
from explainspec.lang import ir

if TYPE_CHECKING:
    from explainspec.expr.interpreter import _Ctx

__all__ = ["NaNFound", "Res", "condition", "compare", "index_text", "reduce"]

TINY = 5e-324  # the smallest positive float: the margin of a boundary case
_MC_FLOOR = 1e-9  # relative floor of the mc tolerance, so exact replicates do not fail on 1 ulp
_EXACT_FLOATS = 2**53  # integers up to this size are exact as floats

Margins = tuple[np.ndarray, list[TraceItem], list[tuple[TraceItem, Any]]]


class NaNFound(Exception):
    """A compared value was NaN: the whole check fails (never caught by ``or``/``not``)."""

    def __init__(self, trace: list[TraceItem]) -> None:
        super().__init__("NaN")
        self.trace = trace


@dataclass(slots=True)
class Res:
    """A margin, a deferred trace (only the deciding branch's trace is ever built), and the
    source text of the comparison that decided it."""

    margin: float
    trace: Callable[[], list[TraceItem]]
    decider: str | None = None


def reduce(m: np.ndarray, worst: Callable[..., Any]) -> tuple[float, tuple[int, ...] | None]:
    """The worst (``np.argmin``) or best (``np.argmax``) element and its index (None for scalars).

    >>> reduce(np.array([0.5, -1.0, 2.0]), np.argmin)
    (-1.0, (1,))
    """
    if m.size == 0:
        return (math.inf if worst is np.argmin else -math.inf), None
    flat = int(worst(m))
    idx = tuple(int(i) for i in np.unravel_index(flat, m.shape)) if m.ndim else None
    return float(m.ravel()[flat]), idx


def index_text(text: str, idx: tuple[int, ...]) -> str:
    """The text of one element of an operand, for traces.

    >>> index_text("phi", (1,)), index_text("a - b", (0, 2))
    ('phi[1]', '(a - b)[0, 2]')
    """
    base = text if text.replace("_", "").replace(".", "").isalnum() else f"({text})"
    return f"{base}[{', '.join(map(str, idx))}]"


def describe(v: Any) -> str:
    from explainspec.expr.render import format_value

    if isinstance(v, np.ndarray):
        return f"array of shape {v.shape} ({v.dtype})"
    return f"{type(v).__name__} {format_value(v)}"


def condition(ctx: _Ctx, e: ir.Compare, pol: int, worst: Callable[..., Any] = np.argmin) -> Res:
    """A comparison as a condition: its worst (or best) element's margin, and its trace."""
    m, items, elems = compare(ctx, e, pol)
    margin, idx = reduce(m, worst)
    text = ctx.text(e)
    # Literal operands (`0`, `1e-6`) are already in the comparison's text.
    literals = {ctx.text(o) for o in (e.left, e.right) if is_literal(o)}

    def trace() -> list[TraceItem]:
        out = [item for item in items if item.text not in literals]
        if idx is not None and m.size > 1:
            label = "worst element" if worst is np.argmin else "best element"
            out.append(TraceItem(label, idx, "index"))
            for item, arr in elems:
                if np.ndim(arr) and item.text not in literals:
                    elem = np.broadcast_to(arr, m.shape)[idx]
                    out.append(TraceItem(index_text(item.text, idx), elem, "element"))
        out.append(TraceItem(text, margin, "margin"))
        return out

    return Res(margin, trace, text)


def compare(ctx: _Ctx, e: ir.Compare, pol: int) -> Margins:
    """Element-wise margins of a comparison, its trace items, and the per-element operands.

    The mode's leniency applies only when an operand reads the method (``ctx.scope``); a
    comparison of exact quantities is evaluated with the plain semantics in every mode.

    A margin is never NaN: where infinite operands leave it undefined (``inf == 0 within 10%
    relative``: ``0.1·inf − inf``) the comparison is a NaN, which fails the whole check
    (:class:`NaNFound`), like a NaN operand. A NaN margin that reached ``for all``, ``and`` or
    ``or`` was dropped or kept depending on the order of the bindings (Python's ``min`` and
    ``max``), and a check with an infinite element could be ``verified``.
    """
    m, items, elems = _compare(ctx, e, pol)
    undefined = np.isnan(m)
    if undefined.any():
        where = tuple(int(i) for i in np.argwhere(undefined)[0]) if undefined.ndim else ()
        at = f" at index {where}" if where else ""
        raise NaNFound(
            [
                *items,
                TraceItem(
                    f"{ctx.text(e)} is undefined{at} (an infinite operand): a NaN never passes "
                    "a check",
                    None,
                    "note",
                ),
                TraceItem(ctx.text(e), -math.inf, "margin"),
            ]
        )
    return m, items, elems


def _compare(ctx: _Ctx, e: ir.Compare, pol: int) -> Margins:
    if e.op is ir.CmpOp.NE:
        m, items, elems = compare(ctx, _as_eq(e), -pol)
        return -m, items, elems  # the nudge of == (+tiny) becomes −tiny: != is strict
    if e.op in (ir.CmpOp.IN, ir.CmpOp.NOT_IN):
        return _membership(ctx, e)
    mode = ctx.mode if ctx.scope.reads(e) else PLAIN  # the tolerance is a literal
    tol = e.tolerance
    if tol is not None and tol.kind is ir.TolKind.MC:
        return _compare_mc(ctx, e, tol, pol, mode)
    if (
        e.op is ir.CmpOp.EQ
        and tol is None
        and _is_sign_call(ctx, e.left)
        and _is_sign_call(ctx, e.right)
    ):
        return _compare_sign(ctx, e, pol, mode)

    a, b = ctx.val(e.left), ctx.val(e.right)
    ta, tb = TraceItem(ctx.text(e.left), a), TraceItem(ctx.text(e.right), b)
    items, elems = [ta, tb], [(ta, a), (tb, b)]
    if isinstance(a, Subset) or isinstance(b, Subset):  # S == T: exact, as sets
        if (
            e.op is not ir.CmpOp.EQ
            or tol is not None
            or not (isinstance(a, Subset) and isinstance(b, Subset))
        ):
            raise EvalError(
                f"cannot compare {describe(a)} with {describe(b)}: subsets compare with == and "
                "!= (without `within`) to other subsets only",
                e.span,
            )
        return np.asarray(math.inf if a == b else -math.inf), items, elems
    if e.op is ir.CmpOp.EQ and tol is None and _is_discrete(a) and _is_discrete(b):
        da, db = _discrete(a), _discrete(b)
        _broadcast(ctx, e, da, db)  # the shapes agree and the result is within the limits
        try:
            eq = np.asarray(np.equal(da, db), dtype=bool)
        except (TypeError, ValueError) as exc:
            raise EvalError(f"cannot compare {describe(a)} with {describe(b)}", e.span) from exc
        return np.where(eq, math.inf, -math.inf), items, elems
    x, y = _broadcast(ctx, e, _numeric(ctx, e.left, a), _numeric(ctx, e.right, b))
    _nan_check(ctx, e, items, x, y)
    if _needs_exact(a) or _needs_exact(b):
        x, y = _broadcast(ctx, e, _exact(ctx, e.left, a), _exact(ctx, e.right, b))
        num: Callable[[float], Any] = Fraction
    else:
        num = float
    s = num(mode.tolerance_scale if pol > 0 else 1.0 / mode.tolerance_scale)
    slack = num(mode.slack)
    # equal operands differ by 0, also two equal infinities (inf - inf is NaN)
    diff = np.where(x == y, num(0), np.abs(x - y))
    if e.op is ir.CmpOp.EQ:
        if tol is None:
            m = np.where(x == y, math.inf, -diff + pol * slack)
        else:
            m = num(tol.value) * s * _scale(tol, x, y, num) - diff + (slack if pol > 0 else 0)
        return _nudge(_as_float(m), strict=False), items, elems
    room = np.where(x == y, num(0), x - y if e.op in (ir.CmpOp.GT, ir.CmpOp.GE) else y - x)
    if tol is not None:  # `a <= b within T`: T (scaled) extra room
        room = room + num(tol.value) * s * _scale(tol, x, y, num)
    m = room + pol * slack
    return _nudge(_as_float(m), strict=e.op in (ir.CmpOp.LT, ir.CmpOp.GT)), items, elems


def _scale(tol: ir.Tolerance, x: Any, y: Any, num: Callable[[float], Any]) -> Any:
    if tol.kind is not ir.TolKind.REL:
        return 1
    return np.maximum(np.maximum(np.abs(x), np.abs(y)), num(1e-12))


def _is_sign_call(ctx: _Ctx, e: Any) -> bool:
    if not (
        isinstance(e, ir.Call) and isinstance(e.func, ir.Name) and len(e.args) == 1 and not e.kwargs
    ):
        return False
    from explainspec.expr.builtins import sign

    try:
        return bool(ctx.resolve(e.func) is sign)
    except EvalError:
        return False


def _compare_sign(ctx: _Ctx, e: ir.Compare, pol: int, mode: Mode) -> Margins:
    assert isinstance(e.left, ir.Call) and isinstance(e.right, ir.Call)  # _is_sign_call
    la, lb = e.left.args[0], e.right.args[0]
    a, b = ctx.val(la), ctx.val(lb)
    ta, tb = TraceItem(ctx.text(la), a), TraceItem(ctx.text(lb), b)
    items, elems = [ta, tb], [(ta, a), (tb, b)]
    # the float view of an integer has its sign (huge ones become ±inf): signs are exact
    x, y = _broadcast(ctx, e, _numeric(ctx, la, a), _numeric(ctx, lb, b))
    _nan_check(ctx, e, items, x, y)
    size = np.minimum(np.abs(x), np.abs(y))
    agree = np.sign(x) == np.sign(y)
    m = np.where(agree, size, -size) + pol * mode.slack
    # On the boundary (a zero against a non-zero) differing signs still fail.
    return np.where(m == 0, np.where(agree, TINY, -TINY), m), items, elems


def _membership(ctx: _Ctx, e: ir.Compare) -> Margins:
    """``i in S`` / ``i not in S``: a feature in a subset (or an integer in a list of
    integers); exact, so ``+inf`` or ``-inf`` (element-wise for an array of indices)."""
    from explainspec.expr.subsets import Subset

    a, b = ctx.val(e.left), ctx.val(e.right)
    ta, tb = TraceItem(ctx.text(e.left), a), TraceItem(ctx.text(e.right), b)
    if isinstance(b, Subset):
        members: Any = b
    else:
        arr = np.asarray(b) if isinstance(b, list | tuple | np.ndarray) else None
        if arr is None or arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iub"):
            raise EvalError(
                f"{ctx.text(e)}: `in` asks whether a feature is in a subset (or an integer in a "
                f"list of integers); {ctx.text(e.right)} is {describe(b)}",
                e.span,
            )
        members = {int(v) for v in arr.tolist()}
    arr_a = np.asarray(a)
    if arr_a.dtype.kind not in "iub" or isinstance(a, bool):
        raise EvalError(
            f"{ctx.text(e)}: {ctx.text(e.left)} must be a feature index (an integer), got "
            f"{describe(a)}",
            e.span,
        )
    found = np.vectorize(lambda v: int(v) in members, otypes=[bool])(arr_a)
    if e.op is ir.CmpOp.NOT_IN:
        found = ~found
    return np.where(found, math.inf, -math.inf), [ta, tb], [(ta, a), (tb, b)]


def _compare_mc(ctx: _Ctx, e: ir.Compare, tol: ir.Tolerance, pol: int, mode: Mode) -> Margins:
    if e.op is not ir.CmpOp.EQ:
        raise EvalError(f"{ctx.text(e)}: 'within mc(z)' applies to == and != only", e.span)
    reps = int(ctx.env.replicates)
    if reps < 2:
        raise EvalError(
            f"{ctx.text(e)}: 'within mc(z)' needs at least 2 replicates of the method, "
            f"the env has {reps}",
            e.span,
        )
    from explainspec.expr.nodes import names_in

    lefts, rights = [], []
    varying = ctx.varying()  # the env's replicated names, and the lets computed from them
    same_a = varying is not None and not (names_in(e.left) & varying)
    same_b = varying is not None and not (names_in(e.right) & varying)
    a0 = ctx.val(e.left) if same_a else None
    b0 = ctx.val(e.right) if same_b else None
    for r in range(reps):
        rc = ctx.child(env=ctx.replica(r))
        a = a0 if same_a else rc.val(e.left)
        b = b0 if same_b else rc.val(e.right)
        for node, v in ((e.left, a), (e.right, b)):
            if _needs_exact(v):
                raise IntegerRangeError(
                    f"{ctx.text(e)}: 'within mc(z)' compares floating-point means, but "
                    f"{ctx.text(node)} is an integer beyond 2**53, which a float cannot hold "
                    "exactly",
                    e.span,
                )
        x, y = _broadcast(ctx, e, _numeric(ctx, e.left, a), _numeric(ctx, e.right, b))
        if r == 0:  # the replicates are stacked: reps times the numbers of one
            try:
                check_cells((reps, *x.shape), f"{ctx.text(e)} over {reps} replicates")
            except EvalError as exc:
                raise exc.at(exc.message, e.span) from None
        lefts.append(x)
        rights.append(y)
    xs, ys = np.stack(lefts), np.stack(rights)
    ma, mb = xs.mean(axis=0), ys.mean(axis=0)
    ta = TraceItem(f"{ctx.text(e.left)} (mean of {reps} replicates)", _scalar(ma))
    tb = TraceItem(f"{ctx.text(e.right)} (mean of {reps} replicates)", _scalar(mb))
    items = [ta, tb]
    _nan_check(ctx, e, items, xs, ys)
    d = xs - ys
    mean_d = d.mean(axis=0)
    se = d.std(axis=0, ddof=1) / math.sqrt(reps)
    s = mode.tolerance_scale if pol > 0 else 1.0 / mode.tolerance_scale
    m = tol.value * s * se + _MC_FLOOR * (1 + np.abs(mb)) - np.abs(mean_d)
    if pol > 0:
        m = m + mode.slack
    items += [
        TraceItem("mean difference", _scalar(mean_d), "stat"),
        TraceItem("standard error", _scalar(se), "stat"),
    ]
    tmean = TraceItem("mean difference", mean_d)
    tse = TraceItem("standard error", se)
    return _nudge(m, strict=False), items, [(ta, ma), (tb, mb), (tmean, mean_d), (tse, se)]


# --------------------------------------------------------------------------- numbers


def _is_discrete(v: Any) -> bool:
    if isinstance(v, str | int):  # bool is an int
        return True
    arr = np.asarray(v)
    return arr.dtype.kind in "biuUS"


def _discrete(v: Any) -> Any:
    """A discrete value for ``np.equal``: a Python integer beyond int64 as a 0-d object array
    (compared exactly, element by element), anything else as an array."""
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**63 - 1:
        out = np.empty((), dtype=object)
        out[()] = v
        return out
    return np.asarray(v)


def _numeric(ctx: _Ctx, node: Any, v: Any) -> np.ndarray:
    """The float view of a compared value (a Python integer beyond the float range: ``±inf``)."""
    if isinstance(v, int) and not isinstance(v, bool):
        return np.asarray(float_of_int(v))
    if isinstance(v, bool | float | np.number | np.bool_ | np.ndarray | list | tuple):
        try:
            arr = np.asarray(v)
        except (TypeError, ValueError, OverflowError):
            arr = np.asarray(None)
        if arr.dtype.kind in "biuf":
            return arr.astype(float)
    raise EvalError(
        f"{ctx.text(node)} must be a number or a numeric array to compare, got {describe(v)}",
        getattr(node, "span", None),
    )


def _needs_exact(v: Any) -> bool:
    """Whether the float view of ``v`` may be inexact: an integer beyond 2**53."""
    if isinstance(v, float | np.floating) or (isinstance(v, np.ndarray) and v.dtype.kind == "f"):
        return False  # the common case, decided without a pass over the elements
    bound = int_bound(v)
    return bound is not None and bound > _EXACT_FLOATS


def _exact(ctx: _Ctx, node: Any, v: Any) -> np.ndarray:
    """``v`` as an object array of exact numbers (integers, and floats as Fractions)."""
    if isinstance(v, int) and not isinstance(v, bool):
        scalar = np.empty((), dtype=object)
        scalar[()] = v
        return scalar
    arr = np.asarray(v)
    flat: list[Fraction | int]
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all():
            raise IntegerRangeError(
                f"{ctx.text(node)} is infinite and is compared with an integer beyond 2**53, "
                "which has no exact float value",
                getattr(node, "span", None),
            )
        flat = [Fraction(float(f)) for f in arr.ravel()]
    else:
        flat = [int(i) for i in arr.ravel()]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(arr.shape)


def _as_float(m: Any) -> np.ndarray:
    """Margins as floats. Exact (object) margins keep their sign: a nonzero one that rounds to
    0 becomes ``±5e-324``, one beyond the float range ``±inf``."""
    arr = np.asarray(m)
    if arr.dtype != object:
        return arr.astype(float, copy=False)
    out = np.empty(arr.shape, dtype=float)
    for idx, v in np.ndenumerate(arr):
        try:
            f = float(v)
        except OverflowError:
            f = math.inf if v > 0 else -math.inf
        if f == 0 and v != 0:
            f = TINY if v > 0 else -TINY
        out[idx] = f
    return out


def _nudge(m: np.ndarray, strict: bool) -> np.ndarray:
    """Replace exact zeros by ±tiny: boundary cases hold for ``<=``/``==``, fail for ``<``/``!=``."""
    return np.where(m == 0, -TINY if strict else TINY, m)


def _broadcast(
    ctx: _Ctx, e: ir.Compare, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    if x.shape == y.shape:  # nothing to broadcast, nothing new to allocate
        return x, y
    try:
        shape = np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise EvalError(
            f"{ctx.text(e)}: cannot compare shapes {x.shape} and {y.shape}", e.span
        ) from None
    try:
        check_cells(shape, ctx.text(e))
    except EvalError as exc:
        raise exc.at(exc.message, e.span) from None
    return np.broadcast_to(x, shape), np.broadcast_to(y, shape)


def _nan_check(ctx: _Ctx, e: ir.Compare, items: list[TraceItem], *arrays: np.ndarray) -> None:
    for item, arr in zip(items, arrays, strict=False):
        if np.isnan(arr).any():
            where = tuple(int(i) for i in np.argwhere(np.isnan(arr))[0]) if arr.ndim else ()
            at = f" at index {where}" if where else ""
            raise NaNFound(
                [
                    *items,
                    TraceItem(f"{item.text} is NaN{at}: a NaN never passes a check", None, "note"),
                    TraceItem(ctx.text(e), -math.inf, "margin"),
                ]
            )


def _scalar(v: Any) -> Any:
    arr = np.asarray(v)
    return arr[()] if arr.ndim == 0 else arr


_EQ: dict[int, tuple[Any, ir.Compare]] = {}


def _as_eq(e: ir.Compare) -> ir.Compare:
    """``a == b`` for ``a != b`` (the same node every time, so its analyses are memoized)."""
    return remember(_EQ, id(e), e, lambda: _eq_of(e), 65536)


def _eq_of(e: ir.Compare) -> ir.Compare:
    return ir.Compare(
        op=ir.CmpOp.EQ, left=e.left, right=e.right, tolerance=e.tolerance, span=e.span
    )
