"""Replicates of a world for ``within mc(z)``: only the method's output depends on the seed.

The interpreter evaluates a side of a ``within mc`` comparison once when it names nothing in
``WorldEnv.replicated``; these tests pin that declaration to what the env really does.
"""

from __future__ import annotations

import numpy as np
import pytest
import runner_fakes as rf
from hypothesis import given, settings

from explainspec.registry import registry
from explainspec.runner.env import ClaimContext, MethodCalls, WorldEnv
from explainspec.runner.events import Verdict


def _env(world, method: str) -> WorldEnv:
    ctx = ClaimContext(entry=registry("method").get(method), params={"sd": 0.1}, replicates=5)
    return WorldEnv(world, 0, ctx, MethodCalls(world, ctx))


def _same(a, b) -> bool:
    if a is b:
        return True
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    except (TypeError, ValueError):
        return False


@settings(max_examples=25, deadline=None)
@given(rf.linear_worlds())
def test_every_name_not_declared_replicated_is_the_same_in_every_replicate(world) -> None:
    env = _env(world, "fake.noisy")
    for name in sorted(WorldEnv.QUANTITIES - WorldEnv.replicated):
        try:
            base = env.lookup(name)
        except KeyError:  # e.g. g in a world without a second function
            continue
        for r in (1, 2, 4):
            assert _same(env.replicate(r).lookup(name), base), name
    # an oracle is the same function in every replicate
    assert _same(env.replicate(3).lookup("shapley"), env.lookup("shapley"))


@settings(max_examples=10, deadline=None)
@given(rf.linear_worlds())
def test_the_declared_names_do_change_for_a_randomized_method(world) -> None:
    env = _env(world, "fake.noisy")
    phis = [np.asarray(env.replicate(r).lookup("phi")) for r in range(3)]
    assert not np.array_equal(phis[0], phis[1]) and not np.array_equal(phis[1], phis[2])
    assert len({env.replicate(r).lookup("seed") for r in range(3)}) == 3


@pytest.fixture
def fake_worlds(monkeypatch):
    rf.install(monkeypatch)


def test_mc_over_a_noisy_method_still_sees_its_spread(fake_worlds) -> None:
    # sd = 0.1 around the exact values: within mc(z = 5) passes, a bias of 0.5 does not
    ok = rf.spec("fake.noisy", ("c", "holds", "phi == shapley(f, x, background) within mc(z = 5)"))
    assert rf.verdicts(ok)["c"].verdict is Verdict.VERIFIED
    biased = rf.spec(
        "fake.noisy", ("c", "holds", "phi == shapley(f, x, background) + 0.5 within mc(z = 5)")
    )
    assert rf.verdicts(biased)["c"].verdict is Verdict.REFUTED
