"""The adapters on the worlds room's real Function objects (handover forms, tags, formulas)."""

import numpy as np
import pytest
from methods_fakes import problem

from explainspec import oracles
from explainspec.catalog.methods import ENTRIES
from explainspec.methods.base import NotApplicable
from explainspec.methods.call import call_method
from explainspec.registry import registry

W = pytest.importorskip("explainspec.worlds.functions")
fitted = pytest.importorskip("explainspec.worlds.fitted")
REG = {e.name: e for e in ENTRIES}


def _bg(d=3, n=12, seed=0):
    return np.random.default_rng(seed).integers(-2, 3, size=(n, d)).astype(float)


def test_linear_world_reaches_linear_explainer_and_counterfactual():
    f = W.linear([1.0, -2.0, 0.5], 0.25)
    bg = _bg()
    pts = bg[:2]
    phi = call_method(REG["shap.linear"], problem(f, pts, bg))
    np.testing.assert_allclose(phi, np.array([1.0, -2.0, 0.5]) * (pts - bg.mean(0)), atol=1e-12)
    cf = call_method(REG["reference.counterfactual_l2"], problem(f, pts, bg))
    np.testing.assert_allclose(f(cf), 0.0, atol=1e-12)


def test_formula_world_with_kernel_and_exact():
    f = W.formula("x0 * x1 + sin(x2)", 3)
    bg = _bg()
    pts = bg[:2]
    truth = np.stack([oracles.shapley(f, x, bg) for x in pts])
    kern = call_method(REG["shap.kernel"], problem(f, pts, bg, nsamples=6))
    np.testing.assert_allclose(kern, truth, atol=1e-9)
    np.testing.assert_allclose(
        call_method(REG["shap.exact"], problem(f, pts, bg)), truth, atol=1e-9
    )


def test_tree_world_reaches_tree_explainer():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    f = fitted.fit_tree(X, X[:, 0] * X[:, 1] + X[:, 2], depth=3)
    bg, pts = X[:20], X[40:43]
    phi = call_method(REG["shap.tree"], problem(f, pts, bg))
    truth = np.stack([oracles.shapley(f, x, bg) for x in pts])
    np.testing.assert_allclose(phi, truth, atol=1e-6)
    path = call_method(REG["shap.tree_path"], problem(f, pts, bg))
    np.testing.assert_allclose(path, np.stack([oracles.shapley_path(f, x) for x in pts]), atol=1e-9)


def test_non_tree_world_is_not_applicable_for_tree_explainer():
    f = W.formula("x0 * x1", 2)
    with pytest.raises(NotApplicable, match="tree"):
        call_method(registry("method").get("shap.tree"), problem(f, np.zeros((1, 2)), _bg(2)))


def test_sklearn_model_world_reaches_permutation_importance_and_pd():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    f = fitted.fit_model("gbr", X, X[:, 0] + X[:, 1] ** 2)
    pr = problem(f, X[:2], X[:30])
    pd = call_method(REG["sklearn.partial_dependence"], pr)
    np.testing.assert_allclose(pd, call_method(REG["reference.pd"], pr), atol=1e-12)
    imp = call_method(REG["sklearn.permutation_importance"], pr)
    assert imp[2] == 0.0 or abs(imp[2]) < 0.05 * max(imp[0], imp[1])
