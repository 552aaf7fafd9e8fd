"""Plugin methods for the scale tests: exact Shapley values, and a planted bug (feature 0 dropped).

Imported by the pool and Dask workers through ``--plugin scale_plugins`` / ``RunOptions.plugins``.
"""

from __future__ import annotations

import dataclasses

import explainspec
from explainspec.registry import registry


def _shapley(problem):
    entry = registry("method").get("reference.shapley")
    return entry.load()(dataclasses.replace(problem, params={}))


@explainspec.method("scale.exact", output="attribution")
def exact(problem):
    """Exact Shapley values."""
    return _shapley(problem)


@explainspec.method("scale.dropped", output="attribution")
def dropped(problem):
    """Exact Shapley values with feature 0 set to 0 (a planted bug)."""
    phi = _shapley(problem).copy()
    phi[..., 0] = 0.0
    return phi


SPEC = """spec {name} "{name}" {{
    method = scale.{method}
    output = attribution
    question "How does f(x) minus the mean prediction split among the features?"
    world {{ function = linear; features = 1..3; data = grid(levels = 3); background = data; points = 2 }}
    claim efficiency holds "The attributions add up to f(x) minus the mean prediction." {{
        check sum(phi) == f(x) - mean(f(background)) within {tol}
    }}
    claim dummy holds "A feature f does not use gets 0." {{
        check for all i: f.uses(i) or abs(phi[i]) <= 1e-9
    }}
    claim all_zero does_not_answer decomposition "The attributions are all zero." {{
        check for all i: abs(phi[i]) <= 1e-9
    }}
}}
"""


def options():
    from explainspec.runner.plan import RunOptions

    return RunOptions(profile="fast", max_examples=6, seed=3, plugins=("scale_plugins",))


OPTIONS = options()


def outcome(events):
    """Per claim: id, verdict, margin, counterexample and claim seed (what must not depend on
    where a claim ran)."""
    results = events[-1].result.claims
    return [(r.id, r.verdict, r.margin, r.counterexample, r.claim_seed) for r in results]


def write_spec(folder, name: str, method: str, tol: str = "1e-9"):
    path = folder / f"{name}.espec"
    path.write_text(SPEC.format(name=name, method=method, tol=tol))
    return path
