"""What ``explainspec audit`` prints of a data file is escaped and bounded, as every untrusted
text on its way to a terminal (``explainspec.lang.diagnostics.visible``).

A column named ``"a\\x1b[2K"`` reached the terminal raw, in the errors that list the columns
(``ES364 the data has no rows (columns: ...)``) and in the text report (each finding's worst
rows, by column): an escape sequence that erases a line of the CI log, or rewrites it. And a text
cell of 3 MB, quoted whole as the example of a text column (``ES362``), was 3 MB of the CI log.
Now every message and the text report are escaped, a source error is cut at 2 000 characters and
the example of a text column at 60.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from explainspec.cli import main

pytest.importorskip("pandas")
ESC = "\x1b[2K"


@pytest.fixture
def model(tmp_path: Path) -> Path:
    """``m.skops``: a linear model fitted on the columns ``a<ESC>`` and ``b``."""
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    sio = pytest.importorskip("skops.io")
    linear = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"a{ESC}": rng.normal(size=40), "b": rng.normal(size=40)})
    y = 2 * frame.iloc[:, 0] - frame.iloc[:, 1]
    sio.dump(linear.LinearRegression().fit(frame, y), tmp_path / "m.skops")
    frame.assign(y=y).to_csv(tmp_path / "data.csv", index=False)
    return tmp_path / "m.skops"


def audit(model: Path, data: Path, capsys, *extra: str) -> tuple[int, str, str]:
    rc = main(["audit", "--model", f"m={model}", "--data", f"db={data}", "--target", "y", *extra])
    out, err = capsys.readouterr()
    return rc, out, err


def test_a_column_name_with_an_escape_is_escaped_in_errors(model, tmp_path, capsys) -> None:
    data = tmp_path / "empty.csv"
    data.write_text(f"a{ESC},b,y\n", encoding="utf-8")
    rc, out, err = audit(model, data, capsys)
    assert rc == 2 and "ES364" in err, err
    assert "\x1b" not in out + err and "a\\x1b[2K" in err


def test_a_huge_cell_is_not_echoed_whole(model, tmp_path, capsys) -> None:
    data = tmp_path / "text.csv"
    data.write_text(f"a{ESC},b,y\n" + "x" * 3_000_000 + ",1,2\n", encoding="utf-8")
    rc, out, err = audit(model, data, capsys)
    assert rc == 2 and "ES362" in err, err
    assert len(out + err) < 5000 and "\x1b" not in err


def test_the_text_report_escapes_column_names(model, tmp_path, capsys) -> None:
    fast = ["--methods", "sklearn.permutation_importance", "--points", "3", "--background", "10"]
    rc, out, err = audit(model, tmp_path / "data.csv", capsys, *fast, "--no-progress")
    assert rc in (0, 1), err
    assert "a\\x1b[2K" in out, out  # the column is named in the report
    assert "\x1b" not in out + err
