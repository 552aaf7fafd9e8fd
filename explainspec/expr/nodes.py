"""Static facts about expression nodes, computed once per node: the names it mentions, its
source text, and whether it reads the method under test.

"Reads the method" is a static over-approximation: a node reads the method when a name in it is
one of the env's method names (``phi``, ``explain``) or a quantifier variable bound, in the
enclosing scope, to a domain that reads the method (``for all i in argsort(phi): ...``). An
over-approximation is the safe side for refutations: a comparison wrongly counted as reading the
method only gets the leniency every comparison had before, so it can hide a misreading but never
"show" one that is noise. A binding construct added to the language (a ``let``) taints its
variable the same way: :meth:`Scope.bind`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from explainspec._memo import remember
from explainspec.expr.render import expr_text
from explainspec.lang import ir

__all__ = ["Scope", "is_literal", "names_in", "source_text"]

#: the names in an expression and the source texts of expression nodes, by the node's identity
#: (see :func:`explainspec._memo.remember`): a claim's check is analysed and printed once, not
#: once per world
_NAMES: dict[int, tuple[Any, frozenset[str]]] = {}
_TEXTS: dict[int, tuple[Any, str]] = {}
_MAX_NODES = 65536


def names_in(e: Any) -> frozenset[str]:
    """Every name that occurs in expression ``e`` (bound or free: a superset of what it reads),
    computed once per node.

    >>> sorted(names_in(ir.Index(value=ir.Name(id="phi"), items=(ir.Name(id="i"),))))
    ['i', 'phi']
    """
    return remember(_NAMES, id(e), e, lambda: _collect_names(e), _MAX_NODES)


def _collect_names(e: Any) -> frozenset[str]:
    found: set[str] = set()
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Name):
            found.add(node.id)
        elif isinstance(node, list | tuple):
            stack.extend(node)
        elif hasattr(node, "__dataclass_fields__") and not isinstance(node, ir.Span):
            stack.extend(getattr(node, k) for k in node.__dataclass_fields__)
    return frozenset(found)


def source_text(e: Any) -> str:
    """The source text of a node (the canonical printer's), computed once per node."""
    return remember(_TEXTS, id(e), e, lambda: expr_text(e), _MAX_NODES)


def is_literal(e: Any) -> bool:
    """A number, string or boolean literal, possibly signed (``-1e-6``)."""
    if isinstance(e, ir.Unary):
        return is_literal(e.operand)
    return isinstance(e, ir.Number | ir.String | ir.Bool)


@dataclass(frozen=True, slots=True)
class Scope:
    """The names that read the method where a node is evaluated: the env's method names and the
    variables bound (so far) to values that read it.

    >>> scope = Scope(frozenset({"phi"}))
    >>> x_i = ir.Index(value=ir.Name(id="x"), items=(ir.Name(id="i"),))
    >>> scope.reads(x_i), scope.bind(("i",), reads=True).reads(x_i)
    (False, True)
    """

    tainted: frozenset[str]

    def reads(self, e: Any) -> bool:
        """Whether ``e`` reads the method (names one of the tainted names)."""
        return not self.tainted.isdisjoint(names_in(e))

    def bind(self, names: tuple[str, ...], *, reads: bool) -> Scope:
        """The scope inside a binder of ``names`` whose values read the method iff ``reads``
        (an inner binding of a name replaces the outer one)."""
        tainted = self.tainted | set(names) if reads else self.tainted - set(names)
        return self if tainted == self.tainted else Scope(frozenset(tainted))
