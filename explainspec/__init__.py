"""explainspec: say what an explanation method means, and check it against exact ground truth.

The curated public API. Everything is imported lazily, so ``import explainspec`` stays light
(no numpy, hypothesis or shap until a spec is verified).

Specs
    :func:`load` -- read a ``.espec`` / ``.espec.yaml`` file into a :class:`Spec`.
Verification
    :func:`verify` -- check every claim of a spec; returns a :class:`RunResult` of
    :class:`ClaimResult` (each with ``verdict``, ``margin``, ``counterexample`` and ``passed``).
    :func:`world_from_report` -- rebuild a counterexample's world from a result or a JSON
    report; :func:`explain` -- re-run the method on it.
Plugins
    :func:`method` -- register an explanation method (a callable ``Problem -> ndarray``);
    :class:`Problem`, :class:`Param`.

Examples
--------
>>> import explainspec
>>> spec = explainspec.loads('''
... spec demo "Exact Shapley values" {
...     method = reference.shapley
...     output = attribution
...     question "How does f(x) minus the mean prediction split among the features?"
...     world { function = linear; features = 1..3; data = grid(levels = 3); background = data; points = 2 }
...     claim efficiency holds "The attributions add up to f(x) minus the mean prediction." {
...         check sum(phi) == f(x) - mean(f(background)) within 1e-9
...     }
... }''')
>>> result = explainspec.verify(spec, profile="fast", max_examples=5)
>>> result[0].verdict.value, result[0].passed, result.passed
('verified', True, True)
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable
    from os import PathLike

    from explainspec.lang.ir import Spec
    from explainspec.runner.events import RunResult

__version__ = "0.1.0"

__all__ = [
    # specs
    "load",
    "loads",
    "Spec",
    "SpecError",
    # verification
    "verify",
    "audit",
    "card",
    "RunResult",
    "ClaimResult",
    "Counterexample",
    "Verdict",
    "world_from_report",
    "explain",
    "WorldDataError",
    # plugins
    "method",
    "Problem",
    "Param",
    "NotApplicable",
]

_LAZY = {
    "Spec": ("explainspec.lang.ir", "Spec"),
    "SpecError": ("explainspec.lang.diagnostics", "SpecError"),
    "RunResult": ("explainspec.runner.events", "RunResult"),
    "ClaimResult": ("explainspec.runner.events", "ClaimResult"),
    "Counterexample": ("explainspec.runner.events", "Counterexample"),
    "Verdict": ("explainspec.runner.events", "Verdict"),
    "card": ("explainspec.report.notebook", "card"),
    "world_from_report": ("explainspec.runner.world_data", "world_from_report"),
    "explain": ("explainspec.runner.world_data", "explain"),
    "WorldDataError": ("explainspec.runner.world_data", "WorldDataError"),
    "method": ("explainspec.registry", "method"),
    "Param": ("explainspec.registry", "Param"),
    "Problem": ("explainspec.methods.base", "Problem"),
    "NotApplicable": ("explainspec.methods.base", "NotApplicable"),
}


#: the top-level modules of the ``verify`` extra (pyproject.toml): what verifying imports. The
#: core install (``pip install explainspec``, the pre-commit hooks) has none of them, and
#: ``check``, ``fmt``, ``convert``, ``schema`` and ``list`` need none.
VERIFY_MODULES = ("numpy", "scipy", "hypothesis", "sklearn", "shap", "cloudpickle")

#: what to install for them (the message of ES383)
VERIFY_INSTALL = 'pip install "explainspec[verify]"'


def missing_verify_modules() -> list[str]:
    """The modules of the ``verify`` extra that are not installed (looked up, not imported)."""
    import importlib.util

    return [m for m in VERIFY_MODULES if importlib.util.find_spec(m) is None]


def verify_extra_message(what: str, missing: Iterable[str]) -> str:
    """``ES383 ...``: what a light install cannot do, and the extra that adds it."""
    return (
        f"ES383 {what} needs the verification libraries of the 'verify' extra; not installed: "
        f"{', '.join(missing)}. Install them with: {VERIFY_INSTALL} (every other extra, e.g. "
        "explainspec[library], includes it)"
    )


def _require_verify(what: str) -> None:
    missing = missing_verify_modules()
    if missing:
        raise ModuleNotFoundError(verify_extra_message(what, missing), name=missing[0])


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'explainspec' has no attribute {name!r}") from None
    try:
        value = getattr(import_module(module), attr)
    except ModuleNotFoundError as err:  # the core install: say which extra adds it (ES383)
        if (err.name or "").split(".")[0] in VERIFY_MODULES:
            raise ModuleNotFoundError(
                verify_extra_message(f"explainspec.{name}", missing_verify_modules()),
                name=err.name,
            ) from err
        raise
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def load(path: str | PathLike[str]) -> Spec:
    """Load a spec file (``.espec`` DSL or ``.espec.yaml``).

    Parameters
    ----------
    path
        The spec file; the form is chosen by the suffix.

    Returns
    -------
    Spec
        The spec's IR.

    Raises
    ------
    SpecError
        With every syntax diagnostic (``ES1xx``) found in the file.

    Examples
    --------
    >>> import explainspec, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "demo.espec"
    >>> _ = path.write_text('''spec demo "Demo" {
    ...     method = reference.shapley
    ...     output = attribution
    ...     question "?"
    ...     claim c holds "sum" { check sum(phi) == f(x) - mean(f(background)) within 1e-9 }
    ... }''')
    >>> spec = explainspec.load(path)
    >>> spec.name, [c.name for c in spec.claims]
    ('demo', ['c'])
    """
    from explainspec.lang import load as _load

    return _load(path)


def loads(text: str, *, form: str = "dsl") -> Spec:
    """Parse spec text (``form`` is ``"dsl"`` or ``"yaml"``); see :func:`load`.

    Examples
    --------
    >>> explainspec_spec = loads('spec s "S" { method = reference.shapley  output = attribution  question "?" }')
    >>> explainspec_spec.method.use
    'reference.shapley'
    """
    from explainspec.lang import load_text

    return load_text(text, form=form)


def verify(
    spec_or_path: Spec | str | PathLike[str] | Iterable[Spec | str | PathLike[str]],
    *,
    profile: str = "standard",
    seed: int = 0,
    max_examples: int | None = None,
    claims: Iterable[str] | str | None = None,
    timeout: float | None = None,
    plugins: Iterable[str] = (),
    claim_timeout: float | None = None,
    debug: bool = False,
    progress: bool | None = None,
) -> RunResult:
    """Verify the claims of one or more specs and return their verdicts.

    Parameters
    ----------
    spec_or_path
        A :class:`Spec`, a spec file, a folder of spec files, or a list of those.
    profile
        ``"fast"``, ``"standard"`` or ``"thorough"``: worlds per claim and replicates per
        ``within mc`` comparison.
    seed
        The run seed; the same seed gives the same verdicts and counterexamples.
    max_examples
        Overrides the profile's number of worlds per claim.
    claims
        Only the claims with these names (``claim`` or ``spec.claim``; wildcards allowed).
    timeout
        Seconds per method call; claims then run in a worker process that is killed on a hang.
    plugins
        Modules to import (in the worker process too) that register methods.
    claim_timeout
        Wall-clock seconds each claim may take in all (world generation, oracles, the check,
        the method calls); default: the profile's budget; ``math.inf``: none. A claim over it
        gets the verdict ``error`` (ES340) and the run goes on. (The memory cap of
        ``--memory-limit`` is the command's: it changes the process's limits.)
    debug
        Keep the traceback of a method error or an internal error in the claim's result
        (``ClaimResult.traceback``).
    progress
        Show a progress bar (claims done, the current claim, worlds checked), drawn by rich:
        live in a Jupyter cell, a line in a terminal. Default: only in a Jupyter kernel.

    Returns
    -------
    RunResult
        One :class:`ClaimResult` per claim, in order; ``.passed`` when every claim is verified
        or shown.

    Examples
    --------
    >>> import explainspec
    >>> spec = explainspec.loads('''
    ... spec demo "Exact Shapley values" {
    ...     method = reference.shapley
    ...     output = attribution
    ...     question "?"
    ...     world { function = linear; features = 1..3; data = grid(levels = 3); background = data; points = 2 }
    ...     claim sign_is_direction does_not_answer local_effect "phi_i > 0 means f increases in x_i" {
    ...         check for all i: sign(phi[i]) == sign(grad(f, x)[i])
    ...     }
    ... }''')
    >>> result = explainspec.verify(spec, profile="fast")
    >>> result["sign_is_direction"].verdict.value
    'shown'
    >>> print(result["sign_is_direction"].counterexample.reproduce)  # doctest: +ELLIPSIS
    explainspec verify demo.espec --claim sign_is_direction --seed 0 --profile fast
    """
    _require_verify("explainspec.verify")
    from explainspec.registry import load_plugins
    from explainspec.runner.plan import RunOptions
    from explainspec.runner.run import drive, run

    plugins = tuple(plugins)
    if plugins:
        load_plugins(plugins)
    specs = _specs(spec_or_path)
    if isinstance(claims, str):
        claims = (claims,)
    options = RunOptions(
        profile=profile,
        seed=int(seed),
        max_examples=max_examples,
        claims=tuple(claims or ()),
        timeout=timeout,
        plugins=plugins,
        claim_timeout=claim_timeout,
        debug=debug,
    )
    if progress is None:
        from explainspec.report.notebook import in_notebook

        progress = in_notebook()
    if not progress:
        return drive(run(specs, options), lambda event: None)
    from explainspec.report.notebook import NotebookProgress

    bar = NotebookProgress()
    try:
        return drive(run(specs, options), bar.handle)
    finally:
        bar.close()


def _specs(obj: Any) -> list[Spec]:
    from explainspec.lang import discover
    from explainspec.lang.ir import Spec

    if isinstance(obj, Spec):
        return [obj]
    if isinstance(obj, (str, Path)) or hasattr(obj, "__fspath__"):
        return [load(p) for p in discover([obj])]
    out: list[Spec] = []
    for item in obj:
        out.extend(_specs(item))
    return out


def audit(
    model: Any,
    data: Any,
    *,
    target: str | None = None,
    groups: Any = None,
    methods: Iterable[str] | None = None,
    points: int = 20,
    background: int = 100,
    rows: Iterable[Any] | None = None,
    seed: int = 0,
    scale: str | None = None,
    class_: Any = None,
    budget: float | None = None,
    specs: Iterable[Any] = (),
    jobs: int = 1,
    max_rows: int | None = 2000,
) -> Any:
    """Audit explanation methods on your fitted model and your data, with exact ground truth.

    Every audited method runs on your model at rows of your data; its numbers are checked against
    exact truth (interventional Shapley values by enumeration up to 16 features, and at any size
    for tree ensembles; permutation importance and partial dependence as exact means over the
    rows) and against metamorphic variants of your model whose correct answer is known (an
    appended column the model never reads, a noisy or exact copy of a column, a bump that is zero
    on every row, an increasing link of the output).

    Parameters
    ----------
    model
        A fitted scikit-learn estimator or pipeline, or a callable ``(n, d) -> (n,)``.
    data
        A pandas DataFrame (column names and index are carried into the report), an array, or
        the path of a CSV or Parquet file.
    target
        The column of ``data`` holding the target (permutation importance needs it; without it
        ``y`` is the model's own prediction).
    groups
        ``{group: [columns]}`` partitioning the features, or ``"auto:K"``: enables the grouped
        checks (group Shapley values).
    methods
        Registered method names (default: the shap explainers that apply, lime if installed,
        sklearn's permutation importance and partial dependence).
    points, background, rows, seed
        Rows explained (default 20, or the ids in ``rows``) and background rows (default 100),
        chosen reproducibly from ``seed``.
    scale, class_
        For a classifier: the output audited (``probability`` (default), ``log_odds``,
        ``decision``) and its class (default: the positive class of a binary classifier).
    budget
        Stop after this many seconds (the checks not run are reported as such).
    specs
        Your own specs (or their paths) naming ``user_model("model")`` and ``table("data")``,
        run instead of the built-in audit.
    max_rows
        A larger table is audited on a reproducible sample of this many rows (the exact
        permutation importance needs rows x distinct values evaluations per column).
    jobs
        Worker processes (default 1: everything in this process). With more, the methods are
        split between processes that bind the model and data again (they must be picklable).

    Returns
    -------
    explainspec.report.audit.AuditReport
        ``print(report)`` for the text; ``report.finding(method, claim)``; ``report.to_dict()``.

    Raises
    ------
    explainspec.worlds.sources.errors.SourceError
        ES360-ES369: the model or the data cannot be used (nothing is run).

    Examples
    --------
    >>> import explainspec  # doctest: +SKIP
    >>> report = explainspec.audit(model=gbr, data=df, target="target")  # doctest: +SKIP
    >>> report.finding("shap.kernel", "interventional_shapley").verdict  # doctest: +SKIP
    'holds'
    """
    _require_verify("explainspec.audit")
    from explainspec.auditing import audit as _audit

    return _audit(
        model,
        data,
        target=target,
        groups=groups,
        methods=tuple(methods) if methods is not None else None,
        points=points,
        background=background,
        rows=tuple(rows) if rows is not None else None,
        seed=seed,
        scale=scale,
        klass=class_,
        budget=budget,
        specs=tuple(specs),
        jobs=jobs,
        max_rows=max_rows,
    )
