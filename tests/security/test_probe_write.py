"""``explainspec probe --write`` keeps every byte of the spec it does not edit.

A spec saved with a byte order mark and Windows line ends (CRLF) lost its BOM when ``--write``
widened a claim's world, and the line it inserted ended in a lone LF: the file then mixed line
ends (``git diff`` showed every line changed under ``core.autocrlf``, an editor flagged it). The
text around the edit is now written back byte for byte: BOM kept, the file's CRLF used for the
inserted line, nothing translated on the way out.
"""

from __future__ import annotations

import codecs
import subprocess
import sys
from pathlib import Path

import pytest

SPEC = """spec s "S" {
    method = reference.shapley
    output = attribution
    question "How does f(x) minus the mean prediction split among the features?"
    world {
        function = linear
        features = 2
        data = grid(levels = 3)
        background = data
        points = 2
    }
    # a comment, kept
    claim efficiency holds "The attributions add up to f(x) minus the mean prediction." {
        check sum(phi) == f(x) - mean(f(background)) within 1e-9
    }
}
"""


def probe_write(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "explainspec", "probe", path.name, "--profile", "fast", "--write"],
        capture_output=True,
        text=True,
        cwd=path.parent,
        timeout=300,
    )


def unedited(before: bytes, after: bytes) -> bytes:
    """``after`` without the lines that are not in ``before`` (the edit)."""
    old = set(before.split(b"\n"))
    return b"\n".join(line for line in after.split(b"\n") if line in old)


@pytest.mark.parametrize("bom, eol", [(True, "\r\n"), (False, "\r\n"), (True, "\n")])
def test_the_write_keeps_the_bom_and_the_line_ends(tmp_path: Path, bom: bool, eol: str) -> None:
    before = (codecs.BOM_UTF8 if bom else b"") + SPEC.replace("\n", eol).encode("utf-8")
    path = tmp_path / "s.espec"
    path.write_bytes(before)
    proc = probe_write(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = path.read_bytes()
    assert after != before, proc.stdout + proc.stderr  # the claim's world was widened
    assert after.startswith(codecs.BOM_UTF8) == bom
    if eol == "\r\n":
        assert after.count(b"\n") == after.count(b"\r\n"), after  # no lone LF: no mixed ends
        assert after.count(b"\r\n") > before.count(b"\r\n")  # the edit is a line of its own
    else:
        assert b"\r" not in after
    assert unedited(before, after) == before  # every other line as it was, in order
