"""Static checks that a run would otherwise find only per world (issue 13.9, 14.3/14.4, 14.8).

Each refused spec is one a run refuses too (or cannot run sensibly); each accepted one is a spec
that runs. The small registries of ``tests/lang/cases.py`` keep messages stable, except where the
real catalog (methods and their parameter types, the builtins' result kinds) is the point.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

from explainspec.lang import check_spec, load_text
from explainspec.lang.semantics import default_registries
from tests.lang.cases import dsl, registries


def codes(text: str, regs=None) -> list[tuple[str, str]]:
    diags = check_spec(load_text(text, path="s.espec"), regs or default_registries())
    return [(d.code, d.message) for d in diags if d.is_error]


def real(check: str = "sum(phi) == f(x) - mean(f(background)) within 1e-6", **kw) -> str:
    """A spec on the real catalog (reference.shapley, linear functions, a small grid)."""
    kw.setdefault("method", "reference.shapley")
    return dsl(check, **kw)


# --------------------------------------------------------------------------- ES225


@pytest.mark.parametrize(
    "check",
    [
        "3",
        "sum(phi)",
        "f(x)",
        "[sum(phi), f(x)]",
        "phi",
        "phi[0] + 1",
        '"yes"',
        "f",
        "P",
        "shapley(f, x, P)",
        "for all i: phi[i]",
        "phi[0] > 0 and sum(phi)",
        "not f(x)",
        "phi[0] > 0 implies phi[1]",
        "[]",
    ],
)
def test_a_check_that_is_not_a_condition_is_refused(check):
    found = codes(real(check))
    assert [c for c, _ in found] == ["ES225"], found
    assert "not a condition" in found[0][1]


@pytest.mark.parametrize(
    "check",
    [
        "true",
        "all(phi >= 0)",
        "any(phi > 0)",
        "f.uses(0)",
        "member(0, 3)",
        "max(phi[0] > 0, phi[1] > 0)",  # a maximum of booleans is a boolean
        "[phi[0] > 0, phi[1] > 0]",  # a list of booleans is a boolean array
        "(phi > 0)[0]",
        "for all i: phi[i] >= -1",
        "sum(phi) == f(x) - mean(f(background)) within 1e-6 or true",
    ],
)
def test_conditions_and_unknowable_values_are_accepted(check):
    assert codes(real(check)) == []


def test_the_yaml_list_check_of_the_issue_is_refused():
    yaml_text = (
        "explainspec: 1\nspec: s\ntitle: S\nmethod: reference.shapley\noutput: attribution\n"
        "question: q\nclaims:\n  c:\n    holds: s\n    check: [sum(phi), f(x)]\n"
    )
    spec = load_text(yaml_text, form="yaml")
    found = [(d.code, d.span.path) for d in check_spec(spec)]
    assert found == [("ES225", "$.claims.c.check")]


# --------------------------------------------------------------------------- ES226, ES229


@pytest.mark.parametrize(
    ("world", "code"),
    [
        ("features = 6..2", "ES226"),
        ("data = dependent(rho = 0.9..0.1)", "ES226"),
        ("features = 0", "ES229"),
        ("features = 2.5", "ES229"),
        ('features = "two"', "ES229"),
        ("features = 1 + 2", "ES229"),
        ("noise = -1", "ES229"),
        ("data = dependent(rho = 2)", "ES229"),
        ("function = interaction(order = 2, terms = 1..3)", "ES229"),  # crashed the resolver
        ("grid = 2..5", "ES229"),  # crashed the resolver
        ('function = formula("x0.__class__")', "ES229"),
        ('function = formula("x0 + foo(x1)")', "ES229"),
        ('function = formula("x0 +* 1")', "ES229"),
        ("function = unused(linear, k = 3); features = 1..3", "ES229"),
        ("target = g", "ES229"),
        ("baseline = [1, 2, 3]; features = 2", "ES228"),  # no d fits: refused before drawing
        ("points = [[0, 0]]; features = 3", "ES228"),
        ("background = rows([[0, 0, 0]]); features = 2..4", None),  # d = 3 fits
        ("grid = levels; data = gaussian", "ES228"),  # levels need as many in every feature
        ("features = 2..6", None),
    ],
)
def test_world_values_are_resolved_by_check(world, code):
    fields = {"function": "function = linear", "data": "data = grid(levels = 3)"}
    for part in world.split(";"):
        fields[part.split("=")[0].strip()] = part.strip()
    found = codes(real(world="; ".join(fields.values())))
    assert [c for c, _ in found] == ([code] if code else []), found


def test_example_worlds_are_resolved_with_their_own_defaults():
    example = (
        '    claim e holds "s" {\n'
        "        example ex { data = rows([[0, 0], [1, 1]]); points = [[0, 0, 0]] }\n"
        "        check sum(phi) == f(x) - mean(f(background)) within 1e-6\n    }\n"
    )
    found = codes(real(extra=example))
    assert found == [
        ("ES229", "example 'ex': example rows, points and baseline disagree on d: [2, 3]")
    ]


def test_a_spec_world_problem_is_reported_once_and_only_when_a_claim_uses_it():
    two = '    claim b holds "t" { check phi[0] >= -100 }\n'
    found = codes(real(world="function = linear; noise = -1", extra=two))
    assert [c for c, _ in found] == ["ES229"]
    # every claim overrides the bad field: a run never resolves it, neither does check
    overriding = (
        'spec s "S" {\n    method = reference.shapley\n    output = attribution\n'
        '    question "q"\n    world { function = linear; noise = -1 }\n'
        '    claim c holds "s" { world { noise = 0 } check phi[0] >= -100 }\n'
        '    claim d holds "t" { world { noise = 0.5 } check phi[0] >= -100 }\n}\n'
    )
    assert codes(overriding) == []


def test_world_names_are_reported_by_names_not_twice_by_the_resolver():
    found = codes(dsl(world="function = linaer; features = 6..2"), registries())
    assert [c for c, _ in found] == ["ES202"]


def test_a_formula_error_points_into_the_formula_text():
    text = real(world='function = formula("x0 + foo(x1)")')
    (d,) = check_spec(load_text(text, path="s.espec"))
    line = text.splitlines()[d.span.line - 1]
    assert line[d.span.column - 1 :].startswith("foo(x1)")


# --------------------------------------------------------------------------- ES227


@pytest.mark.parametrize(
    ("method", "code", "message"),
    [
        (
            'shap.kernel(nsamples = "lots")',
            "ES227",
            "parameter 'nsamples' of method 'shap.kernel': expected int | 'auto', got 'lots'",
        ),
        (
            "shap.kernel(nsamples = 1.5)",
            "ES227",
            "parameter 'nsamples' of method 'shap.kernel': expected int | 'auto', got 1.5",
        ),
        (
            "shap.kernel(nsamples = 0)",
            "ES227",
            "parameter 'nsamples' of method 'shap.kernel': expected a number >= 1, got 0",
        ),
        (
            "shap.kernel(nsamples = 100000000)",
            "ES228",
            "parameter 'nsamples' of method 'shap.kernel': 100000000 is over the limit "
            "`samples` = 1000000",
        ),
        (
            'reference.integrated_gradients(rule = "simpson")',
            "ES227",
            "parameter 'rule' of method 'reference.integrated_gradients': expected "
            "'riemann_left' | 'riemann_right' | 'midpoint' | 'trapezoid', got 'simpson'",
        ),
        ('shap.kernel(nsamples = "auto")', None, None),
        ("shap.kernel(nsamples = 4096)", None, None),
        ("reference.gradient(h = 0.001)", None, None),
        ('reference.gradient(h = "analytic")', None, None),
        ('shap.kernel(l1_reg = "aic")', None, None),
    ],
)
def test_method_parameters_are_checked_against_their_declared_types(method, code, message):
    text = real("phi[0] >= -100", method=method)
    assert codes(text) == ([(code, message)] if code else [])


def test_explain_parameters_are_checked_too():
    text = real('explain(f, nsamples = "lots")[0] >= -100', method="shap.kernel")
    assert [c for c, _ in codes(text)] == ["ES227"]


def test_plugin_parameters_are_checked_with_the_same_rules():
    from explainspec.registry import Entry, Param

    regs = registries()
    regs["method"].add(
        Entry(
            kind="method",
            name="plugin.m",
            doc="",
            params=(Param(name="k", type="int | 'all'", default="all", low=1),),
            extra={"output": "attribution"},
        )
    )
    assert codes(dsl("phi[0] > 0", method='plugin.m(k = "some")'), regs) == [
        ("ES227", "parameter 'k' of method 'plugin.m': expected int | 'all', got 'some'")
    ]
    assert codes(dsl("phi[0] > 0", method="plugin.m(k = 3)"), regs) == []


@pytest.mark.parametrize(
    ("method", "plugin_hint"),
    [("plugin.mine", True), ("mylib.method", True), ("ref.exakt", False)],
)
def test_an_unknown_plugin_method_names_the_plugin_option(method, plugin_hint):
    (d,) = check_spec(load_text(dsl("phi[0] > 0", method=method)), registries())
    assert d.code == "ES201"
    assert ("--plugin MODULE" in (d.hint or "")) is plugin_hint


# --------------------------------------------------------------------------- ES228 in checks


@pytest.mark.parametrize(
    ("check", "message"),
    [
        (
            "for all i in range(3000000000): i >= 0",
            "`range(3000000000)` has 3000000000 elements; the limit is range = 1000000",
        ),
        (
            "sum(ones([50000, 50000])) > 0",
            "`ones([50000, 50000])` has 2.5e+09 elements; the limit is cells = 10000000",
        ),
        (
            "sum(zeros(100000000)) >= 0",
            "`zeros(100000000)` has 1e+08 elements; the limit is cells = 10000000",
        ),
        (
            "99999999999999999999 ** 99999999999999999999 > 0",
            "`99999999999999999999 ** 99999999999999999999` has about 6.64e+21 bits; the limit "
            "is integer_bits = 4096",
        ),
        (
            "2 ** 2 ** 2 ** 2 ** 2 > 0",
            "`2 ** 2 ** 2 ** 2 ** 2` has about 65536 bits; the limit is integer_bits = 4096",
        ),
        (
            "for all i, j, k in range(1000): i + j + k >= 0",
            "the quantifier here runs the body 1e+09 times; the limit is range = 1000000",
        ),
        (
            "for all i in range(1000): for all j in range(1000): (for all k in range(2): "
            "i + j + k >= 0)",
            "the quantifiers here run the body 2e+06 times; the limit is range = 1000000",
        ),
    ],
)
def test_sizes_written_as_literals_are_refused(check, message):
    assert codes(real(check)) == [("ES228", message)]


@pytest.mark.parametrize(
    "check",
    [
        "2 ** 64 > 0",
        "for all i, j in range(1000): i + j >= 0",  # 1e6 runs: at the limit
        "for all i, j, k, l: phi[i] + phi[j] + phi[k] + phi[l] >= -100",  # d <= 4 here
        "sum(ones([1000, 1000])) > 0",
        "for all i in range(0, 10, 0): i >= 0",  # a zero step: the run says what is wrong
    ],
)
def test_sizes_within_the_limits_are_accepted(check):
    assert codes(real(check, world="function = linear; features = 2..4")) == []


def test_the_feature_domain_takes_its_size_from_the_claims_world():
    check = "for all i, j, k, l: phi[i] + phi[j] + phi[k] + phi[l] >= -100"
    # 4 nested variables over up to 40 features: 40**4 = 2.56e6 runs
    found = codes(real(check, world="function = linear; data = gaussian; features = 2..40"))
    assert [c for c, _ in found] == ["ES228"]


# --------------------------------------------------------------------------- ES230


@pytest.mark.parametrize(
    ("check", "fragment"),
    [
        ('for all i in "abc": i >= 0', "not a sequence of integers"),
        ("for all i in [0.5, 1]: i >= 0", "not a sequence of integers"),
        ("for all i in [[0, 1]]: i >= 0", "not a sequence of integers"),
        ("for all i in 1.5: i >= 0", "not a sequence of integers"),
        ("for all i: i(x) > 0", "cannot be called"),
        ("for all i: i.weights > 0", "has no attribute 'weights'"),
    ],
)
def test_quantifier_misuse_is_refused(check, fragment):
    found = codes(real(check))
    assert "ES230" in [c for c, _ in found], found
    assert any(fragment in m for c, m in found if c == "ES230")


@pytest.mark.parametrize(
    "check", ["for all i in [0, 2]: phi[i] >= -100", "for all i in []: phi[i] > 0"]
)
def test_integer_domains_are_accepted(check):
    assert codes(real(check)) == []


# --------------------------------------------------------------------------- doctests


@pytest.mark.parametrize(
    "module", ["explainspec.registry", "explainspec.catalog.limits", "explainspec.lang.parser"]
)
def test_doctests(module):
    failures, _ = doctest.testmod(importlib.import_module(module))
    assert failures == 0
