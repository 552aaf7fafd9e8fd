"""The Markdown displays of results (``_repr_markdown_``: notebooks, nbconvert, Quarto) hold a
spec's and a report's texts as text; the ``Reproduce in Python`` snippet holds no line a report
wrote.

The HTML displays escaped every text already; the Markdown ones wrote the statement, the
quantities and the kind raw, and a value in a one-backtick code span that a backtick ended.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import hostile_cards  # noqa: E402
from test_xss_cards import assert_inert, render  # noqa: E402

from explainspec.runner.events import (  # noqa: E402
    ClaimResult,
    Counterexample,
    Quantity,
    RunResult,
    Verdict,
)

pytest.importorskip("markdown")

ATTACK, MULTILINE = hostile_cards.ATTACK, hostile_cards.MULTILINE
#: a method name in a report that would add a line of code to the snippet
EVIL_METHOD = "shap.kernel\nimport os; os.system('echo pwned')\n#"


def _counterexample() -> Counterexample:
    return Counterexample(
        function="f(x) = " + ATTACK,
        second=MULTILINE,
        distribution=ATTACK,
        d=2,
        point=(0.5, -1.0),
        baseline=None,
        background_rows=9,
        phi=[0.5, 0.0],
        quantities=(
            Quantity(text=ATTACK, value=1.0, shown="`-1` " + ATTACK),
            Quantity(text=MULTILINE, value=-1, shown="``` " + MULTILINE),
        ),
        margin=-0.5,
        seed=0,
        world_seed=1,
        reproduce="explainspec verify x.espec`" + ATTACK,
        world={"format": 1, "claim": "s.c" + ATTACK, "method": EVIL_METHOD, "point_index": 0},
    )


def _result() -> ClaimResult:
    return ClaimResult(
        spec="s",
        claim="c",
        kind=ATTACK,
        verdict=Verdict.REFUTED,
        statement=ATTACK + " " + MULTILINE,
        margin=-0.5,
        counterexample=_counterexample(),
    )


def test_the_markdown_of_a_claim_and_its_counterexample_renders_as_text():
    result = _result()
    for page in (
        result._repr_markdown_(),
        result.counterexample._repr_markdown_(),
        RunResult((result,), seed=0, profile="fast")._repr_markdown_(),
    ):
        parsed = render(page)
        assert_inert(parsed)
    shown = "".join(t for texts in render(result._repr_markdown_()).texts.values() for t in texts)
    assert "<script>window.__xss=1</script>" in shown


def test_the_python_snippet_is_three_lines_whatever_the_report_says():
    lines = _counterexample().python_lines()
    assert len(lines) == 4
    code = "\n".join(line[4:] for line in lines[1:])
    tree = ast.parse(code)
    assert len(tree.body) == 3  # import, world = ..., phi = ...: no statement of the report
    assert "pwned" not in ast.dump(tree)
