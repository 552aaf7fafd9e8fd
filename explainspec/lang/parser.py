"""DSL front-end: ``.espec`` text -> IR, with located :class:`SpecError`\\ s.

The grammar (``grammars/explainspec.lark``) shapes the parse; :class:`_Builder` builds IR nodes
carrying spans *while* lark's LALR parser reduces (lark's tree-less mode: a ``transformer`` given
to the ``Lark`` constructor), so no parse tree is built and walked a second time. No lark
exception ever leaves this module: lexer, parser and builder errors become diagnostics.

Spans follow lark's ``propagate_positions`` rule: a node runs from the start of its first child
to the end of its last, keywords and brackets included, where a parenthesised expression counts
as its parentheses. The builder's parser keeps every token (``keep_all_tokens``) to see them.

Deep nesting is refused (``ES106``): absurd bracket nesting before parsing, and any parse deeper
than :data:`MAX_DEPTH` levels after it, so the recursive passes that follow (semantic checks,
printers) never meet a ``RecursionError``. Building is iterative, like lark's LALR parser.

The cost of parsing is bounded by the limits of :mod:`explainspec.catalog.limits`: a file has at
most ``tokens`` tokens (counted while lark lexes; the parse stops at the first token over,
``ES112``), and a literal at most ``integer_digits`` digits, ``string_chars`` characters or
``literal_items`` list elements (``ES111``). A string never holds a lone surrogate (``ES109``):
such text cannot be written out as UTF-8.
"""

from __future__ import annotations

import dataclasses
import os
import re
import stat
import threading
from pathlib import Path
from typing import Any, Final, cast

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from explainspec.catalog.limits import limit
from explainspec.lang import ir
from explainspec.lang.diagnostics import Diagnostic, SpecError

#: Deepest parse tree accepted (an expression nested ~100 levels is far beyond any real check).
MAX_DEPTH: Final = limit("nesting")
_DIGITS: Final = limit("integer_digits")
_CHARS: Final = limit("string_chars")
_ITEMS: Final = limit("literal_items")
TOKENS: Final = limit("tokens")
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
    (ES111) or holds a lone surrogate (ES109); ``None`` when it is fine."""
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
    return None


class Budget:
    """The tokens a file may still spend (the limit ``tokens``), shared by every parse of the
    file: the YAML form spends it on its nodes and on each expression string."""

    __slots__ = ("exhausted", "left", "limit")

    def __init__(self, tokens: int | None = None) -> None:
        self.limit = TOKENS if tokens is None else tokens
        self.left = self.limit
        #: set when a parse went over (its ES112 was raised): later parses add nothing
        self.exhausted = False


_START = ("start", "expr_start", "value_start")
_lock = threading.Lock()
_parser: Lark | None = None
_builder: _Builder | None = None
#: One parse at a time uses the builder's parser (the builder holds the file and diagnostics).
_parse_lock = threading.Lock()


def _cache_file(name: str = "grammar.lark-cache") -> str | bool:
    """A user-owned cache location for lark's grammar analysis, or ``False``.

    Never the shared temp folder (where lark's own ``cache=True`` writes): lark's cache is a
    pickle, and a file planted there by another user would run code on load. The folder is the
    user's cache folder, used only when it belongs to this user and no one else may write in it
    (so no one else can plant or replace the file); a spec or the checkout being verified never
    chooses it. ``EXPLAINSPEC_NO_CACHE=1`` disables the cache. Parsers built with different
    options need different ``name``\\ s (each would overwrite the other's file).
    """
    if os.environ.get("EXPLAINSPEC_NO_CACHE"):
        return False
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "explainspec"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = folder.stat()
        if (
            not os.access(folder, os.W_OK)
            or info.st_uid != os.getuid()
            or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        ):
            return False
    except (OSError, AttributeError):
        return False
    # lark appends nothing to an explicit name, so include what invalidates the cache: the
    # grammar text and lark's version are hashed by lark itself into the pickle's header.
    return str(folder / name)


def _lark(cache: str | bool, **options: Any) -> Lark:
    from explainspec.resources import grammar_path

    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        start=list(_START),
        maybe_placeholders=True,
        cache=cache,
        **options,
    )


def build_parser(*, cache: bool = True) -> Lark:
    """A new LALR parser for the explainspec grammar, building lark trees.

    ``cache=False`` gives a parser built from the grammar text (with its ``.grammar``, which
    ``hypothesis.extra.lark.from_lark`` needs); the cached one is loaded from a pickle. The IR
    is built by another parser (:func:`_builder_parser`) from the same grammar.
    """
    return _lark(_cache_file() if cache else False, propagate_positions=True)


def get_parser() -> Lark:
    """The LALR parser for the explainspec grammar (built once per process, then cached)."""
    global _parser
    if _parser is None:
        with _lock:
            if _parser is None:
                _parser = build_parser()
    return _parser


def _builder_parser() -> _Builder:
    """The :class:`_Builder` of this process, bound to its own tree-less parser (built once)."""
    global _builder
    if _builder is None:
        with _lock:
            if _builder is None:
                builder = _Builder()
                builder.parser = _lark(
                    _cache_file("grammar-ir.lark-cache"),
                    keep_all_tokens=True,
                    transformer=builder,
                    lexer_callbacks={"COMMENT": builder.comments.append},  # kept by `fmt`
                )
                _builder = builder
    return _builder


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

# --------------------------------------------------------------------------- errors


_READABLE: Final = {"NAME": "a name", "NUMBER": "a number", "STRING": "a string", "$END": "the end"}


def _expected(names: set[str] | frozenset[str]) -> str:
    parser = _builder_parser().parser
    shown = []
    for name in sorted(names):
        if name in _READABLE:
            shown.append(_READABLE[name])
            continue
        try:
            pattern = parser.get_terminal(name).pattern
        except KeyError:
            shown.append(name)
            continue
        if pattern.type == "str":
            shown.append(f"'{pattern.value}'")
        elif name == "CLAIM_KIND":
            shown.append("'answers', 'does_not_answer' or 'holds'")
        elif name == "QUANT":
            shown.append("'all' or 'some'")
        elif name == "COMP_OP":
            shown.append("a comparison")
        else:
            shown.append(name.lower())
    shown = sorted(set(shown))
    if len(shown) > 12:
        shown = shown[:12] + ["..."]
    return ", ".join(shown)


def _from_lark(err: UnexpectedInput, file: str | None, text: str) -> Diagnostic:
    line, column = getattr(err, "line", 0) or 0, getattr(err, "column", 0) or 0
    span = ir.Span(file=file, line=line, column=column, end_line=line, end_column=column + 1)
    if isinstance(err, UnexpectedCharacters):
        pos = err.pos_in_stream if isinstance(err.pos_in_stream, int) else -1
        ch = text[pos] if 0 <= pos < len(text) else "?"
        hint = None
        if ch == '"':
            hint = "a string is not closed: add the missing '\"'"
        elif ch == "'":
            hint = 'strings use double quotes: "..."'
        elif ch == "=":
            hint = "to compare, write `==`"
        return Diagnostic("ES103", f"unexpected character {ch!r}", span, hint)
    if isinstance(err, UnexpectedToken):
        tok = err.token
        expected = _expected(err.expected)
        if tok.type == "$END":
            last = text.rstrip()
            lines = last.count("\n") + 1
            col = len(last) - (last.rfind("\n") + 1) + 1
            span = ir.Span(file=file, line=lines, column=col, end_line=lines, end_column=col + 1)
            return Diagnostic(
                "ES105",
                f"unexpected end of input; expected {expected}",
                span,
                "is a closing '}', ')' or ']' missing?",
            )
        span = _token_span(tok, file)
        hint = None
        if tok.type == "COMP_OP" and "NAME" not in err.expected:
            hint = "comparisons do not chain: write `a < b and b < c`"
        elif tok.value == "=":
            hint = "to compare, write `==`"
        elif tok.type == "COLON" or tok.value == ":":
            hint = "slices `a:b` go inside brackets; quantifiers read `for all i: ...`"
        shown = tok.value if len(tok.value) <= 40 else tok.value[:40] + "..."
        return Diagnostic("ES104", f"unexpected {shown!r}; expected {expected}", span, hint)
    return Diagnostic("ES104", f"syntax error: {err}", span)


# --------------------------------------------------------------------------- entry points


_BRACKETS: Final = re.compile(r'"(?:[^"\\]|\\.)*"|#[^\n]*|[(\[{]|[)\]}]', re.S)


def bracket_depth(text: str) -> tuple[int, int]:
    """Deepest bracket nesting in ``text`` (strings and comments skipped) and where it first
    exceeds :data:`MAX_DEPTH` (an offset). A cheap scan that refuses absurd nesting before lark sees it."""
    depth = best = where = 0
    for m in _BRACKETS.finditer(text):
        ch = m.group()[0]
        if ch in "([{":
            depth += 1
            if depth > best:
                best = depth
                if depth == MAX_DEPTH + 1:
                    where = m.start()
        elif ch in ")]}":
            depth -= 1
    return best, where


def _parse(
    text: str,
    start: str,
    file: str | None,
    base: ir.Span | None = None,
    budget: Budget | None = None,
) -> Any:
    builder = _builder_parser()
    deepest, offset = bracket_depth(text)
    if deepest > MAX_DEPTH:
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        raise SpecError(
            [
                _shift(
                    Diagnostic(
                        "ES106",
                        f"brackets are nested {deepest} deep; the limit is {MAX_DEPTH}",
                        ir.Span(file=file, line=line, column=column),
                        "split the check into smaller claims",
                    ),
                    base,
                )
            ],
            {file or "<string>": text},
        )
    problem: UnexpectedInput | None = None
    budget = budget if budget is not None else Budget()
    over: Token | None = None
    deep = False
    with _parse_lock:
        builder.file = file
        diagnostics: list[Diagnostic] = []
        builder.diagnostics = diagnostics
        builder.comments.clear()
        try:
            # tree-less mode: the result is the builder's record of the start rule, not a Tree
            parsed, over, deep = _run_parser(builder.parser, text, start, budget)
            if over is None:
                result, depth, _ = parsed
                if builder.comments and isinstance(result, ir.Spec):
                    result = _with_comments(result, builder.comments, text, file)
        except UnexpectedInput as err:
            problem = err
        except RecursionError:  # pragma: no cover - the LALR parser is iterative
            raise SpecError(
                [Diagnostic("ES106", "the input is nested too deeply", ir.Span(file=file))]
            ) from None
        finally:
            builder.file, builder.diagnostics, builder.sizes = None, [], {}
            builder.comments.clear()
    if problem is not None:
        raise SpecError(
            [_shift(_from_lark(problem, file, text), base)], {file or "<string>": text}
        ) from None
    if over is not None and deep:
        raise SpecError(
            [
                _shift(
                    Diagnostic(
                        "ES106",
                        f"the input is nested too deeply (more than {MAX_DEPTH} levels); "
                        "reading stopped here",
                        _token_span(over, file),
                        "split the check into smaller claims",
                    ),
                    base,
                )
            ],
            {file or "<string>": text},
        )
    if over is not None:
        tokens = budget.limit
        raise SpecError(
            [
                _shift(
                    Diagnostic(
                        "ES112",
                        f"the file has more than {tokens} tokens (the limit `tokens`); reading "
                        "stopped here",
                        _token_span(over, file),
                        "a spec is a few thousand tokens: split it into several files",
                    ),
                    base,
                )
            ],
            {file or "<string>": text},
        )
    if depth > MAX_DEPTH:
        raise SpecError(
            [
                _shift(
                    Diagnostic(
                        "ES106",
                        f"the input is nested too deeply ({depth} levels; the limit is {MAX_DEPTH})",
                        ir.Span(file=file, line=1, column=1),
                        "split the check into smaller claims",
                    ),
                    base,
                )
            ],
            {file or "<string>": text},
        )
    if diagnostics:
        raise SpecError([_shift(d, base) for d in diagnostics], {file or "<string>": text})
    if base is not None:
        result = relocate(result, base)
    return result


#: The parser's stack may hold this many entries: a tree of ``MAX_DEPTH`` levels needs fewer
#: (a rule has at most a few pending symbols per level), a chain of 20 000 unary minus signs or
#: ``not``s (no brackets for :func:`bracket_depth` to see) would be shifted in full before the
#: tree depth could be measured.
_STACK: Final = 12 * MAX_DEPTH


def _run_parser(
    parser: Lark, text: str, start: str, budget: Budget
) -> tuple[Any, Token | None, bool]:
    """``parser.parse(text, start=start)``, counting tokens against ``budget``.

    Lark's own loop (``ParserState.feed_token``) with a counter: ``(result, None, False)``,
    or ``(None, token, deep)`` with the first token over the budget (``deep`` False) or at which
    the parser's stack went over :data:`_STACK` (``deep`` True); nothing after it is read.

    The loop runs on :func:`_table`, lark's parse table with each action resolved in advance; it
    shifts and reduces exactly as ``feed_token`` does, on lark's own stacks (the contextual lexer
    reads the state from them), and raises the same ``UnexpectedToken`` where lark would. The
    end of input goes through lark's ``feed_token`` itself.
    """
    interactive = parser.parse_interactive(text, start=start)
    state = interactive.parser_state
    stack = state.state_stack
    values = state.value_stack
    table = _table(state.parse_conf)
    left = budget.left
    tok = None
    try:
        for tok in _lex(interactive.lexer_thread, state):
            left -= 1
            if left < 0:
                budget.exhausted = True
                return None, tok, False
            kind = tok.type
            while table is not None:
                try:
                    action = table[stack[-1]][kind]
                except KeyError:
                    expected = {s for s in state.parse_conf.states[stack[-1]] if s.isupper()}
                    raise UnexpectedToken(
                        tok, expected, state=state, interactive_parser=None
                    ) from None
                if action.__class__ is int:  # shift
                    stack.append(action)
                    values.append(tok)
                    break
                size, callback, origin = action  # reduce, then go to the rule's state
                if callback is None:  # a one-symbol rule that passes its child up
                    stack[-1] = table[stack[-2]][origin]
                    continue
                if size:
                    children = values[-size:]
                    del stack[-size:]
                    del values[-size:]
                else:
                    children = []
                values.append(callback(children))
                stack.append(table[stack[-1]][origin])
            else:  # pragma: no cover - the builder has no callbacks on terminals
                state.feed_token(tok)
            if len(stack) > _STACK:
                return None, tok, True
        end = (
            Token.new_borrow_pos("$END", "", tok) if tok is not None else Token("$END", "", 0, 1, 1)
        )
        return state.feed_token(end, True), None, False
    except UnexpectedToken as err:
        err.expected = _acceptable(interactive, err.expected)
        raise
    finally:
        budget.left = max(left, 0)


#: lark's contextual lexer -> for each parser state, what its lexer for that state matches with:
#: ``(regexes, ignored types, types that may hold a newline, callbacks)``.
_lexers: dict[int, tuple[Any, dict[int, tuple[Any, ...]] | None]] = {}


def _lex(thread: Any, state: Any) -> Any:
    """The tokens of lark's contextual lexer (``ContextualLexer.lex``), read the same way.

    For each token the lexer of the parser's current state matches its regexes at the current
    position, skips ignored tokens (calling their callbacks: the comments), counts lines and
    columns and makes the same tokens, without lark's layers of calls per token. Where
    no terminal matches, lark's own ``lex`` takes over at that position and raises its error
    (including its contextual retry with every terminal).
    """
    contextual, lexer_state = thread.lexer, thread.state
    known = _lexers.get(id(contextual))
    if known is None or known[0] is not contextual:
        try:  # lark's internals as of lark 1.2-1.3; another layout: lark's own loop
            per_state = {}
            for number, basic in contextual.lexers.items():
                scanner = basic.scanner  # builds the scanner and its callbacks
                per_state[number] = (
                    tuple(scanner._mres),
                    basic.ignore_types,
                    basic.newline_types,
                    basic.callback,
                )
        except AttributeError:  # pragma: no cover - another lark
            per_state = None
        known = (contextual, per_state)
        _lexers[id(contextual)] = known
    per_state = known[1]
    raw = lexer_state.text
    if per_state is None or not hasattr(raw, "end"):  # pragma: no cover - another lark
        yield from thread.lex(state)
        return
    stack = state.state_stack
    counter = lexer_state.line_ctr
    text, end = raw.text, raw.end
    pos, line, line_start = counter.char_pos, counter.line, counter.line_start_pos
    newline = counter.newline_char
    while pos < end:
        regexes, ignored, newlines, callbacks = per_state[stack[-1]]
        while pos < end:
            for regex in regexes:
                m = regex.match(text, pos, end)
                if m:
                    break
            else:
                yield from contextual.lex(lexer_state, state)  # raises lark's error here
                return
            value, kind = m.group(0), m.lastgroup
            start, first, column = pos, line, pos - line_start + 1
            if kind in newlines:
                n = value.count(newline)
                if n:
                    line += n
                    line_start = pos + value.rindex(newline) + 1
            pos += len(value)
            counter.char_pos, counter.line, counter.line_start_pos = pos, line, line_start
            counter.column = pos - line_start + 1
            skip = kind in ignored
            if not skip or kind in callbacks:
                tok = Token(kind, value, start, first, column, line, counter.column, pos)
                if kind in callbacks:
                    tok = callbacks[kind](tok)
                if not skip:
                    lexer_state.last_token = tok
                    yield tok
                    break


#: lark's parse table (``ParseConf.states``) -> the same table with every action resolved:
#: a shift or a goto is the next state (an ``int``), a reduction ``(size, callback, rule name)``
#: where ``callback`` is ``None`` for a rule of one symbol that lark inlines (``?rule``: its
#: ``ExpandSingleChild`` returns a single child as it is), the chains of expression rules.
#: lark's own loop looks the rule's callback up in a dict keyed by ``Rule`` objects for every
#: reduction, and the rules of a table loaded from lark's cache are not the callbacks' keys
#: (equal, not identical), so each lookup compared two rules symbol by symbol.
_tables: dict[int, tuple[Any, dict[int, dict[str, Any]] | None]] = {}


def _table(conf: Any) -> dict[int, dict[str, Any]] | None:
    """The resolved table of ``conf`` (built once per lark table), or ``None`` when the
    callbacks include terminals (a shift would call them: lark's loop handles that)."""
    key = id(conf.states)
    known = _tables.get(key)
    if known is not None and known[0] is conf.states:
        return known[1]
    from lark.parse_tree_builder import ExpandSingleChild
    from lark.parsers.lalr_analysis import Shift

    callbacks = conf.callbacks
    table: dict[int, dict[str, Any]] | None = {}
    if any(isinstance(k, str) for k in callbacks):  # pragma: no cover - none in our builder
        table = None
    else:
        for number, row in conf.states.items():
            resolved: dict[str, Any] = {}
            for kind, (action, arg) in row.items():
                if action is Shift:
                    if not isinstance(arg, int):  # pragma: no cover - another lark
                        table = None
                        break
                    resolved[kind] = arg
                    continue
                size, callback = len(arg.expansion), callbacks[arg]
                passes = size == 1 and type(callback) is ExpandSingleChild
                resolved[kind] = (size, None if passes else callback, arg.origin.name)
            if table is None:  # pragma: no cover - another lark
                break
            table[number] = resolved
    _tables[key] = (conf.states, table)
    return table


def _acceptable(interactive: Any, expected: set[str]) -> set[str]:
    """The tokens that would really continue the parse where it failed.

    LALR(1) merges the states of an expression wherever it occurs (a spec-level ``let``, a
    claim's ``check``), so the failing state's own lookaheads include tokens that are valid only
    elsewhere (``claim`` after a check inside a claim). lark's ``accepts()`` feeds each candidate
    to a copy of the parser, without the builder's callbacks, and keeps those it shifts.
    """
    try:
        found = interactive.accepts()
    except Exception:  # noqa: BLE001 - a message is better than no message
        return expected
    return found or expected


def _shift(d: Diagnostic, base: ir.Span | None) -> Diagnostic:
    if base is None or d.span is None:
        return d
    return Diagnostic(d.code, d.message, _shift_span(d.span, base), d.hint, d.severity)


def _shift_span(span: ir.Span, base: ir.Span) -> ir.Span:
    """A span inside an embedded string (YAML) -> a span in the enclosing file."""

    def pos(line: int, col: int) -> tuple[int, int]:
        if line <= 1:
            return base.line, base.column + max(col, 1) - 1
        return base.line + line - 1, col

    line, col = pos(span.line, span.column)
    end_line, end_col = pos(span.end_line, span.end_column)
    return ir.Span(
        file=base.file, line=line, column=col, end_line=end_line, end_column=end_col, path=base.path
    )


def _with_comments(spec: ir.Spec, tokens: list[Token], text: str, file: str | None) -> ir.Spec:
    """``spec`` with the comments the lexer read (for the printer, which writes them back)."""
    comments = []
    for t in tokens:
        before = text[text.rfind("\n", 0, t.start_pos) + 1 : t.start_pos]
        span = _token_span(t, file)
        comments.append(ir.Comment(text=t.value.rstrip(), span=span, own_line=not before.strip()))
    return dataclasses.replace(spec, comments=tuple(comments))


def relocate(node: Any, base: ir.Span) -> Any:
    """Copy of an IR expression whose spans are moved into the enclosing file at ``base``."""

    if isinstance(node, tuple):
        return tuple(relocate(n, base) for n in node)
    if isinstance(node, type | ir.Span) or not dataclasses.is_dataclass(node):
        return node
    changes = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if f.name == "span":
            changes["span"] = _shift_span(value, base) if value is not None else None
        elif isinstance(value, tuple) or dataclasses.is_dataclass(value):
            changes[f.name] = relocate(value, base)
    # node is a dataclass instance here (classes and non-dataclasses were returned above)
    return dataclasses.replace(cast(Any, node), **changes)


def parse_spec_text(text: str, *, file: str | None = None) -> ir.Spec:
    """Parse the text of a ``.espec`` file into a :class:`~explainspec.lang.ir.Spec`.

    Raises
    ------
    SpecError
        With ``ES1xx`` diagnostics (and ``ES211`` for an unknown output kind).
    """
    spec = _parse(text, "start", file)
    return spec


def parse_expression(
    text: str, *, file: str | None = None, base: ir.Span | None = None, budget: Budget | None = None
) -> ir.Expr:
    """Parse a check expression, e.g. ``"sum(phi) == f(x) - mean(f(background)) within 1e-6"``.

    Parameters
    ----------
    text : str
    file : str, optional
        File name used in spans and diagnostics.
    base : Span, optional
        Where the expression starts inside an enclosing file (for strings of a YAML file); the
        spans of the result and of any diagnostic are moved there.

    Raises
    ------
    SpecError
        If the text is not a single expression.

    Examples
    --------
    >>> parse_expression("phi[i] == 0 within 1e-6").op
    <CmpOp.EQ: '=='>
    """
    return _parse(text, "expr_start", file, base, budget)


def parse_value(
    text: str, *, file: str | None = None, base: ir.Span | None = None, budget: Budget | None = None
) -> ir.Expr:
    """Parse a world-field or parameter value: an expression or a range ``lo..hi``."""
    return _parse(text, "value_start", file, base, budget)
