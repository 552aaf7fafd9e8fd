"""The library specs refute the fourth red team's planted bugs (``redteam4_plugins``) themselves.

Each of these bugs passed every ``holds``/``answers`` claim of the library spec of its method
(fast profile, seed 0) before the claim named here was added; this test keeps the library specs
strong enough to catch them.
"""

from __future__ import annotations

import pytest
import redteam4_plugins as rt4
from test_redteam_library import _ids, _refutes

CASES = [
    # (library spec, claim, planted bug)
    # ignores its sample count: as unbiased as the correct method, so only a check on the
    # spread at a given count catches it
    ("cpi_reference.espec", "repeats_are_independent", rt4.CPI_IGNORES_N_REPEATS),
    ("cpi_reference.espec", "repeats_are_independent", rt4.CPI_ONE_PERMUTATION),
    ("cpi_gaussian.espec", "draws_are_independent", rt4.CPI_GAUSSIAN_IGNORES_N_DRAWS),
    ("cpi_gaussian.espec", "draws_are_independent", rt4.CPI_GAUSSIAN_ONE_DRAW),
    ("shap_sampling.espec", "accurate_at_its_budget", rt4.SHAP_SAMPLING_FIXED_SMALL),
    ("shap_sampling.espec", "accurate_at_its_budget", rt4.SHAP_SAMPLING_ROUND_ONE_ONLY),
    ("shap_sampling.espec", "nsamples_is_used", rt4.SHAP_SAMPLING_IGNORES_NSAMPLES),
    ("shap_permutation.espec", "max_evals_is_used", rt4.SHAP_PERMUTATION_ONE_PAIR),
    ("shap_permutation.espec", "max_evals_is_used", rt4.SHAP_PERMUTATION_IGNORES_MAX_EVALS),
    ("lime_model_regressor.espec", "accurate_at_its_budget", rt4.LIME_CONTINUOUS_FIXED_100),
    # explains the points rounded to integers: every other world's points were integers
    ("lime_model_regressor.espec", "accurate_at_its_budget", rt4.LIME_CONTINUOUS_ROUNDS_POINTS),
    # correct for the first three features only: these specs' worlds drew two or three
    (
        "cpi_reference.espec",
        "agrees_beyond_three_features",
        rt4.FIRST_THREE_TWINS["cpi_first_three_features"],
    ),
    (
        "shap_kernel_logit.espec",
        "agrees_beyond_three_features",
        rt4.FIRST_THREE_TWINS["shap_kernel_first_three_features"],
    ),
    (
        "gam_backfitting.espec",
        "recovers_beyond_three_features",
        rt4.FIRST_THREE_TWINS["gam_first_three_features"],
    ),
    (
        "shapiq_permutation_sii.espec",
        "efficiency_beyond_three_features",
        rt4.SHAPIQ_PERMUTATION_FIRST_THREE,
    ),
    (
        "lime_model_regressor.espec",
        "linear_exact_without_ridge",
        rt4.FIRST_THREE_TWINS["lime_continuous_first_three_features"],
    ),
]

# about 15 s at the fast profile (shap's Exact explainer on five features), so in the slow suite
SLOW_CASES = [
    ("shap_exact_logit.espec", "agrees_beyond_three_features", rt4.SHAP_EXACT_FIRST_THREE),
]


ALL = [*CASES, *(pytest.param(*case, marks=pytest.mark.slow) for case in SLOW_CASES)]


@pytest.mark.parametrize(("spec", "claim", "bug"), ALL, ids=_ids(CASES + SLOW_CASES))
def test_library_spec_refutes_the_planted_bug(spec, claim, bug):
    _refutes(spec, claim, bug)
