"""Where a claim runs: in this process (default) or in a worker process (``--timeout``).

Both executors turn one :class:`~explainspec.runner.plan.ClaimPlan` into a stream of progress
events ending with the claim's :class:`~explainspec.runner.events.ClaimResult`.

- :class:`InProcess` runs the claim in a thread of this process, so progress events flow while
  hypothesis searches and Ctrl-C (delivered to the main thread) stops the search at the next world.
- :class:`Isolated` runs claims in a worker process (``forkserver`` context, reused from claim to
  claim). The worker reports when each method call starts and ends; a call that exceeds the
  timeout gets the worker killed (verdict ``error``, ES302), a worker that dies (a segfault in
  a method, ``os._exit``) gives ``error`` (ES303), and the next claim gets a fresh worker. The
  cost is one interpreter start plus the imports, paid once per run and again after a kill
  (``bench/overhead.py`` measures it), which is why isolation is used only when a timeout is set.

Worker processes never import from the working directory (the checkout being verified may hold a
``numpy.py`` or a ``selectors.py``). :func:`worker_context` is the one ``multiprocessing`` context
of every worker (here and in :mod:`explainspec.runner.parallel`): its forkserver starts in
safe-path mode (``PYTHONSAFEPATH=1``: no working directory at the front of ``sys.path``), and each
worker gets the parent's ``sys.path`` without ``''`` and without the working directory (unless
``PYTHONPATH`` names it), and does not re-run the parent's ``__main__``. A method defined in
``__main__`` (a script, a notebook) reaches the worker pickled by value with ``cloudpickle``
(:func:`ship_method`); one that cannot be pickled, or whose module a worker cannot import, is a
clear ``error`` (ES330), never a multiprocessing traceback.

Both executors enforce the claim's wall-clock budget (:mod:`explainspec.runner.budget`): the
claim stops itself when it is spent (ES340). A claim that has not stopped
:func:`~explainspec.runner.budget.grace` seconds later is inside a call of compiled code that does
not return: :class:`Isolated` kills its worker; :class:`InProcess` cannot kill a thread, so it
reports the claim (ES340) and leaves its thread behind, and the run goes on.
"""

from __future__ import annotations

import contextlib
import gc
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing.context import ForkServerContext, ForkServerProcess
from typing import Any

from explainspec.runner import budget as _budget
from explainspec.runner.events import (
    INTERNAL_ERROR,
    ClaimResult,
    ExampleTried,
    RunDiagnostic,
    Timings,
    Verdict,
)
from explainspec.runner.plan import ClaimPlan

_POLL = 0.05


def failed_result(
    plan: ClaimPlan,
    code: str,
    message: str,
    *,
    verdict: Verdict = Verdict.ERROR,
    elapsed: float = 0.0,
    examples: int = 0,
    traceback: str | None = None,
) -> ClaimResult:
    """A result for a claim that did not run to its end (crash, timeout, internal error).

    ``traceback`` is kept only when the run keeps tracebacks (``--debug``)."""
    return ClaimResult(
        **plan.identity(),
        verdict=verdict,
        examples=examples,
        timings=Timings(checker=elapsed),
        error=message,
        diagnostics=(
            RunDiagnostic(code=code, message=message.splitlines()[0] if message else code),
        ),
        traceback=traceback if plan.options.debug else None,
    )


def crash_payload(e: BaseException) -> tuple[str, str | None]:
    """What a claim's executor reports for an exception that escaped the claim: a one-line
    description and the traceback (shown only with ``--debug``)."""
    return _budget.describe_exception(e), _budget.format_traceback(e)


def internal_error_result(
    plan: ClaimPlan, description: str, traceback: str | None, *, elapsed: float = 0.0
) -> ClaimResult:
    """The ``error`` result (ES309) of an exception that escaped a claim: a bug of explainspec."""
    hint = "" if plan.options.debug else "; --debug shows the traceback"
    return failed_result(
        plan,
        INTERNAL_ERROR,
        f"internal error of explainspec: {description} (a bug, please report it{hint})",
        elapsed=elapsed,
        traceback=traceback,
    )


def _message(plan: ClaimPlan, kind: str, payload: Any, started: float) -> Any:
    """What a message from a claim's executor stands for: an event, the result, or a crash."""
    if kind in ("event", "result"):
        return payload
    elapsed = time.perf_counter() - started
    description, tb = payload if isinstance(payload, tuple) else (str(payload), None)
    return internal_error_result(plan, description, tb, elapsed=elapsed)


def _hard_deadline(plan: ClaimPlan, started: float) -> float | None:
    """When a claim that has not stopped itself at the end of its budget is given up."""
    budget = plan.options.budget
    return None if budget is None else started + budget + _budget.grace(budget)


class InProcess:
    """Runs each claim in a daemon thread of this process."""

    def __init__(self) -> None:
        self.stop = threading.Event()

    def run(self, plan: ClaimPlan) -> Iterator[Any]:
        from explainspec.runner.claim import ClaimRun

        q: queue.Queue[Any] = queue.Queue()
        started = time.perf_counter()
        claim = ClaimRun(plan=plan, emit=lambda e: q.put(("event", e)), stop=self.stop)

        def work() -> None:
            try:
                q.put(("result", claim.run()))
            except BaseException as e:  # noqa: BLE001 - reported as an internal error of the claim
                q.put(("crash", crash_payload(e)))

        thread = threading.Thread(target=work, name=f"explainspec:{plan.name}", daemon=True)
        thread.start()
        deadline = _hard_deadline(plan, started)
        while True:
            try:
                kind, payload = q.get(timeout=0.2)
            except queue.Empty:
                if deadline is not None and time.perf_counter() > deadline:
                    # the claim did not stop at the end of its budget: its thread is inside a
                    # call that does not return to Python, and a thread cannot be killed
                    yield failed_result(
                        plan,
                        "ES340",
                        _budget.over_budget_message(
                            plan.options.budget or 0.0,
                            checked=claim.checked,
                            phase=claim.phase,
                            how="it could not be stopped (a call that does not return to Python) "
                            "and was left running in the background; --timeout runs claims in "
                            "worker processes, which are killed",
                        ),
                        elapsed=time.perf_counter() - started,
                        examples=claim.checked,
                    )
                    return
                continue
            if kind == "result":
                thread.join()
            yield _message(plan, kind, payload, started)
            if kind != "event":
                return

    def close(self) -> None:
        self.stop.set()


def _worker_main(
    conn: Any,
    plugins: tuple[str, ...],
    preload: tuple[str, ...] = (),
    jit_dir: str | None = None,
) -> None:
    """The worker process: import plugins and the heavy modules in ``preload`` (with numba's file
    cache in ``jit_dir``, see :mod:`explainspec.runner.jitcache`), then run the claims it is sent
    until ``None``.

    Each message is ``(plan, method)``: ``method`` is the plan's method entry pickled by
    :func:`ship_method` (or ``None``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    watch_parent()
    from explainspec.runner import jitcache

    if jit_dir:
        jitcache.configure(jit_dir)
    from explainspec.runner.claim import ClaimRun

    jitcache.warm(preload)
    problem = load_in_worker(plugins)
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        plan, method = message
        failed = problem or load_in_worker((), method)
        if failed is not None:
            conn.send(("result", failed_result(plan, "ES330", failed)))
            continue
        if plan.options.memory_limit is not None:
            _budget.set_worker_memory_limit(plan.options.memory_limit)
        conn.send(("beat", "claim"))  # the claim's budget starts now, not when the worker did
        try:
            result = ClaimRun(
                plan=plan,
                emit=lambda e: conn.send(("event", e)),
                beat=lambda s: conn.send(("beat", s)),
            ).run()
            conn.send(("result", result))
        except BaseException as e:  # noqa: BLE001
            conn.send(("crash", crash_payload(e)))


def watch_parent() -> None:
    """In a worker process: exit as soon as the process that asked for it (the run) is gone --
    killed, or ended without closing its pool --, so that a worker busy in a method that never
    returns cannot outlive the run.

    The forkserver that forked a worker is not the process to watch: every worker holds the
    forkserver's "alive" pipe (so that it could start processes itself), so the forkserver outlives
    the run as long as one worker does, and a worker waiting for its forkserver to go would wait
    forever (seen: workers busy for 39 minutes after their run was killed). multiprocessing gives
    every child a sentinel of the process that started it (``parent_process().sentinel``,
    readable once that process is gone); a thread waits on it and ends this process. A process
    started without such a sentinel falls back to watching its parent's pid."""
    import multiprocessing

    parent = multiprocessing.parent_process()
    sentinel = getattr(parent, "sentinel", None)
    if sentinel is not None:

        def watch() -> None:
            from multiprocessing.connection import wait

            wait([sentinel])
            os._exit(1)

    else:
        ppid = os.getppid()

        def watch() -> None:
            while os.getppid() == ppid:
                time.sleep(1.0)
            os._exit(1)

    threading.Thread(target=watch, daemon=True, name="explainspec-watch-parent").start()


def _signal_name(exitcode: int | None) -> str:
    if exitcode is None:
        return "still running"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exited with status {exitcode}"


class Isolated:
    """Runs claims in a worker process, killed when a method call exceeds ``timeout`` seconds."""

    def __init__(
        self, timeout: float | None, plugins: tuple[str, ...] = (), preload: tuple[str, ...] = ()
    ) -> None:
        self.timeout = timeout
        self.plugins = tuple(plugins)
        self.preload = tuple(preload)
        self.stop = threading.Event()
        self._ctx = worker_context()
        self._proc: Any = None
        self._conn: Any = None

    def _ensure(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            return
        self._kill()
        parent, child = self._ctx.Pipe()
        jit_dir = os.environ.get("NUMBA_CACHE_DIR")
        self._proc = self._ctx.Process(
            target=_worker_main,
            args=(child, self.plugins, self.preload, jit_dir),
            daemon=True,
            name="explainspec-worker",
        )
        self._proc.start()
        child.close()
        self._conn = parent

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if proc is not None and proc.is_alive():
            proc.kill()
        if proc is not None:
            proc.join(5)

    def run(self, plan: ClaimPlan) -> Iterator[Any]:
        started = time.perf_counter()
        try:
            method = ship_method(plan)
        except MethodNotShippable as e:
            yield failed_result(plan, "ES330", str(e), elapsed=time.perf_counter() - started)
            return
        self._ensure()
        self._conn.send((plan, method))
        call_started: float | None = None
        deadline: float | None = None  # set when the worker starts the claim
        seen: dict[str, int] = {}  # worlds checked, by source, as far as progress events tell
        while True:
            if self.stop.is_set():
                self._kill()
                yield failed_result(
                    plan, "ES310", "the run was interrupted", elapsed=time.perf_counter() - started
                )
                return
            try:
                ready = self._conn.poll(_POLL)
                msg = self._conn.recv() if ready else None
            except (EOFError, OSError):
                msg, ready = None, False
                self._proc.join(1)
            if msg is None:
                if not self._proc.is_alive():
                    how = _signal_name(self._proc.exitcode)
                    self._kill()
                    message = f"the worker process running the claim died ({how}); the method probably crashed"
                    if call_started is None:
                        message = f"the worker process running the claim died ({how})"
                    yield failed_result(
                        plan, "ES303", message, elapsed=time.perf_counter() - started
                    )
                    return
                if deadline is not None and time.perf_counter() > deadline:
                    self._kill()
                    checked = sum(seen.values())
                    yield failed_result(
                        plan,
                        "ES340",
                        _budget.over_budget_message(
                            plan.options.budget or 0.0,
                            checked=checked,
                            phase="in a method call" if call_started is not None else "running",
                            how="it did not stop, so its worker process was killed",
                            at_least=True,
                        ),
                        elapsed=time.perf_counter() - started,
                        examples=checked,
                    )
                    return
                if (
                    call_started is not None
                    and self.timeout is not None
                    and time.perf_counter() - call_started > self.timeout
                ):
                    self._kill()
                    yield failed_result(
                        plan,
                        "ES302",
                        f"a method call exceeded --timeout {self.timeout:g} s; the worker was killed",
                        elapsed=time.perf_counter() - started,
                    )
                    return
                continue
            kind, payload = msg
            if kind == "beat":
                if payload == "claim":
                    deadline = _hard_deadline(plan, time.perf_counter())
                    continue
                call_started = time.perf_counter() if payload == "call" else None
                continue
            if kind == "event" and isinstance(payload, ExampleTried):
                # search events count the search's worlds; each example is one world
                n = payload.n if payload.source == "search" else 1
                seen[payload.source] = max(seen.get(payload.source, 0), n)
            yield _message(plan, kind, payload, started)
            if kind != "event":
                return

    def close(self) -> None:
        self.stop.set()
        if self._conn is not None and self._proc is not None and self._proc.is_alive():
            try:
                self._conn.send(None)
                self._proc.join(2)
            except (OSError, BrokenPipeError):
                pass
        self._kill()


# --------------------------------------------------------------------------- worker processes


class MethodNotShippable(Exception):
    """A method cannot be sent to a worker process (ES330)."""


# by method name: the entry pickled last and what it gave (compared by identity: a method
# registered again, e.g. a notebook cell run again, is pickled again)
_SHIPPED: dict[str, tuple[Any, bytes | MethodNotShippable | None]] = {}


def ship_method(plan: ClaimPlan) -> bytes | None:
    """The plan's method entry pickled with ``cloudpickle`` for a worker process, or ``None``
    for explainspec's own methods (a worker finds them by name).

    ``cloudpickle`` pickles a function of an importable module by reference (the worker imports
    the module) and one defined in ``__main__`` -- a script, a notebook cell -- by value, with the
    globals it uses. Raises :class:`MethodNotShippable` with what to do instead.
    """
    from explainspec.runner.cache import method_module
    from explainspec.runner.sources import Untrackable

    try:
        entry = plan.entry()
    except LookupError:  # not registered here: the worker says so on the claim
        return None
    known = _SHIPPED.get(plan.method)
    if known is None or known[0] is not entry:
        try:
            module = method_module(entry)
        except Untrackable:
            module = "?"
        shipped: bytes | MethodNotShippable | None = None
        if module is not None:
            try:
                import cloudpickle

                shipped = cloudpickle.dumps(entry)
            except Exception as e:  # noqa: BLE001 - whatever stops pickling, say what it was
                shipped = MethodNotShippable(
                    f"method {plan.method!r} cannot be sent to a worker process "
                    f"({type(e).__name__}: {e}); define it in an importable module (named "
                    "with --plugin), or run it in this process: no timeout and jobs = 1"
                )
        known = _SHIPPED[plan.method] = (entry, shipped)
    if isinstance(known[1], MethodNotShippable):
        raise known[1]
    return known[1]


def load_in_worker(plugins: tuple[str, ...], method: bytes | None = None) -> str | None:
    """In a worker: import ``plugins`` and register the shipped ``method`` entry; ``None`` when
    that worked, else the message of the ES330 error every claim that needs them gets."""
    from explainspec.registry import load_plugins, registry

    for name in plugins:
        try:
            load_plugins([name])
        except Exception as e:  # noqa: BLE001 - reported on each claim, not a dead worker
            return _unimportable(f"plugin {name!r}", e)
    if method is not None:
        import pickle

        try:
            entry = pickle.loads(method)  # cloudpickle's output needs only cloudpickle installed
        except Exception as e:  # noqa: BLE001
            return _unimportable("the method", e)
        registry("method").add(entry, replace=True)
    return None


def _unimportable(what: str, e: BaseException) -> str:
    hint = ""
    if isinstance(e, ImportError):
        hint = (
            "; worker processes never import from the working directory: install the module "
            "(pip install -e .) or put its folder on PYTHONPATH"
        )
    return f"{what} cannot be loaded in the worker process ({type(e).__name__}: {e}){hint}"


_LOCAL = threading.local()
_START_LOCK = threading.Lock()
_CONTEXT: Any = None
_PATCHED = False


def worker_sys_path(path: list[str] | None = None, cwd: str | None = None) -> list[str]:
    """``path`` (default ``sys.path``) without ``''``, ``'.'`` and the working directory --
    unless ``PYTHONPATH`` names the working directory (the user asked for it)."""
    path = list(sys.path if path is None else path)
    cwd = os.path.realpath(cwd or os.getcwd())
    explicit = {
        os.path.realpath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p
    }
    keep_cwd = cwd in explicit
    out = []
    for p in path:
        if p in ("", ".") or (not keep_cwd and os.path.realpath(p) == cwd):
            continue
        out.append(p)
    return out


def _patch_preparation() -> None:
    """Filter the preparation data ``multiprocessing`` sends to a new process, for the processes
    :func:`worker_context` starts only (a flag of the starting thread)."""
    global _PATCHED
    if _PATCHED:
        return
    from multiprocessing import spawn

    original = spawn.get_preparation_data

    def get_preparation_data(name: str) -> dict[str, Any]:
        data = original(name)
        if getattr(_LOCAL, "starting", False):
            data["sys_path"] = worker_sys_path()
            # the parent's __main__ (a script, or a notebook with no file) is not re-run: methods
            # defined there are shipped by value (ship_method)
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
        return data

    spawn.get_preparation_data = get_preparation_data
    _PATCHED = True


@contextlib.contextmanager
def _safe_start() -> Iterator[None]:
    """While a worker process starts: the forkserver (if it starts now) gets
    ``PYTHONSAFEPATH=1``, and the preparation data is filtered (:func:`_patch_preparation`)."""
    with _START_LOCK:
        _patch_preparation()
        old = os.environ.get("PYTHONSAFEPATH")
        os.environ["PYTHONSAFEPATH"] = "1"
        _LOCAL.starting = True
        try:
            yield
        finally:
            _LOCAL.starting = False
            if old is None:
                os.environ.pop("PYTHONSAFEPATH", None)
            else:
                os.environ["PYTHONSAFEPATH"] = old


def worker_context() -> Any:
    """The ``multiprocessing`` context of every worker process explainspec starts: ``forkserver``
    (never ``fork``: shap, numba and threads are not fork-safe; ``explainspec.runner.claim``
    preloaded), whose processes start safely (:func:`_safe_start`)."""
    global _CONTEXT
    if _CONTEXT is None:
        if sys.flags.ignore_environment and not sys.flags.safe_path:
            import warnings

            warnings.warn(
                "python -E ignores PYTHONSAFEPATH: worker processes could import from the "
                "working directory; add -P (python -E -P ...)",
                RuntimeWarning,
                stacklevel=2,
            )
        _CONTEXT = SafeContext()
    _CONTEXT.set_forkserver_preload(["explainspec.runner.claim"])
    # start the helper processes now, safely: the resource tracker would otherwise be started
    # by the first queue or lock a pool creates, outside _safe_start, with '' on its sys.path
    from multiprocessing import forkserver

    global _FOREIGN_CHECKED
    if not _FOREIGN_CHECKED:
        _FOREIGN_CHECKED = True
        if getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None):
            import warnings

            warnings.warn(
                "this process started a multiprocessing forkserver before explainspec did: "
                "explainspec's workers are forked from it, with whatever it imported (it may "
                "have had the working directory on sys.path)",
                RuntimeWarning,
                stacklevel=2,
            )
    with _safe_start():
        forkserver.ensure_running()
    return _CONTEXT


_FOREIGN_CHECKED = False


class SafeProcess(ForkServerProcess):
    """A forkserver process started by :func:`_safe_start` (module level: it is pickled)."""

    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        with _safe_start():
            return ForkServerProcess._Popen(process_obj)


class SafeContext(ForkServerContext):
    """The ``forkserver`` context whose processes are :class:`SafeProcess`."""

    Process = SafeProcess  # type: ignore[assignment]


#: the run's threshold of the youngest generation (Python's default: 700 allocations)
GEN0_THRESHOLD = 10_000


def tune_collector() -> Callable[[], None]:
    """Freeze the objects alive now (``gc.freeze``) and collect the youngest generation every
    :data:`GEN0_THRESHOLD` allocations; returns the function that restores both.

    Hypothesis allocates many short-lived objects per world, so full collections come often, and
    each one walks the whole heap: with shap and scikit-learn loaded, about 0.1 s. Nothing
    allocated later is frozen, so the run's garbage is collected as before. A heap that someone
    else froze is left as it is. The higher threshold makes full collections rarer still (the
    modules the methods import during the run are not frozen): on the built-in library at
    ``fast``, garbage collection took 0.8 s of the run with Python's thresholds and 0.5 s with
    this one; the garbage of a world is still collected within a few worlds.
    """
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], GEN0_THRESHOLD), *threshold[1:])
    freeze = not gc.get_freeze_count()
    if freeze:
        gc.freeze()

    def restore() -> None:
        if freeze:
            gc.unfreeze()
        gc.set_threshold(*threshold)

    return restore
