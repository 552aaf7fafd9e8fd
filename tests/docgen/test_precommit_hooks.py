"""The published pre-commit hooks run existing commands on spec files only."""

from __future__ import annotations

import argparse
import importlib
import re
import shlex
from pathlib import Path

import yaml

HOOKS = Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml"


def test_hooks_run_existing_commands_on_spec_files():
    hooks = {h["id"]: h for h in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))}
    assert set(hooks) == {"explainspec-check", "explainspec-fmt"}
    for hook in hooks.values():
        program, command, *options = shlex.split(hook["entry"])
        assert program == "explainspec"
        module = importlib.import_module(f"explainspec.commands.{command}")
        parser = argparse.ArgumentParser()
        module.add_arguments(parser)
        parser.parse_args([*options, "x.espec"])  # the options exist; files are appended
        pattern = re.compile(hook["files"])
        assert pattern.search("specs/a.espec") and pattern.search("specs/a.espec.yaml")
        assert not pattern.search("specs/a.yaml") and not pattern.search("a.espec.bak")
    assert hooks["explainspec-fmt"]["entry"].endswith("--check")
