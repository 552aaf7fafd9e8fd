"""Locate the files shipped beside the package: the grammar and the built-in spec library.

In a wheel they live in ``explainspec/_data/`` (hatch ``force-include``); in a source checkout
or an editable install they are the top-level ``grammars/`` and ``specs/`` folders.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path


@cache
def _data_root(name: str) -> Path:
    packaged = resources.files("explainspec") / "_data" / name
    if packaged.is_dir():
        return Path(str(packaged))
    source = Path(__file__).resolve().parent.parent / name
    if source.is_dir():
        return source
    raise FileNotFoundError(
        f"explainspec cannot find its {name}/ folder (looked in {packaged} and {source})"
    )


def grammar_path(name: str = "explainspec.lark") -> Path:
    """Path of a grammar file shipped with explainspec."""
    return _data_root("grammars") / name


def specs_dir() -> Path:
    """Folder of the built-in spec library."""
    return _data_root("specs")
