"""Printers: IR -> canonical DSL text, and :func:`format_expr` for a single expression.

The canonical form is what ``explainspec fmt`` writes: items in a fixed order, four-space
indentation, minimal parentheses, numbers that re-parse to the same value, prose wrapped at 100
columns (prose whitespace is not significant). Printing then parsing gives the same IR.
"""

from __future__ import annotations

import bisect
import re
import textwrap
from dataclasses import dataclass
from typing import Final

from explainspec.lang import ir

WIDTH: Final = 100
INDENT: Final = "    "

# Precedence levels, lowest binding first (see grammars/explainspec.lark).
(
    _QUANT,
    _IMPLIES,
    _OR,
    _AND,
    _NOT,
    _CMP,
    _UNION,
    _INTERSECT,
    _SUM,
    _TERM,
    _UNARY,
    _POW,
    _POSTFIX,
    _ATOM,
) = range(14)

_BIN_PREC: Final = {
    ir.BinOp.ADD: _SUM,
    ir.BinOp.SUB: _SUM,
    ir.BinOp.MUL: _TERM,
    ir.BinOp.DIV: _TERM,
    ir.BinOp.MATMUL: _TERM,
    ir.BinOp.POW: _POW,
    ir.BinOp.UNION: _UNION,
    ir.BinOp.INTERSECT: _INTERSECT,
}


def format_number(value: int | float | bool) -> str:
    """A numeric literal that re-parses to exactly ``value``.

    >>> format_number(1e-06), format_number(4096), format_number(0.5), format_number(1e16)
    ('1e-6', '4096', '0.5', '1e16')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = repr(float(value))
    # 1e-06 -> 1e-6, 1e+16 -> 1e16: the same float, closer to how people write it.
    return re.sub(r"e([+-]?)0*(\d)", lambda m: "e" + m.group(1).replace("+", "") + m.group(2), text)


_ESCAPE: Final = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def format_string(value: str) -> str:
    """A double-quoted string literal with ``\\`` escapes.

    >>> print(format_string('say "hi"'))
    "say \\"hi\\""
    """
    out = []
    for ch in value:
        if ch in _ESCAPE:
            out.append(_ESCAPE[ch])
        elif (
            not ch.isprintable()
        ):  # control characters, U+0085, U+2028 ...: invisible or line breaks
            code = ord(ch)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _prec(e: ir.Expr) -> int:
    if isinstance(e, ir.Quantifier | ir.With):
        return _QUANT
    if isinstance(e, ir.Implies):
        return _IMPLIES
    if isinstance(e, ir.BoolOp):
        return _OR if e.op is ir.BoolOpKind.OR else _AND
    if isinstance(e, ir.Not):
        return _NOT
    if isinstance(e, ir.Compare):
        return _CMP
    if isinstance(e, ir.Binary):
        return _BIN_PREC[e.op]
    if isinstance(e, ir.Unary):
        return _UNARY
    if isinstance(e, ir.Number) and not isinstance(e.value, bool) and e.value < 0:
        return _UNARY  # printed as "-1": binds like a unary minus
    if isinstance(e, ir.RangeExpr):
        return _QUANT  # only valid at the top of a value
    if isinstance(e, ir.Call | ir.Index | ir.Attribute):
        return _POSTFIX
    return _ATOM


def _sub(e: ir.Expr, min_prec: int) -> str:
    text = format_expr(e)
    return f"({text})" if _prec(e) < min_prec else text


def format_tolerance(t: ir.Tolerance) -> str:
    """``within 1e-6`` / ``within 1e-3 relative`` / ``within mc(z = 5)``."""
    value = float(t.value)
    num = (
        format_number(int(value))
        if value.is_integer() and abs(value) < 1e15
        else format_number(value)
    )
    if t.kind is ir.TolKind.ABS:
        return f"within {num}"
    if t.kind is ir.TolKind.REL:
        return f"within {num} relative"
    return f"within mc(z = {num})"


def _value(e: ir.Expr) -> str:
    """A value position (call argument, world field, parameter): ranges allowed."""
    if isinstance(e, ir.RangeExpr):
        return f"{_sub(e.lo, _SUM)}..{_sub(e.hi, _SUM)}"
    return format_expr(e)


def format_expr(expr: ir.Expr) -> str:
    """Print an expression with the fewest parentheses that keep its meaning.

    Parameters
    ----------
    expr : Expr
        Any IR expression node.

    Returns
    -------
    str
        Text that :func:`explainspec.lang.parse_expression` parses back to an equal expression.

    Examples
    --------
    >>> from explainspec.lang import parse_expression
    >>> format_expr(parse_expression("(a + (b * c)) - ((d))"))
    'a + b * c - d'
    >>> format_expr(parse_expression("(a - b) - (c - d)"))
    'a - b - (c - d)'
    """
    e = expr
    if isinstance(e, ir.Number):
        return format_number(e.value)
    if isinstance(e, ir.String):
        return format_string(e.value)
    if isinstance(e, ir.Bool):
        return "true" if e.value else "false"
    if isinstance(e, ir.Name):
        return e.id
    if isinstance(e, ir.Attribute):
        return f"{_sub(e.value, _POSTFIX)}.{e.attr}"
    if isinstance(e, ir.Call):
        parts = [_value(a) for a in e.args] + [f"{k.name} = {_value(k.value)}" for k in e.kwargs]
        return f"{_sub(e.func, _POSTFIX)}({', '.join(parts)})"
    if isinstance(e, ir.Index):
        items = [_slice(i) if isinstance(i, ir.Slice) else format_expr(i) for i in e.items]
        return f"{_sub(e.value, _POSTFIX)}[{', '.join(items)}]"
    if isinstance(e, ir.ListExpr):
        return f"[{', '.join(format_expr(i) for i in e.items)}]"
    if isinstance(e, ir.SetExpr):
        return f"{{{', '.join(format_expr(i) for i in e.items)}}}"
    if isinstance(e, ir.Comprehension):
        return f"[{format_expr(e.element)} for {e.var} in {_sub(e.domain, _OR)}]"
    if isinstance(e, ir.RangeExpr):
        return _value(e)
    if isinstance(e, ir.Unary):
        inner = _sub(e.operand, _UNARY)
        sep = " " if inner[:1] in "+-" else ""
        return f"{e.op.value}{sep}{inner}"
    if isinstance(e, ir.Binary):
        p = _BIN_PREC[e.op]
        if e.op is ir.BinOp.POW:  # right-associative; the base is a postfix expression
            return f"{_sub(e.left, _POSTFIX)} ** {_sub(e.right, _UNARY)}"
        return f"{_sub(e.left, p)} {e.op.value} {_sub(e.right, p + 1)}"
    if isinstance(e, ir.Compare):
        text = f"{_sub(e.left, _UNION)} {e.op.value} {_sub(e.right, _UNION)}"
        return f"{text} {format_tolerance(e.tolerance)}" if e.tolerance else text
    if isinstance(e, ir.BoolOp):
        p = _prec(e)
        return f" {e.op.value} ".join(_sub(o, p + 1) for o in e.operands)
    if isinstance(e, ir.Not):
        return f"not {_sub(e.operand, _NOT)}"
    if isinstance(e, ir.Implies):
        return f"{_sub(e.left, _OR)} implies {_sub(e.right, _IMPLIES)}"
    if isinstance(e, ir.Quantifier):
        dom = f" in {_sub(e.domain, _OR)}" if e.domain is not None else ""
        return f"for {e.kind.value} {', '.join(e.vars)}{dom}: {format_expr(e.body)}"
    if isinstance(e, ir.With):  # never written in a spec: the lets and the check, for messages
        lets = "".join(f"{format_let(b)}; " for b in e.lets)
        return f"{lets}check {format_expr(e.body)}"
    raise TypeError(f"format_expr: not an expression node: {type(e).__name__}")


def format_let(b: ir.Let) -> str:
    """``let name = value``."""
    return f"let {b.name} = {format_expr(b.value)}"


def _slice(s: ir.Slice) -> str:
    start = _sub(s.start, _SUM) if s.start is not None else ""
    stop = _sub(s.stop, _SUM) if s.stop is not None else ""
    text = f"{start}:{stop}"
    if s.step is not None:
        text += f":{_sub(s.step, _SUM)}"
    return text


# --------------------------------------------------------------------------- spec


def _prose(prefix: str, text: str, indent: str, suffix: str = "") -> list[str]:
    """``prefix "text"suffix``, wrapped at WIDTH with continuation lines under the text."""
    literal = format_string(text)
    one = f"{indent}{prefix}{literal}{suffix}"
    if len(one) <= WIDTH or " " not in text:
        return [one]
    hang = " " * (len(indent) + len(prefix) + 1)
    body = literal[1:-1]
    first_width = WIDTH - len(indent) - len(prefix) - 1
    lines = textwrap.wrap(
        body, width=max(first_width, 20), break_long_words=False, break_on_hyphens=False
    )
    # re-wrap the rest to the hanging width
    rest = textwrap.wrap(
        " ".join(lines[1:]),
        width=max(WIDTH - len(hang), 20),
        break_long_words=False,
        break_on_hyphens=False,
    )
    out = [f'{indent}{prefix}"{lines[0]}']
    out += [hang + r for r in rest]
    out[-1] += '"' + suffix
    return out


def _pos(span: ir.Span | None, *, end: bool = False) -> tuple[int, int] | None:
    """Where a node starts (or, with ``end``, where its closing bracket is) in its source."""
    if span is None or not span.line:
        return None
    if end:
        return (span.end_line, max(span.end_column - 1, 1)) if span.end_line else None
    return (span.line, span.column)


@dataclass(slots=True)
class _Unit:
    """Printed lines that belong to one source node: a leaf item (``method``, a world field,
    ``check`` ...), the header line(s) of a block, a block's closing brace, or a blank line.

    ``start`` is where the node was written (``None``: not from a DSL file, or a blank line);
    ``end`` is set for a leaf, whose span a comment can fall inside; ``indent`` is the indent
    of the comments written before the unit.
    """

    lines: list[str]
    start: tuple[int, int] | None = None
    end: tuple[int, int] | None = None
    indent: str = ""


def _leaf(lines: list[str], span: ir.Span | None, indent: str) -> _Unit:
    return _Unit(lines, _pos(span), _pos(span, end=True), indent)


def _block(head: str, block: ir.WorldBlock, indent: str) -> list[_Unit]:
    if not block.fields:
        return [_leaf([f"{indent}{head} {{}}"], block.span, indent)]
    inner = indent + INDENT
    return [
        _Unit([f"{indent}{head} {{"], _pos(block.span), None, indent),
        *(_leaf([f"{inner}{f.name} = {_value(f.value)}"], f.span, inner) for f in block.fields),
        _Unit([f"{indent}}}"], _pos(block.span, end=True), None, inner),
    ]


def format_method(m: ir.MethodRef) -> str:
    """``shap.kernel(nsamples = 4096)``."""
    if not m.params:
        return m.use
    return f"{m.use}({', '.join(f'{p.name} = {_value(p.value)}' for p in m.params)})"


def _assume(a: ir.Assumption, indent: str, *, end: bool = False) -> _Unit:
    """``assume NAME "text"`` with its ``check EXPR`` on the next line; ``end`` adds the ``;``
    that keeps a following claim ``check`` from being read as the assumption's condition."""
    lines = _prose(f"assume {a.name} ", a.text, indent, ";" if end and a.check is None else "")
    if a.check is not None:
        lines.append(f"{indent}{INDENT}check {format_expr(a.check)}")
    return _leaf(lines, a.span, indent)


def _claim(c: ir.Claim, indent: str) -> list[_Unit]:
    about = f"{c.about} " if c.about else ""
    head = _prose(f"claim {c.name} {c.kind.value} {about}", c.statement, indent, " {")
    inner = indent + INDENT
    out = [_Unit(head, _pos(c.span), None, indent)]
    before_check = c.world is None and not c.examples and not c.lets
    for k, a in enumerate(c.assumptions):
        out.append(_assume(a, inner, end=before_check and k == len(c.assumptions) - 1))
    if c.world is not None:
        out += _block("world", c.world, inner)
    for ex in c.examples:
        out += _block(f"example {ex.name}", ex.world, inner)
    out += [_leaf([f"{inner}{format_let(b)}"], b.span, inner) for b in c.lets]
    out.append(_leaf([f"{inner}check {format_expr(c.check)}"], c.check.span, inner))
    out.append(_Unit([f"{indent}}}"], _pos(c.span, end=True), None, inner))
    return out


def format_spec(spec: ir.Spec) -> str:
    """The canonical DSL text of a spec (what ``explainspec fmt`` writes).

    The spec's comments (``spec.comments``, collected by the parser) are written again next to
    the item they were written with: a comment on a line of its own before the item that follows
    it, a comment after code at the end of that item's line (see :func:`weave`).

    Parameters
    ----------
    spec : Spec

    Returns
    -------
    str
        Ends with a newline. ``parse(format_spec(s)) == s`` for every valid spec ``s``.
    """
    i = INDENT
    at = dict(spec.item_spans)
    blank = _Unit([""])
    units = [_Unit([f"spec {spec.name} {format_string(spec.title)} {{"], _pos(spec.span))]
    units.append(_leaf([f"{i}method = {format_method(spec.method)}"], spec.method.span, i))
    units.append(_leaf([f"{i}output = {spec.output.value}"], at.get("output"), i))
    if spec.estimates is not None:
        units.append(_leaf([f"{i}estimates = {spec.estimates}"], at.get("estimates"), i))
    if spec.references:
        refs = [format_string(r) for r in spec.references]
        one = f"{i}references = [{', '.join(refs)}]"
        lines = (
            [one]
            if len(one) <= WIDTH
            else [f"{i}references = [", *(f"{i}{i}{r}," for r in refs), f"{i}]"]
        )
        units.append(_leaf(lines, at.get("references"), i))
    units.append(blank)
    units.append(_leaf(_prose("question ", spec.question, i), at.get("question"), i))
    if spec.assumptions:
        units.append(blank)
        units += [_assume(a, i) for a in spec.assumptions]
    if spec.world is not None:
        units.append(blank)
        units += _block("world", spec.world, i)
    if spec.lets:
        units.append(blank)
        units += [_leaf([f"{i}{format_let(b)}"], b.span, i) for b in spec.lets]
    for c in spec.claims:
        units.append(blank)
        units += _claim(c, i)
    units.append(_Unit(["}"], _pos(spec.span, end=True), None, i))
    return "\n".join(weave(units, spec.comments)) + "\n"


def weave(units: list[_Unit], comments: tuple[ir.Comment, ...]) -> list[str]:
    """The lines of ``units`` with every comment written back next to its node.

    The rules use only where things were written, so they hold for any item the printer prints
    as a unit, including ones the grammar gains later:

    - a comment inside a leaf's extent (between ``method = m(`` and ``)``, inside a check written
      over several lines) stays with that leaf: before it when it had a line of its own, at the
      end of its (last) line otherwise;
    - any other comment on a line of its own goes before the first node written after it (or at
      the end of the file), with that node's indent;
    - a comment after code goes at the end of the last line of the last node that starts before
      it (so ``world {  # note`` keeps its note on the header line).
    """
    if not comments:
        return [line for u in units for line in u.lines]
    placed = sorted((u.start, k) for k, u in enumerate(units) if u.start is not None)
    starts = [p for p, _ in placed]
    before: dict[int, list[str]] = {}
    after: dict[int, list[str]] = {}
    tail: list[str] = []
    for c in comments:
        pos = (c.span.line, c.span.column)
        k = next(
            (
                k
                for p, k in placed
                if units[k].end is not None and p <= pos <= units[k].end  # type: ignore[operator]
            ),
            None,
        )
        if k is not None:
            (before if c.own_line else after).setdefault(k, []).append(c.text)
            continue
        n = bisect.bisect_right(starts, pos)
        if c.own_line:
            if n < len(placed):
                before.setdefault(placed[n][1], []).append(c.text)
            else:
                tail.append(c.text)
        elif n > 0:
            after.setdefault(placed[n - 1][1], []).append(c.text)
        else:
            before.setdefault(placed[0][1] if placed else 0, []).append(c.text)
    out: list[str] = []
    for k, u in enumerate(units):
        out += [u.indent + text for text in before.get(k, ())]
        lines = list(u.lines)
        if k in after:
            lines[-1] = "  ".join([lines[-1], *after[k]])
        out += lines
    return out + tail
