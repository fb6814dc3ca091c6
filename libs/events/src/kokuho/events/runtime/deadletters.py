"""Dead letters: a message that cannot be applied goes to ``<topic>.dlq`` with the reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from aiokafka import AIOKafkaProducer

from kokuho.events.runtime.topics import dead_letter_topic

REASON_HEADER = "kokuho-dlq-reason"


@dataclass(frozen=True)
class FailedMessage:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    consumer: str
    reason: str
    headers: list[tuple[str, bytes]] = field(default_factory=list)

    def dead_letter_headers(self) -> list[tuple[str, bytes]]:
        return [
            *self.headers,
            (REASON_HEADER, self.reason.encode()),
            ("kokuho-dlq-topic", self.topic.encode()),
            ("kokuho-dlq-partition", str(self.partition).encode()),
            ("kokuho-dlq-offset", str(self.offset).encode()),
            ("kokuho-dlq-consumer", self.consumer.encode()),
        ]


class DeadLetterSink(Protocol):
    async def send(self, message: FailedMessage) -> None:
        """Return only once the dead letter is durably stored."""
        ...


class KafkaDeadLetters:
    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer

    async def send(self, message: FailedMessage) -> None:
        await self._producer.send_and_wait(
            dead_letter_topic(message.topic),
            value=message.value,
            key=message.key,
            headers=message.dead_letter_headers(),
        )
