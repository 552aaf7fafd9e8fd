"""Built-in data distributions of the worlds, declared as plain data (no numpy import here).

Finite distributions are uniform over a multiset of rows, so every expectation is an exact mean.
Parameters written as ranges (``rho = 0..0.9``) are drawn and shrink toward the lower end;
``rho = 0`` is independence.
"""

from __future__ import annotations

from explainspec.catalog._common import entry
from explainspec.catalog.sources import DISTRIBUTIONS as _SOURCE_DISTRIBUTIONS
from explainspec.registry import Entry, Param

_T = "explainspec.worlds.distributions"


def _dist(
    name: str,
    doc: str,
    params: tuple[Param, ...],
    *,
    finite: bool,
    independent: str,
    variadic: bool = False,
    target: str | None = None,
) -> Entry:
    return entry(
        "distribution",
        name,
        doc,
        params,
        target=target or f"{_T}:{name}",
        variadic=variadic,
        finite=finite,
        independent=independent,
    )


ENTRIES: list[Entry] = [
    _dist(
        "grid",
        "Product of d uniform L-point marginals (all L**d combinations once).",
        (
            Param(name="levels", type="int | range", default=3, doc="points per marginal"),
            Param(
                name="values",
                type="'symmetric' | 'drawn' | 'any' | [number]",
                default="any",
                doc="symmetric: {-1, 0, 1}, {-1.5, ..., 1.5}, ...; drawn: distinct halves in "
                "[-2, 2] per feature; or the explicit levels",
            ),
        ),
        finite=True,
        independent="always",
    ),
    _dist(
        "dependent",
        "Mixture of the product grid and the perfectly dependent rows (v, v, ..., v), the "
        "latter with mass rho as nearly as integer row counts within the row limit allow "
        "(realized mass reported).",
        (
            Param(
                name="rho",
                type="float | range",
                default="0..0.9",
                doc="dependent mass in [0, 1]; by default drawn from 0..0.9, shrinking to 0",
            ),
            Param(name="levels", type="int | range", default=3, doc="points per marginal"),
        ),
        finite=True,
        independent="iff rho = 0",
    ),
    _dist(
        "binary",
        "Binary features in {0, 1}: the uniform product mixed with (0, ..., 0) and (1, ..., 1) "
        "with mass rho.",
        (Param(name="rho", type="float | range", default=0.0, doc="dependent mass in [0, 1]"),),
        finite=True,
        independent="iff rho = 0",
    ),
    _dist(
        "sample",
        "The empirical pmf of n draws from an equicorrelated Gaussian, rounded for readability.",
        (
            Param(name="n", type="int | range", default=32, doc="number of rows"),
            Param(name="rho", type="float | range", default=0.0, doc="correlation"),
            Param(name="round", type="float", default=0.5, doc="round values to multiples of this"),
        ),
        finite=True,
        independent="no (an empirical sample)",
    ),
    _dist(
        "mixed",
        "Mixed continuous and categorical features: the empirical pmf of n draws from an "
        "equicorrelated Gaussian in which the first round(categorical * d) features are cut "
        "into `levels` equally likely categories 0, 1, ..., levels - 1 (at the Gaussian's "
        "quantiles) and the others are kept as drawn (continuous, not rounded).",
        (
            Param(name="n", type="int | range", default=200, doc="number of rows"),
            Param(name="rho", type="float | range", default=0.0, doc="correlation"),
            Param(
                name="categorical",
                type="float | range",
                default=0.5,
                doc="share of the features that are categorical, in [0, 1]",
            ),
            Param(
                name="levels",
                type="int | range",
                default=3,
                doc="categories per categorical feature",
            ),
        ),
        finite=True,
        independent="no (an empirical sample)",
    ),
    _dist(
        "gaussian",
        "Continuous N(0, cov) (equicorrelation rho, or an explicit cov); the world's data is a "
        "sample of n rows, which oracles conditioning on X_S = x_S refuse (ask them about P).",
        (
            Param(name="rho", type="float | range", default=0.0, doc="equicorrelation"),
            Param(name="cov", type="[[number]] | none", default=None, doc="explicit covariance"),
            Param(name="n", type="int", default=64, doc="rows of the world's data sample"),
        ),
        finite=False,
        independent="iff cov is diagonal",
    ),
    _dist(
        "rows",
        "An explicit finite distribution: uniform over the given rows (a multiset).",
        (Param(name="rows", type="[[number]]", doc="the rows, e.g. [[0, 0], [1, 1]]"),),
        finite=True,
        independent="if the rows form a product",
        target=f"{_T}:from_rows",
    ),
    _dist(
        "any",
        "One of the given distributions (drawn; shrinks toward the first that is simplest: "
        "grid, binary, dependent, sample, mixed, gaussian).",
        (),
        finite=True,
        independent="depends",
        variadic=True,
        target="explainspec.worlds.spec:resolve",
    ),
]
ENTRIES += _SOURCE_DISTRIBUTIONS  # bound world sources (explainspec audit): catalog/sources.py
