"""Counterexample plots for the interpretation cards and notebooks (matplotlib, Agg backend,
imported lazily).

One picture per counterexample, of one or two panels, chosen from what the counterexample carries:

- **f itself** when the world has one or two features: for one feature, f along it with the data
  rows, the explained point x, the baseline, the base value (mean prediction), the attribution
  drawn as the arrow from the base value to f(x) and the gradient as the tangent at x — the
  picture that shows why "phi > 0" and "f increases at x" are different statements; for two, the
  contours of f with the data rows, x and the baseline marked. f is rebuilt from the
  counterexample's stored world (:mod:`explainspec.runner.world_data`, read as data, never
  evaluated), or else read from its formula by the whitelisted formula parser;
- **bars** of the numbers the failing comparison compared: per feature (the method's output next
  to the truth, one group per feature, named on the axis) when they are vectors, one bar per named
  quantity when they are numbers, and as curves over the stored grid of the feature compared
  for a curve method (``phi[j] == pd(f, j, grid[j], data)``). Indices, bound variables and
  booleans are never drawn as bars.

No picture is drawn when none of these applies (more than two features and no numbers compared).
:func:`curve_plot` and :func:`bar_plot` take plain numbers, so they can be tested without the
runner.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from explainspec.catalog.limits import limit

__all__ = ["bar_plot", "counterexample_plot", "curve_plot", "numeric_vector", "surface_plot"]

_COMPARISON = re.compile(r"==|!=|<|>|\bwithin\b|^margin\b")
_COLORS = ("#3f51b5", "#e65100", "#2e7d32", "#8e24aa", "#00838f", "#6d4c41")
#: the most bars of named numbers, and the most vectors or curves, drawn in one picture: a
#: genuine comparison has a handful. A report is untrusted (``docs --results``, a notebook): one
#: with 3 000 quantities took 45 s to draw, one with d = 5 000 features 113 s (matplotlib draws
#: every bar and tick label), so a report of a few MB held ``explainspec docs`` for hours. A
#: picture over these, or over the limits a run keeps (``features`` for d, ``grid`` for a
#: curve), is not drawn.
MAX_BARS = 40
MAX_SERIES = 12


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, ax: Any, path: str | Path, title: str | None) -> Path:
    """Title, legend and layout shared by every plot, then write the PNG."""
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return _write_png(fig, path)


def _write_png(fig: Any, path: str | Path) -> Path:
    """The figure as a PNG file at ``path``, never written through a link there
    (:func:`explainspec.docgen.outputs.write_file`)."""
    import io

    from explainspec.docgen.outputs import write_file

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return write_file(path, buf.getvalue())


def numeric_vector(value: Any) -> list[float] | None:
    """``value`` as a flat list of finite-or-infinite floats, or ``None`` if it is not numeric.

    Scalars become one-element lists; nested lists (matrices) are rejected, because a bar chart of
    a matrix does not read well.

    Examples
    --------
    >>> numeric_vector(2), numeric_vector([1, 2.5]), numeric_vector("x"), numeric_vector([[1]])
    ([2.0], [1.0, 2.5], None, None)
    """
    if isinstance(value, bool):
        return [1.0 if value else 0.0]
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, Sequence) and not isinstance(value, str) and value:
        out = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, int | float):
                return None
            out.append(float(item))
        return out
    return None


def curve_plot(
    path: str | Path,
    *,
    t: Sequence[float],
    ft: Sequence[float],
    x: float,
    fx: float,
    base: float | None = None,
    phi: float | None = None,
    grad: float | None = None,
    formula: str | None = None,
    xlabel: str = "x0",
    baseline: tuple[float, float] | None = None,
    data: tuple[Sequence[float], Sequence[float]] | None = None,
) -> Path:
    """Draw f along one feature with the explained point, the attribution and the gradient.

    Parameters
    ----------
    path : path
        Where to write the PNG.
    t, ft : sequence of float
        The curve: feature values and f at them.
    x, fx : float
        The explained point and f(x).
    base : float, optional
        The base value (mean prediction over the background); the attribution is drawn from it.
    phi : float, optional
        The method's attribution at x.
    grad : float, optional
        df/dx at x, drawn as the tangent line.
    formula : str, optional
        The formula of f, used as the title.
    xlabel : str
        The name of the feature (the x axis).
    baseline : (float, float), optional
        The baseline point and f there.
    data : (values, f at them), optional
        The data rows, marked on the curve.

    Returns
    -------
    Path
        ``path``.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.8), dpi=100)
    try:
        _draw_curve(ax, t, ft, x, fx, base, phi, grad, xlabel, baseline, data)
        return _save(fig, ax, path, formula)
    finally:
        plt.close(fig)


def _draw_curve(
    ax: Any,
    t: Sequence[float],
    ft: Sequence[float],
    x: float,
    fx: float,
    base: float | None,
    phi: float | None,
    grad: float | None,
    xlabel: str,
    baseline: tuple[float, float] | None,
    data: tuple[Sequence[float], Sequence[float]] | None,
) -> None:
    ax.plot(t, ft, color=_COLORS[0], lw=2, label="f")
    if data is not None and len(data[0]):
        ax.plot(
            data[0],
            data[1],
            "o",
            ms=4,
            color="#9e9e9e",
            zorder=4,
            label=f"data ({len(data[0])} rows)",
        )
    ax.plot([x], [fx], "o", color="black", zorder=5, label=f"x = {x:.3g}, f(x) = {fx:.3g}")
    if baseline is not None and all(math.isfinite(v) for v in baseline):
        ax.plot(
            [baseline[0]],
            [baseline[1]],
            "s",
            color=_COLORS[3],
            zorder=5,
            label=f"baseline = {baseline[0]:.3g}, f(baseline) = {baseline[1]:.3g}",
        )
    if grad is not None and math.isfinite(grad):
        span = (max(t) - min(t)) / 4 if len(t) > 1 else 1.0
        ax.plot(
            [x - span, x + span],
            [fx - grad * span, fx + grad * span],
            "--",
            color=_COLORS[2],
            lw=1.5,
            label=f"tangent at x: gradient {grad:.3g}",
        )
    if base is not None and math.isfinite(base):
        ax.axhline(base, color="grey", lw=1, ls=":", label=f"mean prediction = {base:.3g}")
        if phi is not None and math.isfinite(phi):
            ax.annotate(
                "",
                xy=(x, base + phi),
                xytext=(x, base),
                arrowprops={"arrowstyle": "->", "color": _COLORS[1], "lw": 2},
            )
            ax.plot(
                [],
                [],
                color=_COLORS[1],
                lw=2,
                label=f"phi = {phi:.3g}, drawn from the mean (a Shapley value reaches f(x))",
            )
    elif phi is not None and math.isfinite(phi):
        ax.plot([], [], " ", label=f"phi at x: {phi:.3g}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("f")
    ax.grid(alpha=0.3)


def surface_plot(
    path: str | Path,
    *,
    grid: tuple[Sequence[float], Sequence[float], Sequence[Sequence[float]]],
    x: Sequence[float] | None,
    baseline: Sequence[float] | None = None,
    data: Sequence[Sequence[float]] | None = None,
    formula: str | None = None,
    labels: tuple[str, str] = ("x0", "x1"),
) -> Path:
    """The contours of f over two features, with the data rows, x and the baseline marked.

    ``grid`` is ``(u, v, F)`` with ``F[j][i] = f(u[i], v[j])``.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=100)
    try:
        _draw_surface(fig, ax, grid, x, baseline, data, labels)
        return _save(fig, ax, path, formula)
    finally:
        plt.close(fig)


def _draw_surface(
    fig: Any,
    ax: Any,
    grid: tuple[Sequence[float], Sequence[float], Sequence[Sequence[float]]],
    x: Sequence[float] | None,
    baseline: Sequence[float] | None,
    data: Sequence[Sequence[float]] | None,
    labels: tuple[str, str],
) -> None:
    u, v, F = grid
    filled = ax.contourf(u, v, F, levels=14, cmap="viridis", alpha=0.85)
    fig.colorbar(filled, ax=ax, label="f")
    if data is not None and len(data):
        ax.plot(
            [r[0] for r in data],
            [r[1] for r in data],
            "o",
            ms=4,
            mfc="white",
            mec="black",
            mew=0.6,
            label=f"data ({len(data)} rows)",
        )
    if x is not None:
        ax.plot([x[0]], [x[1]], "*", ms=14, color=_COLORS[1], mec="black", label="x")
    if baseline is not None:
        ax.plot(
            [baseline[0]], [baseline[1]], "s", ms=8, color=_COLORS[3], mec="white", label="baseline"
        )
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])


def bar_plot(
    path: str | Path,
    series: Mapping[str, Sequence[float]],
    *,
    title: str | None = None,
    labels: Sequence[str] | None = None,
) -> Path:
    """Grouped bar chart: one group per feature (or per element), one bar per series.

    Parameters
    ----------
    path : path
        Where to write the PNG.
    series : mapping of str to sequence of float
        Name of each quantity (e.g. ``phi``, ``shapley(f, x, background)``) and its values, one
        per feature. Series of different lengths are allowed; missing elements are left empty.
    title : str, optional
    labels : sequence of str, optional
        Group labels (the feature names); default ``x0, x1, ...``.

    Returns
    -------
    Path
        ``path``.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=100)
    try:
        _draw_feature_bars(ax, series, labels)
        return _save(fig, ax, path, title)
    finally:
        plt.close(fig)


def _draw_feature_bars(
    ax: Any, series: Mapping[str, Sequence[float]], labels: Sequence[str] | None
) -> None:
    n = max((len(v) for v in series.values()), default=0)
    if labels is None:
        labels = [f"x{j}" for j in range(n)]
    width = 0.8 / max(len(series), 1)
    for s, (name, values) in enumerate(series.items()):
        xs = [j - 0.4 + width * (s + 0.5) for j in range(len(values))]
        finite = [v if math.isfinite(v) else 0.0 for v in values]
        ax.bar(xs, finite, width=width, color=_COLORS[s % len(_COLORS)], label=_short(name))
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(range(n), list(labels[:n]))
    ax.set_xlabel("feature")
    ax.grid(axis="y", alpha=0.3)


def _draw_quantity_bars(ax: Any, values: Mapping[str, float]) -> None:
    """One bar per named number of the failing comparison, its expression on the axis."""
    names = list(values)
    finite = [values[k] if math.isfinite(values[k]) else 0.0 for k in names]
    ax.bar(range(len(names)), finite, color=[_COLORS[i % len(_COLORS)] for i in range(len(names))])
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(range(len(names)), [_short(k, 28) for k in names], fontsize=8)
    for i, v in enumerate(finite):
        ax.annotate(f"{values[names[i]]:.3g}", (i, v), ha="center", va="bottom", fontsize=8)
    ax.grid(axis="y", alpha=0.3)


def _short(text: str, n: int = 48) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


#: roles of a trace item that are not numbers to compare (expr.base.TraceItem)
_NOT_BARS = frozenset({"index", "binding", "note", "margin"})


def _compared(counterexample: Mapping[str, Any]) -> tuple[dict[str, list[float]], dict[str, float]]:
    """The numbers of the deciding comparison: per-feature vectors (length d, the method's
    output first) and plain numbers, by their printed expression. Indices, bound variables,
    notes, margins and booleans are left out."""
    d = counterexample.get("d")
    vectors: dict[str, list[float]] = {}
    scalars: dict[str, float] = {}
    for item in counterexample.get("quantities") or ():
        if not isinstance(item, Mapping) or item.get("role", "operand") in _NOT_BARS:
            continue
        text = str(item.get("text", ""))
        value = item.get("value")
        if not text or _COMPARISON.search(text) or isinstance(value, bool):
            continue
        numbers = numeric_vector(value)
        if numbers is None:
            continue
        if isinstance(value, list):
            if len(numbers) == d and d:
                vectors[text] = numbers
        elif item.get("role", "operand") == "operand":
            scalars[text] = numbers[0]
    phi = numeric_vector(counterexample.get("phi"))
    if vectors and "phi" not in vectors and phi is not None and len(phi) == d:
        vectors = {"phi (the method)": phi, **vectors}
    if not isinstance(d, int) or d > limit("features") or len(vectors) > MAX_SERIES:
        vectors = {}  # no run has more features than the limit: not a picture to draw
    if len(scalars) > MAX_BARS:
        scalars = {}
    return vectors, scalars


def _curves(
    counterexample: Mapping[str, Any],
) -> tuple[str, list[float], dict[str, list[float]]] | None:
    """Curves compared along one feature (curve methods: ``phi[j] == pd(f, j, grid[j], data)``):
    the feature's name, its grid values (from the stored world) and each curve by its
    expression; ``None`` when the comparison is not of curves over a bound feature's grid."""
    world = counterexample.get("world")
    grid = world.get("grid") if isinstance(world, Mapping) else None
    if not isinstance(grid, list):
        return None
    quantities = [q for q in counterexample.get("quantities") or () if isinstance(q, Mapping)]
    bound: list[int] = [
        int(q["value"])
        for q in quantities
        if q.get("role") == "binding"
        and isinstance(q.get("value"), int)
        and not isinstance(q.get("value"), bool)
    ]
    series: dict[str, list[float]] = {}
    for q in quantities:
        value, text = q.get("value"), str(q.get("text", ""))
        if q.get("role", "operand") == "operand" and isinstance(value, list) and text:
            numbers = numeric_vector(value)
            if numbers is not None and not _COMPARISON.search(text):
                series[text] = numbers
    for j in bound:
        t = numeric_vector(grid[j]) if 0 <= j < len(grid) else None
        if (
            t
            and len(t) <= limit("grid")
            and series
            and len(series) <= MAX_SERIES
            and all(len(v) == len(t) for v in series.values())
        ):
            return f"x{j}", t, series
    return None


def _draw_curves(
    ax: Any, name: str, t: Sequence[float], series: Mapping[str, Sequence[float]]
) -> None:
    for s, (text, values) in enumerate(series.items()):
        finite = [v if math.isfinite(v) else math.nan for v in values]
        ax.plot(t, finite, "o-", color=_COLORS[s % len(_COLORS)], lw=2, ms=5, label=_short(text))
    ax.set_xlabel(f"{name} (the grid)")
    ax.grid(alpha=0.3)


def _world_function(counterexample: Mapping[str, Any]) -> tuple[Any, Any, Any] | None:
    """``(f, data rows, background rows)`` (rows ``None`` when unknown): f rebuilt from the
    stored world (plain data, never evaluated), else from the formula text (the whitelisted
    formula parser); ``None`` if neither works."""
    world = counterexample.get("world")
    if isinstance(world, Mapping) and "unavailable" not in world:
        try:
            from explainspec.runner.world_data import rebuild_world

            w = rebuild_world(world)
            return w.f, w.data, w.background
        except Exception:  # noqa: BLE001 - a damaged world: fall back on the formula
            pass
    text = str(counterexample.get("function") or "")
    d = counterexample.get("d")
    if not text or not isinstance(d, int) or not 1 <= d <= 2:
        return None
    try:
        from explainspec.worlds.functions import formula

        body = text.split("=", 1)[1] if text.startswith("f(") and "=" in text else text
        return formula(body, d), None, None
    except Exception:  # noqa: BLE001 - not a formula this language can read: no picture of f
        return None


def _base(f: Any, background: Any, fx: float, phi: float | None) -> float | None:
    """The mean prediction over the background (or, without the world, f(x) - phi)."""
    if background is not None and len(background):
        import numpy as np

        return float(np.mean(np.asarray(f(np.asarray(background, dtype=float)), dtype=float)))
    return fx - phi if phi is not None else None


def _span(values: Sequence[float]) -> tuple[float, float]:
    finite = [v for v in values if math.isfinite(v)]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 0.0)
    pad = max(0.5, 0.15 * (hi - lo))
    return min(-1.5, lo - pad), max(1.5, hi + pad)


def _f_panel(counterexample: Mapping[str, Any], efficient: bool) -> dict[str, Any] | None:
    """What the f panel needs: a curve (d = 1) or a surface (d = 2), with the points marked."""
    d = counterexample.get("d")
    if d not in (1, 2):
        return None
    found = _world_function(counterexample)
    if found is None:
        return None
    f, data, background = found
    point = numeric_vector(counterexample.get("point"))
    base_point = numeric_vector(counterexample.get("baseline"))
    rows = None if data is None else [[float(v) for v in r] for r in data]
    if rows is not None and len(rows) > 2000:
        rows = rows[:2000]
    try:
        import numpy as np

        if d == 1:
            if not point or len(point) != 1:
                return None
            xs = [point[0], *(base_point or []), *(r[0] for r in rows or [])]
            lo, hi = _span(xs)
            t = np.linspace(lo, hi, 241)
            ft = np.asarray(f(t[:, None]), dtype=float)
            fx = float(f(np.array([point[0]])))
            try:
                gx = float(f.grad(np.array([point[0]]))[0])
            except Exception:  # noqa: BLE001 - no exact gradient: no tangent
                gx = None
            baseline = None
            if base_point and len(base_point) == 1:
                baseline = (base_point[0], float(f(np.array(base_point))))
            phi = counterexample.get("phi")
            while isinstance(phi, Sequence) and not isinstance(phi, str) and len(phi) == 1:
                phi = phi[0]
            phi_value = (
                float(phi) if isinstance(phi, int | float) and not isinstance(phi, bool) else None
            )
            data_curve = None
            if rows:
                values = np.array([r[0] for r in rows])
                data_curve = (values.tolist(), np.asarray(f(values[:, None]), float).tolist())
            return {
                "kind": "curve",
                "t": t.tolist(),
                "ft": ft.tolist(),
                "x": point[0],
                "fx": fx,
                "grad": gx,
                "baseline": baseline,
                "phi": phi_value,
                # a game-based attribution of one feature should be f(x) - the mean prediction
                # over the background: drawn from that mean (the world's, when it is stored)
                "base": _base(f, background, fx, phi_value) if efficient else None,
                "data": data_curve,
            }
        marks = [p for p in (point, base_point) if p and len(p) == 2] + (rows or [])
        if not marks:
            return None
        (ulo, uhi), (vlo, vhi) = _span([m[0] for m in marks]), _span([m[1] for m in marks])
        u, v = np.linspace(ulo, uhi, 61), np.linspace(vlo, vhi, 61)
        U, V = np.meshgrid(u, v)
        F = np.asarray(f(np.column_stack([U.ravel(), V.ravel()])), dtype=float).reshape(U.shape)
        if not np.all(np.isfinite(F)):
            return None
        return {
            "kind": "surface",
            "grid": (u.tolist(), v.tolist(), F.tolist()),
            "x": point if point and len(point) == 2 else None,
            "baseline": base_point if base_point and len(base_point) == 2 else None,
            "data": rows,
        }
    except Exception:  # noqa: BLE001 - f cannot be evaluated there: no picture of f
        return None


#: What each picture shows, used as the image's alt text.
CURVE = "f along the feature, with the attribution and the gradient at x"
SURFACE = "the contours of f over its two features, with x, the baseline and the data"
BARS = "the quantities the check compared"
FEATURE_BARS = "the method's numbers next to the truth, per feature"
CURVES = "the method's curve next to the true one, along the feature"


def counterexample_plot(
    counterexample: Mapping[str, Any], path: str | Path, *, efficient: bool = False
) -> str | None:
    """Draw the most telling picture for one counterexample into ``path``.

    Returns what the picture shows (:data:`CURVE` or :data:`SURFACE`, then :data:`FEATURE_BARS`
    or :data:`BARS`, joined by ``"; "``), or ``None`` when no picture fits (nothing is written
    then). ``efficient`` says that a one-feature attribution equals f(x) minus the base value
    (Shapley-type methods), so the base value can be drawn as f(x) - phi; otherwise phi is only
    named in the legend.

    ``counterexample`` is the runner's counterexample record (``function``, ``d``, ``point``,
    ``phi``, ``quantities``, ``world`` ...; see ``explainspec.runner.events.Counterexample``).
    """
    formula = str(counterexample.get("function") or "") or None
    panel = _f_panel(counterexample, efficient)
    vectors, scalars = _compared(counterexample)
    if panel is not None and panel["kind"] == "curve" and not vectors:
        scalars = {}  # one feature: the curve already shows the numbers (phi, f(x), the tangent)
    curves = None if vectors or scalars else _curves(counterexample)
    bars = bool(vectors or scalars or curves)
    if panel is None and not bars:
        return None
    plt = _pyplot()
    panels = (panel is not None) + bars
    fig, axes = plt.subplots(1, panels, figsize=(6.4 * panels, 3.8), dpi=100, squeeze=False)
    shown = []
    try:
        main = axes[0][0]
        if panel is not None and panel["kind"] == "curve":
            _draw_curve(
                main, panel["t"], panel["ft"], panel["x"], panel["fx"], panel["base"],
                panel["phi"], panel["grad"], "x0", panel["baseline"], panel["data"],
            )  # fmt: skip
            shown.append(CURVE)
        elif panel is not None:
            _draw_surface(
                fig, main, panel["grid"], panel["x"], panel["baseline"], panel["data"], ("x0", "x1")
            )
            shown.append(SURFACE)
        if bars:
            ax = axes[0][panels - 1]
            if curves is not None:
                _draw_curves(ax, *curves)
                shown.append(CURVES)
            elif vectors:
                _draw_feature_bars(ax, vectors, None)
                shown.append(FEATURE_BARS)
            else:
                _draw_quantity_bars(ax, scalars)
                shown.append(BARS)
            if ax is not main:
                if vectors or curves:
                    ax.legend(fontsize=8, loc="best")
                ax.set_title("the numbers compared", fontsize=10)
        if panel is None and not (vectors or curves):  # one panel of named bars: no legend
            if formula:
                main.set_title(formula, fontsize=10)
            fig.tight_layout()
            _write_png(fig, path)
        else:
            _save(fig, main, path, formula)
        return "; ".join(shown)
    finally:
        plt.close(fig)
