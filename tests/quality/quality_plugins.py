"""Planted bugs: twelve deliberately broken explanation methods (and eight more of the tabular
toolbox in ``toolbox_plugins``, four of the red team in ``redteam_plugins``), and the correct
twins we own.

Each broken method is registered as a plugin ``quality.<name>``; its spec in ``specs/`` states
claims that a correct implementation satisfies. ``BROKEN`` maps every broken method to the correct
method the quality tests run the same spec with (a built-in reference implementation, or a
correct plugin defined here when no reference computes the exact statistic).

Import this module (``--plugin quality_plugins``) before loading the specs.
"""

from __future__ import annotations

from math import factorial

import numpy as np

import explainspec
from explainspec.methods._common import as_callable, rows
from explainspec.methods.base import Problem
from explainspec.methods.reference import coalition_masks, interventional_game
from explainspec.registry import registry

_REF = "reference"


def _ref(name: str, problem: Problem) -> np.ndarray:
    """Run a built-in reference method with its registered defaults."""
    entry = registry("method").get(f"{_REF}.{name}")
    defaults = {p.name: p.default for p in entry.params if not p.required}
    import dataclasses

    return np.asarray(entry.load()(dataclasses.replace(problem, params=defaults)), dtype=float)


def _games(problem: Problem) -> list[np.ndarray]:
    fn = as_callable(problem.f)
    bg = rows(problem.background)
    return [interventional_game(fn, x, bg) for x in rows(problem.points)]


# ---------------------------------------------------------------------- Shapley family bugs


def _shapley_with_weight(v: np.ndarray, d: int, weight) -> np.ndarray:
    masks = coalition_masks(d)
    sizes = masks.sum(axis=1)
    phi = np.zeros(d)
    for i in range(d):
        without = ~masks[:, i]
        s = np.flatnonzero(without)
        phi[i] = sum(weight(sizes[k], d) * (v[k | (1 << i)] - v[k]) for k in s)
    return phi


@explainspec.method("quality.shapley_wrong_weights", output="attribution")
def shapley_wrong_weights(problem: Problem) -> np.ndarray:
    """Shapley values with the coalition weight |S|!(d-|S|)!/d! (off by one in the factorial)."""
    d = problem.f.d
    bug = lambda s, d: factorial(s) * factorial(d - s) / factorial(d)  # noqa: E731
    return np.stack([_shapley_with_weight(v, d, bug) for v in _games(problem)])


@explainspec.method("quality.shapley_background_off_by_one", output="attribution")
def shapley_background_off_by_one(problem: Problem) -> np.ndarray:
    """Shapley values whose background skips its first row (``background[1:]``)."""
    import dataclasses

    bg = rows(problem.background)
    return _ref("shapley", dataclasses.replace(problem, background=bg[1:] if len(bg) > 1 else bg))


@explainspec.method("quality.bshap_shifted_baseline", output="attribution")
def bshap_shifted_baseline(problem: Problem) -> np.ndarray:
    """Baseline Shapley values computed against ``baseline + 1``."""
    import dataclasses

    return _ref(
        "shapley_baseline",
        dataclasses.replace(problem, baseline=np.asarray(problem.baseline) + 1.0),
    )


@explainspec.method("quality.shapley_permuted", output="attribution")
def shapley_permuted(problem: Problem) -> np.ndarray:
    """Shapley values handed back rotated by one feature (phi[i] belongs to feature i+1)."""
    return np.roll(_ref("shapley", problem), 1, axis=1)


@explainspec.method("quality.shapley_dropped_feature", output="attribution")
def shapley_dropped_feature(problem: Problem) -> np.ndarray:
    """Shapley values with the last feature's attribution set to 0."""
    phi = _ref("shapley", problem)
    phi[:, -1] = 0.0
    return phi


@explainspec.method("quality.shapley_sign_flipped", output="attribution")
def shapley_sign_flipped(problem: Problem) -> np.ndarray:
    """Shapley values with the sign of feature 0 flipped."""
    phi = _ref("shapley", problem)
    phi[:, 0] *= -1
    return phi


@explainspec.method("quality.shapley_plus_constant", output="attribution")
def shapley_plus_constant(problem: Problem) -> np.ndarray:
    """Shapley values plus 0.01 on every feature."""
    return _ref("shapley", problem) + 0.01


# ---------------------------------------------------------------------- LIME / KernelSHAP


def _shapley_kernel(s: int, d: int) -> float:
    return (d - 1) / (factorial(d) / (factorial(s) * factorial(d - s)) * s * (d - s))


def _bad_kernel(s: int, d: int) -> float:
    return float(s)  # "closer to x = more features present": a wrong similarity kernel


def _kernel_fit(v: np.ndarray, d: int, kernel) -> np.ndarray:
    """LIME on binary coalition features: weighted least squares over every proper coalition,
    with the fit pinned at the empty and the full coalition (intercept v(empty), sum v(N)-v(empty))."""
    if d == 1:
        return np.array([v[1] - v[0]])
    masks = coalition_masks(d)[1:-1].astype(float)
    sizes = masks.sum(axis=1).astype(int)
    w = np.array([kernel(s, d) for s in sizes])
    y = v[1:-1] - v[0]
    total = v[-1] - v[0]
    # KKT system of min sum w (y - Z phi)^2 subject to sum(phi) = total
    kkt = np.zeros((d + 1, d + 1))
    kkt[:d, :d] = 2 * masks.T @ (w[:, None] * masks)
    kkt[:d, d] = kkt[d, :d] = 1.0
    rhs = np.r_[2 * masks.T @ (w * y), total]
    return np.linalg.solve(kkt, rhs)[:d]


@explainspec.method("quality.kernel_lime", output="attribution")
def kernel_lime(problem: Problem) -> np.ndarray:
    """LIME on coalitions with the Shapley kernel, all coalitions enumerated (= exact KernelSHAP)."""
    d = problem.f.d
    return np.stack([_kernel_fit(v, d, _shapley_kernel) for v in _games(problem)])


@explainspec.method("quality.kernel_lime_wrong_weights", output="attribution")
def kernel_lime_wrong_weights(problem: Problem) -> np.ndarray:
    """The same LIME fit with sample weights |z| instead of the Shapley kernel."""
    d = problem.f.d
    return np.stack([_kernel_fit(v, d, _bad_kernel) for v in _games(problem)])


# ---------------------------------------------------------------------- curves and importance


@explainspec.method("quality.pd_wrong_axis", output="curve", scope="global")
def pd_wrong_axis(problem: Problem) -> np.ndarray:
    """Partial dependence whose (grid x rows) evaluations are read back as (rows x grid) and
    averaged over the first axis: the mean is taken over the wrong axis of the matrix."""
    fn = as_callable(problem.f)
    data = rows(problem.data)
    grid = np.asarray(problem.grid, dtype=float)
    n, d = data.shape
    m = grid.shape[1]
    out = np.empty(grid.shape)
    for j in range(d):
        z = np.repeat(data[None, :, :], m, axis=0)
        z[:, :, j] = grid[j][:, None]
        out[j] = fn(z.reshape(-1, d)).reshape(n, m).mean(axis=0)
    return out


def _pfi(problem: Problem, permute: bool) -> np.ndarray:
    fn = as_callable(problem.f)
    data = rows(problem.data)
    y = np.asarray(problem.y, dtype=float).reshape(-1)
    n, d = data.shape
    base = np.mean((y - fn(data)) ** 2)
    out = np.zeros(d)
    for j in range(d):
        # every ordered pair (a, b): row a with x_j taken from row b (infinite-permutation limit)
        z = np.repeat(data, n, axis=0)
        if permute:
            z[:, j] = np.tile(data[:, j], n)
        out[j] = np.mean((np.repeat(y, n) - fn(z)) ** 2) - base
    return out


@explainspec.method("quality.pfi_exact", output="importance", scope="global")
def pfi_exact(problem: Problem) -> np.ndarray:
    """Permutation importance in the infinite-permutation limit (all ordered row pairs)."""
    return _pfi(problem, permute=True)


@explainspec.method("quality.pfi_no_permutation", output="importance", scope="global")
def pfi_no_permutation(problem: Problem) -> np.ndarray:
    """Permutation importance that forgets to permute the column."""
    return _pfi(problem, permute=False)


# ---------------------------------------------------------------------- gradients


_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(24)


def _ig(problem: Problem, alphas: np.ndarray, weights: np.ndarray) -> np.ndarray:
    b = np.asarray(problem.baseline, dtype=float)
    out = []
    for x in rows(problem.points):
        path = b[None, :] + alphas[:, None] * (x - b)[None, :]
        g = np.asarray(problem.f.grad(path), dtype=float).reshape(path.shape)
        out.append((x - b) * (weights[:, None] * g).sum(axis=0))
    return np.stack(out)


@explainspec.method(
    "quality.ig_gauss", output="attribution", requires=("callable", "differentiable")
)
def ig_gauss(problem: Problem) -> np.ndarray:
    """Integrated gradients by 24-node Gauss-Legendre quadrature (exact for polynomials of
    degree <= 47 along the path)."""
    return _ig(problem, (_GL_NODES + 1) / 2, _GL_WEIGHTS / 2)


@explainspec.method(
    "quality.ig_two_steps", output="attribution", requires=("callable", "differentiable")
)
def ig_two_steps(problem: Problem) -> np.ndarray:
    """Integrated gradients by a left Riemann sum with only 2 steps."""
    return _ig(problem, np.array([0.0, 0.5]), np.array([0.5, 0.5]))


@explainspec.method("quality.gradient_huge_step", output="attribution")
def gradient_huge_step(problem: Problem) -> np.ndarray:
    """The gradient by forward differences with step h = 0.5."""
    fn = as_callable(problem.f)
    z = rows(problem.points)
    n, d = z.shape
    h = 0.5
    plus = (z[:, None, :] + h * np.eye(d)[None]).reshape(-1, d)
    return ((fn(plus).reshape(n, d) - fn(z)[:, None]) / h).reshape(n, d)


BROKEN: dict[str, str] = {
    "quality.shapley_wrong_weights": "reference.shapley",
    "quality.shapley_background_off_by_one": "reference.shapley",
    "quality.bshap_shifted_baseline": "reference.shapley_baseline",
    "quality.shapley_permuted": "reference.shapley",
    "quality.shapley_dropped_feature": "reference.shapley",
    "quality.shapley_sign_flipped": "reference.shapley",
    "quality.shapley_plus_constant": "reference.shapley",
    "quality.kernel_lime_wrong_weights": "quality.kernel_lime",
    "quality.pd_wrong_axis": "reference.pd",
    "quality.ig_two_steps": "quality.ig_gauss",
    "quality.pfi_no_permutation": "quality.pfi_exact",
    "quality.gradient_huge_step": "reference.gradient",
}
"""Broken method -> the correct method its spec is also run with."""

# the planted bugs of the tabular toolbox (issue 18)
from toolbox_plugins import BROKEN as _TOOLBOX  # noqa: E402

BROKEN.update(_TOOLBOX)

# the planted bugs found by the red team of the verdicts
from redteam_plugins import BROKEN as _REDTEAM  # noqa: E402

BROKEN.update(_REDTEAM)
