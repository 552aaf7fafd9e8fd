"""Plugin methods that hang or crash the interpreter, for the isolation and interruption tests.

Each delegates to the exact reference Shapley values when it does not misbehave.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import time

import explainspec
from explainspec.registry import registry


def _shapley(problem):
    entry = registry("method").get("reference.shapley")
    return entry.load()(dataclasses.replace(problem, params={}))


@explainspec.method("crash.ok", output="attribution")
def ok(problem):
    """Exact Shapley values."""
    return _shapley(problem)


@explainspec.method("crash.hangs", output="attribution")
def hangs(problem):
    """Never returns."""
    time.sleep(3600)
    return _shapley(problem)


@explainspec.method("crash.segfault", output="attribution")
def segfault(problem):
    """Kills its own process with SIGSEGV."""
    os.kill(os.getpid(), signal.SIGSEGV)
    return _shapley(problem)


SPEC = """spec {name} "{name}" {{
    method = crash.{method}
    output = attribution
    question "How does f(x) minus the mean prediction split among the features?"
    world {{ function = linear; features = 1..3; data = grid(levels = 3); background = data; points = 2 }}
    claim efficiency holds "The attributions add up to f(x) minus the mean prediction." {{
        check sum(phi) == f(x) - mean(f(background)) within 1e-9
    }}
    claim dummy holds "A feature f does not use gets 0." {{
        check for all i: f.uses(i) or abs(phi[i]) <= 1e-9
    }}
}}
"""


def write_spec(folder, name: str, method: str):
    path = folder / f"{name}.espec"
    path.write_text(SPEC.format(name=name, method=method))
    return path


def _planted_failure(problem):
    raise RuntimeError("planted failure in a plugin method")


@explainspec.method("crash.raises", output="attribution")
def raises(problem):
    """Raises RuntimeError (a method's own failure: verdict error, ES301)."""
    return _planted_failure(problem)
