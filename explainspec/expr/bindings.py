"""Named values of a check (``let name = expr``) and the values of a sweep (``[e for h in hs]``).

A :class:`LetFrame` holds the ``let`` items of one evaluation of a check (a claim's and the spec's
it uses, in order; see :func:`explainspec.lang.ir.claim_check`). A value is computed when it is
first used and kept for the rest of the evaluation, so a check that names a value twice computes
it once per world and point, and a guard (``i < d - 1 implies ...``) protects a let as it protects
the expression the let names. A value that depends on the method's seed (it reads ``phi``,
``explain`` or ``seed``) is computed once per replicate of ``within mc(z)``; the others are shared
by the replicates.

A let that reads the method makes every comparison naming it read the method
(:meth:`explainspec.expr.nodes.Scope.bind`), so the leniency of refutations applies to it exactly
as to the expression it names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from explainspec.expr.base import EvalError
from explainspec.expr.nodes import names_in
from explainspec.lang import ir

if TYPE_CHECKING:
    from explainspec.expr.interpreter import _Ctx

__all__ = ["LetFrame"]

_BUSY = object()


class LetFrame:
    """The lets of one evaluation: their definitions, the names among them that read the method
    or vary between replicates, and their values (computed on first use, one per env for the
    names that vary between replicates)."""

    __slots__ = ("_values", "defs", "reading", "varying_in")

    def __init__(self, lets: Iterable[ir.Let], method_names: frozenset[str]) -> None:
        self.defs: dict[str, ir.Let] = {}
        for b in lets:
            self.defs[b.name] = b
        self.reading = self._closure(method_names)
        #: env replicated-names -> the let names that vary with them
        self.varying_in: dict[frozenset[str], frozenset[str]] = {}
        self._values: dict[tuple[Any, str], tuple[Any, Any]] = {}

    def _closure(self, roots: frozenset[str]) -> frozenset[str]:
        """The let names whose values mention ``roots``, directly or through earlier lets."""
        found: set[str] = set()
        for name, b in self.defs.items():
            if names_in(b.value) & (roots | found):
                found.add(name)
        return frozenset(found)

    def varying(self, replicated: frozenset[str]) -> frozenset[str]:
        """The let names whose values differ between replicates (they mention ``replicated``)."""
        hit = self.varying_in.get(replicated)
        if hit is None:
            hit = self.varying_in[replicated] = self._closure(replicated)
        return hit

    def __contains__(self, name: str) -> bool:
        return name in self.defs

    def value(self, name: str, ctx: _Ctx) -> Any:
        """The value of let ``name`` in ``ctx``'s env (computed the first time)."""
        replicated = getattr(ctx.env, "replicated", None)
        shared = replicated is not None and name not in self.varying(frozenset(replicated))
        key = (None if shared else id(ctx.env), name)
        hit = self._values.get(key)
        if hit is not None:
            if hit[1] is _BUSY:
                b = self.defs[name]
                raise EvalError(f"let {name!r} uses its own value", b.span)
            return hit[1]
        b = self.defs[name]
        self._values[key] = (ctx.env, _BUSY)  # the entry keeps the env alive: its id stays its
        try:
            out = ctx.let_context().val(b.value)
        except BaseException:
            del self._values[key]
            raise
        self._values[key] = (ctx.env, out)
        return out


def sweep_items(source: Any) -> list[Any]:
    """The values a comprehension ``[e for h in source]`` (or a quantifier over subsets) takes:
    the elements of a list or tuple, the features of a subset (increasing), the rows of an
    array (numbers as Python numbers)."""
    import numpy as np

    from explainspec.expr.subsets import Subset

    if isinstance(source, Subset):
        return sorted(source)
    if isinstance(source, list | tuple):
        return list(source)
    if isinstance(source, np.ndarray):
        if source.ndim == 0:
            raise TypeError("a number is not a list of values")
        return [v.item() if isinstance(v, np.generic) else v for v in source]
    if isinstance(source, Mapping):
        raise TypeError("a mapping is not a list of values")
    raise TypeError(f"{type(source).__name__} is not a list of values")
