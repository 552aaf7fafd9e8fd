"""``explainspec fmt [--check] PATH...``: rewrite spec files in their canonical form."""

from __future__ import annotations

import argparse
import sys

HELP = "rewrite spec files in canonical form (DSL files as DSL, YAML files as YAML)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``explainspec fmt`` (cheap imports only)."""
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="spec files or folders; '-' reads DSL from stdin and writes to stdout",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 if a file is not in canonical form",
    )


def canonical(text: str, path: str, form: str) -> str:
    """The canonical text of a spec in its own form (raises SpecError, also for semantic
    errors: a spec with errors is not rewritten, since its meaning may not survive)."""
    from explainspec.lang import format_spec, to_yaml
    from explainspec.lang.loader import load_valid

    spec = load_valid(text, path=path, form=form)  # type: ignore[arg-type]
    return to_yaml(spec) if form == "yaml" else format_spec(spec)


def run(args: argparse.Namespace) -> int:
    """0 when done (or already canonical), 1 with ``--check`` when a file would change, 2 on
    errors (a file that does not load, has semantic errors, or cannot be written)."""
    from explainspec.lang.diagnostics import SpecError
    from explainspec.lang.loader import discover, form_of, read_source

    if args.paths == ["-"]:
        try:
            sys.stdout.write(canonical(read_source("-"), "<stdin>", "dsl"))
        except SpecError as err:
            print(err.render(), file=sys.stderr)
            return 2
        return 0
    changed = errors = 0
    files = discover(args.paths)
    for path in files:
        try:
            text = read_source(path)
            new = canonical(text, str(path), form_of(path))
        except SpecError as err:
            print(err.render(), file=sys.stderr)
            errors += 1
            continue
        if new == text:
            continue
        changed += 1
        if args.check:
            print(f"would reformat {path}", file=sys.stderr)
            continue
        try:
            path.write_text(new, encoding="utf-8")
        except OSError as err:
            print(
                f"explainspec fmt: ES251 cannot write {path}: {err.strerror or err}",
                file=sys.stderr,
            )
            errors += 1
            continue
        print(f"reformatted {path}", file=sys.stderr)
    if errors:
        return 2
    return 1 if args.check and changed else 0
