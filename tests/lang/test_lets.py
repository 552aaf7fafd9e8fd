"""Issue 15: `let` names, subsets and list comprehensions in the static checks (the real
catalog), and a let at spec level used by a claim (the runner end to end)."""

from __future__ import annotations

import pytest

from explainspec.lang import check_spec, ir, load_text

SPEC = """spec s "S" {{
    method = reference.shapley()
    output = attribution
    question "q"
    world {{ function = linear; features = 2; data = grid(levels = 3); points = 1 }}
{spec_items}
    claim c holds "s" {{
{claim_items}
        check {check}
    }}
}}
"""


def problems(check: str, claim_items: str = "", spec_items: str = "") -> list[tuple[str, str]]:
    text = SPEC.format(check=check, claim_items=claim_items, spec_items=spec_items)
    return [(d.code, d.message) for d in check_spec(load_text(text, path="s.espec"))]


def test_lets_in_order_are_valid() -> None:
    assert (
        problems(
            "total == f(x) - base within 1e-9",
            claim_items="        let total = sum(phi)\n",
            spec_items="    let base = mean(f(background))\n",
        )
        == []
    )


def test_a_let_holding_a_function_can_be_called() -> None:
    # regression: `h(x)` with `let h = 2 * f` was reported as calling an integer quantifier
    # variable (ES230) before the static check told lets from quantifier variables
    assert problems("h(x) == 2 * f(x) within 1e-9", claim_items="        let h = 2 * f\n") == []
    assert problems("h.uses(0) or true", claim_items="        let h = sigmoid(f)\n") == []


def test_a_claim_let_may_not_shadow_the_spec_let() -> None:
    found = problems("v > 0", claim_items="        let v = 1\n", spec_items="    let v = f(x)\n")
    assert ("ES260", "let 'v' shadows the spec's let 'v'") in found


def test_a_let_defined_twice_and_a_let_shadowing_a_builtin() -> None:
    twice = problems("v > 0", claim_items="        let v = 1\n        let v = 2\n")
    assert [c for c, _ in twice] == ["ES212"]
    assert ("ES260", "let 'mean' shadows the builtin 'mean'") in problems(
        "mean > 0", claim_items="        let mean = 1\n"
    )


def test_an_unused_spec_let_is_a_warning_and_a_let_used_by_a_let_is_used() -> None:
    assert [c for c, _ in problems("phi[0] == 0 within 1", spec_items="    let u = 1\n")] == [
        "ES261"
    ]
    assert (
        problems("b > 0", claim_items="        let a = abs(phi[0])\n        let b = a + 1\n") == []
    )


def test_a_let_of_another_claim_is_not_visible_and_the_hint_says_where_it_is() -> None:
    text = SPEC.format(check="other > 0", claim_items="", spec_items="").replace(
        '    claim c holds "s" {',
        '    claim a holds "s" {\n        let other = 1\n        check other > 0\n    }\n'
        '    claim c holds "s" {',
    )
    found = check_spec(load_text(text, path="s.espec"))
    assert [d.code for d in found] == ["ES204"]
    assert "is a let at line" in (found[0].hint or "")


def test_a_list_variable_must_be_used_and_may_not_shadow_a_let() -> None:
    assert [c for c, _ in problems("decreasing([phi[0] for h in [1, 2]])")] == ["ES216"]
    found = problems("decreasing([h * phi[0] for h in [1, 2]])", claim_items="        let h = 1\n")
    assert "ES215" in [c for c, _ in found]


@pytest.mark.parametrize("check", ["1 in 2", "{0} | 3 == {0}", '"a" in {0}'])
def test_subset_operations_on_what_is_not_a_subset(check: str) -> None:
    assert "ES262" in [c for c, _ in problems(check)]


def test_a_spec_let_reaches_only_the_claims_that_use_it() -> None:
    text = SPEC.format(
        check="total == f(x) - base within 1e-9",
        claim_items="        let total = sum(phi)\n",
        spec_items="    let base = mean(f(background))\n    let unrelated = 2\n",
    )
    spec = load_text(text, path="s.espec")
    check = ir.claim_check(spec, spec.claims[0])
    assert isinstance(check, ir.With)
    assert [b.name for b in check.lets] == ["base", "total"]


def test_a_spec_let_is_evaluated_in_a_run() -> None:
    import explainspec

    text = SPEC.format(
        check="total == f(x) - base within 1e-9",
        claim_items="        let total = sum(phi)\n",
        spec_items="    let base = mean(f(background))\n",
    )
    report = explainspec.verify(explainspec.loads(text), profile="fast", max_examples=3)
    (result,) = report.claims
    assert result.verdict.value == "verified"
    wrong = text.replace("f(x) - base", "f(x) + base + 1")
    report = explainspec.verify(explainspec.loads(wrong), profile="fast", max_examples=3)
    assert report.claims[0].verdict.value == "refuted"


def test_the_language_reference_example_of_lets_games_and_sweeps_verifies() -> None:
    import re
    from pathlib import Path

    import explainspec

    page = (Path(__file__).resolve().parents[2] / "docs" / "reference" / "language.md").read_text()
    (text,) = re.findall(r"```\n(spec values .*?)```", page, re.S)
    result = explainspec.verify(explainspec.loads(text), profile="fast", max_examples=5)
    assert [c.verdict.value for c in result.claims] == ["verified"] * 3
