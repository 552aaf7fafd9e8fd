"""YAML front-end and printer: ``.espec.yaml`` <-> IR.

Reading never constructs Python objects from the document: the text is *composed* into YAML
nodes with PyYAML's ``SafeLoader`` (so every node keeps its line and column), and this module
turns the nodes into IR itself. Only the standard scalar, sequence and mapping tags are
accepted; ``!!python/object`` and every other tag is an ``ES121`` error. Check strings and world
values are parsed by the same Lark grammar as the DSL (its ``expr_start``/``value_start`` rules).

Errors are located by the document path (``$.claims.efficiency.check``) and the YAML line and
column.

Reading is bounded like the DSL's (limits in :mod:`explainspec.catalog.limits`): the document's
nodes and the tokens of its expression strings share one budget of ``tokens`` (composing stops
at the first node over it, ``ES112``); a scalar has at most ``string_chars`` characters, an
integer at most ``integer_digits`` digits, a list at most ``literal_items`` items (``ES111``);
no text holds a lone surrogate (``ES109``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any, Final

import yaml

from explainspec.catalog.limits import limit
from explainspec.lang import ir
from explainspec.lang.builder import normalize_prose, output_kind, text_problem
from explainspec.lang.diagnostics import Diagnostic, SpecError
from explainspec.lang.parser import (
    MAX_DEPTH,
    Budget,
    parse_expression,
    parse_value,
)
from explainspec.lang.printer import format_expr

VERSION: Final = 1
_T: Final = "tag:yaml.org,2002:"
_ALLOWED_TAGS: Final = {
    _T + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}
_IDENT: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_DOTTED: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
#: Guard against alias bombs ("billion laughs"): composed nodes visited at most this many times.
MAX_NODES: Final = 200_000
_DIGITS: Final = limit("integer_digits")
_ITEMS: Final = limit("literal_items")

TOP_KEYS: Final = (
    "explainspec",
    "spec",
    "title",
    "method",
    "output",
    "estimates",
    "references",
    "question",
    "assumptions",
    "world",
    "let",
    "claims",
)
CLAIM_KINDS: Final = tuple(k.value for k in ir.ClaimKind)
CLAIM_KEYS: Final = (*CLAIM_KINDS, "about", "assume", "world", "examples", "let", "check")
#: the keys of an assumption written as a mapping (one with a machine-checkable condition)
ASSUME_KEYS: Final = ("text", "check")


class _TooManyNodes(Exception):
    def __init__(self, mark: Any) -> None:
        self.mark = mark


class _TooDeep(Exception):
    def __init__(self, mark: Any) -> None:
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, composing at most as many nodes as the budget allows, and at most
    ``nesting`` levels of flow collections (``[`` ``{``): PyYAML's scanner keeps a possible key
    per open flow level and walks them all for every token, so 20 000 nested ``[`` took seconds
    (quadratic) before the composer's recursion stopped anything."""

    def __init__(self, stream: str, budget: Budget) -> None:
        super().__init__(stream)
        self.budget = budget

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.budget.left -= 1
        if self.budget.left < 0:
            raise _TooManyNodes(self.peek_event().start_mark)
        return super().compose_node(parent, index)

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        if self.flow_level >= MAX_DEPTH:
            raise _TooDeep(self.get_mark())
        super().fetch_flow_collection_start(TokenClass)


def _items(node: yaml.SequenceNode) -> int:
    """Items of a sequence, nested sequences included, counted up to just over
    ``literal_items``: aliases make the composed document a graph whose expansion can be
    exponential in its size (ten lists of ten aliases of the list before: 10**10 items), so the
    walk stops as soon as the count is over the limit (at most about ``literal_items`` lists
    visited)."""
    total, stack = 0, [node]
    while stack and total <= _ITEMS:
        seq = stack.pop()
        total += len(seq.value)
        stack += [n for n in seq.value if isinstance(n, yaml.SequenceNode)]
    return total if not stack else -1


class _Reader:
    def __init__(self, file: str | None, budget: Budget | None = None) -> None:
        self.file = file
        self.diagnostics: list[Diagnostic] = []
        self.visited = 0
        self.budget = budget if budget is not None else Budget()

    # ---- locations and errors

    def span(self, node: yaml.Node, path: str, *, inner: bool = False) -> ir.Span:
        start, end = node.start_mark, node.end_mark
        column = start.column + 1
        if inner and isinstance(node, yaml.ScalarNode) and node.style in ("'", '"'):
            column += 1  # the text starts after the quote
        line = start.line + 1
        if inner and isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            line += 1
            column = start.column + 3
        return ir.Span(
            file=self.file,
            line=line,
            column=column,
            end_line=end.line + 1,
            end_column=end.column + 1,
            path=path,
        )

    def error(
        self, code: str, message: str, node: yaml.Node | None, path: str, hint: str | None = None
    ) -> None:
        span = self.span(node, path) if node is not None else ir.Span(file=self.file, path=path)
        self.diagnostics.append(Diagnostic(code, message, span, hint))

    def tick(self) -> None:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise SpecError(
                [
                    Diagnostic(
                        "ES106",
                        f"the YAML document has more than {MAX_NODES} nodes (alias expansion?)",
                        ir.Span(file=self.file, line=1, column=1),
                    )
                ]
            )

    # ---- node kinds

    def check_tag(self, node: yaml.Node, path: str) -> bool:
        self.tick()
        if node.tag not in _ALLOWED_TAGS:
            self.error(
                "ES121",
                f"unsupported YAML tag {node.tag!r}",
                node,
                path,
                "a spec is plain data: remove the tag (objects, Python or otherwise, cannot be built)",
            )
            return False
        if isinstance(node, yaml.ScalarNode):
            problem = text_problem(node.value)
            if problem is not None:
                code, message, hint = problem
                self.error(code, message, node, path, hint)
                return False
        return True

    def list_size(self, node: yaml.SequenceNode, path: str) -> bool:
        """Whether a list literal (nested lists included) is within ``literal_items`` (ES111)."""
        total = _items(node)
        if total > _ITEMS or total < 0:
            self.error(
                "ES111",
                f"a list of {total if total > 0 else f'more than {_ITEMS}'} items (nested lists "
                f"included); the limit is literal_items = {_ITEMS}",
                node,
                path,
            )
            return False
        return True

    def mapping(
        self, node: yaml.Node, path: str, what: str
    ) -> list[tuple[str, yaml.Node, yaml.Node]]:
        """The ``(key, key_node, value_node)`` items of a mapping; ES122/ES212 on problems."""
        if not self.check_tag(node, path):
            return []
        if not isinstance(node, yaml.MappingNode):
            self.error("ES122", f"{what} must be a mapping, got {_kind(node)}", node, path)
            return []
        out: list[tuple[str, yaml.Node, yaml.Node]] = []
        seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not self.check_tag(key_node, path):
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(
                    "ES122", f"keys of {what} must be names, got {_kind(key_node)}", key_node, path
                )
                continue
            key = key_node.value
            if key in seen:
                self.error(
                    "ES212",
                    f"{key!r} appears twice in {what}",
                    key_node,
                    f"{path}.{key}",
                    f"the first is at line {seen[key].start_mark.line + 1}",
                )
                continue
            seen[key] = key_node
            out.append((key, key_node, value_node))
        return out

    def keys(
        self,
        items: list[tuple[str, yaml.Node, yaml.Node]],
        allowed: tuple[str, ...],
        path: str,
        what: str,
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        found = {}
        for key, key_node, value_node in items:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                self.error(
                    "ES123",
                    f"unknown key {key!r} in {what}."
                    + (f" Did you mean {close[0]!r}?" if close else ""),
                    key_node,
                    f"{path}.{key}",
                    f"allowed keys: {', '.join(allowed)}",
                )
                continue
            found[key] = (key_node, value_node)
        return found

    def text(
        self, node: yaml.Node, path: str, what: str, *, pattern: re.Pattern[str] | None = None
    ) -> str | None:
        """A scalar as text (prose fields take the scalar's source text whatever YAML resolves)."""
        if not self.check_tag(node, path):
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag == _T + "null":
            self.error("ES122", f"{what} must be a string, got {_kind(node)}", node, path)
            return None
        if pattern is not None and not pattern.match(node.value):
            self.error(
                "ES122",
                f"{what} must be a name (letters, digits, '_'), got {node.value!r}",
                node,
                path,
            )
            return None
        return node.value

    def prose(self, node: yaml.Node, path: str, what: str) -> str | None:
        value = self.text(node, path, what)
        return normalize_prose(value) if value is not None else None

    def expr(
        self, node: yaml.Node, path: str, *, value: bool, nested: bool = False
    ) -> ir.Expr | None:
        """An expression: a YAML number/bool/list, or a string parsed by the Lark grammar."""
        if not self.check_tag(node, path):
            return None
        span = self.span(node, path)
        if isinstance(node, yaml.SequenceNode):
            if not nested and not self.list_size(node, path):
                return None
            items = [
                self.expr(n, f"{path}[{k}]", value=False, nested=True)
                for k, n in enumerate(node.value)
            ]
            if any(i is None for i in items):
                return None
            return ir.ListExpr(items=tuple(items), span=span)  # type: ignore[arg-type]
        if not isinstance(node, yaml.ScalarNode) or node.tag == _T + "null":
            self.error("ES122", f"expected an expression, got {_kind(node)}", node, path)
            return None
        if node.tag == _T + "int" and sum(c.isdigit() for c in node.value) > _DIGITS:
            self.error(
                "ES111",
                f"an integer of {sum(c.isdigit() for c in node.value)} digits; the limit is "
                f"integer_digits = {_DIGITS}",
                node,
                path,
                "write a large number with an exponent, e.g. 1e30",
            )
            return None
        if node.tag in (_T + "int", _T + "float"):
            constructor = (
                yaml.SafeLoader.construct_yaml_int
                if node.tag.endswith("int")
                else yaml.SafeLoader.construct_yaml_float
            )
            number = constructor(yaml.SafeLoader(""), node)
            if number != number or number in (float("inf"), float("-inf")):
                self.error("ES122", f"expected a finite number, got {node.value!r}", node, path)
                return None
            literal = ir.Number(value=abs(number), span=span)
            return (
                ir.Unary(op=ir.UnaryOp.NEG, operand=literal, span=span) if number < 0 else literal
            )
        if node.tag == _T + "bool":
            return ir.Bool(
                value=yaml.SafeLoader.construct_yaml_bool(yaml.SafeLoader(""), node), span=span
            )
        if self.budget.exhausted:  # the file is over its token budget (ES112 said so once)
            return None
        parse: Callable[..., ir.Expr] = parse_value if value else parse_expression
        try:
            return parse(
                node.value,
                file=self.file,
                base=self.span(node, path, inner=True),
                budget=self.budget,
            )
        except SpecError as err:
            self.diagnostics.extend(err.diagnostics)
            return None

    def param(self, node: yaml.Node, path: str, *, nested: bool = False) -> ir.Expr | None:
        """A method parameter: plain YAML data (a string is a string, never an expression).

        Method parameters are literals (ES224), so ``rule: midpoint`` means the string
        ``"midpoint"``, as ``rule = "midpoint"`` does in the DSL.
        """
        if isinstance(node, yaml.ScalarNode) and node.tag == _T + "str":
            if not self.check_tag(node, path):
                return None
            return ir.String(value=node.value, span=self.span(node, path))
        if isinstance(node, yaml.SequenceNode) and self.check_tag(node, path):
            if not nested and not self.list_size(node, path):
                return None
            items = [self.param(n, f"{path}[{k}]", nested=True) for k, n in enumerate(node.value)]
            if any(i is None for i in items):
                return None
            return ir.ListExpr(items=tuple(items), span=self.span(node, path))  # type: ignore[arg-type]
        return self.expr(node, path, value=True, nested=nested)

    # ---- structure

    def world(self, node: yaml.Node, path: str) -> ir.WorldBlock:
        fields = []
        for key, key_node, value_node in self.mapping(node, path, "a world"):
            if not _IDENT.match(key):
                self.error(
                    "ES122", f"a world field must be a name, got {key!r}", key_node, f"{path}.{key}"
                )
                continue
            value = self.expr(value_node, f"{path}.{key}", value=True)
            if value is not None:
                fields.append(
                    ir.WorldField(name=key, value=value, span=self.span(key_node, f"{path}.{key}"))
                )
        return ir.WorldBlock(fields=tuple(fields), span=self.span(node, path))

    def lets(self, node: yaml.Node, path: str) -> tuple[ir.Let, ...]:
        """``let: {name: expression, ...}``, in the document's order (a let may use the ones
        before it)."""
        out = []
        for key, key_node, value_node in self.mapping(node, path, "let"):
            p = f"{path}.{key}"
            if not _IDENT.match(key):
                self.error("ES122", f"a let name must be a name, got {key!r}", key_node, p)
                continue
            value = self.expr(value_node, p, value=False)
            if value is not None:
                out.append(ir.Let(name=key, value=value, span=self.span(key_node, p)))
        return tuple(out)

    def assumptions(self, node: yaml.Node, path: str) -> tuple[ir.Assumption, ...]:
        """``NAME: text``, or ``NAME: {text: ..., check: EXPR}`` for a machine-checkable one."""
        out = []
        for key, key_node, value_node in self.mapping(node, path, "assumptions"):
            p = f"{path}.{key}"
            check: ir.Expr | None = None
            if isinstance(value_node, yaml.MappingNode):
                what = f"assumption {key!r}"
                found = self.keys(self.mapping(value_node, p, what), ASSUME_KEYS, p, what)
                if "text" not in found:
                    self.error(
                        "ES107",
                        f"assumption {key!r} has no `text`",
                        value_node,
                        p,
                        "write `NAME: {text: plain words, check: EXPR}`",
                    )
                    continue
                text = self.prose(found["text"][1], f"{p}.text", what)
                if "check" in found:
                    check = self.expr(found["check"][1], f"{p}.check", value=False)
                    if check is None:
                        continue
            else:
                text = self.prose(value_node, p, f"assumption {key!r}")
            if not _IDENT.match(key):
                self.error("ES122", f"an assumption name must be a name, got {key!r}", key_node, p)
            elif text is not None:
                out.append(
                    ir.Assumption(name=key, text=text, check=check, span=self.span(key_node, p))
                )
        return tuple(out)

    def method(self, node: yaml.Node, path: str) -> ir.MethodRef:
        span = self.span(node, path)
        if isinstance(node, yaml.ScalarNode) and node.tag != _T + "null":
            use = self.text(node, path, "method", pattern=_DOTTED)
            return ir.MethodRef(use=use or "", span=span)
        found = self.keys(self.mapping(node, path, "method"), ("use", "params"), path, "method")
        if "use" not in found:
            self.error(
                "ES107", "method has no `use`", node, path, "write `method: {use: shap.kernel}`"
            )
            use = ""
        else:
            use = self.text(found["use"][1], f"{path}.use", "method.use", pattern=_DOTTED) or ""
        params = []
        if "params" in found:
            ppath = f"{path}.params"
            for key, key_node, value_node in self.mapping(
                found["params"][1], ppath, "method.params"
            ):
                if not _IDENT.match(key):
                    self.error(
                        "ES122",
                        f"a parameter must be a name, got {key!r}",
                        key_node,
                        f"{ppath}.{key}",
                    )
                    continue
                value = self.param(value_node, f"{ppath}.{key}")
                if value is not None:
                    params.append(
                        ir.Param(name=key, value=value, span=self.span(key_node, f"{ppath}.{key}"))
                    )
        return ir.MethodRef(use=use, params=tuple(params), span=span)

    def claim(self, name: str, key_node: yaml.Node, node: yaml.Node, path: str) -> ir.Claim | None:
        found = self.keys(
            self.mapping(node, path, f"claim {name!r}"), CLAIM_KEYS, path, f"claim {name!r}"
        )
        kinds = [k for k in CLAIM_KINDS if k in found]
        if not kinds:
            self.error(
                "ES107",
                f"claim {name!r} has no `answers`, `does_not_answer` or `holds` statement",
                key_node,
                path,
                "add e.g. `holds: The attributions add up to f(x) minus the mean.`",
            )
        for extra in kinds[1:]:
            self.error(
                "ES108",
                f"claim {name!r} has both `{kinds[0]}` and `{extra}`",
                found[extra][0],
                f"{path}.{extra}",
            )
        if "check" not in found:
            self.error(
                "ES107",
                f"claim {name!r} has no `check`",
                key_node,
                path,
                "add e.g. `check: sum(phi) == f(x) - mean(f(background)) within 1e-6`",
            )
        statement = (
            self.prose(found[kinds[0]][1], f"{path}.{kinds[0]}", "a statement") if kinds else None
        )
        about = None
        if "about" in found:
            about = self.text(found["about"][1], f"{path}.about", "about", pattern=_IDENT)
        check = (
            self.expr(found["check"][1], f"{path}.check", value=False) if "check" in found else None
        )
        assumptions = (
            self.assumptions(found["assume"][1], f"{path}.assume") if "assume" in found else ()
        )
        world = self.world(found["world"][1], f"{path}.world") if "world" in found else None
        lets = self.lets(found["let"][1], f"{path}.let") if "let" in found else ()
        examples = []
        if "examples" in found:
            epath = f"{path}.examples"
            for ex_name, ex_key, ex_node in self.mapping(found["examples"][1], epath, "examples"):
                if not _IDENT.match(ex_name):
                    self.error(
                        "ES122",
                        f"an example name must be a name, got {ex_name!r}",
                        ex_key,
                        f"{epath}.{ex_name}",
                    )
                    continue
                block = self.world(ex_node, f"{epath}.{ex_name}")
                examples.append(
                    ir.Example(
                        name=ex_name, world=block, span=self.span(ex_key, f"{epath}.{ex_name}")
                    )
                )
        if not kinds or statement is None or check is None:
            return None
        return ir.Claim(
            name=name,
            kind=ir.ClaimKind(kinds[0]),
            statement=statement,
            check=check,
            about=about,
            assumptions=assumptions,
            world=world,
            examples=tuple(examples),
            lets=lets,
            span=self.span(key_node, path),
        )

    def spec(self, root: yaml.Node) -> ir.Spec | None:
        found = self.keys(self.mapping(root, "$", "the document"), TOP_KEYS, "$", "the document")
        if "explainspec" in found:
            key_node, node = found["explainspec"]
            if not (isinstance(node, yaml.ScalarNode) and node.value == str(VERSION)):
                self.error(
                    "ES124",
                    f"unsupported `explainspec:` version {getattr(node, 'value', '?')!r}; this is version {VERSION}",
                    node,
                    "$.explainspec",
                )
        for key in ("spec", "title", "method", "output", "question"):
            if key not in found:
                self.error(
                    "ES107",
                    f"the document has no `{key}`",
                    root,
                    "$",
                    f"add `{key}: ...` at the top level",
                )
        values: dict[str, Any] = {}
        if "spec" in found:
            values["name"] = self.text(found["spec"][1], "$.spec", "spec", pattern=_IDENT)
        if "title" in found:
            values["title"] = self.prose(found["title"][1], "$.title", "title")
        if "method" in found:
            values["method"] = self.method(found["method"][1], "$.method")
        if "output" in found:
            node = found["output"][1]
            name = self.text(node, "$.output", "output")
            if name is not None:
                kind, problem = output_kind(name, self.span(node, "$.output"))
                if problem:
                    self.diagnostics.append(problem)
                values["output"] = kind
        if "estimates" in found:
            values["estimates"] = self.text(
                found["estimates"][1], "$.estimates", "estimates", pattern=_IDENT
            )
        if "references" in found:
            node = found["references"][1]
            if isinstance(node, yaml.SequenceNode) and self.check_tag(node, "$.references"):
                refs = [
                    self.prose(n, f"$.references[{k}]", "a reference")
                    for k, n in enumerate(node.value)
                ]
            else:
                refs = [self.prose(node, "$.references", "references")]
            values["references"] = tuple(r for r in refs if r is not None)
        if "question" in found:
            values["question"] = self.prose(found["question"][1], "$.question", "question")
        if "assumptions" in found:
            values["assumptions"] = self.assumptions(found["assumptions"][1], "$.assumptions")
        if "world" in found:
            values["world"] = self.world(found["world"][1], "$.world")
        if "let" in found:
            values["lets"] = self.lets(found["let"][1], "$.let")
        claims = []
        if "claims" in found:
            node = found["claims"][1]
            if not (
                isinstance(node, yaml.ScalarNode) and node.tag == _T + "null"
            ):  # `claims:` empty
                for name, key_node, value_node in self.mapping(node, "$.claims", "claims"):
                    path = f"$.claims.{name}"
                    if not _IDENT.match(name):
                        self.error(
                            "ES122", f"a claim name must be a name, got {name!r}", key_node, path
                        )
                        continue
                    claim = self.claim(name, key_node, value_node, path)
                    if claim is not None:
                        claims.append(claim)
        if self.diagnostics or any(
            values.get(k) is None for k in ("name", "title", "method", "output", "question")
        ):
            return None
        return ir.Spec(claims=tuple(claims), span=self.span(root, "$"), **values)


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == _T + "null":
        return "nothing (null)"
    return f"{node.value!r}"


def parse_yaml(text: str, *, file: str | None = None) -> ir.Spec:
    """Parse the text of a ``.espec.yaml`` file into a :class:`~explainspec.lang.ir.Spec`.

    Raises
    ------
    SpecError
        ``ES120`` for invalid YAML, ``ES121`` for tags such as ``!!python/object``, ``ES122``..``ES124``
        for wrong shapes, and the DSL's codes for check expressions.
    """
    sources = {file or "<string>": text}
    budget = Budget()
    loader: _Loader | None = None
    try:
        loader = _Loader(text, budget)
        root = loader.get_single_node()
    except _TooManyNodes as over:
        tokens = budget.limit
        mark = over.mark
        raise SpecError(
            [
                Diagnostic(
                    "ES112",
                    f"the document has more than {tokens} nodes (the limit `tokens`); reading "
                    "stopped here",
                    ir.Span(file=file, line=mark.line + 1, column=mark.column + 1),
                    "a spec is a few hundred nodes: split it into several files",
                )
            ],
            sources,
        ) from None
    except _TooDeep as deep:
        mark = deep.mark
        raise SpecError(
            [
                Diagnostic(
                    "ES106",
                    f"brackets are nested more than {MAX_DEPTH} deep; the limit is {MAX_DEPTH}",
                    ir.Span(file=file, line=mark.line + 1, column=mark.column + 1),
                )
            ],
            sources,
        ) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        span = ir.Span(
            file=file, line=mark.line + 1 if mark else 0, column=mark.column + 1 if mark else 0
        )
        message = " ".join(str(p) for p in (err.context, err.problem) if p)
        raise SpecError([Diagnostic("ES120", f"invalid YAML: {message}", span)], sources) from None
    except yaml.YAMLError as err:
        raise SpecError(
            [Diagnostic("ES120", f"invalid YAML: {err}", ir.Span(file=file, line=1, column=1))],
            sources,
        ) from None
    except RecursionError:
        raise SpecError(
            [
                Diagnostic(
                    "ES106",
                    "the YAML document is nested too deeply",
                    ir.Span(file=file, line=1, column=1),
                )
            ],
            sources,
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        raise SpecError(
            [Diagnostic("ES107", "the document is empty", ir.Span(file=file, line=1, column=1))],
            sources,
        )
    reader = _Reader(file, budget)
    spec = reader.spec(root)
    if reader.diagnostics or spec is None:
        raise SpecError(reader.diagnostics, sources)
    return spec


# --------------------------------------------------------------------------- printer


def _yaml_value(e: ir.Expr) -> Any:
    """Integers and booleans as YAML scalars; everything else as expression text."""
    if isinstance(e, ir.Bool):
        return e.value
    if (
        isinstance(e, ir.Number)
        and isinstance(e.value, int)
        and not isinstance(e.value, bool)
        and e.value >= 0
    ):
        return e.value
    return format_expr(e)


def _yaml_param(e: ir.Expr) -> Any:
    """A method parameter as plain YAML data (the inverse of ``_Reader.param``)."""
    if isinstance(e, ir.String):
        return e.value
    if isinstance(e, ir.ListExpr):
        return [_yaml_param(i) for i in e.items]
    if isinstance(e, ir.Number) and not isinstance(e.value, bool):
        return e.value
    if isinstance(e, ir.Unary) and e.op is ir.UnaryOp.NEG and isinstance(e.operand, ir.Number):
        return -e.operand.value
    return _yaml_value(e)


def _world_dict(block: ir.WorldBlock) -> dict[str, Any]:
    return {f.name: _yaml_value(f.value) for f in block.fields}


def _assumptions(items: tuple[ir.Assumption, ...]) -> dict[str, Any]:
    """``{name: text}``, or ``{name: {text, check}}`` for an assumption with a condition."""
    return {
        a.name: a.text if a.check is None else {"text": a.text, "check": format_expr(a.check)}
        for a in items
    }


def spec_to_data(spec: ir.Spec) -> dict[str, Any]:
    """The YAML form of ``spec`` as plain data (dicts in canonical key order)."""
    data: dict[str, Any] = {"explainspec": VERSION, "spec": spec.name, "title": spec.title}
    method: dict[str, Any] = {"use": spec.method.use}
    if spec.method.params:
        method["params"] = {p.name: _yaml_param(p.value) for p in spec.method.params}
    data["method"] = method
    data["output"] = spec.output.value
    if spec.estimates is not None:
        data["estimates"] = spec.estimates
    if spec.references:
        data["references"] = list(spec.references)
    data["question"] = spec.question
    if spec.assumptions:
        data["assumptions"] = _assumptions(spec.assumptions)
    if spec.world is not None:
        data["world"] = _world_dict(spec.world)
    if spec.lets:
        data["let"] = {b.name: _yaml_value(b.value) for b in spec.lets}
    claims: dict[str, Any] = {}
    for c in spec.claims:
        entry: dict[str, Any] = {c.kind.value: c.statement}
        if c.about is not None:
            entry["about"] = c.about
        if c.assumptions:
            entry["assume"] = _assumptions(c.assumptions)
        if c.world is not None:
            entry["world"] = _world_dict(c.world)
        if c.examples:
            entry["examples"] = {ex.name: _world_dict(ex.world) for ex in c.examples}
        if c.lets:
            entry["let"] = {b.name: _yaml_value(b.value) for b in c.lets}
        entry["check"] = format_expr(c.check)
        claims[c.name] = entry
    data["claims"] = claims
    return data


class _Dumper(yaml.SafeDumper):
    """Safe dumping, but a string with a non-printable character is written double-quoted.

    In plain or single-quoted scalars YAML folds line breaks (U+0085, U+2028, ...) and drops
    trailing spaces around them; in double quotes the emitter escapes them, so they come back.
    """


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = None if value.isprintable() else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def to_yaml(spec: ir.Spec) -> str:
    """The ``.espec.yaml`` text of ``spec``; :func:`parse_yaml` reads it back to an equal IR."""
    return yaml.dump(
        spec_to_data(spec),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=10**9,
        default_flow_style=False,
    )
