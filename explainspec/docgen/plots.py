"""Counterexample plots for the interpretation cards (matplotlib, Agg backend, imported lazily).

Two pictures, chosen from what a counterexample carries:

- a **curve** for a one-feature world: f along the feature, the explained point x, the base value
  (mean prediction), the attribution drawn as the arrow from the base value to f(x) and the
  gradient drawn as the tangent at x — the picture that shows why "phi > 0" and "f increases at x"
  are different statements;
- a **bar chart** of the quantities in the failing comparison, per feature (for example the
  method's output next to the ground truth it was compared with).

Both functions take plain numbers, not worlds, so they can be tested without the runner.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["bar_plot", "counterexample_plot", "curve_plot", "numeric_vector"]

_COMPARISON = re.compile(r"==|!=|<|>|\bwithin\b|^margin\b")
_COLORS = ("#3f51b5", "#e65100", "#2e7d32", "#8e24aa", "#00838f", "#6d4c41")


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
    fig.savefig(path, format="png")
    return Path(path)


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
        The baseline point and f there, drawn when the check compares with the baseline.

    Returns
    -------
    Path
        ``path``.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.8), dpi=100)
    try:
        ax.plot(t, ft, color=_COLORS[0], lw=2, label="f")
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
                    [], [], color=_COLORS[1], lw=2, label=f"phi = {phi:.3g} (from the mean to f(x))"
                )
        elif phi is not None and math.isfinite(phi):
            ax.plot([], [], " ", label=f"phi at x: {phi:.3g}")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("f")
        ax.grid(alpha=0.3)
        return _save(fig, ax, path, formula)
    finally:
        plt.close(fig)


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
        Name of each quantity (e.g. ``phi[i]``, ``grad(f, x)[i]``) and its values. Series of
        different lengths are allowed; missing elements are left empty.
    title : str, optional
    labels : sequence of str, optional
        Group labels; default ``x0, x1, ...`` (or no label for a scalar).

    Returns
    -------
    Path
        ``path``.
    """
    plt = _pyplot()
    n = max((len(v) for v in series.values()), default=0)
    if labels is None:
        labels = [f"x{j}" for j in range(n)] if n > 1 else [""]
    k = max(len(series), 1)
    width = 0.8 / k
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=100)
    try:
        for s, (name, values) in enumerate(series.items()):
            xs = [j - 0.4 + width * (s + 0.5) for j in range(len(values))]
            finite = [v if math.isfinite(v) else 0.0 for v in values]
            ax.bar(xs, finite, width=width, color=_COLORS[s % len(_COLORS)], label=name)
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xticks(range(n), labels[:n])
        ax.grid(axis="y", alpha=0.3)
        return _save(fig, ax, path, title)
    finally:
        plt.close(fig)


def _quantity_series(counterexample: Mapping[str, Any]) -> dict[str, list[float]]:
    """The numeric operands of the deciding comparison, by their printed expression."""
    series: dict[str, list[float]] = {}
    for item in counterexample.get("quantities") or ():
        if not isinstance(item, Mapping):
            continue
        text = str(item.get("text", ""))
        values = numeric_vector(item.get("value"))
        # operands only: a comparison's own value is its margin, already in the table
        if text and values is not None and not _COMPARISON.search(text):
            series[text] = values
    return series


def _mentions_baseline(counterexample: Mapping[str, Any]) -> bool:
    """Whether the failing comparison involves the baseline (then the plot marks it)."""
    return any(
        "baseline" in str(q.get("text", ""))
        for q in counterexample.get("quantities") or ()
        if isinstance(q, Mapping)
    )


def _formula_curve(counterexample: Mapping[str, Any]) -> dict[str, Any] | None:
    """f along the only feature of a one-feature counterexample whose f is a formula.

    The formula is parsed by the worlds' whitelisted formula language (never ``eval``); functions
    that are not formulas (trees, networks, trained models) give ``None``.
    """
    point = numeric_vector(counterexample.get("point"))
    text = str(counterexample.get("function") or "")
    if counterexample.get("d") != 1 or not point or len(point) != 1 or not text:
        return None
    try:
        import numpy as np

        from explainspec.worlds.symbolic import parse, value_and_grad

        node = parse(text.split("=", 1)[1] if text.startswith("f(") and "=" in text else text)
        x = point[0]
        lo, hi = min(-1.5, x - 1.0), max(1.5, x + 1.0)
        t = np.linspace(lo, hi, 241)
        ft, _ = value_and_grad(node, t[:, None])
        fx, gx = value_and_grad(node, np.array([[x]]))
        base_point = numeric_vector(counterexample.get("baseline"))
        baseline = None
        if base_point and len(base_point) == 1 and _mentions_baseline(counterexample):
            fb, _ = value_and_grad(node, np.array([[base_point[0]]]))
            baseline = (base_point[0], float(fb[0]))
    except Exception:  # not a formula this language can read: no curve, the bars will do
        return None
    phi = counterexample.get("phi")
    while isinstance(phi, Sequence) and not isinstance(phi, str) and len(phi) == 1:
        phi = phi[0]
    phi_value = float(phi) if isinstance(phi, int | float) and not isinstance(phi, bool) else None
    fx0 = float(fx[0])
    return {
        "t": t.tolist(),
        "ft": ft.tolist(),
        "x": x,
        "fx": fx0,
        "grad": float(gx[0, 0]),
        "baseline": baseline,
        "phi": phi_value,
        # for a one-feature attribution, phi = f(x) - base value
        "base": fx0 - phi_value if phi_value is not None else None,
    }


#: What each picture shows, used as the image's alt text.
CURVE = "f along the feature, with the attribution and the gradient at x"
BARS = "the quantities the check compared"


def counterexample_plot(
    counterexample: Mapping[str, Any], path: str | Path, *, efficient: bool = False
) -> str | None:
    """Draw the most telling picture for one counterexample into ``path``.

    Returns what the picture shows (:data:`CURVE` or :data:`BARS`), or ``None`` when no picture
    fits (nothing is written then). ``efficient`` says that a one-feature attribution equals f(x)
    minus the base value (Shapley-type methods), so the base value can be drawn as f(x) - phi;
    otherwise phi is only named in the legend.

    ``counterexample`` is the runner's counterexample record (``function``, ``d``, ``point``,
    ``phi``, ``quantities`` ...; see ``explainspec.runner.events.Counterexample``). A one-feature
    world whose f is a formula gives the curve picture; otherwise the numeric quantities of the
    deciding comparison give the bar chart.
    """
    formula = str(counterexample.get("function") or "") or None
    curve = _formula_curve(counterexample)
    if curve is not None and not efficient:
        curve["base"] = None
    if curve is not None:
        curve_plot(
            path,
            t=curve["t"],
            ft=curve["ft"],
            x=curve["x"],
            fx=curve["fx"],
            base=curve["base"],
            phi=curve["phi"],
            grad=curve["grad"],
            formula=formula,
            baseline=curve["baseline"],
        )
        return CURVE
    series = _quantity_series(counterexample)
    if not series:
        return None
    bar_plot(path, series, title=formula)
    return BARS
