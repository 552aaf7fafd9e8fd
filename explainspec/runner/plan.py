"""Planning: from a spec to one self-contained task per claim.

A :class:`ClaimPlan` holds everything a claim's property needs: its merged world, the method's
registry entry and parameters (spec values over registered defaults), the evaluation mode of its
kind, and a seed derived from the run seed and the claim's name (so a claim's verdict does not
depend on which other claims run, or in which order).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from explainspec.lang.ir import Claim, ClaimKind, Spec, WorldBlock, merged_world
from explainspec.runner.settings import DEFAULT_PROFILE, DEFAULT_SEED, derive_seed, get_profile

REFUTE_FACTOR = 10.0
"""A misreading is shown only when its violation exceeds this many tolerances."""

REFUTE_FLOOR = 1e-6
"""... and at least this much (slack of strict comparisons in refutation mode)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunOptions:
    """The knobs of a run (the ``verify`` command's options).

    ``claims`` filters claims by name (``claim`` or ``spec.claim``, shell wildcards allowed).
    ``timeout`` (seconds per method call) runs every claim in a worker process that is killed
    when a call exceeds it. ``plugins`` are imported in that worker too.

    ``claim_timeout`` is the wall-clock budget of each claim in seconds (``None``: the profile's
    ``claim_budget``; ``inf``: none). ``memory_limit`` is the cap, in bytes, that each worker
    process sets on itself (``None``: workers keep what they inherit; the ``verify`` command
    always gives one, see :mod:`explainspec.runner.budget`). ``debug`` keeps the traceback of a
    method error or an internal error in the claim's result.

    ``stop_rejected`` (set by ``explainspec probe`` for its steps, never by ``verify``) stops a
    search as ``invalid`` (ES392) once its drawn worlds are nearly all rejected (see
    :data:`explainspec.runner.claim.REJECTED_STOP_AFTER`).
    """

    profile: str = DEFAULT_PROFILE
    seed: int = DEFAULT_SEED
    max_examples: int | None = None
    claims: tuple[str, ...] = ()
    timeout: float | None = None
    plugins: tuple[str, ...] = ()
    replicates: int | None = None
    refute_factor: float = REFUTE_FACTOR
    refute_floor: float = REFUTE_FLOOR
    isolate: bool | None = None  # None: isolate exactly when a timeout is set
    claim_timeout: float | None = None
    memory_limit: int | None = None
    debug: bool = False
    stop_rejected: bool = False

    @property
    def budget(self) -> float | None:
        """The wall-clock seconds each claim may take (``None``: no budget).

        ``claim_timeout`` when given; otherwise the profile's ``claim_budget``, raised in
        proportion when ``max_examples`` or ``replicates`` ask for more than the profile does.

        >>> RunOptions(profile="fast").budget, RunOptions(profile="fast", max_examples=50).budget
        (900.0, 1800.0)
        >>> RunOptions(claim_timeout=5).budget, RunOptions(claim_timeout=float("inf")).budget
        (5.0, None)
        """
        import math

        if self.claim_timeout is not None:
            seconds = float(self.claim_timeout)
        else:
            profile = get_profile(self.profile)
            seconds = (
                profile.claim_budget
                * max(1.0, self.n_examples / profile.max_examples)
                * max(1.0, self.n_replicates / profile.replicates)
            )
        return None if math.isinf(seconds) else seconds

    @property
    def n_examples(self) -> int:
        return (
            self.max_examples
            if self.max_examples is not None
            else get_profile(self.profile).max_examples
        )

    @property
    def n_replicates(self) -> int:
        return (
            self.replicates if self.replicates is not None else get_profile(self.profile).replicates
        )

    @property
    def isolated(self) -> bool:
        return self.timeout is not None if self.isolate is None else self.isolate


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimPlan:
    """One claim, ready to run. Picklable (it crosses to the worker process)."""

    spec: Spec
    claim: Claim
    world: WorldBlock
    method: str
    params: dict[str, Any] = field(default_factory=dict)
    seed: int  # the run seed
    claim_seed: int
    options: RunOptions

    @property
    def name(self) -> str:
        return f"{self.spec.name}.{self.claim.name}"

    @property
    def check(self) -> Any:
        """The claim's check with the ``let`` values it uses (``lang.ir.claim_check``)."""
        from explainspec.lang.ir import claim_check

        return claim_check(self.spec, self.claim)

    @property
    def refutes(self) -> bool:
        """``does_not_answer``: a failure of the check is the demonstration."""
        return self.claim.kind is ClaimKind.DOES_NOT_ANSWER

    @property
    def tolerance_scale(self) -> float:
        return 1.0 + self.options.refute_factor if self.refutes else 1.0

    @property
    def slack(self) -> float:
        return self.options.refute_floor if self.refutes else 0.0

    @property
    def conditions(self) -> tuple[tuple[str, Any], ...]:
        """``(name, condition)`` of every assumption with a ``check`` (the spec's, then the
        claim's): the claim is checked only where all of them hold."""
        return tuple(
            (a.name, a.check)
            for a in (*self.spec.assumptions, *self.claim.assumptions)
            if a.check is not None
        )

    def identity(self) -> dict[str, Any]:
        """The fields every :class:`~explainspec.runner.events.ClaimResult` of this claim carries."""
        return {
            "spec": self.spec.name,
            "claim": self.claim.name,
            "kind": self.claim.kind.value,
            "about": self.claim.about,
            "statement": self.claim.statement,
            "method": self.method,
            "source": self.spec.source,
            "line": self.claim.span.line if self.claim.span is not None else None,
            "seed": self.seed,
            "claim_seed": self.claim_seed,
            "profile": self.options.profile,
        }

    def entry(self) -> Any:
        from explainspec.registry import registry

        return registry("method").get(self.method)

    def reproduce(self) -> str:
        """The command line that reruns exactly this claim's search."""
        import shlex

        path = self.spec.source or f"{self.spec.name}.espec"
        parts = [
            "explainspec",
            "verify",
            path,
            "--claim",
            self.claim.name,
            "--seed",
            str(self.seed),
        ]
        parts += ["--profile", self.options.profile]
        if self.options.max_examples is not None:
            parts += ["--max-examples", str(self.options.max_examples)]
        for plugin in self.options.plugins:
            parts += ["--plugin", plugin]
        return " ".join(shlex.quote(p) for p in parts)


def method_params(spec: Spec, entry: Any) -> dict[str, Any]:
    """The method's parameters: registered defaults, replaced by the values the spec gives.

    Parameter values in the IR are literals; they are evaluated with :func:`explainspec.expr.value`.
    """
    from explainspec.expr import SimpleEnv, value

    params = {p.name: p.default for p in entry.params if not p.required}
    for p in spec.method.params:
        params[p.name] = value(p.value, SimpleEnv({}))
    return params


def select(spec: Spec, patterns: Sequence[str]) -> list[Claim]:
    """The claims of ``spec`` matching any of ``patterns`` (all claims when there are none).

    A pattern matches a claim's name or ``spec.claim``; shell wildcards are allowed.
    """
    if not patterns:
        return list(spec.claims)
    out = []
    for claim in spec.claims:
        names = (claim.name, f"{spec.name}.{claim.name}")
        if any(fnmatch.fnmatchcase(n, p) for n in names for p in patterns):
            out.append(claim)
    return out


def plan_spec(spec: Spec, options: RunOptions) -> list[ClaimPlan]:
    """Plan every selected claim of ``spec``.

    Raises :class:`explainspec.registry.UnknownName` when the spec names a method that is not
    registered (the semantic checker reports this before a run).
    """
    from explainspec.registry import registry

    entry = registry("method").get(spec.method.use)
    params = method_params(spec, entry)
    return [
        ClaimPlan(
            spec=spec,
            claim=claim,
            world=merged_world(spec, claim),
            method=spec.method.use,
            params=dict(params),
            seed=options.seed,
            claim_seed=derive_seed(options.seed, spec.name, claim.name),
            options=options,
        )
        for claim in select(spec, options.claims)
    ]


def plan(specs: Iterable[Spec], options: RunOptions) -> list[tuple[Spec, list[ClaimPlan]]]:
    """Plan every spec; specs without a selected claim are left out."""
    out = []
    for spec in specs:
        plans = plan_spec(spec, options)
        if plans:
            out.append((spec, plans))
    return out
