"""The library specs refute the third red team's planted bugs (``redteam3_plugins``) themselves.

Each of these bugs passed every ``holds``/``answers`` claim of the library spec of its method
(fast profile, seed 0) before the claim named here was added; this test keeps the library specs
strong enough to catch them.
"""

from __future__ import annotations

import pytest
import redteam3_plugins  # noqa: F401 - registers the planted bugs
from test_redteam_library import _ids, _refutes

CASES = [
    # (library spec, claim, planted bug)
    # n_repeats copies of one permutation: unbiased, so only a check on the spread catches it
    (
        "permutation_importance_reference.espec",
        "repeats_are_independent",
        "quality.pfi_one_permutation",
    ),
    (
        "permutation_importance_sklearn.espec",
        "repeats_are_independent",
        "quality.sklearn_pfi_one_permutation",
    ),
    # correct for the first three features only: the agreement claims draw up to five
    ("ale_reference.espec", "agrees_with_ale", "quality.ale_first_three_features"),
    ("mplot_reference.espec", "agrees_with_mplot", "quality.mplot_first_three_features"),
    ("loco_reference.espec", "agrees_with_loco", "quality.loco_first_three_features"),
]

# 10-30 s each at the fast profile (the search shrinks a five-feature world), so in the slow suite
SLOW_CASES = [
    ("shap_exact.espec", "agrees_with_shapley", "quality.shap_exact_first_three_features"),
    ("shap_mean_abs.espec", "agrees_with_shapley", "quality.shap_mean_abs_first_three_features"),
]


@pytest.mark.parametrize(("spec", "claim", "bug"), CASES, ids=_ids(CASES))
def test_library_spec_refutes_the_planted_bug(spec, claim, bug):
    _refutes(spec, claim, bug)


@pytest.mark.slow
@pytest.mark.parametrize(("spec", "claim", "bug"), SLOW_CASES, ids=_ids(SLOW_CASES))
def test_library_spec_refutes_the_planted_bug_slow(spec, claim, bug):
    _refutes(spec, claim, bug)
