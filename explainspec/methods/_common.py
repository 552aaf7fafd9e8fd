"""Helpers shared by the adapters: parameters, model handover, seeding.

Kept free of shap/sklearn/lime imports at module level (they are imported inside functions).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from explainspec.methods.base import NotApplicable, Problem


def params_of(problem: Problem, name: str) -> dict[str, Any]:
    """The registered defaults of method ``name`` with ``problem.params`` merged over them.

    The catalog is the single source of the defaults; adapters never repeat them.

    Raises
    ------
    ValueError
        If ``problem.params`` names a parameter the method does not have.
    """
    from explainspec.registry import registry

    entry = registry("method").get(name)
    merged = {p.name: p.default for p in entry.params}
    unknown = sorted(set(problem.params) - set(merged))
    if unknown:
        known = ", ".join(merged) or "none"
        raise ValueError(f"{name} has no parameter {', '.join(unknown)} (its parameters: {known})")
    merged.update(problem.params)
    return merged


def as_callable(f: Any) -> Callable[[np.ndarray], np.ndarray]:
    """The world's function as a plain batch callable ``(n, d) -> (n,)`` of floats.

    Uses ``f.handover("callable")`` (the form model-agnostic explainers' users pass) and falls
    back to ``f`` itself for plain callables (tests, plugins).
    """
    fn = f
    handover = getattr(f, "handover", None)
    if handover is not None:
        try:
            fn = handover("callable")
        except Exception:  # every Function is itself a batch callable
            fn = f
    d = getattr(f, "d", None)

    def call(z: Any) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        if z.ndim == 1:
            z = z.reshape(1, -1) if d is None or z.shape[0] == d else z.reshape(-1, d)
        return np.asarray(fn(z), dtype=float).reshape(-1)

    return call


def require_tags(problem: Problem, method: str, requires: tuple[str, ...]) -> None:
    """Raise :class:`NotApplicable` unless the world's function carries every required tag."""
    tags = frozenset(getattr(problem.f, "tags", frozenset()))
    missing = [t for t in requires if t not in tags and t != "callable"]
    if missing:
        raise NotApplicable(
            f"{method} needs a function tagged {', '.join(missing)}; this world's function has "
            f"tags {{{', '.join(sorted(tags)) or 'none'}}}"
        )


def as_sklearn(f: Any, method: str) -> Any:
    """The fitted scikit-learn estimator behind a world's function (trees, models, linear)."""
    try:
        model = f.handover("sklearn")
    except Exception as exc:  # the worlds room decides which families can hand over
        raise NotApplicable(
            f"{method} needs a fitted scikit-learn model, but this world's function cannot be "
            f"handed over as one: {exc}"
        ) from None
    if model is None or not hasattr(model, "predict"):
        raise NotApplicable(f"{method}: f.handover('sklearn') returned {type(model).__name__}")
    return model


def as_linear_model(f: Any, method: str) -> Any:
    """A fitted ``sklearn.linear_model.LinearRegression`` with the function's weights.

    A linear world hands over ``(coef, intercept)``; users of ``shap.LinearExplainer`` pass a
    fitted linear model, so we build the one they would have.
    """
    tags = frozenset(getattr(f, "tags", frozenset()))
    if "sklearn" in tags:
        model = as_sklearn(f, method)
        if hasattr(model, "coef_"):
            return model
    try:
        coef, intercept = f.handover("linear")
    except Exception as exc:
        raise NotApplicable(f"{method} needs a linear function: {exc}") from None
    from sklearn.linear_model import LinearRegression

    model = LinearRegression()
    model.coef_ = np.asarray(coef, dtype=float).reshape(-1)
    model.intercept_ = float(intercept)
    model.n_features_in_ = model.coef_.shape[0]
    return model


_REGRESSOR_CLASS: list[type] = []


def as_estimator(f: Any) -> Any:
    """A fitted sklearn regressor: the world's own model if it has one, else a thin wrapper.

    ``sklearn.inspection`` needs an estimator; users with a bare function write exactly this kind
    of wrapper (``fit`` does nothing, ``predict`` calls the function).
    """
    tags = frozenset(getattr(f, "tags", frozenset()))
    if "sklearn" in tags:
        return as_sklearn(f, "sklearn")
    if not _REGRESSOR_CLASS:
        from sklearn.base import BaseEstimator, RegressorMixin

        class FunctionRegressor(RegressorMixin, BaseEstimator):
            """A fixed function as a fitted scikit-learn regressor."""

            def __init__(self, fn: Any = None) -> None:
                self.fn = fn

            def fit(self, X: Any, y: Any = None) -> FunctionRegressor:
                return self

            def predict(self, X: Any) -> np.ndarray:
                return self.fn(np.asarray(X, dtype=float))

            def __sklearn_is_fitted__(self) -> bool:
                return True

        _REGRESSOR_CLASS.append(FunctionRegressor)
    return _REGRESSOR_CLASS[0](as_callable(f))


@contextlib.contextmanager
def legacy_seed(seed: int) -> Iterator[None]:
    """Seed numpy's global RNG (which shap's samplers use) and restore its state afterwards."""
    state = np.random.get_state()
    np.random.seed(int(seed) % 2**32)
    try:
        yield
    finally:
        np.random.set_state(state)


def rows(a: Any) -> np.ndarray:
    """``a`` as a float ``(n, d)`` array."""
    a = np.asarray(a, dtype=float)
    return a.reshape(1, -1) if a.ndim == 1 else a
