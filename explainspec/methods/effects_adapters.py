"""Feature-effect curves: accumulated local effects (reference and PyALE) and M-plots.

Each method returns ``(d, m)``: the curve of feature ``j`` at the world's grid ``grid[j]``.

- :func:`ale` -- a reference implementation of Apley & Zhu's ALE, written independently of the
  ``ale`` oracle: K quantile intervals of ``X_j`` (R's ALEPlot default ``K = 40``), edges
  ``z_0 < ... < z_K`` (the distinct quantiles), interval ``k`` is ``(z_{k-1}, z_k]`` with the
  first one closed; the local effect of interval ``k`` is the mean of ``f(z_k) - f(z_{k-1})``
  (``x_j`` moved to the edges, the other features kept) over the rows in it; the accumulated
  effects are centred to mean 0 over the rows and interpolated linearly on the grid (constant
  beyond the edges).
- :func:`pyale` -- ``PyALE.ale`` (optional extra ``[ale]``), called per feature with
  ``plot=False`` and ``include_CI=False`` (neither changes the curve); the model is the world's
  function wrapped as a regressor.
- :func:`mplot` -- the conditional mean of ``f`` over the data rows at each level of ``x_j``.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np

from explainspec.methods._common import as_callable, as_estimator, params_of, rows
from explainspec.methods.base import NotApplicable, Problem


def _edges(column: np.ndarray, k: int) -> np.ndarray:
    """The distinct quantiles ``0, 1/K, ..., 1`` of ``column`` (inverse of the empirical cdf)."""
    if k < 1:
        raise ValueError(f"grid_size = {k!r}; expected a positive integer")
    probs = np.linspace(0.0, 1.0, k + 1)
    return np.unique(np.quantile(column, probs, method="inverted_cdf"))


def ale(problem: Problem) -> np.ndarray:
    """Reference ALE of every feature on the world's grid, ``(d, m)``."""
    k = int(params_of(problem, "reference.ale")["grid_size"])
    fn = as_callable(problem.f)
    data = rows(problem.data)
    grid = np.asarray(problem.grid, dtype=float)
    n, d = data.shape
    out = np.empty(grid.shape)
    for j in range(d):
        edges = _edges(data[:, j], k)
        if edges.shape[0] == 1:  # a constant feature has no local effect
            out[j] = 0.0
            continue
        # interval of each row: 1..K, the rows at the lowest edge in the first interval
        interval = np.clip(np.searchsorted(edges, data[:, j], side="left"), 1, edges.shape[0] - 1)
        upper, lower = data.copy(), data.copy()
        upper[:, j] = edges[interval]
        lower[:, j] = edges[interval - 1]
        delta = fn(upper) - fn(lower)
        effect = np.zeros(edges.shape[0])
        for i in range(1, edges.shape[0]):
            inside = interval == i
            effect[i] = delta[inside].mean() if inside.any() else 0.0
        accumulated = np.cumsum(effect)
        # every row's own value: interpolated between the edges of its interval
        at_rows = np.interp(data[:, j], edges, accumulated)
        out[j] = np.interp(grid[j], edges, accumulated - at_rows.mean())
    return out


def _pyale() -> Any:
    # PyALE's import calls logging.basicConfig(), which gives the ROOT logger a stderr handler:
    # from then on every library's warnings in the process (shap's, scikit-learn's) are printed.
    # The root logger's handlers and level are put back as they were before the import.
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from PyALE import ale as pyale_ale
    except ImportError:
        raise NotApplicable(
            "PyALE is not installed; install the optional extra: pip install 'explainspec[ale]'"
        ) from None
    finally:
        for h in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(h)
        root.setLevel(level)
    return pyale_ale


def pyale(problem: Problem) -> np.ndarray:
    """``PyALE.ale(X, model, feature, feature_type, grid_size)`` per feature, ``(d, m)``."""
    pyale_ale = _pyale()
    import pandas as pd

    p = params_of(problem, "pyale.ale")
    data = rows(problem.data)
    grid = np.asarray(problem.grid, dtype=float)
    names = [f"x{j}" for j in range(data.shape[1])]
    X = pd.DataFrame(data, columns=names)
    model = as_estimator(problem.f)
    out = np.empty(grid.shape)
    # PyALE's modules log "Discrete feature detected." at INFO on every call, on loggers that set
    # their own level (PyALE._ALE_generic sets INFO), so quieting the package logger is not
    # enough: each of PyALE's loggers is raised to WARNING for the call and restored after.
    loggers = [
        logging.getLogger(name)
        for name in list(logging.root.manager.loggerDict)
        if name == "PyALE" or name.startswith("PyALE.")
    ]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            # PyALE predicts on DataFrames; a world's own fitted sklearn model then warns that it
            # was fitted without feature names (the numbers are the same)
            warnings.filterwarnings("ignore", message="X has feature names", category=UserWarning)
            for j, name in enumerate(names):
                out[j] = _pyale_curve(pyale_ale, X, model, name, grid[j], p)
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)
    return out


def _pyale_curve(pyale_ale: Any, X: Any, model: Any, name: str, t: np.ndarray, p: Any) -> Any:
    column = X[name].to_numpy(dtype=float)
    if np.unique(column).shape[0] == 1:
        return np.zeros(t.shape)  # PyALE cannot bin a constant column; it has no local effect
    curve = pyale_ale(
        X=X,
        model=model,
        feature=[name],
        feature_type=p["feature_type"],
        grid_size=int(p["grid_size"]),
        include_CI=False,
        plot=False,
    )
    levels = np.asarray(curve.index, dtype=float)
    return np.interp(t, levels, np.asarray(curve["eff"], dtype=float))


def mplot(problem: Problem) -> np.ndarray:
    """The mean of ``f`` over the data rows with ``x_j = t`` for every grid value, ``(d, m)``.

    Raises
    ------
    ValueError
        If a grid value is not a level of ``X_j`` (no row to average over).
    """
    fn = as_callable(problem.f)
    data = rows(problem.data)
    grid = np.asarray(problem.grid, dtype=float)
    values = fn(data)
    out = np.empty(grid.shape)
    for j in range(data.shape[1]):
        for a, t in enumerate(grid[j]):
            at = data[:, j] == t
            if not at.any():
                raise ValueError(f"grid value {t!r} is not a level of x_{j}: no row to average")
            out[j, a] = values[at].mean()
    return out
