"""Every output explainspec writes, and every spec it reads, judged by every link on its path.

Session 7 refused a link *at* the place of an output (or of the output folder named), but the
rule looked only at the last part of the path: a checkout whose ``site`` was a symbolic link to
the user's home made ``explainspec docs x.espec --out site/cards`` write the cards into
``~/cards``, ``explainspec schema -o site/schema.json`` write ``~/schema.json``, ``verify -o
site/report.json`` and ``convert -o`` likewise, and ``explainspec check specs/x.espec`` (``specs``
a link to a folder of the machine) printed the first line of that folder's ``x.espec`` in its
diagnostic. ``explainspec audit --output`` opened its report file and wrote through a link planted
at its place. The audit card, the assumptions page (and its ``probe.json``) and ``schema -o`` had
no test of their own: each test below fails when its write bypasses
:mod:`explainspec.docgen.outputs` (checked by writing with ``Path.write_text`` instead).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from explainspec import loads
from explainspec.docgen import assumptions, audit_card
from explainspec.docgen.cards import write_cards
from explainspec.docgen.outputs import UnsafeOutput
from explainspec.report.json_report import write_atomic
from tests.security.test_output_links import SECRET, SPEC  # the link tests' spec and victim


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """``(checkout, home)``: the working directory is the checkout, which holds ``x.espec`` and
    ``site``, a symbolic link to ``home`` (outside it; it holds ``secret.txt``)."""
    checkout, home = tmp_path / "checkout", tmp_path / "home"
    checkout.mkdir()
    home.mkdir()
    (home / "secret.txt").write_text(SECRET, encoding="utf-8")
    (checkout / "x.espec").write_text(SPEC, encoding="utf-8")
    (checkout / "site").symlink_to(home, target_is_directory=True)
    monkeypatch.chdir(checkout)
    return checkout, home


def untouched(home: Path) -> None:
    assert sorted(p.name for p in home.iterdir()) == ["secret.txt"]
    assert (home / "secret.txt").read_text(encoding="utf-8") == SECRET


def cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "explainspec", *argv], capture_output=True, text=True, timeout=300
    )


def test_cards_into_a_folder_behind_a_link_are_refused(machine) -> None:
    checkout, home = machine
    with pytest.raises(UnsafeOutput, match="reached through a symbolic link"):
        write_cards([loads(SPEC)], "site/cards")  # the folder did not exist: it was made in home
    (home / "cards").mkdir()
    with pytest.raises(UnsafeOutput, match="symbolic link"):
        write_cards([loads(SPEC)], "site/cards")  # it existed: its real folder was its own
    (home / "cards").rmdir()
    proc = cli("docs", "x.espec", "--out", "site/cards")
    assert proc.returncode == 2 and "ES251" in proc.stderr, proc.stderr
    untouched(home)


def test_schema_and_convert_outputs_behind_a_link_are_refused(machine) -> None:
    checkout, home = machine
    for argv in (
        ("schema", "-o", "site/schema.json"),
        ("convert", "x.espec", "--to", "yaml", "-o", "site/x.espec.yaml"),
    ):
        proc = cli(*argv)
        assert proc.returncode == 2, proc.stderr
        assert "ES251" in proc.stderr and "symbolic link" in proc.stderr, proc.stderr
    untouched(home)
    # a link at the output's own place is replaced, its target left alone
    (checkout / "schema.json").symlink_to(home / "secret.txt")
    proc = cli("schema", "-o", "schema.json")
    assert proc.returncode == 0, proc.stderr
    assert not (checkout / "schema.json").is_symlink()
    assert json.loads((checkout / "schema.json").read_text(encoding="utf-8"))
    untouched(home)


def test_reports_behind_a_link_are_refused(machine) -> None:
    checkout, home = machine
    with pytest.raises(UnsafeOutput):
        write_atomic("site/report.json", "{}\n")  # verify -o, the JSON and JUnit reports
    with pytest.raises(UnsafeOutput):
        write_atomic("site/deeper/report.xml", "<x/>\n")
    untouched(home)
    write_atomic("out/report.json", "{}\n")  # a folder of the checkout is made as before
    assert (checkout / "out" / "report.json").read_text(encoding="utf-8") == "{}\n"


def test_a_spec_behind_a_linked_folder_is_not_read(machine) -> None:
    checkout, home = machine
    (home / "x.espec").write_text("TOKEN=hunter2\n", encoding="utf-8")
    for argv in (("check", "site/x.espec"), ("check", "site")):
        proc = cli(*argv)
        assert proc.returncode == 2, proc.stderr
        assert "hunter2" not in proc.stdout + proc.stderr, proc.stderr
        assert "ES101" in proc.stdout + proc.stderr and "symbolic link" in proc.stdout + proc.stderr
    # a linked folder that stays inside the checkout is an ordinary folder
    (checkout / "real").mkdir()
    (checkout / "real" / "y.espec").write_text(SPEC.replace("spec x", "spec y"), encoding="utf-8")
    (checkout / "specs").symlink_to(checkout / "real", target_is_directory=True)
    proc = cli("check", "specs/y.espec")
    assert proc.returncode == 0, proc.stdout + proc.stderr


class _Report(SimpleNamespace):
    pass


@pytest.fixture
def card(monkeypatch: pytest.MonkeyPatch) -> _Report:
    """An audit report, its card's text fixed (the card's content is tested elsewhere)."""
    monkeypatch.setattr(audit_card, "render_card", lambda report: "# Audit\n")
    return _Report(model_name="gbr", table_name="db")


def test_the_audit_card_replaces_a_link_and_refuses_a_linked_folder(machine, card) -> None:
    checkout, home = machine
    with pytest.raises(UnsafeOutput, match="symbolic link"):
        audit_card.write_card(card, "site/audit")
    with pytest.raises(UnsafeOutput, match="symbolic link"):
        audit_card.write_card(card, "site")
    untouched(home)
    (checkout / "cards").mkdir()
    (checkout / "cards" / "audit-gbr-db.md").symlink_to(home / "secret.txt")
    path = audit_card.write_card(card, "cards")
    assert path == Path("cards") / "audit-gbr-db.md" and not path.is_symlink()
    assert path.read_text(encoding="utf-8") == "# Audit\n"
    untouched(home)


def _probe_json(path: Path) -> None:
    path.write_text(json.dumps(assumptions.new_doc(profile="fast", seed=0)), encoding="utf-8")


def test_the_assumptions_page_and_its_json_replace_links(machine) -> None:
    checkout, home = machine
    _probe_json(checkout / "probe.json")
    (checkout / "page.md").symlink_to(home / "secret.txt")
    assert assumptions.main(["--json", "probe.json", "--out", "page.md"]) == 0
    assert not (checkout / "page.md").is_symlink()
    assert (checkout / "page.md").read_text(encoding="utf-8").startswith("#")
    untouched(home)
    # the JSON is written back too: a link in its place is replaced likewise
    (checkout / "probe.json").rename(home / "probe.json")
    (checkout / "probe.json").symlink_to(home / "probe.json")
    before = (home / "probe.json").read_text(encoding="utf-8")
    assert assumptions.main(["--json", "probe.json", "--out", "page.md"]) == 0
    assert not (checkout / "probe.json").is_symlink()
    assert (home / "probe.json").read_text(encoding="utf-8") == before
    (home / "probe.json").unlink()
    untouched(home)


def test_the_assumptions_page_behind_a_linked_folder_is_refused(machine) -> None:
    checkout, home = machine
    _probe_json(checkout / "probe.json")
    with pytest.raises(UnsafeOutput, match="symbolic link"):
        assumptions.main(["--json", "probe.json", "--out", "site/assumptions.md"])
    untouched(home)


def test_audit_output_replaces_a_link_at_its_place(machine, capsys) -> None:
    """``explainspec audit --output`` (the report written: its run is tested elsewhere)."""
    checkout, home = machine
    from explainspec.commands import audit as audit_command

    (checkout / "audit.json").symlink_to(home / "secret.txt")
    report = _Report(to_dict=lambda: {"kind": "explainspec-audit"}, text=lambda: "audit")
    assert audit_command._write_report(report, "json", "audit.json", sys.stderr) == 0
    assert not (checkout / "audit.json").is_symlink()
    assert json.loads((checkout / "audit.json").read_text(encoding="utf-8"))["kind"]
    untouched(home)
    assert audit_command._write_report(report, "text", "site/audit.txt", sys.stderr) == 2
    assert "ES251" in capsys.readouterr().err
    untouched(home)


def test_a_report_behind_a_link_is_not_read(machine) -> None:
    """``explainspec diff`` / ``docs --results`` of a checkout's report linked to a JSON file
    of the user (a credentials file) read it as a report."""
    checkout, home = machine
    (home / "creds.json").write_text('{"token": "hunter2"}', encoding="utf-8")
    (checkout / "report.json").symlink_to(home / "creds.json")
    from explainspec.runner.report_file import ReportFileError, read_report_file

    for path in ("report.json", "site/creds.json"):
        with pytest.raises(ReportFileError, match="symbolic link"):
            read_report_file(path)
    (checkout / "real.json").write_text("{}", encoding="utf-8")
    (checkout / "inside.json").symlink_to(checkout / "real.json")
    assert read_report_file("inside.json") == {}
    proc = cli("diff", "report.json", "inside.json")
    assert proc.returncode == 2 and "hunter2" not in proc.stdout + proc.stderr, proc.stderr
