"""Without the torch extra, Captum specs are skipped (ES350), not failed; `check` never imports
torch or captum. The missing import is simulated (``sys.modules[name] = None``), in-process and
in a subprocess running the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import explainspec
from explainspec.registry import registry
from explainspec.runner.claim import missing_library
from explainspec.runner.events import Verdict

SPECS = Path(__file__).resolve().parents[2] / "specs"
SPEC = SPECS / "captum_saliency.espec"


@pytest.mark.parametrize("module", ["torch", "captum"])
def test_missing_library_names_the_extra(monkeypatch, module):
    entry = registry("method").get("captum.saliency")
    if module == "captum":  # the other one present, whether installed or not
        monkeypatch.setitem(sys.modules, "torch", sys.modules.get("torch") or object())
    monkeypatch.setitem(sys.modules, module, None)
    message = missing_library(entry)
    assert message == (
        f"skipped: install explainspec[torch] (captum.saliency needs the module {module!r})"
    )


def test_methods_without_needs_are_never_skipped(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    assert missing_library(registry("method").get("reference.gradient")) is None


def test_a_run_without_torch_skips_every_captum_claim_and_passes(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    result = explainspec.verify(explainspec.load(SPEC), profile="fast", max_examples=2)
    assert len(result) > 0
    assert {c.verdict for c in result} == {Verdict.SKIPPED}
    assert all(not c.failed and not c.passed for c in result)
    assert result.passed
    c = result[0]
    assert [d.code for d in c.diagnostics] == ["ES350"]
    assert "install explainspec[torch]" in c.error
    assert c.examples == 0 and c.counterexample is None


_NO_TORCH = "import sys; sys.modules['torch'] = None; from explainspec.cli import main; "


def _cli(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    code = _NO_TORCH + f"raise SystemExit(main({args!r}))"
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**__import__("os").environ, "NO_COLOR": "1", "EXPLAINSPEC_NO_CACHE": "1"},
        timeout=600,
    )


def test_cli_without_torch_exits_0_and_reports_skips(tmp_path):
    base = ["verify", str(SPEC), "--profile", "fast", "--jobs", "1", "--no-cache"]
    runs = {
        "text": base,
        "junit": [*base, "--format", "junit", "--output", str(tmp_path / "r.xml")],
        "json": [*base, "--format", "json", "--output", str(tmp_path / "r.json")],
    }
    procs = {kind: _cli(args, tmp_path) for kind, args in runs.items()}
    assert all(p.returncode == 0 for p in procs.values()), procs["text"].stdout
    assert "skip " in procs["text"].stdout
    assert "skipped: install explainspec[torch]" in procs["text"].stdout
    xml = (tmp_path / "r.xml").read_text()
    n = len(explainspec.load(SPEC).claims)
    assert xml.count("<skipped ") == n and f'skipped="{n}"' in xml and 'failures="0"' in xml
    claims = json.loads((tmp_path / "r.json").read_text())["claims"]
    assert {c["verdict"] for c in claims} == {"skipped"}


def test_check_and_list_never_import_torch_or_captum():
    code = (
        "import sys\nfrom explainspec.cli import main\n"
        f"assert main(['check', {str(SPEC)!r}, {str(SPECS / 'captum_integrated_gradients.espec')!r}]) == 0\n"
        "assert main(['list', 'methods']) == 0\n"
        "print([m for m in ('torch', 'captum') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    ("method", "code", "fragment"),
    [
        ("captum.integrated_gradients(n_steps = 0)", "ES227", "expected a number >= 1, got 0"),
        ('captum.integrated_gradients(method = "simpson")', "ES227", "got 'simpson'"),
        ("captum.gradient_shap(n_samples = 2000000)", "ES228", "over the limit `samples`"),
        ("captum.gradient_shap(stdevs = -1.0)", "ES227", "expected a number >= 0, got -1.0"),
        ('captum.noise_tunnel(nt_type = "smoothgrad_abs")', "ES227", "got 'smoothgrad_abs'"),
        ('captum.noise_tunnel(base = "lime")', "ES227", "got 'lime'"),
        ("captum.occlusion(sliding_window = 101)", "ES228", "over the limit `features`"),
        ("captum.kernel_shap(perturbations_per_eval = 0)", "ES227", "expected a number >= 1"),
        (
            'captum.noise_tunnel(base = "integrated_gradients", method = "riemann_middle")',
            None,
            None,
        ),
        ("captum.shapley_value_sampling(n_samples = 1000000)", None, None),
    ],
)
def test_check_refuses_captum_parameters_a_run_would_refuse(method, code, fragment):
    """`check` (without torch) applies the entries' Param types, lower bounds and limits."""
    from explainspec.lang import check_spec, load_text
    from explainspec.lang.semantics import default_registries
    from tests.lang.cases import dsl

    text = dsl("phi[0] >= -100", method=method)
    found = [
        (d.code, d.message)
        for d in check_spec(load_text(text, path="s.espec"), default_registries())
        if d.is_error
    ]
    if code is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0][0] == code and fragment in found[0][1], found
