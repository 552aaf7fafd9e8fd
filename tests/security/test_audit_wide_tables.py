"""A data file's columns are counted before pandas reads it.

pandas spends about 80 us and 2 KiB per column: a 1.9 MB CSV of one header of 200 000 short
names and one row took ``explainspec audit`` 16 s and 0.5 GiB before any check, so a file within
the 512 MiB size limit (``--max-file-mb``) could take hours and hundreds of GiB. A CSV whose
first record has more than 10 000 fields (or a first line of more than a million characters),
and a Parquet file with more columns (or a footer over 16 MiB, which pyarrow parses whole), is
now refused before the data is read (``ES366``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from explainspec.worlds.sources import tables
from explainspec.worlds.sources.errors import SourceError

pd = pytest.importorskip("pandas")


@pytest.fixture
def unread(monkeypatch: pytest.MonkeyPatch) -> None:
    """pandas may not parse the file (the refusal comes first)."""

    def refuse(*args, **kwargs):
        raise AssertionError("pandas read the file")

    monkeypatch.setattr(pd, "read_csv", refuse)


def wide(n: int) -> str:
    return ",".join(f"c{i}" for i in range(n)) + "\n" + ",".join("1" for _ in range(n)) + "\n"


@pytest.mark.parametrize("before", ["", "\n\n", "\r\n"])
def test_a_csv_with_too_many_columns_is_refused_unread(tmp_path: Path, unread, before) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(before + wide(tables.MAX_COLUMNS + 1), encoding="utf-8")
    with pytest.raises(SourceError, match="ES366 the file has more than 10000 columns"):
        tables.load_table(path)


@pytest.mark.parametrize("quote", [False, True])
def test_a_csv_with_a_huge_first_line_is_refused_unread(tmp_path: Path, unread, quote) -> None:
    path = tmp_path / "long.csv"
    name = "x" * (tables.MAX_HEADER_CHARS + 10)
    path.write_text((f'"{name}"' if quote else name) + "\n1\n", encoding="utf-8")
    with pytest.raises(SourceError, match="ES366 .*first line of more than"):
        tables.load_table(path)


def test_columns_up_to_the_limit_and_quoted_separators_are_read(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(wide(tables.MAX_COLUMNS), encoding="utf-8")
    assert len(tables.load_table(path).columns) == tables.MAX_COLUMNS
    quoted = '"' + ",".join("a" * 3 for _ in range(tables.MAX_COLUMNS + 5)) + '",y\n1,2\n'
    path.write_text(quoted, encoding="utf-8")  # one quoted name holding 10 004 commas
    assert len(tables.load_table(path).columns) == 2


def test_a_parquet_file_with_too_many_columns_is_refused_unread(tmp_path, monkeypatch) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "wide.parquet"
    pq.write_table(pa.table({f"c{i}": [1.0] for i in range(tables.MAX_COLUMNS + 1)}), path)
    monkeypatch.setattr(pq, "read_table", lambda *a, **k: pytest.fail("pyarrow read the data"))
    with pytest.raises(SourceError, match="ES366 the file has 10001 columns"):
        tables.load_table(path)


def test_a_parquet_footer_over_its_limit_is_refused_unparsed(tmp_path, monkeypatch) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "footer.parquet"
    path.write_bytes(
        b"PAR1" + b"\0" * 64 + (tables.MAX_FOOTER_BYTES + 1).to_bytes(4, "little") + b"PAR1"
    )
    monkeypatch.setattr(pq, "ParquetFile", lambda *a, **k: pytest.fail("pyarrow parsed it"))
    with pytest.raises(SourceError, match="ES366 the file's metadata has"):
        tables.load_table(path)


def test_a_tall_table_holds_its_numbers_not_a_string_per_row(tmp_path: Path) -> None:
    """A 32 MB CSV of 16 million ``1`` lines took 10 s and 1.5 GiB: its row ids were made as
    16 million Python strings (about 60 bytes each) although the audit keeps a sample of 2 000
    rows. Now a row's id is made when it is asked for (3 s, 0.4 GiB)."""
    import tracemalloc

    rows = 500_000
    path = tmp_path / "tall.csv"
    path.write_text("a\n" + "1\n" * rows, encoding="utf-8")
    pd.read_csv(path, nrows=1)  # pandas' one-time setup, outside the measurement
    tracemalloc.start()
    try:
        table = tables.load_table(path)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert table.n == rows and table.row_ids[rows - 1] == str(rows - 1)
    assert held < 16 * rows, held  # the float values are 8 bytes a row; the strings were 60


@pytest.mark.parametrize("kind", ["text", "list"])
def test_parquet_text_and_list_columns_are_refused_unread(tmp_path, monkeypatch, kind) -> None:
    """A 7 KB Parquet file holding one 200 MB text cell (zstd packs it) took 1.2 GiB to be
    refused as a text column after reading; a list column is as cheap to inflate."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    cell = (
        pa.array([b"a" * (4 << 20)], type=pa.binary())
        if kind == "text"
        else pa.array([[0.0] * (1 << 20)], type=pa.list_(pa.float64()))
    )
    path = tmp_path / "bomb.parquet"
    pq.write_table(pa.table({"a": cell, "y": [1.0]}), path, compression="zstd")
    assert path.stat().st_size < 100_000
    monkeypatch.setattr(pq, "read_table", lambda *a, **k: pytest.fail("pyarrow read the data"))
    with pytest.raises(SourceError, match="ES362 text or categorical column.*no data was read"):
        tables.load_table(path)
