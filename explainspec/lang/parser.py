"""DSL front-end: ``.espec`` text -> lark tree -> IR, with located :class:`SpecError`\\ s.

The grammar (``grammars/explainspec.lark``) shapes the tree; :class:`_Builder`, one
``lark.Transformer`` with ``@v_args(meta=True)``, turns it into IR nodes carrying spans. No lark
exception ever leaves this module: lexer, parser and transformer errors become diagnostics.

Deep nesting is refused (``ES106``) before the recursive transformer runs, so no input can cause a
``RecursionError``: lark's LALR parser itself is iterative.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any, Final

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from explainspec.lang import ir
from explainspec.lang.diagnostics import Diagnostic, SpecError

#: Deepest parse tree accepted (an expression nested ~100 levels is far beyond any real check).
MAX_DEPTH: Final = 120

_START = ("start", "expr_start", "value_start")
_lock = threading.Lock()
_parser: Lark | None = None


def _cache_file() -> str | bool:
    """A user-owned cache location for lark's grammar analysis, or ``False``.

    Never the shared temp folder: lark's cache is a pickle, and a file planted there by another
    user would run code on load. ``EXPLAINSPEC_NO_CACHE=1`` disables the cache.
    """
    if os.environ.get("EXPLAINSPEC_NO_CACHE"):
        return False
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "explainspec"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not os.access(folder, os.W_OK) or folder.stat().st_uid != os.getuid():
            return False
    except (OSError, AttributeError):
        return False
    # lark appends nothing to an explicit name, so include what invalidates the cache: the
    # grammar text and lark's version are hashed by lark itself into the pickle's header.
    return str(folder / "grammar.lark-cache")


def build_parser(*, cache: bool = True) -> Lark:
    """A new LALR parser for the explainspec grammar.

    ``cache=False`` gives a parser built from the grammar text (with its ``.grammar``, which
    ``hypothesis.extra.lark.from_lark`` needs); the cached one is loaded from a pickle.
    """
    from explainspec.resources import grammar_path

    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        start=list(_START),
        propagate_positions=True,
        maybe_placeholders=True,
        cache=_cache_file() if cache else False,
    )


def get_parser() -> Lark:
    """The LALR parser for the explainspec grammar (built once per process, then cached)."""
    global _parser
    if _parser is None:
        with _lock:
            if _parser is None:
                _parser = build_parser()
    return _parser


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


class _Problem(Exception):
    """Raised inside the transformer for a problem that stops building this node."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _token_span(tok: Token, file: str | None) -> ir.Span:
    return ir.Span(
        file=file,
        line=tok.line or 0,
        column=tok.column or 0,
        end_line=tok.end_line or 0,
        end_column=tok.end_column or 0,
    )


def tree_depth(tree: Any) -> int:
    """Depth of a lark tree, computed without recursion."""
    best = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > best:
            best = depth
        if isinstance(node, Tree):
            stack.extend((c, depth + 1) for c in node.children if isinstance(c, Tree))
    return best


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


# --------------------------------------------------------------------------- transformer


_BINOPS: Final = {
    "add": ir.BinOp.ADD,
    "sub": ir.BinOp.SUB,
    "mul": ir.BinOp.MUL,
    "div": ir.BinOp.DIV,
    "matmul": ir.BinOp.MATMUL,
    "pow": ir.BinOp.POW,
}


def _binary(op: ir.BinOp) -> Any:
    def build(self: _Builder, meta: Any, children: list[Any]) -> ir.Binary:
        left, right = children
        return ir.Binary(op=op, left=left, right=right, span=self._span(meta))

    return v_args(meta=True)(build)


class _Builder(Transformer):
    """Builds IR from the lark tree. One instance per parse (it holds the file name and the
    diagnostics collected so far)."""

    def __init__(self, file: str | None) -> None:
        super().__init__(visit_tokens=False)
        self.file = file
        self.diagnostics: list[Diagnostic] = []

    # ---- utilities

    def _span(self, meta: Any) -> ir.Span | None:
        if getattr(meta, "empty", True):
            return None
        return ir.Span(
            file=self.file,
            line=meta.line,
            column=meta.column,
            end_line=meta.end_line,
            end_column=meta.end_column,
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

        return _ESCAPE_RE.sub(unescape, body)

    def _prose(self, tok: Token) -> str:
        return normalize_prose(self._string(tok))

    # ---- start rules

    def start(self, children: list[Any]) -> Any:
        return children[0]

    expr_start = start
    value_start = start

    # ---- spec structure

    @v_args(meta=True)
    def spec(self, meta: Any, children: list[Any]) -> ir.Spec:
        name_tok, title_tok, *items = children
        span = self._span(meta)
        single, many = self._collect(items, f"spec {name_tok.value!r}", ("assume", "claim"))
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
        return ir.Spec(
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
            span=span,
        )

    @v_args(meta=True)
    def method(self, meta: Any, children: list[Any]) -> tuple[str, ir.MethodRef, ir.Span | None]:
        use, *params = (c for c in children if c is not None)
        span = self._span(meta)
        return "method", ir.MethodRef(use=use, params=tuple(params), span=span), span

    def dotted_name(self, children: list[Token]) -> str:
        return ".".join(t.value for t in children)

    @v_args(meta=True)
    def param(self, meta: Any, children: list[Any]) -> ir.Param:
        name, value = children
        return ir.Param(name=name.value, value=value, span=self._span(meta))

    @v_args(meta=True)
    def output(self, meta: Any, children: list[Token]) -> tuple[str, Any, ir.Span | None]:
        (tok,) = children
        kind, problem = output_kind(tok.value, self._tspan(tok))
        if problem is not None:
            self.diagnostics.append(problem)
        return "output", kind, self._span(meta)

    @v_args(meta=True)
    def estimates(self, meta: Any, children: list[Token]) -> tuple[str, str, ir.Span | None]:
        return "estimates", children[0].value, self._span(meta)

    @v_args(meta=True)
    def references(self, meta: Any, children: list[Any]) -> tuple[str, list[str], ir.Span | None]:
        return "references", [self._prose(t) for t in children if t is not None], self._span(meta)

    @v_args(meta=True)
    def question(self, meta: Any, children: list[Token]) -> tuple[str, str, ir.Span | None]:
        return "question", self._prose(children[0]), self._span(meta)

    @v_args(meta=True)
    def assume(self, meta: Any, children: list[Token]) -> tuple[str, ir.Assumption, ir.Span | None]:
        name, text = children
        span = self._span(meta)
        return "assume", ir.Assumption(name=name.value, text=self._prose(text), span=span), span

    @v_args(meta=True)
    def world(self, meta: Any, children: list[Any]) -> tuple[str, ir.WorldBlock, ir.Span | None]:
        span = self._span(meta)
        return "world", ir.WorldBlock(fields=tuple(children), span=span), span

    @v_args(meta=True)
    def field(self, meta: Any, children: list[Any]) -> ir.WorldField:
        name, value = children
        return ir.WorldField(name=name.value, value=value, span=self._span(meta))

    @v_args(meta=True)
    def example(self, meta: Any, children: list[Any]) -> tuple[str, ir.Example, ir.Span | None]:
        name, *fields = children
        span = self._span(meta)
        block = ir.WorldBlock(fields=tuple(fields), span=span)
        return "example", ir.Example(name=name.value, world=block, span=span), span

    @v_args(meta=True)
    def check(self, meta: Any, children: list[Any]) -> tuple[str, Any, ir.Span | None]:
        return "check", children[0], self._span(meta)

    @v_args(meta=True)
    def claim(self, meta: Any, children: list[Any]) -> tuple[str, ir.Claim, ir.Span | None]:
        name_tok, kind_tok, about_tok, statement_tok, *items = children
        span = self._span(meta)
        single, many = self._collect(items, f"claim {name_tok.value!r}", ("assume", "example"))
        assumptions, examples = many["assume"], many["example"]
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
            span=span,
        )
        return "claim", claim, span

    # ---- expressions

    @v_args(meta=True)
    def range(self, meta: Any, children: list[Any]) -> ir.RangeExpr:
        lo, hi = children
        return ir.RangeExpr(lo=lo, hi=hi, span=self._span(meta))

    @v_args(meta=True)
    def quantifier(self, meta: Any, children: list[Any]) -> ir.Quantifier:
        kind_tok, *rest = children
        *names, domain, body = rest
        return ir.Quantifier(
            kind=ir.QuantKind(kind_tok.value),
            vars=tuple(t.value for t in names),
            body=body,
            domain=domain,
            span=self._span(meta),
        )

    @v_args(meta=True)
    def implies(self, meta: Any, children: list[Any]) -> ir.Implies:
        left, right = children
        return ir.Implies(left=left, right=right, span=self._span(meta))

    @v_args(meta=True)
    def or_(self, meta: Any, children: list[Any]) -> ir.BoolOp:
        return ir.BoolOp(op=ir.BoolOpKind.OR, operands=tuple(children), span=self._span(meta))

    @v_args(meta=True)
    def and_(self, meta: Any, children: list[Any]) -> ir.BoolOp:
        return ir.BoolOp(op=ir.BoolOpKind.AND, operands=tuple(children), span=self._span(meta))

    @v_args(meta=True)
    def not_(self, meta: Any, children: list[Any]) -> ir.Not:
        return ir.Not(operand=children[0], span=self._span(meta))

    @v_args(meta=True)
    def compare(self, meta: Any, children: list[Any]) -> ir.Compare:
        left, op, right, tol = children
        return ir.Compare(
            op=ir.CmpOp(op.value), left=left, right=right, tolerance=tol, span=self._span(meta)
        )

    def _number_value(self, tok: Token) -> int | float:
        text = tok.value
        try:
            value: int | float = float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError:
            value = float("inf")
        if value == float("inf"):
            self._error("ES109", f"the number {text[:40]!r} is too large", self._tspan(tok))
            return 0
        return value

    @v_args(meta=True)
    def tol_abs(self, meta: Any, children: list[Token]) -> ir.Tolerance:
        return ir.Tolerance(
            kind=ir.TolKind.ABS, value=float(self._number_value(children[0])), span=self._span(meta)
        )

    @v_args(meta=True)
    def tol_rel(self, meta: Any, children: list[Token]) -> ir.Tolerance:
        return ir.Tolerance(
            kind=ir.TolKind.REL, value=float(self._number_value(children[0])), span=self._span(meta)
        )

    @v_args(meta=True)
    def tol_mc(self, meta: Any, children: list[Any]) -> ir.Tolerance:
        (z,) = children
        value = 5.0 if z is None else float(self._number_value(z))
        return ir.Tolerance(kind=ir.TolKind.MC, value=value, span=self._span(meta))

    add = _binary(ir.BinOp.ADD)
    sub = _binary(ir.BinOp.SUB)
    mul = _binary(ir.BinOp.MUL)
    div = _binary(ir.BinOp.DIV)
    matmul = _binary(ir.BinOp.MATMUL)
    pow = _binary(ir.BinOp.POW)

    @v_args(meta=True)
    def neg(self, meta: Any, children: list[Any]) -> ir.Unary:
        return ir.Unary(op=ir.UnaryOp.NEG, operand=children[0], span=self._span(meta))

    @v_args(meta=True)
    def pos(self, meta: Any, children: list[Any]) -> ir.Unary:
        return ir.Unary(op=ir.UnaryOp.POS, operand=children[0], span=self._span(meta))

    @v_args(meta=True)
    def call(self, meta: Any, children: list[Any]) -> ir.Call:
        func, arguments = children
        args: list[Any] = []
        kwargs: list[ir.Keyword] = []
        for a in arguments or ():
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
        return ir.Call(func=func, args=tuple(args), kwargs=tuple(kwargs), span=self._span(meta))

    def arguments(self, children: list[Any]) -> list[Any]:
        return [c for c in children if c is not None]

    @v_args(meta=True)
    def keyword(self, meta: Any, children: list[Any]) -> ir.Keyword:
        name, value = children
        return ir.Keyword(name=name.value, value=value, span=self._span(meta))

    @v_args(meta=True)
    def index(self, meta: Any, children: list[Any]) -> ir.Index:
        value, *items = children
        return ir.Index(
            value=value, items=tuple(i for i in items if i is not None), span=self._span(meta)
        )

    @v_args(meta=True)
    def slice(self, meta: Any, children: list[Any]) -> ir.Slice:
        start, stop, *step = children
        return ir.Slice(
            start=start, stop=stop, step=step[0] if step else None, span=self._span(meta)
        )

    @v_args(meta=True)
    def attribute(self, meta: Any, children: list[Any]) -> ir.Attribute:
        value, name = children
        return ir.Attribute(value=value, attr=name.value, span=self._span(meta))

    @v_args(meta=True)
    def number(self, meta: Any, children: list[Token]) -> ir.Number:
        return ir.Number(value=self._number_value(children[0]), span=self._span(meta))

    @v_args(meta=True)
    def string(self, meta: Any, children: list[Token]) -> ir.String:
        return ir.String(value=self._string(children[0]), span=self._span(meta))

    @v_args(meta=True)
    def true(self, meta: Any, children: list[Any]) -> ir.Bool:
        return ir.Bool(value=True, span=self._span(meta))

    @v_args(meta=True)
    def false(self, meta: Any, children: list[Any]) -> ir.Bool:
        return ir.Bool(value=False, span=self._span(meta))

    @v_args(meta=True)
    def name(self, meta: Any, children: list[Token]) -> ir.Name:
        return ir.Name(id=children[0].value, span=self._span(meta))

    @v_args(meta=True)
    def list(self, meta: Any, children: list[Any]) -> ir.ListExpr:
        return ir.ListExpr(items=tuple(c for c in children if c is not None), span=self._span(meta))


# --------------------------------------------------------------------------- errors


_READABLE: Final = {"NAME": "a name", "NUMBER": "a number", "STRING": "a string", "$END": "the end"}


def _expected(names: set[str] | frozenset[str]) -> str:
    parser = get_parser()
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
        ch = text[err.pos_in_stream] if 0 <= err.pos_in_stream < len(text) else "?"
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


def _parse(text: str, start: str, file: str | None, base: ir.Span | None = None) -> Any:
    parser = get_parser()
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
    try:
        tree = parser.parse(text, start=start)
    except UnexpectedInput as err:
        raise SpecError(
            [_shift(_from_lark(err, file, text), base)], {file or "<string>": text}
        ) from None
    except RecursionError:  # pragma: no cover - the LALR parser is iterative
        raise SpecError(
            [Diagnostic("ES106", "the input is nested too deeply", ir.Span(file=file))]
        ) from None
    depth = tree_depth(tree)
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
    builder = _Builder(file)
    try:
        result = builder.transform(tree)
    except VisitError as err:
        orig = err.orig_exc
        if isinstance(orig, SpecError):
            raise orig from None
        if isinstance(orig, _Problem):
            builder.diagnostics.append(orig.diagnostic)
            result = None
        else:
            raise orig from None
    if builder.diagnostics:
        raise SpecError([_shift(d, base) for d in builder.diagnostics], {file or "<string>": text})
    if base is not None:
        result = relocate(result, base)
    return result


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


def relocate(node: Any, base: ir.Span) -> Any:
    """Copy of an IR expression whose spans are moved into the enclosing file at ``base``."""
    import dataclasses

    if isinstance(node, tuple):
        return tuple(relocate(n, base) for n in node)
    if not dataclasses.is_dataclass(node) or isinstance(node, ir.Span):
        return node
    changes = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if f.name == "span":
            changes["span"] = _shift_span(value, base) if value is not None else None
        elif isinstance(value, tuple) or dataclasses.is_dataclass(value):
            changes[f.name] = relocate(value, base)
    return dataclasses.replace(node, **changes)


def parse_spec_text(text: str, *, file: str | None = None) -> ir.Spec:
    """Parse the text of a ``.espec`` file into a :class:`~explainspec.lang.ir.Spec`.

    Raises
    ------
    SpecError
        With ``ES1xx`` diagnostics (and ``ES211`` for an unknown output kind).
    """
    spec = _parse(text, "start", file)
    return spec


def parse_expression(text: str, *, file: str | None = None, base: ir.Span | None = None) -> ir.Expr:
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
    return _parse(text, "expr_start", file, base)


def parse_value(text: str, *, file: str | None = None, base: ir.Span | None = None) -> ir.Expr:
    """Parse a world-field or parameter value: an expression or a range ``lo..hi``."""
    return _parse(text, "value_start", file, base)
