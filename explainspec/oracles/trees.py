"""TreeSHAP's path-dependent game of scikit-learn trees and tree ensembles.

For one tree the game is defined recursively (Lundberg et al. 2020, Algorithm 1, EXPVALUE):
``G(leaf) = value``; at an internal node splitting on feature ``j``, ``G = G(child chosen by x_j)``
if ``j`` is in ``S``, else the cover-weighted mean
``(n_left G(left) + n_right G(right)) / (n_left + n_right)`` with the training covers
``weighted_n_node_samples``. ``v(S) = G(root)``.

Ensembles: random forests / extra trees average their trees (as ``predict`` does); gradient
boosting adds ``learning_rate * sum`` of its trees to its constant initial prediction (which is
read off as ``f(x) - learning_rate * sum_t tree_t(x)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from explainspec.oracles._common import GroundTruthUnavailable, OracleError, as_point

__all__ = ["path_game", "tree_game"]


def _is_tree_model(model: Any) -> bool:
    if hasattr(model, "tree_"):
        return True
    estimators = getattr(model, "estimators_", None)
    if estimators is None:
        return False
    return all(hasattr(e, "tree_") for e in np.asarray(estimators, dtype=object).reshape(-1))


def _model_of(f: Any) -> Any:
    """The fitted scikit-learn tree model behind ``f``.

    Raises
    ------
    GroundTruthUnavailable
        If ``f`` is not (and does not hand over) a tree or an ensemble of trees: the
        path-dependent game is defined by a tree's structure and training covers only.
    """
    model = f
    if not _is_tree_model(model):
        handover = getattr(f, "handover", None)
        try:
            model = handover("sklearn") if callable(handover) else None
        except Exception:  # noqa: BLE001 - any refusal to hand over means "not a tree model"
            model = None
    if model is None or not _is_tree_model(model):
        formula = f.formula() if callable(getattr(f, "formula", None)) else repr(f)
        raise GroundTruthUnavailable(
            f"the path-dependent game needs a fitted scikit-learn tree or tree ensemble; "
            f"{formula} is not one"
        )
    return model


def tree_game(tree: Any, x: np.ndarray) -> np.ndarray:
    """The path-dependent game of one fitted ``sklearn.tree`` (its ``tree_`` or the estimator).

    Vectorised over all ``2**d`` coalitions: each node returns the array of its ``G`` values.
    Splits compare ``float32(x_j) <= threshold`` exactly as scikit-learn's ``predict`` does.

    Parameters
    ----------
    tree : sklearn tree estimator or ``sklearn.tree._tree.Tree``
    x : ndarray of shape (d,)

    Returns
    -------
    ndarray of shape (2**d,)
    """
    t = getattr(tree, "tree_", tree)
    if t.n_outputs != 1:
        raise OracleError("only single-output trees are supported")
    d = x.shape[0]
    value = t.value[:, 0, :]
    if value.shape[1] != 1:
        raise OracleError("classification trees are not supported; use a regressor")
    value = value[:, 0]
    x32 = x.astype(np.float32)
    masks = np.arange(1 << d)
    left, right = t.children_left, t.children_right
    feature, threshold, cover = t.feature, t.threshold, t.weighted_n_node_samples

    def G(node: int) -> np.ndarray:
        if left[node] == -1:
            return np.full(1 << d, float(value[node]))
        j = int(feature[node])
        g_left, g_right = G(int(left[node])), G(int(right[node]))
        chosen = g_left if x32[j] <= threshold[node] else g_right
        c_left, c_right = cover[left[node]], cover[right[node]]
        averaged = (c_left * g_left + c_right * g_right) / (c_left + c_right)
        return np.where((masks >> j) & 1 == 1, chosen, averaged)

    return G(0)


def path_game(f: Any, x: Any) -> np.ndarray:
    """TreeSHAP's path-dependent (cover-weighted) game of a tree model at ``x``.

    Parameters
    ----------
    f : fitted sklearn ``DecisionTreeRegressor``, ``RandomForestRegressor``,
        ``ExtraTreesRegressor``, ``GradientBoostingRegressor``, or a ``Function`` whose
        ``handover("sklearn")`` is one of them.
    x : array_like of shape (d,)

    Returns
    -------
    ndarray of shape (2**d,)
    """
    model = _model_of(f)
    d_of_x: int = np.asarray(x).shape[-1]
    d = int(getattr(model, "n_features_in_", d_of_x))
    x = as_point(x, d)
    if hasattr(model, "tree_"):
        return tree_game(model, x)
    estimators = np.asarray(model.estimators_, dtype=object).reshape(-1)
    games = np.array([tree_game(e, x) for e in estimators])
    if hasattr(model, "learning_rate"):  # gradient boosting (regression, squared-type losses)
        lr = float(model.learning_rate)
        trees_at_x = sum(float(e.predict(x[None, :])[0]) for e in estimators)
        init = float(model.predict(x[None, :])[0]) - lr * trees_at_x
        return init + lr * games.sum(axis=0)
    return games.mean(axis=0)
