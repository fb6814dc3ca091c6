"""Fixtures of the eligibility tests: a migrated throwaway database on the real PostgreSQL,
the service's topics on the real Kafka, staff tokens, and the app built by bootstrap.build."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from aiokafka import AIOKafkaConsumer

from kokuho.eligibility.bootstrap import build
from kokuho.eligibility.config import Settings
from kokuho.events.runtime.topics import TopicSpec, ensure_topics
from kokuho.events.testing.databases import temporary_database
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.commands import topic_specs
from kokuho.platform.database import migrate, migration_files
from kokuho.platform.token import PrivateKey, mint_token, new_private_key

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


@pytest.fixture(scope="session")
def signing_key() -> PrivateKey:
    return new_private_key("ES256")


@pytest.fixture(scope="session")
def token(signing_key: PrivateKey) -> Callable[..., dict[str, str]]:
    def headers(user: str, *roles: str, **extra: str) -> dict[str, str]:
        value = mint_token(signing_key, user_id=user, roles=list(roles), terminal_id="T-0001")
        return {"Authorization": f"Bearer {value}", **extra}

    return headers


@pytest.fixture(scope="session")
async def eligibility_dsn(pg_admin_dsn: str) -> AsyncIterator[str]:
    async with temporary_database(pg_admin_dsn) as dsn:
        await migrate(dsn, migration_files(MIGRATIONS))
        yield dsn


@pytest.fixture(scope="session")
async def eligibility_settings(eligibility_dsn: str, kafka_bootstrap: str) -> Settings:
    # The tests' own topics: synthetic test events never reach the shared service topics.
    suffix = uuid.uuid4().hex[:8]
    settings = Settings(
        database_dsn=eligibility_dsn,
        kafka_bootstrap_servers=kafka_bootstrap,
        events_topic=f"test.eligibility.events.{suffix}",
        personal_details_topic=f"test.eligibility.personal-details.{suffix}",
        turning_75_daily=False,  # the job runs when a test asks for it
        linkage_topic=f"test.linkage-gateway.events.{suffix}",
    )
    assert settings.linkage_topic is not None
    specs = [
        TopicSpec(settings.linkage_topic, 3, 1),
        TopicSpec(settings.events_topic, 3, 1),
        TopicSpec(settings.personal_details_topic, 3, 1, compacted=True),
    ]
    await ensure_topics(kafka_bootstrap, topic_specs(settings, specs))
    return settings


@pytest.fixture(scope="session")
async def client(
    eligibility_settings: Settings, signing_key: PrivateKey
) -> AsyncIterator[httpx.AsyncClient]:
    verifier = TokenVerifier([signing_key.public_key()])  # type: ignore[list-item]
    app = build(eligibility_settings, token_verifier=verifier)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://eligibility") as c:
            yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def served(eligibility_settings: Settings, signing_key: PrivateKey) -> Iterator[str]:
    """The app on a real port in its own thread and event loop (for the fuzzer's requests);
    no relay and no consumer: the in-process app of the other tests does that work."""
    verifier = TokenVerifier([signing_key.public_key()])  # type: ignore[list-item]
    settings = eligibility_settings.model_copy(update={"linkage_topic": None})
    app = build(settings, token_verifier=verifier, relay=False)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.05)
    assert server.started, "the eligibility app did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


async def find_on_topic(
    bootstrap: str,
    topic: str,
    match: Callable[[bytes | None, dict[str, Any] | None], bool],
    timeout: float = 30.0,
) -> tuple[bytes | None, dict[str, Any] | None]:
    """Read ``topic`` from the beginning until a record matches (key, parsed value)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"eligibility-test-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            batches = await consumer.getmany(timeout_ms=300)
            for batch in batches.values():
                for record in batch:
                    value = json.loads(record.value) if record.value is not None else None
                    if match(record.key, value):
                        return record.key, value
    finally:
        await consumer.stop()
    raise AssertionError(f"no matching record on {topic} within {timeout}s")
