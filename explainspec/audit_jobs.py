"""An audit on several processes: the plan's specs split between worker processes.

The bindings live in the process that made them, so each worker binds the model and the data
again from a :class:`Recipe` (the files and options of the command line, or the fitted objects
when they can be pickled), runs its share of the filled-in specs with
:func:`explainspec.auditing.run_plan` (the ordinary runner), and sends back its claim results and
world descriptions. Specs are split by method (every claim of a method runs in one worker, so the
method calls its claims share are made once); shap's explainers built on its masked model
(permutation, partition, exact, ...) go to the same worker, which compiles their numba code once.
The verdicts do not depend on the split: each claim's world and method call are the same.
"""

from __future__ import annotations

import pickle
import queue as queue_mod
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

#: methods that run on shap's masked model (numba code compiled once per process)
MASKED = ("shap.exact", "shap.permutation", "shap.partition", "shap.sampling")


@dataclass(frozen=True, slots=True)
class Recipe:
    """How a worker binds the sources again: keyword arguments of
    :func:`explainspec.auditing.bind_model` / :func:`~explainspec.auditing.bind_table` by name."""

    models: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def bind(self) -> tuple[dict[str, Any], dict[str, Any]]:
        from explainspec import auditing

        models = {n: auditing.bind_model(**kw) for n, kw in self.models.items()}
        tables = {n: auditing.bind_table(**kw) for n, kw in self.tables.items()}
        return models, tables

    def picklable(self) -> bool:
        try:
            pickle.dumps(self)
        except Exception:  # noqa: BLE001 - e.g. a lambda as the model
            return False
        return True


def split(plan: Any, jobs: int, weight: Callable[[str], float]) -> list[list[Any]]:
    """The plan's specs in at most ``jobs`` groups of about equal weight (masked-model shap
    methods together, heaviest first)."""
    specs = list(plan.specs)
    masked = [s for s in specs if s.method.use in MASKED]
    units: list[list[Any]] = [masked] if masked else []
    units += [[s] for s in specs if s.method.use not in MASKED]
    units.sort(key=lambda u: -sum(weight(s.method.use) for s in u))
    groups: list[list[Any]] = [[] for _ in range(max(1, min(jobs, len(units))))]
    loads = [0.0] * len(groups)
    for unit in units:
        k = loads.index(min(loads))
        groups[k] += unit
        loads[k] += sum(weight(s.method.use) for s in unit)
    return [g for g in groups if g]


def _worker(recipe: Recipe, plan: Any, seed: int, out: Any, stop: Any) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    try:
        from explainspec import auditing
        from explainspec.worlds.sources import bindings

        models, tables = recipe.bind()

        def forward(event: Any) -> None:
            if type(event).__name__ in ("ClaimStarted", "ClaimFinished"):
                out.put(("event", event))

        with bindings.bound(models, tables):
            ran = auditing.run_plan(plan, seed=seed, on_event=forward, should_stop=stop.is_set)
        out.put(("done", ran.result.claims, ran.worlds))
    except BaseException as e:  # noqa: BLE001 - reported as the worker's failure
        out.put(("crash", f"{type(e).__name__}: {e}\n{traceback.format_exc()}"))


def run_jobs(
    plan: Any,
    recipe: Recipe,
    jobs: int,
    *,
    seed: int = 0,
    budget: float | None = None,
    on_event: Callable[[Any], None] | None = None,
    weight: Callable[[str], float] = lambda m: 1.0,
) -> Any:
    """Run ``plan`` on up to ``jobs`` worker processes; returns an
    :class:`~explainspec.auditing.AuditRun` like :func:`~explainspec.auditing.run_plan`."""
    from explainspec.auditing import AuditRun
    from explainspec.runner.events import ClaimResult, RunDiagnostic, RunResult, Verdict
    from explainspec.runner.execute import worker_context

    groups = split(plan, jobs, weight)
    ctx = worker_context()  # forkserver, started safely (never importing from the checkout)
    out = ctx.Queue()
    stop = ctx.Event()
    procs = []
    started = time.perf_counter()
    for specs in groups:
        sub = replace(plan, specs=tuple(specs))
        p = ctx.Process(target=_worker, args=(recipe, sub, seed, out, stop), daemon=True)
        p.start()
        procs.append(p)
    claims: list[Any] = []
    worlds: dict[str, Any] = {}
    crashes: list[str] = []
    pending = len(procs)
    stopped = False
    try:
        while pending:
            try:
                msg = out.get(timeout=0.5)
            except queue_mod.Empty:
                if not any(p.is_alive() for p in procs) and out.empty():
                    crashes.append("a worker process died")
                    break
                continue
            if msg[0] == "event":
                if on_event is not None:
                    on_event(msg[1])
                if (
                    budget is not None
                    and type(msg[1]).__name__ == "ClaimFinished"
                    and time.perf_counter() - started > budget
                ):
                    stopped = True
                    stop.set()
            elif msg[0] == "done":
                claims.extend(msg[1])
                worlds.update(msg[2])
                pending -= 1
            else:
                crashes.append(msg[1])
                pending -= 1
    except KeyboardInterrupt:
        stopped = True
        stop.set()
    finally:
        for p in procs:
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
    ids = [f"{s.name}.{c.name}" for s in plan.specs for c in s.claims]
    order = {cid: k for k, cid in enumerate(ids)}
    claims.sort(key=lambda r: order.get(f"{r.spec}.{r.claim}", len(order)))
    done = {f"{r.spec}.{r.claim}" for r in claims}
    if crashes:  # the claims of a crashed worker: errors, with the crash's first line
        for s in plan.specs:
            for c in s.claims:
                if f"{s.name}.{c.name}" not in done:
                    message = f"the worker process running it failed: {crashes[0].splitlines()[0]}"
                    claims.append(
                        ClaimResult(
                            spec=s.name,
                            claim=c.name,
                            kind=c.kind.value,
                            about=c.about,
                            statement=c.statement,
                            method=s.method.use,
                            verdict=Verdict.ERROR,
                            error=message,
                            diagnostics=(RunDiagnostic(code="ES303", message=message),),
                        )
                    )
    result = RunResult(tuple(claims), seed=seed, profile="fast", interrupted=stopped)
    return AuditRun(
        plan=plan,
        result=result,
        elapsed=time.perf_counter() - started,
        stopped=stopped,
        worlds=worlds,
    )
