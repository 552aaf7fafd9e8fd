"""The spec IR: what a ``.espec`` or ``.espec.yaml`` file means, independent of its surface form.

Frozen, slotted, keyword-only dataclasses of tuples and enums. Every node keeps a ``span`` (where
it came from: file, line, column, and for YAML the ``$.claims.NAME.check`` path); spans never take
part in equality, so the IR parsed from the DSL and from the YAML form of the same spec compare
equal.

Nothing downstream of ``explainspec.lang`` sees a lark tree or a raw YAML dict: only these nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Final, TypeAlias

# --------------------------------------------------------------------------- locations


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """A location in a source file. Lines and columns are 1-based.

    ``path`` is the JSON-path-like location inside a YAML document (``$.claims.efficiency.check``),
    ``None`` for the DSL.
    """

    file: str | None = None
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0
    path: str | None = None

    def __str__(self) -> str:
        where = f"{self.file or '<string>'}:{self.line}:{self.column}"
        return f"{where} ({self.path})" if self.path else where


def _span() -> Span | None:
    return field(default=None, compare=False, repr=False)  # type: ignore[return-value]


# --------------------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True, kw_only=True)
class Number:
    """A numeric literal. ``value`` is an ``int`` when written without ``.``/exponent."""

    value: int | float
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class String:
    value: str
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class Bool:
    value: bool
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class Name:
    """A variable, a quantity (``phi``, ``x``, ``f`` ...), or the name of a callable."""

    id: str
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class Attribute:
    """``value.attr`` — e.g. ``f.component`` (then usually called), ``f.weights``."""

    value: Expr
    attr: str
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class Keyword:
    name: str
    value: Expr
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """``func(args..., name = value...)``. ``func`` is a :class:`Name` or :class:`Attribute`."""

    func: Expr
    args: tuple[Expr, ...] = ()
    kwargs: tuple[Keyword, ...] = ()
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class Slice:
    """``start:stop:step`` inside an index; any part may be omitted (``None``)."""

    start: Expr | None = None
    stop: Expr | None = None
    step: Expr | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class Index:
    """``value[item, item, ...]`` with numpy semantics; items are expressions or slices."""

    value: Expr
    items: tuple[Expr | Slice, ...]
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class ListExpr:
    """``[a, b, c]``."""

    items: tuple[Expr, ...] = ()
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class SetExpr:
    """``{a, b, c}``: a subset of the features (its items are feature indices)."""

    items: tuple[Expr, ...] = ()
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class Comprehension:
    """``[element for var in domain]``: the list of ``element`` for each value of ``var`` in
    ``domain``, in order (a sweep of a hyper-parameter, for trends and limits)."""

    element: Expr
    var: str
    domain: Expr
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class RangeExpr:
    """``lo..hi`` (inclusive). Only allowed as a world field value (``features = 2..6``)."""

    lo: Expr
    hi: Expr
    span: Span | None = _span()


class UnaryOp(str, Enum):
    NEG = "-"
    POS = "+"


@dataclass(frozen=True, slots=True, kw_only=True)
class Unary:
    op: UnaryOp
    operand: Expr
    span: Span | None = _span()


class BinOp(str, Enum):
    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"
    POW = "**"
    MATMUL = "@"
    UNION = "|"  # subsets: S | T
    INTERSECT = "&"  # subsets: S & T


@dataclass(frozen=True, slots=True, kw_only=True)
class Binary:
    op: BinOp
    left: Expr
    right: Expr
    span: Span | None = _span()


class TolKind(str, Enum):
    ABS = "abs"  # within 1e-6
    REL = "relative"  # within 1e-3 relative
    MC = "mc"  # within mc(z = 5): statistical tolerance for randomized methods


@dataclass(frozen=True, slots=True, kw_only=True)
class Tolerance:
    """``within T``. For ``ABS`` and ``REL`` ``value`` is the tolerance; for ``MC`` it is ``z``."""

    kind: TolKind
    value: float
    span: Span | None = _span()


class CmpOp(str, Enum):
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    IN = "in"  # membership of a feature in a subset: i in S
    NOT_IN = "not in"


@dataclass(frozen=True, slots=True, kw_only=True)
class Compare:
    """``left OP right [within T]``. Comparisons do not chain."""

    op: CmpOp
    left: Expr
    right: Expr
    tolerance: Tolerance | None = None
    span: Span | None = _span()


class BoolOpKind(str, Enum):
    AND = "and"
    OR = "or"


@dataclass(frozen=True, slots=True, kw_only=True)
class BoolOp:
    """``a and b and c`` / ``a or b``: n-ary, flattened (at least two operands)."""

    op: BoolOpKind
    operands: tuple[Expr, ...]
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class Not:
    operand: Expr
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class Implies:
    """``a implies b`` (right-associative)."""

    left: Expr
    right: Expr
    span: Span | None = _span()


class QuantKind(str, Enum):
    ALL = "all"
    SOME = "some"


@dataclass(frozen=True, slots=True, kw_only=True)
class Quantifier:
    """``for all i, j: body`` / ``for some i: body``.

    Variables range over the feature indices ``0 .. d-1`` unless ``domain`` is given
    (``for all i in range(3): ...``), which must evaluate to a sequence of integers.
    """

    kind: QuantKind
    vars: tuple[str, ...]
    body: Expr
    domain: Expr | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class Let:
    """``let name = value``: a named value of a claim (or, at spec level, of every claim that
    uses it). Evaluated at most once per world and point, when first used."""

    name: str
    value: Expr
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class With:
    """A check with the named values it uses: what :func:`claim_check` gives the evaluator.

    Never written in a spec (a spec writes ``let`` items); built from a claim and its spec, so a
    check's evaluation sees its ``let`` names in order.
    """

    lets: tuple[Let, ...]
    body: Expr
    span: Span | None = _span()


Expr: TypeAlias = (
    Number
    | String
    | Bool
    | Name
    | Attribute
    | Call
    | Index
    | ListExpr
    | SetExpr
    | Comprehension
    | RangeExpr
    | Unary
    | Binary
    | Compare
    | BoolOp
    | Not
    | Implies
    | Quantifier
    | With
)

# --------------------------------------------------------------------------- spec structure


class ClaimKind(str, Enum):
    ANSWERS = "answers"  # a valid interpretation: must never fail -> verified / refuted
    DOES_NOT_ANSWER = (
        "does_not_answer"  # a misreading: the checker must find a failure -> shown / unshown
    )
    HOLDS = "holds"  # a mathematical property -> verified / refuted


class OutputKind(str, Enum):
    ATTRIBUTION = "attribution"  # local, shape (d,)
    IMPORTANCE = "importance"  # global, shape (d,)
    CURVE = "curve"  # shape (d, m) over the world's grid; global (PD) or local (ICE)
    INTERACTION = "interaction"  # local, shape (d, d)
    COUNTERFACTUAL = "counterfactual"  # local, shape (d,): a point


@dataclass(frozen=True, slots=True, kw_only=True)
class Param:
    """``name = value`` inside ``method = adapter(...)`` or a world field call."""

    name: str
    value: Expr
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class MethodRef:
    """``method = shap.kernel(nsamples = 4096)`` — a registered method and its parameters."""

    use: str
    params: tuple[Param, ...] = ()
    span: Span | None = _span()


#: The fields of a ``world { ... }`` block (the semantic checker refuses any other name).
WORLD_FIELDS: Final = (
    "function",
    "second",
    "features",
    "data",
    "background",
    "points",
    "baseline",
    "target",
    "noise",
    "labels",
    "grid",
    "seed",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorldField:
    """``function = any(linear, additive)`` inside a ``world { ... }`` block.

    Known fields (checked by semantics): ``function``, ``second`` (a second function ``g``),
    ``features``, ``data``, ``background``, ``points``, ``baseline``, ``target``, ``noise``, ``labels``,
    ``grid``, ``seed``.
    """

    name: str
    value: Expr
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class WorldBlock:
    fields: tuple[WorldField, ...] = ()
    span: Span | None = _span()

    def get(self, name: str) -> Expr | None:
        for f in self.fields:
            if f.name == name:
                return f.value
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Assumption:
    """``assume NAME "plain words" [check EXPR]``.

    ``check`` (optional) makes the assumption machine-checkable: a condition on the world and the
    point, evaluated like a claim's check but never reading the method (ES390). A claim is
    checked only on the points of its worlds where every condition of its assumptions (the
    spec's and its own) holds; a world with no such point is not one of the claim's worlds.
    """

    name: str
    text: str
    check: Expr | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class Example:
    """An explicit example world: ``example NAME { world fields }``.

    Examples are run before the search and shown in the docs; they never replace the search.
    """

    name: str
    world: WorldBlock
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    name: str
    kind: ClaimKind
    statement: str
    check: Expr
    about: str | None = None  # question type; required for answers / does_not_answer
    assumptions: tuple[Assumption, ...] = ()
    world: WorldBlock | None = None  # overrides of the spec's default world, field by field
    examples: tuple[Example, ...] = ()
    lets: tuple[Let, ...] = ()  # named values of the check, in order
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class Comment:
    """A ``# ...`` comment of a DSL file, as written (``text`` starts with ``#``), and where.

    The lexer collects comments; the canonical printer writes each one again next to the item
    that follows it (or at the end of the line of the item it trails). Comments never take part
    in equality: they do not change what a spec means.
    """

    text: str
    span: Span
    #: nothing but whitespace before it on its line (else it trails the code on that line)
    own_line: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Spec:
    name: str
    title: str
    method: MethodRef
    output: OutputKind
    question: str
    claims: tuple[Claim, ...]
    estimates: str | None = None
    references: tuple[str, ...] = ()
    assumptions: tuple[Assumption, ...] = ()
    world: WorldBlock | None = None
    lets: tuple[Let, ...] = ()  # named values every claim may use
    span: Span | None = _span()
    source: str | None = field(default=None, compare=False, repr=False)  # the file's path
    #: the comments of a DSL file (empty for YAML and for specs built in code)
    comments: tuple[Comment, ...] = field(default=(), compare=False, repr=False)
    #: where the items that are plain values (``output``, ``question``, ...) were written:
    #: ``(item, span)`` pairs, so the printer can put their comments back next to them
    item_spans: tuple[tuple[str, Span], ...] = field(default=(), compare=False, repr=False)

    def _repr_html_(self) -> str:  # Jupyter; the renderer imports nothing heavy until asked
        from explainspec.report.notebook import spec_html

        return spec_html(self)

    def _repr_markdown_(self) -> str:
        from explainspec.report.notebook import spec_markdown

        return spec_markdown(self)


def merged_world(spec: Spec, claim: Claim) -> WorldBlock:
    """The claim's world: the spec's default world with the claim's fields replacing same-named ones."""
    fields: dict[str, WorldField] = {}
    for block in (spec.world, claim.world):
        if block is not None:
            for f in block.fields:
                fields[f.name] = f
    return WorldBlock(fields=tuple(fields.values()), span=claim.world.span if claim.world else None)


def claim_check(spec: Spec, claim: Claim) -> Expr:
    """The claim's check with the ``let`` names it uses: the spec's (those the claim reaches,
    directly or through other lets) then the claim's own, in order, as a :class:`With`; the
    plain check when it uses none."""
    lets = _used_spec_lets(spec.lets, claim) + claim.lets
    if not lets:
        return claim.check
    return With(lets=lets, body=claim.check, span=claim.check.span)


def _used_spec_lets(lets: tuple[Let, ...], claim: Claim) -> tuple[Let, ...]:
    if not lets:
        return ()
    needed = _names(claim.check) | {n for let in claim.lets for n in _names(let.value)}
    own = {let.name for let in claim.lets}
    keep: list[Let] = []
    for let in reversed(lets):  # a let may use earlier lets only
        if let.name in needed and let.name not in own:
            keep.append(let)
            needed |= _names(let.value)
    return tuple(reversed(keep))


def _names(e: object) -> set[str]:
    """Every :class:`Name` in an expression (bound or free)."""
    found: set[str] = set()
    stack: list[object] = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            found.add(node.id)
        elif isinstance(node, tuple):
            stack.extend(node)
        elif hasattr(node, "__dataclass_fields__") and not isinstance(node, Span):
            stack.extend(getattr(node, k) for k in node.__dataclass_fields__)
    return found
