"""The security page lists every limit of `catalog/limits.py`, with its value and meaning."""

from __future__ import annotations

import re
from pathlib import Path

from explainspec.catalog.limits import LIMITS

PAGE = Path(__file__).resolve().parents[2] / "docs" / "concepts" / "security.md"


def test_the_limits_table_is_the_catalog():
    rows = re.findall(r"^\| `(\w+)` \| (\d+) \| (.+) \|$", PAGE.read_text(encoding="utf-8"), re.M)
    assert [(name, int(value), doc) for name, value, doc in rows] == [
        (lim.name, lim.value, lim.doc) for lim in LIMITS.values()
    ]


def test_the_page_has_the_sections_other_work_fills_in():
    text = PAGE.read_text(encoding="utf-8")
    for heading in ("## Caches and the working directory", "## Time and memory budgets"):
        assert heading in text
    assert (
        "HYPOTHESIS_PROFILE=ci python -m pytest -m slow tests/security/test_fuzz_specs.py" in text
    )
