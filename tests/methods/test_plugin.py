"""The example plugin loads through registry.load_plugins and runs through call_method."""

import sys
from pathlib import Path

import numpy as np
import pytest
from methods_fakes import linear_function, problem

from explainspec.methods.call import call_method
from explainspec.registry import load_plugins, registry

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
