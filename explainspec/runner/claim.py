"""One claim as a hypothesis property over worlds, and its verdict.

The property asserts ``margin >= 0`` on every drawn world and steers the search toward the worst
case with ``hypothesis.target(-margin)``. For ``answers``/``holds`` a failure refutes the claim;
for ``does_not_answer`` (evaluated in refutation mode: tolerances times ``1 + refute_factor``,
strict comparisons with a floor) a failure *is* the demonstration. Hypothesis shrinks the failing
world and replays the minimal one last; the property records every failing call, so the last
record is the shrunk counterexample.

Exceptions are classified, never mistaken for a refutation: a method that raises (or a check that
cannot be evaluated) aborts the search at once with verdict ``error``; a method that cannot take a
world rejects that world (all rejected: ``not_applicable``); no valid world: ``invalid``.
"""

from __future__ import annotations

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

from explainspec.runner.env import (
    ClaimContext,
    PointOutcome,
    check_world,
    effective,
    world_phi,
)
from explainspec.runner.events import (
    PROGRESS_INTERVAL,
    ClaimResult,
    Counterexample,
    ExampleResult,
    ExampleTried,
    Quantity,
    RunDiagnostic,
    Timings,
    Verdict,
)
from explainspec.runner.plan import ClaimPlan
from explainspec.runner.settings import build_settings

_TARGET_BOUND = 1e12


class Abort(BaseException):
    """Stops the hypothesis search at once (hypothesis only catches ``Exception``)."""

    def __init__(self, verdict: Verdict, code: str, message: str, world: Any = None) -> None:
        super().__init__(message)
        self.verdict, self.code, self.message, self.world = verdict, code, message, world


class _CheckFailed(Exception):
    """Raised by the property when the check fails on a world (hypothesis then shrinks it)."""


@dataclass(slots=True)
class _State:
    tried: int = 0
    rejected: int = 0
    not_applicable: str | None = None
    worst: float | None = None
    failure: tuple[Any, PointOutcome] | None = None
    failures: int = 0


@dataclass(kw_only=True)
class ClaimRun:
    """Runs one planned claim. ``emit`` receives progress events; ``beat`` is told when method
    calls start and end; setting ``stop`` aborts the search at the next world (Ctrl-C)."""

    plan: ClaimPlan
    emit: Callable[[Any], None] = lambda event: None
    beat: Callable[[str], None] | None = None
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._ctx: ClaimContext | None = None
        self._mode: Any = None
        self._last_progress = -math.inf
        self._worst_margin: float | None = None

    def _progress(self, n: int, margin: float, source: str = "search") -> None:
        """Note a checked world; tell ``emit`` for the first and then every PROGRESS_INTERVAL."""
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

    # ------------------------------------------------------------------ public

    def run(self) -> ClaimResult:
        started = time.perf_counter()
        plan = self.plan
        explicit: tuple[ExampleResult, ...] = ()
        try:
            self._setup()
            explicit, example_failure = self._run_examples()
            verdict, margin, counter, error, diags, tried = self._search()
            if example_failure is not None and not plan.refutes and verdict is Verdict.VERIFIED:
                # an explicit example world refutes an answers/holds claim even if the search missed it
                verdict, counter, margin = Verdict.REFUTED, example_failure, example_failure.margin
        except Abort as a:
            verdict, margin, counter, tried = a.verdict, None, None, 0
            error, diags = a.message, (RunDiagnostic(code=a.code, message=a.message),)
        total = time.perf_counter() - started
        sw = self._ctx.stopwatch if self._ctx else None
        method_t = sw.method if sw else 0.0
        oracle_t = sw.oracles if sw else 0.0
        return ClaimResult(
            **plan.identity(),
            verdict=verdict,
            margin=margin,
            examples=tried,
            counterexample=counter,
            explicit=explicit,
            timings=Timings(
                method=method_t, oracles=oracle_t, checker=max(0.0, total - method_t - oracle_t)
            ),
            error=error,
            diagnostics=diags,
        )

    # ------------------------------------------------------------------ setup

    def _setup(self) -> None:
        from explainspec.expr import Mode

        plan = self.plan
        try:
            entry = plan.entry()
        except LookupError as e:
            raise Abort(
                Verdict.ERROR, "ES301", f"cannot load method {plan.method!r}: {e}"
            ) from None
        self._ctx = ClaimContext(
            entry=entry, params=plan.params, replicates=plan.options.n_replicates, beat=self.beat
        )
        self._mode = Mode(tolerance_scale=plan.tolerance_scale, slack=plan.slack)

    def _strategy(self) -> Any:
        from explainspec import worlds

        try:
            return worlds.from_world(worlds.resolve(self.plan.world))
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
        from explainspec.worlds.base import GroundTruthUnavailable

        assert self._ctx is not None
        try:
            return check_world(
                world, self.plan.claim.check, self._ctx, mode=self._mode, refutes=self.plan.refutes
            )
        except NotApplicable:
            raise
        except MethodError as e:
            if isinstance(e.__cause__, NotApplicable):
                raise e.__cause__ from None
            raise Abort(
                Verdict.ERROR, "ES301", f"the method raised on a world: {e}", world
            ) from None
        except GroundTruthUnavailable as e:
            raise Abort(Verdict.ERROR, "ES305", f"ground truth unavailable: {e}", world) from None
        except EvalError as e:  # ES304, or a refused integer or size (ES313, ES314)
            raise Abort(
                Verdict.ERROR, e.code, f"the check could not be evaluated: {e}", world
            ) from None
        except (KeyboardInterrupt, Abort):
            raise
        except Exception as e:  # noqa: BLE001
            raise Abort(
                Verdict.ERROR,
                "ES309",
                f"unexpected {type(e).__name__} while checking a world: {e}",
                world,
            ) from None

    # ------------------------------------------------------------------ examples

    def _run_examples(self) -> tuple[tuple[ExampleResult, ...], Counterexample | None]:
        from explainspec import worlds
        from explainspec.lang.ir import WorldBlock
        from explainspec.methods.base import NotApplicable

        results = []
        failure: Counterexample | None = None
        for i, example in enumerate(self.plan.claim.examples):
            fields = {f.name: f for f in self.plan.world.fields}
            fields.update({f.name: f for f in example.world.fields})
            try:
                world = worlds.build_example(WorldBlock(fields=tuple(fields.values())))
                outcome = self._check(world)
            except NotApplicable as e:
                results.append(
                    ExampleResult(
                        name=example.name, margin=None, violated=False, error=f"not applicable: {e}"
                    )
                )
                continue
            except Abort:
                raise
            except Exception as e:  # noqa: BLE001 - an example that cannot be built is a spec error
                raise Abort(
                    Verdict.ERROR, "ES312", f"example {example.name!r} could not be built: {e}"
                ) from None
            violated = effective(outcome.margin, refutes=self.plan.refutes) < 0
            results.append(
                ExampleResult(name=example.name, margin=outcome.margin, violated=violated)
            )
            self._progress(i + 1, outcome.margin, source=f"example {example.name}")
            if violated and failure is None:
                failure = self._counterexample(world, outcome, source=f"example {example.name}")
        return tuple(results), failure

    # ------------------------------------------------------------------ search

    def _search(
        self,
    ) -> tuple[
        Verdict, float | None, Counterexample | None, str | None, tuple[RunDiagnostic, ...], int
    ]:
        from hypothesis import given, reject, seed, target
        from hypothesis.errors import FailedHealthCheck, Flaky, Unsatisfiable

        from explainspec.methods.base import NotApplicable

        plan = self.plan
        strategy = self._strategy()
        state = _State()
        refutes = plan.refutes

        def prop(world: Any) -> None:
            if self.stop.is_set():
                raise Abort(Verdict.ERROR, "ES310", "the run was interrupted")
            try:
                outcome = self._check(world)
            except NotApplicable as e:
                state.rejected += 1
                state.not_applicable = str(e)
                outcome = None
            if outcome is None:
                reject()
            state.tried += 1
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
        try:
            with _thread_random():
                test()
            ok = True
        except _CheckFailed:
            failed = True
        except (Unsatisfiable, FailedHealthCheck) as e:
            if state.tried == 0 and state.not_applicable is not None:
                msg = f"the method cannot take any of the claim's worlds ({state.not_applicable})"
                return (
                    Verdict.NOT_APPLICABLE,
                    None,
                    None,
                    msg,
                    (RunDiagnostic(code="ES307", message=msg),),
                    0,
                )
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

        if ok:
            verdict = Verdict.UNSHOWN if refutes else Verdict.VERIFIED
            return verdict, state.worst, None, None, (), state.tried
        assert failed and state.failure is not None
        counter = self._counterexample(*state.failure)
        verdict = Verdict.SHOWN if refutes else Verdict.REFUTED
        return verdict, counter.margin, counter, None, (), state.tried

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
        )


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
