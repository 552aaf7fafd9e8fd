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
from explainspec.lang.builder import (
    _Builder,
    _token_span,
)
from explainspec.lang.diagnostics import Diagnostic, SpecError

#: Deepest parse tree accepted (an expression nested ~100 levels is far beyond any real check).
MAX_DEPTH: Final = limit("nesting")
TOKENS: Final = limit("tokens")


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
                    lexer_callbacks={"COMMENT": builder.comment},  # kept by `fmt`
                )
                _builder = builder
    return _builder


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
