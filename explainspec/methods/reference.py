"""Transparent reference implementations of explanation methods.

These are methods *under test* like any other (a spec can say ``method = reference.lime_wls(...)``),
written to be read: every statistic is a few lines of numpy over an explicit game or sample.
They are deliberately independent of :mod:`explainspec.oracles` (the ground truth they are
checked against): the games here are built with their own bitmask code.

Games are vectors ``v`` of length ``2**d`` indexed by coalition bitmask (bit ``i`` set means
feature ``i`` is in the coalition). Cost: ``2**d * len(background)`` evaluations of ``f`` per
point, fine for the ``d <= 10`` worlds the checker draws.
"""

from __future__ import annotations

from collections.abc import Callable
from math import factorial
from typing import Any

import numpy as np

from explainspec.methods._common import as_callable, params_of, rows
from explainspec.methods.base import NotApplicable, Problem

Batch = Callable[[np.ndarray], np.ndarray]

# Bernoulli numbers B_0..B_19 with B_1 = -1/2 (the convention of Bordt & von Luxburg 2023).
_BERNOULLI: tuple[float, ...] = (1, -1 / 2, 1 / 6, 0, -1 / 30, 0, 1 / 42, 0, -1 / 30, 0, 5 / 66, 0)
_BERNOULLI += (-691 / 2730, 0, 7 / 6, 0, -3617 / 510, 0, 43867 / 798, 0)


# ---------------------------------------------------------------------------- games


def coalition_masks(d: int) -> np.ndarray:
    """``(2**d, d)`` booleans: row ``s`` marks the features in coalition bitmask ``s``."""
    return ((np.arange(2**d)[:, None] >> np.arange(d)) & 1).astype(bool)


def _popcount(d: int) -> np.ndarray:
    return coalition_masks(d).sum(axis=1)


def interventional_game(fn: Batch, x: np.ndarray, background: np.ndarray) -> np.ndarray:
    """``v(S) = mean_z f(x_S, z_-S)`` over the background rows ``z``, for every ``S``."""
    d = x.shape[0]
    masks = coalition_masks(d)
    m = len(background)
    out = np.empty(2**d)
    chunk = max(1, 200_000 // max(1, m))  # bound the (coalitions x rows x d) array
    for start in range(0, 2**d, chunk):
        mk = masks[start : start + chunk]
        z = np.where(mk[:, None, :], x[None, None, :], background[None, :, :])
        out[start : start + chunk] = fn(z.reshape(-1, d)).reshape(len(mk), m).mean(axis=1)
    return out


def baseline_game(fn: Batch, x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``v(S) = f(x_S, b_-S)``."""
    masks = coalition_masks(x.shape[0])
    return fn(np.where(masks, x[None, :], b[None, :]))


def conditional_game(fn: Batch, x: np.ndarray, background: np.ndarray) -> np.ndarray:
    """``v(S) = mean of f over the background rows equal to x on S`` (empirical conditioning).

    Raises
    ------
    NotApplicable
        If ``x`` is not a row of the background (some ``v(S)`` would be undefined).
    """
    d = x.shape[0]
    values = fn(background)
    agree = np.isclose(background, x[None, :], rtol=0.0, atol=1e-12)  # (m, d)
    out = np.empty(2**d)
    for s, mk in enumerate(coalition_masks(d)):
        sel = agree[:, mk].all(axis=1)
        if not sel.any():
            raise NotApplicable(
                "the conditional game needs x in the support of the background: no background row "
                f"agrees with x = {np.array2string(x, precision=4)} on features {np.flatnonzero(mk).tolist()}"
            )
        out[s] = values[sel].mean()
    return out


def shapley_from_game(v: np.ndarray, d: int) -> np.ndarray:
    """Shapley values ``sum_{S not i} |S|!(d-|S|-1)!/d! (v(S+i) - v(S))``."""
    size = _popcount(d)
    weight = np.array([factorial(k) * factorial(d - k - 1) / factorial(d) for k in range(d)])
    phi = np.empty(d)
    for i in range(d):
        without = np.flatnonzero(((np.arange(2**d) >> i) & 1) == 0)
        phi[i] = np.sum(weight[size[without]] * (v[without | (1 << i)] - v[without]))
    return phi


def banzhaf_from_game(v: np.ndarray, d: int) -> np.ndarray:
    """Banzhaf values: the plain mean of ``v(S+i) - v(S)`` over the ``2**(d-1)`` sets ``S``."""
    phi = np.empty(d)
    for i in range(d):
        without = np.flatnonzero(((np.arange(2**d) >> i) & 1) == 0)
        phi[i] = np.mean(v[without | (1 << i)] - v[without])
    return phi


def moebius_from_game(v: np.ndarray, d: int) -> np.ndarray:
    """Moebius transform ``m(S) = sum_{T subset S} (-1)**(|S|-|T|) v(T)`` (fast subset transform)."""
    m = np.array(v, dtype=float)
    idx = np.arange(2**d)
    for i in range(d):
        has = ((idx >> i) & 1) == 1
        m[has] -= m[idx[has] ^ (1 << i)]
    return m


def nshapley_from_game(v: np.ndarray, d: int, n: int) -> np.ndarray:
    """n-Shapley values (Bordt & von Luxburg 2023) by bitmask, zero for ``|S| > n``.

    Entry 0 (the empty set) holds the base value ``v({})``, so the entries sum to ``v(N)``.

    ``I(S) = sum_{T >= S} m(T) / (|T| - |S| + 1)`` is the Shapley interaction index; then
    ``Phi^n(S) = I(S) + sum_{S < T, |T| <= n} B_{|T|-|S|} I(T)`` with Bernoulli numbers ``B``.
    """
    if not 1 <= n <= min(d, len(_BERNOULLI)):
        raise ValueError(f"n = {n!r} must be between 1 and d = {d}")
    m = moebius_from_game(v, d)
    size = _popcount(d)
    idx = np.arange(2**d)
    interaction = np.zeros(2**d)
    for s in range(1, 2**d):
        sup = idx[(idx & s) == s]
        interaction[s] = np.sum(m[sup] / (size[sup] - size[s] + 1))
    out = np.zeros(2**d)
    out[0] = v[0]
    for s in range(1, 2**d):
        if size[s] > n:
            continue
        sup = idx[((idx & s) == s) & (idx != s) & (size <= n)]
        bern = np.array([_BERNOULLI[k] for k in size[sup] - size[s]])
        out[s] = interaction[s] + np.sum(bern * interaction[sup])
    return out


def _per_point(problem: Problem, one: Callable[[Batch, np.ndarray], np.ndarray]) -> np.ndarray:
    fn = as_callable(problem.f)
    return np.stack([one(fn, x) for x in rows(problem.points)])


# ----------------------------------------------------------------- Shapley family


def shapley(problem: Problem) -> np.ndarray:
    """Exact interventional Shapley values w.r.t. the background rows, ``(k, d)``."""
    bg = rows(problem.background)
    return _per_point(
        problem, lambda fn, x: shapley_from_game(interventional_game(fn, x, bg), x.shape[0])
    )


def shapley_conditional(problem: Problem) -> np.ndarray:
    """Exact observational Shapley values (empirical conditioning on the background), ``(k, d)``."""
    bg = rows(problem.background)
    return _per_point(
        problem, lambda fn, x: shapley_from_game(conditional_game(fn, x, bg), x.shape[0])
    )


def shapley_baseline(problem: Problem) -> np.ndarray:
    """Baseline Shapley values (BShap) with the world's baseline, ``(k, d)``."""
    b = np.asarray(problem.baseline, dtype=float)
    return _per_point(problem, lambda fn, x: shapley_from_game(baseline_game(fn, x, b), x.shape[0]))


def banzhaf(problem: Problem) -> np.ndarray:
    """Exact Banzhaf values of the interventional game, ``(k, d)``."""
    bg = rows(problem.background)
    return _per_point(
        problem, lambda fn, x: banzhaf_from_game(interventional_game(fn, x, bg), x.shape[0])
    )


def nshapley(problem: Problem) -> np.ndarray:
    """n-Shapley values of the interventional game, ``(k, 2**d)`` by bitmask."""
    n = int(params_of(problem, "reference.nshapley")["n"])
    bg = rows(problem.background)
    return _per_point(
        problem,
        lambda fn, x: nshapley_from_game(interventional_game(fn, x, bg), x.shape[0], n),
    )


def shapley_permutation(problem: Problem) -> np.ndarray:
    """Monte-Carlo Shapley values: mean marginal contributions over random orders, ``(k, d)``.

    Each order ``pi`` contributes ``v(pre_i + i) - v(pre_i)`` for every ``i``, where the values
    are exact interventional values w.r.t. the background; only the orders are random.
    """
    n_perm = int(params_of(problem, "reference.shapley_permutation")["n_permutations"])
    rng = np.random.default_rng(problem.seed)
    bg = rows(problem.background)
    fn = as_callable(problem.f)
    out = []
    for x in rows(problem.points):
        d = x.shape[0]
        v = interventional_game(fn, x, bg)
        phi = np.zeros(d)
        for _ in range(n_perm):
            mask = 0
            for i in rng.permutation(d):
                phi[i] += v[mask | (1 << i)] - v[mask]
                mask |= 1 << i
        out.append(phi / n_perm)
    return np.stack(out)


# ------------------------------------------------------------------- gradients


def _gradient(f: Any, z: np.ndarray, h: Any) -> np.ndarray:
    """Gradient rows for the points ``z`` ``(n, d)``.

    ``h = "analytic"`` uses ``f.grad`` whenever the function has an exact gradient, whatever its
    tags (the ``additive`` family with a ``step`` shape is not tagged ``differentiable`` but its
    gradient is exact), exactly as the ``grad`` oracle does. Only when ``f`` has no ``grad`` or
    its family exposes none (``GroundTruthUnavailable``, ``NotImplementedError``) does it fall
    back to central differences with ``h = 1e-5``.

    Where the derivative does not exist, the value is the family's convention, not a limit:
    at a kink one one-sided derivative (``|t|`` -> ``sign(t)``, 0 at 0; ``relu(t - c)`` ->
    ``1[t > c]``, 0 at c), at a jump of ``step`` and for trees 0, the derivative everywhere
    else. A numeric ``h`` always uses central differences ``(f(z + h e_i) - f(z - h e_i)) / 2h``,
    which at a jump of size ``J`` return ``J / (2h)`` (50000 for ``step`` with ``h = 1e-5``).
    """
    if isinstance(h, str):
        if h != "analytic":
            raise ValueError(f"h = {h!r}; expected 'analytic' or a positive number")
        grad = getattr(f, "grad", None)
        if callable(grad):
            try:
                return np.asarray(grad(z), dtype=float).reshape(z.shape)
            except (NotImplementedError, LookupError):
                pass  # GroundTruthUnavailable is a LookupError: no exact gradient
        h = 1e-5
    fn = as_callable(f)
    n, d = z.shape
    eye = np.eye(d) * float(h)
    plus = (z[:, None, :] + eye[None]).reshape(-1, d)
    minus = (z[:, None, :] - eye[None]).reshape(-1, d)
    return ((fn(plus) - fn(minus)) / (2 * float(h))).reshape(n, d)


def gradient(problem: Problem) -> np.ndarray:
    """The gradient of f at each point, ``(k, d)``."""
    h = params_of(problem, "reference.gradient")["h"]
    return _gradient(problem.f, rows(problem.points), h)


def gradient_x_input(problem: Problem) -> np.ndarray:
    """``x * grad f(x)``, ``(k, d)``."""
    h = params_of(problem, "reference.gradient_x_input")["h"]
    z = rows(problem.points)
    return z * _gradient(problem.f, z, h)


_RULES = {
    "riemann_left": lambda m: (np.arange(m) / m, np.full(m, 1 / m)),
    "riemann_right": lambda m: (np.arange(1, m + 1) / m, np.full(m, 1 / m)),
    "midpoint": lambda m: ((np.arange(m) + 0.5) / m, np.full(m, 1 / m)),
    "trapezoid": lambda m: (
        np.linspace(0, 1, m),
        np.r_[0.5, np.ones(m - 2), 0.5] / (m - 1) if m > 1 else np.ones(1),
    ),
}


def integrated_gradients(problem: Problem) -> np.ndarray:
    """``(x - b) * integral_0^1 grad f(b + a (x - b)) da`` by the chosen rule, ``(k, d)``."""
    p = params_of(problem, "reference.integrated_gradients")
    rule, steps = p["rule"], int(p["steps"])
    if rule not in _RULES:
        raise ValueError(f"rule = {rule!r}; expected one of {', '.join(_RULES)}")
    if steps < 1:
        raise ValueError(f"steps = {steps!r}; expected a positive integer")
    alphas, weights = _RULES[rule](steps)
    b = np.asarray(problem.baseline, dtype=float)
    out = []
    for x in rows(problem.points):
        path = b[None, :] + alphas[:, None] * (x - b)[None, :]
        g = _gradient(problem.f, path, "analytic")
        out.append((x - b) * (weights[:, None] * g).sum(axis=0))
    return np.stack(out)


# ------------------------------------------------------------ removal and surrogates


def occlusion(problem: Problem) -> np.ndarray:
    """``f(x) - f(x with x_i := b_i)`` per feature, ``(k, d)``."""
    fn = as_callable(problem.f)
    b = np.asarray(problem.baseline, dtype=float)
    out = []
    for x in rows(problem.points):
        occluded = np.where(np.eye(x.shape[0], dtype=bool), b[None, :], x[None, :])
        out.append(fn(x[None, :])[0] - fn(occluded))
    return np.stack(out)


def lime_wls(problem: Problem) -> np.ndarray:
    """A LIME-style weighted least-squares surrogate, written out, ``(k, d)``.

    Samples ``z = center + scale * N(0, 1)`` (``scale`` = std of the background columns, 1
    where constant; ``center`` = x or the background mean), with the instance itself as the first
    sample (as lime does). Weights ``sqrt(exp(-dist**2 / w**2))`` of the standardized distance to
    x; ridge regression with intercept on standardized or raw features. With ``alpha = 0`` and
    raw features, a linear f is recovered exactly for any kernel width.
    """
    p = params_of(problem, "reference.lime_wls")
    bg = rows(problem.background)
    d = bg.shape[1]
    mean = bg.mean(axis=0)
    scale = bg.std(axis=0)
    scale[scale == 0] = 1.0
    width = 0.75 * np.sqrt(d) if p["kernel_width"] is None else float(p["kernel_width"])
    if p["sample_around"] not in ("instance", "mean"):
        raise ValueError(f"sample_around = {p['sample_around']!r}; expected 'instance' or 'mean'")
    rng = np.random.default_rng(problem.seed)
    fn = as_callable(problem.f)
    out = []
    for x in rows(problem.points):
        center = x if p["sample_around"] == "instance" else mean
        z = center + scale * rng.standard_normal((int(p["num_samples"]), d))
        z[0] = x
        dist = np.sqrt((((z - x) / scale) ** 2).sum(axis=1))
        w = np.sqrt(np.exp(-(dist**2) / width**2))
        feats = (z - mean) / scale if p["standardize"] else z
        out.append(_weighted_ridge(feats, fn(z), w, float(p["alpha"])))
    return np.stack(out)


def _weighted_ridge(X: np.ndarray, y: np.ndarray, w: np.ndarray, alpha: float) -> np.ndarray:
    """Coefficients of ``min sum w (y - b - X beta)**2 + alpha |beta|**2`` (intercept free)."""
    # the intercept is free, so centre on the weighted means (as sklearn's Ridge does)
    xc = X - (w @ X) / w.sum()
    yc = y - (w @ y) / w.sum()
    gram = xc.T @ (w[:, None] * xc) + alpha * np.eye(X.shape[1])
    return np.linalg.solve(gram, xc.T @ (w * yc))


def permutation_importance(problem: Problem) -> np.ndarray:
    """Mean over K random permutations of ``MSE(column j permuted) - MSE``, ``(d,)``."""
    k = int(params_of(problem, "reference.permutation_importance")["n_repeats"])
    rng = np.random.default_rng(problem.seed)
    data = rows(problem.data)
    y = np.asarray(problem.y, dtype=float).reshape(-1)
    fn = as_callable(problem.f)
    base = np.mean((y - fn(data)) ** 2)
    out = np.zeros(data.shape[1])
    for j in range(data.shape[1]):
        for _ in range(k):
            permuted = data.copy()
            permuted[:, j] = data[rng.permutation(len(data)), j]
            out[j] += np.mean((y - fn(permuted)) ** 2) - base
    return out / k


def pd(problem: Problem) -> np.ndarray:
    """Partial dependence ``mean_z f(t, z_-j)`` over the data rows on the world's grid, ``(d, m)``."""
    fn = as_callable(problem.f)
    data = rows(problem.data)
    grid = np.asarray(problem.grid, dtype=float)
    n, d = data.shape
    out = np.empty(grid.shape)
    for j in range(d):
        z = np.repeat(data[None, :, :], grid.shape[1], axis=0)
        z[:, :, j] = grid[j][:, None]
        out[j] = fn(z.reshape(-1, d)).reshape(grid.shape[1], n).mean(axis=1)
    return out


def counterfactual_l2(problem: Problem) -> np.ndarray:
    """The L2-nearest point with ``f(z) = threshold``, ``(k, d)``.

    Linear f (tag ``linear``): ``x - (f(x) - t) w / |w|**2``. Otherwise SLSQP minimises
    ``|z - x|**2`` subject to ``f(z) = t`` from ``x``; raises if the optimiser fails.
    """
    t = float(params_of(problem, "reference.counterfactual_l2")["threshold"])
    fn = as_callable(problem.f)
    points = rows(problem.points)
    tags = frozenset(getattr(problem.f, "tags", frozenset()))
    if "linear" in tags:
        coef, intercept = problem.f.handover("linear")
        w = np.asarray(coef, dtype=float).reshape(-1)
        if not np.any(w):
            raise NotApplicable("a constant linear function has no decision boundary")
        gap = points @ w + float(intercept) - t
        return points - gap[:, None] * w[None, :] / (w @ w)
    from scipy.optimize import minimize

    out = []
    for x in points:
        res = minimize(
            lambda z, x=x: np.sum((z - x) ** 2),
            x,
            jac=lambda z, x=x: 2 * (z - x),
            constraints=[{"type": "eq", "fun": lambda z: fn(z[None, :])[0] - t}],
            method="SLSQP",
            options={"ftol": 1e-12, "maxiter": 500},
        )
        if not res.success or abs(fn(res.x[None, :])[0] - t) > 1e-6:
            raise RuntimeError(f"SLSQP did not reach f(z) = {t}: {res.message}")
        out.append(res.x)
    return np.stack(out)


__all__ = [
    "banzhaf",
    "counterfactual_l2",
    "gradient",
    "gradient_x_input",
    "integrated_gradients",
    "lime_wls",
    "nshapley",
    "occlusion",
    "pd",
    "permutation_importance",
    "shapley",
    "shapley_baseline",
    "shapley_conditional",
    "shapley_permutation",
]
