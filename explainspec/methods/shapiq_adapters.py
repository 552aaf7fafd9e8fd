"""Adapters to shapiq (optional extra ``[shapiq]``): exact and approximated interaction indices.

Called as shapiq's users call it: ``shapiq.ExactComputer`` over the game of a
``shapiq.imputer.MarginalImputer`` (exact), and ``shapiq.TabularExplainer(f, background,
approximator=..., index=..., max_order=...).explain(x, budget=...)`` with an approximator object
(``PermutationSamplingSII``, ``KernelSHAPIQ``, ``SVARMIQ``) built with ``random_state=seed``.

Output: one vector per point over coalition bitmasks, ``(k, 2**d)`` (feature ``i`` is in ``S``
iff ``S >> i & 1``), the convention of :mod:`explainspec.oracles.interactions`. Entry 0 holds the
mean prediction over the background (shapiq's ``baseline_value``) for every index: shapiq's
value of the empty coalition for SII, BII and FBII is a different quantity, and it is not the
same in ``ExactComputer`` (the index's formula at the empty set) and in the approximators.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from explainspec.methods._common import as_callable, params_of, rows
from explainspec.methods.base import NotApplicable, Problem


def _shapiq() -> Any:
    try:
        import shapiq
    except ImportError:
        raise NotApplicable(
            "shapiq is not installed; install the optional extra: pip install 'explainspec[shapiq]'"
        ) from None
    return shapiq


@contextmanager
def _quiet() -> Iterator[None]:
    # shapiq warns when sample_size exceeds the background (it then uses every row, which is what
    # the statistic says) and about budgets below 2**d; neither changes the numbers
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


def _by_bitmask(values: Any, d: int, baseline: float) -> np.ndarray:
    """An ``InteractionValues`` as a ``(2**d,)`` vector, with entry 0 set to ``baseline``."""
    out = np.zeros(2**d)
    for coalition, pos in values.interaction_lookup.items():
        if coalition:
            out[sum(1 << int(i) for i in coalition)] = float(values.values[pos])
    out[0] = float(baseline)
    return out


def _check_order(d: int, max_order: int) -> None:
    if not 1 <= int(max_order) <= d:
        raise NotApplicable(f"max_order = {max_order} needs 1 <= max_order <= d = {d}")


def exact(problem: Problem) -> np.ndarray:
    """``ExactComputer(imputer, n_players=d)(index, order=max_order)`` per point, ``(k, 2**d)``."""
    shapiq = _shapiq()
    p = params_of(problem, "shapiq.exact")
    bg = rows(problem.background)
    d = bg.shape[1]
    _check_order(d, p["max_order"])
    fn = as_callable(problem.f)
    out = []
    for x in rows(problem.points):
        with _quiet():
            imputer = shapiq.imputer.MarginalImputer(
                fn,
                bg,
                x=x[None, :],
                sample_size=int(p["sample_size"]),
                random_state=int(problem.seed) % 2**32,
            )
            computer = shapiq.ExactComputer(imputer, n_players=d)
            values = computer(index=p["index"], order=int(p["max_order"]))
        out.append(_by_bitmask(values, d, imputer.empty_prediction))
    return np.stack(out)


def _approximate(problem: Problem, name: str, cls_name: str, **extra: Any) -> np.ndarray:
    shapiq = _shapiq()
    p = params_of(problem, name)
    bg = rows(problem.background)
    d = bg.shape[1]
    _check_order(d, p["max_order"])
    seed = int(problem.seed) % 2**32
    cls = getattr(shapiq, cls_name)
    out = []
    for x in rows(problem.points):
        with _quiet():
            approximator = cls(
                n=d, max_order=int(p["max_order"]), index=p["index"], random_state=seed, **extra
            )
            explainer = shapiq.TabularExplainer(
                as_callable(problem.f),
                bg,
                approximator=approximator,
                index=p["index"],
                max_order=int(p["max_order"]),
                random_state=seed,
                sample_size=int(p["sample_size"]),
            )
            budget = 2**d if p["budget"] == "all" else int(p["budget"])
            values = explainer.explain(x[None, :], budget=budget, random_state=seed)
        out.append(_by_bitmask(values, d, explainer.baseline_value))
    return np.stack(out)


def permutation_sii(problem: Problem) -> np.ndarray:
    """``PermutationSamplingSII`` through ``TabularExplainer``, ``(k, 2**d)``."""
    return _approximate(problem, "shapiq.permutation_sii", "PermutationSamplingSII")


def kernelshapiq(problem: Problem) -> np.ndarray:
    """``KernelSHAPIQ`` through ``TabularExplainer``, ``(k, 2**d)``."""
    return _approximate(problem, "shapiq.kernelshapiq", "KernelSHAPIQ")


def svarmiq(problem: Problem) -> np.ndarray:
    """``SVARMIQ`` through ``TabularExplainer``, ``(k, 2**d)``."""
    return _approximate(problem, "shapiq.svarmiq", "SVARMIQ")
