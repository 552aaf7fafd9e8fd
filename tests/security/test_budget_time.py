"""Unbounded time: every claim has a wall-clock budget covering everything it does.

Hostile specs that stay within the static limits but are slow (quantifiers over a million
bindings, nested quantifiers, a wide and deep network under an exact oracle), and plugin methods
and oracles that are slow or never return: each such claim ends as an ``error`` (ES340) that
says how far it got, and the next claim still runs -- in this process (``--jobs 1``), in a
worker killed by ``--timeout``'s executor, and in a process pool.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import explainspec
from explainspec.runner import budget

HERE = Path(__file__).parent
BUDGET = 1.0  # seconds: far below what the hostile claims need, above what the others need
WORLDS = 5  # worlds per claim in this process: the ordinary claim takes about 0.1 s
CLI_BUDGET = 3.0  # a fresh worker process first imports numpy, hypothesis and the worlds
# A stopped claim ends within its budget, the grace and this much: stopped, not run out (one world
# of QUADRATIC below alone takes 52.6 s unbounded, measured 2026-12-04, and the claims get 5).
# The slack is for a loaded 2-core CI machine, where the budget's checks come late: a claim took
# 2.9 s beside a pip install, over the 1.0 s of slack this used to be.
SLACK = 4.0


def _spec(method: str, hostile_check: str, world: str = "", second: str = "") -> str:
    """A spec whose first claim (and ``second``, if given) is hostile and whose last is an
    ordinary, quick one."""
    also = f'claim a_second holds "Slow too." {{ check {second} }}' if second else ""
    return textwrap.dedent(
        f"""\
        spec hostile "Hostile claims under a budget" {{
            method = {method}
            output = attribution
            question "How does f(x) minus the mean prediction split among the features?"
            world {{ function = linear; features = 2; data = grid(levels = 3); background = data; points = 1 {world}}}
            claim a_hostile holds "Slow on purpose." {{
                check {hostile_check}
            }}
            {also}
            claim b_fine holds "The attributions add up to f(x) minus the mean prediction." {{
                world {{ function = linear; features = 1; data = grid(levels = 3) }}
                check sum(phi) == f(x) - mean(f(background)) within 1e-9
            }}
        }}
        """
    )


QUADRATIC = "for all i, j in range(1000): phi[0] + i * j == phi[0] + i * j within 1"
NESTED = "for all i in range(1000): for all j in range(1000): phi[0] + i >= phi[0] + i - j"


@pytest.fixture(autouse=True, scope="module")
def _warm() -> None:
    """Import and build once what every claim needs, so that the budgets of the tests below are
    spent on their hostile worlds and not on the first imports of the process."""
    spec = explainspec.loads(_spec("reference.shapley", "sum(phi) == sum(phi) within 1"))
    explainspec.verify(spec, profile="fast", max_examples=WORLDS)


def _verify_in_thread(*args, **kwargs):
    """``explainspec.verify`` with a hard limit of its own, so that a regression fails the test
    instead of hanging the suite."""
    out: dict[str, object] = {}

    def work() -> None:
        try:
            out["result"] = explainspec.verify(*args, **kwargs)
        except BaseException as e:  # noqa: BLE001 - handed to the test
            out["error"] = e

    t = threading.Thread(target=work, daemon=True)
    started = time.monotonic()
    t.start()
    t.join(120)
    assert not t.is_alive(), "the run did not end: the budget was not enforced"
    if "error" in out:
        raise out["error"]  # type: ignore[misc]
    return out["result"], time.monotonic() - started


def _assert_stopped(result, *, phase: str | None = "checking a world") -> None:
    hostile = [c for c in result if c.claim.startswith("a_")]
    for claim in hostile:
        assert claim.verdict.value == "error", claim
        assert [d.code for d in claim.diagnostics] == ["ES340"], claim.diagnostics
        assert f"time budget of {BUDGET:g} s" in claim.error and "world(s)" in claim.error
        if phase is not None:
            assert f"while {phase}" in claim.error, claim.error
        assert claim.timings.total < BUDGET + budget.grace(BUDGET) + SLACK
    fine = result["b_fine"]
    assert fine.verdict.value == "verified", fine


def test_quantifiers_over_a_million_bindings_are_stopped_in_process():
    spec = explainspec.loads(_spec("reference.shapley", QUADRATIC, second=NESTED))
    result, elapsed = _verify_in_thread(
        spec, profile="fast", max_examples=WORLDS, claim_timeout=BUDGET
    )
    _assert_stopped(result)
    assert len(result) == 3 and elapsed < 3 * BUDGET + 20


def test_four_nested_quantifiers_end_within_the_budget():
    # 10**12 bindings: over the static limit on quantifier domains, so `explainspec check`
    # refuses it; run anyway (the Python API does not check), it must still end: stopped by the
    # budget, or refused when evaluated by the run-time guard on quantifier domains (ES314)
    check = "for all i, j, k, l in range(1000): phi[0] + i * j * k * l >= phi[0]"
    spec = explainspec.loads(_spec("reference.shapley", check))
    result, _ = _verify_in_thread(spec, profile="fast", max_examples=WORLDS, claim_timeout=BUDGET)
    hostile = result["a_hostile"]
    assert hostile.verdict.value in ("error", "invalid"), hostile
    assert hostile.diagnostics[0].code in ("ES340", "ES314"), hostile.diagnostics
    assert hostile.timings.total < BUDGET + budget.grace(BUDGET) + SLACK
    assert result["b_fine"].verdict.value == "verified"


def test_a_wide_deep_network_under_an_exact_oracle_is_stopped():
    # every size within the static limits; drawing a 16-layer, 256-wide network over 12
    # features and 1000 data rows alone takes hypothesis two minutes (and then the exact
    # Shapley values of it), far longer than the budget
    spec = explainspec.loads(
        _spec(
            "reference.shapley",
            "phi == shapley(f, x, background) within 1e-6",
            world="; function = relu_net(width = 256, depth = 16); features = 12; "
            "data = gaussian(n = 1000)",
        )
    )
    result, _ = _verify_in_thread(spec, profile="fast", max_examples=WORLDS, claim_timeout=BUDGET)
    _assert_stopped(result, phase=None)


def test_a_plugin_method_and_oracle_that_never_return_are_stopped(monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))
    for method, check in (
        ("budget.spins", "sum(phi) == f(x) - mean(f(background)) within 1e-9"),
        ("reference.shapley", "phi[0] == slow_oracle(f, x, P) + phi[0] within 1"),
    ):
        spec = explainspec.loads(_spec(method, check))
        result, _ = _verify_in_thread(
            spec,
            profile="fast",
            max_examples=WORLDS,
            claim_timeout=BUDGET,
            plugins=["budget_plugins"],
        )
        _assert_stopped(result)


def test_a_call_that_never_returns_to_python_is_abandoned_and_the_run_goes_on(monkeypatch):
    # time.sleep in the claim's thread cannot be interrupted: the claim is reported and its
    # thread left behind, after the grace period
    monkeypatch.syspath_prepend(str(HERE))
    spec = explainspec.loads(
        _spec("budget.sleeps", "sum(phi) == f(x) - mean(f(background)) within 1e-9")
    )
    result, _ = _verify_in_thread(
        spec, profile="fast", max_examples=WORLDS, claim_timeout=BUDGET, plugins=["budget_plugins"]
    )
    _assert_stopped(result)
    assert "left running in the background" in result["a_hostile"].error


def _cli(tmp_path: Path, spec: str, *args: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    path = tmp_path / "hostile.espec"
    path.write_text(spec)
    report = tmp_path / "report.json"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
        "NO_COLOR": "1",
        "EXPLAINSPEC_NO_CACHE": "1",
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "explainspec.cli",
            "verify",
            str(path),
            "--plugin",
            "budget_plugins",
            "--profile",
            "fast",
            "--claim-timeout",
            str(CLI_BUDGET),
            "--format",
            "json",
            "--output",
            str(report),
            *args,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    return proc, {c["claim"]: c for c in json.loads(report.read_text())["claims"]}


@pytest.mark.parametrize(
    ("method", "args", "how"),
    [
        ("budget.spins", ("--jobs", "2"), "it was stopped"),
        pytest.param(
            "budget.sleeps",
            ("--jobs", "1", "--timeout", "600"),
            "worker process was killed",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            "budget.sleeps", ("--jobs", "2"), "worker process was killed", marks=pytest.mark.slow
        ),
    ],
    ids=["pool-stops-a-python-loop", "timeout-worker-killed", "pool-process-ends"],
)
def test_workers_keep_the_budget(tmp_path, method, args, how):
    spec = _spec(method, "sum(phi) == f(x) - mean(f(background)) within 1e-9")
    proc, claims = _cli(tmp_path, spec, *args)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    hostile = claims["a_hostile"]
    assert hostile["verdict"] == "error" and hostile["diagnostics"][0]["code"] == "ES340"
    assert how in hostile["error"], hostile["error"]
    assert claims["b_fine"]["verdict"] == "verified"


def test_the_budget_defaults_to_the_profile_and_can_be_switched_off():
    from explainspec.runner.plan import RunOptions
    from explainspec.runner.settings import PROFILES

    for name, profile in PROFILES.items():
        assert RunOptions(profile=name).budget == profile.claim_budget
    assert RunOptions(claim_timeout=5).budget == 5
    assert RunOptions(claim_timeout=float("inf")).budget is None


def test_the_watchdog_never_fires_after_it_returned():
    # at the boundary the budget may run out while the block is being left: the call then says
    # so; never does an exception arrive later, in code that has nothing to do with it
    over = 0
    for _ in range(300):
        _, fired = budget.within_budget(0.001, lambda: None)
        over += fired
        time.sleep(0.0005)
    time.sleep(0.3)  # longer than budget.REPEAT: a watchdog left armed would have fired here
    assert over < 300
