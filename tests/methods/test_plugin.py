"""The example plugin loads through registry.load_plugins and runs through call_method; plugin
registrations are validated and never replace a registered method silently (issue 13.8)."""

import importlib
import json
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from methods_fakes import linear_function, problem

from explainspec.cli import main
from explainspec.methods.call import call_method
from explainspec.registry import Param as RParam
from explainspec.registry import (
    RegistrationError,
    load_plugins,
    method,
    registry,
    replaced_methods,
    validate_method,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "plugin"


@pytest.fixture
def plugin_path(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLE))
    yield
    sys.modules.pop("loco_plugin", None)


def test_example_plugin_registers_and_runs(plugin_path):
    load_plugins(["loco_plugin"])
    entry = registry("method").get("plugin.loco")
    assert entry.extra["library"] == "plugin" and entry.extra["output"] == "attribution"
    assert entry.params[0].name == "fill" and entry.params[0].default == "mean"
    assert "Leave-one-covariate-out" in entry.doc
    rng = np.random.default_rng(0)
    w = np.array([1.0, -2.0, 3.0])
    bg = rng.normal(size=(20, 3))
    pts = bg[:2]
    phi = call_method(entry, problem(linear_function(w), pts, bg))
    np.testing.assert_allclose(phi, w * (pts - bg.mean(0)), atol=1e-12)
    b = np.array([1.0, 1.0, 1.0])
    phi_b = call_method(entry, problem(linear_function(w), pts, bg, baseline=b, fill="baseline"))
    np.testing.assert_allclose(phi_b, w * (pts - b), atol=1e-12)


def test_unknown_plugin_module_fails_clearly():
    with pytest.raises(ModuleNotFoundError, match="no_such_plugin"):
        load_plugins(["no_such_plugin"])


# --------------------------------------------------------------------- registration (issue 13.8)


@pytest.fixture
def clean_registry():
    """The method registry as it was before the test (plugins registered by it removed, a
    replaced built-in restored)."""
    reg = registry("method")
    saved = dict(reg._entries)
    yield reg
    reg._entries.clear()
    reg._entries.update(saved)


def _zeros(problem):
    return np.zeros((len(problem.points), problem.points.shape[1]))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, "not a dotted name"),
        ({"name": "my plugin"}, "not a dotted name"),
        ({"name": "plugin..x"}, "not a dotted name"),
        (
            {"output": "atribution"},
            "output 'atribution' is not one of.*did you mean 'attribution'",
        ),
        ({"scope": "locl"}, "scope 'locl' is not one of local, global"),
        (
            {"requires": ("callable", "tre")},
            "requires tag 'tre' is not one of.*did you mean 'tree'",
        ),
        ({"requires": "tree"}, "must be a list of tags"),
        ({"params": (RParam(name="seed", default=0),)}, "parameter 'seed' is reserved"),
        ({"params": (RParam(name="baseline", default=0),)}, "parameter 'baseline' is reserved"),
        ({"params": (RParam(name="n", default=1), RParam(name="n", default=2))}, "declared twice"),
        ({"params": (RParam(name="n x", default=1),)}, "not an identifier"),
        ({"randomized": "yes"}, "randomized='yes' must be True or False"),
        ({"statistic": ["value_function"]}, "must be a dict"),
    ],
)
def test_an_invalid_registration_is_refused_naming_the_plugin_module(
    clean_registry, kwargs, message
):
    args = {"name": "tests_plugin.zeros", "output": "attribution", **kwargs}
    name = args.pop("name")
    before = set(clean_registry.names())
    with pytest.raises(RegistrationError, match=message) as info:
        method(name, **args)(_zeros)
    text = str(info.value)
    assert "ES320" in text and f"plugin module {__name__!r}" in text
    assert "test_plugin.py:" in text  # where the plugin function is defined
    assert set(clean_registry.names()) == before  # nothing was registered


def test_every_problem_of_a_registration_is_listed_at_once(clean_registry):
    with pytest.raises(RegistrationError) as info:
        method("a b", output="x", scope="y", requires=("z",))(_zeros)
    text = str(info.value)
    assert all(part in text for part in ("dotted name", "output 'x'", "scope 'y'", "tag 'z'"))


def test_built_in_methods_follow_the_registration_rules():
    for entry in registry("method"):
        if entry.extra.get("library") != "plugin":
            validate_method(entry)


def test_a_plugin_cannot_take_a_built_in_name_silently(clean_registry):
    builtin = clean_registry.get("reference.shapley")
    with pytest.raises(RegistrationError, match="is a built-in method .*replace=True"):
        method("reference.shapley", output="attribution")(_zeros)
    assert clean_registry.get("reference.shapley") is builtin
    assert replaced_methods(["reference.shapley"]) == ()


def test_a_plugin_cannot_take_another_plugins_name_silently(clean_registry):
    method("tests_plugin.one", output="attribution")(_zeros)

    def other(problem):
        return _zeros(problem)

    with pytest.raises(RegistrationError, match="already registered by plugin module"):
        method("tests_plugin.one", output="attribution")(other)


def test_importing_a_plugin_module_again_is_not_a_conflict(plugin_path, clean_registry):
    load_plugins(["loco_plugin"])
    importlib.reload(sys.modules["loco_plugin"])  # e.g. a worker process importing it again
    assert clean_registry.get("plugin.loco").obj.__module__ == "loco_plugin"
    assert replaced_methods(["plugin.loco"]) == ()


_REPLACING = """
import numpy as np
import explainspec

@explainspec.method("reference.shapley", output="attribution", replace=True)
def zeros(problem):
    return np.zeros((len(problem.points), problem.points.shape[1]))
"""

_SPEC = """
spec s "t" {
    method = reference.shapley()
    output = attribution
    question "q?"
    world { function = linear; features = 2; data = grid(levels = 3) }
    claim efficiency holds "sum" { check sum(phi) == f(x) - mean(f(background)) within 1e-9 }
}
"""


def test_replacing_a_built_in_needs_replace_true_and_is_announced(
    tmp_path, monkeypatch, clean_registry, capsys
):
    (tmp_path / "replacing_plugin.py").write_text(_REPLACING)
    (tmp_path / "s.espec").write_text(textwrap.dedent(_SPEC))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "replacing_plugin", raising=False)
    report = tmp_path / "report.json"
    argv = ["verify", str(tmp_path / "s.espec"), "--plugin", "replacing_plugin", "--jobs", "1"]
    argv += ["--no-cache", "--max-examples", "3", "--format", "json", "--output", str(report)]
    assert main(argv) == 1  # the zeros "method" is refuted: the spec really ran the plugin
    out = capsys.readouterr().out
    line = (
        "method 'reference.shapley' is provided by plugin module 'replacing_plugin', replacing "
        "a built-in method (reference)"
    )
    assert f"warning: {line}" in out
    assert json.loads(report.read_text())["replaced_methods"] == [line]
    sys.modules.pop("replacing_plugin", None)


def test_verify_refuses_an_invalid_plugin_with_exit_2(
    tmp_path, monkeypatch, clean_registry, capsys
):
    (tmp_path / "typo_plugin.py").write_text(
        _REPLACING.replace("replace=True", "requires=('tre',)").replace(
            "reference.shapley", "typo.zeros"
        )
    )
    (tmp_path / "s.espec").write_text(textwrap.dedent(_SPEC))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "typo_plugin", raising=False)
    assert main(["verify", str(tmp_path / "s.espec"), "--plugin", "typo_plugin"]) == 2
    err = capsys.readouterr().err
    assert "typo_plugin.py:" in err and "ES320 plugin module 'typo_plugin'" in err
    assert "requires tag 'tre'" in err
    sys.modules.pop("typo_plugin", None)
