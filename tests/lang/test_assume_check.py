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


def test_a_check_after_an_assumption_is_its_condition():
    """Without the `;`, the claim's check is read as the assumption's condition: the claim then
    has no check (ES107), and the hint says why."""
    with pytest.raises(SpecError) as info:
        load_text(SPEC.replace('assume words "plain words only";', 'assume words "plain words"'))
    (d,) = info.value.diagnostics
    assert d.code == "ES107" and "has no `check`" in d.message
    assert "`assume words" in d.hint and "`;`" in d.hint


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
