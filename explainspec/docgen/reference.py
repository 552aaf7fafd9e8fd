"""Reference pages generated from the registries: methods, families, distributions, oracles,
builtins, question types and diagnostic codes.

The same registries drive the semantic checker and ``explainspec list``, so these pages cannot
drift from what a spec may actually use. The mkdocs hook (``docs/hooks.py``) renders them at build
time; ``explainspec docs --reference DIR`` writes them to disk.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from explainspec.docgen.cards import format_value
from explainspec.registry import REQUIRED, Entry, registry

__all__ = ["PAGES", "reference_pages", "write_reference"]


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _default(value: Any) -> str:
    return "*required*" if value is REQUIRED else f"`{value!r}`"


def _entries(kind: str) -> list[Entry] | None:
    try:
        return list(registry(kind))
    except ImportError:  # that room's catalog has not landed in this installation
        return None


def _table(entries: list[Entry], columns: list[tuple[str, Callable[[Entry], str]]]) -> list[str]:
    lines = ["| " + " | ".join(name for name, _ in columns) + " |"]
    lines.append("|" + "---|" * len(columns))
    for e in entries:
        lines.append("| " + " | ".join(_cell(get(e)) for _, get in columns) + " |")
    return lines + [""]


def _signature(e: Entry) -> str:
    return f"`{e.signature()}`"


def _method_page(entries: list[Entry]) -> list[str]:
    lines = [
        "Every method a spec can name in `method = ...`, with the hyper-parameters that change its "
        "numbers (defaults are the library's own) and what its numbers mean.",
        "",
    ]
    lines += _table(
        entries,
        [
            ("method", lambda e: f"[`{e.name}`](#{_anchor(e.name)})"),
            ("library", lambda e: e.extra.get("library", "")),
            ("output", lambda e: e.extra.get("output", "")),
            ("scope", lambda e: e.extra.get("scope", "")),
        ],
    )
    for e in entries:
        extra = e.extra
        lines += [f'<a id="{_anchor(e.name)}"></a>', "", f"## `{e.name}`", "", e.doc, ""]
        facts = [
            f"output **{extra.get('output', '?')}**",
            f"scope **{extra.get('scope', '?')}**",
            f"library `{extra.get('library', '?')}`",
            "randomized" if extra.get("randomized") else "deterministic",
        ]
        if extra.get("requires"):
            facts.append("requires " + ", ".join(f"`{r}`" for r in extra["requires"]))
        lines += ["; ".join(facts) + ".", ""]
        if e.params:
            lines += ["| parameter | type | default | meaning |", "|---|---|---|---|"]
            lines += [
                f"| `{p.name}` | {_cell(p.type)} | {_cell(_default(p.default))} | {_cell(p.doc)} |"
                for p in e.params
            ]
            lines.append("")
        statistic = extra.get("statistic") or {}
        if statistic:
            lines += ["| statistic | |", "|---|---|"]
            lines += [f"| {k} | {_cell(format_value(v))} |" for k, v in statistic.items()]
            lines.append("")
    return lines


def _anchor(name: str) -> str:
    return name.replace(".", "-").replace("_", "-").lower()


def _params(e: Entry) -> str:
    return "; ".join(f"`{p.name}`: {p.doc}" for p in e.params if p.doc)


#: page file name -> (title, registry kind, introduction, columns or a page renderer)
PAGES: dict[str, tuple[str, str, str, Any]] = {
    "methods.md": ("Methods", "method", "", _method_page),
    "families.md": (
        "Function families",
        "family",
        "The functions a world may draw (`function = ...`), with the tags their functions carry "
        "and the ground truth they expose to checks.",
        [
            ("family", _signature),
            ("provides", lambda e: ", ".join(e.extra.get("provides", ()))),
            ("ground truth", lambda e: ", ".join(e.extra.get("ground_truth", ()))),
            ("description", lambda e: e.doc),
        ],
    ),
    "distributions.md": (
        "Data distributions",
        "distribution",
        "The data distributions a world may use (`data = ...`). Finite ones are uniform over their "
        "rows, so every expectation in a check is an exact mean.",
        [("distribution", _signature), ("description", lambda e: e.doc), ("parameters", _params)],
    ),
    "oracles.md": (
        "Oracles",
        "oracle",
        "Exact ground truth a check may call. An oracle never runs the method under test.",
        [
            ("oracle", _signature),
            ("returns", lambda e: e.extra.get("returns", "")),
            ("description", lambda e: e.doc),
        ],
    ),
    "builtins.md": (
        "Builtins",
        "builtin",
        "Functions available inside check expressions.",
        [
            ("builtin", _signature),
            ("returns", lambda e: e.extra.get("returns", "")),
            ("description", lambda e: e.doc),
        ],
    ),
    "questions.md": (
        "Question types",
        "question",
        "Every `answers` and `does_not_answer` claim names the kind of question it is about; the "
        "cards' method x question matrix has one column per type.",
        [
            ("question type", lambda e: f"`{e.name}`"),
            ("the question a user has in mind", lambda e: e.doc),
        ],
    ),
}


def _codes_page() -> str:
    """Every diagnostic code with its one-line summary (ES1xx/ES2xx from the language, ES3xx run)."""
    codes: dict[str, str] = {}
    try:
        from explainspec.lang.diagnostics import CODES

        codes.update(CODES)
    except ImportError:
        pass
    try:
        from explainspec.runner.events import RUN_CODES  # type: ignore[attr-defined]

        codes.update(RUN_CODES)
    except ImportError:
        pass
    try:
        from explainspec.worlds.sources.errors import SOURCE_CODES  # explainspec audit

        codes.update(SOURCE_CODES)
    except ImportError:
        pass
    lines = [
        "# Diagnostic codes",
        "",
        "Stable codes printed beside every message and carried into the JSON and JUnit reports: "
        "ES1xx reading and syntax, ES2xx semantics, ES3xx running.",
        "",
        "| code | meaning |",
        "|---|---|",
    ]
    lines += [f"| `{code}` | {_cell(text)} |" for code, text in sorted(codes.items())]
    if not codes:
        lines.append("| | *no diagnostics table is installed* |")
    return "\n".join(lines) + "\n"


def reference_pages() -> dict[str, str]:
    """Render every reference page.

    Returns
    -------
    dict of str to str
        File name (``methods.md`` ...) to Markdown. A registry whose catalog is not installed
        gives a page that says so, so the site's navigation stays stable.

    Examples
    --------
    >>> pages = reference_pages()
    >>> pages["methods.md"].splitlines()[0]
    '# Methods'
    """
    pages: dict[str, str] = {}
    for filename, (title, kind, intro, body) in PAGES.items():
        entries = _entries(kind)
        lines = [f"# {title}", ""]
        if intro:
            lines += [intro, ""]
        lines += [
            f"*Generated from `registry({kind!r})` by `explainspec.docgen.reference`.*",
            "",
        ]
        if entries is None:
            lines += [f"*No {kind} catalog is installed.*", ""]
        elif callable(body):
            lines += body(entries)
        else:
            lines += _table(entries, body)
        pages[filename] = "\n".join(lines).rstrip("\n") + "\n"
    pages["codes.md"] = _codes_page()
    return pages


def write_reference(out: str | Path) -> list[Path]:
    """Write :func:`reference_pages` into the folder ``out``; returns the paths written."""
    from explainspec.docgen.outputs import output_folder, write_file

    out = output_folder(out)
    return [write_file(out / name, text) for name, text in reference_pages().items()]
