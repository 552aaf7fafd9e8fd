"""Interpretation cards: what an explanation method's output does and does not tell you.

One Markdown page per spec, generated from the spec IR and (optionally) the verification results:

- the title and the question the method answers;
- the statistic: the registered method, its hyper-parameters (the spec's values merged over the
  registered defaults) and its declared ``statistic`` metadata (value function, background,
  output scale, ...);
- **You may conclude**: every ``answers`` claim with its assumptions and verdict;
- **You may not conclude**: every ``does_not_answer`` claim with its shrunk counterexample as a
  small table and a plot;
- properties (``holds`` claims), the evidence (profile, worlds tried, worst margin, package
  versions, date) and the spec source.

Plus an index page with the method x question matrix. Without results every claim reads "not yet
verified": a card never claims more than was checked.

Spec text and report text are untrusted: every piece of it enters the Markdown through
:mod:`explainspec.docgen.escape` (prose with ``text``, code with ``code``/``fence``), so it is
shown as written and never becomes HTML, a link or an attribute.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from explainspec.docgen.escape import attribute, code, fence, text
from explainspec.docgen.results import ClaimResult, Results
from explainspec.lang import ir

__all__ = [
    "CardWriter",
    "format_value",
    "method_statistic",
    "render_card",
    "render_index",
    "write_cards",
]

NOT_VERIFIED = "not yet verified"

#: Keys of a counterexample's ``info`` that its table already shows under another row.
_SHOWN_ELSEWHERE = frozenset(
    {"d", "formula", "function", "distribution", "P", "g", "baseline", "seed", "x", "phi"}
)

_VERDICT_ICON = {
    "verified": "✔",
    "shown": "✔",
    "refuted": "✘",
    "unshown": "?",
    "error": "⚠",
    "invalid": "⚠",
}


# --------------------------------------------------------------------------- formatting


def format_value(value: Any, *, digits: int = 4, max_items: int = 8) -> str:
    """A short, readable rendering of a number, vector, matrix or string for a table cell.

    Examples
    --------
    >>> format_value(0.333333333), format_value([1, -0.5]), format_value(list(range(20)))
    ('0.3333', '(1, -0.5)', '(0, 1, 2, 3, 4, 5, 6, 7, … 20 values)')
    >>> format_value([[1, 2], [3, 4]])
    '((1, 2), (3, 4))'
    """
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return f"{value:.{digits}g}"
    if isinstance(value, Sequence) and not isinstance(value, str):
        items = [format_value(v, digits=digits, max_items=max_items) for v in value[:max_items]]
        if len(value) > max_items:
            items.append(f"… {len(value)} values")
        return "(" + ", ".join(items) + ")"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} = {format_value(v, digits=digits)}" for k, v in value.items())
    return str(value)


def _cell(value: str) -> str:
    """A table cell of trusted Markdown (registry metadata): pipes and line breaks escaped."""
    return value.replace("|", "\\|").replace("\n", " ")


def _link(name: str) -> str:
    """A spec or claim name as part of a link target (names are identifiers; quoted anyway)."""
    from urllib.parse import quote

    return quote(name, safe="")


def format_expr(expr: ir.Expr) -> str:
    """Print a check or world expression with the language's canonical printer."""
    from explainspec.lang import format_expr as canonical

    return canonical(expr)


def format_let(b: ir.Let) -> str:
    """``let name = value``, printed canonically."""
    from explainspec.lang.printer import format_let as canonical

    return canonical(b)


# --------------------------------------------------------------------------- the statistic


@dataclass(frozen=True, slots=True)
class Statistic:
    """What a spec's numbers are: the method entry, its parameters and its statistic metadata."""

    method: str
    doc: str
    params: tuple[tuple[str, str, str], ...]  # (name, value, "spec" | "default")
    metadata: tuple[tuple[str, str], ...]
    library: str | None
    registered: bool


def method_statistic(spec: ir.Spec) -> Statistic:
    """The statistic of ``spec``: its parameters merged over the method's registered defaults.

    Parameters the spec sets are marked ``spec``; the rest come from the registry (``default``).
    An unregistered method (e.g. a plugin that is not installed) yields only the spec's values.
    """
    spec_params = {p.name: format_expr(p.value) for p in spec.method.params}
    try:
        from explainspec.registry import registry

        entry = registry("method").get(spec.method.use)
    except (LookupError, ImportError):
        entry = None
    params: list[tuple[str, str, str]] = []
    metadata: list[tuple[str, str]] = []
    if entry is not None:
        for p in entry.params:
            if p.name in spec_params:
                params.append((p.name, spec_params.pop(p.name), "spec"))
            else:
                params.append((p.name, "required" if p.required else repr(p.default), "default"))
        statistic = entry.extra.get("statistic") or {}
        metadata = [(str(k), format_value(v)) for k, v in dict(statistic).items()]
        for key in ("output", "scope", "randomized", "requires"):
            if key in entry.extra:
                metadata.append((key, format_value(entry.extra[key])))
    params += [(name, value, "spec") for name, value in spec_params.items()]
    return Statistic(
        method=spec.method.use,
        doc=entry.doc if entry is not None else "",
        params=tuple(params),
        metadata=tuple(metadata),
        library=(entry.extra.get("library") if entry is not None else None),
        registered=entry is not None,
    )


# --------------------------------------------------------------------------- cards


def _read_source(spec: ir.Spec) -> str | None:
    if spec.source and Path(spec.source).is_file():
        return Path(spec.source).read_text(encoding="utf-8")
    return None


def _asset_name(spec: str, claim: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", f"{spec}-{claim}") + ".png"


def _default(key: str, value: Any) -> bool:
    """Whether a world detail is the default that a reader assumes anyway."""
    text = str(value).strip()
    if key == "target":
        return text == "f"
    if key == "noise":
        try:
            return float(text) == 0.0
        except ValueError:
            return False
    return key == "background" and text == "data"


def _verdict_line(result: ClaimResult | None) -> str:
    if result is None:
        return f"*{NOT_VERIFIED}*"
    parts = [f"**{text(result.verdict)}**"]
    if result.worlds is not None:
        parts.append(f"{result.worlds} worlds tried")
    # a counterexample's margin is printed once, in its table
    if result.margin is not None and not result.counterexample:
        label = "worst margin" if result.verdict in ("verified", "unshown") else "margin"
        parts.append(f"{label} {format_value(result.margin)}")
    if result.message:
        parts.append(text(result.message))
    return " — ".join(parts[:1]) + (" (" + ", ".join(parts[1:]) + ")" if parts[1:] else "")


class CardWriter:
    """Renders the cards of a set of specs, writing counterexample plots next to them.

    Parameters
    ----------
    results : Results, optional
        Verification results; without them claims read "not yet verified".
    assets : path, optional
        Folder for the plots. ``None`` renders cards without plots (e.g. for previews).
    assets_url : str
        How the cards refer to ``assets`` (relative URL).
    """

    def __init__(
        self,
        results: Results | None = None,
        *,
        assets: Path | None = None,
        assets_url: str = "assets",
    ) -> None:
        self.results = results
        self.assets = assets
        self.assets_url = assets_url.rstrip("/")
        self.known: set[str] = set()  # names of the specs that have a card next to this one

    def result(self, spec: ir.Spec, claim: ir.Claim) -> ClaimResult | None:
        return self.results.get(spec.name, claim.name) if self.results else None

    # -- pieces ----------------------------------------------------------------------------

    def _world_lines(self, spec: ir.Spec, claim: ir.Claim) -> list[str]:
        world = ir.merged_world(spec, claim)
        return [f"{f.name} = {format_expr(f.value)}" for f in world.fields]

    def _counterexample(self, spec: ir.Spec, claim: ir.Claim, cx: Mapping[str, Any]) -> list[str]:
        """The counterexample as a small table, a plot and the line that reproduces it.

        The table keeps what a reader needs to redo the computation by hand and leaves out what
        is the default (target ``f``, no noise, the data as background) or printed elsewhere: the
        margin appears once, the seed only when the reproduce line does not carry it.
        """
        # (label as Markdown, value): the labels are ours, except the report's info keys
        rows: list[tuple[str, str]] = [("f", str(cx.get("function", "—")))]
        if cx.get("second"):
            rows.append(("g", str(cx["second"])))
        info = [
            (str(k), v)
            for k, v in cx.get("info") or ()
            if k not in _SHOWN_ELSEWHERE and v not in (None, "None", "") and not _default(k, v)
        ]
        rows_n = cx.get("background_rows")
        data = next((v for k, v in info if k == "data"), None)
        background_is_data = any(
            k == "background" and str(v).strip() == "data" for k, v in cx.get("info") or ()
        )
        where = f"{cx.get('distribution', '—')}"
        if cx.get("d") is not None:
            where += f" (d = {cx['d']}"
            if rows_n is not None and background_is_data and data in (None, f"{rows_n} rows"):
                where += f"; background: the {rows_n} data rows"
                info = [(k, v) for k, v in info if k != "data"]
            elif rows_n is not None:
                where += f"; background: {rows_n} rows"
            where += ")"
        rows.append(("P", where))
        rows += [(text(k), format_value(v)) for k, v in info]
        for key, label in (("point", "x"), ("baseline", "baseline"), ("phi", "phi")):
            if cx.get(key) is not None:
                rows.append((label, format_value(cx[key])))
        margin = format_value(cx["margin"]) if cx.get("margin") is not None else None
        for q in cx.get("quantities") or ():
            if not isinstance(q, Mapping):
                continue
            shown = str(q["shown"]) if q.get("shown") else format_value(q.get("value"))
            if q.get("role") == "margin":  # the comparison's own value: shown once, as the margin
                margin = shown
                continue
            if q.get("text") == "phi" and cx.get("phi") is not None:
                continue
            rows.append((code(q.get("text", "")), shown))
        if margin is not None:
            rows.append(("margin (< 0: the check fails)", margin))
        seed = cx.get("seed")
        if seed is not None and f"--seed {seed}" not in str(cx.get("reproduce") or ""):
            rows.append(("seed", str(seed)))
        found = (
            "found by search and shrunk"
            if cx.get("source", "search") == "search"
            else str(cx["source"])
        )
        lines = [f"Counterexample ({text(found)}):", "", "| quantity | value |", "|---|---|"]
        lines += [f"| {k} | {code(v)} |" for k, v in rows]
        lines.append("")
        if self.assets is not None:
            from explainspec.docgen.plots import counterexample_plot

            self.assets.mkdir(parents=True, exist_ok=True)
            name = _asset_name(spec.name, claim.name)
            # a game-based attribution (declares a value function) adds up to f(x) - base value
            efficient = any(
                k == "value_function" and not v.startswith("none")
                for k, v in method_statistic(spec).metadata
            )
            picture = counterexample_plot(cx, self.assets / name, efficient=efficient)
            if picture is not None:
                alt = text(f"Counterexample to {spec.name}.{claim.name}: {picture}")
                lines += [f"![{alt}]({self.assets_url}/{name})", ""]
        if cx.get("reproduce"):
            command = " ".join(str(cx["reproduce"]).split())  # one line
            lines += ["Reproduce with:", "", *fence(f"$ {command}", "console"), ""]
        return lines

    def _claim(self, spec: ir.Spec, claim: ir.Claim) -> list[str]:
        result = self.result(spec, claim)
        if claim.kind is ir.ClaimKind.DOES_NOT_ANSWER:
            icon = "✖"
        elif result is None:
            icon = "○"
        else:
            icon = _VERDICT_ICON.get(result.verdict, "?")
        about = f" · *{text(claim.about)}*" if claim.about else ""
        lines = [
            f'<a id="{attribute(claim.name)}"></a>',
            "",
            f"### {icon} {text(claim.name)}{about}",
            "",
            text(claim.statement),
            "",
        ]
        assumptions = tuple(spec.assumptions) + tuple(claim.assumptions)
        if assumptions:
            lines.append("Assumptions:")
            lines.append("")
            lines += [f"- **{text(a.name)}** — {text(a.text)}" for a in assumptions]
            lines.append("")
        world = self._world_lines(spec, claim)
        if world:
            lines.append("Worlds: " + "; ".join(code(w) for w in world))
            lines.append("")
        check = ir.claim_check(spec, claim)
        if isinstance(check, ir.With):  # the named values the check uses, then the check
            lines += [f"Let: {code(format_let(b))}" for b in check.lets] + [""]
        lines += [f"Check: {code(format_expr(claim.check))}", ""]
        lines += [f"Verdict: {_verdict_line(result)}", ""]
        if result is not None and result.counterexample:
            lines += self._counterexample(spec, claim, result.counterexample)
        return lines

    def _statistic(self, spec: ir.Spec) -> list[str]:
        stat = method_statistic(spec)
        lines = ["## The statistic", ""]
        head = f"Method {code(stat.method)}"
        if stat.library:
            head += f" ({text(stat.library)})"
        head += f", output **{spec.output.value}**"
        lines.append(head + ("." if not stat.doc else f": {stat.doc}"))
        lines.append("")
        if spec.estimates:
            target = f"**{text(spec.estimates)}**"
            if spec.estimates in self.known:
                target = f"[{target}]({_link(spec.estimates)}.md)"
            lines += [
                f"This is an estimator of {target}: its claims are about accuracy; what the "
                "numbers mean is the interpretation of the statistic it estimates.",
                "",
            ]
        if not stat.registered:
            lines += [f"*Method {code(stat.method)} is not registered in this installation.*", ""]
        if stat.params:
            lines += ["| hyper-parameter | value | from |", "|---|---|---|"]
            lines += [f"| {code(n)} | {code(v)} | {w} |" for n, v, w in stat.params]
            lines.append("")
        if stat.metadata:
            lines += ["| what the numbers mean | |", "|---|---|"]
            lines += [f"| {k} | {_cell(v)} |" for k, v in stat.metadata]
            lines.append("")
        return lines

    def _evidence(self, spec: ir.Spec) -> list[str]:
        lines = ["## Evidence", ""]
        if self.results is None:
            return lines + [
                f"*This card has {NOT_VERIFIED}.* Run "
                f"{code(f'explainspec verify {spec.source or spec.name}')} and regenerate it "
                "with `--results`.",
                "",
            ]
        results = [r for r in (self.result(spec, c) for c in spec.claims) if r is not None]
        worlds = sum(r.worlds or 0 for r in results)
        passed = sum(r.passed for r in results)
        rows = [
            ("claims", f"{passed} of {len(spec.claims)} passed ({len(results)} run)"),
            ("worlds tried", str(worlds)),
            ("profile", str(self.results.profile or "—")),
            ("seed", str(self.results.seed if self.results.seed is not None else "—")),
            ("date", str(self.results.date or "—")),
        ]
        ok = [r.margin for r in results if r.margin is not None and r.verdict == "verified"]
        if ok:
            rows.insert(2, ("worst margin of a verified claim", format_value(min(ok))))
        for name, version in sorted(self.results.versions.items()):
            rows.append((name, version))
        lines += ["| | |", "|---|---|"] + [f"| {text(k)} | {text(v)} |" for k, v in rows]
        return lines + [""]

    def _source(self, spec: ir.Spec, source: str | None) -> list[str]:
        """The spec as written (DSL), or its canonical DSL form when it was written in YAML."""
        lines = ["## The spec", ""]
        if source is not None and not (spec.source or "").endswith((".yaml", ".yml")):
            return lines + [*fence(source, "espec"), ""]
        from explainspec.lang import format_spec

        if source is not None:
            lines += [
                f"Written in YAML ({code(Path(spec.source or '').name)}); its canonical DSL form:",
                "",
            ]
        return lines + [*fence(format_spec(spec), "espec"), ""]

    # -- whole pages ----------------------------------------------------------------------------

    def card(self, spec: ir.Spec) -> str:
        """The Markdown card of one spec."""
        source = _read_source(spec)
        groups: dict[ir.ClaimKind, list[ir.Claim]] = {k: [] for k in ir.ClaimKind}
        for claim in spec.claims:
            groups[claim.kind].append(claim)
        lines = [f"# {text(spec.title)}", "", f"> **Question.** {text(spec.question)}", ""]
        lines += self._statistic(spec)
        sections = (
            (ir.ClaimKind.ANSWERS, "You may conclude"),
            (ir.ClaimKind.DOES_NOT_ANSWER, "You may not conclude"),
            (ir.ClaimKind.HOLDS, "Properties"),
        )
        for kind, heading in sections:
            lines += [f"## {heading}", ""]
            if not groups[kind]:
                lines += ["*None stated in this spec.*", ""]
            for claim in groups[kind]:
                lines += self._claim(spec, claim)
        if spec.references:
            lines += ["## References", ""] + [f"- {text(r)}" for r in spec.references] + [""]
        lines += self._evidence(spec)
        lines += self._source(spec, source)
        return "\n".join(lines).rstrip("\n") + "\n"

    def index(self, specs: Iterable[ir.Spec], *, title: str = "Interpretation cards") -> str:
        """The index page: the method x question matrix, with links into the cards."""
        specs = list(specs)
        questions = _question_types(specs)
        lines = [
            f"# {title}",
            "",
            "Each card says what one explanation method's output lets you conclude, and what it "
            "does not, with the evidence. In the matrix, ✔ means *answers this question, under "
            "the card's assumptions*; ✖ means *does not answer it* and links to the "
            "counterexample; a verdict still pending is marked with ?.",
            "",
        ]
        if not specs:
            return "\n".join(lines + ["*No specs.*", ""])
        lines.append("| method | " + " | ".join(code(q) for q in questions) + " |")
        lines.append("|---|" + "---|" * len(questions))
        for spec in specs:
            cells = []
            for q in questions:
                marks = []
                for claim in spec.claims:
                    if claim.about != q or claim.kind is ir.ClaimKind.HOLDS:
                        continue
                    result = self.result(spec, claim)
                    good = claim.kind is ir.ClaimKind.ANSWERS
                    mark = "✔" if good else "✖"
                    if result is None or result.verdict == "unshown":
                        mark += "?"
                    elif not result.passed:
                        mark = "⚠"
                    target = f"{_link(spec.name)}.md#{_link(claim.name)}"
                    marks.append(f"[{mark}]({target} '{_link(claim.name)}')")
                cells.append(" ".join(marks) if marks else "·")
            lines.append(
                f"| [{text(spec.title)}]({_link(spec.name)}.md) | " + " | ".join(cells) + " |"
            )
        lines += ["", "## Cards", ""]
        for spec in specs:
            lines.append(f"- [{text(spec.title)}]({_link(spec.name)}.md) — {text(spec.question)}")
        return "\n".join(lines) + "\n"


def _question_types(specs: Sequence[ir.Spec]) -> list[str]:
    """The question types the specs use: the registry's (``catalog/questions.py``) in its order,
    then any others, sorted."""
    from explainspec.registry import registry

    known = registry("question").names()
    used = {c.about for s in specs for c in s.claims if c.about}
    return [q for q in known if q in used] + sorted(used - set(known))


def render_card(spec: ir.Spec, results: Results | None = None) -> str:
    """The Markdown card of ``spec`` without plots (see :class:`CardWriter` for plots)."""
    return CardWriter(results).card(spec)


def render_index(specs: Iterable[ir.Spec], results: Results | None = None) -> str:
    """The index page with the method x question matrix."""
    return CardWriter(results).index(specs)


def write_cards(
    specs: Iterable[ir.Spec], out: str | Path, results: Results | None = None
) -> list[Path]:
    """Write one card per spec, ``index.md`` and the plots (under ``assets/``) into ``out``.

    Returns
    -------
    list of Path
        The pages written, the index last.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    specs = sorted(specs, key=lambda s: s.name)
    writer = CardWriter(results, assets=out / "assets", assets_url="assets")
    writer.known = {spec.name for spec in specs}
    written = []
    for spec in specs:
        path = out / f"{spec.name}.md"
        path.write_text(writer.card(spec), encoding="utf-8")
        written.append(path)
    index = out / "index.md"
    index.write_text(writer.index(specs), encoding="utf-8")
    written.append(index)
    return written
