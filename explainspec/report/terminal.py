"""The terminal reporter: progress per spec and claim, a summary table, counterexamples spelled out.

On a terminal it uses rich (colours, a live status line while a claim searches). When the output
is not a terminal, or ``NO_COLOR`` is set, it prints plain text lines only (no escape codes, no
live display), which is also what the snapshot tests see.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

from explainspec.runner.events import (
    ClaimFinished,
    ClaimResult,
    ClaimStarted,
    Event,
    ExampleTried,
    RunFinished,
    RunStarted,
    SpecStarted,
    Verdict,
)

_STYLE = {
    Verdict.VERIFIED: "green",
    Verdict.SHOWN: "green",
    Verdict.REFUTED: "bold red",
    Verdict.UNSHOWN: "bold red",
    Verdict.ERROR: "bold magenta",
    Verdict.INVALID: "bold magenta",
    Verdict.NOT_APPLICABLE: "yellow",
}
_MARK = {True: "ok", False: "FAIL"}


def fmt_margin(margin: float | None) -> str:
    """A margin for tables.

    Examples
    --------
    >>> fmt_margin(None), fmt_margin(-0.25), fmt_margin(float("-inf")), fmt_margin(1e-9)
    ('-', '-0.25', '-inf', '1e-09')
    """
    return "-" if margin is None else f"{margin:.3g}"


def fmt_seconds(seconds: float) -> str:
    """Seconds for tables: ``0.12 s``, ``3.4 s``, ``2 min 5 s``."""
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


def plain_mode(stream: IO[str]) -> bool:
    """Plain text when ``stream`` is not a terminal or ``NO_COLOR`` is set (to anything)."""
    if "NO_COLOR" in os.environ:
        return True
    isatty = getattr(stream, "isatty", None)
    return not (isatty and isatty())


class TerminalReporter:
    """Prints a run as it happens.

    Parameters
    ----------
    stream
        Where to print (default ``sys.stdout``).
    plain
        Force plain text (default: :func:`plain_mode` of ``stream``).
    timings
        Print times (switched off by snapshot tests).
    """

    def __init__(
        self, stream: IO[str] | None = None, *, plain: bool | None = None, timings: bool = True
    ) -> None:
        from rich.console import Console

        self.stream = stream or sys.stdout
        self.plain = plain_mode(self.stream) if plain is None else plain
        self.timings = timings
        self.console = Console(
            file=self.stream,
            no_color=self.plain,
            highlight=False,
            emoji=False,
            force_terminal=False if self.plain else None,
            soft_wrap=True,
            width=200 if self.plain else None,
        )
        self._status: Any = None
        self._claim: ClaimStarted | None = None
        self._worst: float | None = None

    # ------------------------------------------------------------------ events

    def handle(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            timeout = f", --timeout {event.timeout:g} s" if event.timeout else ""
            self._print(
                f"explainspec verify: {event.claims} claims in {len(event.specs)} specs, seed {event.seed}, "
                f"profile {event.profile} ({event.max_examples} worlds per claim, {event.replicates} "
                f"replicates per mc check{timeout})",
                style="bold",
            )
        elif isinstance(event, SpecStarted):
            where = f"  ({event.source})" if event.source else ""
            self._print(
                f"\nspec {event.spec}: {event.title} -- method {event.method}{where}",
                style="bold cyan",
            )
        elif isinstance(event, ClaimStarted):
            self._claim, self._worst = event, None
            if not self.plain:
                self._status = self.console.status(f"  {event.claim} ({event.kind}) ...")
                self._status.start()
        elif isinstance(event, ExampleTried):
            # progress is sampled (not one event per world): its `worst` covers the worlds between
            for m in (event.margin, event.worst):
                if m is not None and m == m:  # not nan
                    self._worst = m if self._worst is None else min(self._worst, m)
            if self._status is not None:
                self._status.update(
                    f"  {event.claim}: {event.n} worlds ({event.source}), worst margin {fmt_margin(self._worst)}"
                )
        elif isinstance(event, ClaimFinished):
            self._stop_status()
            self._claim_line(event.result)
        elif isinstance(event, RunFinished):
            self._stop_status()
            self._summary(event)

    def _stop_status(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def _print(self, text: str, *, style: str | None = None) -> None:
        self.console.print(text, style=None if self.plain else style, markup=False)

    # ------------------------------------------------------------------ pieces

    def _claim_line(self, r: ClaimResult) -> None:
        time = f", {fmt_seconds(r.timings.total)}" if self.timings else ""
        if r.cached:  # not re-run: the result of an identical earlier run (the results cache)
            time += ", cached"
        margin = fmt_margin(r.margin)
        text = f"  {_MARK[not r.failed]:>4} {r.claim} ({r.kind}): {r.verdict.value}, {r.examples} worlds, margin {margin}{time}"
        self._print(text, style=_STYLE[r.verdict])

    def _summary(self, event: RunFinished) -> None:
        from rich import box
        from rich.table import Table

        result = event.result
        claims = result.claims
        if claims:
            table = Table(
                box=box.ASCII if self.plain else box.SIMPLE_HEAD,
                title=None,
                show_edge=not self.plain,
            )
            for col, justify in (
                ("spec", "left"),
                ("claim", "left"),
                ("kind", "left"),
                ("verdict", "left"),
                ("margin", "right"),
                ("worlds", "right"),
            ):
                table.add_column(col, justify=justify)  # type: ignore[arg-type]
            if self.timings:
                for col in ("time", "method", "oracles"):
                    table.add_column(col, justify="right")
            for r in claims:
                row = [
                    r.spec,
                    r.claim,
                    r.kind,
                    r.verdict.value,
                    fmt_margin(r.margin),
                    str(r.examples),
                ]
                if self.timings:
                    t = r.timings
                    row += [fmt_seconds(t.total), fmt_seconds(t.method), fmt_seconds(t.oracles)]
                table.add_row(*row, style=None if self.plain else _STYLE[r.verdict])
            self.console.print()
            self.console.print(table)
        for r in claims:
            self._details(r)
        counts: dict[str, int] = {}
        for r in claims:
            counts[r.verdict.value] = counts.get(r.verdict.value, 0) + 1
        summary = ", ".join(f"{n} {v}" for v, n in counts.items()) or "no claims"
        time = f" in {fmt_seconds(event.elapsed)}" if self.timings else ""
        self.console.print()
        if result.interrupted:
            self._print(f"Interrupted: {summary} finished{time}.", style="bold yellow")
        elif result.passed:
            self._print(f"Passed: {summary}{time}.", style="bold green")
        else:
            self._print(f"Failed: {summary}{time}.", style="bold red")

    def _details(self, r: ClaimResult) -> None:
        if r.counterexample is None and not r.error:
            return
        self.console.print()
        what = {
            Verdict.SHOWN: "misreading shown by",
            Verdict.REFUTED: "refuted by",
        }.get(r.verdict, r.verdict.value)
        if r.counterexample is not None and r.counterexample.source != "search":
            # an explicit example of the spec decided the claim: say which one
            what += f" its {r.counterexample.source}"
        self._print(f"{r.spec}.{r.claim} {what}:", style=_STYLE[r.verdict])
        if r.statement:
            self._print(f"  claim: {r.statement}")
        if r.counterexample is not None:
            for line in r.counterexample.lines():
                self._print(f"  {line}")
        if r.error:
            for d in r.diagnostics:
                self._print(f"  {d.code}", style="bold")
            for line in r.error.splitlines():
                self._print(f"  {line}")
