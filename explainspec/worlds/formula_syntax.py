"""The syntax of formulas (numpy-free): nodes, parsing from the spec language, printing.

A formula is a function given as an expression over ``x0, x1, ...``: numbers, ``+ - * / **``,
the one-argument functions :data:`FUNCTION_NAMES` and ``max``/``min``. :func:`from_ir` converts
the spec IR of an expression into these nodes and rejects everything else; nothing is ever
passed to ``eval``. Values and gradients are computed by :mod:`explainspec.worlds.symbolic`
(numpy); this module is what ``explainspec check`` needs to validate a ``formula("...")``
without importing numpy.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

#: The one-argument functions a formula may use (their values: ``symbolic.FUNCTIONS``).
FUNCTION_NAMES: Final = ("sin", "cos", "exp", "tanh", "abs", "relu", "step")

_VAR = re.compile(r"^x(0|[1-9][0-9]*)$")


class FormulaError(ValueError):
    """A formula uses something outside the whitelist (the message says what and where)."""

    def __init__(self, message: str, span: Any = None) -> None:
        super().__init__(message)
        self.span = span


# --------------------------------------------------------------------------- nodes


@dataclass(frozen=True, slots=True)
class Const:
    value: float


@dataclass(frozen=True, slots=True)
class Var:
    index: int


@dataclass(frozen=True, slots=True)
class Add:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Sub:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Mul:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Div:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Pow:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Node


@dataclass(frozen=True, slots=True)
class Apply:
    name: str
    arg: Node


@dataclass(frozen=True, slots=True)
class Extremum:
    """``max(a, b, ...)`` (``is_max``) or ``min(a, b, ...)``."""

    is_max: bool
    args: tuple[Node, ...]


Node = Const | Var | Add | Sub | Mul | Div | Pow | Neg | Apply | Extremum

_BIN = {Add: "+", Sub: "-", Mul: "*", Div: "/", Pow: "**"}
_PREC = {Add: 1, Sub: 1, Mul: 2, Div: 2, Neg: 3, Pow: 4}


def variables(node: Node) -> frozenset[int]:
    """Indices of the variables occurring in ``node``."""
    if isinstance(node, Var):
        return frozenset({node.index})
    if isinstance(node, Const):
        return frozenset()
    if isinstance(node, Neg):
        return variables(node.operand)
    if isinstance(node, Apply):
        return variables(node.arg)
    if isinstance(node, Extremum):
        return frozenset().union(*(variables(a) for a in node.args))
    return variables(node.left) | variables(node.right)


def number_text(v: float) -> str:
    """Shortest readable text of a number: ``2`` for 2.0, ``0.5``, ``-1.25``."""
    v = float(v)
    if math.isfinite(v) and v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def to_text(node: Node) -> str:
    """The formula text of ``node`` (re-parseable by the spec language's expression grammar)."""
    return _text(node, 0)


def _text(node: Node, ctx: int) -> str:
    if isinstance(node, Const):
        s = number_text(node.value)
        return f"({s})" if node.value < 0 and ctx > 1 else s
    if isinstance(node, Var):
        return f"x{node.index}"
    if isinstance(node, Apply):
        return f"{node.name}({_text(node.arg, 0)})"
    if isinstance(node, Extremum):
        name = "max" if node.is_max else "min"
        return f"{name}({', '.join(_text(a, 0) for a in node.args)})"
    prec = _PREC[type(node)]
    if isinstance(node, Neg):
        # -(a*b) == (-a)*b, so a product needs no parentheses after a unary minus
        inner = _PREC[Mul] if isinstance(node.operand, Mul | Div) else prec
        s = "-" + _text(node.operand, inner)
    elif isinstance(node, Pow):
        # right-associative; parenthesize the base at equal precedence
        s = f"{_text(node.left, prec + 1)}**{_text(node.right, prec)}"
    else:
        op = _BIN[type(node)]
        right_ctx = prec + 1 if isinstance(node, Sub | Div) else prec
        sep = "*" if op == "*" else f" {op} "
        s = f"{_text(node.left, prec)}{sep}{_text(node.right, right_ctx)}"
    return f"({s})" if prec < ctx else s


# --------------------------------------------------------------------------- evaluation

# --------------------------------------------------------------------------- from the spec IR


def from_ir(expr: Any) -> Node:
    """Convert an IR expression (``explainspec.lang.ir``) into a whitelisted formula node.

    Raises
    ------
    FormulaError
        For anything outside the whitelist, naming the offending construct and its location.
    """
    from explainspec.lang import ir

    def bad(what: str, node: Any) -> FormulaError:
        allowed = ", ".join([*FUNCTION_NAMES, "max", "min"])
        return FormulaError(
            f"formula: {what} is not allowed; a formula may use numbers, x0, x1, ..., "
            f"+ - * / ** and the functions {allowed}",
            getattr(node, "span", None),
        )

    def conv(e: Any) -> Node:
        if isinstance(e, ir.Number):
            return Const(float(e.value))
        if isinstance(e, ir.Name):
            m = _VAR.match(e.id)
            if m is None:
                raise bad(f"the name {e.id!r}", e)
            return Var(int(m.group(1)))
        if isinstance(e, ir.Unary):
            inner = conv(e.operand)
            return Neg(inner) if e.op == ir.UnaryOp.NEG else inner
        if isinstance(e, ir.Binary):
            ops: dict[ir.BinOp, Callable[[Node, Node], Node]] = {
                ir.BinOp.ADD: Add,
                ir.BinOp.SUB: Sub,
                ir.BinOp.MUL: Mul,
                ir.BinOp.DIV: Div,
                ir.BinOp.POW: Pow,
            }
            if e.op not in ops:
                raise bad(f"the operator {e.op.value!r}", e)
            return ops[e.op](conv(e.left), conv(e.right))
        if isinstance(e, ir.Call):
            if not isinstance(e.func, ir.Name):
                raise bad("a call of an attribute", e)
            if e.kwargs:
                raise bad(f"keyword arguments to {e.func.id}()", e)
            name = e.func.id
            if name in ("max", "min"):
                if len(e.args) < 2:
                    raise bad(f"{name}() with fewer than two arguments", e)
                return Extremum(name == "max", tuple(conv(a) for a in e.args))
            if name not in FUNCTION_NAMES:
                raise bad(f"the function {name!r}", e)
            if len(e.args) != 1:
                raise bad(f"{name}() with {len(e.args)} arguments (expected 1)", e)
            return Apply(name, conv(e.args[0]))
        raise bad(f"the construct {type(e).__name__}", e)

    return conv(expr)


#: formulas parsed (or refused) already, by ``(text, base)``: a world every claim inherits, or one
#: YAML alias used by every claim, is resolved once per claim; without this a 10 000-character
#: formula was parsed again for each of 1 000 claims (80 s of ``explainspec check`` for a 70 kB
#: spec). Bounded: cleared when it holds more than ``_PARSED_MAX`` formulas.
_PARSED: dict[tuple[str, Any], Node | FormulaError] = {}
_PARSED_MAX: Final = 256


def parse(text: str, *, base: Any = None) -> Node:
    """Parse formula text with the spec language's expression parser, then :func:`from_ir`.

    ``base`` (a span) is where the text starts inside a spec file: errors point there. The
    outcome (the tree, or the refusal) is kept: the same text at the same place is parsed once.
    """
    path = getattr(base, "path", None)  # a YAML span's $.path: one alias, many paths
    key = (text, dataclasses.replace(base, path=None) if path is not None else base)
    known = _PARSED.get(key)
    if known is None:
        try:
            known = _parse(text, base=base)
        except FormulaError as exc:
            known = exc
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = known
    if isinstance(known, FormulaError):
        span = known.span
        if path is not None and getattr(span, "path", None) is not None:
            span = dataclasses.replace(span, path=path)
        raise FormulaError(str(known), span)
    return known


def _parse(text: str, *, base: Any = None) -> Node:
    try:
        from explainspec.lang.diagnostics import SpecError
        from explainspec.lang.parser import parse_expression
    except ImportError as exc:  # the language room provides it
        raise FormulaError(
            "formula(...) needs explainspec.lang.parse_expression, which is not available"
        ) from exc
    try:
        tree = parse_expression(text, base=base)
    except SpecError as exc:  # a syntax error: keep the first message and its place
        first = exc.diagnostics[0] if exc.diagnostics else None
        message = first.message if first is not None else str(exc)
        raise FormulaError(f"formula {text!r}: {message}", getattr(first, "span", None)) from None
    except FormulaError:
        raise
    except Exception as exc:  # anything else from the parser: keep its message
        raise FormulaError(f"formula {text!r}: {exc}") from exc
    return from_ir(tree)


def relabel(node: Node, mapping: dict[int, int]) -> Node:
    """``node`` with every variable ``x_i`` renamed to ``x_mapping[i]`` (others unchanged)."""
    if isinstance(node, Var):
        return Var(mapping.get(node.index, node.index))
    if isinstance(node, Const):
        return node
    if isinstance(node, Neg):
        return Neg(relabel(node.operand, mapping))
    if isinstance(node, Apply):
        return Apply(node.name, relabel(node.arg, mapping))
    if isinstance(node, Extremum):
        return Extremum(node.is_max, tuple(relabel(a, mapping) for a in node.args))
    return type(node)(relabel(node.left, mapping), relabel(node.right, mapping))


def uses_step(node: Node) -> bool:
    """Whether ``node`` contains a discontinuity (``step``) or a division."""
    if isinstance(node, Var | Const):
        return False
    if isinstance(node, Neg):
        return uses_step(node.operand)
    if isinstance(node, Apply):
        return node.name == "step" or uses_step(node.arg)
    if isinstance(node, Extremum):
        return any(uses_step(a) for a in node.args)
    return isinstance(node, Div) or uses_step(node.left) or uses_step(node.right)
