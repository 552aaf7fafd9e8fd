"""The library table of necessary assumptions and the cards' "Needs" lines, from a probe's JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explainspec.docgen import assumptions as A
from explainspec.docgen.cards import CardWriter
from explainspec.lang.parser import parse_spec_text

ROOT = Path(__file__).resolve().parents[2]

CX = [
    "f(x) = x0 + x1",
    "P: dependent(rho = 0.05, levels = 3): uniform over 57 rows  (d = 2, background: 57 rows)",
    "x = (-1, 0)",
    "phi = [-1.02632, 0.0263158]",
    "margin of phi[i] == 0 within 1e-9: -0.0263158",
]


def step(finding, condition="the features are independent", **kw):
    base = {
        "id": "dependence:data",
        "axis": "dependence",
        "field": "data",
        "direction": "wider",
        "was": "grid(levels = 3)",
        "searched": "dependent(levels = 3)",
        "widened": None,
        "condition": condition,
        "finding": finding,
        "reason": None,
        "run": {
            "verdict": "refuted",
            "examples": 3,
            "error": None,
            "diagnostics": [],
            "counterexample": CX,
        },
    }
    base.update(kw)
    return base


DOC = {
    "format": "explainspec-probe/1",
    "seed": 0,
    "profile": "fast",
    "claims": [
        {
            "spec": "s",
            "claim": "a",
            "kind": "answers",
            "verdict": "verified",
            "examples": 25,
            "note": None,
            "steps": [
                step("necessary"),
                step("not_needed", run={"verdict": "verified", "examples": 25}, id="features"),
                step("not_applicable", reason="a global method: no points", run=None),
                step(
                    "necessary",
                    condition="<script>alert(1)</script> x's' | y",
                    axis="assume",
                    field="assume evil",
                    searched=None,
                ),
            ],
            "widest": {},
        }
    ],
}


def test_table_has_each_restriction_finding_and_counterexample():
    page = A.render(DOC)
    assert "## s.a" in page
    row = next(line for line in page.splitlines() if line.startswith("| dependence"))
    assert "**necessary**" in row and "f(x) = x0 + x1" in row and "x = (-1, 0)" in row
    assert "phi = " not in row  # only the lines a reader needs to redo it
    assert "25 worlds verified" in page and "a global method: no points" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "2 restrictions necessary, 1 not needed" in page


def test_card_lines_link_each_condition_to_its_counterexample_and_escape_prose():
    lines = A.card_lines(DOC, "s", "a")
    assert lines[0].startswith("Needs")
    dep = lines[2]
    assert "the features are independent" in dep and "`dependent(levels = 3)`" in dep
    assert "`f(x) = x0 + x1`" in dep
    assert all("<script>" not in line for line in lines)
    assert A.card_lines(DOC, "s", "other") == []


def test_hover_cannot_leave_the_link_title():
    hover = A.hover_text(DOC, "s", "a")
    assert hover.startswith(" — needs: the features are independent")
    assert not set(hover) & set("'\"()<>[]\\")


def test_cards_show_the_needs_lines_and_the_matrix_hover():
    spec = parse_spec_text(
        'spec s "S" {\n method = reference.shapley()\n output = attribution\n question "Q?"\n'
        ' claim a answers decomposition "A." { check sum(phi) == 0 within 1e-9 }\n}\n'
    )
    writer = CardWriter(probe=DOC)
    assert "Needs (found by `explainspec probe`):" in writer.card(spec)
    assert "needs: the features are independent" in writer.index([spec])
    assert "Needs" not in CardWriter().card(spec)


@pytest.mark.skipif(
    not (ROOT / "docs" / "evidence" / "probe.json").is_file(), reason="no probe run"
)
def test_library_page_is_the_rendering_of_the_committed_probe_run():
    doc = json.loads((ROOT / "docs" / "evidence" / "probe.json").read_text())
    page = (ROOT / "docs" / "library" / "assumptions.md").read_text()
    assert page == A.render(doc, command=A.command(doc))


def test_the_needs_line_is_under_the_reading_in_you_may_conclude():
    """Merged with the cards redesign (output): a ✔ reading in "You may conclude" names what the
    probe found it needs, linked to the claim's detail (where the counterexamples are)."""
    spec = parse_spec_text(
        'spec s "S" {\n method = reference.shapley()\n output = attribution\n question "Q?"\n'
        ' claim a answers decomposition "A." { check sum(phi) == 0 within 1e-9 }\n}\n'
    )
    card = CardWriter(probe=DOC).card(spec)
    conclude = card.split("## You may conclude", 1)[1].split("## You may not conclude", 1)[0]
    assert "Needs (found by `explainspec probe`): the features are independent" in conclude
    assert "([counterexamples](#a))" in conclude
    assert "<script>" not in conclude
    assert "Needs" not in CardWriter().card(spec).split("## The claims in detail")[0]


# ------------------------------------------------------------------ incremental library runs

PLANTED = ROOT / "tests" / "quality" / "probe_specs" / "over_restricted.espec"


def claim(spec, name):
    return {
        "spec": spec,
        "claim": name,
        "kind": "holds",
        "verdict": "verified",
        "examples": 25,
        "note": None,
        "steps": [],
        "widest": {},
    }


def test_merge_replaces_one_spec_and_keeps_the_others_in_order():
    doc = A.new_doc(profile="fast", seed=0, library=["b", "a", "c"])
    A.merge(doc, "c", {"file": "c.espec"}, [claim("c", "x")])
    A.merge(doc, "a", {"file": "a.espec"}, [claim("a", "y"), claim("a", "z")])
    assert [(c["spec"], c["claim"]) for c in doc["claims"]] == [("a", "y"), ("a", "z"), ("c", "x")]
    A.merge(doc, "a", {"file": "a.espec", "n": 2}, [claim("a", "w")])
    assert [(c["spec"], c["claim"]) for c in doc["claims"]] == [("a", "w"), ("c", "x")]
    assert list(doc["specs"]) == ["a", "c"] and doc["specs"]["a"]["n"] == 2
    page = A.render(doc, command=A.command(doc))
    assert "covers 2 of the library's 3 specs" in page
    assert "--run a c --profile fast --seed 0" in A.command(doc)


def test_run_is_incremental_and_resumes_after_a_change(tmp_path):
    spec = tmp_path / "over.espec"
    spec.write_text(PLANTED.read_text())
    doc = A.new_doc(profile="fast", seed=0, library=["over_restricted"])
    saved, log = [], []
    A.run_specs([spec], doc, jobs=1, save=lambda d: saved.append(len(d["claims"])), log=log.append)
    assert saved == [1] and doc["specs"]["over_restricted"]["claims"] == 1
    assert log[-1].startswith("[1/1] over_restricted: 1 claims probed in ")
    first = json.dumps(doc["claims"])
    # unchanged: skipped, nothing saved; --force probes again
    A.run_specs([spec], doc, jobs=1, save=lambda d: saved.append(0), log=log.append)
    assert saved == [1] and "up to date" in log[-1]
    # a changed file is probed again (a comment changes its digest)
    spec.write_text(PLANTED.read_text() + "\n# edited\n")
    A.run_specs([spec], doc, jobs=1, save=lambda d: saved.append(2), log=log.append)
    assert saved == [1, 2] and json.dumps(doc["claims"]) == first  # same seed, same findings
    # the spec is named from its folder down, not by the machine's absolute path
    assert doc["claims"][0]["source"] == f"{tmp_path.name}/over.espec"
    assert str(tmp_path) not in json.dumps(doc)


def test_portable_takes_the_machine_s_folder_out_of_every_string():
    claims = [{"source": "/home/u/repo/specs/a.espec", "steps": [{"note": "x /home/u/repo/b"}]}]
    assert A.portable(claims, "/home/u/repo/") == [
        {"source": "specs/a.espec", "steps": [{"note": "x b"}]}
    ]
    assert A.portable(claims, "/") == claims  # never strips every slash


@pytest.mark.skipif(
    not (ROOT / "docs" / "evidence" / "probe.json").is_file(), reason="no probe run"
)
def test_the_committed_probe_run_names_no_absolute_spec_path():
    import re

    for name in ("docs/evidence/probe.json", "docs/library/assumptions.md"):
        found = re.findall(r"/[^\s:`|\"]*/specs/[\w.-]+\.espec", (ROOT / name).read_text())
        assert not found, (name, found[:3])


def test_main_refuses_a_json_at_another_profile_and_unknown_specs(tmp_path, capsys):
    out, js = tmp_path / "page.md", tmp_path / "probe.json"
    doc = A.new_doc(profile="fast", seed=0, library=[])
    js.write_text(json.dumps(doc))
    common = ["--json", str(js), "--out", str(out), "--specs", str(PLANTED.parent)]
    with pytest.raises(SystemExit) as e:
        A.main([*common, "--run", "over_restricted", "--profile", "standard"])
    assert e.value.code == 2 and "use --fresh" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        A.main([*common, "--run", "no_such_spec"])
    assert "no spec 'no_such_spec'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        A.main([*common, "over_restricted"])  # a spec without --run
    js.write_text(json.dumps({k: v for k, v in doc.items() if k != "specs"}))
    with pytest.raises(SystemExit):
        A.main([*common, "--run", "over_restricted"])
    assert "--fresh" in capsys.readouterr().err
    assert not out.exists()  # nothing was run or written
    assert A.main(common[:4]) == 0 and out.read_text().startswith("# Necessary assumptions")
