"""Generated pages are written into the output folder, never through a link a checkout planted.

``explainspec docs specs/ --out docs/library`` in a checkout whose ``docs/library/index.md`` (or
``<spec>.md``) is a symbolic link to ``~/.bashrc`` overwrote ``~/.bashrc`` with the index page;
an ``assets`` link to ``~/.ssh`` received the counterexample plots; an output folder that is a
link took every page elsewhere; ``--reference`` pages likewise. Now a file is written beside its
place and renamed over it (a link there is replaced, its target untouched), a link as ``assets``
is refused, and so is an output folder reached through a link that leads outside the working
directory and the link's own folder: ``ES251``, exit 2.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import hostile_cards  # noqa: E402

from explainspec import loads  # noqa: E402
from explainspec.docgen.cards import write_cards  # noqa: E402
from explainspec.docgen.outputs import UnsafeOutput  # noqa: E402
from explainspec.docgen.reference import write_reference  # noqa: E402
from explainspec.docgen.results import load_results  # noqa: E402

SPEC = """spec x "X" {
    method = reference.shapley
    output = attribution
    question "How does f(x) minus the mean prediction split among the features?"
    world { function = linear; features = 2; data = grid(levels = 3); background = data; points = 1 }
    claim c holds "The attributions add up to f(x) minus the mean prediction." {
        check sum(phi) == f(x) - mean(f(background)) within 1e-6
    }
}
"""
SECRET = "the user's own file\n"


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """``(checkout, victim)``: the working directory is the checkout; ``victim`` (outside it)
    holds ``secret.txt`` and an empty folder ``keys``."""
    checkout, victim = tmp_path / "checkout", tmp_path / "home"
    checkout.mkdir()
    (victim / "keys").mkdir(parents=True)
    (victim / "secret.txt").write_text(SECRET, encoding="utf-8")
    (checkout / "x.espec").write_text(SPEC, encoding="utf-8")
    monkeypatch.chdir(checkout)
    return checkout, victim


def test_a_link_in_place_of_a_card_is_replaced_not_written_through(machine) -> None:
    checkout, victim = machine
    out = checkout / "docs" / "library"
    out.mkdir(parents=True)
    for name in ("x.md", "index.md"):
        (out / name).symlink_to(victim / "secret.txt")
    written = write_cards([loads(SPEC)], out)
    assert (victim / "secret.txt").read_text(encoding="utf-8") == SECRET  # was the index page
    for path in written:
        assert path.parent == out and path.is_file() and not path.is_symlink(), path
    assert (out / "index.md").read_text(encoding="utf-8").startswith("# ")
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_link_in_place_of_the_assets_folder_is_refused(machine) -> None:
    pytest.importorskip("matplotlib")
    checkout, victim = machine
    out = checkout / "cards"
    out.mkdir()
    (out / "assets").symlink_to(victim / "keys")
    results = load_results(hostile_cards.report())
    with pytest.raises(UnsafeOutput, match="symbolic link"):
        write_cards([loads(hostile_cards.SPEC)], out, results)
    assert list((victim / "keys").iterdir()) == []  # the plot went there


def test_an_output_folder_linked_out_of_the_checkout_is_refused(machine) -> None:
    checkout, victim = machine
    (checkout / "site").symlink_to(victim / "keys", target_is_directory=True)
    proc = subprocess.run(
        [sys.executable, "-m", "explainspec", "docs", "x.espec", "--out", "site"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "ES251" in proc.stderr and "symbolic link" in proc.stderr, proc.stderr
    assert list((victim / "keys").iterdir()) == []
    # a link that stays inside the working directory is an ordinary folder
    (checkout / "real").mkdir()
    (checkout / "inside").symlink_to(checkout / "real", target_is_directory=True)
    written = write_cards([loads(SPEC)], "inside")
    assert sorted(p.name for p in (checkout / "real").iterdir()) == ["index.md", "x.md"]
    assert len(written) == 2


def test_reference_pages_replace_links(machine) -> None:
    checkout, victim = machine
    out = checkout / "reference"
    out.mkdir()
    (out / "codes.md").symlink_to(victim / "secret.txt")
    written = write_reference(out)
    assert (victim / "secret.txt").read_text(encoding="utf-8") == SECRET
    assert (out / "codes.md") in written and not (out / "codes.md").is_symlink()


def test_convert_replaces_a_link_at_its_output(machine) -> None:
    checkout, victim = machine
    (checkout / "x.espec.yaml").symlink_to(victim / "secret.txt")
    proc = subprocess.run(
        [sys.executable, "-m", "explainspec", "convert", "x.espec", "--to", "yaml"]
        + ["-o", "x.espec.yaml"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert (victim / "secret.txt").read_text(encoding="utf-8") == SECRET
    assert "spec: x" in (checkout / "x.espec.yaml").read_text(encoding="utf-8")
