"""Scale: claims on a local process pool or a Dask cluster, with the results cache in front.

:class:`ScaledExecutor` is the executor :func:`explainspec.runner.run.run` uses when an
:class:`Execution` is given (the ``verify`` command always gives one). Per claim it

1. looks the claim up in the results cache (:mod:`explainspec.runner.cache`) -- before anything
   heavy is imported, so a run in which every claim hits the cache never imports shap or numba;
2. runs every miss: in this process one after the other (``--jobs 1``, the plain runner path with
   live progress), on a ``concurrent.futures.ProcessPoolExecutor`` (``--jobs N``; a ``forkserver``
   context, one claim per task), on ``N`` timeout-enforcing worker processes when ``--timeout`` is
   set, or on a Dask cluster (``--executor dask --scheduler ADDRESS``);
3. stores every final verdict in the cache as soon as it arrives.

Events come out in plan order whatever the order of completion: ``SpecStarted``, then for each
claim ``ClaimStarted`` and ``ClaimFinished`` (released as soon as that claim and every claim before
it have finished), then ``SpecFinished``. Reports are therefore identical to a ``--jobs 1`` run
except for timings (and ``cached`` flags); a finished claim that is still waiting for an earlier
one is already in the cache, so a crash loses nothing finished. Claims are *submitted* longest
first (durations recorded in the cache by earlier runs), which shortens the run on few workers.

Before a run has timed a claim, :func:`estimated_cost` stands in for its duration: a ``within
mc(z)`` check reruns the method for every replicate, which makes such claims the longest of a
library; submitted last, one of them can leave a worker idle for most of the run.

Seeds: a claim's seed is derived from the run seed and the spec and claim names
(:func:`explainspec.runner.settings.derive_seed`), so a claim's verdict does not depend on the
worker, the order or the other claims.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import queue
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from explainspec.runner.events import ClaimResult
from explainspec.runner.plan import ClaimPlan, RunOptions

EXECUTORS = ("local", "dask")

# heavy modules a worker imports once, by the registry's ``library`` of the claims it will run
_PRELOAD = {
    "shap": ("shap", "sklearn.ensemble"),
    "sklearn": ("sklearn.inspection", "sklearn.ensemble"),
    "lime": ("lime.lime_tabular",),
    "captum": ("torch", "captum.attr", "sklearn.linear_model"),
}


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Execution:
    """Where and how claims run; none of it can change a verdict.

    ``cache`` is the results database (``None``: no cache). ``example_db`` is the folder of
    hypothesis' example database (``None``: off); see :func:`claim_database`. ``pool`` is a set
    of warm worker processes kept across runs (``verify --watch``:
    :class:`explainspec.runner.watch.WarmPool`); every claim of a run that has one is sent to it,
    and the run leaves it running.
    """

    jobs: int = 1
    executor: str = "local"
    scheduler: str | None = None
    cache: str | os.PathLike[str] | None = None
    example_db: str | os.PathLike[str] | None = None
    pool: Any = None

    def __post_init__(self) -> None:
        if self.executor not in EXECUTORS:
            raise ValueError(f"executor={self.executor!r} is not one of {', '.join(EXECUTORS)}")
        if self.executor == "dask" and not self.scheduler:
            raise ValueError("executor='dask' needs a scheduler address")
        if self.jobs < 1:
            raise ValueError(f"jobs={self.jobs!r} must be at least 1")


# --------------------------------------------------------------------------- the task


@dataclass(frozen=True, slots=True)
class Task:
    """What crosses to a worker: the plan, the example database to use (or ``None``), and the
    plan's method entry pickled by :func:`~explainspec.runner.execute.ship_method` (``None``
    for explainspec's own methods)."""

    plan: ClaimPlan
    example_db: str | None = None
    db_key: str | None = None
    method: bytes | None = None


_loaded_plugins: set[str] = set()

#: set in the processes of a local pool (not on Dask workers, which are not ours to cap or end)
_POOL_WORKER = False


def run_claim_task(task: Task) -> ClaimResult:
    """Run one claim in a worker (pool process or Dask worker) and return its result.

    Plugins named in the plan are imported first (once per worker process). Never raises: an
    exception becomes an ``error`` result (ES309). In a local pool process the run's memory
    limit is applied, and a claim that does not stop at the end of its budget ends the process
    (the pool then reruns the unfinished claims in workers that are killed on their budget).
    """
    from explainspec.runner.execute import (
        crash_payload,
        failed_result,
        internal_error_result,
        load_in_worker,
    )

    plan = task.plan
    started = time.perf_counter()
    backstop: contextlib.AbstractContextManager[Any]
    try:
        if _POOL_WORKER:
            from explainspec.runner import budget

            if plan.options.memory_limit is not None:
                budget.set_worker_memory_limit(plan.options.memory_limit)
            backstop = _Backstop(plan.options.budget)
        else:
            backstop = contextlib.nullcontext()
        missing = tuple(p for p in plan.options.plugins if p not in _loaded_plugins)
        problem = load_in_worker(missing, task.method)
        if problem is not None:
            return failed_result(plan, "ES330", problem, elapsed=time.perf_counter() - started)
        _loaded_plugins.update(missing)
        from explainspec.runner import settings
        from explainspec.runner.claim import ClaimRun

        settings.use_example_database(task.example_db, task.db_key)
        try:
            with backstop:
                return ClaimRun(plan=plan).run()
        finally:
            settings.use_example_database(None)
    except BaseException as e:  # noqa: BLE001 - reported as an internal error of the claim
        return internal_error_result(plan, *crash_payload(e), elapsed=time.perf_counter() - started)


class _Backstop:
    """Ends this pool process when a claim is still running twice its grace period after
    its budget: it is then stuck in compiled code, possibly holding the interpreter lock, where
    nothing in the process can stop it. ``faulthandler``'s watchdog runs in a C thread that
    needs no lock; the pool notices the dead process and reruns the unfinished claims in worker
    processes that are killed on their budget (ES340)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._sink: Any = None

    def __enter__(self) -> None:
        import faulthandler

        from explainspec.runner.budget import grace

        if self.seconds is None:
            return
        self._sink = open(os.devnull, "w")  # noqa: SIM115 - closed in __exit__
        later = self.seconds + 2 * grace(self.seconds)
        faulthandler.dump_traceback_later(later, exit=True, file=self._sink)

    def __exit__(self, *exc: Any) -> None:
        import faulthandler

        if self._sink is not None:
            faulthandler.cancel_dump_traceback_later()
            self._sink.close()
            self._sink = None


def _init_worker(
    plugins: tuple[str, ...], preload: tuple[str, ...], jit_dir: str | None = None
) -> None:
    """Pool initializer: ignore Ctrl-C (the parent's business), import the heavy modules once,
    with numba's file cache for their compiled code in ``jit_dir`` (:mod:`.jitcache`)."""
    global _POOL_WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _POOL_WORKER = True
    from explainspec.runner.execute import watch_parent

    watch_parent()
    from explainspec.runner import jitcache

    if jit_dir:
        jitcache.configure(jit_dir)
    import explainspec.runner.claim  # noqa: F401 - numpy, hypothesis, worlds, oracles, expr

    jitcache.warm(preload)  # a module that is missing is skipped: the claim says so
    if plugins:
        from explainspec.runner.execute import load_in_worker

        # a plugin that fails to load is reported on each claim (ES330) by run_claim_task
        if load_in_worker(plugins) is None:
            _loaded_plugins.update(plugins)
    # this process runs claims until the run ends: the collector is tuned for its whole life, as
    # the parent does for the claims it runs itself
    from explainspec.runner.execute import tune_collector

    tune_collector()


def _ping() -> int:
    """A task that does nothing: its worker has started and run its initializer."""
    return os.getpid()


def preload_modules(plans: list[ClaimPlan]) -> tuple[str, ...]:
    """Heavy modules the claims' methods will import (by registry ``library``)."""
    out: list[str] = []
    for p in plans:
        try:
            library = p.entry().extra.get("library", "")
        except LookupError:
            continue
        for name in _PRELOAD.get(str(library), ()):
            if name not in out:
                out.append(name)
    return tuple(out)


# --------------------------------------------------------------------------- backends


def estimated_cost(plan: ClaimPlan) -> int:
    """Method runs per world that the claim's check asks for: a stand-in for its duration.

    One for ``phi`` plus one per ``explain(...)`` call; a check with a ``within mc(z)``
    comparison reruns them for each of the profile's replicates.
    """
    from explainspec.lang import ir
    from explainspec.lang.semantics import walk

    nodes = list(walk(plan.check))
    calls = 1 + sum(
        isinstance(n, ir.Call) and isinstance(n.func, ir.Name) and n.func.id == "explain"
        for n in nodes
    )
    mc = any(
        isinstance(n, ir.Compare) and n.tolerance is not None and n.tolerance.kind is ir.TolKind.MC
        for n in nodes
    )
    return calls * (plan.options.n_replicates if mc else 1)


class _Backend:
    """Runs tasks somewhere; ``wait`` returns ``(plan name, result)`` pairs as they finish."""

    def submit(self, task: Task) -> None:
        raise NotImplementedError

    def wait(self, timeout: float) -> list[tuple[str, ClaimResult]]:
        raise NotImplementedError

    def close(self, *, kill: bool = False) -> None:
        raise NotImplementedError


class PoolBackend(_Backend):
    """A ``ProcessPoolExecutor`` on :func:`~explainspec.runner.execute.worker_context` (a
    ``forkserver``; workers never import from the working directory). If a worker dies (a
    segfault in a method), the pool is broken: the claims that had not finished are re-run one
    at a time in isolated worker processes, which pins the crash on its claim (ES303) and spares
    the others."""

    def __init__(self, jobs: int, plugins: tuple[str, ...], preload: tuple[str, ...]) -> None:
        from concurrent.futures import ProcessPoolExecutor

        from explainspec.runner.execute import worker_context

        ctx = worker_context()
        self.plugins = plugins
        self.preload = preload
        self.jobs = jobs
        jit_dir = os.environ.get("NUMBA_CACHE_DIR")
        self.pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=ctx,
            initializer=_init_worker,
            initargs=(plugins, preload, jit_dir),
        )
        self.futures: dict[Any, Task] = {}
        self.orphans: list[Task] = []
        #: a worker died: the pool cannot take tasks any more
        self.broken = False

    def submit(self, task: Task) -> None:
        self.futures[self.pool.submit(run_claim_task, task)] = task

    def start_all(self) -> list[int]:
        """Start every worker now rather than at the first claim, and wait until the pings sent
        to them are answered (a worker answers once it has imported what it preloads; one fast
        worker may answer every ping); returns the process ids that answered."""
        pings = [self.pool.submit(_ping) for _ in range(self.jobs)]
        return sorted({p.result() for p in pings})

    def pids(self) -> list[int]:
        """The process ids of the running workers."""
        return sorted(p.pid for p in getattr(self.pool, "_processes", {}).values())

    def wait(self, timeout: float) -> list[tuple[str, ClaimResult]]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        out = []
        if self.futures:
            done, _ = wait(list(self.futures), timeout=timeout, return_when=FIRST_COMPLETED)
            for fut in done:
                task = self.futures.pop(fut)
                try:
                    out.append((task.plan.name, fut.result()))
                except BrokenProcessPool:
                    self.broken = True
                    self.orphans.append(task)
                except BaseException as e:  # noqa: BLE001 - e.g. an unpicklable result
                    out.append((task.plan.name, _internal_error(task.plan, e)))
        if self.orphans and not self.futures:
            out.extend(self._rerun_isolated())
        return out

    def _rerun_isolated(self) -> list[tuple[str, ClaimResult]]:
        from explainspec.runner.execute import Isolated

        out = []
        iso = Isolated(None, self.plugins, self.preload)
        try:
            for task in self.orphans:
                result = None
                for item in iso.run(task.plan):
                    if isinstance(item, ClaimResult):
                        result = item
                assert result is not None
                out.append((task.plan.name, result))
        finally:
            iso.close()
            self.orphans = []
        return out

    def close(self, *, kill: bool = False) -> None:
        if kill:
            for proc in list(getattr(self.pool, "_processes", {}).values()):
                if proc.is_alive():
                    proc.kill()
        self.pool.shutdown(wait=not kill, cancel_futures=True)


class IsolatedPoolBackend(_Backend):
    """``jobs`` threads, each driving an :class:`~explainspec.runner.execute.Isolated` worker
    process: used with ``--timeout`` (a call that exceeds it gets its worker killed)."""

    def __init__(
        self,
        jobs: int,
        timeout: float | None,
        plugins: tuple[str, ...],
        preload: tuple[str, ...] = (),
    ) -> None:
        from explainspec.runner.execute import Isolated

        self.todo: queue.Queue[Task | None] = queue.Queue()
        self.done: queue.Queue[tuple[str, ClaimResult]] = queue.Queue()
        self.workers = [Isolated(timeout, plugins, preload) for _ in range(jobs)]
        self.threads = [
            threading.Thread(target=self._loop, args=(w,), daemon=True, name=f"explainspec-iso{i}")
            for i, w in enumerate(self.workers)
        ]
        for t in self.threads:
            t.start()

    def _loop(self, worker: Any) -> None:
        while True:
            task = self.todo.get()
            if task is None:
                return
            result = None
            try:
                for item in worker.run(task.plan):
                    if isinstance(item, ClaimResult):
                        result = item
            except BaseException as e:  # noqa: BLE001
                result = _internal_error(task.plan, e)
            assert result is not None
            self.done.put((task.plan.name, result))

    def submit(self, task: Task) -> None:
        self.todo.put(task)

    def wait(self, timeout: float) -> list[tuple[str, ClaimResult]]:
        out = []
        try:
            out.append(self.done.get(timeout=timeout))
            while True:
                out.append(self.done.get_nowait())
        except queue.Empty:
            pass
        return out

    def close(self, *, kill: bool = False) -> None:
        for w in self.workers:
            w.stop.set()
        for _ in self.threads:
            self.todo.put(None)
        for w in self.workers:
            w.close()


class DaskBackend(_Backend):
    """Tasks on a Dask distributed cluster: ``Client(address).submit(run_claim_task, task,
    pure=False)``. Workers need explainspec, the method libraries and the plugins installed."""

    def __init__(self, address: str) -> None:
        from distributed import Client

        self.client = Client(address, set_as_default=False)
        self.futures: dict[Any, Task] = {}

    def submit(self, task: Task) -> None:
        fut = self.client.submit(
            run_claim_task,
            task,
            pure=False,
            key=f"explainspec-{task.plan.name}-{os.urandom(4).hex()}",
        )
        self.futures[fut] = task

    def wait(self, timeout: float) -> list[tuple[str, ClaimResult]]:
        out: list[tuple[str, ClaimResult]] = []
        deadline = time.monotonic() + timeout
        while self.futures and not any(f.done() for f in self.futures):
            if time.monotonic() > deadline:
                return out
            time.sleep(0.02)
        for fut in [f for f in self.futures if f.done()]:
            task = self.futures.pop(fut)
            try:
                out.append((task.plan.name, fut.result()))
            except BaseException as e:  # noqa: BLE001 - a worker died or the task failed
                out.append((task.plan.name, _internal_error(task.plan, e, code="ES303")))
        return out

    def close(self, *, kill: bool = False) -> None:
        if self.futures:
            self.client.cancel(list(self.futures))
        self.client.close()


def _internal_error(plan: ClaimPlan, e: BaseException, *, code: str = "ES309") -> ClaimResult:
    from explainspec.runner.budget import describe_exception, format_traceback
    from explainspec.runner.execute import failed_result, internal_error_result

    if code == "ES309":
        return internal_error_result(
            plan, f"the claim's task failed: {describe_exception(e)}", format_traceback(e)
        )
    return failed_result(plan, code, f"the claim's task failed: {describe_exception(e)}")


# --------------------------------------------------------------------------- the run


def _from_cache(plan: ClaimPlan, result: ClaimResult) -> ClaimResult:
    """A cached result, re-labelled with this run's identity (paths may have moved)."""
    counter = result.counterexample
    if counter is not None:
        counter = dataclasses.replace(counter, reproduce=plan.reproduce())
    return dataclasses.replace(result, **plan.identity(), counterexample=counter, cached=True)


class ScaledExecutor:
    """An executor for :func:`explainspec.runner.run._run`: the results cache in front of a
    process pool, a Dask cluster or the in-process runner.

    ``run(plan)`` yields the claim's events and ends with its result, like
    :class:`~explainspec.runner.execute.InProcess`; the runner calls it in plan order, so events
    come out in plan order whatever the order in which the claims finish. Nothing happens until
    the first ``run``: the cache is read and every miss is submitted (longest first) then.
    """

    def __init__(
        self, planned: list[tuple[Any, list[ClaimPlan]]], options: RunOptions, execution: Execution
    ) -> None:
        self.plans = [p for _, ps in planned for p in ps]
        self.options = options
        self.execution = execution
        self.ready: dict[str, ClaimResult] = {}
        self.keys: dict[str, str] = {}
        self.cache: Any = None
        self.backend: _Backend | None = None
        self.sequential: Any = None
        self.db = str(execution.example_db) if execution.example_db is not None else None
        self._started = False
        self._borrowed = False  # the backend is the execution's warm pool: not ours to close

    # ---------------------------------------------------------------- setup

    def _start(self) -> None:
        self._started = True
        execution, options = self.execution, self.options
        if execution.cache is not None or self.db is not None:
            self._keys()
        durations: dict[str, float] = {}
        if execution.cache is not None:
            from explainspec.runner.cache import ResultsCache

            self.cache = ResultsCache(execution.cache)
            for p in self.plans:
                if p.name not in self.keys:
                    continue
                hit = self.cache.get(self.keys[p.name], p.name)
                if hit is not None:
                    self.ready[p.name] = _from_cache(p, hit)
            durations = self.cache.durations(p.name for p in self.plans)
        todo = [p for p in self.plans if p.name not in self.ready]
        remote = execution.executor == "dask"
        warm = execution.pool
        if todo and (remote or warm is not None or (execution.jobs > 1 and len(todo) > 1)):
            if remote:
                assert execution.scheduler is not None
                self.backend = DaskBackend(execution.scheduler)
            elif warm is not None:  # workers kept warm across runs (--watch)
                self.backend = warm.backend(todo, options)
                self._borrowed = True
            elif options.isolated:
                self.backend = IsolatedPoolBackend(
                    min(execution.jobs, len(todo)),
                    options.timeout,
                    options.plugins,
                    preload_modules(todo),
                )
            else:
                self.backend = PoolBackend(
                    min(execution.jobs, len(todo)), options.plugins, preload_modules(todo)
                )
            # longest first as measured by earlier runs; claims never timed come after them,
            # most method runs per world first (a stable sort: equal estimates keep plan order)
            from explainspec.runner.execute import MethodNotShippable, failed_result

            shipped = not isinstance(self.backend, IsolatedPoolBackend)
            for p in sorted(todo, key=lambda p: (-durations.get(p.name, 0.0), -estimated_cost(p))):
                try:
                    task = self._task(p, ship=shipped)
                except MethodNotShippable as e:
                    self.ready[p.name] = failed_result(p, "ES330", str(e))
                    continue
                self.backend.submit(task)
        elif todo:
            from explainspec.runner.execute import InProcess, Isolated

            preload = preload_modules(todo)
            if options.isolated:
                self.sequential = Isolated(options.timeout, options.plugins, preload)
            else:
                # the method libraries are imported here, not in the first claim, so numba's file
                # cache is on before their code is compiled (runner/jitcache.py)
                from explainspec.runner import jitcache

                jitcache.warm(preload)
                self.sequential = InProcess()

    def _keys(self) -> None:
        """The cache key of every claim whose method can be tracked; a notice for the others."""
        import warnings

        from explainspec.runner.cache import CacheWarning, claim_key, software
        from explainspec.runner.sources import Untrackable

        memo: dict[Any, Any] = {}
        untracked: dict[str, str] = {}
        for p in self.plans:
            try:
                self.keys[p.name] = claim_key(p, software(p, memo))
            except Untrackable as e:
                untracked.setdefault(str(e), p.method)
            except LookupError as e:  # not registered here (the claim's run says so)
                untracked.setdefault(f"it is not registered ({e})", p.method)
        for reason, method in untracked.items():
            warnings.warn(
                f"not cached: method {method!r}: {reason}; its claims are run afresh, without "
                "the results cache or the example database",
                CacheWarning,
                stacklevel=4,
            )

    def _task(self, p: ClaimPlan, *, ship: bool = False) -> Task:
        """The task of a claim (``ship``: with its method pickled, for a pool or Dask worker)."""
        key = self.keys.get(p.name)
        method = None
        if ship:
            from explainspec.runner.execute import ship_method

            method = ship_method(p)
        return Task(p, self.db if key else None, key if self.db else None, method)

    def _store(self, name: str, result: ClaimResult) -> None:
        self.ready[name] = result
        if self.cache is not None and name in self.keys:
            self.cache.put(self.keys[name], result)

    # ---------------------------------------------------------------- the executor protocol

    def run(self, plan: ClaimPlan) -> Iterator[Any]:
        if not self._started:
            self._start()
        if plan.name not in self.ready and self.backend is not None:
            while plan.name not in self.ready:
                for name, result in self.backend.wait(0.2):
                    self._store(name, result)
        if plan.name not in self.ready:
            yield from self._run_here(plan)
        yield self.ready[plan.name]

    def _run_here(self, plan: ClaimPlan) -> Iterator[Any]:
        """One claim in this process (or the timeout worker), with live progress events."""
        from explainspec.runner import settings

        task = self._task(plan)
        settings.use_example_database(task.example_db, task.db_key)
        try:
            for item in self.sequential.run(plan):
                if isinstance(item, ClaimResult):
                    self._store(plan.name, item)
                else:
                    yield item
        finally:
            settings.use_example_database(None)

    def close(self) -> None:
        if self.sequential is not None:
            self.sequential.close()
        if self.backend is not None:
            # claims still pending mean the run was interrupted: do not wait for them
            pending = any(p.name not in self.ready for p in self.plans)
            if not self._borrowed:
                self.backend.close(kill=pending)
            elif pending:  # a warm pool busy with claims nobody waits for: start it afresh
                self.execution.pool.reset()
        if self.cache is not None:
            warnings = list(dict.fromkeys(self.cache.warnings))
            self.cache.close()
            if warnings:
                import warnings as _warnings

                from explainspec.runner.cache import CacheWarning

                for w in warnings:
                    _warnings.warn(w, CacheWarning, stacklevel=2)
