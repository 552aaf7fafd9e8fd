"""Protocols of the world room: functions with ground truth, distributions, and a drawn world.

Owned by the worlds room; other rooms program against these names only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np


class GroundTruthUnavailable(LookupError):
    """Raised when a check asks a function for ground truth its family does not expose
    (e.g. ``f.component(i, t)`` of a function with interactions, ``f.weights`` of a tree)."""


class UndefinedAtPoint(GroundTruthUnavailable):
    """The quantity does not exist at the world's point, though the family has it elsewhere:
    ``grad(f, x)`` where ``f`` has a kink at ``x`` (the one-sided values differ, and a library's
    autograd returns a convention such as ``relu'(0) = 0``). The runner skips such a world --
    it carries no ground truth for the check, so it is neither evidence for nor against the
    claim -- and reports how many were skipped (``ES305``); if no drawn world has the quantity
    the claim is ``invalid``."""


@runtime_checkable
class Function(Protocol):
    """A function of ``d`` features with known structure.

    ``f(z)`` takes a point of shape ``(d,)`` (returns a float) or a batch ``(n, d)`` (returns
    ``(n,)``). Arithmetic ``a * f``, ``f + g``, ``f - g``, ``-f`` and ``f.swap(i, j)`` return new
    Functions (ground truth that no longer applies raises :class:`GroundTruthUnavailable`).
    """

    d: int
    tags: frozenset[
        str
    ]  # "callable", "linear", "additive", "tree", "sklearn", "differentiable", ...

    def __call__(self, z: Any) -> Any: ...
    def formula(self) -> str: ...
    def uses(self, i: int) -> bool: ...
    def grad(self, z: Any) -> np.ndarray: ...
    def component(self, i: int, t: Any) -> Any: ...
    def handover(self, form: str) -> Any: ...  # "callable" | "sklearn" | "linear" (coef, intercept)
    def swap(self, i: int, j: int) -> Function: ...


@runtime_checkable
class Distribution(Protocol):
    """A data distribution over R^d.

    Finite distributions are uniform over ``rows`` (a multiset: repeated rows carry more mass), so
    every expectation is an exact finite mean. Continuous ones (``gaussian``) have ``rows = None``
    and expose ``mean``/``cov``; a world then carries a finite sample of them as ``data``.
    """

    d: int

    # read-only in the protocol: finite distributions narrow it to ``np.ndarray``, gaussian to None
    @property
    def rows(self) -> np.ndarray | None: ...

    def describe(self) -> str: ...
    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class World:
    """One synthetic setting, fully determined by the values hypothesis drew.

    ``points`` are the points to explain (rows of the support for finite P, so conditional games
    are defined). ``grid`` (shape ``(d, m)``) is where curve methods are evaluated. ``y`` are the
    targets of ``data`` for loss-based methods (``target(data) + noise``; the target defaults to f).
    """

    f: Function
    P: Distribution
    data: np.ndarray
    background: np.ndarray
    points: np.ndarray
    baseline: np.ndarray
    grid: np.ndarray
    y: np.ndarray
    seed: int
    g: Function | None = None
    target: Function | None = None
    info: Mapping[str, Any] = field(default_factory=dict)  # readable description for reports

    @property
    def d(self) -> int:
        return self.f.d

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        """Hypothesis' printer (the IPython protocol): a short line, not every array. Hypothesis
        prints the failing world of each search; a counterexample's report describes it in
        full."""
        p.text(f"World(d={self.d}, seed={self.seed}, points={len(self.points)})")
