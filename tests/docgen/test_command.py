"""``explainspec docs``: arguments, exit codes and the files it writes."""

from __future__ import annotations

import argparse
from pathlib import Path

from explainspec.commands import docs


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    docs.add_arguments(parser)
    return docs.run(parser.parse_args(argv))


def test_writes_cards_with_results(spec, report_file, tmp_path):
    out = tmp_path / "cards"
    assert run(spec.source, "--out", str(out), "--results", str(report_file)) == 0
    card = (out / "toy_shap.md").read_text()
    assert "**shown**" in card
    assert (out / "assets" / "toy_shap-sign_is_direction.png").is_file()
    assert "[Toy SHAP](toy_shap.md)" in (out / "index.md").read_text()


def test_folder_argument_and_no_results(spec, tmp_path):
    out = tmp_path / "cards"
    assert run(str(Path(spec.source).parent), "--out", str(out)) == 0
    assert "not yet verified" in (out / "toy_shap.md").read_text()


def test_reference_pages(tmp_path):
    assert run("--reference", str(tmp_path)) == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert {"methods.md", "families.md", "oracles.md", "questions.md", "codes.md"} <= names
    assert "`reference.shapley`" in (tmp_path / "methods.md").read_text()


def test_usage_errors(spec, tmp_path, capsys):
    assert run() == 2
    assert run(spec.source) == 2
    assert "--out DIR is required" in capsys.readouterr().err
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    assert run(spec.source, "--out", str(tmp_path / "o"), "--results", str(broken)) == 2
    assert "cannot read --results" in capsys.readouterr().err


def test_spec_error_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.espec"
    bad.write_text('spec bad "B" {\n    method = \n}\n')
    assert run(str(bad), "--out", str(tmp_path / "o")) == 2
    assert "ES1" in capsys.readouterr().err


def test_help_imports_are_cheap():
    import subprocess
    import sys

    code = (
        "import sys, argparse; from explainspec.commands import docs; "
        "docs.add_arguments(argparse.ArgumentParser()); "
        "print(sorted(m for m in ('numpy', 'matplotlib', 'hypothesis') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
