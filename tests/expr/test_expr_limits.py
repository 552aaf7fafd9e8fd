"""Sizes a check chooses at evaluation time are refused before allocating (issues 14.3/14.4).

The limits come from :mod:`explainspec.catalog.limits` (``range``, ``cells``); a refusal is a
:class:`LimitError` (``ES314``) naming the limit. None of these checks may allocate what it asks
for: each would need gigabytes (or 10**12 evaluations of its body), so a missing guard shows as
a test that runs out of memory or time rather than one that passes.
"""

from __future__ import annotations

import numpy as np
import pytest
from _expr_helpers import check, parse, verify_checks

from explainspec.catalog.limits import limit
from explainspec.expr import EvalError, LimitError, SimpleEnv, value

DATA = np.zeros((10_000, 2))  # 20 000 numbers, as a world's data could be


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("len(range(3000000000)) > 0", "range"),
        ("sum(range(0, 3000000000, 1)) > 0", "range"),
        ("sum(ones([50000, 50000])) > 0", "cells"),
        ("sum(zeros([50000, 50000])) > 0", "cells"),
        ("sum(ones(20000000)) > 0", "cells"),
        ("for all i, j, k, l in range(1000): phi[0] > 0", "range"),
        (
            "for all i in range(1000): for all j in range(1000): for all k in range(2): phi[0] > 0",
            "range",
        ),
        ("sum(data[:, 0:1] - data[:, 0]) > 0", "cells"),  # a broadcast: 10**8 numbers
        ("data[:, 0:1] == data[:, 0] within 1", "cells"),
        ("sum(data @ data.T) > 0", "cells"),
        ("sum(data[:, range(2000) * 0]) > 0", "cells"),  # fancy indexing: 10**4 rows of 2000
        ("sum(max(data[:, 0:1], data[:, 0])) > 0", "cells"),
        ("sum(clip(data[:, 0:1], data[:, 0], 1)) > 0", "cells"),
        ("sum(dot(data, data.T)) > 0", "cells"),
        ("sum(dot(ones([100, 100, 100]), ones([100, 100, 100]))) > 0", "cells"),  # 10**8
    ],
)
def test_sizes_over_their_limit_are_refused(text: str, name: str) -> None:
    env = SimpleEnv({"phi": np.ones(3), "data": DATA, "d": 3})
    from explainspec.expr import evaluate

    with pytest.raises(LimitError, match=f"limit '{name}'") as info:
        evaluate(parse(text), env)
    assert info.value.code == "ES314" and info.value.refusal
    assert info.value.span is not None


def test_sizes_within_the_limits_are_computed(monkeypatch) -> None:
    n = limit("range")
    assert value(parse(f"len(range({n}))"), SimpleEnv()) == n
    with pytest.raises(LimitError):
        value(parse(f"len(range({n + 1}))"), SimpleEnv())
    # the bindings of nested quantifiers, at the boundary (with a small limit, to stay fast)
    import explainspec.expr.guards as guards

    monkeypatch.setattr(guards, "limit", lambda name: 100 if name == "range" else limit(name))
    assert check("for all i, j in range(10): phi[0] > 0", phi=np.ones(1)).margin == 1.0
    assert check("for all i in range(10): for all j in range(10): phi[0] > 0", phi=np.ones(1)).holds
    with pytest.raises(LimitError, match="101 times|110 times"):
        check("for all i in range(10): for all j in range(11): phi[0] > 0", phi=np.ones(1))
    monkeypatch.undo()
    assert value(parse("ones([2, 3])"), SimpleEnv()).shape == (2, 3)
    small = np.zeros((1000, 2))
    assert value(parse("data[:, 0:1] - data[:, 0]"), SimpleEnv({"data": small})).shape == (
        1000,
        1000,
    )


def test_nested_quantifiers_are_refused_before_the_first_binding_runs() -> None:
    calls = []

    def probe(i):
        calls.append(i)
        return 1.0

    with pytest.raises(LimitError):
        check("for all i in range(1000): for all j, k in range(1000): probe(i) > 0", probe=probe)
    assert calls == []  # the inner quantifier refused itself before evaluating its body


def test_strings_have_no_arithmetic() -> None:
    with pytest.raises(EvalError, match="string"):
        check('len("ab" * 1000000000) > 0')


def test_the_runner_reports_the_code() -> None:
    result = verify_checks(huge="sum(ones([50000, 50000])) > 0")
    assert result["huge"].verdict.value == "error"
    assert [d.code for d in result["huge"].diagnostics] == ["ES314"]
    assert "limit 'cells'" in result["huge"].error


def test_mc_replicates_count_against_the_cells_limit() -> None:
    from explainspec.expr import evaluate

    n = limit("cells") // 4 + 1  # one replicate fits, four stacked do not
    env = SimpleEnv(
        {"phi": np.zeros(n), "truth": np.zeros(n)},
        replicates=4,
        replicate_fn=lambda r: {"phi": np.zeros(n)},
    )
    with pytest.raises(LimitError, match="over 4 replicates"):
        evaluate(parse("phi == truth within mc(z = 5)"), env)
    small = SimpleEnv(
        {"phi": np.zeros(3), "truth": np.zeros(3)},
        replicates=4,
        replicate_fn=lambda r: {"phi": np.full(3, 0.1 * r)},
    )
    assert evaluate(parse("phi == truth within mc(z = 5)"), small).holds
