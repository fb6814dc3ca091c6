"""Fixtures of the eligibility tests: a migrated throwaway database on the real PostgreSQL,
the service's topics on the real Kafka, staff tokens, and the app built by bootstrap.build."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from kokuho.eligibility.bootstrap import build
from kokuho.eligibility.config import Settings
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import Record, read_topic
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import (
    OwnTopics,
    migrated_database,
    serving,
    serving_on_port,
    staff_headers,
)
from kokuho.platform.token import PrivateKey, new_private_key

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


@pytest.fixture(scope="session")
def signing_key() -> PrivateKey:
    return new_private_key("ES256")


@pytest.fixture(scope="session")
def token(signing_key: PrivateKey) -> Callable[..., dict[str, str]]:
    def headers(user: str, *roles: str, **extra: str) -> dict[str, str]:
        return staff_headers(signing_key, user, *roles, terminal_id="T-0001", **extra)

    return headers


@pytest.fixture(scope="session")
async def eligibility_dsn(pg_admin_dsn: str) -> AsyncIterator[str]:
    async with migrated_database(pg_admin_dsn, MIGRATIONS) as dsn:
        yield dsn


@pytest.fixture(scope="session")
async def eligibility_settings(
    eligibility_dsn: str, kafka: KafkaConnection, kafka_users: dict[str, KafkaConnection]
) -> Settings:
    # The tests' own topics and consumer groups: synthetic test events never reach the shared
    # service topics, and a running demo never takes the tests' events.
    own = await OwnTopics.fresh("eligibility").create(kafka, users=kafka_users)
    return Settings(
        database_dsn=eligibility_dsn,
        kafka_bootstrap_servers=kafka.bootstrap_servers,
        turning_75_daily=False,  # the job runs when a test asks for it
        **own.eligibility(),
    )


@pytest.fixture(scope="session")
async def client(
    eligibility_settings: Settings, signing_key: PrivateKey
) -> AsyncIterator[httpx.AsyncClient]:
    verifier = TokenVerifier([signing_key.public_key()])  # type: ignore[list-item]
    app = build(eligibility_settings, token_verifier=verifier)
    async with serving(app, "eligibility") as c:
        yield c


@pytest.fixture(scope="module")
def served(eligibility_settings: Settings, signing_key: PrivateKey) -> Iterator[str]:
    """The app on a real port in its own thread and event loop (for the fuzzer's requests);
    no relay and no consumer: the in-process app of the other tests does that work."""
    verifier = TokenVerifier([signing_key.public_key()])  # type: ignore[list-item]
    settings = eligibility_settings.model_copy(update={"linkage_topic": None})
    app = build(settings, token_verifier=verifier, relay=False)
    with serving_on_port(app, "the eligibility app") as url:
        yield url


async def find_on_topic(
    bootstrap: KafkaConnection,
    topic: str,
    match: Callable[[bytes | None, dict[str, Any] | None], bool],
    timeout: float = 30.0,
) -> tuple[bytes | None, dict[str, Any] | None]:
    """Read ``topic`` from the beginning until a record matches (key, parsed value)."""

    def parsed(record: Record) -> tuple[bytes | None, dict[str, Any] | None]:
        return record.key, json.loads(record.value) if record.value is not None else None

    def matching(records: Sequence[Record]) -> list[tuple[bytes | None, dict[str, Any] | None]]:
        return [p for p in map(parsed, records) if match(*p)]

    found = matching(
        await read_topic(bootstrap, topic, until=lambda rs: bool(matching(rs)), timeout=timeout)
    )
    if found:
        return found[0]
    raise AssertionError(f"no matching record on {topic} within {timeout}s")
