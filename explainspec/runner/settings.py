"""Profiles and the one function that builds hypothesis settings for a claim.

Every hypothesis setting the runner uses is chosen here, from the profile and the command line
overrides; nothing else in explainspec constructs ``hypothesis.settings``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from explainspec.catalog.limits import limit

DEFAULT_SEED = 0
"""The run seed when ``--seed`` is not given: fixed, so CI runs are reproducible."""

DEFAULT_PROFILE = "standard"


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """How hard to search: worlds per claim and replicates per ``within mc(z)`` comparison, and
    the wall-clock budget of one claim.

    Replicates set the false-alarm rate of ``within mc(z)``: with ``R`` replicates a comparison
    of an unbiased estimator fails with probability ``2 P(T_{R-1} > z)`` (7.9e-5 at z = 5,
    R = 20); see ``docs/concepts/tolerances.md``.

    ``claim_budget`` (seconds) bounds everything one claim does (world generation, oracles, the
    check, the method calls) at the profile's numbers of worlds and replicates; more worlds
    (``--max-examples``) or replicates raise it in proportion, and ``--claim-timeout`` replaces
    it (:attr:`explainspec.runner.plan.RunOptions.budget`). The longest claim of the built-in
    library (``shap_sampling.agrees_with_shapley``) took 68 s at ``fast`` on one core of a
    2-core machine (``--jobs 1``), and 245 s at ``fast`` and 1119 s at ``standard`` when that
    machine was shared with about three other runs; the budgets are 3.7 and 3.2 times the loaded
    times (13 and about 12 times the quiet ones), and ``thorough`` (5 times the worlds, 5/3 the
    replicates of ``standard``) 3 times its expected 9 300 s. Only a claim out of proportion to
    the library reaches them (see :mod:`explainspec.runner.budget`, ``docs/concepts/budgets.md``).

    ``size`` bounds how large a world the search draws where a spec gives a range of sizes
    (``features = 2..16``, ``gaussian(n = 100..1000)``, ``background = sample(10..500)``): the
    upper end is lowered to the profile's bound (never below the lower end, and a single size is
    always drawn as written). ``fast`` and ``standard`` keep feedback quick; ``thorough`` reaches
    the largest worlds the limits allow (:mod:`explainspec.catalog.limits`).
    """

    name: str
    max_examples: int
    replicates: int
    claim_budget: float
    size: Size


@dataclass(frozen=True, slots=True, kw_only=True)
class Size:
    """The largest drawn sizes of a profile (see :attr:`Profile.size`): ``features`` (d),
    ``rows`` (the rows of a drawn data sample: ``n`` of ``sample``, ``gaussian``, ``mixed``) and
    ``background`` (``k`` of ``background = sample(k)`` / ``kmeans(k)``)."""

    features: int
    rows: int
    background: int


PROFILES: dict[str, Profile] = {
    "fast": Profile(
        name="fast",
        max_examples=25,
        replicates=20,
        claim_budget=900.0,
        size=Size(features=8, rows=200, background=100),
    ),
    "standard": Profile(
        name="standard",
        max_examples=100,
        replicates=30,
        claim_budget=3600.0,
        size=Size(features=16, rows=500, background=250),
    ),
    "thorough": Profile(
        name="thorough",
        max_examples=500,
        replicates=50,
        claim_budget=28800.0,
        size=Size(features=limit("features"), rows=limit("rows"), background=limit("background")),
    ),
}

MEMORY_FRACTION = 0.5
"""The default ``--memory-limit``: this fraction of the machine's memory (physical memory, or the
container's limit when smaller), for the verify process and for each of its worker processes."""


def get_profile(name: str) -> Profile:
    """The profile called ``name``.

    Examples
    --------
    >>> get_profile("fast").max_examples
    25
    >>> get_profile("quick")
    Traceback (most recent call last):
    ...
    ValueError: profile='quick' is not one of fast, standard, thorough
    """
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"profile={name!r} is not one of {', '.join(PROFILES)}") from None


def derive_seed(*parts: Any) -> int:
    """A 32-bit seed that depends only on ``parts`` (stable across processes and platforms).

    Used for claim seeds (run seed, spec name, claim name) and replicate seeds (method seed,
    replicate index), so results do not depend on scheduling or on ``PYTHONHASHSEED``.

    Examples
    --------
    >>> derive_seed(0, "kernel_shap", "efficiency") == derive_seed(0, "kernel_shap", "efficiency")
    True
    >>> derive_seed(0, "a") != derive_seed(1, "a")
    True
    """
    text = "\x1f".join(repr(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big") % (2**32)


_EXAMPLE_DATABASE: tuple[str, str] | None = None


def use_example_database(directory: str | None, key: str | None = None) -> None:
    """Give the claims built after this call hypothesis' example database in ``directory``,
    scoped to the claim ``key`` (see :func:`explainspec.runner.cache.claim_database`); ``None``
    switches it off (the default). Set by :mod:`explainspec.runner.parallel` around each claim."""
    global _EXAMPLE_DATABASE
    _EXAMPLE_DATABASE = (directory, key) if directory is not None and key is not None else None


def build_settings(
    profile: str | Profile = DEFAULT_PROFILE, *, max_examples: int | None = None
) -> Any:
    """The ``hypothesis.settings`` of a claim's property.

    Parameters
    ----------
    profile
        ``"fast"`` (CI), ``"standard"`` or ``"thorough"``, or a :class:`Profile`.
    max_examples
        Overrides the profile's number of worlds per claim (``--max-examples``).

    Notes
    -----
    Built on hypothesis' ``default`` profile, not on whatever profile the caller loaded, so a
    ``verify`` run means the same inside pytest and on the command line. Randomness comes only
    from the claim seed (applied with ``hypothesis.seed`` by the runner). The example database keeps
    nothing unless :func:`use_example_database` set a folder, and is then scoped to the exact claim
    and seed and replays only entries explainspec wrote (HMAC), so that no earlier run and no
    shipped database can change a verdict (``docs/howto/scale.md``). The ``explain`` phase is left
    out: the runner spells out counterexamples itself.

    Examples
    --------
    >>> s = build_settings("fast", max_examples=7)
    >>> s.max_examples, s.deadline
    (7, None)
    """
    from hypothesis import HealthCheck, Phase, Verbosity, settings

    _pin_local_constants()
    prof = profile if isinstance(profile, Profile) else get_profile(profile)
    n = prof.max_examples if max_examples is None else int(max_examples)
    if n < 1:
        raise ValueError(f"max_examples={n!r} must be at least 1")
    return settings(
        parent=settings.get_profile("default"),
        max_examples=n,
        database=_example_database(),
        deadline=None,
        derandomize=False,
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
        report_multiple_bugs=False,
        print_blob=False,
        verbosity=Verbosity.quiet,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.differing_executors,
            HealthCheck.function_scoped_fixture,
        ],
    )


def _example_database() -> Any:
    # Always a database (one that keeps nothing when none is configured): with any database
    # hypothesis also optimises the target's pareto front, so attaching one changes the search;
    # always having one keeps verdicts the same with and without a persistent database.
    from explainspec.runner.cache import claim_database

    return claim_database(*(_EXAMPLE_DATABASE or (None, "")))


_PINNED = False


def _pin_local_constants() -> None:
    """Switch off hypothesis' "local constants" (hypothesis >= 6.131 sometimes draws constants
    found in the source of the non-site-packages modules imported so far: explainspec itself in an
    editable install, plugins, test modules). Which modules are imported depends on what ran
    before in the process, so a claim's worlds -- and margins -- would depend on scheduling: the
    same claim gave different margins alone, after the whole library, and in a pool worker
    (measured on lime.tabular_continuous). Global constants (0, 1, inf, ...) are kept."""
    global _PINNED
    if _PINNED:
        return
    _PINNED = True
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants
    except ImportError:  # another hypothesis version: nothing to pin
        return
    if hasattr(providers, "_get_local_constants"):
        empty = Constants()
        providers._get_local_constants = lambda: empty
        cache = getattr(providers, "CONSTANTS_CACHE", None)
        if cache is not None and hasattr(cache, "cache"):
            cache.cache.clear()
