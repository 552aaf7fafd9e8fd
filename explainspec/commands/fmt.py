"""``explainspec fmt [--write | --check | --diff] PATH...``: spec files in their canonical form.

By default the canonical text is printed and nothing is changed (several files: each preceded by
a ``==> PATH <==`` line); ``--write`` rewrites the files, ``--check`` only says which files would
change (exit 1), ``--diff`` prints what would change. DSL files stay DSL and YAML files stay YAML,
and comments are kept in both forms: the DSL printer writes each comment back next to the item it
was written with, the YAML form goes through ruamel.yaml's round trip (so the
``# yaml-language-server: $schema=...`` line editors read stays at the top).
"""

from __future__ import annotations

import argparse
import sys

HELP = "print spec files in canonical form (--write rewrites them, --check checks); comments kept"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``explainspec fmt`` (cheap imports only)."""
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="spec files or folders; '-' reads DSL from stdin",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "-w",
        "--write",
        action="store_true",
        help="rewrite the files that are not in canonical form (and print nothing)",
    )
    mode.add_argument(
        "--check",
        action="store_true",
        help="change and print nothing; exit 1 if a file is not in canonical form",
    )
    mode.add_argument(
        "--diff",
        action="store_true",
        help="print a unified diff of what --write would change; exit 1 if anything would",
    )


def canonical(text: str, path: str, form: str) -> str:
    """The canonical text of a spec in its own form, comments kept (raises SpecError, also for
    semantic errors: a spec with errors is not reformatted, since its meaning may not survive)."""
    from explainspec.lang import format_spec
    from explainspec.lang.loader import load_valid

    spec = load_valid(text, path=path, form=form)  # type: ignore[arg-type]
    if form == "yaml":
        from explainspec.lang.yaml_comments import canonical_yaml

        return canonical_yaml(spec, text)
    return format_spec(spec)


def _diff(old: str, new: str, name: str) -> str:
    import difflib

    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), name, f"{name} (formatted)"
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def run(args: argparse.Namespace) -> int:
    """0 when done (or already canonical), 1 with ``--check``/``--diff`` when a file would
    change, 2 on errors (a file that does not load, has semantic errors, or cannot be written)."""
    from explainspec.lang.diagnostics import SpecError
    from explainspec.lang.loader import discover, form_of, read_source

    if args.paths == ["-"]:
        text = read_source("-")
        try:
            new = canonical(text, "<stdin>", "dsl")
        except SpecError as err:
            print(err.render(), file=sys.stderr)
            return 2
        if args.check or args.diff:
            if args.diff:
                sys.stdout.write(_diff(text, new, "<stdin>"))
            return 1 if new != text else 0
        sys.stdout.write(new)
        return 0
    changed = errors = 0
    files = discover(args.paths)
    if not files:
        print("explainspec fmt: no spec files found in " + ", ".join(args.paths), file=sys.stderr)
        return 2
    for path in files:
        try:
            text = read_source(path)
            new = canonical(text, str(path), form_of(path))
        except SpecError as err:
            print(err.render(), file=sys.stderr)
            errors += 1
            continue
        if not (args.write or args.check or args.diff):  # print
            if len(files) > 1:
                sys.stdout.write(f"==> {path} <==\n")
            sys.stdout.write(new)
            continue
        if new == text:
            continue
        changed += 1
        if args.check:
            print(f"would reformat {path}", file=sys.stderr)
            continue
        if args.diff:
            sys.stdout.write(_diff(text, new, str(path)))
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
    return 1 if (args.check or args.diff) and changed else 0
