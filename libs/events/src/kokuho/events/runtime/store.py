"""The event store port and its PostgreSQL adapter.

``append`` writes events with an expected version; the primary key ``(stream_id, version)``
is the concurrency check, so of two writers at the same version exactly one commits. Public
events also get an outbox row in the same transaction, so a state change and its
publication cannot part. Large batches (annual runs) are written with COPY.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID, uuid4

import asyncpg
from kokuho.events.contracts import Envelope, EventContract
from kokuho.events.runtime.tracing import current_trace_headers

COPY_THRESHOLD = 64  # below this many rows a multi-row INSERT beats COPY's extra round trips


class ConcurrencyConflict(Exception):
    """Another writer appended to the stream first; reload and decide again (HTTP 409)."""

    def __init__(self, stream_id: str, expected_version: int, actual_version: int | None) -> None:
        super().__init__(
            f"stream {stream_id!r}: expected version {expected_version}, found {actual_version}"
        )
        self.stream_id = stream_id
        self.expected_version = expected_version
        self.actual_version = actual_version


@dataclass(frozen=True)
class EventContext:
    """Why an event happened: the request or event that caused it."""

    correlation_id: UUID | None = None
    causation_id: UUID | None = None


@dataclass(frozen=True)
class StreamAppend:
    stream_id: str
    expected_version: int
    events: Sequence[EventContract]
    topic: str | None = None  # the public topic, or None for a private event
    partition_key: str | None = None  # defaults to the stream id
    context: EventContext = field(default_factory=EventContext)


@dataclass(frozen=True)
class RecordedEvent:
    stream_id: str
    version: int
    envelope: Envelope


@dataclass(frozen=True)
class OutboxMessage:
    """A row to be put on Kafka by the relay; ``value`` None is a tombstone."""

    event_id: UUID | None
    topic: str
    key: str
    value: bytes | None
    traceparent: str | None
    tracestate: str | None


class EventStore(Protocol):
    async def append_batch(self, appends: Sequence[StreamAppend]) -> list[RecordedEvent]: ...

    async def load(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent]: ...

    async def put_latest(self, topic: str, key: str, envelope: Envelope | None) -> None:
        """Queue the latest state of ``key`` for a compacted topic (None: a tombstone)."""
        ...


async def append(
    store: EventStore,
    stream_id: str,
    expected_version: int,
    events: Sequence[EventContract],
    *,
    topic: str | None = None,
    partition_key: str | None = None,
    context: EventContext | None = None,
) -> list[RecordedEvent]:
    """Append to one stream; raises ConcurrencyConflict if it is not at ``expected_version``."""
    return await store.append_batch(
        [
            StreamAppend(
                stream_id,
                expected_version,
                events,
                topic,
                partition_key,
                context or EventContext(),
            )
        ]
    )


def build_envelopes(source: str, item: StreamAppend, now: datetime) -> list[Envelope]:
    traceparent, tracestate = current_trace_headers()
    return [
        Envelope(
            id=uuid4(),
            source=source,
            type=event.event_type,
            time=now,
            subject=item.stream_id,
            data=event.model_dump(mode="json"),
            partitionkey=item.partition_key or item.stream_id,
            sequence=str(item.expected_version + offset),
            correlationid=item.context.correlation_id,
            causationid=item.context.causation_id,
            traceparent=traceparent,
            tracestate=tracestate,
        )
        for offset, event in enumerate(item.events, start=1)
    ]


def outbox_message(topic: str, envelope: Envelope) -> OutboxMessage:
    return OutboxMessage(
        envelope.id,
        topic,
        envelope.partitionkey,
        envelope.to_json_bytes(),
        envelope.traceparent,
        envelope.tracestate,
    )


def check_streams(appends: Sequence[StreamAppend]) -> None:
    seen: set[str] = set()
    for item in appends:
        if item.stream_id in seen:
            raise ValueError(f"stream {item.stream_id!r} appears twice in one batch")
        if item.expected_version < 0:
            raise ValueError("expected_version must be >= 0")
        seen.add(item.stream_id)


class PostgresEventStore:
    """Event store on the caller's connection; the caller owns the transaction."""

    def __init__(self, conn: asyncpg.Connection, *, source: str) -> None:
        self._conn = conn
        self._source = source

    async def append_batch(self, appends: Sequence[StreamAppend]) -> list[RecordedEvent]:
        check_streams(appends)
        appends = [a for a in appends if a.events]
        if not appends:
            return []
        await self._check_versions(appends)
        now = datetime.now(UTC)
        recorded: list[RecordedEvent] = []
        outbox: list[OutboxMessage] = []
        for item in appends:
            for envelope in build_envelopes(self._source, item, now):
                recorded.append(
                    RecordedEvent(item.stream_id, int(envelope.sequence or 0), envelope)
                )
                if item.topic is not None:
                    outbox.append(outbox_message(item.topic, envelope))
        event_rows = [
            (
                r.stream_id,
                r.version,
                r.envelope.id,
                r.envelope.type,
                r.envelope.time,
                r.envelope.model_dump_json(exclude_none=True),
            )
            for r in recorded
        ]
        try:
            await self._write_events(event_rows)
        except asyncpg.UniqueViolationError as exc:
            # Lost the race after the version check: someone committed the same version.
            first = appends[0]
            raise ConcurrencyConflict(first.stream_id, first.expected_version, None) from exc
        await write_outbox(self._conn, outbox)
        return recorded

    async def _check_versions(self, appends: Sequence[StreamAppend]) -> None:
        rows = await self._conn.fetch(
            "SELECT stream_id, max(version) AS version FROM events"
            " WHERE stream_id = ANY($1::text[]) GROUP BY stream_id",
            [a.stream_id for a in appends],
        )
        current = {r["stream_id"]: r["version"] for r in rows}
        for item in appends:
            actual = current.get(item.stream_id, 0)
            if actual != item.expected_version:
                raise ConcurrencyConflict(item.stream_id, item.expected_version, actual)

    async def _write_events(self, rows: list[tuple[Any, ...]]) -> None:
        columns = ["stream_id", "version", "event_id", "event_type", "occurred_at", "envelope"]
        if len(rows) >= COPY_THRESHOLD:
            await self._conn.copy_records_to_table("events", records=rows, columns=columns)
            return
        await self._conn.execute(
            "INSERT INTO events (stream_id, version, event_id, event_type, occurred_at, envelope)"
            " SELECT s, v, i, t, o, e::jsonb FROM unnest("
            "$1::text[], $2::int[], $3::uuid[], $4::text[], $5::timestamptz[], $6::text[])"
            " AS u(s, v, i, t, o, e)",
            *zip(*rows, strict=True),
        )

    async def load(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent]:
        rows = await self._conn.fetch(
            "SELECT version, envelope::text AS envelope FROM events"
            " WHERE stream_id = $1 AND version > $2 ORDER BY version",
            stream_id,
            after_version,
        )
        return [
            RecordedEvent(stream_id, r["version"], Envelope.model_validate_json(r["envelope"]))
            for r in rows
        ]

    async def put_latest(self, topic: str, key: str, envelope: Envelope | None) -> None:
        if envelope is None:
            traceparent, tracestate = current_trace_headers()
            message = OutboxMessage(None, topic, key, None, traceparent, tracestate)
        else:
            message = outbox_message(topic, envelope)
            message = OutboxMessage(
                message.event_id, topic, key, message.value, message.traceparent, message.tracestate
            )
        await write_outbox(self._conn, [message])


async def write_outbox(conn: asyncpg.Connection, messages: Sequence[OutboxMessage]) -> None:
    if not messages:
        return
    rows = [(m.event_id, m.topic, m.key, m.value, m.traceparent, m.tracestate) for m in messages]
    columns = ["event_id", "topic", "key", "value", "traceparent", "tracestate"]
    if len(rows) >= COPY_THRESHOLD:
        await conn.copy_records_to_table("outbox", records=rows, columns=columns)
        # COPY fires the statement trigger too, so the relay is woken either way.
        return
    await conn.execute(
        "INSERT INTO outbox (event_id, topic, key, value, traceparent, tracestate)"
        " SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::text[],"
        " $6::text[])",
        *zip(*rows, strict=True),
    )
