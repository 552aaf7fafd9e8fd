"""The spec language: IR, DSL and YAML front-ends, printers, diagnostics, semantic checks.

Public API
----------
load(path) -> Spec                       read a ``.espec`` / ``.espec.yaml`` file
load_text(text, *, path=None, form="dsl")
parse_expression(text) -> Expr           a check expression
check_spec(spec, registries=None) -> list[Diagnostic]
format_spec(spec) -> str                 canonical DSL
format_expr(expr) -> str                 one expression, minimal parentheses
to_yaml(spec) -> str                     the YAML form
discover(paths) -> list[Path]            spec files in files/folders
Diagnostic, SpecError

Nothing here imports numpy, hypothesis, shap or scikit-learn. The submodules are imported when a
function is first called, so ``import explainspec.lang.ir`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explainspec.lang.diagnostics import Diagnostic, SpecError

if TYPE_CHECKING:
    from explainspec.lang import ir
    from explainspec.registry import Registry

__all__ = [
    "Diagnostic",
    "SpecError",
    "check_spec",
    "discover",
    "format_expr",
    "format_spec",
    "load",
    "load_text",
    "parse_expression",
    "to_yaml",
]


def load(path: str | PathLike[str]) -> ir.Spec:
    """Load a spec file (DSL or YAML by suffix); raises :class:`SpecError`.

    See :func:`explainspec.lang.loader.load`.
    """
    from explainspec.lang.loader import load as _load

    return _load(path)


def load_text(text: str, *, path: str | PathLike[str] | None = None, form: str = "dsl") -> ir.Spec:
    """Parse spec text; ``form`` is ``"dsl"`` or ``"yaml"``. Raises :class:`SpecError`."""
    from explainspec.lang.loader import load_text as _load_text

    return _load_text(text, path=path, form=form)  # type: ignore[arg-type]


def parse_expression(text: str, *, file: str | None = None) -> ir.Expr:
    """Parse one check expression; raises :class:`SpecError`.

    Examples
    --------
    >>> from explainspec.lang import parse_expression, format_expr
    >>> format_expr(parse_expression("for all i: (phi[i] == 0)"))
    'for all i: phi[i] == 0'
    """
    from explainspec.lang.parser import parse_expression as _parse

    return _parse(text, file=file)


def format_expr(expr: ir.Expr) -> str:
    """Print one expression with minimal parentheses (re-parses to an equal expression)."""
    from explainspec.lang.printer import format_expr as _format

    return _format(expr)


def format_spec(spec: ir.Spec) -> str:
    """The canonical DSL text of ``spec`` (what ``explainspec fmt`` writes)."""
    from explainspec.lang.printer import format_spec as _format

    return _format(spec)


def to_yaml(spec: ir.Spec) -> str:
    """The YAML form of ``spec`` (``.espec.yaml``); loads back to an equal IR."""
    from explainspec.lang.yamlform import to_yaml as _to_yaml

    return _to_yaml(spec)


def check_spec(spec: ir.Spec, registries: Mapping[str, Registry] | None = None) -> list[Diagnostic]:
    """Semantic checks of a loaded spec against the registries; every problem, sorted.

    Parameters
    ----------
    spec : Spec
    registries : mapping of kind -> Registry, optional
        Defaults to :func:`explainspec.registry.registry` for each kind (a missing catalog module
        counts as an empty registry).

    Returns
    -------
    list of Diagnostic
        Errors and warnings; the spec is valid when none has ``severity == "error"``.
    """
    from explainspec.lang.semantics import check_spec as _check

    return _check(spec, registries)


def discover(paths: Iterable[str | PathLike[str]]) -> list[Path]:
    """Spec files in ``paths`` (files as given; folders searched for ``*.espec``/``*.espec.yaml``)."""
    from explainspec.lang.loader import discover as _discover

    return _discover(paths)


def __getattr__(name: str) -> Any:  # pragma: no cover - convenience
    raise AttributeError(f"module 'explainspec.lang' has no attribute {name!r}")
