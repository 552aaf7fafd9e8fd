"""``assume NAME "text" check EXPR``: a machine-checkable assumption (issue 20).

The grammar, the YAML form, the printer's round trip, the ``;`` that ends an assumption before
a claim's ``check``, and the semantic check that a condition never reads the method (ES390).
"""

from __future__ import annotations

import pytest

from explainspec.lang import check_spec, format_spec, ir, load_text
from explainspec.lang.diagnostics import SpecError
from explainspec.lang.yamlform import to_yaml

SPEC = """spec s "S" {
    method = reference.shapley()
    output = attribution
    question "q"
    assume independent "the features are independent" check corr(data[:, 0], data[:, 1]) == 0 within 1e-12
    world { function = linear; data = grid(levels = 3) }
    claim c holds "s" {
        assume in_support "x is a row of the background" check min(sum(abs(background - x), axis = 1)) <= 0
        assume words "plain words only";
        check sum(phi) == shapley(f, x, P) within 1e-6
    }
}
"""


def test_the_condition_is_in_the_ir():
    spec = load_text(SPEC)
    (spec_level,) = spec.assumptions
    assert isinstance(spec_level.check, ir.Compare) and spec_level.check.tolerance is not None
    in_support, words = spec.claims[0].assumptions
    assert isinstance(in_support.check, ir.Compare) and in_support.check.op is ir.CmpOp.LE
    assert words.check is None
    # the claim kept its own check
    assert isinstance(spec.claims[0].check, ir.Compare)
    assert check_spec(spec) == []


def test_dsl_and_yaml_round_trip():
    spec = load_text(SPEC)
    printed = format_spec(spec)
    assert 'assume words "plain words only";\n' in printed  # the `;` before the check
    assert load_text(printed) == spec
    yaml_text = to_yaml(spec)
    assert "check: min(sum(abs(background - x), axis = 1)) <= 0" in yaml_text
    assert "words: plain words only" in yaml_text
    assert load_text(yaml_text, form="yaml") == spec


def test_printer_needs_no_semicolon_when_a_world_follows():
    spec = load_text(SPEC.replace('assume words "plain words only";', 'assume words "w" world {}'))
    assert ";" not in format_spec(spec)
    assert load_text(format_spec(spec)) == spec


def test_a_claim_without_its_own_check_keeps_the_one_after_its_assumption():
    """A spec written before assumptions had conditions (`assume NAME "text"` then the claim's
    `check`) reads as it always did: the check is the claim's, the assumption has none."""
    plain = load_text(
        SPEC.replace('assume words "plain words only";', 'assume words "plain words"')
    )
    spec = load_text(SPEC)
    (claim,) = [c for c in plain.claims if any(a.name == "words" for a in c.assumptions)]
    (before,) = [c for c in spec.claims if c.name == claim.name]
    assert claim.check == before.check
    assert [a.check for a in claim.assumptions if a.name == "words"] == [None]


def test_yaml_mapping_form_needs_text():
    text = """explainspec: 1
spec: s
title: S
method: {use: reference.shapley}
output: attribution
question: q
assumptions:
  independent: {check: "x[0] > 0"}
claims:
  c:
    holds: s
    check: sum(phi) == shapley(f, x, P) within 1e-6
"""
    with pytest.raises(SpecError) as info:
        load_text(text, form="yaml")
    assert [d.code for d in info.value.diagnostics] == ["ES107"]
    with pytest.raises(SpecError) as info:
        load_text(text.replace("{check:", "{text: t, when:"), form="yaml")
    assert [d.code for d in info.value.diagnostics] == ["ES123"]


@pytest.mark.parametrize(
    "condition", ["phi[0] > 0", "explain(f)[0] > 0", "x[0] > 0 and sum(phi) > 0"]
)
def test_a_condition_never_reads_the_method(condition):
    spec = load_text(SPEC.replace("corr(data[:, 0], data[:, 1]) == 0 within 1e-12", condition))
    codes = [d.code for d in check_spec(spec)]
    assert codes.count("ES390") == 1, codes


def test_a_condition_is_checked_like_a_check():
    spec = load_text(
        SPEC.replace("corr(data[:, 0], data[:, 1]) == 0 within 1e-12", "shapely(f) > 0")
    )
    assert "ES204" in [d.code for d in check_spec(spec)]
    spec = load_text(SPEC.replace("corr(data[:, 0], data[:, 1]) == 0 within 1e-12", "sum(x)"))
    assert "ES225" in [d.code for d in check_spec(spec)]


LETS = """spec s "S" {
    method = reference.shapley()
    output = attribution
    question "q"
    # why the condition
    assume positive "x is positive" check all(x > 0)  # at the point
    let total = sum(phi)
    claim c holds "s" {
        assume words "plain words"  # a note
        let shapley_sum = 0
        check total == f(x) - mean(f(background)) within 1e-6
    }
}
"""


def test_conditions_with_lets_and_comments_round_trip():
    """Merged with `let` (lang) and comment-keeping fmt (output): an assumption followed by a
    `let` needs no `;`, and comments stay next to an assumption with a condition."""
    spec = load_text(LETS)
    printed = format_spec(spec)
    assert 'assume words "plain words"  # a note\n        let shapley_sum' in printed
    assert "    # why the condition\n    assume positive" in printed
    assert "check all(x > 0)  # at the point" in printed
    assert load_text(printed) == spec
    assert format_spec(load_text(printed)) == printed
    assert load_text(to_yaml(spec), form="yaml") == spec


def test_a_condition_sees_no_let():
    """A run evaluates conditions before the claim's lets (runner/env.check_world), so a let
    name in a condition is unknown (ES204), with a hint saying why."""
    spec = load_text(LETS.replace("check all(x > 0)", "check total > 0"))
    (d,) = [d for d in check_spec(spec) if d.code == "ES204"]
    assert "'total'" in d.message and "condition sees no let" in (d.hint or "")
