"""One bounded memo for values derived from objects that are kept alive while cached.

Several hot paths cache a value by a key that contains an object's ``id`` (a check's expression
node, a spec's tuple of choices): the entry then keeps the object itself, so its id cannot be
reused by another object while the entry lives, and a hit counts only if the stored object is
the one asked about. A cache that is full is emptied (it only holds what is cheap to rebuild).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


def remember(
    cache: dict[Any, tuple[Any, Any]],
    key: Hashable,
    owner: object,
    build: Callable[[], T],
    limit: int,
) -> T:
    """``build()``, computed once per ``key`` while ``owner`` (stored with it; ``None`` when the
    key holds no identity) is the object cached under that key.

    >>> cache: dict = {}
    >>> node = ("some", "node")
    >>> remember(cache, id(node), node, lambda: len(node), limit=10)
    2
    >>> remember(cache, id(node), node, lambda: 99, limit=10)  # a hit: not rebuilt
    2
    """
    hit = cache.get(key)
    if hit is not None and hit[0] is owner:
        value: T = hit[1]
        return value
    if len(cache) >= limit:
        cache.clear()
    value = build()
    cache[key] = (owner, value)
    return value
