"""Worker processes (``--jobs``, ``--timeout``): methods from ``__main__`` or a notebook reach
them with cloudpickle, and what cannot reach them is a clear ES330 error (issue 19); they never
import from the working directory (issue 14.1; the planted-module tests are in tests/security)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import threading

from shapley_specs import spec_text

import explainspec
from explainspec.registry import registry
from explainspec.runner.execute import worker_sys_path

SPEC = spec_text(with_misreading=True)

# A "notebook": code read from stdin, so __main__ has no file for a worker to re-run.
NOTEBOOK = """
import dataclasses, json
import explainspec
from explainspec.registry import registry
from explainspec.runner.parallel import Execution
from explainspec.runner.plan import RunOptions
from explainspec.runner.run import drive, run

SHIFT = 0.5  # a global of the notebook the planted bug reads


@explainspec.method("nb.exact", output="attribution")
def exact(problem):
    return registry("method").get("reference.shapley").load()(
        dataclasses.replace(problem, params={{}})
    )


@explainspec.method("nb.shifted", output="attribution")
def shifted(problem):
    return exact(problem) + SHIFT


specs = [explainspec.loads(SPEC.format(name=n, method="nb." + n)) for n in ("exact", "shifted")]
out = {{}}
result = explainspec.verify(specs, profile="fast", max_examples=5, timeout=60)
out["timeout"] = {{c.id: c.verdict.value for c in result}}
options = RunOptions(profile="fast", max_examples=5)
result = drive(run(specs, options, Execution(jobs=2)), lambda e: None)
out["jobs"] = {{c.id: c.verdict.value for c in result}}
print(json.dumps(out))
"""


def test_methods_defined_in_a_notebook_or_main_run_in_workers():
    code = f"SPEC = {SPEC!r}\n" + NOTEBOOK.format()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-"], input=code, capture_output=True, text=True, env=env, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    expected = {
        "exact.efficiency": "verified",
        "exact.all_zero": "shown",
        "shifted.efficiency": "refuted",  # the notebook's global crossed with the method
        "shifted.all_zero": "shown",
    }
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {
        "timeout": expected,
        "jobs": expected,
    }


def _shapley(problem):
    return (
        registry("method").get("reference.shapley").load()(dataclasses.replace(problem, params={}))
    )


def test_a_method_that_cannot_be_pickled_is_a_clear_error():
    lock = threading.Lock()

    def locked(problem):
        with lock:
            return _shapley(problem)

    locked.__module__ = "__main__"  # pickled by value, with the lock it uses
    explainspec.method("nb.locked", output="attribution")(locked)
    spec = explainspec.loads(SPEC.format(name="locked", method="nb.locked"))
    result = explainspec.verify(spec, profile="fast", max_examples=3, timeout=60)
    for claim in result:
        assert claim.verdict.value == "error"
        assert [d.code for d in claim.diagnostics] == ["ES330"]
        assert "cannot be sent to a worker process" in claim.error
        assert "lock" in claim.error and "Traceback" not in claim.error
    # without a timeout the claims run in this process, where the method is
    assert explainspec.verify(spec, profile="fast", max_examples=3)["efficiency"].passed


def test_a_method_whose_module_only_the_working_directory_has_is_a_clear_error(
    tmp_path, monkeypatch
):
    (tmp_path / "cwd_only_methods.py").write_text(
        "import dataclasses\n"
        "import explainspec\n"
        "from explainspec.registry import registry\n\n\n"
        '@explainspec.method("cwd.exact", output="attribution")\n'
        "def exact(problem):\n"
        '    entry = registry("method").get("reference.shapley")\n'
        "    return entry.load()(dataclasses.replace(problem, params={}))\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend("")  # an interactive session: '' first on sys.path
    monkeypatch.delitem(sys.modules, "cwd_only_methods", raising=False)
    __import__("cwd_only_methods")
    spec = explainspec.loads(SPEC.format(name="cwd", method="cwd.exact"))
    claim = explainspec.verify(spec, profile="fast", max_examples=3, timeout=60)["efficiency"]
    assert claim.verdict.value == "error" and claim.diagnostics[0].code == "ES330"
    assert "cwd_only_methods" in claim.error
    assert "never import from the working directory" in claim.error


def test_workers_get_sys_path_without_the_working_directory(tmp_path, monkeypatch):
    cwd = str(tmp_path)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    path = ["", cwd, ".", "/somewhere/lib", cwd + "/sub"]
    assert worker_sys_path(path, cwd) == ["/somewhere/lib", cwd + "/sub"]
    # ... unless PYTHONPATH names it: the user asked for it
    monkeypatch.setenv("PYTHONPATH", cwd)
    assert worker_sys_path(path, cwd) == [cwd, "/somewhere/lib", cwd + "/sub"]


def test_a_method_registered_again_is_shipped_again():
    """A notebook cell run again registers a new function under the same name: the workers get
    the new one, never a pickle of the old."""
    spec = explainspec.loads(SPEC.format(name="again", method="nb.again"))

    def register(shift):
        def again(problem):
            return _shapley(problem) + shift

        again.__module__ = "__main__"
        explainspec.method("nb.again", output="attribution")(again)

    register(0.0)
    first = explainspec.verify(spec, profile="fast", max_examples=3, timeout=60)["efficiency"]
    register(0.5)
    second = explainspec.verify(spec, profile="fast", max_examples=3, timeout=60)["efficiency"]
    assert (first.verdict.value, second.verdict.value) == ("verified", "refuted")
