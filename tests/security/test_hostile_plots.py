"""A counterexample picture is drawn only at the sizes a run can produce.

A report is untrusted (``explainspec docs --results``, a notebook's display): its counterexample
records say how many features, quantities and curves there are. matplotlib draws every bar and
tick label, so a record with d = 5 000 features took 113 s to draw, one with 3 000 compared
quantities 45 s, and a report of a few MB held ``explainspec docs`` for hours. A picture with
more features than the ``features`` limit, more than 40 bars of named numbers, more than 12
vectors or curves, or a curve longer than the ``grid`` limit is not drawn (the card keeps its
table of the numbers).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from explainspec.catalog.limits import limit

pytest.importorskip("matplotlib")
from explainspec.docgen import plots  # noqa: E402


def vectors(d: int, series: int = 2) -> dict:
    return {
        "d": d,
        "quantities": [
            {"text": f"v{s}[i]", "value": [float(s)] * d, "role": "operand"} for s in range(series)
        ],
    }


def scalars(n: int) -> dict:
    return {"quantities": [{"text": f"q{i}", "value": 1.0, "role": "operand"} for i in range(n)]}


def curves(series: int, points: int = 5) -> dict:
    return {
        "world": {"grid": [[float(k) for k in range(points)]]},
        "quantities": [
            {"text": "j", "value": 0, "role": "binding"},
            *(
                {"text": f"c{s}", "value": [float(s)] * points, "role": "operand"}
                for s in range(series)
            ),
        ],
    }


@pytest.mark.parametrize(
    "record",
    [
        vectors(limit("features") + 1),
        vectors(3, series=plots.MAX_SERIES + 1),
        scalars(plots.MAX_BARS + 1),
        curves(plots.MAX_SERIES + 1),
        curves(2, points=limit("grid") + 1),
    ],
    ids=["features", "vectors", "bars", "curves", "grid"],
)
def test_a_picture_larger_than_a_run_makes_is_not_drawn(tmp_path: Path, record) -> None:
    path = tmp_path / "cx.png"
    assert plots.counterexample_plot(record, path) is None
    assert not path.exists()


@pytest.mark.parametrize(
    "record, shows",
    [
        (vectors(limit("features")), plots.FEATURE_BARS),
        (scalars(plots.MAX_BARS), plots.BARS),
        (curves(plots.MAX_SERIES), plots.CURVES),
    ],
    ids=["features", "bars", "curves"],
)
def test_pictures_up_to_the_limits_are_drawn(tmp_path: Path, record, shows) -> None:
    path = tmp_path / "cx.png"
    assert plots.counterexample_plot(record, path) == shows
    assert path.stat().st_size > 0
