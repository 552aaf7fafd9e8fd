"""Nothing in the checkout being verified is imported: a ``selectors.py``, ``random.py``,
``tempfile.py`` or ``numpy.py`` at its top is never run (issue 14.1).

The worker pool (``--jobs N``) and the timeout workers (``--timeout``) used to start a forkserver
with the working directory first on ``sys.path``. Each planted module here writes a marker file
(named after itself and the process) and then hands over to the real module, so the run goes on
and the markers say exactly what was imported from the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# modules the runs import (or used to import from the checkout), and the ones the issue names
PLANTED = [
    "argparse",
    "contextlib",
    "dataclasses",
    "difflib",
    "hashlib",
    "json",
    "multiprocessing",
    "numpy",
    "pickle",
    "queue",
    "random",
    "selectors",
    "signal",
    "socket",
    "struct",
    "subprocess",
    "tempfile",
    "threading",
    "typing",
    "weakref",
    "scipy",
    "hypothesis",
    "sklearn",
]

FORWARD = """
import os as _os
import sys as _sys

open(_os.path.join({marks!r}, __name__ + "." + str(_os.getpid())), "w").close()
_name = __name__
del _sys.modules[_name]
_saved = _sys.path[:]
_here = _os.path.dirname(_os.path.abspath(__file__))
_sys.path[:] = [p for p in _sys.path if p not in ("", ".") and _os.path.abspath(p) != _here]
import importlib as _importlib

try:
    _real = _importlib.import_module(_name)
finally:
    _sys.path[:] = _saved
_sys.modules[_name] = _real
globals().update(_real.__dict__)
"""

SPEC = """spec planted "Exact Shapley values" {
    method = reference.shapley
    output = attribution
    question "How does f(x) minus the mean prediction split among the features?"
    world { function = linear; features = 1..2; data = grid(levels = 3); background = data; points = 1 }
    claim efficiency holds "The attributions add up to f(x) minus the mean prediction." {
        check sum(phi) == f(x) - mean(f(background)) within 1e-9
    }
    claim not_zero does_not_answer decomposition "The attributions are all zero." {
        check for all i: abs(phi[i]) <= 1e-9
    }
}
"""


@pytest.fixture
def checkout(tmp_path):
    """A checkout with planted modules at its top; returns (folder, markers folder)."""
    work, marks = tmp_path / "checkout", tmp_path / "marks"
    work.mkdir()
    marks.mkdir()
    for name in PLANTED:
        (work / f"{name}.py").write_text(FORWARD.format(marks=str(marks)))
    (work / "planted.espec").write_text(SPEC)
    return work, marks


def verify(work, *command, extra=()):
    env = {
        k: os.environ[k]
        for k in ("PATH", "HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")
        if k in os.environ
    }
    args = ["verify", "planted.espec", "--profile", "fast", "--max-examples", "3", "--no-cache"]
    proc = subprocess.run(
        [*command, *args, *extra],
        cwd=work,
        env={**env, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed: 1 verified, 1 shown" in proc.stdout
    return proc


def imported(marks):
    return sorted({p.name.rsplit(".", 1)[0] for p in marks.iterdir()})


CONSOLE_SCRIPT = Path(sys.executable).parent / "explainspec"


@pytest.mark.skipif(not CONSOLE_SCRIPT.exists(), reason="the explainspec console script")
@pytest.mark.parametrize(
    "options",
    [["--jobs", "2"], ["--jobs", "1", "--timeout", "60"]],
    ids=["process-pool", "timeout-worker"],
)
def test_workers_of_the_console_script_import_nothing_from_the_checkout(checkout, options):
    work, marks = checkout
    verify(work, str(CONSOLE_SCRIPT), extra=options)
    assert imported(marks) == []


def test_python_m_explainspec_takes_the_working_directory_off_sys_path(checkout):
    """``python -m`` puts the working directory first on sys.path; explainspec takes it off
    before it imports anything (Python itself imports a few modules earlier, none planted here:
    docs/howto/ci.md says to use the console script or ``python -P`` in untrusted checkouts)."""
    work, marks = checkout
    for name in BEFORE_MAIN:
        (work / f"{name}.py").unlink(missing_ok=True)
    verify(work, sys.executable, "-m", "explainspec", extra=["--jobs", "2", "--timeout", "60"])
    assert imported(marks) == []


# what Python 3.11 imports for ``python -m explainspec`` before any explainspec code runs (runpy,
# the package's own __init__): measured with every standard module planted
BEFORE_MAIN = ("__future__", "contextlib", "pathlib", "typing", "warnings")
