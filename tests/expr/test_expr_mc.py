"""`within mc(z)`: a z-test over independent replicates of the method."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _expr_helpers import parse

from explainspec.expr import EvalError, Mode, SimpleEnv, evaluate

# Replicates of an estimate with mean 1.1 and standard deviation 0.2 (sample, ddof=1): se = 0.1.
REPS = [0.9, 1.1, 1.3, 1.1]  # mean 1.1; std(ddof=1) = 0.16330; se = 0.08165
SE = float(np.std(REPS, ddof=1) / math.sqrt(len(REPS)))


def env_with(reps: list[float], truth: float = 1.0) -> SimpleEnv:
    return SimpleEnv(
        {"phi": reps[0], "truth": truth},
        replicates=len(reps),
        replicate_fn=lambda r: {"phi": reps[r]},
    )


def test_mc_passes_when_the_mean_is_within_z_standard_errors() -> None:
    out = evaluate(parse("phi == truth within mc(z = 5)"), env_with(REPS))
    assert out.margin == pytest.approx(5 * SE + 1e-9 * 2 - 0.1)
    assert out.holds
    stats = {t.text: t.value for t in out.trace if t.role == "stat"}
    assert stats["mean difference"] == pytest.approx(0.1)
    assert stats["standard error"] == pytest.approx(SE)


def test_mc_fails_when_the_bias_exceeds_z_standard_errors() -> None:
    out = evaluate(parse("phi == truth within mc(z = 1)"), env_with(REPS))
    assert out.margin == pytest.approx(SE + 2e-9 - 0.1)
    assert not out.holds


def test_mc_scales_z_with_the_mode() -> None:
    out = evaluate(
        parse("phi == truth within mc(z = 1)"), env_with(REPS), mode=Mode(tolerance_scale=2)
    )
    assert out.margin == pytest.approx(2 * SE + 2e-9 - 0.1)


def test_mc_on_arrays_is_element_wise_with_the_worst_element() -> None:
    reps = [np.array([1.0, 2.0]), np.array([1.0, 2.4]), np.array([1.0, 2.2])]
    env = SimpleEnv(
        {"truth": np.array([1.0, 2.0])}, replicates=3, replicate_fn=lambda r: {"phi": reps[r]}
    )
    out = evaluate(parse("phi == truth within mc(z = 1)"), env)
    se = np.std([0.0, 0.4, 0.2], ddof=1) / math.sqrt(3)
    assert out.margin == pytest.approx(se + 1e-9 * 3 - 0.2)
    assert dict((t.text, t.value) for t in out.trace)["worst element"] == (1,)


def test_exact_replicates_pass_thanks_to_the_floor() -> None:
    out = evaluate(parse("phi == truth within mc(z = 5)"), env_with([1.0, 1.0, 1.0]))
    assert out.margin == pytest.approx(2e-9)


def test_mc_needs_replicates() -> None:
    with pytest.raises(EvalError, match="at least 2 replicates"):
        evaluate(parse("phi == truth within mc(z = 5)"), SimpleEnv({"phi": 1.0, "truth": 1.0}))


class CountingEnv(SimpleEnv):
    """An env whose replicates change only ``phi``, and that says so (``replicated``)."""

    def __init__(self, reps: list[float], replicated: frozenset[str] | None) -> None:
        self.calls = 0

        def truth(v: float) -> float:
            self.calls += 1
            return v

        super().__init__(
            {"phi": reps[0], "truth": truth},
            replicates=len(reps),
            replicate_fn=lambda r: SimpleEnv({"phi": reps[r], "truth": truth}),
        )
        if replicated is not None:
            self.replicated = replicated


def test_a_side_the_replicates_do_not_change_is_evaluated_once() -> None:
    declared = CountingEnv(REPS, frozenset({"phi"}))
    unknown = CountingEnv(REPS, None)
    out = evaluate(parse("phi == truth(1.0) within mc(z = 5)"), declared)
    again = evaluate(parse("phi == truth(1.0) within mc(z = 5)"), unknown)
    assert declared.calls == 1  # the oracle side once, not once per replicate
    assert unknown.calls == len(REPS)  # no declaration: every side in every replicate
    assert out.margin == again.margin == pytest.approx(5 * SE + 1e-9 * 2 - 0.1)


def test_a_side_that_names_a_replicated_name_is_evaluated_per_replicate() -> None:
    env = CountingEnv(REPS, frozenset({"phi"}))
    out = evaluate(parse("truth(phi) == 1.0 within mc(z = 1)"), env)
    assert env.calls == len(REPS)
    assert out.margin == pytest.approx(SE + 2e-9 - 0.1)  # the spread of phi is seen
