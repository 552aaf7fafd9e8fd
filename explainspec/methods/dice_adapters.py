"""Counterfactuals: DiCE (optional extra ``[dice]``) and the minimal MAD-weighted L1 reference.

DiCE explains classifiers. A world's function ``f`` is a score; the classifier handed to DiCE
predicts class 1 iff ``f(x) > threshold``, with ``predict_proba = [1 - p, p]``,
``p = 1 / (1 + exp(-(f - threshold)))`` (a logistic classifier on f's scale, what a user with a
score model passes). DiCE's ``Data`` interface gets the world's data rows labelled with that
classifier's classes: every feature continuous, permitted range min..max of the data, MADs for
its proximity weights. ``generate_counterfactuals(x, total_CFs, desired_class="opposite")``
returns ``total_CFs`` counterfactuals per point (1 for the random search, the parameter of the
genetic one), of which the first is kept; if DiCE finds none (it raises "No counterfactuals
found"), the world is not applicable: DiCE gives no answer there, rather than a wrong one (the genetic
search is not called when no data row is of the other class: see :func:`genetic`). Every other
exception is the method's error (dice-ml 0.12's genetic search with ``total_CFs = 1`` raises
``ValueError: empty range for randrange()`` when its population collapses to one distinct
candidate, on small discrete grids and on continuous data alike; with ``total_CFs >= 2`` the
population cannot collapse once it holds two distinct rows, see :func:`genetic`; ``tests/methods/test_dice_adapters.py`` pins both).

Randomness: DiCE's random search seeds Python's ``random`` with ``random_seed`` but also draws
from numpy's global RNG; the genetic search takes no seed at all. Both run inside
:func:`_seeded`, which seeds the two global generators from ``problem.seed`` and restores their
states afterwards.
"""

from __future__ import annotations

import contextlib
import io
import logging
import random as _pyrandom
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from explainspec.methods._common import as_callable, params_of, rows
from explainspec.methods.base import NotApplicable, Problem


def _dice() -> Any:
    try:
        import dice_ml
    except ImportError:
        raise NotApplicable(
            "dice-ml is not installed; install the optional extra: pip install 'explainspec[dice]'"
        ) from None
    return dice_ml


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """Seed numpy's and Python's global RNGs, silence DiCE's progress output, restore after."""
    np_state, py_state = np.random.get_state(), _pyrandom.getstate()
    np.random.seed(int(seed) % 2**32)
    _pyrandom.seed(int(seed))
    root = logging.getLogger()
    level = root.level
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stderr(io.StringIO()),
            contextlib.redirect_stdout(io.StringIO()),
        ):
            warnings.simplefilter("ignore")
            root.setLevel(logging.ERROR)  # DiCE logs MAD replacements at WARNING
            yield
    finally:
        root.setLevel(level)
        np.random.set_state(np_state)
        _pyrandom.setstate(py_state)


_CLASSIFIER: list[type] = []


def _classifier(fn: Any, threshold: float) -> Any:
    """A fitted sklearn classifier whose class-1 probability is ``sigmoid(f - threshold)``."""
    if not _CLASSIFIER:
        from sklearn.base import BaseEstimator, ClassifierMixin

        class ScoreClassifier(ClassifierMixin, BaseEstimator):
            """A fixed score function as a fitted binary classifier."""

            def __init__(self, fn: Any = None, threshold: float = 0.0) -> None:
                self.fn = fn
                self.threshold = threshold

            def fit(self, X: Any, y: Any = None) -> ScoreClassifier:
                return self

            def predict_proba(self, X: Any) -> np.ndarray:
                score = self.fn(np.asarray(X, dtype=float)) - self.threshold
                p = 1.0 / (1.0 + np.exp(-np.clip(score, -700, 700)))
                return np.column_stack([1.0 - p, p])

            def predict(self, X: Any) -> np.ndarray:
                return (self.fn(np.asarray(X, dtype=float)) > self.threshold).astype(int)

            def __sklearn_is_fitted__(self) -> bool:
                return True

        _CLASSIFIER.append(ScoreClassifier)
    model = _CLASSIFIER[0](fn, threshold)
    model.classes_ = np.array([0, 1])
    return model


def _generate(
    problem: Problem,
    name: str,
    method: str,
    options: Callable[[dict[str, Any]], dict[str, Any]],
    total: int = 1,
    needs_other_class: bool = False,
) -> np.ndarray:
    dice_ml = _dice()
    import pandas as pd

    p = params_of(problem, name)
    data = rows(problem.data)
    d = data.shape[1]
    names = [f"x{j}" for j in range(d)]
    model = _classifier(as_callable(problem.f), float(p["threshold"]))
    frame = pd.DataFrame(data, columns=names)
    frame["y"] = model.predict(data)
    if needs_other_class:
        for x in rows(problem.points):
            if not np.any(frame["y"].to_numpy() != model.predict(x[None])[0]):
                raise NotApplicable(
                    f"{name}: no data row is in the other class than x = {x.tolist()} (dice-ml "
                    "0.12's genetic search would sample the permitted range for one without end "
                    "when the range holds none)"
                )
    out = []
    with _seeded(problem.seed):
        explainer = dice_ml.Dice(
            dice_ml.Data(dataframe=frame, continuous_features=names, outcome_name="y"),
            dice_ml.Model(model=model, backend="sklearn"),
            method=method,
        )
        for x in rows(problem.points):
            query = pd.DataFrame(x[None, :], columns=names)
            try:
                result = explainer.generate_counterfactuals(
                    query, total_CFs=total, desired_class="opposite", verbose=False, **options(p)
                )
            except Exception as exc:  # DiCE reports "found none" as a configuration error
                if "No counterfactuals found" in str(exc):
                    raise NotApplicable(
                        f"{name} found no counterfactual for x = {x.tolist()}"
                    ) from None
                raise
            found = result.cf_examples_list[0].final_cfs_df
            if found is None or len(found) == 0:
                raise NotApplicable(f"{name} found no counterfactual for x = {x.tolist()}")
            out.append(found[names].to_numpy(dtype=float)[0])  # DiCE's best (lowest loss)
    return np.stack(out)


def random(problem: Problem) -> np.ndarray:
    """``Dice(data, model, method='random')``: one counterfactual per point, ``(k, d)``."""
    return _generate(
        problem,
        "dice.random",
        "random",
        lambda p: {
            "sample_size": int(p["sample_size"]),
            "posthoc_sparsity_param": p["posthoc_sparsity_param"],
            "random_seed": int(problem.seed) % 2**32,
        },
    )


def genetic(problem: Problem) -> np.ndarray:
    """``Dice(data, model, method='genetic')``: the first (best) of ``total_CFs``
    counterfactuals per point, ``(k, d)``.

    dice-ml 0.12 keeps the ``total_CFs`` fittest distinct rows in every generation and draws
    parents with ``random.randrange(len(unique population) // 2)``: with ``total_CFs = 1`` the
    population can collapse to one distinct row and ``randrange(0)`` raises; with 2 or more the
    elite alone keeps two distinct rows once the population has them, so it cannot collapse (the
    first population is ``10 * total_CFs`` rows: data rows and random draws in the range).

    Its initial population is the data rows of the other class nearest to x, topped up by
    ``do_random_init``, which draws points of the permitted range until enough are of the other
    class, with no bound on the draws. With no data row of the other class it draws them all, and
    when the range holds no point of that class it never returns (seen: f = -0.5 x0 - 0.5 x1 - 2
    on 64 Gaussian rows, whose range box never reaches f > 0). The adapter reports such a point
    as not applicable, as it does when DiCE finds no counterfactual, instead of calling DiCE.
    """
    return _generate(
        problem,
        "dice.genetic",
        "genetic",
        lambda p: {
            "proximity_weight": p["proximity_weight"],
            "sparsity_weight": p["sparsity_weight"],
            "maxiterations": int(p["maxiterations"]),
            "posthoc_sparsity_param": p["posthoc_sparsity_param"],
        },
        total=int(params_of(problem, "dice.genetic")["total_CFs"]),
        needs_other_class=True,
    )


def _mads(data: np.ndarray) -> np.ndarray:
    """DiCE's proximity weights: the median absolute deviation per column, 1 where it is 0."""
    out = np.median(np.abs(data - np.median(data, axis=0)), axis=0)
    out[out <= 0] = 1.0
    return out


def counterfactual_l1(problem: Problem) -> np.ndarray:
    """The minimal weighted-L1 point on ``f = threshold`` of a linear f, ``(k, d)``.

    ``min sum_j (u_j + v_j) / s_j`` subject to ``w . (x + u - v) + c = t``, ``u, v >= 0``: a
    linear program solved by ``scipy.optimize.linprog`` (HiGHS), whose optimum is a vertex, so
    a single feature changes (one maximising ``|w_j| s_j``).
    """
    from scipy.optimize import linprog

    p = params_of(problem, "reference.counterfactual_l1")
    if p["scale"] not in ("mad", "none"):
        raise ValueError(f"scale = {p['scale']!r}; expected 'mad' or 'none'")
    try:
        coef, intercept = problem.f.handover("linear")
    except Exception as exc:  # the worlds room decides which functions hand over weights
        raise NotApplicable(f"reference.counterfactual_l1 needs a linear function: {exc}") from None
    w = np.asarray(coef, dtype=float).reshape(-1)
    if not np.any(w):
        raise NotApplicable("a constant linear function has no decision boundary")
    d = w.shape[0]
    scale = _mads(rows(problem.data)) if p["scale"] == "mad" else np.ones(d)
    cost = np.concatenate([1.0 / scale, 1.0 / scale])
    out = []
    for x in rows(problem.points):
        gap = float(p["threshold"]) - float(intercept) - float(w @ x)
        res = linprog(
            cost,
            A_eq=np.concatenate([w, -w])[None, :],
            b_eq=[gap],
            bounds=(0, None),
            method="highs",
        )
        if res.status != 0:
            raise RuntimeError(f"linprog did not solve the counterfactual program: {res.message}")
        out.append(x + res.x[:d] - res.x[d:])
    return np.stack(out)
