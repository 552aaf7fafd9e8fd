"""The run: plan every claim, execute them one by one, yield events. Never prints.

>>> from explainspec.runner.run import run   # doctest: +SKIP
>>> for event in run([spec], RunOptions(profile="fast")):   # doctest: +SKIP
...     print(event)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from explainspec.lang.ir import Spec
from explainspec.registry import replaced_methods
from explainspec.runner.events import (
    ClaimFinished,
    ClaimResult,
    ClaimStarted,
    Event,
    RunFinished,
    RunResult,
    RunStarted,
    SpecFinished,
    SpecStarted,
)
from explainspec.runner.execute import InProcess, Isolated, tune_collector
from explainspec.runner.plan import RunOptions, plan


def run(
    specs: Iterable[Spec], options: RunOptions | None = None, execution: Any = None
) -> Iterator[Event]:
    """Verify every selected claim of ``specs``; yield the run's events in order.

    The last event is always :class:`RunFinished` (also after Ctrl-C: its result is then marked
    ``interrupted`` and holds the claims that finished). Planning errors (an unknown method)
    raise :class:`explainspec.registry.UnknownName` before any event. ``execution`` (an
    :class:`explainspec.runner.parallel.Execution`) adds a process pool or a Dask cluster, the
    results cache and hypothesis' example database; without it claims run here, one by one.
    """
    options = options or RunOptions()
    return run_planned(plan(list(specs), options), options, execution)


def run_planned(
    planned: list[tuple[Spec, list[Any]]], options: RunOptions, execution: Any = None
) -> Iterator[Event]:
    """:func:`run` of plans made elsewhere (``(spec, [ClaimPlan])`` pairs, e.g. the steps of
    :mod:`explainspec.runner.probe`): the same executors, pool and results cache."""
    if execution is not None:
        from explainspec.runner.parallel import ScaledExecutor

        return _run(planned, options, ScaledExecutor(planned, options, execution))
    return _run(planned, options)


def _run(planned: list[Any], options: RunOptions, executor: Any = None) -> Iterator[Event]:
    started = time.perf_counter()
    restore = tune_collector()
    try:
        yield from _run_frozen(planned, options, executor, started)
    finally:
        restore()


def _run_frozen(
    planned: list[Any], options: RunOptions, executor: Any, started: float
) -> Iterator[Event]:
    results: list[ClaimResult] = []
    interrupted = False
    if executor is None:
        executor = Isolated(options.timeout, options.plugins) if options.isolated else InProcess()
    try:
        yield RunStarted(
            seed=options.seed,
            profile=options.profile,
            max_examples=options.n_examples,
            replicates=options.n_replicates,
            specs=tuple(spec.name for spec, _ in planned),
            claims=sum(len(plans) for _, plans in planned),
            timeout=options.timeout,
            replaced=replaced_methods(spec.method.use for spec, _ in planned),
        )
        for spec, plans in planned:
            yield SpecStarted(
                spec=spec.name,
                title=spec.title,
                method=spec.method.use,
                source=spec.source,
                claims=len(plans),
            )
            spec_results = []
            for p in plans:
                yield ClaimStarted(
                    spec=spec.name,
                    claim=p.claim.name,
                    kind=p.claim.kind.value,
                    statement=p.claim.statement,
                )
                result: ClaimResult | None = None
                for item in executor.run(p):
                    if isinstance(item, ClaimResult):
                        result = item
                    else:
                        yield item
                assert result is not None
                results.append(result)
                spec_results.append(result)
                yield ClaimFinished(result=result)
            yield SpecFinished(spec=spec.name, results=tuple(spec_results))
    except KeyboardInterrupt:
        interrupted = True
    finally:
        executor.close()
    yield RunFinished(
        result=RunResult(
            tuple(results), seed=options.seed, profile=options.profile, interrupted=interrupted
        ),
        elapsed=time.perf_counter() - started,
    )


def drive(events: Iterator[Event], handle: Callable[[Event], None]) -> RunResult:
    """Feed every event to ``handle`` and return the run's result.

    Ctrl-C while ``handle`` runs (e.g. while a reporter prints) is passed into the run, which
    then ends with an interrupted :class:`RunFinished`; so a reporter always sees the end.
    """
    result: RunResult | None = None
    pending: Event | None = None
    while True:
        try:
            event = pending if pending is not None else next(events)
            pending = None
        except StopIteration:
            break
        try:
            handle(event)
        except KeyboardInterrupt:
            if isinstance(event, RunFinished):
                raise
            try:
                pending = events.throw(KeyboardInterrupt())  # type: ignore[attr-defined]
            except StopIteration:
                break
            continue
        if isinstance(event, RunFinished):
            result = event.result
    assert result is not None, "the run ended without RunFinished"
    return result
