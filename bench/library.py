"""The built-in spec library: wall time, peak memory, parallel speedup and the cached re-run.

Every number is measured in this run, by running ``explainspec verify`` in a subprocess:

1. ``--jobs 1 --no-cache`` at the ``fast`` profile: the baseline (one process does everything);
2. ``--jobs 2`` at ``fast`` with a fresh results cache (cold): the speedup is (1) / (2), and the
   verdicts and counterexamples of (1) and (2) are compared claim by claim (they must be equal);
3. the same command again (warm: nothing changed, every claim is a cache hit);
4. with ``--standard``: the ``standard`` profile with ``--jobs 2`` (cold cache).

Peak memory is ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` read in a wrapper process around
each command: the largest resident set of any one process of that run (with ``--jobs 1`` that is
the whole verification; with ``--jobs 2`` it is the largest of the parent and its workers).

Usage::

    python bench/library.py [--specs DIR] [--standard] [--jobs N] [--json OUT]

Targets (issue 8): (1)/(2) >= 1.7 on 2 cores; (2) <= 5 min; peak memory <= 2 GiB; (3) < 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_WRAPPER = r"""
import json, resource, subprocess, sys, tempfile, time
import psutil
t = time.perf_counter()
err = tempfile.TemporaryFile("w+")  # not a pipe: a chatty run must not block on it
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=err, text=True)
top, tree = psutil.Process(proc.pid), 0
while proc.poll() is None:  # the sum over the process and its workers, sampled every 0.1 s
    try:
        procs = [top, *top.children(recursive=True)]
        tree = max(tree, sum(p.memory_info().rss for p in procs if p.is_running()))
    except psutil.Error:
        pass
    time.sleep(0.1)
err.seek(0)
stderr = err.read()
wall = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
print(json.dumps({"wall": wall, "peak_kib": peak, "tree_kib": tree // 1024, "rc": proc.returncode,
                  "stderr": stderr[-2000:]}))
"""


def measure(args: list[str], cwd: Path) -> dict:
    """Run ``explainspec ARGS`` in ``cwd``; wall seconds, peak KiB, exit code."""
    cmd = [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "explainspec.cli", *args]
    if args[0] == "which":  # where explainspec is imported from
        cmd = [sys.executable, "-c", "import explainspec; print(explainspec.__file__)"]
        return {"file": subprocess.run(cmd, cwd=cwd, capture_output=True, text=True).stdout}
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("EXPLAINSPEC_NO_CACHE", None)
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=True, env=env)
    row = json.loads(out.stdout.strip().splitlines()[-1])
    row["command"] = "explainspec " + " ".join(args)
    output = args[args.index("--output") + 1] if "--output" in args else None
    times = (
        [c["seconds"] for c in json.loads((cwd / output).read_text())["claims"]] if output else []
    )
    row["claim_sum"], row["claim_max"] = sum(times), max(times, default=0.0)
    if row["rc"] not in (0, 1):
        raise SystemExit(f"{row['command']} exited with {row['rc']}:\n{row['stderr']}")
    return row


_SPIN = "import time; t = time.perf_counter(); sum(i * i for i in range(6_000_000)); print(time.perf_counter() - t)"


def parallelism(jobs: int) -> float:
    """How many of ``jobs`` CPU-bound processes really run at once on this machine right now:
    ``jobs x`` (time of one spin loop alone) / (time of ``jobs`` copies run together)."""

    def spin(n: int) -> float:
        procs = [
            subprocess.Popen([sys.executable, "-c", _SPIN], stdout=subprocess.PIPE, text=True)
            for _ in range(n)
        ]
        return max(float(p.communicate()[0]) for p in procs)

    alone = min(spin(1) for _ in range(2))
    together = min(spin(jobs) for _ in range(2))
    return jobs * alone / together


def claims(report: Path) -> dict:
    doc = json.loads(report.read_text())
    return {
        (c["spec"], c["claim"]): (c["verdict"], c["margin"], c["counterexample"])
        for c in doc["claims"]
    }


def summary(report: Path) -> str:
    doc = json.loads(report.read_text())
    return ", ".join(f"{n} {v}" for v, n in sorted(doc.get("summary", {}).items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--specs",
        help="spec folder, copied before the first run (default: specs/ as committed at --ref)",
    )
    ap.add_argument("--ref", default="HEAD", help="the commit whose specs/ to measure (HEAD)")
    ap.add_argument("--jobs", type=int, default=2, help="workers of the parallel run (default 2)")
    ap.add_argument("--standard", action="store_true", help="also the standard profile")
    ap.add_argument("--json", help="write the measurements here")
    opts = ap.parse_args(argv)

    rows = []
    with tempfile.TemporaryDirectory(prefix="explainspec-bench-") as tmp:
        work = Path(tmp)
        # a snapshot: the library may be edited while the benchmark runs
        specs = str(work / "specs")
        if opts.specs:
            shutil.copytree(opts.specs, specs)
            where = f"{opts.specs} (copied)"
        else:
            # the package too (run from the snapshot): other work on the tree would otherwise
            # change explainspec's source digest, a part of every cache key, between the runs
            archive = subprocess.run(
                ["git", "archive", opts.ref, "specs", "explainspec", "grammars"],
                cwd=ROOT,
                capture_output=True,
                check=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(work)], input=archive, check=True)
            os.environ["PYTHONPATH"] = str(work)
            commit = subprocess.run(
                ["git", "rev-parse", "--short", opts.ref],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            where = f"specs/ and explainspec/ at commit {commit}"
            imported = measure(["which"], work)["file"].strip()
            assert imported.startswith(str(work)), f"explainspec imported from {imported}"
        cache = work / "cache.sqlite"
        common = [specs, "--profile", "fast", "--format", "json"]
        r1 = measure(["verify", *common, "--jobs", "1", "--no-cache", "--output", "j1.json"], work)
        rows.append(("fast, --jobs 1, no cache (baseline)", r1))
        cached_run = [
            "verify",
            *common,
            "--jobs",
            str(opts.jobs),
            "--cache",
            str(cache),
            "--example-db",
            str(work / "hyp"),
        ]
        probe = parallelism(opts.jobs)
        r2 = measure([*cached_run, "--output", "j2.json"], work)
        probe = (probe + parallelism(opts.jobs)) / 2
        rows.append((f"fast, --jobs {opts.jobs}, cold cache", r2))
        r3 = measure([*cached_run, "--output", "j3.json"], work)
        rows.append((f"fast, --jobs {opts.jobs}, re-run, nothing changed", r3))
        # the usual re-verification after a code change: every result invalid, but the cache
        # knows how long each claim took, so the longest are submitted first
        import sqlite3

        with sqlite3.connect(cache) as db:
            db.execute("DELETE FROM results")
        r5 = measure([*cached_run, "--output", "j5.json"], work)
        rows.append((f"fast, --jobs {opts.jobs}, durations known, no results (longest first)", r5))
        a, b = claims(work / "j1.json"), claims(work / "j2.json")
        differ5 = sorted(
            f"{s}.{c}" for s, c in a if a[s, c] != claims(work / "j5.json").get((s, c))
        )
        differ = sorted(f"{s}.{c}" for s, c in a if a[s, c] != b.get((s, c)))
        cached = sum(
            1 for c in json.loads((work / "j3.json").read_text())["claims"] if c.get("cached")
        )
        verdicts = summary(work / "j1.json")
        if opts.standard:
            r4 = measure(
                [
                    "verify",
                    specs,
                    "--profile",
                    "standard",
                    "--format",
                    "json",
                    "--jobs",
                    str(opts.jobs),
                    "--no-cache",
                    "--output",
                    "j4.json",
                ],
                work,
            )
            rows.append((f"standard, --jobs {opts.jobs}, no cache", r4))
            verdicts_standard = summary(work / "j4.json")

    base = r1["wall"]
    print(f"Built-in library: {where}, {len(a)} claims; verdicts at fast: {verdicts}")
    if opts.standard:
        print(f"verdicts at standard: {verdicts_standard}")
    print()
    print(
        "| run | wall (s) | ratio to baseline | sum of claim times (s) | longest claim (s) "
        "| peak RSS, largest process (MiB) | peak RSS, all processes (MiB) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in rows:
        print(
            f"| {name} | {r['wall']:.1f} | {r['wall'] / base:.3f} | {r['claim_sum']:.1f} "
            f"| {r['claim_max']:.1f} | {r['peak_kib'] / 1024:.0f} | {r['tree_kib'] / 1024:.0f} |"
        )
    print()
    print(
        f"speedup --jobs {opts.jobs} vs --jobs 1: {base / r2['wall']:.2f}x on a cold cache (estimated "
        f"cost order), {base / r5['wall']:.2f}x with durations known (longest first) (target >= 1.7x)"
    )
    bound = r1["claim_sum"] / max(r1["claim_sum"] / opts.jobs, r1["claim_max"])
    print(
        f"  bound from the baseline's claim times (sum / max(sum / jobs, longest claim)): "
        f"{bound:.2f}x; claims ran {r2['claim_sum'] / r1['claim_sum']:.2f}x slower each on "
        f"{opts.jobs} workers than on 1 (1.0 on an otherwise idle machine with {opts.jobs}+ "
        f"cores; load average now {os.getloadavg()[0]:.1f})"
    )
    print(
        f"  CPU-bound processes that ran at once out of {opts.jobs} (spin-loop probe before and "
        f"after the --jobs {opts.jobs} run, averaged): {probe:.2f}"
    )
    print(f"cached re-run: {r3['wall']:.2f} s, {cached}/{len(a)} claims cached (target < 5 s)")
    print(
        f"claims whose verdict, margin or counterexample differ between --jobs 1 and "
        f"--jobs {opts.jobs}: {len(differ)}{' ' + ', '.join(differ) if differ else ''}"
        f" (longest-first run: {len(differ5)})"
    )
    print("\ncommands (run in a temporary folder):")
    for _, r in rows:
        print(f"  {r['command']}")
    if opts.json:
        Path(opts.json).write_text(
            json.dumps(
                {
                    "rows": [{"name": n, **r} for n, r in rows],
                    "differ": differ,
                    "cached": cached,
                    "claims": len(a),
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
