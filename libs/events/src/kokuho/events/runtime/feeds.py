"""Department feeds (移転 by internal linkage, issue 16, ADR 0089), built once for every
owning service.

For each transfer that the registry (``kokuho.events.transfers``) delivers by events, the
owning service puts an entry on the topic made for the recipient whenever one of its published
events changes what the registry lets that recipient know about a person:

- the service says what its event means, as ``Facts`` (a ``Projection``: the addressee number
  and values by item name; a pure function of the event);
- each feed merges the facts into the person's last entry (``feed_states``), keeps **exactly
  the registry's items** (anything else the service knows is dropped; the feed's contract
  refuses any other field) and puts the whole entry on the feed topic, keyed by the addressee
  number (one person's entries in order), and on its compacted current-state companion;
- every entry is recorded as a delivery (``feed_deliveries``: what, to whom, when, on which
  basis, from which event; C-66).

All of it happens in the transaction that appends the service's events
(``FeedingEventStore`` wraps the service's event store), through the outbox: a change, its
feed entries and their delivery records commit together or not at all, and leave in commit
order. Nothing carries an individual number (refused like any published event).

A feed that starts after people became insured is loaded once with their current state
(``FeedingEventStore.load_initial``, the owning service's ``feeds-initial-load`` command):
people already in the feed are left alone, so the load can be repeated.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from pydantic_core import to_jsonable_python

from kokuho.events.contracts import Envelope, EventContract, contract_for
from kokuho.events.ports import RecordedEvent, StreamAppend
from kokuho.events.runtime.store import (
    OutboxMessage,
    PostgresEventStore,
    check_latest,
    write_outbox,
)
from kokuho.events.runtime.topics import TopicSpec
from kokuho.events.runtime.tracing import current_trace_headers
from kokuho.events.transfers import TransferFlow, TransferRegistry

KEY_ITEM = "addressee_number"
#: the source named by the delivery records of an initial load (no event caused them)
INITIAL_LOAD = "kokuho.feeds.initial_load"


@dataclass(frozen=True)
class Facts:
    """What one event says about one person: values by item name (JSON-able or dates)."""

    addressee_number: str
    values: Mapping[str, Any]


#: The owning service's reading of one of its public events (none: it says nothing to feeds).
Projection = Callable[[EventContract], Sequence[Facts]]


@dataclass(frozen=True)
class Feed:
    """One approved event-feed transfer of the registry, as its owning service runs it."""

    flow: TransferFlow
    topic: str
    snapshot_topic: str | None

    @property
    def contract(self) -> type[EventContract]:
        assert self.flow.feed_event_type is not None  # the registry's loader checked it
        return contract_for(self.flow.feed_event_type)

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(t for t in (self.topic, self.snapshot_topic) if t)


def feeds_of(
    registry: TransferRegistry, owning_service: str, *, topic_prefix: str = ""
) -> tuple[Feed, ...]:
    """The feeds ``owning_service`` runs, on the registry's topics (``topic_prefix``: tests put
    their own run in front of the names)."""
    return tuple(
        Feed(
            flow,
            f"{topic_prefix}{flow.feed_topic}",
            f"{topic_prefix}{flow.snapshot_topic}" if flow.snapshot_topic else None,
        )
        for flow in registry.feeds(owning_service)
    )


def feed_topic_specs(feeds: Sequence[Feed], partitions: int = 3) -> list[TopicSpec]:
    """The feed topics for ``migrate`` (the companions compacted)."""
    return [
        TopicSpec(t, partitions, 1, compacted=t == feed.snapshot_topic)
        for feed in feeds
        for t in feed.topics
    ]


# --- the pure part ------------------------------------------------------------------------


def merged(feed: Feed, previous: Mapping[str, Any] | None, facts: Facts) -> dict[str, Any]:
    """The person's entry after this event (JSON values): only the feed's items are kept,
    even in the service's own state."""
    values = to_jsonable_python({k: v for k, v in facts.values.items() if k in feed.flow.items})
    return {**(previous or {}), **values, KEY_ITEM: facts.addressee_number}


def entry_of(feed: Feed, state: Mapping[str, Any]) -> dict[str, Any]:
    """Exactly the registry's items of ``state``, validated by the feed's contract (which
    carries no other field): what leaves for the recipient."""
    chosen = {item: state.get(item) for item in sorted(feed.flow.items)}
    return feed.contract.model_validate(chosen).model_dump(mode="json")


def concerns(feed: Feed, facts: Facts) -> bool:
    """An event concerns a feed when it says something about one of the feed's items."""
    return bool(feed.flow.items.intersection(facts.values))


# --- delivery records -----------------------------------------------------------------------


@dataclass(frozen=True)
class FeedDelivery:
    """One entry put on a department's feed (C-66): what, to whom, when, on which basis."""

    delivery_id: UUID
    flow_id: str
    seed_number: int
    recipient: str
    legal_basis: str
    topics: tuple[str, ...]
    items: tuple[str, ...]
    addressee_number: str
    source_event_id: UUID
    source_event_type: str
    recorded_at: datetime


_DELIVERY_COLUMNS = (
    "delivery_id, flow_id, seed_number, recipient, legal_basis, topics, items,"
    " addressee_number, source_event_id, source_event_type, recorded_at"
)


class PostgresFeedDeliveries:
    """The delivery records (``feed_deliveries``, append-only) on the caller's connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def save(self, deliveries: Sequence[FeedDelivery]) -> None:
        if not deliveries:
            return
        rows = [
            (
                d.delivery_id,
                d.flow_id,
                d.seed_number,
                d.recipient,
                d.legal_basis,
                json.dumps(list(d.topics)),
                json.dumps(list(d.items)),
                d.addressee_number,
                d.source_event_id,
                d.source_event_type,
                d.recorded_at,
            )
            for d in deliveries
        ]
        # one statement for the batch; the arrays travel as JSON text (unnest flattens text[][])
        await self._conn.execute(
            f"INSERT INTO feed_deliveries ({_DELIVERY_COLUMNS})"  # noqa: S608 (fixed columns)
            " SELECT i, f, n, r, b,"
            " ARRAY(SELECT v FROM jsonb_array_elements_text(t::jsonb) WITH ORDINALITY"
            "  AS z(v, o) ORDER BY o),"
            " ARRAY(SELECT v FROM jsonb_array_elements_text(x::jsonb) WITH ORDINALITY"
            "  AS z(v, o) ORDER BY o), a, e, y, w"
            " FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[],"
            " $6::text[], $7::text[], $8::text[], $9::uuid[], $10::text[],"
            " $11::timestamptz[]) AS u(i, f, n, r, b, t, x, a, e, y, w)",
            *zip(*rows, strict=True),
        )

    async def listed(
        self,
        limit: int,
        *,
        flow_id: str | None = None,
        addressee_number: str | None = None,
        on_or_after: date | None = None,
        on_or_before: date | None = None,
    ) -> list[FeedDelivery]:
        """Newest first; days are Japan days."""
        rows = await self._conn.fetch(
            f"SELECT {_DELIVERY_COLUMNS} FROM feed_deliveries"  # noqa: S608 (fixed columns)
            " WHERE ($2::text IS NULL OR flow_id = $2)"
            " AND ($3::text IS NULL OR addressee_number = $3)"
            " AND ($4::date IS NULL OR (recorded_at AT TIME ZONE 'Asia/Tokyo')::date >= $4)"
            " AND ($5::date IS NULL OR (recorded_at AT TIME ZONE 'Asia/Tokyo')::date <= $5)"
            " ORDER BY recorded_at DESC, delivery_id LIMIT $1",
            limit,
            flow_id,
            addressee_number,
            on_or_after,
            on_or_before,
        )
        return [
            FeedDelivery(
                delivery_id=r["delivery_id"],
                flow_id=r["flow_id"],
                seed_number=r["seed_number"],
                recipient=r["recipient"],
                legal_basis=r["legal_basis"],
                topics=tuple(r["topics"]),
                items=tuple(r["items"]),
                addressee_number=r["addressee_number"],
                source_event_id=r["source_event_id"],
                source_event_type=r["source_event_type"],
                recorded_at=r["recorded_at"],
            )
            for r in rows
        ]


# --- the store that feeds -----------------------------------------------------------------------


class FeedingEventStore:
    """The owning service's event store, feeding its department feeds from the events it
    publishes, in the same transaction (see the module docstring). Private events (no topic)
    feed nothing."""

    def __init__(
        self,
        conn: asyncpg.Connection,
        *,
        source: str,
        feeds: Sequence[Feed],
        project: Projection,
    ) -> None:
        self._conn = conn
        self._store = PostgresEventStore(conn, source=source)
        self._source = source
        self._feeds = tuple(feeds)
        self._project = project

    async def append_batch(self, appends: Sequence[StreamAppend]) -> list[RecordedEvent]:
        recorded = await self._store.append_batch(appends)
        if self._feeds:
            await self._feed(appends, recorded)
        return recorded

    async def load(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent]:
        return await self._store.load(stream_id, after_version)

    async def put_latest(self, topic: str, key: str, envelope: Envelope | None) -> None:
        await self._store.put_latest(topic, key, envelope)

    async def forget(self, addressee_numbers: Sequence[str]) -> int:
        """Erasure (retention ended, C-95): the persons' kept entries are deleted and each
        current-state companion gets a tombstone for them, so a recipient's snapshot forgets
        them too. The delivery records stay (C-66 keeps them ten years). Returns how many kept
        entries were deleted."""
        if not addressee_numbers or not self._feeds:
            return 0
        deleted = await self._conn.fetch(
            "DELETE FROM feed_states WHERE flow_id = ANY($1::text[])"
            " AND addressee_number = ANY($2::text[]) RETURNING flow_id",
            [feed.flow.flow_id for feed in self._feeds],
            list(addressee_numbers),
        )
        traceparent, tracestate = current_trace_headers()
        await write_outbox(
            self._conn,
            [
                OutboxMessage(None, feed.snapshot_topic, number, None, traceparent, tracestate)
                for feed in self._feeds
                if feed.snapshot_topic
                for number in addressee_numbers
            ],
        )
        return len(deleted)

    async def _feed(self, appends: Sequence[StreamAppend], recorded: list[RecordedEvent]) -> None:
        said: list[tuple[RecordedEvent, Facts]] = []
        position = 0
        for item in appends:
            for event in item.events:
                stored = recorded[position]
                position += 1
                if item.topic is not None:
                    said.extend((stored, f) for f in self._project(event))
        work = [
            (feed, _Source(stored.event_id, stored.event_type), f)
            for stored, f in said
            for feed in self._feeds
            if concerns(feed, f)
        ]
        if not work:
            return
        states = await self._states(
            {(feed.flow.flow_id, f.addressee_number) for feed, _, f in work}
        )
        await self._write_entries(work, states)

    async def load_initial(self, people: Sequence[Facts], run_id: UUID) -> int:
        """The initial load of the feeds (ADR 0089): each person given, whom a feed has no
        entry for yet, gets one stating ``facts`` (their current state), with its delivery
        record naming the load (``run_id``, type ``INITIAL_LOAD``) as its source. A person
        with an entry is left alone (it is newer, or the load ran already), so a load can be
        repeated or resumed. Returns the entries written."""
        if not people or not self._feeds:
            return 0
        states = await self._states(
            {(feed.flow.flow_id, f.addressee_number) for feed in self._feeds for f in people}
        )
        source = _Source(run_id, INITIAL_LOAD)
        work = [
            (feed, source, f)
            for f in people
            for feed in self._feeds
            if concerns(feed, f) and (feed.flow.flow_id, f.addressee_number) not in states
        ]
        await self._write_entries(work, states)
        return len(work)

    async def _write_entries(
        self,
        work: Sequence[tuple[Feed, _Source, Facts]],
        states: dict[tuple[str, str], dict[str, Any]],
    ) -> None:
        """Each (feed, source, facts): the feed's entry for the person after ``facts``, on its
        topics through the outbox, with its delivery record; then the kept states."""
        if not work:
            return
        now = datetime.now(UTC)
        traceparent, tracestate = current_trace_headers()
        messages: list[OutboxMessage] = []
        deliveries: list[FeedDelivery] = []
        for feed, stored, facts in work:
            key = (feed.flow.flow_id, facts.addressee_number)
            states[key] = merged(feed, states.get(key), facts)
            envelope = Envelope(
                id=uuid4(),
                source=self._source,
                type=feed.flow.feed_event_type or "",
                time=now,
                subject=facts.addressee_number,
                data=entry_of(feed, states[key]),
                partitionkey=facts.addressee_number,
                causationid=stored.event_id,
                traceparent=traceparent,
                tracestate=tracestate,
            )
            value = envelope.to_json_bytes()
            for topic in feed.topics:
                check_latest(topic, facts.addressee_number, envelope)
                messages.append(
                    OutboxMessage(
                        envelope.id, topic, facts.addressee_number, value, traceparent, tracestate
                    )
                )
            deliveries.append(_delivery(feed, envelope, stored, now))
        await write_outbox(self._conn, messages)
        await PostgresFeedDeliveries(self._conn).save(deliveries)
        await self._save_states(states)

    async def _states(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        rows = await self._conn.fetch(
            "SELECT s.flow_id, s.addressee_number, s.facts::text AS facts FROM feed_states s"
            " JOIN unnest($1::text[], $2::text[]) AS k(f, a)"
            " ON s.flow_id = k.f AND s.addressee_number = k.a FOR UPDATE OF s",
            *zip(*sorted(keys), strict=True),
        )
        return {(r["flow_id"], r["addressee_number"]): json.loads(r["facts"]) for r in rows}

    async def _save_states(self, states: Mapping[tuple[str, str], Mapping[str, Any]]) -> None:
        await self._conn.execute(
            "INSERT INTO feed_states (flow_id, addressee_number, facts)"
            " SELECT f, a, x::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS u(f, a, x)"
            " ON CONFLICT (flow_id, addressee_number)"
            " DO UPDATE SET facts = EXCLUDED.facts, updated_at = now()",
            [k[0] for k in states],
            [k[1] for k in states],
            [json.dumps(v, ensure_ascii=False) for v in states.values()],
        )


@dataclass(frozen=True)
class _Source:
    """What an entry follows from: a published event, or an initial load."""

    event_id: UUID
    event_type: str


def _delivery(feed: Feed, envelope: Envelope, stored: _Source, now: datetime) -> FeedDelivery:
    return FeedDelivery(
        delivery_id=envelope.id,
        flow_id=feed.flow.flow_id,
        seed_number=feed.flow.seed_number,
        recipient=feed.flow.recipient,
        legal_basis=feed.flow.legal_basis,
        topics=feed.topics,
        items=tuple(sorted(envelope.data)),
        addressee_number=envelope.partitionkey,
        source_event_id=stored.event_id,
        source_event_type=stored.event_type,
        recorded_at=now,
    )
