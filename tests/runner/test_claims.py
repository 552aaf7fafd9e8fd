"""The runner's verdicts, counterexamples, determinism and error classification, on fake worlds.

The fakes (``runner_fakes``) are linear functions on small finite supports, with planted bugs
whose verdict is known by construction.
"""

from __future__ import annotations

import math

import pytest
import runner_fakes as rf
from hypothesis import strategies as st

import explainspec
from explainspec.methods.base import NotApplicable
from explainspec.runner.events import (
    ClaimFinished,
    ClaimStarted,
    ExampleTried,
    RunFinished,
    RunStarted,
    SpecFinished,
    SpecStarted,
    Verdict,
)
from explainspec.runner.plan import RunOptions
from explainspec.runner.run import drive, run


@pytest.fixture(autouse=True)
def fake_worlds(monkeypatch):
    rf.install(monkeypatch)


verdicts = rf.verdicts


def test_correct_method_is_verified_and_misreading_is_shown():
    res = verdicts(rf.spec("fake.exact", rf.EFFICIENCY, rf.EXACT, rf.NONZERO))
    assert res["efficiency"].verdict is Verdict.VERIFIED
    assert res["efficiency"].examples == 25
    assert res["efficiency"].margin is not None and res["efficiency"].margin >= 0
    assert res["exact"].verdict is Verdict.VERIFIED
    # "phi_i is never zero" fails as soon as a weight is 0: shown, shrunk to one feature
    nz = res["nonzero"]
    assert nz.verdict is Verdict.SHOWN and nz.passed
    assert nz.counterexample is not None and nz.counterexample.d == 1
    assert nz.margin < 0


def test_planted_bug_is_refuted_with_a_spelled_out_counterexample():
    res = verdicts(rf.spec("fake.plus", rf.EFFICIENCY, params={"c": 0.25}))
    r = res["efficiency"]
    assert r.verdict is Verdict.REFUTED and r.failed
    c = r.counterexample
    assert c.d == 1  # shrunk to the smallest world
    assert math.isclose(c.margin, 1e-9 - 0.25)
    texts = {q.text: q for q in c.quantities}
    assert texts["sum(phi)"].value == pytest.approx(
        texts["f(x) - mean(f(background))"].value + 0.25
    )
    assert c.reproduce == "explainspec verify fake.espec --claim efficiency --seed 0 --profile fast"
    text = "\n".join(c.lines())
    assert "sum(phi) = " in text and "f(x) = " in text and "Reproduce with:" in text


def test_same_seed_same_verdicts_and_counterexamples_other_seed_other_search():
    spec = rf.spec("fake.plus", rf.EFFICIENCY, rf.NONZERO, params={"c": 0.25})
    a, b = verdicts(spec, seed=7), verdicts(spec, seed=7)
    for name in a:
        assert a[name].verdict == b[name].verdict
        assert a[name].counterexample == b[name].counterexample
        assert a[name].margin == b[name].margin
    assert a["efficiency"].claim_seed != verdicts(spec, seed=8)["efficiency"].claim_seed


def test_claim_seed_depends_on_run_seed_and_claim_name_only():
    one = verdicts(rf.spec("fake.exact", rf.EFFICIENCY), seed=3)["efficiency"].claim_seed
    both = verdicts(rf.spec("fake.exact", rf.EXACT, rf.EFFICIENCY), seed=3)["efficiency"].claim_seed
    assert one == both


def test_method_exception_is_an_error_not_a_refutation():
    r = verdicts(rf.spec("fake.raises", rf.EXACT))["exact"]
    assert r.verdict is Verdict.ERROR
    assert [d.code for d in r.diagnostics] == ["ES301"]
    assert "negative weights are not supported" in r.error
    assert r.counterexample is None


def test_method_that_cannot_take_the_family_is_not_applicable():
    r = verdicts(rf.spec("fake.not_applicable", rf.EXACT))["exact"]
    assert r.verdict is Verdict.NOT_APPLICABLE and r.failed and not r.passed
    assert [d.code for d in r.diagnostics] == ["ES307"]


@explainspec.method("fake.declines_d3", output="attribution")
def _declines_d3(p):
    """Wrong at d >= 3, and declines those worlds (NotApplicable) instead of answering."""
    if p.f.d >= 3:
        raise NotApplicable("at most 2 features")
    return rf.exact(p)


def test_worlds_the_method_declines_are_counted_beside_the_verdict():
    """Red team: a method declining every world with d >= 3 was verified on d <= 2 with no
    word that two thirds of the claim's range were never checked."""
    r = verdicts(rf.spec("fake.declines_d3", rf.EXACT))["exact"]
    assert r.verdict is Verdict.VERIFIED
    (note,) = [d for d in r.diagnostics if d.code == "ES307"]
    assert "drawn world(s) skipped: the method cannot take them" in note.message
    assert "at most 2 features" in note.message
    # a method that takes every world gets no such note
    assert not verdicts(rf.spec("fake.exact", rf.EXACT))["exact"].diagnostics


def test_worlds_that_cannot_be_generated_make_the_claim_invalid(monkeypatch):
    rf.install(monkeypatch, rf.linear_worlds().filter(lambda w: False))
    r = verdicts(rf.spec("fake.exact", rf.EXACT))["exact"]
    assert r.verdict is Verdict.INVALID and r.failed
    assert [d.code for d in r.diagnostics] == ["ES306"]


def test_unknown_name_in_check_is_an_error():
    r = verdicts(rf.spec("fake.exact", ("typo", "holds", "sum(phy) == 0 within 1e-9")))["typo"]
    assert r.verdict is Verdict.ERROR
    assert [d.code for d in r.diagnostics] == ["ES304"]
    assert "phy" in r.error


def test_mc_tolerance_accepts_an_unbiased_randomized_method_and_rejects_a_biased_one():
    ok = verdicts(rf.spec("fake.noisy", rf.MC))["mc"]
    assert ok.verdict is Verdict.VERIFIED
    # the replicates reran the method: 20 replicates per world at the fast profile
    biased = verdicts(rf.spec("fake.plus", rf.MC, params={"c": 0.05}))["mc"]
    assert biased.verdict is Verdict.REFUTED
    assert any("replicates" in q.text for q in biased.counterexample.quantities)


def test_an_exact_tolerance_refutes_a_randomized_method():
    r = verdicts(rf.spec("fake.noisy", rf.EXACT))["exact"]
    assert r.verdict is Verdict.REFUTED


def test_global_method_is_called_once_per_world():
    r = verdicts(rf.spec("fake.global", ("nonneg", "holds", "for all i: phi[i] >= 0")))["nonneg"]
    assert r.verdict is Verdict.VERIFIED
    assert r.counterexample is None


def test_does_not_answer_needs_a_clear_violation():
    # phi[0] <= phi[0] + 1e-7 is violated by at most 1e-7 < refute floor 1e-6: never shown
    claim = ("tiny", "does_not_answer", "phi[0] + 1e-7 <= phi[0]")
    assert verdicts(rf.spec("fake.exact", claim))["tiny"].verdict is Verdict.UNSHOWN
    # ... but an answers claim with the same check is refuted (plain semantics)
    claim = ("tiny", "answers", "phi[0] + 1e-7 <= phi[0]")
    assert verdicts(rf.spec("fake.exact", claim))["tiny"].verdict is Verdict.REFUTED


def test_events_come_in_order_and_timings_add_up():
    events = list(
        run([rf.spec("fake.exact", rf.EFFICIENCY)], RunOptions(profile="fast", max_examples=5))
    )
    kinds = [type(e) for e in events]
    assert kinds[:3] == [RunStarted, SpecStarted, ClaimStarted]
    assert kinds[-3:] == [ClaimFinished, SpecFinished, RunFinished]
    # progress is sampled: the first world always, then at most one event per PROGRESS_INTERVAL
    progress = [e for e in events if isinstance(e, ExampleTried)]
    assert progress and progress[0].n == 1
    assert [e.n for e in progress] == sorted({e.n for e in progress}) and progress[-1].n <= 5
    assert all(e.worst is not None and e.worst <= e.margin for e in progress)
    r = events[-1].result[0]
    assert r.timings.method > 0 and r.timings.checker > 0
    assert r.timings.total <= events[-1].elapsed


def test_claim_filter_and_max_examples():
    spec = rf.spec("fake.exact", rf.EFFICIENCY, rf.EXACT)
    result = drive(
        run([spec], RunOptions(profile="fast", max_examples=3, claims=("fake.ex*",))),
        lambda e: None,
    )
    assert [c.claim for c in result] == ["exact"]
    assert result[0].examples == 3


def test_search_finds_a_rare_violation(monkeypatch):
    # violated only when a weight reaches +-3 (a few worlds in 25)
    rf.install(monkeypatch, rf.linear_worlds(max_d=2))
    claim = ("small", "holds", "for all i: abs(f.weights[i]) < 3")
    r = verdicts(rf.spec("fake.exact", claim), max_examples=25)["small"]
    assert r.verdict is Verdict.REFUTED


def test_nan_in_a_check_refutes_answers_but_never_shows_a_misreading(monkeypatch):
    rf.install(monkeypatch, st.builds(lambda w: w, rf.linear_worlds()))
    nan_check = "sqrt(-1 - abs(phi[0])) == 0 within 1e-9"
    assert (
        verdicts(rf.spec("fake.exact", ("n", "holds", nan_check)))["n"].verdict is Verdict.REFUTED
    )
    assert (
        verdicts(rf.spec("fake.exact", ("n", "does_not_answer", nan_check)))["n"].verdict
        is Verdict.UNSHOWN
    )
