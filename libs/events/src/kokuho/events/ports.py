"""The ports use cases need to record events, in a pure module (no driver imports).

``app/`` modules import ``EventStore``, ``StreamAppend``, ``EventContext`` and
``ConcurrencyConflict`` from here, never from ``kokuho.events.runtime``, so a use case runs
with the in-memory fakes of ``kokuho.events.testing`` as well as with PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol
from uuid import UUID

from kokuho.events.contracts import Envelope, EventContract


class ConcurrencyConflict(Exception):
    """Another writer appended to the stream first; reload and decide again (HTTP 409)."""

    status = 409
    slug = "concurrent-change"

    def __init__(self, stream_id: str, expected_version: int, actual_version: int | None) -> None:
        super().__init__(
            f"stream {stream_id!r}: expected version {expected_version}, found {actual_version}"
        )
        self.stream_id = stream_id
        self.expected_version = expected_version
        self.actual_version = actual_version


class IndividualNumberInEvent(ValueError):
    """An event for a public topic (or its key) carries an individual number: nothing is
    appended. Names the field, never the value (HTTP 422)."""

    status = 422
    slug = "individual-number-refused"

    def __init__(self, event_type: str, field: str) -> None:
        super().__init__(f"{event_type}: {field} carries an individual number")
        self.event_type = event_type
        self.field = field


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
    """A stored event: its stream position and its envelope exactly as published."""

    stream_id: str
    version: int
    event_id: UUID
    event_type: str
    raw: bytes = field(repr=False)

    @cached_property
    def envelope(self) -> Envelope:
        return Envelope.from_json_bytes(self.raw)


class EventStore(Protocol):
    async def append_batch(self, appends: Sequence[StreamAppend]) -> list[RecordedEvent]: ...

    async def load(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent]: ...

    async def put_latest(self, topic: str, key: str, envelope: Envelope | None) -> None:
        """Queue the latest state of ``key`` for a compacted topic (None: a tombstone)."""
        ...
