"""Functions built from given parameters: a tree with given splits, a polynomial with given
terms, a ReLU network with given layers (validated by :mod:`explainspec.worlds.given_spec`).

Each keeps the exact ground truth of the drawn members of its family:

- ``tree(splits = ...)`` is a real scikit-learn ``DecisionTreeRegressor`` (so ``shap.tree``,
  ``shap.saabas`` and the path-dependent game read it as they read a fitted tree). Its node
  weights (``cover``, scikit-learn's ``weighted_n_node_samples``, what path-dependent TreeSHAP
  and Saabas weigh by) are the numbers of rows of the world's **data** that reach each node, and
  each internal node's value is the cover-weighted mean of its children, as fitting on those
  rows would give. scikit-learn has no constructor for a tree with given splits and fitting
  cannot produce arbitrary splits, so the tree is restored from the state ``pickle`` restores
  (``Tree.__setstate__``); after building, its ``predict`` is compared with an independent walk
  of the literal on every data row (a mismatch raises). ``uses(i)`` is exact: the tree is
  evaluated on one point per cell of the thresholds' grid.
- ``polynomial(terms = ...)`` is a :class:`~explainspec.worlds.functions.TermFunction` of
  ``pow`` shapes (exact gradient, ``terms``, ``uses``).
- ``relu_net(layers = ...)`` is :func:`explainspec.worlds.functions.relu_net` of the layers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from explainspec.worlds import fitted
from explainspec.worlds import functions as fn
from explainspec.worlds import symbolic as sym
from explainspec.worlds.base import Function, GroundTruthUnavailable
from explainspec.worlds.given_spec import tree_nodes

Array = np.ndarray

#: ``uses(i)`` of a given tree evaluates one point per cell of the thresholds' grid; above
#: this many numbers (cells x features) it is unavailable
MAX_USES_CELLS = 1 << 22


class UncoveredTree(ValueError):
    """A node of a given tree that no data row reaches: its cover would be 0, and the
    path-dependent game (cover-weighted) is undefined there. The world search rejects such a
    world (``hypothesis.reject``); the data must reach every node."""


def _walk(nodes: Sequence[tuple[Any, ...]], X: Array) -> tuple[Array, Array]:
    """Leaf values at the rows of ``X`` and the number of rows reaching each node, comparing
    ``float32(x_j) <= threshold`` as scikit-learn does. One step per level of the tree over all
    rows: memory ``O(rows + nodes)``."""
    X32 = np.asarray(X, dtype=np.float32)
    leaf = np.array([len(n) == 1 for n in nodes])
    feature = np.array([-1 if len(n) == 1 else n[0] for n in nodes], dtype=np.intp)
    threshold = np.array([np.nan if len(n) == 1 else n[1] for n in nodes])
    left = np.array([-1 if len(n) == 1 else n[2] for n in nodes], dtype=np.intp)
    right = np.array([-1 if len(n) == 1 else n[3] for n in nodes], dtype=np.intp)
    value = np.array([n[0] if len(n) == 1 else np.nan for n in nodes])
    at = np.zeros(len(X32), dtype=np.intp)
    cover = np.bincount(at, minlength=len(nodes)).astype(float)
    while True:
        idx = np.flatnonzero(~leaf[at])
        if idx.size == 0:
            break
        k = at[idx]
        go_left = X32[idx, feature[k]] <= threshold[k]
        at[idx] = np.where(go_left, left[k], right[k])
        cover += np.bincount(at[idx], minlength=len(nodes))
    return value[at], cover


class GivenTree(fitted.TreeFunction):
    """A regression tree with given splits and leaf values (see the module docstring)."""

    def __init__(
        self, model: Any, nodes: Sequence[tuple[Any, ...]], written: Sequence[float]
    ) -> None:
        super().__init__(model)
        self.given = tuple(nodes)
        self.written = tuple(written)  # the thresholds as the spec wrote them (text only)

    def _text(self) -> str:
        def rec(k: int) -> str:
            n = self.nodes[k]
            if n.feature < 0:
                return sym.number_text(n.value)
            th = sym.number_text(self.written[k])
            return f"(x{n.feature} <= {th} ? {rec(n.left)} : {rec(n.right)})"

        return rec(0)

    def _uses(self, i: int) -> bool:
        if i not in self.split_features:
            return False
        cuts = {
            j: sorted({n.threshold for n in self.nodes if n.feature == j}) for j in range(self.d)
        }
        cells = 1
        for c in cuts.values():
            cells *= len(c) + 1
        if cells * self.d > MAX_USES_CELLS:
            raise GroundTruthUnavailable(
                f"uses({i}) of a tree with {cells} cells of its thresholds' grid in {self.d} "
                f"features (over {MAX_USES_CELLS} numbers)"
            )
        # one point per cell: each threshold (x <= t goes left) and one above the last
        axes = [np.array([*c, (c[-1] + 1.0) if c else 0.0]) for c in cuts.values()]
        grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, self.d)
        values = self(grid).reshape([len(a) for a in axes])
        return bool(np.ptp(values, axis=i).max() > 0)


def given_tree(splits: Any, positions: Sequence[int], data: Array) -> GivenTree:
    """The tree of the ``splits`` literal over the used features (the features at
    ``positions`` are unused: the literal's feature ``k`` is the ``k``-th other column), with
    covers counted on the rows of ``data`` ``(n, D)``."""
    D = data.shape[1]
    used = [k for k in range(D) if k not in set(positions)]
    literal = tree_nodes(splits)
    # thresholds rounded to float32 as scikit-learn compares them, so x_j == threshold goes left
    nodes: list[tuple[Any, ...]] = [
        n if len(n) == 1 else (used[n[0]], float(np.float32(n[1])), n[2], n[3]) for n in literal
    ]
    leaf_values, cover = _walk(nodes, data)
    if (cover == 0).any():
        k = int(np.flatnonzero(cover == 0)[0])
        raise UncoveredTree(f"node {k} of the given tree is reached by no row of the data")
    value = np.zeros(len(nodes))
    depth = np.zeros(len(nodes), dtype=int)
    for k in reversed(range(len(nodes))):  # children come after their parent
        n = nodes[k]
        if len(n) == 1:
            value[k] = n[0]
        else:
            a, b = n[2], n[3]
            value[k] = (cover[a] * value[a] + cover[b] * value[b]) / cover[k]
            depth[k] = 1 + max(depth[a], depth[b])
    state = np.zeros(len(nodes), dtype=fitted.node_dtype())
    for k, n in enumerate(nodes):
        leaf = len(n) == 1
        state[k]["left_child"] = -1 if leaf else n[2]
        state[k]["right_child"] = -1 if leaf else n[3]
        state[k]["feature"] = -2 if leaf else n[0]
        state[k]["threshold"] = -2.0 if leaf else n[1]
        state[k]["n_node_samples"] = int(cover[k])
        state[k]["weighted_n_node_samples"] = cover[k]
    model = fitted.restore_tree(
        D, state, value, max_depth=int(depth[0]), depth_param=max(1, int(depth[0]))
    )
    predicted = model.predict(np.asarray(data, float))
    if not np.array_equal(predicted, leaf_values):  # pragma: no cover - a broken restore
        raise RuntimeError("the scikit-learn tree built from splits disagrees with the literal")
    return GivenTree(model, nodes, [n[1] if len(n) == 4 else math.nan for n in literal])


def polynomial(terms: Sequence[tuple[float, Sequence[int]]], d: int, intercept: float) -> Function:
    """``intercept + sum coef * prod_j x_j**e_j`` over ``d`` features (a TermFunction)."""
    out = []
    c0 = float(intercept)
    for coef, exps in terms:
        factors = {j: fn.Shape("pow", (int(e),)) for j, e in enumerate(exps) if e}
        if factors:
            out.append((float(coef), factors))
        else:
            c0 += float(coef)
    return fn.interaction(d, out, c0)


def network(layers: Sequence[Any], d: int) -> Function:
    """The ReLU network of the given layers, the first layer's weights padded with zeros to
    ``d`` inputs."""
    (W0, b0), rest = layers[0], list(layers[1:])
    W0 = [list(r) + [0.0] * (d - len(r)) for r in W0]
    return fn.relu_net([(W0, list(b0)), *[(list(map(list, W)), list(b)) for W, b in rest]], d)


# --------------------------------------------------------------------------- family builders


def _embed(f: Function, positions: Sequence[int]) -> Function:
    return fn.add_unused(f, positions) if positions else f


def polynomial_family(
    d: int, positions: Sequence[int], params: Mapping[str, Any], data: Array
) -> st.SearchStrategy[Function]:
    """The polynomial of the given ``terms`` (and ``intercept``, default 0)."""
    f = polynomial(params["terms"], d, params.get("intercept", 0.0))
    return st.just(_embed(f, positions))


def given_tree_strategy(
    d: int, positions: Sequence[int], params: Mapping[str, Any], data: Array
) -> st.SearchStrategy[Function]:
    """The tree of ``splits`` with covers from ``data`` (built for each world: the strategies
    cache does not keep it); a world whose data leave a node uncovered is not drawn
    (``st.nothing()``)."""
    try:
        return st.just(given_tree(params["splits"], positions, data))
    except UncoveredTree:
        return st.nothing()


def given_network_strategy(
    d: int, positions: Sequence[int], params: Mapping[str, Any], data: Array
) -> st.SearchStrategy[Function]:
    """The ReLU network of the given ``layers``."""
    return st.just(_embed(network(params["layers"], d), positions))
