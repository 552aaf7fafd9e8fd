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

Both enforce the claim's wall-clock budget (:mod:`explainspec.runner.budget`): the claim stops
itself when it is spent (ES340). A claim that is still not finished :func:`~explainspec.runner.budget.grace` seconds later is
inside a call of compiled code that does not return: :class:`Isolated` kills its worker;
:class:`InProcess` cannot kill a thread, so it reports the claim (ES340) and leaves its thread
behind, and the run goes on.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import threading
import time
from collections.abc import Iterator
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


def _worker_main(conn: Any, plugins: tuple[str, ...]) -> None:
    """The worker process: import plugins, then run the claims it is sent until ``None``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    from explainspec.registry import load_plugins
    from explainspec.runner.claim import ClaimRun

    load_plugins(plugins)
    while True:
        try:
            plan = conn.recv()
        except EOFError:
            return
        if plan is None:
            return
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

    def __init__(self, timeout: float | None, plugins: tuple[str, ...] = ()) -> None:
        self.timeout = timeout
        self.plugins = tuple(plugins)
        self.stop = threading.Event()
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["explainspec.runner.claim"])
        self._proc: Any = None
        self._conn: Any = None

    def _ensure(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            return
        self._kill()
        parent, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(
            target=_worker_main, args=(child, self.plugins), daemon=True, name="explainspec-worker"
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
        self._ensure()
        self._conn.send(plan)
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
