"""A run tunes the garbage collector while it lasts and restores it afterwards."""

from __future__ import annotations

import gc

import pytest
import runner_fakes as rf

import explainspec
from explainspec.runner.execute import GEN0_THRESHOLD

SEEN: list[tuple[tuple[int, ...], int]] = []


@explainspec.method("tests.gc_observer", output="attribution")
def observer(p):
    """Exact values; records the collector's thresholds and frozen count during the run."""
    SEEN.append((gc.get_threshold(), gc.get_freeze_count()))
    return rf.exact(p)


@pytest.fixture(autouse=True)
def fake_worlds(monkeypatch):
    rf.install(monkeypatch)


def test_the_run_raises_the_threshold_freezes_the_heap_and_restores_both() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    gc.set_threshold(700, 10, 10)
    try:
        SEEN.clear()
        results = rf.verdicts(rf.spec("tests.gc_observer", ("c", "holds", "phi == phi")))
        assert results["c"].verdict.value == "verified"
        assert SEEN, "the method was never called"
        assert all(t == (GEN0_THRESHOLD, 10, 10) for t, _ in SEEN)
        assert all(n > frozen for _, n in SEEN)  # the heap alive before the run is frozen
        assert gc.get_threshold() == (700, 10, 10)
        assert gc.get_freeze_count() == frozen
    finally:
        gc.set_threshold(*before)


def test_a_higher_threshold_set_by_the_caller_is_kept() -> None:
    before = gc.get_threshold()
    gc.set_threshold(50_000, 20, 30)
    try:
        SEEN.clear()
        rf.verdicts(rf.spec("tests.gc_observer", ("c", "holds", "phi == phi")))
        assert all(t == (50_000, 20, 30) for t, _ in SEEN)
        assert gc.get_threshold() == (50_000, 20, 30)
    finally:
        gc.set_threshold(*before)


def test_a_pool_worker_tunes_the_collector_for_its_life() -> None:
    import subprocess
    import sys

    code = (
        "import gc\n"
        "from explainspec.runner.parallel import _init_worker\n"
        "_init_worker((), ())\n"
        "print(gc.get_threshold()[0], gc.get_freeze_count() > 0)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert proc.stdout.split() == [str(GEN0_THRESHOLD), "True"]
