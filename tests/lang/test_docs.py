"""The examples of the language reference parse, and the design sketch parses exactly as written."""

from __future__ import annotations

import re
from pathlib import Path

from explainspec.lang import check_spec, load, load_text

ROOT = Path(__file__).resolve().parents[2]
LANGUAGE = (ROOT / "docs" / "reference" / "language.md").read_text()


def test_the_reference_examples_load_and_check():
    dsl = re.findall(r"```\n(spec .*?)```", LANGUAGE, re.S)
    yml = re.findall(r"```yaml\n(.*?)```", LANGUAGE, re.S)
    assert dsl and yml
    for text in dsl:
        spec = load_text(text)
        assert [d for d in check_spec(spec) if d.is_error] == []
    for text in yml:
        spec = load_text(text, form="yaml")
        assert spec.claims[0].examples[0].name == "product"


def test_the_design_sketch_parses_as_written():
    spec = load(Path(__file__).parent / "data" / "kernel_shap.espec")
    assert [c.name for c in spec.claims] == ["efficiency", "additive_recovery", "local_direction"]
    assert [c.kind.value for c in spec.claims] == ["holds", "answers", "does_not_answer"]
    assert spec.claims[1].about == "component" and spec.claims[2].about == "local_effect"
    assert spec.question.startswith(
        "How much does each feature contribute to f(x) minus the mean prediction, when the features"
    )
    assert [f.name for f in spec.world.fields] == [
        "function",
        "features",
        "data",
        "background",
        "points",
    ]
    assert spec.claims[2].world.get("features").lo.value == 1
    assert spec.claims[0].check.tolerance.value == 1e-6
    assert spec.claims[1].check.body.tolerance.kind.value == "mc"
    assert spec.claims[0].span.line == 18 and spec.claims[0].check.span.line == 19
