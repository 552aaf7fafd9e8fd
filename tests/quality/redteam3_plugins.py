"""Planted bugs of the third red team (session 7): faulty methods that the library specs let
through before (every ``holds``/``answers`` claim of the library spec verified them at fast
seed 0), and that ``test_redteam3_library`` keeps caught by the library specs themselves.

Each twin wraps the built-in method of a library spec and is wrong only where the library's
drawn worlds did not look:

- ``*pfi_one_permutation``: permutation importance averaging n_repeats copies of ONE
  permutation (a generator made afresh per repeat; an adapter calling scikit-learn once per
  repeat with the same random_state). Unbiased, so checks within the method's own replicate
  noise (``mc``) cannot see it; ``repeats_are_independent`` checks the spread on two rows.
- ``*_first_three_features``: a loop over the features hard-coded as ``range(3)``. The specs'
  worlds drew two or three features; their agreement claims now draw up to five.

Not merged into ``quality_plugins.BROKEN``: these have no spec of their own under
``tests/quality/specs``; their correct twin is the library spec's own method.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from redteam2_plugins import register_twin
from toolbox_plugins import _builtin

from explainspec.methods._common import as_callable, rows
from explainspec.methods.base import Problem


def wrapped_twin(name: str, real: str, wrap: Callable[[str, Problem], np.ndarray], doc: str) -> str:
    """Register ``quality.<name>`` as a copy of the built-in ``real`` whose call is
    ``wrap(real, problem)`` (:func:`redteam2_plugins.register_twin`); returns the name."""

    def twin(problem: Problem) -> np.ndarray:
        return wrap(real, problem)

    register_twin(name, real, twin, doc)
    return f"quality.{name}"


# --------------------------------------- permutation importance: one permutation, n_repeats times


def _pfi_one_permutation(real: str, problem: Problem) -> np.ndarray:
    data = rows(problem.data)
    y = np.asarray(problem.y, dtype=float).reshape(-1)
    fn = as_callable(problem.f)
    k = int(problem.params["n_repeats"])
    base = np.mean((y - fn(data)) ** 2)
    out = np.zeros(data.shape[1])
    for j in range(data.shape[1]):
        for _ in range(k):
            # the bug: a generator made afresh for every repeat, so every repeat draws the same
            # permutation (the average of n_repeats copies of one permutation's importance)
            perm = np.random.default_rng(problem.seed).permutation(len(data))
            permuted = data.copy()
            permuted[:, j] = data[perm, j]
            out[j] += np.mean((y - fn(permuted)) ** 2) - base
    return out / k


PFI_ONE_PERMUTATION = wrapped_twin(
    "pfi_one_permutation",
    "reference.permutation_importance",
    _pfi_one_permutation,
    "Permutation importance whose generator is made afresh for every repeat: n_repeats copies "
    "of one permutation's importance. Unbiased like the correct estimator (only noisier), so "
    "it passed every claim of ``permutation_importance``, whose checks allow the method's own "
    "replicate noise.",
)


def _sklearn_pfi_one_permutation(real: str, problem: Problem) -> np.ndarray:
    k = int(problem.params["n_repeats"])
    # the bug: an adapter that collects the repeats itself, one sklearn call of one repeat
    # each, all with the same random_state (so the same permutation)
    one = dataclasses.replace(problem, params=dict(problem.params) | {"n_repeats": 1})
    return np.mean([_builtin(real, one, **one.params) for _ in range(k)], axis=0)


SKLEARN_PFI_ONE_PERMUTATION = wrapped_twin(
    "sklearn_pfi_one_permutation",
    "sklearn.permutation_importance",
    _sklearn_pfi_one_permutation,
    "scikit-learn's permutation importance collected one repeat per call, every call with the "
    "same random_state: n_repeats copies of one permutation's importance.",
)


# ------------------------------------------------------ correct only at the drawn sizes: d <= 3


def _first_three_features(axis: int) -> Callable[[str, Problem], np.ndarray]:
    def wrap(real: str, problem: Problem) -> np.ndarray:
        out = np.array(_builtin(real, problem, **problem.params), dtype=float)
        # the bug: a loop over the features hard-coded as range(3) (copied from a three-feature
        # example), so the features from the fourth on keep the zeros the output started with
        index = [slice(None)] * out.ndim
        index[axis] = slice(3, None)
        out[tuple(index)] = 0.0
        return out

    return wrap


FIRST_THREE = {
    # twin name: (built-in method, feature axis of its output)
    "ale_first_three_features": ("reference.ale", 0),
    "mplot_first_three_features": ("reference.mplot", 0),
    "loco_first_three_features": ("reference.loco", 0),
    "shap_exact_first_three_features": ("shap.exact", 1),
    "shap_mean_abs_first_three_features": ("shap.mean_abs", 0),
}
for _name, (_real, _axis) in FIRST_THREE.items():
    wrapped_twin(
        _name,
        _real,
        _first_three_features(_axis),
        f"``{_real}`` for the first three features only (a loop hard-coded as ``range(3)``): "
        "the library spec drew two or three features, so it passed every claim.",
    )
