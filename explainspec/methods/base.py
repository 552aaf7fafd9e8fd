"""The method protocol: how the checker calls an explanation method.

A method is any callable ``method(problem) -> np.ndarray``. Its registry entry (built-in:
``explainspec.catalog.methods``; plugins: ``@explainspec.method``) declares its output kind,
scope, statistic, requirements and parameters with their defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from explainspec.worlds.base import Function


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """Everything one call of a method may use.

    ``points``: ``(k, d)`` points to explain (local methods); ``background``: ``(m, d)`` rows the
    method may use as background/reference data; ``data``/``y``: the evaluation data and targets
    (loss-based methods); ``grid``: ``(d, m)`` evaluation points of curve methods; ``baseline``:
    ``(d,)`` reference point of baseline methods; ``seed``: the only source of randomness;
    ``params``: the spec's hyper-parameters merged over the registered defaults.
    """

    f: Function
    points: np.ndarray
    background: np.ndarray
    data: np.ndarray
    y: np.ndarray
    grid: np.ndarray
    baseline: np.ndarray
    seed: int
    params: Mapping[str, Any] = field(default_factory=dict)


class Method(Protocol):
    """Returns ``(k, ...)`` for local methods (one row per point) and ``(...)`` for global ones.

    Shapes by output kind: attribution ``(d,)``, importance ``(d,)``, curve ``(d, m)``,
    interaction ``(d, d)``, counterfactual ``(d,)``.
    """

    def __call__(self, problem: Problem) -> np.ndarray: ...


class NotApplicable(Exception):
    """The method cannot take this world's function (e.g. TreeExplainer on a non-tree)."""
