"""A killed run leaves no process behind.

A method that never returns keeps its worker busy; when the run itself is killed (CI cancels the
job, the user kills it), every process it started -- workers, the forkserver, the resource
tracker -- must end with it. Before the fix they did not: every pool worker holds the
forkserver's "alive" pipe, so the forkserver outlived the run as long as a worker did, and the
workers waited for the forkserver to go (seen: 39 minutes of CPU after the run was killed).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

HERE = Path(__file__).parent

SPEC = textwrap.dedent(
    """\
    spec hostile "A method that never returns" {
        method = budget.sleeps
        output = attribution
        question "How does f(x) minus the mean prediction split among the features?"
        world { function = linear; features = 2; data = grid(levels = 3); background = data; points = 1 }
        claim a_sleeps holds "Sleeps." { check sum(phi) == f(x) - mean(f(background)) within 1e-9 }
        claim b_sleeps holds "Sleeps." { check sum(phi) == f(x) - mean(f(background)) within 1e-9 }
    }
    """
)


def _descendants(root: int) -> set[int]:
    """The pids of every process below ``root`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out: set[int] = set()
    todo = [root]
    while todo:
        for kid in children.get(todo.pop(), []):
            out.add(kid)
            todo.append(kid)
    return out


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table in /proc")
@pytest.mark.parametrize(
    "args",
    [("--jobs", "2"), ("--jobs", "1", "--timeout", "600")],
    ids=["pool", "timeout-worker"],
)
def test_a_killed_run_leaves_no_process_behind(tmp_path, args):
    path = tmp_path / "hostile.espec"
    path.write_text(SPEC)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
        "NO_COLOR": "1",
        "EXPLAINSPEC_NO_CACHE": "1",
    }
    cmd = [
        sys.executable,
        "-m",
        "explainspec.cli",
        "verify",
        str(path),
        "--plugin",
        "budget_plugins",
    ]
    run = subprocess.Popen(
        [*cmd, "--claim-timeout", "3600", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen: set[int] = set()
    try:
        # the run is under way once a worker has been forked by the forkserver (3 processes: the
        # resource tracker, the forkserver, a worker); then give the worker time to reach the
        # method, which sleeps for an hour
        deadline = time.monotonic() + 120
        while len(seen) < 3 and time.monotonic() < deadline and run.poll() is None:
            seen |= _descendants(run.pid)
            time.sleep(0.2)
        assert len(seen) >= 3, f"the run did not start its workers: {seen}"
        time.sleep(5)
        seen |= _descendants(run.pid)
        assert run.poll() is None, "the run ended although its method never returns"
        run.send_signal(signal.SIGTERM)
        run.wait(timeout=30)
        deadline = time.monotonic() + 20
        while any(_running(p) for p in seen) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = sorted(p for p in seen if _running(p))
        assert not left, f"processes of the killed run still running: {left}"
    finally:
        if run.poll() is None:
            run.kill()
        for pid in seen:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
