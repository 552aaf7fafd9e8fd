"""The restriction lattice of ``explainspec probe``, as plain data (no numpy import here).

A claim's world restricts it along a few axes; each axis is a small lattice of levels ordered by
inclusion, from the narrowest world to the widest the library can draw. ``explainspec probe``
relaxes a verified claim one step along one axis at a time (and drops each ``assume`` that has a
``check``) and searches the wider world for a counterexample; a refuted claim is tightened one
step at a time instead. :mod:`explainspec.runner.probe` reads these tables; nothing here runs.

Axes
----
``family`` (the ``function`` and ``second`` fields)
    ``linear ⊂ additive ⊂ interaction(order = 2) ⊂ interaction(order = 3) ⊂ any``, and
    ``linear ⊂ multilinear ⊂ interaction(order = 3)`` (smooth, with interactions). "Any" is
    reached in two branches that the interaction families do not contain: ``relu_net``
    (piecewise linear, differentiable almost everywhere) and ``tree`` (piecewise constant).
``shapes`` (the ``shapes = [...]`` parameter of additive and interaction families)
    a subset of the shape kinds ``⊂`` every shape kind (drops a smoothness restriction).
``dependence`` (the ``data`` field)
    ``independent`` (a product pmf) ``⊂ dependent`` (a mixture with perfectly dependent rows,
    full support) ``⊂ thin`` (all mass on the diagonal: a thin support).
``support`` (the ``points`` field)
    ``x in support`` (points are rows of the data) ``⊂ x anywhere`` (``points = anywhere(k)``).
``size`` (the ``features`` field and the ``levels`` of a distribution)
    one feature more, one level more. Sizes are the search's budget, not conditions of a
    reading: the probe reports them but ``--write`` never widens them.

Every level of an axis has its DSL text (a world value), the condition it imposes in plain words
(shown on cards: "needs: f is additive"), and the levels one step wider. The tables are read by
people too (``docs/concepts/probing.md`` prints them).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True, slots=True, kw_only=True)
class Level:
    """One level of an axis: ``text`` is its DSL value, ``condition`` what being there means,
    ``wider`` the levels one step up (a lattice may branch)."""

    name: str
    axis: str
    text: str
    condition: str
    wider: tuple[str, ...] = ()
    takes_shapes: bool = False


def _levels(*levels: Level) -> MappingProxyType[str, Level]:
    return MappingProxyType({lv.name: lv for lv in levels})


def _chain(axis: str, *levels: tuple[str, str, str]) -> MappingProxyType[str, Level]:
    """A linear axis: ``(name, text, condition)`` from narrow to wide, each level one step
    below the next."""
    names = [name for name, _, _ in levels] + [None]
    return _levels(
        *(
            Level(name=name, axis=axis, text=text, condition=condition, wider=(up,) if up else ())
            for (name, text, condition), up in zip(levels, names[1:], strict=True)
        )
    )


#: The family axis. A family in a world maps to a level by :func:`family_level`.
FAMILIES: Final = _levels(
    Level(
        name="linear",
        axis="family",
        text="linear",
        condition="f is linear",
        wider=("additive", "multilinear"),
    ),
    Level(
        name="additive",
        axis="family",
        text="additive",
        condition="f is additive (no interactions)",
        wider=("interaction2",),
        takes_shapes=True,
    ),
    Level(
        name="multilinear",
        axis="family",
        text="multilinear",
        condition="f is a multilinear polynomial",
        wider=("interaction3",),
    ),
    Level(
        name="interaction2",
        axis="family",
        text="interaction(order = 2)",
        condition="f has interactions of at most two features",
        wider=("interaction3",),
        takes_shapes=True,
    ),
    Level(
        name="interaction3",
        axis="family",
        text="interaction(order = 3)",
        condition="f has interactions of at most three features",
        wider=("relu_net", "tree"),
        takes_shapes=True,
    ),
    Level(
        name="relu_net",
        axis="family",
        text="relu_net(width = 3)",
        condition="f is a small ReLU network",
    ),
    Level(
        name="tree",
        axis="family",
        text="tree(depth = 2)",
        condition="f is a regression tree",
    ),
)
"""``relu_net`` and ``tree`` are the top of the lattice (two branches of "any function"). When a
step refutes a claim, the condition it needs is the one of the level it stepped from."""

#: The dependence axis of the ``data`` field.
DEPENDENCE: Final = _chain(
    "dependence",
    (
        "independent",
        "grid(levels = {levels})",
        "the features are independent (a product distribution)",
    ),
    (
        "dependent",
        "dependent(levels = {levels})",
        "the data have full support (no thin, perfectly dependent support)",
    ),
    (
        "thin",
        "dependent(rho = 1, levels = {levels})",
        "any dependence, a thin support included (the widest level)",
    ),
)

#: How each distribution steps up the dependence axis: ``(distribution, from level)`` -> the
#: DSL text of the wider distribution searched (``{levels}``, ``{n}``: the original's values).
#: A distribution not listed here (``rows``, ``sample``, a bound ``table``) is not on the axis.
DEPENDENCE_STEPS: Final = MappingProxyType(
    {
        ("grid", "independent"): "dependent(levels = {levels})",
        ("dependent", "independent"): "dependent(levels = {levels})",
        ("dependent", "dependent"): "dependent(rho = 1, levels = {levels})",
        ("binary", "independent"): "binary(rho = 0.05..0.9)",
        ("binary", "dependent"): "binary(rho = 1)",
        ("gaussian", "independent"): "gaussian(rho = 0.05..0.9, n = {n})",
    }
)

#: The support axis of the ``points`` field.
SUPPORT: Final = _chain(
    "support",
    ("in_support", "{k}", "x is a row of the data (in the support)"),
    ("anywhere", "anywhere({k})", "x anywhere (the widest level)"),
)

#: Conditions of the other axes (shapes, sizes), in plain words.
CONDITIONS: Final = MappingProxyType(
    {
        "shapes": "f is built from the shape kinds {shapes} only",
        "features": "d is at most {hi}",
        "levels": "each feature takes at most {levels} values",
    }
)

#: World fields a probe relaxes, and the axes each has.
FIELD_AXES: Final = MappingProxyType(
    {
        "function": ("family", "shapes"),
        "second": ("family", "shapes"),
        "data": ("dependence", "levels"),
        "points": ("support",),
        "features": ("features",),
    }
)

#: Axes whose relaxations ``explainspec probe --write`` writes into the spec (sizes are the
#: search's budget: reported, never written).
WRITTEN_AXES: Final = frozenset({"family", "shapes", "dependence", "support"})


def family_level(name: str, order: int | None = None) -> str | None:
    """The family level of a family ``name`` (``order``: the largest interaction order it
    draws), or ``None`` when the family is not on the lattice (a formula, a fitted model, a
    bound model: single functions or black boxes).

    >>> family_level("interaction", 2), family_level("linear"), family_level("formula")
    ('interaction2', 'linear', None)
    """
    if name == "interaction":
        if order is None or order <= 2:
            return "interaction2"
        return "interaction3" if order == 3 else None
    return name if name in FAMILIES and not name.startswith("interaction") else None


def wider_or_equal(low: str, high: str, levels: MappingProxyType[str, Level] = FAMILIES) -> bool:
    """Whether ``high`` is ``low`` or above it (reachable through ``wider`` steps).

    >>> wider_or_equal("linear", "interaction3"), wider_or_equal("tree", "linear")
    (True, False)
    """
    todo, seen = [low], set()
    while todo:
        name = todo.pop()
        if name == high:
            return True
        if name in seen:
            continue
        seen.add(name)
        todo.extend(levels[name].wider)
    return False


def narrower(name: str, levels: MappingProxyType[str, Level] = FAMILIES) -> tuple[str, ...]:
    """The levels one step below ``name`` (for tightening a refuted claim).

    >>> narrower("interaction2"), narrower("dependent", DEPENDENCE)
    (('additive',), ('independent',))
    """
    return tuple(lv.name for lv in levels.values() if name in lv.wider)
