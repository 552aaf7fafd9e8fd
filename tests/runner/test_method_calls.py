"""The runner calls the method once per distinct (function, points, background, ...) of a world."""

from __future__ import annotations

import numpy as np
import pytest

import explainspec
import explainspec.runner.claim as claim_module
from explainspec.methods.base import Problem

CALLS: list[str] = []


@pytest.fixture
def checked_worlds(monkeypatch) -> list:
    """The worlds the runner checks, in order (``check_world`` is wrapped to record them)."""
    worlds: list = []
    original = claim_module.check_world

    def recording(world, *args, **kwargs):
        worlds.append(world)
        return original(world, *args, **kwargs)

    monkeypatch.setattr(claim_module, "check_world", recording)
    return worlds


@explainspec.method("tests.counting_linear_attribution", output="attribution")
def counting(problem: Problem) -> np.ndarray:
    """Exact Shapley values of the world's function for an independent background (occlusion of
    one feature at a time against the background mean), counting its calls."""
    CALLS.append(problem.f.formula())
    f = problem.f
    bg = np.asarray(problem.background, dtype=float)
    out = []
    for x in np.atleast_2d(problem.points):
        row = []
        for i in range(len(x)):
            z = np.repeat(x[None, :], len(bg), axis=0)
            z[:, i] = bg[:, i]
            row.append(float(f(x) - np.mean(f(z))))
        out.append(row)
    return np.array(out)


SPEC = """
spec counting "calls" {
    method = tests.counting_linear_attribution
    output = attribution
    question "?"
    world {
        function = linear; second = linear; features = 2..3
        data = grid(levels = 3); background = data; points = 2
    }
    claim linear_in_f holds "C05" {
        check explain(2 * f + g) == 2 * explain(f) + explain(g) within 1e-9
    }
}
"""


def test_a_combination_of_functions_is_explained_once_per_world(checked_worlds):
    worlds = checked_worlds
    CALLS.clear()
    result = explainspec.verify(explainspec.loads(SPEC), profile="fast", max_examples=10)
    assert result["linear_in_f"].verdict.value == "verified"
    # 2 points per world, yet explain(2 * f + g), explain(f) (= phi) and explain(g) run once each
    # (without the per-world memo, 2 * f + g was a new function per point: 4 calls per world)
    assert worlds and len(CALLS) == 3 * len(worlds)


ORACLE_SPEC = """
spec oracle_calls "oracle calls" {
    method = tests.counting_linear_attribution
    output = attribution
    question "?"
    world { function = linear; features = 2..3; data = grid(levels = 3); background = data; points = 2 }
    claim mc holds "the estimate scatters around the Shapley values" {
        check explain(f) == shapley(f, x, background) within mc(z = 5)
    }
}
"""


def test_an_oracle_runs_once_per_point_not_once_per_replicate(checked_worlds, monkeypatch):
    from explainspec.runner.env import ClaimContext

    worlds, oracle_calls = checked_worlds, []
    original_oracle = ClaimContext.oracle

    def counting_oracle(self, name):
        fn = original_oracle(self, name)
        return lambda *a, **k: (oracle_calls.append(name), fn(*a, **k))[1]

    monkeypatch.setattr(ClaimContext, "oracle", counting_oracle)
    result = explainspec.verify(explainspec.loads(ORACLE_SPEC), profile="fast", max_examples=5)
    assert result["mc"].verdict.value == "verified"
    # 20 replicates per point at the fast profile; the Shapley values are computed once per point
    points = sum(len(w.points) for w in worlds)
    assert worlds and 0 < len(oracle_calls) <= points


PHI_SPEC = """
spec report_phi "phi for reports" {
    method = tests.counting_linear_attribution
    output = attribution
    question "?"
    world { function = linear; features = 2; data = grid(levels = 3); background = data; points = 1 }
    claim never holds "a check that does not read phi" {
        check explain(f, seed = 1)[0] == 12345 within 1e-9
    }
}
"""


def test_phi_is_computed_for_the_counterexample_not_for_every_world(checked_worlds):
    worlds = checked_worlds
    CALLS.clear()
    result = explainspec.verify(explainspec.loads(PHI_SPEC), profile="fast", max_examples=5)
    claim = result["never"]
    assert claim.verdict.value == "refuted"
    # one method call per checked world (explain with seed 1), plus one for the report's phi
    assert len(CALLS) == len(worlds) + 1
    cx = claim.counterexample
    assert cx.phi is not None and len(cx.phi) == cx.d
