"""The ``explainspec`` command line: ``main(argv) -> int``.

Subcommands are modules ``explainspec.commands.<name>`` with ``HELP``, ``add_arguments(parser)``
and ``run(args) -> int``. Only the module of the chosen subcommand is imported to run it; the
others are imported for their ``HELP`` line only when the top-level help is shown. A listed
module that does not exist is skipped.

Exit codes: 0 pass, 1 a claim failed (or ``fmt --check`` would reformat), 2 spec or usage error,
3 internal error. No traceback is ever shown unless ``--debug`` (accepted before or after the
subcommand) or ``EXPLAINSPEC_DEBUG=1``; an internal error is reported as ``ES259``, a plugin
module that cannot be imported as ``ES250`` (exit 2).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import re
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

#: Subcommands, in the order of the help text.
COMMANDS = ("check", "fmt", "convert", "list", "schema", "verify", "probe", "audit", "diff", "docs")

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_INTERNAL = 0, 1, 2, 3

#: What ``--plugin`` accepts: a dotted module name (never a file path).
MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
_DEBUG_HELP = "show the traceback of an internal error (also EXPLAINSPEC_DEBUG=1)"
_PLUGIN_HELP = (
    "import MODULE (a module name, not a file path) to register plugin methods; repeatable, "
    "before or after the command"
)
#: where a ``--plugin`` given after the command is kept until :func:`main` merges it
_PLUGIN_AFTER = "_plugin_after"


class _Version(argparse.Action):
    """``--version``, looked up only when asked for (package metadata is slow to read)."""

    def __init__(
        self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any
    ) -> None:
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help="show the version and exit",
        )

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("explainspec")
        except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
            v = "unknown"
        print(f"explainspec {v}")
        parser.exit(0)


def _command(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"explainspec.commands.{name}")
    except ModuleNotFoundError as err:
        if err.name == f"explainspec.commands.{name}":
            return None
        raise


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, just that subcommand's module is imported."""
    parser = argparse.ArgumentParser(
        prog="explainspec",
        description="Specify what an explanation method means, and check it against synthetic "
        "worlds with exact ground truth.",
        epilog="Exit codes: 0 pass, 1 a claim failed, 2 spec or usage error, 3 internal error.",
    )
    parser.add_argument("--version", action=_Version)
    parser.add_argument(
        "--plugin", action="append", default=[], metavar="MODULE", help=_PLUGIN_HELP
    )
    parser.add_argument("--debug", action="store_true", help=_DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if only is not None and name != only:
            continue
        module = _command(name)
        if module is None:
            continue
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        # one shared --plugin, after the command too: every command loads methods (check, fmt
        # and convert resolve method names, list/schema/docs describe them, verify/audit run
        # them); kept apart so that main() adds it to the modules named before the command
        p.add_argument(
            "--plugin",
            action="append",
            dest=_PLUGIN_AFTER,
            default=argparse.SUPPRESS,
            metavar="MODULE",
            help=_PLUGIN_HELP,
        )
        if "--debug" not in p._option_string_actions:
            # after the subcommand too; SUPPRESS keeps a top-level --debug from being reset
            p.add_argument(
                "--debug", action="store_true", default=argparse.SUPPRESS, help=_DEBUG_HELP
            )
        p.set_defaults(_run=module.run)
    return parser


def _chosen(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv`` (skipping global options), if it is a known one."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--plugin":
            skip = True
            continue
        if arg.startswith("-"):
            continue
        return arg if arg in COMMANDS else None
    return None


def _debug(argv: Sequence[str], args: Any = None) -> bool:
    if os.environ.get("EXPLAINSPEC_DEBUG"):
        return True
    if args is not None:
        return bool(getattr(args, "debug", False))
    return "--debug" in argv


def _first_line(err: BaseException) -> str:
    text = str(err)
    return text.splitlines()[0][:300] if text else ""


def _internal_error(err: BaseException, debug: bool) -> int:
    if debug:
        import traceback

        traceback.print_exception(err, file=sys.stderr)
    print(
        f"explainspec: ES259 internal error: {type(err).__name__}: {_first_line(err)}\n"
        "  This is a bug in explainspec (or in a plugin). Please report it with the command you "
        "ran (add --debug to see the traceback).",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def _load_plugins(names: Sequence[str], debug: bool) -> int | None:
    """Import the ``--plugin`` modules; ``None``, or the exit code of a clean ES250 error."""
    for name in names:
        if not MODULE_NAME.match(name):
            print(
                f"explainspec: ES250 --plugin {name!r} is not a module name: --plugin takes the "
                "dotted name of an importable module (e.g. my_methods or my_pkg.methods), not "
                "a file path\n"
                "  hint: install the package, or put its folder on PYTHONPATH: "
                "PYTHONPATH=path/to/folder explainspec --plugin my_methods ...",
                file=sys.stderr,
            )
            return EXIT_INVALID
    from explainspec.registry import load_plugins

    try:
        load_plugins(names)
    except Exception as err:  # noqa: BLE001 - a plugin is the user's code; say what failed
        if debug:
            import traceback

            traceback.print_exception(err, file=sys.stderr)
        kind = (
            "cannot import plugin module"
            if isinstance(err, ImportError)
            else (f"plugin module raised {type(err).__name__} while importing")
        )
        print(f"explainspec: ES250 {kind}: {_first_line(err)}", file=sys.stderr)
        return EXIT_INVALID
    return None


def entry() -> int:
    """The ``explainspec`` console script and ``python -m explainspec``: :func:`main`, and a
    quick exit.

    Before the interpreter shuts down, the heap is frozen (``gc.freeze``): the collections that
    Python runs while it finalizes then skip it. With shap, scikit-learn and a verify run's
    objects loaded they took about 0.8 s of a run of the built-in library; the process is about to
    end, and the operating system reclaims its memory. Files and pools are closed by the commands
    themselves, and the exit handlers (``atexit``) still run. :func:`main` itself leaves the heap
    alone, since a caller in its own process (tests, notebooks) goes on using it.
    """
    code = main()
    gc.freeze()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments without the program name; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit code (0 pass, 1 a claim failed, 2 spec or usage error, 3 internal error).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    args = None
    try:
        parser = build_parser(only=_chosen(argv))
        try:
            args = parser.parse_args(argv)
        except SystemExit as exit_:  # --help, --version, usage errors
            return int(exit_.code or 0) if not isinstance(exit_.code, str) else EXIT_INVALID
        args.plugin = [*args.plugin, *getattr(args, _PLUGIN_AFTER, [])]
        if hasattr(args, _PLUGIN_AFTER):
            delattr(args, _PLUGIN_AFTER)
        if args.plugin:
            failed = _load_plugins(args.plugin, _debug(argv, args))
            if failed is not None:
                return failed
        run = getattr(args, "_run", None)
        if run is None:
            parser.print_help()
            return EXIT_INVALID
        return int(run(args))
    except KeyboardInterrupt:
        print("explainspec: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        with contextlib.suppress(OSError):  # silence the failing flush at exit
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK
    except Exception as err:
        from explainspec.lang.diagnostics import SpecError

        if isinstance(err, SpecError):
            print(err.render(), file=sys.stderr)
            return EXIT_INVALID
        if _light_install(err, argv):  # the core install without the verify extra (ES383)
            return EXIT_INVALID
        return _internal_error(err, _debug(argv, args))


def _light_install(err: BaseException, argv: Sequence[str]) -> bool:
    """Say which extra to install when a command needs a library of the ``verify`` extra."""
    from explainspec import VERIFY_MODULES, missing_verify_modules, verify_extra_message

    name = getattr(err, "name", None) or ""
    if not isinstance(err, ImportError) or name.split(".")[0] not in VERIFY_MODULES:
        return False
    words = [a for a in argv if not a.startswith("-")][:1]
    command = f"explainspec {words[0]}" if words else "this command"
    missing = missing_verify_modules() or [name.split(".")[0]]
    print(f"explainspec: {verify_extra_message(command, missing)}", file=sys.stderr)
    return True


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
