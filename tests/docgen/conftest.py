"""Fixtures of the docgen tests: a small spec file and a results report shaped like the runner's
JSON (``explainspec.runner.events.ClaimResult`` records with their ``Counterexample``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explainspec.lang import ir, load

SOURCE = """\
spec toy_shap "Toy SHAP" {
    method = reference.shapley
    output = attribution
    references = ["Shapley 1953"]

    question "How does f(x) minus the mean prediction split among the features?"

    world {
        function = any(linear, additive)
        features = 1..3
        data = grid(levels = 3)
    }

    claim efficiency holds "The attributions add up to f(x) minus the mean prediction." {
        check sum(phi) == f(x) - mean(f(background)) within 1e-9
    }

    claim additive_recovery answers component "For an additive f, phi_i is the centred i-th component." {
        assume no_interactions "f is additive."
        world { function = additive }
        check for all i: phi[i] == f.component(i, x[i]) - mean(f.component(i, background[:, i])) within 1e-9
    }

    claim sign_is_direction does_not_answer local_effect "A positive phi_i means increasing x_i increases f(x)." {
        check for all i: sign(phi[i]) == sign(grad(f, x)[i])
    }
}
"""


def make_spec(path: Path, source: str = SOURCE) -> ir.Spec:
    """Write ``source`` to ``path`` and load it."""
    path.write_text(source, encoding="utf-8")
    return load(path)


def make_report() -> dict:
    """A report in the runner's JSON shape: one record per claim, counterexamples spelled out."""

    def claim(name: str, kind: str, verdict: str, margin: float, examples: int, cx=None) -> dict:
        return {
            "spec": "toy_shap",
            "claim": name,
            "kind": kind,
            "verdict": verdict,
            "margin": margin,
            "examples": examples,
            "counterexample": cx,
            "seed": 1234,
            "profile": "standard",
            "error": None,
        }

    counterexample = {
        "function": "f(x) = x0 ** 2",
        "distribution": "grid(levels = 3)",
        "d": 1,
        "point": [0.5],
        "baseline": None,
        "background_rows": 3,
        "phi": [[-0.41666]],
        "quantities": [
            {"text": "sign(phi[i])", "value": -1.0, "shown": "-1"},
            {"text": "sign(grad(f, x)[i])", "value": 1.0, "shown": "1"},
        ],
        "margin": -0.41666,
        "seed": 1234,
        "world_seed": 99,
        "reproduce": "explainspec verify toy.espec --claim sign_is_direction --seed 1234",
        "source": "search",
        "info": [],
    }
    return {
        "report_version": 1,
        "seed": 1234,
        "profile": "standard",
        "date": "2026-11-27T12:00:00Z",
        "versions": {"explainspec": "0.1.0", "numpy": "2.4.6", "shap": "0.51.0"},
        "claims": [
            claim("efficiency", "holds", "verified", 1e-9, 100),
            claim("additive_recovery", "answers", "verified", 5e-10, 80),
            claim("sign_is_direction", "does_not_answer", "shown", -0.41666, 3, counterexample),
        ],
    }


@pytest.fixture
def spec(tmp_path: Path) -> ir.Spec:
    return make_spec(tmp_path / "toy.espec")


@pytest.fixture
def report() -> dict:
    return make_report()


@pytest.fixture
def report_file(tmp_path: Path, report: dict) -> Path:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    return path
