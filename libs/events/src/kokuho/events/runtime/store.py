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
from asyncpg.pgproto.pgproto import UUID as FastUUID
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
#: a batch of more events is written in parts of about this many, the next encoded while the
#: database takes the last (ADR 0111)
PART_EVENTS = 256
#: events encoded between two turns given to the part being written
YIELD_EVENTS = 32


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


#: Version 4 and the RFC 4122 variant, as ``uuid4`` sets them: byte 6's high nibble is the
#: version, byte 8's two high bits the variant.
_VERSION_4 = bytes((b & 0x0F) | 0x40 for b in range(256))
_RFC_4122 = bytes((b & 0x3F) | 0x80 for b in range(256))


def random_ids(count: int) -> Iterator[UUID]:
    """``count`` random (version 4) UUIDs from one ``os.urandom`` call: ``uuid4`` reads the
    system's random source once per id, which was a third of encoding an annual run's events
    (issue 15, py-spy). Same randomness, same format. The ids are asyncpg's UUID (a
    ``uuid.UUID`` subclass, what asyncpg returns for a uuid column): made and printed in C,
    where the standard class's constructor and ``str`` were a quarter of encoding an event
    (ADR 0111)."""
    raw = bytearray(os.urandom(16 * count))
    raw[6::16] = raw[6::16].translate(_VERSION_4)
    raw[8::16] = raw[8::16].translate(_RFC_4122)
    data = bytes(raw)
    for i in range(0, 16 * count, 16):
        yield FastUUID(data[i : i + 16])


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

    The attributes shared by the stream's events are serialised once and each event's own
    (id, type, sequence, data) appended to them: the same bytes as serialising the whole
    document per event (a test compares the two), at half the cost.
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
    head = to_json(base)[:-1]  # without its closing brace
    types: dict[str, bytes] = {}
    recorded = []
    ids = ids if ids is not None else random_ids(len(item.events))
    for version, event in enumerate(item.events, start=item.expected_version + 1):
        event_id = next(ids)
        event_type = event.event_type
        type_json = types.get(event_type)
        if type_json is None:
            type_json = types[event_type] = to_json(event_type)
        raw = b'%b,"id":"%b","type":%b,"sequence":"%d","data":%b}' % (
            head,
            str(event_id).encode(),
            type_json,
            version,
            to_json(event),
        )
        recorded.append(RecordedEvent(item.stream_id, version, event_id, event_type, raw))
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


class _Part:
    """The rows of one part of a batch: events, and outbox rows for the public ones."""

    __slots__ = ("events", "keys", "published", "topics")

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []
        self.published: list[UUID] = []
        self.topics: list[str] = []
        self.keys: list[str] = []

    def add(self, item: StreamAppend, encoded: list[RecordedEvent], now: datetime) -> None:
        self.events.extend(
            (e.stream_id, e.version, e.event_id, e.event_type, now, e.raw.decode()) for e in encoded
        )
        if item.topic is not None:
            self.published.extend(e.event_id for e in encoded)
            self.topics.extend([item.topic] * len(encoded))
            self.keys.extend([item.partition_key or item.stream_id] * len(encoded))


class PostgresEventStore:
    """Event store on the caller's connection; the caller owns the transaction."""

    def __init__(self, conn: asyncpg.Connection, *, source: str) -> None:
        self._conn = conn
        self._source = check_source(source)

    async def append_batch(self, appends: Sequence[StreamAppend]) -> list[RecordedEvent]:
        written = [a for a in appends if a.events]
        if not written:
            check_streams(appends)
            return []
        # The version check runs in the database while the batch is checked and encoded here.
        check: asyncio.Future[None] = asyncio.ensure_future(self._check_versions(written))
        await asyncio.sleep(0)  # let the check send its query before the work starts
        try:
            check_streams(appends)
            return await self._write_in_parts(written, check)
        except BaseException:
            await asyncio.gather(check, return_exceptions=True)  # free the connection first
            raise

    async def _write_in_parts(
        self, appends: list[StreamAppend], check: asyncio.Future[None]
    ) -> list[RecordedEvent]:
        """Encode the batch and write it part by part, in order (ADR 0111).

        Each part of ``PART_EVENTS`` or more events is written by a task chained to the one
        before it (the first waits for the version check), and the next part is encoded while
        PostgreSQL takes the last: on two cores the encoding and the database's work overlap
        instead of following each other. The loop gives the writing task a turn every
        ``YIELD_EVENTS`` events so that its round trips are not held up by the encoding. The
        first failure (a conflict, a lost race, a failed COPY) stops the encoding; it is raised
        once every part already started has finished, so the connection is free and the
        caller's transaction, which must be rolled back, holds no statement in flight.
        """
        now = datetime.now(UTC)
        trace_headers = current_trace_headers()
        ids = random_ids(sum(len(item.events) for item in appends))
        recorded: list[RecordedEvent] = []
        part = _Part()
        previous: asyncio.Future[None] = check
        since_turn = 0
        try:
            for item in appends:
                encoded = encode_events(self._source, item, now, trace_headers, ids)
                recorded.extend(encoded)
                part.add(item, encoded, now)
                if len(part.events) >= PART_EVENTS:
                    previous = asyncio.ensure_future(
                        self._write_part(previous, part, trace_headers, appends[0])
                    )
                    part = _Part()
                since_turn += len(encoded)
                if since_turn >= YIELD_EVENTS:
                    since_turn = 0
                    await asyncio.sleep(0)
                    if previous.done() and previous.exception() is not None:
                        break
            else:
                await self._write_part(previous, part, trace_headers, appends[0])
                return recorded
        except BaseException:
            await asyncio.gather(previous, return_exceptions=True)
            raise
        await previous  # it failed: raise its error
        raise AssertionError("unreachable: a part failed")  # pragma: no cover

    async def _write_part(
        self,
        previous: asyncio.Future[None],
        part: _Part,
        trace_headers: tuple[str | None, str | None],
        first: StreamAppend,
    ) -> None:
        await previous
        if not part.events:
            return
        try:
            await self._write_events(part.events)
        except asyncpg.UniqueViolationError as exc:
            # Lost the race after the version check: someone committed the same version.
            raise ConcurrencyConflict(first.stream_id, first.expected_version, None) from exc
        if part.published:
            await self._write_outbox(part.published, part.topics, part.keys, trace_headers)

    async def _write_outbox(
        self,
        published: list[UUID],
        topics: list[str],
        keys: list[str],
        trace_headers: tuple[str | None, str | None],
    ) -> None:
        """The relay reads each value from its events row: no second copy here. A part's
        many public events go in as groups, one row per run of events on the same topic (ADR
        0111): the relay reads a group's events in order as it reads single rows, and writing
        one row instead of hundreds was a third of a large append's database work."""
        if len(published) >= COPY_THRESHOLD:
            groups: list[tuple[str, list[UUID], list[str]]] = []
            for event_id, topic, key in zip(published, topics, keys, strict=True):
                if not groups or groups[-1][0] != topic:
                    groups.append((topic, [], []))
                groups[-1][1].append(event_id)
                groups[-1][2].append(key)
            await self._conn.executemany(
                "INSERT INTO outbox (topic, key, event_ids, keys, traceparent, tracestate)"
                " VALUES ($1, '', $2, $3, $4, $5)",
                [(topic, ids, group_keys, *trace_headers) for topic, ids, group_keys in groups],
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
