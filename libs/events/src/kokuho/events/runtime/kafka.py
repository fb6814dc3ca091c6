"""Kafka adapters: the idempotent producer behind the relay's Sender port."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.producer.message_accumulator import BatchBuilder
from opentelemetry import context, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from kokuho.events.contracts import CONTENT_TYPE
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.store import OutboxMessage
from kokuho.events.runtime.tracing import TRACER, context_from, spans_exported

log = logging.getLogger(__name__)

CONTENT_TYPE_HEADER = ("content-type", f"{CONTENT_TYPE}; charset=utf-8".encode())


def reliable_producer(connection: KafkaConnection, **overrides: object) -> AIOKafkaProducer:
    """A producer that never loses or duplicates on retry: acks from all in-sync replicas."""
    settings: dict[str, object] = {
        **connection.client_options(),
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "max_batch_size": 256 * 1024,
    }
    settings.update(overrides)
    return AIOKafkaProducer(**settings)


def kafka_headers(message: OutboxMessage) -> list[tuple[str, bytes]]:
    headers = [CONTENT_TYPE_HEADER]
    if message.traceparent:
        headers.append(("traceparent", message.traceparent.encode()))
    if message.tracestate:
        headers.append(("tracestate", message.tracestate.encode()))
    return headers


def _producer_spans() -> bool:
    """Whether aiokafka is instrumented (``kokuho.platform.telemetry`` does it only when spans
    are exported): only then does a send need its event's trace context attached."""
    try:
        from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
    except ImportError:  # pragma: no cover - the instrumentation is a dependency
        return False
    return bool(AIOKafkaInstrumentor().is_instrumented_by_opentelemetry)


class KafkaSender:
    def __init__(self, producer: AIOKafkaProducer, *, trace_sends: bool | None = None) -> None:
        self._producer = producer
        self._trace_sends = trace_sends

    async def send_all(self, messages: Sequence[OutboxMessage]) -> int:
        """Send ``messages`` in order; the number acknowledged from the first (a prefix)."""
        # Parsing and attaching each event's trace context cost 7-30 µs a message, as much
        # as the rest of the relay's work per message (issue 15): done only when spans are
        # exported (ADR 0092) or aiokafka makes producer spans.
        traced = (
            self._trace_sends
            if self._trace_sends is not None
            else spans_exported() or _producer_spans()
        )
        if traced:
            return await self._send_each(messages)
        return await self._send_batched(messages)

    async def _send_each(self, messages: Sequence[OutboxMessage]) -> int:
        futures = []
        spans: list[Span] = []
        for m in messages:
            # Send within the trace of the request that produced the event: a "publish" span
            # of the relay, child of the request's span stored with the outbox row, ended when
            # the broker acknowledged (or refused) the message; aiokafka's producer spans, when
            # instrumented, nest in it.
            span = TRACER.start_span(
                f"{m.topic} publish",
                context=context_from(m.traceparent, m.tracestate),
                kind=SpanKind.PRODUCER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.operation.type": "send",
                    "messaging.destination.name": m.topic,
                    "messaging.message.id": str(m.event_id) if m.event_id else "",
                },
            )
            spans.append(span)
            token = context.attach(trace.set_span_in_context(span))
            try:
                futures.append(
                    await self._producer.send(
                        m.topic, value=m.value, key=m.key.encode(), headers=kafka_headers(m)
                    )
                )
            except KafkaError as exc:
                # Nothing after a refused message may be sent, or order per key would break.
                log.warning("broker refused a message", extra={"topic": m.topic, "error": str(exc)})
                break
            finally:
                context.detach(token)
        results = await asyncio.gather(*futures, return_exceptions=True)
        _end_publish_spans(spans, results)
        return _acknowledged(results)

    async def _send_batched(self, messages: Sequence[OutboxMessage]) -> int:
        """The messages written straight into one record batch per partition (ADR 0114): the
        partition chosen as ``send`` chooses it (the default partitioner: murmur2 of the key
        over the topic's partitions in order), a full batch sent and the next begun, each
        partition's batches in order. ``send`` per message cost ~30 µs of Python (a future,
        the accumulator, a batch append each), most of the relay's time."""
        batches = _Batches(self._producer)
        try:
            for m in messages:
                await batches.add(m)
        except KafkaError as exc:
            # Nothing after a refused message may be sent, or order per key would break: the
            # batches begun are still sent (they hold only messages before it).
            log.warning("broker refused a message", extra={"error": str(exc)})
        return await batches.acknowledged()


class _Batches:
    """One ``send_all``'s record batches: each message's batch by number, the batches being
    filled by topic and partition, the futures of those sent."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer
        self.partitioner = DefaultPartitioner()
        self.partitions: dict[str, list[int]] = {}
        self.chosen: dict[tuple[str, bytes], int] = {}
        self.filling: dict[tuple[str, int], tuple[int, BatchBuilder]] = {}
        self.sent: dict[int, asyncio.Future[object]] = {}
        self.batch_of: list[int] = []

    async def partition(self, topic: str, key: bytes) -> int:
        partition = self.chosen.get((topic, key))
        if partition is None:
            every = self.partitions.get(topic)
            if every is None:
                every = self.partitions[topic] = sorted(await self.producer.partitions_for(topic))
            partition = self.chosen[topic, key] = self.partitioner(key, every, every)
        return partition

    def begin(self, topic: str, partition: int) -> tuple[int, BatchBuilder]:
        begun = self.filling[topic, partition] = (
            len(self.sent) + len(self.filling),
            self.producer.create_batch(),
        )
        return begun

    async def send(self, topic: str, partition: int) -> None:
        number, batch = self.filling.pop((topic, partition))
        self.sent[number] = await self.producer.send_batch(batch, topic, partition=partition)

    async def add(self, m: OutboxMessage) -> None:
        topic, key, headers = m.topic, m.key.encode(), kafka_headers(m)
        partition = await self.partition(topic, key)
        number, batch = self.filling.get((topic, partition)) or self.begin(topic, partition)
        if batch.append(timestamp=None, key=key, value=m.value, headers=headers) is None:
            await self.send(topic, partition)
            number, batch = self.begin(topic, partition)
            # an empty batch takes its first record whatever its size
            batch.append(timestamp=None, key=key, value=m.value, headers=headers)
        self.batch_of.append(number)

    async def acknowledged(self) -> int:
        """Send the batches begun, wait for the broker; the messages acknowledged in order."""
        try:
            for topic, partition in list(self.filling):
                await self.send(topic, partition)
        except KafkaError as exc:
            log.warning("broker refused a batch", extra={"error": str(exc)})
        numbers = list(self.sent)
        results = await asyncio.gather(*(self.sent[n] for n in numbers), return_exceptions=True)
        failed = {n for n, r in zip(numbers, results, strict=True) if isinstance(r, BaseException)}
        for acked, number in enumerate(self.batch_of):
            if number in failed or number not in self.sent:
                return acked
        return len(self.batch_of)


def _acknowledged(results: Sequence[object]) -> int:
    for acked, result in enumerate(results):
        if isinstance(result, BaseException):
            return acked
    return len(results)


def _end_publish_spans(spans: Sequence[Span], results: Sequence[object]) -> None:
    for i, span in enumerate(spans):
        result = results[i] if i < len(results) else None
        if i >= len(results) or isinstance(result, BaseException):
            span.set_status(Status(StatusCode.ERROR, "not acknowledged by the broker"))
        span.end()
