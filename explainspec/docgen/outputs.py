"""Writing generated pages and pictures into an output folder that a checkout may have prepared.

The folder a command writes into (``explainspec docs --out docs/library``, ``--reference``, an
audit card's folder, the probe's page) is often part of an untrusted checkout, which can hold
symbolic links where explainspec will write: ``docs/library/index.md`` linked to
``~/.bashrc``, ``docs/library/assets`` linked to ``~/.ssh``, the output folder itself linked
elsewhere. Writing through such a link writes outside the output folder. So every page and
picture is written here:

- :func:`output_folder`: the folder is created; one reached through a link that leads outside
  both the working directory and the link's own folder is refused (the rule for reading specs,
  :func:`explainspec.lang.loader.read_source`; every link on the path is judged: a checkout's
  ``site`` linked to ``~`` makes ``--out site/cards`` write into ``~/cards``);
- :func:`subfolder`: a folder explainspec makes inside it (``assets/``) that is a link is
  refused;
- :func:`write_file`: a file is written to a temporary file beside it and renamed over it, so a
  link in its place is replaced, never written through; its folder is judged as
  :func:`output_folder` judges one (``schema -o site/schema.json``, ``site`` a link to ``~``);
- :func:`distinct_names`: the names of one set of files (the cards and ``index.md``, the
  plots) that a case-insensitive or normalising file system (macOS, Windows) would store as one
  file are refused before anything is written: one card would silently replace the other.

A refusal is an :class:`UnsafeOutput` (an ``OSError``), which the commands report as ``ES251``.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "CollidingOutput",
    "UnsafeOutput",
    "distinct_names",
    "folded",
    "output_folder",
    "subfolder",
    "write_file",
]


class UnsafeOutput(OSError):
    """An output folder that is (or is reached through) a symbolic link it may not follow."""


class CollidingOutput(UnsafeOutput):
    """Two files of one set whose names a file system may store as one file."""


def output_folder(folder: str | os.PathLike[str]) -> Path:
    """``folder``, created, unless a symbolic link leads it outside both the working directory
    and the link's own folder (then :class:`UnsafeOutput`)."""
    path = Path(folder)
    _judge_folder(path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def subfolder(folder: Path, name: str) -> Path:
    """``folder / name``, created, unless it is a symbolic link (then :class:`UnsafeOutput`)."""
    path = folder / name
    if path.is_symlink():
        raise UnsafeOutput(f"{path} is a symbolic link: not written into")
    path.mkdir(exist_ok=True)
    return path


def _judge_folder(path: Path) -> None:
    """:class:`UnsafeOutput` when a link leads ``path`` (made or not) outside both the working
    directory and the link's own folder."""
    from explainspec.lang.loader import link_out

    why = link_out(path)  # a link on its path, the folder made or not
    if why is not None:
        raise UnsafeOutput(
            f"{path} {why}: not written into (a checkout is untrusted; name the folder itself)"
        )


def folded(name: str) -> str:
    """The key under which a case-insensitive, normalising file system (APFS, HFS+, NTFS) may
    store the file name ``name``: its case folded, its Unicode composed.

    >>> folded("Shap.md") == folded("shap.md"), folded("e\u0301.md") == folded("\u00e9.md")
    (True, True)
    """
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).lower())


#: names Windows reserves for devices, whatever the extension (`nul.md` is the null device)
_DEVICES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{p}{i}" for p in ("com", "lpt") for i in range(1, 10)]
)


def distinct_names(names: Iterable[str], what: str) -> None:
    """:class:`CollidingOutput` when two of ``names`` (the files of one set, written into one
    folder) are one file: the same name (two specs named ``x``; a spec named ``index`` and the
    index), or names that :func:`folded` makes one (on macOS or Windows one would silently
    replace the other)."""
    seen: dict[str, str] = {}
    for name in names:
        if name.split(".")[0].casefold() in _DEVICES:
            raise UnsafeOutput(
                f"{what}: {name!r} names a device on Windows (a file of that name cannot be "
                "written there); rename it"
            )
        key = folded(name)
        if key not in seen:
            seen[key] = name
            continue
        other = seen[key]
        if other == name:
            raise CollidingOutput(
                f"{what}: two are named {name!r}, and one would replace the other"
            )
        a, b = sorted((other, name))
        raise CollidingOutput(
            f"{what} {a!r} and {b!r} differ only in case or Unicode normalisation: a "
            "case-insensitive file system (macOS, Windows) stores them as one file and one "
            "would replace the other; rename one"
        )


def write_file(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` through a temporary file in its folder and a
    rename: a symbolic link at ``path`` is replaced by the file, its target is left alone; a
    folder reached through a link out of the checkout is refused (:class:`UnsafeOutput`)."""
    target = Path(path)
    _judge_folder(target.parent)  # a link at `target` itself is replaced below
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
