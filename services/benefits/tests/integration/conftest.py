"""The benefits service served in process on the real PostgreSQL and Kafka: a migrated
database, a topic and consumer-group prefix of each test's own."""

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

from kokuho.benefits.bootstrap import build
from kokuho.benefits.config import Settings
from kokuho.events.contracts import assessment, delinquency, eligibility, linkage_gateway
from kokuho.events.contracts import benefits as contracts
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.topics import TopicSpec, ensure_topics, with_dead_letters
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import migrated_database, service_user, serving, staff_headers
from kokuho.platform.token import PrivateKey, new_private_key

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 12:00 in Japan
CLERK = "benefits.clerk"


@dataclass
class Running:
    client: httpx.AsyncClient
    key: PrivateKey
    dsn: str
    topic: str
    bootstrap: KafkaConnection  # the set-up's super user: publishes as other services would
    linkage_topic: str
    delinquency_topic: str = ""
    income_facts_topic: str = ""
    eligibility_topic: str = ""

    def headers(self, *roles: str, **extra: str) -> dict[str, str]:
        return staff_headers(self.key, "U-CLERK", *roles, **extra)

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.dsn)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()


@pytest.fixture
async def settings(
    pg_admin_dsn: str, kafka: KafkaConnection, kafka_users: dict[str, KafkaConnection]
) -> AsyncIterator[Settings]:
    """Settings on a migrated database of this test's own, with its own topic and consumer
    groups (a running ``make run`` shares neither)."""
    run = f"test.benefits.{uuid.uuid4().hex[:12]}"
    topic = f"{run}.{contracts.EVENTS_TOPIC}"
    linkage = f"{run}.{linkage_gateway.TOPIC}"
    arrears = f"{run}.{delinquency.EVENTS_TOPIC}"
    facts = assessment.income_facts_topic(f"{run}.{assessment.EVENTS_TOPIC}")
    losses = f"{run}.{eligibility.EVENTS_TOPIC}"
    specs = [
        TopicSpec(topic, 3, 1),
        TopicSpec(linkage, 3, 1),
        TopicSpec(arrears, 3, 1),
        TopicSpec(facts, 3, 1),
        TopicSpec(losses, 3, 1),
    ]
    await ensure_topics(kafka, with_dead_letters(specs))
    user = await service_user(
        kafka, kafka_users, "benefits", run=run, topics=[s.name for s in specs]
    )
    async with migrated_database(pg_admin_dsn, MIGRATIONS) as dsn:
        yield Settings(
            database_dsn=dsn,
            **user,
            events_topic=topic,
            linkage_topic=linkage,
            delinquency_topic=arrears,
            income_facts_topic=facts,
            eligibility_topic=losses,
            monthly_run_poll_seconds=0.2,
            consumer_group_prefix=run,
        )


@pytest.fixture
async def running(settings: Settings, kafka: KafkaConnection) -> AsyncIterator[Running]:
    key = new_private_key()
    app = build(settings, token_verifier=TokenVerifier([key.public_key()]), clock=lambda: NOW)
    async with serving(app, "benefits") as client:
        yield Running(
            client,
            key,
            settings.database_dsn,
            settings.events_topic,
            kafka,
            settings.linkage_topic,
            settings.delinquency_topic,
            settings.income_facts_topic,
            settings.eligibility_topic,
        )
