"""The probe planner: steps derived from the restriction lattice, step plans, findings, and the
minimal textual edit of ``--write`` (runs: tests/quality/test_probe_planted.py)."""

from __future__ import annotations

import pytest

from explainspec.catalog import lattice
from explainspec.commands.probe import _UsageError, widen_text
from explainspec.lang.parser import parse_spec_text, parse_value
from explainspec.runner import probe as P
from explainspec.runner.events import ClaimResult, RunDiagnostic, Verdict
from explainspec.runner.plan import RunOptions, plan_spec

SPEC = """\
# a comment that --write keeps
spec s "S" {
    method = reference.shapley()
    output = attribution
    question "Q?"
    assume small "x is small" check max(abs(x)) <= 5
    world {
        function = any(linear, additive)
        features = 2..3
        data = grid(levels = 3)
        background = data
        points = 2
    }
    claim a holds "A." {
        check sum(phi) == f(x) - mean(f(background)) within 1e-9   # trailing comment
    }
    claim b holds "B." {
        world { function = formula("x0 * x1"); features = 2 }
        check sum(phi) == f(x) - mean(f(background)) within 1e-9
    }
    claim c holds "C." {
        world {
            data = dependent(rho = 1, levels = 3)
            function = tree(depth = 2)
        }
        check sum(phi) == f(x) - mean(f(background)) within 1e-9
    }
}
"""


def plans():
    return {p.claim.name: p for p in plan_spec(parse_spec_text(SPEC), RunOptions(profile="fast"))}


def by_id(steps):
    return {s.id: s for s in steps}


def test_family_steps_are_the_minimal_levels_outside_the_world():
    steps = by_id(P.relaxations(plans()["a"]))
    # any(linear, additive): one step up is multilinear (above linear) or interaction(order = 2)
    assert steps["family:function:multilinear"].searched == "multilinear"
    assert steps["family:function:interaction2"].searched == "interaction(order = 2)"
    assert (
        steps["family:function:interaction2"].widened
        == "any(linear, additive, interaction(order = 2))"
    )
    assert "family:function:interaction3" not in steps  # two steps up: not one restriction
    assert steps["dependence:data"].searched == "dependent(levels = 3)"
    assert steps["dependence:data"].condition == lattice.DEPENDENCE["independent"].condition
    assert steps["support:points"].searched == "anywhere(2)"
    assert steps["features"].searched == "4" and steps["features"].widened is None  # a size
    assert steps["levels:data"].searched == "grid(levels = 4)"
    assert steps["assume:small"].condition == "x is small"


def test_steps_off_the_lattice_or_at_its_top_are_not_applicable():
    b = by_id(P.relaxations(plans()["b"]))
    assert "off the lattice" in (b["family:function"].reason or "")
    c = by_id(P.relaxations(plans()["c"]))
    assert "top" in (c["family:function"].reason or "")
    assert "widest" in (c["dependence:data"].reason or "")


def test_step_plan_changes_one_field_or_drops_one_assumption_and_renames_the_claim():
    a = plans()["a"]
    steps = by_id(P.relaxations(a))
    relaxed = P.step_plan(a, steps["dependence:data"])
    fields = {f.name: f.value for f in relaxed.world.fields}
    assert fields["data"] == parse_value("dependent(levels = 3)")
    assert {f.name for f in relaxed.world.fields} == {f.name for f in a.world.fields}
    assert relaxed.claim.name == "a~dependence:data" and relaxed.claim_seed != a.claim_seed
    assert relaxed.conditions == a.conditions
    dropped = P.step_plan(a, steps["assume:small"])
    assert a.conditions and dropped.conditions == ()
    assert dropped.world == a.world


def test_tightening_a_refuted_claim_steps_down():
    c = plans()["c"]
    steps = by_id(P.tightenings(c))
    assert steps["dependence:data"].searched == "grid(levels = 3)"
    assert steps["family:function:tree"].searched == "interaction(order = 3)"
    wide = parse_spec_text(
        SPEC.replace(
            "function = tree(depth = 2)", "function = any(additive, interaction(order = 3))"
        )
    )
    c2 = {p.claim.name: p for p in plan_spec(wide, RunOptions(profile="fast"))}["c"]
    (fam,) = [s for s in P.tightenings(c2) if s.axis == "family"]
    assert fam.searched == "any(additive, multilinear, interaction(order = 2))"


def _result(verdict, code=None, examples=25):
    diags = (RunDiagnostic(code=code, message="m"),) if code else ()
    return ClaimResult(
        spec="s", claim="a", kind="holds", verdict=verdict, diagnostics=diags, examples=examples
    )


@pytest.mark.parametrize(
    ("direction", "verdict", "code", "finding"),
    [
        ("wider", Verdict.REFUTED, None, P.NECESSARY),
        ("wider", Verdict.VERIFIED, None, P.NOT_NEEDED),
        ("wider", Verdict.ERROR, "ES305", P.DEFINES),
        ("wider", Verdict.ERROR, "ES302", P.INCONCLUSIVE),
        ("wider", Verdict.INVALID, "ES391", P.INCONCLUSIVE),
        ("narrower", Verdict.VERIFIED, None, P.HOLDS_NARROWER),
        ("narrower", Verdict.REFUTED, None, P.STILL_REFUTED),
        ("narrower", Verdict.ERROR, "ES305", P.INCONCLUSIVE),
    ],
)
def test_classify(direction, verdict, code, finding):
    step = P.Step(axis="dependence", field="data", direction=direction, was="grid()")
    assert P.classify(step, _result(verdict, code), required=25) == finding


def test_a_wider_step_the_method_partly_declines_is_inconclusive():
    # shap's LinearExplainer declines a non-linear f (ES307): a step from linear to multilinear
    # was verified on the linear draws only and reported "not needed", so --write widened
    # shap_linear's claims to a family the method does not take
    step = P.Step(axis="family", field="function", direction="wider", was="linear")
    r = _result(Verdict.VERIFIED, "ES307")
    assert P.classify(step, r, required=25) == P.INCONCLUSIVE
    # the method declines worlds of the claim as stated too: the step is judged as before
    assert P.classify(step, r, required=25, declined_as_stated=True) == P.NOT_NEEDED
    assert P.classify(step, _result(Verdict.VERIFIED), required=25) == P.NOT_NEEDED


def _wider(axis, field, widened, finding=P.NOT_NEEDED):
    step = P.Step(axis=axis, field=field, direction="wider", was="", widened=widened)
    return P.StepResult(step=step, finding=finding)


def _probed(*steps):
    return P.ClaimProbe(
        spec="s",
        claim="a",
        kind="holds",
        source=None,
        baseline=_result(Verdict.VERIFIED),
        steps=steps,
    )


def test_widest_takes_written_axes_of_verified_steps_only():
    cp = _probed(
        _wider("family", "function", "any(linear, multilinear)", P.NECESSARY),
        _wider("family", "function", "any(linear, additive)"),
        _wider("dependence", "data", "any(grid(), dependent())"),
        _wider("features", "features", None),
        _wider("support", "points", "anywhere(2)", P.INCONCLUSIVE),
    )
    assert cp.widest == {"function": "any(linear, additive)", "data": "any(grid(), dependent())"}


def test_widest_joins_every_verified_family_step_of_a_field():
    # two family steps from any(linear, additive), both not needed: the widest world has both
    # (it used to keep the first only, so --write widened to multilinear and not interaction 2)
    cp = _probed(
        _wider("family", "function", "any(linear, additive, multilinear)"),
        _wider("family", "function", "any(linear, additive, interaction(order = 2))"),
        _wider("family", "second", "unused(any(linear, multilinear))"),
        _wider("shapes", "second", "unused(any(linear))"),
        _wider("family", "second", "unused(any(linear, additive))"),
        _wider("family", "second", "any(linear, tree(depth = 2))", P.NECESSARY),
    )
    assert cp.widest == {
        "function": "any(linear, additive, multilinear, interaction(order = 2))",
        "second": "unused(any(linear, multilinear, additive))",
    }
    assert P.join_members("unused(linear)", "any(linear, additive)") == "unused(linear)"


# ------------------------------------------------------------------ --write: a minimal edit


def _changed_lines(before: str, after: str) -> list[str]:
    import difflib

    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_write_adds_a_world_block_to_a_claim_without_one_and_keeps_comments():
    out = widen_text(SPEC, "a", {"data": "any(grid(levels = 3), dependent(levels = 3))"})
    assert _changed_lines(SPEC, out) == [
        "+        world { data = any(grid(levels = 3), dependent(levels = 3)) }"
    ]
    assert "# a comment that --write keeps" in out and "# trailing comment" in out


def test_write_replaces_a_value_in_place_and_inserts_into_a_one_line_block():
    out = widen_text(SPEC, "b", {"features": "2..3", "points": "anywhere(2)"})
    assert _changed_lines(SPEC, out) == [
        '-        world { function = formula("x0 * x1"); features = 2 }',
        '+        world { points = anywhere(2); function = formula("x0 * x1"); features = 2..3 }',
    ]


def test_write_inserts_a_line_into_a_multi_line_block():
    out = widen_text(SPEC, "c", {"points": "anywhere(2)"})
    assert _changed_lines(SPEC, out) == ["+            points = anywhere(2)"]
    assert "claim c" in out and parse_spec_text(out).claims[2].world.fields[0].name == "points"


def test_write_refuses_an_edit_that_does_not_give_the_values():
    with pytest.raises(_UsageError, match="does not parse|could not edit"):
        widen_text(SPEC, "a", {"data": "grid(levels = "})
    with pytest.raises(_UsageError, match="no claim"):
        widen_text(SPEC, "zzz", {"points": "anywhere(2)"})


@pytest.mark.slow
def test_every_step_of_the_library_has_its_own_name_and_a_valid_plan():
    """Steps are matched to their results by name: two shapes steps of one field once shared one."""
    from explainspec.lang import discover, load
    from explainspec.resources import specs_dir

    count = 0
    for path in discover([specs_dir()]):
        for plan in plan_spec(load(path), RunOptions(profile="fast")):
            for steps in (P.relaxations(plan), P.tightenings(plan)):  # one or the other is run
                names = [P.step_plan(plan, s).name for s in steps if s.reason is None]
                assert len(set(names)) == len(names), names
                count += len(names)
    assert count > 500


def test_shapes_step_drops_the_shapes_of_one_member():
    text = SPEC.replace(
        "function = any(linear, additive)",
        'function = any(additive(shapes = ["poly"]), interaction(order = 2, shapes = ["sin"]))',
    )
    (a, *_) = plan_spec(parse_spec_text(text), RunOptions(profile="fast"))
    shapes = {s.id: s for s in P.relaxations(a) if s.axis == "shapes"}
    assert shapes["shapes:function:additive"].searched == "additive"
    assert shapes["shapes:function:interaction2"].searched == "interaction(order = 2)"
    assert (
        shapes["shapes:function:additive"].widened
        == 'any(additive, interaction(order = 2, shapes = ["sin"]))'
    )
