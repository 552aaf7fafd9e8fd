"""``verify --format github`` (workflow annotations) and ``--format sarif`` on a real run: one
annotation/result per failed claim, on the claim's line of the spec file; nothing for a pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explainspec.cli import main
from explainspec.report.github import annotation
from explainspec.runner.events import ClaimResult, Verdict

SPEC = Path(__file__).resolve().parents[2] / "docs" / "examples" / "specs" / "my.espec"


def _line(spec: Path, claim: str) -> int:
    lines = spec.read_text().splitlines()
    return next(i for i, text in enumerate(lines, 1) if f"claim {claim} " in text)


@pytest.fixture(scope="module")
def spec(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ci") / "my.espec"
    path.write_text(SPEC.read_text())
    return path


def _verify(spec: Path, fmt: str, capsys) -> str:
    capsys.readouterr()
    argv = ["verify", str(spec), "--profile", "fast", "--seed", "0", "--no-cache"]
    assert main([*argv, "--format", fmt]) == 1  # the second claim is refuted
    return capsys.readouterr().out


def test_github_annotates_the_failed_claim_on_its_line(spec, capsys):
    out = _verify(spec, "github", capsys)
    (line,) = out.splitlines()  # the verified claim has no annotation
    head, message = line.split("::")[1:]
    assert head == (
        f"error file={spec},line={_line(spec, 'sums_to_prediction')},"
        "title=my_shapley.sums_to_prediction%3A refuted"
    )
    assert message.startswith("my_shapley.sums_to_prediction: refuted -- The attributions add up")
    assert "%0Af(x) = " in message and "\n" not in message  # the counterexample, escaped


def test_github_escapes_what_the_command_syntax_reserves():
    r = ClaimResult(
        spec="s",
        claim="c",
        kind="holds",
        verdict=Verdict.ERROR,
        source="a,b:c.espec",
        line=3,
        error="100% wrong\r\nsecond line",
    )
    text = annotation(r)
    assert text.startswith("::error file=a%2Cb%3Ac.espec,line=3,title=s.c%3A error::")
    assert text.endswith("100%25 wrong%0D%0Asecond line") and "\n" not in text


def test_sarif_lists_the_failed_claim_with_its_location(spec, capsys):
    doc = json.loads(_verify(spec, "sarif", capsys))
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    (run,) = doc["runs"]
    rules = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    (result,) = run["results"]
    assert result["ruleId"] == "refuted" and result["ruleId"] in rules
    assert result["level"] == "error"
    assert result["message"]["text"].startswith("my_shapley.sums_to_prediction: refuted")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == str(spec)
    assert location["region"] == {"startLine": _line(spec, "sums_to_prediction")}
    assert result["properties"]["margin"] < 0
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_sarif_to_a_file_keeps_the_text_report_on_stdout(spec, tmp_path, capsys):
    out_file = tmp_path / "r.sarif"
    argv = ["verify", str(spec), "--profile", "fast", "--seed", "0", "--no-cache"]
    assert main([*argv, "--format", "sarif", "--output", str(out_file)]) == 1
    assert "sums_to_prediction" in capsys.readouterr().out
    assert json.loads(out_file.read_text())["runs"][0]["results"][0]["ruleId"] == "refuted"
