"""Text for traces: the source of an expression and a rounded display of a value.

:func:`expr_text` uses the language room's canonical printer
(``explainspec.lang.printer.format_expr``) and falls back to a small built-in rendering when the
printer is not importable (e.g. a partial checkout). :func:`format_value` rounds for display only;
traces keep the exact values.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

from explainspec.lang import ir

__all__ = ["expr_text", "format_value", "render_expr"]

# Binding strength, loosest first; used to decide where the fallback needs parentheses.
_PREC = {
    ir.Quantifier: 0,
    ir.Implies: 1,
    ir.BoolOp: 2,  # or/and refined below
    ir.Not: 4,
    ir.Compare: 5,
    ir.Binary: 6,  # refined by operator below
    ir.Unary: 9,
}
_BIN_PREC = {"+": 6, "-": 6, "*": 7, "/": 7, "@": 7, "**": 10}


def _prec(e: Any) -> int:
    if isinstance(e, ir.BoolOp):
        return 2 if e.op is ir.BoolOpKind.OR else 3
    if isinstance(e, ir.Binary):
        return _BIN_PREC[e.op.value]
    return _PREC.get(type(e), 11)


def _num(v: int | float) -> str:
    return repr(v) if isinstance(v, int) else f"{v:g}" if abs(v) < 1e16 else repr(v)


def _tol(t: ir.Tolerance) -> str:
    if t.kind is ir.TolKind.MC:
        return f"mc(z = {_num(t.value)})"
    if t.kind is ir.TolKind.REL:
        return f"{_num(t.value)} relative"
    return _num(t.value)


def render_expr(e: Any) -> str:
    """A readable one-line rendering of an expression node (the fallback printer).

    >>> render_expr(ir.Binary(op=ir.BinOp.SUB, left=ir.Name(id="a"),
    ...                       right=ir.Binary(op=ir.BinOp.ADD, left=ir.Number(value=1),
    ...                                       right=ir.Number(value=2))))
    'a - (1 + 2)'
    """
    r = render_expr

    def sub(child: Any, min_prec: int) -> str:
        text = r(child)
        return f"({text})" if _prec(child) < min_prec else text

    if isinstance(e, ir.Number):
        return _num(e.value)
    if isinstance(e, ir.String):
        return '"' + e.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(e, ir.Bool):
        return "true" if e.value else "false"
    if isinstance(e, ir.Name):
        return e.id
    if isinstance(e, ir.Attribute):
        return f"{sub(e.value, 11)}.{e.attr}"
    if isinstance(e, ir.Call):
        args = [r(a) for a in e.args] + [f"{k.name} = {r(k.value)}" for k in e.kwargs]
        return f"{sub(e.func, 11)}({', '.join(args)})"
    if isinstance(e, ir.Slice):
        parts = ["" if p is None else r(p) for p in (e.start, e.stop)]
        text = ":".join(parts)
        return text + (f":{r(e.step)}" if e.step is not None else "")
    if isinstance(e, ir.Index):
        return f"{sub(e.value, 11)}[{', '.join(r(i) for i in e.items)}]"
    if isinstance(e, ir.ListExpr):
        return f"[{', '.join(r(i) for i in e.items)}]"
    if isinstance(e, ir.RangeExpr):
        return f"{r(e.lo)}..{r(e.hi)}"
    if isinstance(e, ir.Unary):
        return f"{e.op.value}{sub(e.operand, 9)}"
    if isinstance(e, ir.Binary):
        p = _prec(e)
        if e.op is ir.BinOp.POW:  # right-associative
            return f"{sub(e.left, p + 1)} ** {sub(e.right, p)}"
        return f"{sub(e.left, p)} {e.op.value} {sub(e.right, p + 1)}"
    if isinstance(e, ir.Compare):
        text = f"{sub(e.left, 6)} {e.op.value} {sub(e.right, 6)}"
        return text + (f" within {_tol(e.tolerance)}" if e.tolerance is not None else "")
    if isinstance(e, ir.BoolOp):
        p = _prec(e)
        return f" {e.op.value} ".join(sub(o, p + 1) for o in e.operands)
    if isinstance(e, ir.Not):
        return f"not {sub(e.operand, 4)}"
    if isinstance(e, ir.Implies):
        return f"{sub(e.left, 2)} implies {sub(e.right, 1)}"
    if isinstance(e, ir.Quantifier):
        dom = f" in {r(e.domain)}" if e.domain is not None else ""
        return f"for {e.kind.value} {', '.join(e.vars)}{dom}: {r(e.body)}"
    return repr(e)


@functools.cache
def _printer() -> Callable[[Any], str] | None:
    try:
        module = importlib.import_module("explainspec.lang.printer")
    except ImportError:
        return None
    return getattr(module, "format_expr", None)


def expr_text(e: Any) -> str:
    """The source text of an expression: the canonical printer if available, else the fallback.

    >>> expr_text(ir.Index(value=ir.Name(id="phi"), items=(ir.Name(id="i"),)))
    'phi[i]'
    """
    fmt = _printer()
    if fmt is not None:
        try:
            return str(fmt(e))
        except Exception:  # a printer bug must not hide the verdict it would have explained
            pass
    return render_expr(e)


def format_value(v: Any, *, digits: int = 6) -> str:
    """A short display of a value: numbers to ``digits`` significant digits, arrays abbreviated.

    >>> format_value(0.7310000000001)
    '0.731'
    >>> format_value(np.array([1 / 3, 2.0]))
    '[0.333333, 2]'
    >>> format_value((1, 2))
    '(1, 2)'
    """
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, float | np.floating):
        if abs(float(v)) == 5e-324:  # the margin of a boundary case (see expr.interpreter)
            return "+0 (boundary)" if v > 0 else "-0 (boundary)"
        return f"{float(v):.{digits}g}"
    if isinstance(v, np.ndarray):
        if v.dtype.kind in "fc":
            text = np.array2string(
                v,
                separator=", ",
                threshold=24,
                edgeitems=4,
                max_line_width=1_000_000,
                formatter={"float_kind": lambda x: f"{x:.{digits}g}"},
            )
        else:
            text = np.array2string(
                v, separator=", ", threshold=24, edgeitems=4, max_line_width=1_000_000
            )
        return " ".join(text.split())
    if isinstance(v, tuple):
        inner = ", ".join(format_value(x, digits=digits) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    if isinstance(v, str):
        return repr(v)
    formula = getattr(v, "formula", None)
    if callable(formula):
        try:
            return f"f(x) = {formula()}"
        except Exception:  # ground truth may be unavailable; fall back to repr
            pass
    text = repr(v)
    return text if len(text) <= 80 else text[:77] + "..."
