"""``explainspec probe``: which of a claim's restrictions does its reading need?

For every ``answers``/``holds`` claim verified as stated, each world restriction is relaxed one
level of the restriction lattice at a time (and each ``assume ... check`` is dropped) and the
relaxed claim is run through the verify runner; a refuted claim is tightened one level at a time
instead. See docs/concepts/probing.md.

Exit codes: 0 every probed claim was verified as stated; 1 a claim was not (refuted, an error,
...: its tightenings are still reported); 2 a spec or usage error, or ``--write`` could not edit
the spec; 3 an internal error.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

HELP = "find which world restrictions and assumptions a claim needs (relax each one, verify again)"

PROFILES = ("fast", "standard", "thorough")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``explainspec probe`` (cheap imports only)."""
    parser.add_argument("spec", metavar="SPEC", help="a spec file (.espec, .espec.yaml)")
    parser.add_argument(
        "--claim",
        action="append",
        default=[],
        metavar="NAME",
        help="only this claim (NAME or SPEC.NAME, wildcards allowed; repeatable)",
    )
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="standard",
        help="how hard each relaxed claim is searched, as in verify (default standard)",
    )
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="run seed (default 0)")
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="run the relaxed claims on N local worker processes (default 1: in this process)",
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="widen each claim's world in the spec file to the widest verified world found "
        "(a minimal edit of the claim's world block; comments and layout are kept; .espec only)",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="report format (default text)"
    )


class _UsageError(Exception):
    pass


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except _UsageError as e:
        print(f"explainspec probe: {e}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from explainspec.commands.verify import _load_specs
    from explainspec.commands.verify import _UsageError as VerifyUsage

    if args.jobs < 1:
        raise _UsageError(f"--jobs {args.jobs} must be at least 1")
    path = Path(args.spec)
    if not path.is_file():
        raise _UsageError(f"{args.spec} is not a spec file")
    if args.write and not path.name.endswith(".espec"):
        raise _UsageError("--write edits .espec files only (convert a YAML spec first)")
    try:
        specs = _load_specs([str(path)])
    except VerifyUsage as e:
        raise _UsageError(str(e)) from None
    from explainspec.registry import load_plugins
    from explainspec.runner.plan import RunOptions, select

    load_plugins(getattr(args, "plugin", None) or [])
    patterns = tuple(args.claim)
    if patterns and not any(select(s, patterns) for s in specs):
        raise _UsageError(f"no claim matches {', '.join(patterns)}")

    from explainspec.report import probe as report
    from explainspec.runner import settings
    from explainspec.runner.budget import parse_memory_limit
    from explainspec.runner.parallel import Execution
    from explainspec.runner.probe import probe

    options = RunOptions(
        profile=args.profile,
        seed=args.seed,
        claims=patterns,
        memory_limit=parse_memory_limit(f"{settings.MEMORY_FRACTION * 100:g}%"),
    )
    execution = Execution(jobs=args.jobs)
    probes = list(probe(specs, options, execution))
    if args.format == "json":
        print(report.to_json(probes, seed=args.seed, profile=args.profile))
    else:
        print(report.text(probes))
    code = 0 if all(cp.baseline.verdict.value == "verified" for cp in probes) else 1
    if args.write:
        written = write(path, probes, options, execution)
        for line in written:
            print(f"explainspec probe: {line}", file=sys.stderr)
    return code


def write(path: Any, probes: list[Any], options: Any, execution: Any = None) -> list[str]:
    """Widen each probed claim's world in the file at ``path`` to the widest world verified with
    all its widenings together (:func:`explainspec.runner.probe.widest_verified`; see
    :func:`widen_text`)."""
    from explainspec.lang.loader import read_source
    from explainspec.runner.probe import widest_verified

    text = original = read_source(path)
    done = []
    for cp in probes:
        if not cp.widest:
            continue
        widest, _ = widest_verified(cp, options, execution)
        dropped = sorted(set(cp.widest) - set(widest))
        if dropped:
            done.append(
                f"{path}: claim {cp.claim}: not widened together with the others: "
                + ", ".join(dropped)
            )
        if not widest:
            continue
        text = widen_text(text, cp.claim, widest, file=str(path))
        done.append(
            f"{path}: claim {cp.claim}: " + "; ".join(f"{k} = {v}" for k, v in widest.items())
        )
    if done:
        _write_back(path, original, text)
    return done


def _write_back(path: Any, original: str, text: str) -> None:
    """Write ``text``, the edited ``original`` of the spec at ``path``, keeping every byte around
    the edit: the file's byte order mark (:func:`~explainspec.lang.loader.read_source` drops it),
    its Windows line ends (the edit inserts lines ending in ``\n``), no newline translation."""
    import codecs

    with open(path, "rb") as fh:
        head = fh.read(len(codecs.BOM_UTF8))
    if "\r\n" in original and "\n" not in original.replace("\r\n", ""):  # CRLF only
        text = "\r\n".join(line.removesuffix("\r") for line in text.split("\n"))
    bom = "\ufeff" if head == codecs.BOM_UTF8 else ""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(bom + text)


def _offset(lines: list[str], line: int, column: int) -> int:
    """The index in the text of ``line:column`` (1-based, as the DSL's lexer counts: ``lines``
    is the text split at ``\n`` only, not :meth:`str.splitlines`, which also breaks at a form
    feed or U+2028 in a comment and would move every edit after it)."""
    return sum(len(s) + 1 for s in lines[: line - 1]) + column - 1


def widen_text(
    text: str, claim_name: str, fields: dict[str, str], *, file: str | None = None
) -> str:
    """``text`` with claim ``claim_name``'s world set to ``fields`` by a minimal textual edit.

    A field the claim's world block sets has its value replaced in place; other fields are
    added at the start of the claim's world block, or in a new ``world { ... }`` line before the
    claim's ``check`` when it has none. Nothing else of the file changes (comments, layout, the
    other claims). The result is parsed again and must give the claim exactly these values;
    otherwise :class:`_UsageError` is raised and nothing is written.
    """
    from explainspec.lang.diagnostics import SpecError
    from explainspec.lang.ir import merged_world
    from explainspec.lang.parser import parse_spec_text
    from explainspec.lang.printer import format_expr

    spec = parse_spec_text(text, file=file)
    claim = next((c for c in spec.claims if c.name == claim_name), None)
    if claim is None:
        raise _UsageError(f"--write: no claim {claim_name} in {file}")
    lines = text.split("\n")
    edits: list[tuple[int, int, str]] = []  # (start, end, new text)
    own = {f.name: f for f in claim.world.fields} if claim.world is not None else {}
    new = []
    for name, value in fields.items():
        f = own.get(name)
        if f is not None and f.value.span is not None:
            s = f.value.span
            edits.append(
                (_offset(lines, s.line, s.column), _offset(lines, s.end_line, s.end_column), value)
            )
        else:
            new.append(f"{name} = {value}")
    if new and claim.world is not None and claim.world.span is not None:
        start = _offset(lines, claim.world.span.line, claim.world.span.column)
        brace = text.index("{", start) + 1
        first = claim.world.fields[0].span if claim.world.fields else None
        if first is not None and text[brace : brace + 1] in ("\n", "\r"):  # one field a line
            indent = " " * (first.column - 1)
            edits.append((brace, brace, "".join(f"\n{indent}{n}" for n in new)))
        else:
            edits.append((brace, brace, " " + "; ".join(new) + (";" if first else "")))
    elif new:
        assert claim.check.span is not None
        at = text.rindex("check", 0, _offset(lines, claim.check.span.line, claim.check.span.column))
        line_start = text.rindex("\n", 0, at) + 1
        indent = text[line_start:at]
        edits.append((at, at, f"world {{ {'; '.join(new)} }}\n{indent}"))
    out = text
    for start, end, value in sorted(edits, reverse=True):
        out = out[:start] + value + out[end:]
    try:
        again = parse_spec_text(out, file=file)
    except SpecError as e:
        raise _UsageError(f"--write: the edited spec does not parse ({e}); not written") from None
    claim2 = next((c for c in again.claims if c.name == claim_name), None)
    world = (
        {f.name: format_expr(f.value) for f in merged_world(again, claim2).fields} if claim2 else {}
    )
    if any(world.get(k) != format_expr(_value(v)) for k, v in fields.items()):
        raise _UsageError(f"--write: could not edit claim {claim_name}'s world; not written")
    return out


def _value(text: str) -> Any:
    from explainspec.lang.parser import parse_value

    return parse_value(text)
