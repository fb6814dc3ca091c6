"""One contract for every EventStore: the in-memory fake and the PostgreSQL adapter."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import asyncpg
import pytest
from opentelemetry.sdk.trace import TracerProvider

from kokuho.events.contracts import Envelope
from kokuho.events.runtime.relay import GROUP_ENTRIES, pending
from kokuho.events.runtime.store import (
    ConcurrencyConflict,
    EventContext,
    EventStore,
    IndividualNumberInEvent,
    PostgresEventStore,
    StreamAppend,
    append,
)
from kokuho.events.testing.databases import Infra, temporary_database
from kokuho.events.testing.fakes import InMemoryEventStore
from kokuho.events.testing.sample import SampleRecorded

SOURCE = "/kokuho/sample"
OpenStore = Callable[[], AbstractAsyncContextManager[EventStore]]


class Backend:
    """Opens stores (one transaction each) and reads back what was committed."""

    def __init__(
        self, open_store: OpenStore, outbox: Callable[[], AbstractAsyncContextManager[list]]
    ):
        self.open = open_store
        self.outbox = outbox


@pytest.fixture
async def backend(backend_kind: str, infra: Infra) -> AsyncIterator[Backend]:
    if backend_kind == "memory":
        store = InMemoryEventStore(source=SOURCE)

        @asynccontextmanager
        async def open_memory() -> AsyncIterator[EventStore]:
            yield store

        @asynccontextmanager
        async def memory_outbox() -> AsyncIterator[list]:
            yield [(m.topic, m.key, m.value) for m in store.outbox]

        yield Backend(open_memory, memory_outbox)
        return

    async with temporary_database(infra.pg_admin_dsn, events_schema=True) as dsn:
        yield Backend(*postgres_backend(dsn))


def postgres_backend(dsn: str) -> tuple[OpenStore, Callable[[], AbstractAsyncContextManager[list]]]:
    @asynccontextmanager
    async def open_postgres() -> AsyncIterator[EventStore]:
        conn = await asyncpg.connect(dsn)
        try:
            async with conn.transaction():
                yield PostgresEventStore(conn, source=SOURCE)
        finally:
            await conn.close()

    @asynccontextmanager
    async def postgres_outbox() -> AsyncIterator[list]:
        conn = await asyncpg.connect(dsn)
        try:
            _, messages = await pending(conn, 10_000)
            yield [(m.topic, m.key, m.value) for m in messages]
        finally:
            await conn.close()

    return open_postgres, postgres_outbox


async def test_appended_events_load_in_order_with_their_envelope(backend: Backend) -> None:
    context = EventContext()
    async with backend.open() as store:
        recorded = await append(
            store, "h-1", 0, [SampleRecorded(n=1), SampleRecorded(n=2)], context=context
        )
    assert [r.version for r in recorded] == [1, 2]
    async with backend.open() as store:
        loaded = await store.load("h-1")
        later = await store.load("h-1", after_version=1)
    assert [r.envelope for r in loaded] == [r.envelope for r in recorded]
    assert [e.envelope.data["n"] for e in loaded] == [1, 2]
    assert [e.envelope.sequence for e in loaded] == ["1", "2"]
    assert {e.envelope.subject for e in loaded} == {"h-1"}
    assert {e.envelope.source for e in loaded} == {SOURCE}
    assert [e.version for e in later] == [2]


async def test_two_appends_at_the_same_version_exactly_one_wins(backend: Backend) -> None:
    async def attempt(n: int) -> int:
        async with backend.open() as store:
            await append(store, "race", 0, [SampleRecorded(n=n)])
        return n

    results = await asyncio.gather(attempt(1), attempt(2), return_exceptions=True)
    conflicts = [r for r in results if isinstance(r, ConcurrencyConflict)]
    winners = [r for r in results if isinstance(r, int)]
    assert len(conflicts) == 1
    assert len(winners) == 1
    async with backend.open() as store:
        loaded = await store.load("race")
    assert [e.envelope.data["n"] for e in loaded] == winners


async def test_a_stale_expected_version_is_refused_and_nothing_is_written(backend: Backend) -> None:
    async with backend.open() as store:
        await append(store, "s", 0, [SampleRecorded(n=1)], topic="t")
    for stale in (0, 2):
        with pytest.raises(ConcurrencyConflict) as info:
            async with backend.open() as store:
                await append(store, "s", stale, [SampleRecorded(n=9)], topic="t")
        assert info.value.actual_version == 1
    async with backend.open() as store:
        assert len(await store.load("s")) == 1
    async with backend.outbox() as outbox:
        assert len(outbox) == 1


async def test_a_batch_is_all_or_nothing(backend: Backend) -> None:
    async with backend.open() as store:
        await append(store, "b", 0, [SampleRecorded(n=1)])
    with pytest.raises(ConcurrencyConflict):
        async with backend.open() as store:
            await store.append_batch(
                [
                    StreamAppend("a", 0, [SampleRecorded(n=1)]),
                    StreamAppend("b", 0, [SampleRecorded(n=2)]),  # stale
                ]
            )
    async with backend.open() as store:
        assert await store.load("a") == []


async def test_only_public_events_reach_the_outbox_keyed_by_partition_key(
    backend: Backend,
) -> None:
    async with backend.open() as store:
        await append(store, "p", 0, [SampleRecorded(n=1)], topic="public", partition_key="k1")
        await append(store, "q", 0, [SampleRecorded(n=2)])  # private
    async with backend.outbox() as outbox:
        assert [(topic, key) for topic, key, _ in outbox] == [("public", "k1")]
        assert Envelope.from_json_bytes(outbox[0][2]).data == {"n": 1, "note": ""}


async def test_large_batches_keep_every_event(backend: Backend) -> None:
    appends = [StreamAppend(f"s{i}", 0, [SampleRecorded(n=i)] * 3, topic="t") for i in range(50)]
    async with backend.open() as store:
        recorded = await store.append_batch(appends)
    assert len(recorded) == 150
    async with backend.open() as store:
        assert [e.version for e in await store.load("s49")] == [1, 2, 3]
    async with backend.outbox() as outbox:
        assert len(outbox) == 150


async def test_latest_state_and_tombstones_for_compacted_topics(backend: Backend) -> None:
    async with backend.open() as store:
        recorded = await append(store, "person-1", 0, [SampleRecorded(n=1)])
        await store.put_latest("details", "000001", recorded[0].envelope)
        await store.put_latest("details", "000001", None)
    async with backend.outbox() as outbox:
        assert [(t, k, v is None) for t, k, v in outbox] == [
            ("details", "000001", False),
            ("details", "000001", True),
        ]


def _number(first_eleven: str) -> str:
    from kokuho.events.individual_numbers import check_digit

    return first_eleven + str(check_digit(first_eleven))


async def test_a_public_event_carrying_an_individual_number_is_refused(backend: Backend) -> None:
    n = _number("12345678901")
    full_width = n.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    refused = [
        ({"events": [SampleRecorded(n=1, note=f"memo {full_width}")]}, "data/note"),
        ({"events": [SampleRecorded(n=1, note=f"{n[:4]}-{n[4:8]}-{n[8:]}")]}, "data/note"),
        ({"events": [SampleRecorded(n=1)], "partition_key": n}, "partition_key"),
    ]
    for kwargs, field in refused:
        with pytest.raises(IndividualNumberInEvent) as info:
            async with backend.open() as store:
                await store.append_batch(
                    [StreamAppend("p-1", 0, topic="t", **kwargs)]  # type: ignore[arg-type]
                )
        assert info.value.field == field
        assert n not in str(info.value)
    async with backend.open() as store:
        assert await store.load("p-1") == []
        with pytest.raises(IndividualNumberInEvent):
            await store.put_latest("t", n, None)
        # a wrong check digit is not a number
        await append(store, "p-1", 0, [SampleRecorded(n=1, note=n[:-1] + "x")], topic="t")
    async with backend.outbox() as outbox:
        assert [m[1] for m in outbox] == ["p-1"]


@pytest.mark.integration
@pytest.mark.parametrize("streams", [5, 40])  # 10 events by INSERT, 80 by COPY and a group
async def test_outbox_rows_keep_order_keys_and_the_trace_context(
    events_db: str, streams: int
) -> None:
    appends = [
        StreamAppend(f"s{i}", 0, [SampleRecorded(n=i), SampleRecorded(n=-i)], "t", f"k{i}")
        for i in range(streams)
    ]
    conn = await asyncpg.connect(events_db)
    try:
        with TracerProvider().get_tracer("test").start_as_current_span("POST") as span:
            async with conn.transaction():
                recorded = await PostgresEventStore(conn, source=SOURCE).append_batch(appends)
        rows = await conn.fetch(
            "SELECT coalesce(g.event_id, o.event_id) AS event_id, topic,"
            f" coalesce(g.key, o.key) AS key, traceparent FROM outbox o {GROUP_ENTRIES}"
            " ORDER BY o.position, g.n"
        )
        outbox_rows = await conn.fetchval("SELECT count(*) FROM outbox")
    finally:
        await conn.close()
    assert [r["event_id"] for r in rows] == [e.event_id for e in recorded]
    assert outbox_rows == (1 if streams == 40 else 10)  # a large append's events in one group
    assert [r["key"] for r in rows] == [f"k{i}" for i in range(streams) for _ in (1, 2)]
    assert {r["topic"] for r in rows} == {"t"}
    trace_id = f"{span.get_span_context().trace_id:032x}"
    assert all(trace_id in r["traceparent"] for r in rows)
