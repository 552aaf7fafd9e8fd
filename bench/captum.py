"""Where does a Captum spec spend its time, and is the torch module built once per world?

Runs ``explainspec verify SPEC --profile fast`` (through the Python API: the same runner) in a
fresh process per repetition, after importing torch, captum and explainspec's run modules (their
import is paid once per process, whatever the run's length), and splits every claim's time
(``ClaimResult.timings``, the JSON report's ``time`` fields) into:

- ``captum``: inside Captum's ``attribute`` calls, the model's forward and backward passes
  included (measured by wrapping ``attribute`` of every Captum attribution class, in this
  benchmark only);
- ``adapter``: the rest of the method time (``time.method`` minus ``captum``): explainspec's
  adapter, the handover of the module (a cache lookup after the first call of a world), the
  tensors in and out, the output's validation;
- ``oracles`` and ``checker`` (world generation, hypothesis, the check's interpreter).

The target: ``captum`` is at least 80% of the claim's total time for a Captum integrated-gradients
spec at ``fast``. The module count checks that ``f.handover("torch")`` builds one module per world
function and dtype: every build is counted against the distinct functions handed over.

Usage::

    python bench/captum.py [--spec specs/captum_integrated_gradients.espec] [--repeat 3]
                           [--claim NAME ...] [--json OUT] [--profile]

``--profile`` runs every claim under cProfile (inside the claim's thread) and splits the claims'
time further: Captum's Gauss-Legendre nodes, the handover, world drawing, hypothesis' pareto
front, shrinking and target phases (profiling inflates the Python-heavy parts).

Numbers are measured in this run only (no stored baseline); the machine's load is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# this file is named like the library: keep `import captum` from finding it (script directory)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
DEFAULT_SPEC = ROOT / "specs" / "captum_integrated_gradients.espec"


def child(args: argparse.Namespace) -> int:
    """One repetition: import, instrument, run verify once, print the split as JSON."""
    import functools
    import importlib

    import torch  # noqa: F401
    from captum import attr

    import explainspec
    from explainspec.worlds import handover_torch

    for name in (
        "explainspec.runner.run",
        "explainspec.runner.claim",
        "explainspec.oracles",
        "explainspec.oracles.paths",
        "explainspec.methods.captum_adapters",
        "explainspec.worlds.strategies",
        "explainspec.expr",
    ):
        importlib.import_module(name)

    inside = {"captum": 0.0, "calls": 0, "depth": 0}

    def timed(method):
        @functools.wraps(method)
        def run(*a, **k):
            if inside["depth"]:  # NoiseTunnel and GradientShap call other methods: count once
                return method(*a, **k)
            inside["depth"] += 1
            start = time.perf_counter()
            try:
                return method(*a, **k)
            finally:
                inside["captum"] += time.perf_counter() - start
                inside["calls"] += 1
                inside["depth"] -= 1

        return run

    for cls_name in attr.__all__:
        cls = getattr(attr, cls_name)
        if isinstance(cls, type) and "attribute" in vars(cls):
            cls.attribute = timed(vars(cls)["attribute"])

    builds = {"modules": 0, "rebuilt": 0, "handovers": 0}
    original_build = handover_torch.build
    original_handover = handover_torch.handover
    depth = [0]

    def counting_build(f, torch_module):
        depth[0] += 1  # sums and closures build their parts: count the outermost build only
        try:
            return original_build(f, torch_module)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                builds["modules"] += 1
                n = f.__dict__.get("_bench_builds", 0) + 1
                f.__dict__["_bench_builds"] = n
                builds["rebuilt"] += n > 1  # a function whose module was built before

    def counting_handover(f, form="torch"):
        builds["handovers"] += 1
        return original_handover(f, form)

    handover_torch.build = counting_build
    handover_torch.handover = counting_handover

    profiler = None
    if args.profile:
        import cProfile

        from explainspec.runner import claim as claim_module

        profiler = cProfile.Profile()
        plain_run = claim_module.ClaimRun.run

        def profiled_run(self):
            profiler.enable()
            try:
                return plain_run(self)
            finally:
                profiler.disable()

        claim_module.ClaimRun.run = profiled_run

    spec = explainspec.load(args.spec)
    started = time.perf_counter()
    result = explainspec.verify(spec, profile="fast", seed=args.seed, claims=args.claim or None)
    wall = time.perf_counter() - started
    split = _split(profiler) if profiler is not None else None
    claims = [
        {
            "claim": c.claim,
            "verdict": c.verdict.value,
            "total": c.timings.total,
            "method": c.timings.method,
            "oracles": c.timings.oracles,
            "checker": c.timings.checker,
        }
        for c in result
    ]
    print(
        json.dumps(
            {
                "wall": wall,
                "claims": claims,
                "captum": inside["captum"],
                "captum_calls": inside["calls"],
                "modules_built": builds["modules"],
                "modules_rebuilt": builds["rebuilt"],
                "handovers": builds["handovers"],
                "profile": split,
            }
        )
    )
    return 0


#: (label, file suffix, function): cumulative times read from the profile
PARTS = (
    ("claim runs (total)", "runner/claim.py", "run"),
    ("Captum attribute (Captum and the model)", "captum/log/dummy_log.py", "wrapper"),
    ("  of which Gauss-Legendre nodes (leggauss)", "polynomial/legendre.py", "leggauss"),
    ("method call (adapter and Captum)", "methods/call.py", "call_method"),
    ("  of which f.handover('torch')", "worlds/handover_torch.py", "handover"),
    ("drawing worlds", "worlds/strategies.py", "_worlds"),
    ("hypothesis pareto front (add)", "conjecture/pareto.py", "add"),
    ("hypothesis shrinking (methods re-run included)", "conjecture/engine.py", "shrink"),
    (
        "hypothesis target phase (methods re-run included)",
        "conjecture/engine.py",
        "optimise_targets",
    ),
)


def _split(profiler) -> dict[str, float]:
    import pstats

    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    return {
        label: sum(v[3] for k, v in stats.items() if k[0].endswith(suffix) and k[2] == name)
        for label, suffix, name in PARTS
    }


def _load() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:  # pragma: no cover - not on Linux
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", default=str(DEFAULT_SPEC))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--claim", action="append", default=[])
    ap.add_argument("--json", default=None, help="write every repetition's numbers here")
    ap.add_argument("--profile", action="store_true", help="split the time further (cProfile)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args)

    env = {**os.environ, "EXPLAINSPEC_NO_CACHE": "1"}
    runs = []
    load_before = _load()
    for _ in range(args.repeat):
        cmd = [sys.executable, __file__, "--child", "--spec", args.spec, "--seed", str(args.seed)]
        for c in args.claim:
            cmd += ["--claim", c]
        if args.profile:
            cmd.append("--profile")
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1))

    def share(run: dict) -> float:
        total = sum(c["total"] for c in run["claims"])
        return run["captum"] / total if total else 0.0

    median = sorted(runs, key=share)[len(runs) // 2]
    total = sum(c["total"] for c in median["claims"])
    method = sum(c["method"] for c in median["claims"])
    oracles = sum(c["oracles"] for c in median["claims"])
    checker = sum(c["checker"] for c in median["claims"])
    captum = median["captum"]
    spec = Path(args.spec).name
    print(f"## captum.py ({spec}, profile fast, seed {args.seed}, {args.repeat} repetitions)\n")
    print(f"load average before: {load_before}; after: {_load()}\n")
    print("| part | seconds | share of the claims' time |")
    print("|---|---:|---:|")
    for name, value in (
        ("inside Captum (attribute: Captum and the model)", captum),
        ("adapter (method time outside attribute)", method - captum),
        ("oracles", oracles),
        ("checker (worlds, hypothesis, interpreter)", checker),
        ("total over the claims", total),
    ):
        print(f"| {name} | {value:.2f} | {value / total:.0%} |")
    print()
    shares = ", ".join(f"{share(r):.0%}" for r in runs)
    print(f"inside Captum, every repetition: {shares} (median {share(median):.0%}; target >= 80%)")
    print(
        f"Captum calls: {median['captum_calls']}; handovers: {median['handovers']}; torch modules "
        f"built: {median['modules_built']}, of which for a function already built: "
        f"{median['modules_rebuilt']} (target 0: one module per world function)"
    )
    print("\n| claim | verdict | total s | method s | oracles s | checker s |")
    print("|---|---|---:|---:|---:|---:|")
    for c in median["claims"]:
        print(
            f"| {c['claim']} | {c['verdict']} | {c['total']:.2f} | {c['method']:.2f} | "
            f"{c['oracles']:.2f} | {c['checker']:.2f} |"
        )
    if median.get("profile"):
        split = median["profile"]
        base = split["claim runs (total)"] or 1.0
        print("\n| under cProfile | s | share of the claim runs |")
        print("|---|---:|---:|")
        for label, value in split.items():
            print(f"| {label} | {value:.2f} | {value / base:.0%} |")
    print(
        f"\nmedian of the per-repetition wall times: {statistics.median(r['wall'] for r in runs):.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
