"""Kafka adapters: the idempotent producer behind the relay's Sender port."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from opentelemetry import context

from kokuho.events.contracts import CONTENT_TYPE
from kokuho.events.runtime.store import OutboxMessage
from kokuho.events.runtime.tracing import context_from

log = logging.getLogger(__name__)

CONTENT_TYPE_HEADER = ("content-type", f"{CONTENT_TYPE}; charset=utf-8".encode())


def reliable_producer(bootstrap_servers: str, **overrides: object) -> AIOKafkaProducer:
    """A producer that never loses or duplicates on retry: acks from all in-sync replicas."""
    settings: dict[str, object] = {
        "bootstrap_servers": bootstrap_servers,
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


class KafkaSender:
    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer

    async def send_all(self, messages: Sequence[OutboxMessage]) -> int:
        futures = []
        for m in messages:
            # Send within the trace of the request that produced the event, so producer spans
            # (aiokafka instrumentation) join that trace instead of starting a new one.
            token = context.attach(context_from(m.traceparent, m.tracestate))
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
        for acked, result in enumerate(results):
            if isinstance(result, BaseException):
                return acked
        return len(results)
