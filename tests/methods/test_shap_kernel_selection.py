"""shap's default ``l1_reg`` makes a sampled KernelSHAP estimate non-linear in f (found by the
checker on the world below; ``specs/shap_kernel.espec`` claims linearity with ``l1_reg = false``).

With ``l1_reg = 'num_features(10)'`` shap runs a LARS step before the weighted least-squares solve,
also for d <= 10. For g = |x1| |x3| it drops a feature g does not use and sets its value to 0, while
the plain solve gives that feature a little sampling noise; for 2 f + g (f uses every feature) no
feature is dropped. So explain(2 f + g) != 2 explain(f) + explain(g) with the same seed, while the
plain solve is linear to round-off.
"""

from __future__ import annotations

import numpy as np
import pytest

from explainspec.methods.base import Problem
from explainspec.methods.call import call_method
from explainspec.registry import registry
from explainspec.worlds import functions as fn

pytest.importorskip("shap")

BACKGROUND = np.array(
    [
        [0.0, 0.0, 0.5, 0.0, -0.5, 0.5],
        [1.5, 1.0, -0.5, -1.5, -0.5, 0.0],
        [-2.5, 0.0, -1.0, -0.5, -0.5, -0.5],
        [0.5, 1.0, 0.0, 1.5, -0.5, 0.5],
        [1.0, 0.0, -0.5, -1.0, -0.5, 0.0],
        [-1.0, 0.0, 0.0, 0.5, 0.0, 0.5],
        [-0.5, 0.0, 1.0, 1.5, -1.5, 1.5],
        [1.5, 1.0, 0.5, -0.5, 1.5, 2.0],
        [2.0, 1.5, 0.5, -1.0, 0.0, 0.5],
        [-1.5, 0.5, 0.5, 0.5, -1.0, -0.5],
    ]
)
POINTS = np.array([[-1.5, 0.5, 0.5, 0.5, -1.0, -0.5], [-2.5, 0.0, -1.0, -0.5, -0.5, -0.5]])
SEED = 38506


def explain(f, l1_reg) -> np.ndarray:
    problem = Problem(
        f=f,
        points=POINTS,
        background=BACKGROUND,
        data=BACKGROUND,
        y=np.asarray(f(BACKGROUND), dtype=float),
        grid=np.zeros((6, 0)),
        baseline=np.zeros(6),
        seed=SEED,
        params={"nsamples": 40, "l1_reg": l1_reg},
    )
    return call_method(registry("method").get("shap.kernel"), problem)


def nonlinearity(l1_reg) -> float:
    f = fn.formula("x0 + x1 + x2 + x3 + x4 + x5", 6)
    g = fn.formula("abs(x1) * abs(x3)", 6)
    both = explain(2 * f + g, l1_reg)
    return float(np.abs(both - (2 * explain(f, l1_reg) + explain(g, l1_reg))).max())


def test_feature_selection_breaks_linearity_of_sampled_kernel_shap():
    assert nonlinearity("num_features(10)") > 1e-6
    assert nonlinearity(False) < 1e-12
