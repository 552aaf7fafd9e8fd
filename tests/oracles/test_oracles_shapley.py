"""Game-theoretic oracles: each cross-checked two independent ways, plus CLAIMS.md worked numbers."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pytest
from _oracle_gen import (
    game_by_definition,
    pmfs,
    product_pmfs,
    shapley_by_permutations,
    term_functions,
)
from hypothesis import given
from hypothesis import strategies as st

from explainspec.oracles import (
    OracleError,
    banzhaf,
    banzhaf_from_game,
    baseline_game,
    conditional_game,
    interventional_game,
    moebius,
    moebius_from_game,
    nshapley,
    nshapley_from_game,
    shapley,
    shapley_baseline,
    shapley_conditional,
    shapley_from_game,
    shapley_interaction_from_game,
    shapley_terms,
)
from explainspec.oracles import games as games_module

ATOL = 1e-10


def sizes(d):
    return np.array([bin(S).count("1") for S in range(1 << d)])


@st.composite
def worlds(draw, max_d=4, independent=None, max_order=3):
    d = draw(st.integers(1, max_d))
    f = draw(term_functions(d, max_order=max_order))
    rows = draw(product_pmfs(d)) if independent else draw(pmfs(d))
    x = rows[draw(st.integers(0, len(rows) - 1))].copy()
    if draw(st.booleans()):  # also off-support points (fine for every game but the conditional)
        x = x + np.array(draw(st.lists(st.sampled_from([0.0, 0.5, -1.5]), min_size=d, max_size=d)))
    return f, x, rows


# --- games ---------------------------------------------------------------------------------


@given(worlds())
def test_interventional_game_equals_definition(world):
    f, x, rows = world
    np.testing.assert_allclose(
        interventional_game(f.plain, x, rows), game_by_definition(f, x, rows), atol=ATOL
    )


@given(worlds(max_d=3), st.integers(1, 40))
def test_interventional_game_chunk_boundaries(monkeypatch_world, chunk):
    # any chunk size (down to a fraction of one coalition's rows) gives the same game
    f, x, rows = monkeypatch_world
    X = np.vstack([x, x + 1.0])
    whole = interventional_game(f.plain, X, rows)
    old = games_module.CHUNK_ELEMENTS
    games_module.CHUNK_ELEMENTS = chunk
    try:
        chunked = interventional_game(f.plain, X, rows)
    finally:
        games_module.CHUNK_ELEMENTS = old
    np.testing.assert_allclose(chunked, whole, atol=ATOL)
    np.testing.assert_allclose(whole[1], game_by_definition(f, X[1], rows), atol=ATOL)


@given(worlds())
def test_conditional_game_equals_filtering(world):
    f, _, rows = world
    x = rows[0]
    v = conditional_game(f.plain, x, rows)
    for S in range(1 << rows.shape[1]):
        cols = [j for j in range(rows.shape[1]) if S >> j & 1]
        keep = np.all(rows[:, cols] == x[cols], axis=1)
        assert v[S] == pytest.approx(np.mean(f(rows[keep])), abs=ATOL)


@given(worlds(independent=True))
def test_conditional_equals_interventional_under_independence(world):
    f, _, rows = world
    x = rows[-1]
    np.testing.assert_allclose(
        conditional_game(f.plain, x, rows), interventional_game(f.plain, x, rows), atol=1e-9
    )


def test_conditional_game_rejects_point_off_support():
    rows = np.array([[0.0, 0.0], [1.0, 1.0]])
    with pytest.raises(OracleError, match="not in the support"):
        conditional_game(lambda z: z[:, 0], [1.0, 0.0], rows)


# --- Shapley, Banzhaf, Möbius, interactions, n-Shapley from a game ----------------------------


@st.composite
def games(draw, max_d=5):
    d = draw(st.integers(1, max_d))
    v = draw(st.lists(st.floats(-10, 10), min_size=1 << d, max_size=1 << d))
    return np.array(v), d


@given(games())
def test_shapley_subset_formula_equals_permutation_enumeration(game):
    v, d = game
    np.testing.assert_allclose(shapley_from_game(v), shapley_by_permutations(v, d), atol=1e-9)


@given(games())
def test_moebius_inverts_to_game_and_gives_shapley_and_banzhaf(game):
    v, d = game
    m = moebius_from_game(v)
    # zeta transform by definition: v(S) = sum of m(T) over subsets T of S
    for S in range(1 << d):
        assert sum(m[T] for T in range(1 << d) if T & S == T) == pytest.approx(v[S], abs=1e-9)
    k = sizes(d)
    for i in range(d):
        has_i = [S for S in range(1 << d) if S >> i & 1]
        assert shapley_from_game(v)[i] == pytest.approx(sum(m[S] / k[S] for S in has_i), abs=1e-9)
        assert banzhaf_from_game(v)[i] == pytest.approx(
            sum(m[S] / 2 ** (k[S] - 1) for S in has_i), abs=1e-9
        )


@given(games())
def test_efficiency_of_shapley(game):
    v, d = game
    assert shapley_from_game(v).sum() == pytest.approx(v[-1] - v[0], abs=1e-9)


@given(games(max_d=4))
def test_interaction_index_equals_moebius_formula(game):
    # Grabisch: I(T) = sum over U containing T of m(U) / (|U| - |T| + 1)
    v, d = game
    m, k = moebius_from_game(v), sizes(d)
    index = shapley_interaction_from_game(v)
    shap_conv = shapley_interaction_from_game(v, convention="shap")
    for i, j in itertools.combinations(range(d), 2):
        T = 1 << i | 1 << j
        want = sum(m[U] / (k[U] - 1) for U in range(1 << d) if U & T == T)
        assert index[i, j] == pytest.approx(want, abs=1e-9)
        assert shap_conv[j, i] == pytest.approx(want / 2, abs=1e-9)
    np.testing.assert_allclose(shap_conv.sum(axis=1), shapley_from_game(v), atol=1e-9)
    np.testing.assert_allclose(np.diag(index), shapley_from_game(v), atol=1e-9)


@given(games(max_d=5))
def test_nshapley_one_is_shapley_and_d_is_moebius(game):
    v, d = game
    k = sizes(d)
    phi1 = nshapley_from_game(v, 1)
    np.testing.assert_allclose(phi1[1 << np.arange(d)], shapley_from_game(v), atol=1e-9)
    assert np.all(phi1[k > 1] == 0)
    np.testing.assert_allclose(nshapley_from_game(v, d), moebius_from_game(v), atol=1e-9)
    for n in range(1, d + 1):  # efficiency of every order
        assert nshapley_from_game(v, n).sum() == pytest.approx(v[-1], abs=1e-8)


@given(st.data())
def test_nshapley_recovers_order_n_gam(data):
    # C18: a GAM with interactions of order <= n has Phi^n == Möbius and no higher-order m
    d = data.draw(st.integers(2, 4))
    n = data.draw(st.integers(1, d))
    f = data.draw(term_functions(d, max_order=n))
    rows = data.draw(pmfs(d))
    x = rows[0]
    m, k = moebius(f.plain, x, rows), sizes(d)
    assert np.abs(m[k > n]).max(initial=0.0) <= 1e-9
    np.testing.assert_allclose(nshapley(f.plain, x, rows, n), m, atol=1e-9)


# --- oracles on generated worlds --------------------------------------------------------------


@given(worlds())
def test_efficiency_of_every_game(world):
    f, x, rows = world
    fx, mean = f(x[None])[0], f(rows).mean()
    assert shapley(f.plain, x, rows).sum() == pytest.approx(fx - mean, abs=1e-9)
    b = rows[-1]
    assert shapley_baseline(f.plain, x, b).sum() == pytest.approx(fx - f(b[None])[0], abs=1e-9)
    xs = rows[0]
    assert shapley_conditional(f.plain, xs, rows).sum() == pytest.approx(
        f(xs[None])[0] - mean, abs=1e-9
    )


@given(worlds(max_d=5))
def test_termwise_shapley_equals_brute_force(world):
    f, x, rows = world
    brute = shapley_from_game(game_by_definition(f, x, rows))
    np.testing.assert_allclose(shapley_terms(f.terms, x, rows), brute, atol=1e-9)
    np.testing.assert_allclose(shapley(f, x, rows), brute, atol=1e-9)  # dispatches to terms
    b = rows[0]
    np.testing.assert_allclose(
        shapley_baseline(f, x, b), shapley_from_game(baseline_game(f.plain, x, b)), atol=1e-9
    )


def test_termwise_is_skipped_when_terms_do_not_describe_f():
    class Liar:
        terms = ((1.0, {0: lambda t: t}),)

        def __call__(self, z):
            return np.exp(z[:, 0])

    rows = np.array([[0.0], [1.0]])
    assert shapley(Liar(), [1.0], rows)[0] == pytest.approx(np.e - (1 + np.e) / 2)


def test_batched_points_equal_single_points():
    rows = np.array([[0.0, 1.0, 2.0], [1.0, -1.0, 0.5], [2.0, 0.0, 0.0]])

    def f(z):
        return np.sin(z[:, 0]) * z[:, 1] + np.abs(z[:, 2])

    X = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    batch = shapley(f, X, rows)
    assert batch.shape == (2, 3)
    for k in range(2):
        np.testing.assert_allclose(batch[k], shapley(f, X[k], rows), atol=1e-12)


@given(worlds(max_d=4))
def test_dummy_feature_gets_zero_under_interventional_and_baseline(world):
    # C02: a feature f ignores gets exactly zero, even when it is correlated with the others
    f, x, rows = world
    d = rows.shape[1]
    used = {j for _, shapes in f.terms for j in shapes}
    phi, bshap = shapley(f.plain, x, rows), shapley_baseline(f.plain, x, rows[0])
    for j in set(range(d)) - used:
        assert phi[j] == 0.0 and bshap[j] == 0.0


def test_large_d_without_terms_is_refused():
    with pytest.raises(OracleError, match="too large"):
        shapley(lambda z: z[:, 0], np.zeros(25), np.zeros((2, 25)))


def test_termwise_at_d_100():
    rng = np.random.default_rng(0)
    d = 100
    terms = tuple(
        (float(rng.normal()), {int(j): np.sin for j in rng.choice(d, size=rng.integers(1, 4))})
        for _ in range(60)
    )
    rows = rng.normal(size=(100, d))
    x = rng.normal(size=d)
    phi = shapley_terms(terms, x, rows)

    def f(z):
        out = np.zeros(z.shape[0])
        for c, s in terms:
            out += c * np.prod([g(z[:, j]) for j, g in s.items()], axis=0)
        return out

    assert phi.sum() == pytest.approx(f(x[None])[0] - f(rows).mean(), abs=1e-9)


# --- worked numbers of CLAIMS.md ---------------------------------------------------------------


def test_c03_duplicate_feature():
    rows = np.array([[0.0, 0.0], [1.0, 1.0]])

    def f(z):
        return z[:, 0]

    np.testing.assert_allclose(shapley(f, [1, 1], rows), [0.5, 0.0], atol=ATOL)
    np.testing.assert_allclose(shapley_conditional(f, [1, 1], rows), [0.25, 0.25], atol=ATOL)


class _Linear:
    def __init__(self, w, c=0.0):
        self.w, self.c = np.asarray(w, float), c

    def __call__(self, z):
        return np.atleast_2d(z) @ self.w + self.c

    def handover(self, form):
        if form != "linear":
            raise ValueError(form)
        return self.w, self.c


def _gaussian(mean, cov):
    return SimpleNamespace(rows=None, mean=np.asarray(mean, float), cov=np.asarray(cov, float))


def test_c03_gaussian_closed_form():
    P = _gaussian([0, 0], [[1, 0.8], [0.8, 1]])
    np.testing.assert_allclose(shapley_conditional(_Linear([1, 0]), [1, 2], P), [0.2, 0.8])


def test_c07_gaussian_conditional():
    P = _gaussian([0, 0, 0], [[1, 0.9, 0.5], [0.9, 1, 0.5], [0.5, 0.5, 1]])
    phi = shapley_conditional(_Linear([1, 1, 0]), [1, -1, 2], P)
    np.testing.assert_allclose(phi, [1.528, -2.239, 0.711], atol=5e-4)
    np.testing.assert_allclose(shapley(_Linear([1, 1, 0]), [1, -1, 2], P), [1, -1, 0])


@given(st.integers(2, 4), st.data())
def test_gaussian_conditional_game_via_precision_matrix(d, data):
    # independent algebra: E[X_B | X_A = a] = mu_B - inv(L_BB) L_BA (a - mu_A), L = inv(Sigma)
    vals = st.floats(-2, 2, allow_nan=False)
    A = np.array(
        data.draw(st.lists(st.lists(vals, min_size=d, max_size=d), min_size=d, max_size=d))
    )
    cov = A @ A.T + 0.5 * np.eye(d)
    mu = np.array(data.draw(st.lists(vals, min_size=d, max_size=d)))
    w = np.array(data.draw(st.lists(vals, min_size=d, max_size=d)))
    x = np.array(data.draw(st.lists(vals, min_size=d, max_size=d)))
    v = conditional_game(_Linear(w, 0.5), x, _gaussian(mu, cov))
    L = np.linalg.inv(cov)
    for S in range(1 << d):
        a = np.array([S >> j & 1 == 1 for j in range(d)])
        cond = x.copy()
        if (~a).any():
            B = ~a
            cond[B] = mu[B] - np.linalg.solve(L[np.ix_(B, B)], L[np.ix_(B, a)] @ (x[a] - mu[a]))
        assert v[S] == pytest.approx(w @ cond + 0.5, rel=1e-8, abs=1e-8)
    # diagonal covariance: conditional == interventional == w (x - mu)
    indep = shapley_conditional(_Linear(w), x, _gaussian(mu, np.diag(np.diag(cov))))
    np.testing.assert_allclose(indep, w * (x - mu), atol=1e-9)


def test_c09_interactions_split_equally():
    # P uniform on {-1, 0, 2}^4; the worked numbers are reproduced at x = (1, 2, -1, 0.5), an
    # off-grid point (CLAIMS.md does not name x; we found it by solving for it).
    def f(z):
        return z[:, 0] * z[:, 1] + z[:, 1] * z[:, 2] * z[:, 3] + z[:, 0]

    rows = np.array(list(itertools.product([-1, 0, 2], repeat=4)), float)
    x = np.array([1, 2, -1, 0.5])
    phi = shapley(f, x, rows)
    np.testing.assert_allclose(phi, [1.4444, 0.8488, -0.6790, -0.0957], atol=5e-5)
    m, k = moebius(f, x, rows), sizes(4)
    from_m = [sum(m[S] / k[S] for S in range(16) if S >> i & 1) for i in range(4)]
    np.testing.assert_allclose(phi, from_m, atol=1e-12)


def test_c10_independent_and_dependent():
    def f(z):
        return z[:, 0] + 2 * z[:, 1] + z[:, 0] * z[:, 1]

    g = np.linspace(-1, 1, 5)
    grid = np.array(list(itertools.product(g, g)))
    np.testing.assert_allclose(shapley(f, [1, 0.5], grid), [1.25, 1.25], atol=ATOL)
    np.testing.assert_allclose(shapley_conditional(f, [1, 0.5], grid), [1.25, 1.25], atol=ATOL)
    # 90% of the mass on the diagonal, 10% on the anti-diagonal (a multiset 9:1)
    dep = np.array([[a, a] for a in g for _ in range(9)] + [[a, -a] for a in g])
    np.testing.assert_allclose(shapley(f, [1, 1], dep), [1.3, 2.3], atol=ATOL)
    np.testing.assert_allclose(shapley_conditional(f, [1, 1], dep), [1.7, 1.9], atol=ATOL)


def test_c20_banzhaf_vs_shapley():
    cube = np.array(list(itertools.product([-1, 1], repeat=3)), float)
    x = np.ones(3)

    def pair(z):
        return z[:, 0] * z[:, 1] + z[:, 2]

    def triple(z):
        return z[:, 0] * z[:, 1] * z[:, 2]

    np.testing.assert_allclose(shapley(pair, x, cube), [0.5, 0.5, 1], atol=ATOL)
    np.testing.assert_allclose(banzhaf(pair, x, cube), [0.5, 0.5, 1], atol=ATOL)
    np.testing.assert_allclose(shapley(triple, x, cube), [1 / 3] * 3, atol=ATOL)
    np.testing.assert_allclose(banzhaf(triple, x, cube), [0.25] * 3, atol=ATOL)
    assert banzhaf(triple, x, cube).sum() == pytest.approx(0.75)


def test_c18_worked_example():
    def f(z):
        return z[:, 0] * z[:, 1] + np.sin(z[:, 2]) + z[:, 2] * z[:, 3] + z[:, 3] ** 2

    rows = np.array(list(itertools.product([-1, 0.5, 2], repeat=4)), float)
    x = np.array([2.0, -1.0, 0.5, 2.0])
    m, k = moebius(f, x, rows), sizes(4)
    assert np.abs(m[k > 2]).max() <= 1e-12
    np.testing.assert_allclose(nshapley(f, x, rows, 2), m, atol=1e-12)
    np.testing.assert_allclose(nshapley(f, x, rows, 1)[[1, 2, 4, 8]], shapley(f, x, rows))


def test_c44_bshap_of_and_and_or():
    np.testing.assert_allclose(
        shapley_baseline(lambda z: z[:, 0] * z[:, 1], [2, 3], [0, 0]), [3, 3], atol=ATOL
    )
    np.testing.assert_allclose(
        shapley_baseline(lambda z: np.maximum(z[:, 0], z[:, 1]), [1, 1], [0, 0]), [0.5, 0.5]
    )


# --- agreement with shap ---------------------------------------------------------------------


@given(worlds(max_d=4))
def test_agrees_with_shap_exact_explainer(world):
    import shap

    f, x, rows = world
    explainer = shap.explainers.Exact(
        f.plain, shap.maskers.Independent(rows, max_samples=len(rows))
    )
    theirs = explainer(x[None, :]).values[0]
    np.testing.assert_allclose(shapley(f.plain, x, rows), theirs, atol=1e-8)
