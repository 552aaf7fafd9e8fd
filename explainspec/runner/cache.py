"""Incremental re-verification: a results cache in an embedded SQLite database.

A claim's final verdict is stored under a key (:func:`claim_key`, the one function that makes it)
that covers everything a fresh run of the claim depends on:

- the spec's IR without its claims, the claim's IR with its merged world (``repr`` of the frozen
  IR; spans and source paths are ``repr=False``, so moving or reformatting a file keeps the key)
  and the resolved method parameters;
- every option of the run that can change a verdict (all :class:`RunOptions` fields but
  :data:`NOT_IN_KEY`; the profile's worlds and replicates resolved), the run and claim seeds;
- the software: Python, the platform, the versions of explainspec and of the distributions its
  worlds, oracles and methods use (:data:`~explainspec.runner.sources.BASE_DISTRIBUTIONS`), a
  digest of explainspec's own source files (an editable install changes it), and, for plugins,
  what :func:`explainspec.runner.sources.closure` finds: the version of each installed
  distribution reached, the content of each local module reached (the plugin's whole top-level
  package and every local module it imports, transitively, plus the local modules the process
  imported).

A claim whose method cannot be tracked (defined in ``__main__`` or in a module without a file)
has no key: it is neither cached nor given an example database, and the run says so
(:class:`CacheWarning`). Nothing in this module imports numpy, hypothesis or a method library:
a re-run in which every claim hits the cache never pays for them.

Only final verdicts are stored (``verified``, ``refuted``, ``shown``, ``unshown``, ``invalid``,
``not_applicable``); ``error`` (timeouts, crashes, interrupts) is always re-run.

Where and trust: the cache lives in the user's cache folder, one per project
(:func:`default_cache_dir`), never in the checkout being verified. Every row carries an HMAC of
its key, claim, verdict and payload under a secret kept in the user's configuration folder
(:func:`secret_key`), so a row that this user's explainspec did not write -- a forged or edited
row, a cache shipped with a checkout and named with ``--cache``/``--cache-dir`` -- is never
trusted, wherever the file is. The database carries ``PRAGMA application_id`` and ``PRAGMA
user_version`` (the schema version): a file that is not SQLite, an explainspec cache of another
schema version, or a SQLite database of another application is never read: ours are rebuilt, a
foreign database is moved aside (``PATH.foreign``, never deleted) and a new cache is created.
Each row carries its own format version and is decoded strictly; a row that does not decode to a
result of the same claim, or whose HMAC does not match, is deleted and treated as a miss.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import platform
import sqlite3
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from explainspec.runner.sources import Untrackable

CACHE_FILE = "cache.sqlite"
EXAMPLES_DIR = "hypothesis"

APPLICATION_ID = 0x45535043  # "ESPC"
SCHEMA_VERSION = 2
ROW_FORMAT = 2

CACHEABLE = frozenset({"verified", "refuted", "shown", "unshown", "invalid", "not_applicable"})
"""Verdicts that are a function of the key (``error`` is not: timeouts, crashes, interrupts)."""

NOT_IN_KEY = frozenset({"claims", "timeout", "isolate", "claim_timeout", "memory_limit", "debug"})
"""Run options that cannot change a final verdict: the claim filter, where and how long a claim
may run and how much memory it may use (a timeout, a spent budget, running out of memory or a
crash gives ``error``, which is never cached), and whether tracebacks are kept."""

_SCHEMA = """
CREATE TABLE results (
    key TEXT PRIMARY KEY,
    claim TEXT NOT NULL,
    verdict TEXT NOT NULL,
    payload TEXT NOT NULL,
    stored REAL NOT NULL,
    mac TEXT NOT NULL
);
CREATE TABLE durations (
    claim TEXT PRIMARY KEY,
    seconds REAL NOT NULL
);
"""


class CacheWarning(UserWarning):
    """The cache could not be used as it was (rebuilt, moved aside, or a claim not cached)."""


# --------------------------------------------------------------------------- where


def project_root(start: str | os.PathLike[str] | None = None) -> Path:
    """The project ``start`` (default: the working directory) belongs to: the nearest folder
    upwards with a ``.git``, ``pyproject.toml``, ``setup.cfg`` or ``setup.py``; else ``start``."""
    here = Path(start if start is not None else os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if any((folder / m).exists() for m in (".git", "pyproject.toml", "setup.cfg", "setup.py")):
            return folder
    return here


def default_cache_dir(start: str | os.PathLike[str] | None = None) -> Path:
    """The cache folder of the project of ``start``, in the user's cache folder
    (``platformdirs.user_cache_dir("explainspec")/projects/NAME-HASH``): never inside the
    checkout, so a checkout cannot ship a cache that ``verify`` reads."""
    import platformdirs

    root = project_root(start)
    tag = hashlib.blake2b(str(root).encode(), digest_size=6).hexdigest()
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in root.name) or "root"
    return Path(platformdirs.user_cache_dir("explainspec")) / "projects" / f"{name}-{tag}"


KEY_FILE = "cache.key"
_SECRET: bytes | None = None


def secret_key() -> bytes:
    """The secret that authenticates cache rows and example-database entries: 32 random bytes in
    ``platformdirs.user_config_dir("explainspec")/cache.key`` (created on first use, mode 0600),
    read once per process. If that folder cannot be written, a secret for this process only (the
    cache then works within the process and is never trusted afterwards)."""
    global _SECRET
    if _SECRET is None:
        try:
            _SECRET = _read_or_create_key()
        except OSError as e:
            import warnings

            warnings.warn(
                f"cannot keep the cache secret ({e}); earlier runs' results are not reused",
                CacheWarning,
                stacklevel=2,
            )
            _SECRET = os.urandom(32)
    return _SECRET


def _read_or_create_key() -> bytes:
    import platformdirs

    path = Path(platformdirs.user_config_dir("explainspec")) / KEY_FILE
    for _ in range(50):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}.{os.urandom(4).hex()}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, os.urandom(32))
            finally:
                os.close(fd)
            try:
                os.link(tmp, path)  # atomic; fails if another process was first
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
            continue
        if len(data) >= 32:
            return data[:32]
        time.sleep(0.01)  # hard links appear whole: a short file is not ours; look again
    raise OSError(f"{path} is not a 32-byte key")


def mac(*parts: str | bytes) -> str:
    """An HMAC-SHA256 (hex) of ``parts`` under :func:`secret_key`."""
    h = hmac.new(secret_key(), digestmod=hashlib.sha256)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


# --------------------------------------------------------------------------- keys


_SOURCE_DIGEST: str | None = None


def source_files() -> list[Path]:
    """explainspec's own ``.py`` files, sorted."""
    return sorted(Path(__file__).resolve().parents[1].rglob("*.py"))


def source_digest(*, fresh: bool = False) -> str:
    """A digest of explainspec's own ``.py`` files (a few ms; cached per process unless
    ``fresh``: ``verify --watch`` compares it with the files as they are now)."""
    global _SOURCE_DIGEST
    if _SOURCE_DIGEST is None or fresh:
        root = Path(__file__).resolve().parents[1]
        h = hashlib.blake2b(digest_size=16)
        for path in source_files():
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
        if not fresh or _SOURCE_DIGEST is None:
            _SOURCE_DIGEST = h.hexdigest()
        return h.hexdigest()
    return _SOURCE_DIGEST


_BASE: dict[str, str] | None = None


def base_software() -> dict[str, str]:
    """Python, the platform, explainspec's source digest and the versions of
    :data:`~explainspec.runner.sources.BASE_DISTRIBUTIONS` (once per process; nothing imported)."""
    global _BASE
    if _BASE is None:
        from explainspec.runner.sources import BASE_DISTRIBUTIONS, version

        _BASE = {f"dist:{d}": version(d) for d in BASE_DISTRIBUTIONS}
        _BASE["python"] = f"{platform.python_implementation()} {sys.version}"
        _BASE["platform"] = f"{sys.platform} {platform.machine()}"
        _BASE["explainspec-source"] = source_digest()
    return _BASE


def method_module(entry: Any) -> str | None:
    """The module that implements a method entry (``None`` for explainspec's own methods)."""
    from explainspec.runner.sources import module_of

    obj = getattr(entry, "obj", None)
    name = module_of(obj) if obj is not None else None
    if name is None and getattr(entry, "target", None):
        name = str(entry.target).partition(":")[0]
    if name is None:
        raise Untrackable("it names no module")
    return None if name == "explainspec" or name.startswith("explainspec.") else name


def software(plan: Any, memo: dict[Any, Any] | None = None) -> dict[str, str]:
    """Every installed version and local source digest a fresh run of ``plan`` depends on.

    Raises :class:`~explainspec.runner.sources.Untrackable` when that cannot be known. ``memo``
    (a dict kept for one run) saves finding the same modules again for the next claim.
    """
    from explainspec.runner.sources import closure, local_modules

    memo = {} if memo is None else memo
    if "local" not in memo:
        memo["local"] = tuple(local_modules())
    roots = tuple(sorted({*plan.options.plugins, *memo["local"]}))
    module = method_module(plan.entry())
    if module is not None:
        roots = (*roots, module)
    if roots not in memo:
        try:
            memo[roots] = closure(roots)
        except Untrackable as e:
            memo[roots] = e
    found = memo[roots]
    if isinstance(found, Untrackable):
        raise found
    out = dict(base_software())
    out["method-module"] = str(module)
    out.update(found)
    return out


def claim_key(plan: Any, versions: dict[str, str] | None = None) -> str:
    """The cache key of a planned claim (a hex digest): the one function that makes keys.

    ``versions`` defaults to :func:`software` of the plan (which raises
    :class:`~explainspec.runner.sources.Untrackable` for a method whose code cannot be known).
    """
    if versions is None:
        versions = software(plan)
    options = plan.options
    knobs = {
        f.name: repr(getattr(options, f.name))
        for f in dataclasses.fields(options)
        if f.name not in NOT_IN_KEY
    }
    parts = {
        "format": ROW_FORMAT,
        "spec": repr(dataclasses.replace(plan.spec, claims=())),
        "method": plan.method,
        "params": repr(sorted(plan.params.items())),
        "claim": repr(plan.claim),
        "world": repr(plan.world),
        "options": sorted(knobs.items()),
        "max_examples": options.n_examples,
        "replicates": options.n_replicates,
        "seed": plan.seed,
        "claim_seed": plan.claim_seed,
        "software": sorted(versions.items()),
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
        d["points"] = tuple(
            ev.PointResult(
                **{
                    **x,
                    "point": tuple(float(v) for v in x.get("point", ())),
                    "quantities": tuple(ev.Quantity(**q) for q in x.get("quantities", ())),
                }
            )
            for x in d.get("points", ())
        )
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

    def __init__(self, path: str | os.PathLike[str]) -> None:
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
                    if not {"key", "claim", "verdict", "payload", "stored", "mac"} <= cols:
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
                "SELECT claim, verdict, payload, mac FROM results WHERE key = ?", (key,)
            ).fetchone()
        except sqlite3.DatabaseError as e:
            self.warnings.append(f"cache read failed ({e}); running the claim")
            self.misses += 1
            return None
        if row is None:
            self.misses += 1
            return None
        try:
            if not isinstance(row[3], str) or not hmac.compare_digest(
                row[3], mac(key, str(row[0]), str(row[1]), str(row[2]))
            ):
                raise RowError("the row was not written by this user's explainspec")
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
                payload = encode_result(result)
                self._db.execute(
                    "INSERT OR REPLACE INTO results (key, claim, verdict, payload, stored, mac) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        result.id,
                        result.verdict.value,
                        payload,
                        time.time(),
                        mac(key, result.id, result.verdict.value, payload),
                    ),
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

    Every stored value carries an HMAC of the claim's key and the value under :func:`secret_key`;
    a value without a valid one (written by anything but this user's explainspec, e.g. shipped
    with a checkout) is never replayed. Replayed worlds are re-checked like any other, but they
    count toward the claim's budget of worlds, so a foreign database could fill the budget with
    harmless worlds and end the search before the one that refutes the claim: it is not trusted.
    """
    global _DB_CLASS
    if _DB_CLASS is None:
        from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

        tag_size = 16

        def tag(key: bytes, value: bytes) -> bytes:
            return bytes.fromhex(mac(b"example-database", key, value))[:tag_size]

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
                    found[0].save(found[1], tag(found[1], value) + value)

            def fetch(self, key: bytes) -> Any:
                found = self._key(key)
                if found is None:
                    return
                for stored in found[0].fetch(found[1]):
                    value = stored[tag_size:]
                    if len(stored) >= tag_size and hmac.compare_digest(
                        stored[:tag_size], tag(found[1], value)
                    ):
                        yield value

            def delete(self, key: bytes, value: bytes) -> None:
                found = self._key(key)
                if found is not None:
                    found[0].delete(found[1], tag(found[1], value) + value)

            def move(self, src: bytes, dest: bytes, value: bytes) -> None:
                # the tag covers the key: a move is a delete and a save
                self.delete(src, value)
                self.save(dest, value)

            def __repr__(self) -> str:
                where = None if self.inner is None else str(self.inner.path)
                return f"ClaimExampleDatabase({where!r}, {self.prefix.decode()!r})"

        _DB_CLASS = ClaimExampleDatabase
    return _DB_CLASS(None if directory is None else str(directory), key)
