"""Small hypothesis generators of worlds for the oracle tests (independent of the worlds room).

A generated function is a sum of terms ``coef * prod_{j in T} g_j(x_j)`` with shapes drawn from
polynomials, sin, abs and steps; it carries ``terms`` so the term-wise oracle can be tested, and
``.plain`` is the same function as a bare callable (no shortcuts), for brute force.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

SHAPES = {
    "id": lambda t: t,
    "sq": lambda t: t**2,
    "cube": lambda t: t**3 - t,
    "sin": np.sin,
    "abs": np.abs,
    "step": lambda t: (t > 0.25).astype(float),
}
DERIVS = {
    "id": lambda t: np.ones_like(t),
    "sq": lambda t: 2 * t,
    "cube": lambda t: 3 * t**2 - 1,
    "sin": np.cos,
    "abs": np.sign,
    "step": np.zeros_like,
}

nice = st.sampled_from([-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0])


@dataclass(frozen=True)
class TermFunction:
    """``c + sum coef * prod shape(x_j)``, with ``terms`` and a readable ``formula``."""

    d: int
    terms: tuple
    names: tuple
    c: float = 0.0

    def __call__(self, z):
        z = np.atleast_2d(np.asarray(z, dtype=float))
        out = np.full(z.shape[0], self.c)
        for coef, shapes in self.terms:
            prod = np.full(z.shape[0], coef)
            for j, g in shapes.items():
                prod = prod * g(z[:, j])
            out = out + prod
        return out

    def grad(self, z):
        """Exact (almost-everywhere) gradient, from the shape names."""
        z = np.atleast_2d(np.asarray(z, dtype=float))
        G = np.zeros(z.shape)
        for (coef, shapes), names in zip(self.terms, self.names, strict=True):
            feats = sorted(shapes)
            for i, name in zip(feats, names, strict=True):
                part = coef * DERIVS[name](z[:, i])
                for j in feats:
                    if j != i:
                        part = part * shapes[j](z[:, j])
                G[:, i] += part
        return G

    @property
    def plain(self):
        return lambda z: self(z)

    def formula(self):
        parts = [
            f"{coef:g}*" + "*".join(f"{n}(x{j})" for j, n in zip(sorted(s), names, strict=True))
            for (coef, s), names in zip(self.terms, self.names, strict=True)
        ]
        return " + ".join(parts) or "0"

    def __repr__(self):
        return f"TermFunction({self.formula()})"


@st.composite
def term_functions(draw, d, max_order=3, max_terms=4, shapes=tuple(SHAPES)):
    n_terms = draw(st.integers(1, max_terms))
    terms, names = [], []
    for _ in range(n_terms):
        k = draw(st.integers(1, min(max_order, d)))
        feats = sorted(draw(st.lists(st.integers(0, d - 1), min_size=k, max_size=k, unique=True)))
        chosen = [draw(st.sampled_from(shapes)) for _ in feats]
        coef = draw(nice.filter(lambda c: c != 0))
        terms.append((coef, {j: SHAPES[s] for j, s in zip(feats, chosen, strict=True)}))
        names.append(tuple(chosen))
    c = draw(nice)
    return TermFunction(d=d, terms=tuple(terms), names=tuple(names), c=c)


@st.composite
def product_pmfs(draw, d, max_levels=3):
    """Rows of a product pmf: the cartesian product of per-feature level lists (with repeats)."""
    marginals = [draw(st.lists(nice, min_size=1, max_size=max_levels)) for _ in range(d)]
    return np.array(list(itertools.product(*marginals)), dtype=float)


@st.composite
def dependent_pmfs(draw, d, max_rows=12):
    """Rows drawn from a small lattice with repeats; a copy/shift makes features dependent."""
    n = draw(st.integers(2, max_rows))
    rows = np.array(draw(st.lists(st.lists(nice, min_size=d, max_size=d), min_size=n, max_size=n)))
    if d >= 2 and draw(st.booleans()):
        rows[:, 1] = rows[:, 0] + draw(st.sampled_from([0.0, 0.5, -1.0]))
    return rows


def pmfs(d):
    return st.one_of(product_pmfs(d), dependent_pmfs(d))


def game_by_definition(f, x, rows):
    """Interventional game, straight from the definition (one f call per coalition)."""
    d = rows.shape[1]
    v = np.empty(1 << d)
    for S in range(1 << d):
        z = rows.copy()
        for j in range(d):
            if S >> j & 1:
                z[:, j] = x[j]
        v[S] = np.mean(f(z))
    return v


def shapley_by_permutations(v, d):
    """Shapley values as the mean marginal contribution over all d! orderings."""
    phi = np.zeros(d)
    perms = list(itertools.permutations(range(d)))
    for perm in perms:
        S = 0
        for i in perm:
            phi[i] += v[S | 1 << i] - v[S]
            S |= 1 << i
    return phi / len(perms)
