"""What keeps a probe step's cost near a verification's without weakening its evidence: a step
whose draws are nearly all rejected stops early as inconclusive (ES392), and a step verified on
fewer valid worlds than the claim's own verification is inconclusive, never "not needed"."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from explainspec.lang.parser import parse_spec_text
from explainspec.runner import claim as C
from explainspec.runner import probe as P
from explainspec.runner.claim import ClaimRun
from explainspec.runner.events import ClaimResult, Verdict
from explainspec.runner.plan import RunOptions, plan_spec

ROOT = Path(__file__).resolve().parents[2]

# conditional Shapley values need x in the support: with ``points = anywhere(2)`` the method
# rejects most drawn worlds (a point off the background's rows); a few land on a row
SPEC = """\
spec s "S" {
    method = reference.shapley_conditional()
    output = attribution
    question "Q?"
    world {
        function = any(linear, additive)
        features = 2..3
        data = dependent(levels = 3)
        background = data
        points = 2
    }
    claim eff holds "E." {
        check sum(phi) == f(x) - mean(f(background)) within 1e-9
    }
}
"""


def _support_step():
    (plan,) = plan_spec(parse_spec_text(SPEC), RunOptions(profile="fast"))
    (step,) = [s for s in P.relaxations(plan) if s.axis == "support"]
    return plan, step


def test_a_step_whose_draws_are_nearly_all_rejected_stops_early_and_is_inconclusive():
    plan, step = _support_step()
    sp = P.step_plan(plan, step)
    assert sp.options.stop_rejected and not plan.options.stop_rejected
    r = ClaimRun(plan=sp).run()
    assert r.verdict is Verdict.INVALID
    assert [d.code for d in r.diagnostics] == ["ES392"]
    assert "the method cannot take" in r.error and "in the support" in r.error
    # stopped at a rejection where the rule holds (at least C.REJECTED_STOP_AFTER rejections,
    # fewer than one valid world per C.REJECTED_PER_VALID of them), before hypothesis' own rule
    # (50 rejected worlds before the 10th valid one)
    rejected, valid = map(int, re.search(r"(\d+) rejected, (\d+) valid", r.error).groups())
    assert valid == r.examples
    assert C.REJECTED_STOP_AFTER <= rejected < 50 and valid * C.REJECTED_PER_VALID < rejected
    assert P.classify(step, r, required=25) == P.INCONCLUSIVE
    # the same world run as verify runs it (no stop_rejected): hypothesis' own filter rule, later
    full = ClaimRun(plan=dataclasses.replace(sp, options=plan.options)).run()
    assert full.verdict is Verdict.INVALID and [d.code for d in full.diagnostics] == ["ES306"]
    assert full.examples >= r.examples


def test_the_early_stop_rule():
    def state(**kw):
        return C._State(**kw)

    C._stop_if_rejected(state(rejected=19, not_applicable="no"))  # too few rejections yet
    C._stop_if_rejected(state(rejected=20, tried=5, not_applicable="no"))  # 1 valid per 4
    with pytest.raises(C.Abort) as info:
        C._stop_if_rejected(state(rejected=20, tried=4, not_applicable="no"))
    assert info.value.code == "ES392" and info.value.verdict is Verdict.INVALID
    with pytest.raises(C.Abort):  # every kind of rejection counts
        C._stop_if_rejected(state(rejected=5, outside=10, undefined=5, tried=1, not_applicable="n"))
    # no valid world and only missing ground truth: hypothesis' rules decide (ES305, a finding)
    C._stop_if_rejected(state(undefined=30, outside=3))


def test_a_step_verified_on_fewer_worlds_than_the_claim_is_inconclusive():
    step = P.Step(axis="features", field="features", direction="wider", was="2..4")

    def verified(n):
        return ClaimResult(spec="s", claim="a", kind="holds", verdict=Verdict.VERIFIED, examples=n)

    assert P.classify(step, verified(25), required=25) == P.NOT_NEEDED
    assert P.classify(step, verified(9), required=25) == P.INCONCLUSIVE
    refuted = dataclasses.replace(verified(3), verdict=Verdict.REFUTED)
    assert P.classify(step, refuted, required=25) == P.NECESSARY  # one counterexample suffices
    opts = RunOptions(profile="fast")
    assert P.required_worlds(opts, verified(25)) == 25
    assert P.required_worlds(opts, verified(6)) == 6  # an exhausted, finite world space
    assert P.required_worlds(RunOptions(profile="fast", max_examples=10), verified(25)) == 10


def test_the_probe_reports_why_a_step_is_inconclusive(monkeypatch):
    plan, _ = _support_step()
    real = P._run

    def few(plans, options, execution):  # every step verified on 9 worlds only
        out = real(plans, options, execution)
        return [
            dataclasses.replace(r, examples=9) if "~" in r.claim and r.passed else r for r in out
        ]

    monkeypatch.setattr(P, "_run", few)
    spec = parse_spec_text(SPEC.replace("features = 2..3", "features = 2"))
    (cp,) = P.probe([spec], RunOptions(profile="fast"))
    shown = [s for s in cp.steps if s.result is not None and s.result.verdict is Verdict.VERIFIED]
    assert shown, [s.finding for s in cp.steps]
    for s in shown:
        assert s.finding == P.INCONCLUSIVE
        assert "only 9 valid world(s)" in (s.note or "")


def test_write_widens_only_on_a_combined_run_with_the_full_evidence(monkeypatch):
    plan, _ = _support_step()
    base = ClaimResult(spec="s", claim="eff", kind="holds", verdict=Verdict.VERIFIED, examples=25)
    step = P.Step(
        axis="family", field="function", direction="wider", was="linear", widened="additive"
    )
    cp = P.ClaimProbe(
        spec="s",
        claim="eff",
        kind="holds",
        source=None,
        baseline=base,
        steps=(P.StepResult(step=step, finding=P.NOT_NEEDED),),
        plan=plan,
    )
    for examples, widened in ((25, {"function": "additive"}), (12, {})):
        run = dataclasses.replace(base, claim="eff~widest", examples=examples)
        monkeypatch.setattr(P, "_run", lambda plans, options, execution, run=run: [run])
        assert P.widest_verified(cp, RunOptions(profile="fast"))[0] == widened
