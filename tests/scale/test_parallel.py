"""--jobs N and the Dask executor give the verdicts and counterexamples of the in-process run,
with events in plan order."""

from __future__ import annotations

import pytest
from scale_plugins import OPTIONS, outcome

from explainspec.runner.events import (
    ClaimFinished,
    ClaimStarted,
    RunFinished,
    RunStarted,
    SpecFinished,
    SpecStarted,
)
from explainspec.runner.parallel import Execution
from explainspec.runner.plan import RunOptions, plan
from explainspec.runner.run import run
from explainspec.runner.settings import derive_seed


def shape(events):
    """The event stream without progress events, as (type, spec, claim)."""
    out = []
    for e in events:
        if isinstance(e, (RunStarted, RunFinished)):
            out.append((type(e).__name__,))
        elif isinstance(e, (SpecStarted, SpecFinished)):
            out.append((type(e).__name__, e.spec))
        elif isinstance(e, ClaimStarted):
            out.append(("ClaimStarted", e.spec, e.claim))
        elif isinstance(e, ClaimFinished):
            out.append(("ClaimFinished", e.result.spec, e.result.claim))
    return out


def test_claim_seeds_depend_only_on_the_run_seed_and_the_names(specs):
    planned = plan(specs, OPTIONS)
    seeds = {p.name: p.claim_seed for _, ps in planned for p in ps}
    assert len(set(seeds.values())) == len(seeds)
    for name, seed in seeds.items():
        spec, claim = name.split(".")
        assert seed == derive_seed(OPTIONS.seed, spec, claim)
    # planning one spec alone gives its claims the same seeds
    alone = plan(specs[1:], OPTIONS)
    assert {p.name: p.claim_seed for _, ps in alone for p in ps}.items() <= seeds.items()


def test_a_process_pool_gives_the_in_process_verdicts_in_plan_order(specs):
    reference = list(run(specs, OPTIONS))
    pooled = list(run(specs, OPTIONS, Execution(jobs=2)))
    assert outcome(pooled) == outcome(reference)
    assert shape(pooled) == shape(reference)
    verdicts = {r[0]: r[1].value for r in outcome(pooled)}
    assert verdicts["b_dropped.efficiency"] == "refuted"  # the planted bug is caught in a worker
    assert verdicts["a_exact.efficiency"] == "verified"
    assert outcome(pooled)[3][3] is not None  # a counterexample crossed back from the worker


def test_jobs_1_with_an_execution_is_the_in_process_run(specs):
    reference = list(run(specs, OPTIONS))
    here = list(run(specs, OPTIONS, Execution(jobs=1)))
    assert outcome(here) == outcome(reference)
    assert shape(here) == shape(reference)


def test_a_pool_with_a_timeout_gives_the_same_verdicts(specs):
    options = RunOptions(
        profile="fast", max_examples=6, seed=3, plugins=("scale_plugins",), timeout=60
    )
    assert outcome(list(run(specs, options, Execution(jobs=2)))) == outcome(
        list(run(specs, OPTIONS))
    )


def test_execution_validates_its_arguments():
    with pytest.raises(ValueError, match="scheduler"):
        Execution(executor="dask")
    with pytest.raises(ValueError, match="jobs"):
        Execution(jobs=0)
    with pytest.raises(ValueError, match="executor"):
        Execution(executor="ray")


def test_dask_local_cluster_gives_the_in_process_verdicts(specs):
    distributed = pytest.importorskip("distributed")
    reference = list(run(specs, OPTIONS))
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        events = list(
            run(specs, OPTIONS, Execution(executor="dask", scheduler=cluster.scheduler_address))
        )
    assert outcome(events) == outcome(reference)
    assert shape(events) == shape(reference)


def test_untimed_claims_are_estimated_by_their_method_runs_per_world():
    from explainspec.lang import load_text
    from explainspec.registry import load_plugins
    from explainspec.runner.parallel import estimated_cost

    load_plugins(["scale_plugins"])
    spec = load_text(
        """spec s "S" {
    method = scale.exact
    output = attribution
    question "q"
    world { function = linear; features = 1..3; data = grid(levels = 3) }
    claim plain holds "p" { check sum(phi) == f(x) - mean(f(background)) within 1e-9 }
    claim twice holds "t" { check explain(2 * f) == 2 * explain(f) within 1e-9 }
    claim mc holds "m" { check phi == shapley(f, x, background) within mc(z = 5) }
}
"""
    )
    ((_, plans),) = plan([spec], OPTIONS)
    cost = {p.claim.name: estimated_cost(p) for p in plans}
    assert cost == {"plain": 1, "twice": 3, "mc": OPTIONS.n_replicates}
