"""Plugin methods and an oracle that are slow, hang or allocate too much: the budgets of
:mod:`explainspec.runner.budget` must stop them (tests/security/test_budget_*.py).

Each method returns exact Shapley values of the world when it does not misbehave; what makes it
misbehave is a world with more than one feature (so a spec can hold one good claim and one bad).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

import explainspec
from explainspec.registry import Entry, registry


def _shapley(problem):
    entry = registry("method").get("reference.shapley")
    return entry.load()(dataclasses.replace(problem, params={}))


@explainspec.method("budget.spins", output="attribution")
def spins(problem):
    """A pure-Python loop that never ends on worlds with d >= 2 (interruptible)."""
    while np.shape(problem.points)[-1] >= 2:
        pass
    return _shapley(problem)


@explainspec.method("budget.sleeps", output="attribution")
def sleeps(problem):
    """Blocks for an hour on worlds with d >= 2: one call that does not return to Python."""
    if np.shape(problem.points)[-1] >= 2:
        time.sleep(3600)
    return _shapley(problem)


@explainspec.method("budget.hog", output="attribution")
def hog(problem):
    """Fills 3 GiB of memory on worlds with d >= 2."""
    if np.shape(problem.points)[-1] >= 2:
        block = np.ones(3 * 2**30 // 8)
        return _shapley(problem) + block[:1] - 1.0
    return _shapley(problem)


def slow_oracle(f, x, P):
    """The value 0, after a pure-Python loop that never ends on worlds with d >= 2."""
    while np.shape(x)[-1] >= 2:
        pass
    return 0.0


if "slow_oracle" not in registry("oracle").names():
    registry("oracle").add(
        Entry(
            kind="oracle",
            name="slow_oracle",
            doc="0, after an endless loop on worlds with d >= 2 (a hostile plugin oracle)",
            target=f"{__name__}:slow_oracle",
        )
    )


@explainspec.method("budget.probe", output="attribution")
def probe(problem):
    """Exact Shapley values; appends this process's memory cap (soft RLIMIT_DATA, or "none") to
    the file named by the environment variable EXPLAINSPEC_TEST_PROBE."""
    import os
    import resource

    path = os.environ.get("EXPLAINSPEC_TEST_PROBE")
    if path:
        soft, _ = resource.getrlimit(resource.RLIMIT_DATA)
        cap = "none" if soft == resource.RLIM_INFINITY else str(soft)
        with open(path, "a", encoding="ascii") as fh:
            fh.write(f"{os.getpid()} {cap}\n")
    return _shapley(problem)
