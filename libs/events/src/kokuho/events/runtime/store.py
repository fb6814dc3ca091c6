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
import struct
from bisect import bisect_right
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate, count
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
#: a large batch's COPY data is sent in parts of about this many events, the next encoded while
#: the database takes the last, and its outbox groups are cut at the same parts (ADR 0111, 0113)
PART_EVENTS = 256


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
    # made at once: a generator's step per id cost as much as the id
    return iter([FastUUID(data[i : i + 16]) for i in range(0, 16 * count, 16)])


class _Encoder:
    """Encodes the events of one batch: what the batch's envelopes share (time, source, trace
    headers) is serialised once for the batch, the stream's attributes once a stream, each
    event's own (id, type, sequence, data) appended to them (ADR 0111, 0113)."""

    __slots__ = ("_contexts", "_copy", "_copy_types", "_now", "_prefix", "_trace", "_types")

    def __init__(
        self,
        source: str,
        now: datetime,
        trace_headers: tuple[str | None, str | None],
        *,
        copy: bool = False,
    ) -> None:
        traceparent, tracestate = trace_headers
        self._now = now
        self._copy = copy
        # event_type and occurred_at as a binary COPY row has them, by event type
        self._copy_types: dict[str, bytes] = {}
        # without its closing brace: the subject and the rest follow
        self._prefix = to_json(
            {"specversion": SPECVERSION, "source": source, "time": now.isoformat()}
        )[:-1]
        self._trace = _members({"traceparent": traceparent, "tracestate": tracestate})
        self._types: dict[str, bytes] = {}
        self._contexts: dict[tuple[UUID | None, UUID | None], bytes] = {}

    def _head(self, item: StreamAppend) -> bytes:
        """The stream's envelope attributes, in the order ``Envelope`` has them, up to the
        event's own: the bytes ``to_json`` gives for the same dict without its closing
        brace."""
        context = (item.context.correlation_id, item.context.causation_id)
        optional = self._contexts.get(context)
        if optional is None:
            optional = self._contexts[context] = (
                _members({"correlationid": context[0], "causationid": context[1]}) + self._trace
            )
        subject = to_json(item.stream_id)
        key = to_json(item.partition_key) if item.partition_key else subject
        return b'%b,"subject":%b,"datacontenttype":"application/json","partitionkey":%b%b' % (
            self._prefix,
            subject,
            key,
            optional,
        )

    def encode(
        self,
        item: StreamAppend,
        ids: Iterator[UUID],
        rows: list[Any] | None = None,
    ) -> list[RecordedEvent]:
        """The stream's recorded events; with ``rows``, their events rows appended to it:
        tuples for an INSERT, or for an encoder made with ``copy``, each row as a binary COPY
        sends it (ADR 0113)."""
        head = self._head(item)
        types = self._types
        stream_id = item.stream_id
        now = self._now
        recorded = []
        copy = self._copy and rows is not None
        if copy:
            copy_types = self._copy_types
            stream = _text_field(stream_id, _EVENT_FIELDS)
        for version, event, event_id in zip(
            count(item.expected_version + 1), item.events, ids, strict=False
        ):
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
            recorded.append(RecordedEvent(stream_id, version, event_id, event_type, raw))
            if copy:
                type_and_time = copy_types.get(event_type)
                if type_and_time is None:
                    type_and_time = copy_types[event_type] = _text_field(
                        event_type
                    ) + _TIMESTAMP.pack(8, (now - _PG_EPOCH) // _MICROSECOND)
                rows.append(  # type: ignore[union-attr]
                    b"%b%b%b%b"
                    % (
                        stream,
                        _VERSION_AND_ID.pack(4, version, 16, event_id.bytes),
                        type_and_time,
                        _LENGTH.pack(len(raw)),
                    )
                    + raw
                )
            elif rows is not None:
                rows.append((stream_id, version, event_id, event_type, now, raw.decode()))
        if len(recorded) != len(item.events):
            raise ValueError("fewer ids than events")
        return recorded


#: A binary COPY of the events table (ADR 0113): its columns, the stream's header and
#: trailer, and each field as a length and PostgreSQL's binary form (text as UTF-8, integer
#: big-endian, uuid its 16 bytes, timestamptz microseconds since 2000-01-01 UTC, json its text).
_EVENT_COLUMNS = ("stream_id", "version", "event_id", "event_type", "occurred_at", "envelope")
_EVENT_FIELDS = struct.pack(">h", len(_EVENT_COLUMNS))
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER = struct.pack(">h", -1)
_LENGTH = struct.Struct(">i")
_VERSION_AND_ID = struct.Struct(">iii16s")
_TIMESTAMP = struct.Struct(">iq")
_UUID_LENGTH = _LENGTH.pack(16)
_PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _text_field(text: str, before: bytes = b"") -> bytes:
    data = text.encode()
    return before + _LENGTH.pack(len(data)) + data


def _members(attributes: Mapping[str, object]) -> bytes:
    """``,"name":"value"`` for each attribute that is set, as ``to_json`` writes them in a
    dict (empty when none is)."""
    present = {name: str(value) for name, value in attributes.items() if value is not None}
    return b"," + to_json(present)[1:-1] if present else b""


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
    ids = ids if ids is not None else random_ids(len(item.events))
    return _Encoder(source, now, trace_headers).encode(item, ids)


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
    is found."""
    return _strings_of([value])


def _strings_of(values: list[Any]) -> list[str]:
    """The strings of every value in ``values`` (a batch's events walked at once). Typed
    values are passed over; a model's fields are read from its ``__dict__`` (pydantic keeps
    them there, and its extra fields in ``__pydantic_extra__``), its texts taken there and
    then, only the nested values put back on the stack."""
    found: list[str] = []
    stack = list(values)
    kinds = _KINDS
    while stack:
        item = stack.pop()
        kind = kinds.get(type(item))
        if kind is None:
            kind = _kind(type(item))
        if kind == _TEXT:
            found.append(item)
        elif kind == _MODEL:
            for field in item.__dict__.values():
                inner = kinds.get(type(field))
                if inner == _TEXT:
                    found.append(field)
                elif inner != _TYPED:
                    stack.append(field)
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
#: It starts with its first digit, the test that no digit precedes it coming after: a pattern
#: starting with a character class lets ``re`` skip to the next digit instead of testing the
#: lookbehind at every character (twice as fast over a batch's texts, ADR 0113).
_NUMBER_SHAPE = re.compile(
    r"[0-9](?<![0-9]{2})(?:[0-9]{11}|[0-9]{3}[ -][0-9]{4}[ -][0-9]{4})(?![0-9])"
)


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


def _may_hold_numbers(appends: Sequence[StreamAppend]) -> bool:
    """False only when no text ``check_no_individual_numbers`` looks at in the batch holds a
    number. The texts are joined by a character that is neither a digit nor a separator, so a
    shape found in the joined text lies in one of them and a shape in one of them is found
    there: one search for the whole batch (ADR 0113). Only the texts it finds a shape in, and
    the texts that are not ASCII, go to the recogniser: a batch in which some text has the
    shape (an id's last twelve hex digits all digits, one in 280) is no longer checked stream
    by stream for it (ADR 0116). When it is True, each stream is checked on its own, in order,
    and the first holding a number is refused by name."""
    public = [item for item in appends if item.topic is not None and item.events]
    if not public:
        return False
    texts = _strings_of([event for item in public for event in item.events])
    texts += [item.stream_id for item in public]
    texts += [item.partition_key for item in public if item.partition_key]
    joined = "\0".join(texts)
    candidates = [] if joined.isascii() else [t for t in texts if not t.isascii()]
    shapes = [m.start() for m in _NUMBER_SHAPE.finditer(joined)]
    if shapes:
        starts = list(accumulate((len(t) + 1 for t in texts), initial=0))
        candidates += [texts[bisect_right(starts, at) - 1] for at in shapes]
    return any(contains_individual_number(text) for text in candidates)


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
    numbers = _may_hold_numbers(appends)
    for item in appends:
        if numbers:
            check_no_individual_numbers(item)
        for key in (item.stream_id, item.partition_key or item.stream_id):
            if not 0 < len(key) <= MAX_KEY_LENGTH:
                raise ValueError(f"stream ids and partition keys are 1 to {MAX_KEY_LENGTH} long")
        if item.stream_id in seen:
            raise ValueError(f"stream {item.stream_id!r} appears twice in one batch")
        if item.expected_version < 0:
            raise ValueError("expected_version must be >= 0")
        seen.add(item.stream_id)


class _Aborted(Exception):
    """Put in place of a part: the batch failed while it was being encoded, end its COPY."""


#: an outbox group (ADR 0111): a topic, and the ids and keys of its run of events
_Group = tuple[str, list[UUID], list[str]]


def _parts(appends: list[StreamAppend]) -> list[list[StreamAppend]]:
    """The batch cut at stream boundaries into parts of ``PART_EVENTS`` or more events (the
    last may be smaller)."""
    parts: list[list[StreamAppend]] = [[]]
    size = 0
    for item in appends:
        if size >= PART_EVENTS:
            parts.append([])
            size = 0
        parts[-1].append(item)
        size += len(item.events)
    return parts


def _outbox_rows(parts: list[list[StreamAppend]], ids: list[UUID]) -> list[tuple[bool, _Group]]:
    """The outbox rows of the batch's public events, in the batch's order: a part with
    ``COPY_THRESHOLD`` public events or more has a row per group (a run of its events on one
    topic, ADR 0111), ``(True, group)``; another part a row per event, ``(False, group of
    one)``. ``ids`` are the batch's event ids in order."""
    rows: list[tuple[bool, _Group]] = []
    at = 0
    for part in parts:
        groups: list[_Group] = []
        public = 0
        for item in part:
            size = len(item.events)
            if item.topic is not None:
                if not groups or groups[-1][0] != item.topic:
                    groups.append((item.topic, [], []))
                groups[-1][1].extend(ids[at : at + size])
                groups[-1][2].extend([item.partition_key or item.stream_id] * size)
                public += size
            at += size
        if public >= COPY_THRESHOLD:
            rows.extend((True, group) for group in groups)
        else:
            rows.extend(
                (False, (topic, [event_id], [key]))
                for topic, group_ids, keys in groups
                for event_id, key in zip(group_ids, keys, strict=True)
            )
    return rows


#: The outbox rows of a large batch as a binary COPY (ADR 0113), arrays in PostgreSQL's binary
#: form: dimensions, no nulls, the element type (uuid, text), size and lower bound 1, elements.
_OUTBOX_COLUMNS = ("event_id", "topic", "key", "event_ids", "keys", "traceparent", "tracestate")
_OUTBOX_FIELDS = struct.pack(">h", len(_OUTBOX_COLUMNS))
_NULL = _LENGTH.pack(-1)
_ARRAY = struct.Struct(">iiiiii")
_UUID_OID, _TEXT_OID = 2950, 25


def _array(oid: int, elements: list[bytes]) -> bytes:
    """A one-dimensional array field of ``elements`` (each a length and its data)."""
    data = b"".join(elements)
    return _ARRAY.pack(20 + len(data), 1, 0, oid, len(elements), 1) + data


def _nullable(text: str | None) -> bytes:
    return _NULL if text is None else _text_field(text)


def _outbox_copy(
    rows: list[tuple[bool, _Group]], trace_headers: tuple[str | None, str | None]
) -> bytes:
    """The COPY data of ``rows``: made here, where asyncpg's encoding of the arrays (a type
    test per element) was a fifth of the append's own work."""
    tail = _nullable(trace_headers[0]) + _nullable(trace_headers[1])
    texts: dict[str, bytes] = {}

    def text(value: str) -> bytes:
        field = texts.get(value)
        if field is None:
            field = texts[value] = _text_field(value)
        return field

    data = [_COPY_HEADER]
    for grouped, (topic, ids, keys) in rows:
        if grouped:
            event_ids = _array(_UUID_OID, [_UUID_LENGTH + event_id.bytes for event_id in ids])
            data.append(
                b"%b%b%b%b%b%b%b"
                % (
                    _OUTBOX_FIELDS,
                    _NULL,
                    text(topic),
                    text(""),
                    event_ids,
                    _array(_TEXT_OID, [text(key) for key in keys]),
                    tail,
                )
            )
        else:
            data.append(
                b"%b%b%b%b%b%b%b%b"
                % (
                    _OUTBOX_FIELDS,
                    _UUID_LENGTH,
                    ids[0].bytes,
                    text(topic),
                    text(keys[0]),
                    _NULL,
                    _NULL,
                    tail,
                )
            )
    data.append(_COPY_TRAILER)
    return b"".join(data)


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
        """Encode the batch and write it, a large one in parts of one COPY (ADR 0111, 0113).

        The outbox rows are written first, right after the version check, by a task of their
        own: their ids, topics and keys are known before any envelope is encoded, and
        PostgreSQL takes them while the first part is encoded. A batch of ``COPY_THRESHOLD``
        events or more is then one binary COPY, started by a task once the outbox rows are
        written, whose data is the parts as they are encoded: PostgreSQL takes each part while
        the next is encoded (on two cores the two overlap instead of following each other),
        without a statement or a round trip per part. The first failure (a conflict, a lost
        race, a failed COPY, an encoding error) stops the encoding; it is raised once the
        COPY has ended (an encoding error ends it with CopyFail), so the connection is free
        and the caller's transaction, which must be rolled back, holds no statement in
        flight.
        """
        now = datetime.now(UTC)
        trace_headers = current_trace_headers()
        ids = list(random_ids(sum(len(item.events) for item in appends)))
        parts = _parts(appends)
        outbox = _outbox_rows(parts, ids)
        copy = len(ids) >= COPY_THRESHOLD
        outbox_data = _outbox_copy(outbox, trace_headers) if copy and outbox else None
        # The outbox rows go out as soon as the version check has answered (it ran while the
        # batch was checked here), not after the first part's encoding.
        await check
        previous: asyncio.Future[None] = check
        parts_out: asyncio.Queue[bytes | _Aborted | None] = asyncio.Queue()
        encoder = _Encoder(self._source, now, trace_headers, copy=copy)
        remaining = iter(ids)
        recorded: list[RecordedEvent] = []
        try:
            if outbox:
                previous = asyncio.ensure_future(
                    self._write_outbox(outbox, outbox_data, trace_headers)
                )
                await asyncio.sleep(0)  # let it send them
            if not copy:
                rows: list[Any] = []
                for item in appends:
                    recorded.extend(encoder.encode(item, remaining, rows))
                previous = asyncio.ensure_future(self._insert_events(previous, rows, appends[0]))
                await previous
                return recorded
            previous = asyncio.ensure_future(self._copy_events(previous, parts_out, appends[0]))
            for part in parts:
                rows = []
                for item in part:
                    recorded.extend(encoder.encode(item, remaining, rows))
                parts_out.put_nowait(b"".join(rows))
                await asyncio.sleep(0)  # the COPY sends it
                if previous.done():
                    await previous  # it failed before its end: raise its error
            parts_out.put_nowait(None)
            await previous
        except BaseException:
            parts_out.put_nowait(_Aborted())  # ends the COPY if it is waiting for a part
            await asyncio.gather(previous, return_exceptions=True)
            raise
        return recorded

    async def _copy_events(
        self,
        previous: asyncio.Future[None],
        parts: asyncio.Queue[bytes | _Aborted | None],
        first: StreamAppend,
    ) -> None:
        async def data() -> AsyncIterator[bytes]:
            yield _COPY_HEADER
            while (part := await parts.get()) is not None:
                if isinstance(part, _Aborted):
                    raise part  # asyncpg ends the COPY with CopyFail
                yield part
            yield _COPY_TRAILER

        await previous
        try:
            await self._conn.copy_to_table(
                "events", source=data(), columns=_EVENT_COLUMNS, format="binary"
            )
        except asyncpg.UniqueViolationError as exc:
            # Lost the race after the version check: someone committed the same version.
            raise ConcurrencyConflict(first.stream_id, first.expected_version, None) from exc

    async def _insert_events(
        self, previous: asyncio.Future[None], rows: list[tuple[Any, ...]], first: StreamAppend
    ) -> None:
        await previous
        try:
            await self._conn.execute(
                "INSERT INTO events"
                " (stream_id, version, event_id, event_type, occurred_at, envelope)"
                " SELECT s, v, i, t, o, e::json FROM unnest("
                "$1::text[], $2::int[], $3::uuid[], $4::text[], $5::timestamptz[], $6::text[])"
                " AS u(s, v, i, t, o, e)",
                *zip(*rows, strict=True),
            )
        except asyncpg.UniqueViolationError as exc:
            raise ConcurrencyConflict(first.stream_id, first.expected_version, None) from exc

    async def _write_outbox(
        self,
        rows: list[tuple[bool, _Group]],
        data: bytes | None,
        trace_headers: tuple[str | None, str | None],
    ) -> None:
        """The relay reads each value from its events row: no second copy here. A part's
        many public events go in as groups, one row per run of events on the same topic (ADR
        0111): the relay reads a group's events in order as it reads single rows, and writing
        one row instead of hundreds was a third of a large append's database work. A large
        batch's rows are one COPY of ``data`` (ADR 0113), a small one's an INSERT."""
        if data is not None:
            # a memoryview: asyncpg would take bytes for a file's path
            await self._conn.copy_to_table(
                "outbox", source=memoryview(data), columns=_OUTBOX_COLUMNS, format="binary"
            )
            return
        await self._conn.execute(
            "INSERT INTO outbox (event_id, topic, key, traceparent, tracestate)"
            " SELECT i, t, k, $4, $5 FROM unnest($1::uuid[], $2::text[], $3::text[])"
            " AS u(i, t, k)",
            [ids[0] for _, (_, ids, _) in rows],
            [topic for _, (topic, _, _) in rows],
            [keys[0] for _, (_, _, keys) in rows],
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
