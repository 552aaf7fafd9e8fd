"""A planted bug in the backfitting GAM (``reference.gam``): one backfitting sweep, reported as
the fit (no iteration to convergence, no error).

On a product grid the level smoothers are orthogonal and one sweep is the exact least-squares
additive fit; under dependence it is not, and the terms are off by what the later sweeps would
have moved between the correlated features.
"""

from __future__ import annotations

import numpy as np

import explainspec
from explainspec.methods import gam_adapters as ga
from explainspec.methods._common import rows
from explainspec.methods.base import Problem


@explainspec.method("quality.gam_one_sweep", output="attribution", scope="local")
def gam_one_sweep(problem: Problem) -> np.ndarray:
    """The GAM's terms after the first backfitting sweep, whether or not it converged."""
    try:
        model = ga.backfit(problem.data, problem.y, tol=1e-12, max_iter=1)
    except RuntimeError:  # the bug: the unconverged sweep is kept (tol = inf stops after one)
        model = ga.backfit(problem.data, problem.y, tol=np.inf, max_iter=1)
    return model.terms(rows(problem.points))


BROKEN = {"quality.gam_one_sweep": "reference.gam"}
"""Broken method -> the correct built-in method its spec is also run with."""
