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

import dataclasses
import difflib
import importlib
import re
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


class RegistrationError(ImportError, ValueError):
    """A plugin registered an invalid method (``ES320``); the message names the plugin module,
    the method and what is wrong, at the decorated function's ``file:line``.

    An ``ImportError`` too: it is raised while the plugin module is imported, and the command
    line reports it as a plugin that cannot be imported (exit 2)."""

    code = "ES320"


#: Parameter names a method may not declare: the runner passes these itself (``Problem.seed``,
#: and the keywords of ``explain(fn, at = ..., background = ..., baseline = ..., seed = ...)``).
RESERVED_PARAMS: Final = frozenset({"seed", "fn", "at", "background", "baseline"})

_IDENT: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _where(fn: Any) -> str:
    """``file:line`` of a plugin function (its ``def``), or its module's name."""
    code = getattr(fn, "__code__", None)
    if code is not None:
        return f"{code.co_filename}:{code.co_firstlineno}"
    return str(getattr(fn, "__module__", "?"))


def _tags() -> frozenset[str]:
    """Every tag a world's function can have: what the family catalog says its families
    provide (the vocabulary of ``requires``)."""
    return frozenset(t for e in registry("family") for t in e.extra.get("provides", ()))


def validate_method(entry: Entry) -> None:
    """Check a plugin method's registration; raise :class:`RegistrationError` naming the plugin
    module and every problem found (the built-in catalog is held to the same rules by a test).

    A method's name is a dotted name a spec can write (``plugin.loco``); ``output`` is an
    output kind, ``scope`` ``local`` or ``global``; ``requires`` names tags functions have
    (a typo there would make every claim not applicable); parameters are distinct identifiers
    none of which the runner passes itself (:data:`RESERVED_PARAMS`).
    """
    from explainspec.lang.ir import OutputKind

    fn, extra, problems = entry.obj, entry.extra, []
    name = entry.name
    if not isinstance(name, str) or not all(_IDENT.fullmatch(p) for p in name.split(".")):
        problems.append(
            f"the name {name!r} is not a dotted name a spec can write (letters, digits and _ "
            "in parts separated by single dots, e.g. 'myplugin.loco')"
        )
    outputs = [k.value for k in OutputKind]
    if extra.get("output") not in outputs:
        problems.append(_choice("output", extra.get("output"), outputs))
    if extra.get("scope") not in ("local", "global"):
        problems.append(_choice("scope", extra.get("scope"), ["local", "global"]))
    requires = extra.get("requires")
    if isinstance(requires, str) or not isinstance(requires, tuple):
        problems.append(f"requires={requires!r} must be a list of tags, e.g. ('callable', 'tree')")
    else:
        known = sorted(_tags())
        problems += [_choice("requires tag", t, known) for t in requires if t not in known]
    if not isinstance(extra.get("randomized"), bool):
        problems.append(f"randomized={extra.get('randomized')!r} must be True or False")
    statistic = extra.get("statistic")
    if not isinstance(statistic, Mapping) or not all(isinstance(k, str) for k in statistic):
        problems.append(f"statistic={statistic!r} must be a dict with string keys")
    seen: set[str] = set()
    for p in entry.params:
        if not isinstance(p, Param):
            problems.append(f"params must be explainspec.registry.Param objects, got {p!r}")
            continue
        if not isinstance(p.name, str) or not _IDENT.fullmatch(p.name):
            problems.append(f"parameter name {p.name!r} is not an identifier")
        elif p.name in RESERVED_PARAMS:
            problems.append(
                f"parameter {p.name!r} is reserved: the runner passes "
                f"{', '.join(sorted(RESERVED_PARAMS))} itself (the seed arrives as problem.seed)"
            )
        elif p.name in seen:
            problems.append(f"parameter {p.name!r} is declared twice")
        seen.add(p.name)
    if entry.target is None and not callable(fn):  # a built-in names its target instead
        problems.append(f"the registered object {fn!r} is not callable")
    if problems:
        raise RegistrationError(
            f"{_where(fn)}: ES320 plugin module {getattr(fn, '__module__', '?')!r}: invalid "
            f"registration of method {name!r}: " + "; ".join(problems)
        )


def _choice(what: str, value: Any, known: list[str]) -> str:
    close = difflib.get_close_matches(str(value), known, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{what} {value!r} is not one of {', '.join(known)}{hint}"


def _same_plugin(old: Entry, new: Entry) -> bool:
    """Whether ``new`` re-registers the plugin function ``old`` came from (the module imported
    again, e.g. by a worker process or a reload), rather than another method under its name."""

    def origin(e: Entry) -> tuple[Any, Any] | None:
        if e.extra.get("library") != "plugin" or e.obj is None:
            return None
        return getattr(e.obj, "__module__", None), getattr(e.obj, "__qualname__", None)

    return origin(old) is not None and origin(old) == origin(new)


def register(entry: Entry, *, replace: bool = False) -> Entry:
    """Add ``entry`` to its registry.

    A name that is already registered is kept unless ``replace=True`` (or the entry re-registers
    the same plugin function, as when its module is imported again). A method that replaces a
    built-in or another plugin's method records it in ``extra["replaces"]``, and the run
    announces it (``RunStarted.replaced``).
    """
    reg = registry(entry.kind)
    old = reg._entries.get(entry.name)
    if old is not None and not _same_plugin(old, entry):
        who = getattr(entry.obj, "__module__", "?")
        what = (
            f"a built-in {old.kind} ({old.extra.get('library', 'explainspec')})"
            if old.extra.get("library") != "plugin"
            else f"already registered by plugin module {getattr(old.obj, '__module__', '?')!r}"
        )
        if not replace:
            raise RegistrationError(
                f"{_where(entry.obj)}: ES320 plugin module {who!r}: {entry.kind} "
                f"{entry.name!r} is {what}; registering it again would silently change every "
                "spec that uses it. Choose another name, or pass replace=True to replace it on "
                "purpose (every report then says so)"
            )
        extra = dict(entry.extra)
        extra["replaces"] = old.extra.get("replaces") or what
        entry = dataclasses.replace(entry, extra=MappingProxyType(extra))
    elif old is not None and "replaces" in old.extra:  # a re-import keeps what it replaced
        extra = {**entry.extra, "replaces": old.extra["replaces"]}
        entry = dataclasses.replace(entry, extra=MappingProxyType(extra))
    return reg.add(entry, replace=True)


def replaced_methods(names: Iterable[str]) -> tuple[str, ...]:
    """One line for each method among ``names`` that a plugin registered over another method
    (``replace=True``), for the run's report."""
    reg = registry("method")
    out = []
    for name in dict.fromkeys(names):
        entry = reg._entries.get(name)
        if entry is not None and entry.extra.get("replaces"):
            module = getattr(entry.obj, "__module__", "?")
            out.append(
                f"method {name!r} is provided by plugin module {module!r}, replacing "
                f"{entry.extra['replaces']}"
            )
    return tuple(out)


def _mapping(value: Any) -> bool:
    return value is None or isinstance(value, Mapping)


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
    replace: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a plugin explanation method.

    The decorated callable takes a :class:`explainspec.methods.base.Problem` and returns a
    numpy array (see ``ARCHITECTURE.md``, "Method protocol"). The registration is checked
    (:func:`validate_method`): an invalid one raises :class:`RegistrationError` (``ES320``)
    naming the plugin module. A name that is already registered (a built-in such as
    ``reference.shapley``, or another plugin's method) is refused unless ``replace=True``; a
    replacement is announced in every report of a run that uses it.
    """

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        entry = Entry(
            kind="method",
            name=name,
            doc=doc or (getattr(fn, "__doc__", None) or "").strip().split("\n\n")[0],
            params=tuple(params),
            target=None,
            extra=MappingProxyType(
                {
                    "output": output,
                    "scope": scope,
                    # anything but a mapping is kept as given, for validate_method to refuse
                    "statistic": dict(statistic or {}) if _mapping(statistic) else statistic,
                    "requires": requires if isinstance(requires, str) else tuple(requires),
                    "randomized": randomized,
                    "library": "plugin",
                }
            ),
            obj=fn,
        )
        validate_method(entry)
        register(entry, replace=replace)
        return fn

    return decorate
