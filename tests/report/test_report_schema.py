"""The JSON report's own JSON Schema (docs/reference/report-v1.schema.json) accepts real reports:
a fresh run with a refuted claim and the library results in docs/evidence/; and it rejects a
report whose fields are wrong, so the test can fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explainspec.cli import main
from explainspec.report.json_report import REPORT_VERSION

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "reference" / "report-v1.schema.json").read_text())
SPEC = ROOT / "docs" / "examples" / "specs" / "my.espec"


def _errors(doc: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(SCHEMA)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


def test_the_schema_is_valid_draft07_and_of_the_current_version():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["report_version"] == {"const": REPORT_VERSION}


def test_a_fresh_report_matches_the_schema(tmp_path):
    out = tmp_path / "r.json"
    argv = ["verify", str(SPEC), "--profile", "fast", "--seed", "0", "--no-cache"]
    assert main([*argv, "--format", "json", "--output", str(out)]) == 1
    doc = json.loads(out.read_text())
    assert [c["verdict"] for c in doc["claims"]] == ["verified", "refuted"]
    assert doc["claims"][1]["counterexample"]["quantities"]  # the schema sees a real one
    assert _errors(doc) == []


def test_the_library_results_match_the_schema():
    doc = json.loads((ROOT / "docs" / "evidence" / "library.json").read_text())
    assert len(doc["claims"]) > 100
    assert _errors(doc) == []


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(report_version=2),
        lambda d: d["claims"][0].update(verdict="maybe"),
        lambda d: d["claims"][0].update(margin="-infinity"),
        lambda d: d["claims"][0].pop("passed"),
        lambda d: d["claims"][0]["counterexample"].pop("reproduce"),
    ],
)
def test_the_schema_rejects_a_wrong_report(edit):
    doc = json.loads((ROOT / "docs" / "evidence" / "library.json").read_text())
    doc["claims"].sort(key=lambda c: c["counterexample"] is None)  # one with a counterexample first
    edit(doc)
    assert _errors(doc)
