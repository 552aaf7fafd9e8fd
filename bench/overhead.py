"""How much of a verify run is spent outside the method and the oracles?

Runs ``explainspec verify`` (through the Python API, which drives the same runner) on the
built-in KernelSHAP spec (``specs/shap_kernel.espec``: shap's real ``KernelExplainer`` on
interaction worlds with 2-6 features) and splits the wall time of every claim into time inside
the method (the adapter call: building shap's explainer and running it), inside the oracles, and
the rest (world generation, hypothesis, check evaluation, validation of the method's output,
reporting). The target is wall <= 1.2 x (method + oracles).

Every repetition is a fresh Python process that runs one verify, as a user's run would; the
table shows the median repetition and the summary line every ratio. Two kinds of repetition:

- ``after imports`` (the target's measure): the process first imports numpy, shap, explainspec
  and the modules a run imports lazily (hypothesis, lark, the runner, the interpreter, the worlds,
  the oracles, the method's adapter), then times the run. Imports are the start-up of a process,
  paid once whatever the run's length; a run of the whole library pays them once too.
- ``cold``: only numpy, shap and explainspec are imported first, so the run also pays the lazy
  imports (about 0.1 s, more where Python cannot write its bytecode cache).

``--isolation`` also measures the ``--timeout`` worker path (claims in a worker process).

``--library`` measures the main job instead, the way a user runs it: ``explainspec verify specs/
--profile fast --jobs 1 --no-cache --format json`` in a fresh process per repetition. The ratio is
the run's elapsed time (the report's ``elapsed``: loading the specs, planning, every claim,
reporting) over the time inside the methods and the oracles summed over the claims; the process's
wall time (Python start-up and the imports of numpy, shap and scikit-learn included) is shown too.
One process runs every claim (``--jobs 1``): with more processes the claims overlap and the wall
time no longer compares with the summed time inside.

Usage::

    python bench/overhead.py [--repeat 5] [--profile fast] [--max-examples N] [--spec PATH]
                             [--isolation] [--json OUT]
    python bench/overhead.py --library [--repeat 3] [--specs DIR] [--json OUT]

Numbers are measured in this run only (no stored baseline).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: what a verify run imports after ``import explainspec`` (pre-imported for ``after imports``)
RUN_MODULES = (
    "hypothesis",
    "hypothesis.strategies",
    "lark",
    "explainspec.lang.parser",
    "explainspec.lang.loader",
    "explainspec.runner.run",
    "explainspec.runner.claim",
    "explainspec.runner.cache",
    "explainspec.expr",
    "explainspec.expr.builtins",
    "explainspec.worlds.strategies",
    "explainspec.oracles",
    "explainspec.methods.call",
    "explainspec.methods.shap_adapters",
    "explainspec.catalog",
)


def child(args: argparse.Namespace) -> int:
    """One repetition: import, run verify once, print the split as JSON."""
    import importlib

    started = time.perf_counter()
    import numpy  # noqa: F401
    import shap  # noqa: F401

    import explainspec

    if not args.cold:
        for name in RUN_MODULES:
            importlib.import_module(name)
    imports = time.perf_counter() - started

    start = time.perf_counter()
    result = explainspec.verify(
        args.spec,
        profile=args.profile,
        max_examples=args.max_examples,
        seed=args.seed,
        timeout=args.timeout,
    )
    wall = time.perf_counter() - start
    print(
        json.dumps(
            {
                "imports": imports,
                "wall": wall,
                "claims": [
                    {
                        "claim": c.claim,
                        "verdict": c.verdict.value,
                        "worlds": c.examples,
                        "method": c.timings.method,
                        "oracles": c.timings.oracles,
                        "checker": c.timings.checker,
                    }
                    for c in result
                ],
            }
        )
    )
    return 0


def repetition(args: argparse.Namespace, *, cold: bool, timeout: float | None) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        "--spec",
        str(args.spec),
        "--profile",
        args.profile,
        "--seed",
        str(args.seed),
    ]
    if args.max_examples is not None:
        cmd += ["--max-examples", str(args.max_examples)]
    if cold:
        cmd.append("--cold")
    if timeout is not None:
        cmd += ["--timeout", str(timeout)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"repetition failed:\n{proc.stderr[-2000:]}")
    run = json.loads(proc.stdout.strip().splitlines()[-1])
    run["method"] = sum(c["method"] for c in run["claims"])
    run["oracles"] = sum(c["oracles"] for c in run["claims"])
    run["checker"] = sum(c["checker"] for c in run["claims"])
    run["ratio"] = run["wall"] / (run["method"] + run["oracles"])
    return run


def library_run(args: argparse.Namespace) -> dict:
    """One fresh ``explainspec verify`` process on the library; the split from its JSON report."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        cmd = [
            sys.executable,
            "-m",
            "explainspec",
            "verify",
            str(args.specs),
            "--profile",
            args.profile,
            "--seed",
            str(args.seed),
            "--jobs",
            "1",
            "--no-cache",
            "--format",
            "json",
            "--output",
            str(out),
        ]
        if args.max_examples is not None:
            cmd += ["--max-examples", str(args.max_examples)]
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
        process = time.perf_counter() - start
        if proc.returncode not in (0, 1):
            raise SystemExit(f"verify failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        report = json.loads(out.read_text())
    claims = report["claims"]
    method = sum(c["time"]["method"] for c in claims)
    oracles = sum(c["time"]["oracles"] for c in claims)
    return {
        "process": process,
        "elapsed": report["elapsed"],
        "method": method,
        "oracles": oracles,
        "checker": sum(c["time"]["checker"] for c in claims),
        "ratio": report["elapsed"] / (method + oracles),
        "process_ratio": process / (method + oracles),
        "claims": len(claims),
        "worlds": sum(c["examples"] or 0 for c in claims),
        "verdicts": [[c["spec"], c["claim"], c["verdict"]] for c in claims],
        "summary": report["summary"],
    }


def library(args: argparse.Namespace) -> int:
    """``--library``: the main job's overhead, ``--repeat`` fresh processes."""
    runs = [library_run(args) for _ in range(args.repeat)]
    ratios, median, shown = _median_run(runs)
    print(
        f"main job: explainspec verify {args.specs.name}/ --profile {args.profile} --jobs 1 "
        f"--no-cache; {len(runs)} fresh processes"
    )
    print(
        f"  run elapsed / (method + oracles) = {', '.join(f'{x:.3f}' for x in ratios)}; "
        f"median {median:.3f} (target <= 1.2)"
    )
    process_ratios = [r["process_ratio"] for r in runs]
    print(
        "  process wall / (method + oracles) = "
        f"{', '.join(f'{x:.3f}' for x in process_ratios)}; "
        f"median {statistics.median(process_ratios):.3f}"
    )
    print(
        f"  median repetition: {shown['claims']} claims, {shown['worlds']} worlds; elapsed "
        f"{shown['elapsed']:.1f} s (process {shown['process']:.1f} s), method "
        f"{shown['method']:.1f} s, oracles {shown['oracles']:.2f} s, checker "
        f"{shown['checker']:.1f} s ({1000 * shown['checker'] / max(shown['worlds'], 1):.2f} ms "
        f"per world); {shown['summary']}"
    )
    same = all(r["verdicts"] == runs[0]["verdicts"] for r in runs)
    print(f"  same verdicts in every repetition: {same}")
    if args.json:
        args.json.write_text(json.dumps({"ratios": ratios, "median": median, "runs": runs}))
    return 0 if same else 1


def _median_run(runs: list[dict]) -> tuple[list[float], float, dict]:
    """Every repetition's ratio, their median, and the repetition nearest it (shown in full)."""
    ratios = [r["ratio"] for r in runs]
    median = statistics.median(ratios)
    return ratios, median, min(runs, key=lambda r: abs(r["ratio"] - median))


def summarise(label: str, runs: list[dict]) -> dict:
    ratios, median, shown = _median_run(runs)
    print(
        f"\n{label}: {len(runs)} fresh processes; wall / (method + oracles) = "
        f"{', '.join(f'{x:.3f}' for x in ratios)}; median {median:.3f} (target <= 1.2)"
    )
    print(
        f"  median repetition: wall {shown['wall']:.2f} s, method {shown['method']:.2f} s, "
        f"oracles {shown['oracles']:.2f} s, checker {shown['checker']:.2f} s "
        f"(imports before the run: {shown['imports']:.2f} s)"
    )
    print(
        f"  {'claim':40s} {'verdict':10s} {'worlds':>6s} {'method':>8s} {'oracles':>8s} "
        f"{'checker':>8s} {'ratio':>6s}"
    )
    for c in shown["claims"]:
        inside = c["method"] + c["oracles"]
        r = (inside + c["checker"]) / inside if inside > 0 else float("inf")
        print(
            f"  {c['claim']:40s} {c['verdict']:10s} {c['worlds']:6d} {c['method']:8.2f} "
            f"{c['oracles']:8.2f} {c['checker']:8.2f} {r:6.2f}"
        )
    return {"label": label, "ratios": ratios, "median": median, "median_run": shown}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=ROOT / "specs" / "shap_kernel.espec")
    parser.add_argument("--profile", default="fast")
    parser.add_argument("--max-examples", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per kind (5)")
    parser.add_argument(
        "--isolation", action="store_true", help="also measure the --timeout worker path"
    )
    parser.add_argument("--json", type=Path, help="write the numbers here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cold", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--timeout", type=float, default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--library", action="store_true", help="measure the main job (verify specs/) instead"
    )
    parser.add_argument("--specs", type=Path, default=ROOT / "specs", help="with --library")
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    if args.library:
        return library(args)

    kinds = [("after imports", False, None), ("cold", True, None)]
    if args.isolation:
        kinds.append(("isolated (--timeout 600), after imports", False, 600.0))
    runs: dict[str, list[dict]] = {label: [] for label, _, _ in kinds}
    for _ in range(args.repeat):  # interleaved, so a change of machine load hits every kind
        for label, cold, timeout in kinds:
            runs[label].append(repetition(args, cold=cold, timeout=timeout))
    rows = [
        summarise(f"{label}, {args.spec.name}, profile {args.profile}", runs[label])
        for label, _, _ in kinds
    ]
    verdicts = {
        label: [[c["verdict"] for c in r["claims"]] for r in rs] for label, rs in runs.items()
    }
    same = all(v == verdicts[kinds[0][0]][0] for vs in verdicts.values() for v in vs)
    print(f"\nsame verdicts in every repetition: {same}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
