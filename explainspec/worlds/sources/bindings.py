"""Names bound to models and tables for the current process, and their alignment.

``user_model("gbr")`` in a spec means "the model bound as gbr". Bindings are made by the caller
(the ``audit`` command, :func:`explainspec.audit`), never by a spec, and live in this process
only: a claim that names a source runs in the process that bound it.

:func:`source_of` aligns a model with a table once per pair: it picks the model's feature
columns (by name when the model was fitted on a DataFrame, else all the non-target columns in
order), checks their number, separates the target column, checks the groups, and evaluates the
model on the rows (a model that fails or returns the wrong shape is refused here, ES361, before
anything runs).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from explainspec.worlds.sources.errors import SourceError

_LOCK = threading.RLock()
_MODELS: dict[str, Any] = {}
_TABLES: dict[str, TableBinding] = {}
#: aligned (model, table) pairs and the worlds built from them; cleared on every (re)binding
_ALIGNED: dict[tuple[str, str], Any] = {}
_WORLDS: dict[Any, Any] = {}


@dataclass(frozen=True, slots=True, kw_only=True)
class TableBinding:
    """A table and what goes with it: the target column, feature groups, chosen point rows."""

    table: Any  # tables.Table
    target: str | None = None
    groups: Mapping[str, Sequence[str]] | None = None
    point_ids: tuple[str, ...] | None = None
    #: a larger table is audited on a reproducible sample of this many rows (None: all)
    max_rows: int | None = 2000


def bind_model(name: str, model: Any) -> None:
    """Bind ``name`` to a :class:`~explainspec.worlds.sources.models.BoundModel`."""
    with _LOCK:
        _MODELS[_name(name)] = model
        _ALIGNED.clear()
        _WORLDS.clear()


def bind_table(
    name: str,
    table: Any,
    *,
    target: str | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    point_ids: Sequence[str] | None = None,
) -> None:
    """Bind ``name`` to a :class:`~explainspec.worlds.sources.tables.Table`."""
    with _LOCK:
        _TABLES[_name(name)] = TableBinding(
            table=table,
            target=target,
            groups=groups,
            point_ids=tuple(str(i) for i in point_ids) if point_ids is not None else None,
        )
        _ALIGNED.clear()
        _WORLDS.clear()


def clear() -> None:
    """Forget every binding (and the worlds built from them)."""
    with _LOCK:
        _MODELS.clear()
        _TABLES.clear()
        _ALIGNED.clear()
        _WORLDS.clear()


@contextmanager
def bound(models: Mapping[str, Any], tables: Mapping[str, TableBinding]) -> Iterator[None]:
    """Bind these names for the duration of the block; the previous bindings come back after."""
    with _LOCK:
        saved = (dict(_MODELS), dict(_TABLES))
        _MODELS.clear()
        _TABLES.clear()
        _ALIGNED.clear()
        _WORLDS.clear()
        _MODELS.update(models)
        _TABLES.update(tables)
    try:
        yield
    finally:
        with _LOCK:
            _MODELS.clear()
            _TABLES.clear()
            _ALIGNED.clear()
            _WORLDS.clear()
            _MODELS.update(saved[0])
            _TABLES.update(saved[1])


def _name(name: str) -> str:
    if not isinstance(name, str) or not name.isidentifier():
        raise SourceError(
            "ES367", f"{name!r} is not a valid name for a binding (letters, digits, _)"
        )
    return name


def model(name: str) -> Any:
    """The model bound as ``name`` (``LookupError`` naming what is bound)."""
    return _lookup(_MODELS, name, "model", "--model")


def table(name: str) -> TableBinding:
    """The table bound as ``name`` (``LookupError`` naming what is bound)."""
    return _lookup(_TABLES, name, "table", "--data")  # type: ignore[no-any-return]


def _lookup(where: dict[str, Any], name: str, what: str, option: str) -> Any:
    with _LOCK:
        found = where.get(name)
        known = ", ".join(sorted(where)) or "none"
    if found is None:
        raise LookupError(
            f"no {what} is bound as {name!r} (bound: {known}); bind it with "
            f"explainspec audit {option} {name}=FILE or explainspec.audit(...)"
        )
    return found


def names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    with _LOCK:
        return tuple(sorted(_MODELS)), tuple(sorted(_TABLES))


def source_of(model_name: str, table_name: str) -> Any:
    """The aligned :class:`~explainspec.worlds.sources.world.Source` of a model and a table."""
    key = (model_name, table_name)
    with _LOCK:
        hit = _ALIGNED.get(key)
    if hit is None:
        from explainspec.worlds.sources.world import align

        hit = align(model(model_name), table(table_name), model_name, table_name)
        with _LOCK:
            _ALIGNED[key] = hit
    return hit


def world_cache() -> dict[Any, Any]:
    """Worlds built from the current bindings (one object per world description)."""
    return _WORLDS
