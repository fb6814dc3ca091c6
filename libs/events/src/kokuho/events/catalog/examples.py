"""Example payloads for the catalog, synthesised from a contract's JSON Schema.

Hand-written examples drift from the contracts; these follow every change. Each example is
validated against the contract before it is shown (``example_of`` returns None when the
synthesis cannot satisfy a contract, and the catalog test fails on that, naming it).
"""

from __future__ import annotations

# the stdlib regex parser (no stub in typeshed): walked to build a minimal matching string
import re._parser as sre_parse  # type: ignore[import-not-found]
from typing import Any

from pydantic import ValidationError

from kokuho.events.contracts.registry import EventContract

_FORMATS = {
    "date": "2026-04-01",
    "date-time": "2026-04-01T09:00:00+09:00",
    "time": "09:00:00",
    "uuid": "0190e1a2-7c3d-7a4b-9c5d-6e7f80918273",
    "email": "example@example.invalid",
    "uri": "https://example.invalid/",
}


def example_of(contract: type[EventContract]) -> dict[str, Any] | None:
    schema = contract.model_json_schema()
    value = _value(schema, schema.get("$defs", {}))
    try:
        contract.model_validate(value)
    except ValidationError:
        return None
    return value  # type: ignore[no-any-return]


def _value(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    if "$ref" in schema:
        return _value(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"] or schema[key]
            return _value(options[0], defs)
    if "allOf" in schema:
        return _value(schema["allOf"][0], defs)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: _value(sub, defs) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        count = max(schema.get("minItems", 0), 1)
        count = min(count, schema.get("maxItems", count))
        return [_value(schema.get("items", {}), defs) for _ in range(count)]
    if kind == "integer":
        return _number(schema, 1)
    if kind == "number":
        return _number(schema, 1.0)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return _string(schema)


def _number(schema: dict[str, Any], fallback: float) -> Any:
    if "minimum" in schema:
        return schema["minimum"]
    if "exclusiveMinimum" in schema:
        return schema["exclusiveMinimum"] + 1
    if "maximum" in schema:
        return min(schema["maximum"], fallback)
    return fallback


def _string(schema: dict[str, Any]) -> str:
    if schema.get("format") in _FORMATS:
        return _FORMATS[schema["format"]]
    if "pattern" in schema:
        return _matching(schema["pattern"], schema.get("minLength", 0))
    text = "example"
    low: int = schema.get("minLength", 0)
    high: int = schema.get("maxLength", len(text))
    return (text * (low // len(text) + 1))[: max(low, min(len(text), high))]


def _matching(pattern: str, min_length: int) -> str:
    text = _emit(sre_parse.parse(pattern))
    return text + "0" * max(0, min_length - len(text))


def _emit(parsed: Any) -> str:
    out: list[str] = []
    for op, arg in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "IN":
            out.append(_first_of_set(arg))
        elif name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            low, _high, sub = arg
            out.append(_emit(sub) * max(low, 0))
        elif name == "SUBPATTERN":
            out.append(_emit(arg[-1]))
        elif name == "BRANCH":
            out.append(_emit(arg[1][0]))
        elif name == "ANY":
            out.append("a")
        # AT (anchors) and the rest match the empty string
    return "".join(out)


def _first_of_set(items: Any) -> str:
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":
            return chr(arg[0])
        if name == "CATEGORY":
            return "0" if "DIGIT" in str(arg) else "a"
    return "a"
