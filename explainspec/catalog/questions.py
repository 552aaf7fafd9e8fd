"""Question types: the kinds of question a user has in mind when reading an explanation.

Every ``answers`` / ``does_not_answer`` claim names one (``claim x answers component "..."``), so
that the docs can draw one matrix of methods x questions. Plain data; plugins may add entries
with ``explainspec.registry.register(Entry(kind="question", ...))``.
"""

from __future__ import annotations

from explainspec.catalog._common import entry
from explainspec.registry import Entry


def _q(name: str, question: str, about: str = "f") -> Entry:
    return entry("question", name, question, about=about)


ENTRIES: list[Entry] = [
    _q("decomposition", "How does f(x) minus the mean prediction split among the features?"),
    _q(
        "component", "What is the component function g_S of f (for an additive or low-order model)?"
    ),
    _q("reliance", "Does f use feature j at all?"),
    _q("local_effect", "How does f respond to a small change of x_j at x (sign, size)?"),
    _q("intervention", "What happens to f(x) if x_j is set to another value, or removed?"),
    _q(
        "data_dependence",
        "Does the target Y (or the data) depend on X_j? A question about the world, not about f.",
        about="world",
    ),
    _q("interaction", "Do features j and k interact in f?"),
    _q("recourse", "What is the smallest change of x that changes the decision?"),
    _q("ranking", "Which features matter most, and in which order?"),
    _q(
        "accuracy",
        "Does the estimator return the statistic it estimates (exactly, or within its sampling error)?",
        about="estimator",
    ),
    _q(
        "stability",
        "Does the explanation stay the same when only the method's random seed changes?",
        about="estimator",
    ),
]
