"""Hypothesis strategies for the members of each function family.

Each ``<name>_family(d, positions, params, data)`` returns a strategy of functions of
``D = d + len(positions)`` features that ignore the features at ``positions`` (the ``unused``
modifier) and have the family's structure in the other ``d``. ``data`` are the world's data rows
(``(n, D)``; the ``model`` family trains on them).

Draws are ordered so hypothesis' natural shrinking simplifies: alternatives are
``sampled_from`` lists ordered simplest first (identity before ``x**2`` before ``sin``,
coefficient 1 before -1 before 2 ...), sizes are ``integers`` drawn from their lower bound, and
feature subsets shrink toward ``[0, 1, ...]``.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from explainspec.worlds import fitted, given
from explainspec.worlds import functions as fn
from explainspec.worlds.base import Function
from explainspec.worlds.functions import IDENTITY, Shape
from explainspec.worlds.spec import Range

Array = np.ndarray

#: nonzero coefficients, simplest first
COEFS = (1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0, 1.5, -1.5)
#: intercepts and lower-order coefficients, simplest first (zero first)
OFFSETS = (0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0)
KNOTS = (0.5, -0.5, 1.0, -1.0, 1.5, -1.5)  # relu kinks (nonzero: keeps the basis independent)
THRESHOLDS = (0.0, 0.5, -0.5, 1.0, -1.0)
FREQS = (1.0, 2.0, 0.5, 3.0)
NET_WEIGHTS = (1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 0.0)

SHAPE_KINDS = ("poly", "abs", "relu", "step", "sin", "tanh")


# built once: a strategy object built per draw costs hypothesis a validation and a label each time
_COEFS = st.sampled_from(COEFS)
_OFFSETS = st.sampled_from(OFFSETS)


def coefs() -> st.SearchStrategy[float]:
    return _COEFS


def offsets() -> st.SearchStrategy[float]:
    return _OFFSETS


# --------------------------------------------------------------------------- draw helpers
#
# Every ``draw`` costs hypothesis a span, a validation and a label, whether or not it makes a
# choice; a world is dozens of draws, so they are kept to the choices that matter: a fixed value
# is not drawn, and a pick among finitely many alternatives (a shape, a feature subset, a set of
# grid levels) is one ``sampled_from`` over all of them, ordered simplest first, instead of a
# nest of ``one_of``/``lists``/``map``. Hypothesis shrinks such a pick toward the first
# alternative, so each list below is ordered the way the nested draws used to shrink. Where the
# nesting set the odds (a shape's kind before its parameter), the two picks stay two.


@functools.lru_cache(maxsize=4096)
def integers(lo: int, hi: int) -> st.SearchStrategy[int]:
    """``st.integers(lo, hi)``, built once per range (hypothesis' own cache is slower to hit)."""
    return st.integers(lo, hi)


@functools.lru_cache(maxsize=4096)
def index_lists(n: int, size: int, unique: bool = False) -> st.SearchStrategy[list[int]]:
    """Lists of ``size`` indices into ``range(n)``, built once per shape."""
    return st.lists(integers(0, n - 1), min_size=size, max_size=size, unique=unique)


SEEDS16 = st.integers(0, 2**16)


def draw_int(draw: Any, v: Any) -> int:
    """``v`` itself, or an integer drawn from the :class:`~explainspec.worlds.spec.Range` ``v``
    (shrinking toward its lower end)."""
    if hasattr(v, "lo"):
        lo, hi = int(v.lo), int(v.hi)
        return lo if lo >= hi else int(draw(integers(lo, hi)))
    return int(v)


_SAMPLED: dict[Any, tuple[tuple[Any, ...], st.SearchStrategy[Any]]] = {}
_MAX_CACHED = 4096


def sampled(values: Sequence[Any]) -> st.SearchStrategy[Any]:
    """``st.sampled_from(values)``, one strategy object per distinct tuple of values."""
    if type(values) is tuple:  # a cached tuple (shape options ...): found by identity, unhashed
        hit = _SAMPLED.get(("id", id(values)))
        if hit is not None and hit[0] is values:
            return hit[1]
    values = tuple(values)
    try:
        key: Any = (values, hash(values))
    except TypeError:  # e.g. choices with dict parameters: keyed by identity
        key = ("id", tuple(id(v) for v in values))
    hit = _SAMPLED.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], values, strict=True)):
        return hit[1]
    if len(_SAMPLED) >= _MAX_CACHED:
        _SAMPLED.clear()
    strategy = st.sampled_from(list(values))
    _SAMPLED[key] = (values, strategy)
    _SAMPLED[("id", id(values))] = (values, strategy)  # the entry keeps ``values`` alive
    return strategy


def pick(draw: Any, values: Sequence[Any]) -> Any:
    """One of ``values`` (simplest first; the only one is not drawn)."""
    if len(values) == 1:
        return values[0]
    return draw(sampled(values))


@functools.lru_cache(maxsize=1024)
def subsets(n: int, k: int) -> tuple[tuple[int, ...], ...]:
    """The ``k``-subsets of ``range(n)`` in lexicographic order: ``(0, 1, ..., k-1)`` first, the
    subset a list of distinct indices shrinking toward 0 ends at."""
    return tuple(itertools.combinations(range(n), k))


@functools.lru_cache(maxsize=1024)
def _subsets_strategy(n: int, k: int) -> st.SearchStrategy[tuple[int, ...]]:
    return st.sampled_from(subsets(n, k))


#: at most this many k-subsets are listed for one pick; beyond (C(100, 8) is 1.9e11) the
#: subset is drawn as k distinct indices instead
MAX_LISTED_SUBSETS = 4096


def pick_subset(draw: Any, n: int, k: int) -> tuple[int, ...]:
    """``k`` distinct indices of ``range(n)`` (increasing); shrinks toward ``(0, ..., k-1)``."""
    if k <= 0:
        return ()
    if k >= n:
        return tuple(range(n))
    if math.comb(n, k) > MAX_LISTED_SUBSETS:
        return tuple(sorted(draw(index_lists(n, k, unique=True))))
    return draw(_subsets_strategy(n, k))


# --------------------------------------------------------------------------- shapes


@functools.lru_cache(maxsize=64)
def _canonical(kinds: tuple[str, ...]) -> tuple[str, ...]:
    """``kinds`` in :data:`SHAPE_KINDS` order (simplest first), whatever order a spec gave."""
    return tuple(k for k in SHAPE_KINDS if k in kinds)


def pick_shape(draw: Any, kinds: tuple[str, ...]) -> Shape:
    """A factor shape: its kind (each kind equally likely, whatever its number of parameters),
    then its parameter; both shrink toward the first (``x`` is the simplest shape)."""
    return pick(draw, shape_options((pick(draw, kinds),)))


@functools.lru_cache(maxsize=64)
def shape_options(kinds: tuple[str, ...]) -> tuple[Shape, ...]:
    """Every factor shape of ``kinds``, simplest first: kinds in :data:`SHAPE_KINDS` order, then
    their parameters in the order of their constants (``x`` before ``x**2``, knot 0.5 first ...)."""
    opts: list[Shape] = []
    if "poly" in kinds:
        opts += [Shape("pow", (k,)) for k in (1, 2, 3, 4)]
    if "abs" in kinds:
        opts.append(Shape("abs"))
    if "relu" in kinds:
        opts += [Shape("relu", (c,)) for c in KNOTS]
    if "step" in kinds:
        opts += [Shape("step", (t,)) for t in THRESHOLDS]
    if "sin" in kinds:
        opts += [Shape("sin", (a,)) for a in FREQS]
    if "tanh" in kinds:
        opts += [Shape("tanh", (a,)) for a in FREQS]
    return tuple(opts)


def component(draw: Any, kinds: Sequence[str] | None) -> list[tuple[float, Shape]]:
    """A one-dimensional component ``g_j`` as a list of ``(coef, Shape)``: a polynomial of
    degree 1..4 (leading coefficient nonzero) or ``coef * shape`` for the other kinds."""
    kinds = tuple(kinds or SHAPE_KINDS)
    kind = pick(draw, kinds)
    if kind == "poly":
        deg = draw(integers(1, 4))
        out = [(draw(coefs()), Shape("pow", (deg,)))]
        out += [(draw(offsets()), Shape("pow", (k,))) for k in range(1, deg)]
        return [(c, s) for c, s in out if c != 0]
    return [(draw(coefs()), pick(draw, shape_options((kind,))))]


def _embed(f: Function, positions: Sequence[int]) -> Function:
    return fn.add_unused(f, positions) if positions else f


# --------------------------------------------------------------------------- the families


def linear_family(
    d: int, positions: Sequence[int], params: Mapping[str, Any], data: Array
) -> st.SearchStrategy[Function]:
    """``w . x + c`` with nonzero weights from :data:`COEFS`, or the given ``weights`` (padded
    with zeros to ``d`` features) and ``intercept`` (0 when the weights are given)."""
    given = params.get("weights")

    @st.composite
    def draw_member(draw: Any) -> Function:
        if given is not None:
            w = [*given, *([0.0] * (d - len(given)))][:d]
            c = params.get("intercept", 0.0)
        else:
            w = [draw(coefs()) for _ in range(d)]
            c = params["intercept"] if "intercept" in params else draw(offsets())
        return _embed(fn.linear(w, c), positions)

    return draw_member()


def additive_family(
    d: int, positions: Sequence[int], params: Mapping[str, Any], data: Array
) -> st.SearchStrategy[Function]:
    """``c + sum_j g_j(x_j)``, every feature with a nonzero component."""
    kinds = params.get("shapes")

    @st.composite
    def draw_member(draw: Any) -> Function:
        g = [component(draw, kinds) for _ in range(d)]
        return _embed(fn.additive(g, draw(offsets())), positions)

    return draw_member()


def product_terms(
    draw: Any, d: int, order: int, max_terms: int, kinds: Sequence[str] | None
) -> list[tuple[float, dict[int, Shape]]]:
    """At most ``max_terms`` product terms over distinct feature sets, the first of exactly
    ``order`` features. Factors are shapes of ``kinds`` (``None``: every kind); ``kinds=()``
    makes every factor the identity, drawing no shape (multilinear terms)."""
    order = min(order, d)
    n = draw_int(draw, Range(1, max(1, max_terms)))
    shapes = _canonical(tuple(kinds or SHAPE_KINDS)) if kinds != () else None
    if n * (order + 2) > MAX_DRAWN_WEIGHTS:  # too many picks for one example: from a seed
        return _seeded_terms(draw(SEEDS16), d, order, n, shapes)
    terms: dict[frozenset[int], tuple[float, dict[int, Shape]]] = {}
    for t in range(n):
        size = order if t == 0 else draw_int(draw, Range(1, order))
        feats = pick_subset(draw, d, size)
        key = frozenset(feats)
        if key in terms:  # one term per feature set: no cancellation, the order stays exact
            continue
        coef = draw(coefs())
        terms[key] = (
            coef,
            {j: IDENTITY if shapes is None else pick_shape(draw, shapes) for j in feats},
        )
    return list(terms.values())


def _seeded_terms(
    seed: int, d: int, order: int, n: int, shapes: tuple[str, ...] | None
) -> list[tuple[float, dict[int, Shape]]]:
    """:func:`product_terms` with every pick taken by ``numpy.random.default_rng(seed)`` from
    the same value sets (for term counts whose picks would exceed hypothesis' budget)."""
    rng = np.random.default_rng(seed)
    options = shape_options(shapes) if shapes is not None else (IDENTITY,)
    terms: dict[frozenset[int], tuple[float, dict[int, Shape]]] = {}
    for t in range(n):
        size = order if t == 0 else int(rng.integers(1, order + 1))
        feats = sorted(rng.choice(d, size=size, replace=False).tolist())
        key = frozenset(feats)
        if key not in terms:
            shapes_of = {j: options[int(rng.integers(len(options)))] for j in feats}
            terms[key] = (float(rng.choice(COEFS)), shapes_of)
    return list(terms.values())


def interaction_family(
    d: int, positions: Sequence[int], params: Mapping[str, Any], data: Array
) -> st.SearchStrategy[Function]:
    """Sums of products of shapes, at most ``terms`` terms, one of exactly order ``order``."""

    @st.composite
    def draw_member(draw: Any) -> Function:
        order = draw_int(draw, params.get("order", 2))
        terms = product_terms(draw, d, order, params.get("terms", 4), params.get("shapes"))
        return _embed(fn.interaction(d, terms, draw(offsets())), positions)

    return draw_member()


def multilinear_family(
    d: int, positions: Sequence[int], params: Mapping[str, Any], data: Array
) -> st.SearchStrategy[Function]:
    """``c + sum_S coef_S prod_{i in S} x_i``; the first term has order ``order`` (default:
    drawn from 1..d)."""

    @st.composite
    def draw_member(draw: Any) -> Function:
        order = params.get("order")
        k = draw_int(draw, order if order is not None else Range(1, d))
        terms = product_terms(draw, d, k, params.get("terms", 4), ())
        return _embed(fn.interaction(d, terms, draw(offsets())), positions)

    return draw_member()


def _network_layers(draw: Any, d: int, params: Mapping[str, Any]) -> list[Any]:
    """Hidden layers with weights from :data:`NET_WEIGHTS` and biases from :data:`OFFSETS`
    (all 0 with ``bias = false``), then a linear output layer with weights from :data:`COEFS`."""
    width = draw_int(draw, params.get("width", 3))
    depth = draw_int(draw, params.get("depth", 1))
    bias = bool(params.get("bias", True))
    if (d + 1) * width + (depth - 1) * (width + 1) * width + width + 1 > MAX_DRAWN_WEIGHTS:
        return _seeded_layers(draw(SEEDS16), d, width, depth, bias)
    layers = []
    fan_in = d
    w = st.sampled_from(NET_WEIGHTS)
    for _ in range(depth):
        W = [draw(st.lists(w, min_size=fan_in, max_size=fan_in)) for _ in range(width)]
        b = draw(st.lists(offsets(), min_size=width, max_size=width)) if bias else [0.0] * width
        layers.append((W, b))
        fan_in = width
    out = [draw(st.lists(coefs(), min_size=fan_in, max_size=fan_in))]
    layers.append((out, [draw(offsets())] if bias else [0.0]))
    return layers


def relu_net_family(
    d: int, positions: Sequence[int], params: Mapping[str, Any], data: Array
) -> st.SearchStrategy[Function]:
    """A ReLU network with weights from :data:`NET_WEIGHTS` and biases from :data:`OFFSETS`, or
    the given ``layers`` (:mod:`explainspec.worlds.given`)."""
    if "layers" in params:
        return given.given_network_strategy(d, positions, params, data)

    @st.composite
    def draw_member(draw: Any) -> Function:
        return _embed(fn.relu_net(_network_layers(draw, d, params), d), positions)

    return draw_member()


def mlp_family(
    d: int, positions: Sequence[int], params: Mapping[str, Any], data: Array
) -> st.SearchStrategy[Function]:
    """A network with ``activation`` hidden units (relu: the relu_net formulas; tanh, gelu:
    :class:`explainspec.worlds.nets.NetFunction`), drawn as :func:`relu_net_family` draws."""
    from explainspec.worlds import nets

    activation = str(params.get("activation", "relu"))
    if activation not in nets.ACTIVATIONS:
        raise ValueError(f"mlp(activation = {activation!r}) is not one of {nets.ACTIVATIONS}")
    bias = bool(params.get("bias", True))

    @st.composite
    def draw_member(draw: Any) -> Function:
        layers = _network_layers(draw, d, params)
        return _embed(nets.mlp(layers, d, activation, bias), positions)

    return draw_member()


#: a network with more weights and biases than this draws them from one seed: drawing each
#: one would exceed hypothesis' budget of choices per example (a width-256 net on 100 features
#: has 25,857), so such worlds could not be built; small nets keep one draw per weight, which
#: shrinks toward simpler nets
MAX_DRAWN_WEIGHTS = 512


def _seeded_layers(seed: int, d: int, width: int, depth: int, bias: bool) -> list[Any]:
    """Layers whose weights and biases are taken from the same value sets as drawn ones (biases
    0 with ``bias = false``), by ``numpy.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    layers = []
    fan_in = d
    for _ in range(depth):
        W = rng.choice(NET_WEIGHTS, size=(width, fan_in))
        b = rng.choice(OFFSETS, size=width).tolist() if bias else [0.0] * width
        layers.append((W.tolist(), b))
        fan_in = width
    out_b = [float(rng.choice(OFFSETS))] if bias else [0.0]
    layers.append(([rng.choice(COEFS, size=fan_in).tolist()], out_b))
    return layers


def _training_grid(rng: np.random.Generator, d: int, positions: Sequence[int]) -> Array:
    """At most 64 rows of a product of 3 distinct halves in [-2, 2] per used feature; the
    unused columns are constant 0 (a tree never splits on a constant column)."""
    D = d + len(positions)
    halves = np.arange(-4, 5) / 2
    levels = [np.sort(rng.choice(halves, size=3, replace=False)) for _ in range(d)]
    idx = rng.integers(0, 3, size=(min(64, 3**d), d))
    if 3**d <= 64:
        idx = np.array(np.meshgrid(*[range(3)] * d, indexing="ij")).reshape(d, -1).T
    used = np.stack([levels[j][idx[:, j]] for j in range(d)], axis=1)
    X = np.zeros((used.shape[0], D))
    X[:, [k for k in range(D) if k not in positions]] = used
    return X


def tree_family(
    d: int, positions: Sequence[int], params: Mapping[str, Any], data: Array
) -> st.SearchStrategy[Function]:
    """A real ``DecisionTreeRegressor(max_depth = depth)`` fitted on a small grid of halves with
    a random small-integer target (splits at quarters, leaves rounded to 0.5), or the tree of the
    given ``splits`` with covers counted on ``data`` (:mod:`explainspec.worlds.given`)."""
    if "splits" in params:
        return given.given_tree_strategy(d, positions, params, data)

    @st.composite
    def draw_member(draw: Any) -> Function:
        depth = draw_int(draw, params.get("depth", 2))
        seed = draw(SEEDS16)
        rng = np.random.default_rng(seed)
        X = _training_grid(rng, d, positions)
        y = rng.integers(-2, 3, size=X.shape[0]).astype(float)
        return fitted.fit_tree(X, y, depth, seed=seed)

    return draw_member()


def model_family(
    d: int, positions: Sequence[int], params: Mapping[str, Any], data: Array
) -> st.SearchStrategy[Function]:
    """A scikit-learn model fitted on the world's data (unused columns set to 0) labelled by a
    function drawn from the ``on`` families (default ``additive``)."""
    from explainspec.worlds.strategies import family_member

    kind = params.get("kind", "gbr")
    D = d + len(positions)
    keep = [k for k in range(D) if k not in positions]

    @st.composite
    def draw_member(draw: Any) -> Function:
        label = draw(family_member(params["on"], d, data[:, keep]))
        seed = draw(SEEDS16)
        X = np.zeros_like(data, dtype=float)
        X[:, keep] = data[:, keep]
        y = np.asarray(label(data[:, keep]), float)
        return fitted.fit_model(kind, X, y, seed=seed, trained_on=label.formula())

    return draw_member()


def formula_family(
    d: int, positions: Sequence[int], params: Mapping[str, Any], data: Array
) -> st.SearchStrategy[Function]:
    """The function of the given formula text (in the used features)."""
    return st.just(_embed(fn.formula(params["text"], d), positions))


polynomial_family = given.polynomial_family  # the polynomial of given terms: worlds/given.py


def any_family(*args: Any, **kwargs: Any) -> Any:  # pragma: no cover - resolved by spec.resolve
    raise TypeError("any(...) is resolved by explainspec.worlds.resolve, not called")


def _modifier(*args: Any, **kwargs: Any) -> Any:  # pragma: no cover
    raise TypeError("modifiers are resolved by explainspec.worlds.resolve, not called")


unused_family = symmetric_family = logistic_family = off_support_bump_family = _modifier

BUILDERS = {
    "linear": linear_family,
    "additive": additive_family,
    "multilinear": multilinear_family,
    "interaction": interaction_family,
    "polynomial": polynomial_family,
    "relu_net": relu_net_family,
    "mlp": mlp_family,
    "tree": tree_family,
    "model": model_family,
    "formula": formula_family,
}
