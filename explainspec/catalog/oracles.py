"""The exact oracles a check expression may call (ground truth, never the method under test).

Plain data (no numpy import): the semantic checker, ``explainspec list`` and the docs read these
entries without importing the implementations in :mod:`explainspec.oracles`.

Conventions shared by every oracle: ``f`` is any callable ``(n, d) -> (n,)`` (a world's function
may offer exact shortcuts); ``P`` is a distribution or a rows array ``(n, d)`` with uniform
weights (a multiset); coalition-indexed results use bitmasks (feature ``i`` is in ``S`` iff
``S >> i & 1``).
"""

from __future__ import annotations

from explainspec.catalog._common import entry
from explainspec.catalog.oracles_paths import ENTRIES as _PATH_ENTRIES
from explainspec.catalog.oracles_tabular import ENTRIES as _TABULAR
from explainspec.catalog.sources import ORACLES as _SOURCE_ORACLES
from explainspec.registry import Entry, Param

_F = Param(name="f", type="function", doc="the function, any callable (n, d) -> (n,)")
_X = Param(name="x", type="point", doc="the point to explain, (d,)")
_P = Param(name="P", type="data", doc="the distribution, or its rows (n, d) with uniform weights")
_B = Param(name="b", type="point", doc="the baseline point, (d,)")
_J = Param(name="j", type="int", doc="the feature (0-based)")
_T = Param(name="t", type="array", doc="value(s) of feature j: a number or an array")
_Y = Param(
    name="y",
    type="array",
    doc="targets of the rows of P, (n,), or a function of X such as `target` (needed for a "
    "Gaussian P)",
)
_LOSS = Param(
    name="loss", type="str", default="squared", doc="'squared' (y - f)^2 or 'absolute' |y - f|"
)

_MODULES = {
    "shapley": "shapley",
    "shapley_conditional": "shapley",
    "shapley_baseline": "shapley",
    "shapley_path": "shapley",
    "banzhaf": "shapley",
    "moebius": "shapley",
    "shapley_interaction": "shapley",
    "nshapley": "shapley",
    "pd": "curves",
    "ice": "curves",
    "mplot": "curves",
    "ale": "curves",
    "pfi": "importance",
    "cpi": "importance",
    "grad": "gradients",
    "integrated_gradients": "gradients",
    "occlusion": "gradients",
    "counterfactual_l2": "gradients",
    "value": "games",
}


def _entry(name: str, doc: str, returns: str, params: tuple[Param, ...]) -> Entry:
    return entry(
        "oracle",
        name,
        doc,
        params,
        target=f"explainspec.oracles.{_MODULES[name]}:{name}",
        returns=returns,
    )


ENTRIES: list[Entry] = [
    _entry(
        "shapley",
        "Interventional Shapley values: the game v(S) = E_P f(x_S, X_-S), enumerated exactly "
        "(term-wise at any d when f has terms); a Gaussian P: closed form for f of degree <= 2.",
        "(d,)",
        (_F, _X, _P),
    ),
    _entry(
        "shapley_conditional",
        "Observational Shapley values: the game v(S) = E_P[f(X) | X_S = x_S] by exact filtering "
        "of a finite P (x must be a row of P); closed form for a Gaussian P and f of degree "
        "<= 2; rows sampled from a continuous P are refused (every conditional is one row).",
        "(d,)",
        (_F, _X, _P),
    ),
    _entry(
        "shapley_baseline",
        "Baseline Shapley values (BShap): the game v(S) = f(x_S, b_-S).",
        "(d,)",
        (_F, _X, _B),
    ),
    _entry(
        "shapley_path",
        "Shapley values of TreeSHAP's path-dependent game (cover-weighted averaging over the "
        "branches of features outside S) of a scikit-learn tree or tree ensemble (refused for "
        "any other f).",
        "(d,)",
        (_F, _X),
    ),
    _entry(
        "banzhaf",
        "Banzhaf values of the interventional game: the mean marginal contribution over all "
        "coalitions, each counted once (not efficient).",
        "(d,)",
        (_F, _X, _P),
    ),
    _entry(
        "moebius",
        "Möbius transform (Harsanyi dividends) of the interventional game; with independent P "
        "these are the fANOVA components f_S(x_S). Entry 0 is E_P f.",
        "(2**d,) indexed by subset bitmask",
        (_F, _X, _P),
    ),
    _entry(
        "shapley_interaction",
        "Pairwise Shapley interaction index of the interventional game. convention='index': "
        "Grabisch-Roubens index off the diagonal, Shapley values on it; 'shap': shap's SHAP "
        "interaction values (half the index off the diagonal, rows sum to phi).",
        "(d, d)",
        (_F, _X, _P, Param(name="convention", type="str", default="index", doc="'index' | 'shap'")),
    ),
    _entry(
        "nshapley",
        "n-Shapley values (Bordt & von Luxburg 2023) of the interventional game: n = 1 gives "
        "Shapley values, n = d the Möbius transform. Entry 0 is E_P f.",
        "(2**d,) indexed by subset bitmask, zero for |S| > n",
        (_F, _X, _P, Param(name="n", type="int", doc="the order, 1 <= n <= d")),
    ),
    _entry(
        "pd",
        "Partial dependence: the mean of f(t, X_-j) over the rows of P (the marginal of X_-j); "
        "a Gaussian P: closed form for f of degree <= 2.",
        "the shape of t",
        (_F, _J, _T, _P),
    ),
    _entry(
        "ice",
        "Individual conditional expectation: f(z with z_j := t).",
        "the shape of t (z a point) or (n, len(t)) (z rows)",
        (_F, _J, _T, Param(name="z", type="point", doc="a point (d,) or rows (n, d)")),
    ),
    _entry(
        "mplot",
        "Marginal (M-) plot: the conditional mean E_P[f(X) | X_j = t]; t must be a level of X_j "
        "(a Gaussian P: any t, closed form for f of degree <= 2; rows sampled from a "
        "continuous P are refused).",
        "the shape of t",
        (_F, _J, _T, _P),
    ),
    _entry(
        "ale",
        "Accumulated local effects on the grid of distinct levels of X_j (Apley & Zhu intervals), "
        "centred to mean 0 over P; linear between levels, constant beyond them. A Gaussian P: "
        "the continuous definition, closed form for f of degree <= 2.",
        "the shape of t",
        (_F, _J, _T, _P),
    ),
    _entry(
        "pfi",
        "Permutation feature importance in the infinite-permutation limit: the mean over all "
        "row pairs (a, b) of loss(y_a, f(x_a with x_aj := x_bj)) minus the mean loss. A "
        "Gaussian P: squared loss, f and y (a function such as `target`) of degree <= 2.",
        "(d,)",
        (_F, _P, _Y, _LOSS),
    ),
    _entry(
        "cpi",
        "Conditional permutation importance: as pfi, but x_j is exchanged only between rows with "
        "equal other features X_-j (exact on finite P). A Gaussian P: X_j redrawn from "
        "X_j | X_-j, closed form for the squared loss and f, y (a function such as `target`) "
        "of degree <= 2. Rows sampled from a continuous P are refused (CPI would be 0).",
        "(d,)",
        (_F, _P, _Y, _LOSS),
    ),
    _entry(
        "grad",
        "Gradient of f at x: analytic when f has one, else central differences (error stated "
        "in the docs, about 1e-9 relative for smooth f). Refused at a point where f has a kink "
        "or jump (UndefinedAtPoint: the point is skipped, ES305).",
        "(d,)",
        (_F, _X),
    ),
    _entry(
        "integrated_gradients",
        "Integrated gradients along the straight path from b to x: closed form for linear and "
        "polynomial-term f, otherwise adaptive Gauss-Legendre quadrature (1e-10).",
        "(d,)",
        (_F, _X, _B),
    ),
    _entry(
        "occlusion",
        "Occlusion: f(x) - f(x with x_i := b_i) for each feature i.",
        "(d,)",
        (_F, _X, _B),
    ),
    _entry(
        "counterfactual_l2",
        "The minimal-L2 point on the decision boundary f = 0 of a linear f: x - f(x) w / |w|^2.",
        "(d,)",
        (_F, _X),
    ),
]

ENTRIES += _PATH_ENTRIES  # ig_quadrature, smoothgrad, ... (explainspec.catalog.oracles_paths)
ENTRIES.append(
    _entry(
        "value",
        "The value v(S) of one coalition S in a game of the point x: 'interventional' "
        "E_P f(x_S, X_-S) (default), 'conditional' E_P[f(X) | X_S = x_S] (a row of P must equal "
        "x on S), 'baseline' f(x_S, b_-S) with P the baseline point b, or 'path' (TreeSHAP's "
        "path-dependent game of a tree f; P is not used).",
        "number",
        (
            _F,
            _X,
            Param(
                name="P",
                type="data",
                doc="the distribution or its rows; the baseline point for game = 'baseline'",
            ),
            Param(name="S", type="subset", doc="the coalition, a subset such as {0, 2}"),
            Param(
                name="game",
                type="'interventional' | 'conditional' | 'baseline' | 'path'",
                default="interventional",
                doc="the value function",
            ),
        ),
    )
)
ENTRIES += _SOURCE_ORACLES  # bound world sources (explainspec audit): catalog/sources.py
ENTRIES += _TABULAR  # the rest of the tabular toolbox: catalog/oracles_tabular.py
