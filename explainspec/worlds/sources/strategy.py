"""How a world block that names bound sources becomes a hypothesis strategy: one fixed world.

:func:`explainspec.worlds.from_world` hands a spec whose function or data is a bound source
here. The strategy is ``st.just(world)``: hypothesis tries it once (and replays it once if the
check fails), so a claim's verdict is about exactly the user's model and rows.
"""

from __future__ import annotations

from typing import Any

from explainspec.catalog.sources import SOURCE_DISTRIBUTIONS, SOURCE_FAMILIES


def is_source(spec: Any) -> bool:
    """Whether a resolved world spec names a bound model or table anywhere."""
    fams = tuple(spec.function) + tuple(spec.second or ())
    return any(c.name in SOURCE_FAMILIES for c in fams) or any(
        c.name in SOURCE_DISTRIBUTIONS for c in spec.data
    )


def source_strategy(spec: Any) -> Any:
    """``st.just`` of the :class:`~explainspec.worlds.sources.world.SourceWorld` of ``spec``."""
    from hypothesis import strategies as st

    from explainspec.worlds.sources.world import build_world

    return st.just(build_world(spec))


def user_model_family(*args: Any, **kwargs: Any) -> Any:
    """Catalog target of ``user_model``: its worlds are built by :func:`source_strategy`."""
    from explainspec.worlds.spec import WorldError

    raise WorldError("user_model(...) is a bound source: it needs data = table(...)")


def table_distribution(*args: Any, **kwargs: Any) -> Any:
    """Catalog target of ``table``: its worlds are built by :func:`source_strategy`."""
    from explainspec.worlds.spec import WorldError

    raise WorldError("table(...) is a bound source: it needs function = user_model(...)")
