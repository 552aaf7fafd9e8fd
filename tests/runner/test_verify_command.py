"""``explainspec verify`` through ``explainspec.cli.main``: exit codes, formats, seeds."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from explainspec.cli import main

GOOD = """spec demo "Exact Shapley values" {
    method = reference.shapley
    output = attribution
    question "How does f(x) minus the mean prediction split among the features?"
    world { function = any(linear, additive); features = 1..3; data = grid(levels = 3); background = data; points = 2 }
    claim efficiency holds "The attributions add up to f(x) minus the mean prediction." {
        check sum(phi) == f(x) - mean(f(background)) within 1e-9
    }
    claim sum_is_prediction does_not_answer decomposition "The attributions add up to f(x)." {
        check sum(phi) == f(x) within 1e-6
    }
}
"""
BAD_CLAIM = GOOD.replace("f(x) - mean(f(background)) within 1e-9", "f(x) within 1e-9")


@pytest.fixture
def spec(tmp_path):
    def write(text, name="demo.espec"):
        path = tmp_path / name
        path.write_text(text)
        return str(path)

    return write


def test_exit_0_when_every_claim_passes(spec, capsys, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["verify", spec(GOOD), "--profile", "fast", "--max-examples", "5"]) == 0
    out = capsys.readouterr().out
    assert "Passed: 1 verified, 1 shown" in out and "Reproduce with: explainspec verify" in out


def test_exit_1_when_a_claim_is_refuted_and_junit_lists_it(spec, tmp_path, capsys):
    junit = tmp_path / "junit.xml"
    code = main(
        [
            "verify",
            spec(BAD_CLAIM),
            "--profile",
            "fast",
            "--format",
            "junit",
            "--output",
            str(junit),
        ]
    )
    assert code == 1
    failure = ET.parse(junit).getroot().find(".//testcase[@name='efficiency']/failure")
    assert failure is not None and failure.get("type") == "refuted"


def test_exit_2_on_a_spec_error_with_the_diagnostic(spec, capsys):
    assert main(["verify", spec(GOOD.replace("sum(phi)", "sum(phy)", 1))]) == 2
    assert "ES2" in capsys.readouterr().err


def test_exit_2_on_usage_errors(spec, capsys):
    path = spec(GOOD)
    assert main(["verify", path, "--claim", "nope"]) == 2
    assert main(["verify", path, "--seed", "abc"]) == 2
    assert main(["verify", path, "--max-examples", "0"]) == 2
    err = capsys.readouterr().err
    assert "no claim matches" in err and "--seed 'abc'" in err


def test_json_to_stdout_and_random_seed_is_printed(spec, capsys):
    assert (
        main(
            [
                "verify",
                spec(GOOD),
                "--profile",
                "fast",
                "--max-examples",
                "3",
                "--format",
                "json",
                "--seed",
                "random",
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert f"using --seed {doc['seed']}" in captured.err
    assert [c["verdict"] for c in doc["claims"]] == ["verified", "shown"]
    assert set(doc["claims"][0]["time"]) == {"method", "oracles", "checker", "total"}
