"""Hypothesis strategies over the spec IR (valid, printable specs), for round-trip tests."""

from __future__ import annotations

from hypothesis import strategies as st

from explainspec.lang import ir
from explainspec.lang.builder import normalize_prose

RESERVED = {
    "for",
    "all",
    "some",
    "in",
    "and",
    "or",
    "not",
    "implies",
    "within",
    "relative",
    "mc",
    "true",
    "false",
    "z",
    "spec",
    "method",
    "output",
    "estimates",
    "references",
    "question",
    "assume",
    "world",
    "claim",
    "example",
    "check",
    "answers",
    "does_not_answer",
    "holds",
    "let",
}


def _name(node: object) -> str:
    """Names are unique within a YAML mapping (duplicates are an error in both forms)."""
    return node.name  # type: ignore[attr-defined]


names = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True).filter(lambda s: s not in RESERVED)
dotted = st.lists(names, min_size=1, max_size=3).map(".".join)
prose = (
    st.text(
        # no control characters: a spec's strings may not hold one (ES109)
        st.characters(min_codepoint=32, max_codepoint=0x24F, exclude_categories=("Cs", "Cc")),
        min_size=1,
        max_size=60,
    )
    .map(normalize_prose)
    .filter(bool)
)
literal_text = st.text(
    st.characters(
        min_codepoint=9,
        max_codepoint=0x24F,
        exclude_categories=("Cs", "Cc"),
        include_characters="\t\n\r",
    ),
    max_size=12,
)
numbers = st.one_of(
    st.integers(min_value=0, max_value=10**20),
    st.floats(min_value=0, allow_nan=False, allow_infinity=False),
)


_param_scalars = st.one_of(
    numbers.map(lambda v: ir.Number(value=v)),
    numbers.filter(bool).map(lambda v: ir.Unary(op=ir.UnaryOp.NEG, operand=ir.Number(value=v))),
    literal_text.map(lambda v: ir.String(value=v)),
    st.booleans().map(lambda v: ir.Bool(value=v)),
)
#: Method parameters are literal values (ES224): scalars and lists of them.
param_values = _param_scalars | st.lists(_param_scalars, max_size=3).map(
    lambda items: ir.ListExpr(items=tuple(items))
)


def _atoms() -> st.SearchStrategy[ir.Expr]:
    return st.one_of(
        numbers.map(lambda v: ir.Number(value=v)),
        literal_text.map(lambda v: ir.String(value=v)),
        st.booleans().map(lambda v: ir.Bool(value=v)),
        names.map(lambda v: ir.Name(id=v)),
    )


_MEMBERSHIP = (ir.CmpOp.IN, ir.CmpOp.NOT_IN)  # `i in S` takes no tolerance


def _extend(sub: st.SearchStrategy[ir.Expr]) -> st.SearchStrategy[ir.Expr]:
    small = st.lists(sub, max_size=3).map(tuple)
    slices = st.builds(
        ir.Slice,
        start=st.none() | sub,
        stop=st.none() | sub,
        step=st.none() | sub,
    )
    tolerance = st.builds(
        ir.Tolerance,
        kind=st.sampled_from(ir.TolKind),
        value=st.floats(min_value=1e-12, max_value=1e6),
    )
    return st.one_of(
        st.builds(ir.Attribute, value=sub, attr=names),
        st.builds(
            ir.Call,
            func=st.one_of(
                names.map(lambda n: ir.Name(id=n)), st.builds(ir.Attribute, value=sub, attr=names)
            ),
            args=small,
            kwargs=st.lists(st.builds(ir.Keyword, name=names, value=sub), max_size=2).map(tuple),
        ),
        st.builds(
            ir.Index, value=sub, items=st.lists(sub | slices, min_size=1, max_size=3).map(tuple)
        ),
        st.builds(ir.ListExpr, items=small),
        st.builds(ir.Unary, op=st.sampled_from(ir.UnaryOp), operand=sub),
        st.builds(ir.Binary, op=st.sampled_from(ir.BinOp), left=sub, right=sub),
        st.builds(
            ir.Compare,
            op=st.sampled_from([op for op in ir.CmpOp if op not in _MEMBERSHIP]),
            left=sub,
            right=sub,
            tolerance=st.none() | tolerance,
        ),
        st.builds(ir.Compare, op=st.sampled_from(_MEMBERSHIP), left=sub, right=sub),
        st.builds(ir.SetExpr, items=small),
        st.builds(ir.Comprehension, element=sub, var=names, domain=sub),
        st.builds(
            ir.BoolOp,
            op=st.sampled_from(ir.BoolOpKind),
            operands=st.lists(sub, min_size=2, max_size=3).map(tuple),
        ),
        st.builds(ir.Not, operand=sub),
        st.builds(ir.Implies, left=sub, right=sub),
        st.builds(
            ir.Quantifier,
            kind=st.sampled_from(ir.QuantKind),
            vars=st.lists(names, min_size=1, max_size=2, unique=True).map(tuple),
            body=sub,
            domain=st.none() | sub,
        ),
    )


#: Expressions as the grammar can produce them (ranges only where values allow them).
exprs = st.recursive(_atoms(), _extend, max_leaves=8)
values = st.one_of(exprs, st.builds(ir.RangeExpr, lo=exprs, hi=exprs))
world_blocks = st.builds(
    ir.WorldBlock,
    fields=st.lists(
        st.builds(ir.WorldField, name=names, value=values), max_size=4, unique_by=_name
    ).map(tuple),
)
lets = st.lists(st.builds(ir.Let, name=names, value=exprs), max_size=2, unique_by=_name).map(tuple)
assumptions = st.lists(
    st.builds(ir.Assumption, name=names, text=prose, check=st.none() | exprs),
    max_size=2,
    unique_by=_name,
).map(tuple)


@st.composite
def claims(draw: st.DrawFn) -> ir.Claim:
    kind = draw(st.sampled_from(ir.ClaimKind))
    about = draw(names) if kind is not ir.ClaimKind.HOLDS else draw(st.none() | names)
    return ir.Claim(
        name=draw(names),
        kind=kind,
        statement=draw(prose),
        check=draw(exprs),
        about=about,
        assumptions=draw(assumptions),
        world=draw(st.none() | world_blocks),
        examples=draw(
            st.lists(
                st.builds(ir.Example, name=names, world=world_blocks), max_size=2, unique_by=_name
            ).map(tuple)
        ),
        lets=draw(lets),
    )


specs = st.builds(
    ir.Spec,
    name=names,
    title=prose,
    method=st.builds(
        ir.MethodRef,
        use=dotted,
        params=st.lists(
            st.builds(ir.Param, name=names, value=param_values), max_size=3, unique_by=_name
        ).map(tuple),
    ),
    output=st.sampled_from(ir.OutputKind),
    question=prose,
    claims=st.lists(claims(), max_size=3, unique_by=_name).map(tuple),
    estimates=st.none() | names,
    references=st.lists(prose, max_size=2).map(tuple),
    assumptions=assumptions,
    world=st.none() | world_blocks,
    lets=lets,
)
