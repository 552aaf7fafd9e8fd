"""Reading spec files defensively and dispatching to the DSL or YAML front-end."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Final, Literal

from explainspec.catalog.limits import limit
from explainspec.lang import ir
from explainspec.lang.diagnostics import Diagnostic, SpecError

#: Largest spec file accepted, in bytes (the limit ``file_bytes``). Real specs are a few kilobytes.
MAX_BYTES: Final = limit("file_bytes")

DSL_SUFFIX: Final = ".espec"
YAML_SUFFIXES: Final = (".espec.yaml", ".espec.yml")

Form = Literal["dsl", "yaml"]


def form_of(path: str | os.PathLike[str]) -> Form:
    """``"yaml"`` for ``*.espec.yaml``/``*.espec.yml`` (and ``*.yaml``), else ``"dsl"``."""
    name = os.fspath(path).lower()
    return "yaml" if name.endswith((".yaml", ".yml")) else "dsl"


def _too_large(size: int, file: str) -> SpecError:
    return SpecError(
        [
            Diagnostic(
                "ES102",
                f"the file is {size:,} bytes; the limit is file_bytes = {MAX_BYTES:,}",
                ir.Span(file=file, line=1, column=1),
                "a spec file is a few kilobytes: is this the right file?",
            )
        ]
    )


def decode(data: bytes, file: str) -> str:
    """UTF-8 text of ``data`` (a leading BOM is dropped), or an ``ES101`` SpecError at the bad byte."""
    if len(data) > MAX_BYTES:
        raise _too_large(len(data), file)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        column = err.start - (before.rfind(b"\n") + 1) + 1
        raise SpecError(
            [
                Diagnostic(
                    "ES101",
                    f"the file is not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start})",
                    ir.Span(file=file, line=line, column=column),
                    "save the file as UTF-8",
                )
            ]
        ) from None


def _inside(path: str, folder: str) -> bool:
    return os.path.commonpath([path, folder]) == folder


def _linked_outside(file: str) -> str | None:
    """The real path of ``file`` when a symbolic link leads it outside both the working
    directory and the folder that link lies in; else ``None``. Every link on the path is judged,
    the file's and each folder's inside the working directory (a checkout's ``specs`` linked to
    ``~``: ``specs/x.espec`` is refused although the file lies in the folder the path names it
    in); a path without links, anywhere, is read as named.

    >>> _linked_outside("no/links/here.espec") is None
    True
    """
    try:
        given = os.path.abspath(file)
        real = os.path.realpath(file)
        if real == given:
            return None
        cwd, here = os.path.abspath(os.getcwd()), os.path.realpath(os.getcwd())
        if not (_inside(real, os.path.realpath(os.path.dirname(given))) or _inside(real, here)):
            return real
        # each link on the path inside the checkout leads inside the checkout or its own folder
        prefix = given
        while prefix != cwd and _inside(prefix, cwd):
            if os.path.islink(prefix):
                target = os.path.realpath(prefix)
                parent = os.path.realpath(os.path.dirname(prefix))
                if not (_inside(target, parent) or _inside(target, here)):
                    return real
            prefix = os.path.dirname(prefix)
    except (OSError, ValueError):  # e.g. a loop of links, or another drive: refused below
        return None
    return None


def link_out(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` is not to be read or written into, when a symbolic link leads it out of the
    checkout (:func:`_linked_outside`): ``is a symbolic link to REAL, outside the working
    directory and the link's own folder`` (or ``is reached through a symbolic link, to REAL,
    ...`` when a folder on its path is the link); ``None`` when no link does. The one wording of
    every reader and writer that refuses such a path (specs, reports, audit files, outputs)."""
    file = os.fspath(path)
    outside = _linked_outside(file)
    if outside is None:
        return None
    how = (
        "is a symbolic link to"
        if os.path.islink(file)
        else "is reached through a symbolic link, to"
    )
    return f"{how} {outside}, outside the working directory and the link's own folder"


def read_source(path: str | os.PathLike[str]) -> str:
    """Read a spec file as text, refusing missing files, folders, anything but a regular file
    (a FIFO would block), huge files, bad UTF-8, and a symbolic link that leads outside the
    working directory and the link's own folder (a checkout's ``specs/x.espec`` linked to
    ``/proc/self/environ`` would print the process's environment in a diagnostic).

    The size is checked before the file is read, so a 50 MB file costs nothing.

    Raises
    ------
    SpecError
        ``ES101`` (cannot read) or ``ES102`` (too large).
    """
    file = os.fspath(path)
    if file == "-":
        import sys

        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        return decode(data, "<stdin>")
    why = link_out(file)
    if why is not None:
        raise SpecError(
            [
                Diagnostic(
                    "ES101",
                    f"{why}: not read",
                    ir.Span(file=file),
                    "a checkout is untrusted: a link in it could make explainspec print a file "
                    "of the machine (/proc/self/environ, a key) in its diagnostics; name the "
                    "file itself",
                )
            ]
        )
    try:
        info = os.stat(file)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(info.st_mode):  # a FIFO or a device could block or never end
            raise SpecError(
                [Diagnostic("ES101", "is not a regular file", ir.Span(file=file))]
            ) from None
        if info.st_size > MAX_BYTES:
            raise _too_large(info.st_size, file)
        with open(file, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except SpecError:
        raise
    except IsADirectoryError:
        raise SpecError(
            [Diagnostic("ES101", "is a folder, not a spec file", ir.Span(file=file))]
        ) from None
    except FileNotFoundError:
        raise SpecError([Diagnostic("ES101", "no such file", ir.Span(file=file))]) from None
    except OSError as err:
        raise SpecError(
            [Diagnostic("ES101", f"cannot read the file: {err.strerror}", ir.Span(file=file))]
        ) from None
    return decode(data, file)


def source_text(path: str | os.PathLike[str] | None) -> str | None:
    """The text of the spec file at ``path`` as :func:`read_source` reads it, or ``None`` (no
    path, no such file, or a file it refuses): the source a diagnostic or a card quotes from,
    where a missing text means no quoted line rather than an error."""
    if not path or not os.path.isfile(path):
        return None
    try:
        return read_source(path)
    except SpecError:
        return None


def load_text(
    text: str, *, path: str | os.PathLike[str] | None = None, form: Form = "dsl"
) -> ir.Spec:
    """Parse spec text (DSL or YAML) into IR.

    Parameters
    ----------
    text : str
    path : path-like, optional
        Used in spans and diagnostics, and stored as ``Spec.source``.
    form : {"dsl", "yaml"}

    Raises
    ------
    SpecError
    """
    import dataclasses

    file = os.fspath(path) if path is not None else None
    if len(text) > MAX_BYTES:
        raise _too_large(len(text), file or "<string>")
    try:
        if form == "yaml":
            from explainspec.lang.yamlform import parse_yaml

            spec = parse_yaml(text, file=file)
        elif form == "dsl":
            from explainspec.lang.parser import parse_spec_text

            spec = parse_spec_text(text, file=file)
        else:
            raise ValueError(f"form={form!r} is not 'dsl' or 'yaml'")
    except SpecError as err:
        err.sources.setdefault(file or "<string>", text)
        raise
    except RecursionError:
        raise SpecError(
            [
                Diagnostic(
                    "ES106", "the input is nested too deeply", ir.Span(file=file, line=1, column=1)
                )
            ],
            {file or "<string>": text},
        ) from None
    return dataclasses.replace(spec, source=file)


def load(path: str | os.PathLike[str]) -> ir.Spec:
    """Load a ``.espec`` or ``.espec.yaml`` file.

    Parameters
    ----------
    path : path-like
        The form is chosen by the suffix (``.yaml``/``.yml`` -> YAML, otherwise DSL).

    Returns
    -------
    Spec

    Raises
    ------
    SpecError
        With every ``ES1xx`` diagnostic found; semantic checks are separate
        (:func:`explainspec.lang.check_spec`).
    """
    text = read_source(path)
    return load_text(text, path=path, form=form_of(path))


def discover(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Spec files named by ``paths``: files as given, folders searched for ``*.espec`` and
    ``*.espec.yaml`` (recursively, sorted). Missing paths are returned as given so that loading
    them reports a located error."""
    found: list[Path] = []
    seen: set[Path] = set()
    for p in paths:
        path = Path(p)
        if path.is_dir():
            hits = sorted(
                q
                for q in path.rglob("*")
                if q.is_file() and (q.name.endswith(DSL_SUFFIX) or q.name.endswith(YAML_SUFFIXES))
            )
        else:
            hits = [path]
        for h in hits:
            if h not in seen:
                seen.add(h)
                found.append(h)
    return found


def load_valid(
    text: str,
    *,
    path: str | os.PathLike[str] | None = None,
    form: Form = "dsl",
    registries: object = None,
) -> ir.Spec:
    """:func:`load_text`, then the semantic checks: a spec without errors, or a SpecError with
    every error found (warnings are not errors). What ``fmt`` and ``convert`` read: a spec with
    errors may not mean what its text says (two claims of one name, a parameter that is not a
    literal), so it is not rewritten.
    """
    from explainspec.lang.semantics import check_spec

    spec = load_text(text, path=path, form=form)
    errors = [d for d in check_spec(spec, registries) if d.is_error]  # type: ignore[arg-type]
    if errors:
        file = os.fspath(path) if path is not None else "<string>"
        raise SpecError(errors, {file: text})
    return spec


def load_checked(
    path: str | os.PathLike[str], registries: object = None
) -> tuple[ir.Spec | None, list[Diagnostic], dict[str, str]]:
    """Load and semantically check one file without raising.

    Returns
    -------
    (spec or None, diagnostics sorted by location, sources for rendering)
    """
    from explainspec.lang.semantics import check_spec

    file = os.fspath(path)
    try:
        text = read_source(path)
    except SpecError as err:
        return None, list(err.diagnostics), {}
    try:
        spec = load_text(text, path=path, form=form_of(path))
    except SpecError as err:
        return None, list(err.diagnostics), {file: text, **err.sources}
    return spec, check_spec(spec, registries), {file: text}  # type: ignore[arg-type]
