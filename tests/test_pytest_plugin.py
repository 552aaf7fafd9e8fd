"""The pytest plugin: spec files become one test item per claim, failures show counterexamples."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

#: Two tiny plugin methods: one satisfies efficiency by construction, one forgets the base value.
PLUGIN = '''
import numpy as np
import explainspec


@explainspec.method("toy.split", output="attribution", statistic={"value_function": "none"})
def split(problem):
    """f(x) minus the mean prediction, split equally among the features."""
    f, X, B = problem.f, problem.points, problem.background
    gap = f(X) - np.mean(f(B))
    return np.repeat(gap[:, None] / X.shape[1], X.shape[1], axis=1)


@explainspec.method("toy.broken", output="attribution", statistic={"value_function": "none"})
def broken(problem):
    """f(x) split equally: forgets to subtract the mean prediction."""
    f, X = problem.f, problem.points
    return np.repeat(f(X)[:, None] / X.shape[1], X.shape[1], axis=1)
'''

SPEC = """
spec {name} "Toy split" {{
    method = toy.{method}
    output = attribution
    question "How does f(x) minus the mean prediction split among the features?"
    world {{
        function = linear
        features = 1..2
        data = grid(levels = 3)
        background = data
        points = 1
    }}
    claim efficiency holds "The attributions add up to f(x) minus the mean prediction." {{
        check sum(phi) == f(x) - mean(f(background)) within 1e-9
    }}
    claim not_the_gradient does_not_answer local_effect "phi_i has the sign of the slope." {{
        check for all i: sign(phi[i]) == sign(grad(f, x)[i])
    }}
}}
"""


# Runs that verify claims use runpytest_subprocess: pytester's in-process runs drop the modules
# they imported, and numpy cannot be imported twice in one process.


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(toy_methods=PLUGIN)
    pytester.syspathinsert()
    (pytester.path / "specs").mkdir()
    (pytester.path / "specs" / "good.espec").write_text(SPEC.format(name="good", method="split"))
    return pytester


def test_each_claim_is_an_item(project: pytest.Pytester) -> None:
    result = project.runpytest("--espec", "specs", "--espec-plugin", "toy_methods", "--co", "-q")
    result.stdout.fnmatch_lines(
        [
            "specs/good.espec::efficiency",
            "specs/good.espec::not_the_gradient",
            "*2 tests collected*",
        ]
    )


def test_good_method_passes(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("--espec", "specs", "--espec-plugin", "toy_methods", "-v")
    result.assert_outcomes(passed=2)


def test_broken_method_fails_with_its_counterexample(project: pytest.Pytester) -> None:
    (project.path / "specs" / "bad.espec").write_text(SPEC.format(name="bad", method="broken"))
    result = project.runpytest_subprocess(
        "--espec", "specs/bad.espec", "--espec-plugin", "toy_methods"
    )
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "*bad.efficiency (holds): refuted*",
            "*counterexample:*",
            "*f(x) = *",
            "*sum(phi) = *",
            "*margin of sum(phi) == f(x) - mean(f(background)) within 1e-9: -*",
            "*Reproduce with: explainspec verify *bad.espec --claim efficiency*",
        ]
    )


def test_ini_options(project: pytest.Pytester) -> None:
    project.makeini(
        "[pytest]\nespec_paths = specs\nespec_profile = fast\nespec_plugins = toy_methods\n"
    )
    result = project.runpytest_subprocess("-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*good.espec::efficiency PASSED*"])


def test_spec_files_outside_the_configured_paths_are_ignored(project: pytest.Pytester) -> None:
    result = project.runpytest("specs", "--co", "-q")
    result.stdout.fnmatch_lines(["*no tests collected*"])


def test_broken_spec_is_a_collection_error(project: pytest.Pytester) -> None:
    (project.path / "specs" / "typo.espec").write_text('spec typo "T" {\n    method = \n}\n')
    result = project.runpytest("--espec", "specs/typo.espec")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*ERROR collecting specs/typo.espec*", "*ES1*"])
