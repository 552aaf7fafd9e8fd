"""Ground truth at kinks: ``grad`` and ``ig_quadrature`` refuse a point where ``f`` is not
differentiable (``UndefinedAtPoint``) instead of returning ``f.grad``'s one-sided convention, and
the grid's integrated-gradients reference does not miss kinks between its nodes.

Both defects were found by the oracle grid's random walk (tests/oracles/test_oracle_grid.py):
``grad`` of a width-3 ReLU network on binary data gave -4.0 where the one-sided derivatives were
-2.5 and -3.5 (two units at their kink at once: the convention ``relu'(0) = 0`` drops both, which
no one-sided derivative does), and the reference integrated gradients of a 1-D ReLU network were
off because an adaptive Gauss-Kronrod rule accepted a piece whose jumps fell between its nodes.
"""

from __future__ import annotations

import numpy as np
import pytest
from _grid_reference import gradient_check, ig_reference

from explainspec.oracles import UndefinedAtPoint
from explainspec.oracles.gradients import grad, integrated_gradients
from explainspec.oracles.paths import ig_quadrature
from explainspec.worlds import fitted
from explainspec.worlds import functions as fn
from explainspec.worlds.derived import LINKS, Composed

# two hidden units at their kink at x = (1, 0), both switching on along +-x0 with slopes of the
# same sign: right derivative 2, left derivative 1.5, the convention relu'(0) = 0 gives 0
TWO_KINKS = [([[1.0, -1.0], [-1.0, 0.5]], [-1.0, 1.0]), ([[2.0, -1.5]], [0.0])]


@pytest.mark.parametrize("matrix", [False, True], ids=["formula", "matrix"])
def test_grad_refuses_a_point_where_two_units_are_at_their_kink(matrix):
    f = fn.ReluNet(TWO_KINKS, 2) if matrix else fn.relu_net(TWO_KINKS, 2)
    x = np.array([1.0, 0.0])
    # the convention is outside the one-sided derivatives: it is not ground truth
    assert gradient_check(f, x, f.grad(x)), "the convention should fail the one-sided check"
    with pytest.raises(UndefinedAtPoint, match="kink"):
        grad(f, x)
    off = np.array([1.25, 0.0])  # off the kinks: exact, and passes the reference check
    assert not f.kinks(off)
    assert gradient_check(f, off, grad(f, off)) == []


def test_grad_is_exact_where_a_piece_has_no_slope_at_its_kink():
    # relu(0 * x0) is constant: its kink does not move with x, the derivative exists (0)
    f = fn.formula("relu(0 * x0) + 2 * x1")
    assert grad(f, [0.0, 1.0]).tolist() == [0.0, 2.0]


@pytest.mark.parametrize(
    ("text", "kinked", "smooth"),
    [
        ("abs(x0) + x1", [0.0, 3.0], [0.5, 3.0]),
        ("relu(x0 - 0.5) * x1", [0.5, 1.0], [0.0, 1.0]),
        ("step(x1 - 1)", [4.0, 1.0], [4.0, 0.0]),
        ("max(x0, x1)", [1.0, 1.0], [1.0, 2.0]),
        ("min(x0, 2 * x1)", [2.0, 1.0], [2.0, 2.0]),
    ],
)
def test_kinks_of_formulas(text, kinked, smooth):
    f = fn.formula(text)
    assert f.kinks(np.array(kinked)) and not f.kinks(np.array(smooth))
    with pytest.raises(UndefinedAtPoint):
        grad(f, kinked)
    assert gradient_check(f, np.array(smooth), grad(f, smooth)) == []


def test_kinks_pass_through_derived_functions():
    f = fn.formula("abs(x0) + x1")
    at, off = np.array([[0.0, 1.0]]), np.array([[1.0, 1.0]])
    for g in (2 * f + 1, f.swap(0, 1).swap(0, 1), fn.logistic(f)):
        assert g.kinks(at).tolist() == [True] and g.kinks(off).tolist() == [False]
    # a non-smooth link has its own kinks: abs(x0 - x1) at x0 = x1
    h = Composed(LINKS["abs"], fn.formula("x0 - x1"))
    assert h.kinks(np.array([[2.0, 2.0], [2.0, 1.0]])).tolist() == [True, False]
    with pytest.raises(UndefinedAtPoint):
        grad(h, [2.0, 2.0])


def test_tree_kinks_on_thresholds():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    tree = fitted.fit_tree(X, np.array([0.0, 0.0, 1.0, 1.0]), depth=1)
    th = tree.nodes[0].threshold
    assert tree.kinks(np.array([th])) and not tree.kinks(np.array([th + 0.25]))


def test_ig_quadrature_refuses_a_node_on_a_kink():
    f = fn.relu_net([([[1.0]], [-0.5]), ([[2.0]], [0.0])], 1)  # kink at x = 0.5
    # the midpoint rule with 1 step puts its node at 0.5 on the path 0 -> 1
    with pytest.raises(UndefinedAtPoint):
        ig_quadrature(f, [1.0], [0.0], 1, "riemann_middle")
    assert ig_quadrature(f, [1.0], [0.0], 2, "riemann_middle").tolist() == [1.0]


def test_ig_reference_sees_kinks_between_its_nodes():
    # f = 2 - 2 relu(x - 1) - 2 relu(0.5 - x) (+ a dead unit) from -2 to 3: IG = f(3) - f(-2) = 1;
    # the reference without the per-piece check gave 0 (both Gauss and Kronrod estimates agreed)
    f = fn.relu_net([([[1.0], [0.0], [-1.0]], [-1.0, -1.0, 0.5]), ([[-2.0, -0.5, -2.0]], [2.0])], 1)
    x, b = np.array([3.0]), np.array([-2.0])
    exact = float(f(x) - f(b))
    assert exact == 1.0
    ref = ig_reference(f, x, b)
    assert abs(ref.value[0] - exact) <= ref.tol
    assert abs(integrated_gradients(f, x, b)[0] - exact) <= 1e-12
