"""A world's function handed over as a ``torch.nn.Module``: ``f.handover("torch")``.

The module is built from the function's *structure*, by one generic builder per kind of member,
never by copying a family's formula into torch by hand:

- networks (``relu_net`` formulas whose ``layers`` reproduce them, ``mlp`` members,
  scikit-learn ``MLPRegressor`` models with ReLU units — the ``model(kind = "mlp")`` family, a small
  net *trained on the world's data* — and ``LogisticRegression``): an ``nn.Sequential`` of
  ``nn.Linear`` layers and activation modules (``nn.ReLU``, ``nn.Tanh``, ``nn.GELU``,
  ``nn.Sigmoid``), as a PyTorch user writes the model;
- term functions (``linear``, ``additive``, ``multilinear``, ``interaction``): the sum of the
  terms, each a product of one-dimensional shapes (``x**k``, ``sin``, ``tanh``, ``abs``,
  ``relu(x - c)``, ``step``, ``tent``) evaluated with torch operations;
- formulas (``formula`` family, ``relu_net`` after ``unused``/``swap``): the formula tree compiled
  to torch operations, with one activation *module* per ``relu``/``tanh`` node (so module-based
  methods such as DeepLift see them);
- sums, ``swap``, ``unused`` and the logistic link: the closures compose the members' modules.

Every module maps a batch ``(n, d)`` to ``(n,)`` (one output per example: Captum needs no
``target``), in ``float64`` (``"torch"``) or ``float32`` (``"torch:float32"``). Its gradient is the
function's analytic gradient with the same one-sided conventions at kinks (``relu'(0) = 0``,
``abs'(0) = 0``, ``step' = 0``, ``max``/``min`` follow the selected argument): tested in
``tests/worlds/test_handover_torch.py``. A module is built once per function object and dtype and
kept on the function (a world's function lives as long as the world); a module not built
straight from the function's own layer arrays is checked against ``f`` at four probe points when
built.

``torch`` is imported here only; without it the handover raises
:class:`~explainspec.methods.base.NotApplicable` naming the extra to install.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from explainspec.worlds import symbolic as sym

Array = np.ndarray

#: handover form -> torch dtype name
FORMS = {"torch": "float64", "torch:float64": "float64", "torch:float32": "float32"}

INSTALL = "pip install 'explainspec[torch]'"

_LOCK = threading.Lock()
_CACHE_ATTR = "_torch_modules"


def _not_applicable(message: str) -> Exception:
    from explainspec.methods.base import NotApplicable

    return NotApplicable(message)


def import_torch() -> Any:
    """``torch``, or :class:`NotApplicable` saying how to install it."""
    try:
        import torch
    except ImportError as exc:
        raise _not_applicable(f"torch is not installed ({exc}); {INSTALL}") from None
    return torch


def handover(f: Any, form: str = "torch") -> Any:
    """The ``torch.nn.Module`` of ``f`` in the dtype of ``form`` (built once per function).

    Raises
    ------
    NotApplicable
        If torch is missing, ``form`` is unknown, or ``f`` has no module form (trees, boosted or
        random-forest models, plugin callables).
    """
    dtype_name = FORMS.get(form)
    if dtype_name is None:
        raise _not_applicable(f"unknown torch handover form {form!r}; one of {', '.join(FORMS)}")
    cache: dict[str, Any] | None = getattr(f, "__dict__", {}).get(_CACHE_ATTR)
    if cache is not None and dtype_name in cache:
        return cache[dtype_name]
    torch = import_torch()
    with _LOCK:
        cache = f.__dict__.setdefault(_CACHE_ATTR, {})
        if dtype_name not in cache:
            if "float64" not in cache:
                module = build(f, torch)
                cache["float64"] = _finish(module, f, torch, torch.float64, _layered(module))
            if dtype_name == "float32":
                module32 = copy.deepcopy(cache["float64"]).to(torch.float32)
                cache["float32"] = _finish(module32, f, torch, torch.float32, False)
        return cache[dtype_name]


def _layered(module: Any) -> bool:
    """A network built straight from the function's own layer arrays (exact by construction:
    the float64 self-check is skipped for it; tests cover every family)."""
    return type(module).__name__ == "Network" and getattr(module, "from_layers", False)


def _finish(module: Any, f: Any, torch: Any, dtype: Any, trusted: bool) -> Any:
    module.eval()
    module.requires_grad_(False)
    if not trusted:
        _self_check(module, f, torch, dtype)
    return module


def _self_check(module: Any, f: Any, torch: Any, dtype: Any) -> None:
    """The module agrees with ``f`` at a few fixed probe points (else the builder is wrong)."""
    rng = np.random.default_rng(20240917)
    Z = rng.normal(scale=1.5, size=(4, f.d))
    want = np.asarray(f(Z), dtype=float)
    with torch.no_grad():
        got = module(torch.as_tensor(Z, dtype=dtype)).double().numpy()
    tol = 1e-9 if dtype == torch.float64 else 1e-4
    ok = np.isclose(got, want, rtol=tol, atol=tol, equal_nan=True)
    if got.shape != want.shape or not ok.all():
        raise RuntimeError(
            f"internal error: the torch module of {f.formula()} disagrees with f at probe points "
            f"({got.tolist()} vs {want.tolist()})"
        )


# --------------------------------------------------------------------------- the builder


def build(f: Any, torch: Any) -> Any:
    """A fresh float64 module of ``f`` (sub-modules are never shared between parents)."""
    from explainspec.worlds import fitted, nets
    from explainspec.worlds import functions as fn

    nn = torch.nn
    mods = _module_classes(torch)
    if isinstance(f, fn.TermFunction):
        return mods.Terms(f.intercept, [(c, sorted(k.items())) for c, k in f.terms])
    if isinstance(f, nets.NetFunction):
        return mods.Network(_sequential(torch, f.net_layers, f.activation), from_layers=True)
    if isinstance(f, fn.ExprFunction):
        layers = f.structure.get("layers")
        if layers is not None and np.asarray(layers[0][0]).shape[1] == f.d:
            # relu_net: its formula is built from these arrays (zero weights left out)
            return mods.Network(_sequential(torch, layers, "relu"), from_layers=True)
        return mods.Formula(f.node)
    if isinstance(f, fn.Combination):
        return mods.Sum([a for a, _ in f.parts], [build(g, torch) for _, g in f.parts])
    if isinstance(f, fn.Permuted):
        return mods.Select(build(f.f, torch), list(f.perm))
    if isinstance(f, fn.Embedded):
        return mods.Select(build(f.f, torch), list(f.keep))
    if isinstance(f, fn.Linked):
        return mods.Network(nn.Sequential(build(f.f, torch), mods.Column(), nn.Sigmoid()))
    if isinstance(f, fitted.ModelFunction):
        return _sklearn_module(f, torch)
    raise _not_applicable(
        f"{_formula(f)} has no torch module form (trees, boosted or random-forest models and "
        "plugin callables cannot be handed over as 'torch')"
    )


def _formula(f: Any) -> str:
    try:
        return str(f.formula())
    except Exception:  # noqa: BLE001 - only for the message
        return repr(f)


def _linear(torch: Any, W: Any, b: Any) -> Any:
    """``nn.Linear`` holding ``W`` ``(out, in)`` and ``b`` (copies). Its ``__init__`` would draw a
    random initialisation (from the global torch RNG) only to overwrite it, and costs more than the
    rest of the build: the module is set up directly instead, with the attributes
    ``nn.Linear.__init__`` sets."""
    W = np.asarray(W, dtype=float).reshape(len(W), -1)
    lin = torch.nn.Linear.__new__(torch.nn.Linear)
    torch.nn.Module.__init__(lin)
    lin.in_features, lin.out_features = int(W.shape[1]), int(W.shape[0])
    lin.weight = torch.nn.Parameter(torch.tensor(W, dtype=torch.float64))
    lin.bias = torch.nn.Parameter(torch.tensor(np.asarray(b, dtype=float), dtype=torch.float64))
    return lin


_ACTIVATION_MODULES = {"relu": "ReLU", "tanh": "Tanh", "gelu": "GELU", "logistic": "Sigmoid"}


def _sequential(torch: Any, layers: Sequence[tuple[Any, Any]], activation: str) -> Any:
    """``Linear, act, Linear, act, ..., Linear``: the hidden layers with ``activation``."""
    act = getattr(torch.nn, _ACTIVATION_MODULES[activation])
    parts: list[Any] = []
    for k, (W, b) in enumerate(layers):
        parts.append(_linear(torch, W, b))
        if k < len(layers) - 1:
            parts.append(act())
    return torch.nn.Sequential(*parts)


def _sklearn_module(f: Any, torch: Any) -> Any:
    """A fitted ``MLPRegressor`` (ReLU units, identity output) or ``LogisticRegression``."""
    mods = _module_classes(torch)
    model = f.model
    if f.kind == "mlp":
        if getattr(model, "activation", None) != "relu" or model.out_activation_ != "identity":
            raise _not_applicable(
                f"only MLPRegressor(activation='relu') is handed over as torch; got "
                f"activation={getattr(model, 'activation', None)!r}"
            )
        layers = [(W.T, b) for W, b in zip(model.coefs_, model.intercepts_, strict=True)]
        return mods.Network(_sequential(torch, layers, "relu"))
    if f.kind == "logistic":
        lin = _linear(torch, model.coef_[:1], model.intercept_[:1])
        return mods.Network(torch.nn.Sequential(lin, torch.nn.Sigmoid()))
    raise _not_applicable(f"a {f.kind} model has no torch module form (not differentiable)")


# --------------------------------------------------------------------------- module classes

_CLASSES: dict[int, Any] = {}


def _module_classes(torch: Any) -> Any:
    """The ``nn.Module`` subclasses, defined on first use (torch is imported lazily)."""
    hit = _CLASSES.get(id(torch))
    if hit is not None:
        return hit
    nn = torch.nn

    class Network(nn.Module):  # type: ignore[name-defined]
        """``net(x)[:, 0]``: a one-output network as a batch function ``(n, d) -> (n,)``."""

        def __init__(self, net: Any, from_layers: bool = False) -> None:
            super().__init__()
            self.net = net
            self.from_layers = from_layers

        def forward(self, x: Any) -> Any:
            out = self.net(x)
            return out[:, 0] if out.dim() == 2 else out

    class Column(nn.Module):  # type: ignore[name-defined]
        """``(n,) -> (n, 1)`` (before a ``Sigmoid`` in a ``Sequential``)."""

        def forward(self, x: Any) -> Any:
            return x.unsqueeze(-1)

    class Terms(nn.Module):  # type: ignore[name-defined]
        """``c + sum_k coef_k prod_j shape_kj(x_j)``."""

        def __init__(self, intercept: float, terms: list[tuple[float, list[Any]]]) -> None:
            super().__init__()
            self.intercept = float(intercept)
            self.terms = [(float(c), [(int(j), s) for j, s in key]) for c, key in terms]

        def forward(self, x: Any) -> Any:
            out = torch.full((x.shape[0],), self.intercept, dtype=x.dtype, device=x.device)
            for coef, factors in self.terms:
                prod: Any = None
                for j, shape in factors:
                    v = _shape(torch, shape, x[:, j])
                    prod = v if prod is None else prod * v
                out = out + coef * prod
            return _connected(out, x)

    class Formula(nn.Module):  # type: ignore[name-defined]
        """A formula tree compiled to torch operations (one module per relu/tanh node)."""

        def __init__(self, node: sym.Node) -> None:
            super().__init__()
            self.acts = nn.ModuleList()
            self.fn = _compile(torch, node, self.acts)

        def forward(self, x: Any) -> Any:
            out = self.fn(x)
            if not isinstance(out, torch.Tensor):  # a constant formula
                out = torch.full((x.shape[0],), float(out), dtype=x.dtype, device=x.device)
            return _connected(out, x)

    class Sum(nn.Module):  # type: ignore[name-defined]
        """``sum_k a_k m_k(x)``."""

        def __init__(self, coefs: list[float], parts: list[Any]) -> None:
            super().__init__()
            self.coefs = [float(a) for a in coefs]
            self.parts = nn.ModuleList(parts)

        def forward(self, x: Any) -> Any:
            out = None
            for a, m in zip(self.coefs, self.parts, strict=True):
                v = a * m(x)
                out = v if out is None else out + v
            return out

    class Select(nn.Module):  # type: ignore[name-defined]
        """``inner(x[:, index])``: swapped or embedded features."""

        def __init__(self, inner: Any, index: list[int]) -> None:
            super().__init__()
            self.inner = inner
            self.index = list(index)

        def forward(self, x: Any) -> Any:
            return self.inner(x[:, self.index])

    class Classes:
        pass

    classes = Classes()
    for cls in (Network, Column, Terms, Formula, Sum, Select):
        setattr(classes, cls.__name__, cls)
    _CLASSES[id(torch)] = classes
    return classes


def _connected(out: Any, x: Any) -> Any:
    """``out``, attached to the graph of ``x`` when it does not depend on it differentiably (a
    sum of steps, a constant): its gradient is then 0, as the function's, instead of an autograd
    error in every gradient method."""
    if x.requires_grad and not out.requires_grad:
        return out + x[:, :0].sum(dim=1)
    return out


def _shape(torch: Any, shape: Any, t: Any) -> Any:
    """A one-dimensional :class:`~explainspec.worlds.functions.Shape` applied to ``t``."""
    k, p = shape.kind, shape.params
    if k == "pow":
        n = int(p[0])
        return t if n == 1 else t**n
    if k == "sin":
        return torch.sin(p[0] * t)
    if k == "tanh":
        return torch.tanh(p[0] * t)
    if k == "abs":
        return torch.abs(t)
    if k == "relu":
        return torch.relu(t - p[0])
    if k == "step":
        return (t > p[0]).to(t.dtype)
    if k == "tent":
        return torch.relu(1.0 - torch.abs(t - p[0]) / p[1])
    raise ValueError(f"unknown shape kind {k!r}")


def _compile(torch: Any, node: sym.Node, acts: Any) -> Callable[[Any], Any]:
    """``node`` as a function of the input batch; constants stay Python floats."""
    import math

    nn = torch.nn
    if isinstance(node, sym.Const):
        c = float(node.value)
        return lambda x: c
    if isinstance(node, sym.Var):
        i = node.index
        return lambda x: x[:, i]
    if isinstance(node, sym.Neg):
        a = _compile(torch, node.operand, acts)
        return lambda x: -a(x)
    if isinstance(node, sym.Apply):
        arg = _compile(torch, node.arg, acts)
        name = node.name
        if name in ("relu", "tanh"):
            module = nn.ReLU() if name == "relu" else nn.Tanh()
            acts.append(module)
            return lambda x: _apply_module(torch, module, arg(x))
        if name == "step":
            return lambda x: _step(torch, arg(x))
        op = {"sin": torch.sin, "cos": torch.cos, "exp": torch.exp, "abs": torch.abs}[name]
        scalar = {"sin": math.sin, "cos": math.cos, "exp": math.exp, "abs": abs}[name]
        return lambda x: _unary(op, scalar, arg(x))
    if isinstance(node, sym.Extremum):
        args = [_compile(torch, a, acts) for a in node.args]
        pick = torch.argmax if node.is_max else torch.argmin
        return lambda x: _extremum(torch, pick, [a(x) for a in args], x)
    left = _compile(torch, node.left, acts)
    right = _compile(torch, node.right, acts)
    if isinstance(node, sym.Add):
        return lambda x: left(x) + right(x)
    if isinstance(node, sym.Sub):
        return lambda x: left(x) - right(x)
    if isinstance(node, sym.Mul):
        return lambda x: left(x) * right(x)
    if isinstance(node, sym.Div):
        return lambda x: left(x) / right(x)
    return lambda x: _power(torch, left(x), right(x))


def _apply_module(torch: Any, module: Any, v: Any) -> Any:
    if isinstance(v, torch.Tensor):
        return module(v)
    return float(module(torch.tensor(float(v), dtype=torch.float64)))


def _step(torch: Any, v: Any) -> Any:
    if isinstance(v, torch.Tensor):
        return (v > 0).to(v.dtype)
    return 1.0 if v > 0 else 0.0


def _unary(op: Any, scalar: Any, v: Any) -> Any:
    return op(v) if not isinstance(v, float | int) else float(scalar(v))


def _power(torch: Any, a: Any, b: Any) -> Any:
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return torch.pow(a, b)
    return float(np.power(float(a), float(b)))


def _extremum(torch: Any, pick: Any, values: list[Any], x: Any) -> Any:
    """The selected argument (the first on ties), so the gradient follows it alone, as in
    :func:`explainspec.worlds.symbolic.value_and_grad`."""
    n = x.shape[0]
    cols = [
        v if isinstance(v, torch.Tensor) else torch.full((n,), float(v), dtype=x.dtype)
        for v in values
    ]
    stacked = torch.stack(cols)  # (k, n)
    k = pick(stacked.detach(), dim=0)
    return stacked.gather(0, k.unsqueeze(0))[0]
