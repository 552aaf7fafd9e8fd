"""Read verification results (the runner's JSON report) into the shape the cards need.

The cards are generated from the spec IR plus an *optional* results mapping: without results every
claim is shown as "not yet verified". The report is the one ``explainspec verify --format json``
writes (``explainspec.report.json_report``): run metadata (``report_version``, ``versions``,
``seed``, ``profile``, ``started``) and a flat list of ``claims`` records with ``verdict``,
``margin``, ``examples`` and the ``counterexample`` spelled out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ClaimResult", "Results", "load_results"]

#: Verdicts that count as a pass for the claim's kind (see LANGUAGE.md, "Verdicts").
PASSING = frozenset({"verified", "shown"})


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimResult:
    """The outcome of one claim.

    Parameters
    ----------
    spec, claim : str
        Names of the spec and of the claim.
    verdict : str
        ``verified``, ``refuted``, ``shown``, ``unshown``, ``error`` or ``invalid``.
    margin : float or None
        The worst margin seen (positive: held with that much room; negative: violated).
    worlds : int or None
        How many worlds were tried.
    counterexample : mapping or None
        The shrunk counterexample as reported by the runner (formula, data, point, trace, seed...).
    message : str
        An error message (``error``/``invalid`` verdicts).
    raw : mapping
        The full record, for fields the cards do not interpret.
    """

    spec: str
    claim: str
    verdict: str
    margin: float | None = None
    worlds: int | None = None
    counterexample: Mapping[str, Any] | None = None
    message: str = ""
    duration: float | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def passed(self) -> bool:
        return self.verdict in PASSING


@dataclass(frozen=True, slots=True, kw_only=True)
class Results:
    """All claim results of one report, plus the run's metadata (profile, seed, versions, date)."""

    claims: Mapping[tuple[str, str], ClaimResult] = field(default_factory=dict)
    profile: str | None = None
    seed: int | str | None = None
    versions: Mapping[str, str] = field(default_factory=dict)
    date: str | None = None
    report_version: int | str | None = None

    def get(self, spec: str, claim: str) -> ClaimResult | None:
        return self.claims.get((spec, claim))

    def for_spec(self, spec: str) -> list[ClaimResult]:
        return [r for (s, _), r in self.claims.items() if s == spec]

    def __iter__(self) -> Iterator[ClaimResult]:
        return iter(self.claims.values())


def _first(record: Mapping[str, Any], *keys: str, default: Any = None) -> Any:
    for key in keys:
        if key in record and record[key] is not None:
            return record[key]
    return default


def _float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def load_results(source: str | Path | Mapping[str, Any]) -> Results:
    """Read a results report from a JSON file or an already-parsed mapping.

    Parameters
    ----------
    source : path or mapping
        The runner's JSON report (``explainspec verify --json report.json``) or its parsed content.

    Returns
    -------
    Results

    Raises
    ------
    ValueError
        If the report is not a JSON object or a claim record lacks a spec, a claim name or a
        verdict.

    Examples
    --------
    >>> r = load_results({"profile": "fast", "claims": [
    ...     {"spec": "s", "claim": "c", "verdict": "verified", "margin": 0.5, "worlds": 10}]})
    >>> r.get("s", "c").verdict, r.get("s", "c").margin, r.profile
    ('verified', 0.5, 'fast')
    """
    if isinstance(source, Mapping):
        report: Any = source
    else:
        from explainspec.runner.report_file import read_report_file

        report = read_report_file(source)  # bounded; ReportFileError is a ValueError
    if not isinstance(report, Mapping):
        raise ValueError(f"a results report must be a JSON object, got {type(report).__name__}")
    claims: dict[tuple[str, str], ClaimResult] = {}
    for record in report.get("claims") or ():
        spec = _first(record, "spec")
        claim = _first(record, "claim", "name")
        verdict = _first(record, "verdict", "status")
        if spec is None or claim is None or verdict is None:
            raise ValueError(
                f"claim record needs a spec, a claim name and a verdict, got {record!r}"
            )
        worlds = _first(record, "examples", "worlds")
        claims[(str(spec), str(claim))] = ClaimResult(
            spec=str(spec),
            claim=str(claim),
            verdict=str(verdict).lower(),
            margin=_float(_first(record, "margin", "worst_margin")),
            worlds=int(worlds) if isinstance(worlds, int | float) else None,
            counterexample=_first(record, "counterexample"),
            message=str(_first(record, "message", "error", default="")),
            duration=_float(_first(record, "duration", "seconds", "time")),
            raw=record,
        )
    versions = _first(report, "versions", "package_versions", default={})
    return Results(
        claims=claims,
        profile=_first(report, "profile"),
        seed=_first(report, "seed"),
        versions={str(k): str(v) for k, v in dict(versions).items()},
        date=_first(report, "date", "finished", "started"),
        report_version=_first(report, "report_version"),
    )
