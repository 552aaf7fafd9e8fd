"""The builtin functions of check expressions, and the attribute names a check may use.

Plain data (no numpy import): the semantic checker, ``explainspec list`` and the docs read these
entries without importing the implementations, which live in :mod:`explainspec.expr.builtins`.

Conventions shared by every builtin: arguments are converted with ``numpy.asarray``; functions of
one array that reduce (``sum``, ``mean``, ``max`` with one argument, ...) reduce over *all*
elements unless ``axis`` is given; element-wise functions keep the shape.
"""

from __future__ import annotations

from typing import Final

from explainspec.catalog._common import entry
from explainspec.registry import Entry, Param

#: Attribute names a check may read on a value (``f.component(i, t)``, ``f.weights``,
#: ``background.T``). Nothing else is reachable, and never a name starting with ``_``.
ATTRIBUTES: Final[frozenset[str]] = frozenset(
    {
        "component",
        "uses",
        "weights",
        "intercept",
        "term",
        "terms",
        "grad",
        "swap",
        "formula",
        "d",
        "T",
        "shape",
    }
)

_A = Param(name="a", type="array", doc="a number or an array")
_B = Param(name="b", type="array", doc="a number or an array")
_AXIS = Param(name="axis", type="int | None", default=None, doc="reduce along this axis only")
_DDOF = Param(name="ddof", type="int", default=0, doc="delta degrees of freedom")


def _entry(
    name: str,
    doc: str,
    returns: str,
    params: tuple[Param, ...] = (_A,),
    *,
    variadic: bool = False,
    attr: str | None = None,
    module: str = "builtins",
) -> Entry:
    return entry(
        "builtin",
        name,
        doc,
        params,
        target=f"explainspec.expr.{module}:{attr or name}",
        variadic=variadic,
        returns=returns,
    )


_LIFTS = " Of a function, the function composed with it (`exp(f)`: exact gradient and uses)."
_F = Param(name="f", type="function", doc="a function: f, g, or one built from them")
_S = Param(name="S", type="subset", doc="a subset of the features, e.g. {0, 2}")
_P = Param(name="P", type="data", doc="a finite distribution, or its rows (n, d)")
_VALUES = Param(
    name="values", type="array", doc="the values in order, e.g. a list [... for h in ...]"
)


ENTRIES: list[Entry] = [
    _entry(
        "sum",
        "Sum of the elements (along `axis` if given).",
        "number, or array without `axis`",
        (_A, _AXIS),
        attr="sum_",
    ),
    _entry(
        "mean",
        "Arithmetic mean of the elements (along `axis` if given).",
        "number, or array without `axis`",
        (_A, _AXIS),
    ),
    _entry("abs", "Absolute value, element-wise." + _LIFTS, "same shape as `a`", attr="abs_"),
    _entry(
        "sign",
        "Sign (-1, 0 or 1), element-wise. `sign(a) == sign(b)` has its own margin: min(|a|, |b|), negative where the signs differ."
        + _LIFTS,
        "same shape as `a`",
    ),
    _entry(
        "max",
        "One argument: the largest element. Several: the element-wise maximum (broadcast).",
        "number (one argument) or broadcast shape",
        variadic=True,
        attr="max_",
    ),
    _entry(
        "min",
        "One argument: the smallest element. Several: the element-wise minimum (broadcast).",
        "number (one argument) or broadcast shape",
        variadic=True,
        attr="min_",
    ),
    _entry(
        "norm",
        "The p-norm of all elements (Euclidean by default).",
        "number",
        (
            _A,
            Param(
                name="p",
                type="float",
                default=2,
                doc="order of the norm; `inf` for the maximum norm",
            ),
        ),
    ),
    _entry(
        "argmax",
        "Index of the largest element of the flattened array (the first one on ties).",
        "int",
    ),
    _entry(
        "argmin",
        "Index of the smallest element of the flattened array (the first one on ties).",
        "int",
    ),
    _entry(
        "argsort",
        "Indices that sort `a` ascending (stable); `argsort(-a)` for descending.",
        "int array, shape of `a`",
    ),
    _entry(
        "rank",
        "Ranks 1..n of the elements of a 1-d array, ascending, ties get the average rank.",
        "float array, shape of `a`",
    ),
    _entry(
        "corr",
        "Pearson correlation of two 1-d arrays of equal length; NaN if one is constant (and NaN never passes a comparison).",
        "number",
        (_A, _B),
    ),
    _entry(
        "all",
        "True if every element is true. As a condition, `all(a <= b)` keeps the margin of the comparison.",
        "bool",
        attr="all_",
    ),
    _entry(
        "any",
        "True if some element is true. As a condition, `any(a <= b)` keeps the best margin of the comparison.",
        "bool",
        attr="any_",
    ),
    _entry(
        "len", "Length of the first axis; the number of features of a subset.", "int", attr="len_"
    ),
    _entry("sqrt", "Square root, element-wise." + _LIFTS, "same shape as `a`"),
    _entry("exp", "Exponential, element-wise." + _LIFTS, "same shape as `a`"),
    _entry("log", "Natural logarithm, element-wise." + _LIFTS, "same shape as `a`"),
    _entry(
        "std",
        "Standard deviation of the elements (population, ddof = 0, unless given).",
        "number",
        (_A, _DDOF),
    ),
    _entry(
        "var",
        "Variance of the elements (population, ddof = 0, unless given).",
        "number",
        (_A, _DDOF),
    ),
    _entry(
        "range",
        "Integers like Python's range: range(stop), range(start, stop), range(start, stop, step).",
        "int array",
        (
            Param(name="start", type="int"),
            Param(name="stop", type="int | None", default=None),
            Param(name="step", type="int", default=1),
        ),
        attr="range_",
    ),
    _entry(
        "zeros",
        "An array of zeros of the given shape (an int or a list of ints).",
        "float array",
        (Param(name="shape", type="int | list"),),
    ),
    _entry(
        "ones",
        "An array of ones of the given shape (an int or a list of ints).",
        "float array",
        (Param(name="shape", type="int | list"),),
    ),
    _entry(
        "dot",
        "Dot product (matrix product for 2-d arrays), like `a @ b`.",
        "number or array",
        (_A, _B),
    ),
    _entry(
        "clip",
        "Limit the values to [lo, hi], element-wise.",
        "same shape as `a`",
        (_A, Param(name="lo", type="number"), Param(name="hi", type="number")),
    ),
    _entry(
        "round",
        "Round to `decimals` decimals, element-wise (halves to even)." + _LIFTS,
        "same shape as `a`",
        (_A, Param(name="decimals", type="int", default=0)),
        attr="round_",
    ),
    _entry("floor", "Largest integer not above `a`, element-wise." + _LIFTS, "same shape as `a`"),
    _entry(
        "swap",
        "A copy of `a` with positions `i` and `j` exchanged along `axis` (the last by default): `swap(phi, 0, 1)` is the attribution vector with features 0 and 1 exchanged, for symmetry claims with `f.swap(i, j)`.",
        "same shape as `a`",
        (
            _A,
            Param(name="i", type="int"),
            Param(name="j", type="int"),
            Param(name="axis", type="int", default=-1),
        ),
    ),
    _entry(
        "member",
        "True if feature `i` belongs to the coalition with bitmask `S` (bit i of S is set). Coalition-indexed oracles (`moebius`, `nshapley`) index subsets by bitmask.",
        "bool (array if `S` is an array)",
        (Param(name="i", type="int"), Param(name="S", type="int | int array")),
    ),
    _entry(
        "popcount",
        "Size |S| of the coalition with bitmask `S` (the number of set bits), element-wise.",
        "int (array if `S` is an array)",
        (Param(name="S", type="int | int array"),),
    ),
]

ENTRIES += [
    # ---- functions as values (explainspec.expr.functions, worlds/derived.py)
    _entry(
        "sigmoid",
        "The logistic function 1 / (1 + exp(-a)), element-wise." + _LIFTS,
        "same shape as `a`",
        module="functions",
    ),
    _entry(
        "logit",
        "The log-odds log(p / (1 - p)), element-wise (the inverse of sigmoid)." + _LIFTS,
        "same shape as `a`",
        module="functions",
    ),
    _entry(
        "tanh",
        "Hyperbolic tangent, element-wise." + _LIFTS,
        "same shape as `a`",
        module="functions",
    ),
    _entry(
        "restrict",
        "f with the features outside S fixed at the point `at`: z -> f(z_S, at_-S) (same d; "
        "exact terms for term functions, uses(i) exact for formulas and trees).",
        "function",
        (_F, _S, Param(name="at", type="point", doc="where the other features are fixed, (d,)")),
        module="functions",
    ),
    _entry(
        "permute",
        "f with its features reordered by the permutation p, so that permute(f, p)(x[p]) = "
        "f(x): feature k of the result is feature p[k] of f. Of an array: a[..., p].",
        "function (of a function) or array",
        (
            Param(name="f", type="function | array", doc="a function, or an array"),
            Param(name="p", type="[int]", doc="a permutation of 0 .. d - 1"),
        ),
        module="functions",
    ),
    _entry(
        "bump",
        "A tent bump height * prod_j max(0, 1 - |x_j - c_j| / width): height at `center`, 0 "
        "where a feature is `width` or more away (exact terms, gradient, uses). Add it: f + bump(...).",
        "function",
        (
            Param(name="center", type="point", doc="the top of the bump, (d,)"),
            Param(name="width", type="float", doc="the half-width in every feature", low=0),
            Param(name="height", type="float", default=1.0, doc="the value at the centre"),
        ),
        module="functions",
    ),
    _entry(
        "off_support_bump",
        "A tent bump located off the support of the finite P: 0 on every row of P, `height` at "
        "its centre. f + off_support_bump(P, h) agrees with f on the data.",
        "function",
        (_P, Param(name="height", type="float", default=1.0, doc="the value at the centre")),
        module="functions",
    ),
    _entry(
        "quadratic_at",
        "z -> value + slope . (z - x) + curvature * ||z - x||^2: the quadratic with the given "
        "value and gradient at x. f + quadratic_at(x) agrees with f at x to first order.",
        "function",
        (
            Param(name="x", type="point", doc="where the value and slope are given, (d,)"),
            Param(name="value", type="float", default=0.0, doc="h(x)"),
            Param(name="slope", type="float | array", default=0.0, doc="the gradient at x"),
            Param(name="curvature", type="float", default=1.0, doc="of ||z - x||^2"),
        ),
        module="functions",
    ),
    _entry(
        "comb",
        "The binomial coefficient n choose k (exact integer; 0 when k is outside 0..n): the "
        "number of k-subsets of n features, e.g. in Shapley weights 1 / (d * comb(d - 1, |S|)).",
        "int",
        (Param(name="n", type="int", low=0), Param(name="k", type="int")),
    ),
    # ---- subsets (explainspec.expr.subsets)
    _entry(
        "subsets",
        "Every subset of the features 0 .. n - 1 (or of the subset n), without those in "
        "`without`, of `size` features if given; smallest first. At most limit range (2 ** 19).",
        "list of subsets",
        (
            Param(name="n", type="int | subset", doc="the number of features (d), or a subset"),
            Param(name="without", type="subset | None", default=None, doc="features left out"),
            Param(name="size", type="int | None", default=None, doc="only subsets of this size"),
        ),
        module="subsets",
    ),
    _entry(
        "bitmask",
        "The bitmask of a subset (feature i is bit i): its index in a coalition-indexed result "
        "such as moebius(f, x, P) (which can also be indexed by the subset itself).",
        "int",
        (_S,),
        module="subsets",
    ),
    # ---- trends over a sweep (explainspec.expr.trends)
    _entry(
        "decreasing",
        "True if each value is at most (strict: below) the one before, element-wise. As a "
        "condition its margin is min_k (v[k] - v[k + 1]).",
        "bool",
        (_VALUES, Param(name="strict", type="bool", default=False)),
        module="trends",
    ),
    _entry(
        "increasing",
        "True if each value is at least (strict: above) the one before, element-wise. As a "
        "condition its margin is min_k (v[k + 1] - v[k]).",
        "bool",
        (_VALUES, Param(name="strict", type="bool", default=False)),
        module="trends",
    ),
    _entry(
        "converges",
        "True if the values approach `to`: the last is within `within` of it (largest "
        "element-wise error), and the error never grows while it is above `within`. As a "
        "condition: the smaller of within - e_last and max(e_k, within) - e_(k+1).",
        "bool",
        (
            _VALUES,
            Param(name="to", type="array", doc="the limit: a number or an array"),
            Param(name="within", type="float", doc="the tolerance of the last value", low=0),
        ),
        module="trends",
    ),
    # ---- statistics of the data (explainspec.expr.statistics)
    _entry(
        "cond_mean",
        "E[f(X) | X_S = x_S] over the finite P, S = given: at every row of P, or at the point "
        "`at`. f is a function or one value per row of P (such as y).",
        "float array (n,), or a number with `at`",
        (
            Param(name="f", type="function | array", doc="a function, or values at the rows of P"),
            _P,
            Param(name="given", type="subset | None", default=None, doc="the features S"),
            Param(name="at", type="point | None", default=None, doc="a point (its S values)"),
        ),
        module="statistics",
    ),
    _entry(
        "cond_var",
        "Var[f(X) | X_S = x_S] over the finite P (population variance), like cond_mean.",
        "float array (n,), or a number with `at`",
        (
            Param(name="f", type="function | array", doc="a function, or values at the rows of P"),
            _P,
            Param(name="given", type="subset | None", default=None, doc="the features S"),
            Param(name="at", type="point | None", default=None, doc="a point (its S values)"),
        ),
        module="statistics",
    ),
    _entry(
        "quantile",
        "The q-quantile(s) of the elements (linear interpolation between order statistics).",
        "number, or the shape of q",
        (_A, Param(name="q", type="float | array", doc="in [0, 1]")),
        module="statistics",
    ),
    _entry(
        "sort",
        "The elements of a 1-d array in increasing order (descending = true: decreasing).",
        "array, shape of `a`",
        (_A, Param(name="descending", type="bool", default=False)),
        module="statistics",
    ),
    _entry(
        "spearman",
        "Spearman's rank correlation of two 1-d arrays (scipy.stats.spearmanr); NaN if one is constant.",
        "number",
        (_A, _B),
        module="statistics",
    ),
    _entry(
        "kendall",
        "Kendall's rank correlation tau-b of two 1-d arrays (scipy.stats.kendalltau, ties "
        "handled); NaN if one is constant.",
        "number",
        (_A, _B),
        module="statistics",
    ),
    _entry(
        "linspace",
        "n evenly spaced numbers from a to b, both included.",
        "float array (n,)",
        (
            Param(name="a", type="float"),
            Param(name="b", type="float"),
            Param(name="n", type="int", low=1, limit="range"),
        ),
        module="statistics",
    ),
    _entry(
        "noise",
        "Gaussian noise N(0, scale**2) of the given shape, drawn from the seed (pass `seed`, the "
        "world's method seed): reproducible, new in every world and replicate; `stream = k` "
        "for independent draws.",
        "float array of `shape` (a number for shape [])",
        (
            Param(name="seed", type="int", doc="the seed: `seed` (the method seed of the world)"),
            Param(name="scale", type="float", default=1.0, doc="the standard deviation", low=0),
            Param(name="shape", type="int | [int]", default=(), doc="e.g. d, or [n, d]"),
            Param(name="stream", type="int", default=0, doc="independent draws from one seed"),
        ),
        module="statistics",
    ),
]
