"""Curves (PD, ICE, M-plot, ALE) and permutation importances, cross-checked two ways."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from _oracle_gen import SHAPES, nice, pmfs, product_pmfs, term_functions
from hypothesis import given
from hypothesis import strategies as st

from explainspec.oracles import OracleError
from explainspec.oracles.curves import ale, ice, mplot, pd
from explainspec.oracles.importance import cpi, pfi


@st.composite
def additive_worlds(draw, max_d=4):
    d = draw(st.integers(1, max_d))
    names = [draw(st.sampled_from(sorted(SHAPES))) for _ in range(d)]
    coefs = [draw(nice) for _ in range(d)]
    rest = draw(term_functions(d, max_order=2)) if d > 1 else None
    j = draw(st.integers(0, d - 1))
    rows = draw(pmfs(d))
    return d, names, coefs, rest, j, rows


def _component(names, coefs, j):
    return lambda t: coefs[j] * SHAPES[names[j]](np.asarray(t, float))


def _additive_f(names, coefs, rest, j):
    # f = g_j(x_j) + h(x_-j), with h drawn freely but stripped of x_j
    terms = [] if rest is None else [(c, s) for c, s in rest.terms if j not in s]

    def f(z):
        out = _component(names, coefs, j)(z[:, j])
        for c, s in terms:
            out = out + c * np.prod([g(z[:, k]) for k, g in s.items()], axis=0)
        return out

    return f


@given(additive_worlds())
def test_pd_and_ale_equal_centred_component_for_additive_f(world):
    # C22: for f = g_j(x_j) + h(x_-j), PD_j(t) = g_j(t) + E h, for any dependence; ALE too
    d, names, coefs, rest, j, rows = world
    f, g = _additive_f(names, coefs, rest, j), _component(names, coefs, j)
    levels = np.unique(rows[:, j])
    t = np.concatenate([levels, [-0.75, 1.25]])
    curve = pd(f, j, t, rows)
    np.testing.assert_allclose(curve - curve[0], g(t) - g(t[0]), atol=1e-9)
    np.testing.assert_allclose(ale(f, j, levels, rows), g(levels) - g(rows[:, j]).mean(), atol=1e-9)


@given(st.data())
def test_ale_equals_centred_pd_under_independence(data):
    d = data.draw(st.integers(1, 3))
    f = data.draw(term_functions(d))
    rows = data.draw(product_pmfs(d))
    j = data.draw(st.integers(0, d - 1))
    levels = np.unique(rows[:, j])
    pd_levels = pd(f, j, levels, rows)
    centred = pd_levels - pd(f, j, rows[:, j], rows).mean()
    np.testing.assert_allclose(ale(f, j, levels, rows), centred, atol=1e-9)


@given(st.data())
def test_pd_is_mean_of_ice_and_mplot_is_filtered_mean(data):
    d = data.draw(st.integers(1, 3))
    f = data.draw(term_functions(d))
    rows = data.draw(pmfs(d))
    j = data.draw(st.integers(0, d - 1))
    t = np.array([-1.0, 0.5, 2.0])
    curves = ice(f, j, t, rows)
    assert curves.shape == (len(rows), 3)
    np.testing.assert_allclose(pd(f, j, t, rows), curves.mean(axis=0), atol=1e-12)
    for r in range(len(rows)):  # ICE by hand
        z = np.repeat(rows[r : r + 1], 3, axis=0)
        z[:, j] = t
        np.testing.assert_allclose(ice(f, j, t, rows[r]), f(z), atol=1e-12)
    level = rows[0, j]
    keep = [r for r in range(len(rows)) if rows[r, j] == level]
    assert mplot(f, j, level, rows) == pytest.approx(np.mean(f(rows[keep])), abs=1e-12)


def test_mplot_rejects_values_off_support():
    with pytest.raises(OracleError, match="not a level"):
        mplot(lambda z: z[:, 0], 0, 0.3, np.array([[0.0], [1.0]]))


def test_c23_flat_pd_of_pure_interaction():
    rows = np.array(list(itertools.product(np.linspace(-1, 1, 5), [-1.0, 1.0])))

    def f(z):
        return z[:, 0] * z[:, 1]

    assert np.abs(pd(f, 0, np.linspace(-1, 1, 5), rows)).max() == 0.0
    slopes = np.diff(ice(f, 0, [0.0, 1.0], rows), axis=1).ravel()
    assert set(np.round(slopes, 12)) == {-1.0, 1.0}


def test_ale_between_and_beyond_levels():
    rows = np.array([[0.0], [1.0], [3.0]])
    a = ale(lambda z: z[:, 0] ** 2, 0, [0.0, 0.5, 1.0, 2.0, 3.0, 9.0, -5.0], rows)
    base = (0 + 1 + 9) / 3
    np.testing.assert_allclose(
        a, [-base, 0.5 - base, 1 - base, 5 - base, 9 - base, 9 - base, -base]
    )


def test_agrees_with_sklearn_partial_dependence():
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.inspection import partial_dependence

    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 3))
    X[:, 1] = 0.9 * X[:, 0] + 0.2 * rng.normal(size=80)
    y = X[:, 0] * X[:, 1] + np.sin(X[:, 2])
    model = GradientBoostingRegressor(n_estimators=20, random_state=0).fit(X, y)
    for j in range(3):
        grid = np.linspace(-1, 1, 7)
        theirs = partial_dependence(
            model, X, [j], method="brute", custom_values={j: grid}, kind="average"
        )["average"][0]
        np.testing.assert_allclose(pd(model.predict, j, grid, X), theirs, atol=1e-12)


# --- permutation importance ----------------------------------------------------------------


def _pairs_by_definition(f, rows, y, loss, conditional):
    L = (lambda a, b: (a - b) ** 2) if loss == "squared" else (lambda a, b: np.abs(a - b))
    n, d = rows.shape
    base = L(y, f(rows)).mean()
    out = []
    for j in range(d):
        total = 0.0
        for a in range(n):
            others = [
                b
                for b in range(n)
                if not conditional or np.array_equal(np.delete(rows[b], j), np.delete(rows[a], j))
            ]
            z = np.repeat(rows[a : a + 1], len(others), axis=0)
            z[:, j] = rows[others, j]
            total += L(y[a], f(z)).mean()
        out.append(total / n - base)
    return np.array(out)


@given(st.data())
def test_pfi_and_cpi_equal_pair_enumeration(data):
    d = data.draw(st.integers(1, 3))
    f = data.draw(term_functions(d))
    rows = data.draw(pmfs(d))
    target = data.draw(term_functions(d))
    y = target(rows)
    loss = data.draw(st.sampled_from(["squared", "absolute"]))
    np.testing.assert_allclose(
        pfi(f, rows, y, loss), _pairs_by_definition(f, rows, y, loss, False), atol=1e-9
    )
    np.testing.assert_allclose(
        cpi(f, rows, y, loss), _pairs_by_definition(f, rows, y, loss, True), atol=1e-9
    )


@given(st.data())
def test_pfi_closed_form_for_linear_f(data):
    # C28: f = w.x + c, y = f(X) => PFI_j = 2 w_j^2 Var(X_j), whatever the correlation
    d = data.draw(st.integers(1, 4))
    rows = data.draw(pmfs(d))
    w = np.array(data.draw(st.lists(nice, min_size=d, max_size=d)))

    def f(z):
        return z @ w + 0.5

    np.testing.assert_allclose(pfi(f, rows, f), 2 * w**2 * rows.var(axis=0), atol=1e-9)


@given(st.data())
def test_pfi_of_unused_feature_is_exactly_zero(data):
    d = data.draw(st.integers(2, 4))
    f = data.draw(term_functions(d))
    rows = data.draw(pmfs(d))
    y = rows.sum(axis=1)
    used = {j for _, s in f.terms for j in s}
    importance, conditional = pfi(f, rows, y), cpi(f, rows, y)
    for j in set(range(d)) - used:
        assert importance[j] == 0.0 and conditional[j] == 0.0


def test_c29_proxy_feature():
    grid = np.linspace(-1, 1, 21)
    rows = np.array([[a, a + s] for a in grid for s in (-0.1, 0.1)])

    def f(z):
        return z[:, 1]

    np.testing.assert_allclose(pfi(f, rows, rows[:, 0]), [0.0, 0.7333333333], atol=1e-9)
    # conditional on X1, permuting X2 only swaps +-0.1: no loss change at all
    np.testing.assert_allclose(cpi(f, rows, rows[:, 0]), [0.0, 0.0], atol=1e-12)


def test_pfi_rejects_bad_arguments():
    rows = np.zeros((3, 2))
    with pytest.raises(OracleError, match="loss"):
        pfi(lambda z: z[:, 0], rows, np.zeros(3), loss="hinge")
    with pytest.raises(OracleError, match="rows"):
        pfi(lambda z: z[:, 0], rows, np.zeros(2))
