"""Exact interventional Shapley values at real sizes: fitted models, hundreds of rows.

Two exact algorithms, chosen by what the function offers:

- **Tree ensembles** (:class:`TreeEnsemble`), exact at any ``d``. The interventional game of a
  tree at ``x`` against one background row ``z`` is a sum over leaves of unanimity-type games:
  a leaf is reached by the hybrid row ``(x_S, z_-S)`` iff every feature ``j`` on its path on
  which only ``x`` satisfies the path's conditions is in ``S`` (the set ``A``) and every feature
  on which only ``z`` does is not (the set ``B``); a feature satisfied by neither makes the leaf
  unreachable. The Shapley values of ``u(S) = 1[A in S, B out of S]`` are
  ``(|A|-1)! |B|! / (|A|+|B|)!`` for ``i`` in ``A`` and ``-|A|! (|B|-1)! / (|A|+|B|)!`` for
  ``i`` in ``B`` (this is the interventional TreeSHAP of Lundberg et al. 2020, vectorised over
  points, rows and leaves). Splits compare ``float32(x_j) <= threshold`` as scikit-learn does.
  The ensemble's prediction is checked against the function on the rows before it is trusted.
- **Enumeration** (:func:`enumerate_games`), any callable, ``d <= 16`` players. For one point
  ``x`` and one background row ``z``, the players on which ``z`` agrees with ``x`` are null
  players of ``z``'s game, so only the ``2**|D|`` hybrid rows over the disagreeing players ``D``
  are evaluated; identical background rows are merged. All hybrid rows of all points are
  evaluated by one call of ``f`` per chunk of at most :data:`CHUNK_ROWS` rows; the game of every
  point is then assembled from those values by index arithmetic (no second evaluation).

Players may be single features or groups of features: group Shapley values are the Shapley
values of the game whose players are the groups, and Owen values (groups as a priori unions)
enumerate, for each group, the coalitions made of other whole groups plus part of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from math import factorial
from typing import Any

import numpy as np

from explainspec.oracles._common import (
    GroundTruthUnavailable,
    OracleError,
    as_point,
    as_rows,
    evaluate,
    popcounts,
    shapley_from_game,
)

Array = np.ndarray

#: largest number of players whose coalitions are enumerated (2**16 per point)
MAX_PLAYERS = 16
#: rows of hybrid points per call of f (measured in bench/audit.py: sklearn ensembles predict
#: fastest on batches of ~10**5 rows; 2**17 rows of 16 features are 16 MiB)
CHUNK_ROWS = 1 << 17
#: elements per block of the tree algorithm's (points x rows x leaves x features) arrays
_TREE_BLOCK = 1 << 22

__all__ = [
    "TreeEnsemble",
    "baseline_shapley",
    "enumerate_games",
    "group_shapley",
    "group_shapley_oracle",
    "grouped",
    "interventional_shapley",
    "owen",
    "owen_oracle",
    "tree_ensemble",
    "twin",
]


# ------------------------------------------------------------------------------- enumeration


def _players(players: Sequence[Sequence[int]] | None, d: int) -> list[Array]:
    if players is None:
        return [np.array([j]) for j in range(d)]
    out = [np.asarray(sorted(int(j) for j in p), dtype=np.int64) for p in players]
    flat = np.concatenate(out) if out else np.zeros(0, np.int64)
    if sorted(flat.tolist()) != list(range(d)):
        raise OracleError(
            f"the groups must partition the {d} features (each feature in exactly one group); "
            f"got {[p.tolist() for p in out]}"
        )
    return out


def _merged_rows(rows: Array) -> tuple[Array, Array]:
    """Distinct rows and their weights (multiplicity / n)."""
    uniq, counts = np.unique(rows, axis=0, return_counts=True)
    return uniq, counts / rows.shape[0]


class _Batcher:
    """Fills a buffer with hybrid rows and evaluates f once per full buffer."""

    def __init__(self, f: Callable[[Any], Any], d: int, chunk: int) -> None:
        self.f, self.d, self.chunk = f, d, max(int(chunk), 1)
        self.buf = np.empty((self.chunk, d))
        self.used = 0
        self.pending: list[tuple[int, int, Callable[[Array], None]]] = []
        self.calls = 0
        self.rows = 0

    def room(self) -> int:
        return self.chunk - self.used

    def add(self, n: int, fill: Callable[[Array], None], done: Callable[[Array], None]) -> None:
        """Reserve ``n`` rows, let ``fill`` write them, and call ``done`` with their values."""
        if n > self.room():
            self.flush()
        view = self.buf[self.used : self.used + n]
        fill(view)
        self.pending.append((self.used, n, done))
        self.used += n

    def flush(self) -> None:
        if not self.used:
            return
        values = evaluate(self.f, self.buf[: self.used])
        self.calls += 1
        self.rows += self.used
        for start, n, done in self.pending:
            done(values[start : start + n])
        self.pending.clear()
        self.used = 0


def _compact_index(D: int, n: int) -> Array:
    """``idx[S]`` = the position of ``D & ~S`` among the subsets of ``D`` (bits of D in order)."""
    S = np.arange(1 << n, dtype=np.int64)
    idx = np.zeros(1 << n, dtype=np.int64)
    b = 0
    for q in range(n):
        if (D >> q) & 1:
            idx |= (1 - ((S >> q) & 1)) << b
            b += 1
    return idx


def enumerate_games(
    f: Callable[[Any], Any],
    X: Any,
    rows: Any,
    players: Sequence[Sequence[int]] | None = None,
    *,
    chunk: int = CHUNK_ROWS,
    stats: dict[str, int] | None = None,
) -> Array:
    """The interventional games ``v(S) = mean_z f(x_S, z_-S)`` of points over player coalitions.

    Parameters
    ----------
    f : callable ``(n, d) -> (n,)``
    X : array (k, d) or (d,)
        The points.
    rows : array (m, d)
        The background rows (uniform weights; repeated rows count more).
    players : sequence of feature-index lists, optional
        A partition of the features (default: one player per feature). At most 16.
    stats : dict, optional
        Filled with ``calls`` (calls of f) and ``rows`` (rows evaluated).

    Returns
    -------
    ndarray (k, 2**n) or (2**n,): coalitions indexed by bitmask over the players.
    """
    Xa = np.asarray(X, dtype=float)
    single = Xa.ndim == 1
    Xa = np.atleast_2d(Xa)
    Z = as_rows(rows)
    if Z is None:
        raise OracleError("exact enumeration needs background rows, not a Gaussian P")
    k, d = Xa.shape
    if Z.shape[1] != d:
        raise OracleError(f"x has {d} features but the rows have {Z.shape[1]}")
    plist = _players(players, d)
    n = len(plist)
    if n > MAX_PLAYERS:
        raise GroundTruthUnavailable(
            f"exact enumeration of {n} players needs 2**{n} coalitions per point (limit "
            f"{MAX_PLAYERS}); tree ensembles are exact at any d, otherwise group the features"
        )
    Zu, w = _merged_rows(Z)
    member = np.zeros((n, d), dtype=bool)  # player q owns feature j
    for q, p in enumerate(plist):
        member[q, p] = True
    bits = np.int64(1) << np.arange(n, dtype=np.int64)
    v = np.zeros((k, 1 << n))
    batch = _Batcher(f, d, chunk)
    subset_cache: dict[int, tuple[Array, Array]] = {}

    def subsets(D: int) -> tuple[Array, Array]:
        """Feature masks of the subsets U of D (rows take z on U) and the index map."""
        hit = subset_cache.get(D)
        if hit is None:
            pos = [q for q in range(n) if (D >> q) & 1]
            kk = len(pos)
            U = ((np.arange(1 << kk)[:, None] >> np.arange(kk)) & 1).astype(bool)  # (2^kk, kk)
            feat = (
                (U.astype(np.int64) @ member[pos].astype(np.int64)) > 0
                if kk
                else (np.zeros((1, d), dtype=bool))
            )
            hit = subset_cache[D] = (feat, _compact_index(D, n))
        return hit

    for i in range(k):
        x = Xa[i]
        differs = (Zu != x[None, :]) @ member.T  # (m, n): z differs from x on player q
        pattern = (differs > 0).astype(np.int64) @ bits
        for D in np.unique(pattern):
            D = int(D)
            sel = np.flatnonzero(pattern == D)
            feat, idx = subsets(D)
            size = feat.shape[0]
            zs, ws = Zu[sel], w[sel]
            per = max(1, batch.chunk // size)  # background rows per block
            for s0 in range(0, len(sel), per):
                zb, wb = zs[s0 : s0 + per], ws[s0 : s0 + per]

                def fill(view: Array, zb: Array = zb, feat: Array = feat, x: Array = x) -> None:
                    block = view.reshape(zb.shape[0], feat.shape[0], d)
                    block[:] = x
                    np.copyto(block, zb[:, None, :], where=feat[None, :, :])

                def done(vals: Array, wb: Array = wb, idx: Array = idx, i: int = i) -> None:
                    g = wb @ vals.reshape(wb.shape[0], -1)
                    v[i] += g[idx]

                batch.add(zb.shape[0] * size, fill, done)
    batch.flush()
    if stats is not None:
        stats["calls"] = stats.get("calls", 0) + batch.calls
        stats["rows"] = stats.get("rows", 0) + batch.rows
    return v[0] if single else v


def hybrid_rows(X: Any, rows: Any) -> int:
    """How many rows :func:`enumerate_games` evaluates for these points and rows (no call of
    f): the measure of "the points it needs" in ``bench/audit.py``."""
    Xa = np.atleast_2d(np.asarray(X, dtype=float))
    Zu, _ = _merged_rows(as_rows(rows))  # type: ignore[arg-type]
    total = 0
    for x in Xa:
        total += int((1 << (Zu != x[None, :]).sum(axis=1)).sum())
    return total


def hybrid_points(X: Any, rows: Any) -> Array:
    """The rows :func:`enumerate_games` evaluates (every distinct hybrid row once per point and
    background row), as one array: what ``bench/audit.py`` times the model on."""
    Xa = np.atleast_2d(np.asarray(X, dtype=float))
    Zu, _ = _merged_rows(as_rows(rows))  # type: ignore[arg-type]
    d = Xa.shape[1]
    out = []
    for x in Xa:
        for z in Zu:
            D = np.flatnonzero(z != x)
            U = ((np.arange(1 << len(D))[:, None] >> np.arange(len(D))) & 1).astype(bool)
            block = np.repeat(x[None, :], U.shape[0], axis=0)
            block[:, D] = np.where(U, z[D][None, :], x[D][None, :])
            out.append(block)
    return np.concatenate(out) if out else np.zeros((0, d))


def _shapley(v: Array) -> Array:
    return shapley_from_game(v)


# ------------------------------------------------------------------------------- trees


@dataclass(frozen=True, slots=True)
class TreeEnsemble:
    """An additive tree model ``const + sum over leaves of value * 1[lo < x <= hi]``.

    ``lo``/``hi`` are ``(L, d)`` interval bounds of every leaf of every tree (``-inf``/``inf``
    off the path), ``value`` the leaf values times their tree's weight. ``const`` is ``None``
    until :meth:`calibrated` has checked the ensemble against the function.
    """

    lo: Array
    hi: Array
    value: Array
    const: float | None = None

    @property
    def d(self) -> int:
        return int(self.lo.shape[1])

    def predict(self, X: Array) -> Array:
        xf = _f32(X)
        out = np.zeros(xf.shape[0])
        step = max(1, _TREE_BLOCK // max(1, self.lo.size))
        for s in range(0, xf.shape[0], step):
            xb = xf[s : s + step, None, :]
            reach = ((self.lo[None] < xb) & (xb <= self.hi[None])).all(axis=2)
            out[s : s + step] = reach.astype(float) @ self.value
        return out + (self.const or 0.0)

    def widened(self, d: int) -> TreeEnsemble:
        """The same trees over ``d >= self.d`` columns (the extra ones never read)."""
        extra = d - self.d
        pad_lo = np.full((self.lo.shape[0], extra), -np.inf)
        pad_hi = np.full((self.lo.shape[0], extra), np.inf)
        return replace(self, lo=np.hstack([self.lo, pad_lo]), hi=np.hstack([self.hi, pad_hi]))

    def calibrated(self, f: Callable[[Any], Any], probe: Array) -> TreeEnsemble | None:
        """The ensemble with its constant read off ``f`` on the ``probe`` rows, or ``None`` if
        ``f`` is not ``constant + the ensemble`` there (to 1e-9 of its scale)."""
        fx = evaluate(f, probe)
        trees = self.predict(probe) - (self.const or 0.0)
        resid = fx - trees
        c = float(np.median(resid))
        scale = 1.0 + float(np.max(np.abs(fx)))
        if not np.all(np.abs(resid - c) <= 1e-9 * scale):
            return None
        return replace(self, const=c)

    def shapley(self, X: Array, rows: Array) -> Array:
        """Exact interventional Shapley values ``(k, d)`` of the points against the rows.

        For a leaf, a point ``x`` and a row ``z``: ``px``/``pz`` are the features whose path
        conditions ``x``/``z`` satisfy (bitmasks; features off the path are satisfied by both).
        The leaf is reachable iff ``px | pz`` is every feature; then ``A = px & ~pz``,
        ``B = pz & ~px`` and the leaf adds ``value * WA[|A|, |B|]`` to each feature of ``A`` and
        ``value * WB[|A|, |B|]`` to each of ``B``. Summed over rows, the per-feature sums are one
        batched matrix product per block of leaves (features of ``A`` are those ``x`` passes
        minus those ``z`` passes).
        """
        X = np.atleast_2d(np.asarray(X, dtype=float))
        Zu, w = _merged_rows(rows)
        k, d = X.shape
        if d > 62:
            raise GroundTruthUnavailable(f"the tree algorithm packs features in 62 bits; d = {d}")
        m, L = Zu.shape[0], self.lo.shape[0]
        WA, WB = _tree_weights(d)
        xf, zf = _f32(X), _f32(Zu)
        bits = np.int64(1) << np.arange(d, dtype=np.int64)
        full = np.int64((1 << d) - 1)
        phi = np.zeros((k, d))
        lb = max(1, _TREE_BLOCK // max(1, k * m))  # leaves per block: (k, m, leaves) arrays
        for s in range(0, L, lb):
            lo, hi, val = self.lo[s : s + lb], self.hi[s : s + lb], self.value[s : s + lb]
            PX = (lo[None] < xf[:, None, :]) & (xf[:, None, :] <= hi[None])  # (k, l, d)
            PZ = (lo[None] < zf[:, None, :]) & (zf[:, None, :] <= hi[None])  # (m, l, d)
            px, pz = PX.astype(np.int64) @ bits, PZ.astype(np.int64) @ bits  # (k, l), (m, l)
            both = px[:, None, :] | pz[None, :, :]  # (k, m, l)
            A = px[:, None, :] & ~pz[None, :, :]
            B = pz[None, :, :] & ~px[:, None, :]
            a, b = np.bitwise_count(A), np.bitwise_count(B)
            coef = (both == full) * val[None, None, :] * w[None, :, None]
            ca, cb = coef * WA[a, b], coef * WB[a, b]  # (k, m, l)
            # sum over rows of ca * [j in A] = [x passes j] * (sum ca - sum ca * [z passes j])
            PZf = np.ascontiguousarray(PZ.transpose(1, 0, 2), dtype=float)  # (l, m, d)
            ca_l = np.ascontiguousarray(ca.transpose(2, 0, 1))  # (l, k, m)
            cb_l = np.ascontiguousarray(cb.transpose(2, 0, 1))
            ca_z = ca_l @ PZf  # (l, k, d)
            cb_z = cb_l @ PZf
            PXl = PX.transpose(1, 0, 2)  # (l, k, d)
            phi += np.where(PXl, ca_l.sum(axis=2)[:, :, None] - ca_z, cb_z).sum(axis=0)
        return phi


def _f32(X: Array) -> Array:
    """Values as scikit-learn's trees compare them: rounded to float32."""
    return np.asarray(X, dtype=np.float32).astype(float)


_WEIGHTS: dict[int, tuple[Array, Array]] = {}


def _tree_weights(d: int) -> tuple[Array, Array]:
    """``WA[a, b] = (a-1)! b! / (a+b)!`` and ``WB[a, b] = -a! (b-1)! / (a+b)!``."""
    hit = _WEIGHTS.get(d)
    if hit is None:
        WA = np.zeros((d + 1, d + 1))
        WB = np.zeros((d + 1, d + 1))
        for a in range(d + 1):
            for b in range(d + 1 - a):
                if a:
                    WA[a, b] = factorial(a - 1) * factorial(b) / factorial(a + b)
                if b:
                    WB[a, b] = -factorial(a) * factorial(b - 1) / factorial(a + b)
        hit = _WEIGHTS[d] = (WA, WB)
    return hit


def _leaves(tree: Any, leaf_value: Callable[[Array], float], d: int) -> tuple[Array, Array, Array]:
    t = tree.tree_
    left, right = t.children_left, t.children_right
    feature, threshold = t.feature, t.threshold
    los, his, vals = [], [], []
    stack = [(0, np.full(d, -np.inf), np.full(d, np.inf))]
    while stack:
        node, lo, hi = stack.pop()
        if left[node] == -1:
            los.append(lo)
            his.append(hi)
            vals.append(leaf_value(t.value[node]))
            continue
        j, thr = int(feature[node]), float(threshold[node])
        hl = hi.copy()
        hl[j] = min(hl[j], thr)
        lr = lo.copy()
        lr[j] = max(lr[j], thr)
        stack.append((int(left[node]), lo, hl))
        stack.append((int(right[node]), lr, hi))
    return np.array(los), np.array(his), np.array(vals, dtype=float)


def tree_ensemble(
    estimator: Any, scale: str, class_index: int | None, d: int
) -> TreeEnsemble | None:
    """The additive tree form of a fitted scikit-learn tree model on an output scale, or None.

    Covered: decision trees, random forests and extra trees (regression ``predict``;
    classification ``probability`` of a class), gradient boosting (regression ``predict``;
    classification ``decision``/``log_odds``, whose raw score is additive in the trees).
    The constant is read off the function later (:meth:`TreeEnsemble.calibrated`).
    """
    name = type(estimator).__name__
    k = class_index or 0

    def reg(v: Array) -> float:
        return float(v.ravel()[0])

    def proba(v: Array) -> float:
        row = np.asarray(v, dtype=float).reshape(-1)
        return float(row[k] / row.sum())

    if name in ("DecisionTreeRegressor", "ExtraTreeRegressor") and scale == "predict":
        parts = [(estimator, 1.0, reg)]
    elif name in ("RandomForestRegressor", "ExtraTreesRegressor") and scale == "predict":
        T = len(estimator.estimators_)
        parts = [(e, 1.0 / T, reg) for e in estimator.estimators_]
    elif name in ("DecisionTreeClassifier", "ExtraTreeClassifier") and scale == "probability":
        parts = [(estimator, 1.0, proba)]
    elif name in ("RandomForestClassifier", "ExtraTreesClassifier") and scale == "probability":
        T = len(estimator.estimators_)
        parts = [(e, 1.0 / T, proba) for e in estimator.estimators_]
    elif name == "GradientBoostingRegressor" and scale == "predict":
        lr = float(estimator.learning_rate)
        parts = [(e, lr, reg) for e in np.asarray(estimator.estimators_).reshape(-1)]
    elif name == "GradientBoostingClassifier" and scale in ("decision", "log_odds"):
        lr = float(estimator.learning_rate)
        est = np.asarray(estimator.estimators_, dtype=object)
        if est.shape[1] == 1:  # binary: one score, of class 1; class 0 is its negative
            sign = 1.0 if k == 1 else -1.0
            parts = [(e, sign * lr, reg) for e in est[:, 0]]
        elif scale == "decision":
            parts = [(e, lr, reg) for e in est[:, k]]
        else:
            return None
    else:
        return None
    los, his, vals = [], [], []
    for tree, weight, leaf_value in parts:
        lo, hi, val = _leaves(tree, leaf_value, d)
        los.append(lo)
        his.append(hi)
        vals.append(val * weight)
    return TreeEnsemble(lo=np.vstack(los), hi=np.vstack(his), value=np.concatenate(vals))


# ------------------------------------------------------------------------------- oracles


def _calibrated_ensemble(f: Any, X: Array, rows: Array) -> TreeEnsemble | None:
    get = getattr(f, "tree_ensemble", None)
    ens = get() if callable(get) else None
    if ens is None:
        return None
    return ens.calibrated(f, np.vstack([X, rows]))


def interventional_shapley(f: Any, x: Any, P: Any) -> Array:
    """Exact interventional Shapley values of a bound model: trees at any ``d``, any model by
    enumeration up to ``d = 16``. ``(d,)`` for one point, ``(k, d)`` for several."""
    rows = as_rows(P)
    if rows is None:
        raise OracleError("interventional Shapley values of a bound model need background rows")
    X = np.asarray(x, dtype=float)
    single = X.ndim == 1
    X2 = np.atleast_2d(X)
    ens = _calibrated_ensemble(f, X2, rows)
    phi = ens.shapley(X2, rows) if ens is not None else _shapley(enumerate_games(f, X2, rows))
    return phi[0] if single else phi


def baseline_shapley(f: Any, x: Any, b: Any) -> Array:
    """Exact baseline Shapley values (BShap): the interventional game of the single row ``b``."""
    b = as_point(b)
    return interventional_shapley(f, as_point(x, b.shape[0]), b[None, :])


def _groups_of(f: Any) -> list[Sequence[int]]:
    groups = getattr(f, "groups", None)
    if not groups:
        raise GroundTruthUnavailable(
            "group Shapley and Owen values need feature groups: bind them with the data "
            "(explainspec audit --groups FILE, or groups=... in explainspec.audit)"
        )
    return list(groups)


def group_shapley(f: Any, x: Any, P: Any, groups: Sequence[Sequence[int]]) -> Array:
    """Shapley values of the groups (each group one player), exact, ``(g,)`` or ``(k, g)``."""
    rows = as_rows(P)
    X = np.asarray(x, dtype=float)
    single = X.ndim == 1
    out = _shapley(enumerate_games(f, np.atleast_2d(X), rows, groups))
    return out[0] if single else out


def owen(f: Any, x: Any, P: Any, groups: Sequence[Sequence[int]]) -> Array:
    """Owen values with the groups as a priori unions, exact, ``(d,)`` or ``(k, d)``.

    ``phi_i = sum_{H} sum_{T} |H|!(g-1-|H|)!/g! * |T|!(s-1-|T|)!/s! * (v(H + T + i) - v(H + T))``
    over coalitions ``H`` of the other groups and subsets ``T`` of the group of ``i`` (size ``s``)
    without ``i``.
    """
    rows = as_rows(P)
    X = np.atleast_2d(np.asarray(x, dtype=float))
    single = np.asarray(x).ndim == 1
    k, d = X.shape
    plist = _players(groups, d)
    g = len(plist)
    phi = np.zeros((k, d))
    for q, members in enumerate(plist):
        others = [[int(j) for j in plist[r]] for r in range(g) if r != q]
        players = [*others, *([int(j)] for j in members)]
        v = enumerate_games(f, X, rows, players)  # (k, 2**(g - 1 + s))
        s = len(members)
        n_low = g - 1
        masks = np.arange(1 << (n_low + s))
        low, high = masks & ((1 << n_low) - 1), masks >> n_low
        h = popcounts(n_low)[low] if n_low else np.zeros_like(masks)
        t = popcounts(s)[high]
        wh = np.array([factorial(a) * factorial(g - 1 - a) / factorial(g) for a in range(g)])
        wt = np.array([factorial(a) * factorial(s - 1 - a) / factorial(s) for a in range(s)])
        for b, j in enumerate(members):
            bit = 1 << (n_low + b)
            without = masks[(masks & bit) == 0]
            delta = v[:, without | bit] - v[:, without]
            weight = wh[h[without]] * wt[t[without]]
            phi[:, j] = delta @ weight
    return phi[0] if single else phi


def group_shapley_oracle(f: Any, x: Any, P: Any) -> Array:
    """``group_shapley(f, x, P)`` with the groups bound with the model (spec oracle)."""
    return group_shapley(f, x, P, _groups_of(f))


def owen_oracle(f: Any, x: Any, P: Any) -> Array:
    """``owen(f, x, P)`` with the groups bound with the model (spec oracle)."""
    return owen(f, x, P, _groups_of(f))


def grouped(f: Any, v: Any) -> Array:
    """The sums of the per-feature vector ``v`` over the groups bound with the model."""
    groups = _groups_of(f)
    a = np.asarray(v, dtype=float)
    if a.shape[-1] != sum(len(g) for g in groups):
        raise OracleError(
            f"v has {a.shape[-1]} entries but the groups cover {sum(map(len, groups))} features"
        )
    return np.stack([a[..., list(g)].sum(axis=-1) for g in groups], axis=-1)


def twin(f: Any) -> int:
    """The column the last column of a proxy or duplicate world copies."""
    get = getattr(f, "twin", None)
    if not callable(get):
        raise GroundTruthUnavailable(
            "twin(f) needs a world from user_model(..., proxy = j) or duplicate = j"
        )
    return int(get())
