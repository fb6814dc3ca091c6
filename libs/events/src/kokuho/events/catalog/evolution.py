"""Schema evolution: the committed JSON Schema of every published contract, and the check that a
contract changed only compatibly within its version.

``libs/events/schemas/<topic>/<event>.v<N>.json`` holds each contract's schema as published.
Within a version a contract may only gain optional fields (and change descriptions); anything
else — a removed field, a changed type or constraint, a new required field, a removed contract —
breaks consumers and needs a new ``.v<N+1>`` class published beside the old one. After a
compatible change the committed files are refreshed with ``UPDATE_COMMAND``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kokuho.events.catalog.topics import topics
from kokuho.events.contracts.registry import EventContract

UPDATE_COMMAND = "uv run python -m kokuho.events.catalog schemas"
SCHEMAS_DIR = Path(__file__).resolve().parents[4] / "schemas"

#: Keys that document a schema without constraining a value.
_ANNOTATIONS = frozenset({"title", "description", "examples", "default", "$comment"})


@dataclass(frozen=True)
class Difference:
    file: str
    breaking: bool
    reason: str

    def __str__(self) -> str:
        kind = "INCOMPATIBLE" if self.breaking else "compatible"
        return f"{self.file}: {kind}: {self.reason}"


def schema_of(contract: type[EventContract]) -> dict[str, Any]:
    schema = contract.model_json_schema()
    schema["$comment"] = contract.event_type
    return schema


def file_name(contract: type[EventContract]) -> str:
    """``<event>.v<N>.json`` from ``jp.kokuho.<service>.<event>.v<N>``."""
    *_, event, version = contract.event_type.split(".")
    return f"{event}.{version}.json"


def current_schemas() -> dict[str, dict[str, Any]]:
    """Relative path → schema, for every registered contract."""
    return {
        f"{topic.name}/{file_name(contract)}": schema_of(contract)
        for topic in topics()
        for contract in topic.contracts
    }


def committed_schemas(directory: Path = SCHEMAS_DIR) -> dict[str, dict[str, Any]]:
    return {
        path.relative_to(directory).as_posix(): json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*/*.json"))
    }


def write_schemas(directory: Path = SCHEMAS_DIR) -> list[str]:
    """Write every current schema; refuse (write nothing) when a change is incompatible."""
    breaking = [d for d in differences(committed_schemas(directory)) if d.breaking]
    if breaking:
        raise IncompatibleChange(breaking)
    written = []
    for name, schema in current_schemas().items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(name)
    return written


class IncompatibleChange(Exception):
    def __init__(self, differences: list[Difference]) -> None:
        lines = "\n".join(f"  {d}" for d in differences)
        super().__init__(
            "published contracts changed incompatibly within their version:\n"
            f"{lines}\n"
            "Publish the change as a new contract version (a new class with event_type "
            "….v<N+1>, produced beside the old one until consumers move) instead."
        )
        self.differences = differences


def differences(
    committed: dict[str, dict[str, Any]], current: dict[str, dict[str, Any]] | None = None
) -> list[Difference]:
    """Every difference between the committed and the current schemas, breaking or not."""
    current = current_schemas() if current is None else current
    found: list[Difference] = []
    for name in sorted(committed.keys() - current.keys()):
        found.append(Difference(name, True, "the published contract was removed"))
    for name in sorted(current.keys() - committed.keys()):
        found.append(Difference(name, False, "a new contract, not yet committed"))
    for name in sorted(committed.keys() & current.keys()):
        old, new = committed[name], current[name]
        reasons = compare(old, new, old.get("$defs", {}), new.get("$defs", {}), "")
        found.extend(Difference(name, True, reason) for reason in reasons)
        if not reasons and old != new:
            found.append(Difference(name, False, "optional fields or descriptions changed"))
    return found


def compare(
    old: dict[str, Any],
    new: dict[str, Any],
    old_defs: dict[str, Any],
    new_defs: dict[str, Any],
    at: str,
) -> list[str]:
    """Why a value valid and understood under ``old`` may not be under ``new`` (or the reverse
    for a consumer still reading with ``old``); empty when compatible."""
    old, new = _resolve(old, old_defs), _resolve(new, new_defs)
    where = at or "(the event)"
    if "properties" in old or "properties" in new:
        reasons = []
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        for name in sorted(old_props.keys() - new_props.keys()):
            reasons.append(f"field {at}{name} was removed")
        old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
        for name in sorted(new_required - old_required):
            if name in old_props:
                reasons.append(f"field {at}{name} became required")
            else:
                reasons.append(f"new required field {at}{name}")
        for name in sorted((old_required - new_required) & new_props.keys()):
            reasons.append(f"field {at}{name} became optional (consumers rely on it)")
        for name in sorted(old_props.keys() & new_props.keys()):
            reasons += compare(old_props[name], new_props[name], old_defs, new_defs, f"{at}{name}.")
        rest = _constraints(old, {"properties", "required"})
        if rest != _constraints(new, {"properties", "required"}):
            reasons.append(f"{where} changed its constraints")
        return reasons
    for key in ("items", "additionalProperties"):
        if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
            inner = compare(
                old[key], new[key], old_defs, new_defs, f"{at}[]." if key == "items" else f"{at}*."
            )
            outer = _constraints(old, {key}) != _constraints(new, {key})
            return inner + ([f"{where} changed its type or constraints"] if outer else [])
    for key in ("anyOf", "oneOf", "allOf"):
        if key in old and key in new and len(old[key]) == len(new[key]):
            reasons = []
            for a, b in zip(old[key], new[key], strict=True):
                reasons += compare(a, b, old_defs, new_defs, at)
            if _constraints(old, {key}) != _constraints(new, {key}):
                reasons.append(f"{where} changed its type or constraints")
            return reasons
    if _constraints(old, set()) != _constraints(new, set()):
        return [
            f"{where.rstrip('.')} changed type or constraints: "
            f"{_short(_constraints(old, set()))} -> {_short(_constraints(new, set()))}"
        ]
    return []


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = {
            **defs[schema["$ref"].rsplit("/", 1)[-1]],
            **{k: v for k, v in schema.items() if k != "$ref"},
        }
    return schema


def _constraints(schema: dict[str, Any], skip: set[str]) -> dict[str, Any]:
    return {
        k: v for k, v in schema.items() if k not in _ANNOTATIONS and k not in skip and k != "$defs"
    }


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."
