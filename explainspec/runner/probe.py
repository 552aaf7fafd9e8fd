"""Assumption probing: which of a claim's restrictions does its reading need?

A planner beside :mod:`explainspec.runner.plan`. For a claim it derives *steps*: the claim's world
with one restriction moved one level along an axis of the restriction lattice
(:mod:`explainspec.catalog.lattice`), or with one ``assume ... check`` dropped. Each step is an
ordinary :class:`~explainspec.runner.plan.ClaimPlan` (the claim renamed ``NAME~AXIS``, its own
seed), run by :func:`explainspec.runner.run.run_planned` -- the same runner, executor, pool and
results cache as ``verify``; this module has no search loop of its own.

A verified ``answers``/``holds`` claim is *relaxed*: a step that is refuted makes its restriction
**necessary** (the step's counterexample breaks the claim without it); a verified step makes it
**not needed at this budget** (with the number of worlds searched). A refuted claim is
*tightened*: a narrower step that verifies is where the claim **holds** (its stated world is too
wide). A step that cannot be taken (the top of an axis, a family or distribution off the lattice,
a global method's points) is **not applicable**, with the reason.

The relaxed run draws only the new part of the world (``function = interaction(order = 2)`` when
the claim said ``any(linear, additive)``): the stated part was just verified, so the search is
spent where a counterexample can be. The *widened* world (``any(linear, additive, interaction(order
= 2))``) is what ``explainspec probe --write`` puts in the spec when the step was verified.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from explainspec.catalog import lattice
from explainspec.catalog.limits import limit
from explainspec.lang import ir
from explainspec.lang.printer import format_expr
from explainspec.runner.events import ClaimResult, Verdict
from explainspec.runner.plan import ClaimPlan, RunOptions, plan_spec
from explainspec.runner.settings import derive_seed

#: what a step found
NECESSARY = "necessary"
DEFINES = "defines"  # the claim's own ground truth exists only under the restriction (ES305)
NOT_NEEDED = "not_needed"
NOT_APPLICABLE = "not_applicable"
INCONCLUSIVE = "inconclusive"
HOLDS_NARROWER = "holds_narrower"
STILL_REFUTED = "still_refuted"

RELAXED_KINDS = frozenset({ir.ClaimKind.ANSWERS, ir.ClaimKind.HOLDS})


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One restriction moved one level (``direction`` ``wider`` or ``narrower``).

    ``field`` is the world field (or ``assume NAME``), ``was`` its DSL text, ``searched`` the
    value the step's run draws (``None``: an assumption dropped), ``widened`` the value
    ``--write`` writes when the step is verified (``None``: never written, e.g. sizes), and
    ``condition`` the restriction in plain words. ``reason`` is set when the step cannot be taken.
    """

    axis: str
    field: str
    direction: str
    was: str
    searched: str | None = None
    widened: str | None = None
    condition: str = ""
    reason: str | None = None
    to: str = ""  # the level stepped to (a family or dependence level), when there are several

    @property
    def id(self) -> str:
        name = self.field.replace("assume ", "")
        out = f"{self.axis}:{name}" if self.axis != name else name
        return f"{out}:{self.to}" if self.to else out


@dataclass(frozen=True, slots=True, kw_only=True)
class StepResult:
    step: Step
    finding: str
    result: ClaimResult | None = None
    note: str | None = None  # why the finding is inconclusive, when the run does not say it

    @property
    def examples(self) -> int:
        return self.result.examples if self.result is not None else 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimProbe:
    """The probe of one claim: its own verdict, every step and the widest verified world."""

    spec: str
    claim: str
    kind: str
    source: str | None
    baseline: ClaimResult
    steps: tuple[StepResult, ...] = ()
    note: str | None = None
    plan: ClaimPlan | None = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def necessary(self) -> tuple[StepResult, ...]:
        return tuple(s for s in self.steps if s.finding == NECESSARY)

    @property
    def widest(self) -> dict[str, str]:
        """``field -> value`` of the widest verified world found (written axes only).

        The first verified step of a field sets its value; the field's other verified *family*
        steps are joined to it (a family step from ``any(linear, additive)`` to ``multilinear``
        and one to ``interaction(order = 2)`` give ``any(linear, additive, multilinear,
        interaction(order = 2))``), since each only adds members to the same ``any(...)``. A
        shapes step rewrites a member instead, so it is taken only when it is the field's first.
        """
        out: dict[str, str] = {}
        axis: dict[str, str] = {}
        for s in self.steps:
            st = s.step
            if s.finding != NOT_NEEDED or st.widened is None or st.axis not in lattice.WRITTEN_AXES:
                continue
            if st.field not in out:
                out[st.field], axis[st.field] = st.widened, st.axis
            elif st.axis == axis[st.field] == "family":
                out[st.field] = join_members(out[st.field], st.widened)
        return out


# ------------------------------------------------------------------ reading world values


def _call(e: ir.Expr) -> tuple[str, tuple[ir.Expr, ...], dict[str, ir.Expr]] | None:
    if isinstance(e, ir.Name):
        return e.id, (), {}
    if isinstance(e, ir.Call) and isinstance(e.func, ir.Name):
        return e.func.id, e.args, {k.name: k.value for k in e.kwargs}
    return None


def _with_kwarg(e: ir.Expr, name: str, value: ir.Expr | None) -> ir.Expr:
    """The call ``e`` with keyword ``name`` set to ``value`` (``None``: removed)."""
    assert isinstance(e, ir.Call)
    kwargs = tuple(k for k in e.kwargs if k.name != name)
    if value is not None:
        kwargs = tuple(
            ir.Keyword(name=k.name, value=value) if k.name == name else k for k in e.kwargs
        )
    if not kwargs and not e.args:
        return e.func  # ``additive``, not ``additive()``
    return dataclasses.replace(e, kwargs=kwargs)


def _int(e: ir.Expr | None) -> int | None:
    if isinstance(e, ir.Number) and isinstance(e.value, int) and not isinstance(e.value, bool):
        return e.value
    return None


def _members(e: ir.Expr) -> tuple[str, tuple[ir.Expr, ...]]:
    """``(wrapper, members)``: ``unused(any(a, b))`` -> ``("unused", (a, b))``."""
    wrapper = ""
    c = _call(e)
    if c is not None and c[0] == "unused" and len(c[1]) == 1 and not c[2]:
        wrapper, e = "unused", c[1][0]
        c = _call(e)
    if c is not None and c[0] == "any" and c[1] and not c[2]:
        return wrapper, c[1]
    return wrapper, (e,)


def join_members(a: str, b: str) -> str:
    """Two family values joined: the members of ``b`` that ``a`` lacks are added to ``a``'s
    ``any(...)`` (both under the same wrapper, such as ``unused``; otherwise ``a``)."""
    from explainspec.lang.parser import parse_value

    wa, ma = _members(parse_value(a))
    wb, mb = _members(parse_value(b))
    if wa != wb:
        return a
    return _compose(wa, [format_expr(m) for m in (*ma, *mb)])


def _compose(wrapper: str, members: Iterable[str]) -> str:
    ms = list(dict.fromkeys(members))
    inner = ms[0] if len(ms) == 1 else f"any({', '.join(ms)})"
    return f"{wrapper}({inner})" if wrapper else inner


def _family_level(e: ir.Expr) -> str | None:
    c = _call(e)
    if c is None:
        return None
    name, args, kwargs = c
    if args:
        return None
    if name == "interaction":
        order = kwargs.get("order")
        if order is not None and _int(order) is None:
            return None
        return lattice.family_level(name, _int(order))
    return lattice.family_level(name)


def _down(levels: Iterable[str], table: Any) -> set[str]:
    """Every level at or below one of ``levels``."""
    return {lv for lv in table if any(lattice.wider_or_equal(lv, m, table) for m in levels)}


def family_steps(field: str, value: ir.Expr) -> list[Step]:
    """The family and shapes steps of a ``function``/``second`` value, wider by one level."""
    was = format_expr(value)
    wrapper, members = _members(value)
    levels = [_family_level(m) for m in members]
    if any(lv is None for lv in levels):
        return [
            Step(
                axis="family",
                field=field,
                direction="wider",
                was=was,
                reason="a family off the lattice (a formula, a fitted or bound model)",
            )
        ]
    have = _down([lv for lv in levels if lv is not None], lattice.FAMILIES)
    texts = [format_expr(m) for m in members]
    condition = (
        lattice.FAMILIES[levels[0]].condition  # type: ignore[index]
        if len(members) == 1
        else f"f is one of {', '.join(texts)}"
    )
    steps = []
    # one step up from each member (``tree`` and ``relu_net`` are tops: nothing above them)
    up = dict.fromkeys(w for lv in levels for w in lattice.FAMILIES[lv].wider)  # type: ignore[index]
    for name in up:
        if name in have:
            continue
        level = lattice.FAMILIES[name]
        steps.append(
            Step(
                axis="family",
                field=field,
                direction="wider",
                was=was,
                searched=_compose(wrapper, [level.text]),
                widened=_compose(wrapper, [*texts, level.text]),
                condition=condition,
                to=name,
            )
        )
    if not steps:
        steps.append(
            Step(
                axis="family",
                field=field,
                direction="wider",
                was=was,
                reason="already at the top of the family lattice",
            )
        )
    for m in members:
        c = _call(m)
        if c is not None and "shapes" in c[2]:
            free = _with_kwarg(m, "shapes", None)
            steps.append(
                Step(
                    axis="shapes",
                    field=field,
                    direction="wider",
                    was=was,
                    searched=_compose(wrapper, [format_expr(free)]),
                    widened=_compose(
                        wrapper, [t if t != format_expr(m) else format_expr(free) for t in texts]
                    ),
                    condition=lattice.CONDITIONS["shapes"].format(
                        shapes=format_expr(c[2]["shapes"])
                    ),
                    to=_family_level(m) or "",
                )
            )
    return steps


def _dependence_level(e: ir.Expr) -> tuple[str, str] | None:
    """``(distribution, level)`` of a data value on the dependence axis, or ``None``."""
    c = _call(e)
    if c is None:
        return None
    name, args, kwargs = c
    if args:
        return None
    rho = kwargs.get("rho")
    rho_v = rho.value if isinstance(rho, ir.Number) else None
    if name == "grid":
        return name, "independent"
    if name == "dependent":
        if rho is None or isinstance(rho, ir.RangeExpr):
            return name, "dependent"
        return (name, "thin" if rho_v == 1 else "independent" if rho_v == 0 else "dependent")
    if name == "binary":
        if rho is None or rho_v == 0:
            return name, "independent"
        return (name, "thin" if rho_v == 1 else "dependent")
    if name == "gaussian" and "cov" not in kwargs:
        return name, "independent" if rho is None or rho_v == 0 else "dependent"
    return None


def data_steps(value: ir.Expr) -> list[Step]:
    """The dependence step (wider) and the levels step (a size) of a ``data`` value."""
    was = format_expr(value)
    _, members = _members(value)
    found = [_dependence_level(m) for m in members]
    texts = [format_expr(m) for m in members]
    steps = []
    if any(f is None for f in found):
        steps.append(
            Step(
                axis="dependence",
                field="data",
                direction="wider",
                was=was,
                reason="a distribution off the dependence axis (rows, a sample, a bound table)",
            )
        )
    else:
        order = list(lattice.DEPENDENCE)
        top = max(found, key=lambda f: order.index(f[1]))  # type: ignore[index]
        i = found.index(top)
        kwargs = _call(members[i])[2]  # type: ignore[index]
        template = lattice.DEPENDENCE_STEPS.get(top)  # type: ignore[arg-type]
        if template is None:
            steps.append(
                Step(
                    axis="dependence",
                    field="data",
                    direction="wider",
                    was=was,
                    reason=f"{texts[i]} is the widest dependence the library draws for it",
                )
            )
        else:
            text = template.format(
                levels=format_expr(kwargs["levels"]) if "levels" in kwargs else "3",
                n=format_expr(kwargs["n"]) if "n" in kwargs else "64",
            )
            steps.append(
                Step(
                    axis="dependence",
                    field="data",
                    direction="wider",
                    was=was,
                    searched=text,
                    widened=_compose("", [*texts, text]),
                    condition=lattice.DEPENDENCE[top[1]].condition,  # type: ignore[index]
                )
            )
    more, sizes = [], []
    for m in members:
        c = _call(m)
        levels = _int(c[2].get("levels")) if c is not None else None
        if c is None or levels is None or levels >= limit("levels"):
            more.append(format_expr(m))
            continue
        sizes.append(levels)
        more.append(format_expr(_with_kwarg(m, "levels", ir.Number(value=levels + 1))))
    if sizes:
        steps.append(
            Step(
                axis="levels",
                field="data",
                direction="wider",
                was=was,
                searched=_compose("", more),
                condition=lattice.CONDITIONS["levels"].format(levels=max(sizes)),
            )
        )
    return steps


def features_step(value: ir.Expr | None) -> list[Step]:
    hi = _int(value.hi if isinstance(value, ir.RangeExpr) else value) if value is not None else None
    if value is None or hi is None or hi >= limit("features"):
        return []
    return [
        Step(
            axis="features",
            field="features",
            direction="wider",
            was=format_expr(value),
            searched=str(hi + 1),
            condition=lattice.CONDITIONS["features"].format(hi=hi),
        )
    ]


def points_step(value: ir.Expr | None, local: bool) -> list[Step]:
    was = format_expr(value) if value is not None else "2"
    if not local:
        return [
            Step(
                axis="support",
                field="points",
                direction="wider",
                was=was,
                reason="a global method: no points",
            )
        ]
    c = _call(value) if value is not None else None
    if c is not None and c[0] == "anywhere":
        return [
            Step(
                axis="support",
                field="points",
                direction="wider",
                was=was,
                reason="points are already anywhere",
            )
        ]
    if value is not None and not isinstance(value, ir.Number | ir.RangeExpr):
        return [
            Step(
                axis="support", field="points", direction="wider", was=was, reason="explicit points"
            )
        ]
    text = f"anywhere({was})"
    return [
        Step(
            axis="support",
            field="points",
            direction="wider",
            was=was,
            searched=text,
            widened=text,
            condition=lattice.SUPPORT["in_support"].condition,
        )
    ]


def relaxations(plan: ClaimPlan) -> list[Step]:
    """Every one-level relaxation of ``plan``'s world and every droppable assumption."""
    fields = {f.name: f.value for f in plan.world.fields}
    steps: list[Step] = []
    for name in ("function", "second"):
        if name in fields:
            steps += family_steps(name, fields[name])
    if "data" in fields:
        steps += data_steps(fields["data"])
    steps += points_step(fields.get("points"), plan.entry().extra.get("scope") == "local")
    steps += features_step(fields.get("features"))
    for a in (*plan.spec.assumptions, *plan.claim.assumptions):
        if a.check is not None:
            steps.append(
                Step(
                    axis="assume",
                    field=f"assume {a.name}",
                    direction="wider",
                    was=format_expr(a.check),
                    condition=a.text,
                )
            )
    return steps


def tightenings(plan: ClaimPlan) -> list[Step]:
    """The one-level narrowings of a refuted claim's family and dependence restrictions."""
    fields = {f.name: f.value for f in plan.world.fields}
    steps: list[Step] = []
    if "function" in fields:
        value = fields["function"]
        wrapper, members = _members(value)
        levels = [_family_level(m) for m in members]
        if all(lv is not None for lv in levels):
            names = [lv for lv in levels if lv is not None]
            texts = [format_expr(m) for m in members]
            for i, top in enumerate(names):
                if any(o != top and lattice.wider_or_equal(top, o) for o in names):
                    continue  # below another member: not a top
                # the top member replaced by the levels one step below it (all of them)
                below = [lattice.FAMILIES[n].text for n in lattice.narrower(top)]
                if not below:
                    continue
                rest = [t for j, t in enumerate(texts) if j != i]
                text = _compose(wrapper, [*rest, *below])
                steps.append(
                    Step(
                        axis="family",
                        field="function",
                        direction="narrower",
                        was=format_expr(value),
                        searched=text,
                        widened=text,
                        condition=" or ".join(
                            lattice.FAMILIES[n].condition for n in lattice.narrower(top)
                        ),
                        to=top,
                    )
                )
    if "data" in fields:
        value = fields["data"]
        _, members = _members(value)
        found = [_dependence_level(m) for m in members]
        if found and all(f is not None and f[1] != "independent" for f in found):
            c = _call(members[0])
            size = c[2].get("levels") if c is not None else None
            text = f"grid(levels = {format_expr(size) if size is not None else 3})"
            steps.append(
                Step(
                    axis="dependence",
                    field="data",
                    direction="narrower",
                    was=format_expr(value),
                    searched=text,
                    widened=text,
                    condition=lattice.DEPENDENCE["independent"].condition,
                )
            )
    pts = fields.get("points")
    c = _call(pts) if pts is not None else None
    if c is not None and c[0] == "anywhere" and len(c[1]) == 1:
        text = format_expr(c[1][0])
        steps.append(
            Step(
                axis="support",
                field="points",
                direction="narrower",
                was=format_expr(pts),  # type: ignore[arg-type]
                searched=text,
                widened=text,
                condition=lattice.SUPPORT["in_support"].condition,
            )
        )
    return steps


# ------------------------------------------------------------------ plans of the steps


def step_plan(plan: ClaimPlan, step: Step) -> ClaimPlan:
    """``plan`` with ``step`` applied: an ordinary claim plan named ``CLAIM~STEP``."""
    from explainspec.lang.parser import parse_value

    spec, claim, world = plan.spec, plan.claim, plan.world
    if step.axis == "assume":
        name = step.field.removeprefix("assume ")
        spec = dataclasses.replace(
            spec, assumptions=tuple(a for a in spec.assumptions if a.name != name)
        )
        claim = dataclasses.replace(
            claim, assumptions=tuple(a for a in claim.assumptions if a.name != name)
        )
    else:
        assert step.searched is not None
        new = ir.WorldField(name=step.field, value=parse_value(step.searched))
        fields = [f for f in world.fields if f.name != step.field]
        world = dataclasses.replace(world, fields=(*fields, new))
    claim = dataclasses.replace(claim, name=f"{claim.name}~{step.id}")
    return dataclasses.replace(
        plan,
        spec=spec,
        claim=claim,
        world=world,
        claim_seed=derive_seed(plan.seed, plan.spec.name, claim.name),
        # a step whose draws are nearly all rejected stops early, inconclusive (ES392)
        options=dataclasses.replace(plan.options, stop_rejected=True),
    )


def classify(
    step: Step, result: ClaimResult, *, required: int, declined_as_stated: bool = False
) -> str:
    """What a step's run found (see the module's docstring).

    A verified run counts only when it checked at least ``required`` valid worlds (the evidence
    the claim's own verification rests on, see :func:`required_worlds`); with fewer it is
    inconclusive. A refutation needs one counterexample, however many worlds were drawn. A wider
    step verified while the method declined part of its worlds (ES307), which it did not as
    stated, is inconclusive: the wider world was checked only where the method takes it, so it
    is no evidence that the restriction is not needed (nor a world ``--write`` may state).
    """
    v = result.verdict
    if v is Verdict.ERROR and any(d.code == "ES305" for d in result.diagnostics):
        return DEFINES if step.direction == "wider" else INCONCLUSIVE
    if _too_few(result, required):
        return INCONCLUSIVE
    if step.direction == "wider" and _declines(result) and not declined_as_stated:
        return INCONCLUSIVE
    if step.direction == "wider":
        return {Verdict.REFUTED: NECESSARY, Verdict.VERIFIED: NOT_NEEDED}.get(v, INCONCLUSIVE)
    return {Verdict.VERIFIED: HOLDS_NARROWER, Verdict.REFUTED: STILL_REFUTED}.get(v, INCONCLUSIVE)


def required_worlds(options: RunOptions, baseline: ClaimResult) -> int:
    """The valid worlds a verified step needs: the profile's number (``--max-examples``), or
    the claim's own count when its verification was complete with fewer (a finite world space
    that hypothesis exhausted)."""
    return min(options.n_examples, baseline.examples) if baseline.examples else options.n_examples


def _too_few(result: ClaimResult, required: int) -> bool:
    """A verified run on fewer valid worlds than ``required``: no evidence for a finding."""
    return result.verdict is Verdict.VERIFIED and result.examples < required


def _declines(result: ClaimResult) -> bool:
    """The run skipped worlds the method cannot take (its ES307 note)."""
    return result.verdict is Verdict.VERIFIED and any(d.code == "ES307" for d in result.diagnostics)


def _declined_note(result: ClaimResult) -> str:
    why = next(d.message for d in result.diagnostics if d.code == "ES307")
    return f"the wider world is only partly the method's: {why}"


def _few_worlds(result: ClaimResult, required: int) -> str:
    return (
        f"verified on only {result.examples} valid world(s), fewer than the {required} the "
        "claim's own verification checked: too few for a finding"
    )


def _probe_command(plan: ClaimPlan) -> str:
    import shlex

    parts = ["explainspec", "probe", plan.spec.source or f"{plan.spec.name}.espec"]
    parts += [
        "--claim",
        plan.claim.name,
        "--seed",
        str(plan.seed),
        "--profile",
        plan.options.profile,
    ]
    return " ".join(shlex.quote(p) for p in parts)


def _run(plans: list[ClaimPlan], options: RunOptions, execution: Any) -> list[ClaimResult]:
    from explainspec.runner.run import drive, run_planned

    if not plans:
        return []
    names = [p.name for p in plans]
    if len(set(names)) != len(names):  # results are matched to plans by name
        raise ValueError(f"two steps of one claim have the same name: {sorted(names)}")
    by_spec: dict[str, tuple[ir.Spec, list[ClaimPlan]]] = {}
    for p in plans:
        by_spec.setdefault(p.spec.name, (p.spec, []))[1].append(p)
    result = drive(run_planned(list(by_spec.values()), options, execution), lambda e: None)
    found = {(r.spec, r.claim): r for r in result}
    return [found[(p.spec.name, p.claim.name)] for p in plans]


def probe(
    specs: Iterable[ir.Spec], options: RunOptions, execution: Any = None
) -> Iterator[ClaimProbe]:
    """Probe every selected ``answers``/``holds`` claim of ``specs`` (``does_not_answer`` claims
    are left out: they are demonstrations, not readings).

    Two passes through the runner: every claim as stated, then every step of every claim (a
    verified claim's relaxations, a refuted claim's tightenings) -- so ``--jobs`` spreads the
    steps of one claim over the workers. The cost is the claim's own run plus one run per step.
    """
    plans = [p for spec in specs for p in plan_spec(spec, options) if p.claim.kind in RELAXED_KINDS]
    baselines = _run(plans, options, execution)
    todo: list[tuple[int, Step, ClaimPlan | None]] = []
    for i, (p, base) in enumerate(zip(plans, baselines, strict=True)):
        if base.verdict is Verdict.VERIFIED:
            steps = relaxations(p)
        elif base.verdict is Verdict.REFUTED:
            steps = tightenings(p)
        else:
            steps = []
        for s in steps:
            todo.append((i, s, step_plan(p, s) if s.reason is None else None))
    results = iter(_run([sp for _, _, sp in todo if sp is not None], options, execution))
    per_claim: dict[int, list[StepResult]] = {}
    for i, s, sp in todo:
        if sp is None:
            per_claim.setdefault(i, []).append(StepResult(step=s, finding=NOT_APPLICABLE))
            continue
        r = next(results)
        if r.counterexample is not None:
            r = dataclasses.replace(
                r,
                counterexample=dataclasses.replace(
                    r.counterexample, reproduce=_probe_command(plans[i])
                ),
            )
        required = required_worlds(plans[i].options, baselines[i])
        finding = classify(s, r, required=required, declined_as_stated=_declines(baselines[i]))
        note = None
        if _too_few(r, required):
            note = _few_worlds(r, required)
        elif finding == INCONCLUSIVE and _declines(r):  # verified, so a wider step (classify)
            note = _declined_note(r)
        per_claim.setdefault(i, []).append(StepResult(step=s, finding=finding, result=r, note=note))
    for i, (p, base) in enumerate(zip(plans, baselines, strict=True)):
        note = None
        if base.verdict not in (Verdict.VERIFIED, Verdict.REFUTED):
            note = f"the claim is {base.verdict.value} as stated: not probed"
        elif not per_claim.get(i):
            note = "no restriction to move"
        yield ClaimProbe(
            spec=p.spec.name,
            claim=p.claim.name,
            kind=p.claim.kind.value,
            source=p.spec.source,
            baseline=base,
            steps=tuple(per_claim.get(i, ())),
            note=note,
            plan=p,
        )


def widened_plan(plan: ClaimPlan, fields: dict[str, str]) -> ClaimPlan:
    """``plan`` with every field of ``fields`` set at once (named ``CLAIM~widest``)."""
    from explainspec.lang.parser import parse_value

    world = plan.world
    for name, text in fields.items():
        rest = [f for f in world.fields if f.name != name]
        world = dataclasses.replace(
            world, fields=(*rest, ir.WorldField(name=name, value=parse_value(text)))
        )
    claim = dataclasses.replace(plan.claim, name=f"{plan.claim.name}~widest")
    return dataclasses.replace(
        plan,
        claim=claim,
        world=world,
        claim_seed=derive_seed(plan.seed, plan.spec.name, claim.name),
    )


def widest_verified(
    cp: ClaimProbe, options: RunOptions, execution: Any = None
) -> tuple[dict[str, str], list[ClaimResult]]:
    """The widest world of ``cp`` that is verified with its widenings *together*.

    Each widening was verified alone; their combination is a world none of the steps searched.
    It is run once with every widening; when refuted, widenings are added one at a time (in the
    probe's order) and kept only while the combination stays verified. "Verified" asks as many
    valid worlds as a step needs to be *not needed* (:func:`required_worlds`). Returns the
    fields and the runs made (the same runner as every step).
    """
    fields = cp.widest
    if not fields or cp.plan is None:
        return {}, []
    need = required_worlds(options, cp.baseline)

    def verified(r: ClaimResult) -> bool:
        return r.verdict is Verdict.VERIFIED and not _too_few(r, need)

    first = _run([widened_plan(cp.plan, fields)], options, execution)
    if verified(first[0]) or len(fields) == 1:
        return (fields if verified(first[0]) else {}), first
    kept: dict[str, str] = {}
    runs = list(first)
    for name, text in fields.items():
        trial = {**kept, name: text}
        if len(trial) == 1:  # a single widening was verified by its step
            kept = trial
            continue
        r = _run([widened_plan(cp.plan, trial)], options, execution)[0]
        runs.append(r)
        if verified(r):
            kept = trial
    return kept, runs
