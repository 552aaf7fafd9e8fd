"""``explain(f, seed = k)``: the k-th independent method seed, for stability claims."""

from __future__ import annotations

import numpy as np
import pytest
import runner_fakes as rf

import explainspec
from explainspec.runner.events import Verdict


@pytest.fixture(autouse=True)
def fake_worlds(monkeypatch):
    rf.install(monkeypatch)


def verdict(method: str, check: str, kind: str = "holds") -> Verdict:
    return rf.verdicts(rf.spec(method, ("c", kind, check)))["c"].verdict


def test_seed_zero_is_the_worlds_own_seed():
    assert verdict("fake.noisy", "explain(f, seed = 0) == phi within 1e-12") is Verdict.VERIFIED


def test_another_seed_reruns_a_randomized_method():
    # a noisy method gives other numbers under another seed: the reproducibility misreading is shown
    assert (
        verdict("fake.noisy", "explain(f, seed = 1) == phi within 1e-6", "does_not_answer")
        is Verdict.SHOWN
    )
    # and the two seeds are really independent draws, not the same one twice
    assert verdict("fake.noisy", "explain(f, seed = 1) == explain(f, seed = 2) within 1e-6") is (
        Verdict.REFUTED
    )


def test_a_deterministic_method_is_the_same_under_every_seed():
    assert verdict("fake.exact", "explain(f, seed = 3) == phi within 1e-12") is Verdict.VERIFIED


def test_a_negative_seed_is_an_error():
    assert verdict("fake.exact", "explain(f, seed = -1) == phi within 1e-12") is Verdict.ERROR


def test_target_is_f_unless_the_world_sets_it():
    assert verdict("fake.exact", "target(x) == f(x) within 1e-12") is Verdict.VERIFIED


@explainspec.method("fake.unseeded", output="attribution", randomized=True)
def _unseeded(p):
    """Ignores ``problem.seed``: fresh entropy on every call, so no seed reproduces it."""
    return rf.exact(p) + np.random.default_rng().normal(0.0, 0.1, size=(len(p.points), p.f.d))


def test_seed_zero_is_a_new_call_so_reproducibility_can_fail():
    """Red team: ``explain(f, seed = 0)`` was the cached ``phi`` itself, so the reproducibility
    claim of ``lime_wls``/``lime_tabular`` could not fail (a method ignoring the seed passed)."""
    assert verdict("fake.unseeded", "explain(f, seed = 0) == phi within 1e-12") is Verdict.REFUTED
    assert verdict("fake.noisy", "explain(f, seed = 0) == phi within 1e-12") is Verdict.VERIFIED
