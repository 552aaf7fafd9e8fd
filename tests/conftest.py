"""Shared test configuration: hypothesis profiles chosen by HYPOTHESIS_PROFILE.

- ``dev`` (default): quick feedback while editing.
- ``ci``: what .ci/run uses; bounded so the whole suite stays well under CI's time budget.
- ``thorough``: many more examples, for `pytest -m slow` style deep runs.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=False,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
