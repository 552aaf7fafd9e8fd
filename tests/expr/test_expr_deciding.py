"""A violated check reports the violation of its deciding comparison, not of a guard (13.3).

Robustness semantics measured a violated ``premise implies conclusion`` by ``max(−m(premise),
m(conclusion))``: a premise that barely held (hypothesis shrinks exact quantities to the
boundary) gave margins like ``-4.9e-324`` for a conclusion violated by 0.375.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from _expr_helpers import ToyFunction, check

from explainspec.expr import Mode

REFUTE = Mode(tolerance_scale=11, slack=1e-6)


def notes(out) -> list[str]:
    return [t.text for t in out.trace if t.role == "note"]


def test_a_violated_implication_is_measured_on_its_conclusion() -> None:
    out = check("x > 0 implies phi > 0.5", x=5e-324, phi=0.125)
    assert out.margin == pytest.approx(-0.375)  # was -5e-324: how near x was to 0
    assert out.decided_by == "phi > 0.5"
    margins = [(t.text, t.value) for t in out.trace if t.role == "margin"]
    assert margins == [("x > 0", 5e-324), ("phi > 0.5", pytest.approx(-0.375))]
    assert notes(out) == ["decided by phi > 0.5"]
    assert out.render().splitlines()[-2:] == ["decided by phi > 0.5", "margin: -0.375"]


def test_in_refutation_mode_too() -> None:
    out = check(
        "for all i: x[i] > 0 implies phi[i] > 100",
        REFUTE,
        x=np.array([0.04, -1.0]),
        phi=np.array([1.0, 1.0]),
        d=2,
    )
    assert out.margin == pytest.approx(-99 + 1e-6)
    assert [(t.text, t.value) for t in out.trace if t.role == "binding"] == [("i", 0)]


def test_an_or_with_exact_guards_is_measured_on_the_method_reading_operand() -> None:
    values = {"x": np.array([1e-9]), "b": np.array([0.0]), "phi": np.array([0.375])}
    out = check("for all i: abs(x[i] - b[i]) <= 0 or phi[i] == 0 within 1e-12", **values, d=1)
    assert out.margin == pytest.approx(1e-12 - 0.375)  # was -1e-9, the guard's margin
    assert out.decided_by == "phi[i] == 0 within 1e-12"
    texts = [t.text for t in out.trace]
    assert "abs(x[i] - b[i]) <= 0" in texts  # the guard is shown, and why it did not apply
    assert notes(out) == ["decided by phi[i] == 0 within 1e-12"]
    # the guard written second works the same
    swapped = check("for all i: phi[i] == 0 within 1e-12 or abs(x[i] - b[i]) <= 0", **values, d=1)
    assert swapped.margin == out.margin


def test_only_the_premise_reads_the_method() -> None:
    # the exact conclusion is the guard: the violation is how clearly phi established the premise
    f = ToyFunction([1.0, 0.0])
    out = check("for all i: phi[i] != 0 implies f.uses(i)", phi=np.array([0.5, 0.25]), f=f, d=2)
    assert out.margin == -0.25
    assert out.decided_by == "phi[i] != 0"


def test_not_of_and_is_a_disjunction_too() -> None:
    out = check("not (x > 0 and phi > 0)", x=1e-9, phi=0.5)
    assert out.margin == -0.5
    assert out.decided_by == "phi > 0"


def test_without_guards_the_margin_is_the_robust_one() -> None:
    # every operand reads the method (or none does): the closest one to holding decides
    assert check("phi[0] > 1 or phi[1] > 1", phi=np.array([0.25, 0.5])).margin == -0.5
    assert check("a > 1 or b > 1", a=0.25, b=0.5).margin == -0.5
    # an implication between exact quantities is still measured on its conclusion
    assert check("a > 0 implies b > 1", a=1e-9, b=0.5).margin == -0.5


def test_holding_checks_keep_their_margins() -> None:
    assert check("x > 0 implies phi > 0.5", x=1e-9, phi=0.75).margin == 0.25
    assert check("x > 0 implies phi > 0.5", x=-2.0, phi=0.0).margin == 2.0
    assert check("x <= 0 or phi > 0.5", x=1.0, phi=0.75).margin == 0.25
    out = check("phi > 0", phi=1.0)
    assert out.decided_by == "phi > 0" and notes(out) == []  # one comparison: no note


SPEC = """
spec guarded "guarded claims" {
    method = reference.gradient(h = "analytic")
    output = attribution
    question "q"
    world {
        function = formula("2 * x0")
        features = 1
        data = gaussian
        points = 2
    }
    claim guard does_not_answer local_effect "phi_i exceeds 100 where x_i is positive" {
        check for all i: x[i] > 0 implies phi[i] > 100
    }
}
"""


def test_end_to_end_the_report_shows_the_deciding_violation(tmp_path, monkeypatch, capsys) -> None:
    import explainspec
    from explainspec.cli import main
    from explainspec.report.json_report import claim_record

    result = explainspec.verify(explainspec.loads(SPEC), profile="fast", max_examples=10)
    r = result["guard"]
    assert r.verdict.value == "shown"
    assert r.margin == pytest.approx(-98 + 1e-6)  # phi = 2: 98 (+ the refutation slack) short
    lines = r.counterexample.lines()
    assert "margin of phi[i] > 100: -98" in lines
    assert lines[lines.index("margin of phi[i] > 100: -98") + 1] == "decided by phi[i] > 100"
    record = claim_record(r)
    assert record["margin"] == pytest.approx(-98 + 1e-6)
    decided = [q for q in record["counterexample"]["quantities"] if q["role"] == "note"]
    assert [q["text"] for q in decided] == ["decided by phi[i] > 100"]
    assert decided[0]["value"] == pytest.approx(-98 + 1e-6)

    # the command line: the terminal and the JSON report
    path = tmp_path / "guarded.espec"
    path.write_text(SPEC)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "report.json"
    argv = [
        "verify",
        str(path),
        "--profile",
        "fast",
        "--max-examples",
        "10",
        "--no-cache",
        "--jobs",
        "1",
        "--format",
        "json",
        "--output",
        str(out),
    ]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "shown" in text and "decided by phi[i] > 100" in text and "-98" in text
    claim = json.loads(out.read_text())["claims"][0]
    assert claim["margin"] == pytest.approx(-98 + 1e-6)
    assert any(
        q["text"] == "decided by phi[i] > 100" for q in claim["counterexample"]["quantities"]
    )
