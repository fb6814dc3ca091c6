"""One contract for the replica originals: the in-memory fake of the unit tests
(``adapters/memory.py``, ``InMemoryReplicas``) and ``PostgresLinkageRecords``, for the part of
``LinkageRecords`` the fake keeps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest

from kokuho.linkage_gateway.adapters.memory import InMemoryReplicas
from kokuho.linkage_gateway.app.records import LinkageRecords, ReplicaMessage

from .contract_backends import Backend, postgres_backend

pytestmark = pytest.mark.integration

TOPIC = "contract.linkage-gateway.replicas"
AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
ITEM = "nhi-qualification"


@pytest.fixture(params=["memory", "postgres"])
async def backend(
    request: pytest.FixtureRequest, pg_admin_dsn: str
) -> AsyncIterator[Backend[LinkageRecords]]:
    if request.param == "memory":
        replicas = InMemoryReplicas()

        @asynccontextmanager
        async def open_memory() -> AsyncIterator[LinkageRecords]:
            yield replicas  # type: ignore[misc]  # the replica part of LinkageRecords

        async def memory_published() -> list[str]:
            return [who for who, _, _ in replicas.registrations]

        yield Backend(open_memory, memory_published)
        return

    async with postgres_backend(pg_admin_dsn, TOPIC, lambda uow: uow.linkage) as backend:
        yield backend


async def test_an_original_is_kept_pending_until_its_number_is_bound(
    backend: Backend[LinkageRecords],
) -> None:
    async with backend.open() as records:
        assert await records.replica("2000000001", ITEM) is None
        await records.save_replica("2000000001", ITEM, {"qualified": True}, 1, None)
    async with backend.open() as records:
        stored = await records.replica("2000000001", ITEM)
        assert stored is not None
        assert (stored.content, stored.version, stored.registered_version) == (
            {"qualified": True},
            1,
            0,
        )
        assert stored.integrated_addressee_number is None
        pending = await records.pending_replicas("2000000001")
        assert [(item, r.version) for item, r in pending] == [(ITEM, 1)]
        assert await records.pending_replicas("2000000002") == []
    assert await backend.published() == []


async def test_a_registration_records_the_version_and_is_published(
    backend: Backend[LinkageRecords],
) -> None:
    async with backend.open() as records:
        await records.save_replica("2000000001", ITEM, {"qualified": True}, 1, "0000000000000001")
        await records.record_registration(
            addressee_number="2000000001",
            message=ReplicaMessage("0000000000000001", ITEM, 1, {"qualified": True}),
            legal_basis_row="row-1",
            source_event_id=None,
            receipt="r-1",
            at=AT,
        )
    async with backend.open() as records:
        stored = await records.replica("2000000001", ITEM)
        assert stored is not None
        assert stored.registered_version == 1
        assert await records.pending_replicas("2000000001") == []
        # a newer original keeps what was registered until it is registered in turn
        await records.save_replica("2000000001", ITEM, {"qualified": False}, 2, "0000000000000001")
    async with backend.open() as records:
        stored = await records.replica("2000000001", ITEM)
        assert stored is not None
        assert (stored.version, stored.registered_version) == (2, 1)
        [view] = await records.replicas_of("2000000001")
        assert (view.item, view.content, view.version, view.registered_version) == (
            ITEM,
            {"qualified": False},
            2,
            1,
        )
        assert view.integrated_addressee_number == "0000000000000001"
        assert await records.replicas_of("2000000002") == []
    assert await backend.published() == ["2000000001"]
