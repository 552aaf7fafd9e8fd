"""`convert` and `fmt` never change what an invalid spec means (issue 14.9).

A spec with semantic errors is refused (exit 2, its diagnostics, nothing written): two claims
with one name would become one YAML claim (and the output would then pass `check`), a parameter
that is not a literal would become a string.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from explainspec.cli import main

DATA = Path(__file__).resolve().parents[1] / "lang" / "data"
SKETCH = (DATA / "kernel_shap.espec").read_text()
DUPLICATE = SKETCH.replace("claim local_direction", "claim efficiency", 1)
NON_LITERAL = SKETCH.replace("nsamples = 4096", "nsamples = lots", 1)


@pytest.mark.parametrize(
    ("text", "code"), [(DUPLICATE, "ES212"), (NON_LITERAL, "ES224")], ids=["duplicate", "literal"]
)
@pytest.mark.parametrize("to", ["yaml", "dsl"])
def test_convert_refuses_a_spec_with_errors(text, code, to, tmp_path, capsys):
    assert text != SKETCH
    src = tmp_path / "s.espec"
    src.write_text(text)
    out = tmp_path / "out.txt"
    assert main(["convert", str(src), "--to", to, "-o", str(out)]) == 2
    _, err = capsys.readouterr()
    assert f"{code} " in err and "nothing was written" in err
    assert not out.exists()
    assert main(["convert", str(src), "--to", to]) == 2
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("text", "code"), [(DUPLICATE, "ES212"), (NON_LITERAL, "ES224")], ids=["duplicate", "literal"]
)
@pytest.mark.parametrize("check", [True, False])
def test_fmt_refuses_a_spec_with_errors(text, code, check, tmp_path, capsys):
    src = tmp_path / "s.espec"
    messy = text.replace("    ", "  ")  # not canonical: fmt would rewrite it
    src.write_text(messy)
    assert main(["fmt", *(["--check"] if check else []), str(src)]) == 2
    assert f"{code} " in capsys.readouterr().err
    assert src.read_text() == messy


def test_a_converted_spec_keeps_every_claim(tmp_path, capsys):
    src = tmp_path / "s.espec"
    src.write_text(SKETCH)
    assert main(["convert", str(src), "--to", "yaml"]) == 0
    yaml_text = capsys.readouterr().out
    assert all(
        f"  {name}:" in yaml_text for name in ("efficiency", "additive_recovery", "local_direction")
    )


def test_warnings_do_not_stop_fmt(tmp_path):
    from explainspec.lang import check_spec, load_text

    # `within mc(...)` on a deterministic method is a warning (ES218), not an error
    text = SKETCH.replace("shap.kernel(nsamples = 4096)", "reference.shapley", 1)
    assert [d.code for d in check_spec(load_text(text))] == ["ES218"]
    src = tmp_path / "s.espec"
    src.write_text(text.replace("    ", "  "))
    assert main(["fmt", "--write", str(src)]) == 0
    assert main(["fmt", "--check", str(src)]) == 0
