"""The command line: exit codes, no tracebacks, lossless convert, cheap imports."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from explainspec.cli import COMMANDS, main

DATA = Path(__file__).parent / "lang" / "data"
SKETCH = DATA / "kernel_shap.espec"
HEAVY = ("shap", "sklearn", "numba", "numpy", "hypothesis", "scipy")


def test_help_lists_every_available_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in ("check", "fmt", "convert", "list", "schema"):
        assert name in out


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("explainspec ")


def test_no_command_is_a_usage_error(capsys):
    assert main([]) == 2


def test_unknown_option_is_a_usage_error(capsys):
    assert main(["check", "--no-such-option", str(SKETCH)]) == 2


def test_check_valid_and_invalid(tmp_path, capsys):
    assert main(["check", str(SKETCH)]) == 0
    bad = tmp_path / "bad.espec"
    bad.write_text(SKETCH.read_text().replace("shap.kernel", "shap.kernal"))
    assert main(["check", str(bad)]) == 2
    out = capsys.readouterr().out
    assert f"{bad}:2:5: ES201 unknown method 'shap.kernal'. Did you mean 'shap.kernel'" in out


def test_check_folder_and_json(tmp_path, capsys):
    (tmp_path / "a.espec").write_text(SKETCH.read_text())
    (tmp_path / "b.espec").write_text("spec b {")
    (tmp_path / "ignored.txt").write_text("not a spec")
    assert main(["check", "--format", "json", str(tmp_path)]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["files"] == 2 and report["invalid"] == 1
    assert report["diagnostics"][0]["code"] == "ES104"


def test_check_without_files_is_an_error(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 2


def test_fmt_prints_by_default_and_changes_nothing(tmp_path, capsys):
    path = tmp_path / "k.espec"
    path.write_text(SKETCH.read_text())
    assert main(["fmt", str(path)]) == 0
    out = capsys.readouterr().out
    assert path.read_text() == SKETCH.read_text()  # fmt used to rewrite the file in place
    assert out.startswith(
        'spec kernel_shap "KernelSHAP" {\n    method = shap.kernel(nsamples = 4096)'
    )
    assert "# a finite pmf: every expectation is exact" in out  # comments kept


def test_fmt_write_check_and_diff(tmp_path, capsys):
    path = tmp_path / "k.espec"
    path.write_text(SKETCH.read_text())
    assert main(["fmt", "--check", str(path)]) == 1  # the sketch is aligned by hand
    assert main(["fmt", "--diff", str(path)]) == 1
    captured = capsys.readouterr()
    assert "would reformat" in captured.err and captured.out.startswith(f"--- {path}\n+++ ")
    assert path.read_text() == SKETCH.read_text()
    assert main(["fmt", "--write", str(path)]) == 0
    assert "reformatted" in capsys.readouterr().err
    assert main(["fmt", "--check", str(path)]) == 0
    assert main(["fmt", "--diff", str(path)]) == 0 and capsys.readouterr().out == ""
    assert "# registered adapter + hyper-parameters" in path.read_text()


def test_fmt_several_files_prints_each_under_its_name(tmp_path, capsys):
    for name in ("a", "b"):
        (tmp_path / f"{name}.espec").write_text(SKETCH.read_text())
    assert main(["fmt", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count("==> ") == 2 and f"==> {tmp_path / 'b.espec'} <==\n" in out


def test_fmt_modes_are_exclusive(capsys):
    assert main(["fmt", "--write", "--check", str(SKETCH)]) == 2


def test_fmt_yaml_keeps_the_schema_line(tmp_path, capsys):
    path = tmp_path / "k.espec.yaml"
    assert main(["convert", str(SKETCH), "--to", "yaml", "-o", str(path)]) == 0
    assert "comments of" in capsys.readouterr().err  # the DSL comments are not carried over
    text = "# yaml-language-server: $schema=./espec.schema.json\n" + path.read_text().replace(
        "method:\n", "# the estimator\nmethod:\n"
    )
    path.write_text(text)
    assert main(["fmt", "--check", str(path)]) == 0  # canonical, comments and all
    assert main(["fmt", str(path)]) == 0
    assert capsys.readouterr().out == text


def test_convert_roundtrip_equals_fmt_byte_for_byte(tmp_path, capsys):
    plain = tmp_path / "plain.espec"  # the sketch without its comments
    plain.write_text(re.sub(r" *#[^\n]*", "", SKETCH.read_text()))
    yaml_path = tmp_path / "k.espec.yaml"
    assert main(["convert", str(plain), "--to", "yaml", "-o", str(yaml_path)]) == 0
    capsys.readouterr()
    assert main(["convert", str(yaml_path), "--to", "dsl"]) == 0
    via_yaml = capsys.readouterr().out
    assert main(["fmt", str(plain)]) == 0
    assert via_yaml == capsys.readouterr().out


def test_list_every_kind(capsys):
    for kind in ("methods", "families", "distributions", "oracles", "builtins", "questions"):
        assert main(["list", kind]) == 0
        assert capsys.readouterr().out.strip()


def test_list_questions_json(capsys):
    assert main(["list", "questions", "--json"]) == 0
    names = {e["name"] for e in json.loads(capsys.readouterr().out)}
    assert {
        "decomposition",
        "component",
        "reliance",
        "local_effect",
        "intervention",
        "data_dependence",
        "interaction",
        "recourse",
        "ranking",
        "accuracy",
        "stability",
    } <= names


def test_list_methods_shows_statistic_and_parameters(capsys):
    assert main(["list", "methods"]) == 0
    out = capsys.readouterr().out
    assert "shap.kernel(" in out and "statistic.value_function:" in out and "nsamples:" in out


def test_schema_is_json_with_registry_enums(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    claim = schema["properties"]["claims"]["additionalProperties"]
    assert "local_effect" in claim["properties"]["about"]["enum"]
    assert schema["properties"]["output"]["enum"][0] == "attribution"


def test_plugin_that_cannot_be_imported(capsys):
    assert main(["--plugin", "no_such_plugin_module_xyz", "check", str(SKETCH)]) == 2
    assert "no_such_plugin_module_xyz" in capsys.readouterr().err


def test_internal_errors_exit_3_without_traceback(monkeypatch, capsys):
    import explainspec.commands.check as check

    def boom(args):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(check, "run", boom)
    assert main(["check", str(SKETCH)]) == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: kaboom" in err and "Traceback" not in err


def test_missing_command_modules_are_skipped(monkeypatch, capsys):
    import explainspec.cli as cli

    monkeypatch.setattr(cli, "COMMANDS", (*COMMANDS, "no_such_command"))
    assert cli.main(["--help"]) == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["check", str(SKETCH)],
        ["fmt", "--check", str(SKETCH)],
        ["convert", str(SKETCH), "--to", "yaml"],
    ],
    ids=["help", "check", "fmt", "convert"],
)
def test_fast_commands_import_nothing_heavy(argv):
    code = (
        "import sys, runpy\n"
        "from explainspec.cli import main\n"
        f"rc = main({argv!r})\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print('HEAVY', heavy, rc, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY [] " in proc.stderr, proc.stderr


def test_stdin_and_stdout(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "explainspec", "convert", "-", "--to", "yaml"],
        input=SKETCH.read_text(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and proc.stdout.startswith("explainspec: 1\n")
    back = subprocess.run(
        [sys.executable, "-m", "explainspec", "convert", "-", "--to", "dsl"],
        input=proc.stdout,
        capture_output=True,
        text=True,
        timeout=60,
    )
    fmt = subprocess.run(
        [sys.executable, "-m", "explainspec", "fmt", "-"],
        input=re.sub(r" *#[^\n]*", "", SKETCH.read_text()),  # convert does not carry comments
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert back.returncode == 0 and back.stdout == fmt.stdout


def test_the_console_entry_freezes_the_heap_only_after_the_command(monkeypatch):
    import explainspec.cli as cli

    order: list[str] = []
    monkeypatch.setattr(cli, "main", lambda: order.append("main") or 3)
    monkeypatch.setattr(cli.gc, "freeze", lambda: order.append("freeze"))
    assert cli.entry() == 3  # main's exit code, unchanged
    assert order == ["main", "freeze"]


def test_python_dash_m_exits_with_the_commands_code(tmp_path):
    bad = tmp_path / "bad.espec"
    bad.write_text("spec broken {\n")
    proc = subprocess.run(
        [sys.executable, "-m", "explainspec", "check", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "bad.espec:" in proc.stderr + proc.stdout


# --------------------------------------------------------------------------- --plugin

PLUGIN_MODULE = "explainspec_cli_probe_plugin"
PLUGIN_METHOD = "cliprobe.even_split"
PLUGIN_SOURCE = f'''
import numpy as np
from explainspec.registry import method

@method("{PLUGIN_METHOD}", output="attribution", doc="f(x) - mean f(background), split evenly.")
def even_split(problem):
    points = np.atleast_2d(np.asarray(problem.points, dtype=float))
    base = float(np.mean(problem.f(np.asarray(problem.background, dtype=float))))
    gap = np.asarray(problem.f(points), dtype=float) - base
    return np.repeat((gap / points.shape[1])[:, None], points.shape[1], axis=1)
'''
PLUGIN_SPEC = f"""spec probe "A plugin method" {{
    method = {PLUGIN_METHOD}
    output = attribution
    question "How does f(x) minus the mean prediction split among the features?"
    world {{ function = linear; features = 1..2; data = grid(levels = 2); background = data; points = 1 }}
    claim efficiency holds "The numbers add up to f(x) minus the mean prediction." {{
        check sum(phi) == f(x) - mean(f(background)) within 1e-9
    }}
}}
"""


@pytest.fixture
def probe_plugin(tmp_path, monkeypatch):
    """A plugin module on sys.path (as PYTHONPATH would put it), unregistered afterwards."""
    from explainspec.registry import registry

    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / f"{PLUGIN_MODULE}.py").write_text(PLUGIN_SOURCE)
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv("PYTHONPATH", str(folder))  # worker processes of verify
    spec = tmp_path / "probe.espec"
    spec.write_text(PLUGIN_SPEC)

    def forget() -> None:
        sys.modules.pop(PLUGIN_MODULE, None)
        registry("method")._entries.pop(PLUGIN_METHOD, None)

    forget()
    yield spec
    forget()


def _with_plugin(where: str, argv: list[str]) -> list[str]:
    option = ["--plugin", PLUGIN_MODULE]
    return option + argv if where == "before" else argv + option


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("command", ["list", "check", "schema", "fmt", "convert", "docs"])
def test_plugin_option_before_or_after_every_command(
    probe_plugin, tmp_path, where, command, capsys
):
    spec = str(probe_plugin)
    argv = {
        "list": ["list", "methods"],
        "check": ["check", spec],
        "schema": ["schema"],
        "fmt": ["fmt", spec],
        "convert": ["convert", spec, "--to", "yaml"],
        "docs": ["docs", spec, "--out", str(tmp_path / "cards")],
    }[command]
    assert main(_with_plugin(where, argv)) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    if command in ("list", "schema", "convert"):
        assert PLUGIN_METHOD in out
    if command == "docs":
        card = (tmp_path / "cards" / "probe.md").read_text()
        assert "f(x) - mean f(background), split evenly." in card  # the registered doc


def test_without_the_plugin_its_method_is_unknown(probe_plugin, capsys):
    # the tests above decide something: without --plugin the spec does not check
    assert main(["check", str(probe_plugin)]) == 2
    assert f"unknown method '{PLUGIN_METHOD}'" in capsys.readouterr().out


def test_plugins_before_and_after_the_command_add_up(probe_plugin, capsys):
    assert main(["--plugin", "json", "list", "methods", "--plugin", PLUGIN_MODULE, "--json"]) == 0
    assert PLUGIN_METHOD in {e["name"] for e in json.loads(capsys.readouterr().out)}


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_verify_runs_a_plugin_method_named_before_or_after(probe_plugin, where, jobs, capsys):
    argv = ["verify", str(probe_plugin), "--profile", "fast", "--max-examples", "3"]
    argv += ["--no-cache", "--jobs", jobs, "--format", "json"]
    assert main(_with_plugin(where, argv)) == 0, capsys.readouterr().err
    report = json.loads(capsys.readouterr().out)
    (claim,) = report["claims"]
    assert claim["verdict"] == "verified" and claim["method"] == PLUGIN_METHOD
