"""The collection service served in process on the real PostgreSQL and Kafka, each test with
its own database, topics and consumer groups."""

from __future__ import annotations

import calendar
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from kokuho.collection.bootstrap import build
from kokuho.collection.config import Settings
from kokuho.events.contracts import assessment, delinquency
from kokuho.events.contracts import collection as contracts
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.topics import TopicSpec, ensure_topics, with_dead_letters
from kokuho.events.testing.kafka import publish, read_topic
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import migrated_database, service_user, serving, staff_headers
from kokuho.platform.token import PrivateKey, new_private_key

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 12:00 in Japan
FY = 2026
MONTHS = (6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


def due_dates(fiscal_year: int = FY) -> list[date]:
    out = []
    for m in MONTHS:
        y = fiscal_year + (m < 4)
        out.append(date(y, m, calendar.monthrange(y, m)[1]))
    return out


def premium_assessed(household: str, amounts: list[int], revision: int = 1) -> Any:
    return assessment.PremiumAssessed(
        assessment_id=uuid.uuid4(),
        nhi_household_number=household,
        fiscal_year=FY,
        revision=revision,
        kind="assessment" if revision == 1 else "correction",
        cause="annual_run" if revision == 1 else "income_change",
        assessed_on=date(FY, 6, 15) if revision == 1 else date(FY, 11, 20),
        annual_amount=sum(amounts),
        difference=0,
        statutory_reduction=0,
        insured_months=12,
        components=[],
        instalments=[
            assessment.Instalment(period=p, due_date=d, amount=a, difference=0)
            for p, (d, a) in enumerate(zip(due_dates(), amounts, strict=False), start=1)
        ],
        parameter_documents=[],
        assessed_by="system:annual-run",
    )


@dataclass
class Running:
    client: httpx.AsyncClient
    key: PrivateKey
    dsn: str
    topic: str
    assessment_topic: str
    bootstrap: KafkaConnection  # the set-up's super user: publishes as other services would
    delinquency_topic: str = ""

    def headers(self, *roles: str, user: str = "U-CLERK", **extra: str) -> dict[str, str]:
        headers = staff_headers(self.key, user, *roles, **extra)
        headers.setdefault("Idempotency-Key", str(uuid.uuid4()))
        return headers

    async def fetchval(self, sql: str, *args: Any) -> Any:
        conn = await asyncpg.connect(self.dsn)
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()

    async def assess(self, household: str, amounts: list[int], revision: int = 1) -> None:
        await publish(
            self.bootstrap,
            self.assessment_topic,
            household,
            premium_assessed(household, amounts, revision),
            source="/kokuho/assessment",
        )

    async def published(self, event_type: str, expected: int) -> list[dict[str, Any]]:
        records = await read_topic(
            self.bootstrap,
            self.topic,
            until=lambda rs: sum(json.loads(r.value)["type"] == event_type for r in rs) >= expected,
        )
        return [
            {"key": r.key.decode(), **json.loads(r.value)}
            for r in records
            if json.loads(r.value)["type"] == event_type
        ]


@pytest.fixture
async def running(
    pg_admin_dsn: str, kafka: KafkaConnection, kafka_users: dict[str, KafkaConnection]
) -> AsyncIterator[Running]:
    run = f"test.collection.{uuid.uuid4().hex[:12]}"
    topic = f"{run}.{contracts.EVENTS_TOPIC}"
    assessment_topic = f"{run}.{assessment.EVENTS_TOPIC}"
    delinquency_topic = f"{run}.{delinquency.EVENTS_TOPIC}"
    await ensure_topics(
        kafka,
        with_dead_letters(
            [
                TopicSpec(topic, 3, 1),
                TopicSpec(assessment_topic, 3, 1),
                TopicSpec(delinquency_topic, 3, 1),
            ]
        ),
    )
    user = await service_user(
        kafka,
        kafka_users,
        "collection",
        run=run,
        topics=[topic, assessment_topic, delinquency_topic],
    )
    async with migrated_database(pg_admin_dsn, MIGRATIONS) as dsn:
        settings = Settings(
            database_dsn=dsn,
            **user,
            events_topic=topic,
            assessment_topic=assessment_topic,
            delinquency_topic=delinquency_topic,
            consumer_group_prefix=run,
        )
        key = new_private_key()
        app = build(settings, token_verifier=TokenVerifier([key.public_key()]), clock=lambda: NOW)
        async with serving(app, "collection") as client:
            yield Running(client, key, dsn, topic, assessment_topic, kafka, delinquency_topic)
