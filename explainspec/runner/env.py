"""The environment a check is evaluated in: one world, one point, one method seed.

:class:`WorldEnv` implements the ``Env`` protocol of :mod:`explainspec.expr` (``lookup``,
``replicates``, ``replicate``). Method calls are cached per world, keyed by (function, points,
background, baseline, parameters, seed): a local method is called once per world on all of its
points and the check is evaluated per point; ``replicate(r)`` reruns the method with an
independent seed derived from (method seed, r), for ``within mc(z)`` comparisons.

Time spent inside the method and inside oracle calls is measured here (:class:`Stopwatch`), so
reports can split a claim's time into method, oracles and checker.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from explainspec.lang.semantics import QUANTITIES
from explainspec.runner.settings import derive_seed


class Stopwatch:
    """Accumulates seconds spent in the method and in oracles.

    Nested sections count once, for the outermost kind (an oracle that calls ``f`` is oracle
    time; a method that calls ``f`` is method time).

    Examples
    --------
    >>> sw = Stopwatch()
    >>> with sw.section("method"):
    ...     with sw.section("oracles"):
    ...         pass
    >>> sw.oracles
    0.0
    """

    def __init__(self) -> None:
        self.method = 0.0
        self.oracles = 0.0
        self._depth = 0

    @contextmanager
    def section(self, kind: str) -> Iterator[None]:
        if self._depth:
            yield
            return
        self._depth += 1
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            self._depth -= 1
            setattr(self, kind, getattr(self, kind) + elapsed)


@dataclass(slots=True, kw_only=True)
class ClaimContext:
    """What every world of one claim shares: the method entry and parameters, the timers, the
    oracle wrappers, and a ``beat`` callback told when a method call starts and ends (the
    worker process uses it for the per-call timeout)."""

    entry: Any
    params: Mapping[str, Any]
    replicates: int
    stopwatch: Stopwatch = field(default_factory=Stopwatch)
    beat: Callable[[str], None] | None = None
    _oracles: dict[str, Callable[..., Any]] = field(default_factory=dict)

    @property
    def scope(self) -> str:
        return str(self.entry.extra.get("scope", "local"))

    @property
    def local(self) -> bool:
        return self.scope == "local"

    def method_timer(self) -> Any:
        """The stopwatch section around one method call (entered by ``call_method``)."""
        return self.stopwatch.section("method")

    def oracle(self, name: str) -> Callable[..., Any]:
        """The oracle ``name`` wrapped with the oracle timer (``KeyError`` if unknown)."""
        wrapped = self._oracles.get(name)
        if wrapped is None:
            from explainspec.registry import registry

            reg = registry("oracle")
            if name not in reg:
                raise KeyError(name)
            fn = reg.get(name).load()
            stopwatch = self.stopwatch

            def wrapped(*args: Any, **kwargs: Any) -> Any:
                with stopwatch.section("oracles"):
                    return fn(*args, **kwargs)

            wrapped.__name__ = name
            wrapped.__doc__ = fn.__doc__
            self._oracles[name] = wrapped
        return wrapped


def _array_key(a: Any) -> tuple[Any, ...]:
    arr = np.ascontiguousarray(np.asarray(a, dtype=float))
    return (arr.shape, hash(arr.tobytes()))


def _value_key(v: Any) -> Any:
    """A hashable key of an oracle argument: numbers and arrays by value, others by identity."""
    if isinstance(v, np.ndarray):
        return ("array", v.shape, v.dtype.str, hash(np.ascontiguousarray(v).tobytes()))
    if v is None or isinstance(v, bool | int | float | str | np.generic):
        return ("value", type(v).__name__, v)
    if isinstance(v, list | tuple):
        return ("seq", tuple(_value_key(x) for x in v))
    return ("object", id(v))


def _call_key(
    fn: Any,
    points: Any,
    background: Any,
    baseline: Any,
    params: Mapping[str, Any],
    seed: int,
) -> tuple[Any, ...]:
    """The cache key of a method call: the function's identity, the arrays by value."""
    return (
        id(fn),
        _array_key(points),
        _array_key(background),
        _array_key(baseline),
        _params_key(params),
        seed,
    )


def _params_key(params: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(sorted((k, repr(v)) for k, v in params.items()))


class MethodCalls:
    """The method calls of one world, cached."""

    def __init__(self, world: Any, ctx: ClaimContext) -> None:
        self.world = world
        self.ctx = ctx
        self._cache: dict[tuple[Any, ...], tuple[Any, np.ndarray]] = {}
        #: functions the check builds from the world's (``2 * f + g``), one object per world
        self.memo: dict[Any, Any] = {}
        self._oracles: dict[str, Callable[..., Any]] = {}
        self._oracle_results: dict[Any, tuple[Any, Any]] = {}
        shared = getattr(world, "shared", None)
        if shared is not None:
            # a fixed world (the user's model and rows, worlds/sources): every claim that reads it
            # gets the same method outputs and oracle values, computed once (both are
            # deterministic functions of the call key, which names the method)
            self._cache = shared.setdefault(("method", ctx.entry.name), {})
            self._oracle_results = shared.setdefault("oracles", {})

    def oracle(self, name: str) -> Callable[..., Any]:
        """The oracle ``name``, its results kept for this world.

        Oracles are exact, deterministic functions of their arguments; a check evaluates them
        once per point, and a ``within mc(z)`` comparison once per replicate as well (the oracle
        side does not depend on the method's seed), so without this the same ground truth was
        computed 20-50 times per point. Arguments are keyed by value (arrays by their bytes) or,
        for functions and other objects, by identity (the entry keeps them alive).
        """
        wrapped = self._oracles.get(name)
        if wrapped is None:
            fn = self.ctx.oracle(name)
            results = self._oracle_results

            def wrapped(*args: Any, **kwargs: Any) -> Any:
                try:
                    key = (
                        name,
                        tuple(_value_key(a) for a in args),
                        tuple(sorted((k, _value_key(v)) for k, v in kwargs.items())),
                    )
                except TypeError:  # an argument that cannot be keyed: no memo
                    return fn(*args, **kwargs)
                hit = results.get(key)
                if hit is None:
                    hit = results[key] = ((args, kwargs), fn(*args, **kwargs))
                return hit[1]

            wrapped.__name__ = name
            wrapped.__doc__ = fn.__doc__
            self._oracles[name] = wrapped
        return wrapped

    def run(
        self,
        fn: Any,
        points: np.ndarray,
        background: Any,
        baseline: Any,
        params: Mapping[str, Any],
        seed: int,
        *,
        fresh: bool = False,
    ) -> np.ndarray:
        """The method's output for these arguments, from the cache when it was computed before;
        ``fresh`` calls the method again (and caches nothing), for a check that compares two
        calls with the same seed (the cache would hand back the first call's output)."""
        if fresh:
            return self._call(fn, points, background, baseline, params, seed)
        key = _call_key(fn, points, background, baseline, params, seed)
        hit = self._cache.get(key)
        if hit is not None:
            return hit[1]
        out = self._call(fn, points, background, baseline, params, seed)
        self._cache[key] = (fn, out)  # keep fn alive so its id is not reused
        return out

    def cached(
        self,
        fn: Any,
        points: np.ndarray,
        background: Any,
        baseline: Any,
        params: Mapping[str, Any],
        seed: int,
    ) -> np.ndarray | None:
        """The output :meth:`run` already has for these arguments, or ``None`` (no call)."""
        hit = self._cache.get(_call_key(fn, points, background, baseline, params, seed))
        return None if hit is None else hit[1]

    def _call(
        self,
        fn: Any,
        points: np.ndarray,
        background: Any,
        baseline: Any,
        params: Mapping[str, Any],
        seed: int,
    ) -> np.ndarray:
        # call_method checks the method's requirements (NotApplicable) and validates the output's
        # shape and finiteness (MethodError)
        from explainspec.methods.base import Problem
        from explainspec.methods.call import call_method

        w = self.world
        problem = Problem(
            f=fn,
            points=np.asarray(points, dtype=float),
            background=np.asarray(background, dtype=float),
            data=w.data,
            y=w.y,
            grid=w.grid,
            baseline=np.asarray(baseline, dtype=float),
            seed=int(seed),
            params=dict(params),
        )
        beat = self.ctx.beat
        if beat is not None:
            beat("call")
        try:
            out = call_method(self.ctx.entry, problem, timer=self.ctx.method_timer)
        finally:
            if beat is not None:
                beat("done")
        return out


class WorldEnv:
    """The ``Env`` of one world, one point (``index``) and one method seed.

    Examples
    --------
    The quantities a check can name:

    >>> sorted(WorldEnv.QUANTITIES)[:5]
    ['P', 'background', 'baseline', 'd', 'data']
    """

    QUANTITIES = QUANTITIES  # one list, owned by the semantic checker

    #: the names whose values differ between replicates (see the interpreter's ``Env``): only the
    #: method's output depends on the method seed; the world, the point and the oracles do not
    replicated = frozenset({"phi", "explain", "seed"})

    def __init__(
        self,
        world: Any,
        index: int,
        ctx: ClaimContext,
        calls: MethodCalls,
        *,
        seed: int | None = None,
    ):
        self.world = world
        self.index = index
        self.ctx = ctx
        self.calls = calls
        self.seed = int(world.seed if seed is None else seed)

    # -- Env protocol ---------------------------------------------------------------------------

    @property
    def memo(self) -> dict[Any, Any]:
        """Per-world memo of functions built by the check (see the interpreter's Env notes)."""
        return self.calls.memo

    @property
    def replicates(self) -> int:
        return self.ctx.replicates

    def replicate(self, r: int) -> WorldEnv:
        """The same world and point; ``phi``/``explain`` from the r-th independent method seed.

        Replicate 0 is the world's own method seed, so ``phi`` is one of the replicates.
        """
        seed = int(self.world.seed) if r == 0 else _replicate_seed(int(self.world.seed), r)
        return WorldEnv(self.world, self.index, self.ctx, self.calls, seed=seed)

    def lookup(self, name: str) -> Any:
        w = self.world
        if name == "phi":
            return self.phi()
        if name == "x":
            return self.point
        if name == "f":
            return w.f
        if name == "g":
            if w.g is None:
                raise KeyError(name)
            return w.g
        if name == "target":
            return w.target if w.target is not None else w.f
        if name in ("data", "P", "background", "baseline", "grid", "y"):
            return getattr(w, name)
        if name == "d":
            return int(w.f.d)
        if name == "seed":
            return self.seed
        if name == "explain":
            return self.explain
        return self.calls.oracle(name)

    # -- quantities -----------------------------------------------------------------------------

    @property
    def point(self) -> np.ndarray:
        pts = np.asarray(self.world.points, dtype=float)
        if len(pts) == 0:
            raise KeyError("x")
        return pts[min(self.index, len(pts) - 1)]

    def phi(self) -> np.ndarray:
        """The method's output for this point (local) or this world (global)."""
        w = self.world
        out = self.calls.run(w.f, w.points, w.background, w.baseline, self.ctx.params, self.seed)
        return self._this_point(out)

    def cached_phi(self) -> np.ndarray | None:
        """``phi`` if the check already computed it (it used ``phi`` or ``explain(f)``), else
        ``None``, without calling the method."""
        w = self.world
        out = self.calls.cached(w.f, w.points, w.background, w.baseline, self.ctx.params, self.seed)
        return None if out is None else self._this_point(out)

    def _this_point(self, out: np.ndarray) -> np.ndarray:
        """This point's row of a local method's output on all the points (a global method's
        output is the world's)."""
        return out[self.index] if self.ctx.local else out

    def explain(
        self,
        fn: Any = None,
        *,
        at: Any = None,
        background: Any = None,
        baseline: Any = None,
        seed: Any = None,
        **params: Any,
    ) -> np.ndarray:
        """Rerun the method on a changed world; returns the same shape as ``phi``.

        Without ``at``, the method is run on all the world's points (as for ``phi``) and the
        current point's row is returned, so ``explain(f)`` is exactly ``phi``. The method seed
        is this env's unless ``seed = k`` asks for the k-th independent seed derived from it
        (``seed = 0`` is this env's own), for claims about stability across seeds. ``seed = 0``
        is a new call of the method with this env's seed, not the cached ``phi``: a claim of
        reproducibility (``explain(f, seed = 0) == phi``) can fail.
        """
        fresh = False
        if seed is not None:
            k = int(seed)
            if k != seed or k < 0:
                raise ValueError(f"explain(seed = {seed!r}): seed must be an integer >= 0")
            fresh = k == 0
            if k:
                return WorldEnv(
                    self.world,
                    self.index,
                    self.ctx,
                    self.calls,
                    seed=derive_seed(self.seed, "explain", k),
                ).explain(fn, at=at, background=background, baseline=baseline, **params)
        w = self.world
        fn = w.f if fn is None else fn
        bg = w.background if background is None else background
        bl = w.baseline if baseline is None else baseline
        merged = {**self.ctx.params, **params}
        if not self.ctx.local:
            return self.calls.run(fn, w.points, bg, bl, merged, self.seed, fresh=fresh)
        if at is None:
            return self.calls.run(fn, w.points, bg, bl, merged, self.seed, fresh=fresh)[self.index]
        at = np.asarray(at, dtype=float)
        if at.ndim == 1:
            return self.calls.run(fn, at[None, :], bg, bl, merged, self.seed, fresh=fresh)[0]
        return self.calls.run(fn, at, bg, bl, merged, self.seed, fresh=fresh)


@functools.lru_cache(maxsize=8192)
def _replicate_seed(seed: int, r: int) -> int:
    """The method seed of replicate ``r`` of a world whose own method seed is ``seed`` (the same
    for every point of the world and every evaluation of it while hypothesis shrinks)."""
    return derive_seed(seed, "replicate", r)


@dataclass(frozen=True, slots=True)
class PointOutcome:
    """The check on one point of a world: the margin that decides, and the expr trace.

    ``each`` holds the outcome at every point when the world is fixed (``world.fixed``: the
    user's rows, whose report shows the worst rows and the error over all points); else empty.
    """

    margin: float
    index: int
    trace: tuple[Any, ...]
    phi: Any
    each: tuple[PointOutcome, ...] = ()


def effective(margin: float, *, refutes: bool) -> float:
    """The margin used for the verdict: ``nan`` counts against ``answers``/``holds`` claims and
    never demonstrates a misreading."""
    if math.isnan(margin):
        return math.inf if refutes else -math.inf
    return margin


class OutsideAssumptions(Exception):
    """No point of the world satisfies the conditions of the claim's assumptions
    (``assume NAME "..." check EXPR``): the world is not one of the claim's worlds."""

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__(", ".join(names))
        self.names = names


def _outside(env: WorldEnv, conditions: tuple[tuple[str, Any], ...]) -> str | None:
    """The name of the first assumption whose condition fails at ``env``'s point, or ``None``.

    Conditions never read the method (ES390), so the plain mode is the only mode they have."""
    from explainspec.expr import evaluate

    for name, condition in conditions:
        outcome = evaluate(condition, env)
        if outcome.nan or not outcome.margin >= 0:
            return str(name)
    return None


def check_world(
    world: Any,
    claim_check: Any,
    ctx: ClaimContext,
    *,
    mode: Any,
    refutes: bool,
    conditions: tuple[tuple[str, Any], ...] = (),
) -> PointOutcome:
    """Evaluate the check on every point of ``world`` (once for a global method); the world's
    outcome is the point with the smallest (effective) margin.

    ``conditions`` (``(name, expr)`` of the claim's assumptions with a ``check``) are evaluated
    first at each point; the check is evaluated only where all of them hold, and a world with no
    such point raises :class:`OutsideAssumptions`. A point at which the check's ground truth
    does not exist (:class:`~explainspec.worlds.base.UndefinedAtPoint`, ``grad`` at a kink) is
    skipped the same way; a world with no point left raises that exception."""
    from explainspec.expr import evaluate
    from explainspec.worlds.base import UndefinedAtPoint

    calls = MethodCalls(world, ctx)
    n = len(world.points) if ctx.local else 1
    worst: PointOutcome | None = None
    keep = bool(getattr(world, "fixed", False))
    each: list[PointOutcome] = []
    outside: list[str] = []
    undefined: UndefinedAtPoint | None = None
    for k in range(max(n, 1)):
        env = WorldEnv(world, k, ctx, calls)
        if conditions:
            failed = _outside(env, conditions)
            if failed is not None:
                outside.append(failed)
                continue
        try:
            outcome = evaluate(claim_check, env, mode=mode)
        except UndefinedAtPoint as e:
            undefined = undefined or e
            continue
        # a NaN operand fails the check for answers/holds and never demonstrates a misreading
        margin = math.nan if outcome.nan else float(outcome.margin)
        if keep:
            each.append(
                PointOutcome(
                    margin=margin, index=k, trace=tuple(outcome.trace), phi=env.cached_phi()
                )
            )
        if worst is None or effective(margin, refutes=refutes) < effective(
            worst.margin, refutes=refutes
        ):
            # phi for the report only when the check computed it anyway (it is then cached);
            # otherwise a counterexample asks world_phi for it, instead of every world paying
            # a method call that only a report would read
            phi = env.cached_phi()
            worst = PointOutcome(margin=margin, index=k, trace=tuple(outcome.trace), phi=phi)
    if worst is None:
        if undefined is not None:
            raise undefined
        raise OutsideAssumptions(tuple(dict.fromkeys(outside)))
    return replace(worst, each=tuple(each)) if keep else worst


def world_phi(world: Any, index: int, ctx: ClaimContext) -> Any:
    """The method's output at point ``index`` of ``world`` (for a counterexample's report), or
    ``None`` when the method cannot give it."""
    try:
        return WorldEnv(world, index, ctx, MethodCalls(world, ctx)).phi()
    except Exception:  # noqa: BLE001 - the report then shows the check's own quantities only
        return None
