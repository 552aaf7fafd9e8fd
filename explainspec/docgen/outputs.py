"""Writing generated pages and pictures into an output folder that a checkout may have prepared.

The folder a command writes into (``explainspec docs --out docs/library``, ``--reference``, an
audit card's folder, the probe's page) is often part of an untrusted checkout, which can hold
symbolic links where explainspec will write: ``docs/library/index.md`` linked to
``~/.bashrc``, ``docs/library/assets`` linked to ``~/.ssh``, the output folder itself linked
elsewhere. Writing through such a link writes outside the output folder. So every page and
picture is written here:

- :func:`output_folder`: the folder is created; one reached through a link that leads outside
  both the working directory and the link's own folder is refused (the rule for reading specs,
  :func:`explainspec.lang.loader.read_source`);
- :func:`subfolder`: a folder explainspec makes inside it (``assets/``) that is a link is
  refused;
- :func:`write_file`: a file is written to a temporary file beside it and renamed over it, so a
  link in its place is replaced, never written through.

A refusal is an :class:`UnsafeOutput` (an ``OSError``), which the commands report as ``ES251``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["UnsafeOutput", "output_folder", "subfolder", "write_file"]


class UnsafeOutput(OSError):
    """An output folder that is (or is reached through) a symbolic link it may not follow."""


def output_folder(folder: str | os.PathLike[str]) -> Path:
    """``folder``, created, unless a symbolic link leads it outside both the working directory
    and the link's own folder (then :class:`UnsafeOutput`)."""
    from explainspec.lang.loader import _linked_outside

    path = Path(folder)
    outside = _linked_outside(os.fspath(path)) if os.path.lexists(path) else None
    if outside is not None:
        raise UnsafeOutput(
            f"{path} is a symbolic link to {outside}, outside the working directory and the "
            "link's own folder: not written into (a checkout is untrusted; name the folder "
            "itself)"
        )
    path.mkdir(parents=True, exist_ok=True)
    return path


def subfolder(folder: Path, name: str) -> Path:
    """``folder / name``, created, unless it is a symbolic link (then :class:`UnsafeOutput`)."""
    path = folder / name
    if path.is_symlink():
        raise UnsafeOutput(f"{path} is a symbolic link: not written into")
    path.mkdir(exist_ok=True)
    return path


def write_file(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` through a temporary file in its folder and a
    rename: a symbolic link at ``path`` is replaced by the file, its target is left alone."""
    target = Path(path)
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
