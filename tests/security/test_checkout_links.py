"""Symbolic links in an untrusted checkout: a spec file may not lead out of it.

git stores symbolic links, so a pull request can add ``specs/x.espec`` linked to
``/proc/self/environ`` or to a key of the CI machine. ``explainspec check specs/`` then read that
file as a spec and printed its first line (a 200-character window: the environment's secrets)
in the diagnostic, into the public CI log. A spec file reached through a link is read only when
the link leads inside the working directory or the link's own folder; otherwise ``ES101``, and
not a byte of the target is shown.
"""

from __future__ import annotations

import os
import sys

import pytest

from explainspec.cli import main

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges")

SECRET = "SECRET_TOKEN=ghp_0123456789abcdef"
VALID = (
    'spec ok "t" {\n  method = reference.shapley\n  output = attribution\n  question "q"\n'
    "  world { function = linear; features = 2; data = grid(levels = 3); points = 1 }\n"
    '  claim c holds "s" { check sum(phi) == f(x) - mean(f(background)) within 1e-9 }\n}\n'
)


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A checkout (the working directory) whose ``specs/`` holds a link to a secret outside."""
    secret = tmp_path / "home" / "credentials.espec"  # outside the checkout
    secret.parent.mkdir()
    secret.write_text(SECRET + "\n")
    root = tmp_path / "checkout"
    (root / "specs").mkdir(parents=True)
    (root / "specs" / "leak.espec").symlink_to(secret)
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "specs"],
        ["check", "specs/leak.espec"],
        ["verify", "specs", "--profile", "fast", "--no-cache"],
        ["docs", "specs", "--out", "site"],
        ["fmt", "--check", "specs"],
        ["convert", "specs/leak.espec", "--to", "yaml"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_a_link_out_of_the_checkout_is_not_read(checkout, argv, capsys):
    assert main(argv) == 2
    out = capsys.readouterr()
    shown = out.out + out.err
    assert "ES101 is a symbolic link to" in shown
    assert "ghp_" not in shown and "SECRET_TOKEN" not in shown


def test_a_link_to_proc_environ_shows_no_variable(checkout, capsys, monkeypatch):
    if not os.path.exists("/proc/self/environ"):
        pytest.skip("no /proc")
    monkeypatch.setenv("EXPLAINSPEC_TEST_SECRET", "ghp_fedcba9876543210")
    (checkout / "specs" / "env.espec").symlink_to("/proc/self/environ")
    assert main(["check", "specs/env.espec"]) == 2
    out = capsys.readouterr()
    assert "ghp_" not in out.out + out.err
    assert "ES101 is a symbolic link to" in out.out + out.err


def test_links_inside_the_checkout_are_read(checkout, capsys):
    (checkout / "shared").mkdir()
    (checkout / "shared" / "ok.espec").write_text(VALID)
    (checkout / "specs" / "leak.espec").unlink()
    (checkout / "specs" / "ok.espec").symlink_to("../shared/ok.espec")  # inside the checkout
    (checkout / "specs" / "same.espec").symlink_to("ok.espec")  # inside its own folder
    assert main(["check", "specs"]) == 0
    assert "checked 2 files: all valid" in capsys.readouterr().err


def test_a_link_inside_its_own_folder_is_read_from_anywhere(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "ok.espec").write_text(VALID)
    (folder / "alias.espec").symlink_to(folder / "ok.espec")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["check", str(folder / "alias.espec")]) == 0
