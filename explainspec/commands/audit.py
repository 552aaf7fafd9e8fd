"""``explainspec audit``: check what explanation methods license on your model and your data.

A thin command over :mod:`explainspec.auditing` (which the Python API shares): bind the model and
the data under names, plan the built-in audit specs (or run ``--spec`` files), run them through
the ordinary runner, print the audit report (text or JSON) and optionally write a card page.

Exit codes: 0 the audit ran (whatever it found: a failing reading is a finding, not an error);
1 a check could not be run (verdict error) or ``--budget`` stopped the audit before the end;
2 a bad model, data file or option (ES360-ES369, printed with the file and column) or an
invalid spec, nothing run; 3 an internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

HELP = "check what explanation methods license on your fitted model and your data"

SCALES = ("probability", "log_odds", "decision")
FORMATS = ("text", "json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``explainspec audit`` (cheap imports only)."""
    src = parser.add_argument_group(
        "your model and data (bound by name; a spec never loads a file)"
    )
    src.add_argument(
        "--model",
        action="append",
        default=[],
        required=True,
        metavar="NAME=FILE",
        help="a fitted model: a .skops file (skops.io), or .pkl/.joblib with --trust-pickle",
    )
    src.add_argument(
        "--data",
        action="append",
        default=[],
        required=True,
        metavar="NAME=FILE",
        help="the rows: a .csv/.tsv or .parquet file (numeric columns, no missing values)",
    )
    src.add_argument(
        "--target",
        metavar="COLUMN",
        help="the target column of the data (for permutation importance)",
    )
    src.add_argument(
        "--groups",
        metavar="FILE|auto:K",
        help="feature groups for the grouped checks: a JSON file {group: [columns]} that "
        "partitions the features, or auto:K (K clusters of correlated columns)",
    )
    src.add_argument(
        "--output-scale",
        choices=SCALES,
        help="a classifier's audited output (default probability of the positive class)",
    )
    src.add_argument("--class", dest="klass", metavar="LABEL", help="a classifier's audited class")
    src.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="TYPE",
        help="a type of a .skops file that you trust (repeatable; the error lists them)",
    )
    src.add_argument(
        "--trust-pickle",
        action="store_true",
        help="allow a pickle/joblib model file: loading it runs the code it contains",
    )
    src.add_argument(
        "--max-file-mb",
        type=float,
        default=512.0,
        metavar="MB",
        help="refuse data files larger than this, before reading them (default 512)",
    )
    what = parser.add_argument_group("what to audit")
    what.add_argument(
        "--methods",
        metavar="NAME[,NAME...]",
        help="methods to audit (default: the shap explainers that apply, lime if installed, "
        "sklearn.permutation_importance, sklearn.partial_dependence)",
    )
    what.add_argument(
        "--spec",
        action="append",
        default=[],
        metavar="PATH",
        help="your own specs naming user_model(NAME) and table(NAME), run instead of the "
        "built-in audit (repeatable)",
    )
    what.add_argument(
        "--points", type=int, default=20, metavar="N", help="rows explained (default 20)"
    )
    what.add_argument(
        "--background", type=int, default=100, metavar="N", help="background rows (default 100)"
    )
    what.add_argument("--rows", metavar="ID[,ID...]", help="explain these rows (by row id) instead")
    what.add_argument(
        "--max-rows",
        type=int,
        default=2000,
        metavar="N",
        help="audit a larger table on a reproducible sample of N rows (default 2000)",
    )
    what.add_argument(
        "--seed", type=int, default=0, metavar="N", help="picks background and points (default 0)"
    )
    what.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="worker processes: the methods are split between them (default: 2 on a machine "
        "with 2 or more cores when the estimate exceeds 20 s, else 1)",
    )
    what.add_argument(
        "--budget",
        type=float,
        metavar="SECONDS",
        help="stop after this many seconds (the checks not run are reported as not run)",
    )
    out = parser.add_argument_group("output")
    out.add_argument(
        "--format", choices=FORMATS, default="text", help="report format (default text)"
    )
    out.add_argument("--output", metavar="FILE", help="write the report here instead of stdout")
    out.add_argument("--docs", metavar="DIR", help="also write a card page for the model into DIR")
    out.add_argument(
        "--no-progress", action="store_true", help="no progress bar (plain when not a terminal)"
    )


class _UsageError(Exception):
    pass


def _binding(text: str, what: str) -> tuple[str, str]:
    name, sep, path = text.partition("=")
    if not sep:
        name, path = what, text
    if not name.isidentifier() or not path:
        raise _UsageError(
            f"--{'model' if what == 'model' else 'data'} {text!r}: expected NAME=FILE "
            "(NAME: letters, digits and _)"
        )
    return name, path


def run(args: argparse.Namespace) -> int:
    """Run the audit; return the exit code."""
    from explainspec.worlds.sources.errors import SourceError

    try:
        return _run(args)
    except SourceError as e:  # it may quote the data file: column names, a cell
        from explainspec.lang.diagnostics import visible

        print(f"explainspec audit: {visible(e.render())}", file=sys.stderr)
        print("explainspec audit: nothing was run (exit 2)", file=sys.stderr)
        return 2
    except _UsageError as e:
        print(f"explainspec audit: {e}", file=sys.stderr)
        return 2


def _groups(text: str | None) -> Any:
    if text is None or text.startswith("auto:"):
        return text
    import json

    from explainspec.worlds.sources.errors import SourceError, refuse_linked_outside

    refuse_linked_outside(text, "ES367")
    if not os.path.isfile(text):  # a FIFO would block the command
        raise SourceError("ES367", "no such groups file (a regular file)", path=text)
    try:
        with open(text, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as e:
        raise SourceError("ES367", f"cannot read the groups file: {e}", path=text) from None
    if not isinstance(data, dict) or not all(
        isinstance(v, list) and all(isinstance(c, str) for c in v) for v in data.values()
    ):
        raise SourceError(
            "ES367", "a groups file is a JSON object {group: [column, ...]}", path=text
        )
    return data


def _run(args: argparse.Namespace) -> int:
    if args.points < 1 or args.background < 1:
        raise _UsageError("--points and --background must be at least 1")
    if args.budget is not None and not args.budget > 0:
        raise _UsageError(f"--budget {args.budget} must be positive")
    if args.max_rows < 1:
        raise _UsageError(f"--max-rows {args.max_rows} must be at least 1")
    if args.jobs is not None and args.jobs < 1:
        raise _UsageError(f"--jobs {args.jobs} must be at least 1")
    models = [_binding(t, "model") for t in args.model]
    tables = [_binding(t, "data") for t in args.data]
    for kind, items in (("model", models), ("data", tables)):
        names = [n for n, _ in items]
        if len(set(names)) != len(names):
            raise _UsageError(f"--{kind}: a name is bound twice ({', '.join(names)})")
    if not args.spec and (len(models) != 1 or len(tables) != 1):
        raise _UsageError("the built-in audit takes one --model and one --data (or give --spec)")
    if args.spec and args.methods:
        raise _UsageError("--methods applies to the built-in audit; a --spec names its method")
    specs = _load_specs(args.spec) if args.spec else []

    from explainspec import auditing
    from explainspec.worlds.sources import bindings

    groups = _groups(args.groups)
    rows = [r.strip() for r in args.rows.split(",") if r.strip()] if args.rows else None
    first_model = None
    bound_models, bound_tables = {}, {}
    for name, path in models:
        bound_models[name] = auditing.bind_model(
            path,
            name=name,
            scale=args.output_scale,
            klass=args.klass,
            trusted=args.trust,
            trust_pickle=args.trust_pickle,
        )
        first_model = first_model or bound_models[name]
    for name, path in tables:
        bound_tables[name] = auditing.bind_table(
            path,
            name=name,
            target=args.target,
            groups=groups,
            rows=rows,
            max_file_bytes=int(args.max_file_mb * 1024 * 1024),
            model=first_model,
            max_rows=args.max_rows,
        )
    methods = [m.strip() for m in args.methods.split(",") if m.strip()] if args.methods else None
    with bindings.bound(bound_models, bound_tables):
        if specs:
            for name in bound_models:  # align every pair the specs may use: bad inputs exit 2 here
                for table in bound_tables:
                    bindings.source_of(name, table)
        model_name, table_name = models[0][0], tables[0][0]
        recipe = auditing._recipe(
            {
                name: dict(
                    model=path,
                    name=name,
                    scale=args.output_scale,
                    klass=args.klass,
                    trusted=tuple(args.trust),
                    trust_pickle=args.trust_pickle,
                )
                for name, path in models
            },
            bound_tables,
            dict(tables),
            int(args.max_file_mb * 1024 * 1024),
        )
        plan = auditing.plan_audit(
            model_name,
            table_name,
            methods=methods,
            points=args.points,
            background=args.background,
            seed=args.seed,
            specs=specs,
        )
        return _execute(plan, args, recipe)


def _load_specs(paths: list[str]) -> list[Any]:
    """Load and check the specs as ``verify`` does (every diagnostic printed)."""
    from explainspec.commands import verify

    try:
        return verify._load_specs(paths)  # noqa: SLF001 - one loader for both commands
    except verify._UsageError as e:  # noqa: SLF001
        raise _UsageError(str(e).replace("verified", "run")) from None


def _jobs(plan: Any, args: argparse.Namespace) -> int:
    import os

    if args.jobs is not None:
        return int(args.jobs)
    cores = os.cpu_count() or 1
    return 2 if cores >= 2 and plan.estimate is not None and plan.estimate > 20 else 1


def _execute(plan: Any, args: argparse.Namespace, recipe: Any) -> int:
    from explainspec import auditing
    from explainspec.report.audit import build_report

    err = sys.stderr
    print(
        f"explainspec audit: {plan.claims} checks of {len(plan.methods)} method(s) "
        f"({', '.join(plan.methods)}); {plan.estimate_text or 'your specs'}",
        file=err,
    )
    if args.budget is not None and plan.estimate and plan.estimate > args.budget:
        print(
            f"explainspec audit: the estimate exceeds --budget {args.budget:g} s; the audit stops "
            "when the budget is used (fewer --points or --methods make it shorter)",
            file=err,
        )
    progress = _Progress(plan.claims, enabled=not args.no_progress)
    try:
        jobs = _jobs(plan, args)
        ran = auditing.execute(
            plan, recipe, jobs, seed=args.seed, budget=args.budget, on_event=progress.handle
        )
    finally:
        progress.close()
    report = build_report(ran)
    if _write_report(report, args.format, args.output, err):
        return 2
    if args.docs:
        from explainspec.docgen.audit_card import write_card

        try:
            path = write_card(report, args.docs)
        except OSError as exc:
            from explainspec.lang.diagnostics import visible

            print(f"explainspec audit: ES251 cannot write the card: {visible(str(exc))}", file=err)
            return 2
        print(f"explainspec audit: card written to {path}", file=err)
    return 1 if (report.errors or report.stopped) else 0


class _Progress:
    """A progress bar on stderr (rich) while the checks run; silent when not a terminal."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        from explainspec.report.terminal import plain_mode

        self.bar: Any = None
        self.task: Any = None
        if enabled and not plain_mode(sys.stderr):
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(file=sys.stderr),
                transient=True,
            )
            self.task = self.bar.add_task("audit", total=total)
            self.bar.start()

    def handle(self, event: Any) -> None:
        if self.bar is None:
            return
        kind = type(event).__name__
        if kind == "ClaimStarted":
            self.bar.update(self.task, description=f"{event.spec}.{event.claim}")
        elif kind == "ClaimFinished":
            self.bar.advance(self.task)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _write_report(report: Any, fmt: str, output: str | None, err: Any) -> int:
    """Print the report, or write it to ``output``; 0, or 2 (``ES251``) when it cannot be
    written. A checkout's link at ``output`` is replaced, never written through, and a folder
    reached through a link out of the checkout is refused (:mod:`explainspec.docgen.outputs`)."""
    if fmt == "json":
        import json

        text = json.dumps(report.to_dict(), indent=2) + "\n"
    else:  # the data's column names and row ids, escaped as every untrusted text to a terminal
        from explainspec.lang.diagnostics import visible

        text = visible(report.text()) + "\n"
    if not output:
        sys.stdout.write(text)
        return 0
    from explainspec.docgen.outputs import write_file
    from explainspec.lang.diagnostics import visible

    try:
        write_file(output, text)
    except OSError as exc:
        reason = visible(str(exc.strerror or exc))
        print(f"explainspec audit: ES251 cannot write the report: {reason}", file=err)
        return 2
    print(f"explainspec audit: report written to {visible(output)}", file=err)
    return 0
