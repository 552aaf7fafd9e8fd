"""Files of one generated set never share a name on any file system.

``explainspec docs`` wrote a card per spec, ``<name>.md``, and a plot per counterexample,
``assets/<spec>-<claim>.png``: on macOS or Windows (case-insensitive file systems, APFS also
normalisation-insensitive) the card of a spec ``Shap`` silently replaced the card of ``shap``, the
plot of claim ``Mono`` the plot of ``mono``; on every file system a spec named ``index`` was
replaced by the index page, two specs of one name shared one card ("wrote 2 cards"), and a spec
named ``nul`` was Windows' null device. Such sets are now refused before anything is written
(``ES251``). An audit card's name is lower case, so two audits whose names differ only in case
share their card on every file system, not only on some.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from explainspec import loads
from explainspec.docgen import audit_card
from explainspec.docgen.cards import write_cards
from explainspec.docgen.outputs import CollidingOutput, UnsafeOutput, distinct_names, folded

SPEC = """spec NAME "X" {
    method = reference.shapley
    output = attribution
    question "How does f(x) minus the mean prediction split among the features?"
    world { function = linear; features = 2; data = grid(levels = 3); background = data; points = 1 }
    claim CLAIM holds "The attributions add up to f(x) minus the mean prediction." {
        check sum(phi) == f(x) - mean(f(background)) within 1e-6
    }
    claim OTHER holds "The attributions add up to f(x) minus the mean prediction." {
        check sum(phi) == f(x) - mean(f(background)) within 1e-6
    }
}
"""


def spec(name: str, claim: str = "c", other: str = "d"):
    return loads(SPEC.replace("NAME", name).replace("CLAIM", claim).replace("OTHER", other))


@pytest.mark.parametrize(
    "names, clash",
    [
        (["Shap", "shap"], "'Shap.md' and 'shap.md' differ only in case"),
        (["index"], "two are named 'index.md'"),
        (["Index"], "'Index.md' and 'index.md' differ only in case"),
        (["x", "x"], "two are named 'x.md'"),
    ],
)
def test_cards_that_one_file_system_stores_as_one_are_refused(tmp_path: Path, names, clash) -> None:
    out = tmp_path / "cards"
    with pytest.raises(CollidingOutput, match=clash):
        write_cards([spec(n) for n in names], out)
    assert not out.exists()  # refused before anything was written


def test_a_spec_named_like_a_windows_device_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafeOutput, match="'nul.md' names a device on Windows"):
        write_cards([spec("nul")], tmp_path / "cards")


def test_plots_of_claims_that_differ_only_in_case_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "cards"
    with pytest.raises(CollidingOutput, match="'x-Mono.png' and 'x-mono.png'"):
        write_cards([spec("x", "Mono", "mono")], out)
    assert not out.exists()
    written = write_cards([spec("x", "Mono", "steady")], out)  # distinct names are written
    assert sorted(p.name for p in written) == ["index.md", "x.md"]


def test_the_docs_command_says_which_names_collide(tmp_path: Path) -> None:
    (tmp_path / "a.espec").write_text(SPEC.replace("NAME", "Shap"), encoding="utf-8")
    (tmp_path / "b.espec").write_text(SPEC.replace("NAME", "shap"), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "explainspec", "docs", "a.espec", "b.espec", "--out", "site"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "ES251" in proc.stderr and "'Shap.md' and 'shap.md'" in proc.stderr, proc.stderr
    assert not (tmp_path / "site").exists()


def test_names_are_folded_as_case_insensitive_normalising_file_systems_fold_them() -> None:
    nfc, nfd = "caf\u00e9.md", "cafe\u0301.md"
    assert nfc != nfd and folded(nfc) == folded(nfd) == folded("CAF\u00c9.md")
    with pytest.raises(CollidingOutput, match="Unicode normalisation"):
        distinct_names([nfc, nfd], "the pages")
    assert folded("\u212a.md") == folded("k.md")  # KELVIN SIGN: NTFS and APFS fold it to k
    distinct_names(["a.md", "b.md", "ab.md", "a-b.md"], "the pages")  # no clash: no error


def test_audit_cards_are_named_alike_on_every_file_system(tmp_path: Path, monkeypatch) -> None:
    from types import SimpleNamespace

    monkeypatch.setattr(audit_card, "render_card", lambda report: f"# {report.model_name}\n")
    first = audit_card.write_card(SimpleNamespace(model_name="GBR", table_name="DB"), tmp_path)
    second = audit_card.write_card(SimpleNamespace(model_name="gbr", table_name="db"), tmp_path)
    assert first == second == tmp_path / "audit-gbr-db.md"
    assert [p.name for p in tmp_path.iterdir()] == ["audit-gbr-db.md"]


def test_cards_and_reference_pages_in_one_folder_do_not_collide(tmp_path: Path) -> None:
    """``explainspec docs specs/ --out site --reference site``: the card of a spec named
    ``methods`` replaced the reference page ``methods.md`` (the cards were written after it)."""
    (tmp_path / "m.espec").write_text(SPEC.replace("NAME", "methods"), encoding="utf-8")

    def docs(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "explainspec", "docs", "m.espec", *argv],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )

    proc = docs("--out", "site", "--reference", "site")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "ES251" in proc.stderr and "'methods.md'" in proc.stderr, proc.stderr
    assert not (tmp_path / "site").exists()  # refused before anything was written
    proc = docs("--out", "site", "--reference", "reference")  # two folders: no clash
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "reference" / "methods.md").read_text(encoding="utf-8").startswith("# ")
