"""Run every benchmark in ``bench/`` and write their tables to ``bench/results.md``.

Each benchmark measures its own baseline in the same run and prints ratios against it; this
script only runs them one after the other (never in parallel: they would disturb each other),
and records the commit, the machine and its load, so that a reader can judge the numbers.

Usage::

    python bench/run_all.py [--quick] [--output bench/results.md]

``--quick`` passes the benchmarks' small settings (and skips the ``standard`` profile run of the
library, which takes the longest).

The file is rewritten section by section: its header and the ``## `` sections this script
generates (one per benchmark run, headed ``## script args``) are replaced; every other ``## ``
section (results recorded by hand, with the commands that made them) is kept, after the
generated ones, in its order.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# (script, full arguments, quick arguments); scripts of other rooms are run as they are
BENCHMARKS = [
    ("cli_startup.py", [], ["--runs", "5"]),
    ("overhead.py", [], ["--max-examples", "10"]),
    ("overhead.py", ["--library", "--repeat", "3"], ["--library", "--repeat", "1"]),
    ("oracles.py", [], ["--quick"]),
    ("audit.py", [], ["--quick"]),
    ("watch.py", [], []),
    ("sizes.py", [], ["--points", "2"]),
    ("library.py", ["--standard"], []),
    ("captum.py", ["--repeat", "3"], ["--repeat", "1"]),
]


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _sections(text: str) -> list[tuple[str, str]]:
    """``(heading, text)`` of each ``## `` section of ``text`` (the part before the first one has
    the heading ``""``)."""
    out: list[tuple[str, str]] = []
    heading, lines = "", []
    in_code = False
    for line in text.splitlines(keepends=True):
        if line.startswith("```"):
            in_code = not in_code
        if line.startswith("## ") and not in_code:
            out.append((heading, "".join(lines)))
            heading, lines = line[3:].strip(), []
        lines.append(line)
    out.append((heading, "".join(lines)))
    return out


def merge(old: str, new: str) -> str:
    """``new`` (header and generated sections) followed by the sections of ``old`` that ``new``
    does not replace (hand-written ones)."""
    generated = {h for h, _ in _sections(new) if h}
    kept = [body for h, body in _sections(old) if h and h not in generated]
    out = new.rstrip("\n") + "\n"
    for body in kept:
        out += "\n" + body.rstrip("\n") + "\n"
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small settings, no standard profile")
    ap.add_argument("--output", default=str(HERE / "results.md"))
    opts = ap.parse_args(argv)

    dirty = " (with uncommitted changes)" if _git("status", "--porcelain") else ""
    lines = [
        "# Benchmark results",
        "",
        f"- commit: `{_git('rev-parse', '--short', 'HEAD')}`{dirty}",
        f"- date: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average before the run "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}",
        f"- command: `python bench/run_all.py{' --quick' if opts.quick else ''}`",
        "",
        "Every ratio is against a baseline measured in the same run of the same script.",
        "",
    ]
    failed = 0
    for script, full, quick in BENCHMARKS:
        path = HERE / script
        if not path.exists():
            lines += [f"## {script}", "", "(not present)", ""]
            continue
        cmd = [sys.executable, str(path), *(quick if opts.quick else full)]
        print(f"running {' '.join(cmd[1:])} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        took = time.perf_counter() - started
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        args = quick if opts.quick else full
        lines += [
            f"## {' '.join([script, *args])}",
            "",
            f"`python bench/{script} {' '.join(cmd[2:])}` -- exit {proc.returncode}, "
            f"{took:.0f} s, load average after: {load}",
            "",
            "```",
            proc.stdout.rstrip() or "(no output)",
            "```",
            "",
        ]
        if proc.returncode != 0:
            failed += 1
            lines += ["stderr (last lines):", "", "```", *proc.stderr.splitlines()[-15:], "```", ""]
    output = Path(opts.output)
    old = output.read_text(encoding="utf-8") if output.exists() else ""
    output.write_text(merge(old, "\n".join(lines) + "\n"), encoding="utf-8")
    print(f"wrote {opts.output}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
