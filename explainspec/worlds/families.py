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
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from explainspec.worlds import functions as fn
from explainspec.worlds.base import Function
from explainspec.worlds.functions import IDENTITY, Shape

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


def drawn_int(v: Any) -> st.SearchStrategy[int]:
    """A fixed integer, or one drawn from a :class:`~explainspec.worlds.spec.Range`."""
    if hasattr(v, "lo"):
        return st.integers(int(v.lo), int(v.hi))
    return st.just(int(v))


def factor_shapes(kinds: Sequence[str] | None) -> st.SearchStrategy[Shape]:
    """One factor of a product term (the coefficient lives in the term), simplest first."""
    return _factor_shapes(tuple(kinds or SHAPE_KINDS))


@functools.lru_cache(maxsize=64)
def _factor_shapes(kinds: tuple[str, ...]) -> st.SearchStrategy[Shape]:
    opts: list[st.SearchStrategy[Shape]] = []
    if "poly" in kinds:
        opts.append(st.sampled_from([Shape("pow", (k,)) for k in (1, 2, 3, 4)]))
    if "abs" in kinds:
        opts.append(st.just(Shape("abs")))
    if "relu" in kinds:
        opts.append(st.sampled_from(KNOTS).map(lambda c: Shape("relu", (c,))))
    if "step" in kinds:
        opts.append(st.sampled_from(THRESHOLDS).map(lambda t: Shape("step", (t,))))
    if "sin" in kinds:
        opts.append(st.sampled_from(FREQS).map(lambda a: Shape("sin", (a,))))
    if "tanh" in kinds:
        opts.append(st.sampled_from(FREQS).map(lambda a: Shape("tanh", (a,))))
    return st.one_of(opts)


@st.composite
def component_shapes(draw: Any, kinds: Sequence[str] | None) -> list[tuple[float, Shape]]:
    """A one-dimensional component ``g_j`` as a list of ``(coef, Shape)``: a polynomial of
    degree 1..4 (leading coefficient nonzero) or ``coef * shape`` for the other kinds."""
    kinds = tuple(kinds or SHAPE_KINDS)
    kind = draw(st.sampled_from(kinds))
    if kind == "poly":
        deg = draw(st.integers(1, 4))
        out = [(draw(coefs()), Shape("pow", (deg,)))]
        out += [(draw(offsets()), Shape("pow", (k,))) for k in range(1, deg)]
        return [(c, s) for c, s in out if c != 0]
    return [(draw(coefs()), draw(factor_shapes((kind,))))]


def _embed(f: Function, positions: Sequence[int]) -> Function:
    return fn.add_unused(f, positions) if positions else f


# --------------------------------------------------------------------------- the families


def linear_family(
    d: int, positions: Sequence[int], params: Mapping[str, Any], data: Array
) -> st.SearchStrategy[Function]:
    """``w . x + c`` with nonzero weights from :data:`COEFS`."""
    return st.builds(
        lambda w, c: _embed(fn.linear(w, c), positions),
        st.lists(coefs(), min_size=d, max_size=d),
        offsets(),
    )


def additive_family(
    d: int, positions: Sequence[int], params: Mapping[str, Any], data: Array
) -> st.SearchStrategy[Function]:
    """``c + sum_j g_j(x_j)``, every feature with a nonzero component."""
    kinds = params.get("shapes")
    return st.builds(
        lambda g, c: _embed(fn.additive(g, c), positions),
        st.lists(component_shapes(kinds), min_size=d, max_size=d),
        offsets(),
    )


@st.composite
def _product_terms(
    draw: Any, d: int, order: int, max_terms: int, kinds: Sequence[str] | None
) -> list[tuple[float, dict[int, Shape]]]:
    order = min(order, d)
    n = draw(st.integers(1, max(1, max_terms)))
    shapes = factor_shapes(kinds)
    terms: dict[frozenset[int], tuple[float, dict[int, Shape]]] = {}
    for t in range(n):
        size = order if t == 0 else draw(st.integers(1, order))
        feats = draw(st.lists(st.integers(0, d - 1), min_size=size, max_size=size, unique=True))
        key = frozenset(feats)
        if key in terms:  # one term per feature set: no cancellation, the order stays exact
            continue
        terms[key] = (draw(coefs()), {j: draw(shapes) for j in sorted(feats)})
    return list(terms.values())


#: ``_product_terms(...)`` built once per distinct arguments (they are all hashable)
_product_terms_of = functools.lru_cache(maxsize=4096)(_product_terms)


def interaction_family(
    d: int, positions: Sequence[int], params: Mapping[str, Any], data: Array
) -> st.SearchStrategy[Function]:
    """Sums of products of shapes, at most ``terms`` terms, one of exactly order ``order``."""

    @st.composite
    def draw_member(draw: Any) -> Function:
        order = draw(drawn_int(params.get("order", 2)))
        terms = draw(_product_terms_of(d, order, params.get("terms", 4), params.get("shapes")))
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
        k = draw(drawn_int(order)) if order is not None else draw(st.integers(1, d))
        terms = draw(_product_terms_of(d, k, params.get("terms", 4), ("poly",)))
        terms = [(c, dict.fromkeys(fs, IDENTITY)) for c, fs in terms]
        return _embed(fn.interaction(d, terms, draw(offsets())), positions)

    return draw_member()


def relu_net_family(
    d: int, positions: Sequence[int], params: Mapping[str, Any], data: Array
) -> st.SearchStrategy[Function]:
    """A ReLU network with weights from :data:`NET_WEIGHTS` and biases from :data:`OFFSETS`."""

    @st.composite
    def draw_member(draw: Any) -> Function:
        width = draw(drawn_int(params.get("width", 3)))
        depth = draw(drawn_int(params.get("depth", 1)))
        layers = []
        fan_in = d
        w = st.sampled_from(NET_WEIGHTS)
        for _ in range(depth):
            W = [draw(st.lists(w, min_size=fan_in, max_size=fan_in)) for _ in range(width)]
            b = draw(st.lists(offsets(), min_size=width, max_size=width))
            layers.append((W, b))
            fan_in = width
        layers.append(
            ([draw(st.lists(coefs(), min_size=fan_in, max_size=fan_in))], [draw(offsets())])
        )
        return _embed(fn.relu_net(layers, d), positions)

    return draw_member()


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
    a random small-integer target (splits at quarters, leaves rounded to 0.5)."""

    @st.composite
    def draw_member(draw: Any) -> Function:
        depth = draw(drawn_int(params.get("depth", 2)))
        seed = draw(st.integers(0, 2**16))
        rng = np.random.default_rng(seed)
        X = _training_grid(rng, d, positions)
        y = rng.integers(-2, 3, size=X.shape[0]).astype(float)
        return fn.fit_tree(X, y, depth, seed=seed)

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
        seed = draw(st.integers(0, 2**16))
        X = np.zeros_like(data, dtype=float)
        X[:, keep] = data[:, keep]
        y = np.asarray(label(data[:, keep]), float)
        return fn.fit_model(kind, X, y, seed=seed, trained_on=label.formula())

    return draw_member()


def formula_family(
    d: int, positions: Sequence[int], params: Mapping[str, Any], data: Array
) -> st.SearchStrategy[Function]:
    """The function of the given formula text (in the used features)."""
    return st.just(_embed(fn.formula(params["text"], d), positions))


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
    "relu_net": relu_net_family,
    "tree": tree_family,
    "model": model_family,
    "formula": formula_family,
}
