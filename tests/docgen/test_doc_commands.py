"""Every ``$ explainspec ...`` command the documentation shows is a command the CLI accepts, and
every spec written in YAML in the documentation loads (prose in flow mappings breaks at a comma)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from explainspec.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(
    p for p in [*ROOT.glob("docs/**/*.md"), ROOT / "README.md"] if "evidence" not in p.parts
)
_CONSOLE = re.compile(r"```console\n(.*?)```", re.S)
_YAML = re.compile(r"```yaml\n(.*?)```", re.S)


def _commands() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for block in _CONSOLE.findall(page.read_text(encoding="utf-8")):
            for line in block.splitlines():
                if line.startswith("$ explainspec "):
                    command = line[2:].split("  #")[0].strip()
                    found.append((str(page.relative_to(ROOT)), command))
    return found


COMMANDS = _commands()


def test_the_docs_show_commands():
    assert len(COMMANDS) > 10


@pytest.mark.parametrize(("page", "command"), COMMANDS, ids=[c for _, c in COMMANDS])
def test_every_documented_command_parses(page, command, capsys):
    argv = shlex.split(command)[1:]
    try:
        build_parser().parse_args(argv)
    except SystemExit as exit_:
        # --help and --version exit 0; a usage error exits 2
        assert exit_.code == 0, f"{page}: `{command}` is not accepted: {capsys.readouterr().err}"


def test_every_yaml_spec_in_the_docs_loads():
    from explainspec.lang import load_text

    specs = 0
    for page in PAGES:
        for block in _YAML.findall(page.read_text(encoding="utf-8")):
            if "\nspec:" not in block or "\n...\n" in block:
                continue  # not a spec, or an excerpt
            load_text(block, form="yaml")
            specs += 1
    assert specs >= 2
