"""``verify --watch``: a warm process and warm workers re-verify what changed.

A spec author edits a claim and wants its verdict now, not after the imports and numba's
compilation of a fresh process. :class:`Watcher` keeps

- the process itself (numpy, hypothesis, the spec front end and the method libraries stay
  imported),
- a :class:`WarmPool` of worker processes (``--jobs N``, N > 1) that live from round to round,
  each with the method libraries imported and their compiled code in memory (``--jobs 1``: the
  claims run in this process, which stays warm the same way),
- the key (:func:`explainspec.runner.cache.claim_key`, the results cache's one key function) under
  which every claim was last verified, and its result.

Each :meth:`Watcher.round` loads the specs again, plans them and computes every claim's key; the
claims whose key changed -- their text, their spec's shared parts, their merged world, the run
options, or their method's code -- are verified, the others are not. What runs is an ordinary run
(:func:`explainspec.runner.run.run` with the pool in the :class:`~explainspec.runner.parallel.
Execution`): the same planning, the same tasks, the same results cache; a claim gets the verdict
a fresh ``verify`` of it gives.

Code cannot be re-imported safely into a warm process: when the code a claim runs changes -- a
plugin or a local module it imports (the ``file:`` and ``dist:`` parts of the key), or
explainspec itself -- :meth:`Watcher.round` does not run anything and says so
(:attr:`Round.restart`); the ``verify`` command then starts itself afresh (``os.execv``), and the
results cache and numba's file cache make that start cheap: unchanged claims are cache hits.

:meth:`Watcher.wait` polls the modification times of the spec files, of the local code files in
the keys and of explainspec's own source (every :data:`POLL` seconds: a few hundred ``stat`` calls)
and returns when one changes.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from explainspec.runner.events import ClaimResult, RunResult
from explainspec.runner.plan import ClaimPlan, RunOptions

#: seconds between two looks at the watched files
POLL = 0.2


class WarmPool:
    """Worker processes kept alive across runs: give it to a run as ``Execution(pool=...)``.

    The workers are the ones a ``--jobs N`` run starts (a
    :class:`~explainspec.runner.parallel.PoolBackend`, or an
    :class:`~explainspec.runner.parallel.IsolatedPoolBackend` with ``--timeout``), started once,
    with the method libraries the claims need imported; they are started afresh only when a run
    needs another library, other plugins or another timeout, after a worker died, or after a run
    was interrupted (:meth:`reset`).
    """

    def __init__(self, jobs: int) -> None:
        if jobs < 1:
            raise ValueError(f"jobs={jobs!r} must be at least 1")
        self.jobs = jobs
        self._backend: Any = None
        self._shape: tuple[Any, ...] | None = None
        #: how many times worker processes were started (a test and the bench read it)
        self.starts = 0

    def backend(self, todo: list[ClaimPlan], options: RunOptions) -> Any:
        """The running backend, started (again) when it cannot run ``todo`` as it is."""
        from explainspec.runner.parallel import IsolatedPoolBackend, PoolBackend, preload_modules

        known = self._shape[-1] if self._shape is not None else ()
        preload = (*known, *(m for m in preload_modules(todo) if m not in known))
        shape = (options.isolated, options.timeout, options.plugins, preload)
        if self._backend is not None and (
            shape != self._shape or getattr(self._backend, "broken", False)
        ):
            self.reset()
        if self._backend is None:
            if options.isolated:
                self._backend = IsolatedPoolBackend(
                    self.jobs, options.timeout, options.plugins, preload
                )
            else:
                self._backend = PoolBackend(self.jobs, options.plugins, preload)
                self._backend.start_all()
            self._shape = shape
            self.starts += 1
        return self._backend

    def reset(self) -> None:
        """Stop the workers now (they may be busy); the next run starts new ones."""
        backend, self._backend, self._shape = self._backend, None, None
        if backend is not None:
            backend.close(kill=True)

    def close(self) -> None:
        """Stop the workers (at the end of the watch)."""
        backend, self._backend, self._shape = self._backend, None, None
        if backend is not None:
            backend.close(kill=False)


@dataclass(frozen=True, slots=True)
class Round:
    """What one :meth:`Watcher.round` did.

    ``ran``: the claims verified in this round (``spec.claim``), in plan order; ``result``: their
    run's result (``None`` when nothing ran); ``unchanged``: claims whose key had not changed;
    ``restart``: why the process must start afresh (nothing ran), else ``None``.
    """

    ran: tuple[str, ...] = ()
    result: RunResult | None = None
    unchanged: int = 0
    restart: str | None = None


@dataclass
class Watcher:
    """The state of ``verify --watch`` (see the module's docstring).

    ``load`` returns the specs of the watched paths (it raises what the caller wants to show for
    a spec with errors; the round then runs nothing). ``handle`` receives the events of each
    round's run (the reporters).
    """

    paths: list[str]
    options: RunOptions
    execution: Any
    load: Callable[[list[str]], list[Any]]
    keys: dict[str, str] = field(default_factory=dict)
    results: dict[str, ClaimResult] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.pool: WarmPool | None = None
        if self.execution.jobs > 1 and self.execution.executor == "local":
            self.pool = WarmPool(self.execution.jobs)
            self.execution = dataclasses.replace(self.execution, pool=self.pool)
        self._software: dict[str, dict[str, str]] = {}
        from explainspec.runner.cache import source_digest

        self._own = source_digest(fresh=True)
        self._stamps: tuple[Any, ...] = ()
        self._code_files: set[str] = set()

    # ---------------------------------------------------------------- rounds

    def round(self, handle: Callable[[Any], None]) -> Round:
        """Verify the claims whose key changed since they were last verified."""
        from explainspec.runner.plan import plan
        from explainspec.runner.run import drive, run

        self._stamps = self._look()  # before loading: a change made while we run is seen later
        specs = self.load(self.paths)
        planned = plan(specs, dataclasses.replace(self.options))
        plans = [p for _, ps in planned for p in ps]
        keys, software = self._keys(plans)
        reason = self._code_changed(plans, software)
        if reason is not None:
            return Round(restart=reason)
        self._software.update(software)
        self.order = [p.name for p in plans]
        for gone in set(self.results) - set(self.order):
            self.results.pop(gone, None)
            self.keys.pop(gone, None)
        todo = [p.name for p in plans if self.keys.get(p.name) != keys[p.name]]
        if not todo:
            return Round(unchanged=len(plans))
        # the same run as `verify --claim spec.claim ...`: only those claims, nothing else differs
        # (the claim filter is not in any key)
        options = dataclasses.replace(self.options, claims=tuple(todo))
        result = drive(run(specs, options, self.execution), handle)
        for r in result.claims:
            self.results[r.id] = r
            if r.verdict.value != "error":  # errors (a timeout, a crash) are tried again
                self.keys[r.id] = keys[r.id]
            else:
                self.keys.pop(r.id, None)
        return Round(
            ran=tuple(r.id for r in result.claims), result=result, unchanged=len(plans) - len(todo)
        )

    def _keys(self, plans: list[ClaimPlan]) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        """Every claim's key and, by method, what its code depends on (a fresh look at the files:
        nothing is remembered from the last round but file digests of unchanged files)."""
        from explainspec.runner.cache import claim_key, software
        from explainspec.runner.sources import Untrackable

        memo: dict[Any, Any] = {}
        keys: dict[str, str] = {}
        found: dict[str, dict[str, str]] = {}
        for p in plans:
            try:
                versions = software(p, memo)
            except (Untrackable, LookupError) as e:
                # the method's code cannot be known: the claim re-runs when its text changes
                versions = {"untracked": str(e)}
            found[p.method] = versions
            keys[p.name] = claim_key(p, versions)
        self._code_files = {
            k.removeprefix("file:") for v in found.values() for k in v if k.startswith("file:")
        }
        return keys, found

    def _code_changed(
        self, plans: list[ClaimPlan], software: dict[str, dict[str, str]]
    ) -> str | None:
        """Why the code this process (or its workers) runs is not the code on disk, or ``None``."""
        from explainspec.runner.cache import source_digest

        if source_digest(fresh=True) != self._own:
            return "explainspec's own source changed"
        for method, now in software.items():
            before = self._software.get(method)
            if before is None:
                continue
            # what both rounds depend on, changed; a module imported since the last round (by a
            # computed name) is new code, not changed code: its claims re-run, here
            changed = sorted(k for k in set(before) & set(now) if before[k] != now[k])
            if changed:
                shown = ", ".join(
                    c.removeprefix("file:").removeprefix("dist:") for c in changed[:3]
                )
                more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
                return f"the code of method {method!r} changed ({shown}{more})"
        return None

    # ---------------------------------------------------------------- waiting

    def _files(self) -> list[Path]:
        from explainspec.lang import discover
        from explainspec.runner.cache import source_files

        files = list(discover(self.paths))
        files += [Path(f) for f in sorted(self._code_files)]
        files += source_files()
        return files

    def _look(self) -> tuple[Any, ...]:
        return tuple(_stamp(p) for p in self._files())

    def changed(self) -> bool:
        """Whether a watched file changed since the last round began."""
        return self._look() != self._stamps

    def wait(self, stop: Callable[[], bool] = lambda: False, poll: float = POLL) -> bool:
        """Sleep until a watched file changes (``True``) or ``stop()`` is true (``False``)."""
        while not stop():
            if self.changed():
                return True
            time.sleep(poll)
        return False

    # ---------------------------------------------------------------- state

    def summary(self) -> dict[str, int]:
        """Verdict counts over every watched claim's latest result."""
        counts: dict[str, int] = {}
        for name in self.order:
            r = self.results.get(name)
            if r is not None:
                counts[r.verdict.value] = counts.get(r.verdict.value, 0) + 1
        return counts

    def failed(self) -> list[str]:
        """The watched claims whose latest result fails the run (refuted, unshown, error...)."""
        return [n for n in self.order if n in self.results and self.results[n].failed]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        st = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), st.st_mtime_ns, st.st_size)


def restart_command() -> list[str]:
    """The command line that started this process (for ``os.execv`` after a code change)."""
    import sys

    argv = list(getattr(sys, "orig_argv", None) or [sys.executable, *sys.argv])
    return [sys.executable, *argv[1:]]


def describe(watched: Iterable[str], counts: dict[str, int]) -> str:
    """One line: how many claims are watched and their latest verdicts."""
    n = sum(counts.values())
    parts = ", ".join(f"{c} {v}" for v, c in sorted(counts.items())) or "none verified yet"
    return f"watching {n} claims in {', '.join(watched)}: {parts}"


def environment_restarted() -> str | None:
    """Why the watch was restarted (set by the ``verify`` command before ``os.execv``)."""
    return os.environ.get("EXPLAINSPEC_WATCH_RESTARTED") or None
