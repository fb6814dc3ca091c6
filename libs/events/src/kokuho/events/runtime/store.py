"""The event store port and its PostgreSQL adapter.

``append`` writes events with an expected version; the primary key ``(stream_id, version)``
is the concurrency check, so of two writers at the same version exactly one commits. Public
events also get an outbox row in the same transaction, so a state change and its
publication cannot part. Large batches (annual runs) are written with COPY.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel
from pydantic_core import to_json

from kokuho.events.contracts import SPECVERSION, Envelope, EventContract
from kokuho.events.contracts.envelope import SOURCE_PATTERN
from kokuho.events.individual_numbers import contains_individual_number
from kokuho.events.ports import (
    ConcurrencyConflict,
    EventContext,
    EventStore,
    IndividualNumberInEvent,
    RecordedEvent,
    StreamAppend,
)
from kokuho.events.runtime.tracing import current_trace_headers

__all__ = [
    "ConcurrencyConflict",
    "EventContext",
    "EventStore",
    "IndividualNumberInEvent",
    "OutboxMessage",
    "PostgresEventStore",
    "RecordedEvent",
    "StreamAppend",
    "append",
    "check_latest",
]

MAX_KEY_LENGTH = 200
COPY_THRESHOLD = 64  # below this many rows a multi-row INSERT beats COPY's extra round trips


@dataclass(frozen=True)
class OutboxMessage:
    """A message for the relay to put on Kafka.

    ``value`` None with an ``event_id`` means the stored event's envelope (read by the relay
    from the events table, not copied into the outbox); None without one is a tombstone.
    """

    event_id: UUID | None
    topic: str
    key: str
    value: bytes | None
    traceparent: str | None
    tracestate: str | None


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


#: Version 4 and the RFC 4122 variant, as ``uuid4`` sets them (``_CLEAR`` then ``_SET``).
_CLEAR = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_SET = (4 << 76) | (0x8000 << 48)


def random_ids(count: int) -> Iterator[UUID]:
    """``count`` random (version 4) UUIDs from one ``os.urandom`` call: ``uuid4`` reads the
    system's random source once per id, which was a third of encoding an annual run's events
    (issue 15, py-spy). Same randomness, same format."""
    raw = os.urandom(16 * count)
    for i in range(0, 16 * count, 16):
        yield UUID(int=(int.from_bytes(raw[i : i + 16]) & _CLEAR) | _SET)


def encode_events(
    source: str,
    item: StreamAppend,
    now: datetime,
    trace_headers: tuple[str | None, str | None],
    ids: Iterator[UUID] | None = None,
) -> list[RecordedEvent]:
    """The structured CloudEvents for one stream's new events, serialised once.

    Serialised straight from the validated contract instances instead of building an Envelope
    model per event: annual runs append hundreds of thousands of events, and every attribute
    here is either generated or already checked (the type at registration, source and stream
    id by ``check_source``/``check_streams``). ``load`` and every consumer parse the result
    with the Envelope model, so the contract tests catch any drift.
    """
    traceparent, tracestate = trace_headers
    base: dict[str, Any] = {
        "specversion": SPECVERSION,
        "source": source,
        "time": now.isoformat(),
        "subject": item.stream_id,
        "datacontenttype": "application/json",
        "partitionkey": item.partition_key or item.stream_id,
    }
    optional = (
        ("correlationid", item.context.correlation_id),
        ("causationid", item.context.causation_id),
        ("traceparent", traceparent),
        ("tracestate", tracestate),
    )
    base.update({name: str(value) for name, value in optional if value is not None})
    recorded = []
    ids = ids if ids is not None else random_ids(len(item.events))
    for version, event in enumerate(item.events, start=item.expected_version + 1):
        event_id = next(ids)
        document = {
            **base,
            "id": str(event_id),
            "type": event.event_type,
            "sequence": str(version),
            "data": event,
        }
        recorded.append(
            RecordedEvent(item.stream_id, version, event_id, event.event_type, to_json(document))
        )
    return recorded


def outbox_message(topic: str, envelope: Envelope, value: bytes | None = None) -> OutboxMessage:
    return OutboxMessage(
        envelope.id,
        topic,
        envelope.partitionkey,
        value if value is not None else envelope.to_json_bytes(),
        envelope.traceparent,
        envelope.tracestate,
    )


def check_source(source: str) -> str:
    if not SOURCE_PATTERN.match(source):
        raise ValueError("source must look like /kokuho/<service>")
    return source


def _string_fields(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string of an event's data by its field path; typed values (UUIDs, dates,
    numbers) are not text and are not looked at."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _string_fields(getattr(value, name), f"{path}/{name}")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _string_fields(str(key), f"{path}/{key}")
            yield from _string_fields(item, f"{path}/{key}")
    elif isinstance(value, list | tuple | set | frozenset):
        for i, item in enumerate(value):
            yield from _string_fields(item, f"{path}/{i}")


#: values that are not text and hold none (typed fields: dates, ids, amounts, flags)
_NOT_TEXT = (int, float, Decimal, date, UUID, type(None))


_TEXT, _TYPED, _MODEL, _MAPPING, _ITEMS, _OTHER = range(6)
#: each value's type sorted once into what the walk does with it: the isinstance checks against
#: pydantic's and ``Mapping``'s abstract base classes were most of the walk's time
_KINDS: dict[type, int] = {}


def _kind(cls: type) -> int:
    kind = _KINDS.get(cls)
    if kind is None:
        if issubclass(cls, str):
            kind = _TEXT
        elif issubclass(cls, _NOT_TEXT):
            kind = _TYPED
        elif issubclass(cls, BaseModel):
            kind = _MODEL
        elif issubclass(cls, Mapping):
            kind = _MAPPING
        elif issubclass(cls, list | tuple | set | frozenset):
            kind = _ITEMS
        else:
            kind = _OTHER
        _KINDS[cls] = kind
    return kind


def _strings(value: Any) -> list[str]:
    """The strings ``_string_fields`` visits, without their paths: building a path for every
    field of every event cost more than the check itself; the path is made only when a number
    is found. Typed values are passed over; a model's fields are read from its ``__dict__``
    (pydantic keeps them there, and its extra fields in ``__pydantic_extra__``)."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        kind = _kind(type(item))
        if kind == _TEXT:
            found.append(item)
        elif kind == _MODEL:
            stack.extend(item.__dict__.values())
            if item.__pydantic_extra__:
                stack.extend(item.__pydantic_extra__.values())
        elif kind == _MAPPING:
            for key, nested in item.items():
                found.append(str(key))
                stack.append(nested)
        elif kind == _ITEMS:
            stack.extend(item)
    return found


#: The shapes a number can take in ASCII text: a run of exactly twelve digits, or three runs of
#: exactly four joined by single separators (``individual_numbers._candidates``).
_NUMBER_SHAPE = re.compile(r"(?<![0-9])(?:[0-9]{12}|[0-9]{4}[ -][0-9]{4}[ -][0-9]{4})(?![0-9])")


def _may_hold_number(text: str) -> bool:
    """False only when ``text`` cannot carry an individual number: ASCII text (NFKC leaves it
    as it is) without either shape. Event strings such as 18-digit notice numbers and
    payment numbers have twelve digits or more, so the recogniser's own quick answer does not
    apply to them and its character-by-character scan cost a tenth of the annual run (issue
    15); one regular-expression search answers them. Anything else takes the full check."""
    return not text.isascii() or _NUMBER_SHAPE.search(text) is not None


def _holds_number(text: str) -> bool:
    return _may_hold_number(text) and contains_individual_number(text)


def check_no_individual_numbers(item: StreamAppend) -> None:
    """A public event, its stream id and its partition key never carry an individual number
    (only linkage-gateway holds them, encrypted): refused before anything is written."""
    if item.topic is None or not item.events:
        return
    keys = [("stream_id", item.stream_id), ("partition_key", item.partition_key or "")]
    for field, text in keys:
        if _holds_number(text):
            raise IndividualNumberInEvent(item.events[0].event_type, field)
    for event in item.events:
        if any(_holds_number(text) for text in _strings(event)):
            for field, text in _string_fields(event, "data"):
                if contains_individual_number(text):
                    raise IndividualNumberInEvent(event.event_type, field)


def check_latest(topic: str, key: str, envelope: Envelope | None) -> None:
    """The same refusal for the latest state put on a compacted topic."""
    fields = [("key", key)]
    if envelope is not None:
        fields += list(_string_fields(envelope.data, "data"))
    for field, text in fields:
        if contains_individual_number(text):
            kind = envelope.type if envelope is not None else f"tombstone on {topic}"
            raise IndividualNumberInEvent(kind, field)


def check_streams(appends: Sequence[StreamAppend]) -> None:
    seen: set[str] = set()
    for item in appends:
        check_no_individual_numbers(item)
        for key in (item.stream_id, item.partition_key or item.stream_id):
            if not 0 < len(key) <= MAX_KEY_LENGTH:
                raise ValueError(f"stream ids and partition keys are 1 to {MAX_KEY_LENGTH} long")
        if item.stream_id in seen:
            raise ValueError(f"stream {item.stream_id!r} appears twice in one batch")
        if item.expected_version < 0:
            raise ValueError("expected_version must be >= 0")
        seen.add(item.stream_id)


class PostgresEventStore:
    """Event store on the caller's connection; the caller owns the transaction."""

    def __init__(self, conn: asyncpg.Connection, *, source: str) -> None:
        self._conn = conn
        self._source = check_source(source)

    async def append_batch(self, appends: Sequence[StreamAppend]) -> list[RecordedEvent]:
        check_streams(appends)
        appends = [a for a in appends if a.events]
        if not appends:
            return []
        # The version check runs in the database while the events are encoded here.
        check = asyncio.ensure_future(self._check_versions(appends))
        await asyncio.sleep(0)  # let the check send its query before encoding starts
        try:
            now = datetime.now(UTC)
            trace_headers = current_trace_headers()
            recorded: list[RecordedEvent] = []
            published: list[UUID] = []
            topics: list[str] = []
            keys: list[str] = []
            ids = random_ids(sum(len(item.events) for item in appends))
            for item in appends:
                encoded = encode_events(self._source, item, now, trace_headers, ids)
                recorded.extend(encoded)
                if item.topic is not None:
                    published.extend(e.event_id for e in encoded)
                    topics.extend([item.topic] * len(encoded))
                    keys.extend([item.partition_key or item.stream_id] * len(encoded))
        except BaseException:
            await asyncio.gather(check, return_exceptions=True)  # free the connection first
            raise
        await check
        event_rows = [
            (e.stream_id, e.version, e.event_id, e.event_type, now, e.raw.decode())
            for e in recorded
        ]
        try:
            await self._write_events(event_rows)
        except asyncpg.UniqueViolationError as exc:
            # Lost the race after the version check: someone committed the same version.
            first = appends[0]
            raise ConcurrencyConflict(first.stream_id, first.expected_version, None) from exc
        if published:
            await self._write_outbox(published, topics, keys, trace_headers)
        return recorded

    async def _write_outbox(
        self,
        published: list[UUID],
        topics: list[str],
        keys: list[str],
        trace_headers: tuple[str | None, str | None],
    ) -> None:
        """The relay reads each value from its events row: no second copy here."""
        if len(published) >= COPY_THRESHOLD:
            # COPY fires the statement trigger too, so the relay is woken either way
            traceparent, tracestate = trace_headers
            await self._conn.copy_records_to_table(
                "outbox",
                records=[
                    (i, t, k, traceparent, tracestate)
                    for i, t, k in zip(published, topics, keys, strict=True)
                ],
                columns=["event_id", "topic", "key", "traceparent", "tracestate"],
            )
            return
        await self._conn.execute(
            "INSERT INTO outbox (event_id, topic, key, traceparent, tracestate)"
            " SELECT i, t, k, $4, $5 FROM unnest($1::uuid[], $2::text[], $3::text[])"
            " AS u(i, t, k)",
            published,
            topics,
            keys,
            *trace_headers,
        )

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
            " SELECT s, v, i, t, o, e::json FROM unnest("
            "$1::text[], $2::int[], $3::uuid[], $4::text[], $5::timestamptz[], $6::text[])"
            " AS u(s, v, i, t, o, e)",
            *zip(*rows, strict=True),
        )

    async def load(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent]:
        rows = await self._conn.fetch(
            "SELECT version, event_id, event_type, envelope::text AS envelope FROM events"
            " WHERE stream_id = $1 AND version > $2 ORDER BY version",
            stream_id,
            after_version,
        )
        return [
            RecordedEvent(
                stream_id, r["version"], r["event_id"], r["event_type"], r["envelope"].encode()
            )
            for r in rows
        ]

    async def put_latest(self, topic: str, key: str, envelope: Envelope | None) -> None:
        check_latest(topic, key, envelope)
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
