"""Shared fixtures of the assessment tests (synthetic people only)."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from aiokafka import AIOKafkaProducer

from kokuho.assessment.bootstrap import build
from kokuho.assessment.config import Settings
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.assessment.parameters import load_parameters
from kokuho.events.contracts import Envelope, EventContract
from kokuho.events.contracts.assessment import EVENTS_TOPIC
from kokuho.events.runtime.topics import TopicSpec, ensure_topics
from kokuho.events.testing.databases import temporary_database
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.database import migrate, migration_files
from kokuho.platform.token import PrivateKey, mint_token, new_private_key


@pytest.fixture(scope="session")
def fy2025() -> PremiumParameters:
    return load_parameters(2025)


@pytest.fixture(scope="session")
def fy2026() -> PremiumParameters:
    return load_parameters(2026)


# --- the real app on PostgreSQL and Kafka (integration and end-to-end tests) ---------------


MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
TODAY = date(2026, 11, 26)


@pytest.fixture
async def assessment_dsn(pg_admin_dsn: str) -> AsyncIterator[str]:
    async with temporary_database(pg_admin_dsn) as dsn:
        await migrate(dsn, migration_files(MIGRATIONS))
        yield dsn


@dataclass
class Running:
    client: httpx.AsyncClient
    settings: Settings
    key: PrivateKey
    dsn: str
    eligibility_topic: str
    linkage_topic: str

    def headers(self, *roles: str, user: str = "U-CLERK", **extra: str) -> dict[str, str]:
        token = mint_token(
            self.key, user_id=user, roles=list(roles), terminal_id="T-TEST", amr=["iccard"]
        )
        return {"Authorization": f"Bearer {token}", **extra}

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.dsn)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    async def publish_eligibility(self, key: str, *events: EventContract) -> None:
        await self.publish(self.eligibility_topic, key, "/kokuho/eligibility", *events)

    async def publish(self, topic: str, key: str, source: str, *events: EventContract) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.settings.kafka_bootstrap_servers)
        await producer.start()
        try:
            for event in events:
                envelope = Envelope(
                    id=uuid.uuid4(),
                    source=source,
                    type=event.event_type,
                    time=datetime.now(UTC),
                    subject=f"household-{key}",
                    data=event.model_dump(mode="json"),
                    partitionkey=key,
                )
                await producer.send_and_wait(topic, envelope.to_json_bytes(), key=key.encode())
        finally:
            await producer.stop()


@pytest.fixture
async def running(
    assessment_dsn: str, kafka_bootstrap: str, unique_topic: str
) -> AsyncIterator[Running]:
    linkage_topic = f"{unique_topic}.linkage"
    await ensure_topics(
        kafka_bootstrap,
        [
            TopicSpec(EVENTS_TOPIC, 3, 1),
            TopicSpec(unique_topic, 3, 1),
            TopicSpec(linkage_topic, 3, 1),
        ],
    )
    settings = Settings(
        database_dsn=assessment_dsn,
        kafka_bootstrap_servers=kafka_bootstrap,
        eligibility_topic=unique_topic,
        linkage_topic=linkage_topic,
    )
    key = new_private_key("ES256")
    app = build(settings, token_verifier=TokenVerifier([key.public_key()]), clock=lambda: TODAY)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://assessment") as client:
            yield Running(client, settings, key, assessment_dsn, unique_topic, linkage_topic)


@dataclass
class Served:
    url: str
    key: PrivateKey

    def headers(self, *roles: str, user: str = "U-FUZZ") -> dict[str, str]:
        token = mint_token(self.key, user_id=user, roles=list(roles), terminal_id="T-TEST")
        return {"Authorization": f"Bearer {token}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(assessment_dsn: str, kafka_bootstrap: str, unique_topic: str) -> Iterator[Served]:
    """The app on a real port in its own thread and event loop (for the fuzzer's requests)."""
    settings = Settings(
        database_dsn=assessment_dsn,
        kafka_bootstrap_servers=kafka_bootstrap,
        eligibility_topic=unique_topic,
        consume_eligibility=False,
    )
    key = new_private_key("ES256")
    app = build(settings, token_verifier=TokenVerifier([key.public_key()]), clock=lambda: TODAY)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.05)
    assert server.started, "assessment did not start"
    yield Served(f"http://127.0.0.1:{port}", key)
    server.should_exit = True
    thread.join(timeout=15)
