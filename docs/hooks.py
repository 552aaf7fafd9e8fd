"""mkdocs hooks: the pages generated at build time.

- ``reference/{methods,families,distributions,oracles,builtins,questions,codes}.md`` from the
  registries (``explainspec.docgen.reference``), and ``reference/grammar.md`` from the grammar;
- ``cards/`` — the interpretation cards of the built-in spec library, from ``specs/`` and the
  committed verification report ``docs/evidence/library.json`` (the same output as
  ``explainspec docs specs/ --out docs/cards --results docs/evidence/library.json``), added to the
  navigation one card per spec;
- the spec library pages of ``docs/library/`` (when present) are added to the navigation;
- ``<!-- explainspec-help: COMMAND -->`` lines (in ``reference/cli.md``) become the real output of
  ``explainspec COMMAND --help`` (``explainspec.docgen.cli_help``), so the CLI reference lists
  the options the command takes.

Generated pages live only in the build: nothing is written into ``docs/``, so ``mkdocs serve``
does not loop and the working tree stays clean.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

#: Pages other parts of the project write; until they exist the build shows a short stub.
_OWNED_ELSEWHERE = {
    "reference/language.md": "The language reference",
    "reference/cli.md": "The command-line reference",
    "reference/errors.md": "The error reference",
    "howto/plugin.md": "Write a method plugin",
    "concepts/tolerances.md": "Tolerances and margins",
}

_generated: dict[str, str | bytes] = {}


def _cards(docs: Path) -> tuple[dict[str, str | bytes], list[dict[str, str]]]:
    """Cards of the built-in library: pages by URI, and nav entries ``{title: uri}``."""
    from explainspec.docgen.cards import write_cards
    from explainspec.docgen.results import load_results
    from explainspec.lang import discover, load
    from explainspec.resources import specs_dir

    specs = [load(path) for path in discover([specs_dir()])]
    report = docs / "evidence" / "library.json"
    results = load_results(report) if report.is_file() else None
    probed = docs / "evidence" / "probe.json"  # python -m explainspec.docgen.assumptions --run
    probe = json.loads(probed.read_text("utf-8")) if probed.is_file() else None
    pages: dict[str, str | bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        write_cards(
            specs, tmp, results, probe=probe, catalogue_url="../reference/claims-catalogue.md"
        )
        for path in sorted(Path(tmp).rglob("*")):
            if path.is_file():
                uri = "cards/" + path.relative_to(tmp).as_posix()
                pages[uri] = path.read_bytes() if path.suffix == ".png" else path.read_text("utf-8")
    from explainspec.docgen.catalogue import catalogue_page

    pages["reference/claims-catalogue.md"] = catalogue_page(specs)
    nav = [{spec.title: f"cards/{spec.name}.md"} for spec in sorted(specs, key=lambda s: s.name)]
    return pages, nav


def _grammar_page() -> str:
    """The grammar itself, published as the syntax reference (it is the final word)."""
    from explainspec.resources import grammar_path

    text = grammar_path().read_text("utf-8")
    return (
        "# The grammar\n\n"
        "The Lark grammar below is the reference for the syntax of `.espec` files; the\n"
        "[language reference](language.md) explains it. It ships inside the package as\n"
        "`explainspec/_data/grammars/explainspec.lark`.\n\n"
        f"```text\n{text.rstrip()}\n```\n"
    )


def _extend_nav(nav: list[Any], title: str, entries: list[Any]) -> None:
    """Replace the nav item ``{title: index}`` by a section ``{title: [index, *entries]}``."""
    for i, item in enumerate(nav):
        if isinstance(item, dict) and title in item and isinstance(item[title], str):
            nav[i] = {title: [item[title], *entries]}
            return
    nav.append({title: entries})


def on_config(config: Any) -> Any:
    from explainspec.docgen.reference import reference_pages

    docs = Path(config.docs_dir)
    _generated.clear()
    for name, text in reference_pages().items():
        _generated[f"reference/{name}"] = text
    _generated["reference/grammar.md"] = _grammar_page()
    cards, card_nav = _cards(docs)
    _generated.update(cards)
    _extend_nav(config.nav, "Interpretation cards", card_nav)
    library = docs / "library"
    if library.is_dir():
        pages = sorted(p.relative_to(docs).as_posix() for p in library.rglob("*.md"))
        pages.sort(key=lambda p: not p.endswith("/index.md"))
        config.nav.append({"Spec library": pages})
    for uri, title in _OWNED_ELSEWHERE.items():
        if not (docs / uri).is_file():
            _generated[uri] = f"# {title}\n\n*This page has not been written yet.*\n"
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    from explainspec.docgen.cli_help import MARKER, expand_help_markers

    return expand_help_markers(markdown) if MARKER.search(markdown) else markdown


def on_files(files: Files, config: Any) -> Files:
    for uri, content in _generated.items():
        existing = files.get_file_from_path(uri)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, uri, content=content))
    return files
