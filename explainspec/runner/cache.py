"""Incremental re-verification: a results cache in an embedded SQLite database.

A claim's final verdict is stored under a key that covers everything the verdict depends on:

- the spec-level method reference and the claim's IR with its merged world (``repr`` of the frozen
  IR; spans and source paths are ``repr=False`` in the IR, so moving or reformatting a file does
  not change the key), the output kind and the resolved method parameters;
- the profile, worlds per claim, replicates, refutation factor and floor, the run seed (the claim
  seed is derived from it and the names);
- the versions of explainspec, numpy, hypothesis and the method's library (read with
  :func:`importlib.metadata.version`, nothing is imported), the Python version, and a digest of
  explainspec's own source files (so an editable install invalidates the cache when the code
  changes) and of a plugin method's module file.

Nothing in this module imports numpy, hypothesis or a method library: a re-run in which every claim
hits the cache never pays for them.

Only final verdicts are stored (``verified``, ``refuted``, ``shown``, ``unshown``, ``invalid``,
``not_applicable``); ``error`` (timeouts, crashes, interrupts) is always re-run.

Trust: the database carries ``PRAGMA application_id`` and ``PRAGMA user_version`` (the schema
version). A file that is not SQLite, an explainspec cache of another schema version, or a SQLite
database of another application is never read: ours are rebuilt, a foreign database is moved
aside (``PATH.foreign``, never deleted) and a new cache is created. Each row carries its own
format version and is decoded strictly; a row that does not decode to a result of the same claim
is deleted and treated as a miss.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import platform
import sqlite3
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(".explainspec") / "cache.sqlite"
"""Where ``verify`` keeps the cache unless ``--cache PATH`` or ``--no-cache`` is given."""

APPLICATION_ID = 0x45535043  # "ESPC"
SCHEMA_VERSION = 1
ROW_FORMAT = 1

CACHEABLE = frozenset({"verified", "refuted", "shown", "unshown", "invalid", "not_applicable"})
"""Verdicts that are a function of the key (``error`` is not: timeouts, crashes, interrupts)."""

# The distributions whose versions can change a method's numbers, by the registry's ``library``.
LIBRARY_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "shap": ("shap", "numba", "scikit-learn", "scipy"),
    "sklearn": ("scikit-learn", "scipy"),
    "lime": ("lime", "scikit-learn", "scipy"),
    "reference": ("scipy",),
    "shapiq": ("shapiq", "scipy"),
    "interpret": ("interpret-core",),
    "dice": ("dice-ml", "pandas", "scikit-learn"),
    "pyale": ("PyALE", "pandas"),
}
_ALWAYS = ("explainspec", "numpy", "hypothesis")

_SCHEMA = """
CREATE TABLE results (
    key TEXT PRIMARY KEY,
    claim TEXT NOT NULL,
    verdict TEXT NOT NULL,
    payload TEXT NOT NULL,
    stored REAL NOT NULL
);
CREATE TABLE durations (
    claim TEXT PRIMARY KEY,
    seconds REAL NOT NULL
);
"""


class CacheWarning(UserWarning):
    """The cache file could not be used as it was (it was rebuilt or moved aside)."""


# --------------------------------------------------------------------------- keys


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


_SOURCE_DIGEST: str | None = None


def source_digest() -> str:
    """A digest of explainspec's own ``.py`` files and spec grammar (a few ms; cached per process)."""
    global _SOURCE_DIGEST
    if _SOURCE_DIGEST is None:
        root = Path(__file__).resolve().parents[1]
        h = hashlib.blake2b(digest_size=16)
        for path in sorted(root.rglob("*.py")):
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
        _SOURCE_DIGEST = h.hexdigest()
    return _SOURCE_DIGEST


def _module_digest(module_name: str | None) -> str:
    module = sys.modules.get(module_name or "")
    path = getattr(module, "__file__", None)
    if not path:
        return "unknown"
    try:
        return hashlib.blake2b(Path(path).read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return "unreadable"


def library_versions(entry: Any) -> dict[str, str]:
    """Versions of the distributions a method's numbers depend on (nothing is imported)."""
    extra = getattr(entry, "extra", {}) or {}
    library = str(extra.get("library", "plugin"))
    out = {d: _version(d) for d in _ALWAYS + LIBRARY_DISTRIBUTIONS.get(library, ())}
    out["python"] = platform.python_version()
    out["explainspec-source"] = source_digest()
    if library not in LIBRARY_DISTRIBUTIONS:
        # a plugin: its module's file and the distribution that ships it, if any
        fn = getattr(entry, "obj", None)
        module = getattr(fn, "__module__", None)
        if module is None and getattr(entry, "target", None):
            module = str(entry.target).partition(":")[0]
        out["plugin-module"] = str(module)
        out["plugin-source"] = _module_digest(module)
        try:
            from importlib.metadata import packages_distributions

            for dist in packages_distributions().get(str(module).partition(".")[0], []):
                out[f"dist:{dist}"] = _version(dist)
        except Exception:  # noqa: BLE001 - metadata problems only make the key more specific
            out["plugin-dist"] = "unknown"
    return out


def claim_key(plan: Any, versions: dict[str, str] | None = None) -> str:
    """The cache key of a planned claim (a hex digest).

    ``versions`` defaults to :func:`library_versions` of the plan's method entry.
    """
    options = plan.options
    if versions is None:
        versions = library_versions(plan.entry())
    parts = {
        "format": ROW_FORMAT,
        "spec": plan.spec.name,
        "method": repr(plan.spec.method),
        "output": repr(plan.spec.output),
        "params": repr(sorted(plan.params.items())),
        "claim": repr(plan.claim),
        "world": repr(plan.world),
        "profile": options.profile,
        "max_examples": options.n_examples,
        "replicates": options.n_replicates,
        "refute": [repr(options.refute_factor), repr(options.refute_floor)],
        "seed": plan.seed,
        "claim_seed": plan.claim_seed,
        "versions": sorted(versions.items()),
    }
    text = json.dumps(parts, sort_keys=True, default=repr)
    return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()


# --------------------------------------------------------------------------- rows


def encode_result(result: Any) -> str:
    """A :class:`~explainspec.runner.events.ClaimResult` as JSON text (non-finite floats kept)."""
    data = _plain(result)
    data.pop("cached", None)
    return json.dumps({"row_format": ROW_FORMAT, "result": data}, allow_nan=True)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "value") and type(value).__name__ == "Verdict":
        return value.value
    return value


class RowError(ValueError):
    """A stored row does not decode to a result."""


def decode_result(text: str) -> Any:
    """The :class:`~explainspec.runner.events.ClaimResult` stored by :func:`encode_result`.

    Raises :class:`RowError` for anything that is not exactly such a row.
    """
    from explainspec.runner import events as ev

    try:
        doc = json.loads(text)
        if not isinstance(doc, dict) or doc.get("row_format") != ROW_FORMAT:
            raise RowError("wrong row format")
        d = dict(doc["result"])
        d["verdict"] = ev.Verdict(d["verdict"])
        d["timings"] = ev.Timings(**d.get("timings", {}))
        d["diagnostics"] = tuple(ev.RunDiagnostic(**x) for x in d.get("diagnostics", ()))
        d["explicit"] = tuple(ev.ExampleResult(**x) for x in d.get("explicit", ()))
        c = d.get("counterexample")
        if c is not None:
            c = dict(c)
            c["quantities"] = tuple(ev.Quantity(**q) for q in c.get("quantities", ()))
            for name in ("point", "baseline"):
                if c.get(name) is not None:
                    c[name] = tuple(float(v) for v in c[name])
            c["info"] = tuple((str(k), str(v)) for k, v in c.get("info", ()))
            d["counterexample"] = ev.Counterexample(**c)
        return ev.ClaimResult(**d)
    except RowError:
        raise
    except Exception as e:  # noqa: BLE001 - any decoding problem means: do not trust this row
        raise RowError(f"{type(e).__name__}: {e}") from None


# --------------------------------------------------------------------------- the database


class ResultsCache:
    """The SQLite results cache at ``path`` (created with its folder when missing).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with ResultsCache(pathlib.Path(tempfile.mkdtemp()) / "c.sqlite") as cache:
    ...     cache.get("no-such-key", "s.c") is None
    True
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_PATH) -> None:
        self.path = Path(path)
        self.warnings: list[str] = []
        self.hits = self.misses = self.stored = self.discarded = 0
        self._db = self._open()

    # ---------------------------------------------------------------- opening

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA busy_timeout = 30000")
        return db

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        problem = self._validate() if self.path.exists() else None
        if problem == "foreign":
            aside = self.path.with_name(self.path.name + ".foreign")
            n = 1
            while aside.exists():
                n += 1
                aside = self.path.with_name(f"{self.path.name}.foreign{n}")
            os.replace(self.path, aside)
            self.warnings.append(
                f"{self.path} is not an explainspec cache (another application's SQLite "
                f"database?); moved it to {aside} and started a new cache"
            )
        elif problem is not None:
            self.path.unlink(missing_ok=True)
            for suffix in ("-wal", "-shm", "-journal"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            self.warnings.append(f"rebuilt the cache {self.path}: {problem}")
        db = self._connect()
        if problem is not None or not self._has_schema(db):
            with db:
                db.execute("BEGIN")
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
        return db

    @staticmethod
    def _has_schema(db: sqlite3.Connection) -> bool:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {"results", "durations"} <= names

    def _validate(self) -> str | None:
        """``None`` if the file is a cache of ours at this schema, else what is wrong with it."""
        if self.path.stat().st_size == 0:
            return "empty file"
        try:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
            try:
                app = db.execute("PRAGMA application_id").fetchone()[0]
                version = db.execute("PRAGMA user_version").fetchone()[0]
                tables = {
                    r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
                }
                if app == APPLICATION_ID and version == SCHEMA_VERSION:
                    cols = {r[1] for r in db.execute("PRAGMA table_info(results)")}
                    if not {"key", "claim", "verdict", "payload", "stored"} <= cols:
                        return "the results table has the wrong columns"
                    db.execute("SELECT count(*) FROM results").fetchone()
                    return None
            finally:
                db.close()
        except sqlite3.DatabaseError as e:
            return f"not a readable SQLite database ({e})"
        if app == APPLICATION_ID:
            return f"schema version {version}, expected {SCHEMA_VERSION}"
        if app == 0 and not tables:
            return "an empty SQLite database"
        return "foreign"

    # ---------------------------------------------------------------- use

    def get(self, key: str, claim: str) -> Any:
        """The cached result of ``claim`` under ``key``, or ``None`` (a bad row is deleted)."""
        try:
            row = self._db.execute(
                "SELECT claim, verdict, payload FROM results WHERE key = ?", (key,)
            ).fetchone()
        except sqlite3.DatabaseError as e:
            self.warnings.append(f"cache read failed ({e}); running the claim")
            self.misses += 1
            return None
        if row is None:
            self.misses += 1
            return None
        try:
            result = decode_result(row[2])
            if row[0] != claim or result.id != claim or result.verdict.value != row[1]:
                raise RowError("the row belongs to another claim")
            if result.verdict.value not in CACHEABLE:
                raise RowError(f"verdict {result.verdict.value!r} is never cached")
        except RowError:
            self.discarded += 1
            self.misses += 1
            self._delete(key)
            return None
        self.hits += 1
        return result

    def put(self, key: str, result: Any) -> bool:
        """Store ``result`` if its verdict is final; record its duration either way."""
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(
                    "INSERT OR REPLACE INTO durations (claim, seconds) VALUES (?, ?)",
                    (result.id, float(result.timings.total)),
                )
                if result.verdict.value not in CACHEABLE:
                    return False
                self._db.execute(
                    "INSERT OR REPLACE INTO results (key, claim, verdict, payload, stored) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (key, result.id, result.verdict.value, encode_result(result), time.time()),
                )
        except sqlite3.DatabaseError as e:
            self.warnings.append(f"cache write failed ({e})")
            return False
        self.stored += 1
        return True

    def durations(self, claims: Iterable[str]) -> dict[str, float]:
        """Seconds each claim took the last time it ran (for scheduling the longest first)."""
        wanted = set(claims)
        try:
            rows = self._db.execute("SELECT claim, seconds FROM durations").fetchall()
        except sqlite3.DatabaseError:
            return {}
        return {c: float(s) for c, s in rows if c in wanted and isinstance(s, (int, float))}

    def _delete(self, key: str) -> None:
        try:
            with self._db:
                self._db.execute("DELETE FROM results WHERE key = ?", (key,))
        except sqlite3.DatabaseError:
            pass

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultsCache:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


# --------------------------------------------------------------------------- hypothesis' database

_DB_CLASS: Any = None


def claim_database(directory: str | os.PathLike[str] | None, key: str) -> Any:
    """Hypothesis' example database in ``directory``, scoped to one claim key (``directory=None``:
    a database that keeps nothing, the runner's default).

    Every claim's property is the same Python function, so hypothesis would give all claims one
    database key and replay one claim's failures on another. This wrapper prefixes every key with
    the claim's cache key (which includes the seed and the versions), so a claim replays only the
    failures its own identical search found: the verdict stays the one the seed gives, and the
    counterexample is reached without re-generating the worlds before it (a run interrupted while
    shrinking resumes from the smallest failure so far). The pareto front that hypothesis keeps for
    ``target()`` is neither stored nor replayed: replaying it would spend part of the budget of a
    passing claim on old worlds and change which worlds it tries.
    """
    global _DB_CLASS
    if _DB_CLASS is None:
        from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

        class ClaimExampleDatabase(ExampleDatabase):
            def __init__(self, directory: str | None, key: str) -> None:
                super().__init__()
                self.inner = None if directory is None else DirectoryBasedExampleDatabase(directory)
                self.prefix = f"explainspec:{key}:".encode()

            def _key(self, key: bytes) -> tuple[DirectoryBasedExampleDatabase, bytes] | None:
                """The inner database and this claim's key, or None (no database, a pareto key)."""
                if self.inner is None or key.endswith(b".pareto"):
                    return None
                return self.inner, self.prefix + key

            def save(self, key: bytes, value: bytes) -> None:
                found = self._key(key)
                if found is not None:
                    found[0].save(found[1], value)

            def fetch(self, key: bytes) -> Any:
                found = self._key(key)
                return iter(()) if found is None else found[0].fetch(found[1])

            def delete(self, key: bytes, value: bytes) -> None:
                found = self._key(key)
                if found is not None:
                    found[0].delete(found[1], value)

            def move(self, src: bytes, dest: bytes, value: bytes) -> None:
                s, d = self._key(src), self._key(dest)
                if s is not None and d is not None:
                    s[0].move(s[1], d[1], value)
                elif s is not None:
                    s[0].delete(s[1], value)
                elif d is not None:
                    d[0].save(d[1], value)

            def __repr__(self) -> str:
                where = None if self.inner is None else str(self.inner.path)
                return f"ClaimExampleDatabase({where!r}, {self.prefix.decode()!r})"

        _DB_CLASS = ClaimExampleDatabase
    return _DB_CLASS(None if directory is None else str(directory), key)
