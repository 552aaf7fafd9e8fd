"""``points = anywhere(k)``: x anywhere, not only on rows of the support (issue 20: the lattice's
"x in support ⊂ x anywhere")."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from explainspec.lang.ir import WorldBlock, WorldField
from explainspec.lang.parser import parse_value
from explainspec.worlds import from_world, resolve
from explainspec.worlds.spec import Anywhere, Range, WorldError, drawable


def block(**fields: str) -> WorldBlock:
    return WorldBlock(
        fields=tuple(WorldField(name=k, value=parse_value(v)) for k, v in fields.items())
    )


def test_resolves_to_a_count_or_range():
    assert resolve(block(points="anywhere(2)")).points == Anywhere(2)
    assert resolve(block(points="anywhere(1..3)")).points == Anywhere(Range(1, 3))
    assert str(Anywhere(2)) == "anywhere(2)"


@pytest.mark.parametrize("text", ["anywhere()", "anywhere(0)", "anywhere(1, 2)", "anywhere(-1)"])
def test_refuses_bad_counts(text):
    with pytest.raises(WorldError):
        resolve(block(points=text))


def test_over_the_points_limit_is_refused():
    spec = resolve(block(points="anywhere(3)")).with_overrides(max_points=2)
    with pytest.raises(WorldError) as info:
        drawable(spec)
    assert info.value.code == "ES228"


SPEC = resolve(
    block(
        function="linear",
        features="2",
        data="dependent(rho = 0.5, levels = 3)",
        points="anywhere(3)",
    )
)


@settings(max_examples=30, derandomize=True, database=None)
@given(from_world(SPEC))
def test_coordinates_are_levels_or_one_unit_outside(world):
    assert world.points.shape == (3, 2)
    for j in range(2):
        levels = np.unique(world.data[:, j])
        allowed = set(levels) | {levels[0] - 1, levels[-1] + 1}
        assert set(world.points[:, j]) <= allowed


def test_points_off_the_support_are_drawn():
    """Under dependence some drawn points are not rows of the data (support rows only would
    never give one)."""
    seen_off = []

    @settings(max_examples=60, derandomize=True, database=None)
    @given(from_world(SPEC))
    def look(world):
        rows = {tuple(r) for r in world.data}
        seen_off.append(any(tuple(p) not in rows for p in world.points))

    look()
    assert any(seen_off)
