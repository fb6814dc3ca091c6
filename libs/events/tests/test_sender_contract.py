"""One contract for the relay's Sender port: the in-memory broker and the Kafka sender."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from opentelemetry import trace

from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.kafka import KafkaSender, reliable_producer
from kokuho.events.runtime.store import OutboxMessage
from kokuho.events.runtime.topics import TopicSpec, ensure_topics
from kokuho.events.testing.fakes import InMemoryBroker
from kokuho.events.testing.kafka import read_topic


def messages(topic: str) -> list[OutboxMessage]:
    return [
        OutboxMessage(uuid.uuid4(), topic, "k", b'{"n": 1}', None, None),
        OutboxMessage(uuid.uuid4(), topic, "k", b'{"n": 2}', None, None),
        OutboxMessage(None, topic, "k", None, None, None),  # a tombstone
    ]


async def test_sender_acknowledges_all_and_keeps_order(
    backend_kind: str, request: pytest.FixtureRequest
) -> None:
    topic = f"test.sender.{uuid.uuid4().hex[:8]}"
    sent = messages(topic)
    if backend_kind == "memory":
        broker = InMemoryBroker()
        assert await broker.send_all(sent) == 3
        received = [(m.key, m.value) for m in broker.topics[topic]]
    else:
        kafka = request.getfixturevalue("kafka")
        await ensure_topics(kafka, [TopicSpec(topic, partitions=1)])
        producer = reliable_producer(kafka)
        await producer.start()
        try:
            assert await KafkaSender(producer).send_all(sent) == 3
        finally:
            await producer.stop()
        records = await read_topic(kafka, topic, expected=3)
        received = [(r.key.decode(), r.value) for r in records]
    assert received == [("k", b'{"n": 1}'), ("k", b'{"n": 2}'), ("k", None)]


@pytest.mark.integration
async def test_kafka_sender_reports_the_acknowledged_prefix(kafka: KafkaConnection) -> None:
    """A topic that does not exist (auto-creation is off) is never acknowledged."""
    producer = reliable_producer(kafka, request_timeout_ms=3000)
    await producer.start()
    try:
        topic = f"test.sender.{uuid.uuid4().hex[:8]}"
        await ensure_topics(kafka, [TopicSpec(topic, partitions=1)])
        batch = [*messages(topic)[:1], *messages(f"missing.{uuid.uuid4().hex[:8]}")]
        assert await KafkaSender(producer).send_all(batch) == 1
    finally:
        await producer.stop()


class RecordingProducer:
    """Stands in for the producer to see which trace context each send runs in."""

    def __init__(self) -> None:
        self.trace_ids: list[int] = []

    async def send(self, topic: str, **_: object) -> asyncio.Future[None]:
        self.trace_ids.append(trace.get_current_span().get_span_context().trace_id)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


async def test_with_producer_spans_each_send_runs_in_its_event_trace() -> None:
    """Issue 15: attaching each event's trace context costs as much as the rest of a send;
    it is done when aiokafka is instrumented (producer spans) or spans are exported, and
    then every message is sent alone in its event's trace (otherwise they go as record
    batches, below)."""
    traceparent = "00-00000000000000000000000000000af7-b7ad6b7169203331-01"
    producer = RecordingProducer()
    sender = KafkaSender(producer, trace_sends=True)  # type: ignore[arg-type]
    sent = [OutboxMessage(uuid.uuid4(), "t", "k", b"{}", traceparent, None)] * 2
    assert await sender.send_all(sent) == 2
    assert producer.trace_ids == [0x0AF7, 0x0AF7]
    assert trace.get_current_span().get_span_context().trace_id == 0  # detached again


@pytest.mark.integration
async def test_batches_go_where_single_sends_go_in_order(kafka: KafkaConnection) -> None:
    """ADR 0114: without spans the messages are written into record batches by the sender
    itself. Each key lands in the partition the producer's own ``send`` picks for it (the
    same messages sent one by one to a twin topic), in order, across many small batches
    (a batch of 1 kB here), with a message larger than a batch and tombstones among them."""
    topics = [f"test.sender.{uuid.uuid4().hex[:8]}" for _ in range(2)]
    await ensure_topics(kafka, [TopicSpec(t, partitions=3) for t in topics])
    keys = [f"{5000000000 + k}" for k in range(40)]

    def batch(topic: str) -> list[OutboxMessage]:
        return [
            OutboxMessage(
                uuid.uuid4(),
                topic,
                keys[n % len(keys)],
                None if n % 97 == 0 else b"x" * (3000 if n == 150 else 20) + b"%d" % n,
                None,
                None,
            )
            for n in range(400)
        ]

    producer = reliable_producer(kafka, max_batch_size=1024)
    await producer.start()
    try:
        assert await KafkaSender(producer, trace_sends=False).send_all(batch(topics[0])) == 400
        assert await KafkaSender(producer, trace_sends=True).send_all(batch(topics[1])) == 400
    finally:
        await producer.stop()
    batched, single = [await read_topic(kafka, t, expected=400) for t in topics]
    where = {(r.key, r.partition) for r in batched}
    assert where == {(r.key, r.partition) for r in single}
    assert len({p for _, p in where}) == 3  # the keys spread over every partition
    by_key: dict[bytes | None, list[bytes | None]] = {}
    for r in batched:
        by_key.setdefault(r.key, []).append(r.value)
    for k, key in enumerate(keys):
        expected = [m.value for m in batch(topics[0])[k::40]]
        assert by_key[key.encode()] == expected
