"""Errors inside a claim: an internal error of explainspec is a clean ES309 ``error`` verdict and
the run exits 3; a method crash is the method's failure (ES301, exit 1). No traceback is printed
unless ``--debug``, which prints the full one (also from worker processes)."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import crash_plugins
import pytest
from hypothesis import strategies as st

from explainspec.cli import main

HERE = Path(__file__).parent

SPEC = """spec demo "Exact Shapley values" {
    method = METHOD
    output = attribution
    question "How does f(x) minus the mean prediction split among the features?"
    world { function = linear; features = 1..3; data = grid(levels = 3); background = data; points = 2 }
    claim efficiency holds "The attributions add up to f(x) minus the mean prediction." {
        check sum(phi) == f(x) - mean(f(background)) within 1e-9
    }
}
"""


@pytest.fixture
def spec(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")

    def write(method="reference.shapley"):
        path = tmp_path / "demo.espec"
        path.write_text(SPEC.replace("METHOD", method))
        return str(path)

    return write


def _broken_world_builder(spec):
    def build(_):
        raise ValueError("a world builder failed")

    return st.integers(0, 3).map(build)


def _verify(*args):
    return main(["verify", *args, "--profile", "fast", "--max-examples", "5", "--no-cache"])


def test_an_internal_error_in_a_world_builder_is_es309_and_exit_3(spec, capsys, monkeypatch):
    from explainspec import worlds

    monkeypatch.setattr(worlds, "from_world", _broken_world_builder)
    assert _verify(spec(), "--jobs", "1") == 3
    out, err = capsys.readouterr()
    assert "ES309" in out and "internal error of explainspec while generating worlds" in out
    assert "ValueError: a world builder failed" in out
    assert "exit 3" in err and "--debug shows the traceback" in err
    assert "Traceback" not in out + err


def test_debug_prints_the_traceback_of_an_internal_error(spec, capsys, monkeypatch):
    from explainspec import worlds

    monkeypatch.setattr(worlds, "from_world", _broken_world_builder)
    assert _verify(spec(), "--jobs", "1", "--debug") == 3
    out, err = capsys.readouterr()
    assert "Traceback (most recent call last)" in err and "in build" in err
    assert "Traceback" not in out  # the report itself stays clean


def test_an_internal_error_while_checking_a_world_is_es309(spec, capsys, monkeypatch):
    from explainspec.runner import claim

    def broken(*args, **kwargs):
        raise KeyError("no such quantity")

    monkeypatch.setattr(claim, "check_world", broken)
    assert _verify(spec(), "--jobs", "1") == 3
    out, _ = capsys.readouterr()
    assert "ES309" in out and "while checking a world: KeyError" in out
    assert "Traceback" not in out


def test_a_method_crash_is_the_methods_failure_exit_1(spec, capsys, tmp_path):
    assert (
        _verify(
            spec("crash.raises"),
            "--jobs",
            "1",
            "--format",
            "junit",
            "--output",
            str(tmp_path / "j.xml"),
        )
        == 1
    )
    out, err = capsys.readouterr()
    assert "ES301" in out and "planted failure in a plugin method" in out
    assert "Traceback" not in out + err
    # JUnit: an <error> (the claim could not be checked), pointing at the claim's line
    case = ET.parse(tmp_path / "j.xml").getroot().find(".//testcase")
    assert case.find("error") is not None and case.find("failure") is None
    assert case.get("file").endswith("demo.espec") and case.get("line") == "6"


def test_debug_prints_the_methods_traceback(spec, capsys):
    assert _verify(spec("crash.raises"), "--jobs", "1", "--debug") == 1
    _, err = capsys.readouterr()
    assert "Traceback (most recent call last)" in err
    assert "_planted_failure" in err and "RuntimeError: planted failure" in err


def test_debug_travels_with_the_claim_to_a_worker(spec):
    # what a pool or Dask worker runs: the options (debug included) cross with the plan
    from explainspec import load
    from explainspec.runner.parallel import Task, run_claim_task
    from explainspec.runner.plan import RunOptions, plan

    for debug in (False, True):
        options = RunOptions(profile="fast", max_examples=3, debug=debug)
        [(_, [claim])] = plan([load(spec("crash.raises"))], options)
        result = run_claim_task(Task(claim))
        assert [d.code for d in result.diagnostics] == ["ES301"]
        if debug:
            assert "_planted_failure" in result.traceback
        else:
            assert result.traceback is None


@pytest.mark.slow
def test_debug_is_honoured_in_worker_processes(spec, tmp_path):
    second = tmp_path / "other.espec"
    second.write_text(SPEC.replace("METHOD", "crash.raises").replace("spec demo", "spec other"))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
        "NO_COLOR": "1",
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "explainspec.cli",
            "verify",
            spec("crash.raises"),
            str(second),
            "--plugin",
            "crash_plugins",
            "--jobs",
            "2",
            "--no-cache",
            "--profile",
            "fast",
            "--debug",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.count("Traceback (most recent call last)") == 2, proc.stderr
    assert "_planted_failure" in proc.stderr and crash_plugins.__file__ in proc.stderr


def test_an_internal_error_outside_the_claims_is_one_line_and_exit_3(spec, capsys, monkeypatch):
    from explainspec.runner import run as run_module

    def broken(*args, **kwargs):
        raise RuntimeError("the planner broke")

    monkeypatch.setattr(run_module, "plan", broken)
    monkeypatch.delenv("EXPLAINSPEC_DEBUG", raising=False)
    assert _verify(spec(), "--jobs", "1") == 3
    _, err = capsys.readouterr()
    assert "internal error: RuntimeError: the planner broke" in err and "Traceback" not in err
    assert _verify(spec(), "--jobs", "1", "--debug") == 3
    _, err = capsys.readouterr()
    assert "Traceback (most recent call last)" in err and "in broken" in err
