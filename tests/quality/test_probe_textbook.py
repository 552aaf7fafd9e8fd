"""Issue 20's textbook case on the library's own claims: ALE does not need independence where
partial dependence does.

Both specs state the same reading ("the curve's steps are the mean change of f where the data
are", checked against the exact ALE): scikit-learn's partial dependence only under independence
(``partial_dependence_sklearn.local_effect_under_independence``), the reference ALE under any
dependence (``ale_reference.local_effect``). ``explainspec probe`` must report independence
*necessary* for PD, with a counterexample under dependence that has an interaction, and find no
dependence restriction the ALE claim needs, one level wider (a thin support) included.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import explainspec
from explainspec.runner import probe as P
from explainspec.runner.plan import RunOptions

LIBRARY = Path(__file__).resolve().parents[2] / "specs"


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
    assert steps["family:function:interaction3"].finding == P.NOT_NEEDED


@pytest.mark.parametrize("seed", [0, 1])
def test_ale_needs_no_independence_for_the_same_reading(seed):
    cp = _probe("ale_reference.espec", "local_effect", seed)
    # verified as stated on dependent data (the world is any(grid, dependent))
    assert cp.baseline.verdict.value == "verified"
    assert (
        "dependent(levels = 3)"
        in {s.step.was for s in cp.steps if s.step.axis == "dependence"}.pop()
    )
    assert not [s for s in cp.necessary if s.step.axis == "dependence"]
    dep = {s.step.id: s for s in cp.steps}["dependence:data"]
    assert dep.step.searched == "dependent(rho = 1, levels = 3)"  # a thin support
    assert dep.finding == P.NOT_NEEDED and dep.examples >= 20
    assert cp.widest["data"].endswith("dependent(rho = 1, levels = 3))")
