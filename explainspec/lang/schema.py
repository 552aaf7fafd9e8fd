"""JSON Schema of the YAML form (``.espec.yaml``), with enums derived from the registries.

Editors use it for completion and validation; it describes the document's shape. Expressions
(checks, world values) are strings in the Lark grammar; only the loader validates them. Method
parameters are described per method, from the machine-readable ``Param.type`` (and ``low``,
``limit``) of the registry: the same rules ``explainspec check`` applies (ES227, ES228).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from explainspec.catalog.limits import limit
from explainspec.lang import ir
from explainspec.registry import Entry, Param, Registry, param_type

_NAME = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}
_EXPR = {
    "description": "an expression of the explainspec language (a string), or a number/boolean/list",
    "type": ["string", "number", "boolean", "array"],
}


def param_schema(p: Param) -> dict[str, Any]:
    """The JSON Schema of one method parameter's YAML value (anything, when its type is not
    machine-checkable)."""
    out: dict[str, Any] = {"description": f"{p.type}: {p.doc}" if p.doc else p.type}
    alts = param_type(p.type)
    if any(kind == "other" for kind, _ in alts):
        return out
    options = [_alt_schema(a, p) for a in alts if a[0] != "none"]
    if len(options) == 1:
        out.update(options[0])
    else:
        out["anyOf"] = options
    if isinstance(p.default, int | float | str | bool) and p.default is not None:
        out["default"] = p.default
    return out


def _alt_schema(alt: tuple[str, Any], p: Param | None) -> dict[str, Any]:
    kind, arg = alt
    if kind == "literal":
        return {"const": arg}
    if kind == "list":
        inner = [_alt_schema(a, None) for a in arg if a[0] != "none"]
        return {"type": "array", "items": inner[0] if len(inner) == 1 else {"anyOf": inner}}
    out: dict[str, Any] = {
        "type": {"int": "integer", "float": "number", "str": "string", "bool": "boolean"}[kind]
    }
    if p is not None and kind in ("int", "float"):
        if p.low is not None:
            out["minimum"] = p.low
        if p.limit is not None:
            out["maximum"] = limit(p.limit)
    return out


def _method_schema(entry: Entry) -> dict[str, Any]:
    return {
        "type": "object",
        "description": entry.doc,
        "properties": {
            "use": {"const": entry.name},
            "params": {
                "type": "object",
                "properties": {p.name: param_schema(p) for p in entry.params},
                "additionalProperties": False,
            },
        },
        "required": ["use"],
        "additionalProperties": False,
    }


def json_schema(registries: Mapping[str, Registry] | None = None) -> dict[str, Any]:
    """The JSON Schema (draft-07: what editors' YAML language servers validate) of the YAML form.

    Parameters
    ----------
    registries : mapping of kind -> Registry, optional
        Defaults to the global registries; method names, question types, world fields and output
        kinds become enums.
    """
    from explainspec.lang.semantics import WORLD_FIELDS, default_registries
    from explainspec.lang.yamlform import CLAIM_KINDS

    regs = default_registries() if registries is None else registries
    questions = sorted(regs["question"].names()) if "question" in regs else []
    methods = sorted(regs["method"].names()) if "method" in regs else []
    world = {
        "type": "object",
        "description": "a world: fields drawn by the world generator",
        "properties": {f: _EXPR for f in WORLD_FIELDS},
        "additionalProperties": False,
    }
    prose = {"type": "string", "minLength": 1}
    checked = {
        "type": "object",
        "description": "an assumption with a machine-checkable condition (`check`)",
        "properties": {"text": prose, "check": {**_EXPR, "description": "the condition"}},
        "required": ["text"],
        "additionalProperties": False,
    }
    assumptions = {
        "type": "object",
        "propertyNames": _NAME,
        "additionalProperties": {"oneOf": [prose, checked]},
    }
    about = {"type": "string", "enum": questions} if questions else _NAME
    lets = {
        "type": "object",
        "description": "named values (`let name = expression`), in order: a value may use the "
        "names before it",
        "propertyNames": _NAME,
        "additionalProperties": _EXPR,
    }
    claim = {
        "type": "object",
        "properties": {
            **{k: {**prose, "description": f"the statement of a `{k}` claim"} for k in CLAIM_KINDS},
            "about": {**about, "description": "the question type"},
            "assume": assumptions,
            "world": world,
            "examples": {"type": "object", "propertyNames": _NAME, "additionalProperties": world},
            "let": lets,
            "check": {**_EXPR, "description": "the check expression"},
        },
        "required": ["check"],
        "oneOf": [{"required": [k]} for k in CLAIM_KINDS],
        "additionalProperties": False,
    }
    use = {"type": "string", "enum": methods} if methods else {"type": "string"}
    generic = {
        "type": "object",
        "properties": {
            "use": use,
            "params": {
                "type": "object",
                "propertyNames": _NAME,
                "additionalProperties": _EXPR,
            },
        },
        "required": ["use"],
        "additionalProperties": False,
    }
    per_method = [_method_schema(e) for e in regs["method"]] if "method" in regs else []
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://explainspec.dev/schema/espec-1.json",
        "title": "explainspec spec (YAML form)",
        "type": "object",
        "properties": {
            "explainspec": {"const": 1},
            "spec": _NAME,
            "title": prose,
            "method": {"oneOf": [use, *(per_method or [generic])]},
            "output": {"type": "string", "enum": [k.value for k in ir.OutputKind]},
            "estimates": _NAME,
            "references": {"type": "array", "items": {"type": "string"}},
            "question": prose,
            "assumptions": assumptions,
            "world": world,
            "let": lets,
            "claims": {"type": "object", "propertyNames": _NAME, "additionalProperties": claim},
        },
        "required": ["spec", "title", "method", "output", "question"],
        "additionalProperties": False,
    }
