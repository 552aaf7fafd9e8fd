"""Counterexample plots that explain (issue 19): per-feature bars of the method's numbers next to
the truth with the features named on the axis (never an index drawn as a bar), f itself over one
or two features with x, the baseline and the data marked, and no plot where none helps. The
structure is checked on the figure (axes, labels, bars) and the PNG's size."""

from __future__ import annotations

import dataclasses
import json
import struct

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from world_helpers import grid_world  # noqa: E402

from explainspec.docgen import plots  # noqa: E402
from explainspec.runner.world_data import serialize_world  # noqa: E402
from explainspec.worlds import fitted
from explainspec.worlds import functions as fn  # noqa: E402


@pytest.fixture
def figures(monkeypatch):
    """Every figure saved, as (axes, legend labels of the main axes)."""
    seen: list[tuple[list, list[str]]] = []
    real = plots._save

    def spy(fig, ax, path, title):
        seen.append((fig.axes, ax.get_legend_handles_labels()[1]))
        return real(fig, ax, path, title)

    monkeypatch.setattr(plots, "_save", spy)
    real_savefig = None

    import matplotlib.figure

    real_savefig = matplotlib.figure.Figure.savefig

    def savefig(self, *args, **kwargs):  # the single-panel bar chart saves without _save
        if not any(self.axes == axes for axes, _ in seen):
            seen.append((self.axes, []))
        return real_savefig(self, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", savefig)
    return seen


def png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def record(world, *, phi, quantities, point_index=0):
    return json.loads(
        json.dumps(
            {
                "function": world.f.formula(),
                "d": world.f.d,
                "point": world.points[point_index].tolist(),
                "baseline": world.baseline.tolist(),
                "phi": phi,
                "quantities": quantities,
                "world": serialize_world(world, claim="s.c", method="m", index=point_index),
            }
        )
    )


def world_of(f):
    return grid_world(f, levels=3, points=2)


def test_per_feature_bars_name_the_features_and_never_draw_an_index(tmp_path, figures):
    w = world_of(fn.linear([1.0, -2.0, 0.5]))
    cx = record(
        w,
        phi=[0.9, -2.0, 0.5],
        quantities=[
            {"text": "i", "value": 0, "role": "binding"},
            {"text": "phi", "value": [0.9, -2.0, 0.5], "role": "operand"},
            {"text": "shapley(f, x, background)", "value": [1.0, -2.0, 0.5], "role": "operand"},
            {"text": "worst element", "value": [0], "role": "index"},
            {"text": "phi[0]", "value": 0.9, "role": "element"},
            {
                "text": "phi == shapley(f, x, background) within 1e-6",
                "value": -0.1,
                "role": "margin",
            },
        ],
    )
    path = tmp_path / "p.png"
    assert plots.counterexample_plot(cx, path) == plots.FEATURE_BARS  # d = 3: no picture of f
    ((axes, labels),) = figures
    (ax,) = axes
    assert [t.get_text() for t in ax.get_xticklabels()] == ["x0", "x1", "x2"]
    assert ax.get_xlabel() == "feature"
    assert labels == ["phi", "shapley(f, x, background)"]  # the index and the binding: no bars
    assert len(ax.patches) == 6  # two series of three features
    assert png_size(path) == (640, 380)


def test_the_method_output_is_drawn_next_to_the_truth_when_the_check_names_only_the_truth(
    tmp_path, figures
):
    w = world_of(fn.linear([1.0, -2.0, 0.5]))
    cx = record(
        w,
        phi=[3.0, 0.0, 0.0],
        quantities=[{"text": "f.weights * (x - baseline)", "value": [-1.0, 2.0, -0.5]}],
    )
    assert plots.counterexample_plot(cx, tmp_path / "p.png") == plots.FEATURE_BARS
    assert figures[0][1] == ["phi (the method)", "f.weights * (x - baseline)"]


def test_numbers_are_bars_named_by_their_expression(tmp_path, figures):
    w = world_of(fn.linear([1.0, -2.0, 0.5]))
    cx = record(
        w,
        phi=[0.0, 0.0, 0.0],
        quantities=[
            {"text": "sum(phi)", "value": -0.75, "role": "operand"},
            {"text": "f(x) - mean(f(background))", "value": -1.0, "role": "operand"},
            {"text": "f.uses(i)", "value": True, "role": "operand"},  # a boolean: no bar
        ],
    )
    path = tmp_path / "p.png"
    assert plots.counterexample_plot(cx, path) == plots.BARS
    ((axes, _),) = figures
    (ax,) = axes
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "sum(phi)",
        "f(x) - mean(f(background))",
    ]
    assert len(ax.patches) == 2
    assert png_size(path) == (640, 380)


def test_one_feature_f_is_drawn_from_the_stored_world_with_the_data_and_the_baseline(
    tmp_path, figures
):
    """A tree (not a formula the parser could read back) is drawn from the stored world."""
    X = np.array([[-1.0], [0.0], [1.0], [0.5]])
    w = world_of(fitted.fit_tree(X, np.array([0.0, 1.0, 3.0, 2.0]), depth=2))
    cx = record(
        w,
        phi=[5.0],
        quantities=[
            {"text": "phi", "value": [5.0]},
            {"text": "shapley(f, x, background)", "value": [-1.0]},
        ],
    )
    path = tmp_path / "p.png"
    shown = plots.counterexample_plot(cx, path, efficient=True)
    assert shown == f"{plots.CURVE}; {plots.FEATURE_BARS}"
    ((axes, labels),) = figures
    assert len(axes) == 2 and axes[0].get_xlabel() == "x0" and axes[0].get_ylabel() == "f"
    assert "data (3 rows)" in labels
    assert any(label.startswith("baseline = 0, f(baseline) = ") for label in labels)
    assert any(label.startswith("mean prediction = ") for label in labels)
    curve = axes[0].lines[0]
    t, ft = curve.get_data()
    assert np.array_equal(ft, w.f(np.asarray(t)[:, None]))  # the tree's own values
    assert png_size(path) == (1280, 380)


def test_two_features_are_drawn_as_contours_with_x_the_baseline_and_the_data(tmp_path, figures):
    w = world_of(fn.formula("x0 * x1 + abs(x0)", 2))
    cx = record(
        w,
        phi=[1.0, 0.0],
        quantities=[
            {"text": "phi", "value": [1.0, 0.0]},
            {"text": "shapley(f, x, background)", "value": [0.5, 0.5]},
        ],
        point_index=1,
    )
    path = tmp_path / "p.png"
    assert plots.counterexample_plot(cx, path) == f"{plots.SURFACE}; {plots.FEATURE_BARS}"
    ((axes, labels),) = figures
    main = axes[0]
    assert (main.get_xlabel(), main.get_ylabel()) == ("x0", "x1")
    assert labels == ["data (9 rows)", "x", "baseline"]
    assert len(axes) == 3  # f, its colour bar, the bars
    assert png_size(path) == (1280, 380)


def test_no_plot_where_none_helps(tmp_path, figures):
    w = world_of(fn.linear([1.0, -2.0, 0.5]))
    cx = record(
        w,
        phi=None,
        quantities=[
            {"text": "f.uses(i)", "value": True},
            {"text": "worst element", "value": [1], "role": "index"},
        ],
    )
    path = tmp_path / "p.png"
    assert plots.counterexample_plot(cx, path) is None
    assert not path.exists() and figures == []


def test_a_damaged_stored_world_falls_back_on_the_formula(tmp_path, figures):
    w = world_of(fn.formula("x0 ** 2", 1))
    cx = record(w, phi=[1.0], quantities=[])
    cx["world"]["f"] = {"kind": "formula", "d": 1, "text": "__import__('os')"}
    assert plots.counterexample_plot(cx, tmp_path / "p.png") == plots.CURVE
    t, ft = figures[0][0][0].lines[0].get_data()
    assert np.allclose(ft, np.asarray(t) ** 2)


def test_curves_are_drawn_along_the_bound_features_grid(tmp_path, figures):
    """A curve method's comparison (``phi[j] == pd(f, j, grid[j], data)``) is drawn as the two
    curves over the grid of feature j, not as bars of grid positions."""
    w = world_of(fn.formula("x0 * x1 + x0", 2))
    w = dataclasses.replace(w, grid=np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0]]))
    cx = record(
        w,
        phi=[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
        quantities=[
            {"text": "j", "value": 1, "role": "binding"},
            {"text": "phi[j]", "value": [0.0, 0.0, 0.0]},
            {"text": "pd(f, j, grid[j], data)", "value": [-1.0, 0.0, 1.0]},
            {"text": "worst element", "value": [0], "role": "index"},
        ],
    )
    assert plots.counterexample_plot(cx, tmp_path / "p.png") == f"{plots.SURFACE}; {plots.CURVES}"
    axes = figures[0][0]
    curves = axes[1]  # f, the curves, then the colour bar of f
    assert curves.get_xlabel() == "x1 (the grid)" and len(curves.patches) == 0
    assert [line.get_xdata().tolist() for line in curves.lines] == [[-2.0, 0.0, 2.0]] * 2
    assert curves.get_legend_handles_labels()[1] == ["phi[j]", "pd(f, j, grid[j], data)"]
