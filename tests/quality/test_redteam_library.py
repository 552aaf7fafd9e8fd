"""The library specs refute the red teams' planted bugs (``redteam_plugins``,
``redteam2_plugins``) themselves.

Each of these bugs passed every ``holds``/``answers`` claim of the library spec of its method
before the claim or example named here was added; the planted-bug specs in ``specs/`` keep the
bugs caught on small worlds, this test keeps the library specs strong enough to catch them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import quality_plugins  # noqa: F401 - registers the planted bugs
import redteam2_plugins  # noqa: F401 - and those of the second red team

import explainspec
from explainspec.lang.ir import MethodRef
from explainspec.registry import registry

LIBRARY = Path(__file__).parents[2] / "specs"

CASES = [
    # (library spec, claim, planted bug)
    ("occlusion.espec.yaml", "single_feature_change", "quality.occlusion_ignores_baseline"),
    ("shapley_interventional.espec", "efficiency", "quality.shapley_order3_split_in_halves"),
    ("shapley_interventional.espec", "efficiency", "quality.shapley_clips_points_in_place"),
    ("lime_wls.espec", "population_limit_is_smoothgrad", "quality.lime_wls_unweighted"),
    ("gradient.espec", "agrees_with_grad", "quality.gradient_clips_to_data_range"),
    (
        "permutation_importance_reference.espec",
        "agrees_with_pfi",
        "quality.pfi_shuffle_never_identity",
    ),
    (
        "permutation_importance_reference.espec",
        "agrees_with_pfi_other_targets",
        "quality.pfi_scores_predictions",
    ),
    # second red team: the background is not the data (a sample of its rows)
    ("shap_exact.espec", "own_background", "quality.shap_exact_uses_data"),
    ("shap_kernel.espec", "own_background", "quality.shap_kernel_uses_data"),
    ("shapiq_exact_ksii.espec", "own_background", "quality.shapiq_exact_uses_data"),
    ("shapley_conditional.espec", "own_background", "quality.shapley_conditional_uses_data"),
    (
        "lime_tabular_continuous.espec",
        "own_background",
        "quality.lime_tabular_continuous_uses_data",
    ),
    # second red team: n-Shapley values against their definition at every order
    ("nshapley.espec", "agrees_with_definition", "quality.nshapley_is_stii"),
    ("nshapley.espec", "agrees_with_definition", "quality.nshapley_bernoulli_plus_half"),
    # the other way round: a curve averaged over the background rows
    ("partial_dependence_sklearn.espec", "agrees_with_pd", "quality.pd_uses_background"),
    ("ale_reference.espec", "agrees_with_ale", "quality.ale_uses_background"),
]

# LIME on a non-linear f (second red team): 15-40 s each at the fast profile (lime's 2000-5000
# samples, 20 replicates per world), so in the slow suite
SLOW_CASES = [
    (
        "lime_tabular_continuous.espec",
        "population_limit_is_smoothgrad",
        "quality.lime_continuous_kernel_width_d",
    ),
    (
        "lime_model_regressor.espec",
        "population_limit_is_smoothgrad",
        "quality.lime_continuous_first_point_only",
    ),
]


def _ids(cases):
    return [c[2].split(".")[1] for c in cases]


@pytest.mark.parametrize(("spec", "claim", "bug"), CASES, ids=_ids(CASES))
def test_library_spec_refutes_the_planted_bug(spec, claim, bug):
    _refutes(spec, claim, bug)


@pytest.mark.slow
@pytest.mark.parametrize(("spec", "claim", "bug"), SLOW_CASES, ids=_ids(SLOW_CASES))
def test_library_spec_refutes_the_planted_bug_slow(spec, claim, bug):
    _refutes(spec, claim, bug)


def _refutes(spec, claim, bug):
    library = explainspec.load(LIBRARY / spec)
    declared = registry("method").get(bug).params  # a twin of the library's method takes its params
    params = library.method.params if declared else {}
    broken = dataclasses.replace(library, method=MethodRef(use=bug, params=params))
    (result,) = explainspec.verify(broken, profile="fast", seed=0, claims=claim)
    assert result.verdict.value == "refuted", (result.error, result.margin)
