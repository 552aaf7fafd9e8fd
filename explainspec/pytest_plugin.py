"""pytest plugin: every claim of a spec file becomes a test item.

Spec files (``.espec``, ``.espec.yaml``) are collected from ``pytest --espec PATH`` (repeatable)
and from the ``espec_paths`` ini option; each claim is one item, ``path::claim``, verified with
:func:`explainspec.verify`. An item passes when its claim reaches the verdict its kind asks for
(verified, or shown for ``does_not_answer``) and fails otherwise — ``not_applicable`` included,
exactly as ``explainspec verify`` counts it — with the counterexample or the error as its
message.

Options (command line / ini): ``--espec`` / ``espec_paths``, ``--espec-profile`` /
``espec_profile`` (default ``fast``), ``--espec-seed`` / ``espec_seed`` (default 0),
``--espec-plugin`` / ``espec_plugins`` (modules that register methods).

Every item is verified afresh: the plugin uses neither the results cache nor an example database
(:func:`explainspec.verify` runs claims without them, and hypothesis' settings come from
explainspec, not from the test session's hypothesis profile), so a test's verdict is always the
one a fresh ``explainspec verify --no-cache`` gives.

This module is loaded by every pytest run of an environment where explainspec is installed, so
it imports only pytest and the standard library at module level.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SUFFIXES = (".espec", ".espec.yaml")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("explainspec", "explainspec: verify spec files")
    group.addoption(
        "--espec",
        action="append",
        default=[],
        metavar="PATH",
        help="collect the claims of the spec files in PATH (a file or folder; repeatable)",
    )
    group.addoption(
        "--espec-profile",
        default=None,
        metavar="NAME",
        help="verification profile of the claims: fast, standard or thorough (ini: espec_profile)",
    )
    group.addoption(
        "--espec-seed", type=int, default=None, metavar="N", help="run seed (ini: espec_seed)"
    )
    group.addoption(
        "--espec-plugin",
        action="append",
        default=[],
        metavar="MODULE",
        help="import MODULE to register explanation methods (repeatable; ini: espec_plugins)",
    )
    parser.addini("espec_paths", "spec files or folders whose claims are tests", type="paths")
    parser.addini("espec_profile", "verification profile of spec claims", default="fast")
    parser.addini("espec_seed", "run seed of spec claims", default="0")
    parser.addini("espec_plugins", "modules that register explanation methods", type="linelist")


def _roots(config: pytest.Config) -> list[Path]:
    given = [Path(p) for p in config.getoption("espec")]
    return [p.resolve() for p in given + list(config.getini("espec_paths"))]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "espec: a claim of an explainspec spec file")
    # `--espec PATH` names what to collect, wherever it is: add it to the collection arguments.
    for path in config.getoption("espec"):
        if path not in config.args:
            config.args.append(str(path))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if not file_path.name.endswith(SUFFIXES):
        return None
    resolved = file_path.resolve()
    if any(resolved == root or root in resolved.parents for root in _roots(parent.config)):
        return EspecFile.from_parent(parent, path=file_path)
    return None


def _shown_path(path: Path, cwd: Path) -> Path:
    """``path`` relative to where pytest was started, when it lies below it.

    The spec's path ends up in the failure's "Reproduce with" line, which reads best (and can be
    pasted into the same shell) as the path the user typed.
    """
    try:
        return path.resolve().relative_to(cwd.resolve())
    except ValueError:
        return path


class EspecFile(pytest.File):
    """A spec file: one :class:`EspecItem` per claim."""

    def collect(self) -> Iterator[EspecItem]:
        from explainspec.lang import SpecError, load

        try:
            spec = load(_shown_path(self.path, self.config.invocation_params.dir))
        except SpecError as exc:
            raise self.CollectError(str(exc)) from None
        for claim in spec.claims:
            yield EspecItem.from_parent(self, name=claim.name, spec=spec, claim=claim)


class ClaimFailed(Exception):
    """A claim did not reach the verdict its kind asks for."""

    def __init__(self, result: Any) -> None:
        super().__init__(result.verdict.value)
        self.result = result


class EspecItem(pytest.Item):
    """One claim of a spec, verified when the item runs."""

    def __init__(self, *, spec: Any, claim: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.claim = claim
        self.add_marker(pytest.mark.espec)

    def _settings(self) -> dict[str, Any]:
        config = self.config
        seed = config.getoption("espec_seed")
        return {
            "profile": config.getoption("espec_profile") or config.getini("espec_profile"),
            "seed": int(seed if seed is not None else config.getini("espec_seed")),
            "plugins": tuple(config.getoption("espec_plugin"))
            + tuple(config.getini("espec_plugins")),
        }

    def runtest(self) -> None:
        from explainspec import verify

        result = verify(self.spec, claims=[self.claim.name], **self._settings())[0]
        self.user_properties.append(("verdict", result.verdict.value))
        if result.margin is not None:
            self.user_properties.append(("margin", result.margin))
        if result.verdict.value == "skipped":  # the method's library is not installed
            pytest.skip(result.error or "skipped")
        if not result.passed:
            raise ClaimFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if not isinstance(excinfo.value, ClaimFailed):
            return super().repr_failure(excinfo)
        result = excinfo.value.result
        lines = [
            f"{self.spec.name}.{self.claim.name} ({self.claim.kind.value}): {result.verdict.value}"
        ]
        lines.append(f"  claim: {self.claim.statement}")
        if result.verdict.value == "unshown":
            lines.append(
                f"  no world refuting the misreading was found in {result.examples} worlds "
                f"(worst margin {result.margin})"
            )
        if result.error:
            lines.append(f"  error: {result.error}")
        for diagnostic in result.diagnostics:
            lines.append(f"  {diagnostic}")
        if result.counterexample is not None:
            lines.append("  counterexample:")
            lines += [f"    {line}" for line in result.counterexample.lines()]
        return "\n".join(lines)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.claim.span.line - 1 if self.claim.span and self.claim.span.line else None
        return self.path, line, f"{self.spec.name}.{self.claim.name}"
