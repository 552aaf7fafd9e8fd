"""lime adapters: feature order, standardized coefficients, agreement with the transparent
reference implementation (CLAIMS C38, C40)."""

import sys

import numpy as np
import pytest
from methods_fakes import linear_function, problem

from explainspec.methods import lime_adapters as L
from explainspec.methods import reference as R
from explainspec.methods.base import NotApplicable

pytest.importorskip("lime")


def _bg(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)) * np.array([1.0, 2.0, 0.5, 1.0])


def test_continuous_lime_equals_the_reference_surrogate_in_distribution():
    bg = _bg()
    f = linear_function([3.0, -2.0, 0.5, 0.0])
    x = bg[:1] + 0.3
    lime = np.stack([L.tabular_continuous(problem(f, x, bg, seed=s))[0] for s in range(8)])
    ref = np.stack(
        [
            R.lime_wls(
                problem(f, x, bg, seed=s, sample_around="mean", standardize=True, alpha=1.0)
            )[0]
            for s in range(8)
        ]
    )
    se = np.sqrt(lime.var(0, ddof=1) / 8 + ref.var(0, ddof=1) / 8)
    assert np.all(np.abs(lime.mean(0) - ref.mean(0)) <= 5 * se + 1e-6)
    # C38: the coefficients are w * std, not w
    np.testing.assert_allclose(lime.mean(0), np.array([3, -2, 0.5, 0]) * bg.std(0), atol=0.05)


def test_discretized_lime_maps_coefficients_to_feature_order():
    bg = _bg()
    f = linear_function([0.0, 0.0, 4.0, 0.0])
    x = np.array([[0.0, 0.0, 1.0, 0.0]])
    phi = L.tabular(problem(f, x, bg, seed=1))
    assert phi.shape == (1, 4)
    assert np.argmax(np.abs(phi[0])) == 2
    assert np.all(np.abs(phi[0, [0, 1, 3]]) < 0.1 * abs(phi[0, 2]))


def test_missing_lime_is_not_applicable(monkeypatch):
    monkeypatch.setitem(sys.modules, "lime", None)
    with pytest.raises(NotApplicable, match="pip install"):
        L.tabular(problem(linear_function([1.0, 1.0]), np.zeros((1, 2)), _bg()[:, :2]))
