"""explainspec.audit on the bundled diabetes data: the brief's "must show" checks, the report's
rows and errors, and the runner's handling of fixed worlds (every point recorded, method calls
shared between the claims that read a world)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import explainspec
from tests.audit_helpers import diabetes, diabetes_100

UNUSED_ZERO = (
    "shap.kernel",
    "shap.tree",
    "sklearn.permutation_importance",
    "sklearn.partial_dependence",
)


@pytest.fixture(scope="module")
def report():
    frame, model = diabetes_100()
    return explainspec.audit(
        model,
        frame,
        target="target",
        methods=[*UNUSED_ZERO, "lime.tabular"],
        points=4,
        background=30,
    )


def test_kernel_shap_error_against_exact_is_reported(report):
    f = report.finding("shap.kernel", "interventional_shapley")
    assert f.verdict == "holds" and f.rows == 4
    # d = 10: shap's default nsamples (2 d + 2048) enumerates every coalition: exact up to rounding
    assert f.error_max is not None and f.error_max < 1e-9
    assert f.error_median <= f.error_max
    text = report.text()
    assert "interventional_shapley  error max" in text
    assert f"error max {f.error_max:.4g}" in text


def test_unused_column_gets_zero_and_the_report_says_who_does_not(report):
    for m in UNUSED_ZERO:
        f = report.finding(m, "unused_column")
        assert f.verdict == "holds" and f.error_max == 0.0, m
    lime = report.finding("lime.tabular", "unused_column")
    assert lime.verdict == "fails" and lime.failing > 0 and lime.error_max > 0
    worst = lime.worst[0]
    assert worst.values[-1][0] == "unused_0"  # the appended column, named
    lines = report.text().splitlines()
    assert any(line.split()[:3] == ["fails", "reliance", "unused_column"] for line in lines)
    assert "lime.tabular unused_column:" in report.text()  # its worst rows are spelled out


def test_worst_rows_carry_ids_columns_and_the_truth(report):
    f = report.finding("shap.tree", "interventional_shapley")
    frame, _ = diabetes_100()
    w = f.worst[0]
    row = frame.drop(columns="target").iloc[int(w.row)]
    assert [c for c, _ in w.values] == list(row.index)
    np.testing.assert_allclose([v for _, v in w.values], row.to_numpy())
    assert w.method_text == "phi" and w.truth_text == "shapley(f, x, background)"
    np.testing.assert_allclose(
        np.max(np.abs(np.subtract(w.method, w.truth))), w.error, rtol=1e-6, atol=1e-12
    )


def test_the_report_is_json_and_a_card(report, tmp_path):
    doc = json.loads(json.dumps(report.to_dict()))
    assert {f["method"] for f in doc["findings"]} == set(report.methods)
    from explainspec.docgen.audit_card import write_card

    card = write_card(report, tmp_path).read_text()
    assert "| shap.kernel |" in card and "### " in card


def test_fixed_worlds_record_every_point_and_share_method_calls():
    calls = []

    @explainspec.method("audit_test.counting", output="attribution")
    def counting(problem):
        """Zeros, counting its calls."""
        calls.append(len(problem.points))
        return np.zeros((len(problem.points), problem.points.shape[1]))

    frame, model = diabetes()
    spec = explainspec.loads(
        """spec s "s" { method = audit_test.counting  output = attribution  question "?"
        world { function = user_model("model"); data = table("data"); background = sample(10); points = 3 }
        claim a holds "a" { check sum(phi) == 0 within 1e-9 }
        claim b holds "b" { check phi == 0 * x within 1e-9 }
        claim c holds "c" { check sum(phi) == f(x) - mean(f(background)) within 1e-9 } }"""
    )
    rep = explainspec.audit(model, frame, target="target", specs=[spec])
    assert calls == [3]  # one call for the three claims on the same world
    a = rep.finding("audit_test.counting", "a")
    assert a.verdict == "holds" and a.rows == 3
    c = rep.finding("audit_test.counting", "c")
    assert c.verdict == "fails" and c.failing >= 2 and len(c.worst) == 3


def test_audit_templates_are_valid_specs_outside_the_library():
    """The built-in audit specs check (they are specs) but live in the package, not in specs/:
    ``explainspec verify specs/`` must never run a claim that needs a bound model."""
    from pathlib import Path

    from explainspec.auditing import TEMPLATES, templates_dir
    from explainspec.lang import check_spec, discover, load

    for name in TEMPLATES.values():
        spec = load(templates_dir() / name)
        assert [d for d in check_spec(spec) if d.is_error] == []
    library = Path(__file__).resolve().parents[1] / "specs"
    for path in discover([library]):
        assert "user_model(" not in path.read_text() and "table(" not in path.read_text(), path
