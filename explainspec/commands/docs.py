"""``explainspec docs``: publish interpretation cards (and the registry reference pages)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "write one interpretation card per spec, plus an index with the method x question matrix"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``explainspec docs`` (cheap: no numpy, no matplotlib here)."""
    parser.add_argument(
        "specs",
        nargs="*",
        metavar="SPEC",
        help="spec files (.espec, .espec.yaml) or folders searched for them",
    )
    parser.add_argument(
        "--out", metavar="DIR", type=Path, help="folder for the cards (index.md, SPEC.md, assets/)"
    )
    parser.add_argument(
        "--results",
        metavar="REPORT",
        type=Path,
        help="JSON report of `explainspec verify` whose verdicts and counterexamples the cards "
        "show; without it every claim reads 'not yet verified'",
    )
    parser.add_argument(
        "--reference",
        metavar="DIR",
        type=Path,
        help="also write the reference pages generated from the registries (methods, families, "
        "distributions, oracles, builtins, question types, diagnostic codes)",
    )


def run(args: argparse.Namespace) -> int:
    """Write the cards; exit 0, or 2 for a spec or usage error."""
    if not args.specs and args.reference is None:
        print("explainspec docs: give SPEC files or folders, or --reference DIR", file=sys.stderr)
        return 2
    if args.specs and args.out is None:
        print("explainspec docs: --out DIR is required with SPEC arguments", file=sys.stderr)
        return 2
    # the --plugin modules (before or after the command) were imported by explainspec.cli
    specs: list = []
    if args.specs:
        from explainspec.lang import SpecError, discover, load

        files = discover(args.specs)
        if not files:
            print(f"explainspec docs: no spec files in {' '.join(args.specs)}", file=sys.stderr)
            return 2
        failed = False
        for file in files:
            try:
                specs.append(load(file))
            except SpecError as exc:
                print(exc, file=sys.stderr)
                failed = True
        if failed:
            return 2
    results = None
    if args.results is not None and specs:
        from explainspec.docgen.results import load_results

        try:
            results = load_results(args.results)
        except (OSError, ValueError) as exc:
            print(f"explainspec docs: cannot read --results {args.results}: {exc}", file=sys.stderr)
            return 2
    if args.reference is not None:
        from explainspec.docgen.reference import write_reference

        try:
            if specs and _same_folder(args.reference, args.out):
                _distinct_pages(specs)  # a spec named `methods` would replace that page
            written = write_reference(args.reference)
        except OSError as err:
            return _unwritable(err)
        print(f"wrote {len(written)} reference pages to {args.reference}")
    if not specs:
        return 0
    from explainspec.docgen.cards import write_cards

    try:
        written = write_cards(specs, args.out, results)
    except OSError as err:
        return _unwritable(err)
    print(f"wrote {len(written) - 1} cards and index.md to {args.out}")
    return 0


def _same_folder(a: Path, b: Path) -> bool:
    """Whether the folders ``a`` and ``b`` are one (as named, or as the file system has them)."""
    import os

    try:
        return os.path.realpath(a) == os.path.realpath(b) or os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet (and they differ as named)
        return False


def _distinct_pages(specs: list) -> None:
    """Refuse (``CollidingOutput``) cards and reference pages written into one folder that
    share a name on some file system."""
    from explainspec.docgen.outputs import distinct_names
    from explainspec.docgen.reference import reference_pages

    distinct_names(
        [*reference_pages(), *(f"{spec.name}.md" for spec in specs), "index.md"],
        "the reference pages and the cards",
    )


def _unwritable(err: OSError) -> int:
    """``ES251`` for an output that cannot be written (or may not: a link out of the folder)."""
    from explainspec.lang.diagnostics import visible

    where = f" {err.filename}" if err.filename else ""
    print(
        f"explainspec docs: ES251 cannot write{visible(str(where))}: {visible(err.strerror or str(err))}",
        file=sys.stderr,
    )
    return 2
