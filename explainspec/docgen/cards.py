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
    "skipped": "–",
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
    """The text of the spec's file, read as a spec is read (bounded, no link out of the
    checkout: :func:`explainspec.lang.loader.source_text`), or ``None``."""
    from explainspec.lang.loader import source_text

    return source_text(spec.source)


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


#: colours of the matrix marks (GitHub's green and red: readable on light and dark themes)
_MARK_COLOR = {"✔": "#1a7f37", "✖": "#cf222e", "⚠": "#9a6700"}


def _mark(mark: str) -> str:
    """A matrix mark in its colour (``✔`` green, ``✖`` red, ``⚠`` amber; ``?`` kept after it)."""
    color = _MARK_COLOR.get(mark[:1])
    return f'<span style="color: {color}">{mark}</span>' if color else mark


def _under(spec: ir.Spec) -> list[str]:
    """The line stating the spec-level assumptions of ``spec`` (none without)."""
    if not spec.assumptions:
        return []
    return ["*Assuming:* " + "; ".join(text(a.text) for a in spec.assumptions), ""]


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
        probe: Mapping[str, Any] | None = None,
    ) -> None:
        self.results = results
        self.probe = probe  # a probe's JSON document (explainspec.docgen.assumptions)
        self.assets = assets
        self.assets_url = assets_url.rstrip("/")
        self.known: set[str] = set()  # names of the specs that have a card next to this one
        #: the specs with a card next to this one, by name (an estimator's card reads the
        #: conclusions of the statistic it estimates from them)
        self.specs: dict[str, ir.Spec] = {}
        #: where the claims catalogue is (the site sets it): C01-style identifiers link there
        self.catalogue_url: str | None = None
        #: (spec, claim) -> (file name, description) of the counterexample plots drawn so far
        self.pictures: dict[tuple[str, str], tuple[str, str]] = {}

    def result(self, spec: ir.Spec, claim: ir.Claim) -> ClaimResult | None:
        return self.results.get(spec.name, claim.name) if self.results else None

    # -- pieces ----------------------------------------------------------------------------

    def _statement(self, claim: ir.Claim) -> str:
        """The claim's statement (escaped), its catalogue identifiers linked when the catalogue
        is published next to the cards."""
        out = text(claim.statement)
        if self.catalogue_url is None:
            return out
        from explainspec.docgen.catalogue import link_identifiers

        return link_identifiers(out, self.catalogue_url)

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
            from explainspec.docgen.outputs import output_folder, subfolder
            from explainspec.docgen.plots import counterexample_plot

            subfolder(output_folder(self.assets.parent), self.assets.name)
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
                self.pictures[(spec.name, claim.name)] = (name, picture)
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
            self._statement(claim),
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
        if self.probe is not None and claim.kind is not ir.ClaimKind.DOES_NOT_ANSWER:
            from explainspec.docgen.assumptions import card_lines

            lines += card_lines(self.probe, spec.name, claim.name)
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

    def _outcome(self, spec: ir.Spec, claim: ir.Claim) -> str:
        """``conclude``, ``not`` (a reading the evidence rules out) or ``open`` (unsettled)."""
        result = self.result(spec, claim)
        negative = claim.kind is ir.ClaimKind.DOES_NOT_ANSWER
        if result is None:  # not yet verified: what the spec states, marked as such
            return "not" if negative else "conclude"
        if result.verdict in ("verified", "shown"):
            return "not" if negative else "conclude"
        if result.verdict == "refuted":  # claimed, and a counterexample shows it false
            return "not"
        return "open"

    def _cx_line(self, cx: Mapping[str, Any]) -> str:
        """A counterexample in one line: f, x, (baseline,) phi and the margin."""
        parts = [code(str(cx.get("function", "—")))]
        for key, label in (("point", "x"), ("baseline", "baseline"), ("phi", "phi")):
            if cx.get(key) is not None:
                parts.append(code(f"{label} = {format_value(cx[key])}"))
        margin = cx.get("margin")
        for q in cx.get("quantities") or ():
            if isinstance(q, Mapping) and q.get("role") == "margin" and q.get("shown"):
                margin = q["shown"]
        if margin is not None:
            shown = margin if isinstance(margin, str) else format_value(margin)
            parts.append(f"margin {code(str(shown))}")
        return ", ".join(parts)

    def _bullet(self, spec: ir.Spec, claim: ir.Claim, *, anchor: str = "") -> list[str]:
        result = self.result(spec, claim)
        outcome = self._outcome(spec, claim)
        icon = "○" if result is None else ("✔" if outcome == "conclude" else "✖")
        if outcome == "open" and result is not None:
            icon = _VERDICT_ICON.get(result.verdict, "?")
        link = f"[{text(claim.name)}]({anchor}#{_link(claim.name)})"
        line = f"- {icon} **{link}** — {self._statement(claim)}"
        if claim.about:
            line += f" *({text(claim.about)})*"
        if result is None:
            line += f" *({NOT_VERIFIED})*"
        elif outcome != "conclude":
            line += f" *({text(result.verdict)})*"
        lines = [line]
        if outcome == "conclude" and claim.assumptions:  # the spec's own: once, above the list
            lines.append("  Under: " + "; ".join(text(a.text) for a in claim.assumptions))
        if outcome == "conclude" and self.probe is not None:  # what a probe found it needs
            from explainspec.docgen.assumptions import needs_line

            needs = needs_line(self.probe, spec.name, claim.name)
            if needs:
                lines.append(f"  {needs} ([counterexamples]({anchor}#{_link(claim.name)}))")
        if result is not None and result.counterexample and outcome == "not":
            lines.append("  Counterexample: " + self._cx_line(result.counterexample))
            picture = self.pictures.get((spec.name, claim.name))
            if picture is not None and not anchor:
                alt = attribute(f"Counterexample to {spec.name}.{claim.name}: {picture[1]}")
                lines.append(
                    f'  <img src="{attribute(self.assets_url)}/{attribute(picture[0])}" '
                    f'alt="{alt}" width="320">'
                )
        return lines

    def _verdicts(self, spec: ir.Spec) -> list[str]:
        """The card's opening: what the evidence lets a reader conclude, and what not."""
        groups: dict[str, list[str]] = {"conclude": [], "not": [], "open": []}
        for claim in spec.claims:
            groups[self._outcome(spec, claim)] += self._bullet(spec, claim)
        target = self.specs.get(spec.estimates or "")
        if target is not None and target.name != spec.name:
            link = f"{_link(target.name)}.md"
            inherited: dict[str, list[str]] = {"conclude": [], "not": []}
            for claim in target.claims:
                outcome = self._outcome(target, claim)
                if outcome in inherited:
                    inherited[outcome] += self._bullet(target, claim, anchor=link)
            note = (
                f"Read as the statistic it estimates, [{text(target.title)}]({link}), within "
                "this estimator's accuracy (its own claims):"
            )
            for key in ("conclude", "not"):
                if inherited[key]:
                    groups[key] += ["", note, "", *_under(target), *inherited[key]]
        lines = ["## You may conclude", ""]
        if groups["conclude"]:
            lines += _under(spec)
        lines += groups["conclude"] or ["*Nothing: no claim of this card holds.*"]
        lines += ["", "## You may not conclude", ""]
        lines += groups["not"] or ["*Nothing stated.*"]
        lines.append("")
        if groups["open"]:
            lines += ["## Not settled", "", *groups["open"], ""]
        return lines

    def card(self, spec: ir.Spec) -> str:
        """The Markdown card of one spec: the verdicts first (what you may conclude and what
        not, with the counterexamples in one line), then the statistic and its parameters, the
        claims in detail, the evidence and the spec."""
        source = _read_source(spec)
        groups: dict[ir.ClaimKind, list[ir.Claim]] = {k: [] for k in ir.ClaimKind}
        for claim in spec.claims:
            groups[claim.kind].append(claim)
        details = ["## The claims in detail", ""]
        for kind in (ir.ClaimKind.ANSWERS, ir.ClaimKind.DOES_NOT_ANSWER, ir.ClaimKind.HOLDS):
            for claim in groups[kind]:
                details += self._claim(spec, claim)  # draws the plots the verdicts show
        lines = [f"# {text(spec.title)}", "", f"> **Question.** {text(spec.question)}", ""]
        lines += self._verdicts(spec)
        lines += self._statistic(spec)
        lines += details
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
            "does not, with the evidence. Each cell of the matrix links to the claim on the "
            "method's card:",
            "",
            f"- {_mark('✔')} *answers this question*, under the card's assumptions (verified);",
            f"- {_mark('✖')} *does not answer it*: a counterexample shows the misreading;",
            f"- {_mark('⚠')} the card's claim failed or could not be checked: see the card;",
            "- a mark followed by ? is stated by the spec but not yet settled by a run; "
            "· means the card makes no claim about that question.",
            "",
        ]
        if not specs:
            return "\n".join(lines + ["*No specs.*", ""])
        # question names on one line (never broken inside the header cell)
        lines.append(
            "| method | "
            + " | ".join(f'<span style="white-space: nowrap">{code(q)}</span>' for q in questions)
            + " |"
        )
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
                    hover = _link(claim.name)
                    if good and self.probe is not None:
                        from explainspec.docgen.assumptions import hover_text

                        hover += hover_text(self.probe, spec.name, claim.name)
                    marks.append(f"[{_mark(mark)}]({target} '{hover}')")
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
    specs: Iterable[ir.Spec],
    out: str | Path,
    results: Results | None = None,
    *,
    probe: Mapping[str, Any] | None = None,
    catalogue_url: str | None = None,
) -> list[Path]:
    """Write one card per spec, ``index.md`` and the plots (under ``assets/``) into ``out``.

    Returns
    -------
    list of Path
        The pages written, the index last.
    """
    from explainspec.docgen.outputs import distinct_names, output_folder, write_file

    specs = sorted(specs, key=lambda s: s.name)
    # refused before anything is written: on macOS or Windows `Shap.md` would replace `shap.md`
    # (a spec named `index` the index), a claim's plot another's
    distinct_names([*(f"{spec.name}.md" for spec in specs), "index.md"], "the cards")
    distinct_names(
        (_asset_name(spec.name, claim.name) for spec in specs for claim in spec.claims),
        "the counterexample plots",
    )
    out = output_folder(out)
    writer = CardWriter(results, assets=out / "assets", assets_url="assets", probe=probe)
    writer.known = {spec.name for spec in specs}
    writer.specs = {spec.name: spec for spec in specs}
    writer.catalogue_url = catalogue_url
    written = []
    for spec in specs:
        written.append(write_file(out / f"{spec.name}.md", writer.card(spec)))
    written.append(write_file(out / "index.md", writer.index(specs)))
    return written
