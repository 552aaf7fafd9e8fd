"""The audit of explanation methods on the user's model and data: plan, run, report.

``explainspec audit`` (``commands/audit.py``) and :func:`explainspec.audit` share this module.
An audit is an ordinary run of specs through the runner, on fixed worlds built from bound
sources (:mod:`explainspec.worlds.sources`):

1. **bind** the model and the table under names (the spec refers to them by name only);
2. **plan**: the built-in audit specs (``explainspec/_audit_specs``, one per output kind) are
   filled in for every audited method (method, names, tolerance scale, sizes); claims without
   ground truth for this model are left out with a reason (:class:`Skipped`);
3. **run** them with :func:`explainspec.runner.run.run` (in this process: the bindings live
   here), stopping after ``budget`` seconds;
4. **report**: :func:`explainspec.report.audit.build_report` turns the claim results (with the
   outcome at every row) into the audit report.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from explainspec.lang import ir

#: the built-in audit specs, one per output kind
TEMPLATES = {
    "attribution": "attribution.espec",
    "importance": "importance.espec",
    "curve": "curve.espec",
}

#: methods audited when none are named (those whose requirements the model meets). shap.exact
#: and shap.sampling are left out: exact is exact by construction, and both cost many times the
#: others on 20 points (bench/audit.py); name them with --methods to audit them.
DEFAULT_METHODS = (
    "shap.kernel",
    "shap.permutation",
    "shap.partition",
    "shap.tree",
    "shap.tree_path",
    "shap.linear",
    "lime.tabular",
    "sklearn.permutation_importance",
    "sklearn.partial_dependence",
)

#: the placeholder names the templates use for the bound model and table
MODEL_PLACEHOLDER, TABLE_PLACEHOLDER = "model", "data"
#: claims of the templates that compare with exact per-feature Shapley values
_NEEDS_SHAPLEY = ("shapley(",)
_NEEDS_GROUPS = ("grouped(", "group_shapley(", "owen(")


def templates_dir() -> Path:
    return Path(__file__).parent / "_audit_specs"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A claim (or a whole method) the audit leaves out, and why."""

    method: str
    claim: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditPlan:
    """What an audit will run: filled-in specs, and what it leaves out."""

    model_name: str
    table_name: str
    specs: tuple[ir.Spec, ...]
    methods: tuple[str, ...]
    skipped: tuple[Skipped, ...] = ()
    scale: float = 1.0
    scale_text: str = ""
    estimate: float | None = None
    estimate_text: str = ""
    builtin: bool = True
    weights: Mapping[str, float] = field(default_factory=dict)  # estimated seconds per method

    @property
    def claims(self) -> int:
        return sum(len(s.claims) for s in self.specs)


# ----------------------------------------------------------------------------- binding


def bind(
    *,
    model: Any,
    data: Any,
    model_name: str = "model",
    table_name: str = "data",
    target: str | None = None,
    groups: Mapping[str, Sequence[str]] | str | None = None,
    rows: Sequence[Any] | None = None,
    scale: str | None = None,
    klass: Any = None,
    trusted: Sequence[str] = (),
    trust_pickle: bool = False,
    max_file_bytes: int | None = None,
    max_rows: int | None = 2000,
) -> tuple[Any, Any]:
    """Load (if paths) and check a model and a table; return ``(BoundModel, TableBinding)``.

    ``model``: a fitted estimator, pipeline or callable, or a model file path. ``data``: a
    DataFrame, an array, or a CSV/Parquet path. ``groups``: ``{name: [columns]}`` or
    ``"auto:K"`` (K clusters of the absolute correlation of the columns).
    Raises :class:`~explainspec.worlds.sources.errors.SourceError` (ES36x).
    """
    bound_model = bind_model(
        model, name=model_name, scale=scale, klass=klass, trusted=trusted, trust_pickle=trust_pickle
    )
    table = bind_table(
        data,
        name=table_name,
        target=target,
        groups=groups,
        rows=rows,
        max_file_bytes=max_file_bytes,
        model=bound_model,
        max_rows=max_rows,
    )
    return bound_model, table


def bind_model(
    model: Any,
    *,
    name: str = "model",
    scale: str | None = None,
    klass: Any = None,
    trusted: Sequence[str] = (),
    trust_pickle: bool = False,
) -> Any:
    """A :class:`~explainspec.worlds.sources.models.BoundModel` from an object or a file."""
    from explainspec.worlds.sources import models

    if isinstance(model, str | Path):
        obj = models.load_model_file(model, trusted=trusted, trust_pickle=trust_pickle)
        return models.wrap_model(obj, scale=scale, klass=klass, source=str(model))
    return models.wrap_model(model, scale=scale, klass=klass, source=f"<{name}>")


def bind_table(
    data: Any,
    *,
    name: str = "data",
    target: str | None = None,
    groups: Mapping[str, Sequence[str]] | str | None = None,
    rows: Sequence[Any] | None = None,
    max_file_bytes: int | None = None,
    model: Any = None,
    max_rows: int | None = 2000,
) -> Any:
    """A :class:`~explainspec.worlds.sources.bindings.TableBinding` from a frame, an array or a
    file (``model``: whose feature names ``groups = "auto:K"`` clusters)."""
    from explainspec.worlds.sources import tables
    from explainspec.worlds.sources.bindings import TableBinding

    if isinstance(data, str | Path):
        kw = {} if max_file_bytes is None else {"max_bytes": max_file_bytes}
        table = tables.load_table(data, **kw)
    elif hasattr(data, "columns") and hasattr(data, "to_numpy"):
        table = tables.table_from_frame(data, source=f"<{name}>")
    else:
        table = tables.table_from_array(data, source=f"<{name}>")
    if isinstance(groups, str):
        groups = _auto_groups(groups, table, target, model)
    return TableBinding(
        table=table,
        target=target,
        groups=dict(groups) if groups else None,
        point_ids=tuple(str(r) for r in rows) if rows is not None else None,
        max_rows=max_rows,
    )


def _auto_groups(text: str, table: Any, target: str | None, model: Any) -> dict[str, list[str]]:
    """``auto:K``: K groups by hierarchical clustering of ``1 - |correlation|`` (average link)."""
    from explainspec.worlds.sources.errors import SourceError

    head, _, k = text.partition(":")
    if head != "auto" or not k.isdigit() or int(k) < 1:
        raise SourceError(
            "ES367", f"groups {text!r}: give a file of groups or auto:K", path=table.source
        )
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    names = getattr(model, "feature_names", None) if model is not None else None
    cols = [c for c in (names or table.columns) if c != target]
    X = table.values[:, [table.columns.index(c) for c in cols]]
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.nan_to_num(np.corrcoef(X, rowvar=False))
    dist = np.clip(1.0 - np.abs(corr), 0.0, None)
    np.fill_diagonal(dist, 0.0)
    labels = fcluster(linkage(squareform(dist, checks=False), "average"), int(k), "maxclust")
    out: dict[str, list[str]] = {}
    for c, lab in zip(cols, labels, strict=True):
        out.setdefault(f"cluster{lab}", []).append(c)
    return dict(sorted(out.items(), key=lambda kv: cols.index(kv[1][0])))


# ----------------------------------------------------------------------------- planning


def load_templates() -> dict[str, ir.Spec]:
    from explainspec.lang import load

    return {kind: load(templates_dir() / name) for kind, name in TEMPLATES.items()}


def _map(node: Any, fn: Callable[[Any], Any | None]) -> Any:
    """``node`` with every IR node ``n`` replaced by ``fn(n)`` where that is not None (bottom-up)."""
    if isinstance(node, tuple):
        return tuple(_map(n, fn) for n in node)
    if not dataclasses.is_dataclass(node) or isinstance(node, (type, ir.Span)):
        return node
    changes = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        new = _map(value, fn)
        if new is not value:
            changes[f.name] = new
    out = dataclasses.replace(node, **changes) if changes else node
    repl = fn(out)
    return out if repl is None else repl


def _rename_sources(model_name: str, table_name: str) -> Callable[[Any], Any | None]:
    def fn(n: Any) -> Any | None:
        if isinstance(n, ir.Call) and isinstance(n.func, ir.Name) and n.args:
            first = n.args[0]
            if isinstance(first, ir.String):
                if n.func.id == "user_model" and first.value == MODEL_PLACEHOLDER:
                    return dataclasses.replace(n, args=(ir.String(value=model_name),) + n.args[1:])
                if n.func.id == "table" and first.value == TABLE_PLACEHOLDER:
                    return dataclasses.replace(n, args=(ir.String(value=table_name),) + n.args[1:])
        return None

    return fn


def _scale_tolerances(scale: float) -> Callable[[Any], Any | None]:
    def fn(n: Any) -> Any | None:
        if isinstance(n, ir.Tolerance) and n.kind is ir.TolKind.ABS:
            return dataclasses.replace(n, value=float(f"{n.value * scale:.6g}"))
        return None

    return fn


def _field(name: str, value: ir.Expr) -> ir.WorldField:
    return ir.WorldField(name=name, value=value)


def _with_fields(block: ir.WorldBlock | None, fields: Mapping[str, ir.Expr]) -> ir.WorldBlock:
    old = list(block.fields) if block is not None else []
    names = {f.name for f in old}
    out = [_field(f.name, fields[f.name]) if f.name in fields else f for f in old]
    out += [_field(k, v) for k, v in fields.items() if k not in names]
    return ir.WorldBlock(fields=tuple(out), span=block.span if block is not None else None)


def _num(v: int) -> ir.Number:
    return ir.Number(value=int(v))


def _uses(claim: ir.Claim, needles: Iterable[str]) -> bool:
    from explainspec.lang import format_expr

    text = format_expr(claim.check)
    return any(n in text for n in needles)


def plan_audit(
    model_name: str,
    table_name: str,
    *,
    methods: Sequence[str] | None = None,
    points: int = 20,
    background: int = 100,
    seed: int = 0,
    specs: Sequence[ir.Spec] = (),
) -> AuditPlan:
    """The specs an audit runs (see the module docstring). ``specs``: the user's own specs,
    run instead of the built-in templates (they name the bound sources themselves)."""
    import numpy as np

    from explainspec.registry import UnknownName, registry
    from explainspec.worlds.sources import bindings
    from explainspec.worlds.sources.errors import SourceError

    src = bindings.source_of(model_name, table_name)
    sd = float(np.std(src.fX))
    base_scale = sd if sd > 0 else 1.0
    if specs:
        return AuditPlan(
            model_name=model_name,
            table_name=table_name,
            specs=tuple(specs),
            methods=tuple(dict.fromkeys(s.method.use for s in specs)),
            scale=1.0,
            scale_text="tolerances as written in the given specs",
            builtin=False,
        )
    reg = registry("method")
    templates = load_templates()
    chosen = list(methods) if methods else list(DEFAULT_METHODS)
    skipped: list[Skipped] = []
    out_specs: list[ir.Spec] = []
    used: list[str] = []
    base = src.base
    d = base.d
    exact_ok = base.tree_ensemble() is not None or d <= 16
    groups = base.groups
    for name in chosen:
        try:
            entry = reg.get(name)
        except UnknownName as e:
            raise SourceError("ES367", f"--methods: {e}") from None
        kind = str(entry.extra.get("output"))
        if kind not in templates:
            raise SourceError(
                "ES367",
                f"--methods: {name} gives {kind} outputs; the audit has templates for "
                f"{', '.join(templates)}",
            )
        missing = [
            t for t in entry.extra.get("requires", ()) if t != "callable" and t not in base.tags
        ]
        library = str(entry.extra.get("library", ""))
        if missing:
            skipped.append(
                Skipped(
                    name,
                    "*",
                    f"needs a model tagged {', '.join(missing)}; "
                    f"this one is {', '.join(sorted(base.tags - {'source', 'blackbox'}))}",
                )
            )
            continue
        if library == "lime" and importlib.util.find_spec("lime") is None:
            skipped.append(Skipped(name, "*", "lime is not installed (pip install lime)"))
            continue
        spec = templates[kind]
        scale = base_scale**2 if kind == "importance" else base_scale
        claims = []
        for claim in spec.claims:
            why = _skip_reason(claim, entry, exact_ok, groups, d)
            if why:
                skipped.append(Skipped(name, claim.name, why))
                continue
            if claim.world is not None and claim.world.get("points") is not None:
                claim = dataclasses.replace(
                    claim, world=_with_fields(claim.world, {"points": _num(min(5, points))})
                )
            claims.append(claim)
        world = _with_fields(
            spec.world,
            {"seed": _num(seed), **_sizes(kind, points, background)},
        )
        filled = dataclasses.replace(
            spec,
            name=name.replace(".", "_"),
            title=f"{name} on {model_name} and {table_name}",
            method=ir.MethodRef(use=name),
            world=world,
            claims=tuple(claims),
        )
        filled = _map(filled, _rename_sources(model_name, table_name))
        filled = _map(filled, _scale_tolerances(scale))
        filled = dataclasses.replace(filled, source=str(templates_dir() / TEMPLATES[kind]))
        if claims:
            out_specs.append(filled)
            used.append(name)
    if not out_specs:
        raise SourceError(
            "ES367",
            "no method can be audited on this model: "
            + "; ".join(f"{s.method}: {s.reason}" for s in skipped if s.claim == "*"),
        )
    est, est_text, weights = estimate(src, used, points, background)
    return AuditPlan(
        model_name=model_name,
        table_name=table_name,
        specs=tuple(out_specs),
        methods=tuple(used),
        skipped=tuple(skipped),
        scale=base_scale,
        scale_text=(
            f"tolerances are in units of the standard deviation of the prediction over the "
            f"{src.n} rows, {base_scale:.6g} (its square, {base_scale**2:.6g}, for importances)"
        ),
        estimate=est,
        estimate_text=est_text,
        weights=weights,
    )


def _sizes(kind: str, points: int, background: int) -> dict[str, ir.Expr]:
    if kind != "attribution":
        return {}
    bg = ir.Call(func=ir.Name(id="sample"), args=(_num(background),))
    return {"points": _num(points), "background": bg}


def _skip_reason(claim: ir.Claim, entry: Any, exact_ok: bool, groups: Any, d: int) -> str | None:
    if _uses(claim, _NEEDS_SHAPLEY) and not exact_ok:
        return (
            f"exact Shapley values of this model need a tree ensemble or d <= 16 (d = {d}); "
            "bind feature groups (--groups) for the grouped claims"
        )
    if _uses(claim, _NEEDS_GROUPS):
        if not groups:
            return "no feature groups were bound (--groups FILE or auto:K)"
        if len(groups) > 16:
            return f"{len(groups)} groups: group Shapley values enumerate at most 16"
    if claim.about == "stability" and not entry.extra.get("randomized"):
        return "the method is deterministic: another seed gives the same values"
    func = claim.world.get("function") if claim.world is not None else None
    requires = [t for t in entry.extra.get("requires", ()) if t != "callable"]
    if func is not None and requires and not _keeps_tags(func):
        return (
            f"the derived model of this relation is not a {' / '.join(requires)} model, "
            f"which {entry.name} needs"
        )
    return None


def _keeps_tags(func: Any) -> bool:
    """Derivations that keep the model a fitted tree/linear model: appended unread columns."""
    from explainspec.lang import format_expr

    text = format_expr(func)
    return text.startswith("unused(") or "proxy" in text


def estimate(
    src: Any, methods: Sequence[str], points: int, background: int
) -> tuple[float, str, dict[str, float]]:
    """A rough time estimate: the model evaluations (rows and calls) that the methods and the
    oracles need, times the measured cost of a row and of a call of the model. shap's explainers
    add their own work, and compile code with numba on first use (not counted)."""
    import numpy as np

    small = src.X[:1]
    reps = max(1, 20_000 // src.n)
    big = np.repeat(src.X, reps, axis=0)[:20_000]
    t0 = time.perf_counter()
    for _ in range(3):
        src.base(small)
    per_call = (time.perf_counter() - t0) / 3
    t0 = time.perf_counter()
    src.base(big)
    per_row = max(0.0, (time.perf_counter() - t0 - per_call) / len(big))
    d, n, m = src.base.d, src.n, min(background, src.n)
    explained = points + 5 * 5 + 5  # the base world, five metamorphic worlds of 5 rows, a seed
    # (rows, calls) of one explained row, as shap 0.51 / lime / sklearn batch them
    local = {
        "shap.kernel": ((2 * d + 2048) * m, 2),
        "shap.permutation": (500 * m, 60),
        "shap.partition": (500 * m, 60),
        "shap.exact": ((2**d) * m, max(1, 2**d // 50)),
        "shap.sampling": (1000 * d * m, 20 * d),
        "lime.tabular": (5000, 1),
    }
    rows = calls = 0.0
    weights: dict[str, float] = {}
    for name in methods:
        if name in local:
            r, c = local[name]
            r, c = r * explained, c * explained
        elif name == "sklearn.permutation_importance":
            r, c = 5 * n * d * 5, 5 * d * 5
        elif name == "sklearn.partial_dependence":
            r, c = 21 * n * d * 3, 21 * d * 3
        else:
            r, c = 0, 0
        rows += r
        calls += c
        weights[name] = r * per_row + c * per_call
    if src.base.tree_ensemble() is None:
        rows += float(2 ** min(d, 16)) * m * points
    rows += n * min(n, 256) * d  # the permutation importance limit
    seconds = float(rows * per_row + calls * per_call)
    shap_used = any(
        x.startswith("shap.") and x not in ("shap.tree", "shap.tree_path") for x in methods
    )
    text = (
        f"about {seconds:.0f} s of model evaluations ({rows:.3g} rows, {calls:.3g} calls of the "
        f"model at {per_row * 1e6:.2g} us per row and {per_call * 1e3:.2g} ms per call)"
        + ("; shap compiles code with numba on first use" if shap_used else "")
    )
    return seconds, text, weights


# ----------------------------------------------------------------------------- running


@dataclass
class AuditRun:
    """The result of running a plan: the runner's result, elapsed time, budget stop."""

    plan: AuditPlan
    result: Any  # RunResult
    elapsed: float
    stopped: bool = False
    worlds: dict[str, Any] = field(default_factory=dict)


def run_plan(
    plan: AuditPlan,
    *,
    seed: int = 0,
    budget: float | None = None,
    on_event: Callable[[Any], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> AuditRun:
    """Run the plan's specs through the runner, in this process; stop once ``budget`` seconds
    have passed or ``should_stop()`` says so (the claim running then finishes; the rest are not
    run)."""
    import warnings

    from explainspec.runner.plan import RunOptions
    from explainspec.runner.run import drive, run

    options = RunOptions(profile="fast", seed=seed, isolate=False)
    started = time.perf_counter()
    stopped = [False]

    def handle(event: Any) -> None:
        if on_event is not None:
            on_event(event)
        over = budget is not None and time.perf_counter() - started > budget
        if (
            not stopped[0]
            and type(event).__name__ == "ClaimFinished"
            and (over or (should_stop is not None and should_stop()))
        ):
            stopped[0] = True
            raise KeyboardInterrupt  # drive() passes it into the run, which ends after this claim

    with warnings.catch_warnings():
        # models fitted on a DataFrame warn on every numpy call; the columns were matched by name
        warnings.filterwarnings("ignore", message="X does not have valid feature names")
        result = drive(run(list(plan.specs), options), handle)
    return AuditRun(
        plan=plan,
        result=result,
        elapsed=time.perf_counter() - started,
        stopped=stopped[0],
        worlds=claim_worlds(plan),
    )


def _recipe(
    models: Mapping[str, Any],
    tables: Mapping[str, Any],
    data: Mapping[str, Any],
    max_file_bytes: int | None = None,
) -> Any:
    """What a worker process needs to bind the same sources (groups already resolved)."""
    from explainspec.audit_jobs import Recipe

    return Recipe(
        models=dict(models),
        tables={
            name: dict(
                data=data[name],
                name=name,
                target=t.target,
                groups=dict(t.groups) if t.groups else None,
                rows=t.point_ids,
                max_file_bytes=max_file_bytes,
                max_rows=t.max_rows,
            )
            for name, t in tables.items()
        },
    )


def execute(
    plan: AuditPlan,
    recipe: Any,
    jobs: int,
    *,
    seed: int = 0,
    budget: float | None = None,
    on_event: Callable[[Any], None] | None = None,
) -> AuditRun:
    """Run the plan here (``jobs <= 1``, a plan of one method, or sources that cannot be sent to
    another process) or on ``jobs`` worker processes (:mod:`explainspec.audit_jobs`)."""
    if jobs > 1 and len(plan.methods) > 1 and recipe.picklable():
        from explainspec.audit_jobs import run_jobs

        return run_jobs(
            plan,
            recipe,
            jobs,
            seed=seed,
            budget=budget,
            on_event=on_event,
            weight=lambda m: float(plan.weights.get(m, 1.0)),
        )
    return run_plan(plan, seed=seed, budget=budget, on_event=on_event)


def claim_worlds(plan: AuditPlan) -> dict[str, Any]:
    """The world of every claim (by ``spec.claim``), from the world cache (no new work for a
    claim that ran; a claim that did not run gets its world built, which is cheap)."""
    from explainspec import worlds
    from explainspec.lang.ir import merged_world
    from explainspec.worlds.sources.world import build_world

    out: dict[str, Any] = {}
    for spec in plan.specs:
        for claim in spec.claims:
            try:
                w = build_world(worlds.resolve(merged_world(spec, claim)))
            except Exception:  # noqa: BLE001 - the report then shows positions, not names
                continue
            out[f"{spec.name}.{claim.name}"] = {
                "columns": tuple(w.columns),
                "info": {str(k): str(v) for k, v in w.info.items()},
                "points": len(w.points),
                "background": len(w.background),
            }
    return out


def audit(
    model: Any,
    data: Any,
    *,
    target: str | None = None,
    groups: Mapping[str, Sequence[str]] | str | None = None,
    methods: Sequence[str] | None = None,
    points: int = 20,
    background: int = 100,
    rows: Sequence[Any] | None = None,
    seed: int = 0,
    scale: str | None = None,
    klass: Any = None,
    budget: float | None = None,
    specs: Sequence[Any] = (),
    model_name: str = "model",
    table_name: str = "data",
    trusted: Sequence[str] = (),
    trust_pickle: bool = False,
    jobs: int = 1,
    max_rows: int | None = 2000,
) -> Any:
    """Audit explanation methods on a fitted model and its data; see :func:`explainspec.audit`."""
    from explainspec.report.audit import build_report
    from explainspec.worlds.sources import bindings

    if points < 1 or background < 1:
        from explainspec.worlds.sources.errors import SourceError

        raise SourceError("ES367", f"points = {points} and background = {background} must be >= 1")
    bound_model, table = bind(
        model=model,
        data=data,
        model_name=model_name,
        table_name=table_name,
        target=target,
        groups=groups,
        rows=rows,
        scale=scale,
        klass=klass,
        trusted=trusted,
        trust_pickle=trust_pickle,
        max_rows=max_rows,
    )
    loaded = [_load_spec(s) for s in specs]
    with bindings.bound({model_name: bound_model}, {table_name: table}):
        plan = plan_audit(
            model_name,
            table_name,
            methods=methods,
            points=points,
            background=background,
            seed=seed,
            specs=loaded,
        )
        recipe = _recipe(
            {
                model_name: dict(
                    model=model,
                    name=model_name,
                    scale=scale,
                    klass=klass,
                    trusted=tuple(trusted),
                    trust_pickle=trust_pickle,
                )
            },
            {table_name: table},
            {table_name: data},
        )
        ran = execute(plan, recipe, jobs, seed=seed, budget=budget)
        return build_report(ran)


def _load_spec(s: Any) -> ir.Spec:
    if isinstance(s, ir.Spec):
        return s
    from explainspec.lang import load

    return load(s)
