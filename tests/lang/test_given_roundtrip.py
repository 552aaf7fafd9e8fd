"""Issue 15: the given functions, linspace grids and class labels survive DSL <-> YAML and the
JSON Schema of the YAML form accepts them."""

from __future__ import annotations

import pytest

from explainspec.lang import check_spec, format_spec, load_text, to_yaml
from explainspec.lang.schema import json_schema

SPEC = """spec given "given worlds" {
    method = reference.shapley()
    output = attribution
    question "q?"
    world {
        function = tree(splits = [0, 0.5, -1.5, [1, 0.25, 0, 80]])
        second = polynomial(terms = [[2, [1, 0]], [-1, [2, 1]]], intercept = 1)
        target = logistic(relu_net(layers = [[[[1, -1], [0, 1]], [0, 0]], [[[1, 1]], [0]]]))
        features = 2
        data = grid(values = linspace(-1, 1, 5))
        labels = bernoulli
    }
    claim c holds "s" {
        check d == 2
    }
}
"""


def test_given_worlds_round_trip_through_yaml() -> None:
    spec = load_text(SPEC)
    yaml_text = to_yaml(spec)
    assert "tree(splits = [0, 0.5, -1.5, [1, 0.25, 0, 80]])" in yaml_text
    assert "labels: bernoulli" in yaml_text
    assert load_text(yaml_text, form="yaml") == spec
    assert format_spec(load_text(yaml_text, form="yaml")) == format_spec(spec)


def test_given_worlds_check_and_validate_against_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    yaml = pytest.importorskip("yaml")

    spec = load_text(SPEC)
    assert [d.code for d in check_spec(spec)] == []
    jsonschema.validate(yaml.safe_load(to_yaml(spec)), json_schema())
