"""Unbounded memory: ``--memory-limit`` caps the verify process and each of its workers.

An allocation beyond the cap is a ``MemoryError`` inside the claim, which ends as an ``error``
(ES341); the run goes on. The cap is ``RLIMIT_DATA`` (``explainspec.runner.budget`` says why
not ``RLIMIT_AS``); by default half the machine's memory.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from explainspec.cli import main
from explainspec.runner import budget

HERE = Path(__file__).parent
LIMIT = 1536 * 2**20  # far above what a verify process needs (~0.5 GiB), below the hog's 3 GiB


def _spec(name: str, method: str) -> str:
    return textwrap.dedent(
        f"""\
        spec {name} "Memory under a cap" {{
            method = {method}
            output = attribution
            question "How does f(x) minus the mean prediction split among the features?"
            world {{ function = linear; features = 1..2; data = grid(levels = 3); background = data; points = 1 }}
            claim efficiency holds "The attributions add up to f(x) minus the mean prediction." {{
                check sum(phi) == f(x) - mean(f(background)) within 1e-9
            }}
            claim one_feature holds "The same with one feature." {{
                world {{ features = 1 }}
                check sum(phi) == f(x) - mean(f(background)) within 1e-9
            }}
        }}
        """
    )


def _verify(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict, list]:
    for name, method in (("hog", "budget.hog"), ("probe", "budget.probe")):
        (tmp_path / f"{name}.espec").write_text(_spec(name, method))
    report, probe = tmp_path / "report.json", tmp_path / "probe.txt"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
        "NO_COLOR": "1",
        "EXPLAINSPEC_NO_CACHE": "1",
        "EXPLAINSPEC_TEST_PROBE": str(probe),
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "explainspec.cli",
            "verify",
            *args,
            "--plugin",
            "budget_plugins",
            "--profile",
            "fast",
            "--max-examples",
            "3",
            "--format",
            "json",
            "--output",
            str(report),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    claims = {f"{c['spec']}.{c['claim']}": c for c in json.loads(report.read_text())["claims"]}
    caps = [line.split() for line in probe.read_text().splitlines()] if probe.exists() else []
    return proc, claims, caps


@pytest.mark.parametrize("jobs", [pytest.param("1", marks=pytest.mark.slow), "2"])
def test_an_allocation_beyond_the_cap_is_an_error_and_every_process_is_capped(tmp_path, jobs):
    hog, probe = tmp_path / "hog.espec", tmp_path / "probe.espec"
    proc, claims, caps = _verify(
        tmp_path, str(hog), str(probe), "--memory-limit", "1536M", "--jobs", jobs
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    hogged = claims["hog.efficiency"]  # features 1..2: the search reaches a world with d = 2
    assert hogged["verdict"] == "error", hogged
    assert [d["code"] for d in hogged["diagnostics"]] == ["ES341"], hogged
    assert "MemoryError" in hogged["error"] and "--memory-limit 1.5 GiB" in hogged["error"]
    for name in ("hog.one_feature", "probe.efficiency", "probe.one_feature"):
        assert claims[name]["verdict"] == "verified", claims[name]
    # every process that ran a claim (this one with --jobs 1, the workers with --jobs 2)
    assert caps and {cap for _, cap in caps} == {str(LIMIT)}, caps


def test_the_default_cap_is_half_the_machine(tmp_path):
    proc, claims, caps = _verify(tmp_path, str(tmp_path / "probe.espec"), "--jobs", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    total = budget.machine_memory()
    assert total is not None and caps
    assert {cap for _, cap in caps} == {str(total // 2)}, caps


@pytest.mark.slow
def test_none_switches_the_cap_off_in_workers_too(tmp_path):
    proc, claims, caps = _verify(
        tmp_path, str(tmp_path / "probe.espec"), "--jobs", "2", "--memory-limit", "none"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    soft, _ = resource.getrlimit(resource.RLIMIT_DATA)
    inherited = "none" if soft == resource.RLIM_INFINITY else str(soft)
    assert caps and {cap for _, cap in caps} == {inherited}, caps


def test_a_bad_size_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "probe.espec").write_text(_spec("probe", "reference.shapley"))
    assert main(["verify", str(tmp_path / "probe.espec"), "--memory-limit", "lots"]) == 2
    assert "--memory-limit 'lots' is not a size" in capsys.readouterr().err


def test_a_cap_below_what_the_process_uses_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "probe.espec").write_text(_spec("probe", "reference.shapley"))
    assert main(["verify", str(tmp_path / "probe.espec"), "--memory-limit", "1M"]) == 2
    assert "is below what this process already uses" in capsys.readouterr().err


def test_the_cap_is_set_and_restored_in_this_process():
    before = resource.getrlimit(resource.RLIMIT_DATA)
    restore = budget.apply_memory_limit(2**45)  # 32 TiB: nothing here comes near it
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        assert soft == (2**45 if before[1] == resource.RLIM_INFINITY else min(2**45, before[1]))
        assert hard == before[1]  # only the soft limit: it can be undone
    finally:
        restore()
    assert resource.getrlimit(resource.RLIMIT_DATA) == before
    budget.apply_memory_limit(None)()  # no cap: nothing set, nothing to restore
    assert resource.getrlimit(resource.RLIMIT_DATA) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4G", 4 * 2**30),
        ("512m", 512 * 2**20),
        ("1.5GiB", 1536 * 2**20),
        ("100", 100),
        ("0", None),
        ("none", None),
        ("25%", "quarter"),
    ],
)
def test_sizes(text, expected):
    if expected == "quarter":
        expected = int(budget.machine_memory() * 0.25)
    assert budget.parse_memory_limit(text) == expected
