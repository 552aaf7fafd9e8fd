"""``explainspec verify``: check every claim of the given specs against synthetic worlds.

Exit codes: 0 every claim verified or shown; 1 a claim was refuted, unshown, an error (its
method crashed, it exceeded its time budget or the memory limit), invalid or not applicable, or
the run was interrupted; 2 a spec or usage error (the diagnostics are printed); 3 an internal
error of explainspec (also when it happened inside one claim: ES309).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from typing import Any

HELP = "verify the claims of spec files against synthetic worlds with exact ground truth"

DEFAULT_SEED = (
    0  # keep equal to explainspec.runner.settings.DEFAULT_SEED (not imported: cheap --help)
)
PROFILES = ("fast", "standard", "thorough")
FORMATS = ("text", "json", "junit", "github", "sarif")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``explainspec verify`` (cheap imports only)."""
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="spec files (.espec, .espec.yaml) or folders of them",
    )
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="standard",
        help="how hard to search: fast (CI: 25 worlds per claim, 20 replicates per mc check), "
        "standard (100, 30; default), thorough (500, 50)",
    )
    parser.add_argument(
        "--max-examples", type=int, metavar="N", help="worlds per claim (overrides the profile)"
    )
    parser.add_argument(
        "--seed",
        default=str(DEFAULT_SEED),
        metavar="N",
        help=f"run seed (default {DEFAULT_SEED}, so runs are reproducible); 'random' draws one and prints it",
    )
    parser.add_argument(
        "--claim",
        action="append",
        default=[],
        metavar="NAME",
        help="only this claim (NAME or SPEC.NAME, wildcards allowed; repeatable)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="report format (default text)"
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="write the json/junit/github/sarif report here (json: rewritten after every claim, so an "
        "interrupted run keeps what finished); the text report still goes to stdout",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="limit per method call: claims run in a worker process that is killed when a call "
        "exceeds it (the claim's verdict is then 'error'; hangs and crashes do not stop the run)",
    )
    from explainspec.runner import settings  # plain data, no numpy

    budgets = parser.add_argument_group("budgets (docs/concepts/budgets.md)")
    share = f"{settings.MEMORY_FRACTION * 100:g}%"
    defaults = ", ".join(f"{p.name} {p.claim_budget:g}" for p in settings.PROFILES.values())
    budgets.add_argument(
        "--claim-timeout",
        metavar="SECONDS",
        help="wall-clock budget of each claim: world generation, oracles, the check and the "
        f"method calls (default: the profile's, {defaults}, more with --max-examples; 0 or "
        "'none': no budget); a claim "
        "over it is an 'error' (ES340) and the run goes on",
    )
    budgets.add_argument(
        "--memory-limit",
        metavar="SIZE",
        default=share,
        help="memory cap of the verify process and of each worker process, e.g. 4G, 512M or a "
        f"percentage of the machine's memory (default {share}%; 0 or 'none': no "  # '%%': argparse
        "cap); an allocation beyond it is an 'error' (ES341), not an exhausted machine",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,  # a --debug before the command is not reset here
        help="print the full traceback of a method error or an internal error (stderr)",
    )
    scale = parser.add_argument_group("scale (docs/howto/scale.md)")
    scale.add_argument(
        "--watch",
        action="store_true",
        help="keep running: each time a spec file or a method's code changes, re-verify the "
        "claims whose text or whose method's code changed, in this warm process and its warm "
        "workers, and print their verdicts (Ctrl-C stops; text reports only)",
    )
    scale.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="claims run on N local worker processes, one claim per task (default: the number of "
        "cores; 1 runs them in this process); verdicts do not depend on N",
    )
    scale.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="local processes (default) or a Dask distributed cluster (needs --scheduler)",
    )
    scale.add_argument(
        "--scheduler", metavar="ADDRESS", help="the Dask scheduler, e.g. tcp://10.0.0.5:8786"
    )
    scale.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="where the results cache and hypothesis' example database live (default: this "
        "project's folder in the user's cache folder, never the checkout; see "
        "docs/howto/scale.md)",
    )
    scale.add_argument(
        "--cache",
        metavar="PATH",
        help="the results cache file: unchanged claims are not re-run (default "
        "CACHE_DIR/cache.sqlite)",
    )
    scale.add_argument(
        "--no-cache",
        action="store_true",
        help="re-run every claim; use neither the results cache nor hypothesis' example database "
        "(also when the environment variable EXPLAINSPEC_NO_CACHE is set to 1)",
    )
    scale.add_argument(
        "--example-db",
        metavar="DIR",
        help="hypothesis' example database: a claim replays the failures its identical search "
        "found before (default CACHE_DIR/hypothesis; 'none' switches it off)",
    )


def _seed(text: str) -> int:
    if text == "random":
        import secrets

        seed = secrets.randbelow(2**32)
        print(f"explainspec verify: using --seed {seed}", file=sys.stderr)
        return seed
    try:
        return int(text)
    except ValueError:
        raise _UsageError(f"--seed {text!r} is not an integer or 'random'") from None


class _UsageError(Exception):
    pass


def _load_specs(paths: list[str]) -> list[Any]:
    """Load and check every spec; print every diagnostic; raise _UsageError if any is an error."""
    from explainspec.lang import check_spec, discover, load
    from explainspec.lang.diagnostics import SpecError, render_all
    from explainspec.lang.loader import source_text

    specs, failed = [], False
    files = discover(paths)
    if not files:
        raise _UsageError(f"no spec files (.espec, .espec.yaml) found in {', '.join(paths)}")
    for path in files:
        try:
            spec = load(path)
        except SpecError as err:
            print(err.render(), file=sys.stderr)
            failed = True
            continue
        try:
            diagnostics = check_spec(spec)
        except ImportError:  # semantic checks not available: the runner reports what fails
            diagnostics = []
        if diagnostics:
            # read as load() read it (links, size, regular file), not with a second, plain read
            text = source_text(path)
            source = {str(path): text} if text is not None else {}
            print(render_all(diagnostics, source), file=sys.stderr)
        if any(d.is_error for d in diagnostics):
            failed = True
            continue
        specs.append(spec)
    if failed:
        raise _UsageError("the specs above have errors; nothing was verified")
    return specs


def run(args: argparse.Namespace) -> int:
    """Verify; return the exit code."""
    try:
        return _run(args)
    except _UsageError as e:
        print(f"explainspec verify: {e}", file=sys.stderr)
        return 2
    except Exception:  # the command line reports it in one line (exit 3); --debug shows where
        if getattr(args, "debug", False):
            import traceback

            traceback.print_exc()
        raise


def _execution(args: argparse.Namespace) -> Any:
    """The ``Execution`` of the scale options (pool/dask, results cache, example database)."""
    import os

    from explainspec.runner.parallel import Execution, default_jobs

    if args.executor == "dask" and not args.scheduler:
        raise _UsageError("--executor dask needs --scheduler ADDRESS")
    if args.jobs is not None and args.jobs < 1:
        raise _UsageError(f"--jobs {args.jobs} must be at least 1")
    no_cache = args.no_cache or os.environ.get("EXPLAINSPEC_NO_CACHE", "") == "1"
    cache = db = None
    if not no_cache:
        from pathlib import Path

        from explainspec.runner.cache import CACHE_FILE, EXAMPLES_DIR, default_cache_dir

        folder = Path(args.cache_dir) if args.cache_dir else None
        if folder is None and (args.cache is None or args.example_db is None):
            folder = default_cache_dir()
        cache = args.cache or str(folder / CACHE_FILE)  # type: ignore[operator]
        db = args.example_db or str(folder / EXAMPLES_DIR)  # type: ignore[operator]
        if db.lower() == "none":
            db = None
    return Execution(
        jobs=args.jobs if args.jobs is not None else default_jobs(),
        executor=args.executor,
        scheduler=args.scheduler,
        cache=cache,
        example_db=db,
    )


def _claim_timeout(text: str | None) -> float | None:
    """Seconds of ``--claim-timeout`` (``None``: the profile's; ``inf``: no budget)."""
    if text is None:
        return None
    if text.strip().lower() in ("0", "none", "off"):
        return float("inf")
    try:
        seconds = float(text)
    except ValueError:
        raise _UsageError(
            f"--claim-timeout {text!r} is not a number of seconds or 'none'"
        ) from None
    if not seconds > 0:
        raise _UsageError(f"--claim-timeout {text} must be positive (0 or 'none': no budget)")
    return seconds


def _memory_limit(text: str) -> int | None:
    """Bytes of ``--memory-limit`` (``None``: no cap)."""
    from explainspec.runner.budget import parse_memory_limit

    try:
        limit = parse_memory_limit(text)
    except ValueError as e:
        raise _UsageError(str(e)) from None
    from explainspec.runner.budget import data_in_use, format_bytes

    used = data_in_use()
    if limit is not None and used is not None and used >= limit:
        raise _UsageError(
            f"--memory-limit {text} ({format_bytes(limit)}) is below what this process already "
            f"uses ({format_bytes(used)}); a run needs about 0.5 GiB per process with shap loaded"
        )
    return limit


class _cache_notices:  # noqa: N801 - used as a context manager
    """Print the results cache's warnings (a claim not cached, a cache rebuilt) as one plain line
    each on stderr, as they happen, instead of Python's ``file:line: CacheWarning: ...``."""

    def __enter__(self) -> None:
        import warnings

        from explainspec.runner.cache import CacheWarning

        self._shown = warnings.showwarning

        def show(message: Any, category: Any, *args: Any, **kwargs: Any) -> None:
            if issubclass(category, CacheWarning):
                print(f"explainspec verify: {message}", file=sys.stderr)
            else:
                self._shown(message, category, *args, **kwargs)

        warnings.showwarning = show

    def __exit__(self, *exc: Any) -> None:
        import warnings

        warnings.showwarning = self._shown


def _run(args: argparse.Namespace) -> int:
    if args.watch and (args.format != "text" or args.output):
        raise _UsageError("--watch prints a text report; it takes neither --format nor --output")
    if args.watch and args.executor != "local":
        raise _UsageError(
            "--watch keeps local worker processes warm; it cannot use --executor dask"
        )
    if args.max_examples is not None and args.max_examples < 1:
        raise _UsageError(f"--max-examples {args.max_examples} must be at least 1")
    if args.timeout is not None and not args.timeout > 0:
        raise _UsageError(f"--timeout {args.timeout} must be positive")
    claim_timeout = _claim_timeout(args.claim_timeout)
    memory_limit = _memory_limit(args.memory_limit)
    seed = _seed(args.seed)
    from explainspec.registry import UnknownName

    # the --plugin modules (before or after the command) were imported by explainspec.cli
    # numba's file cache for the method libraries' compiled code, set before anything imports
    # numba (here and in the workers): a cold run compiles once per machine (runner/jitcache.py).
    # --no-cache (or EXPLAINSPEC_NO_CACHE=1) is a fresh run: nothing compiled earlier is loaded.
    from explainspec.runner import jitcache

    if not (args.no_cache or os.environ.get("EXPLAINSPEC_NO_CACHE", "") == "1"):
        jitcache.configure()
    specs = _load_specs(args.paths)

    from explainspec.report import JsonReporter, JunitReporter, TerminalReporter, fan_out
    from explainspec.runner.plan import RunOptions, select
    from explainspec.runner.run import drive, run

    patterns = tuple(args.claim)
    if patterns and not any(select(s, patterns) for s in specs):
        known = ", ".join(f"{s.name}.{c.name}" for s in specs for c in s.claims)
        raise _UsageError(f"no claim matches --claim {' '.join(patterns)}; claims: {known}")
    options = RunOptions(
        profile=args.profile,
        seed=seed,
        max_examples=args.max_examples,
        claims=patterns,
        timeout=args.timeout,
        plugins=tuple(args.plugin),
        claim_timeout=claim_timeout,
        debug=getattr(args, "debug", False),
    )
    reporters: list[Any] = []
    if args.format == "text" or args.output:
        reporters.append(TerminalReporter(sys.stdout))
    if args.format == "json":
        reporters.append(JsonReporter(args.output, stream=None if args.output else sys.stdout))
    elif args.format == "junit":
        reporters.append(JunitReporter(args.output, stream=None if args.output else sys.stdout))
    elif args.format in ("github", "sarif"):
        from explainspec.report.github import GithubReporter
        from explainspec.report.sarif import SarifReporter

        reporter = GithubReporter if args.format == "github" else SarifReporter
        reporters.append(reporter(args.output, stream=None if args.output else sys.stdout))
    if getattr(args, "debug", False):
        reporters.append(_DebugTracebacks())
    from explainspec.runner.budget import apply_memory_limit, current_memory_limit

    # workers set the cap themselves (explicitly: their server process may have been started
    # under another limit); with no cap they get this process's own limit back
    before = current_memory_limit()
    options = dataclasses.replace(
        options, memory_limit=memory_limit if memory_limit is not None else before
    )
    restore = apply_memory_limit(memory_limit)
    if args.watch:
        try:
            return _watch(args, options, _execution(args), reporters, restore)
        finally:
            restore()
    try:
        try:
            events = run(specs, options, _execution(args))
        except UnknownName as e:
            raise _UsageError(str(e)) from None
        try:
            with _cache_notices():
                result = drive(events, fan_out(reporters))
        except Exception:  # noqa: BLE001 - anything escaping the runner is a bug of explainspec
            if getattr(args, "debug", False) or os.environ.get("EXPLAINSPEC_DEBUG"):
                import traceback

                traceback.print_exc()
            print(
                "explainspec verify: internal error (exit 3); this is a bug in explainspec, "
                "please report it (--debug shows the traceback)",
                file=sys.stderr,
            )
            return 3
    finally:
        restore()
    internal = [c for c in result.claims if c.internal_error]
    if internal:
        names = ", ".join(c.id for c in internal)
        print(
            f"explainspec verify: internal error of explainspec in {len(internal)} claim(s) "
            f"(ES309: {names}); exit 3. This is a bug in explainspec, please report it"
            + ("" if getattr(args, "debug", False) else " (--debug shows the traceback)"),
            file=sys.stderr,
        )
        return 3
    return 0 if result.passed else 1


class _DebugTracebacks:
    """``--debug``: prints each claim's traceback (a method error or an internal error) to stderr
    as the claim finishes, whatever the report format."""

    def handle(self, event: Any) -> None:
        from explainspec.runner.events import ClaimFinished

        if isinstance(event, ClaimFinished) and event.result.traceback:
            r = event.result
            print(f"--- traceback of {r.id} ({r.verdict.value}) ---", file=sys.stderr)
            print(str(r.traceback).rstrip("\n"), file=sys.stderr)


def _watch(
    args: argparse.Namespace,
    options: Any,
    execution: Any,
    reporters: list[Any],
    restore: Any,
) -> int:
    """``--watch``: verify, then re-verify what changed each time a watched file changes, until
    Ctrl-C; the exit code is that of the latest verdicts (runner/watch.py)."""
    from explainspec.registry import UnknownName
    from explainspec.report import fan_out
    from explainspec.runner.watch import Watcher, describe, environment_restarted, restart_command

    def load(paths: list[str]) -> list[Any]:
        return _load_specs(paths)

    def handle(event: Any) -> None:
        show(event)
        sys.stdout.flush()  # verdicts as they come, also into a pipe

    show = fan_out(reporters)
    watcher = Watcher(list(args.paths), options, execution, load)
    why = environment_restarted()
    if why:
        print(f"explainspec verify --watch: started afresh ({why})", file=sys.stderr)
    first = True
    try:
        while True:
            try:
                with _cache_notices():
                    done = watcher.round(handle)
            except _UsageError as e:  # a spec with errors: its diagnostics are printed already
                print(f"explainspec verify --watch: {e}; waiting for changes", file=sys.stderr)
                done = None
            except UnknownName as e:
                print(f"explainspec verify --watch: {e}; waiting for changes", file=sys.stderr)
                done = None
            if done is not None and done.restart is not None:
                watcher.close()
                print(
                    f"explainspec verify --watch: {done.restart}; starting afresh",
                    file=sys.stderr,
                    flush=True,
                )
                sys.stdout.flush()
                os.environ["EXPLAINSPEC_WATCH_RESTARTED"] = done.restart
                restore()  # the memory cap: the new process sets it again
                command = restart_command()
                os.execv(command[0], command)
            if done is not None and done.result is not None and done.result.interrupted:
                break
            if done is not None and (done.ran or first):
                print(describe(args.paths, watcher.summary()), flush=True)
                failed = watcher.failed()
                if failed:
                    print(f"  failing: {', '.join(failed)}", flush=True)
                print("  waiting for changes (Ctrl-C stops)", flush=True)
            first = False
            watcher.wait()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.close()
    internal = [
        n for n in watcher.order if n in watcher.results and watcher.results[n].internal_error
    ]
    if internal:
        return 3
    return 1 if watcher.failed() else 0
