"""A counterexample's world as plain JSON data, and the world rebuilt from it.

:func:`serialize_world` turns a drawn :class:`~explainspec.worlds.base.World` into a dict of
numbers, strings and lists (the ``world`` field of a counterexample in the JSON report);
:func:`rebuild_world` turns that dict back into a ``World`` whose function gives the same values
and whose arrays are the same, so the method can be re-run on it in Python
(``explainspec.world_from_report``).

Reports are untrusted input when read back: the data is *parsed*, never evaluated. Functions are
stored by their structure (term coefficients and shapes, network weights, tree nodes, a
formula's nodes in postfix order, checked against the formula whitelist); nothing is unpickled, imported or ``eval``-ed, and every size is bounded by the catalog's limits
before an array is allocated. A world whose function cannot be stored as data (a fitted
gradient-boosting, random-forest, MLP or logistic model of the ``model`` family) is recorded as
unavailable with the reason, and rebuilding it raises :class:`WorldDataError` (``ES381``).

Codes (``ES380``-``ES382``, listed with the run codes in :mod:`explainspec.runner.events`):
``ES380`` the report cannot be read, or has no such claim or no counterexample world;
``ES381`` the counterexample's world was not stored (its function is not rebuildable);
``ES382`` the stored world is malformed or over a limit (a damaged or hostile report).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from explainspec.catalog.limits import limit
from explainspec.runner.report_file import REPORT_BYTES as _REPORT_BYTES
from explainspec.runner.report_file import ReportFileError, read_report_file

#: the version of the ``world`` encoding (a new field keeps it; a changed meaning bumps it)
WORLD_FORMAT = 1

#: the most numbers (arrays and function parameters) a stored world holds (about 5 MB of JSON);
#: a larger world is recorded as unavailable, so a report stays a readable size
WORLD_NUMBERS = 250_000

#: the shapes a term function's atoms may have (``worlds.functions.Shape.kind``), with the
#: number of parameters each takes
_SHAPES = {"pow": 1, "sin": 1, "tanh": 1, "abs": 0, "relu": 1, "step": 1, "tent": 2}


class WorldDataError(ValueError):
    """A world cannot be rebuilt from a report; ``code`` is ``ES380``, ``ES381`` or ``ES382``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message


# --------------------------------------------------------------------------- writing


def _num(v: Any) -> Any:
    v = float(v)
    if math.isfinite(v):
        return v
    return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")


def _arr(a: Any) -> Any:
    """A float array as nested lists (non-finite values as strings, like the JSON report)."""
    x = np.asarray(a, dtype=float)
    if x.ndim == 0:
        return _num(x)
    return [_arr(v) for v in x] if x.ndim > 1 else [_num(v) for v in x]


def _plain(value: Any) -> Any:
    """A declared parameter as JSON data (numbers, strings, booleans, lists, Fractions as text)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return _num(value)
    if isinstance(value, Fraction):
        return {"fraction": str(value)}
    if isinstance(value, np.ndarray):
        return _arr(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


class _NotStorable(Exception):
    pass


def _function(f: Any) -> dict[str, Any]:
    from explainspec.worlds import fitted, nets
    from explainspec.worlds import functions as fn

    out: dict[str, Any]
    # the exact class: a subclass (e.g. worlds.given.GivenTree) may answer ground truth
    # differently, and rebuilding it as its base class would change that silently
    kind = type(f)
    if kind is fn.TermFunction:
        out = {
            "kind": "terms",
            "d": f.d,
            "intercept": _num(f.intercept),
            "terms": [
                [_num(c), [[j, s.kind, [_num(p) for p in s.params]] for j, s in key]]
                for key, c in f._terms.items()
            ],
            "tags": sorted(f._extra),
        }
    elif kind is fn.ExprFunction:
        from explainspec.worlds import symbolic as sym

        out = {
            "kind": "formula",
            "d": f.d,
            "text": sym.to_text(f.node),  # for people; the nodes are read back
            "nodes": _postfix(f.node),
            "tags": sorted(f._extra),
        }
        layers = f.structure.get("layers")
        if layers is not None:
            out["layers"] = [[_arr(W), _arr(b)] for W, b in layers]
        if set(f.structure) - {"layers"}:
            raise _NotStorable(f"the formula carries structure {sorted(f.structure)}")
    elif kind is fn.ReluNet:
        out = {"kind": "relu_net", "d": f.d, "layers": [[_arr(W), _arr(b)] for W, b in f.layers]}
    elif kind is nets.NetFunction:
        out = {
            "kind": "mlp",
            "d": f.d,
            "activation": f.activation,
            "bias": f.bias,
            "layers": [[_arr(W), _arr(b)] for W, b in f.net_layers],
        }
    elif kind is fitted.TreeFunction:
        out = {"kind": "tree", **_tree(f.model)}
    elif kind is fn.Combination:
        out = {"kind": "combination", "parts": [[_num(a), _function(g)] for a, g in f.parts]}
    elif kind is fn.Permuted:
        out = {"kind": "permuted", "f": _function(f.f), "perm": list(f.perm)}
    elif kind is fn.Embedded:
        out = {"kind": "embedded", "f": _function(f.f), "keep": list(f.keep), "d": f.d}
    elif kind is fn.Linked:
        out = {"kind": "logistic", "f": _function(f.f)}
    elif isinstance(f, fitted.ModelFunction):
        raise _NotStorable(
            f"{f.formula()} is a fitted scikit-learn {f.kind} model, which a report does not "
            "store (only data is stored, never a pickle)"
        )
    else:
        raise _NotStorable(f"{type(f).__name__} functions are not stored in reports")
    centre = getattr(f, "bump_centre", None)
    if centre is not None:
        out["bump"] = [_arr(centre), _num(getattr(f, "bump_radius", math.nan))]
    return out


_BINARY = {"+": "Add", "-": "Sub", "*": "Mul", "/": "Div", "**": "Pow"}

#: the deepest formula :func:`rebuild_world` builds (evaluating it recurses once per level); the
#: families' formulas stay far below (a written-out ReLU network of MAX_FORMULA_NET occurrences
#: nests about 300 levels)
MAX_FORMULA_DEPTH = 500


def _postfix(node: Any) -> list[list[Any]]:
    """A formula's nodes in postfix order (no recursion, so no depth limit on writing):
    ``["c", value]``, ``["x", i]``, ``["+"]`` ``["-"]`` ``["*"]`` ``["/"]`` ``["**"]``,
    ``["neg"]``, ``["f", name]``, ``["max", k]``, ``["min", k]``."""
    from explainspec.worlds import symbolic as sym

    names = {getattr(sym, cls): op for op, cls in _BINARY.items()}
    out: list[list[Any]] = []
    stack: list[tuple[Any, bool]] = [(node, False)]
    while stack:
        n, expanded = stack.pop()
        if isinstance(n, sym.Const):
            out.append(["c", _num(n.value)])
        elif isinstance(n, sym.Var):
            out.append(["x", int(n.index)])
        elif expanded:
            if isinstance(n, sym.Neg):
                out.append(["neg"])
            elif isinstance(n, sym.Apply):
                out.append(["f", n.name])
            elif isinstance(n, sym.Extremum):
                out.append(["max" if n.is_max else "min", len(n.args)])
            else:
                out.append([names[type(n)]])
        else:
            stack.append((n, True))
            if isinstance(n, sym.Neg):
                children: tuple[Any, ...] = (n.operand,)
            elif isinstance(n, sym.Apply):
                children = (n.arg,)
            elif isinstance(n, sym.Extremum):
                children = n.args
            else:
                children = (n.left, n.right)
            stack.extend((c, False) for c in reversed(children))
    return out


def _from_postfix(ops: Any, d: int) -> Any:
    """The formula of :func:`_postfix`, checked: known operations and functions only, variables
    below ``d``, at most :data:`MAX_FORMULA_DEPTH` levels deep."""
    from explainspec.worlds import symbolic as sym

    if not isinstance(ops, list) or not ops or len(ops) > 100 * limit("terms"):
        raise _bad(f"a formula's nodes must be a list of 1..{100 * limit('terms')} operations")
    stack: list[tuple[Any, int]] = []  # (node, depth)

    def pop(k: int) -> list[tuple[Any, int]]:
        if len(stack) < k:
            raise _bad("a formula's nodes are not in postfix order")
        args = stack[len(stack) - k :]
        del stack[len(stack) - k :]
        return args

    for op in ops:
        if not isinstance(op, list) or not op or not isinstance(op[0], str):
            raise _bad("a formula's node must be a list starting with its operation")
        kind, node = op[0], None
        if kind == "c" and len(op) == 2:
            stack.append((sym.Const(_float(op[1], "a constant")), 1))
            continue
        if kind == "x" and len(op) == 2:
            stack.append((sym.Var(_int(op[1], "a variable", 0, d - 1)), 1))
            continue
        if kind in _BINARY and len(op) == 1:
            (a, da), (b, db) = pop(2)
            node, depth = getattr(sym, _BINARY[kind])(a, b), max(da, db) + 1
        elif kind == "neg" and len(op) == 1:
            ((a, da),) = pop(1)
            node, depth = sym.Neg(a), da + 1
        elif kind == "f" and len(op) == 2 and op[1] in sym.FUNCTION_NAMES:
            ((a, da),) = pop(1)
            node, depth = sym.Apply(op[1], a), da + 1
        elif kind in ("max", "min") and len(op) == 2:
            args = pop(_int(op[1], "the arguments of max/min", 2, limit("literal_items")))
            node = sym.Extremum(kind == "max", tuple(a for a, _ in args))
            depth = max(da for _, da in args) + 1
        else:
            raise _bad(f"unknown formula operation {str(op)[:60]}")
        if depth > MAX_FORMULA_DEPTH:
            raise _bad(f"the formula is nested deeper than {MAX_FORMULA_DEPTH} levels")
        stack.append((node, depth))
    if len(stack) != 1:
        raise _bad("a formula's nodes do not make one formula")
    return stack[0][0]


def _tree(model: Any) -> dict[str, Any]:
    state = model.tree_.__getstate__()
    nodes = state["nodes"]
    return {
        "d": int(model.n_features_in_),
        "max_depth": int(state["max_depth"]),
        "params": {"max_depth": model.max_depth, "random_state": _plain(model.random_state)},
        "nodes": {name: nodes[name].tolist() for name in nodes.dtype.names},
        "values": _arr(np.asarray(state["values"], dtype=float).reshape(len(nodes), -1)),
    }


def _distribution(P: Any) -> dict[str, Any]:
    if getattr(P, "rows", None) is not None:
        return {
            "kind": "finite",
            "rows": _arr(P.rows),
            "name": str(getattr(P, "name", "rows")),
            "params": _plain(getattr(P, "params", {})),
            "realized": _plain(getattr(P, "realized", {})),
            "declared_independent": bool(getattr(P, "declared_independent", False)),
        }
    if hasattr(P, "mean") and hasattr(P, "cov"):
        return {
            "kind": "gaussian",
            "mean": _arr(P.mean),
            "cov": _arr(P.cov),
            "params": _plain(getattr(P, "params", {})),
        }
    raise _NotStorable(f"the distribution {type(P).__name__} is not stored in reports")


def serialize_world(
    world: Any,
    *,
    claim: str = "",
    method: str = "",
    params: Mapping[str, Any] | None = None,
    index: int | None = None,
) -> dict[str, Any]:
    """The world of a counterexample as plain JSON data.

    ``claim`` is ``spec.claim``; ``method``/``params`` are the claim's method and its spec
    parameters; ``index`` is the row of ``world.points`` the check failed at (``None`` for a
    global method). A world that cannot be stored is ``{"format": 1, "claim": ...,
    "unavailable": REASON}``: the run never fails for it.

    Examples
    --------
    >>> from explainspec.worlds import functions as fn, distributions as dist
    >>> from explainspec.worlds.base import World
    >>> P = dist.grid(2, levels=2)
    >>> w = World(f=fn.linear([1.0, -2.0]), P=P, data=P.rows, background=P.rows,
    ...     points=P.rows[:1], baseline=np.zeros(2), grid=np.zeros((2, 1)), y=np.zeros(4), seed=7)
    >>> data = serialize_world(w, method="reference.shapley", index=0)
    >>> data["f"]["kind"], data["background"], data["seed"], rebuild_world(data).f([1.0, 1.0])
    ('terms', 'data', 7, -1.0)
    """
    head: dict[str, Any] = {"format": WORLD_FORMAT, "claim": claim}
    rows = getattr(world.P, "rows", None)
    sizes = [np.size(getattr(world, n)) for n in ("data", "background", "points", "grid", "y")]
    numbers = sum(sizes) + (np.size(rows) if rows is not None and rows is not world.data else 0)
    if numbers > WORLD_NUMBERS:
        return {**head, "unavailable": _too_many(numbers)}
    try:
        f = _function(world.f)
        g = _function(world.g) if getattr(world, "g", None) is not None else None
        target = getattr(world, "target", None)
        if target is None or target is world.f:
            target_data: Any = "f"
        elif target is world.g:
            target_data = "g"
        else:
            target_data = _function(target)
        P = _distribution(world.P)
    except _NotStorable as e:
        return {**head, "unavailable": str(e)}
    except Exception as e:  # noqa: BLE001 - a report never fails for a world it cannot store
        return {**head, "unavailable": f"{type(e).__name__}: {e}"}
    numbers += _count(f) + _count(g) + _count(target_data)
    if numbers > WORLD_NUMBERS:
        return {**head, "unavailable": _too_many(numbers)}
    data = world.data
    return {
        **head,
        "f": f,
        "g": g,
        "target": target_data,
        "P": P,
        "data": "P.rows" if rows is not None and data is rows else _arr(data),
        "continuous": hasattr(data, "continuous_source"),
        "background": "data" if world.background is data else _arr(world.background),
        "points": _arr(np.asarray(world.points, dtype=float).reshape(len(world.points), world.f.d)),
        "baseline": _arr(world.baseline),
        "grid": _arr(world.grid),
        "y": _arr(world.y),
        "seed": int(world.seed),
        "method": method,
        "params": _plain(dict(params or {})),
        "point_index": None if index is None else int(index),
    }


def _count(value: Any) -> int:
    """How many numbers a serialized function holds."""
    if isinstance(value, list):
        return sum(_count(v) for v in value)
    if isinstance(value, Mapping):
        return sum(_count(v) for v in value.values())
    return 1 if isinstance(value, float | int) and not isinstance(value, bool) else 0


def _too_many(numbers: int) -> str:
    return (
        f"the world holds {numbers} numbers, more than a report stores ({WORLD_NUMBERS}); "
        "rerun the claim with the command above to get it"
    )


# --------------------------------------------------------------------------- reading


def _bad(message: str) -> WorldDataError:
    return WorldDataError("ES382", message)


def _int(v: Any, what: str, lo: int = 0, hi: int | None = None) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise _bad(f"{what} must be an integer, got {type(v).__name__}")
    if v < lo or (hi is not None and v > hi):
        raise _bad(f"{what} = {v} is outside {lo}..{hi if hi is not None else ''}")
    return v


def _float(v: Any, what: str) -> float:
    if isinstance(v, bool):
        raise _bad(f"{what} must be a number, got a boolean")
    if isinstance(v, int | float):
        return float(v)
    if v in ("inf", "-inf", "nan"):
        return float(v)
    raise _bad(f"{what} must be a number, got {type(v).__name__}")


def _read_array(v: Any, what: str, ndim: int, max_items: int) -> np.ndarray:
    """A float array of ``ndim`` dimensions from nested lists, refused over ``max_items``."""
    if ndim == 1:
        if not isinstance(v, list):
            raise _bad(f"{what} must be a list of numbers")
        if len(v) > max_items:
            raise _bad(f"{what} has {len(v)} values; the limit is {max_items}")
        return np.array([_float(x, what) for x in v], dtype=float)
    if not isinstance(v, list) or not all(isinstance(r, list) for r in v):
        raise _bad(f"{what} must be a list of rows")
    count = sum(len(r) for r in v)
    if count > max_items:
        raise _bad(f"{what} has {count} values; the limit is {max_items}")
    rows = [_read_array(r, what, ndim - 1, max_items) for r in v]
    if len({r.shape for r in rows}) > 1:
        raise _bad(f"{what} has rows of different lengths")
    if not rows:
        return np.zeros((0,) * ndim)
    return np.stack(rows)


def _cells() -> int:
    return limit("rows") * limit("features")


def _matrix(v: Any, what: str, d: int | None = None) -> np.ndarray:
    if isinstance(v, list) and len(v) > limit("rows"):
        raise _bad(f"{what} has {len(v)} rows; the limit is {limit('rows')}")
    a = _read_array(v, what, 2, _cells())
    if a.size == 0:
        a = a.reshape(0, d or 0)
    if d is not None and a.shape[1] != d:
        raise _bad(f"{what} has {a.shape[1]} columns, expected d = {d}")
    return a


def _get(m: Any, key: str, what: str) -> Any:
    if not isinstance(m, Mapping) or key not in m:
        raise _bad(f"{what} has no field {key!r}")
    return m[key]


def _tags(v: Any) -> tuple[str, ...]:
    if not isinstance(v, list) or not all(isinstance(t, str) and len(t) < 100 for t in v):
        raise _bad("tags must be a list of short strings")
    if len(v) > 32:
        raise _bad("too many tags")
    return tuple(v)


def _layers(v: Any, d: int, what: str) -> list[tuple[np.ndarray, np.ndarray]]:
    width, depth = limit("width"), limit("depth")
    if not isinstance(v, list) or not 1 <= len(v) <= depth + 1:
        raise _bad(f"{what} must be a list of 1..{depth + 1} layers")
    out, inputs = [], d
    for k, layer in enumerate(v):
        if not isinstance(layer, list) or len(layer) != 2:
            raise _bad(f"layer {k} of {what} must be [W, b]")
        W = _read_array(layer[0], f"W of layer {k}", 2, width * max(width, d))
        b = _read_array(layer[1], f"b of layer {k}", 1, width)
        if W.ndim != 2 or W.shape != (len(b), inputs) or not 1 <= len(b) <= width:
            raise _bad(f"layer {k} of {what} has W {W.shape} and b {b.shape}; inputs {inputs}")
        out.append((W, b))
        inputs = len(b)
    if inputs != 1:
        raise _bad(f"the last layer of {what} must have one output")
    return out


def _read_function(v: Any, depth: int = 0) -> Any:
    from explainspec.worlds import functions as fn

    f: Any
    if depth > limit("nesting"):
        raise _bad("the function is nested too deeply")
    kind = _get(v, "kind", "a function")
    if kind == "terms":
        return _read_terms(v)
    if kind == "formula":
        return _read_formula(v)
    if kind == "relu_net":
        d = _int(_get(v, "d", "relu_net"), "d", 1, limit("features"))
        return _bump(fn.ReluNet(_layers(_get(v, "layers", "relu_net"), d, "relu_net"), d), v)
    if kind == "mlp":
        from explainspec.worlds import nets

        d = _int(_get(v, "d", "mlp"), "d", 1, limit("features"))
        activation = _get(v, "activation", "mlp")
        if activation not in nets.ACTIVATIONS:
            raise _bad(f"unknown activation {str(activation)[:40]!r}")
        bias = _get(v, "bias", "mlp")
        if not isinstance(bias, bool):
            raise _bad("bias must be true or false")
        try:
            net = nets.NetFunction(_layers(_get(v, "layers", "mlp"), d, "mlp"), d, activation, bias)
        except ValueError as e:
            raise _bad(str(e)) from None
        return _bump(net, v)
    if kind == "tree":
        return _read_tree(v)
    if kind == "combination":
        parts = _get(v, "parts", "combination")
        if not isinstance(parts, list) or not 1 <= len(parts) <= limit("terms"):
            raise _bad("a combination must have 1..terms parts")
        pairs = []
        for p in parts:
            if not isinstance(p, list) or len(p) != 2:
                raise _bad("a combination part must be [coefficient, function]")
            pairs.append((_float(p[0], "a coefficient"), _read_function(p[1], depth + 1)))
        if len({g.d for _, g in pairs}) != 1:
            raise _bad("the parts of a combination have different d")
        f = fn.Combination(pairs)
    elif kind == "permuted":
        inner = _read_function(_get(v, "f", "permuted"), depth + 1)
        perm = _get(v, "perm", "permuted")
        if not isinstance(perm, list) or sorted(perm) != list(range(inner.d)):
            raise _bad("perm must be a permutation of the features")
        f = fn.Permuted(inner, perm)
    elif kind == "embedded":
        inner = _read_function(_get(v, "f", "embedded"), depth + 1)
        d = _int(_get(v, "d", "embedded"), "d", 1, limit("features"))
        keep = _get(v, "keep", "embedded")
        if (
            not isinstance(keep, list)
            or len(keep) != inner.d
            or len(set(keep)) != len(keep)
            or not all(isinstance(k, int) and not isinstance(k, bool) and 0 <= k < d for k in keep)
        ):
            raise _bad("keep must list distinct features of the larger space")
        f = fn.Embedded(inner, keep, d)
    elif kind == "logistic":
        f = fn.Linked(_read_function(_get(v, "f", "logistic"), depth + 1))
    else:
        raise _bad(f"unknown function kind {str(kind)[:40]!r}")
    return _bump(f, v)


def _bump(f: Any, v: Mapping[str, Any]) -> Any:
    if "bump" in v:
        b = v["bump"]
        if not isinstance(b, list) or len(b) != 2:
            raise _bad("bump must be [centre, radius]")
        f.bump_centre = _read_array(b[0], "bump centre", 1, f.d)
        f.bump_radius = _float(b[1], "bump radius")
    return f


def _read_terms(v: Mapping[str, Any]) -> Any:
    from explainspec.worlds import functions as fn

    d = _int(_get(v, "d", "terms"), "d", 1, limit("features"))
    terms = _get(v, "terms", "terms")
    if not isinstance(terms, list) or len(terms) > limit("terms"):
        raise _bad(f"terms must be a list of at most {limit('terms')} terms")
    parsed: dict[Any, float] = {}
    for t in terms:
        if not isinstance(t, list) or len(t) != 2 or not isinstance(t[1], list):
            raise _bad("a term must be [coefficient, [[feature, shape, params], ...]]")
        key = []
        for atom in t[1]:
            if not isinstance(atom, list) or len(atom) != 3:
                raise _bad("a term's factor must be [feature, shape, params]")
            j = _int(atom[0], "a term's feature", 0, d - 1)
            kind, params = atom[1], atom[2]
            if kind not in _SHAPES or not isinstance(params, list) or len(params) != _SHAPES[kind]:
                raise _bad(f"unknown shape {str(kind)[:40]!r} or wrong parameters")
            key.append((j, fn.Shape(kind, tuple(_float(p, "a shape parameter") for p in params))))
        try:
            k = fn._key(key)
        except ValueError as e:
            raise _bad(str(e)) from None
        parsed[k] = parsed.get(k, 0.0) + _float(t[0], "a term's coefficient")
    f = fn.TermFunction(
        d, parsed, _float(_get(v, "intercept", "terms"), "intercept"), _tags(v.get("tags", []))
    )
    return _bump(f, v)


def _read_formula(v: Mapping[str, Any]) -> Any:
    from explainspec.worlds import functions as fn
    from explainspec.worlds import symbolic as sym

    d = _int(_get(v, "d", "formula"), "d", 1, limit("features"))
    if "nodes" in v:
        node = _from_postfix(v["nodes"], d)
    else:  # a formula given as text only: the whitelisted formula grammar, never eval
        text = _get(v, "text", "formula")
        if not isinstance(text, str) or len(text) > 10 * limit("string_chars"):
            raise _bad("the formula must be a string of bounded length")
        try:
            node = sym.parse(text)
        except Exception as e:  # noqa: BLE001 - any parse failure is a malformed report
            raise _bad(f"the formula cannot be read: {str(e)[:200]}") from None
    structure = {}
    if "layers" in v:
        structure["layers"] = tuple(_layers(v["layers"], d, "the formula's layers"))
    try:
        f = fn.ExprFunction(node, d, _tags(v.get("tags", [])), **structure)
    except ValueError as e:
        raise _bad(str(e)) from None
    return _bump(f, v)


def _read_tree(v: Mapping[str, Any]) -> Any:
    from explainspec.worlds import fitted

    d = _int(_get(v, "d", "tree"), "d", 1, limit("features"))
    nodes = _get(v, "nodes", "tree")
    node_dtype = fitted.node_dtype()
    names = list(node_dtype.names)
    if not isinstance(nodes, Mapping) or sorted(nodes) != sorted(names):
        raise WorldDataError(
            "ES381",
            "the tree was stored by a scikit-learn version with other node fields "
            f"({sorted(nodes) if isinstance(nodes, Mapping) else '?'}); this one has {names}",
        )
    max_nodes = 2 ** (limit("depth") + 1)
    columns = {}
    for name in names:
        col = nodes[name]
        if not isinstance(col, list) or len(col) > max_nodes:
            raise _bad(f"tree nodes field {name!r} must be a list of at most {max_nodes} values")
        columns[name] = [_float(x, f"tree node {name}") for x in col]
    n = len(columns[names[0]])
    if n == 0 or any(len(c) != n for c in columns.values()):
        raise _bad("the tree's node fields have different lengths")
    arr = np.zeros(n, dtype=node_dtype)
    for name in names:
        arr[name] = columns[name]
    left, right, feature = arr["left_child"], arr["right_child"], arr["feature"]
    leaf = left == -1
    if (
        np.any((right == -1) != leaf)
        or np.any(
            ~leaf & ((left <= np.arange(n)) | (right <= np.arange(n)) | (left >= n) | (right >= n))
        )
        or np.any(~leaf & ((feature < 0) | (feature >= d)))
    ):
        raise _bad("the tree's nodes do not form a tree over d features")
    depth = np.zeros(n, dtype=int)  # children come after their parent: one pass in order
    for k in np.flatnonzero(~leaf):
        depth[left[k]] = depth[right[k]] = depth[k] + 1
    if depth.max() > limit("depth"):
        raise _bad(f"the tree is {depth.max()} levels deep; the limit is {limit('depth')}")
    values = _matrix(_get(v, "values", "tree"), "tree values")
    if values.shape != (n, 1):
        raise _bad("the tree must have one value per node")
    max_depth = _int(_get(v, "max_depth", "tree"), "max_depth", 0, limit("depth"))
    params = v.get("params", {})
    depth_param = params.get("max_depth") if isinstance(params, Mapping) else None
    if depth_param is not None:
        depth_param = _int(depth_param, "max_depth", 1, limit("depth"))
    model = fitted.restore_tree(d, arr, values, max_depth=max_depth, depth_param=depth_param)
    return _bump(fitted.TreeFunction(model), v)


def _read_distribution(v: Any) -> Any:
    from explainspec.worlds import distributions as dist

    kind = _get(v, "kind", "P")
    params = v.get("params", {})
    if not isinstance(params, Mapping):
        raise _bad("P's params must be a mapping")
    params = {str(k): _param(p) for k, p in params.items()}
    if kind == "finite":
        rows = _matrix(_get(v, "rows", "P"), "P.rows")
        if rows.shape[0] > limit("rows") or rows.shape[1] > limit("features") or not rows.size:
            raise _bad(f"P has {rows.shape} rows, over the limits")
        realized = v.get("realized", {})
        if not isinstance(realized, Mapping):
            raise _bad("P's realized values must be a mapping")
        return dist.FiniteDistribution(
            rows,
            name=str(v.get("name", "rows"))[:100],
            params=params,
            realized={str(k): _param(p) for k, p in realized.items()},
            declared_independent=bool(v.get("declared_independent", False)),
        )
    if kind == "gaussian":
        mean = _read_array(_get(v, "mean", "P"), "P.mean", 1, limit("features"))
        cov = _matrix(_get(v, "cov", "P"), "P.cov", len(mean))
        try:
            return dist.GaussianDistribution(mean, cov, params)
        except ValueError as e:
            raise _bad(str(e)) from None
    raise _bad(f"unknown distribution kind {str(kind)[:40]!r}")


def _param(p: Any, depth: int = 0) -> Any:
    """A parameter read back: numbers, strings, booleans, lists, ``{"fraction": "a/b"}``."""
    if depth > 8:
        raise _bad("a parameter is nested too deeply")
    if p is None or isinstance(p, bool | int | float):
        return p
    if isinstance(p, str):
        return p[: limit("string_chars")]
    if isinstance(p, list):
        if len(p) > limit("literal_items"):
            raise _bad("a parameter list is too long")
        return [_param(x, depth + 1) for x in p]
    if isinstance(p, Mapping) and set(p) == {"fraction"} and isinstance(p["fraction"], str):
        try:
            return Fraction(p["fraction"][:200])
        except (ValueError, ZeroDivisionError):
            raise _bad("a fraction cannot be read") from None
    if isinstance(p, Mapping):
        if len(p) > limit("literal_items"):
            raise _bad("a parameter mapping is too large")
        return {str(k)[:200]: _param(x, depth + 1) for k, x in p.items()}
    raise _bad(f"a parameter of type {type(p).__name__}")


def rebuild_world(data: Any) -> Any:
    """The :class:`~explainspec.worlds.base.World` stored by :func:`serialize_world`.

    ``world.info`` holds ``method``, ``params`` (the spec's parameters of the method) and
    ``point_index`` (the row of ``world.points`` where the check failed; ``None`` for a global
    method). Raises :class:`WorldDataError`: ``ES381`` for a world that was not stored, ``ES382``
    for malformed data.
    """
    from explainspec.worlds.base import World
    from explainspec.worlds.distributions import ContinuousSample

    if not isinstance(data, Mapping):
        raise _bad("the world must be a mapping")
    if data.get("format") != WORLD_FORMAT:
        raise _bad(
            f"unknown world format {str(data.get('format'))[:20]!r}; expected {WORLD_FORMAT}"
        )
    if "unavailable" in data:
        raise WorldDataError("ES381", f"the world was not stored: {str(data['unavailable'])[:300]}")
    f = _read_function(_get(data, "f", "the world"))
    d = f.d
    g = _read_function(data["g"]) if data.get("g") is not None else None
    P = _read_distribution(_get(data, "P", "the world"))
    if P.d != d:
        raise _bad(f"P has {P.d} features but f has d = {d}")
    raw = _get(data, "data", "the world")
    if raw == "P.rows":
        if P.rows is None:
            raise _bad("data = P.rows needs a finite P")
        rows = P.rows
    else:
        rows = _matrix(raw, "data", d)
        if data.get("continuous"):
            rows = ContinuousSample(rows, P)
    raw_bg = _get(data, "background", "the world")
    background = rows if raw_bg == "data" else _matrix(raw_bg, "background", d)
    points = _matrix(_get(data, "points", "the world"), "points", d)
    baseline = _read_array(_get(data, "baseline", "the world"), "baseline", 1, limit("features"))
    if baseline.shape not in ((d,), (0,)):
        raise _bad(f"the baseline has {len(baseline)} values, expected d = {d}")
    grid = _matrix(_get(data, "grid", "the world"), "grid")
    if grid.size and grid.shape[0] != d:
        raise _bad(f"the grid has {grid.shape[0]} rows, expected d = {d}")
    y = _read_array(_get(data, "y", "the world"), "y", 1, limit("rows"))
    target_raw = data.get("target", "f")
    if target_raw == "f":
        target = f
    elif target_raw == "g" and g is not None:
        target = g
    else:
        target = _read_function(target_raw)
    if g is not None and g.d != d or target.d != d:
        raise _bad("g and the target must have the same d as f")
    seed = _int(_get(data, "seed", "the world"), "seed", 0, 2**63 - 1)
    index = data.get("point_index")
    if index is not None:
        index = _int(index, "point_index", 0, max(len(points) - 1, 0))
    method = data.get("method", "")
    params = data.get("params", {})
    if not isinstance(method, str) or not isinstance(params, Mapping):
        raise _bad("method must be a name and params a mapping")
    info = {
        "method": method[:200],
        "params": _param(params),
        "point_index": index,
        "formula": f.formula(),
        "distribution": P.describe(),
    }
    return World(
        f=f,
        P=P,
        data=rows,
        background=background,
        points=points,
        baseline=baseline,
        grid=grid,
        y=y,
        seed=seed,
        g=g,
        target=target,
        info=info,
    )


# --------------------------------------------------------------------------- reports


def _claims(report: Any) -> Sequence[Any]:
    """The claim records of a report: a RunResult, a ClaimResult, a dict or a JSON path."""
    from pathlib import Path

    from explainspec.runner.events import ClaimResult, RunResult

    if isinstance(report, RunResult):
        return report.claims
    if isinstance(report, ClaimResult):
        return (report,)
    if isinstance(report, str | Path) or hasattr(report, "__fspath__"):
        try:  # bounded; not a regular file, bad JSON, too deep: ES380
            report = read_report_file(report, limit=REPORT_BYTES)
        except ReportFileError as e:
            raise WorldDataError("ES380", str(e)) from None
    if isinstance(report, Mapping):
        claims = report.get("claims")
        if not isinstance(claims, list):
            raise WorldDataError("ES380", "the report has no list of claims")
        return claims
    raise WorldDataError(
        "ES380", f"a report is a RunResult, a JSON report or its path; got {type(report).__name__}"
    )


#: the largest JSON report :func:`world_from_report` reads (bytes; the limit of every report read)
REPORT_BYTES = _REPORT_BYTES


def _field(c: Any, name: str) -> Any:
    return c.get(name) if isinstance(c, Mapping) else getattr(c, name, None)


def world_from_report(report: Any, claim: str) -> Any:
    """Rebuild the counterexample world of ``claim`` from a verification report.

    Parameters
    ----------
    report
        A :class:`~explainspec.RunResult` (or one ``ClaimResult``), the JSON report of
        ``explainspec verify --format json`` as a dict, or the path of that file. A report is
        read as data only: nothing in it is evaluated, imported or unpickled.
    claim
        ``"spec.claim"`` or the claim's name alone (when it is unique in the report).

    Returns
    -------
    World
        The world the check failed on: ``f`` (same values as in the run), ``P``, ``data``,
        ``background``, ``points``, ``baseline``, ``grid``, ``y``, ``seed`` (the method seed);
        ``info["method"]``, ``info["params"]`` and ``info["point_index"]`` say which method ran
        with which parameters and at which point the check failed. Re-run the method on it with
        :func:`explainspec.explain`.

    Raises
    ------
    WorldDataError
        ``ES380`` unreadable report, unknown claim or no counterexample; ``ES381`` the world
        was not stored (a fitted black-box model); ``ES382`` malformed world data.
    """
    claims = _claims(report)
    if not isinstance(claim, str):
        raise WorldDataError("ES380", "the claim is named by a string: 'spec.claim' or 'claim'")
    found = [
        c
        for c in claims
        if claim in (f"{_field(c, 'spec')}.{_field(c, 'claim')}", _field(c, "claim"))
    ]
    if not found:
        names = ", ".join(f"{_field(c, 'spec')}.{_field(c, 'claim')}" for c in list(claims)[:20])
        raise WorldDataError("ES380", f"no claim {claim[:200]!r} in the report (claims: {names})")
    if len(found) > 1:
        raise WorldDataError("ES380", f"{claim!r} names several claims: write spec.claim")
    cx = _field(found[0], "counterexample")
    world = _field(cx, "world") if cx is not None else None
    if world is None:
        raise WorldDataError(
            "ES380",
            f"the claim {claim!r} has no counterexample world in the report (verdict "
            f"{_field(found[0], 'verdict')!s}; reports written before counterexamples stored their world do not have it)",
        )
    return rebuild_world(world)


def explain(world: Any, method: str | None = None, **params: Any) -> Any:
    """Run an explanation method on a world, as the runner does: on every point of the world.

    ``method`` and ``params`` default to the counterexample's (``world.info``); ``params`` given
    here replace the stored ones. Returns the method's output (local methods: one row per point
    of ``world.points``; ``out[world.info["point_index"]]`` is the failing point's).
    """
    from explainspec.methods.base import Problem
    from explainspec.methods.call import call_method
    from explainspec.registry import registry

    info = dict(getattr(world, "info", {}) or {})
    name = method or info.get("method")
    if not name:
        raise ValueError("name the method: explain(world, 'shap.kernel')")
    merged = dict(info.get("params") or {}) if method is None else {}
    merged.update(params)
    entry = registry("method").get(name)
    problem = Problem(
        f=world.f,
        points=np.asarray(world.points, dtype=float),
        background=np.asarray(world.background, dtype=float),
        data=world.data,
        y=world.y,
        grid=world.grid,
        baseline=np.asarray(world.baseline, dtype=float),
        seed=int(world.seed),
        params=merged,
    )
    return call_method(entry, problem)
