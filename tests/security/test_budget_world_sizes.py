"""Sizes known only when a world is drawn are checked against ``catalog/limits.py`` before
anything is allocated: a drawn gaussian or sample size, the rows x features it makes, the points
of a curve grid. A claim whose worlds are too large is ``invalid`` (ES342), naming the limit --
not a MemoryError, and not a machine out of memory."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st

import explainspec
from explainspec.catalog.limits import LimitExceeded, limit
from explainspec.worlds import distributions as dist


def test_a_drawn_sample_size_is_checked_before_it_is_allocated():
    rng = np.random.default_rng(0)
    with pytest.raises(LimitExceeded, match="over the limit rows = 100,000"):
        dist.gaussian(2).sample(limit("rows") + 1, rng)
    with pytest.raises(LimitExceeded, match="over the limit cells"):
        dist.gaussian(200).sample(limit("cells") // 200 + 1, rng)
    with pytest.raises(LimitExceeded, match="rows"):
        dist.sample(2, 10**9, rng)
    assert dist.gaussian(2).sample(10, rng).shape == (10, 2)


def test_a_curve_grid_is_checked_before_it_is_allocated():
    P = dist.gaussian(2)
    data = P.sample(50, np.random.default_rng(0))
    with pytest.raises(LimitExceeded, match="grid"):
        dist.grid_points(P, data, 10**9)
    assert dist.grid_points(P, data, 7).shape == (2, 7)


def test_a_gaussian_of_a_billion_rows_is_invalid_not_out_of_memory():
    spec = explainspec.loads(
        """spec huge "Huge" {
            method = reference.shapley
            output = attribution
            question "?"
            world { function = linear; features = 3; data = gaussian(n = 1000000000); background = data; points = 1 }
            claim c holds "?" { check sum(phi) == f(x) - mean(f(background)) within 1e-9 }
        }"""
    )
    result = explainspec.verify(spec, profile="fast", claim_timeout=60)["c"]
    assert result.verdict.value == "invalid", result
    # refused when drawn (ES342) -- or already when the world is resolved, where the
    # static limits are checked (ES306); either way naming the limit on rows
    assert result.diagnostics[0].code in ("ES342", "ES306"), result.diagnostics
    assert "100,000" in result.error or "100000" in result.error, result.error


def test_the_runner_reports_a_world_over_a_limit_as_invalid(monkeypatch):
    from explainspec import worlds

    def too_large(_):
        raise LimitExceeded("cells", 10**9, "rows x features of the data")

    monkeypatch.setattr(worlds, "from_world", lambda spec: st.just(0).map(too_large))
    spec = explainspec.loads(
        """spec s "S" {
            method = reference.shapley
            output = attribution
            question "?"
            world { function = linear; features = 2; data = grid(levels = 3); background = data; points = 1 }
            claim c holds "?" { check sum(phi) == f(x) - mean(f(background)) within 1e-9 }
        }"""
    )
    result = explainspec.verify(spec, profile="fast")["c"]
    assert result.verdict.value == "invalid"
    assert [d.code for d in result.diagnostics] == ["ES342"]
    assert "over the limit cells = 10,000,000" in result.error
