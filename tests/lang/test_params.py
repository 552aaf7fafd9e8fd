"""Method parameters: the machine-readable `Param.type` (13.9), and the schema's per-method
parameter blocks that describe the same rules."""

from __future__ import annotations

import pytest

from explainspec.lang.schema import json_schema, param_schema
from explainspec.lang.semantics import default_registries
from explainspec.registry import Entry, Param, Registry, param_type


@pytest.mark.parametrize(
    ("text", "alternatives"),
    [
        ("int", (("int", None),)),
        ("float | None", (("float", None), ("none", None))),
        ("number", (("float", None),)),
        ("'a' | 'b'", (("literal", "a"), ("literal", "b"))),
        ("[str]", (("list", (("str", None),)),)),
        ("[[number]] | none", (("list", (("list", (("float", None),)),)), ("none", None))),
        ("point", (("other", "point"),)),
        ("[int, int] | none", (("other", "[int, int]"), ("none", None))),
    ],
)
def test_param_type_strings_are_parsed(text, alternatives):
    assert param_type(text) == alternatives


@pytest.mark.parametrize(
    ("param", "value", "problem"),
    [
        (Param(name="n", type="int"), 3, None),
        (Param(name="n", type="int"), 3.0, "type"),
        (Param(name="n", type="int"), True, "type"),  # a boolean is not a number here
        (Param(name="x", type="float"), 3, None),
        (Param(name="x", type="float"), "3", "type"),
        (Param(name="s", type="'a' | 'b'"), "b", None),
        (Param(name="s", type="'a' | 'b'"), "c", "type"),
        (Param(name="l", type="[str]"), ("a", "b"), None),
        (Param(name="l", type="[str]"), ("a", 1), "type"),
        (Param(name="n", type="int", low=1), 0, "type"),
        (Param(name="n", type="int", low=1, limit="samples"), 10**6, None),
        (Param(name="n", type="int", low=1, limit="samples"), 10**6 + 1, "limit"),
        (Param(name="p", type="point"), "anything", None),  # not machine-checkable
        (Param(name="k", type="float | None"), None, "type"),  # no literal is None
    ],
)
def test_param_problem(param, value, problem):
    found = param.problem(value)
    assert (found[0] if found else None) == problem, found


def test_every_builtin_method_default_fits_its_own_type():
    for entry in default_registries()["method"]:
        for p in entry.params:
            if p.default is None or p.required:
                continue
            assert p.problem(p.default) is None, (entry.name, p.name, p.default)


def _method_block(schema, name):
    blocks = schema["properties"]["method"]["oneOf"]
    return next(b for b in blocks if b.get("properties", {}).get("use", {}).get("const") == name)


def test_the_schema_describes_each_methods_parameters():
    schema = json_schema()
    kernel = _method_block(schema, "shap.kernel")["properties"]["params"]
    assert kernel["additionalProperties"] is False
    nsamples = kernel["properties"]["nsamples"]
    assert nsamples["anyOf"] == [
        {"type": "integer", "minimum": 1, "maximum": 1_000_000},
        {"const": "auto"},
    ]
    ig = _method_block(schema, "reference.integrated_gradients")["properties"]["params"]
    assert ig["properties"]["rule"]["anyOf"] == [
        {"const": c} for c in ("riemann_left", "riemann_right", "midpoint", "trapezoid")
    ]
    # the plain string form of `method:` is still allowed, with the method names as its enum
    assert "shap.kernel" in schema["properties"]["method"]["oneOf"][0]["enum"]


def test_the_schema_includes_plugin_parameters():
    regs = {k: Registry(k) for k in ("method", "family", "distribution", "oracle", "builtin")}
    regs["question"] = Registry("question")
    regs["method"].add(
        Entry(
            kind="method",
            name="plugin.m",
            doc="a plugin",
            params=(Param(name="k", type="int | 'all'", default="all", low=1),),
            extra={"output": "attribution"},
        )
    )
    block = _method_block(json_schema(regs), "plugin.m")
    assert block["properties"]["params"]["properties"]["k"]["anyOf"] == [
        {"type": "integer", "minimum": 1},
        {"const": "all"},
    ]


def test_an_unchecked_type_accepts_anything_in_the_schema():
    schema = param_schema(Param(name="p", type="point", doc="a point"))
    assert schema == {"description": "point: a point"}
