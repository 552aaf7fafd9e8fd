"""Reporters on hand-built events: JSON (incremental, atomic, versioned), JUnit, terminal text."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest

from explainspec.report.json_report import REPORT_VERSION, JsonReporter
from explainspec.report.junit import JunitReporter, junit_xml
from explainspec.report.terminal import TerminalReporter, plain_mode
from explainspec.runner.events import (
    ClaimFinished,
    ClaimResult,
    ClaimStarted,
    Counterexample,
    ExampleTried,
    Quantity,
    RunDiagnostic,
    RunFinished,
    RunResult,
    RunStarted,
    SpecFinished,
    SpecStarted,
    Timings,
    Verdict,
)

COUNTER = Counterexample(
    function="f(x) = x0 * x1",
    distribution="grid(levels = 2)",
    d=2,
    point=(1.0, -1.0),
    baseline=None,
    background_rows=4,
    phi=[-0.5, 0.5],
    quantities=(
        Quantity(text="i", value=0, shown="0", role="binding"),
        Quantity(text="sign(phi[i])", value=-1.0, shown="-1"),
        Quantity(text="sign(grad(f, x)[i])", value=1.0, shown="1"),
        Quantity(
            text="sign(phi[i]) == sign(grad(f, x)[i])", value=-0.5, shown="-0.5", role="margin"
        ),
    ),
    margin=-0.5,
    seed=0,
    world_seed=11,
    reproduce="explainspec verify s.espec --claim sign --seed 0 --profile fast",
)

RESULTS = (
    ClaimResult(
        spec="s",
        claim="eff",
        kind="holds",
        verdict=Verdict.VERIFIED,
        margin=1e-9,
        examples=25,
        timings=Timings(method=0.5, oracles=0.25, checker=0.25),
    ),
    ClaimResult(
        spec="s",
        claim="sign",
        kind="does_not_answer",
        verdict=Verdict.SHOWN,
        margin=-0.5,
        examples=4,
        counterexample=COUNTER,
        statement="phi_i > 0 means f increases in x_i",
    ),
    ClaimResult(
        spec="s",
        claim="bad",
        kind="answers",
        verdict=Verdict.REFUTED,
        margin=float("-inf"),
        examples=3,
        counterexample=COUNTER,
    ),
    ClaimResult(
        spec="t",
        claim="boom",
        kind="holds",
        verdict=Verdict.ERROR,
        error="the method raised",
        diagnostics=(RunDiagnostic(code="ES301", message="the method raised"),),
    ),
    ClaimResult(
        spec="t", claim="na", kind="holds", verdict=Verdict.NOT_APPLICABLE, error="needs a tree"
    ),
)


def events(results=RESULTS, interrupted=False):
    yield RunStarted(
        seed=0,
        profile="fast",
        max_examples=25,
        replicates=10,
        specs=("s", "t"),
        claims=len(results),
    )
    for spec in ("s", "t"):
        mine = [r for r in results if r.spec == spec]
        if not mine:
            continue
        yield SpecStarted(
            spec=spec, title=spec.upper(), method="m", source=f"{spec}.espec", claims=len(mine)
        )
        for r in mine:
            yield ClaimStarted(spec=spec, claim=r.claim, kind=r.kind)
            yield ExampleTried(spec=spec, claim=r.claim, n=1, margin=0.5)
            yield ClaimFinished(result=r)
        yield SpecFinished(spec=spec, results=tuple(mine))
    yield RunFinished(
        result=RunResult(tuple(results), seed=0, profile="fast", interrupted=interrupted),
        elapsed=1.5,
    )


def test_json_is_written_after_every_claim_and_is_always_valid(tmp_path):
    path = tmp_path / "out" / "report.json"
    reporter = JsonReporter(path, command=["explainspec", "verify"])
    seen = []
    for event in events():
        reporter.handle(event)
        if isinstance(event, ClaimFinished):
            seen.append(len(json.loads(path.read_text())["claims"]))
    assert seen == [1, 2, 3, 4, 5]
    doc = json.loads(path.read_text())
    assert doc["report_version"] == REPORT_VERSION and doc["status"] == "complete"
    assert set(doc["versions"]) >= {
        "explainspec",
        "shap",
        "scikit-learn",
        "numpy",
        "hypothesis",
        "lark",
        "python",
    }
    assert doc["seed"] == 0 and doc["profile"] == "fast" and doc["passed"] is False
    by = {c["claim"]: c for c in doc["claims"]}
    assert by["eff"]["time"] == {"method": 0.5, "oracles": 0.25, "checker": 0.25, "total": 1.0}
    assert by["bad"]["margin"] == "-inf"  # JSON has no infinities
    cx = by["sign"]["counterexample"]
    assert cx["function"] == "f(x) = x0 * x1" and cx["point"] == [1.0, -1.0]
    assert [q["text"] for q in cx["quantities"]][1] == "sign(phi[i])"
    assert by["boom"]["diagnostics"] == [{"code": "ES301", "message": "the method raised"}]
    assert doc["summary"] == {
        "verified": 1,
        "shown": 1,
        "refuted": 1,
        "error": 1,
        "not_applicable": 1,
    }
    assert not list(path.parent.glob(".*.tmp"))  # temporary files renamed away


def test_json_text_is_the_plain_encoding_of_the_document(tmp_path):
    # claims are encoded once each and spliced in; the file must be exactly json.dumps(document)
    from explainspec.report.json_report import jsonable

    reporter = JsonReporter(tmp_path / "r.json", command=["explainspec"])
    for event in events():
        reporter.handle(event)
        expected = json.dumps(jsonable(reporter.document), indent=2) + "\n"
        assert reporter.text() == expected
        if isinstance(event, ClaimFinished):
            assert (tmp_path / "r.json").read_text() == expected


def test_json_marks_an_interrupted_run(tmp_path):
    path = tmp_path / "r.json"
    reporter = JsonReporter(path)
    for event in events(RESULTS[:1], interrupted=True):
        reporter.handle(event)
    doc = json.loads(path.read_text())
    assert doc["status"] == "interrupted" and len(doc["claims"]) == 1


def test_json_to_a_stream_is_written_once_at_the_end():
    out = io.StringIO()
    reporter = JsonReporter(stream=out)
    for event in events():
        reporter.handle(event)
        if not isinstance(event, RunFinished):
            assert out.getvalue() == ""
    assert json.loads(out.getvalue())["status"] == "complete"


def test_junit_has_one_testcase_per_claim_and_failures_with_the_counterexample(tmp_path):
    path = tmp_path / "junit.xml"
    reporter = JunitReporter(path)
    for event in events():
        reporter.handle(event)
    root = ET.parse(path).getroot()
    cases = root.findall(".//testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("s", "eff"),
        ("s", "sign"),
        ("s", "bad"),
        ("t", "boom"),
        ("t", "na"),
    ]
    failures = {c.get("name"): c.find("failure") for c in cases}
    errors = {c.get("name"): c.find("error") for c in cases}
    assert failures["eff"] is None and failures["sign"] is None
    assert failures["bad"].get("type") == "refuted"
    assert "f(x) = x0 * x1" in failures["bad"].text and "Reproduce with:" in failures["bad"].text
    # a method crash could not check the claim: an <error>, as pytest reports an exception
    assert failures["boom"] is None and errors["boom"].get("type") == "error"
    assert "ES301" not in errors["boom"].get("message")
    assert failures["na"].get("type") == "not_applicable" and cases[4].find("skipped") is None
    assert root.get("tests") == "5" and root.get("failures") == "2" and root.get("errors") == "1"
    suite = {s.get("name"): s for s in root.findall("testsuite")}["t"]
    assert suite.get("errors") == "1" and suite.get("failures") == "1"


def test_junit_testcases_point_at_the_claim_in_its_spec_file():
    results = [
        ClaimResult(
            spec="s",
            claim="c",
            kind="holds",
            verdict=Verdict.ERROR,
            source="specs/s.espec",
            line=12,
            error="the method raised",
        ),
        ClaimResult(
            spec="s",
            claim="d",
            kind="holds",
            verdict=Verdict.INVALID,
            source="specs/s.espec",
            line=20,
            error="no worlds",
        ),
        ClaimResult(spec="s", claim="e", kind="holds", verdict=Verdict.VERIFIED),
    ]
    root = ET.fromstring(junit_xml(results).split("\n", 1)[1])
    c, d, e = root.findall(".//testcase")
    assert (c.get("file"), c.get("line")) == ("specs/s.espec", "12")
    assert (d.get("file"), d.get("line")) == ("specs/s.espec", "20")
    assert e.get("file") is None and e.get("line") is None  # not known: not made up
    assert c.find("error") is not None and d.find("error") is not None
    assert c.find("failure") is None and d.find("failure") is None


def test_junit_escapes_markup():
    r = ClaimResult(spec="s", claim="c", kind="holds", verdict=Verdict.ERROR, error="a < b & <tag>")
    ET.fromstring(junit_xml([r]).split("\n", 1)[1])  # parses


def test_terminal_plain_text_snapshot():
    out = io.StringIO()
    reporter = TerminalReporter(out, plain=True, timings=False)
    for event in events():
        reporter.handle(event)
    text = out.getvalue()
    assert "\x1b[" not in text  # no escape codes
    expected_lines = [
        "explainspec verify: 5 claims in 2 specs, seed 0, profile fast (25 worlds per claim, 10 replicates per mc check)",
        "spec s: S -- method m  (s.espec)",
        "    ok eff (holds): verified, 25 worlds, margin 1e-09",
        "    ok sign (does_not_answer): shown, 4 worlds, margin -0.5",
        "  FAIL bad (answers): refuted, 3 worlds, margin -inf",
        "  FAIL boom (holds): error, 0 worlds, margin -",
        "  FAIL na (holds): not_applicable, 0 worlds, margin -",
        "s.sign misreading shown by:",
        "  claim: phi_i > 0 means f increases in x_i",
        "  f(x) = x0 * x1",
        "  x = (1, -1)",
        "  sign(phi[i]) = -1",
        "  margin of sign(phi[i]) == sign(grad(f, x)[i]): -0.5",
        "  Reproduce with: explainspec verify s.espec --claim sign --seed 0 --profile fast",
        "t.boom error:",
        "  ES301",
        "Failed: 1 verified, 1 shown, 1 refuted, 1 error, 1 not_applicable.",
    ]
    lines = [line.rstrip() for line in text.splitlines()]
    pos = 0
    for want in expected_lines:
        assert want in lines[pos:], f"{want!r} missing (in order) from:\n{text}"
        pos = lines.index(want, pos) + 1
    assert any(
        "verdict" in line and "margin" in line and "worlds" in line for line in lines
    )  # the table


def test_plain_mode_follows_tty_and_no_color(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert plain_mode(io.StringIO()) and not plain_mode(Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert plain_mode(Tty())


@pytest.mark.parametrize("interrupted,word", [(True, "Interrupted"), (False, "Failed")])
def test_terminal_final_line(interrupted, word):
    out = io.StringIO()
    reporter = TerminalReporter(out, plain=True)
    for event in events(RESULTS[:3], interrupted=interrupted):
        reporter.handle(event)
    assert out.getvalue().strip().splitlines()[-1].startswith(word)


@pytest.mark.parametrize("columns", [100, 120, 200])
def test_summary_table_never_cuts_names(columns):
    """At 100 columns the table cut the library's longest claim names ("equals_interventional_u…")."""
    from explainspec.runner.events import RunFinished, RunResult

    names = [
        ("permutation_importance_sklearn", "equals_interventional_under_independence"),
        ("shap_kernel", "exact_with_full_enumeration"),
    ]
    claims = tuple(
        ClaimResult(
            spec=s,
            claim=c,
            kind="does_not_answer",
            verdict=Verdict.NOT_APPLICABLE,
            margin=-0.5,
            examples=25,
        )
        for s, c in names
    )
    out = io.StringIO()
    reporter = TerminalReporter(out, plain=False)
    reporter.console.width = columns
    reporter.handle(RunFinished(result=RunResult(claims=claims), elapsed=1.0))
    lines = out.getvalue().splitlines()
    assert max(len(line.rstrip()) for line in lines) <= columns
    for spec, claim in names:
        assert any(spec in line for line in lines) and any(claim in line for line in lines)
    assert any("not_applicable" in line for line in lines)


def test_live_status_shows_overall_progress_and_an_estimate(monkeypatch):
    import time

    from explainspec.runner.events import ClaimFinished, ClaimStarted, RunStarted

    clock = iter([100.0, 110.0])
    monkeypatch.setattr(time, "monotonic", lambda: next(clock))
    reporter = TerminalReporter(io.StringIO(), plain=True)
    reporter.handle(
        RunStarted(seed=0, profile="fast", max_examples=25, replicates=10, specs=("s",), claims=3)
    )
    assert reporter._progress() == "[claim 1/3] "
    reporter.handle(ClaimStarted(spec="s", claim="a", kind="holds"))
    reporter.handle(
        ClaimFinished(
            result=ClaimResult(spec="s", claim="a", kind="holds", verdict=Verdict.VERIFIED)
        )
    )
    # one claim took 10 s: two are left
    assert reporter._progress() == "[claim 2/3, about 20.0 s left] "
