"""Reading limits (issue 14.7, 14.10): literal sizes, the token budget, lone surrogates, files
that are not regular. Every refusal is a located SpecError with its code, never a crash."""

from __future__ import annotations

import os

import pytest

from explainspec.catalog.limits import LIMITS, limit
from explainspec.lang import SpecError, load, load_text
from explainspec.lang import builder as B
from explainspec.lang import parser as P
from explainspec.lang import yamlform as Y
from explainspec.lang.loader import MAX_BYTES
from explainspec.lang.parser import MAX_DEPTH
from tests.lang.cases import YAML, dsl


def refused(text: str, form: str = "dsl") -> list[tuple[str, str]]:
    with pytest.raises(SpecError) as info:
        load_text(text, path="s.espec", form=form)
    return [(d.code, d.message) for d in info.value.diagnostics]


def test_the_reading_limits_come_from_the_table():
    assert limit("file_bytes") == MAX_BYTES and limit("nesting") == MAX_DEPTH
    for name in ("tokens", "literal_items", "string_chars", "integer_digits"):
        assert name in LIMITS and LIMITS[name].doc


# --------------------------------------------------------------------------- literals (DSL)


def test_integer_digits():
    n = limit("integer_digits")
    assert load_text(dsl("9" * n + " > 0"))
    assert refused(dsl("9" * (n + 1) + " > 0")) == [
        ("ES111", f"an integer of {n + 1} digits; the limit is integer_digits = {n}")
    ]


def test_string_characters():
    n = limit("string_chars")
    assert load_text(dsl(f'"{"a" * n}" == "a"'))
    assert refused(dsl(f'"{"a" * (n + 1)}" == "a"')) == [
        ("ES111", f"a string of {n + 1} characters; the limit is string_chars = {n}")
    ]


def test_list_items_at_the_real_limit():
    n = limit("literal_items")
    assert load_text(dsl("sum([" + ", ".join(["1"] * n) + "]) > 0"))
    over = "[" + ", ".join(["1"] * (n + 1)) + "]"
    assert [c for c, _ in refused(dsl(f"sum({over}) > 0"))] == ["ES111"]


def test_list_items_count_nested_lists(monkeypatch):
    monkeypatch.setattr(B, "_ITEMS", 100)  # the same rule on a smaller limit (a faster test)
    # 10 rows of 10: 100 numbers and 10 lists -> 110 items, reported once (at the outer list)
    rows = "[" + ", ".join("[" + ", ".join(["1"] * 10) + "]" for _ in range(10)) + "]"
    assert refused(dsl(f"sum({rows}) > 0")) == [
        ("ES111", "a list of 110 items (nested lists included); the limit is literal_items = 100")
    ]
    nine = "[" + ", ".join("[" + ", ".join(["1"] * 10) + "]" for _ in range(9)) + "]"
    assert load_text(dsl(f"sum({nine}) > 0"))  # 99 items


# --------------------------------------------------------------------------- surrogates


@pytest.mark.parametrize(
    "text",
    [
        dsl('"\\ud800" == "a"'),
        dsl().replace('"S"', '"\\udfff title"'),
        dsl('"\\U0000dc00" == "a"'),
    ],
)
def test_a_lone_surrogate_escape_is_refused(text):
    found = refused(text)
    assert [c for c, _ in found] == ["ES109"] and "lone surrogate" in found[0][1]


def test_a_real_astral_character_is_fine():
    spec = load_text(dsl().replace('"S"', '"\\U0001F600 and \U0001f600"'))
    assert spec.title == "\U0001f600 and \U0001f600"
    spec.title.encode("utf-8")


@pytest.mark.parametrize(
    "yaml_text",
    [
        YAML.replace("title: S", 'title: "\\ud800"'),
        YAML.replace("question: q", 'question: "a \\udc80 b"'),
        YAML.replace(
            "check: sum(phi) == shapley(f, x, P) within 1e-6", 'check: "\\"\\ud800\\" == \\"a\\""'
        ),
    ],
)
def test_a_lone_surrogate_in_yaml_is_refused(yaml_text):
    assert [c for c, _ in refused(yaml_text, "yaml")] == ["ES109"]


# --------------------------------------------------------------------------- YAML numbers and sizes


def test_a_yaml_integer_of_5000_digits_is_a_diagnostic_not_a_crash():
    text = YAML.replace("claims:", "world:\n  points: " + "9" * 5000 + "\nclaims:")
    assert refused(text, "yaml") == [
        ("ES111", "an integer of 5000 digits; the limit is integer_digits = 100")
    ]


def test_a_yaml_list_has_the_literal_items_limit(monkeypatch):
    monkeypatch.setattr(Y, "_ITEMS", 100)  # the same rule on a smaller limit (a faster test)
    for n, codes in ((100, []), (101, ["ES111"])):
        text = YAML.replace(
            "method: {use: ref.exact}",
            "method: {use: ref.exact, params: {n: [" + ", ".join(["1"] * n) + "]}}",
        )
        assert (refused(text, "yaml") if codes else []) == [
            (c, f"a list of {n} items (nested lists included); the limit is literal_items = 100")
            for c in codes
        ]
        if not codes:
            load_text(text, form="yaml")


def test_a_yaml_document_has_the_token_budget(monkeypatch):
    monkeypatch.setattr(P, "TOKENS", 1000)  # the same rule on a smaller budget (a faster test)
    refs = "references: [" + ", ".join(["r"] * 1010) + "]\n"
    found = refused(YAML.replace("question: q\n", "question: q\n" + refs), "yaml")
    assert found == [
        (
            "ES112",
            "the document has more than 1000 nodes (the limit `tokens`); reading stopped here",
        )
    ]


def test_the_budget_is_shared_by_every_expression_string_of_a_yaml_file(monkeypatch):
    monkeypatch.setattr(P, "TOKENS", 3000)
    # 30 checks of 71 tokens each: each alone is far below the budget, together above
    check = " and ".join(["phi[0] > 0"] * 10)
    head = YAML.split("claims:")[0] + "claims:\n"
    claims = [f"  c{k}:\n    holds: s\n    check: {check}\n" for k in range(60)]
    assert [c for c, _ in refused(head + "".join(claims), "yaml")] == ["ES112"]  # said once
    assert load_text(head + "".join(claims[:20]), form="yaml")


# --------------------------------------------------------------------------- files


def test_a_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "pipe.espec"
    os.mkfifo(fifo)  # opening it for reading would block until a writer comes
    with pytest.raises(SpecError) as info:
        load(fifo)
    assert [(d.code, d.message) for d in info.value.diagnostics] == [
        ("ES101", "is not a regular file")
    ]


def test_a_long_line_is_shown_as_a_window_around_the_problem():
    text = dsl("sum([" + ", ".join(["1"] * 3000) + "]) > 0 and nosuch > 0")
    from explainspec.lang import check_spec
    from explainspec.lang.diagnostics import render_all
    from tests.lang.cases import registries

    diags = check_spec(load_text(text, path="s.espec"), registries())
    rendered = render_all(diags, {"s.espec": text})
    source_line, caret_line = rendered.splitlines()[1:3]
    assert len(source_line) < 220 and len(caret_line) < 220
    assert source_line[caret_line.index("^") :].startswith("nosuch")


# --------------------------------------------------------------------------- nesting without brackets

SHAPES = {
    "minus": lambda n: "-" * n + "x",
    "not": lambda n: "not " * n + "x > 0",
    "quantifiers": lambda n: "".join(f"for all i{k}: " for k in range(n)) + "i0 > 0",
    "calls": lambda n: "f(" * n + "x" + ")" * n,
    "indexes": lambda n: "x" + "[0" * n + "]" * n,
    "sums": lambda n: "(x + " * n + "x" + ")" * n,
    "implies": lambda n: "a implies " * n + "b",
    "powers": lambda n: "x ** " * n + "x",
    "lists": lambda n: "[" * n + "]" * n,
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_parser_stack_bound_never_refuses_a_tree_within_the_depth_limit(shape, monkeypatch):
    """Deep chains are stopped while they are read (ES106), but only inputs that the tree-depth
    limit refuses anyway: the stack bound changes when, never whether."""
    from explainspec.lang import parse_expression

    def codes(text: str) -> list[str]:
        try:
            parse_expression(text)
        except SpecError as err:
            return err.codes
        return []

    for n in (1, 30, 60, 100, 115, 118, 119, 120, 121, 125, 200, 400, 1500):
        text = SHAPES[shape](n)
        bounded = codes(text)
        with monkeypatch.context() as m:
            m.setattr(P, "_STACK", 10**9)
            unbounded = codes(text)
        assert bounded == unbounded, (shape, n)
        if n <= 50:  # within the limit whatever the shape (a call is two levels)
            assert bounded == [], (shape, n)
