"""``explainspec diff``: verdict changes, new/removed claims, moved margins, exit 1 on a
regression only; on real reports of ``verify --format json`` and on edited ones."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from explainspec.cli import main
from explainspec.report.diff import compare, load_report

SPEC = Path(__file__).resolve().parents[2] / "docs" / "examples" / "specs" / "my.espec"


@pytest.fixture(scope="module")
def real_report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("diff")
    spec = folder / "my.espec"
    spec.write_text(SPEC.read_text())
    out = folder / "old.json"
    code = main(
        [
            "verify",
            str(spec),
            "--profile",
            "fast",
            "--seed",
            "0",
            "--no-cache",
            "--format",
            "json",
            "--output",
            str(out),
        ]
    )
    assert code == 1  # the spec's second claim is refuted
    return out


def _write(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps(doc))
    return path


def test_same_report_has_no_change(real_report, capsys):
    assert main(["diff", str(real_report), str(real_report)]) == 0
    out = capsys.readouterr().out
    assert out.strip().endswith(
        "0 regressions, 0 verdict changes, 0 new, 0 removed, 0 margins moved"
    )


def test_a_claim_that_now_fails_is_a_regression(real_report, tmp_path, capsys):
    old = json.loads(real_report.read_text())
    assert [c["verdict"] for c in old["claims"]] == ["verified", "refuted"]
    new = copy.deepcopy(old)
    new["claims"][0].update(verdict="refuted", margin=-0.25, counterexample={"x": [1, 2]})
    new["versions"]["shap"] = "9.9.9"
    new_path = _write(tmp_path / "new.json", new)
    assert main(["diff", str(real_report), str(new_path)]) == 1
    out = capsys.readouterr().out
    assert "REGRESSION my_shapley::efficiency: verified -> refuted" in out
    assert 'counterexample: {"x": [1, 2]}' in out
    assert f"shap: {old['versions']['shap']} -> 9.9.9" in out
    # the other way round the claim is fixed, not a regression
    assert main(["diff", str(new_path), str(real_report)]) == 0
    assert "fixed my_shapley::efficiency: refuted -> verified" in capsys.readouterr().out


def test_new_removed_and_moved_claims_do_not_fail(real_report, tmp_path, capsys):
    old = json.loads(real_report.read_text())
    base = old["claims"][0]
    old["claims"][0] = {**base, "margin": 1.0}
    old["claims"][1] = {**base, "claim": "gone"}
    new = copy.deepcopy(old)
    new["claims"] = [{**base, "margin": 0.1}, {**base, "claim": "fresh", "verdict": "refuted"}]
    a, b = _write(tmp_path / "a.json", old), _write(tmp_path / "b.json", new)
    assert main(["diff", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "new claims:\n  my_shapley::fresh: refuted" in out
    assert "removed claims:\n  my_shapley::gone" in out
    assert "margins that moved (same verdict):\n  my_shapley::efficiency: 1 -> 0.1" in out
    # a smaller move is not listed; the threshold is an option
    assert main(["diff", str(a), str(b), "--margin-change", "0.95"]) == 0
    assert "margins that moved" not in capsys.readouterr().out
    assert main(["diff", str(a), str(b), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["added"] == [{"spec": "my_shapley", "claim": "fresh", "verdict": "refuted"}]
    assert doc["removed"] == [{"spec": "my_shapley", "claim": "gone"}] and doc["regressions"] == 0


def test_non_finite_margins_are_read_as_the_report_writes_them(real_report):
    old = load_report(real_report)
    new = copy.deepcopy(old)
    old["claims"][0]["margin"] = "inf"
    new["claims"][0]["margin"] = 0.5
    (moved,) = compare(old, new).moved
    assert moved.old == float("inf") and moved.new == 0.5


@pytest.mark.parametrize(
    "text, message",
    [
        ("not json", "not JSON"),
        ('{"claims": 3}', "not a report"),
        ('{"report_version": 99, "claims": []}', "report_version 99"),
        ('{"report_version": 1, "claims": [{"verdict": "verified"}]}', "claims[0] has no spec"),
    ],
)
def test_files_that_are_not_reports_are_refused(real_report, tmp_path, capsys, text, message):
    bad = tmp_path / "bad.json"
    bad.write_text(text)
    assert main(["diff", str(real_report), str(bad)]) == 2
    assert message in capsys.readouterr().err
