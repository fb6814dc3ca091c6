"""The delinquency service served in process on the real PostgreSQL and Kafka, with its own
topics (its events and a collection topic the test publishes to) and consumer groups."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from kokuho.delinquency.bootstrap import build
from kokuho.delinquency.config import Settings
from kokuho.events.contracts import EventContract, collection, delinquency
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.topics import TopicSpec, ensure_topics, with_dead_letters
from kokuho.events.testing.kafka import publish
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import migrated_database, service_user, serving, staff_headers
from kokuho.platform.token import PrivateKey, new_private_key

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
NOW = datetime(2026, 8, 3, 3, 0, tzinfo=UTC)  # 12:00 on 2026-08-03 in Japan
OFFICER = "delinquency.officer"
SUPERVISOR = "delinquency.supervisor"


@dataclass
class Running:
    client: httpx.AsyncClient
    key: PrivateKey
    settings: Settings
    kafka: KafkaConnection  # the set-up's super user: publishes as collection would

    def headers(self, user: str, *roles: str, **extra: str) -> dict[str, str]:
        return staff_headers(self.key, user, *roles, **extra)

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.settings.database_dsn)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    async def collection_says(self, household: str, *events: EventContract) -> None:
        await publish(
            self.kafka,
            self.settings.collection_topic,
            household,
            *events,
            source="/kokuho/collection",
        )


@pytest.fixture
async def settings(
    pg_admin_dsn: str, kafka: KafkaConnection, kafka_users: dict[str, KafkaConnection]
) -> AsyncIterator[Settings]:
    run = f"test.delinquency.{uuid.uuid4().hex[:12]}"
    own = f"{run}.{delinquency.EVENTS_TOPIC}"
    source = f"{run}.{collection.EVENTS_TOPIC}"
    specs = [TopicSpec(own, 3, 1), TopicSpec(source, 3, 1)]
    await ensure_topics(kafka, with_dead_letters(specs))
    user = await service_user(kafka, kafka_users, "delinquency", run=run, topics=[own, source])
    async with migrated_database(pg_admin_dsn, MIGRATIONS) as dsn:
        yield Settings(
            database_dsn=dsn,
            **user,
            events_topic=own,
            collection_topic=source,
            consumer_group_prefix=run,
        )


@pytest.fixture
async def running(settings: Settings, kafka: KafkaConnection) -> AsyncIterator[Running]:
    key = new_private_key()
    app = build(settings, token_verifier=TokenVerifier([key.public_key()]), clock=lambda: NOW)
    async with serving(app, "delinquency") as client:
        yield Running(client, key, settings, kafka)
