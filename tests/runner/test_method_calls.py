"""The runner calls the method once per distinct (function, points, background, ...) of a world."""

from __future__ import annotations

import numpy as np

import explainspec
import explainspec.runner.claim as claim_module
from explainspec.methods.base import Problem

CALLS: list[str] = []


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


def test_a_combination_of_functions_is_explained_once_per_world(monkeypatch):
    worlds = []
    original = claim_module.check_world

    def counting_check(world, *args, **kwargs):
        worlds.append(world)
        return original(world, *args, **kwargs)

    monkeypatch.setattr(claim_module, "check_world", counting_check)
    CALLS.clear()
    result = explainspec.verify(explainspec.loads(SPEC), profile="fast", max_examples=10)
    assert result["linear_in_f"].verdict.value == "verified"
    # 2 points per world, yet explain(2 * f + g), explain(f) (= phi) and explain(g) run once each
    # (without the per-world memo, 2 * f + g was a new function per point: 4 calls per world)
    assert worlds and len(CALLS) == 3 * len(worlds)
