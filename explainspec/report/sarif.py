"""SARIF 2.1.0 (``verify --format sarif``): failed claims as results on their spec lines.

Code-scanning tools (GitHub code scanning's ``upload-sarif`` action, IDE viewers) read this
format. Each failed claim is one ``result`` whose ``ruleId`` is its verdict (``refuted``,
``unshown``, ``not_applicable``, ``error``, ``invalid``; the rules are described in
``tool.driver.rules``), with the spec file and the claim's line as its location and the
counterexample or the error as its message. Passing claims are not listed.
"""

from __future__ import annotations

import json
import os
from typing import Any

from explainspec.report.json_report import versions
from explainspec.report.junit import EndOfRunReporter, claim_message
from explainspec.runner.events import ClaimResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

#: the failing verdicts, as SARIF rules: (id, short description)
RULES = (
    ("refuted", "A `holds` or `answers` claim is false on a world: a counterexample was found."),
    ("unshown", "A `does_not_answer` claim was not shown: no world separated method and question."),
    ("not_applicable", "The claim does not apply to the method or to every world it was given."),
    ("error", "The check could not be carried out: the method raised, or a time/memory limit hit."),
    ("invalid", "No valid world could be generated for the claim."),
)


def _result(r: ClaimResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": r.verdict.value,
        "level": "error",
        "message": {"text": claim_message(r)},
        "properties": {"spec": r.spec, "claim": r.claim, "margin": r.margin},
    }
    if r.source:
        location: dict[str, Any] = {"artifactLocation": {"uri": r.source.replace(os.sep, "/")}}
        if r.line:
            location["region"] = {"startLine": r.line}
        out["locations"] = [{"physicalLocation": location}]
    return out


def sarif_document(
    results: tuple[ClaimResult, ...] | list[ClaimResult], *, interrupted: bool = False
) -> dict[str, Any]:
    """The SARIF log of a run.

    Examples
    --------
    >>> from explainspec.runner.events import ClaimResult, Verdict
    >>> doc = sarif_document([ClaimResult(spec="s", claim="c", kind="holds",
    ...     verdict=Verdict.REFUTED, source="specs/s.espec", line=12)])
    >>> doc["version"], [r["ruleId"] for r in doc["runs"][0]["results"]]
    ('2.1.0', ['refuted'])
    >>> doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    {'startLine': 12}
    """
    from explainspec.report.json_report import jsonable

    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "explainspec",
                "version": versions()["explainspec"],
                "rules": [{"id": rule, "shortDescription": {"text": text}} for rule, text in RULES],
            }
        },
        "results": [_result(r) for r in results if r.failed],
        "invocations": [{"executionSuccessful": not interrupted}],
    }
    return jsonable({"version": "2.1.0", "$schema": SARIF_SCHEMA, "runs": [run]})


class SarifReporter(EndOfRunReporter):
    """Writes the SARIF log at the end of the run (to ``path`` or ``stream``)."""

    def render(self, results: tuple[ClaimResult, ...], interrupted: bool) -> str:
        return json.dumps(sarif_document(results, interrupted=interrupted), indent=2) + "\n"
