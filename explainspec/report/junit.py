"""JUnit XML: one ``testsuite`` per spec, one ``testcase`` per claim.

``refuted``, ``unshown`` and ``not_applicable`` claims are ``<failure>``s: the claim was checked
and does not hold as stated. ``error`` claims (the method crashed, the claim exceeded its time
budget or the memory limit, an internal error) and ``invalid`` ones (no world could be generated)
are ``<error>``s: the check could not be carried out, as pytest reports an exception outside an
assertion. ``type`` is the verdict; the message is the counterexample or the error, spelled out.
Each ``testcase`` carries ``file`` (the spec file) and ``line`` (the claim's line) when known, so
CI systems link a failing claim to its source like a failing test. A ``skipped`` claim (its
method's library is not installed, ES350) is a ``<skipped>`` test case.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from typing import IO

from explainspec.lang.diagnostics import visible
from explainspec.report.json_report import write_atomic
from explainspec.runner.events import ClaimResult, Event, RunFinished, Verdict

#: verdicts reported as ``<error>`` (the check could not be carried out), not ``<failure>``
_ERRORS = frozenset({Verdict.ERROR, Verdict.INVALID})


def claim_message(result: ClaimResult) -> str:
    """The verdict of a failed claim, its statement, then the counterexample or the error, spelled
    out (shared by the JUnit, GitHub and SARIF reports)."""
    head = f"{result.spec}.{result.claim}: {result.verdict.value}"
    if result.statement:
        head += f" -- {result.statement}"
    lines = [head]
    if result.counterexample is not None:
        lines += result.counterexample.lines()
    if result.error:
        lines.append(result.error)
    lines += [
        str(d) for d in result.diagnostics if not result.error or d.message not in result.error
    ]
    return "\n".join(lines)


def junit_xml(
    results: tuple[ClaimResult, ...] | list[ClaimResult], *, interrupted: bool = False
) -> str:
    """The JUnit document of ``results``.

    Examples
    --------
    >>> from explainspec.runner.events import ClaimResult, Verdict
    >>> xml = junit_xml([ClaimResult(spec="s", claim="c", kind="holds", verdict=Verdict.REFUTED, margin=-1.0)])
    >>> '<testcase classname="s" name="c"' in xml, '<failure type="refuted"' in xml
    (True, True)
    >>> xml = junit_xml([ClaimResult(spec="s", claim="c", kind="holds", verdict=Verdict.ERROR,
    ...     source="specs/s.espec", line=12, error="the method raised")])
    >>> '<error type="error"' in xml, 'file="specs/s.espec" line="12"' in xml
    (True, True)
    """
    root = ET.Element("testsuites", name="explainspec")
    suites: dict[str, ET.Element] = {}
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0, "time": 0.0}
    for r in results:
        suite = suites.get(r.spec)
        if suite is None:
            suite = suites[r.spec] = ET.SubElement(root, "testsuite", name=r.spec)
            suite.attrib.update(tests="0", failures="0", errors="0", skipped="0", time="0")
        case = ET.SubElement(
            suite, "testcase", classname=r.spec, name=r.claim, time=f"{r.timings.total:.3f}"
        )
        if r.source:
            case.set("file", r.source)
        if r.line:
            case.set("line", str(r.line))
        suite.set("tests", str(int(suite.get("tests", "0")) + 1))
        suite.set("time", f"{float(suite.get('time', '0')) + r.timings.total:.3f}")
        totals["tests"] += 1
        totals["time"] += r.timings.total
        if r.failed:
            text = claim_message(r)
            tag = "error" if r.verdict in _ERRORS else "failure"
            element = ET.SubElement(case, tag, type=r.verdict.value, message=text.splitlines()[0])
            element.text = text
            count = "errors" if tag == "error" else "failures"
            suite.set(count, str(int(suite.get(count, "0")) + 1))
            totals[count] += 1
        elif r.verdict.value == "skipped":  # the method's library is not installed (ES350)
            ET.SubElement(case, "skipped", message=(r.error or "skipped").splitlines()[0])
            suite.set("skipped", str(int(suite.get("skipped", "0")) + 1))
            totals["skipped"] += 1
        else:
            out = ET.SubElement(case, "system-out")
            margin = "n/a" if r.margin is None else f"{r.margin:.6g}"
            out.text = f"{r.verdict.value}: {r.examples} worlds, margin {margin}"
            if r.counterexample is not None:
                out.text += "\n" + "\n".join(r.counterexample.lines())
    root.attrib.update(
        {k: (f"{v:.3f}" if isinstance(v, float) else str(v)) for k, v in totals.items()}
    )
    if interrupted:
        root.set("interrupted", "true")
    ET.indent(root)
    # a control character (a method's message may quote anything) is not allowed in XML 1.0:
    # one would make the whole report unreadable to CI, so each is written as its escape
    xml = visible(ET.tostring(root, encoding="unicode"))
    return '<?xml version="1.0" encoding="utf-8"?>\n' + xml + "\n"


class EndOfRunReporter:
    """Writes a document made from every claim at the end of the run (to ``path`` or
    ``stream``); subclasses say how in :meth:`render` (JUnit, GitHub annotations, SARIF)."""

    def __init__(
        self, path: str | os.PathLike[str] | None = None, *, stream: IO[str] | None = None
    ) -> None:
        self.path = path
        self.stream = stream

    def render(self, results: tuple[ClaimResult, ...], interrupted: bool) -> str:
        raise NotImplementedError

    def handle(self, event: Event) -> None:
        if not isinstance(event, RunFinished):
            return
        text = self.render(event.result.claims, event.result.interrupted)
        if self.path is not None:
            write_atomic(self.path, text)
        elif self.stream is not None:
            self.stream.write(text)
            self.stream.flush()


class JunitReporter(EndOfRunReporter):
    """Writes the JUnit document at the end of the run (to ``path`` or ``stream``)."""

    def render(self, results: tuple[ClaimResult, ...], interrupted: bool) -> str:
        return junit_xml(results, interrupted=interrupted)
