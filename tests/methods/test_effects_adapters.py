"""ALE (reference and PyALE) and M-plot adapters against the exact curve oracles."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from methods_fakes import polynomial, problem

from explainspec.methods import effects_adapters as ea
from explainspec.oracles import ale, mplot


@st.composite
def finite_worlds(draw):
    """A polynomial on a multiset of rows with 2 or 3 levels per feature (possibly dependent)."""
    d = draw(st.integers(1, 3))
    levels = [
        sorted(
            draw(
                st.sets(st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.5]), min_size=2, max_size=3)
            )
        )
        for _ in range(d)
    ]
    cells = list(itertools.product(*levels))
    counts = draw(st.lists(st.integers(0, 3), min_size=len(cells), max_size=len(cells)))
    rows = np.array([c for c, k in zip(cells, counts, strict=True) for _ in range(k)] or cells)
    keys = draw(
        st.lists(
            st.lists(st.integers(0, d - 1), min_size=1, max_size=2, unique=True).map(
                lambda s: tuple(sorted(s))
            ),
            min_size=1,
            max_size=3,
        )
    )
    f = polynomial({k: draw(st.sampled_from([-1.0, 0.5, 2.0])) for k in keys}, d)
    grid = np.array([np.unique(rows[:, j]) for j in range(d)], dtype=object)
    m = max(len(g) for g in grid)
    grid = np.array([np.pad(g.astype(float), (0, m - len(g)), mode="edge") for g in grid])
    return f, rows, grid


@settings(max_examples=40, deadline=None)
@given(finite_worlds())
def test_reference_ale_and_mplot_are_the_oracles(world):
    f, rows, grid = world
    p = problem(f, rows[:1], rows, grid=grid)
    want_ale = np.array([ale(f, j, grid[j], rows) for j in range(f.d)])
    np.testing.assert_allclose(ea.ale(p), want_ale, atol=1e-9)
    want_m = np.array([mplot(f, j, grid[j], rows) for j in range(f.d)])
    np.testing.assert_allclose(ea.mplot(p), want_m, atol=1e-9)


def test_reference_ale_with_quantile_intervals_on_continuous_data():
    """With more distinct values than intervals, the rows of an interval move to its edges."""
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(200, 2))
    f = polynomial({(0,): 1.0, (0, 1): 1.0}, 2)
    grid = np.tile(np.linspace(-1, 1, 5), (2, 1))
    out = ea.ale(problem(f, rows[:1], rows, grid=grid, grid_size=4))
    edges = np.quantile(rows[:, 0], np.linspace(0, 1, 5), method="inverted_cdf")
    k = np.clip(np.searchsorted(edges, rows[:, 0]), 1, 4)
    effect = np.array(
        [0.0] + [np.mean((edges[i] - edges[i - 1]) * (1 + rows[k == i, 1])) for i in range(1, 5)]
    )
    acc = np.cumsum(effect)
    acc -= np.interp(rows[:, 0], edges, acc).mean()
    np.testing.assert_allclose(out[0], np.interp(grid[0], edges, acc), atol=1e-12)


def test_mplot_needs_levels_of_the_feature():
    rows = np.array([[0.0, 1.0], [1.0, 0.0]])
    with pytest.raises(ValueError, match="not a level"):
        ea.mplot(problem(polynomial({(0,): 1.0}, 2), rows[:1], rows, grid=[[0.0, 0.5], [0.0, 1.0]]))


def test_pyale_continuous_is_apley_zhu_up_to_a_constant_discrete_is_not():
    pytest.importorskip("PyALE")
    g = np.array(list(itertools.product([-1.0, 0.0, 1.0], [-1.0, 0.5, 1.0])))
    diag = np.array([[-1.0, -1.0], [0.0, 0.5], [1.0, 1.0]])
    rows = np.vstack([g, diag, diag])  # dependent
    f = polynomial({(0, 1): 1.0, (0,): 1.0}, 2)
    grid = np.array([np.unique(rows[:, j]) for j in range(2)])
    want = np.array([ale(f, j, grid[j], rows) for j in range(2)])
    cont = ea.pyale(problem(f, rows[:1], rows, grid=grid, feature_type="continuous"))
    shift = cont - want
    np.testing.assert_allclose(shift - shift[:, :1], 0.0, atol=1e-12)
    auto = ea.pyale(problem(f, rows[:1], rows, grid=grid))  # 3 levels: "discrete"
    centred = lambda a: a - a.mean(axis=1, keepdims=True)  # noqa: E731
    assert np.abs(centred(auto) - centred(want)).max() > 1e-3
    # under independence the discrete estimator is the ALE itself
    auto_g = ea.pyale(problem(f, g[:1], g, grid=grid))
    want_g = np.array([ale(f, j, grid[j], g) for j in range(2)])
    np.testing.assert_allclose(auto_g, want_g, atol=1e-12)


def test_pyale_info_lines_are_kept_out_of_the_output(caplog):
    """PyALE logs "Discrete feature detected." at INFO per call on its module loggers (whose own
    level is INFO) through the root handler its import installs: a verify or probe run printed
    that line once per feature and world. The adapter silences it for the call only."""
    pytest.importorskip("PyALE")
    import logging

    caplog.set_level(logging.INFO)
    generic = logging.getLogger("PyALE._ALE_generic")
    before = generic.level
    g = np.array(list(itertools.product([-1.0, 0.0, 1.0], [-1.0, 0.5, 1.0])))
    f = polynomial({(0, 1): 1.0}, 2)
    grid = np.array([np.unique(g[:, j]) for j in range(2)])
    ea.pyale(problem(f, g[:1], g, grid=grid))  # 3 levels: "discrete", which PyALE logs
    assert not [r for r in caplog.records if "Discrete feature detected" in r.getMessage()]
    assert generic.level == before  # restored after the call


def test_importing_pyale_leaves_the_root_logger_as_it_was():
    """PyALE's import calls ``logging.basicConfig()``, which gives the root logger a stderr
    handler, so every library's warnings were printed from then on. In a fresh interpreter (PyALE
    may already be imported in this one)."""
    pytest.importorskip("PyALE")
    import subprocess
    import sys

    code = (
        "import logging\n"
        "from explainspec.methods import effects_adapters as ea\n"
        "root = logging.getLogger()\n"
        "before = (list(root.handlers), root.level)\n"
        "ea._pyale()\n"
        "import PyALE\n"
        "assert (list(root.handlers), root.level) == before, (root.handlers, root.level)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
