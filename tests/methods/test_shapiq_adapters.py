"""shapiq adapters (optional extra): agreement with the interaction_index oracle where shapiq
computes exactly, the bitmask convention, seeds, and a missing library."""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from methods_fakes import polynomial, problem, small_worlds

from explainspec.methods import shapiq_adapters as sa
from explainspec.methods.base import NotApplicable
from explainspec.oracles.interactions import interaction_index

pytest.importorskip("shapiq")

INDICES = ("k-SII", "SII", "BII", "STII", "FSII", "FBII")
GRID = np.array(list(itertools.product([-1.0, 0.0, 1.0], repeat=3)))
F = polynomial({(0, 1): 1.0, (0, 1, 2): 2.0, (2,): -1.0, (-1,): 1.0}, 3)


def _oracle(f, points, bg, index, order=2):
    return np.stack([interaction_index(f, x, bg, index=index, order=order) for x in points])


@settings(max_examples=15, deadline=None)
@given(small_worlds(max_d=4, rows=6))
def test_exact_computer_agrees_with_the_definitions(world):
    f, bg, points = world
    for index in INDICES:
        got = sa.exact(problem(f, points, bg, index=index, max_order=2 if f.d >= 2 else 1))
        want = _oracle(f, points, bg, index, order=2 if f.d >= 2 else 1)
        tol = 1e-7 * (1 + np.abs(want).max()) if index == "FSII" else 1e-9
        np.testing.assert_allclose(got, want, atol=tol, err_msg=index)


def test_default_sample_size_subsamples_a_large_background():
    """shapiq's MarginalImputer keeps 100 rows by default: a 108-row background gives another
    game (pinned because the specs rely on passing sample_size)."""
    bg = np.vstack([GRID] * 4)
    exact = sa.exact(problem(F, GRID[:1], bg, sample_size=1000))
    np.testing.assert_allclose(exact, _oracle(F, GRID[:1], bg, "k-SII"), atol=1e-9)
    sub = sa.exact(problem(F, GRID[:1], bg, seed=3))
    assert np.abs(sub - exact).max() > 1e-6


def test_approximators_are_exact_with_every_coalition():
    points = GRID[[0, 13]]
    for name, index, tol in (
        ("svarmiq", "k-SII", 1e-9),
        ("svarmiq", "STII", 1e-9),
        ("kernelshapiq", "k-SII", 1e-5),
    ):
        got = getattr(sa, name)(problem(F, points, GRID, index=index, budget="all"))
        np.testing.assert_allclose(got, _oracle(F, points, GRID, index), atol=tol, err_msg=name)


def test_bitmask_layout_and_base_value():
    out = sa.permutation_sii(problem(F, GRID[:1], GRID, budget=200, seed=1))
    assert out.shape == (1, 8)
    assert out[0, 0] == pytest.approx(F(GRID).mean())
    assert out[0, 7] == 0.0  # no coalition above max_order
    assert out.sum() == pytest.approx(F(GRID[:1])[0], abs=1e-9)  # k-SII is efficient


def test_permutation_sampling_seeds():
    a = sa.permutation_sii(problem(F, GRID[:1], GRID, budget=60, seed=1))
    b = sa.permutation_sii(problem(F, GRID[:1], GRID, budget=60, seed=1))
    c = sa.permutation_sii(problem(F, GRID[:1], GRID, budget=60, seed=2))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_permutation_sampling_mean_over_seeds_within_monte_carlo_error():
    """20 seeds, as a `within mc(z = 5)` check does: the mean matches the exact k-SII within 5
    standard errors (14 permutations of 3 features: every pair adjacent in one of them)."""
    runs = np.concatenate(
        [sa.permutation_sii(problem(F, GRID[[4]], GRID, budget=200, seed=s)) for s in range(20)]
    )
    want = _oracle(F, GRID[[4]], GRID, "k-SII")[0]
    se = runs.std(axis=0, ddof=1) / np.sqrt(len(runs))
    assert np.all(np.abs(runs.mean(axis=0) - want) <= 5 * se + 1e-9 * (1 + np.abs(want)))


def test_order_outside_the_game_is_not_applicable():
    with pytest.raises(NotApplicable):
        sa.exact(problem(F, GRID[:1], GRID, max_order=4))


def test_missing_shapiq_is_not_applicable(monkeypatch):
    monkeypatch.setitem(sys.modules, "shapiq", None)  # import shapiq raises ImportError
    with pytest.raises(NotApplicable, match=r"explainspec\[shapiq\]"):
        sa.exact(problem(F, GRID[:1], GRID))
