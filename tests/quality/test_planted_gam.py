"""The checker catches a planted bug in the backfitting GAM (one sweep reported as the fit:
exact on a product grid, not under dependence) with a small counterexample under dependence, and verifies the correct method (``reference.gam``) on the same
spec under 20 seeds."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import gam_plugins
import pytest

import explainspec
from explainspec.lang import check_spec
from explainspec.lang.ir import MethodRef

SPEC = Path(__file__).parent / "gam_specs" / "gam_one_sweep.espec"


def load():
    spec = explainspec.load(SPEC)
    assert [d for d in check_spec(spec) if d.is_error] == []
    return spec


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_sweep_is_refuted_under_dependence(seed):
    (claim,) = explainspec.verify(load(), profile="fast", seed=seed)
    assert claim.verdict.value == "refuted", claim.error
    cx = claim.counterexample
    assert cx is not None and cx.margin < 0 and cx.d <= 3
    assert cx.distribution.startswith("dependent(")  # a product grid cannot show it
    assert f"--seed {seed} --profile fast" in cx.reproduce


def test_correct_twin_is_verified_under_20_seeds():
    spec = load()
    twin = MethodRef(use=gam_plugins.BROKEN[spec.method.use], params=spec.method.params)
    spec = dataclasses.replace(spec, method=twin)
    for seed in range(20):
        result = explainspec.verify(spec, profile="fast", seed=seed, max_examples=4)
        assert [c.verdict.value for c in result] == ["verified"], (seed, result[0].counterexample)
