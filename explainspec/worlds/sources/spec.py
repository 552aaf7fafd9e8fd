"""Resolving the parameters of ``user_model(...)`` and ``table(...)`` in a world block.

Called by :mod:`explainspec.worlds.spec` for the source names (plain values only: a name is a
string, a column an index or a name; no file is touched here).
"""

from __future__ import annotations

from typing import Any

from explainspec.lang import ir


def _text(v: Any, what: str, span: ir.Span | None) -> str:
    from explainspec.worlds.spec import WorldError

    if not isinstance(v, str) or not v.isidentifier():
        raise WorldError(
            f"{what} = {v!r} must be the name a source is bound under (a string)", span
        )
    return v


def family_params(
    bound: dict[str, tuple[ir.Expr, ir.Span | None]], span: ir.Span | None
) -> dict[str, Any]:
    """``user_model(name, proxy = j, duplicate = j, noise = s)`` -> plain parameter values."""
    from explainspec.worlds.spec import WorldError, constant

    out: dict[str, Any] = {}
    for key, (expr, sp) in bound.items():
        v = constant(expr)
        if key == "name":
            out["name"] = _text(v, "name", sp)
        elif key in ("proxy", "duplicate"):
            if v is None or v == "none":
                continue
            if isinstance(v, bool) or not (
                isinstance(v, str)
                or (isinstance(v, int | float) and float(v).is_integer() and v >= 0)
            ):
                raise WorldError(
                    f"{key} = {v!r} must be a column index, a column name or 'top'", sp
                )
            out[key] = v if isinstance(v, str) else int(v)
        elif key == "noise":
            if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
                raise WorldError(f"noise = {v!r} must be a number >= 0", sp)
            out["noise"] = float(v)
        else:  # pragma: no cover - the registry entry lists exactly these parameters
            raise WorldError(f"user_model() has no parameter {key!r}", sp)
    if "proxy" in out and "duplicate" in out:
        raise WorldError("user_model(...) takes proxy or duplicate, not both", span)
    return out


def data_params(bound: dict[str, tuple[ir.Expr, ir.Span | None]]) -> dict[str, Any]:
    """``table(name)`` -> ``{"name": name}``."""
    from explainspec.worlds.spec import constant

    expr, sp = bound["name"]
    return {"name": _text(constant(expr), "name", sp)}
