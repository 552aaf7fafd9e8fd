"""The files ``explainspec audit`` reads (data, model, groups) are read by the rule for specs.

A checkout's ``data.csv`` linked to ``~/.netrc`` made ``explainspec audit --data db=data.csv``
print the file's first line (``machine github.com login bot password ghp_...``, read by pandas
as the table's column names) in its error, in the CI log. A data, model or groups file reached
through a link that leads outside both the working directory and the link's own folder is now
refused before a byte is read (``ES364``, ``ES360``, ``ES367``); a link inside the checkout is
followed as before, and a groups file that is not a regular file (a FIFO blocked the command) is
refused.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from explainspec.cli import main
from explainspec.worlds.sources.errors import SourceError
from explainspec.worlds.sources.models import load_model_file
from explainspec.worlds.sources.tables import load_table

SECRET = "machine github.com login bot password ghp_SECRET123\n"


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working directory, with ``data.csv``, ``m.skops`` and ``groups.json`` linked to files
    outside it (the user's), ``inside.csv`` linked to ``real.csv`` in it, and ``real.skops``."""
    home, here = tmp_path / "home", tmp_path / "checkout"
    home.mkdir()
    here.mkdir()
    for name in ("netrc", "model.skops", "groups.json"):
        (home / name).write_text(SECRET, encoding="utf-8")
    (here / "data.csv").symlink_to(home / "netrc")
    (here / "m.skops").symlink_to(home / "model.skops")
    (here / "groups.json").symlink_to(home / "groups.json")
    (here / "real.csv").write_text("a,b,y\n1,2,3\n4,5,6\n", encoding="utf-8")
    (here / "inside.csv").symlink_to(here / "real.csv")
    np = pytest.importorskip("numpy")
    sio = pytest.importorskip("skops.io")
    linear = pytest.importorskip("sklearn.linear_model")
    model = linear.LinearRegression().fit(np.array([[1.0, 2.0], [4.0, 5.0], [0.0, 1.0]]), [3, 6, 1])
    sio.dump(model, here / "real.skops")
    monkeypatch.chdir(here)
    return here


def test_a_data_file_linked_out_of_the_checkout_is_not_read(checkout: Path) -> None:
    with pytest.raises(SourceError, match="ES364 is a symbolic link to .*not read") as err:
        load_table("data.csv")
    assert "ghp_" not in str(err.value)
    assert list(load_table("inside.csv").columns) == ["a", "b", "y"]  # a link inside: followed


def test_a_model_file_linked_out_of_the_checkout_is_not_read(checkout: Path) -> None:
    with pytest.raises(SourceError, match="ES360 is a symbolic link to .*not read"):
        load_model_file("m.skops")


def test_the_audit_command_prints_no_byte_of_a_linked_file(checkout: Path, capsys) -> None:
    rc = main(["audit", "--model", "m=real.skops", "--data", "db=data.csv", "--target", "y"])
    out, err = capsys.readouterr()
    assert rc == 2 and "ES364" in err and "symbolic link" in err, err
    assert "ghp_" not in out + err


def test_a_groups_file_linked_out_or_not_regular_is_refused(checkout: Path, capsys) -> None:
    argv = ["audit", "--model", "m=real.skops", "--data", "db=real.csv", "--target", "y"]
    rc = main([*argv, "--groups", "groups.json"])
    out, err = capsys.readouterr()
    assert rc == 2 and "ES367" in err and "symbolic link" in err, err
    assert "ghp_" not in out + err
    os.mkfifo(checkout / "fifo.json")  # nobody writes to it: opened, it would block forever
    rc = main([*argv, "--groups", "fifo.json"])
    out, err = capsys.readouterr()
    assert rc == 2 and "ES367" in err, err
