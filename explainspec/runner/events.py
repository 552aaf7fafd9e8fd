"""What a verification run produces: verdicts, results and the events the runner yields.

Everything here is a frozen dataclass of plain Python values (str, float, int, tuples), so results
pickle across the worker process, serialise to JSON without numpy, and reporters never see a
hypothesis object or a numpy array.

Run diagnostics (``ES3xx``), carried by :class:`ClaimResult` and listed in
``docs/reference/diagnostics.md``:

======  =======================================================================================
code    meaning
======  =======================================================================================
ES301   the method raised, or returned a wrong shape, complex or non-finite values (``error``)
ES302   a method call exceeded ``--timeout`` (verdict ``error``)
ES303   the worker process running the claim died (e.g. a segfault in the method; ``error``)
ES304   the check could not be evaluated on a world (type error, index out of range; ``error``)
ES305   the check asked for ground truth the world's function does not expose (``error``), or
        that does not exist at a drawn world's point (``grad`` at a kink: the world is skipped
        and counted; if no world is left, ``invalid``)
ES306   no valid world could be generated for the claim (verdict ``invalid``)
ES307   the method cannot take the claim's worlds (verdict ``not_applicable``); some: a note
ES309   an unexpected exception inside the checker (verdict ``error``; please report it)
ES310   the run was interrupted before the claim finished
ES311   the check failed on a world but passed when the same world was replayed: the method is
        not a deterministic function of its seed (verdict ``error``)
ES312   an explicit ``example`` world could not be built or checked (verdict ``error``)
ES313   the check computed an integer over ``limit("integer_bits")``, or an integer array left
        the 64-bit range: refused, never wrapped around (verdict ``error``)
ES314   the check asked for a size over a limit at run time (a range, an array, nested
        quantifiers' bindings): refused before allocating (verdict ``error``)
ES320   a plugin's method registration is invalid, or takes a registered name without
        ``replace=True`` (raised when the plugin is imported; ``verify`` exits with 2)
ES330   the method or a plugin cannot be loaded in a worker process: it cannot be pickled, or
        its module cannot be imported there (workers never import from the working directory;
        verdict ``error``)
ES340   the claim exceeded its wall-clock budget (the profile's, or ``--claim-timeout``) and was
        stopped (verdict ``error``; the message says how many worlds it checked)
ES341   the claim ran out of memory: an allocation beyond ``--memory-limit`` (verdict ``error``)
ES342   a world drawn for the claim is larger than a documented size limit (rows, cells, grid:
        ``catalog/limits.py``), found when it was drawn (verdict ``invalid``)
ES350   the method needs a library that is not installed (verdict ``skipped``: install the named
        extra, e.g. ``explainspec[torch]``)
ES380   ``world_from_report``: the report cannot be read, or has no such claim, or the claim has
        no counterexample world
ES381   ``world_from_report``: the counterexample's world was not stored in the report (its
        function is a fitted black-box model, which reports do not store)
ES382   ``world_from_report``: the stored world is malformed or over a size limit (a damaged or
        hostile report; nothing in it is evaluated)
ES383   the command needs the libraries of the ``verify`` extra (numpy, hypothesis, shap,
        scikit-learn, ...), which the core install (``pip install explainspec``) leaves out
        (exit 2; the message says what to install)
ES391   too few of the drawn worlds satisfy the claim's assumptions' conditions (``assume ...
        check``): the claim could not be checked inside them (verdict ``invalid``)
ES392   a step of ``explainspec probe`` stopped early: nearly every world it drew was rejected
        (the method cannot take them, they are outside the assumptions, or the ground truth
        does not exist at their point); verdict ``invalid``, the probe's finding inconclusive
======  =======================================================================================

ES309 is explainspec's own failure, not the claim's: ``verify`` exits 3 when a claim has it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

RUN_CODES: dict[str, str] = {
    "ES301": "the method raised, or returned a wrong shape, complex or non-finite values (verdict error)",
    "ES302": "a method call exceeded --timeout; the worker process was killed (verdict error)",
    "ES303": "the worker process running the claim died, e.g. a segfault in the method (verdict error)",
    "ES304": "the check could not be evaluated on a world: type error, index out of range (verdict error)",
    "ES305": (
        "the check asked for ground truth the world's function does not expose (verdict error), "
        "or that does not exist at a drawn world's point (that world skipped and counted; none "
        "left: invalid)"
    ),
    "ES306": "no valid world could be generated for the claim (verdict invalid)",
    "ES307": (
        "the method cannot take any of the claim's worlds (verdict not_applicable), or some of "
        "them (those worlds skipped and counted in a note beside the verdict)"
    ),
    "ES309": "an unexpected exception inside the checker (verdict error; please report it)",
    "ES310": "the run was interrupted before the claim finished",
    "ES311": "the check failed on a world but passed when that world was replayed: the method is not "
    "a deterministic function of its seed (verdict error)",
    "ES312": "an explicit example world could not be built or checked (verdict error)",
    "ES313": "the check computed an integer over the integer_bits limit, or an integer array left "
    "the 64-bit range: refused, never wrapped around (verdict error)",
    "ES314": "the check asked for a size over a limit at run time (a range, an array, the bindings "
    "of nested quantifiers): refused before allocating (verdict error)",
    "ES320": "a plugin's method registration is invalid (name, output, scope, requires, "
    "parameters) or takes a registered name without replace=True (exit 2)",
    "ES330": "the method or a plugin cannot be loaded in a worker process: it cannot be pickled, "
    "or its module cannot be imported there; workers never import from the working directory "
    "(verdict error)",
    "ES340": "the claim exceeded its wall-clock budget (the profile's, or --claim-timeout) and was "
    "stopped; the message says how many worlds it checked (verdict error)",
    "ES341": "the claim ran out of memory: an allocation beyond --memory-limit (verdict error)",
    "ES342": "a world drawn for the claim is larger than a documented size limit (rows, cells, "
    "grid), found when it was drawn (verdict invalid)",
    "ES350": "the method needs a library that is not installed (verdict skipped; the message "
    "names the extra to install, e.g. explainspec[torch])",
    "ES380": "world_from_report: the report cannot be read, has no such claim, or the claim has "
    "no counterexample world",
    "ES381": "world_from_report: the counterexample's world was not stored in the report (a "
    "fitted black-box model function is never stored)",
    "ES382": "world_from_report: the stored world is malformed or over a size limit (a damaged or "
    "hostile report; reports are read as data, nothing in them is evaluated)",
    "ES383": "the command needs the libraries of the verify extra (numpy, hypothesis, shap, "
    "scikit-learn, ...), which the core install leaves out: pip install explainspec[verify] "
    "(exit 2)",
    "ES391": "too few of the drawn worlds satisfy the claim's assumptions' conditions (assume ... "
    "check): the claim could not be checked inside them (verdict invalid)",
    "ES392": "a step of explainspec probe stopped early: nearly every world it drew was rejected "
    "(verdict invalid; the probe's finding is inconclusive)",
}
"""The run diagnostics (``ES3xx``) with their one-line meaning (listed in the docs)."""

INTERNAL_ERROR = "ES309"
"""The code of an internal error of explainspec (``verify`` exits 3, not 1)."""


class Verdict(StrEnum):
    """The outcome of one claim.

    ``verified``/``refuted`` for ``answers`` and ``holds`` claims, ``shown``/``unshown`` for
    ``does_not_answer`` claims; ``error``, ``invalid``, ``not_applicable`` and ``skipped`` (the
    method's library is not installed, ES350) for any kind.

    Examples
    --------
    >>> Verdict.VERIFIED.passed, Verdict.UNSHOWN.failed, Verdict.NOT_APPLICABLE.failed
    (True, True, True)
    >>> Verdict.SKIPPED.passed, Verdict.SKIPPED.failed
    (False, False)
    """

    VERIFIED = "verified"
    REFUTED = "refuted"
    SHOWN = "shown"
    UNSHOWN = "unshown"
    ERROR = "error"
    INVALID = "invalid"
    NOT_APPLICABLE = "not_applicable"
    SKIPPED = "skipped"

    @property
    def passed(self) -> bool:
        """The claim reached the verdict its kind asks for (verified or shown)."""
        return self in (Verdict.VERIFIED, Verdict.SHOWN)

    @property
    def failed(self) -> bool:
        """The claim makes the run fail (exit code 1): every verdict but verified and shown.

        ``not_applicable`` fails too: a claim whose method can take none of its worlds checks
        nothing, and a run passes only if every claim is verified or shown (LANGUAGE.md).
        ``skipped`` neither passes nor fails: the method's optional library is not installed,
        so the claim was not run (the message names the extra to install).
        """
        return not self.passed and self is not Verdict.SKIPPED


@dataclass(frozen=True, slots=True, kw_only=True)
class Quantity:
    """One value of the deciding comparison: the sub-expression as written, and its value.

    ``value`` is a plain Python value (float, int, bool, str or nested lists): JSON-ready.
    ``shown`` is the value as printed in reports.
    """

    text: str
    value: Any
    shown: str
    role: str = "operand"

    def __str__(self) -> str:
        if self.role == "margin":
            return f"margin of {self.text}: {self.shown}"
        if self.role == "note":
            return self.text
        return f"{self.text} = {self.shown}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Counterexample:
    """A world on which the check failed, spelled out so that a reader can redo it by hand.

    ``source`` is ``"search"`` for a shrunk world found by hypothesis and ``"example NAME"`` for an
    explicit example of the spec. ``world`` is the whole world as plain JSON data
    (:mod:`explainspec.runner.world_data`; ``explainspec.world_from_report`` rebuilds it), or
    ``{"format": 1, "unavailable": REASON}`` when it cannot be stored.
    """

    function: str
    distribution: str
    d: int
    point: tuple[float, ...] | None
    baseline: tuple[float, ...] | None
    background_rows: int
    phi: Any
    quantities: tuple[Quantity, ...]
    margin: float
    seed: int
    world_seed: int
    reproduce: str
    second: str | None = None
    source: str = "search"
    info: tuple[tuple[str, str], ...] = ()
    world: dict[str, Any] | None = None

    def lines(self, *, python: bool = True) -> list[str]:
        """The counterexample as readable lines (used by every reporter); ``python=False``
        leaves out the ``Reproduce in Python:`` snippet (for a world no result names, e.g. a
        probe's relaxed claim).

        Examples
        --------
        >>> c = Counterexample(function="f(x) = x0 * x1", distribution="grid(levels = 2)", d=2,
        ...     point=(1.0, -1.0), baseline=None, background_rows=4, phi=[-0.5, -0.5],
        ...     quantities=(Quantity(text="sum(phi)", value=-1.0, shown="-1"),),
        ...     margin=-0.5, seed=0, world_seed=7, reproduce="explainspec verify s.espec")
        >>> print("\\n".join(c.lines()))
        f(x) = x0 * x1
        P: grid(levels = 2)  (d = 2, background: 4 rows)
        x = (1, -1)
        phi = [-0.5, -0.5]
        sum(phi) = -1
        margin = -0.5
        seed = 0 (method seed 7)
        Reproduce with: explainspec verify s.espec
        """
        out = [self.function]
        if self.second:
            out.append(self.second)
        out.append(
            f"P: {self.distribution}  (d = {self.d}, background: {self.background_rows} rows)"
        )
        for key, value in self.info:
            out.append(f"{key}: {value}")
        if self.point is not None:
            out.append(f"x = {_tuple(self.point)}")
        if self.baseline is not None:
            out.append(f"baseline = {_tuple(self.baseline)}")
        if self.phi is not None and not any(q.text == "phi" for q in self.quantities):
            out.append(f"phi = {_nested(self.phi)}")
        out.extend(str(q) for q in self.quantities)
        if not any(q.role == "margin" for q in self.quantities):
            out.append(f"margin = {self.margin:.6g}")
        out.append(f"seed = {self.seed} (method seed {self.world_seed})")
        out.append(f"Reproduce with: {self.reproduce}")
        if python:
            out.extend(self.python_lines())
        return out

    def python_lines(self) -> list[str]:
        """The ``Reproduce in Python:`` snippet (empty when the world was not stored).

        Examples
        --------
        >>> c = Counterexample(function="f(x) = x0", distribution="grid", d=1, point=(1.0,),
        ...     baseline=None, background_rows=2, phi=[0.5], quantities=(), margin=-0.5, seed=0,
        ...     world_seed=7, reproduce="explainspec verify s.espec",
        ...     world={"format": 1, "claim": "s.c", "method": "shap.kernel", "point_index": 1})
        >>> print("\\n".join(c.python_lines()))
        Reproduce in Python (report: the RunResult, or the path of the JSON report):
            import explainspec
            world = explainspec.world_from_report(report, "s.c")
            phi = explainspec.explain(world)[1]  # shap.kernel at x, as in the run
        """
        w = self.world
        if not w:
            return []
        if "unavailable" in w:
            return [f"Reproduce in Python: not available ({w['unavailable']})"]
        claim = str(w.get("claim", ""))
        index = w.get("point_index")
        call = "explainspec.explain(world)" + ("" if index is None else f"[{int(index)}]")
        where = "at x" if index is not None else "on this world"
        return [
            "Reproduce in Python (report: the RunResult, or the path of the JSON report):",
            "    import explainspec",
            f"    world = explainspec.world_from_report(report, {json.dumps(claim)})",
            # the method's name ends a comment: one line, whatever a report says (a newline in
            # it would start a line of code in a snippet people paste)
            f"    phi = {call}  # {' '.join(str(w.get('method', 'the method')).split())} "
            f"{where}, as in the run",
        ]

    def _repr_html_(self) -> str:  # Jupyter: the table with the plot inline
        from explainspec.report.notebook import counterexample_html

        return counterexample_html(self)

    def _repr_markdown_(self) -> str:
        from explainspec.report.notebook import counterexample_markdown

        return counterexample_markdown(self)


def _nested(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_nested(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _tuple(values: tuple[float, ...]) -> str:
    return "(" + ", ".join(f"{v:.6g}" for v in values) + ")"


@dataclass(frozen=True, slots=True, kw_only=True)
class Timings:
    """Seconds spent on a claim: inside the method, inside the oracles, and the rest (checker:
    world generation, check evaluation, hypothesis bookkeeping)."""

    method: float = 0.0
    oracles: float = 0.0
    checker: float = 0.0

    @property
    def total(self) -> float:
        return self.method + self.oracles + self.checker


@dataclass(frozen=True, slots=True, kw_only=True)
class RunDiagnostic:
    """A run problem with its stable code (``ES3xx``)."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ExampleResult:
    """An explicit ``example`` world of a claim, run before the search."""

    name: str
    margin: float | None
    violated: bool
    error: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PointResult:
    """The check at one point of a fixed world (the user's rows, ``explainspec audit``).

    ``label`` is the row's id in the user's table; ``point`` its values; ``quantities`` the
    deciding comparison at this point, as in a counterexample; ``phi`` the method's output there
    when the check computed it.
    """

    index: int
    label: str
    point: tuple[float, ...]
    margin: float
    quantities: tuple[Quantity, ...] = ()
    phi: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimResult:
    """The verdict on one claim with its evidence.

    ``margin`` is the worst margin over every world tried, explicit examples included (for a
    failure: the margin of the reported counterexample). ``examples`` counts the valid worlds
    checked (the search's, or the explicit examples' when one of them decided the claim).
    ``line`` is the claim's line in ``source``. ``traceback`` is kept only in ``debug`` runs, for
    a method error or an internal error.
    """

    spec: str
    claim: str
    kind: str
    verdict: Verdict
    about: str | None = None
    statement: str = ""
    method: str = ""
    source: str | None = None
    margin: float | None = None
    examples: int = 0
    counterexample: Counterexample | None = None
    explicit: tuple[ExampleResult, ...] = ()
    timings: Timings = field(default_factory=Timings)
    seed: int = 0
    claim_seed: int = 0
    profile: str = "standard"
    error: str | None = None
    diagnostics: tuple[RunDiagnostic, ...] = ()
    cached: bool = False  # taken from the results cache (explainspec.runner.cache), not re-run
    line: int | None = None
    traceback: str | None = None
    #: the outcome at every point of a fixed world (the user's rows); empty for drawn worlds
    points: tuple[PointResult, ...] = ()

    @property
    def passed(self) -> bool:
        """``True`` when the claim is verified (answers/holds) or shown (does_not_answer)."""
        return self.verdict.passed

    @property
    def internal_error(self) -> bool:
        """The claim ended on an internal error of explainspec (ES309), not on its own failure."""
        return any(d.code == INTERNAL_ERROR for d in self.diagnostics)

    @property
    def failed(self) -> bool:
        return self.verdict.failed

    @property
    def id(self) -> str:
        return f"{self.spec}.{self.claim}"

    def _repr_html_(self) -> str:  # Jupyter (explainspec.report.notebook)
        from explainspec.report.notebook import claim_html

        return claim_html(self)

    def _repr_markdown_(self) -> str:
        from explainspec.report.notebook import claim_markdown

        return claim_markdown(self)


@dataclass(frozen=True, slots=True)
class RunResult:
    """All claim results of a run, in the order the claims were run.

    Behaves like a tuple of :class:`ClaimResult`; ``passed`` is ``True`` when no claim failed
    (every claim verified, shown or ``skipped`` because its library is not installed).
    """

    claims: tuple[ClaimResult, ...]
    seed: int = 0
    profile: str = "standard"
    interrupted: bool = False

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.claims)

    def __len__(self) -> int:
        return len(self.claims)

    def __getitem__(self, key: int | str) -> ClaimResult:
        if isinstance(key, str):
            for c in self.claims:
                if key in (c.claim, c.id):
                    return c
            raise KeyError(key)
        return self.claims[key]

    @property
    def passed(self) -> bool:
        return not self.interrupted and not any(c.failed for c in self.claims)

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for c in self.claims:
            counts[c.verdict.value] = counts.get(c.verdict.value, 0) + 1
        summary = ", ".join(f"{n} {v}" for v, n in counts.items()) or "no claims"
        return f"RunResult({summary}; seed={self.seed}, profile={self.profile!r})"

    def to_json(self, *, indent: int | None = 2) -> str:
        """The run as the JSON report (the format of ``verify --format json``)."""
        from explainspec.report.notebook import to_json

        return to_json(self, indent=indent)

    def to_frame(self) -> Any:
        """One row per claim as a pandas DataFrame (pandas is imported here, not before)."""
        from explainspec.report.notebook import to_frame

        return to_frame(self)

    def _repr_html_(self) -> str:  # Jupyter (explainspec.report.notebook)
        from explainspec.report.notebook import run_html

        return run_html(self)

    def _repr_markdown_(self) -> str:
        from explainspec.report.notebook import run_markdown

        return run_markdown(self)


# --------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True, kw_only=True)
class RunStarted:
    """The run's settings. ``replaced`` has one line per method of the run that a plugin
    registered over a built-in (or another plugin's) method with ``replace=True``."""

    seed: int
    profile: str
    max_examples: int
    replicates: int
    specs: tuple[str, ...]
    claims: int
    timeout: float | None = None
    replaced: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SpecStarted:
    spec: str
    title: str
    method: str
    source: str | None
    claims: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimStarted:
    spec: str
    claim: str
    kind: str
    statement: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ExampleTried:
    """Progress: ``n`` worlds of the claim checked so far (``source`` is ``"search"`` or
    ``"example NAME"``); ``margin`` is the latest world's, ``worst`` the smallest (not NaN) so far.

    Sent for the first world and then at most every :data:`PROGRESS_INTERVAL` seconds, not per
    world: each event wakes the thread (or crosses the pipe) that reports it.
    """

    spec: str
    claim: str
    n: int
    margin: float
    source: str = "search"
    worst: float | None = None


#: the shortest time between two :class:`ExampleTried` events of one claim (seconds)
PROGRESS_INTERVAL = 0.1


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimFinished:
    result: ClaimResult


@dataclass(frozen=True, slots=True, kw_only=True)
class SpecFinished:
    spec: str
    results: tuple[ClaimResult, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunFinished:
    result: RunResult
    elapsed: float


Event = (
    RunStarted
    | SpecStarted
    | ClaimStarted
    | ExampleTried
    | ClaimFinished
    | SpecFinished
    | RunFinished
)
