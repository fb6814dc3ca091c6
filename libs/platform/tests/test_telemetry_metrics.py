"""Each metric of ADR 0092 with a real value, read by the in-memory metric reader from the
process's global meter provider (the one the OTLP exporter would read), on the real PostgreSQL
and Kafka."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import APIRouter

from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.consumer import Delivery, InboxConsumer, PermanentFailure
from kokuho.events.runtime.deadletters import KafkaDeadLetters
from kokuho.events.runtime.kafka import KafkaSender, reliable_producer
from kokuho.events.runtime.metrics import (
    CONSUMER_LAG,
    DEAD_LETTERS,
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_AGE,
    OUTBOX_PUBLISHED,
    Instrument,
)
from kokuho.events.runtime.relay import OutboxRelay
from kokuho.events.runtime.store import PostgresEventStore, append
from kokuho.events.runtime.topics import TopicSpec, ensure_topics, with_dead_letters
from kokuho.events.testing.databases import temporary_database
from kokuho.events.testing.sample import SampleRecorded
from kokuho.events.testing.waiting import eventually
from kokuho.platform import audit as audit_module
from kokuho.platform.app import create_app
from kokuho.platform.audit import (
    AUDIT_SEALING_LAG,
    AUDIT_UNSEALED,
    AuditEntry,
    AuditSealer,
    Outcome,
    PostgresAuditLog,
)
from kokuho.platform.auth import TokenVerifier, require_roles
from kokuho.platform.settings import ServiceSettings
from kokuho.platform.telemetry import HTTP_REQUEST_DURATION, metrics_in_memory
from kokuho.platform.testing import staff_headers
from kokuho.platform.token import new_private_key

pytestmark = pytest.mark.integration


def points(instrument: Instrument) -> list[Any]:
    """The data points of ``instrument`` in a collection now."""
    data = metrics_in_memory().get_metrics_data()
    found = []
    for resource in data.resource_metrics if data else ():
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name == instrument.name:
                    assert metric.unit == instrument.unit
                    found.extend(metric.data.data_points)
    return found


def value(instrument: Instrument, **attributes: str) -> float | None:
    """The value of the point whose attributes include ``attributes`` (None: no such point)."""
    matching = [
        p.value
        for p in points(instrument)
        if all(p.attributes.get(k) == v for k, v in attributes.items())
    ]
    assert len(matching) <= 1, matching
    return matching[0] if matching else None


def service(name: str) -> dict[str, str]:
    return {"kokuho.service": name}


@pytest.fixture
async def producer(kafka: KafkaConnection) -> AsyncIterator[AIOKafkaProducer]:
    metrics_in_memory()  # before the instruments are used, as a service's start would
    p = reliable_producer(kafka)
    await p.start()
    try:
        yield p
    finally:
        await p.stop()


@pytest.fixture
async def topic(kafka: KafkaConnection) -> str:
    name = f"test.metrics.{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka, with_dead_letters([TopicSpec(name, partitions=1)]))
    return name


async def write(dsn: str, topic: str, count: int) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            store = PostgresEventStore(conn, source="/kokuho/metrics-test")
            for i in range(count):
                await append(store, f"k-{i}", 0, [SampleRecorded(n=i)], topic=topic)
    finally:
        await conn.close()


async def test_outbox_backlog_and_age_before_and_after_the_relay(
    pg_admin_dsn: str, producer: AIOKafkaProducer, topic: str
) -> None:
    name = f"metrics-{uuid.uuid4().hex[:6]}"
    async with temporary_database(pg_admin_dsn, events_schema=True) as dsn:
        await write(dsn, topic, 3)
        relay = OutboxRelay(dsn, KafkaSender(producer), service=name)
        conn = await asyncpg.connect(dsn)
        try:
            await relay.measure(conn)
            assert value(OUTBOX_BACKLOG, **service(name)) == 3
            age = value(OUTBOX_OLDEST_AGE, **service(name))
            assert age is not None
            assert age > 0
            published_before = value(OUTBOX_PUBLISHED, **service(name)) or 0

            assert await relay.relay_once(conn) == 3
            await relay.measure(conn)
            assert value(OUTBOX_BACKLOG, **service(name)) == 0
            assert value(OUTBOX_OLDEST_AGE, **service(name)) == 0
            assert value(OUTBOX_PUBLISHED, **service(name)) == published_before + 3
        finally:
            await conn.close()


async def test_the_running_relay_reports_and_forgets_when_it_stops(
    pg_admin_dsn: str, producer: AIOKafkaProducer, topic: str
) -> None:
    name = f"metrics-{uuid.uuid4().hex[:6]}"
    async with temporary_database(pg_admin_dsn, events_schema=True) as dsn:
        await write(dsn, topic, 2)
        relay = OutboxRelay(
            dsn, KafkaSender(producer), service=name, poll_interval=0.1, measure_interval=0.1
        )
        async with running(relay.run):
            # measured before its first batch (2 waiting), then again once they are published
            await eventually(lambda: value(OUTBOX_PUBLISHED, **service(name)) == 2)
            await eventually(lambda: value(OUTBOX_BACKLOG, **service(name)) == 0)
        assert value(OUTBOX_BACKLOG, **service(name)) is None  # a stopped relay reports nothing


async def test_consumer_lag_and_dead_letters(
    pg_admin_dsn: str, kafka: KafkaConnection, producer: AIOKafkaProducer, topic: str
) -> None:
    group = f"test.metrics.{uuid.uuid4().hex[:8]}"
    gate = asyncio.Event()

    async def handler(conn: asyncpg.Connection, delivery: Delivery) -> None:
        assert delivery.event is not None
        if delivery.event.n == 1:  # type: ignore[attr-defined]
            raise PermanentFailure("refused for the test")
        if delivery.event.n >= 2:  # type: ignore[attr-defined]
            await gate.wait()

    async with temporary_database(pg_admin_dsn, events_schema=True) as dsn:
        # six messages on the topic before the consumer starts: events 0..4 and a bad one
        await write(dsn, topic, 5)
        conn = await asyncpg.connect(dsn)
        try:
            relay = OutboxRelay(dsn, KafkaSender(producer), service="metrics-lag")
            assert await relay.relay_once(conn) == 5
        finally:
            await conn.close()
        await producer.send_and_wait(topic, key=b"bad", value=b"not an envelope")
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
        consumer = InboxConsumer(
            pool=pool,
            connection=kafka,
            group_id=group,
            topics=[topic],
            handler=handler,
            dead_letters=KafkaDeadLetters(producer),
            max_records=1,
            measure_interval=0,
        )
        lag = {"messaging.consumer.group.name": group, "messaging.destination.name": topic}
        try:
            async with running(consumer.run):
                # 0 applied, 1 dead-lettered (refused), then held at 2 of 6: 4 still behind
                await eventually(lambda: value(CONSUMER_LAG, **lag) == 4)
                assert value(DEAD_LETTERS, **lag) == 1
                gate.set()
                # 2..4 applied, the undecodable last one dead-lettered: nothing behind
                await eventually(lambda: value(CONSUMER_LAG, **lag) == 0)
                assert value(DEAD_LETTERS, **lag) == 2
            assert value(CONSUMER_LAG, **lag) is None  # a stopped consumer reports nothing
        finally:
            await pool.close()


async def test_audit_sealing_lag(pg_admin_dsn: str) -> None:
    name = f"metrics-{uuid.uuid4().hex[:6]}"
    async with temporary_database(pg_admin_dsn) as dsn:
        conn = await asyncpg.connect(dsn)
        try:
            await audit_module.install(conn)
            log = PostgresAuditLog(lambda: None)  # type: ignore[arg-type,return-value]
            entry = AuditEntry(user_id="u1", operation="GET /x", outcome=Outcome.ALLOWED)
            await log.append(entry, conn=conn)
            sealer = AuditSealer(dsn, audit_module.current_key(), service=name)
            await sealer.measure(conn)
            assert value(AUDIT_UNSEALED, **service(name)) == 1
            lag = value(AUDIT_SEALING_LAG, **service(name))
            assert lag is not None
            assert lag > 0
            await audit_module.seal_pending(conn)
            await sealer.measure(conn)
            assert value(AUDIT_UNSEALED, **service(name)) == 0
            assert value(AUDIT_SEALING_LAG, **service(name)) == 0
        finally:
            await conn.close()


async def test_request_latency_by_route() -> None:
    metrics_in_memory()
    route = f"/api/v1/timed-{uuid.uuid4().hex[:6]}/{{thing}}"
    router = APIRouter()

    @router.get(route, dependencies=[require_roles("tester")])
    async def timed(thing: str) -> dict[str, str]:
        return {"thing": thing}

    key = new_private_key()
    app = create_app(
        ServiceSettings(service_name="latency-test"),
        audit_log=audit_module.InMemoryAuditLog(),
        token_verifier=TokenVerifier([key.public_key()]),  # type: ignore[list-item]
        routers=[router],
        configure_logs=False,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for thing in ("a", "b"):
            r = await client.get(
                route.replace("{thing}", thing),
                headers=staff_headers(key, "U1", "tester", terminal_id="T1"),
            )
            assert r.status_code == 200, r.text
    by_route = [p for p in points(HTTP_REQUEST_DURATION) if p.attributes.get("http.route") == route]
    assert [(p.attributes["http.request.method"], p.count) for p in by_route] == [("GET", 2)]
    assert by_route[0].sum > 0


@contextlib.asynccontextmanager
async def running(*loops: Callable[[asyncio.Event], Awaitable[None]]) -> AsyncIterator[None]:
    stop = asyncio.Event()
    tasks = [asyncio.create_task(loop(stop)) for loop in loops]
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)
