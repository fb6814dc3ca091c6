"""No individual number enters a service but through the gateway's vault (issue 9, C-18/C-19).

For every JSON request body of every service's API (read from the OpenAPI documents, so a new
route or field is covered without touching this test; a new service fails
``test_every_service_is_probed`` until it is built here), a check-digit-valid number is pushed
into each string field: half-width, full-width and with separators in turn. Each request must
be refused with 422 naming that field, and so must every free-text path and query parameter;
afterwards no such number is in any table, any of the tests' topics, or any log line. Fields
that declare they take a number (the vault) or are files checked line by line say so in
OpenAPI (``x-kokuho-individual-number``) and are skipped.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI

from kokuho.events.individual_numbers import check_digit
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import topic_text
from kokuho.platform.auth import TokenVerifier, _flat_routes
from kokuho.platform.models import INDIVIDUAL_NUMBER_REFUSED, NUMBER_CHECK_EXTENSION
from kokuho.platform.testing import (
    OwnTopics,
    captured_logs,
    database_text,
    individual_numbers_in,
    migrated_database,
    serving,
    staff_headers,
)
from kokuho.platform.token import new_private_key

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BODY_METHODS = ("post", "put", "patch")
#: every service of the repository; a new one fails the test until it is built here
SERVICES = ("eligibility", "assessment", "linkage-gateway", "collection", "benefits", "delinquency")


class NotTheProber(logging.Filter):
    """The test's own client logs the URLs it probes ("HTTP Request: GET http://eligibility/..."):
    those records are the prober's, not a service's, and are left out of the scan."""

    probed = tuple(f"http://{name}/" for name in SERVICES)

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not (
            record.name == "httpx" and len(args) > 1 and str(args[1]).startswith(self.probed)
        )


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def numbers(seed: int) -> Iterator[tuple[str, str]]:
    """(the number, the form it is typed in) in turn: plain, full-width, with separators."""
    rng = random.Random(seed)
    forms = (
        lambda n: n,
        lambda n: n.translate(FULL_WIDTH),
        lambda n: f"{n[:4]}-{n[4:8]}-{n[8:]}",
        lambda n: f"{n[:4]} {n[4:8]} {n[8:]}",
    )
    i = 0
    while True:
        first = f"{rng.randrange(10**10, 10**11):011d}"
        number = first + str(check_digit(first))
        yield number, forms[i % len(forms)](number)
        i += 1


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def string_fields(
    spec: dict[str, Any], schema: dict[str, Any], path: tuple[str | int, ...] = (), depth: int = 0
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every free-text field of a body schema: (its path, its schema)."""
    schema = resolve(spec, schema)
    if depth > 6 or NUMBER_CHECK_EXTENSION in schema:
        return
    for alternative in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        yield from string_fields(spec, alternative, path, depth + 1)
    kind = schema.get("type")
    if kind == "string" and "enum" not in schema and "const" not in schema:
        if schema.get("format") not in {"date", "date-time", "uuid", "binary", "time"}:
            yield path, schema
    elif kind == "object" or "properties" in schema:
        for name, sub in schema.get("properties", {}).items():
            yield from string_fields(spec, sub, (*path, name), depth + 1)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            yield from string_fields(spec, extra, (*path, "key"), depth + 1)
    elif kind == "array" and isinstance(schema.get("items"), dict):
        yield from string_fields(spec, schema["items"], (*path, 0), depth + 1)


def body_with(path: tuple[str | int, ...], value: str) -> Any:
    """A body holding ``value`` at ``path`` and nothing else."""
    out: Any = value
    for step in reversed(path):
        out = [out] if isinstance(step, int) else {step: out}
    return out


def all_roles(app: FastAPI) -> list[str]:
    roles: set[str] = set()

    def walk(dependant: Any) -> None:
        roles.update(getattr(dependant.call, "__kokuho_roles__", ()))
        for sub in dependant.dependencies:
            walk(sub)

    for route in _flat_routes(app):
        if getattr(route, "dependant", None) is not None:
            walk(route.dependant)
    return sorted(roles)


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1000000001", path)


async def push_numbers(client: Any, app: FastAPI, headers: dict[str, str], seed: int) -> list[str]:
    """Push a number into every free-text body field; returns the numbers pushed."""
    spec = app.openapi()
    pushed: list[str] = []
    supply = numbers(seed)
    for route_path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if method not in BODY_METHODS or schema is None:
                continue
            for field_path, field in string_fields(spec, schema):
                number, typed = next(supply)
                pushed.append(number)
                response = await client.request(
                    method,
                    concrete(route_path),
                    json=body_with(field_path, typed),
                    headers=headers,
                )
                where = f"{method.upper()} {route_path} {field_path}"
                assert response.status_code == 422, (where, response.status_code, response.text)
                errors = {e["pointer"]: e["reason"] for e in response.json().get("errors", [])}
                # the field itself, or the list or mapping holding it (a field's own validator
                # names the field, not the item)
                candidates = [
                    "/body" + "".join(f"/{step}" for step in field_path[:n])
                    for n in range(len(field_path), 0, -1)
                ]
                refusal = next((errors[c] for c in candidates if c in errors), None)
                assert refusal is not None, (where, errors)
                if "pattern" not in field:
                    # a name field may refuse the digits first (kokuho.platform.names)
                    names_refusal = "is not a character names are written with" in refusal
                    assert "individual number" in refusal or names_refusal, (where, refusal)
                assert number not in response.text, where
                assert typed not in response.text, where
    return pushed


def parameter_fields(spec: dict[str, Any], operation: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, name) of every free-text path or query parameter of an operation."""
    for parameter in operation.get("parameters", []):
        schema = resolve(spec, parameter.get("schema", {}))
        kinds = [resolve(spec, s) for s in schema.get("anyOf", [])] or [schema]
        texts = [
            k
            for k in kinds
            if k.get("type") == "string"
            and "enum" not in k
            and k.get("format") not in {"date", "date-time", "uuid", "binary", "time"}
        ]
        if parameter.get("in") in ("path", "query") and texts:
            yield parameter["in"], parameter["name"]


async def push_parameters(
    client: Any, app: FastAPI, headers: dict[str, str], seed: int
) -> list[str]:
    """Push a number into every free-text path and query parameter (issue 9: the edge refuses
    them, as it refuses control characters); returns the numbers pushed."""
    spec = app.openapi()
    pushed: list[str] = []
    supply = numbers(seed + 100)
    for route_path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for where, name in parameter_fields(spec, operation):
                number, typed = next(supply)
                pushed.append(number)
                path, params = concrete(route_path), {}
                if where == "path":
                    path = concrete(route_path.replace("{" + name + "}", quote(typed, safe="")))
                else:
                    params[name] = typed
                response = await client.request(method, path, params=params, headers=headers)
                at = f"{method.upper()} {route_path} {where}:{name}"
                assert response.status_code == 422, (at, response.status_code, response.text)
                assert response.json()["errors"] == [
                    {"pointer": f"/{where}/{name}", "reason": INDIVIDUAL_NUMBER_REFUSED}
                ], at
                assert number not in response.text, at
                assert typed not in response.text, at
    return pushed


def build_app(
    name: str,
    dsn: str,
    common: dict[str, Any],
    own: OwnTopics,
    tmp_path: Path,
    verifier: TokenVerifier,
) -> FastAPI:
    """The service ``name`` on its own database and the test's topics."""
    module = name.replace("-", "_")
    bootstrap = importlib.import_module(f"kokuho.{module}.bootstrap")
    config = importlib.import_module(f"kokuho.{module}.config")
    extra: dict[str, Any] = {}
    if name == "linkage-gateway":
        extra = {
            "key_directory": tmp_path / "keys",
            "create_dev_keys": True,
            "federation_outbox": None,
        }
    topics = getattr(own, module)()
    settings = config.Settings(database_dsn=dsn, **common, **topics, **extra)
    app: FastAPI = bootstrap.build(settings, token_verifier=verifier)
    return app


def test_every_service_is_probed() -> None:
    found = sorted(p.parent.name for p in (ROOT / "services").glob("*/pyproject.toml"))
    assert found == sorted(SERVICES)


async def test_no_writable_field_takes_an_individual_number(
    pg_admin_dsn: str, kafka: KafkaConnection, own_topics: OwnTopics, tmp_path: Path
) -> None:
    key = new_private_key("ES256")
    verifier = TokenVerifier([key.public_key()])  # type: ignore[list-item]
    common = {"kafka_bootstrap_servers": kafka.bootstrap_servers}
    with captured_logs() as logs:
        logs.addFilter(NotTheProber())
        async with contextlib.AsyncExitStack() as stack:
            dsns = {
                name: await stack.enter_async_context(
                    migrated_database(pg_admin_dsn, ROOT / f"services/{name}/migrations")
                )
                for name in SERVICES
            }
            apps = {
                name: build_app(name, dsns[name], common, own_topics, tmp_path, verifier)
                for name in SERVICES
            }
            pushed: list[str] = []
            for seed, (name, app) in enumerate(apps.items()):
                headers = staff_headers(key, "prober", *all_roles(app), terminal_id="T-PROBE")
                async with serving(app, name) as client:
                    pushed += await push_numbers(client, app, headers, seed)
                    in_parameters = await push_parameters(client, app, headers, seed)
                    assert in_parameters, f"{name}: no path or query parameter was probed"
                    pushed += in_parameters
            assert len(pushed) > 50, "the OpenAPI documents yielded too few fields"
            places = {f"{name} database": await database_text(dsn) for name, dsn in dsns.items()}
        for topic in (
            own_topics.eligibility_events,
            own_topics.personal_details,
            own_topics.assessment_events,
            own_topics.linkage_events,
            own_topics.collection_events,
            own_topics.benefits_events,
            own_topics.delinquency_events,
        ):
            places[topic] = await topic_text(kafka, topic, timeout=5.0)
    places["logs"] = "\n".join(logs.lines)
    found = {place: individual_numbers_in(text) & set(pushed) for place, text in places.items()}
    assert not any(found.values()), found
