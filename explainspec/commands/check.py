"""``explainspec check PATH...``: parse and semantically check spec files (no worlds are run)."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "check that spec files parse and name only known methods, families, oracles and questions"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``explainspec check`` (cheap imports only)."""
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="spec files or folders (searched for *.espec, *.espec.yaml)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="diagnostics as text (default) or JSON",
    )
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print diagnostics only, no summary"
    )


def run(args: argparse.Namespace) -> int:
    """Exit 0 when every file is valid, 2 otherwise."""
    from explainspec.lang.diagnostics import render_all
    from explainspec.lang.loader import discover, load_checked
    from explainspec.lang.semantics import default_registries

    files = discover(args.paths)
    if not files:
        print("explainspec check: no spec files found in " + ", ".join(args.paths), file=sys.stderr)
        return 2
    registries = default_registries()
    bad = 0
    records = []
    for path in files:
        _spec, diagnostics, sources = load_checked(path, registries)
        failing = [d for d in diagnostics if d.is_error or args.strict]
        bad += bool(failing)
        if args.format == "json":
            records += [
                {
                    "file": str(path),
                    "code": d.code,
                    "severity": d.severity,
                    "message": d.message,
                    "line": d.span.line if d.span else 0,
                    "column": d.span.column if d.span else 0,
                    "path": d.span.path if d.span else None,
                    "hint": d.hint,
                }
                for d in diagnostics
            ]
        elif diagnostics:
            print(render_all(diagnostics, sources))
    if args.format == "json":
        print(json.dumps({"files": len(files), "invalid": bad, "diagnostics": records}, indent=2))
    elif not args.quiet:
        noun = "file" if len(files) == 1 else "files"
        print(
            f"checked {len(files)} {noun}: " + (f"{bad} invalid" if bad else "all valid"),
            file=sys.stderr,
        )
    return 2 if bad else 0
