"""Hostile inputs through the command line (issue 14.3/14.4 static, 14.7, 13.9).

Every spec the issues name is refused by `explainspec check` with an ES code and exit 2, and no
input makes a command print a traceback (unless --debug) or exit with anything but 0-3.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from explainspec.cli import main

DATA = Path(__file__).resolve().parents[1] / "lang" / "data"
SKETCH = (DATA / "kernel_shap.espec").read_text()
YAML_SKETCH = (DATA / "kernel_shap_sketch.espec.yaml").read_text()
CHECK = "check sum(phi) == f(x) - mean(f(background)) within 1e-6"
FUNCTION = "function = any(linear, additive, interaction(order = 2))"


def variant(old: str, new: str) -> str:
    assert old in SKETCH
    return SKETCH.replace(old, new, 1)


# name -> (spec text, suffix, the code check must report)
ATTACKS = {
    "features_huge": (variant("features = 2..6", "features = 1..1000000000"), "ES228"),
    "features_30000_gaussian": (
        variant("data = grid(levels = 3)", "data = gaussian").replace(
            "features = 2..6", "features = 30000"
        ),
        "ES228",
    ),
    "relu_net_width": (variant(FUNCTION, "function = relu_net(width = 1000000000)"), "ES228"),
    "gaussian_n": (variant("data = grid(levels = 3)", "data = gaussian(n = 1000000000)"), "ES228"),
    "grid_m": (variant("points = 3", "points = 3; grid = 1000000000"), "ES228"),
    "ones": (variant(CHECK, "check sum(ones([50000, 50000])) > 0"), "ES228"),
    "range": (variant(CHECK, "check for all i in range(3000000000): i >= 0"), "ES228"),
    "nested_quantifiers": (
        variant(CHECK, "check for all i, j, k, l in range(1000): i + j + k + l >= 0"),
        "ES228",
    ),
    "power": (variant(CHECK, "check 99999999999999999999 ** 99999999999999999999 > 0"), "ES228"),
    "empty_range": (variant("features = 2..6", "features = 6..2"), "ES226"),
    "nsamples_lots": (variant("nsamples = 4096", 'nsamples = "lots"'), "ES227"),
    "bare_number": (variant(CHECK, "check 3"), "ES225"),
    "bare_array": (variant(CHECK, "check [1, 2]"), "ES225"),
    "formula_dunder": (variant(FUNCTION, 'function = formula("x0.__class__")'), "ES229"),
    "formula_x999999": (variant(FUNCTION, 'function = formula("x999999")'), "ES228"),
    "surrogate": (variant('"KernelSHAP"', '"\\ud800"'), "ES109"),
    "plugin_method": (variant("shap.kernel(nsamples = 4096)", "plugin.mine"), "ES201"),
}


def write(tmp_path: Path, text: str, suffix: str = ".espec") -> Path:
    path = tmp_path / f"s{uuid.uuid4().hex[:8]}{suffix}"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_check_refuses_every_attack_of_the_issues(name, tmp_path, capsys):
    text, code = ATTACKS[name]
    assert main(["check", str(write(tmp_path, text))]) == 2
    out, err = capsys.readouterr()
    assert f": {code} " in out, out
    assert "Traceback" not in out + err


def test_the_plugin_hint_names_the_option(tmp_path, capsys):
    main(["check", str(write(tmp_path, ATTACKS["plugin_method"][0]))])
    assert "hint: a plugin method is registered by importing its module" in capsys.readouterr().out


def test_the_yaml_list_check_is_refused(tmp_path, capsys):
    text = YAML_SKETCH.replace(
        "check: sum(phi) == f(x) - mean(f(background)) within 1e-6", "check: [sum(phi), f(x)]", 1
    )
    assert text != YAML_SKETCH
    assert main(["check", str(write(tmp_path, text, ".espec.yaml"))]) == 2
    assert ": ES225 " in capsys.readouterr().out


@pytest.mark.parametrize("command", ["check", "fmt", "convert", "verify", "docs"])
def test_a_yaml_integer_of_5000_digits_is_exit_2_from_every_command(command, tmp_path, capsys):
    text = YAML_SKETCH.replace("points: 3", "points: " + "9" * 5000, 1)
    assert text != YAML_SKETCH
    path = str(write(tmp_path, text, ".espec.yaml"))
    argv = {
        "check": ["check", path],
        "fmt": ["fmt", "--check", path],
        "convert": ["convert", path, "--to", "dsl"],
        "verify": ["verify", path],
        "docs": ["docs", path, "--out", str(tmp_path / "site")],
    }[command]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert "ES111" in out + err and "Traceback" not in out + err and "internal error" not in err


@pytest.mark.parametrize("command", ["verify", "docs"])
def test_a_lone_surrogate_stops_verify_and_docs_cleanly(command, tmp_path, capsys):
    path = str(write(tmp_path, ATTACKS["surrogate"][0]))
    argv = ["verify", path] if command == "verify" else ["docs", path, "--out", str(tmp_path)]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert "ES109" in err and "Traceback" not in out + err
    assert not (tmp_path / "index.md").exists()


# --------------------------------------------------------------------------- plugins


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_plugin_given_as_a_file_path_is_a_usage_error(where, tmp_path, capsys):
    plugin = tmp_path / "my_methods.py"
    plugin.write_text("raise SystemExit('must not be imported')\n")
    spec = str(write(tmp_path, SKETCH))
    argv = (
        ["--plugin", str(plugin), "check", spec]
        if where == "before"
        else ["verify", spec, "--plugin", "./my_methods.py"]
    )
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "ES250" in err and "not a module name" in err and "PYTHONPATH" in err
    assert "Traceback" not in err


@pytest.fixture
def raising_plugin(tmp_path, monkeypatch):
    name = f"boom_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text("raise RuntimeError('plugin setup failed')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def test_a_plugin_that_raises_is_reported_with_its_error(raising_plugin, tmp_path, capsys):
    assert main(["--plugin", raising_plugin, "check", str(write(tmp_path, SKETCH))]) == 2
    err = capsys.readouterr().err
    assert "ES250 plugin module raised RuntimeError while importing: plugin setup failed" in err
    assert "Traceback" not in err


def test_debug_shows_the_plugins_traceback(raising_plugin, tmp_path, capsys):
    argv = ["--debug", "--plugin", raising_plugin, "check", str(write(tmp_path, SKETCH))]
    assert main(argv) == 2
    assert "Traceback" in capsys.readouterr().err


# --------------------------------------------------------------------------- internal errors


COMMAND_ARGS = {
    "check": lambda spec: ["check", spec],
    "fmt": lambda spec: ["fmt", "--check", spec],
    "convert": lambda spec: ["convert", spec, "--to", "yaml"],
    "schema": lambda spec: ["schema"],
    "list": lambda spec: ["list", "methods"],
}


@pytest.mark.parametrize("command", sorted(COMMAND_ARGS))
@pytest.mark.parametrize("debug", [None, "before", "after"])
def test_an_internal_error_is_es259_and_exit_3(command, debug, monkeypatch, tmp_path, capsys):
    import importlib

    module = importlib.import_module(f"explainspec.commands.{command}")

    def boom(args):
        raise KeyError("kaboom")

    monkeypatch.setattr(module, "run", boom)
    monkeypatch.delenv("EXPLAINSPEC_DEBUG", raising=False)
    argv = COMMAND_ARGS[command](str(write(tmp_path, SKETCH)))
    if debug == "before":
        argv = ["--debug", *argv]
    elif debug == "after":
        argv = [*argv, "--debug"]
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert "ES259 internal error: KeyError: 'kaboom'" in err
    assert ("Traceback" in err) is (debug is not None)


# --------------------------------------------------------------------------- outputs


def test_convert_to_a_folder_that_does_not_exist_is_es251(tmp_path, capsys):
    spec = str(write(tmp_path, SKETCH))
    target = tmp_path / "missing" / "out.espec.yaml"
    assert main(["convert", spec, "--to", "yaml", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert f"ES251 cannot write {target}" in err and "Traceback" not in err


def test_schema_to_a_folder_that_does_not_exist_is_es251(tmp_path, capsys):
    assert main(["schema", "-o", str(tmp_path / "missing" / "schema.json")]) == 2
    assert "ES251" in capsys.readouterr().err


def test_fmt_that_cannot_write_is_es251(tmp_path, monkeypatch, capsys):
    spec = write(tmp_path, SKETCH.replace("    ", "  "))  # not canonical: fmt rewrites it

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "write_text", refuse)
    assert main(["fmt", "--write", str(spec)]) == 2
    assert f"ES251 cannot write {spec}: Permission denied" in capsys.readouterr().err
