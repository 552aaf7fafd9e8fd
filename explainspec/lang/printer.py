"""Printers: IR -> canonical DSL text, and :func:`format_expr` for a single expression.

The canonical form is what ``explainspec fmt`` writes: items in a fixed order, four-space
indentation, minimal parentheses, numbers that re-parse to the same value, prose wrapped at 100
columns (prose whitespace is not significant). Printing then parsing gives the same IR.
"""

from __future__ import annotations

import re
import textwrap
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


def _fields(block: ir.WorldBlock, indent: str) -> list[str]:
    return [f"{indent}{f.name} = {_value(f.value)}" for f in block.fields]


def _block(head: str, block: ir.WorldBlock, indent: str) -> list[str]:
    if not block.fields:
        return [f"{indent}{head} {{}}"]
    return [f"{indent}{head} {{", *_fields(block, indent + INDENT), f"{indent}}}"]


def format_method(m: ir.MethodRef) -> str:
    """``shap.kernel(nsamples = 4096)``."""
    if not m.params:
        return m.use
    return f"{m.use}({', '.join(f'{p.name} = {_value(p.value)}' for p in m.params)})"


def _claim(c: ir.Claim, indent: str) -> list[str]:
    about = f"{c.about} " if c.about else ""
    out = _prose(f"claim {c.name} {c.kind.value} {about}", c.statement, indent, " {")
    inner = indent + INDENT
    for a in c.assumptions:
        out += _prose(f"assume {a.name} ", a.text, inner)
    if c.world is not None:
        out += _block("world", c.world, inner)
    for ex in c.examples:
        out += _block(f"example {ex.name}", ex.world, inner)
    out += [f"{inner}{format_let(b)}" for b in c.lets]
    out.append(f"{inner}check {format_expr(c.check)}")
    out.append(f"{indent}}}")
    return out


def format_spec(spec: ir.Spec) -> str:
    """The canonical DSL text of a spec (what ``explainspec fmt`` writes).

    Parameters
    ----------
    spec : Spec

    Returns
    -------
    str
        Ends with a newline. ``parse(format_spec(s)) == s`` for every valid spec ``s``.
    """
    i = INDENT
    out = [f"spec {spec.name} {format_string(spec.title)} {{"]
    out.append(f"{i}method = {format_method(spec.method)}")
    out.append(f"{i}output = {spec.output.value}")
    if spec.estimates is not None:
        out.append(f"{i}estimates = {spec.estimates}")
    if spec.references:
        refs = [format_string(r) for r in spec.references]
        one = f"{i}references = [{', '.join(refs)}]"
        if len(one) <= WIDTH:
            out.append(one)
        else:
            out += [f"{i}references = [", *(f"{i}{i}{r}," for r in refs), f"{i}]"]
    out.append("")
    out += _prose("question ", spec.question, i)
    if spec.assumptions:
        out.append("")
        for a in spec.assumptions:
            out += _prose(f"assume {a.name} ", a.text, i)
    if spec.world is not None:
        out.append("")
        out += _block("world", spec.world, i)
    if spec.lets:
        out.append("")
        out += [f"{i}{format_let(b)}" for b in spec.lets]
    for c in spec.claims:
        out.append("")
        out += _claim(c, i)
    out.append("}")
    return "\n".join(out) + "\n"
