"""The one way the catalog modules build a registry :class:`~explainspec.registry.Entry`.

Plain data (no numpy import), like the rest of the catalog.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from explainspec.registry import Entry, Param


def entry(
    kind: str,
    name: str,
    doc: str,
    params: tuple[Param, ...] = (),
    *,
    target: str | None = None,
    variadic: bool = False,
    **extra: Any,
) -> Entry:
    """An entry of ``kind`` whose ``extra`` is the keyword arguments left over, read-only."""
    return Entry(
        kind=kind,
        name=name,
        doc=doc,
        params=params,
        variadic=variadic,
        target=target,
        extra=MappingProxyType(extra),
    )


def method(
    name: str,
    target: str,
    doc: str,
    *,
    output: str,
    scope: str,
    statistic: dict[str, Any],
    library: str,
    params: tuple[Param, ...] = (),
    requires: tuple[str, ...] = ("callable",),
    randomized: bool = False,
    shape: str | None = None,
    needs: tuple[str, ...] = (),
    install: str | None = None,
) -> Entry:
    """A method entry: its ``extra`` holds output, scope, statistic, requires, randomized, library
    (and ``shape`` when the output's shape is not its kind's, e.g. ``"2**d"``; ``needs``/``install``
    when the method needs optional modules: a claim is then ``skipped``, ES350, when one is missing,
    see :func:`explainspec.runner.claim.missing_library`)."""
    extra: dict[str, Any] = {
        "output": output,
        "scope": scope,
        "statistic": dict(statistic),
        "requires": requires,
        "randomized": randomized,
        "library": library,
    }
    if shape is not None:
        extra["shape"] = shape
    if needs:
        extra["needs"] = needs
        extra["install"] = install
    return entry("method", name, doc, params, target=target, **extra)
