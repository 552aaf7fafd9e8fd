"""Interaction indices (oracles/interactions.py): each index checked against a second, independent
computation from its definition, plus the properties the specs state (efficiency, purity of the
pairs at order 2, what a three-way dividend does to each index)."""

from __future__ import annotations

import itertools
from math import comb, factorial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explainspec.oracles import (
    OracleError,
    banzhaf_from_game,
    interventional_game,
    moebius_from_game,
    nshapley_from_game,
    shapley_from_game,
)
from explainspec.oracles.interactions import (
    INDICES,
    interaction_index,
    interaction_index_from_game,
)

ATOL = 1e-10


def sizes(d: int) -> np.ndarray:
    return np.array([bin(S).count("1") for S in range(1 << d)])


def subsets(S: int) -> list[int]:
    out, L = [], S
    while True:
        out.append(L)
        if L == 0:
            return out
        L = (L - 1) & S


def derivative(v: np.ndarray, S: int, T: int) -> float:
    """Discrete derivative Delta_S v(T) = sum_{L subset S} (-1)**(|S|-|L|) v(T + L)."""
    k = bin(S).count("1")
    return sum((-1) ** (k - bin(L).count("1")) * v[T | L] for L in subsets(S))


def games(max_d: int = 5):
    return st.integers(1, max_d).flatmap(
        lambda d: st.lists(
            st.integers(-6, 6).map(lambda k: k / 2), min_size=1 << d, max_size=1 << d
        ).map(np.array)
    )


def game_of_dividends(m: np.ndarray) -> np.ndarray:
    d = int(np.log2(len(m)))
    return np.array([sum(m[T] for T in subsets(S)) for S in range(1 << d)])


# ------------------------------------------------------------------------ definitions


@settings(max_examples=60, deadline=None)
@given(games())
def test_sii_and_bii_by_their_derivative_definitions(v):
    """SII: sum over T in N-S of |T|!(d-|T|-|S|)!/(d-|S|+1)! Delta_S v(T); BII: the plain mean."""
    d = int(np.log2(len(v)))
    for order in range(1, d + 1):
        sii = interaction_index_from_game(v, "SII", order)
        bii = interaction_index_from_game(v, "BII", order)
        for S in range(1, 1 << d):
            s = bin(S).count("1")
            if s > order:
                assert sii[S] == 0 and bii[S] == 0
                continue
            rest = [T for T in range(1 << d) if T & S == 0]
            w = [
                factorial(bin(T).count("1"))
                * factorial(d - bin(T).count("1") - s)
                / factorial(d - s + 1)
                for T in rest
            ]
            want_sii = sum(wi * derivative(v, S, T) for wi, T in zip(w, rest, strict=True))
            want_bii = np.mean([derivative(v, S, T) for T in rest])
            assert sii[S] == pytest.approx(want_sii, abs=ATOL)
            assert bii[S] == pytest.approx(want_bii, abs=ATOL)
        assert sii[0] == bii[0] == v[0]  # entry 0 is the base value for every index


@settings(max_examples=60, deadline=None)
@given(games())
def test_singletons_are_shapley_and_banzhaf_values(v):
    d = int(np.log2(len(v)))
    single = [1 << i for i in range(d)]
    np.testing.assert_allclose(
        interaction_index_from_game(v, "SII", 1)[single], shapley_from_game(v), atol=ATOL
    )
    np.testing.assert_allclose(
        interaction_index_from_game(v, "BII", 1)[single], banzhaf_from_game(v), atol=ATOL
    )


@settings(max_examples=60, deadline=None)
@given(games())
def test_stii_by_the_shapley_taylor_definition(v):
    """Top order k: (k / d) sum over T in N-S of Delta_S v(T) / C(d-1, |T|); below it m(S)."""
    d = int(np.log2(len(v)))
    m = moebius_from_game(v)
    for k in range(1, d + 1):
        stii = interaction_index_from_game(v, "STII", k)
        for S in range(1, 1 << d):
            s = bin(S).count("1")
            if s < k:
                assert stii[S] == pytest.approx(m[S], abs=ATOL)
            elif s == k:
                rest = [T for T in range(1 << d) if T & S == 0]
                want = (k / d) * sum(
                    derivative(v, S, T) / comb(d - 1, bin(T).count("1")) for T in rest
                )
                assert stii[S] == pytest.approx(want, abs=ATOL)
            else:
                assert stii[S] == 0


@settings(max_examples=40, deadline=None)
@given(games(), st.integers(1, 5))
def test_ksii_is_nshapley(v, order):
    d = int(np.log2(len(v)))
    order = min(order, d)
    np.testing.assert_allclose(
        interaction_index_from_game(v, "k-SII", order), nshapley_from_game(v, order), atol=ATOL
    )


def _faithful_loss(v, phi, order, weights):
    d = int(np.log2(len(v)))
    small = [S for S in range(1 << d) if bin(S).count("1") <= order]
    approx = np.array([sum(phi[S] for S in small if S & T == S) for T in range(1 << d)])
    return float(np.sum(weights * (v - approx) ** 2)), approx


@settings(max_examples=40, deadline=None)
@given(games(max_d=4), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_faithful_indices_minimise_their_loss(v, order, seed):
    """FSII: exact at the empty and full coalition, and no feasible perturbation lowers the
    Shapley-kernel loss; FBII: no perturbation lowers the unweighted loss."""
    d = int(np.log2(len(v)))
    order = min(order, d)
    rng = np.random.default_rng(seed)
    small = [S for S in range(1 << d) if bin(S).count("1") <= order]
    size = sizes(d)
    kernel = np.zeros(1 << d)
    inner = (size > 0) & (size < d)
    kernel[inner] = [1.0 / ((d - 1) * comb(d - 2, int(k) - 1)) for k in size[inner]]
    fsii = interaction_index_from_game(v, "FSII", order)
    loss, approx = _faithful_loss(v, fsii, order, kernel)
    assert approx[0] == pytest.approx(v[0], abs=1e-9)
    assert approx[-1] == pytest.approx(v[-1], abs=1e-9)
    fbii = interaction_index_from_game(v, "FBII", order)
    fbii_loss = _min_over_intercept(v, fbii, order)
    for _ in range(5):
        delta = np.zeros(1 << d)
        delta[small] = rng.normal(size=len(small)) * 1e-3
        # keep FSII feasible: no change at the empty set nor of the total
        delta[0] = 0.0
        delta[small[-1]] -= sum(delta[S] for S in small)
        assert _faithful_loss(v, fsii + delta, order, kernel)[0] >= loss - 1e-12
        # FBII's intercept is free in its fit (entry 0 reports v(empty) instead): compare the
        # losses with the best intercept for each candidate
        other = np.zeros(1 << d)
        other[small] = rng.normal(size=len(small)) * 1e-3
        assert _min_over_intercept(v, fbii + other, order) >= fbii_loss - 1e-12


def _min_over_intercept(v, phi, order):
    """The unweighted loss of ``phi`` with its intercept (entry 0) chosen optimally."""
    _, approx = _faithful_loss(v, phi, order, 1.0)
    resid = v - approx
    return float(np.sum((resid - resid.mean()) ** 2))


# ------------------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(games())
def test_efficient_indices_add_up_to_the_grand_coalition(v):
    d = int(np.log2(len(v)))
    for index in ("k-SII", "STII", "FSII"):
        for order in range(1, d + 1):
            assert interaction_index_from_game(v, index, order).sum() == pytest.approx(
                v[-1], abs=1e-8
            )


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda d: st.lists(st.integers(-4, 4), min_size=1 << d, max_size=1 << d)
    )
)
def test_every_index_gives_the_pure_pairs_of_an_order_two_game(dividends):
    m = np.array(dividends, dtype=float)
    d = int(np.log2(len(m)))
    m[sizes(d) > 2] = 0.0  # a game of order <= 2
    v = game_of_dividends(m)
    pairs = sizes(d) == 2
    for index in INDICES:
        np.testing.assert_allclose(
            interaction_index_from_game(v, index, 2)[pairs], m[pairs], atol=1e-9, err_msg=index
        )
    for index in ("k-SII", "STII", "FSII", "Moebius"):  # and the efficient ones all of m
        np.testing.assert_allclose(
            interaction_index_from_game(v, index, 2)[sizes(d) <= 2],
            m[sizes(d) <= 2],
            atol=1e-9,
            err_msg=index,
        )


def test_what_a_three_way_dividend_does_to_each_pair():
    """The module docstring's table: SII, BII and k-SII add m(T)/2 to each pair of T, STII m(T)/3."""
    m = np.zeros(8)
    m[7] = 6.0
    v = game_of_dividends(m)
    pairs = [3, 5, 6]
    for index, share in (("SII", 3.0), ("BII", 3.0), ("k-SII", 3.0), ("STII", 2.0)):
        np.testing.assert_allclose(interaction_index_from_game(v, index, 2)[pairs], share)


def test_batches_of_games_and_errors():
    rng = np.random.default_rng(0)
    V = rng.normal(size=(3, 8))
    for index in INDICES:
        batch = interaction_index_from_game(V, index, 2)
        for k in range(3):
            np.testing.assert_allclose(batch[k], interaction_index_from_game(V[k], index, 2))
    with pytest.raises(OracleError):
        interaction_index_from_game(V[0], "SV", 2)
    with pytest.raises(OracleError):
        interaction_index_from_game(V[0], "SII", 4)


def test_interaction_index_of_a_function_uses_the_interventional_game():
    rows = np.array(list(itertools.product([-1.0, 0.0, 2.0], repeat=3)))
    f = lambda z: z[:, 0] * z[:, 1] * z[:, 2] + z[:, 0] ** 2  # noqa: E731
    x = np.array([2.0, -1.0, 0.0])
    v = interventional_game(f, x, rows)
    for index in INDICES:
        np.testing.assert_array_equal(
            interaction_index(f, x, rows, index=index, order=2),
            interaction_index_from_game(v, index, 2),
        )


def test_agrees_with_shapiq_exact_computer():
    """An independent implementation: shapiq's ExactComputer (optional extra) on random games;
    FSII to its penalty weight 1e8 (about 1e-8), the others to 1e-9."""
    shapiq = pytest.importorskip("shapiq")
    rng = np.random.default_rng(7)
    for d in range(2, 6):
        v = rng.normal(size=1 << d) * 3

        def game(coalitions, v=v, d=d):
            return v[(np.asarray(coalitions, int) << np.arange(d)).sum(axis=1)]

        computer = shapiq.ExactComputer(game, n_players=d)
        for index in ("SII", "BII", "k-SII", "STII", "FSII", "FBII"):
            values = computer(index=index, order=2)
            got = np.zeros(1 << d)
            for coalition, pos in values.interaction_lookup.items():
                got[sum(1 << i for i in coalition)] = values.values[pos]
            want = interaction_index_from_game(v, index, 2)
            tol = 1e-7 if index == "FSII" else 1e-9
            np.testing.assert_allclose(got[1:], want[1:], atol=tol, err_msg=(d, index))
