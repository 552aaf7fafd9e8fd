"""Hangs, crashes and interruptions: the run goes on, and the JSON report keeps what finished.

These tests run ``explainspec verify`` in a subprocess, with the plugin methods of
``crash_plugins`` (a method that sleeps forever, one that segfaults).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import crash_plugins

HERE = Path(__file__).parent


def verify(*args, **kwargs):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
        "NO_COLOR": "1",
        "EXPLAINSPEC_NO_CACHE": "1",  # every claim really runs
    }
    cmd = [
        sys.executable,
        "-m",
        "explainspec.cli",
        "verify",
        "--plugin",
        "crash_plugins",
        *map(str, args),
    ]
    # a session of its own, so the test can kill the run with every worker process it started
    return subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **kwargs,
    )


def test_a_hang_and_a_segfault_are_errors_and_the_run_goes_on(tmp_path):
    specs = [
        crash_plugins.write_spec(tmp_path, "a_hang", "hangs"),
        crash_plugins.write_spec(tmp_path, "b_segv", "segfault"),
        crash_plugins.write_spec(tmp_path, "c_ok", "ok"),
    ]
    report = tmp_path / "report.json"
    proc = verify(
        *specs,
        "--timeout",
        "1",
        "--profile",
        "fast",
        "--max-examples",
        "3",
        "--format",
        "json",
        "--output",
        report,
    )
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, err
    doc = json.loads(report.read_text())
    assert doc["status"] == "complete" and doc["timeout"] == 1
    by = {(c["spec"], c["claim"]): c for c in doc["claims"]}
    assert len(by) == 6
    for claim in ("efficiency", "dummy"):
        assert by[("a_hang", claim)]["verdict"] == "error"
        assert by[("a_hang", claim)]["diagnostics"][0]["code"] == "ES302"
        assert by[("b_segv", claim)]["verdict"] == "error"
        assert by[("b_segv", claim)]["diagnostics"][0]["code"] == "ES303"
        assert "SIGSEGV" in by[("b_segv", claim)]["error"]
        assert by[("c_ok", claim)]["verdict"] == "verified"
    assert "ES302" in out and "ES303" in out


def _wait_for_claims(report: Path, n: int, proc, limit: float = 120) -> dict:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if report.exists():
            doc = json.loads(report.read_text())  # always valid: written atomically
            if len(doc["claims"]) >= n:
                return doc
        time.sleep(0.05)
    raise AssertionError("no claim finished in time")


def test_a_killed_run_leaves_a_valid_report_of_the_finished_claims(tmp_path):
    ok = crash_plugins.write_spec(tmp_path, "a_ok", "ok")
    hang = crash_plugins.write_spec(tmp_path, "b_hang", "hangs")
    report = tmp_path / "report.json"
    proc = verify(ok, hang, "--profile", "fast", "--format", "json", "--output", report)
    _wait_for_claims(report, 2, proc)
    time.sleep(0.3)  # the hanging claim has started
    os.killpg(proc.pid, signal.SIGKILL)  # the run dies with its workers, mid-claim
    proc.communicate(timeout=30)
    doc = json.loads(report.read_text())
    assert doc["status"] == "running"  # the process died without finishing
    assert [(c["spec"], c["verdict"]) for c in doc["claims"]] == [
        ("a_ok", "verified"),
        ("a_ok", "verified"),
    ]


def test_ctrl_c_marks_the_report_interrupted_and_keeps_finished_claims(tmp_path):
    ok = crash_plugins.write_spec(tmp_path, "a_ok", "ok")
    hang = crash_plugins.write_spec(tmp_path, "b_hang", "hangs")
    report = tmp_path / "report.json"
    proc = verify(ok, hang, "--profile", "fast", "--format", "json", "--output", report)
    _wait_for_claims(report, 2, proc)
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground process group
    try:
        out, err = proc.communicate(timeout=60)
    finally:  # worker processes of the run that are still busy (the hanging method) go too
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 1, err
    doc = json.loads(report.read_text())
    assert doc["status"] == "interrupted" and doc["passed"] is False
    assert len(doc["claims"]) == 2
    assert "Interrupted" in out
