"""The public types of the check interpreter: errors, environments, the mode and the outcome.

Kept apart from the evaluation itself (:mod:`explainspec.expr.interpreter`) so the comparison
rules (:mod:`explainspec.expr.margins`) and the run-time guards (:mod:`explainspec.expr.guards`)
can use them without an import circle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol, runtime_checkable

from explainspec.expr.render import format_value
from explainspec.lang import ir

__all__ = [
    "METHOD_NAMES",
    "Env",
    "EvalError",
    "IntegerRangeError",
    "LimitError",
    "Mode",
    "Outcome",
    "SimpleEnv",
    "TraceItem",
]

#: The names whose values come from the method under test (unless an env declares its own
#: ``method_names``): a comparison that reads one of them, directly or through anything computed
#: from them, is where the method's noise is, so only there does :class:`Mode` give leniency.
METHOD_NAMES: Final = frozenset({"phi", "explain"})


class EvalError(Exception):
    """A check could not be evaluated: unknown name, wrong type, bad index, ...

    ``span`` is the location of the offending node (``None`` for hand-built IR); ``code`` the
    stable run code the runner reports (``ES304`` here, see the subclasses). ``refusal`` is true
    for the errors that refuse a check's *cost* (a size or an integer over its limit): a guard
    (``i < d - 1 implies ...``) excuses an error of evaluating where the check does not apply,
    never a refusal.

    >>> str(EvalError("unknown name 'phy'", None))
    "unknown name 'phy'"
    >>> EvalError("x").code, LimitError("y").code, IntegerRangeError("z").refusal
    ('ES304', 'ES314', True)
    """

    code: str = "ES304"
    refusal: bool = False

    def __init__(self, message: str, span: ir.Span | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span

    def __str__(self) -> str:
        return f"{self.span}: {self.message}" if self.span is not None else self.message

    def at(self, message: str, span: ir.Span | None) -> EvalError:
        """The same kind of error with a new message and span (to name the call it came from)."""
        return type(self)(message, span)


class IntegerRangeError(EvalError):
    """An integer result beyond ``limit("integer_bits")``, or an integer *array* leaving the
    64-bit range: refused (``ES313``), never wrapped around or rounded."""

    code = "ES313"
    refusal = True


class LimitError(EvalError):
    """A size chosen by the check over its limit in :mod:`explainspec.catalog.limits` (a
    ``range``, an array, the bindings of nested quantifiers): refused before allocating
    (``ES314``)."""

    code = "ES314"
    refusal = True


@runtime_checkable
class Env(Protocol):
    """Where names come from: the runner's world, or a :class:`SimpleEnv`.

    ``lookup(name)`` raises ``KeyError`` for names the env does not define (the interpreter then
    tries the oracle and builtin registries). ``replicate(r)`` is the same world with the method
    run under the ``r``-th independent seed (``0 <= r < replicates``), used by ``within mc(z)``.

    Optionally an env has a ``memo`` dict, shared by every evaluation on the same world: the
    interpreter then builds a combination of functions (``2 * f + g``) once per world and returns
    that same object every time, so a runner that caches method calls by function sees one
    function, not a new one per point or replicate.

    Optionally an env has ``replicated``, the frozenset of the names whose values differ between
    its replicates (the runner's world: ``phi``, ``explain`` and ``seed``). A side of a ``within
    mc(z)`` comparison that names none of them (the oracle side, typically) is then evaluated
    once, not once per replicate: its value is the same in every replicate. Without it every
    name may differ, and both sides are evaluated in every replicate.

    Optionally an env has ``method_names``, the frozenset of the names whose values come from the
    method under test (default :data:`METHOD_NAMES`: ``phi`` and ``explain``); leniency applies
    only to comparisons that read them (see :class:`Mode`).
    """

    @property
    def replicates(self) -> int: ...

    def lookup(self, name: str) -> Any: ...

    def replicate(self, r: int) -> Env: ...


class SimpleEnv:
    """An :class:`Env` over a mapping, for tests and simple use.

    ``replicate_fn(r)`` returns the ``r``-th replicate as an ``Env`` or as a mapping of the names
    that change (laid over this env's mapping). ``method_names`` are the names that come from the
    method under test (default :data:`METHOD_NAMES`).

    >>> env = SimpleEnv({"phi": [1.0, 2.0]}, replicates=2,
    ...                 replicate_fn=lambda r: {"phi": [1.0 + r, 2.0]})
    >>> env.lookup("phi"), env.replicate(1).lookup("phi")
    ([1.0, 2.0], [2.0, 2.0])
    """

    def __init__(
        self,
        mapping: Mapping[str, Any] | None = None,
        *,
        replicates: int = 0,
        replicate_fn: Callable[[int], Env | Mapping[str, Any]] | None = None,
        method_names: frozenset[str] = METHOD_NAMES,
    ) -> None:
        self._values = dict(mapping or {})
        self._replicates = int(replicates)
        self._replicate_fn = replicate_fn
        self.method_names = frozenset(method_names)

    @property
    def replicates(self) -> int:
        return self._replicates

    def lookup(self, name: str) -> Any:
        return self._values[name]

    def replicate(self, r: int) -> Env:
        if self._replicate_fn is None or not 0 <= r < self._replicates:
            raise LookupError(f"replicate {r} of an env with {self._replicates} replicates")
        rep = self._replicate_fn(r)
        if isinstance(rep, Mapping):
            return SimpleEnv({**self._values, **rep}, method_names=self.method_names)
        return rep

    def __repr__(self) -> str:
        return f"SimpleEnv({sorted(self._values)}, replicates={self._replicates})"


@dataclass(frozen=True, slots=True)
class Mode:
    """How lenient a check is.

    The runner evaluates ``answers``/``holds`` claims with the default and ``does_not_answer``
    claims with ``tolerance_scale = 1 + refute_factor`` and ``slack = refute_floor``, so a
    misreading is shown only when it is violated clearly, never by the method's noise.

    Leniency applies only where that noise is: to comparisons that *read the method* (an operand
    names ``phi`` or ``explain``, or a quantifier variable whose domain does; see
    :data:`METHOD_NAMES`). Comparisons of exact quantities (the world, oracles, literals) are
    evaluated as written in every mode.

    Leniency always favours the whole check. A method-reading comparison in *positive* position
    (not under ``not``, not in the premise of ``implies``) gets its tolerance multiplied by
    ``tolerance_scale`` and ``slack`` added to its margin. In *negative* position (where its
    margin is negated) the tolerance is divided by ``tolerance_scale`` and, for comparisons
    without tolerance (``<``, ``sign(a) == sign(b)``, exact ``==``), ``slack`` is subtracted; an
    equality with a tolerance gets no slack there, since ``T / s`` already asks for a clear match.
    ``!=`` is ``not ==``.

    >>> Mode(tolerance_scale=11, slack=1e-6)
    Mode(tolerance_scale=11, slack=1e-06)
    """

    tolerance_scale: float = 1.0
    slack: float = 0.0

    def __post_init__(self) -> None:
        if not self.tolerance_scale > 0:
            raise ValueError(f"tolerance_scale={self.tolerance_scale!r} must be positive")
        if not self.slack >= 0:
            raise ValueError(f"slack={self.slack!r} must be >= 0")


#: the plain semantics: what an exact comparison is evaluated with in every mode
PLAIN: Final = Mode()


@dataclass(frozen=True, slots=True)
class TraceItem:
    """One line of a trace: the source text of a quantity and its exact value.

    ``role`` is ``"binding"`` (a quantifier variable), ``"operand"`` (a compared quantity),
    ``"index"`` (the worst element of an array comparison), ``"element"`` (the operands'
    values at that element), ``"stat"``
    (replicate statistics of ``within mc``), ``"margin"`` (the comparison and its margin) or
    ``"note"`` (a sentence; a ``"decided by ..."`` note names the deciding comparison when the
    trace shows several, with its margin as ``value``). ``str()`` rounds for display; ``value``
    stays exact.

    >>> str(TraceItem("sum(phi)", 0.73100000001))
    'sum(phi) = 0.731'
    >>> str(TraceItem("phi[i] == 0 within 1e-06", -0.25, "margin"))
    'margin of phi[i] == 0 within 1e-06: -0.25'
    """

    text: str
    value: Any
    role: str = "operand"

    def __str__(self) -> str:
        if self.role == "margin":
            return f"margin of {self.text}: {format_value(self.value)}"
        if self.role == "note":
            return self.text
        if self.role == "index":
            return f"{self.text}: [{', '.join(str(i) for i in self.value)}]"
        return f"{self.text} = {format_value(self.value)}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a check: its margin and the trace of the comparison that decided it.

    ``margin`` is the margin of the *deciding comparison* (see the module docs of
    :mod:`explainspec.expr.interpreter`): for a violated ``premise implies conclusion`` the
    conclusion's violation, not how near the premise was to failing. ``decided_by`` is that
    comparison's source text. ``nan`` is true when a compared value was NaN (then ``margin`` is
    ``−inf``); a runner should treat it as an error of the method rather than as evidence for a
    misreading.

    >>> o = Outcome(-0.5, (TraceItem("i", 1, "binding"), TraceItem("phi[i]", 2.5)))
    >>> o.holds
    False
    >>> print(o.render())
    i = 1
    phi[i] = 2.5
    margin: -0.5
    """

    margin: float
    trace: tuple[TraceItem, ...] = ()
    nan: bool = False
    decided_by: str | None = None

    @property
    def holds(self) -> bool:
        """Whether the check holds (``margin >= 0``)."""
        return self.margin >= 0

    def render(self) -> str:
        """The trace as readable lines, values rounded, ending with the overall margin."""
        lines = [str(item) for item in self.trace]
        last = self.trace[-1] if self.trace else None
        if last is None or last.role != "margin" or last.value != self.margin:
            lines.append(f"margin: {format_value(self.margin)}")
        return "\n".join(lines)
