"""The command-line reference's option lists, taken from the real argument parser.

``docs/reference/cli.md`` explains each command in prose; where it says
``<!-- explainspec-help: COMMAND -->`` the mkdocs hook puts the output of
``explainspec COMMAND --help`` (``<!-- explainspec-help -->`` alone: ``explainspec --help``), so
the options the page lists are the options the installed command takes.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

__all__ = ["MARKER", "command_help", "expand_help_markers"]

#: ``<!-- explainspec-help -->`` or ``<!-- explainspec-help: verify -->``.
MARKER = re.compile(r"^<!-- explainspec-help(?::\s*([a-z]+))?\s*-->\s*$", re.M)


@contextmanager
def _columns(width: int) -> Iterator[None]:
    """argparse wraps help text to ``$COLUMNS``; fix it so the page does not depend on the shell."""
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        yield
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def command_help(command: str | None = None, *, width: int = 100) -> str:
    """What ``explainspec [COMMAND] --help`` prints, wrapped at ``width`` columns.

    Examples
    --------
    >>> print(command_help("fmt").splitlines()[0])
    usage: explainspec fmt [-h] [--check] PATH [PATH ...]
    """
    from explainspec.cli import build_parser

    with _columns(width):
        parser = build_parser(only=command)
        if command is None:
            return parser.format_help()
        sub = next(a for a in parser._actions if a.dest == "command")
        # the choices of a subparsers action map each command name to its parser
        parsers = cast("dict[str, argparse.ArgumentParser]", sub.choices)
        return parsers[command].format_help()


def expand_help_markers(markdown: str) -> str:
    """Replace each help marker of ``markdown`` by a console block with that help text."""

    def block(match: re.Match[str]) -> str:
        command = match.group(1)
        shown = f"explainspec {command} --help" if command else "explainspec --help"
        return f"```text\n$ {shown}\n{command_help(command).rstrip()}\n```"

    return MARKER.sub(block, markdown)
