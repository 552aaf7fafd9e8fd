"""The terminal reporter: progress per spec and claim, a summary table, counterexamples spelled out.

On a terminal it uses rich (colours, a live status line while a claim searches). When the output
is not a terminal, or ``NO_COLOR`` is set, it prints plain text lines only (no escape codes, no
live display), which is also what the snapshot tests see.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

from explainspec.lang.diagnostics import visible
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
    Verdict.SKIPPED: "yellow",
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
        self._planned = 0  # claims in the run, and finished so far (overall progress and ETA)
        self._done = 0
        self._started: float | None = None
        self._worst: float | None = None

    # ------------------------------------------------------------------ events

    def handle(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            import time

            self._planned, self._done, self._started = event.claims, 0, time.monotonic()
            timeout = f", --timeout {event.timeout:g} s" if event.timeout else ""
            self._print(
                f"explainspec verify: {event.claims} claims in {len(event.specs)} specs, seed {event.seed}, "
                f"profile {event.profile} ({event.max_examples} worlds per claim, {event.replicates} "
                f"replicates per mc check{timeout})",
                style="bold",
            )
            for line in event.replaced:
                self._print(f"warning: {line}", style="bold yellow")
        elif isinstance(event, SpecStarted):
            where = f"  ({event.source})" if event.source else ""
            self._print(
                f"\nspec {event.spec}: {event.title} -- method {event.method}{where}",
                style="bold cyan",
            )
        elif isinstance(event, ClaimStarted):
            self._claim, self._worst = event, None
            if not self.plain:
                self._status = self.console.status(
                    f"  {self._progress()}{event.claim} ({event.kind}) ..."
                )
                self._status.start()
        elif isinstance(event, ExampleTried):
            # progress is sampled (not one event per world): its `worst` covers the worlds between
            for m in (event.margin, event.worst):
                if m is not None and m == m:  # not nan
                    self._worst = m if self._worst is None else min(self._worst, m)
            if self._status is not None:
                self._status.update(
                    f"  {self._progress()}{event.claim}: {event.n} worlds ({event.source}), "
                    f"worst margin {fmt_margin(self._worst)}"
                )
        elif isinstance(event, ClaimFinished):
            self._done += 1
            self._stop_status()
            self._claim_line(event.result)
        elif isinstance(event, RunFinished):
            self._stop_status()
            self._summary(event)

    def _progress(self) -> str:
        """``[claim 3/12, about 40 s left] `` for the live status line (empty without a plan);
        the estimate is the mean time of the claims finished so far times those left."""
        if not self._planned:
            return ""
        text = f"[claim {min(self._done + 1, self._planned)}/{self._planned}"
        if self._done and self._started is not None:
            import time

            left = (time.monotonic() - self._started) / self._done * (self._planned - self._done)
            text += f", about {fmt_seconds(left)} left"
        return text + "] "

    def _stop_status(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def _print(self, text: str, *, style: str | None = None) -> None:
        # a run's texts come from specs, reports and the messages of methods: shown, never obeyed
        self.console.print(visible(text), style=None if self.plain else style, markup=False)

    # ------------------------------------------------------------------ pieces

    def _claim_line(self, r: ClaimResult) -> None:
        time = f", {fmt_seconds(r.timings.total)}" if self.timings else ""
        if r.cached:  # not re-run: the result of an identical earlier run (the results cache)
            time += ", cached"
        margin = fmt_margin(r.margin)
        mark = "skip" if r.verdict is Verdict.SKIPPED else _MARK[not r.failed]
        text = f"  {mark:>4} {r.claim} ({r.kind}): {r.verdict.value}, {r.examples} worlds, margin {margin}{time}"
        self._print(text, style=_STYLE[r.verdict])

    def _summary(self, event: RunFinished) -> None:

        result = event.result
        claims = result.claims
        if claims:
            self.console.print()
            self.console.print(self._table(claims))
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

    def _table(self, claims: tuple[ClaimResult, ...]) -> Any:
        """The summary table. Names are never cut: spec and claim names keep their full width
        (folded only if the terminal cannot hold one at all); when the table would be wider than
        the terminal, the spec column becomes a heading row per spec, then the method/oracle
        times go (the total time stays)."""
        from rich import box
        from rich.table import Table

        rows = []
        for r in claims:
            spent = (r.timings.total, r.timings.method, r.timings.oracles)
            rows.append(
                (
                    r,
                    [r.claim, r.kind, r.verdict.value, fmt_margin(r.margin), str(r.examples)],
                    [fmt_seconds(t) for t in spent] if self.timings else [],
                )
            )
        heads = ["claim", "kind", "verdict", "margin", "worlds"]
        time_heads = ["time", "method", "oracles"] if self.timings else []

        def width(cols: list[str], cells: list[list[str]], specs: bool) -> int:
            widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(cols)]
            if specs:
                widths.append(max(len("spec"), *(len(r.spec) for r in claims)))
            return sum(widths) + 3 * len(widths) + 2

        cells = [main + times for _, main, times in rows]
        # narrower and narrower: spec as heading rows, then only the total time, then no kind
        stages = ((True, 3, True), (False, 3, True), (False, 1, True), (False, 1, False))
        spec_column, n_times, show_kind = stages[0]
        for spec_column, keep, show_kind in stages:  # noqa: B007 - the chosen stage is used below
            n_times = min(keep, len(time_heads))
            cols = heads + time_heads[:n_times]
            kept = [c[: len(cols)] for c in cells]
            if not show_kind:
                cols, kept = cols[:1] + cols[2:], [c[:1] + c[2:] for c in kept]
            if self.plain or width(cols, kept, spec_column) <= self.console.width:
                break
        table = Table(box=box.ASCII if self.plain else box.SIMPLE_HEAD, show_edge=not self.plain)
        if spec_column:
            table.add_column("spec", no_wrap=True, overflow="fold")
        columns = heads + time_heads[:n_times]
        for col in columns:
            if col == "kind" and not show_kind:
                continue
            right = col in ("margin", "worlds") or col in time_heads
            table.add_column(
                col,
                justify="right" if right else "left",
                no_wrap=col in ("claim", "verdict"),
                overflow="fold",
            )
        current = None
        for r, main, times in rows:
            if not spec_column and r.spec != current:
                current = r.spec
                table.add_row(r.spec, style=None if self.plain else "bold cyan")
            row = ([r.spec] if spec_column else []) + main + times[:n_times]
            if not show_kind:
                row.pop(2 if spec_column else 1)
            table.add_row(*row, style=None if self.plain else _STYLE[r.verdict])
        return table

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
