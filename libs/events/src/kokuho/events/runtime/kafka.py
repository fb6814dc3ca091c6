"""Kafka adapters: the idempotent producer behind the relay's Sender port."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
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
        futures = []
        # Parsing and attaching each event's trace context cost 7-30 µs a message, as much
        # as the rest of the relay's work per message (issue 15): done only when spans are
        # exported (ADR 0092) or aiokafka makes producer spans.
        traced = (
            self._trace_sends
            if self._trace_sends is not None
            else spans_exported() or _producer_spans()
        )
        spans: list[Span] = []
        for m in messages:
            # Send within the trace of the request that produced the event: a "publish" span
            # of the relay, child of the request's span stored with the outbox row, ended when
            # the broker acknowledged (or refused) the message; aiokafka's producer spans, when
            # instrumented, nest in it.
            token = None
            if traced:
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
                if token is not None:
                    context.detach(token)
        results = await asyncio.gather(*futures, return_exceptions=True)
        if spans:
            _end_publish_spans(spans, results)
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
