"""The user's data: reading a table (CSV, Parquet) with pandas and checking it before use.

A data file is untrusted input. It is refused from its size, and from its number of columns (a
CSV's header, a Parquet file's footer), before pandas reads it (ES366), and after reading: text or categorical columns (ES362), missing or infinite values (ES363), no rows
or no columns (ES364). Every message names the file and the column (and the first rows at fault).
Column names and row ids (the table's index: the row number in a CSV file) are kept, so reports
can say "row 17, bmi = 0.06".
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

from explainspec.worlds.sources.errors import SourceError, refuse_linked_outside

Array = np.ndarray

#: the largest data file read (bytes); larger files are refused before reading (ES366)
MAX_FILE_BYTES = 512 * 1024 * 1024
#: the most columns a data file may have; counted before pandas reads it (ES366). pandas spends
#: about 80 us and 2 KiB per column: a 1.9 MB CSV of 200 000 one-letter columns took 16 s and
#: 0.5 GiB, so a file within the size limit could take hours and hundreds of GiB
MAX_COLUMNS = 10_000
#: the longest first line (the header) of a CSV file, in characters
MAX_HEADER_CHARS = 100 * MAX_COLUMNS
#: the largest Parquet footer read (bytes): the footer describes every column, and is parsed whole
MAX_FOOTER_BYTES = 16 * 1024 * 1024
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq")


class RowIds(Sequence[str]):
    """The rows' labels as text, each made when it is asked for: a table of 16 million rows
    (a 32 MB CSV of ``1`` lines) held them as 16 million Python strings, 1 GiB, although the
    audit keeps a sample of 2 000 rows (``--max-rows``). Equal to the tuple of its labels.

    >>> ids = RowIds(range(10, 13))
    >>> ids[0], len(ids), ids == ("10", "11", "12"), list(ids[1:])
    ('10', 3, True, ['11', '12'])
    """

    __slots__ = ("_index",)

    def __init__(self, index: Any) -> None:
        self._index = index

    def __len__(self) -> int:
        return len(self._index)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[str, ...]: ...

    def __getitem__(self, i: int | slice) -> str | tuple[str, ...]:
        if isinstance(i, slice):
            return tuple(str(v) for v in self._index[i])
        return str(self._index[i])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RowIds | tuple | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RowIds({len(self)} rows)"


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    """Numeric rows with their column names and row ids.

    ``values`` is a read-only float ``(n, p)`` array; ``row_ids`` are the rows' labels as text.
    """

    values: Array
    columns: tuple[str, ...]
    row_ids: Sequence[str]
    source: str

    @property
    def n(self) -> int:
        return int(self.values.shape[0])

    def column(self, name: str) -> int:
        return self.columns.index(name)

    def describe(self) -> str:
        return f"{self.source}: {self.n} rows, {len(self.columns)} columns"


def load_table(path: str | os.PathLike[str], *, max_bytes: int = MAX_FILE_BYTES) -> Table:
    """Read a CSV or Parquet file into a checked :class:`Table`.

    The size is checked first (``os.stat``: nothing is read); for Parquet the row and column
    counts come from the file's footer before its data is read.

    Raises
    ------
    SourceError
        ES364 (missing, unknown type, empty), ES366 (too large), and the column checks of
        :func:`table_from_frame`.
    """
    p = os.fspath(path)
    refuse_linked_outside(p, "ES364")
    if not os.path.isfile(p):
        raise SourceError("ES364", "no such data file", path=p)
    size = os.path.getsize(p)
    if size > max_bytes:
        raise SourceError(
            "ES366",
            f"the file has {_size(size)}; the limit is {_size(max_bytes)} (nothing was read)",
            path=p,
            hint="audit a sample of the rows (e.g. 10,000), or raise the limit with --max-file-mb",
        )
    if size == 0:
        raise SourceError("ES364", "the file is empty", path=p)
    suffix = os.path.splitext(p)[1].lower()
    try:
        import pandas as pd
    except ImportError:
        raise SourceError(
            "ES364", "reading a data file needs pandas (pip install 'explainspec[audit]')", path=p
        ) from None
    if suffix in CSV_SUFFIXES:
        sep = "\t" if suffix == ".tsv" else ","
        _check_header(p, sep)
        try:
            frame = pd.read_csv(p, sep=sep)
        except pd.errors.EmptyDataError:
            raise SourceError("ES364", "the file has no columns", path=p) from None
        except Exception as e:  # noqa: BLE001 - a file pandas cannot parse
            raise SourceError("ES364", f"pandas cannot read the file: {e}", path=p) from None
    elif suffix in PARQUET_SUFFIXES:
        frame = _read_parquet(p, max_bytes)
    else:
        raise SourceError(
            "ES364",
            f"unknown data file type {suffix or '(no suffix)'!r}",
            path=p,
            hint="data files are .csv, .tsv or .parquet",
        )
    return table_from_frame(frame, source=p)


def _too_wide(path: str, what: str) -> SourceError:
    return SourceError(
        "ES366",
        f"the file has {what}; the limit is {MAX_COLUMNS} columns (no data was read)",
        path=path,
        hint="audit the columns the model reads",
    )


def _check_header(path: str, sep: str) -> None:
    """ES366 when the first record of the CSV file at ``path`` (blank lines before it skipped,
    as pandas skips them) has more than :data:`MAX_COLUMNS` fields (separators inside double
    quotes are not counted) or more than :data:`MAX_HEADER_CHARS` characters; reads only as far
    as the first record's end, or the first field over the limit."""
    fields, quoted, started, seen = 1, False, False, 0
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        while chunk := fh.read(1 << 16):
            done = False
            if not quoted and '"' not in chunk:  # the common case, at the speed of str methods
                body = chunk if started else chunk.lstrip("\r\n")
                started = started or bool(body)
                end = min((i for i in (body.find("\n"), body.find("\r")) if i >= 0), default=-1)
                done = end >= 0
                fields += body.count(sep, 0, end if done else len(body))
                seen += end if done else len(body)
            else:
                for ch in chunk:
                    if ch in "\r\n" and not quoted:
                        if started:
                            done = True
                            break
                        continue
                    started = True
                    seen += 1
                    if ch == '"':
                        quoted = not quoted
                    elif ch == sep and not quoted:
                        fields += 1
            if fields > MAX_COLUMNS:
                raise _too_wide(path, f"more than {MAX_COLUMNS} columns")
            if seen > MAX_HEADER_CHARS:
                raise _too_wide(path, f"a first line of more than {MAX_HEADER_CHARS} characters")
            if done:
                return


def _check_footer(path: str) -> None:
    """ES366 when the Parquet footer (the metadata of every column, parsed whole by pyarrow)
    is longer than :data:`MAX_FOOTER_BYTES`; the length is the 4 bytes before the final
    ``PAR1``."""
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        if fh.tell() < 12:
            return  # not Parquet: pyarrow says so
        fh.seek(-8, os.SEEK_END)
        tail = fh.read(8)
    if tail[4:] == b"PAR1" and int.from_bytes(tail[:4], "little") > MAX_FOOTER_BYTES:
        raise SourceError(
            "ES366",
            f"the file's metadata has {_size(int.from_bytes(tail[:4], 'little'))}; the limit is "
            f"{_size(MAX_FOOTER_BYTES)} (no data was read)",
            path=path,
            hint=f"a data file has at most {MAX_COLUMNS} columns",
        )


def _check_parquet_columns(path: str, meta: Any) -> None:
    """From the footer, before any data is read: text and nested columns are refused (ES362,
    as they would be after reading; a 7 KB file holding one 200 MB text cell took 1.2 GiB to be
    refused after reading). What is left is numbers, at most 12 bytes a cell, which the cells'
    bound of :func:`_read_parquet` bounds."""
    schema = meta.schema
    bad = []
    for i in range(len(schema)):
        column = schema.column(i)
        if column.physical_type in ("BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"):
            bad.append(f"{column.path!r} (text or bytes)")
        elif column.max_repetition_level > 0:
            bad.append(f"{column.path!r} (a list in each cell)")
    if bad:
        raise SourceError(
            "ES362",
            "text or categorical column(s): " + "; ".join(bad) + " (no data was read)",
            path=path,
            hint="encode them as numbers first (e.g. one column per category, 0/1), and bind "
            "the model that was trained on that encoding",
        )


def _read_parquet(path: str, max_bytes: int) -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise SourceError(
            "ES364",
            "reading Parquet needs pyarrow (pip install 'explainspec[parquet]')",
            path=path,
        ) from None
    _check_footer(path)
    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as e:  # noqa: BLE001
        raise SourceError("ES364", f"not a readable Parquet file: {e}", path=path) from None
    if int(meta.num_columns) > MAX_COLUMNS:
        raise _too_wide(path, f"{meta.num_columns} columns")
    _check_parquet_columns(path, meta)
    cells = int(meta.num_rows) * int(meta.num_columns)
    if cells * 8 > max_bytes:  # the footer says how big the float table would be
        raise SourceError(
            "ES366",
            f"the file holds {meta.num_rows} rows x {meta.num_columns} columns "
            f"({_size(cells * 8)} as floats); the limit is {_size(max_bytes)} (no data was read)",
            path=path,
        )
    try:
        return pq.read_table(path).to_pandas()
    except Exception as e:  # noqa: BLE001
        raise SourceError("ES364", f"pyarrow cannot read the file: {e}", path=path) from None


def _size(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


def table_from_frame(frame: Any, *, source: str = "<DataFrame>") -> Table:
    """A checked :class:`Table` from a pandas DataFrame (its index gives the row ids).

    Boolean columns become 0/1. Raises :class:`SourceError` (ES362 text or categorical
    columns, ES363 missing or infinite values, ES364 no rows or columns).
    """
    if frame.shape[1] == 0:
        raise SourceError("ES364", "the data has no columns", path=source)
    if frame.shape[0] == 0:
        raise SourceError(
            "ES364",
            f"the data has no rows (columns: {', '.join(map(str, frame.columns))})",
            path=source,
        )
    columns = tuple(str(c) for c in frame.columns)
    bad = []
    for name, col in zip(columns, frame.columns, strict=True):
        series = frame[col]
        kind = series.dtype.kind
        if kind in "biuf":
            continue
        first = series.dropna()
        example = repr(first.iloc[0])[:60] if len(first) else "only missing values"
        bad.append(f"{name!r} ({series.dtype}, e.g. {example})")
    if bad:
        raise SourceError(
            "ES362",
            "text or categorical column(s): " + "; ".join(bad),
            path=source,
            hint="encode them as numbers first (e.g. one column per category, 0/1), and bind "
            "the model that was trained on that encoding",
        )
    values = frame.to_numpy(dtype=float, copy=True)
    row_ids = RowIds(frame.index)
    _check_finite(values, columns, row_ids, source)
    values.setflags(write=False)
    return Table(values=values, columns=columns, row_ids=row_ids, source=source)


def table_from_array(
    values: Any, *, columns: Sequence[str] | None = None, source: str = "<array>"
) -> Table:
    """A checked :class:`Table` from a numeric array ``(n, p)`` (row ids 0..n-1)."""
    a = np.asarray(values)
    if a.ndim != 2:
        raise SourceError(
            "ES364", f"the data must be a table (n, p); got shape {a.shape}", path=source
        )
    if a.shape[0] == 0 or a.shape[1] == 0:
        raise SourceError("ES364", f"the data is empty: shape {a.shape}", path=source)
    if a.dtype.kind not in "biuf":
        raise SourceError("ES362", f"the array has dtype {a.dtype}; expected numbers", path=source)
    names = (
        tuple(str(c) for c in columns)
        if columns is not None
        else tuple(f"x{j}" for j in range(a.shape[1]))
    )
    if len(names) != a.shape[1]:
        raise SourceError(
            "ES365", f"{len(names)} column names for {a.shape[1]} columns", path=source
        )
    vals = np.array(a, dtype=float)
    ids = tuple(str(i) for i in range(a.shape[0]))
    _check_finite(vals, names, ids, source)
    vals.setflags(write=False)
    return Table(values=vals, columns=names, row_ids=ids, source=source)


def _check_finite(
    values: Array, columns: Sequence[str], row_ids: Sequence[str], source: str
) -> None:
    bad = ~np.isfinite(values)
    if not bad.any():
        return
    parts = []
    for j in np.flatnonzero(bad.any(axis=0)):
        rows = np.flatnonzero(bad[:, j])
        nan = int(np.isnan(values[rows, j]).sum())
        what = (
            f"{nan} missing" if nan == len(rows) else f"{nan} missing, {len(rows) - nan} infinite"
        )
        shown = ", ".join(row_ids[r] for r in rows[:3]) + (", ..." if len(rows) > 3 else "")
        parts.append(f"{columns[int(j)]!r}: {what} (rows {shown})")
    raise SourceError(
        "ES363",
        "missing or infinite values in column(s) " + "; ".join(parts),
        path=source,
        hint="impute or drop them before the audit (the audit does not guess values)",
    )
