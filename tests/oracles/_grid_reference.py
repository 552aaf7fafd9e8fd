"""Independent references for every oracle: the definitions, by brute force.

Nothing here imports ``explainspec.oracles`` (Shapley values by permutations come from the
oracle tests' own generators). A reference is computed from a world's function
(evaluated as a black box, and its ``grad`` for the path integrals) and a distribution:

- a finite pmf (uniform over rows): plain loops over coalitions, permutations, rows and row
  pairs, exactly as the definitions read;
- a Gaussian ``N(mu, Sigma)``: tensor Gauss-Hermite quadrature with :data:`GH_NODES` nodes per
  dimension, which is *exact* (up to rounding) for polynomials of degree <= 2 * GH_NODES - 1 =
  17; world polynomials have degree <= 8 and the permutation importances integrate their squares
  (degree <= 16). A function that is not a polynomial has no exact reference on a Gaussian P:
  :data:`NO_REFERENCE` (the oracle must then refuse);
- the local oracles: the gradient by one-sided and central differences (a one-sided value at a
  kink: the oracle's must lie between the left and right derivatives), integrated gradients by
  adaptive quadrature of the gradient along the path (``scipy.integrate.quad_vec``).

Each reference returns ``(value, tolerance)`` or :data:`NO_REFERENCE`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from _oracle_gen import shapley_by_permutations as shapley_perm

NO_REFERENCE = None
GH_NODES = 9
_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(GH_NODES)  # weight exp(-x^2 / 2)
_GH_W = _GH_W / _GH_W.sum()
_GL_X, _GL_W = np.polynomial.legendre.leggauss(24)


@dataclass
class Ref:
    value: Any
    tol: float


def fvals(f, Z):
    Z = np.atleast_2d(np.asarray(Z, float))
    return np.asarray(f(Z), float).reshape(-1)


def is_polynomial(f) -> bool:
    """Whether ``f`` is a polynomial (every term a product of powers), by its structure."""
    try:
        terms = f.terms
    except Exception:  # noqa: BLE001
        return False
    return all(getattr(s, "kind", None) == "pow" for _, shapes in terms for s in shapes.values())


# --------------------------------------------------------------------------- expectations


def gh_expect(fun, mean, cov):
    """``E fun(U)`` for ``U ~ N(mean, cov)`` (``cov`` may be singular), ``fun: (n, k) -> (n, ...)``."""
    mean = np.asarray(mean, float)
    k = mean.shape[0]
    if k == 0:
        return fun(np.zeros((1, 0)))[0]
    vals, vecs = np.linalg.eigh(np.asarray(cov, float))
    root = vecs * np.sqrt(np.clip(vals, 0.0, None))
    live = np.sqrt(np.clip(vals, 0.0, None)) > 1e-14
    m = int(live.sum())
    if m == 0:
        return fun(mean[None, :])[0]
    grid = np.array(list(itertools.product(_GH_X, repeat=m)))
    weights = np.prod(np.array(list(itertools.product(_GH_W, repeat=m))), axis=1)
    U = mean[None, :] + grid @ root[:, live].T
    out = np.asarray(fun(U), float)
    return np.tensordot(weights, out, axes=(0, 0))


def gaussian_conditional(mu, cov, inside, x):
    """``X_-S | X_S = x_S`` by the precision matrix (``Lambda = Sigma^-1``):
    mean ``mu_-S - Lambda_-S-S^-1 Lambda_-S,S (x_S - mu_S)``, covariance ``Lambda_-S-S^-1``;
    a singular ``Sigma`` by the Schur complement with pseudo-inverses."""
    out = ~inside
    if not inside.any():
        return mu[out], cov[np.ix_(out, out)]
    if not out.any():
        return np.zeros(0), np.zeros((0, 0))
    if np.linalg.matrix_rank(cov) == cov.shape[0]:
        lam = np.linalg.inv(cov)
        c = np.linalg.inv(lam[np.ix_(out, out)])
        m = mu[out] - c @ lam[np.ix_(out, inside)] @ (x[inside] - mu[inside])
        return m, c
    k = cov[np.ix_(out, inside)] @ np.linalg.pinv(cov[np.ix_(inside, inside)])
    return mu[out] + k @ (x[inside] - mu[inside]), cov[np.ix_(out, out)] - k @ cov[
        np.ix_(inside, out)
    ]


def _embed(fixed_mask, fixed_values, free):
    """Points ``(n, d)`` with the fixed coordinates set and the free ones from ``free (n, m)``."""
    Z = np.empty((free.shape[0], fixed_mask.shape[0]))
    Z[:, fixed_mask] = fixed_values[fixed_mask]
    Z[:, ~fixed_mask] = free
    return Z


# --------------------------------------------------------------------------- games


def masks(d):
    return [np.array([(S >> i) & 1 == 1 for i in range(d)]) for S in range(1 << d)]


def game_interventional(f, x, rows=None, gaussian=None):
    d = x.shape[0]
    v = np.empty(1 << d)
    for S, inside in enumerate(masks(d)):
        if rows is not None:
            z = rows.copy()
            z[:, inside] = x[inside]
            v[S] = np.mean(fvals(f, z))
        else:
            mu, cov = gaussian
            out = ~inside
            v[S] = gh_expect(
                lambda U, inside=inside: fvals(f, _embed(inside, x, U)),
                mu[out],
                cov[np.ix_(out, out)],
            )
    return v


def game_conditional(f, x, rows=None, gaussian=None):
    d = x.shape[0]
    v = np.empty(1 << d)
    for S, inside in enumerate(masks(d)):
        if rows is not None:
            keep = np.all(rows[:, inside] == x[inside], axis=1)
            v[S] = np.mean(fvals(f, rows[keep]))
        else:
            mu, cov = gaussian
            m, c = gaussian_conditional(mu, cov, inside, x)
            v[S] = gh_expect(lambda U, inside=inside: fvals(f, _embed(inside, x, U)), m, c)
    return v


def banzhaf_def(v, d):
    out = np.zeros(d)
    for i in range(d):
        for S in range(1 << d):
            if not S >> i & 1:
                out[i] += v[S | 1 << i] - v[S]
    return out / 2 ** (d - 1)


def moebius_def(v, d):
    m = np.zeros(1 << d)
    for S in range(1 << d):
        for T in range(1 << d):
            if T & S == T:
                m[S] += (-1) ** (bin(S).count("1") - bin(T).count("1")) * v[T]
    return m


def interaction_index(v, d, T):
    """Grabisch-Roubens index of coalition ``T``: sum over S in N - T of
    |S|! (d - |S| - |T|)! / (d - |T| + 1)! times the discrete derivative of v along T at S."""
    t = bin(T).count("1")
    total = 0.0
    for S in range(1 << d):
        if S & T:
            continue
        s = bin(S).count("1")
        deriv = 0.0
        for L in range(1 << d):
            if L & T == L:
                deriv += (-1) ** (t - bin(L).count("1")) * v[S | L]
        total += math.factorial(s) * math.factorial(d - s - t) / math.factorial(d - t + 1) * deriv
    return total


def interaction_matrix(v, d, convention):
    phi = shapley_perm(v, d)
    M = np.zeros((d, d))
    for i in range(d):
        for j in range(d):
            if i != j:
                M[i, j] = interaction_index(v, d, 1 << i | 1 << j)
    if convention == "index":
        M[np.arange(d), np.arange(d)] = phi
        return M
    M = M / 2
    M[np.arange(d), np.arange(d)] = phi - M.sum(axis=1)
    return M


def bernoulli(n):
    B = [Fraction(1)]
    for k in range(1, n + 1):
        B.append(-sum(math.comb(k + 1, j) * B[j] for j in range(k)) / Fraction(k + 1))
    return B


def nshapley_def(v, d, n):
    B = bernoulli(d)
    index = {T: interaction_index(v, d, T) for T in range(1, 1 << d) if bin(T).count("1") <= n}
    out = np.zeros(1 << d)
    out[0] = v[0]
    for S in range(1, 1 << d):
        if bin(S).count("1") > n:
            continue
        out[S] = sum(
            float(B[bin(T).count("1") - bin(S).count("1")]) * value
            for T, value in index.items()
            if T & S == S
        )
    return out


# --------------------------------------------------------------------------- tree game


def path_game_def(model, x):
    """EXPVALUE (Lundberg et al. 2020, Algorithm 1) per coalition, for a tree or an ensemble."""

    def one(tree, S):
        t = tree.tree_

        def g(node):
            if t.children_left[node] == -1:
                return float(t.value[node].ravel()[0])
            j = t.feature[node]
            left, right = t.children_left[node], t.children_right[node]
            if j in S:
                return g(left if np.float32(x[j]) <= t.threshold[node] else right)
            n_l, n_r = t.weighted_n_node_samples[left], t.weighted_n_node_samples[right]
            return (g(left) * n_l + g(right) * n_r) / (n_l + n_r)

        return g(0)

    d = x.shape[0]
    v = np.empty(1 << d)
    trees = np.ravel(getattr(model, "estimators_", [model]))
    if hasattr(model, "learning_rate"):
        at_x = sum(float(e.predict(x[None])[0]) for e in trees)
        init = float(model.predict(x[None])[0]) - model.learning_rate * at_x
    for S in range(1 << d):
        members = {j for j in range(d) if S >> j & 1}
        if hasattr(model, "tree_"):
            v[S] = one(model, members)
            continue
        values = [one(e, members) for e in trees]
        if hasattr(model, "learning_rate"):
            v[S] = init + model.learning_rate * sum(values)
        else:
            v[S] = float(np.mean(values))
    return v


def tree_model(f):
    """The sklearn tree model behind ``f`` if it is one (tree family, gbr/rf model), else None."""
    model = getattr(f, "model", None)
    if model is None:
        return None
    if hasattr(model, "tree_"):
        return model
    est = getattr(model, "estimators_", None)
    if est is not None and all(hasattr(e, "tree_") for e in np.ravel(est)):
        return model
    return None


# --------------------------------------------------------------------------- local


def gradient_check(f, x, got):
    """Whether ``got`` is the gradient of ``f`` at ``x``: the central difference where ``f`` is
    differentiable along each axis, else a value between the one-sided derivatives."""
    d = x.shape[0]
    scale = 1.0 + abs(fvals(f, x)[0])
    problems = []
    for i in range(d):
        e = np.zeros(d)
        e[i] = 1.0
        h = 1e-7 * max(1.0, abs(x[i]))
        f0 = fvals(f, x)[0]
        left = (f0 - fvals(f, x - h * e)[0]) / h
        right = (fvals(f, x + h * e)[0] - f0) / h
        H = 1e-4 * max(1.0, abs(x[i]))
        c1 = (fvals(f, x + H * e)[0] - fvals(f, x - H * e)[0]) / (2 * H)
        c2 = (fvals(f, x + H / 2 * e)[0] - fvals(f, x - H / 2 * e)[0]) / H
        central = (4 * c2 - c1) / 3
        tol = 1e-6 * (scale + abs(central))
        if abs(left - right) <= 1e-4 * (scale + abs(central)):  # differentiable along x_i
            # the central difference's wider step H may straddle a kink within H of x (seen:
            # a ReLU MLP, central -0.637 where both one-sided quotients were -0.69982077);
            # then the one-sided quotients with h = 1e-7 are the reference
            ok = abs(got[i] - central) <= tol or (
                abs(got[i] - left) <= 1e-5 * scale and abs(got[i] - right) <= 1e-5 * scale
            )
        else:  # a kink: the oracle's convention must be one of the one-sided derivatives
            ok = min(left, right) - 1e-4 * scale <= got[i] <= max(left, right) + 1e-4 * scale
        if not ok:
            problems.append((i, got[i], left, right, central))
    return problems


# Gauss-Kronrod 7-15 nodes on [-1, 1] (the non-negative half; symmetric) and weights
_K15_X = np.array(
    [
        0.991455371120812639206854697526329,
        0.949107912342758524526189684047851,
        0.864864423359769072789712788640926,
        0.741531185599394439863864773280788,
        0.586087235467691130294144845693013,
        0.405845151377397166906606412076961,
        0.207784955007898467600689403773245,
        0.0,
    ]
)
_K15_W = np.array(
    [
        0.022935322010529224963732008058970,
        0.063092092629978553290700663189204,
        0.104790010322250183839876322541518,
        0.140653259715525918745189590510238,
        0.169004726639267902826583426598550,
        0.190350578064785409913256402421014,
        0.204432940075298892414161999234649,
        0.209482141084727828012999174891714,
    ]
)
_G7_W = np.array(
    [
        0.129484966168869693270611432679082,
        0.279705391489276667901467771423780,
        0.381830050505118944950369775488975,
        0.417959183673469387755102040816327,
    ]
)  # at the K15 nodes 1, 3, 5, 7 (0-based)
_KX = np.concatenate([-_K15_X[:-1], _K15_X[::-1]])  # 15 nodes, ascending
_KW = np.concatenate([_K15_W[:-1], _K15_W[::-1]])
_GW = np.zeros(15)
_GW[[1, 3, 5]] = _G7_W[:3]
_GW[[13, 11, 9]] = _G7_W[:3]
_GW[7] = _G7_W[3]


def path_integral(g, tol=1e-12, max_levels=80, rise=None, pieces=16):
    """``int_0^1 g(a) da`` for ``g: (m,) -> (m, d)``: adaptive Gauss-Kronrod 7-15 from ``pieces``
    equal intervals, all the intervals of one level evaluated in one call; an interval is accepted
    when its Kronrod and Gauss estimates agree to ``tol * length`` and, given ``rise(lo, hi) ->
    (value, weights)``, when ``weights . integral`` equals ``value`` to ``tol`` (the fundamental
    theorem of calculus on the piece: for a gradient along a path, the change of f), or when it
    is shorter than 1e-13. Without that second test a piecewise-constant ``g`` whose jumps fall
    between the nodes can make both estimates agree on a wrong value (seen: a 1-D ReLU network
    whose integrated gradients came out 0 instead of 1). Returns ``(value, error bound)``."""
    edges = np.linspace(0.0, 1.0, pieces + 1)
    lo, hi = edges[:-1], edges[1:]
    total, err_total = 0.0, 0.0
    for _ in range(max_levels):
        half, mid = (hi - lo) / 2, (hi + lo) / 2
        nodes = mid[:, None] + half[:, None] * _KX[None, :]  # (k, 15)
        G = np.asarray(g(nodes.reshape(-1)), float).reshape(nodes.shape + (-1,))
        kron = half[:, None] * np.einsum("kn...,n->k...", G, _KW)
        gauss = half[:, None] * np.einsum("kn...,n->k...", G, _GW)
        err = np.abs(kron - gauss).max(axis=1)
        done = err <= tol * (hi - lo)
        if rise is not None:
            value, weights = rise(lo, hi)
            miss = np.abs(kron @ weights - value)
            done &= miss <= tol * (1.0 + np.abs(value))
            err = np.maximum(err, miss / max(1e-300, float(np.abs(weights).max())))
        done |= hi - lo < 1e-13
        total = total + kron[done].sum(axis=0)
        err_total += float(err[done].sum())
        if done.all():
            return total, err_total
        lo, hi = lo[~done], hi[~done]
        lo, hi = np.concatenate([lo, (lo + hi) / 2]), np.concatenate([(lo + hi) / 2, hi])
    raise AssertionError("path_integral did not converge")


def ig_reference(f, x, b):
    """Integrated gradients by :func:`path_integral` of ``f.grad`` along the straight path, each
    piece checked against the change of ``f`` over it."""
    delta = x - b
    try:
        f.grad(x)
    except Exception:  # noqa: BLE001
        return NO_REFERENCE

    def rise(lo, hi):
        return fvals(f, b + hi[:, None] * delta) - fvals(f, b + lo[:, None] * delta), delta

    value, err = path_integral(
        lambda a: np.asarray(f.grad(b + a[:, None] * delta), float), rise=rise
    )
    change = abs(fvals(f, x)[0] - fvals(f, b)[0])
    return Ref(value * delta, 1e-7 * (1.0 + change) + 10 * err * np.abs(delta).max())


def linear_weights(f, d):
    """``(w, c)`` if ``f`` is affine (checked at random points), else None."""
    c = fvals(f, np.zeros(d))[0]
    w = np.array([fvals(f, np.eye(d)[i])[0] - c for i in range(d)])
    probe = np.random.default_rng(0).normal(size=(8, d)) * 2
    if not np.allclose(fvals(f, probe), probe @ w + c, rtol=1e-9, atol=1e-9 * (1 + abs(c))):
        return None
    return w, c


# --------------------------------------------------------------------------- curves, importance


def ale_rows(f, j, t, rows):
    """The documented ALE of a finite pmf, by loops: levels q_0 < ... < q_K of X_j; interval k
    holds the rows with q_{k-1} < z_j <= q_k (the first also q_0); local effect = mean over
    them of f(z with z_j := q_k) - f(z with z_j := q_{k-1}); accumulated, centred over the
    rows, interpolated linearly between levels and constant beyond."""
    levels = sorted(set(rows[:, j].tolist()))
    if len(levels) == 1:
        return np.zeros_like(t)
    A = [0.0]
    for k in range(1, len(levels)):
        lo, hi = levels[k - 1], levels[k]
        members = [z for z in rows if (lo < z[j] <= hi) or (k == 1 and z[j] == lo)]
        diffs = []
        for z in members:
            a, b = z.copy(), z.copy()
            a[j], b[j] = hi, lo
            diffs.append(fvals(f, a)[0] - fvals(f, b)[0])
        A.append(A[-1] + float(np.mean(diffs)))
    A = np.array(A)
    A = A - np.mean([A[levels.index(z[j])] for z in rows])
    return np.interp(t, levels, A)


def ale_gaussian(f, j, t, mu, cov):
    """``A(t) = int_{mu_j}^t E[d_j f(X) | X_j = z] dz``, centred over X_j: Gauss-Hermite inside,
    Gauss-Legendre along z (exact for polynomial f)."""
    d = mu.shape[0]
    inside = np.arange(d) == j

    def slope(z):
        point = mu.copy()
        point[j] = z
        m, c = gaussian_conditional(mu, cov, inside, point)
        return gh_expect(lambda U: np.asarray(f.grad(_embed(inside, point, U)))[:, j], m, c)

    def A(s):
        half = (s - mu[j]) / 2
        nodes = mu[j] + half * (1 + _GL_X)
        return half * sum(w * slope(z) for z, w in zip(nodes, _GL_W, strict=True))

    centre = gh_expect(
        lambda Z: np.array([A(z) for z in Z[:, 0]]), mu[j : j + 1], cov[j : j + 1, j : j + 1]
    )
    return np.array([A(s) - centre for s in np.ravel(t)]).reshape(np.shape(t))


LOSSES = {"squared": lambda y, p: (y - p) ** 2, "absolute": lambda y, p: np.abs(y - p)}


def importance_rows(f, rows, y, loss, conditional):
    """PFI/CPI of a finite pmf by enumerating row pairs (a, b): b any row (PFI) or a row with the
    same x_-j as a (CPI), each a's partners weighted equally."""
    n, d = rows.shape
    L = LOSSES[loss]
    base = L(y, fvals(f, rows))
    out = np.zeros(d)
    for j in range(d):
        total = 0.0
        for a in range(n):
            if conditional:
                rest = np.delete(rows, j, axis=1)
                partners = np.flatnonzero(np.all(rest == rest[a], axis=1))
            else:
                partners = np.arange(n)
            z = np.repeat(rows[a][None, :], partners.shape[0], axis=0)
            z[:, j] = rows[partners, j]
            total += np.mean(L(y[a], fvals(f, z)) - base[a])
        out[j] = total / n
    return out


def importance_gaussian(f, g, mu, cov, conditional):
    """Squared-loss PFI/CPI of ``N(mu, cov)`` with targets ``g(X)``: Gauss-Hermite over
    ``(X, Z')`` with the permuted X~_j = mu_j + sqrt(cov_jj) Z' (PFI) or
    E[X_j | X_-j] + sd(X_j | X_-j) Z' (CPI, precision-matrix formula)."""
    d = mu.shape[0]
    m = np.concatenate([mu, [0.0]])
    C = np.zeros((d + 1, d + 1))
    C[:d, :d], C[d, d] = cov, 1.0
    out = np.zeros(d)
    for j in range(d):
        inside = np.arange(d) != j

        # X_j | X_-j is affine in X_-j: its mean at mu and at mu + e_k give the gains
        at_mu, cc = gaussian_conditional(mu, cov, inside, mu)
        gains = np.array(
            [
                gaussian_conditional(mu, cov, inside, mu + np.eye(d)[k])[0][0] - at_mu[0]
                for k in range(d)
            ]
        )
        sd = math.sqrt(max(cc[0, 0], 0.0))

        def integrand(U, j=j, gains=gains, at_mu=at_mu, sd=sd):
            X, Zp = U[:, :d], U[:, d]
            Xt = X.copy()
            if conditional:
                Xt[:, j] = at_mu[0] + (X - mu) @ gains + sd * Zp
            else:
                Xt[:, j] = mu[j] + math.sqrt(cov[j, j]) * Zp
            y = fvals(g, X)
            return (y - fvals(f, Xt)) ** 2 - (y - fvals(f, X)) ** 2

        out[j] = gh_expect(integrand, m, C)
    return out


# --------------------------------------------------------------------------- feature groups


def partition(groups, d):
    """``groups`` as index lists if they partition ``0..d-1``, else None."""
    if not groups:
        return None
    flat = sorted(int(j) for g in groups for j in g)
    return [list(map(int, g)) for g in groups] if flat == list(range(d)) else None


def group_game(f, x, rows, groups):
    """``v(T) = mean_z f(x on the features of the groups in T, z elsewhere)``, T a bitmask."""
    d = x.shape[0]
    v = np.empty(1 << len(groups))
    for T in range(1 << len(groups)):
        inside = np.zeros(d, bool)
        for q, g in enumerate(groups):
            if T >> q & 1:
                inside[g] = True
        z = rows.copy()
        z[:, inside] = x[inside]
        v[T] = np.mean(fvals(f, z))
    return v


def owen_def(v, d, groups):
    """Owen values: the mean marginal contribution of each feature over the orderings of all
    features in which the members of every group are consecutive (the coalition structure)."""
    home = {j: q for q, g in enumerate(groups) for j in g}
    phi, count = np.zeros(d), 0
    for perm in itertools.permutations(range(d)):
        runs = [home[j] for j in perm]
        if any(
            runs.index(q) + len(g) != len(runs) - runs[::-1].index(q) for q, g in enumerate(groups)
        ):
            continue  # a group's members are not consecutive
        count += 1
        S = 0
        for i in perm:
            phi[i] += v[S | 1 << i] - v[S]
            S |= 1 << i
    return phi / count
