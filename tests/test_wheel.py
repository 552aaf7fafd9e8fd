"""The wheel ships the grammar and the spec library, and they are found from the installed
package (not from a checkout)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.wheel

PROBE = r"""
import pathlib, sys
import explainspec
from explainspec.resources import grammar_path, specs_dir
from explainspec.lang import load, load_text
pkg = pathlib.Path(explainspec.__file__).resolve().parent
g, s = grammar_path().resolve(), specs_dir().resolve()
assert pkg in g.parents, (pkg, g)
assert pkg in s.parents, (pkg, s)
assert "site-packages" in str(pkg), pkg
spec = load_text('spec a "A" { method = m output = attribution question "q" claim c holds "s" { check sum(phi) == 0 within 1e-6 } }')
assert spec.claims[0].name == "c"
files = sorted(s.glob("*.espec"))
for f in files:
    load(f)
print("OK", len(files))
"""


def test_wheel_installs_and_finds_its_data(tmp_path):
    # the test extra installs both: a missing one must fail here, not skip the check unseen
    import build  # noqa: F401
    import hatchling  # noqa: F401

    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = dist.glob("explainspec-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    # the dependencies (lark, PyYAML) come from the test environment's site-packages, appended to
    # the path with a .pth file: its own .pth files (the editable install) are not processed
    site = subprocess.run(
        [str(py), "-c", "import site; print(site.getsitepackages()[0])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    deps = [p for p in sys.path if p.endswith("site-packages")]
    Path(site, "zz_test_deps.pth").write_text("\n".join(deps) + "\n")
    subprocess.run(
        [str(py), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)],
        check=True,
        timeout=300,
    )
    # run from a folder without the checkout, so that `explainspec` resolves to the installed copy
    work = tmp_path / "elsewhere"
    work.mkdir()
    proc = subprocess.run(
        [str(py), "-c", PROBE],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "EXPLAINSPEC_NO_CACHE": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("OK")
    cli = venv / "bin" / "explainspec"
    if shutil.which(str(cli)):
        done = subprocess.run(
            [str(cli), "--version"], capture_output=True, text=True, timeout=60, cwd=work
        )
        assert done.returncode == 0
