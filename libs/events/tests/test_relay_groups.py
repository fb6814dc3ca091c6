"""Group rows in the outbox (ADR 0111): a large append's public events in one row per part,
relayed in order among single rows, counted as messages, marked only when every event of the
group was acknowledged."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import asyncpg
import pytest

from kokuho.events.runtime.relay import OutboxRelay, RelayFailed, backlog, completed
from kokuho.events.runtime.store import OutboxMessage, StreamAppend
from kokuho.events.testing.databases import append_committed
from kokuho.events.testing.sample import SampleRecorded

SOURCE = "/kokuho/sample"


class Broker:
    """Records each batch's keys; acknowledges all, or only ``partly`` of the batch numbered
    ``short`` (once)."""

    def __init__(self, short: int | None = None, partly: int = 0) -> None:
        self.batches: list[list[str]] = []
        self.short, self.partly = short, partly

    async def send_all(self, messages: Sequence[OutboxMessage]) -> int:
        self.batches.append([m.key for m in messages])
        await asyncio.sleep(0)
        if len(self.batches) - 1 == self.short:
            return self.partly
        return len(messages)


async def append(dsn: str, appends: list[StreamAppend]) -> None:
    await append_committed(dsn, appends, source=SOURCE)


def single(name: str) -> list[StreamAppend]:
    return [StreamAppend(name, 0, [SampleRecorded(n=0)], topic="t", partition_key=name)]


def group(prefix: str, streams: int) -> list[StreamAppend]:
    """``streams`` streams of one event; every fifth private (not in the outbox)."""
    return [
        StreamAppend(
            f"{prefix}{i:03d}",
            0,
            [SampleRecorded(n=i)],
            topic=None if i % 5 == 4 else "t",
            partition_key=f"{prefix}{i:03d}",
        )
        for i in range(streams)
    ]


def public_keys(appends: list[StreamAppend]) -> list[str]:
    return [a.partition_key or a.stream_id for a in appends if a.topic is not None]


@pytest.fixture
async def conn(events_db: str) -> asyncpg.Connection:
    connection = await asyncpg.connect(events_db)
    yield connection
    await connection.close()


@pytest.mark.integration
async def test_groups_and_single_rows_are_relayed_in_order_and_counted_as_messages(
    events_db: str, conn: asyncpg.Connection
) -> None:
    big = group("g", 100)  # 80 public events: one group row
    for appends in (single("a"), single("b"), single("c"), big, single("d"), single("e")):
        await append(events_db, appends)
    assert await conn.fetchval("SELECT count(*) FROM outbox") == 6
    assert await backlog(conn) == 85
    broker = Broker()
    relay = OutboxRelay(events_db, broker, service="sample", batch_size=30)
    assert await relay.relay_available(conn) == 85
    # a batch takes whole rows up to its size; a larger group goes alone
    assert broker.batches == [["a", "b", "c"], public_keys(big), ["d", "e"]]
    assert await backlog(conn) == 0


@pytest.mark.integration
async def test_a_group_acknowledged_in_part_stays_unpublished_and_is_sent_again_whole(
    events_db: str, conn: asyncpg.Connection
) -> None:
    big = group("g", 100)
    await append(events_db, single("a"))
    await append(events_db, big)
    broker = Broker(short=0, partly=40)  # "a" and 39 of the group
    relay = OutboxRelay(events_db, broker, service="sample", batch_size=500)
    with pytest.raises(RelayFailed):
        await relay.relay_available(conn)
    assert await backlog(conn) == 80  # "a" is marked; none of the group
    assert await relay.relay_available(conn) == 80
    assert broker.batches == [["a", *public_keys(big)], public_keys(big)]
    assert await backlog(conn) == 0


@pytest.mark.integration
async def test_an_event_gone_from_the_store_is_left_out_of_its_group(
    events_db: str, conn: asyncpg.Connection
) -> None:
    big = group("g", 10)
    await append(events_db, big + group("h", 100))  # 8 + 80 public events: one group
    await conn.execute("DELETE FROM events WHERE stream_id = 'g003'")
    broker = Broker()
    relay = OutboxRelay(events_db, broker, service="sample", batch_size=500)
    assert await conn.fetchval("SELECT count(*) FROM outbox") == 1
    assert await relay.relay_available(conn) == 87
    assert "g003" not in broker.batches[0]
    assert await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0


def test_only_rows_whose_every_message_was_acknowledged_are_complete() -> None:
    positions = [1, 2, 2, 2, 3, 4, 4]
    assert completed(positions, 7) == [1, 2, 3, 4]
    assert completed(positions, 6) == [1, 2, 3]  # the second of row 4 was not acknowledged
    assert completed(positions, 5) == [1, 2, 3]  # row 4 not yet begun
    assert completed(positions, 4) == [1, 2]
    assert completed(positions, 3) == [1]
    assert completed(positions, 1) == [1]
    assert completed(positions, 0) == []
