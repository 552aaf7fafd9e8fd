"""``explainspec probe`` reports a planted over-restricted claim (a restriction it does not need)
and a planted under-restricted claim (refuted as stated, holds one level narrower) as such, and
finds the counterexample of a restriction a reading needs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import explainspec
from explainspec.cli import main
from explainspec.runner import probe as P
from explainspec.runner.plan import RunOptions

SPECS = Path(__file__).parent / "probe_specs"
LIBRARY = Path(__file__).resolve().parents[2] / "specs"
OPTIONS = RunOptions(profile="fast", seed=0)


def findings(cp):
    return {s.step.id: s for s in cp.steps}


@pytest.mark.parametrize("seed", [0, 1])
def test_over_restricted_claim_has_an_unneeded_restriction(seed):
    (cp,) = P.probe(
        [explainspec.load(SPECS / "over_restricted.espec")], RunOptions(profile="fast", seed=seed)
    )
    assert cp.baseline.verdict.value == "verified"
    steps = findings(cp)
    dep = steps["dependence:data"]
    assert dep.finding == P.NOT_NEEDED and dep.examples >= 20
    assert cp.widest["data"] == "any(grid(levels = 3), dependent(levels = 3))"
    # the closed form reads f.weights: a family step has no ground truth, it is not "not needed"
    assert steps["family:function:additive"].finding == P.DEFINES


def test_under_restricted_claim_is_refuted_and_holds_one_level_narrower():
    (cp,) = P.probe([explainspec.load(SPECS / "under_restricted.espec")], OPTIONS)
    assert cp.baseline.verdict.value == "refuted" and cp.baseline.counterexample is not None
    (step,) = [s for s in cp.steps if s.step.axis == "dependence"]
    assert step.step.direction == "narrower" and step.step.searched == "grid(levels = 3)"
    assert step.finding == P.HOLDS_NARROWER
    assert cp.widest == {}  # nothing is widened for a refuted claim


def test_needed_independence_is_necessary_with_its_counterexample():
    spec = explainspec.load(LIBRARY / "shapley_conditional.espec")
    (cp,) = P.probe(
        [spec], RunOptions(profile="fast", claims=("linear_formula_under_independence",))
    )
    dep = findings(cp)["dependence:data"]
    assert dep.finding == P.NECESSARY
    cx = dep.result.counterexample
    assert cx is not None and cx.margin < 0 and "dependent" in cx.distribution
    assert (
        cx.reproduce.startswith("explainspec probe ")
        and "--claim linear_formula_under_independence" in cx.reproduce
    )
    assert "data" not in cp.widest


def test_probe_command_json_and_write(tmp_path, capsys):
    path = tmp_path / "over.espec"
    text = (SPECS / "over_restricted.espec").read_text()
    path.write_text(text)
    assert main(["probe", str(path), "--profile", "fast", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (claim,) = doc["claims"]
    assert {s["id"]: s["finding"] for s in claim["steps"]}["dependence:data"] == "not_needed"
    assert path.read_text() == text  # no --write: the file is untouched
    assert main(["probe", str(path), "--profile", "fast", "--write"]) == 0
    written = path.read_text()
    assert written.splitlines()[:19] == text.splitlines()[:19]  # comments and layout kept
    assert "world { data = any(grid(levels = 3), dependent(levels = 3))" in written
    # the widened claim is verified as written
    assert explainspec.verify(explainspec.load(path), profile="fast").passed


def test_probe_command_exit_codes(tmp_path, capsys):
    assert main(["probe", str(SPECS / "under_restricted.espec"), "--profile", "fast"]) == 1
    assert "HOLDS when restricted" in capsys.readouterr().out
    assert main(["probe", str(SPECS / "over_restricted.espec"), "--claim", "nope"]) == 2
    yaml = tmp_path / "s.espec.yaml"
    yaml.write_text("spec: {}\n")
    assert main(["probe", str(yaml), "--write"]) == 2
    assert "--write edits .espec files only" in capsys.readouterr().err
