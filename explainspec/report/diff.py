"""Compare two JSON reports of ``explainspec verify`` (``explainspec diff OLD.json NEW.json``).

Claims are matched by ``(spec, claim)``. The comparison lists the claims whose verdict changed
(a *regression* is a claim that passed in the old report and fails in the new one), the claims
only one report has, and the margins that moved by more than a chosen fraction while the verdict
stayed. Only the standard library is used (the command must stay fast).

Examples
--------
>>> old = {"report_version": 1, "claims": [
...     {"spec": "s", "claim": "a", "verdict": "verified", "margin": 0.5},
...     {"spec": "s", "claim": "b", "verdict": "verified", "margin": 0.5}]}
>>> new = {"report_version": 1, "claims": [
...     {"spec": "s", "claim": "a", "verdict": "refuted", "margin": -0.1},
...     {"spec": "s", "claim": "c", "verdict": "verified", "margin": 1.0}]}
>>> d = compare(old, new)
>>> [(c.key, c.old, c.new, c.regression) for c in d.changed]
[(('s', 'a'), 'verified', 'refuted', True)]
>>> d.added, d.removed, d.regressions
([('s', 'c')], [('s', 'b')], 1)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from explainspec.lang.diagnostics import visible

#: verdicts that count as a claim passing (the verdict its kind asks for)
PASSING = frozenset({"verified", "shown"})

#: report versions this module reads
SUPPORTED_VERSIONS = frozenset({1})


class ReportError(ValueError):
    """A file that is not a JSON report of ``explainspec verify`` this version can read."""


Key = tuple[str, str]


@dataclass(frozen=True)
class Change:
    """A claim in both reports whose verdict changed."""

    key: Key
    old: str
    new: str
    old_margin: float | None
    new_margin: float | None
    counterexample: Any = None  # the new report's, when the claim now fails

    @property
    def regression(self) -> bool:
        """The claim passed before and fails now."""
        return self.old in PASSING and self.new not in PASSING


@dataclass(frozen=True)
class Moved:
    """A claim with the same verdict in both reports whose margin moved."""

    key: Key
    verdict: str
    old: float
    new: float


@dataclass
class ReportDiff:
    changed: list[Change] = field(default_factory=list)
    added: list[Key] = field(default_factory=list)
    removed: list[Key] = field(default_factory=list)
    moved: list[Moved] = field(default_factory=list)
    #: what differs in how the two runs were made (seed, profile, versions), as text lines
    setup: list[str] = field(default_factory=list)
    #: verdicts of the added claims, for the listing
    added_verdicts: dict[Key, str] = field(default_factory=dict)

    @property
    def regressions(self) -> int:
        return sum(1 for c in self.changed if c.regression)


def load_report(path: str | Path) -> dict[str, Any]:
    """The JSON report in ``path`` (raises :class:`ReportError` with a plain message)."""
    from explainspec.runner.report_file import ReportFileError, read_report_file

    try:  # bounded, and any JSON problem is a plain error (a report may be hostile)
        doc = read_report_file(path)
    except ReportFileError as err:
        raise ReportError(str(err)) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("claims"), list):
        raise ReportError(f"{path}: not a report of `explainspec verify --format json`")
    if doc.get("report_version") not in SUPPORTED_VERSIONS:
        raise ReportError(
            f"{path}: report_version {doc.get('report_version')!r} is not one this explainspec "
            f"reads ({', '.join(map(str, sorted(SUPPORTED_VERSIONS)))})"
        )
    for i, c in enumerate(doc["claims"]):
        if not (isinstance(c, dict) and isinstance(c.get("spec"), str) and "claim" in c):
            raise ReportError(f"{path}: claims[{i}] has no spec and claim name")
    return doc


def _margin(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if value in ("inf", "-inf", "nan"):  # how the report writes non-finite floats
        return float(value)
    return None


def _moved(old: float | None, new: float | None, fraction: float) -> bool:
    if old is None or new is None or math.isnan(old) or math.isnan(new):
        return False
    if math.isinf(old) or math.isinf(new):
        return old != new
    scale = max(abs(old), abs(new))
    return scale > 0 and abs(new - old) > fraction * scale


def compare(
    old: dict[str, Any], new: dict[str, Any], *, margin_fraction: float = 0.5
) -> ReportDiff:
    """What changed from report ``old`` to report ``new`` (both as loaded JSON documents).

    A margin "moved" when the verdict stayed and the margin changed by more than
    ``margin_fraction`` of the larger of the two magnitudes (margins of random worlds vary from
    run to run, so small moves are not listed).
    """
    before = {(c["spec"], str(c["claim"])): c for c in old["claims"]}
    after = {(c["spec"], str(c["claim"])): c for c in new["claims"]}
    out = ReportDiff()
    for key, c in after.items():
        if key not in before:
            out.added.append(key)
            out.added_verdicts[key] = str(c.get("verdict"))
            continue
        b = before[key]
        v_old, v_new = str(b.get("verdict")), str(c.get("verdict"))
        m_old, m_new = _margin(b.get("margin")), _margin(c.get("margin"))
        if v_old != v_new:
            out.changed.append(
                Change(
                    key,
                    v_old,
                    v_new,
                    m_old,
                    m_new,
                    c.get("counterexample") if v_new not in PASSING else None,
                )
            )
        elif _moved(m_old, m_new, margin_fraction):
            assert m_old is not None and m_new is not None
            out.moved.append(Moved(key, v_new, m_old, m_new))
    out.removed = [k for k in before if k not in after]
    for name in ("seed", "profile", "max_examples"):
        if old.get(name) != new.get(name):
            out.setup.append(f"{name}: {old.get(name)} -> {new.get(name)}")
    vo, vn = old.get("versions") or {}, new.get("versions") or {}
    for name in sorted(set(vo) | set(vn)):
        if vo.get(name) != vn.get(name):
            out.setup.append(f"{name}: {vo.get(name, 'absent')} -> {vn.get(name, 'absent')}")
    for name, doc in (("old", old), ("new", new)):
        if doc.get("status") not in (None, "complete"):
            out.setup.append(f"the {name} report is {doc.get('status')} (not every claim ran)")
    return out


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _name(key: Key) -> str:
    return f"{key[0]}::{key[1]}"


def render(diff: ReportDiff) -> str:
    """The comparison as plain text (one line per claim)."""
    lines: list[str] = []
    if diff.setup:
        lines.append("runs differ in:")
        lines += [f"  {s}" for s in diff.setup]
    if diff.changed:
        lines.append("verdict changed:")
        for c in diff.changed:
            tag = "REGRESSION " if c.regression else ("fixed " if c.new in PASSING else "")
            lines.append(
                f"  {tag}{_name(c.key)}: {c.old} -> {c.new} "
                f"(margin {_fmt(c.old_margin)} -> {_fmt(c.new_margin)})"
            )
            if c.counterexample is not None:
                text = json.dumps(c.counterexample, sort_keys=True)
                lines.append(f"    counterexample: {text[:200]}{'...' if len(text) > 200 else ''}")
    if diff.added:
        lines.append("new claims:")
        lines += [f"  {_name(k)}: {diff.added_verdicts.get(k)}" for k in diff.added]
    if diff.removed:
        lines.append("removed claims:")
        lines += [f"  {_name(k)}" for k in diff.removed]
    if diff.moved:
        lines.append("margins that moved (same verdict):")
        lines += [f"  {_name(m.key)}: {_fmt(m.old)} -> {_fmt(m.new)}" for m in diff.moved]
    n = diff.regressions
    summary = (
        f"{n} regression{'s' if n != 1 else ''}, {len(diff.changed)} verdict change"
        f"{'s' if len(diff.changed) != 1 else ''}, {len(diff.added)} new, "
        f"{len(diff.removed)} removed, {len(diff.moved)} margin{'s' if len(diff.moved) != 1 else ''}"
        " moved"
    )
    lines.append(summary)
    # the names and texts come from the reports, which are untrusted: shown, never obeyed
    return visible("\n".join(lines) + "\n")


def to_json(diff: ReportDiff) -> dict[str, Any]:
    """The comparison as a JSON-able document."""

    def key(k: Key) -> dict[str, str]:
        return {"spec": k[0], "claim": k[1]}

    def num(x: float | None) -> float | str | None:  # as the report writes non-finite floats
        if x is None or math.isfinite(x):
            return x
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")

    return {
        "regressions": diff.regressions,
        "changed": [
            {
                **key(c.key),
                "old": c.old,
                "new": c.new,
                "regression": c.regression,
                "old_margin": num(c.old_margin),
                "new_margin": num(c.new_margin),
                "counterexample": c.counterexample,
            }
            for c in diff.changed
        ],
        "added": [{**key(k), "verdict": diff.added_verdicts.get(k)} for k in diff.added],
        "removed": [key(k) for k in diff.removed],
        "moved": [
            {**key(m.key), "verdict": m.verdict, "old": num(m.old), "new": num(m.new)}
            for m in diff.moved
        ],
        "setup": diff.setup,
    }
