"""numba's on-disk cache for shap's compiled code: compile once per machine, not once per process.

shap 0.51 compiles about twenty functions with ``numba.njit`` the first time an explainer runs
(its masked model, the tabular maskers, the exact explainer's Gray-code sums). It does not ask
numba to cache them (``njit`` without ``cache=True``), so every fresh process -- every ``verify``
run, every worker -- compiled them again: 5-10 s on a quiet 2-core machine, 15-25 s under load,
the largest part of verifying one shap spec at ``fast``.

:func:`configure` points numba's cache at a folder (``NUMBA_CACHE_DIR``, set before numba is
imported: numba reads it at import) and :func:`enable` turns numba's own file cache on for shap's
compiled functions once shap is imported, before they first run: the same thing
``njit(cache=True)`` does (``Dispatcher.enable_caching``). One more step makes the cache hit:
shap passes its link function (itself a compiled function) as an argument to the masked model,
and numba's cache index identifies such an argument type by the dispatcher's ``uuid``, a random
value per process, so the entry written by one process was never found by the next (measured:
the masked model was compiled again in every process). :func:`enable` gives each of shap's
compiled functions a stable ``uuid`` (its module and name) before anything reads it.

Why this cannot change a verdict: numba's cache entries are keyed by the function's source file
(its modification time and size), its bytecode, the argument types, numba's version and the CPU;
an entry that does not match is compiled afresh. What is cached is machine code of shap's own
functions, the code a fresh compilation produces. Where: under the project's folder in the user's
cache folder (:func:`explainspec.runner.cache.default_cache_dir`), never in the checkout being
verified and never under ``--cache-dir``: numba's index files are pickles, which numba loads
without authentication, so the folder must be one that only this user's explainspec writes. A
``NUMBA_CACHE_DIR`` set by the user is kept as it is.

Nothing here imports numba or shap (they are imported by the claims that need them).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

#: the folder under the project's cache folder
JIT_DIR = "numba"

#: the libraries whose compiled functions get numba's file cache (top-level module names)
LIBRARIES = ("shap",)

_UUID_PREFIX = "explainspec-jit:"


def default_folder() -> Path:
    """``<project cache folder>/numba`` (see :func:`explainspec.runner.cache.default_cache_dir`)."""
    from explainspec.runner.cache import default_cache_dir

    return default_cache_dir() / JIT_DIR


def configure(folder: str | os.PathLike[str] | None = None) -> str | None:
    """Point numba's cache at ``folder`` (default :func:`default_folder`) for this process and
    the worker processes it starts; returns the folder in use (``None``: numba was imported
    already with no cache folder, so this process cannot use one).

    A ``NUMBA_CACHE_DIR`` that is already set (by the user, or by an earlier call) is kept.
    """
    current = os.environ.get("NUMBA_CACHE_DIR")
    if current:
        return current
    if "numba" in sys.modules:
        # numba read its configuration at import: a folder set now would not be used
        return None
    path = Path(folder) if folder is not None else default_folder()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # numba then compiles in memory, as without a cache
    os.environ["NUMBA_CACHE_DIR"] = str(path)
    return str(path)


def enable(libraries: tuple[str, ...] = LIBRARIES) -> int:
    """Turn numba's file cache on for the compiled functions of the imported ``libraries`` that
    have not been compiled yet and do not cache already; returns how many.

    A no-op when numba is not imported or no cache folder is configured (numba would otherwise
    write its cache next to the library's source, into site-packages).
    """
    if "numba" not in sys.modules or not os.environ.get("NUMBA_CACHE_DIR"):
        return 0
    try:
        from numba.core.caching import NullCache
        from numba.core.dispatcher import Dispatcher
    except ImportError:  # another numba layout: no cache, as before
        return 0
    enabled = 0
    for name, module in list(sys.modules.items()):
        if module is None or name.partition(".")[0] not in libraries:
            continue
        for attr, value in list(vars(module).items()):
            if isinstance(value, Dispatcher) and _enable_one(value, NullCache, name, attr):
                enabled += 1
    return enabled


def _enable_one(dispatcher: Any, null_cache: type, module: str, attr: str) -> bool:
    if not isinstance(getattr(dispatcher, "_cache", None), null_cache):
        return False  # caches already (cache=True), or enabled before
    if getattr(dispatcher, "overloads", None):
        return False  # compiled already in this process: nothing to gain
    func = getattr(dispatcher, "py_func", None)
    # Only a top-level function of this module under its own name: its module and name then
    # identify it, so the stable uuid below names one function. (Two dispatchers made by one
    # factory share a qualname; giving them one uuid would let numba's cache hand the code
    # compiled for one of them, as an argument, to a call with the other.)
    if (
        func is None
        or getattr(func, "__module__", None) != module
        or getattr(func, "__qualname__", None) != attr
    ):
        return False
    # A recursive function's compiled code calls itself through an address of this process:
    # loaded by another process it crashes (seen: shap's Partition explainer's lower_credit died
    # with SIGSEGV when loaded from the cache). numba's own cache=True does not refuse it.
    if attr in getattr(getattr(func, "__code__", None), "co_names", ()):
        return False
    uuid = f"{_UUID_PREFIX}{func.__module__}.{func.__qualname__}"
    try:
        dispatcher._set_uuid(uuid)
    except AssertionError:  # a uuid was given already (the dispatcher was pickled)
        if dispatcher._uuid != uuid:
            return False
    dispatcher.enable_caching()
    return True


def warm(modules: tuple[str, ...]) -> None:
    """Import ``modules`` (heavy method libraries a run will need; a missing one is skipped: the
    claim says what is missing) and :func:`enable` the file cache of their compiled code."""
    import contextlib
    import importlib

    for name in modules:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    enable()
