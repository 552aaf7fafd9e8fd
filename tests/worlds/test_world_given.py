"""Issue 15: worlds built from given parameters: linear(weights = [...], intercept = c)."""

from __future__ import annotations

import pytest

import explainspec
from explainspec.lang import check_spec, load_text

SPEC = """spec lin "given linear" {{
    method = reference.shapley()
    output = attribution
    question "q?"
    world {{ function = {family}; features = {features}; data = grid(levels = 3); background = data; points = 2 }}
    claim c holds "s" {{
        check {check}
    }}
}}
"""


def test_given_weights_and_intercept_are_the_function() -> None:
    text = SPEC.format(
        family="linear(weights = [1, -2.5], intercept = 0.5)",
        features="2..3",
        check="f.weights[:2] == [1, -2.5] within 1e-12 and f(0 * x) == 0.5 within 1e-12 "
        "and (d == 2 or (f.weights[2] == 0 within 0 and not f.uses(2)))",
    )
    result = explainspec.verify(explainspec.loads(text), profile="fast", max_examples=10)
    assert result.claims[0].verdict.value == "verified"


def test_given_weights_without_intercept_have_intercept_zero() -> None:
    text = SPEC.format(
        family="linear(weights = [3, 1])", features="2", check="f(0 * x) == 0 within 1e-12"
    )
    result = explainspec.verify(explainspec.loads(text), profile="fast", max_examples=5)
    assert result.claims[0].verdict.value == "verified"


@pytest.mark.parametrize(
    ("family", "message"),
    [
        ('linear(weights = [1, "a"])', "weights = [1, 'a'] must be a non-empty list of numbers"),
        ("linear(weights = [])", "weights = [] must be a non-empty list of numbers"),
        ('linear(intercept = "c")', "intercept = 'c' must be a finite number"),
    ],
)
def test_bad_given_parameters_are_refused(family: str, message: str) -> None:
    text = SPEC.format(family=family, features="2", check="sum(phi) == 0 within 1")
    found = check_spec(load_text(text, path="s.espec"))
    assert [(d.code, d.message) for d in found] == [("ES229", message)]


def test_fewer_features_than_given_weights_is_refused() -> None:
    text = SPEC.format(
        family="linear(weights = [1, 2, 3])", features="2", check="sum(phi) == 0 within 1"
    )
    assert "ES229" in [d.code for d in check_spec(load_text(text, path="s.espec"))]
