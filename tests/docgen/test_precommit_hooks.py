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


#: what the core install leaves out (the verify extra and the heavy libraries behind it)
HEAVY = ("numpy", "scipy", "hypothesis", "sklearn", "shap", "numba", "llvmlite", "cloudpickle")

LIGHT = r"""
import sys
for name in {heavy!r}:
    sys.modules[name] = None  # `import name` now fails, as in a venv without it
from explainspec.cli import main
codes = {{}}
for argv in {runs!r}:
    codes[" ".join(argv[:2])] = main(argv)
assert not any(m in sys.modules and sys.modules[m] is not None for m in {heavy!r})
import explainspec
try:
    explainspec.world_from_report
except ModuleNotFoundError as err:
    assert str(err).startswith("ES383 explainspec.world_from_report needs"), err
else:
    raise AssertionError("world_from_report without numpy")
print(codes)
"""


def test_the_core_dependencies_leave_out_the_heavy_libraries():
    import tomllib

    project = tomllib.loads((HOOKS.parent / "pyproject.toml").read_text())["project"]
    core = {re.split(r"[<>=\[ ;]", d)[0].lower() for d in project["dependencies"]}
    assert core.isdisjoint({"numpy", "scipy", "hypothesis", "shap", "numba", "scikit-learn"})
    extras = project["optional-dependencies"]
    verify = {re.split(r"[<>=\[ ;]", d)[0].lower() for d in extras["verify"]}
    assert {"numpy", "hypothesis", "shap", "scikit-learn"} <= verify

    def brings(name: str) -> set[str]:  # the extras an extra installs, itself included
        out = {name}
        for d in extras[name]:
            if d.startswith("explainspec["):
                for other in d[len("explainspec[") : d.index("]")].split(","):
                    out |= brings(other.strip())
        return out

    # every other extra brings the verify extra along: `pip install "explainspec[lime]"` verifies
    for name in extras:
        assert "verify" in brings(name), name


def test_the_hooks_work_without_numpy_shap_and_sklearn(tmp_path):
    """``check``, ``fmt --check``, ``list`` and ``schema`` run with the heavy libraries
    unimportable; ``verify`` then exits 2 with ES383, naming the extra to install."""
    import ast
    import subprocess
    import sys

    root = HOOKS.parent
    specs = sorted(str(p) for p in (root / "specs").glob("*.espec"))[:40]
    runs = [
        ["check", *specs],
        ["fmt", "--check", str(root / "docs" / "examples" / "specs" / "my.espec")],
        ["list", "methods"],
        ["schema"],
        ["verify", specs[0], "--profile", "fast"],
    ]
    proc = subprocess.run(
        [sys.executable, "-c", LIGHT.format(heavy=HEAVY, runs=runs)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    codes = ast.literal_eval(proc.stdout.strip().splitlines()[-1])
    assert codes == {
        f"check {specs[0]}": 0,
        "fmt --check": 0,
        "list methods": 0,
        "schema": 0,
        f"verify {specs[0]}": 2,
    }, proc.stderr[-2000:]
    assert "ES383" in proc.stderr and 'pip install "explainspec[verify]"' in proc.stderr
