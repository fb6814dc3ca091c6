"""Outbox relay against a raw idempotent producer; inbox consumer against a raw consumer."""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
from aiokafka import AIOKafkaConsumer

from bench.report import Result
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.consumer import Delivery, InboxConsumer
from kokuho.events.runtime.deadletters import KafkaDeadLetters
from kokuho.events.runtime.kafka import KafkaSender, kafka_headers, reliable_producer
from kokuho.events.runtime.relay import GROUP_ENTRIES, OutboxRelay, backlog
from kokuho.events.runtime.store import OutboxMessage, PostgresEventStore, StreamAppend
from kokuho.events.runtime.topics import TopicSpec, ensure_topics, with_dead_letters
from kokuho.events.testing.databases import temporary_database
from kokuho.events.testing.sample import SampleRecorded


async def fill_outbox(dsn: str, topic: str, total: int) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        store = PostgresEventStore(conn, source="/kokuho/bench")
        appends = [
            StreamAppend(f"s-{i:07d}", 0, [SampleRecorded(n=i, note="bench")], topic=topic)
            for i in range(total)
        ]
        for i in range(0, total, 5000):
            async with conn.transaction():
                await store.append_batch(appends[i : i + 5000])
    finally:
        await conn.close()


async def relay_all(dsn: str, kafka: KafkaConnection) -> float:
    producer = reliable_producer(kafka)
    await producer.start()
    relay = OutboxRelay(dsn, KafkaSender(producer), service="bench")
    conn = await relay.connect()  # as the relay's own loop connects
    try:
        started = time.perf_counter()
        await relay.relay_available(conn)
        seconds = time.perf_counter() - started
        assert await backlog(conn) == 0
        return seconds
    finally:
        await conn.close()
        await producer.stop()


async def raw_produce(dsn: str, kafka: KafkaConnection, topic: str) -> float:
    # The bytes the relay sends: each event's envelope (an outbox row of a stored event has no
    # value of its own; sending its null value measured a producer of tombstones).
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT coalesce(g.event_id, o.event_id), coalesce(g.key, o.key),"
            f" convert_to(e.envelope::text, 'UTF8'), o.traceparent FROM outbox o {GROUP_ENTRIES}"
            " JOIN events e ON e.event_id = coalesce(g.event_id, o.event_id)"
            " ORDER BY o.position, g.n"
        )
    finally:
        await conn.close()
    messages = [OutboxMessage(r[0], topic, r[1], r[2], r[3], None) for r in rows]
    producer = reliable_producer(kafka)
    await producer.start()
    try:
        started = time.perf_counter()
        futures = [
            await producer.send(topic, value=m.value, key=m.key.encode(), headers=kafka_headers(m))
            for m in messages
        ]
        await asyncio.gather(*futures)
        return time.perf_counter() - started
    finally:
        await producer.stop()


async def inbox_consume(dsn: str, kafka: KafkaConnection, topic: str, total: int) -> float:
    first: list[float] = []
    handled = 0
    done = asyncio.Event()

    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        nonlocal handled
        if not first:
            first.append(time.perf_counter())
        handled += 1
        if handled >= total:
            done.set()

    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=4)
    producer = reliable_producer(kafka)
    await producer.start()
    consumer = InboxConsumer(
        pool=pool,
        connection=kafka,
        group_id=f"bench-{uuid.uuid4().hex[:8]}",
        topics=[topic],
        handler=handle,
        dead_letters=KafkaDeadLetters(producer),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        await done.wait()
        seconds = time.perf_counter() - first[0]
        stop.set()
        await task
        assert await pool.fetchval("SELECT count(*) FROM inbox") == total
        return seconds
    finally:
        stop.set()
        if not task.done():
            await task
        await producer.stop()
        await pool.close()


async def raw_consume(kafka: KafkaConnection, topic: str, total: int) -> float:
    consumer = AIOKafkaConsumer(
        topic,
        **kafka.client_options(),
        group_id=f"raw-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        seen = 0
        started = None
        while seen < total:
            batches = await consumer.getmany(timeout_ms=200, max_records=1000)
            for records in batches.values():
                if started is None:
                    started = time.perf_counter()
                seen += len(records)
        assert started is not None
        return time.perf_counter() - started
    finally:
        await consumer.stop()


async def run(admin_dsn: str, kafka: KafkaConnection, total: int) -> list[Result]:
    run_id = uuid.uuid4().hex[:8]
    relayed, raw = f"bench.{run_id}.relayed", f"bench.{run_id}.raw"
    await ensure_topics(kafka, with_dead_letters([TopicSpec(relayed), TopicSpec(raw)]))
    async with temporary_database(admin_dsn, events_schema=True) as dsn:
        await fill_outbox(dsn, relayed, total)
        raw_seconds = await raw_produce(dsn, kafka, raw)
        relay_seconds = await relay_all(dsn, kafka)
        raw_consume_seconds = await raw_consume(kafka, relayed, total)
        consume_seconds = await inbox_consume(dsn, kafka, relayed, total)
    return [
        Result(
            "outbox relay",
            total,
            relay_seconds,
            "raw idempotent producer (acks=all)",
            raw_seconds,
            ">= 0.5x",
        ),
        Result(
            "inbox consumer",
            total,
            consume_seconds,
            "raw consumer, no database",
            raw_consume_seconds,
            ">= 30,000 events/s",
        ),
    ]
