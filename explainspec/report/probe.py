"""Output of ``explainspec probe``: plain text for the terminal and a JSON document.

Both read :class:`explainspec.runner.probe.ClaimProbe` values; nothing here runs a claim.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from explainspec.lang.diagnostics import visible
from explainspec.runner import probe as P

#: how each finding reads, in the text report and in the generated library table
WORDS = {
    P.NECESSARY: "NECESSARY",
    P.DEFINES: "necessary (the claim's ground truth exists only under it)",
    P.NOT_NEEDED: "not needed at this budget",
    P.NOT_APPLICABLE: "not applicable",
    P.INCONCLUSIVE: "inconclusive",
    P.HOLDS_NARROWER: "HOLDS when restricted",
    P.STILL_REFUTED: "still refuted",
}


def step_line(s: P.StepResult) -> str:
    """One step in one line: what moved, to what, and what the search found."""
    st = s.step
    if st.axis == "assume":
        what = f"drop {st.field} (check {st.was})"
    else:
        verb = "relax" if st.direction == "wider" else "tighten"
        what = f"{verb} {st.field} = {st.was}" + (f" -> {st.searched}" if st.searched else "")
    found = WORDS[s.finding]
    if s.finding == P.NOT_APPLICABLE:
        found += f": {st.reason}"
    elif s.finding == P.NOT_NEEDED:
        found += f" ({s.examples} worlds searched)"
    elif s.finding == P.INCONCLUSIVE and s.result is not None:
        detail = s.note or s.result.error or s.result.verdict.value
        found += f": {s.result.verdict.value}, {detail.splitlines()[0] if detail else ''}"
    elif s.finding == P.DEFINES and s.result is not None and s.result.diagnostics:
        found += f" ({s.result.diagnostics[0].message.splitlines()[0]})"
    return f"[{st.axis}] {what}: {found}"


def text(probes: Iterable[P.ClaimProbe]) -> str:
    out: list[str] = []
    for cp in probes:
        out.append(f"{cp.spec}.{cp.claim} ({cp.kind}): {cp.baseline.verdict.value} as stated")
        if cp.note:
            out.append(f"  {cp.note}")
        if cp.baseline.verdict.value == "refuted" and cp.baseline.counterexample is not None:
            out.append("  counterexample as stated:")
            out += [f"      {line}" for line in cp.baseline.counterexample.lines(python=False)]
        for s in cp.steps:
            out.append(f"  {step_line(s)}")
            if s.finding == P.HOLDS_NARROWER:
                out.append(f"      holds when: {s.step.condition} ({s.examples} worlds searched)")
            if s.finding in (P.NECESSARY, P.DEFINES):
                out.append(f"      needs: {s.step.condition}")
            if s.finding == P.NECESSARY and s.result is not None and s.result.counterexample:
                out += [f"      {line}" for line in s.result.counterexample.lines(python=False)]
        widest = cp.widest
        if widest:
            fields = "; ".join(f"{k} = {v}" for k, v in widest.items())
            out.append(f"  widest verified world: {fields}  (explainspec probe --write writes it)")
        out.append("")
    return visible("\n".join(out))  # the run's messages and the spec's texts: shown, never obeyed


def _result(r: Any) -> dict[str, Any] | None:
    if r is None:
        return None
    cx = r.counterexample
    return {
        "verdict": r.verdict.value,
        "examples": r.examples,
        "margin": r.margin,
        "error": r.error,
        "diagnostics": [{"code": d.code, "message": d.message} for d in r.diagnostics],
        "counterexample": None if cx is None else cx.lines(python=False),
    }


def as_dict(cp: P.ClaimProbe) -> dict[str, Any]:
    return {
        "spec": cp.spec,
        "claim": cp.claim,
        "kind": cp.kind,
        "source": cp.source,
        "verdict": cp.baseline.verdict.value,
        "examples": cp.baseline.examples,
        "note": cp.note,
        "steps": [
            {
                "id": s.step.id,
                "axis": s.step.axis,
                "field": s.step.field,
                "direction": s.step.direction,
                "was": s.step.was,
                "searched": s.step.searched,
                "widened": s.step.widened,
                "condition": s.step.condition,
                "finding": s.finding,
                "reason": s.step.reason,
                "note": s.note,
                "run": _result(s.result),
            }
            for s in cp.steps
        ],
        "widest": cp.widest,
    }


def to_json(probes: Iterable[P.ClaimProbe], *, seed: int, profile: str) -> str:
    doc = {
        "format": "explainspec-probe/1",
        "seed": seed,
        "profile": profile,
        "claims": [as_dict(cp) for cp in probes],
    }
    return json.dumps(doc, indent=2, default=repr)
