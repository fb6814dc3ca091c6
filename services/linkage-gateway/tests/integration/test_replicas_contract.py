"""One contract for the replica originals: the in-memory fake of the unit tests
(``adapters/memory.py``, ``InMemoryReplicas``) and ``PostgresLinkageRecords``, for the part of
``LinkageRecords`` the fake keeps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from kokuho.linkage_gateway.adapters.memory import InMemoryReplicas
from kokuho.linkage_gateway.adapters.unit_of_work import GatewayUnit
from kokuho.linkage_gateway.app.records import LinkageRecords, ReplicaMessage
from kokuho.platform.testing import migrated_database

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
TOPIC = "contract.linkage-gateway.replicas"
AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
ITEM = "nhi-qualification"
OpenReplicas = Callable[[], AbstractAsyncContextManager[LinkageRecords]]


class Backend:
    def __init__(self, open_records: OpenReplicas, published: Callable[[], Awaitable[list[str]]]):
        self.open = open_records
        self.published = published


@pytest.fixture(params=["memory", "postgres"])
async def backend(request: pytest.FixtureRequest, pg_admin_dsn: str) -> AsyncIterator[Backend]:
    if request.param == "memory":
        replicas = InMemoryReplicas()

        @asynccontextmanager
        async def open_memory() -> AsyncIterator[LinkageRecords]:
            yield replicas  # type: ignore[misc]  # the replica part of LinkageRecords

        async def memory_published() -> list[str]:
            return [who for who, _, _ in replicas.registrations]

        yield Backend(open_memory, memory_published)
        return

    async with (
        migrated_database(pg_admin_dsn, MIGRATIONS) as dsn,
        postgres_backend(dsn) as backend,
    ):
        yield backend


@asynccontextmanager
async def postgres_backend(dsn: str) -> AsyncIterator[Backend]:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)

    @asynccontextmanager
    async def open_postgres() -> AsyncIterator[LinkageRecords]:
        async with GatewayUnit(lambda: pool, events_topic=TOPIC) as uow:
            yield uow.linkage

    async def postgres_published() -> list[str]:
        rows = await pool.fetch("SELECT key FROM outbox WHERE topic = $1 ORDER BY position", TOPIC)
        return [r["key"] for r in rows]

    try:
        yield Backend(open_postgres, postgres_published)
    finally:
        await pool.close()


async def test_an_original_is_kept_pending_until_its_number_is_bound(backend: Backend) -> None:
    async with backend.open() as records:
        assert await records.replica("P1", ITEM) is None
        await records.save_replica("P1", ITEM, {"qualified": True}, 1, None)
    async with backend.open() as records:
        stored = await records.replica("P1", ITEM)
        assert stored is not None
        assert (stored.content, stored.version, stored.registered_version) == (
            {"qualified": True},
            1,
            0,
        )
        assert stored.integrated_addressee_number is None
        pending = await records.pending_replicas("P1")
        assert [(item, r.version) for item, r in pending] == [(ITEM, 1)]
        assert await records.pending_replicas("P2") == []
    assert await backend.published() == []


async def test_a_registration_records_the_version_and_is_published(backend: Backend) -> None:
    async with backend.open() as records:
        await records.save_replica("P1", ITEM, {"qualified": True}, 1, "0000000000000001")
        await records.record_registration(
            addressee_number="P1",
            message=ReplicaMessage("0000000000000001", ITEM, 1, {"qualified": True}),
            legal_basis_row="row-1",
            source_event_id=None,
            receipt="r-1",
            at=AT,
        )
    async with backend.open() as records:
        stored = await records.replica("P1", ITEM)
        assert stored is not None
        assert stored.registered_version == 1
        assert await records.pending_replicas("P1") == []
        # a newer original keeps what was registered until it is registered in turn
        await records.save_replica("P1", ITEM, {"qualified": False}, 2, "0000000000000001")
    async with backend.open() as records:
        stored = await records.replica("P1", ITEM)
        assert stored is not None
        assert (stored.version, stored.registered_version) == (2, 1)
        [view] = await records.replicas_of("P1")
        assert (view.item, view.content, view.version, view.registered_version) == (
            ITEM,
            {"qualified": False},
            2,
            1,
        )
        assert view.integrated_addressee_number == "0000000000000001"
        assert await records.replicas_of("P2") == []
    assert await backend.published() == ["P1"]
