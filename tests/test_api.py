"""The curated public API: light import, load/loads/verify/method, doctests of the run modules."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys

import pytest

import explainspec

SPEC = """
spec demo "Exact Shapley values" {
    method = reference.shapley
    output = attribution
    question "How does f(x) minus the mean prediction split among the features?"
    world { function = any(linear, additive); features = 1..3; data = grid(levels = 3); background = data; points = 2 }
    claim efficiency holds "The attributions add up to f(x) minus the mean prediction." {
        check sum(phi) == f(x) - mean(f(background)) within 1e-9
    }
    claim sum_is_prediction does_not_answer decomposition "The attributions add up to f(x)." {
        check sum(phi) == f(x) within 1e-6
    }
}
"""


def test_import_is_light():
    code = "import sys, explainspec; print(sorted(m for m in ('numpy', 'hypothesis', 'shap', 'sklearn', 'rich') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_public_names():
    for name in explainspec.__all__:
        assert getattr(explainspec, name) is not None
    with pytest.raises(AttributeError):
        explainspec.nothing_here  # noqa: B018


def test_verify_a_spec_object_a_path_and_a_folder(tmp_path):
    spec = explainspec.loads(SPEC)
    result = explainspec.verify(spec, profile="fast", max_examples=5)
    assert [(c.claim, c.verdict.value) for c in result] == [
        ("efficiency", "verified"),
        ("sum_is_prediction", "shown"),
    ]
    assert result.passed and all(c.passed for c in result)
    path = tmp_path / "demo.espec"
    path.write_text(SPEC)
    by_path = explainspec.verify(path, profile="fast", max_examples=5, claims="efficiency")
    assert [c.claim for c in by_path] == ["efficiency"] and by_path[0].source == str(path)
    assert len(explainspec.verify(tmp_path, profile="fast", max_examples=3)) == 2
    assert (
        "--seed 0"
        in explainspec.verify(path, profile="fast", claims=["sum_is_prediction"])[
            0
        ].counterexample.reproduce
    )


def test_method_decorator_registers_a_plugin():
    import numpy as np

    @explainspec.method("api_test.zeros", output="attribution")
    def zeros(problem: explainspec.Problem):
        return np.zeros(np.shape(problem.points))

    spec = explainspec.loads(SPEC.replace("reference.shapley", "api_test.zeros"))
    result = explainspec.verify(spec, profile="fast", claims="efficiency")
    assert result[0].verdict is explainspec.Verdict.REFUTED and not result.passed


@pytest.mark.parametrize(
    "module",
    [
        "explainspec",
        "explainspec._memo",
        "explainspec.runner.events",
        "explainspec.runner.settings",
        "explainspec.runner.env",
        "explainspec.runner.claim",
        "explainspec.report.json_report",
        "explainspec.report.junit",
        "explainspec.report.terminal",
    ],
)
def test_doctests(module):
    failures, _ = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert failures == 0
