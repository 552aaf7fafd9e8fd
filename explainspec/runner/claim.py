"""One claim as a hypothesis property over worlds, and its verdict.

The property asserts ``margin >= 0`` on every drawn world and steers the search toward the worst
case with ``hypothesis.target(-margin)``. For ``answers``/``holds`` a failure refutes the claim;
for ``does_not_answer`` (evaluated in refutation mode: tolerances times ``1 + refute_factor``,
strict comparisons with a floor) a failure *is* the demonstration. Hypothesis shrinks the failing
world and replays the minimal one last; the property records every failing call, so the last
record is the shrunk counterexample.

Exceptions are classified, never mistaken for a refutation: a method that raises (or a check that
cannot be evaluated) aborts the search at once with verdict ``error``; a method that cannot take a
world rejects that world (all rejected: ``not_applicable``); no valid world: ``invalid``. A
probe step (``RunOptions.stop_rejected``) stops early, ``invalid`` (ES392), once nearly every
drawn world was rejected (see :data:`REJECTED_STOP_AFTER`).
"""

from __future__ import annotations

import contextlib
import gc
import math
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from explainspec.catalog.limits import LimitExceeded
from explainspec.runner.budget import (
    current_memory_limit,
    describe_exception,
    format_bytes,
    format_traceback,
    is_memory_error,
    over_budget_message,
    within_budget,
)
from explainspec.runner.env import (
    ClaimContext,
    OutsideAssumptions,
    PointOutcome,
    check_world,
    effective,
    world_phi,
)
from explainspec.runner.events import (
    INTERNAL_ERROR,
    PROGRESS_INTERVAL,
    ClaimResult,
    Counterexample,
    ExampleResult,
    ExampleTried,
    PointResult,
    Quantity,
    RunDiagnostic,
    Timings,
    Verdict,
)
from explainspec.runner.plan import ClaimPlan
from explainspec.runner.settings import build_settings
from explainspec.runner.world_data import serialize_world

_TARGET_BOUND = 1e12

REJECTED_STOP_AFTER = 20
"""With :attr:`~explainspec.runner.plan.RunOptions.stop_rejected` (the probe's steps): a search
stops (``invalid``, ES392) once at least this many drawn worlds were rejected ..."""

REJECTED_PER_VALID = 4
"""... and fewer than one valid world was drawn per this many rejected ones (under 20% valid),
before any failure was found. Hypothesis itself gives up after 50 rejected worlds drawn before
its 10th valid one; a step rejected at that rate would cost several verifications and end
``invalid`` anyway (``docs/concepts/probing.md``)."""


class Abort(BaseException):
    """Stops the hypothesis search at once (hypothesis only catches ``Exception``).

    ``traceback`` is the text of the exception behind it, kept for ``--debug``."""

    def __init__(
        self,
        verdict: Verdict,
        code: str,
        message: str,
        world: Any = None,
        *,
        traceback: str | None = None,
    ) -> None:
        super().__init__(message)
        self.verdict, self.code, self.message, self.world = verdict, code, message, world
        self.traceback = traceback


def _no_verdict(verdict: Verdict, code: str, msg: str, tried: int) -> Any:
    """What ``_search`` returns when the search itself could not decide the claim."""
    return verdict, None, None, msg, (RunDiagnostic(code=code, message=msg),), tried


def _skipped_note(state: _State) -> tuple[RunDiagnostic, ...]:
    """The diagnostics saying how many worlds were skipped for lack of ground truth at their
    point (ES305), and how many the method could not take (ES307; none when there were none).

    A method that declines part of the claim's worlds (NotApplicable at d >= 3, say) is verified
    on the rest only: the note keeps that visible beside the verdict."""
    notes = []
    if state.undefined:
        msg = (
            f"{state.undefined} drawn world(s) skipped: the check's ground truth does not exist "
            f"at their point, e.g. {state.undefined_reason}; the verdict rests on the "
            f"{state.tried} world(s) where it does"
        )
        notes.append(RunDiagnostic(code="ES305", message=msg))
    if state.rejected:
        msg = (
            f"{state.rejected} drawn world(s) skipped: the method cannot take them, e.g. "
            f"{state.not_applicable}; the verdict rests on the {state.tried} world(s) it took"
        )
        notes.append(RunDiagnostic(code="ES307", message=msg))
    return tuple(notes)


class _CheckFailed(Exception):
    """Raised by the property when the check fails on a world (hypothesis then shrinks it)."""


@dataclass(slots=True)
class _State:
    tried: int = 0
    rejected: int = 0
    outside: int = 0  # worlds outside the claim's assumptions (``assume ... check``)
    outside_names: tuple[str, ...] = ()
    undefined: int = 0  # worlds at whose point the check's ground truth does not exist
    undefined_reason: str = ""
    not_applicable: str | None = None
    worst: float | None = None
    failure: tuple[Any, PointOutcome] | None = None
    failures: int = 0
    last: tuple[Any, PointOutcome] | None = None  # the last world checked (for fixed worlds)


@dataclass(kw_only=True)
class ClaimRun:
    """Runs one planned claim. ``emit`` receives progress events; ``beat`` is told when method
    calls start and end; setting ``stop`` aborts the search at the next world (Ctrl-C).

    :meth:`run` never raises for anything that happens inside the claim: a spent budget (ES340),
    running out of memory (ES341) and an unexpected exception of explainspec itself (ES309) are
    ``error`` results like a method crash. ``checked`` and ``phase`` say how far it got (read by
    the executor that has to stop a claim that does not stop by itself).
    """

    plan: ClaimPlan
    emit: Callable[[Any], None] = lambda event: None
    beat: Callable[[str], None] | None = None
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._ctx: ClaimContext | None = None
        self._mode: Any = None
        self._last_progress = -math.inf
        self._worst_margin: float | None = None
        self._traceback: str | None = None
        #: worlds checked so far (explicit examples and searched worlds)
        self.checked = 0
        #: what the claim is doing (for messages about a claim that was stopped)
        self.phase = "starting"
        self._points: tuple[PointResult, ...] = ()

    def _progress(self, n: int, margin: float, source: str = "search") -> None:
        """Note a checked world; tell ``emit`` for the first and then every PROGRESS_INTERVAL."""
        self.checked += 1
        if margin == margin and (self._worst_margin is None or margin < self._worst_margin):
            self._worst_margin = margin
        now = time.perf_counter()
        if now - self._last_progress < PROGRESS_INTERVAL:
            return
        self._last_progress = now
        self.emit(
            ExampleTried(
                spec=self.plan.spec.name,
                claim=self.plan.claim.name,
                n=n,
                margin=margin,
                source=source,
                worst=self._worst_margin,
            )
        )

    def _debug_traceback(self, exc: BaseException | None) -> str | None:
        """The traceback of ``exc`` when the run keeps tracebacks (``--debug``)."""
        return format_traceback(exc) if self.plan.options.debug else None

    # ------------------------------------------------------------------ public

    def run(self) -> ClaimResult:
        """The claim's result, within its wall-clock budget (see :mod:`explainspec.runner.budget`).

        Once the budget is spent the result is ES340, whatever the interrupted code did next:
        the exception may have landed inside hypothesis, whose own cleanup can then fail (an
        ``IndexError`` of its span stack) or report the search as flaky.
        """
        started = time.perf_counter()
        result, over = within_budget(self.plan.options.budget, lambda: self._run(started))
        if over or result is None:
            _forget_search_state()
            return self._stopped(started)
        return result

    def _run(self, started: float) -> ClaimResult:
        plan = self.plan
        explicit: tuple[ExampleResult, ...] = ()
        tried = 0
        try:
            self._setup()
            explicit, example_failure, example_worst = self._run_examples()
            if example_failure is not None:
                # an explicit example decides the claim like a searched world would: it refutes
                # an answers/holds claim, and demonstrates the misreading of a does_not_answer one
                verdict = Verdict.SHOWN if plan.refutes else Verdict.REFUTED
                margin: float | None = example_failure.margin
                counter: Counterexample | None = example_failure
                error: str | None = None
                diags: tuple[RunDiagnostic, ...] = ()
                tried = sum(1 for e in explicit if e.margin is not None)
            else:
                verdict, margin, counter, error, diags, tried = self._search()
                if example_worst is not None and verdict in (Verdict.VERIFIED, Verdict.UNSHOWN):
                    margin = example_worst if margin is None else min(margin, example_worst)
        except Abort as a:
            verdict, margin, counter, tried = a.verdict, None, None, 0
            error, diags = a.message, (RunDiagnostic(code=a.code, message=a.message),)
            self._traceback = self._traceback or a.traceback
        except LimitExceeded as e:  # a drawn world over a size limit
            verdict, margin, counter, tried = Verdict.INVALID, None, None, self.checked
            error = _too_large(e)
            diags = (RunDiagnostic(code="ES342", message=error),)
        except MemoryError as e:
            verdict, margin, counter, tried = Verdict.ERROR, None, None, self.checked
            error = self._out_of_memory(e)
            diags = (RunDiagnostic(code="ES341", message=error),)
            self._traceback = self._debug_traceback(e)
        except Exception as e:  # noqa: BLE001 - a bug of explainspec: an error result, exit 3
            verdict, margin, counter, tried = Verdict.ERROR, None, None, self.checked
            error = self._internal(e)
            diags = (RunDiagnostic(code=INTERNAL_ERROR, message=error),)
            self._traceback = self._debug_traceback(e)
        return ClaimResult(
            **plan.identity(),
            verdict=verdict,
            margin=margin,
            examples=tried,
            counterexample=counter,
            explicit=explicit,
            timings=self._timings(started),
            error=error,
            diagnostics=diags,
            points=self._points,
            traceback=self._traceback,
        )

    def _timings(self, started: float) -> Timings:
        total = time.perf_counter() - started
        sw = self._ctx.stopwatch if self._ctx else None
        method_t = sw.method if sw else 0.0
        oracle_t = sw.oracles if sw else 0.0
        return Timings(
            method=method_t, oracles=oracle_t, checker=max(0.0, total - method_t - oracle_t)
        )

    def _stopped(self, started: float) -> ClaimResult:
        """The result of a claim stopped by its budget (ES340)."""
        budget = self.plan.options.budget
        message = over_budget_message(budget or 0.0, checked=self.checked, phase=self.phase)
        return ClaimResult(
            **self.plan.identity(),
            verdict=Verdict.ERROR,
            examples=self.checked,
            timings=self._timings(started),
            error=message,
            diagnostics=(RunDiagnostic(code="ES340", message=message),),
        )

    def _out_of_memory(self, e: BaseException) -> str:
        limit = current_memory_limit()
        cap = f"--memory-limit {format_bytes(limit)}" if limit else "no --memory-limit was set"
        return (
            f"the claim ran out of memory while {self.phase} after checking {self.checked} "
            f"world(s) ({describe_exception(e)}; {cap})"
        )

    def _internal(self, e: BaseException) -> str:
        hint = "" if self.plan.options.debug else "; --debug shows the traceback"
        return (
            f"internal error of explainspec while {self.phase}: {describe_exception(e)} "
            f"(a bug, please report it{hint})"
        )

    # ------------------------------------------------------------------ setup

    def _setup(self) -> None:
        from explainspec.expr import Mode

        plan = self.plan
        self.phase = "loading the method"
        try:
            entry = plan.entry()
        except LookupError as e:
            raise Abort(
                Verdict.ERROR, "ES301", f"cannot load method {plan.method!r}: {e}"
            ) from None
        missing = missing_library(entry)
        if missing is not None:
            raise Abort(Verdict.SKIPPED, "ES350", missing)
        self._ctx = ClaimContext(
            entry=entry, params=plan.params, replicates=plan.options.n_replicates, beat=self.beat
        )
        self._mode = Mode(tolerance_scale=plan.tolerance_scale, slack=plan.slack)

    def _strategy(self) -> Any:
        from explainspec import worlds
        from explainspec.runner.settings import get_profile

        size = get_profile(self.plan.options.profile).size
        try:
            spec = worlds.sized(
                worlds.resolve(self.plan.world), size.features, size.rows, size.background
            )
            return worlds.from_world(spec)
        except Exception as e:  # noqa: BLE001 - any failure to build the strategy means no worlds
            raise Abort(
                Verdict.INVALID, "ES306", f"cannot generate worlds for this claim: {e}"
            ) from None

    # ------------------------------------------------------------------ one world

    def _check(self, world: Any) -> PointOutcome:
        """Check one world; classify every exception (``NotApplicable`` propagates)."""
        from explainspec.expr import EvalError
        from explainspec.methods.base import NotApplicable
        from explainspec.methods.call import MethodError
        from explainspec.worlds.base import GroundTruthUnavailable, UndefinedAtPoint

        assert self._ctx is not None
        try:
            return check_world(
                world,
                self.plan.check,
                self._ctx,
                mode=self._mode,
                refutes=self.plan.refutes,
                conditions=self.plan.conditions,
            )
        except (NotApplicable, OutsideAssumptions, UndefinedAtPoint):
            raise
        except MethodError as e:
            if isinstance(e.__cause__, NotApplicable):
                raise e.__cause__ from None
            if is_memory_error(e.__context__):
                raise Abort(
                    Verdict.ERROR,
                    "ES341",
                    self._out_of_memory(e.__context__ or e),
                    world,
                    traceback=self._debug_traceback(e.__context__),
                ) from None
            raise Abort(
                Verdict.ERROR,
                "ES301",
                f"the method raised on a world: {e}",
                world,
                traceback=self._debug_traceback(e.__context__ or e),
            ) from None
        except GroundTruthUnavailable as e:
            raise Abort(Verdict.ERROR, "ES305", f"ground truth unavailable: {e}", world) from None
        except EvalError as e:  # ES304, or a refused integer or size (ES313, ES314)
            raise Abort(
                Verdict.ERROR, e.code, f"the check could not be evaluated: {e}", world
            ) from None
        except (KeyboardInterrupt, Abort):
            raise
        except LimitExceeded as e:
            raise Abort(Verdict.INVALID, "ES342", _too_large(e), world) from None
        except MemoryError as e:
            raise Abort(
                Verdict.ERROR,
                "ES341",
                self._out_of_memory(e),
                world,
                traceback=self._debug_traceback(e),
            ) from None
        except Exception as e:  # noqa: BLE001 - a bug of explainspec (the interpreter, an oracle)
            raise Abort(
                Verdict.ERROR,
                INTERNAL_ERROR,
                self._internal(e),
                world,
                traceback=self._debug_traceback(e),
            ) from None

    # ------------------------------------------------------------------ examples

    def _run_examples(
        self,
    ) -> tuple[tuple[ExampleResult, ...], Counterexample | None, float | None]:
        """Check the claim's explicit ``example`` worlds, before any search.

        Returns their results, the counterexample of the first one that violates the check
        (which decides the claim: it refutes an answers/holds claim and shows the misreading of a
        does_not_answer one), and the worst effective margin of the others.
        """
        from explainspec import worlds
        from explainspec.lang.ir import WorldBlock
        from explainspec.methods.base import NotApplicable
        from explainspec.worlds.base import UndefinedAtPoint

        results = []
        failure: Counterexample | None = None
        worst: float | None = None
        for i, example in enumerate(self.plan.claim.examples):
            fields = {f.name: f for f in self.plan.world.fields}
            fields.update({f.name: f for f in example.world.fields})
            try:
                self.phase = f"building the example {example.name!r}"
                world = worlds.build_example(WorldBlock(fields=tuple(fields.values())))
                self.phase = f"checking the example {example.name!r}"
                outcome = self._check(world)
            except (NotApplicable, OutsideAssumptions, UndefinedAtPoint) as e:
                # not one of the claim's worlds, or no ground truth there: decides nothing
                if isinstance(e, NotApplicable):
                    why = f"not applicable: {e}"
                elif isinstance(e, OutsideAssumptions):
                    why = f"outside the assumption(s) {e}: not one of the claim's worlds"
                else:
                    why = f"no ground truth at the example's point (ES305): {e}"
                results.append(
                    ExampleResult(name=example.name, margin=None, violated=False, error=why)
                )
                continue
            except (Abort, MemoryError):
                raise
            except Exception as e:  # noqa: BLE001 - an example that cannot be built is a spec error
                raise Abort(
                    Verdict.ERROR, "ES312", f"example {example.name!r} could not be built: {e}"
                ) from None
            m = effective(outcome.margin, refutes=self.plan.refutes)
            violated = m < 0
            results.append(
                ExampleResult(name=example.name, margin=outcome.margin, violated=violated)
            )
            self._progress(i + 1, outcome.margin, source=f"example {example.name}")
            if violated:
                self.phase = f"describing the example {example.name!r}"
                failure = self._counterexample(world, outcome, source=f"example {example.name}")
                break
            worst = m if worst is None else min(worst, m)
        return tuple(results), failure, worst

    # ------------------------------------------------------------------ search

    def _search(
        self,
    ) -> tuple[
        Verdict, float | None, Counterexample | None, str | None, tuple[RunDiagnostic, ...], int
    ]:
        from hypothesis import given, reject, seed, target
        from hypothesis.errors import FailedHealthCheck, Flaky, Unsatisfiable

        from explainspec.methods.base import NotApplicable
        from explainspec.worlds.base import UndefinedAtPoint

        plan = self.plan
        self.phase = "preparing the search"
        strategy = self._strategy()
        state = _State()
        refutes = plan.refutes

        def prop(world: Any) -> None:
            if self.stop.is_set():
                raise Abort(Verdict.ERROR, "ES310", "the run was interrupted")
            self.phase = "checking a world"
            try:
                outcome = self._check(world)
            except NotApplicable as e:
                state.rejected += 1
                state.not_applicable = str(e)
                outcome = None
            except OutsideAssumptions as e:
                state.outside += 1
                state.outside_names = tuple(dict.fromkeys((*state.outside_names, *e.names)))
                outcome = None
            except UndefinedAtPoint as e:  # no ground truth at this point: not evidence
                state.undefined += 1
                state.undefined_reason = state.undefined_reason or str(e)
                outcome = None
            self.phase = "generating worlds"  # (left as it is when the check raised)
            if outcome is None:
                if plan.options.stop_rejected and state.failure is None:
                    _stop_if_rejected(state)
                reject()
            state.tried += 1
            state.last = (world, outcome)
            m = effective(outcome.margin, refutes=refutes)
            state.worst = m if state.worst is None else min(state.worst, m)
            if not math.isnan(outcome.margin):
                target(max(-_TARGET_BOUND, min(_TARGET_BOUND, -outcome.margin)), label="-margin")
            self._progress(state.tried, outcome.margin)
            if m < 0:
                state.failures += 1
                state.failure = (world, outcome)
                raise _CheckFailed(f"margin {outcome.margin}")

        test = build_settings(plan.options.profile, max_examples=plan.options.max_examples)(
            seed(plan.claim_seed)(given(strategy)(prop))
        )
        failed = ok = None
        self.phase = "generating worlds"
        try:
            with _thread_random():
                test()
            ok = True
        except _CheckFailed:
            failed = True
        except (Unsatisfiable, FailedHealthCheck) as e:
            if state.tried == 0 and state.not_applicable is not None:
                msg = f"the method cannot take any of the claim's worlds ({state.not_applicable})"
                return _no_verdict(Verdict.NOT_APPLICABLE, "ES307", msg, 0)
            if state.undefined and state.tried == 0:
                msg = (
                    f"the check's ground truth does not exist at any of the {state.undefined} "
                    f"drawn world(s), e.g. {state.undefined_reason}"
                )
                return _no_verdict(Verdict.INVALID, "ES305", msg, 0)
            if state.outside:
                msg = (
                    f"too few of the drawn worlds satisfy the claim's assumption(s) "
                    f"{', '.join(state.outside_names)}: {state.outside} were outside them, "
                    f"{state.tried} inside"
                )
                return _no_verdict(Verdict.INVALID, "ES391", msg, state.tried)
            msg = f"worlds could not be generated: {_first_line(e)}"
            return (
                Verdict.INVALID,
                None,
                None,
                msg,
                (RunDiagnostic(code="ES306", message=msg),),
                state.tried,
            )
        except Flaky as e:
            msg = (
                "the check failed on a world but passed when that world was replayed; the method is "
                f"not a deterministic function of its seed ({_first_line(e)})"
            )
            counter = self._counterexample(*state.failure) if state.failure else None
            return (
                Verdict.ERROR,
                None,
                counter,
                msg,
                (RunDiagnostic(code="ES311", message=msg),),
                state.tried,
            )
        except Abort as a:
            counter = None
            self._traceback = self._traceback or a.traceback
            msg = a.message
            if a.world is not None:
                msg += "\n" + "\n".join(_describe_world(a.world))
            return (
                a.verdict,
                None,
                counter,
                msg,
                (RunDiagnostic(code=a.code, message=a.message),),
                state.tried,
            )

        if state.last is not None:
            self._points = _point_results(*state.last)
        skipped = _skipped_note(state)
        if ok:
            verdict = Verdict.UNSHOWN if refutes else Verdict.VERIFIED
            return verdict, state.worst, None, None, skipped, state.tried
        assert failed and state.failure is not None
        self.phase = "describing the counterexample"
        counter = self._counterexample(*state.failure)
        verdict = Verdict.SHOWN if refutes else Verdict.REFUTED
        return verdict, counter.margin, counter, None, skipped, state.tried

    # ------------------------------------------------------------------ counterexamples

    def _counterexample(
        self, world: Any, outcome: PointOutcome, *, source: str = "search"
    ) -> Counterexample:
        local = self._ctx.local if self._ctx else True
        pts = np.asarray(world.points, dtype=float)
        point = tuple(float(v) for v in pts[outcome.index]) if local and len(pts) else None
        baseline = np.asarray(world.baseline, dtype=float)
        return Counterexample(
            function=_formula(world.f, "f"),
            second=_formula(world.g, "g") if getattr(world, "g", None) is not None else None,
            distribution=_describe(world.P),
            d=int(world.f.d),
            point=point,
            baseline=tuple(float(v) for v in baseline.ravel()) if baseline.size else None,
            background_rows=int(len(np.asarray(world.background))),
            phi=plain(
                outcome.phi
                if outcome.phi is not None or self._ctx is None
                else world_phi(world, outcome.index, self._ctx)
            ),
            quantities=tuple(quantity(item) for item in outcome.trace),
            margin=float(outcome.margin),
            seed=self.plan.seed,
            world_seed=int(world.seed),
            reproduce=self.plan.reproduce(),
            source=source,
            info=_info(world),
            world=serialize_world(
                world,
                claim=self.plan.name,
                method=self.plan.method,
                params=self.plan.params,
                index=outcome.index if local else None,
            ),
        )


def _stop_if_rejected(state: _State) -> None:
    """Stop a search whose drawn worlds are nearly all rejected (see REJECTED_STOP_AFTER)."""
    rejected = state.rejected + state.outside + state.undefined
    if rejected < REJECTED_STOP_AFTER or state.tried * REJECTED_PER_VALID >= rejected:
        return
    if state.tried == 0 and state.undefined and state.not_applicable is None:
        # the search may yet end "ground truth exists nowhere" (ES305), a finding of its own:
        # hypothesis' rules decide it, as in verify
        return
    why = []
    if state.rejected:
        why.append(f"{state.rejected} the method cannot take ({state.not_applicable})")
    if state.outside:
        why.append(f"{state.outside} outside the assumption(s) {', '.join(state.outside_names)}")
    if state.undefined:
        why.append(
            f"{state.undefined} without ground truth at their point ({state.undefined_reason})"
        )
    msg = (
        f"nearly every drawn world is rejected: {rejected} rejected, {state.tried} valid; "
        f"stopped early ({'; '.join(why)})"
    )
    raise Abort(Verdict.INVALID, "ES392", msg)


def _forget_search_state() -> None:
    """Drop hypothesis' caches after a claim was stopped by its budget.

    They are per thread, and a worker process runs claim after claim in its main thread; an
    exception raised into the middle of an update may have left them inconsistent. They are
    caches: emptied, they are rebuilt. (Private names of hypothesis: skipped if they moved.)"""
    import importlib

    with contextlib.suppress(Exception):
        from hypothesis.strategies._internal.utils import clear_strategy_cache

        clear_strategy_cache()
    for module, name in (
        ("hypothesis.internal.conjecture.data", "POOLED_CONSTRAINTS_CACHE"),
        ("hypothesis.internal.conjecture.providers", "CONSTANTS_CACHE"),
    ):
        with contextlib.suppress(Exception):
            getattr(importlib.import_module(module), name).cache.clear()


def _point_results(world: Any, outcome: PointOutcome) -> tuple[PointResult, ...]:
    """The outcome at every point of a fixed world (``outcome.each``), labelled by row id."""
    if not outcome.each:
        return ()
    labels = tuple(getattr(world, "point_labels", ()) or ())
    pts = np.asarray(world.points, dtype=float)
    out = []
    for o in outcome.each:
        label = labels[o.index] if o.index < len(labels) else str(o.index)
        point = tuple(float(v) for v in pts[o.index]) if len(pts) else ()
        out.append(
            PointResult(
                index=o.index,
                label=label,
                point=point,
                margin=float(o.margin),
                quantities=tuple(quantity(item) for item in o.trace),
                phi=plain(o.phi),
            )
        )
    return tuple(out)


# Random instances registered with hypothesis and free for a thread to use (see _thread_random)
_FREE_RANDOMS: list[random.Random] = []
_RANDOMS_LOCK = threading.Lock()


@contextmanager
def _thread_random() -> Iterator[None]:
    """Give this thread a ``random.Random`` already registered with hypothesis.

    On its first test in a thread, hypothesis creates that thread's global ``Random`` and
    registers it (``register_random``), which runs ``gc.collect()`` and ``gc.get_referrers``:
    0.1-0.3 s with numpy, shap and sklearn loaded, more as the heap grows over a long run.
    Claims run in a new thread each (:class:`~explainspec.runner.execute.InProcess`), so that
    cost was paid per claim; here it is paid once per process, on a frozen heap. A pool
    of registered instances is reused instead (one per concurrently running claim). The
    instance only seeds the search when no seed is given; the runner always gives the claim
    seed, so the search and the verdicts are unchanged.
    """
    try:
        from hypothesis import core, register_random

        local = core.threadlocal
        current = local._hypothesis_global_random
    except Exception:  # noqa: BLE001 - another hypothesis version: keep its own behaviour
        yield
        return
    if current is not None:
        yield
        return
    with _RANDOMS_LOCK:
        r = _FREE_RANDOMS.pop() if _FREE_RANDOMS else None
    if r is None:
        # register_random runs gc.collect() and gc.get_referrers(r) only to check that r is
        # referenced; with the heap frozen both skip the long-lived objects (numpy, shap, ...).
        # r and its referrer are created after the freeze, so the check still sees them.
        # (a heap someone else froze is left as it is)
        freeze = gc.get_freeze_count() == 0
        if freeze:
            gc.freeze()
        try:
            r = random.Random()
            keep = [r]
            register_random(keep[0])
        finally:
            if freeze:
                gc.unfreeze()
    local._hypothesis_global_random = r
    try:
        yield
    finally:
        local._hypothesis_global_random = None
        with _RANDOMS_LOCK:
            _FREE_RANDOMS.append(r)


# World.info keys that the counterexample already spells out in its own fields
_SHOWN_ELSEWHERE = frozenset(
    {"d", "formula", "distribution", "seed", "baseline", "points", "function"}
)


def _info(world: Any) -> tuple[tuple[str, str], ...]:
    """The world's readable description, less what the counterexample shows anyway."""
    items = dict(getattr(world, "info", {}) or {})
    return tuple(
        (str(k), str(v))
        for k, v in items.items()
        if k not in _SHOWN_ELSEWHERE and v is not None and str(v) != "None"
    )


def _too_large(e: LimitExceeded) -> str:
    return f"too large for the documented limits (catalog/limits.py): {e}"


def missing_library(entry: Any) -> str | None:
    """``"skipped: install ..."`` when a module the method's entry ``needs`` is not installed
    (looked up without importing it), else ``None``."""
    import importlib.util
    import sys

    for name in entry.extra.get("needs", ()):
        if name in sys.modules:
            if sys.modules[name] is not None:
                continue
        elif importlib.util.find_spec(name) is not None:
            continue
        install = entry.extra.get("install") or name
        return f"skipped: install {install} ({entry.name} needs the module {name!r})"
    return None


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def _formula(fn: Any, name: str) -> str:
    try:
        text = str(fn.formula())
    except Exception:  # noqa: BLE001
        text = repr(fn)
    return text if text.lstrip().startswith(f"{name}(") else f"{name}(x) = {text}"


def _describe(P: Any) -> str:
    try:
        return str(P.describe())
    except Exception:  # noqa: BLE001
        return repr(P)


def _describe_world(world: Any) -> list[str]:
    lines = [f"  on the world {_formula(world.f, 'f')}", f"  P: {_describe(world.P)}"]
    pts = np.asarray(world.points)
    if pts.size:
        lines.append(f"  points: {plain(pts)}")
    lines.append(f"  method seed: {world.seed}")
    return lines


def plain(value: Any) -> Any:
    """A JSON-ready version of a check value (numpy arrays as nested lists, functions by formula).

    Examples
    --------
    >>> plain(np.array([1.0, 2.5])), plain(np.float64(3.0)), plain(np.bool_(True))
    ([1.0, 2.5], 3.0, True)
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return float(value)  # also np.float64, a float subclass
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "formula"):
        return _formula(value, "f")
    if hasattr(value, "describe"):
        return _describe(value)
    return repr(value)


def shown(value: Any) -> str:
    """A check value as printed in reports (6 significant digits).

    Examples
    --------
    >>> shown(np.array([0.5, -1/3])), shown(2.0), shown(True)
    ('[0.5, -0.333333]', '2', 'True')
    """
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        if value.ndim == 0:
            return shown(value.item())
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if hasattr(value, "formula"):
        return _formula(value, "f")
    if hasattr(value, "describe"):
        return _describe(value)
    return str(value)


def quantity(item: Any) -> Quantity:
    """A :class:`Quantity` from an expr ``TraceItem(text, value)``."""
    text = getattr(item, "text", None)
    value: Any = getattr(item, "value", None)  # any value an expression computes
    role = str(getattr(item, "role", "operand"))
    if text is None and isinstance(item, tuple) and len(item) == 2:
        text, value = item
    if role == "index":
        return Quantity(
            text=str(text),
            value=plain(value),
            shown="[" + ", ".join(str(i) for i in value) + "]",
            role=role,
        )
    return Quantity(text=str(text), value=plain(value), shown=shown(value), role=role)
