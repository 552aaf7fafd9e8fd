"""Small helpers shared by the expr tests: parse text, build IR by hand, a toy Function."""

from __future__ import annotations

from typing import Any

import numpy as np

from explainspec.expr import Mode, Outcome, SimpleEnv, evaluate
from explainspec.lang import ir


def parse(text: str) -> ir.Expr:
    from explainspec.lang import parse_expression

    return parse_expression(text)


def check(text: str, mode: Mode = Mode(), **values: Any) -> Outcome:  # noqa: B008
    """Evaluate ``text`` in a SimpleEnv of ``values``."""
    return evaluate(parse(text), SimpleEnv(values), mode=mode)


def margin(text: str, **values: Any) -> float:
    return check(text, **values).margin


def verify_checks(**checks: str) -> Any:
    """Verify ``holds`` claims ``name = check`` on a small world (the runner end to end)."""
    import explainspec

    claims = "\n".join(
        f'    claim {name} holds "{name}" {{ check {text} }}' for name, text in checks.items()
    )
    spec = explainspec.loads(
        'spec checks "checks" {\n'
        '    method = reference.gradient(h = "analytic")\n'
        "    output = attribution\n"
        '    question "q"\n'
        "    world { function = linear; features = 1; data = grid(levels = 2); points = 1 }\n"
        f"{claims}\n}}"
    )
    return explainspec.verify(spec, profile="fast", max_examples=3)


# Hand-built IR (independent of the parser) for the property tests.
def num(v: float) -> ir.Number:
    return ir.Number(value=v)


def name(n: str) -> ir.Name:
    return ir.Name(id=n)


def cmp(op: str, left: ir.Expr, right: ir.Expr, tol: ir.Tolerance | None = None) -> ir.Compare:
    return ir.Compare(op=ir.CmpOp(op), left=left, right=right, tolerance=tol)


def absolute(t: float) -> ir.Tolerance:
    return ir.Tolerance(kind=ir.TolKind.ABS, value=t)


def relative(t: float) -> ir.Tolerance:
    return ir.Tolerance(kind=ir.TolKind.REL, value=t)


class ToyFunction:
    """A tiny additive function ``sum_i w_i * z_i**2`` with the ground-truth methods checks use."""

    def __init__(self, w: Any, secret: str = "hidden") -> None:
        self.w = np.asarray(w, dtype=float)
        self.d = len(self.w)
        self._secret = secret

    def __call__(self, z: Any) -> Any:
        z = np.asarray(z, dtype=float)
        return (z**2) @ self.w

    def component(self, i: int, t: Any) -> Any:
        return self.w[i] * np.asarray(t, dtype=float) ** 2

    def uses(self, i: int) -> bool:
        return bool(self.w[i] != 0)

    def swap(self, i: int, j: int) -> ToyFunction:
        w = self.w.copy()
        w[[i, j]] = w[[j, i]]
        return ToyFunction(w)

    @property
    def weights(self) -> np.ndarray:
        return self.w

    def formula(self) -> str:
        return " + ".join(f"{w:g}*x{i}^2" for i, w in enumerate(self.w))

    def __mul__(self, other: Any) -> ToyFunction:
        return ToyFunction(self.w * float(other))

    __rmul__ = __mul__

    def __add__(self, other: ToyFunction) -> ToyFunction:
        return ToyFunction(self.w + other.w)
