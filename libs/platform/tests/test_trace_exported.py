"""One trace, exported, from a counter request through the outbox and Kafka to every consumer
(ADR 0092): the spans the in-memory exporter receives are the request's server span, the
relay's publish span and one process span per consumer group, all in the request's trace."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import APIRouter
from opentelemetry.trace import SpanKind

from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.consumer import Delivery
from kokuho.events.runtime.store import PostgresEventStore, append
from kokuho.events.runtime.topics import TopicSpec, ensure_topics, with_dead_letters
from kokuho.events.testing.databases import temporary_database
from kokuho.events.testing.sample import SampleRecorded
from kokuho.events.testing.waiting import eventually
from kokuho.platform import audit as audit_module
from kokuho.platform import idempotency as idempotency_module
from kokuho.platform.app import create_app
from kokuho.platform.auth import TokenVerifier, require_roles
from kokuho.platform.eventing import Eventing, Subscription
from kokuho.platform.settings import ServiceSettings
from kokuho.platform.telemetry import spans_in_memory
from kokuho.platform.testing import OwnTopics, kafka_settings, staff_headers
from kokuho.platform.token import new_private_key

pytestmark = pytest.mark.integration

TRACE_ID = "5cf92f3577b34da6a3ce929d0e0e4737"
CALLER_SPAN = "00f067aa0ba902b8"
CONSUMERS = ("certificates", "notices", "reports")


async def test_one_exported_trace_from_the_request_to_every_consumer(
    pg_admin_dsn: str, kafka: KafkaConnection
) -> None:
    topic = f"test.trace.{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka, with_dead_letters([TopicSpec(topic, partitions=1)]))
    applied: dict[str, asyncio.Event] = {name: asyncio.Event() for name in CONSUMERS}

    def handler(name: str) -> Any:
        async def on_event(conn: asyncpg.Connection, delivery: Delivery) -> None:
            applied[name].set()

        return on_event

    with spans_in_memory() as exporter:
        async with temporary_database(pg_admin_dsn, events_schema=True) as dsn:
            conn = await asyncpg.connect(dsn)
            try:
                await audit_module.install(conn)
                await idempotency_module.install(conn)
            finally:
                await conn.close()
            settings = ServiceSettings(
                service_name="trace-export-test",
                database_dsn=dsn,
                **kafka_settings(kafka),  # a probe service of the test: the set-up's user
                consumer_group_prefix=OwnTopics.fresh("trace").consumer_group_prefix,
            )
            eventing = Eventing(
                settings,
                subscriptions=[Subscription(n, [topic], handler(n)) for n in CONSUMERS],
            )
            router = APIRouter(prefix="/api/v1")

            @router.post("/things", status_code=201, dependencies=[require_roles("tester")])
            async def make_thing() -> dict[str, Any]:
                async with eventing.pool.acquire() as c, c.transaction():
                    store = PostgresEventStore(c, source="/kokuho/trace-export-test")
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
                            traceparent=f"00-{TRACE_ID}-{CALLER_SPAN}-01",
                        ),
                    )
                assert response.status_code == 201, response.text
                for name in CONSUMERS:
                    await asyncio.wait_for(applied[name].wait(), 60)
                # the consumer's span ends after its handler returned
                await eventually(lambda: len(_process_spans(exporter, topic)) == len(CONSUMERS))
        spans = [
            s for s in exporter.get_finished_spans() if s.context.trace_id == int(TRACE_ID, 16)
        ]

    server = [s for s in spans if s.kind is SpanKind.SERVER]
    assert [s.name for s in server] == ["POST /api/v1/things"]
    (request,) = server
    assert request.parent is not None
    assert f"{request.parent.span_id:016x}" == CALLER_SPAN
    assert request.attributes is not None
    assert request.attributes["http.route"] == "/api/v1/things"

    publish = [s for s in spans if s.name == f"{topic} publish"]
    assert len(publish) == 1
    assert publish[0].kind is SpanKind.PRODUCER
    assert publish[0].parent is not None
    assert publish[0].parent.span_id == request.context.span_id  # from the outbox row

    process = _process_spans(exporter, topic)
    groups = sorted(str((s.attributes or {})["messaging.consumer.group.name"]) for s in process)
    assert groups == sorted(
        f"{settings.consumer_group_prefix}.trace-export-test.{n}" for n in CONSUMERS
    )
    for span in process:
        assert span.kind is SpanKind.CONSUMER
        assert span.context.trace_id == int(TRACE_ID, 16)
        assert span.parent is not None
        assert span.parent.span_id == request.context.span_id


def _process_spans(exporter: Any, topic: str) -> list[Any]:
    return [s for s in exporter.get_finished_spans() if s.name == f"{topic} process"]
