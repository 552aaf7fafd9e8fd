"""``verify --watch`` (issue 21): a warm process and warm workers re-verify only what changed, and
every verdict they give is the verdict a cold run of the same spec gives."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time

import pytest
from test_cache_key import make_plugin

from explainspec.lang import load as load_file
from explainspec.lang import load_text
from explainspec.registry import load_plugins
from explainspec.runner.parallel import Execution
from explainspec.runner.plan import RunOptions
from explainspec.runner.run import drive, run
from explainspec.runner.watch import Watcher

# Shapley values from the exact reference method: claims that verify (efficiency is refuted
# with shift = 1), one misreading shown.
SPEC = """spec watched "Shapley values" {{
    method = reference.shapley
    output = attribution
    question "How does f(x) minus the mean prediction split among the features?"
    world {{ function = any(linear, interaction(order = 2)); features = 2..3; data = grid(levels = 3); background = data; points = 2 }}
    claim efficiency holds "The attributions add up to f(x) minus the mean prediction." {{
        check sum(phi) == f(x) - mean(f(background)) + {shift} within 1e-9
    }}
    claim dummy holds "An unused feature gets 0." {{
        world {{ function = unused(linear) }}
        check for all i: f.uses(i) or abs(phi[i]) <= 1e-9
    }}
    claim all_zero does_not_answer decomposition "The attributions are all zero." {{
        check for all i: abs(phi[i]) <= 1e-9
    }}
}}
"""

OPTIONS = RunOptions(profile="fast", max_examples=8)


def _load(paths):
    return [load_file(p) for p in paths]


def _cold(path, options=OPTIONS):
    """A fresh run of the spec file, sequential, with no pool and no cache."""
    result = drive(run([load_file(path)], options, Execution(jobs=1)), lambda e: None)
    return {r.id: _outcome(r) for r in result.claims}


def _outcome(r):
    return (r.verdict.value, r.margin, r.examples, r.counterexample is not None)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_round_reruns_only_what_changed_with_the_verdicts_of_a_cold_run(tmp_path, jobs):
    path = tmp_path / "w.espec"
    path.write_text(SPEC.format(shift="0"))
    watcher = Watcher([str(path)], OPTIONS, Execution(jobs=jobs), _load)
    seen = []
    try:
        first = watcher.round(seen.append)
        assert set(first.ran) == {"watched.efficiency", "watched.dummy", "watched.all_zero"}
        warm = {r.id: _outcome(r) for r in first.result.claims}
        assert warm == _cold(path)
        assert warm["watched.efficiency"][0] == "verified"
        assert warm["watched.all_zero"][0] == "shown"

        again = watcher.round(seen.append)
        assert again.ran == () and again.unchanged == 3 and again.result is None

        # one claim's text changes, and with it its verdict
        time.sleep(0.01)
        path.write_text(SPEC.format(shift="1"))
        assert watcher.changed()
        edited = watcher.round(seen.append)
        assert edited.ran == ("watched.efficiency",) and edited.unchanged == 2
        cold = _cold(path)
        assert _outcome(edited.result.claims[0]) == cold["watched.efficiency"]
        assert cold["watched.efficiency"][0] == "refuted"
        # the latest verdict of every watched claim is the cold run's
        assert {n: _outcome(r) for n, r in watcher.results.items()} == cold
        assert watcher.failed() == ["watched.efficiency"]
        if jobs > 1:
            assert watcher.pool is not None and watcher.pool.starts == 1  # the same workers
        else:
            assert watcher.pool is None  # the claims run in the warm process itself
    finally:
        watcher.close()
    assert any(type(e).__name__ == "ClaimFinished" for e in seen)  # the reporters got events


def test_a_changed_option_reruns_every_claim(tmp_path):
    path = tmp_path / "w.espec"
    path.write_text(SPEC.format(shift="0"))
    watcher = Watcher([str(path)], OPTIONS, Execution(jobs=1), _load)
    watcher.round(lambda e: None)
    watcher.options = dataclasses.replace(OPTIONS, seed=1)
    assert len(watcher.round(lambda e: None).ran) == 3


def test_a_changed_method_module_asks_for_a_fresh_process(tmp_path, monkeypatch):
    """Code cannot be re-imported into a warm process safely: a change of the method's helper
    module stops the round (nothing runs, nothing stale is reported) and says why."""
    pkg = f"watchpkg_{tmp_path.name.replace('-', '_')}"
    make_plugin(tmp_path, pkg)
    monkeypatch.syspath_prepend(str(tmp_path))
    load_plugins([pkg])
    try:
        text = SPEC.format(shift="0").replace("reference.shapley", f"{pkg}.scaled")
        load_text(text)  # the spec is valid
        path = tmp_path / "w.espec"
        path.write_text(text)
        options = dataclasses.replace(OPTIONS, plugins=(pkg,))
        watcher = Watcher([str(path)], options, Execution(jobs=1), _load)
        first = watcher.round(lambda e: None)
        assert first.restart is None and len(first.ran) == 3
        time.sleep(0.01)
        (tmp_path / pkg / "helper.py").write_text("SCALE = 2.0\n")
        assert watcher.changed()  # the helper file is watched
        second = watcher.round(lambda e: None)
        assert second.ran == () and second.result is None
        assert second.restart is not None and "helper.py" in second.restart
    finally:
        for name in [m for m in sys.modules if m.startswith(pkg)]:
            del sys.modules[name]


@pytest.mark.slow
def test_the_watch_command_prints_the_verdicts_of_an_edit(tmp_path):
    """The command end to end: first round, then an edit of one claim is re-verified alone."""
    path = tmp_path / "w.espec"
    path.write_text(SPEC.format(shift="0"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"NO_COLOR": "1"}
    cmd = [sys.executable, "-m", "explainspec", "verify", "--watch", str(path)]
    cmd += ["--profile", "fast", "--max-examples", "8", "--jobs", "1", "--no-cache"]
    out = tmp_path / "out.txt"
    with out.open("w") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT, env=env)
        try:
            _wait_for(out, "waiting for changes", 1, proc)
            path.write_text(SPEC.format(shift="1"))
            _wait_for(out, "waiting for changes", 2, proc)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    text = out.read_text()
    second = text.split("waiting for changes")[1]
    assert "efficiency (holds): refuted" in second
    assert "dummy" not in second and "all_zero" not in second
    assert "failing: watched.efficiency" in second


def _wait_for(path, text, count, proc, timeout=240.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.read_text().count(text) >= count:
            return
        assert proc.poll() is None, path.read_text()
        time.sleep(0.1)
    raise AssertionError(f"no {text!r} x{count} in {timeout} s:\n{path.read_text()}")
