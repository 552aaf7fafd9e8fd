"""The IR builder of the DSL parser: one method per grammar rule, called by lark's LALR parser
while it reduces (lark's tree-less mode), so no parse tree is built and walked a second time.

:mod:`explainspec.lang.parser` owns the parser, its error messages and the entry points; this
module owns what each rule builds, with spans, and the checks of literals (``ES111`` over the
limits ``integer_digits``, ``string_chars`` and ``literal_items``; ``ES109`` lone surrogates and
control characters).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Final

from lark import Lark, Token

from explainspec.catalog.limits import limit
from explainspec.lang import ir
from explainspec.lang.diagnostics import Diagnostic, control

_DIGITS: Final = limit("integer_digits")
_CHARS: Final = limit("string_chars")
_ITEMS: Final = limit("literal_items")
#: A lone surrogate (U+D800..U+DFFF): not a character, and not encodable as UTF-8. Compiled on
#: first use (compiling the range costs milliseconds in every process; ASCII text never needs it).
_SURROGATE: re.Pattern[str] | None = None


def _surrogate(text: str) -> re.Match[str] | None:
    global _SURROGATE
    if text.isascii():
        return None
    if _SURROGATE is None:
        _SURROGATE = re.compile("[\ud800-\udfff]")
    return _SURROGATE.search(text)


def text_problem(text: str) -> tuple[str, str, str | None] | None:
    """``(code, message, hint)`` when a string literal's text is over ``string_chars``
    (ES111), holds a lone surrogate or a control character (ES109); ``None`` when it is fine.

    A control character (:func:`~explainspec.lang.diagnostics.control`: C0 but tab, newline and
    carriage return, DEL, C1, the bidirectional overrides) is not prose: printed to a terminal it
    is a command to the terminal (``ESC [8m`` hides what follows, ``ESC [2K`` erases a line), in a
    JUnit report it is invalid XML, and a bidirectional override shows text in another order.
    """
    if len(text) > _CHARS:
        return (
            "ES111",
            f"a string of {len(text)} characters; the limit is string_chars = {_CHARS}",
            None,
        )
    bad = _surrogate(text)
    if bad is not None:
        return (
            "ES109",
            f"the string holds a lone surrogate U+{ord(bad.group()):04X}, which is not a character",
            "write the character itself, or its code point as \\UXXXXXXXX",
        )
    bad = control(text)
    if bad is not None:
        return (
            "ES109",
            f"the string holds the control character U+{ord(bad.group()):04X}, which is not text",
            "a spec's strings are text: remove it (tab, newline and carriage return are allowed)",
        )
    return None


# --------------------------------------------------------------------------- helpers


def normalize_prose(text: str) -> str:
    """Collapse whitespace runs (including newlines) to single spaces and strip the ends.

    Titles, questions, statements, assumption texts and references are prose: a DSL string that
    spans lines and a YAML folded string give the same IR.

    >>> normalize_prose("  How much does\\n      each feature  contribute? ")
    'How much does each feature contribute?'
    """
    return " ".join(text.split())


_ESCAPES: Final = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE_RE: Final = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)


def _token_span(tok: Token, file: str | None) -> ir.Span:
    return ir.Span(
        file=file,
        line=tok.line or 0,
        column=tok.column or 0,
        end_line=tok.end_line or 0,
        end_column=tok.end_column or 0,
    )


def output_kind(name: str, span: ir.Span | None) -> tuple[ir.OutputKind, Diagnostic | None]:
    """The :class:`~explainspec.lang.ir.OutputKind` named ``name``, or a placeholder and ES211."""
    try:
        return ir.OutputKind(name), None
    except ValueError:
        import difflib

        known = [k.value for k in ir.OutputKind]
        close = difflib.get_close_matches(name, known, n=1)
        message = (
            f"unknown output kind {name!r}."
            + (f" Did you mean {close[0]!r}?" if close else "")
            + f" Known output kinds: {', '.join(known)}"
        )
        return ir.OutputKind.ATTRIBUTION, Diagnostic("ES211", message, span)


# --------------------------------------------------------------------------- builder
#
# Each grammar rule that lark does not inline has a method here, called by the parser with the
# rule's children: every token (keywords and brackets too, as ``keep_all_tokens`` is on), ``None``
# for a missing ``[optional]``, and for a sub-rule the record it returned. A record is a tuple
# ``(value, depth, where)``: the IR value (or a ``(tag, value, span)`` item of a spec or claim),
# the depth the lark tree of that rule would have, and the extent (a Span, or a Token: anything
# with line, column, end_line, end_column) its parent's span starts or ends with.

_Rec = tuple  # (value, depth, where)


def _depth(children: list[Any]) -> int:
    """1 + the deepest record among ``children``."""
    best = 0
    for c in children:
        if type(c) is tuple and c[1] > best:
            best = c[1]
    return best + 1


def _values(children: list[Any]) -> list[Any]:
    """The values of the records among ``children`` (tokens and placeholders dropped)."""
    return [c[0] for c in children if type(c) is tuple]


def _binary(op: ir.BinOp) -> Any:
    """The builder method of a binary operator rule (``sum "+" term -> add``)."""

    def build(self: _Builder, c: list[Any]) -> _Rec:
        left, right = c[0], c[2]
        span = self._span(c)
        node = ir.Binary(op=op, left=left[0], right=right[0], span=span)
        return node, max(left[1], right[1]) + 1, span

    return build


class _Builder:
    """Builds IR during the parse. One instance per process, bound to :attr:`parser`; it holds
    the file name and the diagnostics of the parse in progress (see :func:`_parse`)."""

    parser: Lark

    def __init__(self) -> None:
        self.file: str | None = None
        self.diagnostics: list[Diagnostic] = []
        #: items of the list literals built so far that contain lists (by id), see :meth:`list`
        self.sizes: dict[int, int] = {}
        #: the comment tokens the lexer has read in the parse in progress (never replaced)
        self.comments: list[Token] = []

    # ---- utilities

    def _span(self, children: list[Any]) -> ir.Span:
        """The span from the first to the last child (placeholders skipped)."""
        first = children[0]
        if first is None:
            first = next(c for c in children if c is not None)
        last = children[-1]
        if last is None:
            last = next(c for c in reversed(children) if c is not None)
        if type(first) is tuple:
            first = first[2]
        if type(last) is tuple:
            last = last[2]
        return ir.Span(
            file=self.file,
            line=first.line,
            column=first.column,
            end_line=last.end_line,
            end_column=last.end_column,
        )

    def comment(self, tok: Token) -> None:
        """The lexer's callback for a comment: kept (for ``fmt``), and refused (ES103, at the
        character) when it holds a control character: ``fmt`` and ``convert`` print comments,
        and one would be a command to the terminal (see :func:`text_problem`)."""
        self.comments.append(tok)
        bad = control(str(tok))
        if bad is not None:
            span = self._tspan(tok)
            at = span.column + bad.start()
            self._error(
                "ES103",
                f"unexpected character {bad.group()!r} in a comment",
                dataclasses.replace(span, column=at, end_line=span.line, end_column=at + 1),
                "a spec file is text: remove the control character",
            )

    def _tspan(self, tok: Token) -> ir.Span:
        return _token_span(tok, self.file)

    def _error(
        self, code: str, message: str, span: ir.Span | None, hint: str | None = None
    ) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, hint))

    def _collect(
        self, items: list[Any], owner: str, repeatable: tuple[str, ...]
    ) -> tuple[dict[str, tuple[Any, ir.Span | None]], dict[str, list[Any]]]:
        """Sort ``(tag, value, span)`` items into single ones (ES108 when repeated) and lists."""
        single: dict[str, tuple[Any, ir.Span | None]] = {}
        many: dict[str, list[Any]] = {tag: [] for tag in repeatable}
        for tag, value, item_span in items:
            if tag in many:
                many[tag].append(value)
            elif tag in single:
                first = single[tag][1]
                self._error(
                    "ES108",
                    f"`{tag}` is given twice in {owner}",
                    item_span,
                    f"the first `{tag}` is at line {first.line if first else '?'}; keep one"
                    + (" (combine checks with `and`)" if tag == "check" else ""),
                )
            else:
                single[tag] = (value, item_span)
        return single, many

    def _string(self, tok: Token) -> str:
        body = tok.value[1:-1]
        if "\\" in body:

            def unescape(m: re.Match[str]) -> str:
                ch = m.group(1)
                if ch in _ESCAPES:
                    return _ESCAPES[ch]
                if len(ch) > 1 and int(ch[1:], 16) <= 0x10FFFF:
                    return chr(int(ch[1:], 16))
                self._error(
                    "ES109",
                    f"unknown escape '\\{ch}' in a string",
                    self._tspan(tok),
                    'the escapes are \\" \\\\ \\n \\t \\r \\uXXXX \\UXXXXXXXX',
                )
                return ch

            body = _ESCAPE_RE.sub(unescape, body)
        problem = text_problem(body)
        if problem is not None:
            self._error(*problem[:2], self._tspan(tok), problem[2])
            return ""
        return body

    def _prose(self, tok: Token) -> str:
        return normalize_prose(self._string(tok))

    def _number_value(self, tok: Token) -> int | float:
        text = tok.value
        if "." in text or "e" in text or "E" in text:
            value = float(text)
            if value == _INF:
                self._error("ES109", f"the number {text[:40]!r} is too large", self._tspan(tok))
                return 0
            return value
        if len(text) > _DIGITS:
            self._error(
                "ES111",
                f"an integer of {len(text)} digits; the limit is integer_digits = {_DIGITS}",
                self._tspan(tok),
                "write a large number with an exponent, e.g. 1e30",
            )
            return 0
        return int(text)

    # ---- start rules

    def start(self, c: list[Any]) -> _Rec:
        value, depth, where = c[0]
        return value, depth + 1, where

    expr_start = start
    value_start = start

    # ---- spec structure

    def spec(self, c: list[Any]) -> _Rec:
        name_tok, title_tok = c[1], c[2]
        items = _values(c[4:-1])
        span = self._span(c)
        single, many = self._collect(items, f"spec {name_tok.value!r}", ("assume", "claim", "let"))
        assumptions, claims = many["assume"], many["claim"]
        references = single.get("references", ([], None))[0]
        for tag, example in (
            ("method", "method = shap.kernel(nsamples = 4096)"),
            ("output", "output = attribution"),
            ("question", 'question "What does the method tell a user?"'),
        ):
            if tag not in single:
                self._error(
                    "ES107",
                    f"spec {name_tok.value!r} has no `{tag}`",
                    self._tspan(name_tok),
                    f"add a line like `{example}`",
                )
        method = single.get("method", (ir.MethodRef(use=""), None))[0]
        output = single.get("output", (ir.OutputKind.ATTRIBUTION, None))[0]
        spec = ir.Spec(
            name=name_tok.value,
            title=self._prose(title_tok),
            method=method,
            output=output,
            question=single.get("question", ("", None))[0],
            claims=tuple(claims),
            estimates=single.get("estimates", (None, None))[0],
            references=tuple(references),
            assumptions=tuple(assumptions),
            world=single.get("world", (None, None))[0],
            lets=tuple(many["let"]),
            span=span,
            item_spans=tuple(
                (tag, where)
                for tag, (_, where) in single.items()
                if where is not None and tag in ("output", "estimates", "references", "question")
            ),
        )
        return spec, _depth(c), span

    def method(self, c: list[Any]) -> _Rec:
        # "method" "=" dotted_name ["(" [param ("," param)* [","]] ")"]
        span = self._span(c)
        ref = ir.MethodRef(use=c[2][0], params=tuple(_values(c[3:])), span=span)
        return ("method", ref, span), _depth(c), span

    def dotted_name(self, c: list[Token]) -> _Rec:
        # NAME ("." NAME)*
        return ".".join(t.value for t in c[::2]), 1, self._span(c)

    def param(self, c: list[Any]) -> _Rec:
        span = self._span(c)
        return ir.Param(name=c[0].value, value=c[2][0], span=span), c[2][1] + 1, span

    def output(self, c: list[Token]) -> _Rec:
        tok = c[2]
        kind, problem = output_kind(tok.value, self._tspan(tok))
        if problem is not None:
            self.diagnostics.append(problem)
        span = self._span(c)
        return ("output", kind, span), 1, span

    def estimates(self, c: list[Token]) -> _Rec:
        span = self._span(c)
        return ("estimates", c[2].value, span), 1, span

    def references(self, c: list[Any]) -> _Rec:
        # "references" "=" "[" [STRING ("," STRING)* [","]] "]"
        texts = [self._prose(t) for t in c[3:-1] if t is not None and t.type == "STRING"]
        span = self._span(c)
        return ("references", texts, span), 1, span

    def question(self, c: list[Token]) -> _Rec:
        span = self._span(c)
        return ("question", self._prose(c[1]), span), 1, span

    def assume(self, c: list[Any]) -> _Rec:
        # "assume" NAME STRING ["check" expr]
        span = self._span(c)
        condition = next((x for x in c[3:] if type(x) is tuple), None)
        item = ir.Assumption(
            name=c[1].value,
            text=self._prose(c[2]),
            check=condition[0] if condition is not None else None,
            span=span,
        )
        return ("assume", item, span), (condition[1] + 1 if condition else 1), span

    def world(self, c: list[Any]) -> _Rec:
        span = self._span(c)
        return ("world", ir.WorldBlock(fields=tuple(_values(c)), span=span), span), _depth(c), span

    def field(self, c: list[Any]) -> _Rec:
        span = self._span(c)
        return ir.WorldField(name=c[0].value, value=c[2][0], span=span), c[2][1] + 1, span

    def example(self, c: list[Any]) -> _Rec:
        # "example" NAME "{" _field_item* "}"
        span = self._span(c)
        block = ir.WorldBlock(fields=tuple(_values(c)), span=span)
        return (
            ("example", ir.Example(name=c[1].value, world=block, span=span), span),
            _depth(c),
            span,
        )

    def let(self, c: list[Any]) -> _Rec:
        # "let" NAME "=" expr
        span = self._span(c)
        item = ir.Let(name=c[1].value, value=c[3][0], span=span)
        return ("let", item, span), c[3][1] + 1, span

    def check(self, c: list[Any]) -> _Rec:
        span = self._span(c)
        return ("check", c[1][0], span), c[1][1] + 1, span

    def claim(self, c: list[Any]) -> _Rec:
        # "claim" NAME CLAIM_KIND [NAME] STRING "{" _claim_item* "}"
        name_tok, kind_tok, about_tok, statement_tok = c[1], c[2], c[3], c[4]
        span = self._span(c)
        single, many = self._collect(
            _values(c[6:-1]), f"claim {name_tok.value!r}", ("assume", "example", "let")
        )
        assumptions, examples = many["assume"], many["example"]
        took = [i for i, a in enumerate(assumptions) if a.check is not None]
        if "check" not in single and took:
            # `assume NAME "text"` then the claim's `check` (a spec written before assumptions
            # had conditions): the parser gave that check to the assumption; a claim needs its
            # check, so the last such check is the claim's, as it always was
            i = took[-1]
            a = assumptions[i]
            single["check"] = (a.check, a.check.span if a.check is not None else None)
            assumptions = [
                *assumptions[:i],
                dataclasses.replace(a, check=None),
                *assumptions[i + 1 :],
            ]
        if "check" not in single:
            self._error(
                "ES107",
                f"claim {name_tok.value!r} has no `check`",
                self._tspan(name_tok),
                "add a line like `check sum(phi) == f(x) - mean(f(background)) within 1e-6`",
            )
        claim = ir.Claim(
            name=name_tok.value,
            kind=ir.ClaimKind(kind_tok.value),
            statement=self._prose(statement_tok),
            check=single.get("check", (ir.Bool(value=True), None))[0],
            about=about_tok.value if about_tok is not None else None,
            assumptions=tuple(assumptions),
            world=single.get("world", (None, None))[0],
            examples=tuple(examples),
            lets=tuple(many["let"]),
            span=span,
        )
        return ("claim", claim, span), _depth(c), span

    # ---- expressions

    def atom(self, c: list[Any]) -> _Rec:
        # "(" expr ")": lark inlines the expression, whose extent becomes its parentheses
        value, depth, _ = c[1]
        return value, depth, self._span(c)

    def range(self, c: list[Any]) -> _Rec:
        lo, hi = c[0], c[2]
        span = self._span(c)
        return ir.RangeExpr(lo=lo[0], hi=hi[0], span=span), max(lo[1], hi[1]) + 1, span

    def quantifier(self, c: list[Any]) -> _Rec:
        # "for" QUANT NAME ("," NAME)* ["in" disjunction] ":" expr
        records = [x for x in c if type(x) is tuple]
        body = records[-1]
        domain = records[0][0] if len(records) > 1 else None
        names = tuple(t.value for t in c[2:] if type(t) is Token and t.type == "NAME")
        span = self._span(c)
        node = ir.Quantifier(
            kind=ir.QuantKind(c[1].value), vars=names, body=body[0], domain=domain, span=span
        )
        return node, _depth(records), span

    def implies(self, c: list[Any]) -> _Rec:
        left, right = c[0], c[2]
        span = self._span(c)
        return ir.Implies(left=left[0], right=right[0], span=span), max(left[1], right[1]) + 1, span

    def or_(self, c: list[Any]) -> _Rec:
        span = self._span(c)
        return (
            ir.BoolOp(op=ir.BoolOpKind.OR, operands=tuple(_values(c)), span=span),
            _depth(c),
            span,
        )

    def and_(self, c: list[Any]) -> _Rec:
        span = self._span(c)
        node = ir.BoolOp(op=ir.BoolOpKind.AND, operands=tuple(_values(c)), span=span)
        return node, _depth(c), span

    def not_(self, c: list[Any]) -> _Rec:
        span = self._span(c)
        return ir.Not(operand=c[1][0], span=span), c[1][1] + 1, span

    def compare(self, c: list[Any]) -> _Rec:
        # sum COMP_OP sum [tolerance]
        left, op, right, tol = c
        span = self._span(c)
        node = ir.Compare(
            op=ir.CmpOp(op.value),
            left=left[0],
            right=right[0],
            tolerance=tol[0] if tol is not None else None,
            span=span,
        )
        return node, _depth(c), span

    def tol_abs(self, c: list[Token]) -> _Rec:
        span = self._span(c)
        value = float(self._number_value(c[1]))
        return ir.Tolerance(kind=ir.TolKind.ABS, value=value, span=span), 1, span

    def tol_rel(self, c: list[Token]) -> _Rec:
        span = self._span(c)
        value = float(self._number_value(c[1]))
        return ir.Tolerance(kind=ir.TolKind.REL, value=value, span=span), 1, span

    def tol_mc(self, c: list[Any]) -> _Rec:
        # "within" "mc" "(" ["z" "=" NUMBER] ")"
        z = next((t for t in c if t is not None and t.type == "NUMBER"), None)
        value = 5.0 if z is None else float(self._number_value(z))
        span = self._span(c)
        return ir.Tolerance(kind=ir.TolKind.MC, value=value, span=span), 1, span

    def member(self, c: list[Any]) -> _Rec:
        # set_union "in" set_union
        return self._membership(ir.CmpOp.IN, c[0], c[2], c)

    def not_member(self, c: list[Any]) -> _Rec:
        # set_union "not" "in" set_union
        return self._membership(ir.CmpOp.NOT_IN, c[0], c[3], c)

    def _membership(self, op: ir.CmpOp, left: Any, right: Any, c: list[Any]) -> _Rec:
        span = self._span(c)
        node = ir.Compare(op=op, left=left[0], right=right[0], span=span)
        return node, max(left[1], right[1]) + 1, span

    def comprehension(self, c: list[Any]) -> _Rec:
        # "[" expr "for" NAME "in" disjunction "]"
        span = self._span(c)
        node = ir.Comprehension(element=c[1][0], var=c[3].value, domain=c[5][0], span=span)
        return node, max(c[1][1], c[5][1]) + 1, span

    def set(self, c: list[Any]) -> _Rec:
        # "{" [expr ("," expr)* [","]] "}"
        span = self._span(c)
        items = tuple(_values(c))
        if len(items) > _ITEMS:
            self._error(
                "ES111",
                f"a set of {len(items)} items; the limit is literal_items = {_ITEMS}",
                span,
            )
        return ir.SetExpr(items=items, span=span), _depth(c), span

    add = _binary(ir.BinOp.ADD)
    union = _binary(ir.BinOp.UNION)
    intersect = _binary(ir.BinOp.INTERSECT)
    sub = _binary(ir.BinOp.SUB)
    mul = _binary(ir.BinOp.MUL)
    div = _binary(ir.BinOp.DIV)
    matmul = _binary(ir.BinOp.MATMUL)
    pow = _binary(ir.BinOp.POW)

    def neg(self, c: list[Any]) -> _Rec:
        span = self._span(c)
        return ir.Unary(op=ir.UnaryOp.NEG, operand=c[1][0], span=span), c[1][1] + 1, span

    def pos(self, c: list[Any]) -> _Rec:
        span = self._span(c)
        return ir.Unary(op=ir.UnaryOp.POS, operand=c[1][0], span=span), c[1][1] + 1, span

    def call(self, c: list[Any]) -> _Rec:
        # postfix "(" [arguments] ")"
        func, arguments = c[0], c[2]
        args: list[Any] = []
        kwargs: list[ir.Keyword] = []
        for a in arguments[0] if arguments is not None else ():
            if isinstance(a, ir.Keyword):
                kwargs.append(a)
            elif kwargs:
                self._error(
                    "ES110",
                    "a positional argument follows a keyword argument",
                    a.span,
                    "put positional arguments first",
                )
            else:
                args.append(a)
        span = self._span(c)
        node = ir.Call(func=func[0], args=tuple(args), kwargs=tuple(kwargs), span=span)
        return node, _depth(c), span

    def arguments(self, c: list[Any]) -> _Rec:
        # argument ("," argument)* [","]
        return _values(c), _depth(c), self._span(c)

    def keyword(self, c: list[Any]) -> _Rec:
        span = self._span(c)
        return ir.Keyword(name=c[0].value, value=c[2][0], span=span), c[2][1] + 1, span

    def index(self, c: list[Any]) -> _Rec:
        # postfix "[" subscript ("," subscript)* [","] "]"
        span = self._span(c)
        node = ir.Index(value=c[0][0], items=tuple(_values(c[1:])), span=span)
        return node, _depth(c), span

    def slice(self, c: list[Any]) -> _Rec:
        # [sum] ":" [sum]  |  [sum] ":" [sum] ":" [sum]
        start, stop = c[0], c[2]
        step = c[4] if len(c) > 3 else None
        span = self._span(c)
        node = ir.Slice(
            start=start[0] if start is not None else None,
            stop=stop[0] if stop is not None else None,
            step=step[0] if step is not None else None,
            span=span,
        )
        return node, _depth(c), span

    def attribute(self, c: list[Any]) -> _Rec:
        span = self._span(c)
        return ir.Attribute(value=c[0][0], attr=c[2].value, span=span), c[0][1] + 1, span

    def number(self, c: list[Token]) -> _Rec:
        span = self._span(c)
        return ir.Number(value=self._number_value(c[0]), span=span), 1, span

    def string(self, c: list[Token]) -> _Rec:
        span = self._span(c)
        return ir.String(value=self._string(c[0]), span=span), 1, span

    def true(self, c: list[Token]) -> _Rec:
        span = self._span(c)
        return ir.Bool(value=True, span=span), 1, span

    def false(self, c: list[Token]) -> _Rec:
        span = self._span(c)
        return ir.Bool(value=False, span=span), 1, span

    def name(self, c: list[Token]) -> _Rec:
        span = self._span(c)
        return ir.Name(id=c[0].value, span=span), 1, span

    def list(self, c: list[Any]) -> _Rec:
        # "[" [expr ("," expr)* [","]] "]"
        span = self._span(c)
        items = tuple(_values(c))
        node = ir.ListExpr(items=items, span=span)
        sizes = self.sizes
        total = len(items)
        for item in items:
            if type(item) is _ListExpr:
                inner = sizes.get(id(item), 0)
                if inner < 0:  # an inner list is over the limit: reported there
                    sizes[id(node)] = -1
                    return node, _depth(c), span
                total += inner
        sizes[id(node)] = total
        if total > _ITEMS:
            sizes[id(node)] = -1
            self._error(
                "ES111",
                f"a list of {total} items (nested lists included); the limit is literal_items "
                f"= {_ITEMS}",
                ir.Span(
                    file=self.file,
                    line=span.line,
                    column=span.column,
                    end_line=span.line,
                    end_column=span.column + 1,
                ),
            )
        return node, _depth(c), span


_INF: Final = float("inf")
_ListExpr: Final = ir.ListExpr
