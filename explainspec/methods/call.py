"""One clean, synchronous call of a registered method: defaults merged, output validated.

The runner calls every method through :func:`call_method`. Whatever goes wrong inside the
method (an exception, a wrong shape, NaN or inf) comes back as one :class:`MethodError` whose
message names the method, its parameters and the world — never a bare traceback. A function the
method cannot take is reported as :class:`~explainspec.methods.base.NotApplicable`.
Hangs and crashes of the interpreter (segfaults in compiled code) are the runner's business
(process isolation); ``timeout`` here is a best-effort alarm for the main thread only.
"""

from __future__ import annotations

import dataclasses
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

import numpy as np

from explainspec.methods.base import NotApplicable, Problem
from explainspec.registry import Entry


class MethodError(Exception):
    """A method failed or returned something that is not a valid output.

    Attributes
    ----------
    method : str
        The registered name.
    params : dict
        The parameters the method ran with (defaults merged).
    world : str
        A one-line description of the world (formula, sizes, seed).
    reason : str
        What went wrong, without the context above.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        params: Mapping[str, Any] | None = None,
        world: str = "",
        reason: str = "",
    ) -> None:
        super().__init__(message)
        self.method = method
        self.params = dict(params or {})
        self.world = world
        self.reason = reason or message


def merged_params(entry: Entry, params: Mapping[str, Any]) -> dict[str, Any]:
    """The entry's defaults with ``params`` merged over them.

    Raises
    ------
    MethodError
        For parameters the entry does not declare, or required ones that are missing.
    """
    declared = {p.name: p for p in entry.params}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise MethodError(
            f"{entry.name} has no parameter {', '.join(map(repr, unknown))}; its parameters: "
            f"{', '.join(declared) or 'none'}",
            method=entry.name,
            params=params,
        )
    merged = {name: p.default for name, p in declared.items()}
    merged.update(params)
    missing = [name for name, p in declared.items() if p.required and name not in params]
    if missing:
        raise MethodError(
            f"{entry.name} needs parameter(s) {', '.join(missing)}",
            method=entry.name,
            params=params,
        )
    return merged


def describe_world(problem: Problem) -> str:
    """A short description of the world for messages: formula, sizes and seed."""
    f = problem.f
    try:
        formula = f.formula()
    except Exception:
        formula = getattr(f, "__name__", type(f).__name__)
    if len(formula) > 120:
        formula = formula[:117] + "..."
    d = getattr(f, "d", np.shape(problem.points)[-1])
    return (
        f"f(x) = {formula} (d = {d}), {len(np.atleast_2d(problem.points))} point(s), "
        f"{len(np.atleast_2d(problem.background))} background row(s), seed = {problem.seed}"
    )


def expected_shape(entry: Entry, problem: Problem) -> tuple[int, ...]:
    """The output shape the entry's ``output``/``scope`` (and optional ``shape``) promise.

    ``extra["shape"] == "2**d"`` declares one value per coalition bitmask (n-Shapley values).
    """
    d_of_points: int = np.shape(problem.points)[-1]
    d = int(getattr(problem.f, "d", d_of_points))
    k = len(np.atleast_2d(problem.points))
    m = int(np.shape(problem.grid)[-1]) if np.ndim(problem.grid) == 2 else 0
    output = str(entry.extra.get("output", "attribution"))
    shape: tuple[int, ...] = {
        "attribution": (d,),
        "importance": (d,),
        "counterfactual": (d,),
        "curve": (d, m),
        "interaction": (d, d),
    }.get(output, (d,))
    if entry.extra.get("shape") == "2**d":
        shape = (2**d,)
    return (k, *shape) if entry.extra.get("scope", "local") == "local" else shape


def call_method(
    entry: Entry,
    problem: Problem,
    *,
    timeout: float | None = None,
    timer: Callable[[], AbstractContextManager[Any]] | None = None,
) -> np.ndarray:
    """Run ``entry``'s method on ``problem`` and return its validated output as floats.

    Parameters
    ----------
    entry : Entry
        A method entry of the registry (built-in or plugin).
    problem : Problem
        The world's data; ``problem.params`` are merged over the entry's defaults.
    timeout : float, optional
        Seconds before the call is abandoned with a :class:`MethodError` (main thread, POSIX
        only; elsewhere ignored — the runner isolates processes for hard limits).
    timer : callable, optional
        A context manager factory entered around the method's own call only (the adapter and
        the library it calls), not around this function's checks of the parameters and of the
        output; the runner's stopwatch uses it to report the time inside the method.

    Returns
    -------
    numpy.ndarray
        Of shape :func:`expected_shape`, all finite.

    Raises
    ------
    NotApplicable
        The world's function lacks a tag in ``entry.extra["requires"]`` or cannot be handed over.
    MethodError
        The method raised, or its output has the wrong shape, complex or non-finite values.
    """
    params = merged_params(entry, problem.params)
    # the method gets its own copies of the arrays: one that writes into its inputs (clips the
    # points in place, centres the background) must not change the world the ground truth is
    # computed on, nor the arrays the runner hands to the next call
    problem = dataclasses.replace(
        problem,
        params=params,
        points=_own(problem.points),
        background=_own(problem.background),
        data=_own(problem.data),
        y=_own(problem.y),
        grid=_own(problem.grid),
        baseline=_own(problem.baseline),
    )
    tags = frozenset(getattr(problem.f, "tags", frozenset({"callable"})))
    missing = [t for t in entry.extra.get("requires", ()) if t != "callable" and t not in tags]
    if missing:
        raise NotApplicable(
            f"{entry.name} needs a function tagged {', '.join(missing)}; "
            f"{describe_world(problem)} has tags {{{', '.join(sorted(tags))}}}"
        )

    def fail(reason: str) -> MethodError:
        shown = ", ".join(f"{k}={v!r}" for k, v in params.items()) or "no parameters"
        world = describe_world(problem)
        return MethodError(
            f"method {entry.name}({shown}) {reason} on the world {world}",
            method=entry.name,
            params=params,
            world=world,
            reason=reason,
        )

    try:
        fn = entry.load()
        with (
            _alarm(timeout) if timeout is not None else nullcontext(),
            timer() if timer is not None else nullcontext(),
        ):
            raw = fn(problem)
    except NotApplicable as exc:
        raise NotApplicable(f"{entry.name}: {exc}") from None
    except _Timeout:
        raise fail(f"did not finish within {timeout:g} s") from None
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise fail(
            f"raised {type(exc).__name__}: {first}" if first else f"raised {type(exc).__name__}"
        ) from None

    try:
        values = np.asarray(raw)
        # numpy casts complex to float with a warning, dropping the imaginary part
        if np.iscomplexobj(values) and np.any(values.imag != 0):
            raise fail("returned complex values with a nonzero imaginary part")
        # a copy: a method that hands back a buffer it reuses (or one of its inputs) cannot
        # change this output after the call
        out = np.array(values.real if np.iscomplexobj(values) else values, dtype=float)
    except (TypeError, ValueError):
        raise fail(f"returned {type(raw).__name__}, not an array of numbers") from None
    want = expected_shape(entry, problem)
    if out.shape != want:
        raise fail(
            f"returned shape {out.shape}, expected {want} "
            f"({entry.extra.get('scope', 'local')} {entry.extra.get('output', 'attribution')})"
        )
    bad = ~np.isfinite(out)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise fail(
            f"returned {int(bad.sum())} non-finite value(s), e.g. {out[where]} at index {where}"
        )
    return out


def _own(value: Any) -> Any:
    """A copy of a writable array (dtype kept); a read-only array (the world's data, a finite
    distribution's rows: the method cannot write into it) or anything else as it is."""
    if isinstance(value, np.ndarray) and value.flags.writeable:
        return np.array(value, copy=True)
    return value


class _Timeout(Exception):
    pass


@contextmanager
def _alarm(timeout: float | None) -> Iterator[None]:
    usable = (
        timeout is not None
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, float(timeout))  # type: ignore[arg-type]
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
