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
    """0 on success, 2 when the input is not a valid spec (syntax or semantic errors: a spec
    with errors is not converted, since its meaning may not survive) or the output cannot be
    written."""
    from explainspec.lang import format_spec, to_yaml
    from explainspec.lang.diagnostics import SpecError
    from explainspec.lang.loader import form_of, load_valid, read_source

    try:
        text = read_source(args.path)
        form = ("dsl" if args.to == "yaml" else "yaml") if args.path == "-" else form_of(args.path)
        spec = load_valid(text, path=None if args.path == "-" else args.path, form=form)
    except SpecError as err:
        print(err.render(), file=sys.stderr)
        print("explainspec convert: the spec has errors; nothing was written", file=sys.stderr)
        return 2
    from explainspec.lang.yaml_comments import canonical_yaml, has_comments

    if args.to == form:  # the same form: as `fmt` (comments kept)
        try:
            out = canonical_yaml(spec, text) if form == "yaml" else format_spec(spec)
        except SpecError as err:  # a comment with a control character
            print(err.render(), file=sys.stderr)
            return 2
    else:
        out = to_yaml(spec) if args.to == "yaml" else format_spec(spec)
        if spec.comments or (form == "yaml" and has_comments(text)):
            print(
                f"explainspec convert: the comments of {args.path} are not carried over to the "
                f"{'YAML' if args.to == 'yaml' else 'DSL'} form",
                file=sys.stderr,
            )
    return write_output(args.output, out, "convert")


def write_output(target: str, text: str, command: str) -> int:
    """Write ``text`` to ``target`` (``-``: stdout); 0, or 2 with ``ES251`` when it cannot."""
    if target == "-":
        sys.stdout.write(text)
        return 0
    from explainspec.docgen.outputs import write_file

    try:
        write_file(target, text)  # a link in a checkout at `target` is replaced, not followed
    except OSError as err:
        print(
            f"explainspec {command}: ES251 cannot write {target}: {err.strerror or err}",
            file=sys.stderr,
        )
        return 2
    return 0
