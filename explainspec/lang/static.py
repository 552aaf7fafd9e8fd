"""Static checks of check expressions that need no numpy: what a run would refuse anyway.

Part of the semantic checker (:mod:`explainspec.lang.semantics`), in its own module:

- a check that cannot be a condition (``ES225``): a number, a string, a list of numbers, a
  function, or arithmetic on them, where ``and``/``or``/``not``/``implies``/a quantifier or the
  check itself needs a truth value. Only what is *certainly* not a condition is refused: a value
  whose kind cannot be known statically is left to the run;
- sizes written as literals (``ES228``): ``range(...)`` with literal bounds, ``zeros``/``ones``
  of a literal shape, integer powers of literals (bits of the result), and the number of times
  nested quantifiers run their body (the product of their domains: ``range`` literals, list
  literals, and the feature domain, whose size is the largest ``features`` of the claim's world);
- quantifier misuse (``ES230``): a domain that is certainly not a sequence of integers or of
  subsets, a quantifier variable called or given attributes.

Names bound inside a check (quantifier and comprehension variables, ``let`` values) are kept in
a *scope*: a mapping from the name to what binds it (an :class:`~explainspec.lang.ir.Quantifier`,
an :class:`~explainspec.lang.ir.Comprehension`, or a :class:`LetBinding`); :func:`kind` and
:func:`discrete` read a bound name's kind from its binder.

Every limit comes from :mod:`explainspec.catalog.limits`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from explainspec.catalog.limits import limit
from explainspec.lang import ir

#: Quantities by the kind of value the runner gives them (see ARCHITECTURE.md).
NUMERIC: Final = frozenset({"phi", "x", "data", "background", "baseline", "grid", "y", "d", "seed"})
FUNCTIONS: Final = frozenset({"f", "g", "target", "explain", "P"})
#: Attributes of ``f`` whose call gives a truth value, numbers, or a function.
_BOOL_METHODS: Final = frozenset({"uses"})
_NUMBER_METHODS: Final = frozenset({"component", "grad", "term"})
_NUMBER_ATTRIBUTES: Final = frozenset({"weights", "intercept", "T", "shape", "d"})

Report = Callable[[str, str, Any, str | None], None]  # (code, message, node, hint)

#: Functions whose results are integers, booleans or subsets (see :func:`discrete`).
DISCRETE_CALLS: Final = frozenset(
    {
        "sign",
        "argmax",
        "argmin",
        "argsort",
        "rank",
        "len",
        "all",
        "any",
        "round",
        "floor",
        "uses",
        "range",
        "comb",
        "bitmask",
        "subsets",
        "decreasing",
        "increasing",
        "converges",
    }
)
#: Builtins whose result is a list of subsets (a quantifier over it binds a subset).
SUBSET_LISTS: Final = frozenset({"subsets"})


@dataclass(frozen=True, slots=True)
class LetBinding:
    """A ``let`` name in a scope: its definition and the scope it was defined in (the names
    before it), so its kind is read where it was written."""

    let: ir.Let
    scope: Mapping[str, Any]


def binds_subsets(domain: Any) -> bool:
    """Whether a quantifier or comprehension over ``domain`` binds subsets: ``subsets(...)``
    or a list of set literals."""
    if isinstance(domain, ir.Call) and isinstance(domain.func, ir.Name):
        return domain.func.id in SUBSET_LISTS
    if isinstance(domain, ir.ListExpr) and domain.items:
        return all(isinstance(i, ir.SetExpr) for i in domain.items)
    return False


def discrete(e: Any, scope: Mapping[str, Any]) -> bool:
    """Whether ``e`` is statically known to be an integer, a boolean or a subset (exact ``==``
    is allowed between such values; see :mod:`explainspec.lang.semantics`)."""
    if isinstance(e, ir.Number):
        return isinstance(e.value, int)
    if isinstance(
        e, ir.Bool | ir.Compare | ir.BoolOp | ir.Not | ir.Implies | ir.Quantifier | ir.SetExpr
    ):
        return True
    if isinstance(e, ir.Name):
        binder = scope.get(e.id)
        if binder is None:
            return e.id in ("d", "seed")
        if isinstance(binder, LetBinding):
            return discrete(binder.let.value, binder.scope)
        if isinstance(binder, ir.Comprehension):
            return _discrete_items(binder.domain, scope)
        return True  # a quantifier variable: a feature index or a subset
    if isinstance(e, ir.Unary):
        return discrete(e.operand, scope)
    if isinstance(e, ir.Binary):
        return (
            e.op in (ir.BinOp.ADD, ir.BinOp.SUB, ir.BinOp.MUL, ir.BinOp.UNION, ir.BinOp.INTERSECT)
            and discrete(e.left, scope)
            and discrete(e.right, scope)
        )
    if isinstance(e, ir.Index):
        return discrete(e.value, scope)
    if isinstance(e, ir.ListExpr):
        return all(discrete(i, scope) for i in e.items)
    if isinstance(e, ir.Comprehension):
        inner = {**scope, e.var: e}
        return discrete(e.element, inner)
    if isinstance(e, ir.Call):
        func = e.func
        name = (
            func.id
            if isinstance(func, ir.Name)
            else func.attr
            if isinstance(func, ir.Attribute)
            else None
        )
        return name in DISCRETE_CALLS and not (isinstance(func, ir.Name) and name in scope)
    return False


def _discrete_items(domain: Any, scope: Mapping[str, Any]) -> bool:
    """Whether the items of a comprehension's domain are discrete."""
    if isinstance(domain, ir.ListExpr):
        return all(discrete(i, scope) for i in domain.items)
    return discrete(domain, scope)


class NotLiteral(Exception):
    """The expression is not a literal value."""


def literal(e: Any) -> Any:
    """The Python value of a literal: a number (with its sign), a string, a boolean, or a tuple
    of literals for a list. Raises :class:`NotLiteral` otherwise."""
    if isinstance(e, ir.Number | ir.String | ir.Bool):
        return e.value
    if isinstance(e, ir.Unary) and isinstance(e.operand, ir.Number):
        return -e.operand.value if e.op is ir.UnaryOp.NEG else e.operand.value
    if isinstance(e, ir.ListExpr):
        return tuple(literal(i) for i in e.items)
    raise NotLiteral


def _int_literal(e: Any) -> int | None:
    try:
        v = literal(e)
    except NotLiteral:
        return None
    return v if isinstance(v, int) and not isinstance(v, bool) else None


# --------------------------------------------------------------------------- kinds of values


def returns_kind(text: str) -> str:
    """The kind of a builtin's result from its documented ``returns``: ``"bool"``,
    ``"number"``, or ``"follows"`` (the result has the kind of the arguments: ``max`` of
    booleans is a boolean)."""
    if text.startswith("bool"):
        return "bool"
    if text.startswith(("int", "float")) or text == "number" or text.startswith("number,"):
        return "number"
    if text.startswith("function"):
        return "function"
    if text.startswith("subset"):
        return "subset"
    return "follows"


def kind(e: Any, scope: Mapping[str, Any], returns: Mapping[str, str]) -> str:
    """``"bool"``, ``"number"``, ``"string"``, ``"function"`` or ``"unknown"``: what ``e``
    certainly evaluates to. ``returns`` maps the names of builtins and oracles to the kind of
    their result (:func:`returns_kind`)."""
    if isinstance(e, ir.Compare | ir.BoolOp | ir.Not | ir.Implies | ir.Quantifier | ir.Bool):
        return "bool"
    if isinstance(e, ir.Number):
        return "number"
    if isinstance(e, ir.String):
        return "string"
    if isinstance(e, ir.ListExpr):
        kinds = {kind(i, scope, returns) for i in e.items}
        if not kinds or "number" in kinds:  # np.asarray([]) is a float array
            return "number"
        return "bool" if kinds == {"bool"} else "unknown"
    if isinstance(e, ir.SetExpr):
        return "subset"
    if isinstance(e, ir.Comprehension):
        inner = kind(e.element, {**scope, e.var: e}, returns)
        return inner if inner in ("number", "bool") else "unknown"
    if isinstance(e, ir.Name):
        if e.id in scope:
            return _bound_kind(scope[e.id], scope, returns)
        if e.id in NUMERIC:
            return "number"
        if e.id in FUNCTIONS or e.id in returns:
            return "function"
        return "unknown"
    if isinstance(e, ir.Unary):
        return "number" if kind(e.operand, scope, returns) == "number" else "unknown"
    if isinstance(e, ir.Binary):
        sides = {kind(e.left, scope, returns), kind(e.right, scope, returns)}
        if e.op in (ir.BinOp.UNION, ir.BinOp.INTERSECT) or sides == {"subset"}:
            return "subset" if sides == {"subset"} else "unknown"
        return "number" if sides == {"number"} else "unknown"
    if isinstance(e, ir.Index):
        inner = kind(e.value, scope, returns)
        return inner if inner in ("number", "bool") else "unknown"
    if isinstance(e, ir.Attribute):
        if isinstance(e.value, ir.Name) and e.attr in _NUMBER_ATTRIBUTES:
            return "number"
        return "unknown"
    if isinstance(e, ir.Call):
        return _call_kind(e, scope, returns)
    return "unknown"


def _bound_kind(binder: Any, scope: Mapping[str, Any], returns: Mapping[str, str]) -> str:
    """The kind of a name bound in a check (see the module doc)."""
    if isinstance(binder, LetBinding):
        return kind(binder.let.value, binder.scope, returns)
    if isinstance(binder, ir.Quantifier):  # a feature index, or a subset
        return "subset" if binds_subsets(binder.domain) else "number"
    if isinstance(binder, ir.Comprehension):
        if binds_subsets(binder.domain):
            return "subset"
        if isinstance(binder.domain, ir.ListExpr) and binder.domain.items:
            kinds = {kind(i, scope, returns) for i in binder.domain.items}
            return kinds.pop() if len(kinds) == 1 else "unknown"
        return "unknown"
    return "number"


def _call_kind(e: ir.Call, scope: Mapping[str, Any], returns: Mapping[str, str]) -> str:
    func = e.func
    if isinstance(func, ir.Attribute):
        if func.attr in _BOOL_METHODS:
            return "bool"
        return "number" if func.attr in _NUMBER_METHODS else "unknown"
    if not isinstance(func, ir.Name) or func.id in scope:
        return "unknown"
    if func.id in ("f", "g", "target", "explain"):
        return "number"
    result = returns.get(func.id)
    if result is None:
        return "unknown"
    if result != "follows":
        return result
    # a builtin whose result follows its arguments (max of booleans is a boolean): a number
    # only when every argument is one
    args = [*e.args, *(k.value for k in e.kwargs)]
    if all(kind(a, scope, returns) == "number" for a in args):
        return "number"
    return "unknown"


def check_conditions(
    e: Any, scope: Mapping[str, Any], returns: Mapping[str, str], report: Report
) -> None:
    """Report (``ES225``) every condition position of ``e`` holding a value that is certainly
    not a truth value."""
    stack: list[tuple[Any, Mapping[str, Any]]] = [(e, scope)]
    while stack:
        node, sc = stack.pop()
        if isinstance(node, ir.BoolOp):
            stack += [(o, sc) for o in node.operands]
        elif isinstance(node, ir.Not):
            stack.append((node.operand, sc))
        elif isinstance(node, ir.Implies):
            stack += [(node.left, sc), (node.right, sc)]
        elif isinstance(node, ir.Quantifier):
            stack.append((node.body, {**sc, **{v: node for v in node.vars}}))
        else:
            k = kind(node, sc, returns)
            if k in ("number", "string", "function", "subset"):
                what = {
                    "number": "a number",
                    "string": "a string",
                    "function": "a function",
                    "subset": "a subset of the features",
                }[k]
                if isinstance(node, ir.Name) and node.id == "P":
                    what = "a distribution"
                report(
                    "ES225",
                    f"`{_fmt(node)}` is {what}, not a condition",
                    node,
                    "a check is a comparison (`sum(phi) == f(x) within 1e-6`, `phi[i] >= 0`), "
                    "a boolean, or `and`/`or`/`not`/`implies`/`for all` of those",
                )


# --------------------------------------------------------------------------- sizes


def fold_int(e: Any, report: Report) -> int | None:
    """The value of an integer expression written only with literals and ``+ - * **`` (``None``
    when it is something else). A power whose result would have more than ``integer_bits`` bits
    is reported (``ES228``) and not computed."""
    if isinstance(e, ir.Number):
        return e.value if isinstance(e.value, int) else None
    if isinstance(e, ir.Unary):
        v = fold_int(e.operand, report)
        return None if v is None else (-v if e.op is ir.UnaryOp.NEG else v)
    if not isinstance(e, ir.Binary) or e.op not in _INT_OPS:
        return None
    a, b = fold_int(e.left, report), fold_int(e.right, report)
    if a is None or b is None:
        return None
    bits = limit("integer_bits")
    if e.op is ir.BinOp.POW:
        if b < 0:
            return None
        if abs(a) > 1 and b * math.log2(abs(a)) > bits:
            report(
                "ES228",
                f"`{_fmt(e)}` has about {_about(b * math.log2(abs(a)))} bits; the limit is "
                f"integer_bits = {bits}",
                e,
                None,
            )
            return None
        return int(a**b)
    out = a + b if e.op is ir.BinOp.ADD else a - b if e.op is ir.BinOp.SUB else a * b
    return out if out.bit_length() <= bits else None


_INT_OPS: Final = frozenset({ir.BinOp.ADD, ir.BinOp.SUB, ir.BinOp.MUL, ir.BinOp.POW})


#: Counts are capped here (so no computation on a hostile count grows without bound).
_CAP: Final = 10**18


def _about(x: float) -> str:
    if isinstance(x, int) and x >= _CAP:  # a capped count
        return "more than 10**18"
    return f"{x:.3g}" if x >= 1e6 else str(int(x))


def _times(a: int, b: int) -> int:
    return min(a * b, _CAP)


def range_length(e: ir.Call, features: int) -> int | None:
    """The length of ``range(...)`` when its arguments are integer literals (or ``d``, taken
    as ``features``), capped at 10**18; ``None`` otherwise."""
    if e.kwargs or not 1 <= len(e.args) <= 3:
        return None
    vals = []
    for a in e.args:
        v = features if isinstance(a, ir.Name) and a.id == "d" else _int_literal(a)
        if v is None:
            return None
        vals.append(v)
    start, stop, step = (0, vals[0], 1) if len(vals) == 1 else (*vals[:2], 1)
    if len(vals) == 3:
        step = vals[2]
    if step == 0:
        return None
    n = (stop - start + step - 1) // step if step > 0 else (start - stop - step - 1) // -step
    return min(max(n, 0), _CAP)


def check_sizes(
    e: Any,
    scope: Mapping[str, Any],
    features: int,
    builtins: Callable[[str], bool],
    report: Report,
) -> None:
    """Report (``ES228``) sizes over their limits, and (``ES230``) quantifier misuse.

    ``features`` is the largest number of features of the claim's worlds (the size of a
    quantifier's default domain, and of ``d``); ``builtins(name)`` tells whether a name is the
    builtin of that name (and not a quantifier variable).
    """
    top = limit("range")
    stack: list[tuple[Any, Mapping[str, Any], int, bool]] = [(e, scope, 1, False)]
    while stack:
        node, sc, runs, folded = stack.pop()
        if node is None or isinstance(node, ir.Tolerance):
            continue
        if isinstance(node, ir.Quantifier):
            size = _domain_size(node, sc, features, builtins, report)
            total = runs
            for _ in node.vars:
                total = _times(total, size)
            if total > top and runs <= top and size <= top:  # (a larger domain: said there)
                report(
                    "ES228",
                    f"the quantifier{'s' if runs > 1 else ''} here run{'' if runs > 1 else 's'} "
                    f"the body {_about(total)} times; the limit is range = {top}",
                    node,
                    "nested quantifiers multiply: quantify over fewer variables or a smaller "
                    "domain",
                )
            stack.append((node.body, {**sc, **{v: node for v in node.vars}}, total, False))
            if node.domain is not None:
                stack.append((node.domain, sc, runs, False))
            continue
        if isinstance(node, ir.Comprehension):
            size = _domain_size(node, sc, features, builtins, report)
            total = _times(runs, size)
            if total > top and runs <= top and size <= top:
                report(
                    "ES228",
                    f"the list here is built {_about(total)} times over; the limit is range = "
                    f"{top}",
                    node,
                    "nested quantifiers and lists multiply: use a smaller domain",
                )
            stack.append((node.element, {**sc, node.var: node}, total, False))
            stack.append((node.domain, sc, runs, False))
            continue
        int_op = isinstance(node, ir.Binary) and node.op in _INT_OPS
        if int_op and not folded:
            fold_int(node, report)  # looks at the whole literal arithmetic below, once
        if isinstance(node, ir.Call):
            _check_call(node, sc, features, builtins, report)
        elif isinstance(node, ir.Attribute) and _bound_variable(_name(node.value), sc):
            report(
                "ES230",
                f"quantifier variable {_name(node.value)!r} is an integer; it has no attribute "
                f"{node.attr!r}",
                node,
                None,
            )
        stack += [(child, sc, runs, int_op) for child in _children(node)]


def _bound_variable(name: str | None, scope: Mapping[str, Any]) -> bool:
    """Whether ``name`` is a quantifier or list variable here (a feature index or a subset,
    never a function); a ``let`` name may hold a function."""
    binder = scope.get(name) if name is not None else None
    return binder is not None and not isinstance(binder, LetBinding)


def _check_call(
    e: ir.Call,
    scope: Mapping[str, Any],
    features: int,
    builtins: Callable[[str], bool],
    report: Report,
) -> None:
    func = e.func
    if not isinstance(func, ir.Name):
        return
    if _bound_variable(func.id, scope):
        report(
            "ES230",
            f"quantifier variable {func.id!r} is an integer; it cannot be called",
            e,
            None,
        )
        return
    if not builtins(func.id):
        return
    if func.id == "range":
        n = range_length(e, features)
        if n is not None and n > limit("range"):
            report(
                "ES228",
                f"`{_fmt(e)}` has {n} elements; the limit is range = {limit('range')}",
                e,
                None,
            )
    elif func.id == "subsets":
        n = subsets_count(e, features)
        if n is not None and n > limit("range"):
            report(
                "ES228",
                f"`{_fmt(e)}` lists {_about(n)} subsets; the limit is range = {limit('range')}",
                e,
                "2 ** d subsets: at most 19 features",
            )
    elif func.id in ("zeros", "ones") and len(e.args) == 1 and not e.kwargs:
        try:
            shape = literal(e.args[0])
        except NotLiteral:
            return
        dims = shape if isinstance(shape, tuple) else (shape,)
        if all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in dims):
            cells = 1
            for v in dims:
                cells = _times(cells, v)
            if cells > limit("cells"):
                report(
                    "ES228",
                    f"`{_fmt(e)}` has {_about(cells)} elements; the limit is cells = "
                    f"{limit('cells')}",
                    e,
                    None,
                )


def subsets_count(e: ir.Call, features: int) -> int | None:
    """How many subsets ``subsets(n)`` lists (``2 ** n``, capped at 10**18) when ``n`` is an
    integer literal or ``d`` (taken as ``features``); ``None`` otherwise. ``without`` and
    ``size`` only make the list shorter."""
    if not e.args:
        return None
    a = e.args[0]
    n = features if isinstance(a, ir.Name) and a.id == "d" else _int_literal(a)
    if n is None:
        return None
    return _CAP if n >= 60 else min(2 ** max(n, 0), _CAP)


def _domain_size(
    q: ir.Quantifier | ir.Comprehension,
    scope: Mapping[str, Any],
    features: int,
    builtins: Callable[[str], bool],
    report: Report,
) -> int:
    """How many values each variable of ``q`` takes (an upper bound; 1 when unknown), and
    ``ES230`` for a domain that is certainly not a sequence of integers."""
    dom = q.domain
    if dom is None:
        return features
    if isinstance(dom, ir.Call) and isinstance(dom.func, ir.Name) and dom.func.id == "range":
        if builtins("range"):
            n = range_length(dom, features)
            return n if n is not None else 1
        return 1
    if isinstance(dom, ir.Call) and isinstance(dom.func, ir.Name) and dom.func.id == "subsets":
        n = subsets_count(dom, features) if builtins("subsets") else None
        return n if n is not None else 1
    if isinstance(dom, ir.ListExpr) and binds_subsets(dom):
        return len(dom.items)
    try:
        value = literal(dom)
    except NotLiteral:
        return 1
    items = value if isinstance(value, tuple) else (value,)
    if isinstance(q, ir.Comprehension):  # any values: numbers (a sweep), strings, lists
        return len(items)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        # a number is a one-element domain; a string, a float, a boolean or a nested list is not
        report(
            "ES230",
            f"the domain `{_fmt(dom)}` of a quantifier is not a sequence of integers",
            dom,
            "quantify over feature indices (`for all i: ...`), `range(...)`, a list of integers, "
            "or subsets (`for all S in subsets(d): ...`); a list of values is swept with "
            "`[... for h in [1, 0.1]]`",
        )
    return len(items)


def _name(e: Any) -> str | None:
    return e.id if isinstance(e, ir.Name) else None


def _children(node: Any) -> list[Any]:
    if isinstance(node, ir.Attribute):
        return [node.value]
    if isinstance(node, ir.Call):
        return [node.func, *node.args, *(k.value for k in node.kwargs)]
    if isinstance(node, ir.Index):
        return [node.value, *node.items]
    if isinstance(node, ir.Slice):
        return [node.start, node.stop, node.step]
    if isinstance(node, ir.ListExpr | ir.SetExpr):
        return list(node.items)
    if isinstance(node, ir.RangeExpr):
        return [node.lo, node.hi]
    if isinstance(node, ir.Unary | ir.Not):
        return [node.operand]
    if isinstance(node, ir.Binary | ir.Compare | ir.Implies):
        return [node.left, node.right]
    if isinstance(node, ir.BoolOp):
        return list(node.operands)
    return []


def _fmt(e: Any) -> str:
    from explainspec.lang.printer import format_expr

    text = format_expr(e)
    return text if len(text) <= 80 else text[:77] + "..."
