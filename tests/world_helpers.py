"""A world on a grid for tests that need a :class:`~explainspec.worlds.base.World` without a
search: the data, the background and the points are the grid's rows; baseline 0, one grid
column per feature, labels 0. Importable from every test folder (``tests/`` is on the path of
the test session, as the folder of its ``conftest.py``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from explainspec.worlds import distributions as dist
from explainspec.worlds.base import World


def grid_world(f: Any, *, levels: int = 2, points: int = 1, seed: int = 0) -> World:
    """``f`` on ``grid(levels)`` in ``f.d`` features, at the grid's first ``points`` rows."""
    P = dist.grid(f.d, levels=levels)
    return World(
        f=f,
        P=P,
        data=P.rows,
        background=P.rows,
        points=P.rows[:points],
        baseline=np.zeros(f.d),
        grid=np.zeros((f.d, 1)),
        y=np.zeros(len(P.rows)),
        seed=seed,
    )
