"""Typed registries of the names a spec may use: methods, families, distributions, oracles,
builtins, question types.

The built-in entries are declared as plain data in ``explainspec.catalog.*`` (one module per
room, no heavy imports), so ``explainspec check`` and ``explainspec list`` never import numpy,
shap or scikit-learn. An entry names its implementation as ``"module:attr"`` and loads it only
when it is first used. Plugins add entries explicitly (``--plugin MODULE``, the
``explainspec.methods`` entry-point group, or the :func:`explainspec.method` decorator inside a
plugin module); nothing is registered by importing explainspec itself.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final


class _Required:
    """Sentinel default of a parameter that has no default."""

    _instance: _Required | None = None

    def __new__(cls) -> _Required:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Final = _Required()

KINDS: Final = ("method", "family", "distribution", "oracle", "builtin", "question")


@dataclass(frozen=True, slots=True, kw_only=True)
class Param:
    """One parameter of a registered callable.

    ``type`` is a short name used in messages and docs (``"int"``, ``"float"``, ``"str"``,
    ``"function"``, ``"point"``, ``"data"``, ``"int | 'auto'"`` ...). It is also read by
    machines (:func:`param_type`): alternatives separated by ``|``, each ``int``, ``float``,
    ``number``, ``str``, ``bool``, ``None``, a quoted value (``'auto'``: the choices of a string
    parameter are written this way), or ``[T]`` (a list of T); any other word (``point``,
    ``data``, ...) is not checked. ``low`` is the smallest allowed number and ``limit`` names
    the limit of :mod:`explainspec.catalog.limits` that bounds it from above.
    """

    name: str
    type: str = "any"
    default: Any = REQUIRED
    doc: str = ""
    low: float | None = None
    limit: str | None = None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def problem(self, value: Any) -> tuple[str, str] | None:
        """Why ``value`` (a literal: int, float, str, bool, or a tuple of them) does not fit
        this parameter: ``("type", text)``, ``("limit", text)``, or ``None`` when it fits (or
        the type is not machine-checkable).

        >>> Param(name="n", type="int | 'auto'", low=1).problem("lots")
        ('type', "expected int | 'auto', got 'lots'")
        >>> Param(name="n", type="int | 'auto'", low=1).problem(0)
        ('type', 'expected a number >= 1, got 0')
        """
        alts = param_type(self.type)
        if any(kind == "other" for kind, _ in alts):
            return None
        if not any(_fits(alt, value) for alt in alts):
            return "type", f"expected {self.type}, got {_shown(value)}"
        if isinstance(value, int | float) and not isinstance(value, bool):
            if self.low is not None and value < self.low:
                return "type", f"expected a number >= {self.low:g}, got {_shown(value)}"
            if self.limit is not None:
                from explainspec.catalog.limits import limit

                if value > limit(self.limit):
                    return "limit", (
                        f"{_shown(value)} is over the limit `{self.limit}` = {limit(self.limit)}"
                    )
        return None


def param_type(text: str) -> tuple[tuple[str, Any], ...]:
    """The alternatives of a :attr:`Param.type` string as ``(kind, argument)`` pairs.

    ``kind`` is ``"int"``, ``"float"`` (any number), ``"str"``, ``"bool"``, ``"none"``,
    ``"literal"`` (argument: the quoted value), ``"list"`` (argument: the alternatives of the
    items) or ``"other"`` (argument: the text; not machine-checkable).

    >>> param_type("int | 'auto'")
    (('int', None), ('literal', 'auto'))
    >>> param_type("[str]")
    (('list', (('str', None),)),)
    """
    parts, depth, start = [], 0, 0
    for k, ch in enumerate(text):
        depth += (ch == "[") - (ch == "]")
        if ch == "|" and depth == 0:
            parts.append(text[start:k])
            start = k + 1
    parts.append(text[start:])
    out: list[tuple[str, Any]] = []
    for raw in parts:
        word = raw.strip()
        if len(word) >= 2 and word[0] == word[-1] and word[0] in "'\"":
            out.append(("literal", word[1:-1]))
        elif word.startswith("[") and word.endswith("]") and "," not in word:
            out.append(("list", param_type(word[1:-1])))
        else:
            kind = _TYPE_WORDS.get(word)
            out.append((kind, None) if kind else ("other", word))
    return tuple(out)


_TYPE_WORDS: Final = {
    "int": "int",
    "float": "float",
    "number": "float",
    "str": "str",
    "bool": "bool",
    "None": "none",
    "none": "none",
}


def _fits(alt: tuple[str, Any], value: Any) -> bool:
    kind, arg = alt
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "literal":
        return isinstance(value, str) and value == arg
    if kind == "list":
        return isinstance(value, tuple) and all(any(_fits(a, v) for a in arg) for v in value)
    return kind == "other"  # "none": no literal is None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """A registered name.

    ``params`` are positional-or-keyword in order; ``variadic`` allows any number of extra
    positional arguments (e.g. ``any(linear, additive)``, ``max(a, b, c)``). ``target`` is
    ``"module:attr"`` of the implementation, imported on first :meth:`load`. ``extra`` carries
    kind-specific metadata (for methods: ``output``, ``scope``, ``statistic``, ``requires``,
    ``randomized``, ``library``; for families: ``provides``, ``ground_truth``).
    """

    kind: str
    name: str
    doc: str
    params: tuple[Param, ...] = ()
    variadic: bool = False
    target: str | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    obj: Any = field(default=None, compare=False, repr=False)

    def signature(self) -> str:
        parts = []
        for p in self.params:
            parts.append(p.name if p.required else f"{p.name} = {p.default!r}")
        if self.variadic:
            parts.append("...")
        return f"{self.name}({', '.join(parts)})"

    def load(self) -> Any:
        """Import and return the implementation (cached on the entry)."""
        if self.obj is not None:
            return self.obj
        if self.target is None:
            raise LookupError(f"{self.kind} {self.name!r} has no implementation yet")
        module_name, _, attr = self.target.partition(":")
        obj: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
        object.__setattr__(self, "obj", obj)
        return obj


class UnknownName(LookupError):
    def __init__(self, kind: str, name: str, suggestions: list[str], known: list[str]):
        self.kind, self.name, self.suggestions, self.known = kind, name, suggestions, known
        hint = f" Did you mean {' or '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"unknown {kind} {name!r}.{hint} Known {kind}s: {', '.join(known)}")


class Registry:
    """The entries of one kind, in registration order."""

    def __init__(self, kind: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind={kind!r} is not one of {KINDS}")
        self.kind = kind
        self._entries: dict[str, Entry] = {}

    def add(self, entry: Entry, *, replace: bool = False) -> Entry:
        if entry.kind != self.kind:
            raise ValueError(f"cannot add a {entry.kind} entry to the {self.kind} registry")
        if entry.name in self._entries and not replace:
            raise ValueError(f"{self.kind} {entry.name!r} is already registered")
        self._entries[entry.name] = entry
        return entry

    def get(self, name: str) -> Entry:
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownName(self.kind, name, self.suggest(name), self.names()) from None

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> list[str]:
        return list(self._entries)

    def suggest(self, name: str, n: int = 2) -> list[str]:
        return difflib.get_close_matches(name, self.names(), n=n, cutoff=0.6)


_CATALOG_MODULES: Final = {
    "method": "explainspec.catalog.methods",
    "family": "explainspec.catalog.families",
    "distribution": "explainspec.catalog.distributions",
    "oracle": "explainspec.catalog.oracles",
    "builtin": "explainspec.catalog.builtins",
    "question": "explainspec.catalog.questions",
}

_registries: dict[str, Registry] = {}


def registry(kind: str) -> Registry:
    """The registry of ``kind``, filled from the built-in catalog on first use."""
    reg = _registries.get(kind)
    if reg is None:
        reg = Registry(kind)
        module = importlib.import_module(_CATALOG_MODULES[kind])
        for entry in module.ENTRIES:
            reg.add(entry)
        _registries[kind] = reg
        if kind == "method":
            _load_entry_point_methods(reg)
    return reg


def _load_entry_point_methods(reg: Registry) -> None:
    """Methods published by installed packages under the ``explainspec.methods`` group.

    Each entry point names a module; importing it runs its ``@explainspec.method`` decorators.
    """
    from importlib.metadata import entry_points

    for ep in entry_points(group="explainspec.methods"):
        ep.load()


def load_plugins(modules: Iterable[str]) -> None:
    """Import plugin modules named with ``--plugin`` (their decorators register entries)."""
    registry("method")
    for name in modules:
        importlib.import_module(name)


def register(entry: Entry, *, replace: bool = False) -> Entry:
    return registry(entry.kind).add(entry, replace=replace)


def method(
    name: str,
    *,
    output: str,
    scope: str = "local",
    params: Iterable[Param] = (),
    statistic: Mapping[str, Any] | None = None,
    requires: Iterable[str] = ("callable",),
    randomized: bool = False,
    doc: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a plugin explanation method.

    The decorated callable takes a :class:`explainspec.methods.base.Problem` and returns a
    numpy array (see ``ARCHITECTURE.md``, "Method protocol").
    """

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        entry = Entry(
            kind="method",
            name=name,
            doc=doc or (fn.__doc__ or "").strip().split("\n\n")[0],
            params=tuple(params),
            target=None,
            extra=MappingProxyType(
                {
                    "output": output,
                    "scope": scope,
                    "statistic": dict(statistic or {}),
                    "requires": tuple(requires),
                    "randomized": randomized,
                    "library": "plugin",
                }
            ),
            obj=fn,
        )
        register(entry, replace=True)
        return fn

    return decorate
