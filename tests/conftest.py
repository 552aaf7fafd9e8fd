"""Shared test configuration: hypothesis profiles chosen by HYPOTHESIS_PROFILE.

- ``dev`` (default): quick feedback while editing.
- ``ci``: what .ci/run uses; bounded so the whole suite stays well under CI's time budget.
- ``thorough``: many more examples, for `pytest -m slow` style deep runs.
"""

import atexit
import os
import shutil
import tempfile

from hypothesis import HealthCheck, settings

# explainspec keeps its results cache and the secret that authenticates it in the user's cache and
# configuration folders (platformdirs): give the test session folders of its own (subprocesses of
# the tests inherit them), so tests neither read nor fill the real ones.
_USER_DIRS = tempfile.mkdtemp(prefix="explainspec-tests-")
os.environ["XDG_CACHE_HOME"] = os.path.join(_USER_DIRS, "cache")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_USER_DIRS, "config")
atexit.register(shutil.rmtree, _USER_DIRS, ignore_errors=True)

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
