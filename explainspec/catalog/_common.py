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
