"""Trends over an ordered list of values: ``decreasing``, ``increasing``, ``converges``.

A claim about a limit ("LIME tends to the gradient as the kernel width goes to 0", "KernelSHAP
converges as nsamples grows") is stated over a sweep of the hyper-parameter, ordered toward the
limit, instead of one lucky value:

    check converges([explain(kernel_width = h) for h in [1, 0.3, 0.1]], to = grad(f, x), within = 0.05)

Each builtin is a condition with a margin, like a comparison (see :mod:`explainspec.expr.margins`):

- ``decreasing(v)``: ``v[k + 1] <= v[k]`` for every ``k`` (element-wise for arrays); margin
  ``min_k (v[k] - v[k + 1])``; ``strict = true`` asks for ``<``. ``increasing`` mirrored.
- ``converges(v, to, within = T)``: with ``e_k = max |v[k] - to|`` (the largest error of the
  ``k``-th value), the last value is within ``T`` of ``to`` (``T - e_last``) and the error never
  grows while it is above ``T`` (``max(e_k, T) - e_{k+1}`` for every ``k``); the margin is the
  smaller of the two. Once within ``T``, the error may wander inside the tolerance.

In a check the leniency of refutations applies when the values read the method (the tolerance
``T`` is scaled and the slack added exactly as for ``==`` and ``<=``); used as a value (inside
``not``, ``and``, or as an argument) they are plain booleans with the same rule.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from explainspec.expr.base import PLAIN, EvalError, Mode, TraceItem
from explainspec.expr.margins import NaNFound, Res, _nudge, describe

if TYPE_CHECKING:
    from explainspec.expr.interpreter import _Ctx
    from explainspec.lang import ir

__all__ = ["converges", "decreasing", "increasing"]


def _values(v: Any, what: str) -> np.ndarray:
    try:
        arr = np.asarray(v, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{what} needs a list of numbers or of equal-shape arrays, got {describe(v)}"
        ) from exc
    if arr.ndim == 0 or arr.shape[0] == 0:
        raise ValueError(f"{what} needs a non-empty list of values, got {describe(v)}")
    return arr


def _monotone(x: np.ndarray, down: bool, strict: bool, slack: float) -> np.ndarray:
    """Margins of ``x[k + 1] <= x[k]`` (``down``) or ``>=``, shape ``(n - 1, ...)``."""
    room = x[:-1] - x[1:] if down else x[1:] - x[:-1]
    room = np.where(x[:-1] == x[1:], 0.0, room)  # equal infinities: inf - inf is NaN
    return _nudge(room + slack, strict=strict)


def _errors(x: np.ndarray, to: Any) -> np.ndarray:
    """``e_k = max |x[k] - to|`` over the elements of the ``k``-th value."""
    target = np.asarray(to, dtype=float)
    try:
        t = target[None, ...] if target.ndim else target
        diff = np.where(x == t, 0.0, np.abs(x - t))  # equal infinities: inf - inf is NaN
    except ValueError as exc:
        raise ValueError(
            f"converges: the values have shape {x.shape[1:]}, `to` has shape {target.shape}"
        ) from exc
    return diff.reshape(x.shape[0], -1).max(axis=1) if diff.ndim > 1 else diff


def _converges(
    x: np.ndarray, to: Any, within: float, scale: float, slack_final: float, slack: float
) -> tuple[np.ndarray, np.ndarray]:
    """``(errors, margins)``: margins ``[T' - e_last, max(e_k, T') - e_{k+1} ...]`` with
    ``T' = within * scale``."""
    t = float(within)
    if not (t > 0 and math.isfinite(t)):
        raise ValueError(f"converges: within = {within!r} must be a positive number")
    e = _errors(x, to)
    tol = t * scale
    final = tol - e[-1] + slack_final
    before = np.maximum(e[:-1], tol)
    steps = np.where(before == e[1:], 0.0, before - e[1:]) + slack  # inf - inf is NaN
    return e, _nudge(np.concatenate([[final], steps]), strict=False)


# --------------------------------------------------------------------------- values


def decreasing(values: Any, strict: bool = False) -> bool:
    """Whether each value is at most (``strict``: below) the one before it, element-wise.

    >>> decreasing([3, 2, 2]), decreasing([3, 2, 2], strict=True), decreasing([1, 2])
    (True, False, False)
    """
    x = _values(values, "decreasing")
    return bool(np.all(_monotone(x, True, bool(strict), 0.0) > 0))


def increasing(values: Any, strict: bool = False) -> bool:
    """Whether each value is at least (``strict``: above) the one before it, element-wise.

    >>> increasing([1, 1, 4]), increasing([[1, 2], [2, 1]])
    (True, False)
    """
    x = _values(values, "increasing")
    return bool(np.all(_monotone(x, False, bool(strict), 0.0) > 0))


def converges(values: Any, to: Any, within: Any) -> bool:
    """Whether the values approach ``to``: the last is within ``within`` of it (largest
    element-wise error), and the error does not grow while it is above ``within``.

    >>> converges([1.0, 0.5, 0.01], to=0, within=0.05), converges([0.5, 1.0, 0.01], 0, 0.05)
    (True, False)
    """
    x = _values(values, "converges")
    _, m = _converges(x, to, float(within), 1.0, 0.0, 0.0)
    return bool(np.all(m > 0))


# --------------------------------------------------------------------------- margins


def condition(ctx: _Ctx, e: ir.Call, fn: Any, pol: int) -> Res:
    """The margin of ``decreasing(...)``, ``increasing(...)`` or ``converges(...)`` as a
    condition (see the module doc)."""
    name = fn.__name__
    args = [ctx.val(a) for a in e.args]
    kwargs = {k.name: ctx.val(k.value) for k in e.kwargs}
    mode: Mode = ctx.mode if ctx.scope.reads(e) else PLAIN
    scale = mode.tolerance_scale if pol > 0 else 1.0 / mode.tolerance_scale
    slack = pol * mode.slack
    text = ctx.text(e)
    try:
        bound = _bind(name, args, kwargs)
        x = _values(bound["values"], name)
        items = [TraceItem(ctx.text(e.args[0]) if e.args else "values", x)]
        _nan(x, items, text)
        if name == "converges":
            items.append(TraceItem("to", np.asarray(bound["to"], dtype=float)))
            _nan(np.asarray(bound["to"], dtype=float), items, text)
            errors, m = _converges(
                x,
                bound["to"],
                float(bound["within"]),
                scale,
                mode.slack if pol > 0 else 0.0,
                slack,
            )
            items.append(TraceItem("errors max |value - to|", errors))
        else:
            m = _monotone(x, name == "decreasing", bool(bound.get("strict", False)), slack)
    except (TypeError, ValueError) as exc:
        raise EvalError(f"{text}: {exc}", e.span) from exc
    if m.size == 0:
        return Res(math.inf, lambda: [*items, TraceItem(text, math.inf, "margin")], text)
    flat = int(np.argmin(m))
    margin = float(m.ravel()[flat])
    idx = tuple(int(i) for i in np.unravel_index(flat, m.shape))

    def trace() -> list[TraceItem]:
        out = list(items)
        if name == "converges":
            k = idx[0]
            where = "the last value" if k == 0 else f"step {k - 1} -> {k}"
            out.append(TraceItem(f"decided at {where}", None, "note"))
        else:
            out.append(TraceItem(f"values {idx[0]} and {idx[0] + 1}", idx, "index"))
        out.append(TraceItem(text, margin, "margin"))
        return out

    return Res(margin, trace, text)


def _bind(name: str, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    params = ("values", "to", "within") if name == "converges" else ("values", "strict")
    if len(args) > len(params):
        raise TypeError(f"{name} takes at most {len(params)} arguments")
    out = dict(zip(params, args, strict=False))
    for k, v in kwargs.items():
        if k not in params or k in out:
            raise TypeError(f"{name}: unexpected or repeated argument {k!r}")
        out[k] = v
    missing = [p for p in params if p not in out and p != "strict"]
    if missing:
        raise TypeError(f"{name} is missing {', '.join(missing)}")
    return out


def _nan(x: np.ndarray, items: list[TraceItem], text: str) -> None:
    if np.isnan(x).any():
        raise NaNFound(
            [
                *items,
                TraceItem(f"{items[-1].text} holds NaN: a NaN never passes a check", None, "note"),
                TraceItem(text, -math.inf, "margin"),
            ]
        )


#: the builtins that are conditions with margins (the interpreter's ``cond`` asks here)
CONDITIONS = frozenset({decreasing, increasing, converges})
