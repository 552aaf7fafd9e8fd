"""numba's on-disk cache for a library's compiled code (runner/jitcache.py, issue 21): a second
process finds what the first compiled, also for a function that takes another compiled function
as an argument (shap's masked model takes its link function: numba keys that argument by a uuid
that is random per process unless jitcache gives it a stable one)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("numba")

LIBRARY = """
from numba import njit


@njit
def link(x):
    return x * 2.0


@njit
def apply(h, x):
    return h(x) + 1.0


def _make(c):
    def inner(x):
        return x + c

    return njit(inner)


# recursive: its compiled code calls itself through an address of the process that compiled it
@njit
def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)


# two dispatchers with one qualname: a uuid from their name would not tell them apart
plus_one = _make(1.0)
plus_two = _make(2.0)
"""

SCRIPT = """
import json, sys
from explainspec.runner import jitcache

folder = jitcache.configure(sys.argv[1])
import {lib}
enabled = jitcache.enable(("{lib}",))
value = {lib}.apply({lib}.link, 1.5)
stats = {{
    name: (sum(f.stats.cache_hits.values()), sum(f.stats.cache_misses.values()))
    for name, f in (("link", {lib}.link), ("apply", {lib}.apply))
}}
print(json.dumps({{"folder": folder, "enabled": enabled, "value": value, "stats": stats}}))
"""


def _run(tmp_path, lib, cache, extra_env=None):
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "PYTHONPATH")}
    env["PYTHONPATH"] = str(tmp_path)
    env.update(extra_env or {})
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(lib=lib), str(cache)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_second_process_loads_the_compiled_code_from_the_cache(tmp_path):
    lib = f"jitlib_{os.getpid()}"
    (tmp_path / f"{lib}.py").write_text(LIBRARY)
    cache = tmp_path / "numba-cache"
    first = _run(tmp_path, lib, cache)
    assert first["folder"] == str(cache)
    assert first["enabled"] == 2  # link and apply; not fact, nor the two made by the factory
    assert first["value"] == 4.0
    assert first["stats"] == {"link": [0, 1], "apply": [0, 1]}  # compiled, then written
    assert any(cache.rglob("*.nbi"))
    second = _run(tmp_path, lib, cache)
    assert second["value"] == 4.0
    # found on disk (`apply`'s argument type, the dispatcher of `link`, has the same key in
    # both processes); nothing is compiled (`link` is only called inside `apply`'s cached code)
    assert second["stats"] == {"link": [0, 0], "apply": [1, 0]}


def test_a_folder_the_user_set_is_kept(tmp_path):
    lib = f"jitlib_user_{os.getpid()}"
    (tmp_path / f"{lib}.py").write_text(LIBRARY)
    mine = tmp_path / "mine"
    out = _run(tmp_path, lib, tmp_path / "ours", {"NUMBA_CACHE_DIR": str(mine)})
    assert out["folder"] == str(mine)
    assert any(mine.rglob("*.nbi")) and not (tmp_path / "ours").exists()


def test_nothing_is_cached_without_a_folder(tmp_path):
    """numba would otherwise write next to the library's source (site-packages)."""
    code = (
        "import os, numba\n"
        "from explainspec.runner import jitcache\n"
        "assert jitcache.configure() is None\n"  # numba was imported first: too late
        "assert 'NUMBA_CACHE_DIR' not in os.environ\n"
        "print(jitcache.enable(('numba',)))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "0"
