"""The results cache never returns a verdict a fresh run would not give (issue 13.1).

The key covers the claim, every option that can change a verdict, the installed software and the
local code a plugin reaches; a method whose code cannot be tracked is not cached at all.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import warnings

import pytest
from shapley_specs import spec_text

from explainspec.lang import load_text
from explainspec.registry import load_plugins, registry
from explainspec.runner import sources
from explainspec.runner.cache import NOT_IN_KEY, CacheWarning, claim_key, software
from explainspec.runner.events import ClaimFinished
from explainspec.runner.parallel import Execution
from explainspec.runner.plan import RunOptions, plan
from explainspec.runner.run import run

SPEC = spec_text()

# A plugin package whose method reads a constant from a sibling helper module, and calls a
# function of a separate local module that it imports only inside the method.
PACKAGE = {
    "__init__.py": "from {pkg} import methods  # noqa: F401\n",
    "helper.py": "SCALE = 1.0\n",
    "methods.py": '''
import dataclasses

import explainspec
from explainspec.registry import registry
from {pkg} import helper


@explainspec.method("{pkg}.scaled", output="attribution")
def scaled(problem):
    """Exact Shapley values times helper.SCALE (1: correct)."""
    from {pkg}_extra import offset

    exact = registry("method").get("reference.shapley").load()
    return exact(dataclasses.replace(problem, params={{}})) * helper.SCALE + offset()
''',
}
EXTRA = "def offset():\n    return 0.0\n"


def make_plugin(root, pkg):
    (root / pkg).mkdir(parents=True)
    for name, text in PACKAGE.items():
        (root / pkg / name).write_text(text.format(pkg=pkg))
    (root / f"{pkg}_extra.py").write_text(EXTRA)


def test_a_changed_helper_of_a_plugin_is_run_again_not_taken_from_the_cache(tmp_path):
    """The issue's scenario through the command line and its default cache: after the helper
    changes, the claim is refuted, not `verified ... cached`."""
    make_plugin(tmp_path / "src", "plugpkg")
    spec = tmp_path / "s.espec"
    spec.write_text(SPEC.format(name="scaled", method="plugpkg.scaled"))
    cmd = [sys.executable, "-m", "explainspec", "verify", str(spec), "--plugin", "plugpkg"]
    cmd += ["--profile", "fast", "--max-examples", "5", "--jobs", "1"]
    env = {**_env(), "PYTHONPATH": str(tmp_path / "src")}

    def verify():
        return subprocess.run(
            cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
        )

    first, again = verify(), verify()
    assert first.returncode == 0, first.stderr
    assert again.returncode == 0 and ", cached" in again.stdout  # the cache is in use
    (tmp_path / "src" / "plugpkg" / "helper.py").write_text("SCALE = 2.0\n")
    changed = verify()
    assert ", cached" not in changed.stdout
    assert changed.returncode == 1 and "refuted" in changed.stdout, changed.stdout


def _env():
    import os

    keep = ("PATH", "HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")
    return {k: os.environ[k] for k in keep if k in os.environ} | {"NO_COLOR": "1"}


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """A fresh plugin package on sys.path, loaded; yields (root, package name, plans)."""
    pkg = f"keypkg_{tmp_path.name.replace('-', '_')}"
    make_plugin(tmp_path, pkg)
    monkeypatch.syspath_prepend(str(tmp_path))
    load_plugins([pkg])
    spec = load_text(SPEC.format(name="scaled", method=f"{pkg}.scaled"))
    options = RunOptions(profile="fast", max_examples=5, plugins=(pkg,))
    ((_, plans),) = plan([spec], options)
    yield tmp_path, pkg, plans
    for name in [m for m in sys.modules if m.startswith(pkg)]:
        del sys.modules[name]


def key(p):
    return claim_key(p, software(p))


def test_the_key_covers_every_module_of_the_plugin_package_and_what_it_imports(plugin):
    root, pkg, (p,) = plugin
    before = key(p)
    assert key(p) == before  # nothing changed: the same key
    for path, text in [
        (root / pkg / "helper.py", "SCALE = 1.0  # a comment is a change too\n"),
        (root / f"{pkg}_extra.py", "def offset():\n    return 1.0\n"),  # imported lazily
        (root / pkg / "data.json", "{}"),  # a data file of the package (size and mtime)
    ]:
        path.write_text(text)
        after = key(p)
        assert after != before, path
        before = after


def test_the_key_covers_the_versions_of_installed_distributions(plugin, monkeypatch):
    _, _, (p,) = plugin
    before = key(p)
    real = sources.version
    for dist in ("numpy", "shap", "scikit-learn", "hypothesis", "lime", "numba", "scipy"):
        monkeypatch.setattr(sources, "version", lambda d, dist=dist: "9" if d == dist else real(d))
        monkeypatch.setattr("explainspec.runner.cache._BASE", None)  # read the versions again
        assert key(p) != before, dist


def test_an_installed_module_a_plugin_imports_counts_by_its_distribution(tmp_path):
    (tmp_path / "uses_yaml.py").write_text("import yaml\nimport json\n")
    sys.path.insert(0, str(tmp_path))
    try:
        found = sources.closure(["uses_yaml"])
    finally:
        sys.path.remove(str(tmp_path))
    assert found["dist:PyYAML"] == sources.version("PyYAML")
    assert any(k.startswith("file:") and k.endswith("uses_yaml.py") for k in found)
    assert not any("json" in k for k in found)  # the standard library counts by Python's version


def test_every_option_that_can_change_a_verdict_is_in_the_key(plugin):
    """Options added later are in the key unless listed in NOT_IN_KEY."""
    _, _, (p,) = plugin
    versions = {"numpy": "1"}
    base = claim_key(p, versions)
    changed = {
        "profile": "standard",
        "seed": 5,
        "max_examples": 7,
        "plugins": (*p.options.plugins, "another"),
        "replicates": 3,
        "refute_factor": 2.0,
        "refute_floor": 1e-3,
        "stop_rejected": True,
    }
    for f in dataclasses.fields(p.options):
        if f.name in NOT_IN_KEY:
            continue
        value = changed.get(f.name)
        assert value is not None, f"a test value for the new option {f.name!r}"
        q = dataclasses.replace(p, options=dataclasses.replace(p.options, **{f.name: value}))
        assert claim_key(q, versions) != base, f.name
    for name, value in [("claims", ("x",)), ("timeout", 3.0), ("isolate", True)]:
        q = dataclasses.replace(p, options=dataclasses.replace(p.options, **{name: value}))
        assert claim_key(q, versions) == base, name


def test_a_spec_level_change_outside_the_claim_changes_the_key(plugin):
    _, _, (p,) = plugin
    versions = {"numpy": "1"}
    other = dataclasses.replace(p.spec, references=("a new reference",))
    assert claim_key(dataclasses.replace(p, spec=other), versions) != claim_key(p, versions)


def _main_method(name):
    """A method that looks defined in ``__main__`` (a script or a notebook)."""

    def exact(problem):
        return (
            registry("method")
            .get("reference.shapley")
            .load()(dataclasses.replace(problem, params={}))
        )

    exact.__module__ = "__main__"
    import explainspec

    explainspec.method(name, output="attribution")(exact)


def test_a_method_defined_in_main_is_not_cached_and_the_run_says_so(tmp_path):
    _main_method("mainkey.exact")
    spec = load_text(SPEC.format(name="mainkey", method="mainkey.exact"))
    options = RunOptions(profile="fast", max_examples=3)
    ((_, (p,)),) = plan([spec], options)
    with pytest.raises(sources.Untrackable, match="__main__"):
        software(p)
    execution = Execution(jobs=1, cache=tmp_path / "c.sqlite", example_db=tmp_path / "db")
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            events = list(run([spec], options, execution))
        (result,) = [e.result for e in events if isinstance(e, ClaimFinished)]
        assert result.verdict.value == "verified" and not result.cached
        notes = [str(w.message) for w in caught if issubclass(w.category, CacheWarning)]
        assert any("not cached" in n and "__main__" in n for n in notes), notes
    assert not (tmp_path / "db").exists()  # no example database either


def test_a_module_without_a_file_cannot_be_tracked(monkeypatch):
    import types

    monkeypatch.setitem(sys.modules, "built_at_run_time", types.ModuleType("built_at_run_time"))
    with pytest.raises(sources.Untrackable, match="no file"):
        sources.closure(["built_at_run_time"])


def test_explainspec_methods_need_no_plugin_tracking():
    spec = load_text(SPEC.format(name="ref", method="reference.shapley"))
    ((_, (p,)),) = plan([spec], RunOptions(profile="fast"))
    found = software(p)
    assert found["method-module"] == "None"
    assert {f"dist:{d}" for d in sources.BASE_DISTRIBUTIONS} <= set(found)
    assert "explainspec-source" in found
