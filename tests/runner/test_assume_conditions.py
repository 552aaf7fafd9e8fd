"""The runner applies the conditions of ``assume NAME "..." check EXPR`` (issue 20).

A claim is checked only at the points where every condition of its assumptions holds; a world
without such a point is drawn again; a claim none of whose worlds satisfies them is ``invalid``
(ES391); an explicit example outside them is reported and decides nothing.
"""

from __future__ import annotations

from explainspec.lang import load_text
from explainspec.runner.events import Verdict
from explainspec.runner.plan import RunOptions
from explainspec.runner.run import drive, run

SPEC = """spec cond "conditions" {{
    method = reference.shapley()
    output = attribution
    question "q"
    {spec_assume}
    world {{ function = linear; features = 2; data = grid(levels = 3); points = 2 }}
    claim positive holds "x0 is positive" {{
        {assume}
        {example}
        check x[0] > 0
    }}
    claim misread does_not_answer decomposition "x0 is always positive" {{
        {assume}
        check x[0] > 0
    }}
}}
"""
POSITIVE = 'assume positive "x0 > 0" check x[0] > 0'
NEGATIVE_EXAMPLE = (
    'example negative { function = formula("x0"); data = rows([[-1, 0], [1, 0]]); '
    "points = [[-1, 0]] }"
)


def results(text: str) -> dict[str, object]:
    spec = load_text(text)
    result = drive(run([spec], RunOptions(profile="fast")), lambda e: None)
    return {r.claim: r for r in result.claims}


def test_the_condition_decides_which_points_are_checked():
    plain = results(SPEC.format(spec_assume="", assume="", example=""))
    assert plain["positive"].verdict is Verdict.REFUTED
    assert plain["positive"].counterexample.point[0] <= 0
    assert plain["misread"].verdict is Verdict.SHOWN
    assumed = results(SPEC.format(spec_assume="", assume=POSITIVE, example=""))
    # two points per world: worlds with one point x0 <= 0 are kept, that point is skipped
    assert assumed["positive"].verdict is Verdict.VERIFIED
    assert assumed["positive"].examples == 25
    # the same check as a misreading: shown by a point x0 <= 0, which the condition excludes
    assert assumed["misread"].verdict is Verdict.UNSHOWN


def test_a_spec_level_condition_applies_to_every_claim():
    assumed = results(SPEC.format(spec_assume=POSITIVE, assume="", example=""))
    assert assumed["positive"].verdict is Verdict.VERIFIED
    assert assumed["misread"].verdict is Verdict.UNSHOWN


def test_no_world_inside_the_assumptions_is_invalid():
    never = 'assume never "x0 > 10" check x[0] > 10'
    out = results(SPEC.format(spec_assume="", assume=never, example=""))["positive"]
    assert out.verdict is Verdict.INVALID
    assert [d.code for d in out.diagnostics] == ["ES391"]
    assert "never" in out.error and out.examples == 0


def test_an_example_outside_the_assumptions_decides_nothing():
    out = results(SPEC.format(spec_assume="", assume=POSITIVE, example=NEGATIVE_EXAMPLE))
    claim = out["positive"]
    assert claim.verdict is Verdict.VERIFIED
    (example,) = claim.explicit
    assert example.margin is None and not example.violated
    assert "outside the assumption(s) positive" in example.error
    # without the assumption the same example refutes the claim
    plain = results(SPEC.format(spec_assume="", assume="", example=NEGATIVE_EXAMPLE))
    assert plain["positive"].verdict is Verdict.REFUTED
    assert plain["positive"].counterexample.source == "example negative"
