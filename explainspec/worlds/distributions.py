"""Data distributions of the worlds.

Finite distributions are uniform over ``rows`` (a multiset: a row that appears k times carries
mass k/n), so every expectation, conditional expectation and permutation limit is an exact finite
mean. :class:`GaussianDistribution` is continuous (``rows = None``); a world then carries a finite
sample of it as ``data``.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from explainspec.catalog.limits import check_size
from explainspec.worlds.symbolic import number_text

Array = np.ndarray

#: Default bound on the number of rows of a finite distribution (oracles enumerate them).
MAX_ROWS = 4096


def _fmt_values(values: Any) -> str:
    return "{" + ", ".join(number_text(v) for v in values) + "}"


class FiniteDistribution:
    """The uniform distribution over the multiset ``rows`` (shape ``(n, d)``).

    Parameters
    ----------
    rows : array-like, shape (n, d)
    name : str
        How it was declared (``grid``, ``dependent``, ``sample``, ``binary``, ``rows``).
    params : dict
        The declared parameters (shown by :meth:`describe`).
    realized : dict
        Exactly realized quantities (``rho``: the dependent mass as a ``Fraction``).
    declared_independent : bool
        Whether the construction makes the features independent (checked by :meth:`is_product`).
    """

    def __init__(
        self,
        rows: Any,
        name: str = "rows",
        params: dict[str, Any] | None = None,
        realized: dict[str, Any] | None = None,
        declared_independent: bool = False,
    ) -> None:
        r = np.array(rows, dtype=float)
        if r.ndim != 2 or r.shape[0] == 0 or r.shape[1] == 0:
            raise ValueError(f"rows must be a non-empty (n, d) array; got shape {r.shape}")
        r.setflags(write=False)
        self.rows = r
        self.d = int(r.shape[1])
        self.name = name
        self.params = dict(params or {})
        self.realized = dict(realized or {})
        self.declared_independent = declared_independent
        self._support: Array | None = None
        self._levels: tuple[Array, ...] | None = None

    @property
    def n(self) -> int:
        return int(self.rows.shape[0])

    @property
    def mean(self) -> Array:
        return self.rows.mean(axis=0)

    @property
    def cov(self) -> Array:
        """The exact covariance of the pmf (divides by n, not n - 1)."""
        return np.atleast_2d(np.cov(self.rows, rowvar=False, bias=True))

    @property
    def rho(self) -> float | None:
        """The realized dependent mass (``dependent``, ``binary``), else ``None``."""
        r = self.realized.get("rho")
        return None if r is None else float(r)

    def levels(self, j: int) -> Array:
        """The sorted distinct values of feature ``j`` (computed once, read-only)."""
        if self._levels is None:
            lv = tuple(np.unique(self.rows[:, k]) for k in range(self.d))
            for v in lv:
                v.setflags(write=False)
            self._levels = lv
        return self._levels[j]

    def support(self) -> Array:
        """The sorted distinct rows (computed once, read-only): the points where the pmf is
        positive."""
        if self._support is None:
            u = np.unique(self.rows, axis=0)
            u.setflags(write=False)
            self._support = u
        return self._support

    def probabilities(self) -> tuple[Array, list[Fraction]]:
        """The distinct support points and their exact probabilities."""
        counts = Counter(map(tuple, self.rows.tolist()))
        pts = sorted(counts)
        return np.array(pts, float), [Fraction(counts[p], self.n) for p in pts]

    def is_product(self) -> bool:
        """Whether the pmf is exactly the product of its marginals (independent features)."""
        n, d = self.n, self.d
        joint = Counter(map(tuple, self.rows.tolist()))
        margins = [Counter(self.rows[:, j].tolist()) for j in range(d)]
        if len(joint) != int(np.prod([len(m) for m in margins], dtype=float)):
            return False
        for z, c in joint.items():
            prod = 1
            for j in range(d):
                prod *= margins[j][z[j]]
            if c * n ** (d - 1) != prod:
                return False
        return True

    def sample(self, n: int, rng: np.random.Generator) -> Array:
        return self.rows[rng.integers(0, self.n, size=int(n))]

    def describe(self) -> str:
        args = ", ".join(f"{k} = {_show(v)}" for k, v in self.params.items())
        head = f"{self.name}({args})"
        distinct, probs = self.probabilities()
        if self.declared_independent and self.d > 0:
            margins = "; ".join(f"x{j} in {_fmt_values(self.levels(j))}" for j in range(self.d))
            body = f"independent, uniform marginals: {margins}"
        elif len(distinct) <= 8:
            body = ", ".join(
                f"P({', '.join(number_text(v) for v in z)}) = {p}"
                for z, p in zip(distinct, probs, strict=True)
            )
        else:
            body = f"{len(distinct)} distinct rows"
        extra = ""
        if "rho" in self.realized:
            extra = f"; realized dependent mass {self.realized['rho']}"
        return f"{head}: uniform over {self.n} rows; {body}{extra}"

    def __repr__(self) -> str:
        return f"<FiniteDistribution {self.describe()}>"


def _fmt_list(values: Any) -> str:
    return "[" + ", ".join(number_text(v) for v in values) + "]"


def _show(v: Any) -> str:
    if isinstance(v, float | int | np.number):
        return number_text(float(v))
    return repr(v)


class ContinuousSample(np.ndarray):
    """Rows drawn from a continuous distribution (``continuous_source``): an ordinary float
    array that remembers where it came from.

    A world of a ``gaussian`` P carries such a sample as its data (and background). Its pmf
    has no two rows that agree on a feature, so the oracles that condition on ``X_S = x_S``
    (conditional games, M-plots, conditional permutation importance) would return trivial values
    on it; they read the mark and refuse (``explainspec.oracles._common.refuse_continuous_sample``).
    Views (rows, columns, slices, copies) keep the mark; computed results (``2 * data``,
    ``mean(data)``) are plain arrays, and ``np.asarray`` gives the plain array a library expects.
    """

    continuous_source: Any

    def __new__(cls, rows: Any, source: Any) -> ContinuousSample:
        obj = np.asarray(rows, dtype=float).view(cls)
        obj.continuous_source = source
        return obj

    def __array_finalize__(self, obj: Any) -> None:
        self.continuous_source = getattr(obj, "continuous_source", None)

    def __array_wrap__(self, arr: Any, context: Any = None, return_scalar: bool = False) -> Any:
        plain = np.asarray(arr).view(np.ndarray)
        return plain[()] if return_scalar else plain

    def __reduce__(self) -> Any:
        return (ContinuousSample, (np.asarray(self).view(np.ndarray), self.continuous_source))


class GaussianDistribution:
    """``N(mean, cov)``: continuous, ``rows = None``; :meth:`sample` returns a
    :class:`ContinuousSample`."""

    rows = None

    def __init__(self, mean: Any, cov: Any, params: dict[str, Any] | None = None) -> None:
        self.mean = np.asarray(mean, float)
        self.cov = np.atleast_2d(np.asarray(cov, float))
        self.d = int(self.mean.shape[0])
        if self.cov.shape != (self.d, self.d):
            raise ValueError(f"cov must have shape ({self.d}, {self.d}); got {self.cov.shape}")
        if not np.allclose(self.cov, self.cov.T):
            raise ValueError("cov must be symmetric")
        if np.linalg.eigvalsh(self.cov).min() < -1e-12:
            raise ValueError("cov must be positive semi-definite")
        self.params = dict(params or {})
        self.name = "gaussian"
        self.declared_independent = bool(np.all(self.cov == np.diag(np.diag(self.cov))))

    def is_product(self) -> bool:
        return self.declared_independent

    def sample(self, n: int, rng: np.random.Generator) -> Array:
        _check_sample(n, self.d, "gaussian")
        return ContinuousSample(_normal_rows(self.mean, self.cov, n, rng), self)

    def describe(self) -> str:
        args = ", ".join(f"{k} = {_show(v)}" for k, v in self.params.items())
        cov = "[" + ", ".join(_fmt_list(r) for r in np.round(self.cov, 3)) + "]"
        return f"gaussian({args}): mean {_fmt_list(self.mean)}, cov {cov}"

    def __repr__(self) -> str:
        return f"<GaussianDistribution {self.describe()}>"


def _normal_rows(mean: Array, cov: Array, n: int, rng: np.random.Generator) -> Array:
    """``n`` draws of ``N(mean, cov)`` for any positive semi-definite ``cov``: the eigenvalue
    factorisation, so singular covariances (``rho = 1``, or the smallest equicorrelation
    ``-1 / (d - 1)``) are sampled on their support instead of failing like Cholesky does."""
    return rng.multivariate_normal(mean, cov, size=int(n), method="eigh")


# --------------------------------------------------------------------------- constructors


def symmetric_levels(L: int) -> Array:
    """``L`` nice values symmetric around 0: ``{-1, 1}``, ``{-1, 0, 1}``, ``{-1.5, ..., 1.5}``,
    ``{-2, ..., 2}``, ... (integers for odd L, halves for even L)."""
    if L < 1:
        raise ValueError(f"levels={L} must be at least 1")
    if L == 2:
        return np.array([-1.0, 1.0])
    return np.arange(L, dtype=float) - (L - 1) / 2


def _check_sample(n: int, d: int, name: str) -> None:
    """Refuse a drawn sample size over the documented limits (``catalog/limits.py``) before
    allocating it: ``n`` rows, ``n x d`` numbers."""
    check_size("rows", n, f"the rows of a {name}(n = ...) sample")
    check_size("cells", int(n) * int(d), f"rows x features of a {name}(n = ...) sample")


def _check_rows(count: float, what: str, max_rows: int) -> None:
    if count > max_rows:
        raise ValueError(f"{what} has {int(count)} rows, more than max_rows={max_rows}")


def grid(
    d: int,
    levels: int = 3,
    values: Sequence[Sequence[float]] | None = None,
    max_rows: int = MAX_ROWS,
) -> FiniteDistribution:
    """The product of ``d`` uniform marginals: all ``prod_j |values_j|`` combinations once.

    ``values[j]`` are the levels of feature ``j`` (default :func:`symmetric_levels`).
    """
    vals = [np.asarray(v, float) for v in values] if values is not None else None
    if vals is None:
        vals = [symmetric_levels(levels)] * d
    if len(vals) != d:
        raise ValueError(f"values has {len(vals)} marginals, expected d={d}")
    _check_rows(
        np.prod([len(v) for v in vals], dtype=float), f"grid(levels = {levels}) in d={d}", max_rows
    )
    rows = np.array(list(itertools.product(*vals)), float).reshape(-1, d)
    params: dict[str, Any] = {"levels": levels}
    return FiniteDistribution(rows, "grid", params, declared_independent=True)


@functools.lru_cache(maxsize=4096)
def dependence_counts(
    rho: float, n_product: int, n_diag: int, max_rows: int, tolerance: float = 0.01
) -> tuple[int, int]:
    """Copies ``(a, b)`` of the product grid (``n_product`` rows) and of the diagonal
    (``n_diag`` rows) whose diagonal mass ``b n_diag / (a n_product + b n_diag)`` is within
    ``tolerance`` of ``rho`` with the fewest rows (else nearest ``rho``), within ``max_rows``.

    When ``max_rows`` cannot hold enough diagonal copies for ``rho`` (a large grid: 3**6 = 729
    product rows need 1377 diagonal copies, 4860 rows, for ``rho = 0.85``), the nearest mass
    that fits is realized (0.82 there) and recorded; ``ValueError`` only if not even one
    diagonal copy fits next to the product grid."""
    if not 0 <= rho <= 1:
        raise ValueError(f"rho={rho} must be in [0, 1]")
    if rho == 0:
        return 1, 0
    if rho == 1:
        return 0, 1
    target = Fraction(rho).limit_denominator(10**9)
    cands: list[tuple[float, int, int, int]] = []
    for a in range(1, max(1, max_rows // n_product) + 1):
        b0 = rho * a * n_product / ((1 - rho) * n_diag)
        # the largest b that fits bounds the realizable mass when rho is out of reach
        b_fit = (max_rows - a * n_product) // n_diag
        for b in {int(np.floor(b0)), int(np.ceil(b0)), min(int(np.ceil(b0)), b_fit)}:
            total = a * n_product + b * n_diag
            if b < 1 or total > max_rows:
                continue
            cands.append((float(abs(Fraction(b * n_diag, total) - target)), total, a, b))
    if not cands:
        raise ValueError(f"dependent(rho = {rho}) cannot be realized within max_rows={max_rows}")
    close = [c for c in cands if c[0] <= tolerance]
    best = min(close, key=lambda c: (c[1], c[0])) if close else min(cands)
    return best[2], best[3]


def dependent(
    d: int,
    rho: float,
    levels: int = 3,
    values: Sequence[float] | None = None,
    max_rows: int = MAX_ROWS,
    name: str = "dependent",
) -> FiniteDistribution:
    """A mixture of the product grid and the perfectly dependent rows ``(v, v, ..., v)``.

    The dependent part has mass ``rho`` as nearly as integer row counts allow; the realized mass
    is recorded exactly in ``realized["rho"]`` (a ``Fraction``). ``rho = 0`` is the product grid.
    """
    vals = np.asarray(values, float) if values is not None else symmetric_levels(levels)
    n_product = len(vals) ** d
    _check_rows(
        n_product if rho < 1 else len(vals), f"{name}(levels = {len(vals)}) in d={d}", max_rows
    )
    a, b = dependence_counts(float(rho), n_product, len(vals), max_rows)
    parts = []
    if a:
        parts.append(np.tile(np.array(list(itertools.product(vals, repeat=d)), float), (a, 1)))
    if b:
        parts.append(np.repeat(np.repeat(vals[:, None], d, axis=1), b, axis=0))
    rows = np.concatenate(parts).reshape(-1, d)
    realized = Fraction(b * len(vals), a * n_product + b * len(vals))
    params: dict[str, Any] = {"rho": rho} if name == "binary" else {"rho": rho, "levels": len(vals)}
    return FiniteDistribution(
        rows, name, params, {"rho": realized}, declared_independent=(b == 0 or d == 1)
    )


def binary(d: int, rho: float = 0.0, max_rows: int = MAX_ROWS) -> FiniteDistribution:
    """Binary features in ``{0, 1}``: the uniform product, mixed with ``(0,...,0)``/``(1,...,1)``
    with mass ``rho``."""
    return dependent(d, rho, values=[0.0, 1.0], max_rows=max_rows, name="binary")


def sample(
    d: int,
    n: int,
    rng: np.random.Generator,
    rho: float = 0.0,
    round_to: float = 0.5,
) -> FiniteDistribution:
    """The empirical pmf of ``n`` draws of an equicorrelated Gaussian (correlation ``rho``),
    rounded to multiples of ``round_to`` for readability; the pmf of the rounded rows is exact."""
    _check_sample(n, d, "sample")
    cov = np.full((d, d), float(rho))
    np.fill_diagonal(cov, 1.0)
    X = _normal_rows(np.zeros(d), cov, n, rng)
    if round_to:
        X = np.round(X / round_to) * round_to
    X = X + 0.0  # no negative zeros in readable output
    return FiniteDistribution(X, "sample", {"n": n, "rho": rho})


def mixed(
    d: int,
    n: int,
    rng: np.random.Generator,
    rho: float = 0.0,
    categorical: float = 0.5,
    levels: int = 3,
) -> FiniteDistribution:
    """Mixed continuous and categorical features: ``n`` draws of an equicorrelated Gaussian
    (correlation ``rho``) whose first ``round(categorical * d)`` columns are cut into ``levels``
    equally likely categories ``0 .. levels - 1`` at the standard normal's quantiles; the other
    columns are kept as drawn. The pmf of the ``n`` rows is exact (a finite distribution)."""
    from statistics import NormalDist

    _check_sample(n, d, "mixed")
    if not 0 <= categorical <= 1:
        raise ValueError(f"categorical={categorical} must be in [0, 1]")
    if levels < 2:
        raise ValueError(f"levels={levels} must be at least 2")
    cov = np.full((d, d), float(rho))
    np.fill_diagonal(cov, 1.0)
    X = rng.multivariate_normal(np.zeros(d), cov, size=int(n), method="cholesky")
    k = int(round(categorical * d))
    if k:
        cuts = np.array([NormalDist().inv_cdf(q / levels) for q in range(1, levels)])
        X[:, :k] = np.searchsorted(cuts, X[:, :k]).astype(float)
    X = X + 0.0  # no negative zeros in readable output
    params = {"n": n, "rho": rho, "categorical": categorical, "levels": levels}
    return FiniteDistribution(X, "mixed", params, {"categorical": k})


def gaussian(d: int, rho: float = 0.0, cov: Any = None, mean: Any = None) -> GaussianDistribution:
    """``N(mean, cov)``; by default mean 0 and the equicorrelation matrix of ``rho``."""
    if cov is None:
        if not -1 / max(d - 1, 1) <= rho <= 1:
            raise ValueError(f"rho={rho} is not a valid equicorrelation for d={d}")
        cov = np.full((d, d), float(rho))
        np.fill_diagonal(cov, 1.0)
        params: dict[str, Any] = {"rho": rho}
    else:
        params = {"cov": np.asarray(cov, float).tolist()}
    return GaussianDistribution(np.zeros(d) if mean is None else mean, cov, params)


def from_rows(rows: Any) -> FiniteDistribution:
    """An explicit finite distribution: uniform over the given rows."""
    return FiniteDistribution(rows, "rows", {})


def grid_points(P: Any, data: Array, m: int | None = None, max_levels: int = 21) -> Array:
    """The ``(d, m)`` evaluation grid of curve methods.

    For a finite ``P`` whose features all have the same number of distinct values (at most
    ``max_levels``) and no ``m`` is asked: the sorted distinct levels of each feature. Otherwise
    ``m`` quantiles (``inverted_cdf``: always values that occur) of each column of ``data``.
    """
    d = data.shape[1]
    if P.rows is not None and m is None:
        lv = [P.levels(j) for j in range(d)]
        if len({len(v) for v in lv}) == 1 and len(lv[0]) <= max_levels:
            return np.stack(lv)
        m = min(max(len(v) for v in lv), max_levels)
    m = m or 9
    check_size("grid", m, "the evaluation points of the grid")
    check_size("cells", m * d, "evaluation points x features of the grid")
    q = np.linspace(0, 1, m)
    # all columns at once: inverted_cdf picks order statistics, the same values column by column
    return np.ascontiguousarray(np.quantile(data, q, axis=0, method="inverted_cdf").T)
