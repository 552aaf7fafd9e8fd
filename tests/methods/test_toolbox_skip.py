"""Without their optional extra, the tabular toolbox's library methods (shapiq, interpret, PyALE,
DiCE) are skipped (ES350) by the runner, the mechanism the captum entries use (``extra["needs"]``),
never failed; the reference methods need no extra. A missing module is simulated with
``sys.modules[name] = None`` (looked up, not imported, by ``missing_library``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import explainspec
from explainspec.registry import registry
from explainspec.runner.claim import missing_library
from explainspec.runner.events import Verdict

SPECS = Path(__file__).resolve().parents[2] / "specs"
# library -> (module, extra, one method, one spec of it)
LIBRARIES = {
    "shapiq": ("shapiq", "explainspec[shapiq]", "shapiq.exact", "shapiq_exact_ksii"),
    "interpret": ("interpret", "explainspec[interpret]", "interpret.ebm", "ebm_terms"),
    "pyale": ("PyALE", "explainspec[ale]", "pyale.ale", "ale_pyale"),
    "dice": ("dice_ml", "explainspec[dice]", "dice.random", "dice_random"),
}


def test_every_toolbox_library_method_names_its_module():
    from explainspec.catalog.methods_tabular import ENTRIES

    for entry in ENTRIES:
        library = entry.extra["library"]
        if library in LIBRARIES:
            module, extra = LIBRARIES[library][:2]
            assert entry.extra["needs"] == (module,), entry.name
            assert entry.extra["install"] == extra, entry.name
        else:  # reference methods and shap.mean_abs run on the base install
            assert "needs" not in entry.extra, entry.name


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_missing_library_names_the_extra(monkeypatch, library):
    module, extra, method, _ = LIBRARIES[library]
    monkeypatch.setitem(sys.modules, module, None)
    assert missing_library(registry("method").get(method)) == (
        f"skipped: install {extra} ({method} needs the module {module!r})"
    )


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_a_run_without_the_library_skips_every_claim_and_passes(monkeypatch, library):
    module, extra, _, spec = LIBRARIES[library]
    monkeypatch.setitem(sys.modules, module, None)
    result = explainspec.verify(explainspec.load(SPECS / f"{spec}.espec"), profile="fast")
    assert len(result) > 0
    assert {c.verdict for c in result} == {Verdict.SKIPPED}
    assert result.passed
    assert all([d.code for d in c.diagnostics] == ["ES350"] for c in result)
    assert all(f"install {extra}" in c.error and c.examples == 0 for c in result)
