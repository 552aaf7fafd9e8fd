"""Cost of ``explainspec probe`` against the verification of the same claims, in the same run.

Run: ``python bench/probe.py`` (``--profile``, ``--claims``, ``--repeat``). For each claim: the
seconds of its plain verification (``explainspec.verify`` through the runner, in this process),
the seconds of its probe (the claim as stated plus one run per step, in this process: ``--jobs
1``), the runner's own time of those claim runs (``claims``: the rest is the probe's overhead),
the number of steps run, and the ratio probe / verification against the bound (steps + 1). The
two are timed in turns (verification, probe; ``--repeat`` rounds, 3 by default) and the best of
each counts, so that load on the machine hits both alike (until probe3 the best of two
verifications was set against a single probe, which biased the ratio upwards under load). The
``rejected`` column counts the steps stopped early because nearly all their draws were rejected
(ES392). ``worlds`` is the same ratio counted in worlds checked instead of seconds (every call of
the claim's check: valid worlds, rejected ones and the shrinker's re-runs; counted by wrapping
``ClaimRun._check``): it does not depend on the load, and what ``ratio`` adds to it is the cost
of the steps' worlds being larger than the claim's. Not a test: timings are never asserted.

A verification of these claims takes 50-90 ms, and one process's figures move by 15% either side
with the memory layout alone: the same probe in processes that differ only in
``PYTHONHASHSEED`` (identical worlds and margins) gave ratios from 8.9 to 11.4
(bench/results.md, "Late session of 2026-12-03"). ``--processes K`` therefore runs the whole
measurement in K fresh processes (``PYTHONHASHSEED`` 0..K-1) and prints, per claim, the median
ratio over them with its range; ``--clock cpu`` times with ``time.process_time`` (CPU seconds of
this process, which the claims' threads run in with ``--jobs 1``) instead of the wall clock.
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

CLAIMS = (
    "shapley_interventional.espec:linear_model_closed_form",
    "shapley_interventional.espec:additive_components",
    "shapley_conditional.espec:linear_formula_under_independence",
    "shapley_conditional.espec:efficiency",
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--profile", default="fast")
    ap.add_argument("--claims", nargs="*", default=list(CLAIMS), metavar="FILE:CLAIM")
    ap.add_argument("--repeat", type=int, default=3, help="rounds of (verify, probe)")
    ap.add_argument(
        "--detail",
        action="store_true",
        help="each step's run time / the verification's, and its method, oracle and checker seconds",
    )
    ap.add_argument(
        "--processes", type=int, default=1, help="fresh processes (PYTHONHASHSEED 0..K-1)"
    )
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    ap.add_argument("--json", help=argparse.SUPPRESS)  # one process's ratios (--processes)
    args = ap.parse_args()
    if args.processes > 1:
        _across_processes(args)
        return
    clock = time.perf_counter if args.clock == "wall" else time.process_time

    import explainspec
    from explainspec.runner import claim as claim_module
    from explainspec.runner.plan import RunOptions
    from explainspec.runner.probe import probe

    checked = [0]
    check = claim_module.ClaimRun._check

    def counting(self: Any, world: Any) -> Any:
        checked[0] += 1
        return check(self, world)

    claim_module.ClaimRun._check = counting  # type: ignore[method-assign]

    explainspec.verify(explainspec.load(ROOT / "specs" / "gradient.espec"), profile="fast")  # warm
    print(f"profile {args.profile}; times in seconds")
    print(
        f"{'claim':60} {'verify':>8} {'probe':>8} {'claims':>8} {'steps':>5} {'ratio':>6} "
        f"{'bound':>6} {'rejected':>8} {'worlds':>7}"
    )
    total_v = total_p = 0.0
    ratios: dict[str, tuple[float, int, float]] = {}
    for item in args.claims:
        file, _, pattern = item.partition(":")
        spec = explainspec.load(ROOT / "specs" / file)
        options = RunOptions(profile=args.profile, claims=(pattern,))
        verify, probe_times = [], []
        for _ in range(max(1, args.repeat)):
            checked[0] = 0
            t = clock()
            explainspec.verify(spec, profile=args.profile, claims=[pattern])
            verify.append(clock() - t)
            worlds_v = checked[0]
            checked[0] = 0
            t = clock()
            found = list(probe([spec], options))  # the same steps and verdicts every round
            probe_times.append((clock() - t, found))
            worlds_p = checked[0]  # the same in every round (the seeds are fixed)
        v = min(verify)
        probe_s, probes = min(probe_times, key=lambda tp: tp[0])
        steps = sum(1 for cp in probes for s in cp.steps if s.result is not None)
        bound = steps + len(probes)
        # the runner's own time of every claim run (as stated and each step): the rest of the
        # probe's wall time is the probe's overhead
        runs = [cp.baseline for cp in probes] + [
            s.result for cp in probes for s in cp.steps if s.result is not None
        ]
        inner = sum(r.timings.method + r.timings.oracles + r.timings.checker for r in runs)
        rejected = sum(1 for r in runs if any(d.code == "ES392" for d in r.diagnostics))
        total_v += v
        total_p += probe_s
        print(
            f"{item:60} {v:8.2f} {probe_s:8.2f} {inner:8.2f} {steps:5d} {probe_s / v:6.2f} "
            f"{bound:6d} {rejected:8d} {worlds_p / worlds_v:7.2f}"
            + ("" if probe_s / v <= bound else "  OVER")
        )
        if args.detail:
            for cp in probes:
                tm = cp.baseline.timings
                print(
                    f"    {'as stated':56} {tm.total:8.3f} {tm.total / v:6.2f}  {cp.baseline.verdict.value}"
                    f"  (method {tm.method:.3f}, oracles {tm.oracles:.3f},"
                    f" checker {tm.checker:.3f})"
                )
                for s in cp.steps:
                    if s.result is not None:
                        tm = s.result.timings
                        t = tm.total
                        print(
                            f"    {s.step.id:56} {t:8.3f} {t / v:6.2f}  {s.finding}"
                            f"  (method {tm.method:.3f}, oracles {tm.oracles:.3f},"
                            f" checker {tm.checker:.3f})"
                        )
        ratios[item] = (probe_s / v, bound, worlds_p / worlds_v)
    print(f"{'total':60} {total_v:8.2f} {total_p:8.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(ratios))


def _across_processes(args: argparse.Namespace) -> None:
    """Run the measurement in ``args.processes`` fresh processes and print the median ratios."""
    import tempfile

    found: list[dict[str, list[float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.processes):
            out = Path(tmp) / f"{k}.json"
            cmd = [
                sys.executable,
                __file__,
                "--profile",
                args.profile,
                "--repeat",
                str(args.repeat),
            ]
            cmd += ["--clock", args.clock, "--json", str(out), "--claims", *args.claims]
            env = {**os.environ, "PYTHONHASHSEED": str(k)}
            subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
            found.append(json.loads(out.read_text()))
    print(
        f"profile {args.profile}; {args.clock} clock; {args.processes} processes "
        f"(PYTHONHASHSEED 0..{args.processes - 1}), best of {args.repeat} rounds in each"
    )
    print(f"{'claim':60} {'median':>7} {'min':>6} {'max':>6} {'bound':>6} {'worlds':>7}  over in")
    for item in args.claims:
        ratios = [f[item][0] for f in found]
        bound, worlds = found[0][item][1], found[0][item][2]
        over = sum(1 for r in ratios if r > bound)
        print(
            f"{item:60} {statistics.median(ratios):7.2f} {min(ratios):6.2f} {max(ratios):6.2f} "
            f"{bound:6d} {worlds:7.2f}  {over} of {len(ratios)}"
        )


if __name__ == "__main__":
    main()
