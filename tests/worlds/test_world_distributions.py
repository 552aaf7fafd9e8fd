"""Distributions: rows and means exact, dependent(0) a product pmf, realized rho reported."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from explainspec.worlds import distributions as dist


@given(st.integers(1, 4), st.integers(1, 5))
def test_grid_is_the_full_product_with_exact_moments(d, L):
    P = dist.grid(d, L)
    levels = dist.symmetric_levels(L)
    expected = sorted(itertools.product(levels, repeat=d))
    assert sorted(map(tuple, P.rows.tolist())) == expected
    assert P.is_product() and P.declared_independent
    np.testing.assert_array_equal(P.mean, np.zeros(d))  # symmetric levels: mean exactly 0
    for j in range(d):
        np.testing.assert_array_equal(P.levels(j), levels)
    assert all(v * 2 == round(v * 2) for v in levels)  # integers or halves


@given(st.integers(1, 4), st.sampled_from([2, 3]), st.sampled_from([i / 10 for i in range(11)]))
def test_dependent_realizes_rho_and_is_a_product_only_at_zero(d, L, rho):
    P = dist.dependent(d, rho, levels=L)
    diag = np.all(P.rows == P.rows[:, :1], axis=1)
    # independent recount: the product part puts L of its L**d rows on the diagonal
    n_product_copies = (len(P.rows) - diag.sum()) // (L**d - L) if d > 1 else None
    if d > 1:
        extra_diag = diag.sum() - n_product_copies * L
        assert P.realized["rho"] == Fraction(int(extra_diag), len(P.rows))
    assert abs(P.rho - rho) <= 0.02
    if rho == 0:
        assert P.is_product() and P.realized["rho"] == 0
    elif d > 1:
        assert not P.is_product()
    assert len(P.rows) <= dist.MAX_ROWS
    assert "realized dependent mass" in P.describe()


def test_is_product_detects_dependence_and_multiplicity():
    assert not dist.from_rows([[0, 0], [1, 1]]).is_product()
    assert dist.from_rows([[0, 0], [0, 1], [1, 0], [1, 1]]).is_product()
    # right support, wrong masses
    assert not dist.from_rows([[0, 0], [0, 0], [0, 1], [1, 0], [1, 1]]).is_product()
    # a product with unequal marginals: P(x0 = 0) = 2/3
    assert dist.from_rows([[0, 0], [0, 1], [0, 0], [0, 1], [1, 0], [1, 1]]).is_product()


def test_binary_probabilities_are_exact():
    P = dist.binary(2, 0.25)
    pts, probs = P.probabilities()
    assert pts.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert probs == [Fraction(5, 16), Fraction(3, 16), Fraction(3, 16), Fraction(5, 16)]
    assert P.realized["rho"] == Fraction(1, 4)


def test_sample_is_rounded_and_its_pmf_exact():
    P = dist.sample(3, 50, np.random.default_rng(0), rho=0.5, round_to=0.5)
    assert P.rows.shape == (50, 3)
    assert np.all(P.rows * 2 == np.round(P.rows * 2))
    pts, probs = P.probabilities()
    assert sum(probs) == 1
    np.testing.assert_allclose(sum(float(p) * z for p, z in zip(probs, pts, strict=True)), P.mean)


def test_gaussian_sample_statistics_are_sane():
    P = dist.gaussian(3, rho=0.6)
    assert P.rows is None and not P.is_product()
    X = P.sample(20000, np.random.default_rng(1))
    se = 1 / np.sqrt(len(X))
    assert np.all(np.abs(X.mean(axis=0)) < 5 * se)
    np.testing.assert_allclose(np.cov(X, rowvar=False), P.cov, atol=0.05)
    assert dist.gaussian(2, cov=[[1, 0], [0, 2]]).is_product()
    with pytest.raises(ValueError):
        dist.gaussian(2, cov=[[1, 2], [2, 1]])  # not positive semi-definite
    assert "\n" not in P.describe()


def test_limits_raise_instead_of_silently_shrinking():
    with pytest.raises(ValueError, match="max_rows"):
        dist.grid(8, 5)
    with pytest.raises(ValueError, match="rho"):
        dist.dependent(2, 1.5)


def test_grid_points_levels_or_quantiles():
    P = dist.grid(2, 3)
    np.testing.assert_array_equal(dist.grid_points(P, P.rows), [[-1, 0, 1], [-1, 0, 1]])
    S = dist.sample(2, 40, np.random.default_rng(0))
    G = dist.grid_points(S, S.rows, m=5)
    assert G.shape == (2, 5)
    assert all(set(G[j]) <= set(S.rows[:, j]) for j in range(2))  # values that occur
    assert np.all(np.diff(G, axis=1) >= 0)
