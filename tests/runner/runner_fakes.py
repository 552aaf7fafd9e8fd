"""Small fakes of the worlds room for unit tests of the runner: linear functions on a finite grid.

The runner is tested against these before (and independently of) the real world strategies, so
a failure here points at the runner. Methods are registered as plugins (``fake.*``).
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

import explainspec
from explainspec.lang import ir, parse_expression
from explainspec.registry import Param
from explainspec.worlds.base import World


@dataclass(frozen=True)
class Linear:
    w: tuple[float, ...]
    tags: frozenset[str] = frozenset({"callable", "linear", "differentiable"})

    @property
    def d(self) -> int:
        return len(self.w)

    @property
    def weights(self) -> np.ndarray:
        return np.asarray(self.w, dtype=float)

    def __call__(self, z):
        z = np.asarray(z, dtype=float)
        return z @ np.asarray(self.w)

    def formula(self) -> str:
        return "f(x) = " + " + ".join(f"{w:g}*x{i}" for i, w in enumerate(self.w))

    def uses(self, i: int) -> bool:
        return self.weights[i] != 0

    def grad(self, z):
        return np.asarray(self.w, dtype=float)

    def handover(self, form):
        return self


@dataclass(frozen=True)
class Rows:
    rows: np.ndarray

    @property
    def d(self) -> int:
        return self.rows.shape[1]

    def describe(self) -> str:
        return f"uniform over {len(self.rows)} rows"


@st.composite
def linear_worlds(draw, max_d: int = 4):
    d = draw(st.integers(1, max_d))
    w = tuple(float(draw(st.integers(-3, 3))) for _ in range(d))
    n = draw(st.integers(1, 4))
    rows = np.array([[float(draw(st.integers(-2, 2))) for _ in range(d)] for _ in range(n)])
    f = Linear(w)
    k = draw(st.integers(1, len(rows)))
    return World(
        f=f,
        P=Rows(rows),
        data=rows,
        background=rows,
        points=rows[:k],
        baseline=np.zeros(d),
        grid=np.zeros((d, 0)),
        y=f(rows),
        seed=draw(st.integers(0, 2**32 - 1)),
    )


def install(monkeypatch, strategy=None) -> None:
    """Make ``explainspec.worlds`` hand out fake linear worlds."""
    from explainspec import worlds

    monkeypatch.setattr(worlds, "resolve", lambda block: block, raising=False)
    monkeypatch.setattr(worlds, "sized", lambda spec, *bounds: spec, raising=False)
    monkeypatch.setattr(
        worlds,
        "from_world",
        lambda spec: strategy if strategy is not None else linear_worlds(),
        raising=False,
    )


# ----------------------------------------------------------------------------- methods


def _shapley(p):
    w = np.asarray(p.f.w)
    return w * (p.points - p.background.mean(axis=0))


@explainspec.method("fake.exact", output="attribution")
def exact(p):
    """Exact interventional Shapley values of a linear function."""
    return _shapley(p)


@explainspec.method(
    "fake.plus", output="attribution", params=(Param(name="c", type="float", default=0.5),)
)
def plus(p):
    """Shapley values plus a constant (a planted bug)."""
    return _shapley(p) + p.params["c"]


@explainspec.method(
    "fake.noisy",
    output="attribution",
    randomized=True,
    params=(Param(name="sd", type="float", default=0.1),),
)
def noisy(p):
    """Shapley values plus Gaussian noise from the problem's seed."""
    rng = np.random.default_rng(p.seed)
    return _shapley(p) + rng.normal(0, p.params["sd"], size=p.points.shape)


@explainspec.method("fake.raises", output="attribution")
def raises(p):
    """Raises when any weight is negative."""
    if min(p.f.w) < 0:
        raise RuntimeError("negative weights are not supported")
    return _shapley(p)


@explainspec.method("fake.not_applicable", output="attribution", requires=("callable", "tree"))
def not_applicable(p):
    return _shapley(p)


@explainspec.method("fake.hangs", output="attribution")
def hangs(p):
    """Never returns when the world has three or more features."""
    if p.f.d >= 3:
        time.sleep(3600)
    return _shapley(p)


@explainspec.method("fake.segfault", output="attribution")
def segfault(p):
    """Crashes the interpreter (SIGSEGV) on any world."""
    os.kill(os.getpid(), signal.SIGSEGV)
    return _shapley(p)


@explainspec.method("fake.global", output="importance", scope="global")
def global_importance(p):
    """|w| (a global method)."""
    return np.abs(np.asarray(p.f.w))


# ----------------------------------------------------------------------------- specs


def spec(
    method: str,
    *claims: tuple[str, str, str],
    params: dict | None = None,
    source: str | None = None,
) -> ir.Spec:
    """A spec with claims given as (name, kind, check)."""
    return ir.Spec(
        name="fake",
        title="Fake",
        method=ir.MethodRef(
            use=method,
            params=tuple(
                ir.Param(name=k, value=ir.Number(value=v)) for k, v in (params or {}).items()
            ),
        ),
        output=ir.OutputKind.ATTRIBUTION,
        question="?",
        claims=tuple(
            ir.Claim(
                name=name,
                kind=ir.ClaimKind(kind),
                statement=f"{name} statement",
                check=parse_expression(check),
                about=None if kind == "holds" else "decomposition",
            )
            for name, kind, check in claims
        ),
        world=ir.WorldBlock(fields=(ir.WorldField(name="function", value=ir.Name(id="linear")),)),
        source=source,
    )


EFFICIENCY = ("efficiency", "holds", "sum(phi) == f(x) - mean(f(background)) within 1e-9")
EXACT = (
    "exact",
    "answers",
    "for all i: phi[i] == f.weights[i] * (x[i] - mean(background[:, i])) within 1e-9",
)
MC = (
    "mc",
    "answers",
    "for all i: phi[i] == f.weights[i] * (x[i] - mean(background[:, i])) within mc(z = 5)",
)
NONZERO = ("nonzero", "does_not_answer", "for all i: phi[i] != 0")


def verdicts(spec, **options):
    """Run ``spec`` at the fast profile (``options`` override) and return its results by claim."""
    from explainspec.runner.plan import RunOptions
    from explainspec.runner.run import drive, run

    result = drive(run([spec], RunOptions(**{"profile": "fast", **options})), lambda e: None)
    return {c.claim: c for c in result}
