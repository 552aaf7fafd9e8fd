"""Are the Captum specs' verdicts the same at every seed and profile?

Runs ``explainspec verify specs/captum_*.espec --profile P --seed S --no-cache --format json``
once per (profile, seed), without the results cache (each run decides afresh), then prints one row
per claim with its verdict at every (profile, seed) and marks the claims whose verdict changes.
``--reports DIR`` tabulates reports written earlier (files ``PROFILE-SEED.json``) instead of
running. Exit status 1 when a claim failed, a run did not complete (left out of the table) or
a claim's verdict depends on the seed or profile.

Usage::

    python bench/captum_seeds.py [--profiles fast standard] [--seeds 0 1 2 3 4] [--jobs 2]
                                 [--reports DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(profile: str, seed: int, out: Path, jobs: int) -> Path:
    report = out / f"{profile}-{seed}.json"
    specs = sorted(str(p) for p in (ROOT / "specs").glob("captum_*.espec"))
    cmd = [sys.executable, "-m", "explainspec", "verify", *specs, "--profile", profile]
    cmd += ["--seed", str(seed), "--jobs", str(jobs), "--no-cache", "--format", "json"]
    start = time.perf_counter()
    proc = subprocess.run(
        [*cmd, "--output", str(report)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1"},
    )
    print(
        f"{profile} seed {seed}: exit {proc.returncode}, {time.perf_counter() - start:.0f} s",
        file=sys.stderr,
    )
    return report


def table(reports: dict[tuple[str, int], Path]) -> int:
    columns = sorted(reports, key=lambda k: (k[0] != "fast", k[0], k[1]))
    verdicts: dict[tuple[str, str], dict[tuple[str, int], str]] = {}
    failed = incomplete = 0
    for key in list(columns):
        data = json.loads(reports[key].read_text("utf-8"))
        if data["status"] != "complete":  # an interrupted or still running verify
            print(f"{reports[key]}: {data['status']}, left out", file=sys.stderr)
            incomplete += 1
            columns.remove(key)
            continue
        for c in data["claims"]:
            verdicts.setdefault((c["spec"], c["claim"]), {})[key] = c["verdict"]
            failed += not c["passed"]
    header = " ".join(f"{p[0]}{s}" for p, s in columns)
    print(f"{'claim':62} {header}  stable")
    unstable = 0
    for (spec, claim), row in sorted(verdicts.items()):
        cells = [row.get(k, "-") for k in columns]
        stable = len(set(cells)) == 1
        unstable += not stable
        short = " ".join(f"{v[:2]:>2}" for v in cells)
        print(f"{spec + '.' + claim:62.62} {short}  {'yes' if stable else 'NO'}")
    kinds = {
        v: sum(v == x for r in verdicts.values() for x in r.values()) for v in ("verified", "shown")
    }
    print(
        f"{len(verdicts)} claims x {len(columns)} runs; verdicts {kinds}; "
        f"{failed} failed; {unstable} claims whose verdict changes; {incomplete} runs incomplete\n"
    )
    # per spec, as a Markdown table (the how-to's): the verdict of each claim at the first run
    # and whether every run gave every claim of the spec that same verdict
    print("| spec | claims | verified | shown | same verdict in every run |")
    print("| --- | ---: | ---: | ---: | --- |")
    for spec in sorted({s for s, _ in verdicts}):
        rows = [r for (s, _), r in verdicts.items() if s == spec]
        first = [r.get(columns[0], "-") for r in rows]
        same = all(len(set(r.get(k, "-") for k in columns)) == 1 for r in rows)
        print(
            f"| `{spec}` | {len(rows)} | {first.count('verified')} | {first.count('shown')} "
            f"| {'yes' if same else 'no'} |"
        )
    return 1 if failed or unstable or incomplete else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profiles", nargs="+", default=["fast", "standard"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--reports", type=Path, help="tabulate PROFILE-SEED.json files of this folder")
    ap.add_argument("--out", type=Path, default=Path("captum-seeds"), help="where runs write")
    args = ap.parse_args()
    reports: dict[tuple[str, int], Path] = {}
    if args.reports:
        for p in sorted(args.reports.glob("*-*.json")):
            profile, seed = p.stem.rsplit("-", 1)
            if profile in args.profiles and int(seed) in args.seeds:
                reports[profile, int(seed)] = p
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        for profile in args.profiles:
            for seed in args.seeds:
                reports[profile, seed] = run(profile, seed, args.out, args.jobs)
    return table(reports)


if __name__ == "__main__":
    sys.exit(main())
