"""The method catalog: complete metadata, defaults everywhere, targets that resolve, no heavy
imports."""

import importlib
import subprocess
import sys

import pytest

from explainspec.catalog.methods import ENTRIES
from explainspec.registry import registry

OUTPUTS = {"attribution", "importance", "curve", "interaction", "counterfactual"}
TAGS = {"callable", "tree", "linear", "differentiable", "sklearn"}


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_entry_is_complete(entry):
    assert entry.kind == "method" and entry.doc.strip()
    extra = entry.extra
    assert extra["output"] in OUTPUTS
    assert extra["scope"] in {"local", "global"}
    assert set(extra["requires"]) <= TAGS
    assert extra["library"] in {
        "shap",
        "sklearn",
        "lime",
        "reference",
        "shapiq",
        "interpret",
        "pyale",
        "dice",
    }
    assert extra["library"] == entry.name.split(".")[0]
    stat = extra["statistic"]
    for key in ("value_function", "background", "output_scale"):
        assert str(stat.get(key, "")).strip(), f"{entry.name}: statistic lacks {key}"
    if extra["randomized"]:
        assert "randomness" in stat, f"{entry.name}: say how the seed reaches the library"
    for p in entry.params:
        assert not p.required, f"{entry.name}.{p.name} has no default"
        assert p.doc.strip() and p.type.strip()
    module, _, attr = entry.target.partition(":")
    assert callable(getattr(importlib.import_module(module), attr))


def test_registry_holds_the_catalog():
    reg = registry("method")
    assert {e.name for e in ENTRIES} <= set(reg.names())
    assert reg.get("shap.kernel").params[0].default == "auto"


def test_catalog_and_adapter_modules_import_no_heavy_library():
    code = (
        "import sys, explainspec.catalog.methods, explainspec.methods.shap_adapters, "
        "explainspec.methods.sklearn_adapters, explainspec.methods.lime_adapters, "
        "explainspec.methods.reference, explainspec.methods.call, "
        "explainspec.methods.shapiq_adapters, explainspec.methods.interpret_adapters, "
        "explainspec.methods.dice_adapters, explainspec.methods.effects_adapters, "
        "explainspec.methods.importance_adapters\n"
        "heavy = [m for m in ('shap', 'sklearn', 'lime', 'numba', 'shapiq', 'interpret', "
        "'dice_ml', 'PyALE', 'pandas') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    code = "import sys, explainspec.catalog.methods; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_library_of_the_catalog_is_in_the_cache_key():
    """A built-in method's cached verdict must depend on its library's version: the versions in
    every cache key (runner/sources.BASE_DISTRIBUTIONS) cover each catalog library (explainspec's
    own adapter modules are not followed into the libraries they import)."""
    from explainspec.runner.cache import base_software

    distributions = {
        "shap": ["shap", "numba", "scikit-learn", "scipy"],
        "sklearn": ["scikit-learn", "scipy"],
        "lime": ["lime", "scikit-learn"],
        "reference": ["scipy"],
        "shapiq": ["shapiq"],
        "interpret": ["interpret-core"],
        "dice": ["dice-ml", "pandas", "scikit-learn"],
        "pyale": ["PyALE", "pandas"],
    }
    keyed = set(base_software())
    for entry in ENTRIES:
        for dist in distributions[entry.extra["library"]]:
            assert f"dist:{dist}" in keyed, (entry.name, dist)
