"""``explainspec diff OLD.json NEW.json``: what changed between two verify reports.

Typical use: the JSON report of the last release of a library (or of your own package) is kept,
and a run against the new release is compared with it; the exit status is 1 when a claim that
passed before fails now, so a CI job fails on a regression and on nothing else.
"""

from __future__ import annotations

import argparse
import sys

HELP = "compare two JSON reports of verify: verdict changes, new/removed claims, moved margins"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``explainspec diff`` (cheap imports only)."""
    parser.add_argument("old", metavar="OLD.json", help="the earlier report (verify --format json)")
    parser.add_argument("new", metavar="NEW.json", help="the later report")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default text)"
    )
    parser.add_argument(
        "--margin-change",
        type=float,
        default=0.5,
        metavar="FRACTION",
        help="list a margin whose verdict stayed when it moved by more than FRACTION of its size "
        "(default 0.5)",
    )


def run(args: argparse.Namespace) -> int:
    """0 when no claim regressed, 1 when one that passed in OLD fails in NEW, 2 when a file is
    not a report this version reads."""
    import json

    from explainspec.lang.diagnostics import visible
    from explainspec.report.diff import ReportError, compare, load_report, render, to_json

    if not args.margin_change >= 0:
        print("explainspec diff: --margin-change must be >= 0", file=sys.stderr)
        return 2
    try:
        old, new = load_report(args.old), load_report(args.new)
    except ReportError as err:
        print(visible(f"explainspec diff: {err}"), file=sys.stderr)
        return 2
    diff = compare(old, new, margin_fraction=args.margin_change)
    if args.format == "json":
        sys.stdout.write(json.dumps(to_json(diff), indent=2) + "\n")
    else:
        sys.stdout.write(render(diff))
    return 1 if diff.regressions else 0
