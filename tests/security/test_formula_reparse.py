"""A long formula every claim inherits is parsed once, not once per claim.

The world resolver runs on each claim's merged world (``explainspec check`` and the run), so a
spec-level ``function = formula("...")`` of 10 000 characters (the ``string_chars`` limit; one
token for the ``tokens`` budget) inherited by 1 000 one-line claims was parsed 1 000 times:
80 s of ``check`` for a 70 kB spec, within every documented limit. The same with one YAML alias
used by every claim. Counted here as calls of the expression parser, not timed.
"""

from __future__ import annotations

import pytest

import explainspec.lang.parser as parser
from explainspec import loads
from explainspec.lang import SpecError
from explainspec.lang.semantics import check_spec

CLAIMS = 200
#: a valid formula, and one the formula whitelist refuses (``log``: not one of its functions)
FORMULAS = {
    "valid": " + ".join(["x0 * x1"] * 100),
    "refused": " + ".join(["x0 * x1"] * 99) + " + log(x0)",
}


@pytest.fixture
def parses(monkeypatch):
    """The formulas the expression parser was asked to parse."""
    seen: list[str] = []
    real = parser.parse_expression

    def counting(text, *args, **kwargs):
        seen.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(parser, "parse_expression", counting)
    return seen


def _dsl(formula: str) -> str:
    claims = "\n".join(f'  claim c{i} holds "s" {{ check phi[0] >= -1e9 }}' for i in range(CLAIMS))
    return (
        'spec e "t" {\n  method = reference.shapley\n  output = attribution\n  question "q"\n'
        f'  world {{ function = formula("{formula}"); features = 2; data = grid(levels = 3); '
        f"points = 1 }}\n{claims}\n}}\n"
    )


def _yaml(formula: str) -> str:
    claims = "".join(
        f"  c{i}:\n    holds: s\n    world: "
        + (f"&w {{function: 'formula(\"{formula}\")'}}" if i == 0 else "*w")
        + "\n    check: phi[0] >= -1e9\n"
        for i in range(CLAIMS)
    )
    return (
        "explainspec: 1\nspec: e\ntitle: t\nmethod: {use: reference.shapley}\n"
        "output: attribution\nquestion: q\n"
        "world: {features: 2, data: 'grid(levels = 3)', points: 1}\nclaims:\n" + claims
    )


@pytest.mark.parametrize("kind", FORMULAS)
@pytest.mark.parametrize("form", ["dsl", "yaml"])
def test_an_inherited_formula_is_parsed_once(form, kind, parses):
    formula = FORMULAS[kind]
    spec = loads((_dsl if form == "dsl" else _yaml)(formula), form=form)
    diagnostics = check_spec(spec)
    assert parses.count(formula) == 1
    errors = [d for d in diagnostics if d.is_error]
    if kind == "valid":
        assert errors == []
    else:  # still refused, each place once (DSL: the spec's world; YAML: each claim's path)
        assert errors and {d.code for d in errors} == {"ES229"}
        if form == "yaml":
            paths = {d.span.path for d in errors}
            assert paths == {f"$.claims.c{i}.world.function" for i in range(CLAIMS)}


def test_a_refused_formula_is_still_refused_by_load(parses):
    with pytest.raises(SpecError):
        from explainspec.lang.loader import load_valid

        load_valid(_dsl(FORMULAS["refused"]))


def test_an_inherited_world_is_resolved_once(monkeypatch):
    """The same for any inherited world: a given ``polynomial(terms = ...)`` of 1 000 terms was
    checked again for each claim (13 s of ``check`` for 990 claims)."""
    import explainspec.worlds.spec as worlds

    calls = []
    real = worlds.resolve

    def counting(block, *args, **kwargs):
        calls.append(block)
        return real(block, *args, **kwargs)

    monkeypatch.setattr(worlds, "resolve", counting)
    terms = "[" + ", ".join("[1, [0, 1]]" for _ in range(50)) + "]"
    text = _dsl("x0").replace('formula("x0")', f"polynomial(terms = {terms})")
    text = text.replace(  # one claim with a world of its own is resolved on its own
        'claim c0 holds "s" {', 'claim c0 holds "s" { world { points = 2 }'
    )
    assert [d for d in check_spec(loads(text)) if d.is_error] == []
    assert len(calls) == 2
