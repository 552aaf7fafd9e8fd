"""The edit-verify loop of one shap spec: a cold run, a second cold run, and ``verify --watch``.

Every number is measured in this run, by running ``explainspec verify`` in subprocesses, with
numba's file cache (runner/jitcache.py) in a fresh empty folder:

1. ``verify SPEC --profile fast --jobs 1 --no-cache``: the baseline, the first run on a machine
   (numba compiles shap's code and writes it to the empty folder);
2. the same command again: a second cold process (numba loads the compiled code from disk);
3. ``verify --watch SPEC`` with the same options: the time of its first round, then the time from
   writing an edit of one claim (a different tolerance) to the printed verdict of that claim
   (the watcher polls every 0.2 s; that wait is included).

Peak memory: ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` after each command (the largest
process so far).

Usage::

    python bench/watch.py [--spec specs/shap_exact.espec] [--jobs 1]

Targets (issue 21): (2) <= 0.5 x (1); the warm re-verify of one changed claim <= 2 s.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EDIT = ("within 1e-9", "within 1e-8")


def _env(numba: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "EXPLAINSPEC_NO_CACHE")}
    return env | {"NO_COLOR": "1", "NUMBA_CACHE_DIR": str(numba)}


def cold(spec: Path, numba: Path, jobs: int) -> tuple[float, str]:
    cmd = [sys.executable, "-m", "explainspec", "verify", str(spec), "--profile", "fast"]
    cmd += ["--jobs", str(jobs), "--no-cache"]
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=_env(numba), cwd=spec.parent)
    wall = time.perf_counter() - t
    if out.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {out.returncode}:\n{out.stderr}")
    return wall, _verdicts(out.stdout)


def _verdicts(text: str) -> str:
    found = re.findall(r"^\s+\S+ (\w+) \(\w+\): (\w+)", text, re.M)
    return ", ".join(f"{claim}: {verdict}" for claim, verdict in sorted(found))


def _wait(path: Path, count: int, proc: subprocess.Popen, timeout: float = 600.0) -> float:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.read_text().count("waiting for changes") >= count:
            return time.perf_counter()
        if proc.poll() is not None:
            raise SystemExit(f"--watch exited {proc.returncode}:\n{path.read_text()}")
        time.sleep(0.02)
    raise SystemExit(f"--watch printed no verdicts in {timeout} s:\n{path.read_text()}")


def warm(spec: Path, numba: Path, jobs: int) -> tuple[float, float, str]:
    cmd = [sys.executable, "-m", "explainspec", "verify", "--watch", str(spec)]
    cmd += ["--profile", "fast", "--jobs", str(jobs), "--no-cache"]
    log = spec.parent / "watch.txt"
    with log.open("w") as sink:
        t = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdout=sink, stderr=subprocess.STDOUT, env=_env(numba), cwd=spec.parent
        )
        try:
            first = _wait(log, 1, proc) - t
            text = spec.read_text()
            assert EDIT[0] in text, f"the spec has no {EDIT[0]!r} to edit"
            t = time.perf_counter()
            spec.write_text(text.replace(EDIT[0], EDIT[1], 1))
            edit = _wait(log, 2, proc) - t
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    second = log.read_text().split("waiting for changes")[1]
    return first, edit, _verdicts(second)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", default=str(ROOT / "specs" / "shap_exact.espec"))
    ap.add_argument("--jobs", type=int, default=1)
    opts = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="explainspec-bench-watch-") as tmp:
        work = Path(tmp)
        spec = work / Path(opts.spec).name
        shutil.copy(opts.spec, spec)
        numba = work / "numba"
        first, v1 = cold(spec, numba, opts.jobs)
        second, v2 = cold(spec, numba, opts.jobs)
        round1, edit, v3 = warm(spec, numba, opts.jobs)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rows = [
        ("cold run, empty numba cache (baseline)", first),
        ("second cold run, numba cache on disk", second),
        ("--watch, first round", round1),
        ("--watch, one claim edited: its verdict printed", edit),
    ]
    print(f"spec {Path(opts.spec).name}, --profile fast --jobs {opts.jobs} --no-cache")
    print()
    print("| run | wall (s) | ratio to baseline |")
    print("|---|---:|---:|")
    for name, wall in rows:
        print(f"| {name} | {wall:.2f} | {wall / first:.3f} |")
    print()
    print(f"second cold / first cold: {second / first:.3f} (target <= 0.5)")
    print(f"warm re-verify of one changed claim: {edit:.2f} s (target <= 2 s)")
    print(f"same verdicts in both cold runs: {v1 == v2}")
    print(f"verdict of the edited claim: {v3}")
    print(f"peak RSS of any process: {peak:.0f} MiB (target <= 2048)")
    print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
