"""The budgets of a run: wall-clock seconds per claim, and memory per process.

A spec is untrusted input (``docs/concepts/security.md``): the static limits of
:mod:`explainspec.catalog.limits` refuse the sizes a spec states, and these budgets catch what no
static check can foresee (a check that is slow on some worlds, a method or oracle that is slow or
allocates too much).

Time
    Every claim has a wall-clock budget covering everything it does: loading the method, world
    generation, oracles, the check interpreter and the method calls. The default comes from the
    profile (:attr:`explainspec.runner.settings.Profile.claim_budget`), ``--claim-timeout`` (or
    ``verify(claim_timeout=...)``) overrides it. :class:`Watchdog` enforces it *inside* the process
    that runs the claim, whichever thread that is: when the budget is spent it raises
    :class:`BudgetExceeded` in the claim's thread, and again every :data:`REPEAT` seconds until
    :func:`within_budget` disarms it (``PyThreadState_SetAsyncExc``, the documented C API for
    this; no maintained library wraps it). Python code (hypothesis, the
    interpreter, worlds, oracles, a plugin's Python loop) stops at its next bytecode, so the claim
    ends with an ``error`` verdict (ES340) saying how many worlds it checked, and the run goes on.
    A thread inside one call of compiled code is only interrupted when that call returns; for that
    case the executors have a hard stop :func:`grace` seconds later (see
    :mod:`explainspec.runner.execute`): a worker process is killed; a claim running in this process
    is abandoned (its thread is left behind and the run goes on).
Memory
    ``--memory-limit`` caps the data segment (``RLIMIT_DATA``) of the verify process and of each of
    its worker processes, so an allocation beyond it raises ``MemoryError`` in the claim, which
    becomes an ``error`` verdict (ES341), instead of exhausting the machine. The default is
    :data:`~explainspec.runner.settings.MEMORY_FRACTION` of the machine's memory per process.
    ``RLIMIT_DATA`` rather than ``RLIMIT_AS``: the address space of a process that loaded numpy,
    numba, shap and scikit-learn is about 2.6 times its resident memory (reserved, never touched:
    malloc arenas and thread stacks, and it grows with the number of threads), so an address-space
    cap either starves thread creation ("can't start new thread") or is far above the memory
    really used; the data segment counts the private writable memory that can actually be filled
    (measured in ``docs/concepts/budgets.md``).

Nothing here imports numpy or hypothesis.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

#: the longest wait, after a claim's budget is spent, for the claim to stop by itself (seconds)
GRACE = 5.0

#: seconds between two exceptions raised in a claim that is over its budget and still running
REPEAT = 0.25


def grace(budget: float) -> float:
    """Seconds between the end of a claim's budget and the hard stop of a claim that did not stop
    by itself: a tenth of the budget, at least 0.5 s and at most :data:`GRACE` (a claim stops
    within milliseconds when it can).

    >>> grace(2.0), grace(20.0), grace(1800.0)
    (0.5, 2.0, 5.0)
    """
    return min(GRACE, max(0.5, 0.1 * budget))


class BudgetExceeded(BaseException):
    """Raised in a claim's thread when its wall-clock budget is spent.

    A ``BaseException``, like ``KeyboardInterrupt``: nothing the claim runs (hypothesis, the
    interpreter, a method adapter) catches it as an ordinary error.
    """


_QUIET = False


def _quiet_when_ignored() -> None:
    """Keep Python from printing "Exception ignored in ..." for a :class:`BudgetExceeded` that
    landed where exceptions are swallowed (a garbage-collector callback, a ``__del__``): the
    watchdog raises it again. Every other unraisable exception goes to the previous hook."""
    global _QUIET
    if _QUIET:
        return
    _QUIET = True
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, BudgetExceeded):
            return
        previous(unraisable)

    sys.unraisablehook = hook


def _async_raise(thread_id: int, exc: type[BaseException] | None) -> bool:
    """Raise ``exc`` in the thread ``thread_id`` at its next bytecode (``None``: cancel a pending
    one). Returns whether a thread was found."""
    import ctypes

    target = ctypes.py_object(exc) if exc is not None else None
    found = ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), target)
    if found > 1:  # cannot happen for one id; undo as the C API asks
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)
    return bool(found == 1)


class Watchdog:
    """Raises :class:`BudgetExceeded` in the thread that entered it once ``seconds`` have passed,
    and again every :data:`REPEAT` seconds until it is disarmed.

    ``None`` or ``inf`` seconds: no budget. The exception is raised again because code the claim
    runs may swallow one (a library's bare ``except``, a garbage-collector callback) or be
    interrupted in its own cleanup; once :attr:`fired` is set, the outcome is "over budget"
    whatever else happened. Nothing is raised while the block is being entered. Leaving the block
    disarms it, but the exception can arrive while it is being left; use :func:`within_budget`,
    which catches it and disarms the watchdog for certain.
    """

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.fired = False
        self._lock = threading.Lock()
        self._armed = False
        self._inside = False
        self._ident: int | None = None
        self._left = threading.Event()

    def __enter__(self) -> Watchdog:
        if self.seconds is None or not math.isfinite(self.seconds):
            return self
        _quiet_when_ignored()
        self._ident = threading.get_ident()
        self._armed = True
        threading.Thread(target=self._watch, name="explainspec-watchdog", daemon=True).start()
        self._inside = True  # the last statement: nothing is raised inside __enter__
        return self

    def _watch(self) -> None:
        wait = max(0.0, float(self.seconds or 0.0))
        while not self._left.wait(wait):
            with self._lock:
                if not self._armed or self._ident is None:
                    return
                if self._inside:
                    self.fired = True
                    _async_raise(self._ident, BudgetExceeded)
            wait = REPEAT

    def disarm(self) -> None:
        """Stop for good and cancel an exception raised but not yet delivered (idempotent)."""
        with self._lock:
            self._armed = self._inside = False
            if self.fired and self._ident is not None:
                _async_raise(self._ident, None)
        self._left.set()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.disarm()


T = TypeVar("T")


def within_budget(seconds: float | None, fn: Callable[[], T]) -> tuple[T | None, bool]:
    """``(fn(), False)``, or ``(None, True)`` when ``fn`` ran out of its ``seconds`` (``None``:
    no budget). The watchdog is disarmed for certain before this returns: an exception that
    arrives while it is being disarmed is caught, and disarming is retried.

    Examples
    --------
    >>> import time
    >>> within_budget(0.05, lambda: time.sleep(0.001) or "done")
    ('done', False)
    >>> def forever():
    ...     while True:
    ...         time.sleep(0.001)
    >>> within_budget(0.05, forever)
    (None, True)
    """
    dog = Watchdog(seconds)
    result: T | None = None
    try:
        try:
            with dog:
                result = fn()
        except BudgetExceeded:
            pass
    except BudgetExceeded:  # arrived while the block was being left
        pass
    while True:
        try:
            dog.disarm()
            break
        except BudgetExceeded:  # arrived while disarming: disarm again
            continue
    return (None, True) if dog.fired else (result, False)


def over_budget_message(
    budget: float,
    *,
    checked: int,
    phase: str,
    how: str = "it was stopped",
    at_least: bool = False,
) -> str:
    """The message of an ES340 result: the budget, what the claim was doing, how far it got.

    >>> over_budget_message(60, checked=3, phase="checking a world")
    'the claim exceeded its time budget of 60 s while checking a world, after checking 3 world(s); it was stopped (--claim-timeout sets the budget)'
    """
    return (
        f"the claim exceeded its time budget of {budget:g} s while {phase}, after checking "
        f"{'at least ' if at_least else ''}{checked} world(s); {how} (--claim-timeout sets the "
        "budget)"
    )


# --------------------------------------------------------------------------- memory

_UNITS = {"": 1, "b": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def machine_memory() -> int | None:
    """Bytes of memory this process can use: the physical memory, or the memory limit of its
    control group (a container) when that is smaller; ``None`` when it cannot be read."""
    total: int | None = None
    try:
        total = int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        total = None
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        with contextlib.suppress(OSError, ValueError):
            with open(path, encoding="ascii") as fh:
                text = fh.read().strip()
            if text.isdigit():
                cap = int(text)
                if cap > 0 and (total is None or cap < total):
                    total = cap
    return total if total and total > 0 else None


def parse_memory_limit(text: str, *, total: int | None = None) -> int | None:
    """Bytes for a ``--memory-limit`` value; ``None`` when it switches the limit off.

    ``4G``, ``512M``, ``1.5g``, ``2000000000`` (bytes), ``50%`` (of :func:`machine_memory`);
    ``0`` or ``none`` switch it off.

    Examples
    --------
    >>> parse_memory_limit("512M"), parse_memory_limit("1.5g"), parse_memory_limit("none")
    (536870912, 1610612736, None)
    >>> parse_memory_limit("25%", total=8 * 2**30) == 2 * 2**30
    True
    >>> parse_memory_limit("lots")
    Traceback (most recent call last):
    ...
    ValueError: --memory-limit 'lots' is not a size like 4G, 512M, 50% or none
    """
    value = text.strip().lower()
    if value in ("0", "none", "off"):
        return None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(%|[bkmgt]?)i?b?", value)
    if m is None:
        raise ValueError(f"--memory-limit {text!r} is not a size like 4G, 512M, 50% or none")
    number, unit = float(m.group(1)), m.group(2)
    if unit == "%":
        if not 0 < number <= 100:
            raise ValueError(f"--memory-limit {text!r}: a percentage must be in (0, 100]")
        total = machine_memory() if total is None else total
        if total is None:
            raise ValueError("--memory-limit: the machine's memory is unknown; give a size")
        return int(total * number / 100)
    size = int(number * _UNITS[unit])
    if size <= 0:
        return None
    return size


def format_bytes(n: int) -> str:
    """``n`` bytes for messages.

    >>> format_bytes(3 * 2**30), format_bytes(1536 * 2**20), format_bytes(1000)
    ('3 GiB', '1.5 GiB', '1000 B')
    """
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} B"


def apply_memory_limit(limit: int | None) -> Callable[[], None]:
    """Cap this process's data segment at ``limit`` bytes (the soft ``RLIMIT_DATA``; ``None``
    leaves the limit as it is) and return the function that restores the previous limit.

    Only the soft limit is set, never above the hard one, so the process (or a caller in the
    same process: tests, notebooks) can undo it. Where ``resource`` does not exist (Windows),
    nothing is capped.
    """
    if limit is None:
        return lambda: None
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return lambda: None
    kind = resource.RLIMIT_DATA
    soft, hard = resource.getrlimit(kind)
    wanted = int(limit) if hard == resource.RLIM_INFINITY else min(int(limit), hard)
    resource.setrlimit(kind, (wanted, hard))

    def restore() -> None:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(kind, (soft, hard))

    return restore


def current_memory_limit() -> int | None:
    """The soft ``RLIMIT_DATA`` of this process in bytes (``None``: unlimited or unknown)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_DATA)
    return None if soft == resource.RLIM_INFINITY else int(soft)


def set_worker_memory_limit(limit: int | None) -> None:
    """Set this worker process's cap to exactly ``limit`` (``None``: the hard limit, i.e. none).

    Workers are started by a server process that may have been started under another run's
    limit, so each worker sets the run's value explicitly instead of inheriting it.
    """
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return
    kind = resource.RLIMIT_DATA
    _, hard = resource.getrlimit(kind)
    if limit is None:
        wanted = hard
    else:
        wanted = int(limit) if hard == resource.RLIM_INFINITY else min(int(limit), hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(kind, (wanted, hard))


def data_in_use() -> int | None:
    """Bytes of this process's data segment now (what ``RLIMIT_DATA`` counts; Linux only)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def is_memory_error(exc: BaseException | None) -> bool:
    """Whether ``exc`` is, or was caused by, running out of memory."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, MemoryError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def describe_exception(exc: BaseException) -> str:
    """``Type: first line`` of an exception, for one-line messages."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first[:300]}" if first else type(exc).__name__


def format_traceback(exc: BaseException | None) -> str | None:
    """The full traceback text of ``exc`` (``--debug``), or ``None``."""
    if exc is None:
        return None
    import traceback

    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
