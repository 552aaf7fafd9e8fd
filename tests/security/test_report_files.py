"""A report file read by ``explainspec diff`` and ``explainspec docs --results`` may be hostile (an
artifact of another run, a file of a pull request): nesting deeper than the JSON parser's
recursion, a file that is not a regular file, a size over the limit. Each is a usage error with
a plain message (exit 2), never an internal error (ES259, exit 3, "a bug in explainspec").
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from explainspec.cli import main

FIRST = Path(__file__).resolve().parents[2] / "docs" / "examples" / "first.espec"


def _commands(report: Path, tmp_path: Path) -> dict[str, list[str]]:
    return {
        "diff": ["diff", str(report), str(report)],
        "docs": ["docs", str(FIRST), "--out", str(tmp_path / "site"), "--results", str(report)],
    }


@pytest.mark.parametrize("command", ["diff", "docs"])
def test_a_report_nested_too_deeply_is_a_usage_error(command, tmp_path, capsys):
    report = tmp_path / "deep.json"
    report.write_text('{"claims": ' + "[" * 200_000 + "]" * 200_000 + "}")
    assert main(_commands(report, tmp_path)[command]) == 2
    err = capsys.readouterr().err
    assert "nested too deeply" in err and "ES259" not in err


@pytest.mark.parametrize("command", ["diff", "docs"])
def test_a_report_that_is_not_a_regular_file_is_not_opened(command, tmp_path, capsys):
    if sys.platform == "win32":
        pytest.skip("no FIFOs")
    report = tmp_path / "pipe.json"
    os.mkfifo(report)  # opening it would block until a writer comes
    assert main(_commands(report, tmp_path)[command]) == 2
    assert "is not a regular file" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["diff", "docs"])
def test_a_report_over_the_size_limit_is_not_read(command, tmp_path, capsys, monkeypatch):
    import explainspec.runner.report_file as rf

    monkeypatch.setattr(rf, "REPORT_BYTES", 100)
    report = tmp_path / "big.json"
    report.write_text('{"claims": []' + " " * 200 + "}")
    assert main(_commands(report, tmp_path)[command]) == 2
    assert "the limit is 100" in capsys.readouterr().err
