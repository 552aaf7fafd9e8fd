"""The card page of an audit: what the explanation methods license on one model and its data.

``explainspec audit ... --docs DIR`` writes ``DIR/audit-<model>-<data>.md``, a Markdown page for
mkdocs (or any Markdown viewer): the model and data, a method x question matrix, a table of the
checks per method with the size of the error, and the worst rows of every failing reading with
the method's numbers beside the exact truth.

Everything that comes from the user's files (column names, row ids, the model's description,
paths) is untrusted: it is written with every character that Markdown or HTML could read as
markup replaced by its HTML entity, so a column named ``<script>`` or ``[x](javascript:...)``
is shown as text and never becomes a tag or a link.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any

__all__ = ["render_card", "text", "write_card"]

#: characters written as themselves; every other one becomes an HTML entity (``[``, ``]``, ``<``,
#: ``>``, ``&``, ``*``, ``_``, backticks, ``|``, ``#``, ``!``, ...: no link, tag, emphasis or table
#: cell can be formed from user text)
_MARKUP = re.compile(r"[^A-Za-z0-9 ,;:=/%.()+-]")


def text(value: Any) -> str:
    """``value`` as inert Markdown text: anything but letters, digits, spaces and a few safe
    punctuation marks becomes an HTML entity (``<`` is ``&#60;``), newlines become spaces.

    Examples
    --------
    >>> text("<b>x</b>")
    '&#60;b&#62;x&#60;/b&#62;'
    >>> text("[a](javascript:alert(1))")
    '&#91;a&#93;(javascript:alert(1))'
    >>> text("age")
    'age'
    """
    s = str(value).replace("\r", " ").replace("\n", " ")
    return _MARKUP.sub(lambda m: f"&#{ord(m.group(0))};", s)


def _g(v: Any) -> str:
    from explainspec.report.audit import g

    return text(g(v))


def _slug(name: str) -> str:
    """``name`` as part of a file name: lower case, so that ``GBR.pkl`` and ``gbr.pkl`` share a
    card on every file system (a case-insensitive one would store their two cards as one)."""
    return re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_") or "model"


def render_card(report: Any) -> str:
    """The Markdown card of an :class:`~explainspec.report.audit.AuditReport`."""
    r = report
    lines = [
        f"# Audit: {text(r.model_name)} on {text(r.table_name)}",
        "",
        "What the audited explanation methods license on this fitted model and these rows, "
        "checked against exact ground truth and against metamorphic variants of the model whose "
        "correct answer is known.",
        "",
        "| | |",
        "|---|---|",
        f"| model | {text(r.model)} |",
        f"| data | {text(r.data)} |",
        f"| background | {text(r.background)} |",
        f"| explained rows | {text(r.points)}; the metamorphic relations on 5 of them |",
        f"| tolerances | {text(r.scale)} |",
        f"| methods | {text(', '.join(r.methods))} |",
        f"| run | {len(r.findings)} checks in {r.elapsed:.1f} s"
        + ("; stopped by the time budget" if r.stopped else "")
        + f", {_dt.date.today().isoformat()} |",
        f"| versions | {text(', '.join(f'{k} {v}' for k, v in sorted(r.versions.items())))} |",
        "",
        "## Summary",
        "",
    ]
    lines += _matrix(r)
    for method, findings in r.by_method().items():
        lines += ["", f"## {text(method)}", ""]
        lines += [
            "| reading | question | check | error max | error median | tolerance | rows |",
            "|---|---|---|---|---|---|---|",
        ]
        for f in findings:
            rows = (
                f"{f.failing} of {f.rows} fail"
                if f.verdict == "fails" and f.local
                else (str(f.rows) if f.local else "all (global)")
            )
            lines.append(
                f"| **{text(f.verdict)}** | {text(f.question or '')} | {text(f.claim)}: "
                f"{text(f.statement)} | {_g(f.error_max)} | {_g(f.error_median)} | "
                f"{_g(f.tolerance)} | {text(rows)} |"
            )
        for f in findings:
            if f.verdict == "fails" and f.worst:
                lines += _worst(f)
            elif f.verdict in ("error", "n/a", "not run") and f.message:
                lines += ["", f"*{text(f.claim)}*: {text(f.message.splitlines()[0])}"]
    if r.skipped:
        lines += ["", "## Left out", ""]
        for method, claim, reason in r.skipped:
            what = method if claim == "*" else f"{method} {claim}"
            lines.append(f"- {text(what)}: {text(reason)}")
    lines.append("")
    return "\n".join(lines)


def _matrix(r: Any) -> list[str]:
    questions: list[str] = []
    for f in r.findings:
        if f.question and f.question not in questions:
            questions.append(f.question)
    order = ["holds", "n/a", "not run", "error", "fails"]
    cell: dict[tuple[str, str], str] = {}
    for f in r.findings:
        if f.question:
            v = f.verdict if f.verdict in order else "error"
            old = cell.get((f.method, f.question))
            if old is None or order.index(v) > order.index(old):
                cell[(f.method, f.question)] = v
    out = [
        "A question holds for a method when every check of it holds on these rows.",
        "",
        "| method | " + " | ".join(text(q) for q in questions) + " |",
        "|---|" + "---|" * len(questions),
    ]
    for m in r.methods:
        out.append(
            f"| {text(m)} | " + " | ".join(text(cell.get((m, q), "-")) for q in questions) + " |"
        )
    return out


def _worst(f: Any) -> list[str]:
    out = ["", f"### {text(f.claim)} fails", "", f"Check: {text(f.check)}", ""]
    if f.world and ";" in f.world:
        out += [f"World: {text(f.world)}", ""]
    for w in f.worst:
        where = f"Row {text(w.row)}" if f.local else "On the data"
        err = f", error {_g(w.error)}" if w.error is not None else ""
        out += [f"{where}: margin {_g(w.margin)}{err}", ""]
        m, t = w.method, w.truth
        if (
            isinstance(m, list)
            and isinstance(t, list)
            and len(m) == len(t) == len(f.columns)
            and not any(isinstance(v, list) for v in m)
        ):
            values = dict(w.values)
            head = "| column | " + ("value | " if values else "") + "method | truth | difference |"
            out += [head, "|---|" + ("---|" if values else "") + "---|---|---|"]
            for j, c in enumerate(f.columns):
                val = f"{_g(values.get(c))} | " if values else ""
                out.append(f"| {text(c)} | {val}{_g(m[j])} | {_g(t[j])} | {_g(_sub(m[j], t[j]))} |")
        else:
            out += [f"- {text(line)}" for line in w.detail]
        out.append("")
    return out


def _sub(a: Any, b: Any) -> float | None:
    try:
        return float(a) - float(b)
    except (TypeError, ValueError):
        return None


def write_card(report: Any, out: str | Path) -> Path:
    """Write the card into the folder ``out`` (created); returns the page's path."""
    from explainspec.docgen.outputs import output_folder, write_file

    folder = output_folder(out)
    name = f"audit-{_slug(report.model_name)}-{_slug(report.table_name)}.md"
    return write_file(folder / name, render_card(report))
