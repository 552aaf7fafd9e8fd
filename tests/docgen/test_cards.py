"""Interpretation cards from the IR plus (optional) verification results."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from explainspec.docgen.cards import (
    NOT_VERIFIED,
    CardWriter,
    format_value,
    method_statistic,
    render_card,
    render_index,
    write_cards,
)
from explainspec.docgen.results import load_results
from explainspec.lang import ir


def section(card: str, heading: str) -> str:
    """The text of one ``## heading`` section of a card."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", card, re.S | re.M)
    assert match, f"no section {heading!r} in card:\n{card}"
    return match.group(1)


def test_card_without_results_says_not_verified(spec):
    card = render_card(spec)
    assert card.startswith("# Toy SHAP\n")
    assert "> **Question.** How does f(x) minus the mean prediction split" in card
    # the verdicts come first: what the spec states, marked as not yet verified
    assert card.index("## You may conclude") < card.index("## The statistic")
    conclude = section(card, "You may conclude")
    assert "additive_recovery" in conclude and "*(component)*" in conclude
    assert "Under: f is additive." in conclude and "efficiency" in conclude
    assert NOT_VERIFIED in conclude
    assert "sign_is_direction" in section(card, "You may not conclude")
    assert "**no_interactions** — f is additive." in section(card, "The claims in detail")
    assert "None stated" not in card
    assert NOT_VERIFIED in section(card, "Evidence")
    # nothing claims a verdict it does not have
    assert "**verified**" not in card and "**shown**" not in card


def test_card_prints_checks_and_worlds_from_the_source(spec):
    card = render_card(spec)
    assert "`sum(phi) == f(x) - mean(f(background)) within 1e-9`" in card
    # the claim's world replaces the spec's `function` and keeps the other fields
    details = section(card, "The claims in detail")
    recovery = details[details.index("additive_recovery") :].split("<a id=")[0]
    assert "`function = additive`" in recovery and "`features = 1..3`" in recovery
    assert "any(linear, additive)" not in recovery


def test_card_with_results_shows_verdicts_and_counterexample(spec, report, tmp_path):
    results = load_results(report)
    card = CardWriter(results, assets=tmp_path / "assets").card(spec)
    conclude = section(card, "The claims in detail")
    assert "**verified** (80 worlds tried, worst margin 5e-10)" in conclude
    assert "✔ **[additive_recovery](#additive_recovery)**" in section(card, "You may conclude")
    verdicts = section(card, "You may not conclude")
    assert "✖ **[sign_is_direction](#sign_is_direction)**" in verdicts and "*(shown)*" in verdicts
    assert "  Counterexample: `f(x) = x0 ** 2`, `x = (0.5)`" in verdicts
    assert '<img src="assets/toy_shap-sign_is_direction.png" alt="Counterexample to ' in verdicts
    refuted = section(card, "The claims in detail")
    assert "**shown**" in refuted
    assert "| f | `f(x) = x0 ** 2` |" in refuted
    assert "| x | `(0.5)` |" in refuted
    assert "| `sign(phi[i])` | `-1` |" in refuted
    assert "$ explainspec verify toy.espec --claim sign_is_direction --seed 1234" in refuted
    image = tmp_path / "assets" / "toy_shap-sign_is_direction.png"
    assert "![Counterexample to toy_shap.sign_is_direction: " in refuted
    assert f"](assets/{image.name})" in refuted
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    evidence = section(card, "Evidence")
    assert "| worlds tried | 183 |" in evidence
    assert "| claims | 3 of 3 passed (3 run) |" in evidence
    assert "| shap | 0.51.0 |" in evidence
    assert "| date | 2026-11-27T12:00:00Z |" in evidence


def test_refuted_answers_claim_is_not_listed_as_a_conclusion(spec, report):
    report["claims"][1].update(verdict="refuted", margin=-0.5)
    card = render_card(spec, load_results(report))
    assert "additive_recovery" not in section(card, "You may conclude")
    assert "✖ **[additive_recovery](#additive_recovery)**" in section(card, "You may not conclude")
    details = section(card, "The claims in detail")
    assert "### ✘ additive_recovery" in details
    assert "**refuted** (80 worlds tried, margin -0.5)" in details


def test_spec_source_is_highlighted_as_espec(spec):
    card = render_card(spec)
    source = section(card, "The spec")
    assert source.strip().startswith("```espec\nspec toy_shap")
    assert source.strip().endswith("```")


def test_statistic_merges_spec_params_over_registered_defaults(spec):
    from explainspec.registry import registry

    steps = ir.Param(name="steps", value=ir.Number(value=10))
    ig = replace(spec, method=ir.MethodRef(use="reference.integrated_gradients", params=(steps,)))
    stat = method_statistic(ig)
    entry = registry("method").get("reference.integrated_gradients")
    assert stat.registered and stat.method == "reference.integrated_gradients"
    params = {name: (value, origin) for name, value, origin in stat.params}
    assert params["steps"] == ("10", "spec")
    assert len(entry.params) > 1
    for p in entry.params:
        if p.name != "steps":
            assert params[p.name][1] == "default"
            assert params[p.name][0] == ("required" if p.required else repr(p.default))
    meta = dict(stat.metadata)
    for key in entry.extra["statistic"]:
        assert key in meta


def test_unregistered_method_keeps_the_spec_params(spec):
    other = replace(
        spec,
        method=ir.MethodRef(
            use="nope.missing", params=(ir.Param(name="k", value=ir.Number(value=3)),)
        ),
    )
    stat = method_statistic(other)
    assert not stat.registered
    assert stat.params == (("k", "3", "spec"),)
    assert "not registered" in render_card(other)


def test_index_matrix_links_claims(spec, report):
    page = render_index([spec], load_results(report))
    header = next(line for line in page.splitlines() if line.startswith("| method |"))
    nowrap = '<span style="white-space: nowrap">'
    assert header == f"| method | {nowrap}`component`</span> | {nowrap}`local_effect`</span> |"
    row = next(line for line in page.splitlines() if line.startswith("| [Toy SHAP]"))
    green, red = '<span style="color: #1a7f37">', '<span style="color: #cf222e">'
    assert f"[{green}✔</span>](toy_shap.md#additive_recovery 'additive_recovery')" in row
    assert f"[{red}✖</span>](toy_shap.md#sign_is_direction 'sign_is_direction')" in row
    assert f"- {green}✔</span> *answers this question*" in page  # the legend
    pending = render_index([spec])
    assert "✔?</span>" in pending and "✖?</span>" in pending


def test_write_cards_writes_pages_and_plots(spec, report_file, tmp_path):
    out = tmp_path / "cards"
    written = write_cards([spec], out, load_results(report_file))
    assert [p.name for p in written] == ["toy_shap.md", "index.md"]
    assert (out / "assets" / "toy_shap-sign_is_direction.png").is_file()


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1e-9, "1e-09"), (True, "true"), ("text", "text"), ({"i": 0}, "i = 0"), (float("inf"), "inf")],
)
def test_format_value(value, shown):
    assert format_value(value) == shown


def test_load_results_rejects_incomplete_records(tmp_path):
    with pytest.raises(ValueError, match="needs a spec, a claim name and a verdict"):
        load_results({"claims": [{"spec": "s", "verdict": "verified"}]})
    not_an_object = tmp_path / "list.json"
    not_an_object.write_text("[]", encoding="utf-8")
    with pytest.raises(ValueError, match="JSON object"):
        load_results(not_an_object)


def test_load_results_reads_the_runner_report(spec):
    """A report written by the real JSON reporter for a real verification of the toy spec."""
    from explainspec.report.json_report import JsonReporter
    from explainspec.runner.plan import RunOptions
    from explainspec.runner.run import drive, run

    reporter = JsonReporter()
    drive(run([spec], RunOptions(profile="fast", max_examples=10)), reporter.handle)
    results = load_results(json.loads(reporter.text()))
    verdicts = {r.claim: r.verdict for r in results}
    assert verdicts == {
        "efficiency": "verified",
        "additive_recovery": "verified",
        "sign_is_direction": "shown",
    }
    assert results.profile == "fast" and results.versions["numpy"] and results.date
    shown = results.get("toy_shap", "sign_is_direction")
    assert shown.counterexample["function"].startswith("f(x) =")
    assert shown.worlds and shown.worlds > 0
    card = render_card(spec, results)
    assert "| f | `f(x) =" in section(card, "The claims in detail")


def test_counterexample_table_leaves_out_defaults_and_shows_the_margin_once(spec, report):
    cx = report["claims"][2]["counterexample"]
    cx["info"] = [
        ["family", "additive"],
        ["data", "3 rows"],
        ["background", "data"],
        ["target", "f"],
        ["noise", "0.0"],
    ]
    cx["quantities"].append(
        {
            "text": "sign(phi[i]) == sign(grad(f, x)[i])",
            "value": -0.999999,
            "shown": "-0.999999",
            "role": "margin",
        }
    )
    refuted = section(render_card(spec, load_results(report)), "The claims in detail")
    table = refuted[refuted.index("| quantity |") : refuted.index("Reproduce with")]
    for dropped in ("| target |", "| noise |", "| background |", "| data |", "| seed |"):
        assert dropped not in table, dropped
    # what a reader needs to redo it by hand is still there
    assert "background: the 3 data rows" in table and "| family | `additive` |" in table
    assert "| x | `(0.5)` |" in table and "| `sign(grad(f, x)[i])` | `1` |" in table
    # the margin once: not as a comparison row, not in the verdict line
    assert table.count("-0.999999") == 1 and "margin (< 0: the check fails)" in table
    assert "`sign(phi[i]) == sign(grad(f, x)[i])`" not in table
    assert "**shown** (3 worlds tried)" in refuted
    assert "--seed 1234" in refuted  # the seed lives in the reproduce line


def test_counterexample_table_keeps_what_is_not_the_default(spec, report):
    cx = report["claims"][2]["counterexample"]
    cx["info"] = [
        ["data", "9 rows"],
        ["background", "sample(3)"],
        ["target", "g"],
        ["noise", "0.1"],
    ]
    cx["reproduce"] = "explainspec verify toy.espec --claim sign_is_direction"
    refuted = section(render_card(spec, load_results(report)), "The claims in detail")
    for kept in ("| data | `9 rows` |", "| background | `sample(3)` |", "| target | `g` |"):
        assert kept in refuted, kept
    assert "| noise | `0.1` |" in refuted and "| seed | `1234` |" in refuted
    assert "background: 3 rows)" in refuted


def test_curve_legend_says_which_value_is_where(tmp_path, monkeypatch):
    from explainspec.docgen import plots

    labels: list[str] = []
    real_save = plots._save

    def spy(fig, ax, path, title):
        labels.extend(ax.get_legend_handles_labels()[1])
        return real_save(fig, ax, path, title)

    monkeypatch.setattr(plots, "_save", spy)
    cx = {
        "function": "f(x) = x0**2",
        "d": 1,
        "point": [-1.0],
        "baseline": [0.0],
        "phi": [-2.0],
        "quantities": [{"text": "phi[i] * (x[i] - baseline[i])", "value": 2.0}],
    }
    assert plots.counterexample_plot(cx, tmp_path / "p.png") == plots.CURVE
    assert "x = -1, f(x) = 1" in labels
    assert "tangent at x: gradient -2" in labels
    assert "baseline = 0, f(baseline) = 0" in labels
    assert "phi at x: -2" in labels


def test_an_estimator_card_inherits_the_readings_of_its_statistic(tmp_path):
    """KernelSHAP's card said "None stated" under "You may conclude": it now lists the
    conclusions of the exact statistic it estimates, linked to that card."""
    from pathlib import Path

    import explainspec

    root = Path(__file__).resolve().parents[2] / "specs"
    specs = [
        explainspec.load(root / n) for n in ("shapley_interventional.espec", "shap_kernel.espec")
    ]
    write_cards(specs, tmp_path)
    card = (tmp_path / "shap_kernel.md").read_text()
    assert "None stated" not in card
    conclude = section(card, "You may conclude")
    assert "[Interventional Shapley values (exact)](shapley.md)" in conclude
    assert "**[efficiency](shapley.md#efficiency)**" in conclude  # the statistic's own claim
    assert "**[efficiency](#efficiency)**" in conclude  # and the estimator's
    assert "*Assuming:* Every number is relative to the background rows" in conclude
    not_conclude = section(card, "You may not conclude")
    shapley_negatives = [c.name for c in specs[0].claims if c.kind.value == "does_not_answer"]
    assert shapley_negatives
    for name in shapley_negatives:
        assert f"**[{name}](shapley.md#{name})**" in not_conclude
