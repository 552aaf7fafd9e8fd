"""Seed stability of the built-in spec library: does any verdict depend on the run seed?

Runs ``explainspec verify`` on the whole library, ``--no-cache``, at the ``fast`` profile over
seeds 0-9 and at the ``standard`` profile over seeds 0-4 (by default), and prints

- a table of every claim whose verdict is not the same under every seed of a profile (which
  verdict on which seeds), and
- the totals per profile (claims, claims with one verdict, claims whose verdict depends on the
  seed, the verdict counts summed over seeds, the wall time).

A verdict of the library must not depend on the seed: an ``answers``/``holds`` claim refuted on
some seed is a false alarm (or a real defect the other seeds miss), a ``does_not_answer`` claim
shown on some seeds only is a misreading the search does not reliably find (it needs an
``example`` world or a better-aimed world). Exit status 1 when any claim is seed-dependent.

The package and the specs are taken from a commit (``--ref``, default ``HEAD``) with ``git
archive``, so editing the tree while this runs (it takes long: 30-60 min on 2 shared cores)
changes nothing; ``--specs DIR`` verifies a folder instead (with the installed package). Each
run's JSON report is kept in ``--keep DIR`` if given; ``--reports DIR`` re-analyses kept
reports without running anything.

Usage::

    python bench/stability.py [--fast-seeds 0-9] [--standard-seeds 0-4] [--jobs 2]
                              [--ref HEAD | --specs DIR] [--keep DIR | --reports DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def seeds(text: str) -> list[int]:
    """``"0-9"`` -> 0..9, ``"1,4,7"`` -> [1, 4, 7], ``""`` -> []."""
    out: list[int] = []
    for part in filter(None, text.split(",")):
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def run_one(specs: str, profile: str, seed: int, jobs: int, out: Path, cwd: Path) -> float:
    """One ``explainspec verify`` of the library; the JSON report goes to ``out``."""
    cmd = [
        sys.executable, "-m", "explainspec.cli", "verify", specs,
        "--profile", profile, "--seed", str(seed), "--no-cache", "--jobs", str(jobs),
        "--format", "json", "--output", str(out),
    ]  # fmt: skip
    env = {**os.environ, "NO_COLOR": "1"}
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    # 0 passed, 1 some claim failed, 3 an internal error in some claim (verdict ``error``, in
    # the table like any other verdict); anything else, or an unfinished report, stops the bench
    done = out.exists() and json.loads(out.read_text()).get("status") == "complete"
    if proc.returncode not in (0, 1, 3) or not done:
        raise SystemExit(f"{' '.join(cmd)} exited with {proc.returncode}:\n{proc.stderr[-3000:]!r}")
    if proc.returncode == 3:
        print(f"  (exit 3: {proc.stderr.decode(errors='replace').strip()[-500:]})", flush=True)
    return wall


def verdicts(report: Path) -> dict[str, str]:
    """``spec.claim -> verdict`` of one JSON report."""
    doc = json.loads(report.read_text())
    return {f"{c['spec']}.{c['claim']}": c["verdict"] for c in doc["claims"]}


def analyse(runs: dict[str, dict[int, dict[str, str]]], walls: dict[str, float]) -> tuple[str, int]:
    """The table of seed-dependent claims and the totals; returns (text, number unstable)."""
    lines: list[str] = []
    unstable_total = 0
    for profile, by_seed in runs.items():
        claims = sorted(set().union(*(v.keys() for v in by_seed.values())))
        unstable = []
        totals: Counter[str] = Counter()
        for name in claims:
            seen: dict[str, list[int]] = defaultdict(list)
            for seed, v in sorted(by_seed.items()):
                seen[v.get(name, "missing")].append(seed)
                totals[v.get(name, "missing")] += 1
            if len(seen) > 1:
                unstable.append((name, seen))
        unstable_total += len(unstable)
        seed_list = sorted(by_seed)
        lines.append(
            f"profile {profile}, seeds {seed_list[0]}-{seed_list[-1]} ({len(seed_list)} runs, "
            f"--no-cache)" + (f", wall {walls[profile]:.0f} s" if profile in walls else "")
        )
        if unstable:
            lines.append("")
            lines.append("| claim | verdicts by seed |")
            lines.append("|---|---|")
            for name, seen in unstable:
                cell = "; ".join(
                    f"{verdict} on {', '.join(map(str, s))}" for verdict, s in sorted(seen.items())
                )
                lines.append(f"| {name} | {cell} |")
            lines.append("")
        summed = ", ".join(f"{n} {v}" for v, n in sorted(totals.items()))
        lines.append(
            f"  claims: {len(claims)}; same verdict on every seed: {len(claims) - len(unstable)}; "
            f"seed-dependent: {len(unstable)}; verdicts summed over seeds: {summed}"
        )
        lines.append("")
    return "\n".join(lines), unstable_total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fast-seeds", default="0-9", help="seeds of the fast profile (0-9)")
    ap.add_argument("--standard-seeds", default="0-4", help="seeds of the standard profile (0-4)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes per run (2)")
    ap.add_argument("--ref", default="HEAD", help="commit whose package and specs to run (HEAD)")
    ap.add_argument("--specs", help="verify this folder with the installed package instead")
    ap.add_argument("--keep", help="keep every run's JSON report in this folder")
    ap.add_argument("--reports", help="only analyse the reports kept in this folder")
    opts = ap.parse_args(argv)
    plan = [("fast", s) for s in seeds(opts.fast_seeds)]
    plan += [("standard", s) for s in seeds(opts.standard_seeds)]

    runs: dict[str, dict[int, dict[str, str]]] = defaultdict(dict)
    walls: dict[str, float] = defaultdict(float)
    if opts.reports:
        for profile, seed in plan:
            report = Path(opts.reports) / f"{profile}-{seed}.json"
            if report.exists() and json.loads(report.read_text()).get("status") == "complete":
                runs[profile][seed] = verdicts(report)  # (a run still going is not counted)
        text, unstable = analyse(runs, walls)
        print(text)
        return 1 if unstable else 0

    with tempfile.TemporaryDirectory(prefix="explainspec-stability-") as tmp:
        work = Path(tmp)
        if opts.specs:
            specs, where = str(Path(opts.specs).resolve()), opts.specs
        else:  # a snapshot of the package and the specs: the tree may change while this runs
            archive = subprocess.run(
                ["git", "archive", opts.ref, "specs", "explainspec", "grammars"],
                cwd=ROOT, capture_output=True, check=True,
            ).stdout  # fmt: skip
            subprocess.run(["tar", "-x", "-C", str(work)], input=archive, check=True)
            os.environ["PYTHONPATH"] = str(work)
            commit = subprocess.run(
                ["git", "rev-parse", "--short", opts.ref],
                cwd=ROOT, capture_output=True, text=True, check=True,
            ).stdout.strip()  # fmt: skip
            specs, where = str(work / "specs"), f"specs/ and explainspec/ at commit {commit}"
        keep = Path(opts.keep) if opts.keep else work / "reports"
        keep.mkdir(parents=True, exist_ok=True)
        print(f"# stability of {where}: {len(plan)} runs, --jobs {opts.jobs}", flush=True)
        for profile, seed in plan:
            report = keep / f"{profile}-{seed}.json"
            wall = run_one(specs, profile, seed, opts.jobs, report, work)
            walls[profile] += wall
            runs[profile][seed] = verdicts(report)
            print(f"  {profile} seed {seed}: {wall:.0f} s", flush=True)
        text, unstable = analyse(runs, walls)
        print()
        print(text)
    return 1 if unstable else 0


if __name__ == "__main__":
    raise SystemExit(main())
