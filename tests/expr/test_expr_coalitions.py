"""The coalition and permutation builtins: swap, member, popcount."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from explainspec.expr import builtins as b


@given(st.lists(st.integers(-5, 5), min_size=2, max_size=6), st.data())
def test_swap_exchanges_exactly_two_positions(values, data):
    i = data.draw(st.integers(0, len(values) - 1))
    j = data.draw(st.integers(0, len(values) - 1))
    out = b.swap(values, i, j)
    expected = list(values)
    expected[i], expected[j] = expected[j], expected[i]
    assert out.tolist() == expected
    assert b.swap(out, i, j).tolist() == list(values)  # an involution


def test_swap_does_not_modify_its_argument():
    a = np.array([1.0, 2.0, 3.0])
    b.swap(a, 0, 1)
    assert a.tolist() == [1.0, 2.0, 3.0]


@given(st.integers(0, 2**10 - 1))
def test_member_and_popcount_agree_with_the_set_of_bits(mask):
    members = [i for i in range(10) if b.member(i, mask)]
    assert members == [i for i in range(10) if mask & (1 << i)]
    assert b.popcount(mask) == len(members)


def test_member_and_popcount_vectorise_over_masks():
    masks = np.arange(8)
    assert b.popcount(masks).tolist() == [0, 1, 1, 2, 1, 2, 2, 3]
    assert b.member(2, masks).tolist() == [False] * 4 + [True] * 4


def test_member_rejects_float_masks():
    with pytest.raises(TypeError):
        b.member(0, 1.5)
