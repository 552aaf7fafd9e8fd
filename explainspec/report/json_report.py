"""The versioned JSON report, written incrementally.

After every finished claim the whole document is rewritten to a temporary file beside the output
and renamed over it (atomic on POSIX), so a run that is interrupted or killed leaves a valid report
of every claim that finished (``"status": "running"`` if the process died, ``"interrupted"`` after
Ctrl-C, ``"complete"`` at the end).

Non-finite floats are written as the strings ``"inf"``, ``"-inf"`` and ``"nan"`` (JSON has no
such numbers; ``float("-inf")`` reads them back).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
import os
import platform
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from explainspec.runner.events import (
    ClaimFinished,
    ClaimResult,
    Event,
    RunFinished,
    RunStarted,
)

REPORT_VERSION = 1

_PACKAGES = ("explainspec", "shap", "scikit-learn", "numpy", "hypothesis", "lark")


def versions() -> dict[str, str]:
    """Versions of explainspec, the libraries whose numbers it checks, and Python.

    Read from the installed package metadata (nothing is imported).

    Examples
    --------
    >>> v = versions()
    >>> sorted(v)[:3], "python" in v
    (['explainspec', 'hypothesis', 'lark'], True)
    """
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in _PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    out["python"] = platform.python_version()
    return out


def jsonable(value: Any) -> Any:
    """``value`` with dataclasses as dicts, tuples as lists and non-finite floats as strings.

    Examples
    --------
    >>> jsonable({"m": float("-inf"), "t": (1, 2.5)})
    {'m': '-inf', 't': [1, 2.5]}
    """
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "item"):  # numpy scalar
        return jsonable(value.item())
    return str(value)


def claim_record(result: ClaimResult) -> dict[str, Any]:
    """One claim of the report."""
    t = result.timings
    record: dict[str, Any] = {
        "spec": result.spec,
        "claim": result.claim,
        "kind": result.kind,
        "about": result.about,
        "statement": result.statement,
        "method": result.method,
        "source": result.source,
        "line": result.line,
        "verdict": result.verdict.value,
        "passed": result.passed,
        "margin": result.margin,
        "examples": result.examples,
        "counterexample": result.counterexample,
        "explicit_examples": result.explicit,
        "time": {"method": t.method, "oracles": t.oracles, "checker": t.checker, "total": t.total},
        "seconds": t.total,
        "seed": result.seed,
        "claim_seed": result.claim_seed,
        "profile": result.profile,
        "error": result.error,
        "diagnostics": result.diagnostics,
        "cached": result.cached,
    }
    if result.traceback is not None:  # --debug only
        record["traceback"] = result.traceback
    if result.points:  # a fixed world (explainspec audit): the outcome at every point
        record["points"] = result.points
    out = jsonable(record)
    cx = result.counterexample
    if cx is not None and cx.python_lines():  # the "Reproduce in Python:" snippet, as printed
        out["counterexample"]["python"] = "\n".join(cx.python_lines())
    return out


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and an atomic rename (a link at
    ``path`` is replaced; a folder reached through a link out of the checkout is refused, as
    :func:`explainspec.docgen.outputs.output_folder` refuses it)."""
    from explainspec.docgen.outputs import output_folder

    target = Path(path)
    output_folder(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: stands in for the claims array while the rest of the document is encoded
_CLAIMS_SLOT = "\x00explainspec-claims\x00"


def _indented(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line for line in text.splitlines())


class JsonReporter:
    """Collects events into the JSON document; writes it to ``path`` after every claim, or to
    ``stream`` once at the end when no path is given.

    Examples
    --------
    >>> from explainspec.runner.events import RunStarted
    >>> r = JsonReporter()
    >>> r.handle(RunStarted(seed=3, profile="fast", max_examples=25, replicates=10, specs=("s",), claims=1))
    >>> r.document["seed"], r.document["status"], r.document["report_version"]
    (3, 'running', 1)
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        stream: IO[str] | None = None,
        command: list[str] | None = None,
    ) -> None:
        self.path = path
        self.stream = stream
        self.document: dict[str, Any] = {
            "report_version": REPORT_VERSION,
            "status": "running",
            "versions": versions(),
            "command": command if command is not None else list(sys.argv),
            "claims": [],
        }
        # each claim's JSON text, made once: the file is rewritten after every claim, and
        # re-encoding every finished claim each time made a library run's report quadratic
        # (192 claims: 1.0 s of encoding)
        self._claim_texts: list[str] = []

    def handle(self, event: Event) -> None:
        doc = self.document
        if isinstance(event, RunStarted):
            doc.update(
                seed=event.seed,
                profile=event.profile,
                max_examples=event.max_examples,
                replicates=event.replicates,
                timeout=event.timeout,
                specs=list(event.specs),
                planned_claims=event.claims,
                replaced_methods=list(event.replaced),
                started=_now(),
            )
            self._write()
        elif isinstance(event, ClaimFinished):
            record = claim_record(event.result)
            doc["claims"].append(record)
            self._claim_texts.append(_indented(json.dumps(jsonable(record), indent=2), 4))
            self._write()
        elif isinstance(event, RunFinished):
            result = event.result
            counts: dict[str, int] = {}
            for c in result.claims:
                counts[c.verdict.value] = counts.get(c.verdict.value, 0) + 1
            doc.update(
                status="interrupted" if result.interrupted else "complete",
                finished=_now(),
                elapsed=event.elapsed,
                summary=counts,
                passed=result.passed,
            )
            self._write(final=True)

    def text(self) -> str:
        """The document as JSON (the same text as ``json.dumps(document, indent=2)``)."""
        claims = self.document["claims"]
        if len(self._claim_texts) != len(claims):  # claims added some other way: encode all
            return json.dumps(jsonable(self.document), indent=2) + "\n"
        rest = json.dumps(jsonable({**self.document, "claims": _CLAIMS_SLOT}), indent=2)
        body = "[\n" + ",\n".join(self._claim_texts) + "\n  ]" if claims else "[]"
        return rest.replace(json.dumps(_CLAIMS_SLOT), body, 1) + "\n"

    def _write(self, *, final: bool = False) -> None:
        if self.path is not None:
            write_atomic(self.path, self.text())
        elif final and self.stream is not None:
            self.stream.write(self.text())
            self.stream.flush()
