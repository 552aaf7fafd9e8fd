"""``explainspec list KIND``: the registered methods, families, distributions, oracles, builtins
or question types, with signatures and documentation (derived from the registries)."""

from __future__ import annotations

import argparse
import json
from typing import Any

HELP = "list registered methods, families, distributions, oracles, builtins or question types"

KINDS = {
    "methods": "method",
    "families": "family",
    "distributions": "distribution",
    "oracles": "oracle",
    "builtins": "builtin",
    "questions": "question",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``explainspec list`` (cheap imports only)."""
    parser.add_argument("kind", choices=tuple(KINDS), help="what to list")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _plain(value: Any) -> Any:
    if isinstance(value, dict | type({}.items())) or hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return repr(value)


def describe(entry: Any) -> dict[str, Any]:
    """An entry as plain data: name, signature, doc, parameters and kind-specific metadata."""
    return {
        "name": entry.name,
        "signature": entry.signature(),
        "doc": entry.doc,
        "params": [
            {
                "name": p.name,
                "type": p.type,
                "required": p.required,
                "default": None if p.required else _plain(p.default),
                "doc": p.doc,
            }
            for p in entry.params
        ],
        "variadic": entry.variadic,
        **{k: _plain(v) for k, v in entry.extra.items()},
    }


def render(entry: Any) -> str:
    """Human-readable text of one entry."""
    lines = [entry.signature() if entry.kind != "question" else entry.name]
    if entry.doc:
        lines.append(f"    {entry.doc}")
    extra = dict(entry.extra)
    if entry.kind == "method":
        head = ", ".join(
            f"{k} = {extra[k]}" for k in ("output", "scope", "randomized", "library") if k in extra
        )
        lines.append(f"    {head}")
        if extra.get("requires"):
            lines.append(f"    requires: {', '.join(extra['requires'])}")
        for key, value in dict(extra.get("statistic") or {}).items():
            lines.append(f"    statistic.{key}: {value}")
    else:
        for key, value in extra.items():
            shown = ", ".join(map(str, value)) if isinstance(value, list | tuple) else value
            lines.append(f"    {key}: {shown}")
    for p in entry.params:
        default = "required" if p.required else f"default {p.default!r}"
        doc = f" - {p.doc}" if p.doc else ""
        lines.append(f"      {p.name}: {p.type} ({default}){doc}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print the entries; 0."""
    from explainspec.lang.semantics import default_registries

    reg = default_registries()[KINDS[args.kind]]
    if args.json:
        print(json.dumps([describe(e) for e in reg], indent=2))
        return 0
    if not len(reg):
        print(f"(no {args.kind} registered)")
    print("\n\n".join(render(e) for e in reg))
    return 0
