"""Planted bugs of the fourth red team (session 8): faulty methods that the library specs let
through before (every ``holds``/``answers`` claim of the library spec verified them at fast
seed 0), and that ``test_redteam4_library`` keeps caught by the library specs themselves.

Each twin wraps the built-in method of a library spec and is wrong only where the library's
claims did not look:

- ``*_ignores_<count>``, ``*_fixed_small``, ``*_round_one_only``, ``*_one_pair``,
  ``cpi_one_permutation``: a method that ignores its sample-count parameter and always draws a
  fixed number of samples (the registered default, or a small count; or the count spent on one
  round of a two-round scheme only; or one permutation n_repeats times). Such an estimator is as
  unbiased as the correct one, only noisier (or not noisier at the spec's own setting), so the
  checks that allow the method's own replicate noise (``mc``) cannot see it; the claims that
  catch it fix a small world and ask, at a given count, for a spread that only that count
  reaches.
- ``*_first_three_features``: a loop over the features hard-coded as ``range(3)``
  (``redteam3_plugins``), for the specs whose worlds drew two or three features.
- ``lime_continuous_rounds_points``: the points rounded to integers before they are explained.
  Every world of ``lime_model_regressor`` explained integer points; it still passes every claim
  of ``lime_tabular_continuous`` (not fixed).

Some twins were tried and found already caught; they stay here as the record:
``lime_wls_fixed_small`` (``lime_wls.recovers_weights_any_width``: 100 samples leave the
linear fit 4e-7 off), ``lime_continuous_fixed_small`` on ``lime_tabular_continuous``
(``coefficient_is_weight_times_std``: Ridge shrinks more on 100 samples), the
``shapiq`` ``*_ignores_budget`` twins (``shapiq_permutation_sii.zero_below_one_permutation``,
``shapiq_kernelshapiq.sampled_is_not_exact`` and ``shapiq_svarmiq``'s then unshown),
``shapiq_permutation_two_permutations`` (``sii_unbiased``: a pair never adjacent is left at 0),
and ``shap_kernel_other_class`` (the other class's probability explained: every agreement claim
of ``shap_kernel_logit``).
Not caught and not fixed: ``lime_tabular_fixed_small`` (``lime_tabular`` has no claim on the
values' accuracy), ``shap_linear_correlation_fixed_small`` (nsamples = 10 for the transform's
estimate: no claim of ``shap_linear_correlation`` reads its values beyond efficiency, and no
oracle gives the Shapley values under the Gaussian fitted to the background rows) and the ``*_ignores_num_samples`` LIME twins (the specs run the default
count, and only a count above it would tell).

Not merged into ``quality_plugins.BROKEN``: these have no spec of their own under
``tests/quality/specs``; their correct twin is the library spec's own method.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
from redteam3_plugins import _first_three_features, wrapped_twin
from toolbox_plugins import _builtin

from explainspec.methods.base import Problem


def _fixed_count(
    param: str, value: Any | Callable[[Problem], Any]
) -> Callable[[str, Problem], np.ndarray]:
    """The call of ``real`` with ``params[param]`` replaced by ``value`` (or ``value(problem)``):
    the count the caller asked for is ignored."""

    def wrap(real: str, problem: Problem) -> np.ndarray:
        fixed = value(problem) if callable(value) else value
        # the bug: the count the caller asked for never reaches the estimator
        params = dict(problem.params) | {param: fixed}
        return _builtin(real, dataclasses.replace(problem, params=params), **params)

    return wrap


def fixed_count_twin(name: str, real: str, param: str, value: Any, doc: str) -> str:
    """Register ``quality.<name>``: ``real`` that always runs with ``param = value``."""
    return wrapped_twin(name, real, _fixed_count(param, value), doc)


# ------------------------------------------------------------------------ ignores its count

CPI_IGNORES_N_REPEATS = fixed_count_twin(
    "cpi_ignores_n_repeats",
    "reference.cpi",
    "n_repeats",
    5,
    "Conditional permutation importance that always draws 5 permutations (the registered "
    "default), whatever n_repeats it is given.",
)


def _cpi_one_permutation(real: str, problem: Problem) -> np.ndarray:
    # the bug: the generator is made afresh for every repeat, so the n_repeats permutations
    # are one permutation n_repeats times (as redteam3's PFI twin)
    one = dataclasses.replace(problem, params=dict(problem.params) | {"n_repeats": 1})
    return _builtin(real, one, **one.params)


CPI_ONE_PERMUTATION = wrapped_twin(
    "cpi_one_permutation",
    "reference.cpi",
    _cpi_one_permutation,
    "Conditional permutation importance averaging n_repeats copies of one within-group "
    "permutation (a generator made afresh per repeat).",
)


SHAP_SAMPLING_IGNORES_NSAMPLES = fixed_count_twin(
    "shap_sampling_ignores_nsamples",
    "shap.sampling",
    "nsamples",
    "auto",
    "shap's SamplingExplainer always run with nsamples = 'auto' (1000 per varying feature), "
    "whatever nsamples it is given.",
)

SHAP_SAMPLING_ROUND_ONE_ONLY = fixed_count_twin(
    "shap_sampling_round_one_only",
    "shap.sampling",
    "nsamples",
    lambda problem: (
        int(problem.params.get("min_samples_per_feature", 100))
        * int(np.asarray(problem.background).shape[1])
    ),
    "shap's SamplingExplainer that spends only its first round (min_samples_per_feature per "
    "feature) and skips the variance-allocated second round.",
)

SHAP_SAMPLING_FIXED_SMALL = fixed_count_twin(
    "shap_sampling_fixed_small",
    "shap.sampling",
    "nsamples",
    20,
    "shap's SamplingExplainer always run with 20 samples (10 antithetic pairs spread over the "
    "features), whatever nsamples it is given.",
)

SHAP_PERMUTATION_IGNORES_MAX_EVALS = fixed_count_twin(
    "shap_permutation_ignores_max_evals",
    "shap.permutation",
    "max_evals",
    500,
    "shap's PermutationExplainer always run with max_evals = 500 (the registered default), "
    "whatever max_evals it is given.",
)

SHAP_PERMUTATION_ONE_PAIR = fixed_count_twin(
    "shap_permutation_one_pair",
    "shap.permutation",
    "max_evals",
    lambda problem: 2 * (2 * int(np.asarray(problem.background).shape[1]) + 1),
    "shap's PermutationExplainer always run with the budget of one order and its reverse "
    "(max_evals = 2 (2 d + 1)), whatever max_evals it is given.",
)

LIME_IGNORES_NUM_SAMPLES: dict[str, str] = {}
LIME_FIXED_SMALL: dict[str, str] = {}
for _real, _short in (
    ("reference.lime_wls", "lime_wls"),
    ("lime.tabular", "lime_tabular"),
    ("lime.tabular_continuous", "lime_continuous"),
):
    LIME_IGNORES_NUM_SAMPLES[_real] = fixed_count_twin(
        f"{_short}_ignores_num_samples",
        _real,
        "num_samples",
        5000,
        f"``{_real}`` always run with num_samples = 5000 (the registered default), whatever "
        "num_samples it is given.",
    )
    LIME_FIXED_SMALL[_real] = fixed_count_twin(
        f"{_short}_fixed_small",
        _real,
        "num_samples",
        100,
        f"``{_real}`` always run with num_samples = 100, whatever num_samples it is given.",
    )

SHAP_LINEAR_CORRELATION_FIXED_SMALL = fixed_count_twin(
    "shap_linear_correlation_fixed_small",
    "shap.linear_correlation",
    "nsamples",
    10,
    "shap's correlation-dependent LinearExplainer whose transform is estimated from 10 samples, "
    "whatever nsamples it is given.",
)

SHAPIQ_IGNORES_BUDGET = {
    _real: fixed_count_twin(
        f"{_real.split('.')[1]}_ignores_budget",
        _real,
        "budget",
        _value,
        f"``{_real}`` always run with budget = {_value!r} (the library spec's own), whatever "
        "budget it is given.",
    )
    for _real, _value in (
        ("shapiq.kernelshapiq", "all"),
        ("shapiq.svarmiq", "all"),
        ("shapiq.permutation_sii", 200),
    )
}
SHAPIQ_PERMUTATION_TWO_PERMUTATIONS = fixed_count_twin(
    "shapiq_permutation_two_permutations",
    "shapiq.permutation_sii",
    "budget",
    28,
    "shapiq's permutation sampling always run with the budget of two permutations of three "
    "features (28 coalitions), whatever budget it is given.",
)

# ------------------------------------------------------ correct only at the drawn sizes: d <= 3

FIRST_THREE = {
    # twin name: (built-in method, feature axis of its output)
    "cpi_first_three_features": ("reference.cpi", 0),
    "shap_kernel_first_three_features": ("shap.kernel", 1),
    "lime_continuous_first_three_features": ("lime.tabular_continuous", 1),
    "gam_first_three_features": ("reference.gam", 1),
}
FIRST_THREE_TWINS = {
    _name: wrapped_twin(
        _name,
        _real,
        _first_three_features(_axis),
        f"``{_real}`` for the first three features only (a loop hard-coded as ``range(3)``): "
        "the library spec drew two or three features, so it passed every claim.",
    )
    for _name, (_real, _axis) in FIRST_THREE.items()
}
# shap_exact_logit runs shap.exact: redteam3_plugins' twin of it (imported above) serves
SHAP_EXACT_FIRST_THREE = "quality.shap_exact_first_three_features"

LIME_CONTINUOUS_FIXED_100 = LIME_FIXED_SMALL["lime.tabular_continuous"]

CPI_GAUSSIAN_IGNORES_N_DRAWS = fixed_count_twin(
    "cpi_gaussian_ignores_n_draws",
    "reference.cpi_gaussian",
    "n_draws",
    5,
    "Gaussian conditional-sampling importance that always draws 5 times per row (the "
    "registered default), whatever n_draws it is given.",
)
CPI_GAUSSIAN_ONE_DRAW = fixed_count_twin(
    "cpi_gaussian_one_draw",
    "reference.cpi_gaussian",
    "n_draws",
    1,
    "Gaussian conditional-sampling importance from one draw per row, whatever n_draws it is "
    "given (one draw repeated n_draws times averages to the same).",
)


# ------------------------------------------------------------- output for the wrong class


def _other_class(real: str, problem: Problem) -> np.ndarray:
    # the bug: the explainer is handed the probability of the other class, 1 - f; under the
    # logit link (and the identity) its Shapley values are exactly the negated ones
    return -_builtin(real, problem, **problem.params)


SHAP_KERNEL_OTHER_CLASS = wrapped_twin(
    "shap_kernel_other_class",
    "shap.kernel",
    _other_class,
    "shap's KernelExplainer explaining the probability of the other class (1 - f).",
)


def _interactions_of_first_three(real: str, problem: Problem) -> np.ndarray:
    out = np.array(_builtin(real, problem, **problem.params), dtype=float)
    # the bug: a loop over the features hard-coded as range(3), so every coalition holding a
    # feature from the fourth on keeps the zero the output started with
    beyond = [s for s in range(out.shape[-1]) if s >> 3]
    out[..., beyond] = 0.0
    return out


SHAPIQ_PERMUTATION_FIRST_THREE = wrapped_twin(
    "shapiq_permutation_first_three_features",
    "shapiq.permutation_sii",
    _interactions_of_first_three,
    "shapiq's permutation sampling whose coalitions (bitmask entries) are filled for the first "
    "three features only (a loop hard-coded as ``range(3)``).",
)


# ------------------------------------------------------------- explains integer points only


def _rounded_points(real: str, problem: Problem) -> np.ndarray:
    # the bug: the points are rounded to integers before they are explained (an adapter that
    # casts the rows to an integer dtype, or reads them back from an integer-typed frame)
    rounded = dataclasses.replace(problem, points=np.round(np.asarray(problem.points, float)))
    return _builtin(real, rounded, **problem.params)


LIME_CONTINUOUS_ROUNDS_POINTS = wrapped_twin(
    "lime_continuous_rounds_points",
    "lime.tabular_continuous",
    _rounded_points,
    "lime's continuous mode explaining the points rounded to integers.",
)
