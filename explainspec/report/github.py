"""GitHub Actions workflow annotations (``verify --format github``).

One ``::error`` line per failed claim, on the claim's line of the spec file, so the failure
shows in the pull request's diff view like a failing lint of ruff (``--output-format github``).
Passing claims print nothing; a run that was interrupted adds a ``::warning``. Newlines and the
characters GitHub's command syntax reserves are escaped as its documentation says (``%``, ``\\r``,
``\\n`` in the message; also ``:`` and ``,`` in properties).
"""

from __future__ import annotations

from explainspec.lang.diagnostics import visible
from explainspec.report.junit import EndOfRunReporter, claim_message
from explainspec.runner.events import ClaimResult


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(result: ClaimResult) -> str:
    """The workflow command of one failed claim.

    Examples
    --------
    >>> from explainspec.runner.events import ClaimResult, Verdict
    >>> print(annotation(ClaimResult(spec="s", claim="c", kind="holds", verdict=Verdict.REFUTED,
    ...     source="specs/s.espec", line=12, statement="Adds up, exactly.")))
    ::error file=specs/s.espec,line=12,title=s.c%3A refuted::s.c: refuted -- Adds up, exactly.
    """
    props = []
    if result.source:
        props.append(f"file={_property(result.source)}")
        if result.line:
            props.append(f"line={result.line}")
    props.append(f"title={_property(f'{result.spec}.{result.claim}: {result.verdict.value}')}")
    return f"::error {','.join(props)}::{_data(claim_message(result))}"


def github_annotations(
    results: tuple[ClaimResult, ...] | list[ClaimResult], *, interrupted: bool = False
) -> str:
    """The annotations of a run: one line per failed claim."""
    lines = [annotation(r) for r in results if r.failed]
    if interrupted:
        lines.append("::warning title=explainspec::the run was interrupted; not every claim ran")
    # shown in the job's log, which obeys colour escapes: none from a spec, a report or a method
    return "".join(visible(line) + "\n" for line in lines)


class GithubReporter(EndOfRunReporter):
    """Writes the annotations at the end of the run (to ``path`` or ``stream``)."""

    def render(self, results: tuple[ClaimResult, ...], interrupted: bool) -> str:
        return github_annotations(results, interrupted=interrupted)
