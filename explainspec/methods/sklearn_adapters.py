"""Adapters to ``sklearn.inspection``: permutation importance, partial dependence, ICE.

scikit-learn needs a fitted estimator. A world whose function *is* a scikit-learn model (tree,
model and linear families, tag ``sklearn``) hands it over; any other function is wrapped in a
minimal regressor whose ``fit`` does nothing and whose ``predict`` calls the function — the
wrapper users write for a bare function.
"""

from __future__ import annotations

import numpy as np

from explainspec.methods._common import as_estimator, params_of, rows
from explainspec.methods.base import Problem


def permutation_importance(problem: Problem) -> np.ndarray:
    """``permutation_importance(model, data, y, ...).importances_mean``, shape ``(d,)``.

    With the default ``scoring='neg_mean_squared_error'`` the importance of feature j is the mean
    increase of the MSE when column j of ``data`` is permuted (``random_state=seed``).
    """
    from sklearn.inspection import permutation_importance as sk_permutation_importance

    p = params_of(problem, "sklearn.permutation_importance")
    result = sk_permutation_importance(
        as_estimator(problem.f),
        rows(problem.data),
        np.asarray(problem.y, dtype=float).reshape(-1),
        scoring=p["scoring"],
        n_repeats=p["n_repeats"],
        max_samples=p["max_samples"],
        random_state=int(problem.seed) % 2**32,
    )
    return np.asarray(result.importances_mean, dtype=float)


def _curves(problem: Problem, X: np.ndarray, kind: str) -> np.ndarray:
    from sklearn.inspection import partial_dependence as sk_partial_dependence

    estimator = as_estimator(problem.f)
    grid = np.asarray(problem.grid, dtype=float)
    curves = []
    for j in range(X.shape[1]):
        res = sk_partial_dependence(
            estimator,
            X,
            [j],
            kind=kind,
            method="brute",
            custom_values={j: grid[j]},
        )
        # "average": (n_outputs, m); "individual": (n_outputs, n_rows, m)
        curves.append(np.asarray(res[kind][0], dtype=float))
    return np.stack(curves, axis=-2)


def partial_dependence(problem: Problem) -> np.ndarray:
    """Partial dependence on the world's grid over the data rows, shape ``(d, m)``."""
    return _curves(problem, rows(problem.data), "average")


def ice(problem: Problem) -> np.ndarray:
    """ICE curves of the explained points on the world's grid, shape ``(k, d, m)``."""
    return _curves(problem, rows(problem.points), "individual")
