"""A table of bad inputs: for every diagnostic code, one bad spec and the exact message.

The table must cover every code in ``CODES`` and every code documented in
``docs/reference/errors.md`` (and nothing else).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from explainspec.lang import SpecError, check_spec, load, load_text
from explainspec.lang.diagnostics import CODES
from tests.lang.cases import YAML, dsl, registries

ROOT = Path(__file__).resolve().parents[2]

# code -> (input, line, column, exact message)
SYNTAX = {
    "ES103": (dsl("a $ b"), 7, 17, "unexpected character '$'"),
    "ES104": (
        dsl("phi < 1 < 2"),
        7,
        23,
        "unexpected '<'; expected ';', 'and', 'assume', 'check', 'example', 'implies', 'let', "
        "'or', 'within', 'world', '|', '}'",
    ),
    "ES105": (
        dsl()[:60],
        3,
        25,
        "unexpected end of input; expected ';', 'assume', 'claim', 'estimates', 'let', 'method', "
        "'output', 'question', 'references', 'world', '}'",
    ),
    "ES106": (
        dsl("(" * 200 + "x" + ")" * 200),
        7,
        133,
        "brackets are nested 202 deep; the limit is 120",
    ),
    "ES107": (
        dsl().replace("        check sum(phi) == shapley(f, x, P) within 1e-6\n", ""),
        6,
        11,
        "claim 'c' has no `check`",
    ),
    "ES108": (
        dsl("phi[0] > 0\n        check phi[1] > 0"),
        8,
        9,
        "`check` is given twice in claim 'c'",
    ),
    "ES109": (dsl('"\\q" == "a"'), 7, 15, "unknown escape '\\q' in a string"),
    "ES110": (
        dsl("sum(axis = 0, phi) > 0"),
        7,
        29,
        "a positional argument follows a keyword argument",
    ),
    "ES111": (
        dsl("1" + "0" * 150 + " > 0"),
        7,
        15,
        "an integer of 151 digits; the limit is integer_digits = 100",
    ),
    "ES112": (
        dsl(" and ".join(["phi[0] > 0"] * 8000)),
        7,
        107081,
        "the file has more than 50000 tokens (the limit `tokens`); reading stopped here",
    ),
    "ES211": (
        dsl(output="attributions"),
        3,
        14,
        "unknown output kind 'attributions'. Did you mean 'attribution'? Known output kinds: "
        "attribution, importance, curve, interaction, counterfactual",
    ),
}

# code -> (YAML input, line, column, document path, exact message)
YAML_CASES = {
    "ES120": (
        YAML.replace("method: {use: ref.exact}", "method: {use: ref.exact"),
        5,
        7,
        None,
        "invalid YAML: while parsing a flow mapping expected ',' or '}', but got ':'",
    ),
    "ES121": (
        YAML.replace("title: S", "title: !!python/object/apply:os.system ['echo hi']"),
        3,
        8,
        "$.title",
        "unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'",
    ),
    "ES122": (
        YAML.replace("title: S", "title: [a, b]"),
        3,
        8,
        "$.title",
        "title must be a string, got a list",
    ),
    "ES123": (
        YAML.replace("question: q", "question: q\nquestions: q"),
        7,
        1,
        "$.questions",
        "unknown key 'questions' in the document. Did you mean 'question'?",
    ),
    "ES124": (
        YAML.replace("explainspec: 1", "explainspec: 2"),
        1,
        14,
        "$.explainspec",
        "unsupported `explainspec:` version '2'; this is version 1",
    ),
}

# code -> (input, line, column, exact message); checked against tests/lang/cases.registries()
SEMANTIC = {
    "ES201": (
        dsl(method="ref.exakt"),
        2,
        5,
        "unknown method 'ref.exakt'. Did you mean 'ref.exact'? Known methods: ref.exact, ref.sampled, ref.pd",
    ),
    "ES202": (
        dsl(world="function = linaer"),
        5,
        24,
        "unknown family 'linaer'. Did you mean 'linear'? Known families: linear, any",
    ),
    "ES203": (
        dsl(world="data = gird(levels = 3)"),
        5,
        20,
        "unknown distribution 'gird'. Did you mean 'grid'? Known distributions: grid",
    ),
    "ES204": (
        dsl("sum(phi) == shapely(f, x, P) within 1e-6"),
        7,
        27,
        "unknown name 'shapely'. Did you mean 'shapley'?",
    ),
    "ES205": (
        dsl(claim='claim c answers componnt "s"'),
        6,
        5,
        "unknown question type 'componnt'. Did you mean 'component'? Known question types: component, local_effect",
    ),
    "ES206": (dsl(claim='claim c answers "s"'), 6, 5, "claim 'c' (answers) names no question type"),
    "ES207": (
        dsl("sum(phi) == shapley(f, x) within 1e-6"),
        7,
        27,
        "oracle 'shapley' is missing the argument 'P'",
    ),
    "ES208": (
        dsl("sum(phi, axes = 0) == 0 within 1e-6"),
        7,
        24,
        "builtin 'sum' has no parameter 'axes'. Did you mean 'axis'?",
    ),
    "ES209": (
        dsl(world="function = linear; feature = 3"),
        5,
        32,
        "unknown world field 'feature'. Did you mean 'features'?",
    ),
    "ES210": (dsl("sum(1..3) > 0"), 7, 19, "a range `1..3` cannot appear in a check"),
    "ES212": (
        dsl(extra='    claim c holds "t" { check phi[0] > 0 }\n'),
        7,
        5,
        "claim 'c' is defined twice",
    ),
    "ES213": (
        'spec s "S" { method = ref.exact output = attribution question "q" }',
        1,
        1,
        "spec 's' has no claims",
    ),
    "ES214": (
        dsl("sum(phi) == shapley(f, x, P)"),
        7,
        15,
        "`sum(phi) == shapley(f, x, P)` compares real numbers exactly",
    ),
    "ES215": (
        dsl("for all x: phi[x] > 0"),
        7,
        15,
        "quantifier variable 'x' shadows the quantity 'x'",
    ),
    "ES260": (
        dsl("phi[0] == f(x) within 1e-6", extra="    let x = 1\n"),
        6,
        5,
        "let 'x' shadows the quantity 'x'",
    ),
    "ES261": (
        dsl(extra="    let total = sum(phi)\n"),
        6,
        5,
        "let 'total' is not used",
    ),
    "ES262": (dsl("1 in {0, 0.5}"), 7, 24, "`0.5` in a subset is not a feature index"),
    "ES216": (
        dsl("for all i, j: phi[i] > 0"),
        7,
        15,
        "quantifier variable 'j' is not used in `phi[i] > 0`",
    ),
    "ES217": (
        dsl("sum(phi) <= 1 within 1e-6"),
        7,
        29,
        "`within` only applies to `==` and `!=`, not to `<=`",
    ),
    "ES218": (
        dsl("sum(phi) == 1 within mc(z = 5)"),
        7,
        29,
        "`within mc(...)` on method 'ref.exact', which is not randomized",
    ),
    "ES219": (
        dsl("for all i, j: phi[i, j] > 0"),
        7,
        29,
        "`phi[i, j]` indexes phi with 2 indices, but phi has 1 dimension for output 'attribution'",
    ),
    "ES220": (
        dsl("f.__class__ > 0"),
        7,
        15,
        "attribute '__class__' is private: a check cannot read names starting with '_'",
    ),
    "ES221": (
        dsl(method="ref.pd"),
        2,
        5,
        "method 'ref.pd' returns output 'curve', but the spec says `output = attribution`",
    ),
    "ES222": (
        dsl().replace("    question", "    estimates = shapely\n    question"),
        1,
        1,
        "unknown statistic 'shapely' in `estimates`. Did you mean 'shapley'?",
    ),
    "ES223": (
        dsl("sum(phi) == 1 within 0"),
        7,
        29,
        "a tolerance must be a positive number, got 0.0",
    ),
    "ES224": (
        dsl(method="ref.exact(n = riemann)"),
        2,
        28,
        "parameter 'n' of method 'ref.exact' must be a literal value",
    ),
    "ES225": (dsl("sum(phi)"), 7, 15, "`sum(phi)` is a number, not a condition"),
    "ES226": (
        dsl(world="function = linear; data = grid(levels = 3); features = 6..2"),
        5,
        68,
        "empty range 6..2: the lower end exceeds the upper",
    ),
    "ES227": (
        dsl(method='ref.exact(n = "lots")'),
        2,
        28,
        "parameter 'n' of method 'ref.exact': expected int, got 'lots'",
    ),
    "ES228": (
        dsl(world="function = linear; data = grid(levels = 3); features = 1..1000000000"),
        5,
        57,
        "features = 1..1000000000 is over the limit: at most 100 (limit `features`)",
    ),
    "ES229": (
        dsl(world="function = linear; data = grid(levels = 3); noise = -1"),
        5,
        57,
        "noise = -1 must be a number >= 0 (the sd of Gaussian noise)",
    ),
    "ES230": (
        dsl('for all i in "abc": phi[i] > 0'),
        7,
        28,
        'the domain `"abc"` of a quantifier is not a sequence of integers',
    ),
    "ES390": (
        dsl(extra='    assume positive "phi is positive" check phi[0] > 0\n'),
        6,
        45,
        "the condition of assumption 'positive' reads the method ('phi')",
    ),
}

#: Codes of the command line, not of a spec: tested in tests/security/test_spec_cli.py.
CLI_CODES = {"ES250", "ES251", "ES259"}


def _one(diagnostics, code):
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, [(d.code, d.message) for d in diagnostics]
    return found[0]


@pytest.mark.parametrize("code", sorted(SYNTAX))
def test_syntax_errors(code):
    text, line, column, message = SYNTAX[code]
    with pytest.raises(SpecError) as info:
        load_text(text, path="s.espec")
    d = _one(info.value.diagnostics, code)
    assert (d.span.file, d.span.line, d.span.column, d.message) == (
        "s.espec",
        line,
        column,
        message,
    )
    rendered = str(info.value)
    assert rendered.startswith(f"s.espec:{line}:{column}: {code} {message}\n")
    assert "^" in rendered  # the caret under the source line


@pytest.mark.parametrize("code", sorted(YAML_CASES))
def test_yaml_errors(code):
    text, line, column, path, message = YAML_CASES[code]
    with pytest.raises(SpecError) as info:
        load_text(text, path="s.espec.yaml", form="yaml")
    d = _one(info.value.diagnostics, code)
    assert (d.span.line, d.span.column, d.span.path, d.message) == (line, column, path, message)


@pytest.mark.parametrize("code", sorted(SEMANTIC))
def test_semantic_errors(code):
    text, line, column, message = SEMANTIC[code]
    spec = load_text(text, path="s.espec")
    diagnostics = check_spec(spec, registries())
    d = _one(diagnostics, code)
    assert (d.span.line, d.span.column, d.message) == (line, column, message)
    assert [x.code for x in diagnostics] == [code], "each bad spec has exactly one problem"


def test_the_base_spec_is_valid():
    assert check_spec(load_text(YAML, form="yaml"), registries()) == []
    assert check_spec(load_text(dsl()), registries()) == []


def test_file_errors(tmp_path):
    with pytest.raises(SpecError) as info:
        load(tmp_path / "missing.espec")
    assert [(d.code, d.message) for d in info.value.diagnostics] == [("ES101", "no such file")]
    big = tmp_path / "big.espec"
    with open(big, "wb") as fh:
        fh.truncate(6 * 1024 * 1024)
    with pytest.raises(SpecError) as info:
        load(big)
    assert [(d.code, d.message) for d in info.value.diagnostics] == [
        ("ES102", "the file is 6,291,456 bytes; the limit is file_bytes = 524,288")
    ]


def test_every_problem_in_one_pass_sorted_by_location():
    text = dsl(
        "for all i: phi[i] == shapely(f, x, P)", method="ref.exakt", world="function = linaer"
    )
    codes = [(d.code, d.span.line) for d in check_spec(load_text(text), registries())]
    assert codes == [("ES201", 2), ("ES202", 5), ("ES214", 7), ("ES204", 7)]


def test_a_quantifier_variable_used_outside_says_so():
    text = dsl("(for all i: phi[i] > 0) and phi[i] > 0")
    (d,) = check_spec(load_text(text), registries())
    assert d.code == "ES204" and "used outside its quantifier" in d.hint


@pytest.mark.parametrize(
    "check",
    [
        "sign(phi[0]) == sign(x[0])",
        "argmax(phi) == 0",
        "d == 3",
        "(phi[0] > 0) == (x[0] > 0)",
        "for all i: f.uses(i) == true",
    ],
)
def test_exact_equality_of_discrete_values_is_allowed(check):
    assert check_spec(load_text(dsl(check)), registries()) == []


def test_a_check_cannot_run_code():
    text = dsl('__import__("os").system("echo hacked") == 0')
    found = {(d.code, d.message) for d in check_spec(load_text(text), registries())}
    assert ("ES204", "unknown name '__import__'.") in found
    assert any(code == "ES220" and "'system'" in message for code, message in found)
    with pytest.raises(SpecError) as info:
        load_text(YAML_CASES["ES121"][0], form="yaml")
    assert info.value.codes == ["ES121"]


def test_codes_table_matches_the_docs_and_the_tests():
    doc = (ROOT / "docs" / "reference" / "errors.md").read_text()
    documented = set(re.findall(r"^\| `(ES\d{3})` \|", doc, re.M))
    from explainspec.worlds.sources.errors import SOURCE_CODES  # explainspec audit: ES360-ES369

    assert documented == set(CODES) | set(SOURCE_CODES)
    tested = set(SYNTAX) | set(YAML_CASES) | set(SEMANTIC) | {"ES101", "ES102"} | CLI_CODES
    assert tested == set(CODES)
