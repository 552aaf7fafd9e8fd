"""Reading the user's data: CSV and Parquet via pandas, refused with a located ES36x error when
a column is text, has missing values, the file is empty, or too large (before reading)."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from explainspec.worlds.sources.errors import SourceError
from explainspec.worlds.sources.tables import load_table, table_from_array, table_from_frame


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_csv_keeps_column_names_and_row_ids(tmp_path):
    p = write(tmp_path, "d.csv", "a,b,flag\n1,2.5,True\n3,4,False\n")
    t = load_table(p)
    assert t.columns == ("a", "b", "flag") and t.row_ids == ("0", "1")
    np.testing.assert_array_equal(t.values, [[1, 2.5, 1], [3, 4, 0]])
    assert not t.values.flags.writeable
    assert t.describe() == f"{p}: 2 rows, 3 columns"


def test_text_column_is_named(tmp_path):
    p = write(tmp_path, "d.csv", "age,city\n1,Paris\n2,Lyon\n")
    with pytest.raises(SourceError) as e:
        load_table(p)
    assert e.value.code == "ES362" and "'city'" in e.value.message and "'Paris'" in e.value.message
    assert str(e.value).startswith(f"{p}: ES362")


def test_categorical_frame_column_is_refused():
    frame = pd.DataFrame({"x": [1.0, 2.0], "c": pd.Categorical(["a", "b"])})
    with pytest.raises(SourceError) as e:
        table_from_frame(frame)
    assert e.value.code == "ES362" and "'c'" in e.value.message


def test_missing_values_name_the_column_and_rows(tmp_path):
    p = write(tmp_path, "d.csv", "a,b\n1,\n2,3\n,5\n4,\n")
    with pytest.raises(SourceError) as e:
        load_table(p)
    msg = e.value.message
    assert e.value.code == "ES363"
    assert "'a': 1 missing (rows 2)" in msg and "'b': 2 missing (rows 0, 3)" in msg


def test_infinite_values_are_refused():
    with pytest.raises(SourceError) as e:
        table_from_array(np.array([[1.0, np.inf], [2.0, 3.0]]), columns=["u", "v"])
    assert e.value.code == "ES363" and "'v': 0 missing, 1 infinite" in e.value.message


@pytest.mark.parametrize(
    "text, what", [("", "empty"), ("a,b\n", "no rows"), ("\n\n", "no columns")]
)
def test_empty_files(tmp_path, text, what):
    p = write(tmp_path, "d.csv", text)
    with pytest.raises(SourceError) as e:
        load_table(p)
    assert e.value.code == "ES364" and what in e.value.message


def test_unknown_type_and_missing_file(tmp_path):
    with pytest.raises(SourceError) as e:
        load_table(tmp_path / "nope.csv")
    assert e.value.code == "ES364"
    p = write(tmp_path, "d.xlsx", "x")
    with pytest.raises(SourceError) as e:
        load_table(p)
    assert e.value.code == "ES364" and "'.xlsx'" in e.value.message


def test_a_10_gb_file_is_refused_from_its_size_before_reading(tmp_path, monkeypatch):
    p = tmp_path / "huge.csv"
    with open(p, "wb") as fh:
        fh.write(b"a,b\n1,2\n")
        fh.truncate(10 * 1024**3)  # sparse: 10 GiB on paper, nothing on disk
    monkeypatch.setattr(pd, "read_csv", lambda *a, **k: pytest.fail("pandas read the file"))
    with pytest.raises(SourceError) as e:
        load_table(p)
    assert (
        e.value.code == "ES366"
        and "10.0 GiB" in e.value.message
        and "nothing was read" in e.value.message
    )
    os.remove(p)


def test_parquet_roundtrip_and_footer_size_check(tmp_path, monkeypatch):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0.5, 0.25, 1.0]}, index=[10, 11, 12])
    p = tmp_path / "d.parquet"
    frame.to_parquet(p)
    t = load_table(p)
    assert t.columns == ("x", "y") and t.row_ids == ("10", "11", "12")
    import pyarrow.parquet as pq

    big = tmp_path / "zeros.parquet"
    pd.DataFrame(np.zeros((4000, 5)), columns=list("abcde")).to_parquet(big)
    assert os.path.getsize(big) < 20_000  # compressed; as floats it is 4000 * 5 * 8 = 160 kB
    monkeypatch.setattr(pq, "read_table", lambda *a, **k: pytest.fail("the data was read"))
    with pytest.raises(SourceError) as e:
        load_table(big, max_bytes=20_000)
    assert e.value.code == "ES366" and "4000 rows x 5 columns" in e.value.message
