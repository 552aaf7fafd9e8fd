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
) -> Entry:
    return entry(
        "builtin",
        name,
        doc,
        params,
        target=f"explainspec.expr.builtins:{attr or name}",
        variadic=variadic,
        returns=returns,
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
    _entry("abs", "Absolute value, element-wise.", "same shape as `a`", attr="abs_"),
    _entry(
        "sign",
        "Sign (-1, 0 or 1), element-wise. `sign(a) == sign(b)` has its own margin: min(|a|, |b|), negative where the signs differ.",
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
    _entry("len", "Length of the first axis.", "int", attr="len_"),
    _entry("sqrt", "Square root, element-wise.", "same shape as `a`"),
    _entry("exp", "Exponential, element-wise.", "same shape as `a`"),
    _entry("log", "Natural logarithm, element-wise.", "same shape as `a`"),
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
        "Round to `decimals` decimals, element-wise (halves to even).",
        "same shape as `a`",
        (_A, Param(name="decimals", type="int", default=0)),
        attr="round_",
    ),
    _entry("floor", "Largest integer not above `a`, element-wise.", "same shape as `a`"),
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
