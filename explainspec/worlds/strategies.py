"""Hypothesis strategies of whole worlds: :func:`from_world` and :func:`build_example`.

Draw order (hypothesis shrinks each draw toward its simplest value): the number of features
``d`` (smallest first), the data distribution (simplest alternative first; ``rho`` toward its
lower end, 0 = independence), the function (simplest family first, then its parameters), the
second function, the background, the points (rows of the support), the baseline, the seed, the
target. Limits (rows, background, points) are in :class:`~explainspec.worlds.spec.Limits`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from explainspec._memo import remember
from explainspec.lang import ir
from explainspec.worlds import distributions as dist
from explainspec.worlds import fitted
from explainspec.worlds import functions as fn
from explainspec.worlds.base import Distribution, Function, World
from explainspec.worlds.families import (
    BUILDERS,
    SEEDS16,
    draw_int,
    index_lists,
    integers,
    pick,
    pick_subset,
    subsets,
)
from explainspec.worlds.spec import (  # noqa: F401 - dist_feasible, feasible_features: re-exported
    Anywhere,
    DistChoice,
    FamilyChoice,
    Limits,
    Range,
    WorldError,
    WorldSpec,
    _levels_count,
    diagonal_possible,
    dist_feasible,
    drawable,
    example_spec,
    feasible_features,
)

Array = np.ndarray

#: a drawn float parameter (``rho = 0..0.9``) takes multiples of this step within its range
FLOAT_STEP = 0.05


def draw_float(draw: Any, v: Any) -> float:
    """``v`` itself, or ``lo + k * 0.05`` within ``lo..hi`` (``k`` shrinks toward 0, so the
    value shrinks toward ``lo``; a range narrower than a step is split into 10 steps)."""
    if isinstance(v, Range):
        lo, hi = float(v.lo), float(v.hi)
        step = FLOAT_STEP if hi - lo >= FLOAT_STEP else (hi - lo) / 10 or 1.0
        n = int(round((hi - lo) / step + 1e-9))
        k = draw_int(draw, Range(0, n))
        return min(hi, round(lo + k * step, 12))
    return float(v)


#: the half-integers a ``grid`` with drawn values takes its levels from, in the order hypothesis
#: shrinks integers (0, 1, -1, 2, -2, ...), halved
_HALVES = (0.0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 2.0, -2.0)


@functools.lru_cache(maxsize=16)
def _level_sets(L: int) -> st.SearchStrategy[tuple[float, ...]]:
    """Every set of ``L`` distinct levels from :data:`_HALVES`, sorted, simplest first (the
    first is the ``L`` values nearest 0: -0.5, 0, 0.5 for ``L = 3``)."""
    return st.sampled_from([tuple(sorted(_HALVES[i] for i in c)) for c in subsets(len(_HALVES), L)])


# --------------------------------------------------------------------------- functions


def _base_min(c: FamilyChoice) -> int:
    k = c.unused.lo if isinstance(c.unused, Range) else c.unused
    return c.min_features() - int(k)


def draw_member(
    draw: Any, choices: Sequence[FamilyChoice], D: int, data: Array
) -> tuple[FamilyChoice, Function]:
    """A family choice feasible with ``D`` features and a function of it, modifiers applied."""
    feasible = _feasible(choices, D, None)
    if not feasible:
        raise InvalidArgument(
            f"no function family of {[c.describe() for c in choices]} fits d={D} features"
        )
    c = pick(draw, feasible)
    if isinstance(c.unused, Range):
        k = draw_int(draw, Range(int(c.unused.lo), min(int(c.unused.hi), D - _base_min(c))))
    else:
        k = int(c.unused)
    protected = set(c.symmetric or ())
    allowed = [p for p in range(D) if p not in protected]
    positions = [allowed[i] for i in pick_subset(draw, len(allowed), k)]
    f = draw(_family_strategy(c, D - k, positions, data))
    if c.symmetric is not None:
        f = fn.symmetrize(f, *c.symmetric)
    if c.off_support_bump:
        f = fn.off_support_bump(f, np.unique(data, axis=0), c.off_support_bump)
    if c.link == "logistic":
        f = fn.logistic(f)
    return c, f


#: the feasible members of a tuple of choices, by (its identity, d, limits); see _feasible
_FEASIBLE: dict[Any, tuple[Any, tuple[Any, ...]]] = {}


def _feasible(choices: Sequence[Any], d: int, limits: Limits | None) -> tuple[Any, ...]:
    """The members of ``choices`` feasible with ``d`` features: distributions within ``limits``,
    or (``limits=None``) function families with at most ``d`` features.

    One tuple object per (choices, d, limits), so that :func:`pick` finds its strategy by the
    tuple's identity instead of hashing the choices (their parameters) on every world.
    """

    def build() -> tuple[Any, ...]:
        if limits is None:
            return tuple(c for c in choices if c.min_features() <= d)
        return tuple(c for c in choices if dist_feasible(c, d, limits))

    return remember(_FEASIBLE, (id(choices), d, limits), choices, build, _MAX_CACHED)


#: builder strategies by (family, d, unused positions, parameters); see _family_strategy
_FAMILY_STRATEGIES: dict[Any, tuple[None, st.SearchStrategy[Function]]] = {}
_MAX_CACHED = 4096


def _frozen(v: Any) -> Any:
    """A hashable stand-in for a family parameter value (dicts, lists, choices ...)."""
    if isinstance(v, Mapping):
        return ("map", tuple((k, _frozen(x)) for k, x in v.items()))
    if isinstance(v, list | tuple):
        return (type(v).__name__, tuple(_frozen(x) for x in v))
    if isinstance(v, FamilyChoice):
        return (
            "choice",
            v.name,
            _frozen(v.params),
            _frozen(v.unused),
            v.symmetric,
            v.link,
            v.off_support_bump,
        )
    hash(v)
    return (type(v).__name__, v)


def _family_strategy(
    c: FamilyChoice, d: int, positions: Sequence[int], data: Array
) -> st.SearchStrategy[Function]:
    """``BUILDERS[c.name](d, positions, c.params, data)``, built once per distinct arguments.

    The builders are pure functions of their arguments; building their strategies anew for
    every world cost hypothesis a fresh validation (and ``st.composite`` a compile) per draw.
    The ``model`` family trains on ``data``, a given tree counts its covers on ``data``, and
    ``formula`` and the other given functions (:mod:`.given`) are one fixed function object, so
    they are built anew (as before: no function object is shared between claims).
    """
    build = BUILDERS[c.name]
    if c.name in ("model", "formula", "polynomial") or {"splits", "layers"} & set(c.params):
        return build(d, positions, c.params, data)
    try:
        key = (c.name, d, tuple(positions), _frozen(c.params))
    except TypeError:  # an unhashable parameter value: do not cache
        return build(d, positions, c.params, data)
    return remember(
        _FAMILY_STRATEGIES, key, None, lambda: build(d, positions, c.params, data), _MAX_CACHED
    )


def family_member(
    choices: Sequence[FamilyChoice], d: int, data: Array
) -> st.SearchStrategy[Function]:
    """Functions of ``d`` features from one of ``choices`` (simplest first), modifiers applied.

    ``data`` are the world's data rows (the ``model`` family trains on them and
    ``off_support_bump`` places its bump off them).
    """
    return _family_member(choices, d, data)


@st.composite
def _family_member(draw: Any, choices: Sequence[FamilyChoice], d: int, data: Array) -> Function:
    return draw_member(draw, choices, d, data)[1]


# --------------------------------------------------------------------------- distributions


def _max_levels(d: int, limits: Limits) -> int:
    """The largest L with L**d <= max_rows."""
    L = max(1, int(math.floor(limits.max_rows ** (1.0 / d) + 1e-9)))
    while (L + 1) ** d <= limits.max_rows:
        L += 1
    while L > 1 and L**d > limits.max_rows:
        L -= 1
    return L


@st.composite
def distribution(draw: Any, c: DistChoice, d: int, limits: Limits) -> tuple[Distribution, Array]:
    """A distribution of ``d`` features from ``c`` and the world's data rows."""
    p = c.params
    if c.name == "rows":
        P = _finite(("rows", id(c)), c, lambda: dist.from_rows(p["rows"]))
        return P, P.rows
    if c.name == "gaussian":
        n = draw_int(draw, p.get("n", 64))
        seed = draw(SEEDS16)
        if "cov" in p:
            G = dist.gaussian(d, cov=np.array(p["cov"]))
        else:
            rho = draw_float(draw, p.get("rho", 0.0))
            lo_ok = -1 / max(d - 1, 1)
            G = dist.gaussian(d, rho=max(rho, lo_ok))
        return G, G.sample(n, np.random.default_rng(seed))
    if c.name == "mixed":
        n = draw_int(draw, p.get("n", 200))
        rho = draw_float(draw, p.get("rho", 0.0))
        share = draw_float(draw, p.get("categorical", 0.5))
        levels = draw_int(draw, p.get("levels", 3))
        seed = draw(SEEDS16)
        rho = max(rho, -1 / max(d - 1, 1))
        P = dist.mixed(d, n, np.random.default_rng(seed), rho=rho, categorical=share, levels=levels)
        return P, P.rows
    if c.name == "sample":
        n = draw_int(draw, p.get("n", 32))
        rho = draw_float(draw, p.get("rho", 0.0))
        seed = draw(SEEDS16)
        rho = max(rho, -1 / max(d - 1, 1))
        P = dist.sample(d, n, np.random.default_rng(seed), rho=rho, round_to=p.get("round", 0.5))
        return P, P.rows
    # grid, dependent, binary: L-point marginals
    Lmax = _max_levels(d, limits)
    if diagonal_possible(c):  # the product grid and at least one copy of the diagonal
        while Lmax > 1 and Lmax**d + Lmax > limits.max_rows:
            Lmax -= 1
    if c.name == "grid" and p.get("values") == "drawn":
        Lmax = min(Lmax, len(_HALVES))
    L_spec = _levels_count(c)
    if isinstance(L_spec, Range):
        L = draw_int(draw, Range(int(L_spec.lo), max(int(L_spec.lo), min(int(L_spec.hi), Lmax))))
    else:
        L = int(L_spec)
    if c.name == "grid":
        values = p.get("values", "any")
        if isinstance(values, tuple):
            vals = [values] * d
        else:
            # drawn values are distinct halves: more levels than there are halves are symmetric
            few = L <= len(_HALVES)  # noqa: SIM300 - L is drawn, len(_HALVES) is the bound
            drawable_modes = ("symmetric", "drawn") if few else ("symmetric",)
            mode = values if values != "any" else pick(draw, drawable_modes)
            if mode == "symmetric":
                vals = [tuple(dist.symmetric_levels(L))] * d
            else:
                vals = [draw(_level_sets(L)) for _ in range(d)]
        shown = "explicit" if isinstance(values, tuple) else mode
        key = (
            "grid",
            d,
            L,
            tuple(tuple(float(x) for x in v) for v in vals),
            shown,
            limits.max_rows,
        )

        def build_grid() -> Distribution:
            G = dist.grid(d, L, values=vals, max_rows=limits.max_rows)
            G.params["values"] = shown
            return G

        P = _finite(key, None, build_grid)
        return P, P.rows
    rho = draw_float(draw, p.get("rho", 0.5 if c.name == "dependent" else 0.0))
    if c.name == "binary":
        P = _finite(
            ("binary", d, rho, limits.max_rows),
            None,
            lambda: dist.binary(d, rho, max_rows=limits.max_rows),
        )
    else:
        P = _finite(
            ("dependent", d, rho, L, limits.max_rows),
            None,
            lambda: dist.dependent(d, rho, levels=L, max_rows=limits.max_rows),
        )
    return P, P.rows


#: finite distributions by their construction's arguments; see _finite
_FINITE: dict[Any, tuple[Any, Any]] = {}


def _finite(key: Any, owner: Any, build: Any) -> Any:
    """``build()``, a finite distribution, built once per ``key`` (``owner``: an object whose
    identity the key contains, kept alive with the entry so the id is not reused).

    Grid, dependent, binary and explicit-rows distributions are pure functions of their
    arguments, and a search draws the same few arguments again and again; building one also
    fixes its support and levels (:meth:`FiniteDistribution.support`), which every world
    reads. The shared object is never modified after it is built: its rows, support and levels
    are read-only arrays.
    """
    return remember(_FINITE, key, owner, build, _MAX_CACHED)


# --------------------------------------------------------------------------- worlds


def from_world(spec: WorldSpec, **overrides: Any) -> st.SearchStrategy[World]:
    """A hypothesis strategy of worlds satisfying ``spec``.

    Parameters
    ----------
    spec : WorldSpec
        From :func:`explainspec.worlds.resolve`.
    **overrides
        Replace fields of the spec or of its :class:`Limits` (``features=(2, 3)``,
        ``max_rows=512``, ``seed=0`` ...).

    Raises
    ------
    hypothesis.errors.InvalidArgument
        When no world can satisfy the spec (e.g. a grid too large for any allowed ``d``).

    Examples
    --------
    >>> from hypothesis import find
    >>> w = find(from_world(WorldSpec()), lambda w: True)
    >>> w.d, w.f.formula()
    (2, 'f(x) = x0 + x1')
    """
    if overrides:
        spec = spec.with_overrides(**overrides)
    from explainspec.worlds.sources.strategy import is_source, source_strategy

    if is_source(spec):  # the user's model and rows (explainspec audit): one fixed world
        return source_strategy(spec)
    try:
        ds = drawable(spec)  # the checks ``explainspec check`` runs too (numpy-free)
    except WorldError as exc:
        raise InvalidArgument(exc.message) from None
    return _worlds(spec, ds)


_DISTRIBUTIONS: dict[Any, tuple[DistChoice, st.SearchStrategy[Any]]] = {}


def _distribution_of(c: DistChoice, d: int, limits: Limits) -> st.SearchStrategy[Any]:
    """``distribution(c, d, limits)``, one strategy object per (choice, d, limits)."""
    return remember(
        _DISTRIBUTIONS, (id(c), d, limits), c, lambda: distribution(c, d, limits), _MAX_CACHED
    )


@st.composite
def _worlds(draw: Any, spec: WorldSpec, ds: list[int]) -> World:
    lim = spec.limits
    d = pick(draw, ds)
    dchoice = pick(draw, _feasible(spec.data, d, lim))
    P, data = draw(_distribution_of(dchoice, d, lim))
    fchoice, f = draw_member(draw, spec.function, d, data)
    g = None
    if spec.second:
        _, g = draw_member(draw, spec.second, d, data)
    finite = getattr(P, "rows", None) is data
    support = P.support() if finite else np.unique(data, axis=0)

    # background
    bg_kind = spec.background[0]
    bg_desc = "data"
    if bg_kind == "data":
        background = data
    elif bg_kind == "rows":
        background = np.array(spec.background[1], float)
        bg_desc = f"rows ({len(background)})"
    else:
        k = min(draw_int(draw, spec.background[1]), len(data))
        if bg_kind == "sample":
            idx = draw(index_lists(len(data), k, unique=True))
            background = data[sorted(idx)]
        else:
            k = min(k, len(support))
            with fitted.keep_global_random():
                from sklearn.cluster import KMeans

                km = KMeans(n_clusters=k, n_init=1, random_state=0).fit(data)
            background = km.cluster_centers_
        bg_desc = f"{bg_kind}({k})"
    if background.shape[1] != d:
        raise WorldError(f"background rows have {background.shape[1]} features, expected d={d}")

    # points: rows of the support, so conditional games are defined (or anywhere(k))
    if isinstance(spec.points, tuple):
        points = np.array(spec.points, float)
    elif isinstance(spec.points, Anywhere):
        m = draw_int(draw, spec.points.k)
        columns = [_anywhere_values(P.levels(j) if finite else data[:, j]) for j in range(d)]
        points = np.array(
            [[col[draw(integers(0, len(col) - 1))] for col in columns] for _ in range(m)]
        ).reshape(m, d)
    else:
        m = draw_int(draw, spec.points)
        idx = draw(index_lists(len(support), m))
        points = support[idx]
    if points.shape[1] != d:
        raise WorldError(f"points have {points.shape[1]} features, expected d={d}")

    # baseline
    if spec.baseline == "zeros":
        baseline = np.zeros(d)
    elif spec.baseline == "mean":
        baseline = data.mean(axis=0)
    elif spec.baseline == "point":
        baseline = support[draw(integers(0, len(support) - 1))]
    else:
        baseline = np.array(spec.baseline, float)
        if baseline.shape != (d,):
            raise WorldError(f"baseline has {baseline.shape[0]} values, expected d={d}")

    # the method seed: 2**16 + 1 values are plenty to tell worlds apart (replicates and
    # ``explain(seed = k)`` derive theirs from it)
    seed = spec.seed if spec.seed is not None else draw(SEEDS16)

    # target and y
    if spec.target == "f":
        target = f
    elif spec.target == "g":
        assert g is not None
        target = g
    else:
        assert not isinstance(spec.target, str)  # "f" and "g" are the only names a target takes
        _, target = draw_member(draw, spec.target, d, data)
    y = np.asarray(target(data), float)
    if spec.labels == "bernoulli":  # class labels of the probability y (check_labels)
        y = (np.random.default_rng([seed, 2]).random(len(y)) < y).astype(float)
    elif spec.labels == "threshold":
        y = (y > 0.5).astype(float)
    if spec.noise:
        y = y + spec.noise * np.random.default_rng([seed, 1]).standard_normal(len(y))

    # grid
    if spec.grid == "levels":
        lv = [P.levels(j) if finite else np.unique(data[:, j]) for j in range(d)]
        if len({len(v) for v in lv}) != 1:
            raise WorldError("grid = levels needs the same number of levels for every feature")
        grid = np.stack(lv)
    else:
        m_grid = spec.grid if isinstance(spec.grid, int) else None
        grid = dist.grid_points(P, data, m_grid, max_levels=lim.max_grid)

    def info() -> dict[str, Any]:
        return {
            "d": d,
            "family": fchoice.describe(),
            "formula": f.formula(),
            "g": g.formula() if g is not None else None,
            "distribution": P.describe(),
            "data": f"{len(data)} rows",
            "background": bg_desc,
            "points": _rows_text(points),
            "baseline": _rows_text(baseline[None, :])[0],
            "target": "f" if target is f else ("g" if target is g else target.formula()),
            "noise": spec.noise,
            "seed": seed,
        } | ({"labels": spec.labels} if spec.labels != "none" else {})

    return World(
        f=f,
        P=P,
        data=data,
        background=background,
        points=points,
        baseline=baseline,
        grid=grid,
        y=y,
        seed=int(seed),
        g=g,
        target=target,
        info=LazyInfo(info),
    )


def _anywhere_values(levels: Any) -> Array:
    """The values a coordinate of ``points = anywhere(k)`` takes: the feature's levels, then one
    unit below and above their range (hypothesis shrinks toward the first level)."""
    lv = np.unique(np.asarray(levels, dtype=float))
    return np.concatenate([lv, [lv[0] - 1.0, lv[-1] + 1.0]])


class LazyInfo(Mapping[str, Any]):
    """``World.info``, built on first use: the formulas and the description of P are text that
    only a counterexample or a report reads, so most drawn worlds never need them."""

    __slots__ = ("_build", "_items")

    def __init__(self, build: Any) -> None:
        self._build = build
        self._items: dict[str, Any] | None = None

    def _get(self) -> dict[str, Any]:
        if self._items is None:
            self._items = self._build()
            self._build = None
        return self._items

    def __getitem__(self, key: str) -> Any:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __repr__(self) -> str:
        return repr(self._get())

    def __eq__(self, other: object) -> bool:
        return dict(self._get()) == other if isinstance(other, Mapping) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> Any:
        return (dict, (self._get(),))


def _rows_text(rows: Array) -> list[str]:
    from explainspec.worlds.symbolic import number_text

    return ["(" + ", ".join(number_text(v) for v in r) + ")" for r in np.atleast_2d(rows)]


# --------------------------------------------------------------------------- examples


def build_example(block: ir.WorldBlock, *, base: WorldSpec | None = None) -> World:
    """An explicit example world from concrete values, e.g.
    ``function = formula("x0"); data = rows([[0, 0], [1, 1]]); points = [[1, 1]]``.

    Fields left out take their defaults; anything still drawn (a family without its values, a
    drawn seed) takes its simplest value (hypothesis' minimal example), so the world is
    deterministic. ``features`` defaults to the width of the explicit rows, points or baseline.
    """
    from hypothesis import find

    spec = example_spec(block, base=base)
    try:
        strategy = from_world(spec)
    except InvalidArgument as exc:
        raise WorldError(str(exc), block.span) from None
    return find(strategy, lambda w: True, settings=minimal_settings(10))


def minimal_settings(max_examples: int = 10) -> Any:
    """Settings for ``hypothesis.find`` of a simplest world: no database, generate and shrink."""
    from hypothesis import HealthCheck, Phase, settings

    return settings(
        database=None,
        max_examples=max_examples,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
