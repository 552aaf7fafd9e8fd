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
    """Print (or write) the schema; 0."""
    import json

    from explainspec.lang.schema import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if args.output == "-":
        print(text, end="")
    else:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    return 0
