"""Kafka for tests: reading a topic back from the real broker (every record from the beginning,
under no consumer group: nothing is committed, nothing is taken from another reader, with a
deadline), and publishing as another service would. Every helper connects as the user of the
``KafkaConnection`` it is given (the tests' set-up: the local broker's super user).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import TypeAlias
from uuid import UUID, uuid4

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from kokuho.events.contracts import Envelope, EventContract
from kokuho.events.runtime.connection import KafkaConnection

Record: TypeAlias = ConsumerRecord[bytes, bytes]


async def read_topic(
    kafka: KafkaConnection,
    topic: str,
    *,
    expected: int | None = None,
    until: Callable[[Sequence[Record]], bool] | None = None,
    timeout: float = 30.0,
) -> list[Record]:
    """The records of ``topic`` from its beginning, in partition order.

    Reads until ``expected`` records arrived, or ``until(records so far)`` holds, or, with
    neither, until every partition's end (as it was when the reader caught up) is reached.
    Returns what was read when the deadline passes; the caller asserts on it.
    """
    consumer = AIOKafkaConsumer(
        topic,
        **kafka.client_options(),
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[Record] = []

    def done() -> bool:
        if expected is not None:
            return len(records) >= expected
        if until is not None:
            return until(records)
        return False

    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not done() and loop.time() < deadline:
            batches = await consumer.getmany(timeout_ms=300)
            for batch in batches.values():
                records.extend(batch)
            if batches or expected is not None or until is not None:
                continue
            assigned = consumer.assignment()
            if assigned:
                end = await consumer.end_offsets(list(assigned))
                positions = {tp: await consumer.position(tp) for tp in assigned}
                if all(positions[tp] >= end[tp] for tp in assigned):
                    break
    finally:
        await consumer.stop()
    return records


def records_text(records: Sequence[Record]) -> str:
    """Keys, headers and values of ``records``, one line each (for scanning what was sent)."""
    return "\n".join(f"{r.key!r} {r.headers!r} {r.value!r}" for r in records)


async def topic_text(kafka: KafkaConnection, topic: str, *, timeout: float = 30.0) -> str:
    """Everything on ``topic`` (keys, headers, values), read from the beginning to its end."""
    return records_text(await read_topic(kafka, topic, timeout=timeout))


async def produce(
    kafka: KafkaConnection, topic: str, records: Iterable[tuple[bytes | None, bytes | None]]
) -> None:
    """Send ``(key, value)`` records to ``topic`` and wait for each (a value of None is a
    tombstone)."""
    producer = AIOKafkaProducer(**kafka.client_options())
    await producer.start()
    try:
        for key, value in records:
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def publish(
    kafka: KafkaConnection,
    topic: str,
    key: str,
    *events: EventContract,
    source: str,
    subject: str | None = None,
) -> list[UUID]:
    """``events`` as CloudEvents envelopes on ``topic`` under ``key`` (as another service would
    publish them); returns their ids."""
    envelopes = [
        Envelope(
            id=uuid4(),
            source=source,
            type=event.event_type,
            time=datetime.now(UTC),
            subject=subject or key,
            data=event.model_dump(mode="json"),
            partitionkey=key,
        )
        for event in events
    ]
    await produce(kafka, topic, [(key.encode(), e.to_json_bytes()) for e in envelopes])
    return [e.id for e in envelopes]
