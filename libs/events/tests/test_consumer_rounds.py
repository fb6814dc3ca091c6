"""How a decoded round is applied and recorded in the inbox (PostgreSQL, no broker)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from aiokafka import ConsumerRecord, TopicPartition

from kokuho.events.contracts import Envelope
from kokuho.events.runtime.consumer import Delivery, InboxConsumer, decode_round
from kokuho.events.runtime.deadletters import FailedMessage
from kokuho.events.runtime.inbox import PostgresInbox
from kokuho.events.testing.sample import SampleRecorded

pytestmark = pytest.mark.integration


class _Letters:
    def __init__(self) -> None:
        self.sent: list[FailedMessage] = []

    async def send(self, message: FailedMessage) -> None:
        self.sent.append(message)


def _value(event_id: uuid.UUID, n: int) -> bytes:
    return Envelope(
        id=event_id,
        source="/kokuho/sample",
        type=SampleRecorded.event_type,
        time=datetime.now(UTC),
        subject="s-1",
        data={"n": n},
        partitionkey="s-1",
    ).to_json_bytes()


def _record(value: bytes | None, offset: int) -> ConsumerRecord:  # type: ignore[type-arg]
    return ConsumerRecord("t", 0, offset, 0, 0, b"k", value, None, 1, len(value or b""), ())


def _consumer(pool: asyncpg.Pool, handled: list[tuple[int, int | None]]) -> InboxConsumer:
    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        n = delivery.event.n if isinstance(delivery.event, SampleRecorded) else None
        handled.append((delivery.offset, n))

    return InboxConsumer(
        pool=pool,
        connection=None,  # type: ignore[arg-type]  # apply never talks to the broker
        group_id="g",
        topics=["t"],
        handler=handle,
        dead_letters=_Letters(),
    )


async def test_record_new_answers_none_only_when_every_id_is_new_and_given_once(
    events_pool: asyncpg.Pool,
) -> None:
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with events_pool.acquire() as conn:
        inbox = PostgresInbox(conn)
        assert await inbox.record_new("c1", [a, b]) is None
        assert await inbox.record_new("c1", [a, b]) == set()
        assert await inbox.record_new("c1", [b, c]) == {c}
        assert await inbox.record_new("c2", [a, a]) == {a}  # twice in one call: not "all new"
        assert await inbox.record_new("c2", []) == set()
        assert await inbox.first_seen("c1", [a, b, c]) == set()  # the same inbox rows
        rows = await conn.fetch("SELECT consumer, event_id FROM inbox")
    assert sorted((r["consumer"], r["event_id"]) for r in rows) == sorted(
        [("c1", a), ("c1", b), ("c1", c), ("c2", a)]
    )


async def test_a_round_applies_each_new_event_once_in_offset_order(
    events_pool: asyncpg.Pool,
) -> None:
    """A round holding an id applied in an earlier round, the same id twice and a tombstone:
    only first sightings reach the handler, in offset order, tombstones always."""
    seen, fresh = uuid.uuid4(), uuid.uuid4()
    handled: list[tuple[int, int | None]] = []
    consumer = _consumer(events_pool, handled)
    stop = asyncio.Event()
    first = decode_round({TopicPartition("t", 0): [_record(_value(seen, 1), 0)]})
    await consumer.apply(first, stop)
    assert handled == [(0, 1)]

    handled.clear()
    again = decode_round(
        {
            TopicPartition("t", 0): [
                _record(_value(seen, 1), 1),  # a re-send of what was applied
                _record(_value(fresh, 2), 2),
                _record(None, 3),
                _record(_value(fresh, 2), 4),  # twice in this round
            ]
        }
    )
    await consumer.apply(again, stop)
    assert handled == [(2, 2), (3, None)]

    handled.clear()
    all_new = decode_round(
        {TopicPartition("t", 0): [_record(_value(uuid.uuid4(), n), 10 + n) for n in range(3)]}
    )
    await consumer.apply(all_new, stop)
    assert handled == [(10, 0), (11, 1), (12, 2)]
    assert await events_pool.fetchval("SELECT count(*) FROM inbox") == 5


async def test_a_round_whose_handler_fails_leaves_no_inbox_row_for_what_it_rolled_back(
    events_pool: asyncpg.Pool,
) -> None:
    """The inbox rows are written in the round's transaction: when the round fails and is
    replayed one by one, the events that succeed are recorded once and the failing one is
    dead-lettered without a row (a later re-delivery would apply it)."""
    ids = [uuid.uuid4() for _ in range(3)]
    handled: list[int] = []

    async def handle(conn: asyncpg.Connection, delivery: Delivery) -> None:
        if delivery.offset == 1:
            raise RuntimeError("boom")
        handled.append(delivery.offset)

    letters = _Letters()
    consumer = InboxConsumer(
        pool=events_pool,
        connection=None,  # type: ignore[arg-type]
        group_id="g",
        topics=["t"],
        handler=handle,
        dead_letters=letters,
        max_attempts=2,
        backoff=0.001,
    )
    fetched = decode_round(
        {TopicPartition("t", 0): [_record(_value(i, n), n) for n, i in enumerate(ids)]}
    )
    await consumer.apply(fetched, asyncio.Event())
    # offset 0 in the round's transaction (rolled back), then one by one: 0 again, 2
    assert handled == [0, 0, 2]
    assert [m.offset for m in letters.sent] == [1]
    rows = await events_pool.fetch("SELECT event_id FROM inbox")
    assert {r["event_id"] for r in rows} == {ids[0], ids[2]}
