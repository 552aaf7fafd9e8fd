"""The audit report: the runner's results on the user's model and rows, read for this use.

For each audited method and each claim (a question type or a metamorphic relation): whether the
reading **holds** on this model and data (at every audited row) or **fails**, the size of the
error over the rows (max and median, for ``a == b within T`` checks: ``|a - b|``), and the worst
rows with their row ids, column values, the method's numbers and the exact truth beside them.

Built from :class:`~explainspec.runner.events.ClaimResult` (``points``: the outcome at every row)
and plain descriptions of the worlds; rendered as text (:meth:`AuditReport.text`) or JSON
(:meth:`AuditReport.to_dict`); ``docgen/audit_card.py`` writes the card page.
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass, field
from typing import Any

#: the runner's verdicts as the audit says them (every audit claim is an answers/holds claim)
READING = {
    "verified": "holds",
    "refuted": "fails",
    "error": "error",
    "invalid": "error",
    "not_applicable": "n/a",
    "shown": "fails",
    "unshown": "holds",
}

_WITHIN = re.compile(r"==.*\bwithin (-?[0-9.]+(?:e[-+]?[0-9]+)?)$")


@dataclass(frozen=True, slots=True, kw_only=True)
class WorstRow:
    """One audited row where the check came out worst."""

    row: str
    margin: float
    error: float | None
    values: tuple[tuple[str, float], ...]
    method: Any = None  # the method's side of the deciding comparison
    truth: Any = None  # the other side (the exact truth, for == checks)
    method_text: str = ""
    truth_text: str = ""
    detail: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One claim on one method: the verdict on this model and data, with its evidence."""

    method: str
    claim: str
    question: str | None
    statement: str
    check: str
    verdict: str
    rows: int
    failing: int
    error_max: float | None
    error_median: float | None
    tolerance: float | None
    world: str
    columns: tuple[str, ...]
    worst: tuple[WorstRow, ...] = ()
    message: str | None = None
    seconds: float = 0.0
    local: bool = True  # the method explains rows (False: one answer for the whole data)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditReport:
    """Everything an audit found; ``text()``, ``to_dict()`` and the card are views of it."""

    model: str
    data: str
    background: str
    points: str
    scale: str
    methods: tuple[str, ...]
    findings: tuple[Finding, ...]
    skipped: tuple[tuple[str, str, str], ...] = ()
    elapsed: float = 0.0
    stopped: bool = False
    estimate: str = ""
    versions: dict[str, str] = field(default_factory=dict)
    model_name: str = "model"
    table_name: str = "data"

    # -- queries
    def finding(self, method: str, claim: str) -> Finding:
        for f in self.findings:
            if f.method == method and f.claim == claim:
                return f
        raise KeyError(f"{method}.{claim}")

    def by_method(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {m: [] for m in self.methods}
        for f in self.findings:
            out.setdefault(f.method, []).append(f)
        return out

    @property
    def errors(self) -> int:
        return sum(f.verdict == "error" for f in self.findings)

    # -- views
    def to_dict(self) -> dict[str, Any]:
        from explainspec.report.json_report import jsonable

        out: dict[str, Any] = jsonable(self)
        out["kind"] = "explainspec-audit"
        out["version"] = 1
        return out

    def text(self, *, details: bool = True) -> str:
        return "\n".join(_text_lines(self, details))

    def __str__(self) -> str:
        return self.text()


# ----------------------------------------------------------------------------- building


def _num(v: Any) -> Any:
    if isinstance(v, list):
        return [_num(x) for x in v]
    if isinstance(v, str) and v in ("inf", "-inf", "nan"):
        return float(v)
    return v


def _abs_diff(a: Any, b: Any) -> float | None:
    import numpy as np

    try:
        x, y = np.asarray(_num(a), dtype=float), np.asarray(_num(b), dtype=float)
        diff = np.abs(x - y)
    except (TypeError, ValueError):
        return None
    return float(np.max(diff)) if diff.size else None


def point_error(point: Any) -> tuple[float | None, float | None]:
    """``(error, tolerance)`` at one row: for a deciding ``a == b within T`` comparison the
    error is ``T - margin`` (= ``max |a - b|``); otherwise ``(None, None)``."""
    margin_item = next((q for q in reversed(point.quantities) if q.role == "margin"), None)
    if margin_item is None:
        return None, None
    m = _WITHIN.search(margin_item.text)
    if m is None or " relative" in margin_item.text or "mc(" in margin_item.text:
        return None, None
    tol = float(m.group(1))
    if not math.isfinite(point.margin):
        ops = [q for q in point.quantities if q.role == "operand"]
        err = _abs_diff(ops[0].value, ops[1].value) if len(ops) >= 2 else None
        return err, tol
    return max(0.0, tol - float(point.margin)), tol


def _shown(q: Any) -> str:
    """A quantity's line, with long or nested arrays abbreviated (their worst element follows)."""
    v = q.value
    if (
        q.role == "operand"
        and isinstance(v, list)
        and v
        and (len(v) > 12 or any(isinstance(x, list) for x in v))
    ):
        kind = "rows" if isinstance(v[0], list) else "values"
        return f"{q.text} = [array of {len(v)} {kind}]"
    return str(q)


def _worst_rows(result: Any, columns: tuple[str, ...], k: int, local: bool) -> tuple[WorstRow, ...]:
    pts = sorted(result.points, key=lambda p: p.margin if p.margin == p.margin else -math.inf)
    out = []
    for p in pts[:k]:
        err, _ = point_error(p)
        ops = [q for q in p.quantities if q.role == "operand"]
        names = (
            columns if len(columns) == len(p.point) else tuple(f"x{j}" for j in range(len(p.point)))
        )
        out.append(
            WorstRow(
                row=p.label if local else "(all rows)",
                margin=float(p.margin),
                error=err,
                values=tuple(zip(names, p.point, strict=True)) if local else (),
                method=_num(ops[0].value) if ops else None,
                truth=_num(ops[1].value) if len(ops) > 1 else None,
                method_text=ops[0].text if ops else "",
                truth_text=ops[1].text if len(ops) > 1 else "",
                detail=tuple(_shown(q) for q in p.quantities),
            )
        )
    return tuple(out)


def build_report(ran: Any, *, worst: int = 3) -> AuditReport:
    """The :class:`AuditReport` of an :class:`explainspec.auditing.AuditRun`."""
    from explainspec.lang import format_expr
    from explainspec.registry import registry
    from explainspec.report.json_report import versions

    reg = registry("method")
    plan = ran.plan
    checks = {f"{s.name}.{c.name}": (s.method.use, c) for s in plan.specs for c in s.claims}
    findings = []
    done = set()
    for r in ran.result.claims:
        cid = f"{r.spec}.{r.claim}"
        done.add(cid)
        method, claim = checks.get(cid, (r.method, None))
        world = ran.worlds.get(cid, {})
        columns = tuple(world.get("columns", ()))
        errs = [e for e, _ in map(point_error, r.points) if e is not None]
        tols = [t for _, t in map(point_error, r.points) if t is not None]
        failing = sum(1 for p in r.points if not p.margin >= 0)
        verdict = READING.get(r.verdict.value, r.verdict.value)
        local = method not in reg or reg.get(method).extra.get("scope", "local") == "local"
        findings.append(
            Finding(
                method=method,
                claim=r.claim,
                question=r.about,
                statement=" ".join(r.statement.split()),
                check=format_expr(claim.check) if claim is not None else "",
                verdict=verdict,
                rows=len(r.points),
                failing=failing,
                error_max=max(errs) if errs else None,
                error_median=statistics.median(errs) if errs else None,
                tolerance=tols[0] if tols else None,
                world=str(world.get("info", {}).get("world", "")),
                columns=columns,
                worst=_worst_rows(r, columns, worst if verdict == "fails" else 1, local),
                message=r.error,
                seconds=r.timings.total,
                local=local,
            )
        )
    for cid, (method, claim) in checks.items():  # not run: the budget stopped the audit
        if cid not in done:
            findings.append(
                Finding(
                    method=method,
                    claim=claim.name,
                    question=claim.about,
                    statement=" ".join(claim.statement.split()),
                    check=format_expr(claim.check),
                    verdict="not run",
                    rows=0,
                    failing=0,
                    error_max=None,
                    error_median=None,
                    tolerance=None,
                    world="",
                    columns=(),
                    message="not run: the time budget was used up",
                )
            )
    # the description of the main world: the one with the most explained rows (a local method's)
    first: dict[str, Any] = max(
        ran.worlds.values(), key=lambda w: (w.get("points", 0), w.get("background", 0)), default={}
    )
    info = first.get("info", {}) if first else {}
    return AuditReport(
        model=str(info.get("model", plan.model_name)),
        data=str(info.get("data", plan.table_name)),
        background=str(info.get("background", "")),
        points=str(info.get("points", "")),
        scale=plan.scale_text,
        methods=plan.methods,
        findings=tuple(findings),
        skipped=tuple((s.method, s.claim, s.reason) for s in plan.skipped),
        elapsed=float(ran.elapsed),
        stopped=bool(ran.stopped),
        estimate=plan.estimate_text,
        versions=versions(),
        model_name=plan.model_name,
        table_name=plan.table_name,
    )


# ----------------------------------------------------------------------------- text


def g(v: float | None) -> str:
    """A number for the report (4 significant digits; '-' for none)."""
    if v is None:
        return "-"
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return f"{v:.4g}"


def _summary(f: Finding) -> str:
    if f.verdict in ("error", "n/a", "not run"):
        return (f.message or "").splitlines()[0] if f.message else ""
    parts = []
    if f.error_max is not None:
        parts.append(
            f"error max {g(f.error_max)}, median {g(f.error_median)} (tolerance {g(f.tolerance)})"
        )
    if not f.local:
        parts.append("fails" if f.verdict == "fails" else "on all the rows")
    elif f.verdict == "fails":
        parts.append(f"fails on {f.failing} of {f.rows} rows")
    elif f.rows:
        parts.append(f"on {f.rows} rows")
    return "; ".join(parts)


def _vector_lines(w: WorstRow, columns: tuple[str, ...]) -> list[str]:
    """The method's numbers beside the truth, one line per column (vectors of length d)."""
    m, t = w.method, w.truth
    if not (isinstance(m, list) and isinstance(t, list) and len(m) == len(t) == len(columns)):
        return []
    if any(isinstance(v, list) for v in m):
        return []
    width = max(len(c) for c in columns)
    values = dict(w.values)
    value_head = f"  {'value':>10}" if values else ""
    lines = [
        f"        {'column':<{width}}{value_head}  {'method':>11}  {'truth':>11}  {'difference':>11}"
    ]
    order = sorted(range(len(columns)), key=lambda j: -abs(_f(m[j]) - _f(t[j])))
    for j in order:
        value = f"  {g(values.get(columns[j])):>10}" if values else ""
        lines.append(
            f"        {columns[j]:<{width}}{value}  {g(_f(m[j])):>11}  "
            f"{g(_f(t[j])):>11}  {g(_f(m[j]) - _f(t[j])):>11}"
        )
    return lines


def _f(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _text_lines(r: AuditReport, details: bool) -> list[str]:
    out = [
        f"explainspec audit of {', '.join(r.methods)}",
        f"  model:      {r.model}",
        f"  data:       {r.data}",
        f"  background: {r.background}",
        f"  points:     {r.points}; the metamorphic relations on 5 of them",
        f"  {r.scale}",
        "",
    ]
    width = max((len(f.claim) for f in r.findings), default=10)
    for method, fs in r.by_method().items():
        out.append(method)
        for f in fs:
            q = f.question or ""
            out.append(f"  {f.verdict:<7} {q:<15} {f.claim:<{width}}  {_summary(f)}")
        out.append("")
    if details:
        failing = [f for f in r.findings if f.verdict == "fails" and f.worst]
        if failing:
            out.append("Where the readings fail (worst rows):")
            for f in failing:
                out.append(f"  {f.method} {f.claim}: {f.statement}")
                out.append(f"    check {f.check}")
                if f.world and "on the rows of" in f.world and ";" in f.world:
                    out.append(f"    world: {f.world}")
                for w in f.worst:
                    err = f", error {g(w.error)}" if w.error is not None else ""
                    where = f"row {w.row}" if f.local else "on the data"
                    out.append(f"    {where}: margin {g(w.margin)}{err}")
                    vec = _vector_lines(w, f.columns)
                    if vec:
                        out.extend(vec)
                    else:
                        out.extend(
                            f"        {line}" for line in w.detail if not line.startswith("margin")
                        )
                out.append("")
    errors = [f for f in r.findings if f.verdict == "error"]
    for f in errors:
        out.append(f"  error in {f.method} {f.claim}: {f.message}")
    if r.skipped:
        out.append("Left out:")
        for method, claim, reason in r.skipped:
            what = method if claim == "*" else f"{method} {claim}"
            out.append(f"  {what}: {reason}")
        out.append("")
    out.append(_matrix(r))
    tail = f"{len(r.findings)} checks in {r.elapsed:.1f} s"
    if r.stopped:
        tail += "; stopped by --budget (the rest were not run)"
    out.append(tail)
    return out


def _matrix(r: AuditReport) -> str:
    """Method x question: holds only if every claim of that question holds."""
    questions: list[str] = []
    for f in r.findings:
        if f.question and f.question not in questions:
            questions.append(f.question)
    cell: dict[tuple[str, str], str] = {}
    for f in r.findings:
        if not f.question:
            continue
        key = (f.method, f.question)
        old = cell.get(key)
        order = ["holds", "n/a", "not run", "error", "fails"]
        if old is None or order.index(f.verdict if f.verdict in order else "error") > order.index(
            old
        ):
            cell[key] = f.verdict if f.verdict in order else "error"
    mw = max((len(m) for m in r.methods), default=6)
    widths = [max(len(q), 7) for q in questions]
    lines = ["Summary (a question holds when every check of it holds):"]
    lines.append(
        "  "
        + " " * mw
        + "  "
        + "  ".join(q.ljust(w) for q, w in zip(questions, widths, strict=True))
    )
    for m in r.methods:
        row = [cell.get((m, q), "-").ljust(w) for q, w in zip(questions, widths, strict=True)]
        lines.append(f"  {m:<{mw}}  " + "  ".join(row))
    return "\n".join(lines) + "\n"
