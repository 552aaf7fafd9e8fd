"""Oracles of the tabular toolbox (plain data; appended to ``catalog.oracles.ENTRIES``).

Shapley interaction indices by coalition bitmask, Shapley values of a linked game, the
Gaussian conditional-sampling permutation importance, LOCO of the linear learner, and the MAD.
"""

from __future__ import annotations

from explainspec.catalog._common import entry
from explainspec.registry import Entry, Param

_F = Param(name="f", type="function", doc="the function, any callable (n, d) -> (n,)")
_X = Param(name="x", type="point", doc="the point to explain, (d,)")
_P = Param(name="P", type="data", doc="the distribution, or its rows (n, d) with uniform weights")
_Y = Param(name="y", type="array", doc="targets of the rows of P, (n,) (or a function of them)")


def _oracle(name: str, module: str, doc: str, returns: str, params: tuple[Param, ...]) -> Entry:
    return entry(
        "oracle",
        name,
        doc,
        params,
        target=f"explainspec.oracles.{module}:{name}",
        returns=returns,
    )


ENTRIES: list[Entry] = [
    _oracle(
        "interaction_index",
        "interactions",
        "A Shapley interaction index of the interventional game up to an order, by its "
        "definition: 'SII' and 'BII' (Möbius sums), 'k-SII' (= n-Shapley values), 'STII' "
        "(Shapley-Taylor), 'FSII' and 'FBII' (faithful least squares, solved exactly), "
        "'Moebius'. Entry 0 is E_P f for every index.",
        "(2**d,) indexed by subset bitmask, zero for |S| > order",
        (
            _F,
            _X,
            _P,
            Param(
                name="index",
                type="str",
                default="k-SII",
                doc="SII BII k-SII STII FSII FBII Moebius",
            ),
            Param(name="order", type="int", default=2, doc="the largest coalition, 1..d"),
        ),
    ),
    _oracle(
        "shapley_link",
        "links",
        "Shapley values of the game v(S) = link(E_P f(x_S, X_-S)), the game shap explains with "
        "link= (logit: log-odds of the mean probability, not the mean log-odds).",
        "(d,)",
        (_F, _X, _P, Param(name="link", type="str", default="logit", doc="'identity' | 'logit'")),
    ),
    _oracle(
        "cpi_gaussian",
        "refitting",
        "Conditional-sampling permutation importance in the infinite-draw limit: x_j redrawn from "
        "X_j | X_-j under the Gaussian fitted to the rows (mean, ML covariance); squared loss. "
        "Exact for f affine in each feature (linear, multilinear).",
        "(d,)",
        (_F, _P, _Y, Param(name="loss", type="str", default="squared", doc="'squared' only")),
    ),
    _oracle(
        "loco",
        "refitting",
        "Leave-one-covariate-out importance of the least-squares linear learner (with "
        "intercept), fitted and evaluated on the rows: MSE without x_j minus MSE with all. "
        "A property of (X, y), not of a model.",
        "(d,)",
        (_P, _Y),
    ),
    _oracle(
        "mad",
        "counterfactuals",
        "Median absolute deviation of each column of P (a zero MAD counts as 1, as in DiCE): "
        "the weights of the L1 counterfactual distance sum |z_j - x_j| / MAD_j.",
        "(d,)",
        (_P,),
    ),
]
