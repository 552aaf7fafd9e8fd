"""Fitted scikit-learn estimators as world functions: the ``tree`` family and the ``model``
modifier's black boxes.

- :class:`TreeFunction` — a fitted ``DecisionTreeRegressor`` (:func:`fit_tree`);
- :class:`ModelFunction` — a gbr, rf, mlp or logistic model fitted on data drawn from another
  family (:func:`fit_model`).

Both implement :class:`explainspec.worlds.base.Function` through
:class:`explainspec.worlds.functions.FunctionBase`. scikit-learn is imported when a model is
fitted, never at import time.
"""

from __future__ import annotations

import contextlib
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from explainspec.worlds import symbolic as sym
from explainspec.worlds.functions import FunctionBase, _on_splits, relu_layer_kinks

Array = np.ndarray


@contextlib.contextmanager
def keep_global_random() -> Iterator[None]:
    """Restore Python's global ``random`` state afterwards: importing or fitting some sklearn
    estimators touches it, and hypothesis forbids strategies that do."""
    state = random.getstate()
    try:
        yield
    finally:
        random.setstate(state)


@dataclass(frozen=True, slots=True)
class TreeNode:
    """One node of a fitted regression tree. Leaves have ``feature = -1``.

    ``cover`` is the number of training rows that reached the node (sklearn's
    ``n_node_samples``), the weight path-dependent TreeSHAP uses.
    """

    id: int
    feature: int
    threshold: float
    left: int
    right: int
    value: float
    cover: float


class TreeFunction(FunctionBase):
    """A fitted ``sklearn.tree.DecisionTreeRegressor``; ``f(z)`` is its ``predict``.

    sklearn compares ``z_j <= threshold`` in float32; thresholds here are midpoints of
    halves/quarters, exactly representable, so points on nice grids are classified exactly.
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        self.d = int(model.n_features_in_)
        t = model.tree_
        self.nodes = tuple(
            TreeNode(
                id=k,
                feature=int(t.feature[k]) if t.children_left[k] != -1 else -1,
                threshold=float(t.threshold[k]) if t.children_left[k] != -1 else math.nan,
                left=int(t.children_left[k]),
                right=int(t.children_right[k]),
                value=float(t.value[k].ravel()[0]),
                cover=float(t.weighted_n_node_samples[k]),
            )
            for k in range(t.node_count)
        )
        self.split_features = frozenset(n.feature for n in self.nodes if n.feature >= 0)
        self.depth = int(model.get_depth())
        self.tags = frozenset({"callable", "tree", "sklearn"})

    def _eval(self, Z: Array) -> Array:
        return self.model.predict(Z)

    def _grad(self, Z: Array) -> Array:
        return np.zeros(Z.shape)  # piecewise constant: zero almost everywhere

    def _kinks(self, Z: Array) -> Array:  # a jump where a point lies on a split threshold
        return _on_splits(((n.feature, n.threshold) for n in self.nodes), Z)

    def _uses(self, i: int) -> bool:
        return i in self.split_features

    def _text(self) -> str:
        def rec(k: int) -> str:
            n = self.nodes[k]
            if n.feature < 0:
                return sym.number_text(n.value)
            th = sym.number_text(n.threshold)
            return f"(x{n.feature} <= {th} ? {rec(n.left)} : {rec(n.right)})"

        return rec(0)

    def _handover(self, form: str) -> Any:
        if form == "sklearn":
            return self.model
        return super()._handover(form)


class ModelFunction(FunctionBase):
    """A scikit-learn model fitted on data from another family: a black box.

    ``kind`` in ``gbr`` ``rf`` ``mlp`` ``logistic`` (the latter evaluates
    ``predict_proba(z)[:, 1]``). ``uses(i)`` is ``False`` only when provably unused: no tree
    splits on ``x_i`` (gbr, rf) or the first-layer weights of ``x_i`` are exactly zero (mlp,
    logistic). The gradient is exact for ``mlp`` (ReLU) and ``logistic``, zero a.e. for trees.
    """

    def __init__(self, model: Any, kind: str, trained_on: str = "") -> None:
        self.model, self.kind, self.trained_on = model, kind, trained_on
        self.d = int(model.n_features_in_)
        tags = {"callable", "sklearn", "blackbox"}
        if kind in ("gbr", "rf"):
            tags.add("tree")
        else:
            tags.add("differentiable")
        self.tags = frozenset(tags)

    def _eval(self, Z: Array) -> Array:
        if self.kind == "logistic":
            return self.model.predict_proba(Z)[:, 1]
        return self.model.predict(Z)

    def _grad(self, Z: Array) -> Array:
        if self.kind in ("gbr", "rf"):
            return np.zeros(Z.shape)
        if self.kind == "logistic":
            p = self._eval(Z)
            return (p * (1 - p))[:, None] * self.model.coef_[0][None, :]
        # MLPRegressor with relu hidden layers and identity output: backpropagate
        acts, masks = Z, []
        W, B = self.model.coefs_, self.model.intercepts_
        for W_l, b_l in zip(W[:-1], B[:-1], strict=True):
            pre = acts @ W_l + b_l
            masks.append(pre > 0)
            acts = np.maximum(pre, 0)
        g = np.repeat(W[-1][:, 0][None, :], Z.shape[0], axis=0)
        for W_l, m in zip(reversed(W[:-1]), reversed(masks), strict=True):
            g = (g * m) @ W_l.T
        return g

    def _kinks(self, Z: Array) -> Array:
        if self.kind == "logistic":
            return np.zeros(Z.shape[0], dtype=bool)
        if self.kind in ("gbr", "rf"):  # a jump on a split threshold of any tree
            trees = [e.tree_ for e in np.ravel(self.model.estimators_)]
            return _on_splits(
                ((j, th) for tr in trees for j, th in zip(tr.feature, tr.threshold, strict=True)),
                Z,
            )
        layers = [
            (W_l.T, b_l) for W_l, b_l in zip(self.model.coefs_, self.model.intercepts_, strict=True)
        ]
        return relu_layer_kinks(layers, Z)

    def _uses(self, i: int) -> bool:
        if self.kind in ("gbr", "rf"):
            ests = np.ravel(self.model.estimators_)
            return any(i in set(e.tree_.feature[e.tree_.feature >= 0]) for e in ests)
        if self.kind == "logistic":
            return bool(self.model.coef_[0][i] != 0)
        return bool(np.any(self.model.coefs_[0][i] != 0))

    def _text(self) -> str:
        return f"{self.kind}(x) fitted to {self.trained_on or 'data'}"

    def _handover(self, form: str) -> Any:
        if form == "sklearn":
            return self.model
        return super()._handover(form)


# --------------------------------------------------------------------------- fitting


def fit_tree(
    X: Array, y: Array, depth: int, seed: int = 0, round_to: float | None = 0.5
) -> TreeFunction:
    """A real ``DecisionTreeRegressor(max_depth=depth)`` fitted to ``(X, y)``.

    With ``round_to``, leaf values are rounded to multiples of it (readable formulas) and every
    internal node's value is reset to the cover-weighted mean of its children, so the tree stays
    consistent for path-dependent TreeSHAP; it remains a real fitted sklearn estimator.
    """
    with keep_global_random():
        from sklearn.tree import DecisionTreeRegressor

        model = DecisionTreeRegressor(max_depth=int(depth), random_state=int(seed))
        model.fit(np.asarray(X, float), np.asarray(y, float))
    if round_to:
        t = model.tree_
        value = t.value  # a writable view of the fitted tree's node values
        w = t.weighted_n_node_samples

        def fix(k: int) -> float:
            left, right = t.children_left[k], t.children_right[k]
            if left == -1:
                value[k] = np.round(value[k] / round_to) * round_to
            else:
                value[k] = (fix(left) * w[left] + fix(right) * w[right]) / w[k]
            return float(value[k].ravel()[0])

        fix(0)
    return TreeFunction(model)


def node_dtype() -> Any:
    """The numpy dtype of a scikit-learn tree's nodes (``sklearn.tree._tree.NODE_DTYPE``)."""
    with keep_global_random():
        from sklearn.tree._tree import NODE_DTYPE
    return NODE_DTYPE


def restore_tree(
    d: int, nodes: Array, values: Array, *, max_depth: int, depth_param: int | None
) -> Any:
    """A ``DecisionTreeRegressor`` over ``d`` features whose tree has the given ``nodes`` (an
    array of :func:`node_dtype`) and node ``values`` (one per node).

    scikit-learn has no constructor for a tree with given nodes, and fitting cannot produce
    arbitrary splits, so the tree is restored from the state that ``pickle`` restores
    (``Tree.__setstate__``). The estimator around it is fitted on two rows of zeros first, so it
    has every attribute of a fitted one; ``depth_param`` is its ``max_depth`` parameter and
    ``max_depth`` the tree's depth. The callers check the tree: :func:`explainspec.worlds.given.
    given_tree` compares its ``predict`` with a walk of the literal, and the world reader checks
    the node structure before calling this.
    """
    with keep_global_random():
        from sklearn.tree import DecisionTreeRegressor
        from sklearn.tree._tree import Tree

        model = DecisionTreeRegressor(max_depth=depth_param).fit(np.zeros((2, d)), np.zeros(2))
    tree = Tree(d, np.ones(1, dtype=np.intp), 1)
    tree.__setstate__(
        {
            "max_depth": int(max_depth),
            "node_count": len(nodes),
            "nodes": nodes,
            "values": np.asarray(values, float).reshape(-1, 1, 1).copy(),
        }
    )
    model.tree_ = tree
    return model


def fit_model(kind: str, X: Array, y: Array, seed: int = 0, trained_on: str = "") -> ModelFunction:
    """Fit a small scikit-learn model of ``kind`` to ``(X, y)`` (``logistic``: to ``y > median``).

    Columns of ``X`` that are constant 0 are provably unused afterwards: trees never split on a
    constant column, and the first-layer weights of mlp/logistic for such a column are set to
    exactly 0, which changes no training prediction (the column contributes ``0 * w``).
    """
    with keep_global_random():
        return _fit_model(kind, X, y, seed, trained_on)


def _fit_model(kind: str, X: Array, y: Array, seed: int, trained_on: str) -> ModelFunction:
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    const = [j for j in range(X.shape[1]) if np.all(X[:, j] == X[0, j])]
    if kind == "gbr":
        from sklearn.ensemble import GradientBoostingRegressor

        model = GradientBoostingRegressor(n_estimators=20, max_depth=2, random_state=seed)
        model.fit(X, y)
    elif kind == "rf":
        from sklearn.ensemble import RandomForestRegressor

        model = RandomForestRegressor(n_estimators=10, max_depth=3, random_state=seed)
        model.fit(X, y)
    elif kind == "mlp":
        from sklearn.neural_network import MLPRegressor

        model = MLPRegressor(hidden_layer_sizes=(8,), max_iter=300, random_state=seed)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, y)
        for j in const:  # the column is 0 in training: zeroing its weights changes nothing
            if X[0, j] == 0:
                model.coefs_[0][j, :] = 0.0
    elif kind == "logistic":
        from sklearn.linear_model import LogisticRegression

        labels = (y > np.median(y)).astype(int)
        if labels.min() == labels.max():
            labels[: len(labels) // 2] = 1 - labels[0]
        if labels.min() == labels.max():  # one training row: fit it once as each class
            X, labels = np.vstack([X, X]), np.array([0, 1])
        model = LogisticRegression(random_state=seed)
        model.fit(X, labels)
        for j in const:
            if X[0, j] == 0:
                model.coef_[0, j] = 0.0
    else:
        raise ValueError(f"model kind={kind!r} is not one of 'gbr', 'rf', 'mlp', 'logistic'")
    return ModelFunction(model, kind, trained_on)
