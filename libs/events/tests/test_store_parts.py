"""A large batch is written in parts, the next encoded while PostgreSQL takes the last (ADR
0111): the same rows in the same order as one write, all or nothing, and whatever fails, the
connection is left free for the caller's rollback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from kokuho.events.ports import RecordedEvent
from kokuho.events.runtime import store
from kokuho.events.runtime.store import ConcurrencyConflict, PostgresEventStore, StreamAppend
from kokuho.events.testing.sample import SampleRecorded

pytestmark = pytest.mark.integration

SOURCE = "/kokuho/sample"


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts of 70 events (and a smaller last part)."""
    monkeypatch.setattr(store, "PART_EVENTS", 70)


@pytest.fixture
async def conn(events_db: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(events_db)
    yield connection
    await connection.close()


def appends(streams: int, prefix: str = "s") -> list[StreamAppend]:
    return [
        StreamAppend(
            f"{prefix}{i:03d}",
            0,
            [SampleRecorded(n=i), SampleRecorded(n=-i)],
            topic="t" if i % 3 else None,  # every third stream private
            partition_key=f"k{i}",
        )
        for i in range(streams)
    ]


async def written(conn: asyncpg.Connection) -> tuple[list[tuple[str, int]], list[str]]:
    events = await conn.fetch("SELECT stream_id, version FROM events ORDER BY global_position")
    outbox = await conn.fetch(
        "SELECT e.stream_id || '/' || e.version AS event FROM outbox o"
        " JOIN events e USING (event_id) ORDER BY o.position"
    )
    return [(r["stream_id"], r["version"]) for r in events], [r["event"] for r in outbox]


@pytest.mark.usefixtures("small_parts")
async def test_parts_write_every_event_and_outbox_row_in_the_batch_order(
    conn: asyncpg.Connection,
) -> None:
    batch = appends(100)  # 200 events: two COPY parts of 70 and more, then an INSERT
    async with conn.transaction():
        recorded = await PostgresEventStore(conn, source=SOURCE).append_batch(batch)
    events, outbox = await written(conn)
    assert events == [(r.stream_id, r.version) for r in recorded]
    assert events == [(f"s{i:03d}", v) for i in range(100) for v in (1, 2)]
    assert outbox == [f"s{i:03d}/{v}" for i in range(100) if i % 3 for v in (1, 2)]
    assert await conn.fetchval("SELECT count(DISTINCT event_id) FROM events") == 200


@pytest.mark.usefixtures("small_parts")
async def test_a_race_lost_in_a_later_part_is_a_conflict_and_nothing_is_kept(
    conn: asyncpg.Connection, events_db: str
) -> None:
    """Another writer holds version 1 of the 90th stream (in the third part) uncommitted when
    the version check runs; it commits once this batch waits on it: the lost race surfaces
    as a ConcurrencyConflict and the batch's earlier parts go with the rollback."""
    other = await asyncpg.connect(events_db)
    try:
        racing = other.transaction()
        await racing.start()
        await PostgresEventStore(other, source=SOURCE).append_batch(
            [StreamAppend("s090", 0, [SampleRecorded(n=0)])]
        )
        pid = await conn.fetchval("SELECT pg_backend_pid()")

        async def batch() -> list[RecordedEvent]:
            async with conn.transaction():
                return await PostgresEventStore(conn, source=SOURCE).append_batch(appends(100))

        task = asyncio.ensure_future(batch())
        while not await other.fetchval(
            "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1", pid
        ):
            assert not task.done(), task
            await asyncio.sleep(0.01)
        await racing.commit()
        with pytest.raises(ConcurrencyConflict):
            await task
    finally:
        await other.close()
    events, outbox = await written(conn)
    assert (events, outbox) == ([("s090", 1)], [])


@pytest.mark.usefixtures("small_parts")
async def test_a_failure_while_encoding_a_later_part_leaves_the_connection_free(
    conn: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    encode = store._Encoder.encode
    calls = 0

    def failing(*args: object, **kwargs: object) -> list[RecordedEvent]:
        nonlocal calls
        calls += 1
        if calls == 80:  # the third part, after two were sent
            raise RuntimeError("encoding failed")
        return encode(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store._Encoder, "encode", failing)
    with pytest.raises(RuntimeError, match="encoding failed"):
        async with conn.transaction():
            await PostgresEventStore(conn, source=SOURCE).append_batch(appends(100))
    assert await written(conn) == ([], [])


@pytest.mark.usefixtures("small_parts")
async def test_a_stale_stream_anywhere_in_the_batch_is_refused_before_any_part(
    conn: asyncpg.Connection,
) -> None:
    async with conn.transaction():
        await PostgresEventStore(conn, source=SOURCE).append_batch(
            [StreamAppend("s095", 0, [SampleRecorded(n=0)])]
        )
    with pytest.raises(ConcurrencyConflict) as info:
        async with conn.transaction():
            await PostgresEventStore(conn, source=SOURCE).append_batch(appends(100))
    assert (info.value.stream_id, info.value.actual_version) == ("s095", 1)
    assert await written(conn) == ([("s095", 1)], [])


@pytest.mark.usefixtures("small_parts")
async def test_outbox_groups_and_single_rows_keep_the_batch_order(
    conn: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outbox rows are written before the parts, in one COPY (ADR 0113): parts with 64
    public events or more as groups (one per run of a topic), the others a row per event,
    and read in position order they give every public event in the batch's order, each with
    its key and the trace headers."""
    trace = ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "kokuho=1")
    monkeypatch.setattr(store, "current_trace_headers", lambda: trace)
    batch = [
        StreamAppend(
            f"s{i:03d}",
            0,
            [SampleRecorded(n=i), SampleRecorded(n=-i)],
            # parts of 70 events: the first public (a group), the second nearly all private
            # (single rows), the third on two topics in turn (groups), the fourth public
            topic=None if 35 <= i < 65 else ("u" if 75 <= i < 85 else "t"),
            partition_key=f"k{i % 4}",
        )
        for i in range(140)
    ]
    async with conn.transaction():
        await PostgresEventStore(conn, source=SOURCE).append_batch(batch)
    rows = await conn.fetch(
        "SELECT e.stream_id || '/' || e.version AS event, o.topic,"
        " coalesce(o.keys[g.n], o.key) AS key, o.event_ids IS NOT NULL AS grouped"
        " FROM outbox o CROSS JOIN LATERAL"
        " unnest(coalesce(o.event_ids, ARRAY[o.event_id])) WITH ORDINALITY AS g(id, n)"
        " JOIN events e ON e.event_id = g.id ORDER BY o.position, g.n"
    )
    public = [item for item in batch if item.topic is not None]
    assert [(r["event"], r["topic"], r["key"]) for r in rows] == [
        (f"{item.stream_id}/{v}", item.topic, item.partition_key) for item in public for v in (1, 2)
    ]
    assert [r["grouped"] for r in rows] == [
        not 35 <= i < 70 for i in range(140) if i < 35 or i >= 65 for _ in (1, 2)
    ]
    headers = await conn.fetch("SELECT DISTINCT traceparent, tracestate FROM outbox")
    assert [tuple(r) for r in headers] == [trace]
    groups = await conn.fetchval("SELECT count(*) FROM outbox WHERE event_ids IS NOT NULL")
    assert groups == 1 + 3 + 1  # the first part; the third (t, u, t); the fourth


@pytest.mark.parametrize("streams", [20, 40])  # 40 events: an INSERT; 80: a binary COPY
async def test_the_rows_hold_the_recorded_events_byte_for_byte(
    conn: asyncpg.Connection, streams: int
) -> None:
    """A large batch's rows are a binary COPY made by the store (ADR 0113), a small one's an
    INSERT: either way each row holds its recorded event (stream id and type in any script,
    the envelope's bytes, its time to the microsecond)."""
    batch = [
        StreamAppend(
            f"世帯-{i:03d}",
            0,
            [SampleRecorded(n=i, note='注記 "q" \\ \t'), SampleRecorded(n=-i)],
            topic="t",
            partition_key=f"鍵{i}",
        )
        for i in range(streams)
    ]
    async with conn.transaction():
        recorded = await PostgresEventStore(conn, source=SOURCE).append_batch(batch)
    rows = await conn.fetch(
        "SELECT stream_id, version, event_id, event_type, occurred_at, envelope::text"
        " AS envelope FROM events ORDER BY global_position"
    )
    assert [
        (r["stream_id"], r["version"], r["event_id"], r["event_type"], r["envelope"].encode())
        for r in rows
    ] == [(e.stream_id, e.version, e.event_id, e.event_type, e.raw) for e in recorded]
    assert {r["occurred_at"] for r in rows} == {recorded[0].envelope.time}
    outbox = await conn.fetch(
        "SELECT g.id, coalesce(o.keys[g.n], o.key) AS key FROM outbox o CROSS JOIN LATERAL"
        " unnest(coalesce(o.event_ids, ARRAY[o.event_id])) WITH ORDINALITY AS g(id, n)"
        " ORDER BY o.position, g.n"
    )
    assert [(r["id"], r["key"]) for r in outbox] == [
        (e.event_id, f"鍵{int(e.stream_id[3:])}") for e in recorded
    ]
