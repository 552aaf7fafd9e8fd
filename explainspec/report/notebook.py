"""Results in Python and notebooks: JSON, pandas frames, rich HTML/Markdown displays, cards.

:class:`~explainspec.runner.events.RunResult`, :class:`~explainspec.runner.events.ClaimResult`
and :class:`~explainspec.runner.events.Counterexample` delegate their ``to_json``,
``to_frame``, ``_repr_html_`` and ``_repr_markdown_`` here, so Jupyter shows a run as a table
and a counterexample with its plot inline. Every text from a spec or a report is HTML-escaped
(spec files are untrusted). pandas and matplotlib are imported only when a frame or a plot is
asked for.
"""

from __future__ import annotations

import base64
import html
import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from explainspec.lang.ir import Spec
    from explainspec.runner.events import ClaimResult, Counterexample, RunResult

_ICON = {"verified": "✔", "shown": "✔", "refuted": "✖", "unshown": "?"}
_COLOR = {True: "#1a7f37", False: "#cf222e"}


def run_document(run: RunResult) -> dict[str, Any]:
    """The JSON report document of ``run`` (the format of ``verify --format json``, without the
    fields only a command-line run has: command line, start and end times)."""
    from explainspec.report.json_report import REPORT_VERSION, claim_record, jsonable, versions

    counts: dict[str, int] = {}
    for c in run.claims:
        counts[c.verdict.value] = counts.get(c.verdict.value, 0) + 1
    return jsonable(
        {
            "report_version": REPORT_VERSION,
            "status": "interrupted" if run.interrupted else "complete",
            "versions": versions(),
            "command": [],
            "seed": run.seed,
            "profile": run.profile,
            "planned_claims": len(run.claims),
            "summary": counts,
            "passed": run.passed,
            "claims": [claim_record(c) for c in run.claims],
        }
    )


def to_json(run: RunResult, *, indent: int | None = 2) -> str:
    """``run`` as the JSON report (``explainspec diff`` and ``docs --results`` read it)."""
    return json.dumps(run_document(run), indent=indent)


_COLUMNS = (
    "spec",
    "claim",
    "kind",
    "about",
    "verdict",
    "passed",
    "margin",
    "examples",
    "seconds",
    "method",
    "source",
    "line",
    "statement",
)


def to_frame(run: RunResult) -> Any:
    """One row per claim, as a :class:`pandas.DataFrame` (needs pandas: the ``audit`` extra)."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is in the test extra
        raise ImportError(
            "RunResult.to_frame() needs pandas: pip install 'explainspec[audit]' (or pandas)"
        ) from None
    rows = []
    for c in run.claims:
        rows.append(
            {
                "spec": c.spec,
                "claim": c.claim,
                "kind": c.kind,
                "about": c.about,
                "verdict": c.verdict.value,
                "passed": c.passed,
                "margin": c.margin,
                "examples": c.examples,
                "seconds": c.timings.total,
                "method": c.method,
                "source": c.source,
                "line": c.line,
                "statement": c.statement,
            }
        )
    return pd.DataFrame(rows, columns=list(_COLUMNS))


# --------------------------------------------------------------------------- displays


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _margin(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def counterexample_record(cx: Counterexample) -> dict[str, Any]:
    from explainspec.report.json_report import jsonable

    return jsonable(cx)


def _plot_png(record: Mapping[str, Any]) -> bytes | None:
    """The counterexample plot of the cards, as PNG bytes (``None``: no plot fits, or matplotlib
    is not installed)."""
    try:
        from explainspec.docgen.plots import counterexample_plot
    except ImportError:  # pragma: no cover - matplotlib missing
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cx.png"
        try:
            drawn = counterexample_plot(record, path)
        except ImportError:  # pragma: no cover
            return None
        return path.read_bytes() if drawn is not None and path.exists() else None


def counterexample_html(cx: Counterexample, *, plot: bool = True) -> str:
    """The counterexample as an HTML table, with its plot inline (a ``data:`` PNG)."""
    lines = [f"<tr><th>{_e(k)}</th><td><code>{_e(v)}</code></td></tr>" for k, v in _rows(cx)]
    out = "<table>" + "".join(lines) + "</table>"
    if plot:
        png = _plot_png(counterexample_record(cx))
        if png is not None:
            data = base64.b64encode(png).decode("ascii")
            out += f'<img src="data:image/png;base64,{data}" alt="counterexample plot" width="420">'
    if cx.reproduce:
        out += f"<p>Reproduce with: <code>{_e(cx.reproduce)}</code></p>"
    python = cx.python_lines()
    if len(python) > 1:
        out += (
            f"<p>{_e(python[0])}</p><pre>{_e(chr(10).join(line[4:] for line in python[1:]))}</pre>"
        )
    elif python:
        out += f"<p>{_e(python[0])}</p>"
    return out


def _rows(cx: Counterexample) -> list[tuple[str, str]]:
    rows = [("f", cx.function)]
    if cx.second:
        rows.append(("g", cx.second))
    rows.append(("P", f"{cx.distribution} (d = {cx.d})"))
    for label, value in (("x", cx.point), ("baseline", cx.baseline), ("phi", cx.phi)):
        if value is not None:
            rows.append((label, str(list(value)) if isinstance(value, tuple) else str(value)))
    rows += [(q.text, q.shown) for q in cx.quantities if q.role != "margin"]
    rows.append(("margin (< 0: the check fails)", _margin(cx.margin)))
    return rows


def counterexample_markdown(cx: Counterexample) -> str:
    """The counterexample as Markdown: every text of the spec or report through
    :mod:`explainspec.docgen.escape` (a notebook, nbconvert or a site renders it)."""
    from explainspec.docgen.escape import code, fence, text

    lines = ["| quantity | value |", "|---|---|"]
    lines += [f"| {text(k)} | {code(v)} |" for k, v in _rows(cx)]
    if cx.reproduce:
        lines += ["", f"Reproduce with: {code(cx.reproduce)}"]
    python = cx.python_lines()
    if len(python) > 1:
        lines += [
            "",
            text(python[0]),
            "",
            *fence("\n".join(line[4:] for line in python[1:]), "python"),
        ]
    elif python:
        lines += ["", text(python[0])]
    return "\n".join(lines) + "\n"


def claim_html(c: ClaimResult, *, plot: bool = True) -> str:
    """One claim: verdict, statement, margin, and its counterexample (plot inline)."""
    color = _COLOR[c.passed]
    icon = _ICON.get(c.verdict.value, "⚠")
    head = (
        f'<p><b style="color:{color}">{icon} {_e(c.verdict.value)}</b> '
        f"<code>{_e(c.spec)}.{_e(c.claim)}</code> ({_e(c.kind)}"
        + (f", {_e(c.about)}" if c.about else "")
        + f"): {_e(c.statement)}"
        + (f" — margin {_e(_margin(c.margin))}" if c.margin is not None else "")
        + f", {c.examples} worlds</p>"
    )
    if c.error:
        head += f"<pre>{_e(c.error)}</pre>"
    if c.counterexample is not None:
        head += counterexample_html(c.counterexample, plot=plot)
    return head


def claim_markdown(c: ClaimResult) -> str:
    from explainspec.docgen.escape import code, text

    icon = _ICON.get(c.verdict.value, "⚠")
    line = (
        f"**{icon} {text(c.verdict.value)}** {code(f'{c.spec}.{c.claim}')} ({text(c.kind)}): "
        f"{text(c.statement)}"
    )
    if c.margin is not None:
        line += f" — margin {_margin(c.margin)}"
    out = line + "\n"
    if c.counterexample is not None:
        out += "\n" + counterexample_markdown(c.counterexample)
    return out


def run_html(run: RunResult) -> str:
    """The run as an HTML table (one row per claim), then each failed claim's counterexample."""
    rows = []
    for c in run.claims:
        color = _COLOR[c.passed]
        rows.append(
            "<tr>"
            f'<td style="color:{color}">{_ICON.get(c.verdict.value, "⚠")} {_e(c.verdict.value)}</td>'
            f"<td><code>{_e(c.spec)}.{_e(c.claim)}</code></td><td>{_e(c.kind)}</td>"
            f"<td>{_e(_margin(c.margin))}</td><td>{c.examples}</td>"
            f"<td>{_e(c.statement)}</td></tr>"
        )
    status = "passed" if run.passed else ("interrupted" if run.interrupted else "failed")
    out = (
        f"<p><b>explainspec run</b>: {len(run.claims)} claims, {status} "
        f"(seed {run.seed}, profile {_e(run.profile)})</p>"
        "<table><tr><th>verdict</th><th>claim</th><th>kind</th><th>margin</th>"
        "<th>worlds</th><th>statement</th></tr>" + "".join(rows) + "</table>"
    )
    failed = [c for c in run.claims if c.failed]
    for c in failed:
        out += claim_html(c)
    return out


def run_markdown(run: RunResult) -> str:
    from explainspec.docgen.escape import code, text

    lines = ["| verdict | claim | kind | margin | worlds |", "|---|---|---|---|---|"]
    for c in run.claims:
        icon = _ICON.get(c.verdict.value, "⚠")
        lines.append(
            f"| {icon} {text(c.verdict.value)} | {code(f'{c.spec}.{c.claim}')} | {text(c.kind)} | "
            f"{_margin(c.margin)} | {c.examples} |"
        )
    return "\n".join(lines) + "\n"


def card(result: RunResult, spec: Spec | None = None, *, assets: str | Path | None = None) -> str:
    """The Markdown interpretation card of the spec(s) ``result`` verified.

    ``spec`` is the spec when it was not loaded from a file (``verify(loads(...))``); otherwise
    the specs are read again from the files named in the results. With ``assets`` the
    counterexample plots are drawn into that folder and linked from the card.
    """
    from explainspec.docgen.cards import CardWriter
    from explainspec.docgen.results import load_results

    if spec is not None:
        specs = [spec]
    else:
        import explainspec

        sources = list(dict.fromkeys(c.source for c in result.claims))
        if not sources or None in sources:
            raise ValueError(
                "explainspec.card: the results do not name the spec files; pass the spec: "
                "card(result, spec)"
            )
        specs = [explainspec.load(s) for s in sources if s is not None]
    folder = Path(assets) if assets is not None else None
    writer = CardWriter(
        load_results(run_document(result)),
        assets=folder,
        assets_url=str(folder) if folder is not None else "assets",
    )
    writer.known = {s.name for s in specs}
    writer.specs = {s.name: s for s in specs}
    return "\n".join(writer.card(s) for s in specs)


# --------------------------------------------------------------------------- specs


def spec_html(spec: Spec) -> str:
    """A loaded spec as HTML: title, method, output, question and a table of its claims (every
    text escaped: spec files are untrusted)."""
    head = (
        f"<p><b>{_e(spec.title)}</b> <code>{_e(spec.name)}</code><br>"
        f"method <code>{_e(spec.method.use)}</code>, output <code>{_e(spec.output.value)}</code>"
        + (f", estimates <code>{_e(spec.estimates)}</code>" if spec.estimates else "")
        + f"<br>question: {_e(spec.question)}</p>"
    )
    rows = "".join(
        f"<tr><td><code>{_e(c.name)}</code></td><td>{_e(c.kind.value)}</td>"
        f"<td>{_e(c.about or '')}</td><td>{_e(c.statement)}</td></tr>"
        for c in spec.claims
    )
    where = f"<p>from <code>{_e(spec.source)}</code></p>" if spec.source else ""
    return (
        head
        + "<table><tr><th>claim</th><th>kind</th><th>about</th><th>statement</th></tr>"
        + rows
        + "</table>"
        + where
    )


def spec_markdown(spec: Spec) -> str:
    """A loaded spec as Markdown: its interpretation card before verification (no verdicts)."""
    from explainspec.docgen.cards import render_card

    return render_card(spec)


# --------------------------------------------------------------------------- progress


def in_notebook() -> bool:
    """Whether the code runs in a Jupyter kernel (IPython with a kernel app)."""
    import sys

    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # noqa: BLE001 - an IPython without a shell
        return False
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


class NotebookProgress:
    """A progress bar of a verification: claims done of all, the claim running, worlds checked.

    Drawn with rich (live in the terminal, and in Jupyter through rich's notebook support, which
    needs ``ipywidgets``); in a Jupyter kernel without ``ipywidgets`` one display line is updated
    in place instead (IPython's display handles). A reporter: ``handle(event)``; :meth:`close`
    ends it.
    """

    def __init__(self, console: Any = None) -> None:
        import importlib.util

        self.progress: Any = None
        self.line: Any = None  # the IPython display handle of the fallback line
        self.task: Any = None
        self.started = False
        self.total = 0
        self.done = 0
        if console is None and in_notebook() and importlib.util.find_spec("ipywidgets") is None:
            return  # rich's live display would only warn: the display line is used
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            console=console,
            transient=False,
        )

    def _show(self, detail: str, advance: int = 0) -> None:
        self.done += advance
        if self.progress is not None:
            self.progress.update(self.task, advance=advance, detail=detail)
        elif self.line is not None:
            self.line.update(_Line(f"claims {self.done}/{self.total}  {detail}"))

    def handle(self, event: Any) -> None:
        from explainspec.runner.events import (
            ClaimFinished,
            ClaimStarted,
            ExampleTried,
            RunFinished,
            RunStarted,
        )

        if isinstance(event, RunStarted):
            self.total, self.done, self.started = event.claims, 0, True
            if self.progress is not None:
                self.progress.start()
                self.task = self.progress.add_task("claims", total=event.claims, detail="")
            else:
                from IPython.display import display

                self.line = display(_Line(f"claims 0/{self.total}"), display_id=True)
        elif not self.started:
            return
        elif isinstance(event, ClaimStarted):
            self._show(f"{event.spec}.{event.claim}")
        elif isinstance(event, ExampleTried):
            self._show(f"{event.spec}.{event.claim}: {event.n} worlds")
        elif isinstance(event, ClaimFinished):
            r = event.result
            self._show(f"{r.spec}.{r.claim}: {r.verdict.value}", advance=1)
        elif isinstance(event, RunFinished):
            failed = sum(c.failed for c in event.result.claims)
            self._show(f"done in {event.elapsed:.1f} s, {failed} failed")
            self.close()

    def close(self) -> None:
        if self.started:
            self.started = False
            if self.progress is not None:
                self.progress.stop()


class _Line:
    """One line of text for IPython's display (plain and escaped HTML)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f"<code>{_e(self.text)}</code>"
