"""Planted bugs at the points a library world never had (coordinator, session 7).

Every local spec of the library explained one or two points per world, so a method was only ever
checked at a first and a last point. Two faulty twins of each local built-in method show the gap:

- ``<name>_interior_points``: a fencepost bug, the first and the last point right and every
  point between them given the explanation of the point before it (a loop over the interior
  rows that reads ``points[k - 1]``). With two points there is no interior point, so it passed
  every claim.
- ``<name>_first_point_only``: every point given the first point's explanation (the adapter
  explains ``points[:1]`` and broadcasts). It passed every claim of the specs with one point.

``test_interior_points_library`` keeps both refuted by the library specs, which now explain
three points per world (a first, an interior and a last).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from redteam2_plugins import register_twin
from toolbox_plugins import _builtin

from explainspec.methods.base import Problem


def _interior_from_previous(phi: np.ndarray) -> np.ndarray:
    out = phi.copy()
    out[1:-1] = phi[:-2]
    return out


def _first_everywhere(phi: np.ndarray) -> np.ndarray:
    return np.broadcast_to(phi[:1], phi.shape).copy()


def _twin(name: str, real: str, slip: Callable[[np.ndarray], np.ndarray], doc: str) -> None:
    def twin(problem: Problem) -> np.ndarray:
        return slip(_builtin(real, problem, **problem.params))

    register_twin(name, real, twin, f"``{real}``: {doc}")


#: the local built-in methods of the library specs (not the Captum ones, and not DiCE: see
#: CHANGELOG), by the short name of their twins
LOCAL = {
    "shapley": "reference.shapley",
    "shapley_baseline": "reference.shapley_baseline",
    "shapley_conditional": "reference.shapley_conditional",
    "banzhaf": "reference.banzhaf",
    "nshapley": "reference.nshapley",
    "occlusion": "reference.occlusion",
    "gradient": "reference.gradient",
    "gradient_x_input": "reference.gradient_x_input",
    "integrated_gradients": "reference.integrated_gradients",
    "lime_wls": "reference.lime_wls",
    "counterfactual_l1": "reference.counterfactual_l1",
    "counterfactual_l2": "reference.counterfactual_l2",
    "shap_exact": "shap.exact",
    "shap_kernel": "shap.kernel",
    "shap_permutation": "shap.permutation",
    "shap_sampling": "shap.sampling",
    "shap_partition": "shap.partition",
    "shap_linear": "shap.linear",
    "shap_tree": "shap.tree",
    "shap_tree_path": "shap.tree_path",
    "shap_saabas": "shap.saabas",
    "shapiq_exact": "shapiq.exact",
    "shapiq_kernelshapiq": "shapiq.kernelshapiq",
    "shapiq_permutation_sii": "shapiq.permutation_sii",
    "shapiq_svarmiq": "shapiq.svarmiq",
    "lime_tabular": "lime.tabular",
}

for _name, _real in LOCAL.items():
    _twin(
        f"{_name}_interior_points",
        _real,
        _interior_from_previous,
        "each point between the first and the last gets the explanation of the point before it",
    )
    _twin(
        f"{_name}_first_point_only",
        _real,
        _first_everywhere,
        "every point gets the first point's explanation",
    )
