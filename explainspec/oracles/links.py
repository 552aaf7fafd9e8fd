"""Shapley values of a game seen through an output link, as ``shap``'s ``link=`` computes them.

``shap`` explains ``link(E f)``, not ``E link(f)``: the value of a coalition is the link of the
mean prediction with the other features drawn from the background,
``v(S) = link(E_P f(x_S, Z_{-S}))``. With ``link = "logit"`` the attributions add up to the
log-odds of ``f(x)`` minus the log-odds of the *mean* probability (not the mean log-odds).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from explainspec.oracles._common import OracleError
from explainspec.oracles.games import interventional_game
from explainspec.oracles.shapley import _check_enumerable, _d_of, shapley_from_game

__all__ = ["LINKS", "shapley_link"]


def _logit(p: np.ndarray) -> np.ndarray:
    if np.any((p <= 0) | (p >= 1)):
        raise OracleError(
            "link = 'logit' needs every coalition value strictly between 0 and 1 (a probability);"
            f" got values in [{p.min():.6g}, {p.max():.6g}]"
        )
    return np.log(p / (1 - p))


#: The links, by the names shap gives them (``shap.links.identity``, ``shap.links.logit``).
LINKS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "identity": lambda p: p,
    "logit": _logit,
}


def shapley_link(f: Callable[[Any], Any], x: Any, P: Any, link: str = "logit") -> np.ndarray:
    """Shapley values of ``v(S) = link(E_P f(x_S, Z_{-S}))``, the game shap's ``link=`` explains.

    Parameters
    ----------
    f : callable
        ``(n, d) -> (n,)``; for ``link = "logit"`` its values must be probabilities.
    x : array_like of shape (d,) or (k, d)
    P : rows array (n, d) or finite distribution
    link : {"identity", "logit"}

    Returns
    -------
    ndarray of shape (d,) or (k, d)

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda z: 1 / (1 + np.exp(-z[:, 0]))
    >>> phi = shapley_link(f, [0.0], [[-2.0], [2.0]])
    >>> float(phi[0])          # logit(f(0)) - logit(mean(f(-2), f(2))) = 0 - logit(0.5)
    0.0
    """
    if link not in LINKS:
        raise OracleError(f"link = {link!r} is not one of {', '.join(LINKS)}")
    _check_enumerable(_d_of(P, x))
    return shapley_from_game(LINKS[link](interventional_game(f, x, P)))
