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
        "captum",
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
        "explainspec.methods.importance_adapters, explainspec.methods.captum_adapters\n"
        "heavy = [m for m in ('shap', 'sklearn', 'lime', 'numba', 'shapiq', 'interpret', "
        "'dice_ml', 'PyALE', 'pandas', 'torch', 'captum') if m in sys.modules]\n"
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
        "captum": ["torch", "captum"],
    }
    keyed = set(base_software())
    for entry in ENTRIES:
        for dist in distributions[entry.extra["library"]]:
            assert f"dist:{dist}" in keyed, (entry.name, dist)


TABULAR = [e for e in ENTRIES if e.target.split(":")[0].rsplit(".", 1)[-1].endswith("_adapters")]


def test_every_count_parameter_of_the_toolbox_is_bounded():
    """The toolbox's integer parameters (budgets, rounds, bags, grid sizes, repeats) have a
    lower bound and a limit of catalog/limits.py, so `check` refuses what a run would refuse or
    could not finish (the static checks read Param.low and Param.limit)."""
    from explainspec.catalog.limits import LIMITS
    from explainspec.catalog.methods_tabular import ENTRIES as TOOLBOX

    counts = [(e.name, p) for e in TOOLBOX for p in e.params if p.type.split(" | ")[0] == "int"]
    assert len(counts) >= 15
    for name, p in counts:
        assert p.low is not None and p.limit in LIMITS, (name, p.name)


@pytest.mark.parametrize(
    ("spec", "method", "code"),
    [
        ("shapiq_exact_ksii", "shapiq.exact(max_order = 0)", "ES227"),
        ("shapiq_exact_ksii", 'shapiq.exact(index = "SV")', "ES227"),
        ("shapiq_permutation_sii", "shapiq.permutation_sii(budget = 10000000)", "ES228"),
        ("shapiq_permutation_sii", 'shapiq.permutation_sii(budget = "all")', None),
        ("ale_reference", "reference.ale(grid_size = 100000)", "ES228"),
        ("ebm_terms", "interpret.ebm(outer_bags = 0)", "ES227"),
        ("ebm_terms", "interpret.ebm(max_rounds = 2.5)", "ES227"),
        ("ebm_terms", 'interpret.ebm(interactions = "2x")', None),
        ("dice_random", "dice.random(sample_size = -1)", "ES227"),
    ],
)
def test_toolbox_parameters_are_checked_statically(spec, method, code):
    import re
    from pathlib import Path

    from explainspec.lang import check_spec, load_text

    path = Path(__file__).parents[2] / "specs" / f"{spec}.espec"
    text = re.sub(r"(?m)^    method = .*$", f"    method = {method}", path.read_text())
    found = [d.code for d in check_spec(load_text(text, path=path.name)) if d.is_error]
    assert found == ([code] if code else [])
