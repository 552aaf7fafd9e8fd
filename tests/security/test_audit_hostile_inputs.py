"""Hostile inputs to the audit: a spec cannot make explainspec load a file, a data file cannot
inject markup into the card, oversized or code-running model files are refused before use."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import explainspec
from explainspec import worlds
from explainspec.lang import load_text
from explainspec.lang.ir import merged_world
from explainspec.worlds.sources import bindings


@pytest.mark.parametrize("name", ["../../etc/passwd", "/tmp/model.pkl", "model.skops", "a b", ""])
def test_a_spec_names_bound_sources_only_never_paths(name):
    spec = load_text(
        f"""spec s "s" {{ method = reference.shapley  output = attribution  question "?"
        world {{ function = user_model("{name}"); data = table("data") }}
        claim c holds "c" {{ check sum(phi) == 0 within 1 }} }}"""
    )
    with pytest.raises(worlds.WorldError, match="must be the name a source is bound under"):
        worlds.resolve(merged_world(spec, spec.claims[0]))


def test_verify_of_an_unbound_spec_is_invalid_not_a_load(tmp_path):
    """``explainspec verify`` on a spec naming a source that nobody bound: no file is read, the
    claim is invalid (ES306) with the message saying how to bind it."""
    (tmp_path / "model").write_text("not read")
    spec = explainspec.loads(
        """spec s "s" { method = reference.shapley  output = attribution  question "?"
        world { function = user_model("model"); data = table("data") }
        claim c holds "c" { check sum(phi) == f(x) - mean(f(background)) within 1e-6 } }"""
    )
    with bindings.bound({}, {}):
        result = explainspec.verify(spec, profile="fast")
    c = result[0]
    assert c.verdict.value == "invalid" and c.diagnostics[0].code == "ES306"
    assert "no model is bound as 'model'" in c.error and "--model model=FILE" in c.error


def test_column_names_and_row_ids_cannot_inject_markup_into_the_card(tmp_path):
    from sklearn.linear_model import LinearRegression

    from explainspec.docgen.audit_card import write_card

    rng = np.random.default_rng(0)
    evil = ["<script>alert(1)</script>", "[x](javascript:alert(1))", "a|b", "`code`"]
    frame = pd.DataFrame(rng.normal(size=(40, 4)), columns=evil)
    frame.index = [f"<img src=x onerror=alert({i})>" for i in range(40)]
    y = frame.to_numpy() @ [1.0, -1.0, 0.5, 0.0]
    model = LinearRegression().fit(frame.to_numpy(), y)
    report = explainspec.audit(model, frame, methods=["lime.tabular"], points=2, background=10)
    card = write_card(report, tmp_path).read_text()
    for bad in ("<script", "<img", "](javascript", "`code`", "a|b"):
        assert bad not in card, bad
    assert "&#60;script&#62;alert(1)&#60;/script&#62;" in card


def test_the_models_own_repr_never_reaches_the_card_unescaped(tmp_path):
    """A callable whose __name__ is markup (the description shows it) is escaped too."""
    from explainspec.docgen.audit_card import write_card

    def f(z):
        return z[:, 0] - z[:, 1]

    f.__name__ = "<b>bold</b>"
    rows = np.random.default_rng(1).normal(size=(30, 3))
    report = explainspec.audit(f, rows, methods=["shap.kernel"], points=2, background=5)
    card = write_card(report, tmp_path).read_text()
    assert "<b>" not in card and "&#60;b&#62;bold" in card
