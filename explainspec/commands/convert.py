"""``explainspec convert PATH --to yaml|dsl``: translate a spec between its two forms."""

from __future__ import annotations

import argparse
import sys

HELP = "translate a spec between the DSL (.espec) and YAML (.espec.yaml) forms, losslessly"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``explainspec convert`` (cheap imports only)."""
    parser.add_argument(
        "path",
        metavar="PATH",
        help="the spec file ('-' for stdin: the form is the opposite of --to)",
    )
    parser.add_argument("--to", choices=("yaml", "dsl"), required=True, help="the target form")
    parser.add_argument(
        "-o",
        "--output",
        default="-",
        metavar="FILE",
        help="where to write ('-' = stdout, the default)",
    )


def run(args: argparse.Namespace) -> int:
    """0 on success, 2 when the input is not a valid spec."""
    from explainspec.lang import format_spec, load_text, to_yaml
    from explainspec.lang.diagnostics import SpecError
    from explainspec.lang.loader import form_of, read_source

    try:
        text = read_source(args.path)
        form = ("dsl" if args.to == "yaml" else "yaml") if args.path == "-" else form_of(args.path)
        spec = load_text(text, path=None if args.path == "-" else args.path, form=form)
    except SpecError as err:
        print(err.render(), file=sys.stderr)
        return 2
    out = to_yaml(spec) if args.to == "yaml" else format_spec(spec)
    if args.output == "-":
        sys.stdout.write(out)
    else:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(out)
    return 0
