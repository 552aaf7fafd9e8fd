"""Exact ground truth at the sizes of issue 21, as ratios against baselines of the same run.

1. A black box of d = 16 features, 100 background rows (continuous, all distinct), 10 points:
   exact interventional Shapley values (``oracles.shapley_exact.interventional_shapley``, by
   enumeration with evaluation sharing) against the time of evaluating ``f`` once on the rows the
   enumeration needs (counted by ``enumerate_games(stats=...)``), in chunks of the same size as
   the oracle's, built beforehand: the physical floor for a black box. Target ratio <= 1.5.
2. Term-wise exact Shapley at d = 100 with 1000 background rows (a structured function: sparse
   interactions of order <= 3), 10 points.
3. Peak memory: ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (target <= 2 GiB).

Usage::

    python bench/sizes.py [--points 10] [--rows 100]
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np

from explainspec.oracles import shapley_terms
from explainspec.oracles.shapley_exact import (
    CHUNK_ROWS,
    enumerate_games,
    interventional_shapley,
)


def black_box(z: np.ndarray) -> np.ndarray:
    """16 features: smooth and kinked terms, interactions up to order 3."""
    return (
        np.sin(z[:, 0]) * z[:, 1]
        + 0.5 * z[:, 2] ** 2
        - np.abs(z[:, 3]) * z[:, 4]
        + np.tanh(z[:, 5] + z[:, 6]) * z[:, 7]
        + (z[:, 8] > 0.2) * z[:, 9]
        + 0.25 * z[:, 0] * z[:, 4] * z[:, 8]
        + np.cos(z[:, 10:16]).sum(axis=1)
        + z[:, 11] * z[:, 15]
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=int, default=10)
    ap.add_argument("--rows", type=int, default=100)
    opts = ap.parse_args(argv)
    d, m, k = 16, opts.rows, opts.points
    rng = np.random.default_rng(0)
    bg, X = rng.normal(size=(m, d)), rng.normal(size=(k, d))

    stats: dict[str, int] = {}
    enumerate_games(black_box, X, bg, stats=stats)
    needed = stats["rows"]

    chunk = rng.normal(size=(min(CHUNK_ROWS, needed), d))

    def floor() -> None:
        left = needed
        while left > 0:
            black_box(chunk[: min(left, len(chunk))])
            left -= len(chunk)

    t = time.perf_counter()
    floor()
    t_floor = time.perf_counter() - t
    t = time.perf_counter()
    phi = interventional_shapley(black_box, X, bg)
    t_ours = time.perf_counter() - t
    err = np.abs(phi.sum(axis=1) - (black_box(X) - black_box(bg).mean())).max()

    shapes = [np.sin, np.abs, np.tanh, lambda t: t**2, lambda t: t]
    terms = tuple(
        (
            float(rng.normal()),
            {
                int(j): shapes[rng.integers(len(shapes))]
                for j in rng.choice(100, size=rng.integers(1, 4), replace=False)
            },
        )
        for _ in range(150)
    )
    bg100, X100 = rng.normal(size=(1000, 100)), rng.normal(size=(k, 100))
    t = time.perf_counter()
    shapley_terms(terms, X100, bg100)
    t_terms = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print("| benchmark | value | note |")
    print("|---|---:|---|")
    print(
        f"| rows the enumeration evaluates, d={d}, m={m}, k={k} | {needed} | "
        f"{k * m * 2**d} without sharing |"
    )
    print(
        f"| f once on those rows, in chunks of {len(chunk)} (floor, baseline) | "
        f"{t_floor:.2f} s | 1.000 |"
    )
    print(
        f"| exact interventional Shapley, black box | {t_ours:.2f} s | "
        f"{t_ours / t_floor:.3f} x floor (target <= 1.5) |"
    )
    print(f"| max efficiency error | {err:.1e} | |")
    print(
        f"| term-wise Shapley, d=100, 1000 rows, 150 terms order <= 3, k={k} | {t_terms:.3f} s | |"
    )
    print(f"| peak RSS | {peak:.0f} MiB | target <= 2048 |")
    print(f"\nload average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
