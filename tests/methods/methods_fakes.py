"""Small stand-ins for the worlds room's ``Function`` (the tests also run against the real
families when they are available; see ``test_with_worlds.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from explainspec.methods.base import Problem


@dataclass(frozen=True)
class FakeFunction:
    """A batch function ``(n, d) -> (n,)`` with optional handover forms."""

    fn: Callable[[np.ndarray], np.ndarray]
    d: int
    tags: frozenset[str] = frozenset({"callable"})
    model: Any = None
    linear: tuple[np.ndarray, float] | None = None
    gradient: Callable[[np.ndarray], np.ndarray] | None = None
    name: str = "fake"

    def __call__(self, z: Any) -> Any:
        z = np.asarray(z, dtype=float)
        if z.ndim == 1:
            return float(self.fn(z.reshape(1, -1))[0])
        return np.asarray(self.fn(z), dtype=float)

    def formula(self) -> str:
        return self.name

    def uses(self, i: int) -> bool:
        return True

    def grad(self, z: Any) -> np.ndarray:
        if self.gradient is None:
            raise NotImplementedError("no analytic gradient")
        return self.gradient(np.asarray(z, dtype=float))

    def component(self, i: int, t: Any) -> Any:
        raise LookupError("no components")

    def handover(self, form: str) -> Any:
        if form == "callable":
            return self.fn
        if form == "sklearn" and self.model is not None:
            return self.model
        if form == "linear" and self.linear is not None:
            return self.linear
        raise ValueError(f"{self.name} cannot be handed over as {form!r}")

    def swap(self, i: int, j: int) -> FakeFunction:
        raise NotImplementedError


def linear_function(w: Any, c: float = 0.0) -> FakeFunction:
    w = np.asarray(w, dtype=float)
    return FakeFunction(
        fn=lambda z: z @ w + c,
        d=len(w),
        tags=frozenset({"callable", "linear", "additive", "differentiable"}),
        linear=(w, c),
        gradient=lambda z: np.broadcast_to(w, np.shape(z)).copy(),
        name=" + ".join(f"{wi:g}*x{i}" for i, wi in enumerate(w)) + f" + {c:g}",
    )


def tree_function(model: Any, d: int) -> FakeFunction:
    return FakeFunction(
        fn=model.predict,
        d=d,
        tags=frozenset({"callable", "tree", "sklearn"}),
        model=model,
        name=f"{type(model).__name__}",
    )


def problem(
    f: Any,
    points: Any,
    background: Any,
    *,
    data: Any = None,
    y: Any = None,
    grid: Any = None,
    baseline: Any = None,
    seed: int = 0,
    **params: Any,
) -> Problem:
    background = np.asarray(background, dtype=float)
    data = background if data is None else np.asarray(data, dtype=float)
    d = background.shape[1]
    return Problem(
        f=f,
        points=np.asarray(points, dtype=float),
        background=background,
        data=data,
        y=f(data) if y is None else np.asarray(y, dtype=float),
        grid=np.tile(np.linspace(-1, 1, 5), (d, 1)) if grid is None else np.asarray(grid, float),
        baseline=np.zeros(d) if baseline is None else np.asarray(baseline, dtype=float),
        seed=seed,
        params=params,
    )


def polynomial(terms: dict[tuple[int, ...], float], d: int) -> FakeFunction:
    """``sum_S c_S prod_{i in S} x_i`` (plus ``sin`` of the first feature when S = (-1,))."""

    def fn(z: np.ndarray) -> np.ndarray:
        out = np.zeros(len(z))
        for key, c in terms.items():
            out += c * (np.sin(z[:, 0]) if key == (-1,) else np.prod(z[:, list(key)], axis=1))
        return out

    name = " + ".join(
        f"{c:g}*" + ("sin(x0)" if k == (-1,) else "*".join(f"x{i}" for i in k) or "1")
        for k, c in terms.items()
    )
    return FakeFunction(fn=fn, d=d, name=name or "0")


def small_worlds(min_d: int = 2, max_d: int = 4, max_order: int = 3, rows: int = 6):
    """Hypothesis strategy of ``(f, background, points)`` with nice numbers."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        d = draw(st.integers(min_d, max_d))
        values = st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
        subsets = st.lists(st.integers(0, d - 1), min_size=1, max_size=max_order, unique=True)
        keys = draw(st.lists(subsets.map(lambda s: tuple(sorted(s))), min_size=1, max_size=4))
        terms = {k: draw(values.filter(bool)) for k in keys}
        if draw(st.booleans()):
            terms[(-1,)] = 1.0
        n = draw(st.integers(2, rows))
        bg = np.array(
            draw(st.lists(st.lists(values, min_size=d, max_size=d), min_size=n, max_size=n))
        )
        points = bg[: draw(st.integers(1, 2))]
        return polynomial(terms, d), bg, points

    return build()
