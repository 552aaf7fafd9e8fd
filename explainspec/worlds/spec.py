"""Resolving a ``world { ... }`` block of the IR into a validated :class:`WorldSpec`.

A :class:`WorldSpec` is plain data: which families and distributions may be drawn (with their
parameters, some of them ranges), the feature range, and how background, points, baseline,
target, noise, grid and seed are chosen. :func:`explainspec.worlds.from_world` turns it into a
hypothesis strategy. No numpy or hypothesis work happens here, so ``explainspec check`` runs this
resolver on every world block and example (``lang.semantics``), and refuses what a run would
refuse: :func:`resolve` (values, ranges, and every size against the limits of
:mod:`explainspec.catalog.limits`), :func:`example_spec` and :func:`drawable` (whether any number
of features fits the search's own limits).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from explainspec.catalog.limits import limit
from explainspec.catalog.sources import SOURCE_DISTRIBUTIONS, SOURCE_FAMILIES
from explainspec.lang import ir
from explainspec.lang.ir import WORLD_FIELDS
from explainspec.registry import REQUIRED, Registry, UnknownName, registry
from explainspec.worlds import given_spec


class WorldError(ValueError):
    """A world field has a value that cannot be resolved; ``span`` says where.

    ``code`` is the diagnostic code ``explainspec check`` reports: ``ES229`` (a value the
    resolver refuses), ``ES226`` (an empty range), ``ES228`` (a size over its limit).
    """

    def __init__(
        self,
        message: str,
        span: ir.Span | None = None,
        *,
        code: str = "ES229",
        hint: str | None = None,
    ) -> None:
        super().__init__(f"{span}: {message}" if span is not None else message)
        self.message = message
        self.span = span
        self.code = code
        self.hint = hint


def over_limit(what: str, value: Any, name: str, span: ir.Span | None) -> WorldError:
    """The error of a size over the limit ``name`` (``ES228``)."""
    return WorldError(
        f"{what} = {value} is over the limit: at most {limit(name)} (limit `{name}`)",
        span,
        code="ES228",
        hint="the limits keep a spec from exhausting the machine; see docs/concepts/security.md",
    )


def _cap(v: int | Range, what: str, name: str, span: ir.Span | None) -> int | Range:
    """``v`` if its largest value is within the limit ``name``, else an ES228 WorldError."""
    hi = v.hi if isinstance(v, Range) else v
    if hi > limit(name):
        raise over_limit(what, v, name, span)
    return v


#: The registries the resolver looks names up in (``None``: the global ones); see :func:`resolve`.
_REGISTRIES: ContextVar[Mapping[str, Registry] | None] = ContextVar("_REGISTRIES", default=None)


@contextmanager
def _using(registries: Mapping[str, Registry] | None) -> Iterator[None]:
    token = _REGISTRIES.set(registries)
    try:
        yield
    finally:
        _REGISTRIES.reset(token)


def _registry(kind: str) -> Registry:
    given = _REGISTRIES.get()
    return given[kind] if given is not None and kind in given else registry(kind)


@dataclass(frozen=True, slots=True)
class Range:
    """An inclusive range ``lo..hi`` of a drawn parameter; shrinks toward ``lo``."""

    lo: float
    hi: float

    @property
    def is_int(self) -> bool:
        return float(self.lo).is_integer() and float(self.hi).is_integer()

    def __str__(self) -> str:
        return f"{_num(self.lo)}..{_num(self.hi)}"


@dataclass(frozen=True, slots=True)
class Anywhere:
    """``points = anywhere(k)``: ``k`` points (a count or a :class:`Range`) anywhere, not only on
    rows of the support: each coordinate is one of the feature's levels (its marginal support)
    or one unit below or above their range, drawn independently of the others. Under dependence
    such points are off the support; under a product distribution only the out-of-range ones
    are. (``explainspec probe`` relaxes ``points = k``, rows of the support, to this.)"""

    k: int | Range

    def __str__(self) -> str:
        return f"anywhere({self.k})"


def _num(v: Any) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


#: Simplicity rank of the families: ``any(...)`` alternatives are drawn simplest first.
_SIMPLEST_FIRST = ("linear", "additive", "multilinear", "polynomial", "interaction", "relu_net")
FAMILY_RANK: Mapping[str, int] = MappingProxyType(
    {n: k for k, n in enumerate((*_SIMPLEST_FIRST, "tree", "model", "formula"))}
)
DIST_RANK: Mapping[str, int] = MappingProxyType(
    {"rows": 0, "grid": 1, "binary": 2, "dependent": 3, "sample": 4, "mixed": 5, "gaussian": 6}
)
#: the distributions whose data are ``n`` drawn rows, with their default ``n``
SAMPLED: Mapping[str, int] = MappingProxyType({"sample": 32, "mixed": 200, "gaussian": 64})
#: ``dependent`` without ``rho``: drawn, shrinking toward 0 (independence).
DEFAULT_RHO = Range(0.0, 0.9)
MODIFIER_NAMES = ("unused", "symmetric", "link", "off_support_bump")
NET_ACTIVATIONS = ("relu", "tanh", "gelu")  # mlp(activation = ...); worlds.nets.ACTIVATIONS


@dataclass(frozen=True, slots=True, kw_only=True)
class FamilyChoice:
    """One drawable family with its parameters (values or :class:`Range`) and modifiers."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    unused: int | Range = 0
    symmetric: tuple[int, int] | None = None
    link: str = "identity"
    off_support_bump: float = 0.0  # bump height; 0 = no bump

    def min_features(self) -> int:
        """The fewest features a member can have (unused ones included)."""
        lo = max(1, self.params.get("min_d", 1))  # formula(...), linear(weights = ...)
        if self.name == "interaction":
            order = self.params.get("order", 2)
            lo = max(lo, int(order.lo if isinstance(order, Range) else order))
        k = self.unused.lo if isinstance(self.unused, Range) else self.unused
        lo = lo + int(k)
        if self.symmetric is not None:
            lo = max(lo, max(self.symmetric) + 1)
        return lo

    def describe(self) -> str:
        parts = [f"{k} = {_show(v)}" for k, v in self.params.items() if k != "min_d"]
        if self.unused:
            parts.append(f"unused = {_show(self.unused)}")
        if self.symmetric is not None:
            parts.append(f"symmetric = [{self.symmetric[0]}, {self.symmetric[1]}]")
        if self.link != "identity":
            parts.append(f"link = {self.link}")
        if self.off_support_bump:
            parts.append("off_support_bump = true")
        return f"{self.name}({', '.join(parts)})" if parts else self.name


@dataclass(frozen=True, slots=True, kw_only=True)
class DistChoice:
    name: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        parts = [f"{k} = {_show(v)}" for k, v in self.params.items()]
        return f"{self.name}({', '.join(parts)})" if parts else self.name


def _show(v: Any) -> str:
    if isinstance(v, tuple) and v and all(isinstance(c, FamilyChoice) for c in v):
        return v[0].describe() if len(v) == 1 else f"any({', '.join(c.describe() for c in v)})"
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, tuple | list):
        return f"[{len(v)} items]" if len(v) > 6 else f"[{', '.join(_show(x) for x in v)}]"
    return str(v) if not isinstance(v, float) else _num(v)


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Size bounds of the world search (defaults: the limits of :mod:`explainspec.catalog.limits`).

    ``max_rows``: rows of a finite distribution (grids larger than this restrict ``d``; the limit
    ``finite_rows``); ``max_background``: rows of a ``sample(k)`` / ``kmeans(k)`` background
    (``background``); ``max_points`` (``points``); ``max_grid``: distinct levels used as the
    curve grid before switching to quantiles (a choice of the search, not a limit).
    """

    max_rows: int = limit("finite_rows")
    max_background: int = limit("background")
    max_points: int = limit("points")
    max_grid: int = 21


@dataclass(frozen=True, slots=True, kw_only=True)
class WorldSpec:
    """A validated world: what :func:`explainspec.worlds.from_world` draws from.

    ``background``: ``("data",)``, ``("sample", k)``, ``("kmeans", k)`` or ``("rows", rows)``;
    ``points``: a count or :class:`Range` (rows of the support), :class:`Anywhere`, or explicit
    rows (tuple of tuples);
    ``baseline``: ``"zeros"``, ``"mean"``, ``"point"`` or an explicit tuple;
    ``target``: ``"f"``, ``"g"`` or family choices; ``grid``: ``None`` (levels for finite P,
    quantiles otherwise), ``"levels"`` or a number of quantiles; ``seed``: ``None`` = drawn.
    """

    function: tuple[FamilyChoice, ...] = (FamilyChoice(name="linear"),)
    second: tuple[FamilyChoice, ...] | None = None
    features: Range = Range(2, 4)
    data: tuple[DistChoice, ...] = (DistChoice(name="grid", params={"levels": 3}),)
    background: tuple[Any, ...] = ("data",)
    points: int | Range | Anywhere | tuple[tuple[float, ...], ...] = 2
    baseline: str | tuple[float, ...] = "zeros"
    target: str | tuple[FamilyChoice, ...] = "f"
    noise: float = 0.0
    labels: str = "none"  # "bernoulli" | "threshold": y are class labels of the probability
    grid: None | str | int = None
    seed: int | None = None
    limits: Limits = Limits()

    def with_overrides(self, **overrides: Any) -> WorldSpec:
        """A copy with fields (or :class:`Limits` fields) replaced; unknown names raise."""
        limit_names = set(Limits.__dataclass_fields__)
        lim = {k: overrides.pop(k) for k in list(overrides) if k in limit_names}
        unknown = set(overrides) - set(WorldSpec.__dataclass_fields__)
        if unknown:
            raise TypeError(
                f"unknown world override(s) {sorted(unknown)}; known: "
                f"{sorted(set(WorldSpec.__dataclass_fields__) | limit_names)}"
            )
        if "features" in overrides and not isinstance(overrides["features"], Range):
            f = overrides["features"]
            overrides["features"] = Range(*f) if isinstance(f, tuple | list) else Range(f, f)
        out = replace(self, **overrides)
        return replace(out, limits=replace(out.limits, **lim)) if lim else out


KNOWN_FIELDS = WORLD_FIELDS  # one list, owned by the language


# --------------------------------------------------------------------------- constants


def constant(e: ir.Expr) -> Any:
    """The value of a constant IR expression: numbers, strings, booleans, bare names (as
    strings), lists, ranges (:class:`Range`). Raises :class:`WorldError` otherwise."""
    if isinstance(e, ir.Number | ir.String | ir.Bool):
        return e.value
    if isinstance(e, ir.Name):
        return e.id
    if isinstance(e, ir.Unary) and isinstance(e.operand, ir.Number):
        return -e.operand.value if e.op == ir.UnaryOp.NEG else e.operand.value
    if isinstance(e, ir.ListExpr):
        return tuple(constant(i) for i in e.items)
    if isinstance(e, ir.Call) and isinstance(e.func, ir.Name) and e.func.id == "linspace":
        args = tuple(constant(a) for a in e.args)
        with _given(e.span):
            return given_spec.linspace(args, {k.name: constant(k.value) for k in e.kwargs})
    if isinstance(e, ir.RangeExpr):
        lo, hi = constant(e.lo), constant(e.hi)
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lo, hi)):
            raise WorldError(f"a range needs numbers at both ends; got {lo!r}..{hi!r}", e.span)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise WorldError(f"a range needs finite ends; got {lo!r}..{hi!r}", e.span)
        if lo > hi:
            raise WorldError(
                f"empty range {lo}..{hi}: the lower end exceeds the upper",
                e.span,
                code="ES226",
                hint=f"write {hi}..{lo}",
            )
        return Range(lo, hi)
    raise WorldError(f"expected a constant value here, got {type(e).__name__}", e.span)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _int_or_range(
    v: Any, what: str, span: ir.Span | None, lo: int = 0, cap: str | None = None
) -> int | Range:
    """An integer or a range of integers ``>= lo``, within the limit ``cap`` (if given)."""
    if isinstance(v, Range):
        if not v.is_int or v.lo < lo:
            raise WorldError(f"{what} = {v} must be a range of integers >= {lo}", span)
        out: int | Range = Range(int(v.lo), int(v.hi))
    elif not (_is_number(v) and _is_integral(v)) or v < lo:
        raise WorldError(f"{what} = {v!r} must be an integer >= {lo} (or a range lo..hi)", span)
    else:
        out = int(v)
    return _cap(out, what, cap, span) if cap is not None else out


def _is_integral(v: int | float) -> bool:
    return isinstance(v, int) or (math.isfinite(v) and float(v).is_integer())


def _float_or_range(v: Any, what: str, span: ir.Span | None, lo: float, hi: float) -> float | Range:
    if isinstance(v, Range):
        if v.lo < lo or v.hi > hi:
            raise WorldError(f"{what} = {v} must lie within [{lo}, {hi}]", span)
        return v
    if not _is_number(v) or not lo <= v <= hi:
        raise WorldError(f"{what} = {v!r} must be a number in [{lo}, {hi}] (or a range)", span)
    return float(v)


# --------------------------------------------------------------------------- call binding


def _bind(
    kind: str, call: ir.Expr, *, extra_ok: tuple[str, ...] = ()
) -> tuple[str, list[ir.Expr], dict[str, tuple[ir.Expr, ir.Span | None]]]:
    """Name, variadic args and named arguments of ``name`` / ``name(...)`` checked against the
    registry entry's parameters (positional arguments bind in declaration order)."""
    args: tuple[ir.Expr, ...]
    kwargs: tuple[ir.Keyword, ...]
    if isinstance(call, ir.Name):
        name, args, kwargs = call.id, (), ()
    elif isinstance(call, ir.Call) and isinstance(call.func, ir.Name):
        name, args, kwargs = call.func.id, call.args, call.kwargs
    else:
        raise WorldError(f"expected a {kind} name or call, got {type(call).__name__}", call.span)
    try:
        entry = _registry(kind).get(name)
    except UnknownName as exc:
        raise WorldError(str(exc), call.span) from None
    params = [p.name for p in entry.params]
    bound: dict[str, tuple[ir.Expr, ir.Span | None]] = {}
    rest: list[ir.Expr] = []
    for k, a in enumerate(args):
        if entry.variadic:
            rest.append(a)
        elif k < len(params):
            bound[params[k]] = (a, a.span)
        else:
            raise WorldError(
                f"{entry.signature()} takes at most {len(params)} positional arguments; "
                f"got {len(args)}",
                call.span,
            )
    for kw in kwargs:
        if kw.name not in params and kw.name not in extra_ok:
            raise WorldError(
                f"{name}() has no parameter {kw.name!r}; expected one of: {', '.join(params)}",
                kw.span,
            )
        if kw.name in bound:
            raise WorldError(f"{name}() got {kw.name!r} twice", kw.span)
        bound[kw.name] = (kw.value, kw.span)
    for p in entry.params:
        if p.default is REQUIRED and p.name not in bound:
            raise WorldError(f"{entry.signature()} is missing the argument {p.name!r}", call.span)
    return name, rest, bound


# --------------------------------------------------------------------------- families

SHAPE_KINDS = ("poly", "abs", "relu", "step", "sin", "tanh")
MODEL_KINDS = ("gbr", "rf", "mlp", "logistic")


def resolve_family(e: ir.Expr) -> tuple[FamilyChoice, ...]:
    """The alternatives a ``function = ...`` value allows, simplest first."""
    alts = _family(e)
    return tuple(sorted(alts, key=lambda c: FAMILY_RANK.get(c.name, 99)))


def _family(e: ir.Expr) -> list[FamilyChoice]:
    name, rest, bound = _bind("family", e)
    mods = _modifiers(name, bound)
    if name == "any":
        if not rest:
            raise WorldError("any(...) needs at least one family", e.span)
        out = [c for a in rest for c in _family(a)]
        return [_apply_mods(c, mods, e.span) for c in out]
    if name in ("unused", "symmetric", "logistic", "off_support_bump"):
        inner = _family(bound["family"][0])
        wrap: dict[str, Any]
        if name == "unused":
            k = _int_or_range(
                constant(bound["k"][0]) if "k" in bound else 1, "k", e.span, 1, "features"
            )
            wrap = {"unused": k}
        elif name == "symmetric":
            i = constant(bound["i"][0]) if "i" in bound else 0
            j = constant(bound["j"][0]) if "j" in bound else 1
            wrap = {"symmetric": _pair((i, j), e.span)}
        elif name == "logistic":
            wrap = {"link": "logistic"}
        else:
            h = constant(bound["height"][0]) if "height" in bound else 1.0
            if not _is_number(h) or h == 0:
                raise WorldError(f"height = {h!r} must be a nonzero number", e.span)
            wrap = {"off_support_bump": float(h)}
        return [_apply_mods(c, wrap, e.span) for c in inner]
    params = _family_params(name, bound, e.span)
    return [_apply_mods(FamilyChoice(name=name, params=params), mods, e.span)]


def _pair(v: Any, span: ir.Span | None) -> tuple[int, int]:
    if (
        not isinstance(v, tuple)
        or len(v) != 2
        or not all(_is_number(x) and _is_integral(x) and x >= 0 for x in v)
        or v[0] == v[1]
    ):
        raise WorldError(f"symmetric = {v!r} must be two distinct feature indices [i, j]", span)
    if max(v) >= limit("features"):
        raise over_limit("symmetric", list(v), "features", span)
    return (int(v[0]), int(v[1]))


def _modifiers(name: str, bound: dict[str, tuple[ir.Expr, Any]]) -> dict[str, Any]:
    mods: dict[str, Any] = {}
    for m in MODIFIER_NAMES:
        if m not in bound:
            continue
        expr, span = bound.pop(m)
        v = constant(expr)
        if m == "unused":
            mods[m] = _int_or_range(v, "unused", span, 0, "features")
        elif m == "symmetric":
            if v is not None and v != "none":
                mods[m] = _pair(v, span)
        elif m == "link":
            if v not in ("identity", "logistic"):
                raise WorldError(f"link = {v!r} must be identity or logistic", span)
            mods[m] = v
        elif v is True or (_is_number(v) and v):
            mods[m] = 1.0 if v is True else float(v)
        elif v not in (False, 0):
            raise WorldError(f"off_support_bump = {v!r} must be true or false", span)
    return mods


def _apply_mods(c: FamilyChoice, mods: Mapping[str, Any], span: ir.Span | None) -> FamilyChoice:
    if not mods:
        return c
    upd: dict[str, Any] = {}
    if "unused" in mods:
        k = mods["unused"]
        if c.unused:
            if isinstance(k, Range) or isinstance(c.unused, Range):
                raise WorldError("unused is given twice with a range; give one count", span)
            k = _cap(k + c.unused, "unused", "features", span)
        upd["unused"] = k
    if "symmetric" in mods:
        if c.symmetric is not None and c.symmetric != mods["symmetric"]:
            raise WorldError("symmetric is given twice with different pairs", span)
        upd["symmetric"] = mods["symmetric"]
    if mods.get("link", "identity") != "identity":
        upd["link"] = "logistic"
    if mods.get("off_support_bump"):
        upd["off_support_bump"] = mods["off_support_bump"]
    return replace(c, **upd)


def _family_params(
    name: str, bound: dict[str, tuple[ir.Expr, ir.Span | None]], span: ir.Span | None
) -> dict[str, Any]:
    if name in SOURCE_FAMILIES:  # a bound model (explainspec audit): worlds/sources
        from explainspec.worlds.sources.spec import family_params

        return family_params(bound, span)
    out: dict[str, Any] = {}
    for key, (expr, sp) in bound.items():
        if name == "model" and key == "on":
            out["on"] = resolve_family(expr)
            continue
        v = constant(expr)
        if key in given_spec.GIVEN.get(name, ()):  # a stated function: worlds/given_spec.py
            with _given(sp):
                out.update(given_spec.param(name, key, v))
        elif key in ("order", "width", "depth"):
            out[key] = _int_or_range(v, key, sp, 1, key)
        elif key == "terms":
            if isinstance(v, Range):
                raise WorldError(f"terms = {v} must be an integer >= 1 (not a range)", sp)
            out[key] = int(_int_or_range(v, key, sp, 1, "terms"))  # type: ignore[arg-type]
        elif key == "shapes":
            kinds = (v,) if isinstance(v, str) else v
            if (
                not isinstance(kinds, tuple)
                or not kinds
                or any(k not in SHAPE_KINDS for k in kinds)
            ):
                raise WorldError(
                    f"shapes = {v!r} must be a list of shape kinds from {', '.join(SHAPE_KINDS)}",
                    sp,
                )
            out[key] = tuple(k for k in SHAPE_KINDS if k in kinds)  # simplest first
        elif key == "kind":
            if v not in MODEL_KINDS:
                raise WorldError(f"kind = {v!r} must be one of {', '.join(MODEL_KINDS)}", sp)
            out[key] = v
        elif key == "bias":  # relu_net, mlp
            if not isinstance(v, bool):
                raise WorldError(f"bias = {v!r} must be true or false", sp)
            out[key] = v
        elif key == "activation":  # mlp
            if v not in NET_ACTIVATIONS:
                raise WorldError(
                    f"activation = {v!r} must be one of {', '.join(NET_ACTIVATIONS)}", sp
                )
            out[key] = v
        elif key == "text":
            if not isinstance(v, str):
                raise WorldError(f"formula(...) takes the formula as a string; got {v!r}", sp)
            from explainspec.worlds import formula_syntax

            where = expr.span
            if where is not None and isinstance(expr, ir.String):  # the text starts after '"'
                where = replace(where, column=where.column + 1)
            try:
                node = formula_syntax.parse(v, base=where)
            except formula_syntax.FormulaError as exc:
                raise WorldError(str(exc), exc.span or sp) from None
            used = formula_syntax.variables(node)
            if used and max(used) >= limit("features"):
                raise over_limit(
                    f"formula(...) uses x{max(used)}, so features", max(used) + 1, "features", sp
                )
            out["text"] = v
            out["min_d"] = max(used) + 1 if used else 1
        else:  # pragma: no cover - every declared parameter is handled above
            raise WorldError(f"{name}() parameter {key!r} is not supported yet", sp)
    if name == "model" and "on" not in out:
        out["on"] = (FamilyChoice(name="additive"),)
    with _given(span):
        given_spec.check_combination(name, out)
    return out


@contextmanager
def _given(span: ir.Span | None) -> Iterator[None]:
    """A :class:`~explainspec.worlds.given_spec.GivenError` as a :class:`WorldError` at ``span``."""
    try:
        yield
    except given_spec.GivenError as exc:
        raise WorldError(exc.message, span, code=exc.code, hint=exc.hint) from None


# --------------------------------------------------------------------------- distributions


def resolve_data(e: ir.Expr) -> tuple[DistChoice, ...]:
    name, rest, bound = _bind("distribution", e)
    if name == "any":
        if not rest:
            raise WorldError("any(...) needs at least one distribution", e.span)
        alts = [c for a in rest for c in resolve_data(a)]
        return tuple(sorted(alts, key=lambda c: DIST_RANK.get(c.name, 99)))
    if name in SOURCE_DISTRIBUTIONS:  # bound rows (explainspec audit): worlds/sources
        from explainspec.worlds.sources.spec import data_params

        return (DistChoice(name=name, params=data_params(bound)),)
    params: dict[str, Any] = {}
    for key, (expr, sp) in bound.items():
        v = constant(expr)
        if key == "levels":
            params[key] = _int_or_range(v, key, sp, 1, "levels")
        elif key == "n":
            params[key] = _int_or_range(v, key, sp, 1, "rows")
        elif key == "rho":
            lo = -1.0 if name == "gaussian" else 0.0
            params[key] = _float_or_range(v, "rho", sp, lo, 1.0)
        elif key == "categorical":
            params[key] = _float_or_range(v, "categorical", sp, 0.0, 1.0)
        elif key == "round":
            if not _is_number(v) or v < 0:
                raise WorldError(f"round = {v!r} must be a number >= 0", sp)
            params[key] = float(v)
        elif key == "values":
            if isinstance(v, str):
                if v not in ("symmetric", "drawn", "any"):
                    raise WorldError(f"values = {v!r} must be symmetric, drawn, any or a list", sp)
                params[key] = v
            elif isinstance(v, tuple) and v and all(_is_number(x) for x in v):
                if len(set(v)) != len(v):
                    raise WorldError(f"values = {list(v)} has repeated levels", sp)
                _cap(len(v), "the number of values", "levels", sp)
                params[key] = tuple(sorted(float(x) for x in v))
            else:
                raise WorldError(f"values = {v!r} must be symmetric, drawn, any or numbers", sp)
        elif key in ("cov", "rows"):
            if v is None or v == "none":
                continue
            if (
                not isinstance(v, tuple)
                or not v
                or not all(isinstance(r, tuple) and all(_is_number(x) for x in r) for r in v)
                or len({len(r) for r in v}) != 1
                or not v[0]
            ):
                raise WorldError(f"{key} must be a non-empty list of equal-length number lists", sp)
            _cap(len(v[0]), f"the width of {key}", "features", sp)
            _cap(len(v), f"the number of {key}", "rows", sp)
            params[key] = tuple(tuple(float(x) for x in r) for r in v)
            if key == "cov" and len(v) != len(v[0]):
                raise WorldError(f"cov must be square; got {len(v)}x{len(v[0])}", sp)
        else:  # pragma: no cover
            raise WorldError(f"{name}() parameter {key!r} is not supported yet", sp)
    if (
        name == "grid"
        and isinstance(params.get("values"), tuple)
        and params.get("levels", len(params["values"])) != len(params["values"])
    ):
        raise WorldError("grid(levels = L, values = [...]) needs L values", e.span)
    if name == "grid" and params.get("values") == "drawn":
        L = params.get("levels", 3)
        if (L.lo if isinstance(L, Range) else L) > DRAWN_LEVELS:
            raise WorldError(
                f"grid(levels = {L}, values = drawn): drawn values are distinct half-integers in "
                f"[-2, 2], so at most {DRAWN_LEVELS} levels; use values = symmetric or a list",
                e.span,
            )
    if name == "mixed":
        L = params.get("levels", 3)
        if (L.lo if isinstance(L, Range) else L) < 2:
            raise WorldError(f"mixed(levels = {L}) needs at least 2 categories", e.span)
    if name == "dependent" and "rho" not in params:
        params["rho"] = DEFAULT_RHO
    if name == "gaussian" and "cov" in params and "rho" in params:
        raise WorldError("gaussian takes rho or cov, not both", e.span)
    return (DistChoice(name=name, params=params),)


# --------------------------------------------------------------------------- the block


def resolve(
    block: ir.WorldBlock | None,
    *,
    base: WorldSpec | None = None,
    registries: Mapping[str, Registry] | None = None,
) -> WorldSpec:
    """Validate a world block and fill in defaults.

    Parameters
    ----------
    block : WorldBlock or None
        The (merged) world block of a claim.
    base : WorldSpec, optional
        Defaults for fields the block leaves out (default: :class:`WorldSpec` ()).
    registries : mapping of kind -> Registry, optional
        Where family and distribution names are looked up (default: the global registries).

    Raises
    ------
    WorldError
        Naming the field, its value, what was expected, with the span (and a code).
    """
    spec = base or WorldSpec()
    if block is None:
        return spec
    with _using(registries):
        upd: dict[str, Any] = {}
        for fld in block.fields:
            upd[fld.name] = _resolve_field(fld)
        spec = replace(spec, **upd)
        _validate(spec, block)
    return spec


def _resolve_field(fld: ir.WorldField) -> Any:
    name, e, span = fld.name, fld.value, fld.span or fld.value.span
    if name not in KNOWN_FIELDS:
        raise WorldError(f"unknown world field {name!r}; known: {', '.join(KNOWN_FIELDS)}", span)
    if name in ("function", "second"):
        return resolve_family(e)
    if name == "data":
        return resolve_data(e)
    if name == "features":
        v = constant(e)
        r = _int_or_range(v, "features", span, 1, "features")
        return r if isinstance(r, Range) else Range(r, r)
    if name == "background":
        if isinstance(e, ir.Name) and e.id == "data":
            return ("data",)
        if (
            isinstance(e, ir.Call)
            and isinstance(e.func, ir.Name)
            and e.func.id in ("sample", "kmeans")
        ):
            if len(e.args) + len(e.kwargs) != 1:
                raise WorldError(f"background = {e.func.id}(k) takes one argument k", span)
            v = constant(e.args[0] if e.args else e.kwargs[0].value)
            return (e.func.id, _int_or_range(v, "k", span, 1, "background"))
        if isinstance(e, ir.Call) and isinstance(e.func, ir.Name) and e.func.id == "rows":
            (d,) = resolve_data(e)
            _cap(len(d.params["rows"]), "the number of background rows", "background", span)
            return ("rows", d.params["rows"])
        raise WorldError(
            "background must be data, sample(k), kmeans(k) or rows([[...], ...])", span
        )
    if name == "points":
        if isinstance(e, ir.Call) and isinstance(e.func, ir.Name) and e.func.id == "anywhere":
            if len(e.args) + len(e.kwargs) != 1:
                raise WorldError("points = anywhere(k) takes one argument k", span)
            v = constant(e.args[0] if e.args else e.kwargs[0].value)
            return Anywhere(_int_or_range(v, "points", span, 1, "points"))
        v = constant(e)
        if isinstance(v, tuple):
            if not v or not all(isinstance(r, tuple) and all(_is_number(x) for x in r) for r in v):
                raise WorldError("points = [[...], ...] must be a list of points", span)
            _cap(len(v), "the number of points", "points", span)
            return tuple(tuple(float(x) for x in r) for r in v)
        return _int_or_range(v, "points", span, 1, "points")
    if name == "baseline":
        v = constant(e)
        if v in ("zeros", "mean", "point"):
            return v
        if isinstance(v, tuple) and v and all(_is_number(x) for x in v):
            return tuple(float(x) for x in v)
        raise WorldError(f"baseline = {v!r} must be zeros, mean, point or a list of numbers", span)
    if name == "target":
        if isinstance(e, ir.Name) and e.id in ("f", "g"):
            return e.id
        return resolve_family(e)
    if name == "noise":
        v = constant(e)
        if not _is_number(v) or not 0 <= v < math.inf:
            raise WorldError(
                f"noise = {v!r} must be a number >= 0 (the sd of Gaussian noise)", span
            )
        return float(v)
    if name == "labels":
        with _given(span):
            return given_spec.labels(constant(e))
    if name == "grid":
        v = constant(e)
        if v == "levels":
            return v
        if isinstance(v, Range):
            raise WorldError(f"grid = {v} must be an integer >= 2 or levels (not a range)", span)
        return int(_int_or_range(v, "grid", span, 2, "grid"))  # type: ignore[arg-type]
    # seed
    v = constant(e)
    if not (_is_number(v) and _is_integral(v) and v >= 0):
        raise WorldError(f"seed = {v!r} must be an integer >= 0", span)
    return int(v)


def _validate(spec: WorldSpec, block: ir.WorldBlock) -> None:
    def span_of(name: str) -> ir.Span | None:
        for f in block.fields:
            if f.name == name:
                return f.span or f.value.span
        return block.span

    need = min(c.min_features() for c in spec.function)
    if need > spec.features.hi:
        raise WorldError(
            f"features = {spec.features} is too few for function = "
            f"{' | '.join(c.describe() for c in spec.function)} (needs at least {need})",
            span_of("features"),
        )
    d_fixed = [len(d.params["rows"][0]) for d in spec.data if d.name == "rows"]
    d_fixed += [len(d.params["cov"]) for d in spec.data if "cov" in d.params]
    for k in d_fixed:
        if not spec.features.lo <= k <= spec.features.hi:
            raise WorldError(
                f"data has {k} features but features = {spec.features}", span_of("data")
            )
    if spec.target == "g" and spec.second is None:
        raise WorldError("target = g needs a second function (second = ...)", span_of("target"))
    with _given(span_of("labels")):
        given_spec.check_labels(spec)
    if isinstance(spec.points, tuple):
        widths = {len(p) for p in spec.points}
        if len(widths) != 1:
            raise WorldError("points have different lengths", span_of("points"))
    for c in spec.data:
        if c.name in SAMPLED:
            n = c.params.get("n", SAMPLED[c.name])
            n_hi = int(n.hi) if isinstance(n, Range) else int(n)
            if n_hi * int(spec.features.hi) > limit("cells"):
                raise over_limit(
                    f"{c.name}(n = {n}) with features = {spec.features}: n x features",
                    n_hi * int(spec.features.hi),
                    "cells",
                    span_of("data"),
                )


# --------------------------------------------------------------------------- drawability


def _levels_count(c: DistChoice) -> int | Range:
    if isinstance(c.params.get("values"), tuple):
        return len(c.params["values"])
    if c.name == "binary":
        return 2
    return c.params.get("levels", 3)  # type: ignore[no-any-return]


#: levels a ``grid(values = drawn)`` can take: the distinct half-integers in [-2, 2]
#: (``explainspec.worlds.strategies._HALVES``)
DRAWN_LEVELS = 9


def diagonal_possible(c: DistChoice) -> bool:
    """Whether a ``dependent``/``binary`` choice may draw 0 < rho < 1: its rows are then the
    product grid plus at least one copy of the diagonal."""
    if c.name not in ("dependent", "binary"):
        return False
    rho = c.params.get("rho", Range(0.0, 1.0) if c.name == "dependent" else 0.0)
    if isinstance(rho, Range):
        return rho.hi > 0 and rho.lo < 1
    return 0 < rho < 1


def dist_feasible(c: DistChoice, d: int, limits: Limits) -> bool:
    """Whether ``c`` can produce a distribution of ``d`` features within the limits."""
    if c.name == "rows":
        return len(c.params["rows"][0]) == d
    if "cov" in c.params:
        return len(c.params["cov"]) == d
    if c.name in SAMPLED:
        return True
    L = _levels_count(c)
    lo = int(L.lo) if isinstance(L, Range) else int(L)
    rho = c.params.get("rho", 0.5 if c.name == "dependent" else 0.0)
    if c.name in ("dependent", "binary") and not isinstance(rho, Range) and rho == 1:
        return lo <= limits.max_rows
    if diagonal_possible(c):  # the product grid and at least one copy of the diagonal
        return lo == 1 or lo**d + lo <= limits.max_rows
    return lo == 1 or lo**d <= limits.max_rows


def explicit_widths(spec: WorldSpec) -> dict[str, int]:
    """The number of features fixed by explicit points, baseline or background rows."""
    out = {}
    if isinstance(spec.points, tuple):
        out["points"] = len(spec.points[0])
    if isinstance(spec.baseline, tuple):
        out["baseline"] = len(spec.baseline)
    if spec.background[0] == "rows":
        out["background"] = len(spec.background[1][0])
    return out


def feasible_features(spec: WorldSpec) -> list[int]:
    """The numbers of features a world of ``spec`` can have (within its limits, and equal to
    the width of its explicit points, baseline and background rows)."""
    lo, hi = int(spec.features.lo), int(spec.features.hi)
    need = min(c.min_features() for c in spec.function)
    if spec.second:
        need = max(need, min(c.min_features() for c in spec.second))
    widths = set(explicit_widths(spec).values())
    return [
        d
        for d in range(max(lo, need), hi + 1)
        if any(dist_feasible(c, d, spec.limits) for c in spec.data) and widths <= {d}
    ]


def _even_levels(c: DistChoice) -> bool:
    """Whether every distribution of ``c`` has the same number of levels in every feature."""
    if c.name in ("grid", "dependent", "binary"):
        return True
    if c.name == "rows":
        rows = c.params["rows"]
        return len({len({r[j] for r in rows}) for j in range(len(rows[0]))}) == 1
    return False  # sample, gaussian: as many as the draw gives per column


def drawable(spec: WorldSpec) -> list[int]:
    """The numbers of features the search may draw for ``spec``, or a :class:`WorldError`
    (``ES228``) when none fits the search's limits, or its background or points are too many.

    What :func:`explainspec.worlds.from_world` checks before it builds a strategy; numpy-free,
    so ``explainspec check`` refuses the same specs.
    """
    ds = feasible_features(spec)
    widths = explicit_widths(spec)
    if (
        not ds
        and widths
        and feasible_features(spec.with_overrides(points=1, baseline="zeros", background=("data",)))
    ):
        fixed = ", ".join(f"{k} with {v} values" for k, v in widths.items())
        raise WorldError(
            f"features = {spec.features}, function = "
            f"{' | '.join(c.describe() for c in spec.function)} and data = "
            f"{' | '.join(c.describe() for c in spec.data)} admit no world with {fixed}: "
            "explicit points, baseline and background rows fix the number of features",
            code="ES228",
            hint="give them as many values as the world has features",
        )
    if not ds:
        raise WorldError(
            f"no number of features in {spec.features} fits function = "
            f"{' | '.join(c.describe() for c in spec.function)} and data = "
            f"{' | '.join(c.describe() for c in spec.data)} within max_rows="
            f"{spec.limits.max_rows} (the limit `finite_rows`: levels ** features rows, plus the diagonal of dependent data)",
            code="ES228",
            hint="fewer levels or fewer features",
        )
    if spec.grid == "levels":
        uneven = [c.describe() for c in spec.data if not _even_levels(c)]
        if uneven:
            raise WorldError(
                "grid = levels needs the same number of levels in every feature, which "
                f"{', '.join(uneven)} does not guarantee; use grid = N (N quantiles per feature)",
                code="ES228",
            )
    if isinstance(spec.background, tuple) and spec.background[0] in ("sample", "kmeans"):
        k = spec.background[1]
        k_hi = k.hi if isinstance(k, Range) else k
        if k_hi > spec.limits.max_background:
            raise WorldError(
                f"background = {spec.background[0]}({k}) exceeds max_background="
                f"{spec.limits.max_background}",
                code="ES228",
            )
    if isinstance(spec.points, int | Range | Anywhere):
        count = spec.points.k if isinstance(spec.points, Anywhere) else spec.points
        p_hi = count.hi if isinstance(count, Range) else count
        if p_hi > spec.limits.max_points:
            raise WorldError(
                f"points = {spec.points} exceeds max_points={spec.limits.max_points}",
                code="ES228",
            )
    return ds


def sized(spec: WorldSpec, features: int, rows: int, background: int) -> WorldSpec:
    """``spec`` with the upper end of every drawn size range lowered to the given bounds (a
    profile's :class:`~explainspec.runner.settings.Size`): the number of features, the ``n`` of a
    drawn data sample (``sample``, ``gaussian``, ``mixed``) and the ``k`` of a ``sample(k)`` /
    ``kmeans(k)`` background. A range never goes below its lower end, and a single size is kept
    as written: a spec that asks for d = 12 gets d = 12 at every profile.

    >>> s = sized(WorldSpec(features=Range(2, 16)), features=8, rows=200, background=100)
    >>> s.features
    Range(lo=2, hi=8)
    >>> sized(WorldSpec(features=Range(12, 16)), 8, 200, 100).features
    Range(lo=12, hi=12)
    """

    def clip(v: Any, bound: int) -> Any:
        if isinstance(v, Range) and v.hi > bound:
            return Range(v.lo, max(v.lo, type(v.hi)(bound)))
        return v

    data = tuple(
        replace(c, params={**c.params, "n": clip(c.params["n"], rows)})
        if "n" in c.params and isinstance(c.params["n"], Range)
        else c
        for c in spec.data
    )
    bg = spec.background
    if bg and bg[0] in ("sample", "kmeans"):
        bg = (bg[0], clip(bg[1], background))
    return replace(spec, features=clip(spec.features, features), data=data, background=bg)


def example_spec(
    block: ir.WorldBlock,
    *,
    base: WorldSpec | None = None,
    registries: Mapping[str, Registry] | None = None,
) -> WorldSpec:
    """The :class:`WorldSpec` of an explicit example world (see
    :func:`explainspec.worlds.build_example`): ``features`` defaults to the width of the
    explicit rows, points or baseline, and a drawn seed to 0."""
    spec = resolve(block, base=base, registries=registries)
    if block.get("features") is None:
        widths = {len(c.params["rows"][0]) for c in spec.data if c.name == "rows"}
        if isinstance(spec.points, tuple):
            widths.add(len(spec.points[0]))
        if isinstance(spec.baseline, tuple):
            widths.add(len(spec.baseline))
        if len(widths) > 1:
            raise WorldError(
                f"example rows, points and baseline disagree on d: {sorted(widths)}", block.span
            )
        if widths:
            w = widths.pop()
            spec = spec.with_overrides(features=Range(w, w))
        else:
            need = min(c.min_features() for c in spec.function)
            spec = spec.with_overrides(features=Range(need, max(need, int(spec.features.hi))))
    if spec.seed is None:
        spec = spec.with_overrides(seed=0)
    return spec
