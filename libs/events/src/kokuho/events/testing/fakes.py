"""In-memory fakes: event store, outbox, broker, inbox, dead letters, personal payloads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from kokuho.events.contracts import Envelope
from kokuho.events.runtime.deadletters import FailedMessage
from kokuho.events.runtime.store import (
    ConcurrencyConflict,
    OutboxMessage,
    RecordedEvent,
    StreamAppend,
    check_latest,
    check_source,
    check_streams,
    encode_events,
    outbox_message,
)
from kokuho.events.runtime.tracing import current_trace_headers


class InMemoryEventStore:
    def __init__(self, *, source: str) -> None:
        self._source = check_source(source)
        self.streams: dict[str, list[RecordedEvent]] = defaultdict(list)
        self.outbox: list[OutboxMessage] = []

    async def append_batch(self, appends: Sequence[StreamAppend]) -> list[RecordedEvent]:
        check_streams(appends)
        appends = [a for a in appends if a.events]
        for item in appends:  # check all first: a batch is all or nothing
            actual = len(self.streams.get(item.stream_id, []))
            if actual != item.expected_version:
                raise ConcurrencyConflict(item.stream_id, item.expected_version, actual)
        now = datetime.now(UTC)
        trace_headers = current_trace_headers()
        recorded: list[RecordedEvent] = []
        for item in appends:
            for event in encode_events(self._source, item, now, trace_headers):
                self.streams[item.stream_id].append(event)
                recorded.append(event)
                if item.topic is not None:
                    self.outbox.append(outbox_message(item.topic, event.envelope, event.raw))
        return recorded

    async def load(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent]:
        return [e for e in self.streams.get(stream_id, []) if e.version > after_version]

    async def put_latest(self, topic: str, key: str, envelope: Envelope | None) -> None:
        check_latest(topic, key, envelope)
        if envelope is None:
            self.outbox.append(OutboxMessage(None, topic, key, None, None, None))
            return
        m = outbox_message(topic, envelope)
        self.outbox.append(OutboxMessage(m.event_id, topic, key, m.value, m.traceparent, None))


class InMemoryBroker:
    """A Sender that appends to per-topic lists; ``fail_from`` simulates a broker refusal."""

    def __init__(self) -> None:
        self.topics: dict[str, list[OutboxMessage]] = defaultdict(list)
        self.fail_from: int | None = None

    async def send_all(self, messages: Sequence[OutboxMessage]) -> int:
        for index, message in enumerate(messages):
            if self.fail_from is not None and index >= self.fail_from:
                return index
            self.topics[message.topic].append(message)
        return len(messages)

    def latest(self, topic: str) -> dict[str, bytes | None]:
        """What a compacted topic converges to: the last value per key (None: erased)."""
        return {m.key: m.value for m in self.topics[topic]}


class InMemoryInbox:
    def __init__(self) -> None:
        self.seen: set[tuple[str, UUID]] = set()

    async def first_seen(self, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
        fresh = set()
        for event_id in event_ids:
            if (consumer, event_id) not in self.seen:
                self.seen.add((consumer, event_id))
                fresh.add(event_id)
        return fresh


class InMemoryDeadLetters:
    def __init__(self) -> None:
        self.messages: list[FailedMessage] = []

    async def send(self, message: FailedMessage) -> None:
        self.messages.append(message)


class InMemoryPersonalPayloads:
    def __init__(self) -> None:
        self.rows: dict[UUID, tuple[str, str, dict[str, Any] | None]] = {}

    async def put(self, subject: str, kind: str, data: dict[str, Any]) -> UUID:
        payload_id = uuid4()
        self.rows[payload_id] = (subject, kind, dict(data))
        return payload_id

    async def get(self, payload_id: UUID) -> dict[str, Any] | None:
        row = self.rows.get(payload_id)
        return None if row is None or row[2] is None else dict(row[2])

    async def erase_subject(self, subject: str, reason: str) -> int:
        erased = 0
        for payload_id, (s, kind, data) in list(self.rows.items()):
            if s == subject and data is not None:
                self.rows[payload_id] = (s, kind, None)
                erased += 1
        return erased
