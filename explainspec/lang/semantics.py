"""Semantic checks of a spec against the registries: every problem in one pass, sorted.

What is checked (codes in :mod:`explainspec.lang.diagnostics`, documented in
``docs/reference/errors.md``):

- names: the method (ES201), families (ES202), distributions (ES203), names in checks (ES204),
  question types (ES205/ES206), world fields (ES209), attributes (ES220), ``estimates`` (ES222);
  each with "did you mean";
- calls: arity and keywords against ``Entry.params``/``variadic`` (ES207/ES208);
- quantifiers: a variable that shadows another name (ES215) or is not used (ES216);
- tolerances: ``==``/``!=`` between real numbers needs ``within`` (ES214); ``within`` only on
  ``==``/``!=`` (ES217); tolerances must be positive (ES223); ``within mc`` on a deterministic
  method is a warning (ES218);
- structure: duplicate names (ES212), no claims (ES213), ranges outside world values (ES210),
  the check against the output kind (ES219), declared vs registered output (ES221), method
  parameters that are not literal values (ES224);
- what a run would refuse, found without numpy: a check that is not a condition (ES225);
  method parameters against their declared types (ES227, ``Param.type``/``low``) and limits
  (ES228); sizes over the limits of :mod:`explainspec.catalog.limits` (ES228); quantifier
  misuse (ES230) — :mod:`explainspec.lang.static`; and every world a run would draw from or
  build (each claim's world, each example) through the world resolver
  (:mod:`explainspec.worlds.spec`, numpy-free): empty ranges (ES226), sizes (ES228), any other
  value it refuses (ES229).

**Exact equality.** ``a == b`` without ``within`` is accepted only when *both* sides are
discrete: integer or boolean literals, quantifier variables, ``d``, ``seed``, comparisons and
logical expressions, ``f.uses(...)``, and calls of ``sign``, ``argmax``, ``argmin``, ``argsort``,
``rank``, ``len``, ``all``, ``any``, ``round``, ``floor`` (and indexing or ``+ - *`` of those).
``sign(a) == sign(b)`` is thus exact, ``phi[i] == 0`` is not.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator, Mapping
from typing import Any, Final

from explainspec.catalog.limits import limit
from explainspec.lang import ir, static
from explainspec.lang.diagnostics import Diagnostic
from explainspec.registry import KINDS, REQUIRED, Entry, Registry

#: Quantities a check may name (provided by the runner's environment; ARCHITECTURE.md).
QUANTITIES: Final = frozenset(
    {
        "phi",
        "x",
        "f",
        "g",
        "data",
        "P",
        "background",
        "baseline",
        "grid",
        "y",
        "d",
        "seed",
        "explain",
        "target",
    }
)
#: Quantities whose values come from the method under test (``explainspec.expr.base.METHOD_NAMES``,
#: not imported: the interpreter imports numpy). An assumption's condition may not read them.
METHOD_QUANTITIES: Final = frozenset({"phi", "explain"})
#: Fields of a ``world { ... }`` block (defined with the IR).
WORLD_FIELDS: Final = ir.WORLD_FIELDS
#: Keywords of ``explain(fn, at=..., background=..., baseline=..., **method params)``.
EXPLAIN_KEYWORDS: Final = ("fn", "at", "background", "baseline", "seed")
#: Functions whose results are integers, booleans or subsets (see "Exact equality" above).
DISCRETE_CALLS: Final = static.DISCRETE_CALLS
#: Dimensions of ``phi`` for each output kind.
OUTPUT_NDIM: Final = {
    ir.OutputKind.ATTRIBUTION: 1,
    ir.OutputKind.IMPORTANCE: 1,
    ir.OutputKind.COUNTERFACTUAL: 1,
    ir.OutputKind.INTERACTION: 2,
    ir.OutputKind.CURVE: 2,
}


def default_registries() -> dict[str, Registry]:
    """``registry(kind)`` for every kind; a catalog module that is missing gives an empty one."""
    from explainspec.registry import registry

    out = {}
    for kind in KINDS:
        try:
            out[kind] = registry(kind)
        except ImportError:
            out[kind] = Registry(kind)
    return out


def _attributes() -> frozenset[str]:
    """The attribute names the interpreter allows (``explainspec.catalog.builtins.ATTRIBUTES``)."""
    try:
        from explainspec.catalog.builtins import ATTRIBUTES
    except ImportError:  # a partial checkout: no attribute is known
        return frozenset()
    return frozenset(ATTRIBUTES)


def _did_you_mean(name: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=2, cutoff=0.6)
    return f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _plural(kind: str) -> str:
    return kind[:-1] + "ies" if kind.endswith("y") else kind + "s"


def _known(kind: str, names: list[str]) -> str:
    if not names:
        return f" (no {_plural(kind)} are registered)"
    shown = ", ".join(names[:30]) + (", ..." if len(names) > 30 else "")
    return f" Known {_plural(kind)}: {shown}"


def walk(e: Any) -> Iterator[Any]:
    """Every expression node below ``e`` (including ``e``), keywords and slices included."""
    stack = [e]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        yield node
        if isinstance(node, ir.Attribute):
            stack.append(node.value)
        elif isinstance(node, ir.Call):
            stack += [node.func, *node.args, *(k.value for k in node.kwargs)]
        elif isinstance(node, ir.Index):
            stack += [node.value, *node.items]
        elif isinstance(node, ir.Slice):
            stack += [node.start, node.stop, node.step]
        elif isinstance(node, ir.ListExpr | ir.SetExpr):
            stack += list(node.items)
        elif isinstance(node, ir.Comprehension):
            stack += [node.domain, node.element]
        elif isinstance(node, ir.With):
            stack += [*(b.value for b in node.lets), node.body]
        elif isinstance(node, ir.RangeExpr):
            stack += [node.lo, node.hi]
        elif isinstance(node, ir.Unary | ir.Not):
            stack.append(node.operand)
        elif isinstance(node, ir.Binary | ir.Compare | ir.Implies):
            stack += [node.left, node.right]
        elif isinstance(node, ir.BoolOp):
            stack += list(node.operands)
        elif isinstance(node, ir.Quantifier):
            stack += [node.domain, node.body]


class _Checker:
    def __init__(self, spec: ir.Spec, registries: Mapping[str, Registry]) -> None:
        self.spec = spec
        self.reg = registries
        self.out: list[Diagnostic] = []
        self.attributes = _attributes()
        self._known: frozenset[str] | None = None
        self.method: Entry | None = None
        #: ids of world blocks in which a name or call was wrong (the resolver skips them)
        self.bad_worlds: set[int] = set()
        #: the resolver's outcome per merged world, by the identity of the blocks merged: the
        #: claims that set no world of their own share the spec's, resolved once (a given
        #: function of 1 000 terms was checked again for each of 1 000 claims: seconds of check)
        self.resolved: dict[tuple[int, int], tuple[int, Any]] = {}
        self._returns: dict[str, str] | None = None

    def error(
        self,
        code: str,
        message: str,
        span: ir.Span | None,
        hint: str | None = None,
        *,
        fallback: Any = None,
    ) -> None:
        self.out.append(
            Diagnostic(
                code, message, span or getattr(fallback, "span", None) or self.spec.span, hint
            )
        )

    def warn(self, code: str, message: str, span: ir.Span | None, hint: str | None = None) -> None:
        self.out.append(Diagnostic(code, message, span or self.spec.span, hint, "warning"))

    # ------------------------------------------------------------------ calls

    def check_call_args(self, entry: Entry, call: ir.Call, what: str) -> None:
        """Arity and keywords of ``call`` against ``entry``'s parameters."""
        params = entry.params
        names = [p.name for p in params]
        given: dict[str, ir.Span | None] = {}
        if len(call.args) > len(params) and not entry.variadic:
            self.error(
                "ES207",
                f"{what} {entry.name!r} takes at most {len(params)} positional argument"
                f"{'' if len(params) == 1 else 's'}, got {len(call.args)}",
                call.span,
                f"the signature is {entry.signature()}",
            )
        for p, _a in zip(params, call.args, strict=False):
            given[p.name] = None
        for kw in call.kwargs:
            if kw.name not in names:
                self.error(
                    "ES208",
                    f"{what} {entry.name!r} has no parameter {kw.name!r}.{_did_you_mean(kw.name, names)}",
                    kw.span,
                    f"the signature is {entry.signature()}",
                    fallback=call,
                )
            elif kw.name in given:
                self.error(
                    "ES208",
                    f"argument {kw.name!r} of {entry.name!r} is given twice",
                    kw.span,
                    fallback=call,
                )
            given[kw.name] = kw.span
        missing = [p.name for p in params if p.default is REQUIRED and p.name not in given]
        if missing:
            self.error(
                "ES207",
                f"{what} {entry.name!r} is missing the argument{'s' if len(missing) > 1 else ''} "
                f"{', '.join(repr(m) for m in missing)}",
                call.span,
                f"the signature is {entry.signature()}",
            )

    def registered(
        self, kind: str, name: str, span: ir.Span | None, code: str, what: str
    ) -> Entry | None:
        reg = self.reg[kind]
        if name in reg:
            return reg.get(name)
        hint = None
        libraries = {e.name.split(".")[0] for e in reg if e.extra.get("library", "") != "plugin"}
        if kind == "method" and (name.startswith("plugin.") or name.split(".")[0] not in libraries):
            hint = (
                "a plugin method is registered by importing its module: "
                "`explainspec --plugin MODULE check ...` (the same for verify, fmt, convert)"
            )
        self.error(
            code,
            f"unknown {what} {name!r}.{_did_you_mean(name, reg.names())}{_known(what, reg.names())}",
            span,
            hint,
        )
        return None

    # ------------------------------------------------------------------ spec items

    def check_method(self) -> None:
        m = self.spec.method
        entry = self.registered("method", m.use, m.span, "ES201", "method")
        self.method = entry
        seen: set[str] = set()
        names = [p.name for p in entry.params] if entry else []
        for p in m.params:
            if p.name in seen:
                self.error(
                    "ES208", f"parameter {p.name!r} of method {m.use!r} is given twice", p.span
                )
            seen.add(p.name)
            if entry is not None and p.name not in names:
                self.error(
                    "ES208",
                    f"method {m.use!r} has no parameter {p.name!r}.{_did_you_mean(p.name, names)}",
                    p.span,
                    f"the parameters are: {', '.join(names) or '(none)'}",
                )
            self.no_ranges(p.value, "a method parameter")
            if self.literal_param(p) and entry is not None and p.name in names:
                self.param_value(entry.params[names.index(p.name)], p.value, p.span)
        if entry is not None:
            declared = entry.extra.get("output")
            if declared and declared != self.spec.output.value:
                self.error(
                    "ES221",
                    f"method {m.use!r} returns output {declared!r}, but the spec says `output = {self.spec.output.value}`",
                    m.span,
                    f"write `output = {declared}`",
                )

    def param_value(self, param: Any, value: ir.Expr, span: ir.Span | None) -> None:
        """A literal method parameter against its declared type, bounds and limit."""
        try:
            v = static.literal(value)
        except static.NotLiteral:
            return
        problem = param.problem(v)
        if problem is None:
            return
        what, text = problem
        method = self.method.name if self.method is not None else self.spec.method.use
        self.error(
            "ES228" if what == "limit" else "ES227",
            f"parameter {param.name!r} of method {method!r}: {text}",
            getattr(value, "span", None) or span,
            f"the parameter is {param.name}: {param.type}"
            + (f" ({param.doc})" if param.doc else ""),
        )

    def literal_param(self, p: ir.Param) -> bool:
        """A method parameter is data, not an expression: a number, string, boolean or list."""
        bad = _non_literal(p.value)
        if bad is None:
            return True
        if isinstance(bad, ir.Name):
            hint = f'write it as a string: {p.name} = "{bad.id}"'
        else:
            hint = "method parameters are numbers, strings, true/false, or lists of them"
        self.error(
            "ES224",
            f"parameter {p.name!r} of method {self.spec.method.use!r} must be a literal value",
            getattr(bad, "span", None) or p.span,
            hint,
        )
        return False

    def check_estimates(self) -> None:
        name = self.spec.estimates
        if name is None:
            return
        statistics = set(self.reg["oracle"].names())
        if name not in statistics:
            self.error(
                "ES222",
                f"unknown statistic {name!r} in `estimates`.{_did_you_mean(name, statistics)}",
                self.spec.span,
                "`estimates` names an exact oracle, e.g. `estimates = shapley`",
            )

    def check_claims(self) -> None:
        if not self.spec.claims:
            self.error(
                "ES213",
                f"spec {self.spec.name!r} has no claims",
                self.spec.span,
                'add e.g. `claim efficiency holds "..." { check ... }`',
            )
        if len(self.spec.claims) > limit("claims"):
            self.error(
                "ES228",
                f"spec {self.spec.name!r} has {len(self.spec.claims)} claims; the limit is "
                f"claims = {limit('claims')}",
                self.spec.span,
                "split the spec into several files",
            )
        seen: dict[str, ir.Claim] = {}
        questions = self.reg["question"]
        for c in self.spec.claims:
            if c.name in seen:
                first = seen[c.name].span
                self.error(
                    "ES212",
                    f"claim {c.name!r} is defined twice",
                    c.span,
                    f"the first is at line {first.line}" if first else None,
                )
            seen[c.name] = c
            if c.about is None and c.kind is not ir.ClaimKind.HOLDS:
                self.error(
                    "ES206",
                    f"claim {c.name!r} ({c.kind.value}) names no question type",
                    c.span,
                    f'write `claim {c.name} {c.kind.value} QUESTION "..."` with QUESTION one of: '
                    + ", ".join(questions.names()),
                )
            elif c.about is not None and c.about not in questions:
                self.error(
                    "ES205",
                    f"unknown question type {c.about!r}.{_did_you_mean(c.about, questions.names())}"
                    + _known("question type", questions.names()),
                    c.span,
                )
            self.unique(c.assumptions, "assumption", (self.spec.assumptions,))
            self.unique(c.examples, "example", ())
            if c.world is not None:
                self.check_world(c.world)
            for ex in c.examples:
                self.check_world(ex.world)
            features = self.resolve_worlds(c)
            scope = self.check_lets(c.lets, self.spec_scope, c)
            self.check_expr(c.check, scope=scope, claim=c)
            self.check_static(c.check, features, scope)
            for b in c.lets:
                self.check_static(b.value, features, scope, condition=False)
            used = _names_used(c.check, c.lets)
            self.spec_lets_used |= used
            for b in c.lets:
                if b.name not in used:
                    self.unused_let(b)
            for a in (*self.spec.assumptions, *c.assumptions):
                if a.check is not None:
                    self.check_condition(a, c, features)

    def check_condition(self, a: ir.Assumption, claim: ir.Claim, features: int) -> None:
        """An assumption's ``check``: an expression like a claim's check that never reads the
        method (ES390): it says which worlds are the claim's, before the method is run. It sees
        no ``let`` (a run evaluates it before the claim's lets)."""
        self.in_condition = True
        try:
            self.check_expr(a.check, scope={}, claim=claim)
        finally:
            self.in_condition = False
        self.check_static(a.check, features, {})  # type: ignore[arg-type]
        for node in walk(a.check):
            if isinstance(node, ir.Name) and node.id in METHOD_QUANTITIES:
                self.error(
                    "ES390",
                    f"the condition of assumption {a.name!r} reads the method ({node.id!r})",
                    node.span or a.span,
                    "an assumption is about the world and the point (f, x, P, data, background, "
                    "...): state what the method returns in the claim's check",
                )

    # ------------------------------------------------------------------ named values

    def check_lets(
        self, lets: tuple[ir.Let, ...], outer: dict[str, Any], claim: ir.Claim | None
    ) -> dict[str, Any]:
        """Check ``let`` items in order (each sees the names before it); returns the scope with
        them. A let may not shadow a quantity, oracle, builtin or another let (ES260)."""
        scope = dict(outer)
        known = self.known_names()
        for b in lets:
            self.check_expr(b.value, scope, claim)
            prior = scope.get(b.name)
            if b.name in known:
                self.error(
                    "ES260",
                    f"let {b.name!r} shadows the {self.kind_of(b.name)} {b.name!r}",
                    b.span,
                    "choose another name",
                )
            elif isinstance(prior, static.LetBinding):
                where = f"the first is at line {prior.let.span.line}" if prior.let.span else None
                if claim is not None and any(prior.let is s for s in self.spec.lets):
                    self.error(
                        "ES260",
                        f"let {b.name!r} shadows the spec's let {b.name!r}",
                        b.span,
                        (where or "") + "; choose another name",
                    )
                else:
                    self.error("ES212", f"let {b.name!r} is defined twice", b.span, where)
            scope[b.name] = static.LetBinding(b, dict(scope))
        return scope

    def unused_let(self, b: ir.Let) -> None:
        self.warn(
            "ES261",
            f"let {b.name!r} is not used",
            b.span,
            f"remove it, or use {b.name!r} in the check (or in a later let)",
        )

    def check_comprehension(
        self, e: ir.Comprehension, scope: dict[str, Any], claim: ir.Claim | None
    ) -> None:
        self.check_expr(e.domain, scope, claim)
        self.check_binder(e.var, scope, e)
        self.bound_elsewhere.setdefault(e.var, e.span or ir.Span())
        if e.var not in {n.id for n in walk(e.element) if isinstance(n, ir.Name)}:
            self.error(
                "ES216",
                f"variable {e.var!r} is not used in `{_fmt(e.element)}`",
                e.span,
                f"use {e.var!r} in the element, or write a list",
            )
        self.check_expr(e.element, {**scope, e.var: e}, claim)

    def check_binder(self, v: str, scope: dict[str, Any], node: Any) -> None:
        """ES215 when a quantifier or list variable ``v`` shadows another name."""
        what = "quantifier variable" if isinstance(node, ir.Quantifier) else "list variable"
        prior = scope.get(v)
        if isinstance(prior, static.LetBinding):
            self.error(
                "ES215", f"{what} {v!r} shadows the let {v!r}", node.span, "use another letter"
            )
        elif prior is not None:
            self.error(
                "ES215",
                f"{what} {v!r} shadows the variable of an enclosing quantifier",
                node.span,
                "use another letter",
            )
        elif v in self.known_names():
            self.error(
                "ES215",
                f"{what} {v!r} shadows the {self.kind_of(v)} {v!r}",
                node.span,
                "use another letter, e.g. i, j, k",
            )

    def check_subsets(self, e: Any, scope: dict[str, Any]) -> None:
        """ES262: set literals hold feature indices; ``|``/``&``/``in`` take subsets."""
        if isinstance(e, ir.SetExpr):
            for item in e.items:
                try:
                    v = static.literal(item)
                except static.NotLiteral:
                    continue
                if not (isinstance(v, int) and not isinstance(v, bool) and v >= 0):
                    self.error(
                        "ES262",
                        f"`{_fmt(item)}` in a subset is not a feature index",
                        item.span or e.span,
                        "a subset holds feature indices: integers 0 .. d - 1, e.g. {0, 2}",
                    )
            return
        sides = (e.left, e.right) if isinstance(e, ir.Binary) else (e.right,)
        for side in sides:
            k = static.kind(side, scope, self.returns())
            # `i in S`: the left side is a feature index (a number), the right a subset
            if k in ("string", "function", "bool", "number"):
                op = e.op.value
                self.error(
                    "ES262",
                    f"`{op}` takes subsets of the features; `{_fmt(side)}` is a "
                    f"{'distribution' if k == 'function' and _name_of(side) == 'P' else k}",
                    side.span or e.span,
                    "a subset is written {0, 2}, and built with S | T, S & T, S - T",
                )
        if isinstance(e, ir.Compare):  # `i in S`: i is a feature index
            k = static.kind(e.left, scope, self.returns())
            if k in ("string", "function", "bool"):
                self.error(
                    "ES262",
                    f"`{e.op.value}` asks whether a feature index is in a subset; "
                    f"`{_fmt(e.left)}` is a {k}",
                    e.left.span or e.span,
                    "write i in S with i a feature index (an integer 0 .. d - 1)",
                )

    # ------------------------------------------------------------------ what a run refuses

    def report(self, code: str, message: str, node: Any, hint: str | None) -> None:
        self.error(code, message, getattr(node, "span", None), hint)

    def returns(self) -> dict[str, str]:
        """Builtin and oracle names -> the kind of their result (see ``static.returns_kind``)."""
        if self._returns is None:
            out = {e.name: "number" for e in self.reg["oracle"]}
            for e in self.reg["builtin"]:
                out[e.name] = static.returns_kind(str(e.extra.get("returns", "")))
            self._returns = out
        return self._returns

    def check_static(
        self, check: ir.Expr, features: int, scope: dict[str, Any], *, condition: bool = True
    ) -> None:
        if condition:
            static.check_conditions(check, scope, self.returns(), self.report)
        builtins = self.reg["builtin"]
        static.check_sizes(check, scope, features, builtins.__contains__, self.report)
        if self.method is not None:
            params = {p.name: p for p in self.method.params}
            for node in walk(check):
                if isinstance(node, ir.Call) and _name_of(node.func) == "explain":
                    for kw in node.kwargs:
                        if kw.name in params and _non_literal(kw.value) is None:
                            self.param_value(params[kw.name], kw.value, kw.span)

    def resolve_worlds(self, claim: ir.Claim) -> int:
        """Run the world resolver on the claim's world and on each of its examples, as a run
        would; report what it refuses. Returns the largest number of features of the claim's
        world (the limit ``features`` when it cannot be resolved)."""
        from explainspec.worlds import spec as worlds  # numpy-free: the resolver of a run

        features = limit("features")
        blocks = (self.spec.world, claim.world)
        if any(b is not None and id(b) in self.bad_worlds for b in blocks):
            return features
        merged = ir.merged_world(self.spec, claim)
        key = (id(self.spec.world), id(claim.world))
        if key not in self.resolved:
            try:
                resolved = worlds.resolve(merged, registries=self.reg)
                worlds.drawable(resolved)
                self.resolved[key] = (int(resolved.features.hi), None)
            except worlds.WorldError as e:
                self.resolved[key] = (features, e)
        features, refused = self.resolved[key]
        if refused is not None:
            self.error(refused.code, refused.message, refused.span or claim.span, refused.hint)
        for ex in claim.examples:
            if id(ex.world) in self.bad_worlds:
                continue
            fields = {f.name: f for f in merged.fields}
            fields.update({f.name: f for f in ex.world.fields})
            try:
                block = ir.WorldBlock(fields=tuple(fields.values()), span=ex.span)
                worlds.drawable(worlds.example_spec(block, registries=self.reg))
            except worlds.WorldError as e:
                self.error(e.code, f"example {ex.name!r}: {e.message}", e.span or ex.span, e.hint)
        return features

    def unique(self, items: tuple[Any, ...], what: str, outer: tuple[tuple[Any, ...], ...]) -> None:
        seen: dict[str, Any] = {}
        for group in outer:
            for item in group:
                seen.setdefault(item.name, item)
        for item in items:
            if item.name in seen and seen[item.name] is not item:
                self.error(
                    "ES212", f"{what} {item.name!r} is defined twice", item.span, fallback=item
                )
            seen[item.name] = item

    # ------------------------------------------------------------------ worlds

    def check_world(self, block: ir.WorldBlock) -> None:
        before = len(self.out)
        self.check_world_names(block)
        if len(self.out) > before:
            self.bad_worlds.add(id(block))

    def check_world_names(self, block: ir.WorldBlock) -> None:
        seen: set[str] = set()
        for f in block.fields:
            if f.name in seen:
                self.error("ES212", f"world field {f.name!r} is given twice", f.span)
            seen.add(f.name)
            if f.name not in WORLD_FIELDS:
                self.error(
                    "ES209",
                    f"unknown world field {f.name!r}.{_did_you_mean(f.name, WORLD_FIELDS)}",
                    f.span,
                    f"the fields are: {', '.join(WORLD_FIELDS)}",
                )
                continue
            if f.name in ("function", "second"):
                self.check_registered_expr(f.value, "family", "ES202", "family")
            elif f.name == "data" or (f.name == "background" and not _background_form(f.value)):
                self.check_registered_expr(f.value, "distribution", "ES203", "distribution")

    def check_registered_expr(self, e: ir.Expr, kind: str, code: str, what: str) -> None:
        """A family or distribution: ``name`` or ``name(args)``; nested families are checked too."""
        if isinstance(e, ir.Name):
            self.registered(kind, e.id, e.span, code, what)
            return
        if isinstance(e, ir.Call) and isinstance(e.func, ir.Name):
            entry = self.registered(kind, e.func.id, e.func.span, code, what)
            if entry is None:
                return
            self.check_call_args(entry, e, what)
            for k, a in enumerate(e.args):
                param = entry.params[k] if k < len(entry.params) else None
                if (param is None and entry.variadic) or (param is not None and param.type == kind):
                    self.check_registered_expr(a, kind, code, what)
            for kw in e.kwargs:
                ptype = next((p.type for p in entry.params if p.name == kw.name), None)
                if ptype == kind:
                    self.check_registered_expr(kw.value, kind, code, what)
            return
        if isinstance(e, ir.RangeExpr):
            self.error("ES210", f"a range cannot be a {what}", e.span)
            return
        self.error(code, f"expected a {what} name or call, got `{_fmt(e)}`", e.span)

    def no_ranges(self, e: ir.Expr, where: str) -> None:
        for node in walk(e):
            if isinstance(node, ir.RangeExpr):
                self.error(
                    "ES210",
                    f"a range `{_fmt(node)}` cannot appear in {where}",
                    node.span,
                    "ranges like `2..6` are world values: the world generator draws from them",
                )

    # ------------------------------------------------------------------ checks

    def check_expr(self, e: Any, scope: dict[str, Any], claim: ir.Claim | None) -> None:
        if e is None:
            return
        if isinstance(e, ir.Name):
            self.check_name(e, scope)
        elif isinstance(e, ir.Attribute):
            if e.attr.startswith("_"):
                self.error(
                    "ES220",
                    f"attribute {e.attr!r} is private: a check cannot read names starting with '_'",
                    e.span,
                )
            elif e.attr not in self.attributes:
                self.error(
                    "ES220",
                    f"unknown attribute {e.attr!r}.{_did_you_mean(e.attr, self.attributes)}",
                    e.span,
                    f"attributes a check may read: {', '.join(sorted(self.attributes))}",
                )
            self.check_expr(e.value, scope, claim)
        elif isinstance(e, ir.Call):
            self.check_call(e, scope, claim)
        elif isinstance(e, ir.Index):
            self.check_index(e, scope, claim)
        elif isinstance(e, ir.Slice):
            for part in (e.start, e.stop, e.step):
                self.check_expr(part, scope, claim)
        elif isinstance(e, ir.ListExpr):
            for item in e.items:
                self.check_expr(item, scope, claim)
        elif isinstance(e, ir.SetExpr):
            self.check_subsets(e, scope)
            for item in e.items:
                self.check_expr(item, scope, claim)
        elif isinstance(e, ir.Comprehension):
            self.check_comprehension(e, scope, claim)
        elif isinstance(e, ir.RangeExpr):
            self.error(
                "ES210",
                f"a range `{_fmt(e)}` cannot appear in a check",
                e.span,
                "ranges like `2..6` are world values; in a check use `range(lo, hi + 1)`",
            )
        elif isinstance(e, ir.Unary | ir.Not):
            self.check_expr(e.operand, scope, claim)
        elif isinstance(e, ir.Binary | ir.Implies):
            if isinstance(e, ir.Binary) and e.op in (ir.BinOp.UNION, ir.BinOp.INTERSECT):
                self.check_subsets(e, scope)
            self.check_expr(e.left, scope, claim)
            self.check_expr(e.right, scope, claim)
        elif isinstance(e, ir.BoolOp):
            for o in e.operands:
                self.check_expr(o, scope, claim)
        elif isinstance(e, ir.Compare):
            self.check_compare(e, scope, claim)
        elif isinstance(e, ir.Quantifier):
            self.check_quantifier(e, scope, claim)

    def known_names(self) -> frozenset[str]:
        """Quantities, oracles and builtins (computed once per check: the registries are fixed)."""
        if self._known is None:
            self._known = (
                QUANTITIES
                | frozenset(self.reg["oracle"].names())
                | set(self.reg["builtin"].names())
            )
        return self._known

    def check_name(self, e: ir.Name, scope: dict[str, Any]) -> None:
        if e.id in scope or e.id in self.known_names():
            if e.id == "grid" and self.spec.output is not ir.OutputKind.CURVE:
                self.error(
                    "ES219",
                    f"`grid` is only defined for curve methods; this spec's output is "
                    f"{self.spec.output.value!r}",
                    e.span,
                )
            return
        hint = None
        bound = self.bound_elsewhere.get(e.id)
        let = self.lets_elsewhere.get(e.id)
        if let is not None and self.in_condition:
            hint = (
                f"{e.id!r} is a let at line {let.line}: an assumption's condition sees no let "
                "(it is evaluated before the claim's lets); write the expression itself"
            )
        elif let is not None:
            hint = (
                f"{e.id!r} is a let at line {let.line}, which is not visible here: a let is "
                "seen after it, in its claim (at spec level: in every claim)"
            )
        elif bound is not None:
            hint = f"{e.id!r} is a quantifier variable at line {bound.line}, but it is used outside its quantifier"
        else:
            hint = (
                "names a check may use: quantities ("
                + ", ".join(sorted(QUANTITIES))
                + "), quantifier variables, oracles and builtins (see `explainspec list oracles|builtins`)"
            )
        self.error(
            "ES204",
            f"unknown name {e.id!r}.{_did_you_mean(e.id, self.known_names() | set(scope))}",
            e.span,
            hint,
        )

    def check_call(self, e: ir.Call, scope: dict[str, Any], claim: ir.Claim | None) -> None:
        func = e.func
        if isinstance(func, ir.Name) and func.id not in scope:
            entry = None
            if func.id in self.reg["oracle"]:
                entry, what = self.reg["oracle"].get(func.id), "oracle"
            elif func.id in self.reg["builtin"]:
                entry, what = self.reg["builtin"].get(func.id), "builtin"
            if entry is not None:
                self.check_call_args(entry, e, what)
            elif func.id == "explain":
                allowed = list(EXPLAIN_KEYWORDS) + (
                    [p.name for p in self.method.params] if self.method else []
                )
                for kw in e.kwargs:
                    if kw.name not in allowed and self.method is not None:
                        self.error(
                            "ES208",
                            f"explain() has no keyword {kw.name!r}.{_did_you_mean(kw.name, allowed)}",
                            kw.span,
                            f"explain accepts {', '.join(allowed)}",
                            fallback=e,
                        )
                if len(e.args) > 1:
                    self.error(
                        "ES207",
                        f"explain() takes one positional argument (the function), got {len(e.args)}",
                        e.span,
                    )
            elif func.id in ("f", "g") and (len(e.args) != 1 or e.kwargs):
                self.error(
                    "ES207",
                    f"{func.id}(...) takes exactly one argument (the points), got {len(e.args) + len(e.kwargs)}",
                    e.span,
                )
        self.check_expr(func, scope, claim)
        for a in e.args:
            self.check_expr(a, scope, claim)
        for kw in e.kwargs:
            self.check_expr(kw.value, scope, claim)

    def check_index(self, e: ir.Index, scope: dict[str, Any], claim: ir.Claim | None) -> None:
        if isinstance(e.value, ir.Name) and e.value.id == "phi" and "phi" not in scope:
            ndim = OUTPUT_NDIM[self.spec.output]
            if len(e.items) > ndim:
                self.error(
                    "ES219",
                    f"`{_fmt(e)}` indexes phi with {len(e.items)} indices, but phi has {ndim} "
                    f"dimension{'s' if ndim > 1 else ''} for output {self.spec.output.value!r}",
                    e.span,
                    "phi is (d,) for attribution/importance/counterfactual, (d, d) for interaction, (d, m) for curve",
                )
        self.check_expr(e.value, scope, claim)
        for item in e.items:
            self.check_expr(item, scope, claim)

    def check_compare(self, e: ir.Compare, scope: dict[str, Any], claim: ir.Claim | None) -> None:
        t = e.tolerance
        if t is not None:
            if e.op not in (ir.CmpOp.EQ, ir.CmpOp.NE):
                self.error(
                    "ES217",
                    f"`within` only applies to `==` and `!=`, not to `{e.op.value}`",
                    t.span or e.span,
                    "an ordering comparison has margin b - a; drop the tolerance",
                )
            if not (t.value > 0 and t.value < float("inf")):
                self.error(
                    "ES223",
                    f"a tolerance must be a positive number, got {t.value!r}",
                    t.span or e.span,
                )
            if (
                t.kind is ir.TolKind.MC
                and self.method is not None
                and not self.method.extra.get("randomized", False)
            ):
                self.warn(
                    "ES218",
                    f"`within mc(...)` on method {self.method.name!r}, which is not randomized",
                    t.span or e.span,
                    "a deterministic method has no sampling error: use an absolute tolerance",
                )
        elif e.op in (ir.CmpOp.IN, ir.CmpOp.NOT_IN):
            self.check_subsets(e, scope)
        elif e.op in (ir.CmpOp.EQ, ir.CmpOp.NE) and not (
            _discrete(e.left, scope) and _discrete(e.right, scope)
        ):
            self.error(
                "ES214",
                f"`{_fmt(e)}` compares real numbers exactly",
                e.span,
                "add a tolerance: `within 1e-6`, `within 1e-3 relative` or `within mc(z = 5)` (exact `==` is "
                "for integers and booleans, e.g. `sign(a) == sign(b)`)",
            )
        self.check_expr(e.left, scope, claim)
        self.check_expr(e.right, scope, claim)

    def check_quantifier(
        self, e: ir.Quantifier, scope: dict[str, Any], claim: ir.Claim | None
    ) -> None:
        if e.domain is not None:
            self.check_expr(e.domain, scope, claim)
        inner = dict(scope)
        for v in e.vars:
            self.check_binder(v, scope, e)
            inner[v] = e
            self.bound_elsewhere.setdefault(v, e.span or ir.Span())
        if len(set(e.vars)) != len(e.vars):
            self.error(
                "ES215", f"a quantifier binds the same variable twice: {', '.join(e.vars)}", e.span
            )
        used = {n.id for n in walk(e.body) if isinstance(n, ir.Name)}
        for v in e.vars:
            if v not in used:
                self.error(
                    "ES216",
                    f"quantifier variable {v!r} is not used in `{_fmt(e.body)}`",
                    e.span,
                    f"remove {v!r} or use it in the body",
                )
        self.check_expr(e.body, inner, claim)

    def kind_of(self, name: str) -> str:
        if name in QUANTITIES:
            return "quantity"
        return "oracle" if name in self.reg["oracle"] else "builtin"

    def run(self) -> list[Diagnostic]:
        self.bound_elsewhere: dict[str, ir.Span] = {}
        self.in_condition = False  # checking an assumption's condition (which sees no let)
        self.check_method()
        self.check_estimates()
        self.unique(self.spec.assumptions, "assumption", ())
        if self.spec.world is not None:
            self.check_world(self.spec.world)
        # quantifier variables and lets are collected first, so that a use where they are not
        # visible can say so
        self.lets_elsewhere: dict[str, ir.Span] = {}
        for b in (*self.spec.lets, *(b for c in self.spec.claims for b in c.lets)):
            self.lets_elsewhere.setdefault(b.name, b.span or ir.Span())
        conditions = [a.check for a in self.spec.assumptions if a.check is not None]
        for c in self.spec.claims:
            checks = [c.check, *conditions, *(a.check for a in c.assumptions if a.check)]
            for node in (n for check in checks for n in walk(check)):
                if isinstance(node, ir.Quantifier):
                    for v in node.vars:
                        self.bound_elsewhere.setdefault(v, node.span or ir.Span())
        self.spec_scope = self.check_lets(self.spec.lets, {}, None)
        self.spec_lets_used: set[str] = set()
        self.check_claims()
        for b in self.spec.lets:
            if b.name not in self.spec_lets_used | _names_used(None, self.spec.lets):
                self.unused_let(b)
        unique = list(dict.fromkeys(self.out))  # a spec world's problem is found once per claim
        return sorted(unique, key=Diagnostic.sort_key)


def _fmt(e: Any) -> str:
    from explainspec.lang.printer import format_expr

    text = format_expr(e)
    return text if len(text) <= 80 else text[:77] + "..."


_discrete = static.discrete


def check_spec(spec: ir.Spec, registries: Mapping[str, Registry] | None = None) -> list[Diagnostic]:
    """All semantic problems of ``spec``, sorted by location.

    Parameters
    ----------
    spec : Spec
    registries : mapping of kind -> Registry, optional
        Defaults to the global registries (:func:`default_registries`). Pass small registries in
        tests.

    Returns
    -------
    list of Diagnostic
    """
    regs = dict(default_registries()) if registries is None else dict(registries)
    for kind in KINDS:
        regs.setdefault(kind, Registry(kind))
    return _Checker(spec, regs).run()


def _names_used(check: ir.Expr | None, lets: tuple[ir.Let, ...]) -> set[str]:
    """The names a check and the values of ``lets`` mention (so the lets they use)."""
    found = {n.id for n in walk(check) if isinstance(n, ir.Name)} if check is not None else set()
    for b in lets:
        found |= {n.id for n in walk(b.value) if isinstance(n, ir.Name)}
    return found


def _name_of(e: Any) -> str | None:
    return e.id if isinstance(e, ir.Name) else None


def _non_literal(e: ir.Expr) -> ir.Expr | None:
    """The first part of ``e`` that is not a literal (``None`` if ``e`` is one)."""
    if isinstance(e, ir.Number | ir.String | ir.Bool):
        return None
    if isinstance(e, ir.Unary) and isinstance(e.operand, ir.Number):
        return None
    if isinstance(e, ir.ListExpr):
        for item in e.items:
            bad = _non_literal(item)
            if bad is not None:
                return bad
        return None
    return e


def _background_form(e: ir.Expr) -> bool:
    """``background = data``, ``sample(k)`` or ``kmeans(k)``: forms of the background field, not
    distributions (their argument is checked by the world resolver, with the background limit);
    ``rows([...])`` is the distribution of that name."""
    if isinstance(e, ir.Name):
        return e.id == "data"
    return (
        isinstance(e, ir.Call) and isinstance(e.func, ir.Name) and e.func.id in ("sample", "kmeans")
    )
