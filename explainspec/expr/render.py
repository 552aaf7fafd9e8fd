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


def render_expr(e: Any) -> str:
    """A plain rendering of an expression, used only when the canonical printer is missing.

    Every compound operand is parenthesised (no precedence rules), so it is unambiguous if not
    minimal.

    >>> render_expr(ir.Binary(op=ir.BinOp.SUB, left=ir.Name(id="a"),
    ...                       right=ir.Binary(op=ir.BinOp.ADD, left=ir.Number(value=1),
    ...                                       right=ir.Number(value=2))))
    'a - (1 + 2)'
    """
    r = render_expr

    def sub(child: Any) -> str:
        atomic = (
            ir.Number,
            ir.String,
            ir.Bool,
            ir.Name,
            ir.Attribute,
            ir.Call,
            ir.Index,
            ir.ListExpr,
        )
        return r(child) if isinstance(child, atomic) else f"({r(child)})"

    if isinstance(e, ir.Number | ir.String | ir.Bool):
        return repr(e.value)
    if isinstance(e, ir.Name):
        return e.id
    if isinstance(e, ir.Attribute):
        return f"{sub(e.value)}.{e.attr}"
    if isinstance(e, ir.Call):
        args = [r(a) for a in e.args] + [f"{k.name} = {r(k.value)}" for k in e.kwargs]
        return f"{sub(e.func)}({', '.join(args)})"
    if isinstance(e, ir.Slice):
        text = ":".join("" if p is None else r(p) for p in (e.start, e.stop))
        return text + (f":{r(e.step)}" if e.step is not None else "")
    if isinstance(e, ir.Index):
        return f"{sub(e.value)}[{', '.join(r(i) for i in e.items)}]"
    if isinstance(e, ir.ListExpr):
        return f"[{', '.join(r(i) for i in e.items)}]"
    if isinstance(e, ir.Unary):
        return f"{e.op.value}{sub(e.operand)}"
    if isinstance(e, ir.Binary | ir.Compare):
        text = f"{sub(e.left)} {e.op.value} {sub(e.right)}"
        tol = getattr(e, "tolerance", None)
        if tol is None:
            return text
        if tol.kind is ir.TolKind.MC:
            return f"{text} within mc(z = {tol.value:g})"
        unit = " relative" if tol.kind is ir.TolKind.REL else ""
        return f"{text} within {tol.value:g}{unit}"
    if isinstance(e, ir.BoolOp):
        return f" {e.op.value} ".join(sub(o) for o in e.operands)
    if isinstance(e, ir.Not):
        return f"not {sub(e.operand)}"
    if isinstance(e, ir.Implies):
        return f"{sub(e.left)} implies {sub(e.right)}"
    if isinstance(e, ir.Quantifier):
        dom = f" in {r(e.domain)}" if e.domain is not None else ""
        return f"for {e.kind.value} {', '.join(e.vars)}{dom}: {r(e.body)}"
    return type(e).__name__


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
    >>> format_value(2**200)
    '1.60693e+60 (an integer of 201 bits)'
    """
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, int | np.integer):
        n = int(v)
        if abs(n) < 10**30:
            return str(n)
        text = str(abs(n))  # at most limit("integer_bits") = 4096 bits: ~1233 digits
        sign = "-" if n < 0 else ""
        return f"{sign}{text[0]}.{text[1:digits]}e+{len(text) - 1} (an integer of {n.bit_length()} bits)"
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
