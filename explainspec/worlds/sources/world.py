"""Worlds from bound sources: the user's model on the user's rows, and its metamorphic variants.

A source world is *fixed*: nothing is drawn. Its background rows and points are picked from the
table reproducibly (``numpy.random.default_rng([seed, 0])`` for the background, ``[seed, 1]``
for the points; ``seed`` is the world's ``seed`` field, default 0), and every claim that names
the same world gets the same :class:`SourceWorld` object, whose ``shared`` dictionary lets the
runner compute each method call and each oracle value once for all those claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from explainspec.worlds.base import World
from explainspec.worlds.sources.errors import SourceError
from explainspec.worlds.sources.functions import (
    Appended,
    Averaged,
    Bumped,
    Linked,
    SourceFunction,
    UserModel,
)

Array = np.ndarray


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceWorld(World):
    """A :class:`World` on bound data: column names, row ids, and a memo shared by its claims.

    ``fixed`` tells the runner that the world is not drawn: it records the outcome at every
    point (the audit report shows the worst rows and the size of the error over all points)
    and shares method calls between the claims that read this world.
    """

    columns: tuple[str, ...] = ()
    point_labels: tuple[str, ...] = ()
    background_labels: tuple[str, ...] = ()
    shared: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    fixed: ClassVar[bool] = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """A model aligned with a table: feature rows, target, names, groups, its predictions."""

    model_name: str
    table_name: str
    model: Any  # models.BoundModel
    X: Array
    y: Array | None
    target: str | None
    columns: tuple[str, ...]
    row_ids: tuple[str, ...]
    base: UserModel
    fX: Array
    point_rows: tuple[int, ...] | None
    source_text: str
    shared: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    def top(self) -> int:
        """The column most correlated (in absolute value) with the prediction over the rows."""
        best, best_r = 0, -1.0
        sd_f = float(np.std(self.fX))
        for j in range(self.X.shape[1]):
            sd = float(np.std(self.X[:, j]))
            if sd == 0 or sd_f == 0:
                continue
            r = abs(float(np.corrcoef(self.X[:, j], self.fX)[0, 1]))
            if r > best_r + 1e-12:
                best, best_r = j, r
        return best

    def column_index(self, ref: Any, what: str) -> int:
        if ref == "top":
            return self.top()
        if isinstance(ref, str) and ref in self.columns:
            return self.columns.index(ref)
        if (
            isinstance(ref, int | float)
            and float(ref).is_integer()
            and 0 <= int(ref) < len(self.columns)
        ):
            return int(ref)
        raise SourceError(
            "ES367",
            f"{what} = {ref!r} is not a column of the data (an index 0..{len(self.columns) - 1}, "
            f"a name among {', '.join(self.columns)}, or 'top')",
            path=self.source_text,
        )


# ----------------------------------------------------------------------------- alignment


def align(model: Any, binding: Any, model_name: str, table_name: str) -> Source:
    """Match the model's features with the table's columns and check the model on the rows."""
    table = binding.table
    cols = list(table.columns)
    where = table.source
    target = binding.target
    if target is not None and target not in cols:
        raise SourceError(
            "ES367",
            f"the target column {target!r} is not in the data ({', '.join(cols)})",
            path=where,
        )
    names = model.feature_names
    if names is not None:
        missing = [c for c in names if c not in cols]
        if missing:
            raise SourceError(
                "ES365",
                f"the model was fitted on column(s) the data does not have: {', '.join(missing)}",
                path=where,
                hint=f"the data's columns: {', '.join(cols)}",
            )
        extra = [c for c in cols if c not in names and c != target]
        if extra:
            raise SourceError(
                "ES365",
                f"column(s) {', '.join(extra)} are neither features of the model nor the target",
                path=where,
                hint="drop them, or name the target column with --target",
            )
        features = list(names)
    else:
        features = [c for c in cols if c != target]
        if model.n_features is not None and model.n_features != len(features):
            hint = (
                "name the target column with --target"
                if target is None and len(features) == model.n_features + 1
                else "the model and the data must have the same feature columns, in order"
            )
            raise SourceError(
                "ES365",
                f"the model takes {model.n_features} features but the data has {len(features)} "
                f"feature column(s) ({', '.join(features)})",
                path=where,
                hint=hint,
            )
    if not features:
        raise SourceError("ES364", "the data has no feature columns", path=where)
    idx = [cols.index(c) for c in features]
    keep = np.arange(table.n)
    sampled = ""
    if binding.max_rows is not None and table.n > binding.max_rows:
        # the exact permutation-importance limit costs n x (distinct values) evaluations per
        # column: a larger table is audited on a reproducible sample of its rows (stated)
        keep = np.sort(
            np.random.default_rng([0, 9]).choice(table.n, binding.max_rows, replace=False)
        )
        sampled = f" (a sample of {binding.max_rows} of its {table.n} rows, seed 0)"
    X = np.ascontiguousarray(table.values[np.ix_(keep, np.asarray(idx))])
    X.setflags(write=False)
    row_ids = tuple(table.row_ids[i] for i in keep)
    y = None
    if target is not None:
        y = np.array(table.values[keep, cols.index(target)], dtype=float)
        if model.klass is not None:  # a classifier: the indicator of the audited class
            try:
                y = (y == float(np.asarray(model.klass).item())).astype(float)
            except (TypeError, ValueError):  # a text label: the target column is not its codes
                raise SourceError(
                    "ES367",
                    f"the classifier's class {model.klass!r} is not a number of the target "
                    f"column {target!r}",
                    path=where,
                ) from None
        y.setflags(write=False)
    groups, group_names = _groups(binding.groups, features, where)
    base, fX = _checked_model(model, X, features, groups, group_names, model_name, where)
    point_rows = None
    if binding.point_ids is not None:
        lookup = {rid: k for k, rid in enumerate(row_ids)}
        unknown = [p for p in binding.point_ids if p not in lookup]
        if unknown:
            raise SourceError(
                "ES367",
                f"no row(s) with id {', '.join(unknown)} in the data{sampled}",
                path=where,
            )
        point_rows = tuple(lookup[p] for p in binding.point_ids)
    return Source(
        model_name=model_name,
        table_name=table_name,
        model=model,
        X=X,
        y=y,
        target=target,
        columns=tuple(features),
        row_ids=row_ids,
        base=base,
        fX=fX,
        point_rows=point_rows,
        source_text=where + sampled,
    )


def _groups(
    groups: Any, features: list[str], where: str
) -> tuple[tuple[tuple[int, ...], ...] | None, tuple[str, ...]]:
    if not groups:
        return None, ()
    seen: dict[str, str] = {}
    out, names = [], []
    for gname, members in groups.items():
        idx = []
        for c in members:
            if c not in features:
                raise SourceError(
                    "ES367",
                    f"group {gname!r} names {c!r}, which is not a feature column",
                    path=where,
                )
            if c in seen:
                raise SourceError(
                    "ES367",
                    f"column {c!r} is in two groups ({seen[c]!r} and {gname!r}); groups must "
                    "partition the features",
                    path=where,
                )
            seen[c] = gname
            idx.append(features.index(c))
        if not idx:
            raise SourceError("ES367", f"group {gname!r} is empty", path=where)
        out.append(tuple(sorted(idx)))
        names.append(str(gname))
    left = [c for c in features if c not in seen]
    if left:
        raise SourceError(
            "ES367",
            f"column(s) {', '.join(left)} are in no group; groups must partition the features",
            path=where,
        )
    return tuple(out), tuple(names)


def _checked_model(
    model: Any,
    X: Array,
    features: list[str],
    groups: Any,
    group_names: tuple[str, ...],
    name: str,
    where: str,
) -> tuple[UserModel, Array]:
    """The model as a function of the rows; its prediction on every row must work and be finite."""
    base = UserModel(model, features, name=name, groups=groups, group_names=group_names)
    try:
        fX = base(X)
    except SourceError:
        raise
    except Exception as e:  # noqa: BLE001 - a model that cannot predict on numpy rows
        frame = _frame_fallback(model, X, features, groups, group_names, name)
        if frame is None:
            raise SourceError(
                "ES361",
                f"the model's prediction fails on the data: {type(e).__name__}: {e}",
                path=model.source,
                hint=f"the data: {where}",
            ) from None
        base, fX = frame
    bad = ~np.isfinite(fX)
    if bad.any():
        rows = np.flatnonzero(bad)[:3].tolist()
        raise SourceError(
            "ES361",
            f"the model returns non-finite values on {int(bad.sum())} row(s) (first: {rows}) "
            f"on the {model.scale} scale",
            path=model.source,
        )
    fX = np.array(fX, dtype=float)
    fX.setflags(write=False)
    return base, fX


def _frame_fallback(
    model: Any, X: Array, features: list[str], groups: Any, group_names: Any, name: str
) -> tuple[UserModel, Array] | None:
    """A pipeline that selects columns by name needs a DataFrame: try one."""
    if model.feature_names is None:
        return None
    try:
        base = UserModel(
            model, features, name=name, groups=groups, group_names=group_names, frame_input=True
        )
        return base, base(X)
    except Exception:  # noqa: BLE001
        return None


# ----------------------------------------------------------------------------- worlds


def build_world(spec: Any) -> SourceWorld:
    """The :class:`SourceWorld` of a resolved world spec whose function and data are bound."""
    from explainspec.worlds.sources import bindings
    from explainspec.worlds.spec import WorldError

    key = repr(spec)
    cache = bindings.world_cache()
    hit = cache.get(key)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    if len(spec.function) != 1 or spec.function[0].name != "user_model":
        raise WorldError(
            "a world on bound data needs exactly one function, user_model(...) (not any(...) "
            "and not a synthetic family)"
        )
    if len(spec.data) != 1 or spec.data[0].name != "table":
        raise WorldError("a world with user_model(...) needs data = table(...): the bound rows")
    fc, dc = spec.function[0], spec.data[0]
    try:
        src = bindings.source_of(fc.params["name"], dc.params["name"])
    except LookupError as e:
        raise WorldError(str(e)) from None
    seed = 0 if spec.seed is None else int(spec.seed)
    n = src.n
    points_idx = _points(spec, src, seed)
    f, data, note, bump_anchor = _derive(src, fc, seed, points_idx)
    g = None
    if spec.second is not None:
        if len(spec.second) != 1 or spec.second[0].name != "user_model":
            raise WorldError("second = ... on bound data must be one user_model(...)")
        src2 = bindings.source_of(spec.second[0].params["name"], dc.params["name"])
        g, data2, _, _ = _derive(src2, spec.second[0], seed, points_idx)
        if g.d != f.d:
            raise WorldError(f"second has {g.d} features but function has {f.d}")
    from explainspec.worlds import distributions as dist

    P = dist.FiniteDistribution(data, name="table", params={"name": dc.params["name"]})
    bg_idx, background, bg_text = _background(spec, data, seed, n)
    points = np.ascontiguousarray(data[points_idx]) if isinstance(points_idx, np.ndarray) else None
    if points is None:
        points = np.array(spec.points, dtype=float)
        if points.shape[1] != data.shape[1]:
            raise WorldError(
                f"points have {points.shape[1]} values, the data {data.shape[1]} columns"
            )
        labels = tuple(f"point {k}" for k in range(len(points)))
    else:
        labels = tuple(src.row_ids[i] for i in points_idx)
    baseline = _baseline(spec, data)
    grid = _grid(spec, P, data, bump_anchor)
    y = src.y if src.y is not None else src.fX
    columns = f.columns if isinstance(f, SourceFunction) else src.columns
    info = {
        "model": src.model.description + f" [{src.model.source}]",
        "data": f"{src.source_text}: {n} rows; features {', '.join(src.columns)}"
        + (f"; target {src.target}" if src.target else "; no target (y = the model's predictions)"),
        "world": note,
        "background": bg_text,
        "points": f"{len(points)} rows"
        + (
            f" (seed {seed})"
            if isinstance(points_idx, np.ndarray) and src.point_rows is None
            else ""
        ),
        "seed": seed,
    }
    world = SourceWorld(
        f=f,
        P=P,
        data=data,
        background=background,
        points=points,
        baseline=baseline,
        grid=grid,
        y=np.asarray(y, dtype=float),
        seed=seed,
        g=g,
        target=f,
        info=info,
        columns=columns,
        point_labels=labels,
        background_labels=tuple(src.row_ids[i] for i in bg_idx) if bg_idx is not None else (),
        shared=src.shared,
    )
    cache[key] = world
    return world


def _points(spec: Any, src: Source, seed: int) -> Array | tuple[Any, ...]:
    from explainspec.worlds.spec import WorldError

    if src.point_rows is not None:
        return np.array(src.point_rows, dtype=np.int64)
    p = spec.points
    if isinstance(p, tuple):
        return p
    if not isinstance(p, int):  # a Range or anywhere(k)
        raise WorldError(f"points = {p} is drawn in synthetic worlds; on bound data give a number")
    k = min(int(p), src.n)
    rng = np.random.default_rng([seed, 1])
    return np.sort(rng.choice(src.n, size=k, replace=False))


def _background(spec: Any, data: Array, seed: int, n: int) -> tuple[Array | None, Array, str]:
    from explainspec.worlds.spec import Range, WorldError

    kind = spec.background[0]
    if kind == "data":
        return np.arange(n), data, f"all {n} rows"
    if kind == "rows":
        rows = np.array(spec.background[1], dtype=float)
        if rows.shape[1] != data.shape[1]:
            raise WorldError(
                f"background rows have {rows.shape[1]} values, the data {data.shape[1]} columns"
            )
        return None, rows, f"{len(rows)} explicit rows"
    k = spec.background[1]
    if isinstance(k, Range):
        raise WorldError(f"background = {kind}({k}) is drawn in synthetic worlds; give a number")
    k = int(k)
    if kind == "sample":
        if k >= n:
            return np.arange(n), data, f"all {n} rows (sample({k}) of {n})"
        idx = np.sort(np.random.default_rng([seed, 0]).choice(n, size=k, replace=False))
        return idx, np.ascontiguousarray(data[idx]), f"sample({k}) of the {n} rows (seed {seed})"
    from explainspec.worlds.fitted import keep_global_random

    with keep_global_random():
        from sklearn.cluster import KMeans

        km = KMeans(n_clusters=min(k, n), n_init=1, random_state=seed).fit(data)
    return None, km.cluster_centers_, f"kmeans({k}) centres of the {n} rows (seed {seed})"


def _baseline(spec: Any, data: Array) -> Array:
    b = spec.baseline
    if b == "zeros":
        return np.zeros(data.shape[1])
    if b == "mean" or b == "point":
        return data.mean(axis=0)
    out = np.array(b, dtype=float)
    if out.shape != (data.shape[1],):
        from explainspec.worlds.spec import WorldError

        raise WorldError(f"baseline has {out.shape[0]} values, the data {data.shape[1]} columns")
    return out


def _grid(spec: Any, P: Any, data: Array, anchor: tuple[int, float] | None) -> Array:
    from explainspec.worlds import distributions as dist

    m = spec.grid if isinstance(spec.grid, int) else None
    grid = np.array(dist.grid_points(P, data, m, max_levels=spec.limits.max_grid), dtype=float)
    if anchor is not None:  # the bump world: its anchor's value is a grid value of its column
        j, v = anchor
        grid[j, int(np.argmin(np.abs(grid[j] - v)))] = v
        grid[j] = np.sort(grid[j])
    return grid


# ----------------------------------------------------------------------------- derivations


def _derive(
    src: Source, fc: Any, seed: int, points_idx: Any
) -> tuple[SourceFunction, Array, str, tuple[int, float] | None]:
    """The (derived) function, the data it lives on, a sentence saying what was derived, and
    the bump's (column, value) for the grid."""
    from explainspec.worlds.spec import Range, WorldError

    p = fc.params
    X, n = src.X, src.n
    f: SourceFunction = src.base
    data = X
    notes = [f"{src.model_name} on the rows of {src.table_name}"]
    unused = fc.unused
    if isinstance(unused, Range):
        raise WorldError("unused = a range is drawn in synthetic worlds; give a number")
    chosen = [k for k in ("proxy", "duplicate") if p.get(k) is not None] + (
        ["unused"] if unused else []
    )
    if len(chosen) > 1:
        raise WorldError(
            f"give one of unused, proxy, duplicate per world (got {', '.join(chosen)})"
        )
    if fc.symmetric is not None:
        raise WorldError("symmetric = ... is not available for a bound model")
    if unused:
        c = src.top()
        cols = [
            X[np.random.default_rng([seed, 2, j]).permutation(n), c] for j in range(int(unused))
        ]
        data = np.column_stack([X, *cols])
        f = Appended(f, int(unused), kind="unused", copies=[c] * int(unused))
        notes.append(
            f"{int(unused)} appended column(s) the model never reads: shuffled copies of "
            f"{src.columns[c]!r}"
        )
    elif p.get("proxy") is not None:
        c = src.column_index(p["proxy"], "proxy")
        sd = float(np.std(X[:, c]))
        noise = float(p.get("noise", 0.5))
        col = X[:, c] + noise * sd * np.random.default_rng([seed, 3]).standard_normal(n)
        data = np.column_stack([X, col])
        f = Appended(f, 1, kind="proxy", copies=[c])
        notes.append(
            f"an appended noisy copy of {src.columns[c]!r} (noise sd {noise:g} x its sd; "
            f"correlation {np.corrcoef(X[:, c], col)[0, 1]:.3f}) that the model never reads"
        )
    elif p.get("duplicate") is not None:
        c = src.column_index(p["duplicate"], "duplicate")
        data = np.column_stack([X, X[:, c]])
        f = Averaged(f, c)
        notes.append(
            f"an appended exact copy of {src.columns[c]!r}; the model reads the mean of the two "
            "copies (the same model on every data row)"
        )
    anchor = None
    if fc.off_support_bump:
        if not isinstance(points_idx, np.ndarray) or not len(points_idx):
            raise WorldError("off_support_bump on bound data needs points chosen from the rows")
        f, anchor, text = _bump(f, data, src, int(points_idx[0]), float(fc.off_support_bump))
        notes.append(text)
    if fc.link == "logistic":
        fx = np.asarray(f(data))
        m, s = float(np.median(fx)), float(np.std(fx))
        if s == 0:
            raise WorldError("link = logistic needs a model that is not constant on the rows")
        f = Linked(f, m, s)
        notes.append(f"the output through the increasing link logistic((f - {m:.4g}) / {s:.4g})")
    data = np.ascontiguousarray(data)
    data.setflags(write=False)
    return f, data, "; ".join(notes), anchor


def _bump(
    f: SourceFunction, data: Array, src: Source, anchor: int, height: float
) -> tuple[SourceFunction, tuple[int, float], str]:
    """A bump zero on every data row, nonzero on hybrid rows of the anchor point.

    ``h * max(0, 1 - |z_s - x_s| / r) * clip(+-(x_k - z_k) / sd_k, 0, 1)``: ``r`` is the distance
    from ``x_s`` to the nearest other value of column ``s``, so only rows with ``z_s = x_s`` can
    be inside; among those (the anchor itself, and any row sharing its value) the ramp in column
    ``k`` is zero (the side is chosen so). A hybrid row ``(x_S, z_-S)`` with ``s`` in ``S`` and
    ``k`` not in ``S`` is inside when ``z_k`` is on the ramp's side.
    """
    from explainspec.worlds.spec import WorldError

    x = data[anchor]
    distinct = [len(np.unique(data[:, j])) for j in range(data.shape[1])]
    order = sorted(range(data.shape[1]), key=lambda j: (-distinct[j], j))
    h = height * float(np.std(src.fX))
    for s in order:
        others = data[:, s] != x[s]
        if not others.any():
            continue
        r = float(np.min(np.abs(data[others, s] - x[s])))
        same = ~others
        for k in order:
            if k == s:
                continue
            sd = float(np.std(data[:, k]))
            if sd == 0:
                continue
            for side in (1.0, -1.0):  # the ramp is nonzero where side * (x_k - z_k) > 0
                if np.all(side * (x[k] - data[same, k]) <= 0):
                    g = Bumped(
                        f,
                        s=s,
                        xs=float(x[s]),
                        r=r,
                        k=k,
                        xk=float(x[k]),
                        width=sd,
                        side=side,
                        height=h,
                    )
                    if np.any(g.bump(data) != 0):  # pragma: no cover - excluded by construction
                        continue
                    text = (
                        f"a bump of height {h:.4g} (= {height:g} sd of f) off the data: nonzero "
                        f"only where {f.columns[s]} is within {r:.3g} of row "
                        f"{src.row_ids[anchor]}'s value {x[s]:.4g} (no other row is) and "
                        f"{f.columns[k]} is {'below' if side > 0 else 'above'} its value "
                        f"{x[k]:.4g}; zero on all {len(data)} rows"
                    )
                    return g, (s, float(x[s])), text
    raise WorldError("no off-support bump leaves every data row unchanged on this data")
