"""`explainspec check` accepts nothing `verify` refuses (issue 14.8).

A run resolves each claim's world (`worlds.resolve`) and builds its strategy
(`worlds.from_world`); anything either refuses makes the claim invalid (ES306) before a single
world is drawn. `check` runs the same resolver and the same drawability test without numpy, so
for every world value the two agree: check refuses iff the run's resolution refuses. The issue
found 582 of 600 generated `features = <value>` worlds passing check and refused only by verify.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explainspec.lang import SpecError, check_spec, load_text
from explainspec.lang.ir import merged_world
from explainspec.worlds import from_world, resolve

SPEC = """spec s "S" {{
    method = reference.shapley
    output = attribution
    question "q"
    world {{ {world} }}
    claim c holds "s" {{
        check sum(phi) == f(x) - mean(f(background)) within 1e-6
    }}
}}
"""


def check_refuses(spec) -> bool:
    return any(d.is_error for d in check_spec(spec))


def run_refuses(spec) -> bool:
    """What a run does before it draws a world: resolve each claim's world, build its strategy."""
    for claim in spec.claims:
        try:
            from_world(resolve(merged_world(spec, claim)))
        except Exception:  # noqa: BLE001 - whatever the run would turn into an invalid claim
            return True
    return False


def agree(world: str) -> tuple[bool, bool] | None:
    try:
        spec = load_text(SPEC.format(world=world))
    except SpecError:  # not a spec at all: both refuse it when reading
        return None
    return check_refuses(spec), run_refuses(spec)


NUMBERS = [-3, -1, 0, 1, 2, 3, 7, 8, 12, 50, 99, 100, 101, 4096, 10**9, 10**40]
FEATURE_VALUES = (
    [str(n) for n in NUMBERS]
    + ["2.0", "2.5", "1e3", "1e300", "-0.5", '"3"', "d", "phi", "[2, 3]", "1 + 2", "true"]
    + [f"{a}..{b}" for a, b in itertools.product(NUMBERS[:12] + ["2.5"], repeat=2)]
)


@pytest.mark.parametrize(
    "data", ["grid(levels = 3)", "grid(levels = 5)", "gaussian", "rows([[0, 1], [1, 0]])"]
)
def test_features_values_check_refuses_iff_the_run_refuses(data):
    disagree = []
    refused = 0
    for value in FEATURE_VALUES:
        result = agree(f"function = linear; data = {data}; features = {value}")
        if result is None:
            continue
        refused += result[1]
        if result[0] != result[1]:
            disagree.append((value, "check refuses" if result[0] else "only the run refuses"))
    assert not disagree, disagree
    assert refused > 50  # the values do reach the resolver's refusals


FIELDS = {
    "function": st.sampled_from(
        [
            "linear",
            "interaction(order = 3)",
            "interaction(order = 1..4, terms = 2)",
            "unused(linear, k = 2)",
            "relu_net(width = 300)",
            "relu_net(width = 2..4, depth = 20)",
            "tree(depth = 3)",
            'formula("x0 * x5")',
            'formula("x0.y")',
            "any(linear, additive)",
            "symmetric(linear, i = 0, j = 150)",
        ]
    ),
    "data": st.sampled_from(
        [
            "grid(levels = 3)",
            "grid(levels = 65)",
            "grid(levels = 1..70)",
            "grid(levels = 0)",
            "dependent(rho = 0..2)",
            "binary",
            "sample(n = 200000)",
            "gaussian(n = 50000)",
            "gaussian(rho = 0.5)",
            "rows([[0, 0, 0]])",
            "grid(values = [1, 1])",
        ]
    ),
    "features": st.sampled_from(["1", "2..4", "3..9", "6..2", "0", "2..101", "40", "12"]),
    "points": st.sampled_from(["1", "64", "65", "0", "2..100", "[[0, 0], [1, 1]]"]),
    "background": st.sampled_from(
        [
            "data",
            "sample(8)",
            "sample(300)",
            "kmeans(3)",
            "kmeans(2..50)",
            "kmeans(2..1001)",
            "rows([[0, 0]])",
        ]
    ),
    "grid": st.sampled_from(["levels", "5", "1", "1001", "2..4"]),
    "noise": st.sampled_from(["0", "0.5", "-1"]),
}


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({}, optional=FIELDS))
def test_any_world_check_refuses_iff_the_run_refuses(fields):
    world = "; ".join(f"{k} = {v}" for k, v in fields.items())
    result = agree(world)
    if result is not None:
        assert result[0] == result[1], world
