"""`explainspec schema` is draft-07 (what the YAML language server validates) and accepts every
YAML spec of the repository, and the YAML form of every DSL spec; it rejects wrong parameters."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import explainspec
from explainspec.lang import to_yaml
from explainspec.lang.schema import json_schema

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[2]
YAML_SPECS = sorted(
    p
    for p in ROOT.rglob("*.espec.yaml")
    if not ({".venv", "site", "build", ".git"} & set(p.relative_to(ROOT).parts))
)
DSL_SPECS = sorted((ROOT / "specs").glob("*.espec"))


@pytest.fixture(scope="module")
def validator():
    schema = json_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _errors(validator, doc) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


def test_the_repository_has_yaml_specs():
    assert len(YAML_SPECS) >= 4 and len(DSL_SPECS) >= 20


@pytest.mark.parametrize("path", YAML_SPECS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_spec_validates(validator, path):
    explainspec.load(path)  # a valid spec
    assert _errors(validator, yaml.safe_load(path.read_text())) == []


@pytest.mark.parametrize("path", DSL_SPECS, ids=lambda p: p.name)
def test_the_yaml_form_of_every_dsl_spec_validates(validator, path):
    assert _errors(validator, yaml.safe_load(to_yaml(explainspec.load(path)))) == []


def test_a_wrong_parameter_is_rejected(validator):
    doc = yaml.safe_load(to_yaml(explainspec.load(ROOT / "specs" / "shap_kernel.espec")))
    assert isinstance(doc["method"], dict) and doc["method"]["use"] == "shap.kernel"
    doc["method"]["params"] = {"no_such_parameter": 1}
    assert _errors(validator, doc)
