from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
if str(HERE) not in sys.path:  # pool and Dask workers get the parent's sys.path
    sys.path.insert(0, str(HERE))

import scale_plugins  # noqa: E402


@pytest.fixture
def specs(tmp_path):
    """Two small specs (exact Shapley values, and a planted bug), loaded."""
    from explainspec.lang import load
    from explainspec.registry import load_plugins

    load_plugins(["scale_plugins"])
    paths = [
        scale_plugins.write_spec(tmp_path, "a_exact", "exact"),
        scale_plugins.write_spec(tmp_path, "b_dropped", "dropped"),
    ]
    return [load(p) for p in paths]
