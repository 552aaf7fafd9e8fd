"""How much of a verify run is spent outside the method and the oracles?

Runs ``explainspec verify`` (through the Python API, which drives the same runner) on the
built-in KernelSHAP spec (``specs/shap_kernel.espec``: shap's real ``KernelExplainer`` on
interaction worlds with 2-6 features) and splits the wall time of every claim into time inside
the method, inside the oracles, and the rest (world generation, hypothesis, check evaluation,
reporting). The target is wall <= 1.2 x (method + oracles). It also measures the cost of process
isolation (``--timeout``: claims run in a worker process) against the in-process default.

Usage::

    python bench/overhead.py [--profile fast] [--max-examples N] [--spec PATH] [--json OUT]

Numbers are measured in this run only (no stored baseline); see the printed table.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(
    spec_path: Path, *, profile: str, max_examples: int | None, timeout: float | None, seed: int
):
    import explainspec

    start = time.perf_counter()
    result = explainspec.verify(
        spec_path, profile=profile, max_examples=max_examples, seed=seed, timeout=timeout
    )
    wall = time.perf_counter() - start
    return wall, result


def summarise(label: str, wall: float, result) -> dict:
    method = sum(c.timings.method for c in result)
    oracles = sum(c.timings.oracles for c in result)
    checker = sum(c.timings.checker for c in result)
    inside = method + oracles
    ratio = wall / inside if inside > 0 else float("inf")
    print(
        f"\n{label}: wall {wall:.2f} s, method {method:.2f} s, oracles {oracles:.2f} s, checker {checker:.2f} s"
    )
    print(f"  wall / (method + oracles) = {ratio:.3f}   (target <= 1.2)")
    print(
        f"  {'claim':40s} {'verdict':10s} {'worlds':>6s} {'method':>8s} {'oracles':>8s} {'checker':>8s} {'ratio':>6s}"
    )
    for c in result:
        t = c.timings
        r = t.total / (t.method + t.oracles) if t.method + t.oracles > 0 else float("inf")
        print(
            f"  {c.claim:40s} {c.verdict.value:10s} {c.examples:6d} {t.method:8.2f} {t.oracles:8.2f} {t.checker:8.2f} {r:6.2f}"
        )
    return {
        "label": label,
        "wall": wall,
        "method": method,
        "oracles": oracles,
        "checker": checker,
        "ratio": ratio,
        "claims": {
            c.claim: {
                "verdict": c.verdict.value,
                "worlds": c.examples,
                "method": c.timings.method,
                "oracles": c.timings.oracles,
                "checker": c.timings.checker,
            }
            for c in result
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=ROOT / "specs" / "shap_kernel.espec")
    parser.add_argument("--profile", default="fast")
    parser.add_argument("--max-examples", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--isolation", action="store_true", help="also measure the --timeout worker path"
    )
    parser.add_argument("--json", type=Path, help="write the numbers here")
    args = parser.parse_args(argv)

    import numpy  # noqa: F401
    import shap  # noqa: F401

    import explainspec  # noqa: F401  (import cost is not part of the run)

    rows = []
    wall, result = run_once(
        args.spec,
        profile=args.profile,
        max_examples=args.max_examples,
        timeout=None,
        seed=args.seed,
    )
    rows.append(summarise(f"in-process, {args.spec.name}, profile {args.profile}", wall, result))
    if args.isolation:
        wall_iso, result_iso = run_once(
            args.spec,
            profile=args.profile,
            max_examples=args.max_examples,
            timeout=600.0,
            seed=args.seed,
        )
        rows.append(summarise("isolated (--timeout 600)", wall_iso, result_iso))
        same = [c.verdict for c in result] == [c.verdict for c in result_iso]
        print(
            f"\nisolation overhead: {wall_iso - wall:+.2f} s ({wall_iso / wall:.2f}x); same verdicts: {same}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
