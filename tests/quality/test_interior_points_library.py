"""The library specs refute methods that are wrong only at the points a world of one or two
points never had (``interior_points_plugins``): an interior point explained as the point before
it, and every point explained as the first. Each case is one claim of the library spec, run with
the twin at ``fast``, seed 0; before the specs explained three points per world, the interior
twins passed every claim of every spec here, and the first-point twins every claim of the
``shapiq`` approximators' and ``lime_tabular``'s specs.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import interior_points_plugins  # noqa: F401 - registers the twins
import pytest
import quality_plugins  # noqa: F401 - registers the planted bugs the twins build on

import explainspec
from explainspec.lang.ir import MethodRef

LIBRARY = Path(__file__).parents[2] / "specs"

# (library spec, claim, twin): one cheap exact claim per spec
CASES = [
    ("shapley_interventional.espec", "efficiency", "shapley"),
    ("shapley_baseline.espec.yaml", "efficiency", "shapley_baseline"),
    ("occlusion.espec.yaml", "single_feature_change", "occlusion"),
    ("gradient.espec", "agrees_with_grad", "gradient"),
    ("integrated_gradients.espec.yaml", "agrees_with_oracle", "integrated_gradients"),
    ("banzhaf.espec", "dividend_weights", "banzhaf"),
    ("counterfactual_l2.espec", "closed_form", "counterfactual_l2"),
    ("shap_exact.espec", "agrees_with_shapley", "shap_exact"),
    ("shap_kernel.espec", "exact_with_full_enumeration", "shap_kernel"),
    ("shap_tree.espec", "agrees_with_shapley", "shap_tree"),
    ("shapiq_exact_ksii.espec", "agrees_with_definition", "shapiq_exact"),
    ("shapiq_svarmiq.espec", "exact_with_every_coalition", "shapiq_svarmiq"),
    ("shapiq_kernelshapiq.espec", "exact_with_every_coalition", "shapiq_kernelshapiq"),
]


def _ids(cases):
    return [c[2] for c in cases]


@pytest.mark.parametrize(("spec", "claim", "twin"), CASES, ids=_ids(CASES))
@pytest.mark.parametrize("slip", ["interior_points", "first_point_only"])
def test_library_spec_refutes_a_method_wrong_past_the_first_point(spec, claim, twin, slip):
    library = explainspec.load(LIBRARY / spec)
    broken = dataclasses.replace(
        library, method=MethodRef(use=f"quality.{twin}_{slip}", params=library.method.params)
    )
    (result,) = explainspec.verify(broken, profile="fast", seed=0, claims=claim)
    assert result.verdict.value == "refuted", (result.error, result.margin)


def test_every_local_spec_of_the_twins_explains_three_points():
    """The library worlds of these specs explain at least three points (first, interior, last),
    so that the twins above stay refutable; a spec edited back to one or two points fails here."""
    from explainspec.lang import ir

    for spec, _claim, _twin in CASES:
        world = explainspec.load(LIBRARY / spec).world
        (points,) = [f.value for f in world.fields if f.name == "points"]
        assert isinstance(points, ir.Number) and points.value >= 3, (spec, points)
