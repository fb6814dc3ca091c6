"""W3C trace context travels from the HTTP request, through the outbox and Kafka, to the
consumer's handler (architecture.md section 6)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import APIRouter
from opentelemetry import trace

from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.consumer import Delivery
from kokuho.events.runtime.store import PostgresEventStore, append
from kokuho.events.runtime.topics import TopicSpec, ensure_topics, with_dead_letters
from kokuho.events.testing.databases import temporary_database
from kokuho.events.testing.sample import SampleRecorded
from kokuho.platform import audit as audit_module
from kokuho.platform import idempotency as idempotency_module
from kokuho.platform.app import create_app
from kokuho.platform.auth import TokenVerifier, require_roles
from kokuho.platform.eventing import Eventing, Subscription
from kokuho.platform.settings import ServiceSettings
from kokuho.platform.testing import OwnTopics, kafka_settings, staff_headers
from kokuho.platform.token import new_private_key

pytestmark = pytest.mark.integration

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


async def test_a_requests_trace_reaches_the_consumer(
    pg_admin_dsn: str, kafka: KafkaConnection
) -> None:
    topic = f"test.trace.{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka, with_dead_letters([TopicSpec(topic, partitions=1)]))
    seen: list[tuple[int, int]] = []
    applied = asyncio.Event()

    async def on_event(conn: asyncpg.Connection, delivery: Delivery) -> None:
        context = trace.get_current_span().get_span_context()
        seen.append((context.trace_id, context.span_id))
        applied.set()

    async with temporary_database(pg_admin_dsn, events_schema=True) as dsn:
        conn = await asyncpg.connect(dsn)
        try:
            await audit_module.install(conn)
            await idempotency_module.install(conn)
        finally:
            await conn.close()
        settings = ServiceSettings(
            service_name="trace-test",
            database_dsn=dsn,
            **kafka_settings(kafka),  # a probe service of the test: the set-up's user
            consumer_group_prefix=OwnTopics.fresh("trace").consumer_group_prefix,
        )
        eventing = Eventing(settings, subscriptions=[Subscription("t", [topic], on_event)])
        router = APIRouter(prefix="/api/v1")

        @router.post("/things", status_code=201, dependencies=[require_roles("tester")])
        async def make_thing() -> dict[str, Any]:
            async with eventing.pool.acquire() as c, c.transaction():
                store = PostgresEventStore(c, source="/kokuho/trace-test")
                await append(store, "thing-1", 0, [SampleRecorded(n=1)], topic=topic)
            return {"ok": True}

        key = new_private_key()
        app = create_app(
            settings,
            audit_log=audit_module.PostgresAuditLog(lambda: eventing.pool),
            idempotency_store=idempotency_module.PostgresIdempotencyStore(),
            token_verifier=TokenVerifier([key.public_key()]),  # type: ignore[list-item]
            routers=[router],
            configure_logs=False,
        )
        async with eventing:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                response = await client.post(
                    "/api/v1/things",
                    headers=staff_headers(
                        key,
                        "U1",
                        "tester",
                        terminal_id="T1",
                        traceparent=f"00-{TRACE_ID}-00f067aa0ba902b7-01",
                    ),
                )
            assert response.status_code == 201, response.text
            await asyncio.wait_for(applied.wait(), 30)
        stored = await asyncpg.connect(dsn)
        try:
            traceparent = await stored.fetchval("SELECT traceparent FROM outbox")
        finally:
            await stored.close()
    assert traceparent.split("-")[1] == TRACE_ID
    assert [trace_id for trace_id, _ in seen] == [int(TRACE_ID, 16)]
