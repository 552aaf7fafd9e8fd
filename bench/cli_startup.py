"""Start-up cost of the command line, as ratios against ``python -c pass`` measured in the same run.

Measures (wall time, repeated runs, hyperfine-style: warm-up, then min/median/mean):

- ``python -c pass`` (the baseline: interpreter start-up on this machine, now);
- ``explainspec --help``;
- ``explainspec check`` on 200 generated spec files (one process);

Targets: ``check`` on 200 files <= 1 s, ``--help`` <= 0.3 s. Run::

    python bench/cli_startup.py [--runs 10] [--files 200] [--against DIR]

``--loops`` times, in this process, parsing the generated files with the parser's own loops
and with lark's (``ParserState.feed_token`` and ``ContextualLexer.lex``), alternating, CPU time.

``--against DIR`` (a checkout of another commit, e.g. ``git worktree add /tmp/base main``) times
``check`` of both, run after run in turn, and prints the ratio of the medians: on a shared
machine the load changes between runs made one after the other.

The package's bytecode is compiled first (``compileall``, as installing a wheel does): with
``PYTHONDONTWRITEBYTECODE`` set (this machine sets it) a source checkout would otherwise compile
every changed module in every run, which no installed copy does.

Nothing here is asserted by the test suite: speed is measured, not tested.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKETCH = ROOT / "tests" / "lang" / "data" / "kernel_shap.espec"


def timed(cmd: list[str], runs: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        out.append(time.perf_counter() - t0)
        if proc.returncode not in (0,):
            raise SystemExit(
                f"{' '.join(cmd[:4])} ... exited {proc.returncode}: {proc.stderr.decode()[:500]}"
            )
    return out


def generate(folder: Path, n: int) -> None:
    text = SKETCH.read_text()
    for k in range(n):
        (folder / f"spec_{k:03d}.espec").write_text(text.replace("kernel_shap", f"kernel_shap_{k}"))


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not available on this platform
        return "unknown"


def row(name: str, times: list[float], base: float) -> str:
    med = statistics.median(times)
    return (
        f"{name:<34} min {min(times) * 1e3:7.1f} ms  median {med * 1e3:7.1f} ms  "
        f"mean {statistics.fmean(times) * 1e3:7.1f} ms  ratio {med / base:5.1f}x"
    )


def _children_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def compare(args: argparse.Namespace, cli: list[str]) -> None:
    """``check`` of this checkout and of ``args.against``, alternating run by run: wall time and
    CPU time (user + system of the process, which load on a shared machine changes less)."""
    other = Path(args.against).resolve()
    compileall.compile_dir(str(other / "explainspec"), quiet=1)
    env = {**os.environ, "PYTHONPATH": str(other)}
    walls: dict[str, list[float]] = {"this": [], "other": []}
    cpus: dict[str, list[float]] = {"this": [], "other": []}
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), args.files)
        cmd = [*cli, "check", "-q", tmp]
        for k in range(args.runs + 2):
            for name, extra in (("this", None), ("other", env)):
                c0, t0 = _children_cpu(), time.perf_counter()
                proc = subprocess.run(cmd, capture_output=True, env=extra, cwd=tmp)
                wall, cpu = time.perf_counter() - t0, _children_cpu() - c0
                if proc.returncode != 0:
                    raise SystemExit(
                        f"check exited {proc.returncode}: {proc.stderr.decode()[:500]}"
                    )
                if k >= 2:  # two warm-up rounds
                    walls[name].append(wall)
                    cpus[name].append(cpu)
    med = {n: (statistics.median(walls[n]), statistics.median(cpus[n])) for n in walls}
    print(f"check ({args.files} files), runs interleaved with {other}:")
    for n, label in (("this", "this checkout"), ("other", str(other))):
        print(f"  {label:<40} median wall {med[n][0] * 1e3:7.1f} ms  CPU {med[n][1] * 1e3:7.1f} ms")
    print(
        f"  ratio this / other: wall {med['this'][0] / med['other'][0]:.3f}, "
        f"CPU {med['this'][1] / med['other'][1]:.3f}"
    )


def loops(args: argparse.Namespace) -> None:
    """Parse the generated files in this process with our loops and with lark's, in turns."""
    from explainspec.lang import parser

    ours = (parser._lex, parser._table)
    theirs = (lambda thread, state: thread.lex(state), lambda conf: None)
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), args.files)
        texts = [(str(p), p.read_text()) for p in sorted(Path(tmp).iterdir())]
    cpu: dict[str, list[float]] = {"ours": [], "lark": []}
    try:
        for _ in range(args.runs):
            for name, (lex, table) in (("ours", ours), ("lark", theirs)):
                parser._lex, parser._table = lex, table  # type: ignore[assignment]
                t0 = time.process_time()
                for file, text in texts:
                    parser.parse_spec_text(text, file=file)
                cpu[name].append(time.process_time() - t0)
    finally:
        parser._lex, parser._table = ours
    a, b = min(cpu["ours"]), min(cpu["lark"])
    print(
        f"parse {args.files} files in-process, CPU, min of {args.runs}: our loops {a * 1e3:.1f} ms, "
        f"lark's loops {b * 1e3:.1f} ms, ratio {a / b:.3f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--against", help="a checkout to compare `check` with, runs interleaved")
    ap.add_argument("--loops", action="store_true", help="our parse loops against lark's")
    args = ap.parse_args()
    py = sys.executable
    cli = [py, "-m", "explainspec"]
    compileall.compile_dir(str(ROOT / "explainspec"), quiet=1)
    base = timed([py, "-c", "pass"], args.runs)
    b = statistics.median(base)
    print(f"python {sys.version.split()[0]}, {args.runs} runs each (after 2 warm-up runs)")
    print(f"load average before: {_load()} (the machine may be shared: compare the ratios)")
    print(row("python -c pass", base, b))
    help_t = timed([*cli, "--help"], args.runs)
    print(row("explainspec --help", help_t, b))
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), args.files)
        check_t = timed([*cli, "check", "-q", tmp], args.runs)
    print(row(f"explainspec check ({args.files} files)", check_t, b))
    if args.against:
        compare(args, cli)
    if args.loops:
        loops(args)
    ok_help = statistics.median(help_t) <= 0.3
    ok_check = statistics.median(check_t) <= 1.0
    print(f"load average after: {_load()}")
    print(
        f"targets: --help <= 0.3 s {'met' if ok_help else 'MISSED'}; "
        f"check {args.files} files <= 1 s {'met' if ok_check else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
