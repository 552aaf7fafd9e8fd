"""Worlds: function families with known structure, data distributions, hypothesis strategies.

Public API
----------
resolve(block) -> WorldSpec            validate a ``world { ... }`` block, fill defaults
sized(spec, features, rows, background) a profile's bounds on drawn size ranges
from_world(spec, **overrides)          hypothesis strategy of :class:`World`
build_example(block) -> World          an explicit example world
family_member(choices, d, data)        strategy of functions of one family choice
WorldSpec, FamilyChoice, DistChoice, Range, Limits, WorldError
Function, Distribution, World, GroundTruthUnavailable   (protocols, ``worlds.base``)

Submodules are imported on first attribute access, so ``import explainspec.worlds.base`` stays
cheap (no hypothesis, no scikit-learn).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Function": "base",
    "Distribution": "base",
    "World": "base",
    "GroundTruthUnavailable": "base",
    "resolve": "spec",
    "sized": "spec",
    "WorldSpec": "spec",
    "FamilyChoice": "spec",
    "DistChoice": "spec",
    "Range": "spec",
    "Limits": "spec",
    "WorldError": "spec",
    "from_world": "strategies",
    "build_example": "strategies",
    "family_member": "strategies",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'explainspec.worlds' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"explainspec.worlds.{module}"), name)
    globals()[name] = value
    return value
