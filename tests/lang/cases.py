"""One bad input per diagnostic code (used by test_errors.py), and small fixed registries so that
the messages do not depend on the catalog of the day."""

from __future__ import annotations

from explainspec.registry import Entry, Param, Registry

_P = Param


def registries() -> dict[str, Registry]:
    entries = [
        Entry(
            kind="method",
            name="ref.exact",
            doc="exact",
            params=(_P(name="n", type="int", default=1),),
            extra={"output": "attribution", "randomized": False},
        ),
        Entry(
            kind="method",
            name="ref.sampled",
            doc="sampled",
            extra={"output": "attribution", "randomized": True},
        ),
        Entry(
            kind="method", name="ref.pd", doc="pd", extra={"output": "curve", "randomized": False}
        ),
        Entry(
            kind="family", name="linear", doc="", params=(_P(name="unused", type="int", default=0),)
        ),
        Entry(kind="family", name="any", doc="", variadic=True),
        Entry(
            kind="distribution",
            name="grid",
            doc="",
            params=(_P(name="levels", type="int", default=3),),
        ),
        Entry(
            kind="oracle", name="shapley", doc="", params=(_P(name="f"), _P(name="x"), _P(name="P"))
        ),
        Entry(
            kind="builtin", name="sum", doc="", params=(_P(name="a"), _P(name="axis", default=None))
        ),
        Entry(kind="builtin", name="sign", doc="", params=(_P(name="a"),)),
        Entry(kind="builtin", name="argmax", doc="", params=(_P(name="a"),)),
        Entry(kind="question", name="component", doc=""),
        Entry(kind="question", name="local_effect", doc=""),
    ]
    regs = {
        k: Registry(k)
        for k in ("method", "family", "distribution", "oracle", "builtin", "question")
    }
    for e in entries:
        regs[e.kind].add(e)
    return regs


def dsl(
    check: str = "sum(phi) == shapley(f, x, P) within 1e-6",
    *,
    method: str = "ref.exact",
    output: str = "attribution",
    world: str = "function = linear; data = grid(levels = 3)",
    claim: str = 'claim c holds "s"',
    extra: str = "",
) -> str:
    return (
        f'spec s "S" {{\n    method = {method}\n    output = {output}\n    question "q"\n'
        f"    world {{ {world} }}\n{extra}"
        f"    {claim} {{\n        check {check}\n    }}\n}}\n"
    )


YAML = """explainspec: 1
spec: s
title: S
method: {use: ref.exact}
output: attribution
question: q
claims:
  c:
    holds: s
    check: sum(phi) == shapley(f, x, P) within 1e-6
"""
