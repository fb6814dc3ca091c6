"""Collection, benefits and delinquency answer generated input (schemathesis, every operation of
their OpenAPI documents, a user holding every role of the service) with no 5xx, and every
refusal is problem+json: bad input never gets a 500 (the services' own suites test the
journeys; this is the same guard the first three services have)."""

from __future__ import annotations

import asyncio
import importlib
import os
from pathlib import Path

import pytest

from kokuho.events.runtime.connection import KafkaConnection
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import (
    OwnTopics,
    fuzz_by_roles,
    migrated_database,
    serving_on_port,
    staff_headers,
)
from kokuho.platform.token import new_private_key

from .test_no_individual_number_enters import all_roles

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["collection", "benefits", "delinquency"])
async def test_no_operation_answers_with_a_server_error(
    name: str, pg_admin_dsn: str, kafka: KafkaConnection, own_topics: OwnTopics
) -> None:
    key = new_private_key("ES256")
    verifier = TokenVerifier([key.public_key()])  # type: ignore[list-item]
    bootstrap = importlib.import_module(f"kokuho.{name}.bootstrap")
    config = importlib.import_module(f"kokuho.{name}.config")
    async with migrated_database(pg_admin_dsn, ROOT / f"services/{name}/migrations") as dsn:
        settings = config.Settings(
            database_dsn=dsn,
            kafka_bootstrap_servers=kafka.bootstrap_servers,
            **getattr(own_topics, name)(),
        )
        app = bootstrap.build(settings, token_verifier=verifier, relay=False)
        headers = staff_headers(key, "fuzz-user", *all_roles(app), terminal_id="T-FUZZ")
        examples = int(os.environ.get("KOKUHO_FUZZ_EXAMPLES", "8"))
        with serving_on_port(app, f"the {name} app") as url:
            report = await asyncio.to_thread(fuzz_by_roles, url, headers, max_examples=examples)
    assert report.operations >= 10, report.operations  # the whole API, not an empty list
    assert report.problems == [], report.problems[:5]
