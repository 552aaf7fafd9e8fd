"""Small fitted models and tables shared by the audit tests (built once per process)."""

from __future__ import annotations

import functools

import numpy as np


@functools.cache
def diabetes(trees: int = 30):
    """(frame with a 'target' column, a gradient-boosting regressor with ``trees`` trees)."""
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import GradientBoostingRegressor

    frame = load_diabetes(as_frame=True).frame
    model = GradientBoostingRegressor(n_estimators=trees, random_state=0)
    model.fit(frame.drop(columns="target"), frame["target"])
    return frame, model


def diabetes_100():
    """The README's model: 100 trees (the 'must show' tests use it)."""
    return diabetes(100)


def rows(n: int = 60, d: int = 4, seed: int = 0) -> np.ndarray:
    return np.round(np.random.default_rng(seed).normal(size=(n, d)), 3)
