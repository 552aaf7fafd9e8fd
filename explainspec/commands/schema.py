"""``explainspec schema``: print the JSON Schema of the YAML form."""

from __future__ import annotations

import argparse

HELP = "print the JSON Schema of the YAML form (.espec.yaml), with enums from the registries"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``explainspec schema`` (cheap imports only)."""
    parser.add_argument(
        "-o", "--output", default="-", metavar="FILE", help="write to FILE instead of stdout"
    )


def run(args: argparse.Namespace) -> int:
    """Print (or write) the schema; 0 (2 when the file cannot be written)."""
    import json

    from explainspec.commands.convert import write_output
    from explainspec.lang.schema import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    return write_output(args.output, text, "schema")
