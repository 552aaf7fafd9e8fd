"""The command-line reference cannot drift from the real parser: it shows each command's real
``--help`` (expanded by the mkdocs hook), and every option its prose names exists."""

from __future__ import annotations

import re
from pathlib import Path

from explainspec.cli import COMMANDS, build_parser
from explainspec.docgen.cli_help import MARKER, command_help, expand_help_markers

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "cli.md"


def _options() -> dict[str | None, set[str]]:
    """Option strings by command (``None``: the global options)."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    out: dict[str | None, set[str]] = {None: {s for a in parser._actions for s in a.option_strings}}
    for name, p in sub.choices.items():
        out[name] = {s for a in p._actions for s in a.option_strings}
    return out


def test_every_command_has_its_help_on_the_page() -> None:
    markers = [m.group(1) for m in MARKER.finditer(PAGE.read_text(encoding="utf-8"))]
    assert sorted(markers, key=str) == sorted([None, *COMMANDS], key=str)


def test_expanded_page_lists_every_real_option() -> None:
    page = expand_help_markers(PAGE.read_text(encoding="utf-8"))
    assert "<!-- explainspec-help" not in page
    for command, options in _options().items():
        for option in options:
            assert option in page, (command, option)
    assert "$ explainspec verify --help\n" + command_help("verify").rstrip() in page


def test_options_named_in_the_prose_exist() -> None:
    prose = MARKER.sub("", PAGE.read_text(encoding="utf-8"))
    known = set().union(*_options().values())
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", prose))
    assert named, "the page names no option"
    assert named <= known, sorted(named - known)


def test_help_is_wrapped_the_same_whatever_the_terminal(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    narrow = command_help("verify")
    monkeypatch.delenv("COLUMNS")
    assert narrow == command_help("verify")
    assert "--executor {local,dask}" in narrow
