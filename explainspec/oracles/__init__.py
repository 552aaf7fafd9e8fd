"""Exact ground truth for explanation methods -- never the method under test.

Every oracle takes ``f`` as any callable ``(n, d) -> (n,)`` and the distribution ``P`` as a rows
array ``(n, d)`` (uniform weights, a multiset), a finite distribution with ``.rows``, or a
Gaussian with ``.mean``/``.cov``. Spec files reach them by name through the oracle registry
(``explainspec.catalog.oracles``); Python code may also use the underlying games and the
``*_from_game`` transforms directly.
"""

from explainspec.oracles._common import GroundTruthUnavailable, OracleError, UndefinedAtPoint
from explainspec.oracles.curves import ale, ice, mplot, pd
from explainspec.oracles.games import baseline_game, conditional_game, interventional_game
from explainspec.oracles.gradients import (
    counterfactual_l2,
    grad,
    integrated_gradients,
    occlusion,
)
from explainspec.oracles.importance import cpi, pfi
from explainspec.oracles.shapley import (
    banzhaf,
    banzhaf_from_game,
    moebius,
    moebius_from_game,
    nshapley,
    nshapley_from_game,
    shapley,
    shapley_baseline,
    shapley_conditional,
    shapley_from_game,
    shapley_interaction,
    shapley_interaction_from_game,
    shapley_path,
    shapley_terms,
)
from explainspec.oracles.trees import path_game, tree_game

__all__ = [
    # errors
    "GroundTruthUnavailable",
    "UndefinedAtPoint",
    "OracleError",
    # games
    "baseline_game",
    "conditional_game",
    "interventional_game",
    "path_game",
    "tree_game",
    # values from a game
    "banzhaf_from_game",
    "moebius_from_game",
    "nshapley_from_game",
    "shapley_from_game",
    "shapley_interaction_from_game",
    # oracles: game-theoretic attributions
    "banzhaf",
    "moebius",
    "nshapley",
    "shapley",
    "shapley_baseline",
    "shapley_conditional",
    "shapley_interaction",
    "shapley_path",
    "shapley_terms",
    # oracles: curves
    "ale",
    "ice",
    "mplot",
    "pd",
    # oracles: importance
    "cpi",
    "pfi",
    # oracles: local
    "counterfactual_l2",
    "grad",
    "integrated_gradients",
    "occlusion",
]
