"""Results in Python and notebooks: to_json (the report format, read by `explainspec diff`),
to_frame (pandas), the HTML/Markdown displays Jupyter uses (escaped, plot inline), and
explainspec.card(result)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import explainspec
from explainspec.report.diff import compare

SPEC = Path(__file__).resolve().parents[2] / "docs" / "examples" / "specs" / "my.espec"


@pytest.fixture(scope="module")
def run():
    result = explainspec.verify(explainspec.load(SPEC), profile="fast", seed=0)
    assert [c.verdict.value for c in result] == ["verified", "refuted"]
    return result


def test_to_json_is_the_report_format(run):
    doc = json.loads(run.to_json())
    assert doc["report_version"] == 1 and doc["passed"] is False
    assert [c["claim"] for c in doc["claims"]] == ["efficiency", "sums_to_prediction"]
    assert doc["claims"][1]["counterexample"]["reproduce"].startswith("explainspec verify")
    assert compare(doc, doc).changed == []  # explainspec diff reads it


def test_to_frame_has_one_row_per_claim(run):
    pytest.importorskip("pandas")
    frame = run.to_frame()
    assert list(frame["claim"]) == ["efficiency", "sums_to_prediction"]
    assert list(frame["verdict"]) == ["verified", "refuted"]
    assert frame.loc[1, "margin"] < 0 < frame.loc[0, "margin"]


def test_html_display_shows_verdicts_and_the_counterexample_with_its_plot(run):
    pytest.importorskip("matplotlib")
    page = run._repr_html_()
    assert page.count("<tr>") >= 3 and "✖ refuted" in page and "✔ verified" in page
    assert "my_shapley.sums_to_prediction" in page
    assert '<img src="data:image/png;base64,' in page  # the plot, inline
    cx = run["sums_to_prediction"].counterexample
    assert "Reproduce with" in cx._repr_html_() and "| f | `f(x) =" in cx._repr_markdown_()
    assert "**✖ refuted** `my_shapley.sums_to_prediction`" in run[1]._repr_markdown_()


def test_html_display_escapes_spec_text(run):
    from dataclasses import replace

    claim = replace(run[0], statement='<script>alert("x")</script>')
    page = claim._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_card_renders_without_the_cli(run, tmp_path):
    text = explainspec.card(run, assets=tmp_path)
    assert text.startswith("# Interventional Shapley values in CI\n")
    conclude = text[text.index("## You may conclude") : text.index("## You may not conclude")]
    assert "efficiency" in conclude and "sums_to_prediction" not in conclude
    assert "sums_to_prediction" in text[text.index("## You may not conclude") :]
    assert list(tmp_path.glob("*.png"))  # the counterexample's plot


def test_card_of_a_spec_built_in_code_needs_the_spec(run):
    spec = explainspec.loads(SPEC.read_text())
    result = explainspec.verify(spec, profile="fast", seed=0, claims=["efficiency"])
    assert result[0].source is None  # loaded from text: no file to read it again from
    with pytest.raises(ValueError, match="pass the spec"):
        explainspec.card(result)
    assert "efficiency" in explainspec.card(result, spec)


def test_a_loaded_spec_displays_itself_escaped_and_without_heavy_imports():
    import subprocess
    import sys

    hostile = explainspec.loads(
        """
spec s "<script>alert(1)</script>" {
    method = reference.shapley
    output = attribution
    question "Is <b>this</b> escaped?"
    claim c holds "phi <img src=x onerror=alert(1)>" { check sum(phi) == 0 within 1e-6 }
}"""
    )
    page = hostile._repr_html_()
    assert "<script>" not in page and "<img" not in page and "<b>this" not in page
    assert "&lt;script&gt;" in page and "<code>c</code>" in page and "holds" in page
    card = explainspec.load(SPEC)._repr_markdown_()
    assert card.startswith("# Interventional Shapley values in CI")
    assert "## You may conclude" in card and "efficiency" in card
    probe = (
        "import sys, explainspec; s = explainspec.load(sys.argv[1]); s._repr_html_(); "
        "s._repr_markdown_(); heavy = [m for m in ('numpy', 'hypothesis', 'shap', 'sklearn') "
        "if m in sys.modules]; assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", probe, str(SPEC)], check=True, timeout=120)


def test_verify_shows_progress_when_asked(capsys):
    from io import StringIO

    from rich.console import Console

    from explainspec.report.notebook import NotebookProgress, in_notebook
    from explainspec.runner.plan import RunOptions
    from explainspec.runner.run import drive, run

    assert in_notebook() is False  # pytest is not a Jupyter kernel: no bar by default
    out = StringIO()
    bar = NotebookProgress(Console(file=out, width=120, force_terminal=False))
    spec = explainspec.load(SPEC)
    result = drive(run([spec], RunOptions(profile="fast", seed=0, max_examples=5)), bar.handle)
    text = out.getvalue()
    assert len(result) == 2 and "2/2" in text and "1 failed" in text
    assert bar.started is False  # stopped at the end of the run
    explainspec.verify(spec, profile="fast", max_examples=3, progress=True)
    assert "2/2" in capsys.readouterr().out
