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


@pytest.mark.parametrize(("trace_sends", "expected"), [(True, 0x0AF7), (False, 0)])
async def test_the_event_trace_context_is_attached_only_for_producer_spans(
    trace_sends: bool, expected: int
) -> None:
    """Issue 15: attaching each event's trace context costs as much as the rest of a send;
    it is done when aiokafka is instrumented (producer spans), and then every send runs in
    its event's trace; otherwise in none."""
    traceparent = "00-00000000000000000000000000000af7-b7ad6b7169203331-01"
    producer = RecordingProducer()
    sender = KafkaSender(producer, trace_sends=trace_sends)  # type: ignore[arg-type]
    sent = [OutboxMessage(uuid.uuid4(), "t", "k", b"{}", traceparent, None)] * 2
    assert await sender.send_all(sent) == 2
    assert producer.trace_ids == [expected, expected]
    assert trace.get_current_span().get_span_context().trace_id == 0  # detached again
