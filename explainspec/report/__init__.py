"""Reporters: consumers of the runner's events (terminal, JSON, JUnit).

A reporter is any object with ``handle(event) -> None``; it never touches hypothesis objects or
numpy arrays, only the plain dataclasses of :mod:`explainspec.runner.events`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["JsonReporter", "JunitReporter", "TerminalReporter", "fan_out"]


def fan_out(reporters: Iterable[Any]) -> Any:
    """One ``handle`` that feeds an event to every reporter, in order."""
    reporters = list(reporters)

    def handle(event: Any) -> None:
        for r in reporters:
            r.handle(event)

    return handle


def __getattr__(name: str) -> Any:
    if name == "JsonReporter":
        from explainspec.report.json_report import JsonReporter

        return JsonReporter
    if name == "JunitReporter":
        from explainspec.report.junit import JunitReporter

        return JunitReporter
    if name == "TerminalReporter":
        from explainspec.report.terminal import TerminalReporter

        return TerminalReporter
    raise AttributeError(f"module 'explainspec.report' has no attribute {name!r}")
