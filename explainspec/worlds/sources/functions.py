"""The bound model as a world :class:`~explainspec.worlds.base.Function`, and its derivations.

:class:`UserModel` is the model over the columns of the bound table. The metamorphic
derivations change it in ways whose correct answers are known without computing anything about
the model:

- :class:`Appended` -- extra columns the model never reads (``unused``: shuffled copies of a
  column; ``proxy``: a noisy copy of a column). Every attribution of an unread column that
  claims to explain the model is 0 (interventional Shapley, permutation importance, a flat PD).
- :class:`Averaged` -- an exact copy of column j, and the model reads the mean of both copies.
  On every data row it equals the model; the two copies are symmetric players, so every
  symmetric attribution gives them equal values.
- :class:`Bumped` -- the model plus a bump that is zero on every data row (so the model and the
  derived one agree on all the data), nonzero where an interventional game evaluates off the data.
- :class:`Linked` -- a strictly increasing link of the output: local effects keep their signs.

All of them are :class:`explainspec.worlds.functions.FunctionBase` members, so arithmetic,
``swap`` and ``handover("callable")`` work as for the synthetic families.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np

from explainspec.worlds.base import GroundTruthUnavailable
from explainspec.worlds.functions import FunctionBase, _not_applicable
from explainspec.worlds.sources.models import BoundModel

Array = np.ndarray


class SourceFunction(FunctionBase):
    """Shared by the bound model and its derivations: feature groups and the tree ensemble."""

    #: feature groups (index tuples partitioning 0..d-1), from the data binding; None if none
    groups: tuple[tuple[int, ...], ...] | None = None
    group_names: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()

    def tree_ensemble(self) -> Any:
        """The tree ensemble that computes this function exactly, or ``None``."""
        return None

    def twin(self) -> int:
        raise GroundTruthUnavailable(
            "twin(f) needs a proxy or duplicate world (user_model(..., proxy = j) or duplicate = j)"
        )


class UserModel(SourceFunction):
    """The bound model ``m`` as a function of the table's feature columns.

    ``uses(i)`` is exact for tree models (a feature no split reads) and linear models (a zero
    coefficient); for any other model it is not known (``GroundTruthUnavailable``).
    """

    def __init__(
        self,
        model: BoundModel,
        columns: Sequence[str],
        *,
        name: str,
        groups: tuple[tuple[int, ...], ...] | None = None,
        group_names: Sequence[str] = (),
        frame_input: bool = False,
    ) -> None:
        self.model = model
        self.name = name
        self.columns = tuple(columns)
        self.d = len(self.columns)
        self.groups = groups
        self.group_names = tuple(group_names)
        self.frame_input = frame_input
        tags = {"callable", "source", "blackbox"}
        est = model.estimator
        if model.handover and not frame_input:
            tags.add("sklearn")
            if _is_tree_model(est):
                tags.add("tree")
            if _linear_parts(est) is not None:
                tags.add("linear")
        self.tags = frozenset(tags)
        self._ensemble: Any = None
        self._ensemble_checked = False

    def _eval(self, Z: Array) -> Array:
        X = Z
        if self.frame_input:
            import pandas as pd

            X = pd.DataFrame(Z, columns=list(self.model.feature_names or self.columns))
        out = np.asarray(self.model.predict(X), dtype=float)
        if out.ndim == 2 and out.shape[1] == 1:
            out = out[:, 0]
        if out.shape != (Z.shape[0],):
            from explainspec.worlds.sources.errors import SourceError

            raise SourceError(
                "ES361",
                f"the model returned shape {out.shape} for {Z.shape[0]} rows; expected "
                f"({Z.shape[0]},)",
                path=self.model.source,
            )
        return out

    def _uses(self, i: int) -> bool:
        est = self.model.estimator
        feats = _split_features(est) if est is not None else None
        if feats is not None:
            return i in feats
        lin = _linear_parts(est)
        if lin is not None:
            return bool(lin[0][i] != 0)
        raise GroundTruthUnavailable(
            f"whether {self.model.description} reads column {self.columns[i]!r} is not known "
            "(known for tree ensembles and linear models)"
        )

    def _text(self) -> str:
        return f"{self.name}(x): {self.model.description}"

    def formula(self) -> str:
        return f"f(x) = {self._text()}"

    def _handover(self, form: str) -> Any:
        if form == "sklearn" and "sklearn" in self.tags:
            return self.model.estimator
        if form == "linear" and "linear" in self.tags:
            return _linear_parts(self.model.estimator)
        raise _not_applicable(
            f"{self.model.description} cannot be handed over as {form!r}: only a regressor "
            "whose predict is the audited output is handed to a library as an estimator "
            "(a classifier is handed over as the callable of its audited output)"
        )

    def tree_ensemble(self) -> Any:
        if not self._ensemble_checked:
            from explainspec.oracles.shapley_exact import tree_ensemble

            self._ensemble_checked = True
            if self.model.estimator is not None and not self.frame_input:
                self._ensemble = tree_ensemble(
                    self.model.estimator, self.model.scale, self.model.class_index, self.d
                )
        return self._ensemble


def _is_tree_model(est: Any) -> bool:
    return hasattr(est, "estimators_") or hasattr(est, "tree_")


def _split_features(est: Any) -> frozenset[int] | None:
    if hasattr(est, "tree_"):
        trees = [est]
    elif hasattr(est, "estimators_"):
        trees = list(np.ravel(np.asarray(est.estimators_, dtype=object)))
        if not all(hasattr(t, "tree_") for t in trees):
            return None
    else:
        return None
    out: set[int] = set()
    for t in trees:
        feat = t.tree_.feature
        out |= set(int(j) for j in feat[feat >= 0])
    return frozenset(out)


def _linear_parts(est: Any) -> tuple[Array, float] | None:
    coef = getattr(est, "coef_", None)
    if coef is None or hasattr(est, "classes_"):
        return None
    c = np.asarray(coef, dtype=float)
    if c.ndim != 1:
        return None
    return c.copy(), float(np.asarray(getattr(est, "intercept_", 0.0)).reshape(-1)[0])


class Appended(SourceFunction):
    """``base`` over the first ``d - k`` columns; the last ``k`` columns are never read.

    ``copies[k]`` is the column the k-th appended column copies (shuffled for ``unused``, with
    noise for ``proxy``), for the report and ``twin(f)``.
    """

    def __init__(self, base: SourceFunction, k: int, *, kind: str, copies: Sequence[int]) -> None:
        self.base, self.k, self.kind, self.copies = base, int(k), kind, tuple(copies)
        self.d = base.d + self.k
        self.columns = base.columns + tuple(
            f"{kind}_{base.columns[c]}" if kind == "proxy" else f"unused_{j}"
            for j, c in enumerate(self.copies)
        )
        self.groups = (
            base.groups + tuple((base.d + j,) for j in range(self.k)) if base.groups else None
        )
        self.group_names = base.group_names + tuple(self.columns[base.d :]) if base.groups else ()
        self.tags = frozenset(base.tags & {"callable", "source", "blackbox", "sklearn", "tree"})
        self._widened: Any = None

    def _eval(self, Z: Array) -> Array:
        return np.asarray(self.base(Z[:, : self.base.d]))

    def _uses(self, i: int) -> bool:
        return i < self.base.d and self.base.uses(i)

    def _text(self) -> str:
        extra = ", ".join(self.columns[self.base.d :])
        return f"{_body(self.base)}, ignoring the appended column(s) {extra}"

    def twin(self) -> int:
        if self.kind != "proxy":
            return super().twin()
        return int(self.copies[-1])

    def _handover(self, form: str) -> Any:
        if form == "sklearn" and "sklearn" in self.tags:
            if self._widened is None:
                self._widened = widen(self.base.handover("sklearn"), self.d)
            return self._widened
        raise _not_applicable(f"{self.formula()} cannot be handed over as {form!r}")

    def tree_ensemble(self) -> Any:
        ens = self.base.tree_ensemble()
        return None if ens is None else ens.widened(self.d)


def widen(estimator: Any, d: int) -> Any:
    """A copy of a fitted tree model that takes ``d`` columns and reads the same ones.

    The trees are unchanged (their split features are indices below the original width), so
    the copy's prediction on ``(n, d)`` rows is the original's on the first columns. Raises
    ``NotApplicable`` for models whose input width cannot be changed this way.
    """
    if not _is_tree_model(estimator):
        raise _not_applicable(f"{type(estimator).__name__} is not a tree model")
    wide = copy.deepcopy(estimator)
    parts = [wide]
    if hasattr(wide, "estimators_"):
        parts += [e for e in np.ravel(np.asarray(wide.estimators_, dtype=object))]
    for part in parts:
        part.n_features_in_ = d
        if hasattr(part, "feature_names_in_"):
            del part.feature_names_in_
    return wide


class Averaged(SourceFunction):
    """``base`` reading the mean of column ``j`` and its exact copy, the last column."""

    def __init__(self, base: SourceFunction, j: int) -> None:
        self.base, self.j = base, int(j)
        self.d = base.d + 1
        self.columns = base.columns + (f"copy_{base.columns[self.j]}",)
        self.groups = None
        self.group_names = ()
        self.tags = frozenset({"callable", "source", "blackbox"})

    def _eval(self, Z: Array) -> Array:
        X = np.array(Z[:, : self.base.d], dtype=float)
        X[:, self.j] = (Z[:, self.j] + Z[:, -1]) / 2
        return np.asarray(self.base(X))

    def _uses(self, i: int) -> bool:
        return self.base.uses(self.j if i == self.d - 1 else i)

    def _text(self) -> str:
        c = self.base.columns[self.j]
        return f"{_body(self.base)}, reading (x[{c}] + x[copy_{c}]) / 2 for {c}"

    def twin(self) -> int:
        return self.j


class Bumped(SourceFunction):
    """``base + h * max(0, 1 - |x_s - c_s| / r) * clip(side * (c_k - x_k) / width, 0, 1)``.

    Built by :func:`explainspec.worlds.sources.world._bump` so that it is zero on every data row.
    """

    def __init__(
        self,
        base: SourceFunction,
        *,
        s: int,
        xs: float,
        r: float,
        k: int,
        xk: float,
        width: float,
        side: float,
        height: float,
    ) -> None:
        self.base = base
        self.s, self.xs, self.r = int(s), float(xs), float(r)
        self.k, self.xk, self.width, self.side = int(k), float(xk), float(width), float(side)
        self.height = float(height)
        self.d = base.d
        self.columns, self.groups, self.group_names = base.columns, base.groups, base.group_names
        self.tags = frozenset({"callable", "source", "blackbox", "off_support_bump"})

    def bump(self, Z: Array) -> Array:
        tent = np.maximum(0.0, 1.0 - np.abs(Z[:, self.s] - self.xs) / self.r)
        ramp = np.clip(self.side * (self.xk - Z[:, self.k]) / self.width, 0.0, 1.0)
        return self.height * tent * ramp

    def _eval(self, Z: Array) -> Array:
        return np.asarray(self.base(Z)) + self.bump(Z)

    def _uses(self, i: int) -> bool:
        return i in (self.s, self.k) or self.base.uses(i)

    def _text(self) -> str:
        return f"{_body(self.base)} + a bump of height {self.height:.4g} off the data rows"


class Linked(SourceFunction):
    """``1 / (1 + exp(-(base - m) / s))``: a strictly increasing link of the output."""

    def __init__(self, base: SourceFunction, m: float, s: float) -> None:
        self.base, self.m, self.s = base, float(m), float(s)
        self.d = base.d
        self.columns, self.groups, self.group_names = base.columns, base.groups, base.group_names
        self.tags = frozenset({"callable", "source", "blackbox", "logistic"})

    def _eval(self, Z: Array) -> Array:
        u = (np.asarray(self.base(Z)) - self.m) / self.s
        return 1.0 / (1.0 + np.exp(-u))

    def _uses(self, i: int) -> bool:
        return self.base.uses(i)

    def _text(self) -> str:
        return f"logistic(({_body(self.base)} - {self.m:.4g}) / {self.s:.4g})"


def _body(f: Any) -> str:
    text = f.formula()
    return text.split(" = ", 1)[1] if text.startswith("f(x) = ") else text
