"""What a claim's verdict depends on outside explainspec: installed distributions and local code.

Read by the results cache (:func:`explainspec.runner.cache.claim_key`). A method reached through a
plugin depends on the modules it imports, which may change without any version changing: a
helper module next to the plugin, a sibling package of the checkout, an editable install. This
module finds them *without running them*: modules are located with ``importlib``'s finders (for
top-level names only, so no package code runs), imports are read from the source with :mod:`ast`.

- A top-level package or module installed in a site-packages folder counts by the version of the
  distribution that owns it (:func:`importlib.metadata.packages_distributions`).
- Any other (*local*) top-level package counts by the content of its code files (``.py``,
  ``.pyc``, extension modules), and its other files by size and modification time; the imports
  of its ``.py`` files -- at module level and inside functions -- are followed the same way.
- The standard library counts by the Python version; explainspec itself by its version and a
  digest of its own source (:func:`explainspec.runner.cache.source_digest`).

A method defined in ``__main__`` (a script, a notebook, an interactive session) or in a module
without a file cannot be tracked: :class:`Untrackable` says why, and the claim is not cached.
"""

from __future__ import annotations

import ast
import hashlib
import os
import site
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path
from typing import Any

BASE_DISTRIBUTIONS = (
    "explainspec",
    "numpy",
    "scipy",
    "hypothesis",
    "shap",
    "numba",
    "llvmlite",
    "scikit-learn",
    "lime",
    "torch",
    "captum",
    # the tabular toolbox's optional libraries ("not installed" when absent)
    "shapiq",
    "interpret-core",
    "dice-ml",
    "PyALE",
    "pandas",
)
"""Distributions in every key: explainspec and what its worlds, oracles and built-in methods use."""

MAIN_MODULES = frozenset({"__main__", "__mp_main__"})

#: files of one local package looked at, at most (a local "package" can be a big folder)
MAX_FILES = 20_000

_CODE_SUFFIXES = (".py", ".pyc", ".so", ".pyd")
_SKIP_DIRS = frozenset({"__pycache__", "node_modules", "site-packages"})


class Untrackable(Exception):
    """What a method runs cannot be known from files (the claim is then not cached)."""


# --------------------------------------------------------------------------- installed software

_VERSIONS: dict[str, str] = {}


def version(dist: str) -> str:
    """The installed version of distribution ``dist`` (``"not installed"``); nothing is imported."""
    if dist not in _VERSIONS:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as _version

        try:
            _VERSIONS[dist] = _version(dist)
        except PackageNotFoundError:
            _VERSIONS[dist] = "not installed"
    return _VERSIONS[dist]


_OWNERS: dict[str, list[str]] | None = None
_OWNER: dict[str, list[str]] = {
    # the import names of BASE_DISTRIBUTIONS (always in the key): no need to look them up
    "explainspec": ["explainspec"],
    "numpy": ["numpy"],
    "scipy": ["scipy"],
    "hypothesis": ["hypothesis"],
    "shap": ["shap"],
    "numba": ["numba"],
    "llvmlite": ["llvmlite"],
    "sklearn": ["scikit-learn"],
    "lime": ["lime"],
    "torch": ["torch"],
    "captum": ["captum"],
    "shapiq": ["shapiq"],
    "interpret": ["interpret-core"],
    "dice_ml": ["dice-ml"],
    "PyALE": ["PyALE"],
    "pandas": ["pandas"],
}


def owners(top: str) -> list[str]:
    """The distributions that install the top-level name ``top``.

    The distribution named like ``top`` is tried first (it is one metadata lookup, and usually
    right); otherwise :func:`importlib.metadata.packages_distributions`, which reads the metadata
    of every installed distribution (once per process)."""
    global _OWNERS
    if top in _OWNER:
        return _OWNER[top]
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution(top)
        names = (dist.read_text("top_level.txt") or "").split()
        if top in names or any(
            str(f).split("/")[0] in (top, f"{top}.py") for f in dist.files or ()
        ):
            _OWNER[top] = [dist.metadata["Name"] or top]
            return _OWNER[top]
    except (PackageNotFoundError, Exception):  # noqa: BLE001 - then look through all of them
        pass
    if _OWNERS is None:
        from importlib.metadata import packages_distributions

        try:
            _OWNERS = {k: list(v) for k, v in packages_distributions().items()}
        except Exception:  # noqa: BLE001 - broken metadata: every installed module is then hashed
            _OWNERS = {}
    _OWNER[top] = _OWNERS.get(top, [])
    return _OWNER[top]


_DIRS: tuple[tuple[str, ...], tuple[str, ...]] | None = None


def _dirs() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(folders of installed distributions, folders of the standard library), resolved."""
    global _DIRS
    if _DIRS is None:
        paths = sysconfig.get_paths()
        installed = {paths.get("purelib"), paths.get("platlib")}
        installed.update(getattr(site, "getsitepackages", list)())
        installed.add(getattr(site, "getusersitepackages", lambda: None)())
        installed.update(p for p in sys.path if p.endswith(("site-packages", "dist-packages")))
        stdlib = {paths.get("stdlib"), paths.get("platstdlib")}
        _DIRS = (_both(installed), _both(stdlib))
    return _DIRS


def _both(paths: Iterable[str | None]) -> tuple[str, ...]:
    """Each folder as given and resolved, with a trailing separator (for prefix tests)."""
    out = set()
    for p in paths:
        if p:
            out.add(os.path.abspath(p) + os.sep)
            out.add(os.path.realpath(p) + os.sep)
    return tuple(sorted(out))


def where(path: str) -> str:
    """``"installed"``, ``"stdlib"`` or ``"local"``: where the file or folder ``path`` lives."""
    installed, stdlib = _dirs()
    for candidate in (os.path.abspath(path), os.path.realpath(path)):
        candidate += os.sep
        if candidate.startswith(installed):
            return "installed"
        if candidate.startswith(stdlib):
            return "stdlib"
    return "local"


# --------------------------------------------------------------------------- files

_DIGESTS: dict[str, tuple[tuple[int, int, int], str]] = {}


def file_digest(path: Path) -> str:
    """A digest of a code file's content, remembered while its size and mtime do not change."""
    st = path.stat()
    stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
    known = _DIGESTS.get(str(path))
    if known is not None and known[0] == stamp:
        return known[1]
    digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    _DIGESTS[str(path)] = (stamp, digest)
    return digest


def _files(roots: list[str]) -> list[Path]:
    """The files of a local top-level module: the file itself, or every file below its folders."""
    out: list[Path] = []
    for root in roots:
        p = Path(root)
        if p.is_file():
            out.append(p)
            continue
        for folder, dirs, names in os.walk(p):
            dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
            out.extend(Path(folder) / n for n in sorted(names) if not n.startswith("."))
            if len(out) > MAX_FILES:
                raise Untrackable(f"it uses {root}, which has more than {MAX_FILES} files")
    return out


_IMPORTS: dict[tuple[str, str, bool], tuple[str, set[str]]] = {}


def _imports(path: Path, module: str, is_package: bool) -> set[str]:
    """Top-level names a ``.py`` file imports, anywhere in it (relative imports resolved);
    remembered while the file's content digest does not change."""
    memo = (str(path), module, is_package)
    digest = file_digest(path)
    known = _IMPORTS.get(memo)
    if known is not None and known[0] == digest:
        return known[1]
    found = _read_imports(path, module, is_package)
    _IMPORTS[memo] = (digest, found)
    return found


def _read_imports(path: Path, module: str, is_package: bool) -> set[str]:
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError, OSError):
        return set()  # its content is in the digest; a file Python cannot compile imports nothing
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name.partition(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                out.add(node.module.partition(".")[0])
            elif node.level:
                parts = module.split(".")
                base = parts if is_package else parts[:-1]
                if len(base) >= node.level:
                    out.add(base[0])
    return out


def _module_name(file: Path, top: str, roots: list[str]) -> tuple[str, bool]:
    """The dotted name of ``file`` inside the top-level package ``top`` and if it is a package."""
    for root in roots:
        if Path(root) == file:
            return top, False
        try:
            rel = file.relative_to(root)
        except ValueError:
            continue
        parts = [top, *rel.with_suffix("").parts]
        if parts[-1] == "__init__":
            return ".".join(parts[:-1]), True
        return ".".join(parts), False
    return top, file.name == "__init__.py"


# --------------------------------------------------------------------------- modules


def _locate(top: str) -> tuple[list[str], str] | None:
    """The file or folders of the top-level module ``top`` and where they live, without running
    any of its code; ``None`` when it cannot be found."""
    import importlib.util

    module = sys.modules.get(top)
    if module is not None:
        roots = [str(p) for p in (getattr(module, "__path__", None) or ())]
        file = getattr(module, "__file__", None)
        if not roots and file:
            roots = [file]
        if not roots:
            if top in sys.builtin_module_names or top in sys.stdlib_module_names:
                return [], "stdlib"
            raise Untrackable(f"it uses module {top!r}, which has no file (built at run time)")
    else:
        if top in sys.builtin_module_names:
            return [], "stdlib"
        try:
            spec = importlib.util.find_spec(top)  # a top-level name: no package code runs
        except Exception:  # noqa: BLE001 - a finder that fails: as if the module were missing
            return None
        if spec is None:
            return None
        roots = [str(p) for p in (spec.submodule_search_locations or ())]
        if not roots and spec.origin and spec.has_location:
            roots = [spec.origin]
        if not roots:
            return [], "stdlib" if top in sys.stdlib_module_names else "local"
    kinds = {where(r) for r in roots}
    kind = "local" if "local" in kinds else ("installed" if "installed" in kinds else "stdlib")
    return roots, kind


def closure(modules: Iterable[str]) -> dict[str, str]:
    """What the modules ``modules`` (dotted names) depend on, as key material.

    Returns ``{"dist:NAME": version}`` for every installed distribution reached and
    ``{"file:PATH": digest}`` for every file of every local top-level module reached, following
    the imports of local ``.py`` files. Raises :class:`Untrackable` for a module defined in
    ``__main__`` or without a file.
    """
    out: dict[str, str] = {}
    todo = []
    for name in modules:
        top = name.partition(".")[0]
        if top in MAIN_MODULES:
            raise Untrackable(
                "it is defined in __main__ (a script, a notebook or an interactive session), "
                "whose source cannot be tracked"
            )
        todo.append(top)
    seen: set[str] = set()
    while todo:
        top = todo.pop()
        if top in seen or top == "explainspec" or top in MAIN_MODULES:
            continue
        seen.add(top)
        found = _locate(top)
        if found is None:
            out[f"missing:{top}"] = "missing"  # appears later: the key changes
            continue
        roots, kind = found
        if kind == "stdlib":
            continue
        dists = owners(top) if kind == "installed" else []
        if dists:
            for d in dists:
                out[f"dist:{d}"] = version(d)
            continue
        for file in _files(roots):
            try:
                if file.suffix in _CODE_SUFFIXES:
                    out[f"file:{file}"] = file_digest(file)
                else:
                    st = file.stat()
                    out[f"file:{file}"] = f"{st.st_size}:{st.st_mtime_ns}"
            except OSError as e:
                raise Untrackable(
                    f"it uses {file}, which cannot be read ({e.strerror or e})"
                ) from None
            if file.suffix == ".py":
                module, is_package = _module_name(file, top, roots)
                todo.extend(_imports(file, module, is_package) - seen)
    return out


def local_modules() -> list[str]:
    """Top-level names of the local modules this process has imported (a plugin may import some
    by a computed name, which no ``import`` statement shows)."""
    out = []
    for name, module in list(sys.modules.items()):
        if "." in name or name in MAIN_MODULES or name == "explainspec":
            continue
        file = getattr(module, "__file__", None)
        paths = list(getattr(module, "__path__", None) or ())
        if (file or paths) and where(file or paths[0]) == "local":
            out.append(name)
    return sorted(out)


def module_of(obj: Any) -> str | None:
    """The module that defines ``obj`` (a function, a class or a callable object)."""
    name = getattr(obj, "__module__", None)
    if not isinstance(name, str):
        name = getattr(type(obj), "__module__", None)
    return name if isinstance(name, str) else None
