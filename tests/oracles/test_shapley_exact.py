"""The exact oracles at real sizes (oracles/shapley_exact.py): enumeration with shared
evaluations, interventional TreeSHAP on fitted ensembles, group Shapley and Owen values, each
checked against a definition computed independently (brute force over coalitions or orders)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from sklearn.ensemble import (
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.tree import DecisionTreeRegressor

from explainspec.oracles import shapley_exact as se
from explainspec.worlds.base import GroundTruthUnavailable
from tests.audit_helpers import diabetes

#: the models are fitted on DataFrames and called with numpy rows here, as the audit does
pytestmark = pytest.mark.filterwarnings("ignore:X does not have valid feature names")


def brute_game(f, x, rows, players):
    """v(S) = mean_z f(x on the players of S, z elsewhere), one hybrid row at a time."""
    n = len(players)
    v = np.zeros(1 << n)
    for S in range(1 << n):
        cols = [j for q in range(n) if (S >> q) & 1 for j in players[q]]
        total = 0.0
        for z in rows:
            h = z.copy()
            h[cols] = x[cols]
            total += float(f(h[None, :])[0])
        v[S] = total / len(rows)
    return v


def brute_shapley(v, n):
    phi = np.zeros(n)
    for i in range(n):
        for S in range(1 << n):
            if (S >> i) & 1:
                continue
            s = bin(S).count("1")
            phi[i] += (
                math.factorial(s)
                * math.factorial(n - s - 1)
                / math.factorial(n)
                * (v[S | 1 << i] - v[S])
            )
    return phi


def f3(z):
    return z[:, 0] * z[:, 1] + np.sin(z[:, 2]) * z[:, 3] ** 2 - np.abs(z[:, 4]) + (z[:, 0] > 0.3)


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(7)
    rows = np.round(rng.normal(size=(12, 5)), 1)
    rows[3] = rows[4]  # a repeated background row counts twice
    X = rows[:3].copy()
    X[1, 2] = 5.0  # a point that is not a row
    return X, rows


def test_enumeration_equals_the_definition(small):
    X, rows = small
    singles = [[j] for j in range(5)]
    v = se.enumerate_games(f3, X, rows)
    for k, x in enumerate(X):
        np.testing.assert_allclose(v[k], brute_game(f3, x, rows, singles), atol=1e-12)
    phi = se.interventional_shapley(f3, X, rows)
    want = np.array([brute_shapley(brute_game(f3, x, rows, singles), 5) for x in X])
    np.testing.assert_allclose(phi, want, atol=1e-12)


def test_rows_agreeing_with_the_point_are_shared(small):
    """A background row that agrees with x on a feature makes it a null player of its game:
    only 2**(number of disagreeing features) hybrid rows are evaluated for it."""
    X, rows = small
    stats: dict[str, int] = {}
    se.enumerate_games(f3, X, rows, stats=stats)
    uniq = np.unique(rows, axis=0)
    expected = sum(int(2 ** (z != x).sum()) for x in X for z in uniq)
    assert stats["rows"] == expected == se.hybrid_rows(X, rows) == len(se.hybrid_points(X, rows))
    assert expected < len(X) * len(rows) * 2**5  # x[0] is a row: its own row costs 1 evaluation
    assert stats["calls"] == 1  # everything in one chunk


def test_chunks_do_not_change_the_values(small):
    X, rows = small
    one = se.enumerate_games(f3, X, rows)
    stats: dict[str, int] = {}
    many = se.enumerate_games(f3, X, rows, chunk=40, stats=stats)
    assert stats["calls"] > 10
    np.testing.assert_allclose(many, one, atol=1e-12)


def test_group_shapley_and_owen_from_their_definitions(small):
    X, rows = small
    groups = [[0, 3], [1], [2, 4]]
    x = X[1]
    gv = brute_game(f3, x, rows, groups)
    np.testing.assert_allclose(
        se.group_shapley(f3, x, rows, groups), brute_shapley(gv, 3), atol=1e-12
    )
    # Owen values: the mean marginal contribution over the orders that keep every group together
    orders = []
    for gorder in itertools.permutations(range(3)):
        for inner in itertools.product(*(itertools.permutations(groups[g]) for g in gorder)):
            orders.append([j for block in inner for j in block])
    singles = [[j] for j in range(5)]
    v = brute_game(f3, x, rows, singles)
    want = np.zeros(5)
    for order in orders:
        S = 0
        for j in order:
            want[j] += v[S | 1 << j] - v[S]
            S |= 1 << j
    want /= len(orders)
    owen = se.owen(f3, x, rows, groups)
    np.testing.assert_allclose(owen, want, atol=1e-12)
    # a group's Owen values add up to its group Shapley value
    sums = [owen[g].sum() for g in groups]
    np.testing.assert_allclose(sums, se.group_shapley(f3, x, rows, groups), atol=1e-12)


def test_groups_must_partition_and_players_are_limited(small):
    X, rows = small
    with pytest.raises(ValueError, match="partition"):
        se.group_shapley(f3, X[0], rows, [[0, 1], [1, 2, 3, 4]])
    wide = np.zeros((2, 17))
    with pytest.raises(GroundTruthUnavailable, match="2\\*\\*17"):
        se.enumerate_games(lambda z: z[:, 0], wide[0], wide)


# ----------------------------------------------------------------------------- trees


def _tree_cases():
    rng = np.random.default_rng(3)
    X = np.round(rng.normal(size=(120, 6)), 2)
    y = X[:, 0] * X[:, 1] + np.abs(X[:, 2]) + (X[:, 3] > 0)
    labels = (y > np.median(y)).astype(int)
    three = np.digitize(y, np.quantile(y, [0.33, 0.66]))
    return X, [
        ("tree", DecisionTreeRegressor(max_depth=5, random_state=0).fit(X, y), "predict", None),
        (
            "forest",
            RandomForestRegressor(n_estimators=8, max_depth=6, random_state=0).fit(X, y),
            "predict",
            None,
        ),
        ("extra", ExtraTreesRegressor(n_estimators=5, random_state=0).fit(X, y), "predict", None),
        (
            "gbr",
            GradientBoostingRegressor(n_estimators=15, random_state=0).fit(X, y),
            "predict",
            None,
        ),
        (
            "rfc",
            RandomForestClassifier(n_estimators=6, random_state=0).fit(X, three),
            "probability",
            2,
        ),
        (
            "gbc",
            GradientBoostingClassifier(n_estimators=10, random_state=0).fit(X, labels),
            "log_odds",
            1,
        ),
        (
            "gbc0",
            GradientBoostingClassifier(n_estimators=10, random_state=0).fit(X, labels),
            "log_odds",
            0,
        ),
    ]


@pytest.mark.parametrize("case", range(7))
def test_tree_algorithm_equals_enumeration(case):
    from explainspec.worlds.sources.models import wrap_model

    X, cases = _tree_cases()
    name, model, scale, k = cases[case]
    fn = wrap_model(model, scale=scale, klass=k).predict
    ens = se.tree_ensemble(model, scale, k, X.shape[1])
    assert ens is not None, name
    pts, bg = X[:4], X[40:70]
    cal = ens.calibrated(fn, np.vstack([pts, bg]))
    assert cal is not None, name
    np.testing.assert_allclose(cal.predict(X), fn(X), atol=1e-9)
    tree_phi = cal.shapley(pts, bg)
    enum_phi = se._shapley(se.enumerate_games(fn, pts, bg))
    np.testing.assert_allclose(tree_phi, enum_phi, atol=1e-9, err_msg=name)


def test_probabilities_of_boosting_are_not_additive_in_trees():
    X, cases = _tree_cases()
    model = cases[5][1]
    assert se.tree_ensemble(model, "probability", 1, X.shape[1]) is None
    # and a wrong ensemble is caught by the calibration against the function
    ens = se.tree_ensemble(model, "log_odds", 1, X.shape[1])
    assert ens.calibrated(lambda z: model.predict_proba(z)[:, 1], X[:20]) is None


def test_diabetes_gbr_tree_algorithm_equals_enumeration_at_d_10():
    """The brief's model: 100 trees of depth 3 on diabetes (d = 10), 100 background rows."""
    from tests.audit_helpers import diabetes_100

    frame, model = diabetes_100()
    X = frame.drop(columns="target").to_numpy()
    rng = np.random.default_rng(0)
    bg = X[rng.choice(len(X), 100, replace=False)]
    pts = X[rng.choice(len(X), 3, replace=False)]
    ens = se.tree_ensemble(model, "predict", None, 10).calibrated(
        model.predict, np.vstack([pts, bg])
    )
    enum = se._shapley(se.enumerate_games(model.predict, pts, bg))
    np.testing.assert_allclose(ens.shapley(pts, bg), enum, atol=1e-9)


def test_shap_tree_explainer_differs_from_sklearn_by_float32_thresholds():
    """shap 0.51's interventional TreeExplainer tests background values against split thresholds
    rounded to float32; scikit-learn tests float32(x) <= threshold (a float64). On the diabetes
    data many values sit within float32 rounding of a threshold, so TreeExplainer's values are
    not the Shapley values of model.predict there: the exact values (tree algorithm = enumeration
    = shap's own Exact explainer on model.predict) differ from TreeExplainer by up to ~1, while
    the same tree algorithm with float32-rounded thresholds reproduces TreeExplainer to 1e-5."""
    shap = pytest.importorskip("shap")
    frame, model = diabetes()
    X = frame.drop(columns="target").to_numpy().astype(np.float32).astype(float)
    rng = np.random.default_rng(0)
    bg = X[rng.choice(len(X), 100, replace=False)]
    pts = X[rng.choice(len(X), 20, replace=False)]
    tree_shap = shap.TreeExplainer(
        model, data=bg, feature_perturbation="interventional"
    ).shap_values(pts)
    ens = se.tree_ensemble(model, "predict", None, 10).calibrated(
        model.predict, np.vstack([pts, bg])
    )
    exact = ens.shapley(pts, bg)
    assert np.abs(tree_shap - exact).max() > 0.1  # not a rounding-level difference
    r32 = lambda a: np.where(np.isfinite(a), np.asarray(a, np.float32).astype(float), a)  # noqa: E731
    as_shap = se.TreeEnsemble(lo=r32(ens.lo), hi=r32(ens.hi), value=ens.value, const=ens.const)
    np.testing.assert_allclose(as_shap.shapley(pts, bg), tree_shap, atol=1e-5)
    np.testing.assert_allclose(
        tree_shap.sum(axis=1), exact.sum(axis=1), atol=1e-5
    )  # both efficient


def test_shap_tree_explainer_agrees_where_values_are_float32_exact():
    """With thresholds that are float32 numbers (features on a grid of quarters) TreeExplainer and
    the exact values agree up to shap's float32 leaf values."""
    shap = pytest.importorskip("shap")
    rng = np.random.default_rng(5)
    X = rng.integers(-8, 8, size=(300, 10)) / 4.0
    y = X[:, 0] * X[:, 1] + X[:, 2] ** 2 - X[:, 3] + (X[:, 4] > 0) * X[:, 5]
    model = GradientBoostingRegressor(n_estimators=100, max_depth=3, random_state=0).fit(X, y)
    bg, pts = X[:100], X[100:110]
    tree_shap = shap.TreeExplainer(
        model, data=bg, feature_perturbation="interventional"
    ).shap_values(pts)
    enum = se._shapley(se.enumerate_games(model.predict, pts, bg))
    scale = np.abs(enum).max()
    np.testing.assert_allclose(tree_shap, enum, atol=1e-6 * scale)
