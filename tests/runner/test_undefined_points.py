"""Points where the check's ground truth does not exist (``grad`` at a kink) are skipped and
counted (ES305), never judged; a claim with no point left is ``invalid``.

Before: ``grad(f, x)`` at a kink returned ``f.grad``'s one-sided convention, so a claim about
the gradient was judged against a value that is not a derivative (tests/oracles/test_oracles_kinks.py).
"""

from __future__ import annotations

from explainspec.lang import load_text
from explainspec.runner.events import Verdict
from explainspec.runner.plan import RunOptions
from explainspec.runner.run import drive, run

SPEC = """spec kinks "kinks" {{
    method = reference.gradient(h = "analytic")
    output = attribution
    question "q"
    world {{ {world} }}
    claim agrees holds "the output is the gradient" {{
        check phi == grad(f, x) within 1e-9
    }}
}}
"""


def result(world: str):
    spec = load_text(SPEC.format(world=world))
    (r,) = drive(run([spec], RunOptions(profile="fast")), lambda e: None).claims
    return r


def test_a_claim_whose_every_point_is_a_kink_is_invalid():
    r = result('function = formula("abs(x0) + x1"); data = grid(levels = 3); points = [[0, 1]]')
    assert r.verdict is Verdict.INVALID
    assert [d.code for d in r.diagnostics] == ["ES305"]
    assert "does not exist" in r.error


def test_kink_points_are_skipped_and_counted():
    # binary data and half-integer weights put many points on a kink of the network
    r = result("function = relu_net(width = 3); features = 2; data = binary; points = 2")
    assert r.verdict is Verdict.VERIFIED
    notes = [d for d in r.diagnostics if d.code == "ES305"]
    assert notes and "skipped" in notes[0].message
    assert r.examples > 0


def test_a_kink_point_is_skipped_but_the_other_point_of_the_world_counts():
    r = result(
        'function = formula("abs(x0) + x1"); data = grid(levels = 3); points = [[0, 1], [1, 1]]'
    )
    assert r.verdict is Verdict.VERIFIED
    assert not [d for d in r.diagnostics if d.code == "ES305"]  # no world was skipped


def test_an_example_at_a_kink_is_reported_and_decides_nothing():
    spec = load_text(
        SPEC.format(
            world='function = formula("abs(x0) + x1"); data = grid(levels = 3); points = 1'
        ).replace(
            "check phi == grad",
            "example at_kink { points = [[0, 1]] }\n        check phi == grad",
        )
    )
    (r,) = drive(run([spec], RunOptions(profile="fast")), lambda e: None).claims
    (ex,) = r.explicit
    assert ex.margin is None and "no ground truth" in ex.error
    assert r.verdict is Verdict.VERIFIED  # decided by the searched worlds, off the kink
