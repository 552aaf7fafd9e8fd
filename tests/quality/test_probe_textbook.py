"""Issue 20's textbook case on the library's own claims: ALE does not need independence where
partial dependence does.

Both specs state the same reading ("the curve's steps are the mean change of f where the data
are", checked against the exact ALE): scikit-learn's partial dependence only under independence
(``partial_dependence_sklearn.local_effect_under_independence``), the reference ALE under any
dependence (``ale_reference.local_effect``). ``explainspec probe`` must report independence
*necessary* for PD, with a counterexample under dependence that has an interaction, and find no
dependence restriction the ALE claim needs: it is stated, and verified, up to a thin support.
The other textbook cases: the interventional linear closed form needs no independence (stated
on any dependence), the conditional one does (``test_probe_planted``), and the component
reading needs additivity (it exists only then).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import explainspec
from explainspec.lang.printer import format_expr
from explainspec.runner import probe as P
from explainspec.runner.plan import RunOptions

LIBRARY = Path(__file__).resolve().parents[2] / "specs"


def _stated(cp: P.ClaimProbe, field: str) -> str:
    """The claim's world value of ``field``, as the probe ran it."""
    assert cp.plan is not None
    (value,) = [f.value for f in cp.plan.world.fields if f.name == field]
    return format_expr(value)


def _probe(spec: str, claim: str, seed: int) -> P.ClaimProbe:
    (cp,) = P.probe(
        [explainspec.load(LIBRARY / spec)], RunOptions(profile="fast", seed=seed, claims=(claim,))
    )
    return cp


@pytest.mark.parametrize("seed", [0, 1])
def test_pd_needs_independence_for_the_local_effect_reading(seed):
    cp = _probe("partial_dependence_sklearn.espec", "local_effect_under_independence", seed)
    assert cp.baseline.verdict.value == "verified"
    steps = {s.step.id: s for s in cp.steps}
    dep = steps["dependence:data"]
    assert dep.step.was == "grid(levels = 3)" and dep.step.searched == "dependent(levels = 3)"
    assert dep.finding == P.NECESSARY
    assert dep.step.condition == "the features are independent (a product distribution)"
    cx = dep.result.counterexample
    assert cx is not None and cx.margin < 0
    assert cx.distribution.startswith("dependent(")
    assert "*" in cx.function  # the counterexample has an interaction (additive f: PD is right)
    assert "--claim local_effect_under_independence" in cx.reproduce
    assert "data" not in cp.widest
    # the reading itself holds for any f under independence: the family is not what it needs
    # (the claim is stated up to three-way interactions, and no family step is necessary)
    assert "interaction(order = 3)" in _stated(cp, "function")
    assert not [s for s in cp.necessary if s.step.axis == "family"]


@pytest.mark.parametrize("seed", [0, 1])
def test_ale_needs_no_independence_for_the_same_reading(seed):
    cp = _probe("ale_reference.espec", "local_effect", seed)
    # the claim states, and is verified on, any dependence up to a thin support (its earlier
    # world, any(grid, dependent), was widened by the library's own probe: the thin support
    # was not needed)
    assert cp.baseline.verdict.value == "verified" and cp.baseline.examples >= 20
    assert _stated(cp, "data").endswith("dependent(rho = 1, levels = 3))")
    assert "grid(levels = 3)" in _stated(cp, "data")  # independent worlds too
    assert not [s for s in cp.necessary if s.step.axis == "dependence"]
    dep = {s.step.id: s for s in cp.steps}["dependence:data"]
    assert dep.finding == P.NOT_APPLICABLE  # nothing wider to search


def test_interventional_linear_closed_form_needs_no_independence():
    # the interventional closed form phi_i = w_i (x_i - E x_i) is stated, and verified, on any
    # dependence up to a thin support: the probe finds no dependence condition it needs
    cp = _probe("shapley_interventional.espec", "linear_model_closed_form", 0)
    assert cp.baseline.verdict.value == "verified" and cp.baseline.examples >= 20
    assert "dependent(rho = 1" in _stated(cp, "data")
    assert not [s for s in cp.necessary if s.step.axis == "dependence"]
    steps = {s.step.id: s for s in cp.steps}
    assert steps["dependence:data"].finding == P.NOT_APPLICABLE  # already the widest dependence


def test_additive_components_need_additivity():
    # the component reading exists only for an additive f: one family step wider (a pairwise
    # interaction) there is no component to compare with, and the probe says the family defines
    # the reading, with the function that has none
    cp = _probe("shapley_interventional.espec", "additive_components", 0)
    assert cp.baseline.verdict.value == "verified"
    fam = {s.step.id: s for s in cp.steps}["family:function:interaction2"]
    assert fam.step.was == "additive" and fam.finding == P.DEFINES
    assert fam.result is not None and "additively separable" in (fam.result.error or "")
