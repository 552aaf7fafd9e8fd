"""An explicit ``example`` of a claim is evidence like a searched world, for every claim kind.

Examples are checked before the search. One that violates the check decides the claim: it
refutes an ``answers``/``holds`` claim and *shows* the misreading of a ``does_not_answer`` claim,
and it is the reported counterexample, named as such. Examples that hold count in the margin.
The worlds below are chosen so that the search alone finds no violation.
"""

from __future__ import annotations

import io

import pytest

import explainspec
from explainspec.report.terminal import TerminalReporter
from explainspec.runner.events import ClaimFinished, RunFinished

SPEC = """spec examples_count "Explicit examples are evidence" {
    method = reference.shapley
    output = attribution
    question "Does feature 0 matter?"
    world { function = formula("1"); features = 1; data = rows([[0], [1]]); background = data; points = 2 }
    claim zero_means_unused does_not_answer reliance "A zero attribution means f does not use the feature." {
        check abs(phi[0]) >= 0.1 or not f.uses(0)
        example constant_data { function = formula("x0"); data = rows([[0.5], [0.5]]) }
    }
    claim always_zero holds "The attribution is 0." {
        check phi[0] == 0 within 1e-6
        example uses_x0 { function = formula("x0") }
    }
    claim zero_answers answers reliance "The attribution of the feature is 0." {
        check phi[0] == 0 within 1e-6
        example uses_x0 { function = formula("x0") }
    }
    claim bounded holds "The attribution is at most 10 in size." {
        check abs(phi[0]) <= 10
        example steep { function = formula("5 * x0") }
    }
}
"""


@pytest.fixture(scope="module")
def result():
    return explainspec.verify(explainspec.loads(SPEC), profile="fast")


def test_an_example_that_violates_a_does_not_answer_check_shows_the_misreading(result):
    c = result["zero_means_unused"]
    assert c.verdict.value == "shown"
    assert c.counterexample.source == "example constant_data"
    assert c.counterexample.function == "f(x) = x0" and c.margin < -0.09
    assert c.examples == 1  # the example decided: no search


@pytest.mark.parametrize("name", ["always_zero", "zero_answers"])
def test_an_example_that_violates_an_answers_or_holds_check_refutes_it(result, name):
    c = result[name]
    assert c.verdict.value == "refuted"
    assert c.counterexample.source == "example uses_x0" and c.examples == 1


def test_examples_that_hold_count_in_the_margin(result):
    # searched worlds have phi = 0 (margin 10); the example has |phi| = 2.5 (margin 7.5)
    c = result["bounded"]
    assert c.verdict.value == "verified" and c.examples == 25
    assert c.margin == pytest.approx(7.5)


def test_the_report_names_the_example(result):
    out = io.StringIO()
    reporter = TerminalReporter(out, plain=True, timings=False)
    for c in result:
        reporter.handle(ClaimFinished(result=c))
    reporter.handle(RunFinished(result=result, elapsed=0.0))
    text = out.getvalue()
    assert "examples_count.zero_means_unused misreading shown by its example constant_data:" in text
    assert "examples_count.always_zero refuted by its example uses_x0:" in text
