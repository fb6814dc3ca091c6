"""One contract for the vault repository: the in-memory fake the unit tests use and the
PostgreSQL adapter the service runs on (like libs/events/tests/test_store_contract.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest

from kokuho.linkage_gateway.adapters.memory_vault import InMemoryVault
from kokuho.linkage_gateway.app.records import SealedNumber, VaultRepository
from kokuho.linkage_gateway.domain.vault import (
    NumberBound,
    NumberBoundToAnotherPerson,
    PersonDied,
    SecondNumberForPerson,
)

from .contract_backends import Backend, postgres_backend

pytestmark = pytest.mark.integration


TOPIC = "contract.linkage-gateway.events"
AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
SEALED = SealedNumber("kek-1", b"wrapped", b"nonce-123456", b"ciphertext")


@pytest.fixture(params=["memory", "postgres"])
async def backend(
    request: pytest.FixtureRequest, pg_admin_dsn: str
) -> AsyncIterator[Backend[VaultRepository]]:
    if request.param == "memory":
        vault = InMemoryVault()

        @asynccontextmanager
        async def open_memory() -> AsyncIterator[VaultRepository]:
            yield vault

        async def memory_published() -> list[str]:
            return [e.addressee_number for e in vault.published]

        yield Backend(open_memory, memory_published)
        return

    async with postgres_backend(pg_admin_dsn, TOPIC, lambda uow: uow.vault) as backend:
        yield backend


async def bind(backend: Backend[VaultRepository], who: str, index: str) -> str:
    async with backend.open() as vault:
        integrated = await vault.next_integrated_addressee_number()
        await vault.record([NumberBound(who, integrated, index, AT)], SEALED)
    return integrated


async def test_a_binding_is_found_by_person_and_by_index_and_published_once(
    backend: Backend[VaultRepository],
) -> None:
    async with backend.open() as vault:
        assert await vault.binding_of("2000000001") is None
        assert await vault.holder_of(["idx-1"]) is None
        assert await vault.sealed_of("2000000001") is None
    integrated = await bind(backend, "2000000001", "idx-1")
    assert len(integrated) == 16
    assert integrated.isdigit()
    async with backend.open() as vault:
        binding = await vault.binding_of("2000000001")
        assert binding is not None
        assert (binding.integrated_addressee_number, binding.number_index) == (integrated, "idx-1")
        assert binding.bound_at == AT
        assert not binding.deceased
        assert await vault.holder_of(["idx-1"]) == binding
        # during an index-key rotation a lookup names the number's index under every key
        assert await vault.holder_of(["new:idx-1", "idx-1"]) == binding
        assert await vault.holder_of(["idx-", "idx-1x", "x:idx-1"]) is None  # exact values only
        assert await vault.sealed_of("2000000001") == SEALED
    assert await backend.published() == ["2000000001"]


async def test_integrated_addressee_numbers_are_never_issued_twice(
    backend: Backend[VaultRepository],
) -> None:
    async with backend.open() as vault:
        issued = [await vault.next_integrated_addressee_number() for _ in range(5)]
    assert len(set(issued)) == 5


async def test_a_second_number_or_a_number_bound_to_another_is_refused(
    backend: Backend[VaultRepository],
) -> None:
    await bind(backend, "2000000001", "idx-1")
    with pytest.raises(SecondNumberForPerson):
        await bind(backend, "2000000001", "idx-2")
    with pytest.raises(NumberBoundToAnotherPerson):
        await bind(backend, "2000000002", "idx-1")
    async with backend.open() as vault:
        assert await vault.binding_of("2000000002") is None
        assert await vault.holder_of(["idx-2"]) is None
    assert await backend.published() == ["2000000001"]


async def test_a_binding_needs_its_sealed_number(backend: Backend[VaultRepository]) -> None:
    with pytest.raises(ValueError, match="sealed"):
        async with backend.open() as vault:
            await vault.record([NumberBound("2000000001", "0000000000000001", "idx-1", AT)])


async def test_a_death_marks_the_binding_and_an_unknown_person_is_left_alone(
    backend: Backend[VaultRepository],
) -> None:
    await bind(backend, "2000000001", "idx-1")
    async with backend.open() as vault:
        await vault.record([PersonDied("2000000001", AT)])
        await vault.record([PersonDied("2000000009", AT)])
    async with backend.open() as vault:
        binding = await vault.binding_of("2000000001")
        assert binding is not None
        assert binding.deceased
        assert await vault.binding_of("2000000009") is None
        assert await vault.sealed_of("2000000001") == SEALED  # the number stays sealed (C-93)


async def test_subjects_of_affairs_are_a_set(backend: Backend[VaultRepository]) -> None:
    async with backend.open() as vault:
        assert await vault.subject_affairs("2000000001") == set()
        await vault.add_subject("2000000001", "nhi-eligibility")
        await vault.add_subject("2000000001", "nhi-eligibility")
        await vault.add_subject("2000000001", "nhi-benefits")
    async with backend.open() as vault:
        assert await vault.subject_affairs("2000000001") == {"nhi-eligibility", "nhi-benefits"}
        assert await vault.subject_affairs("2000000002") == set()


async def test_the_confirmation_list_pages_by_id(backend: Backend[VaultRepository]) -> None:
    async with backend.open() as vault:
        for who, rule in (
            ("2000000001", "BlankNumber"),
            ("2000000002", "SecondNumberForPerson"),
            ("2000000003", "X"),
        ):
            await vault.report_for_confirmation(who, rule, "U-1")
    async with backend.open() as vault:
        first = await vault.open_confirmations(2, 0)
        assert [(c.addressee_number, c.rule, c.reported_by) for c in first] == [
            ("2000000001", "BlankNumber", "U-1"),
            ("2000000002", "SecondNumberForPerson", "U-1"),
        ]
        rest = await vault.open_confirmations(2, first[-1].id)
        assert [c.addressee_number for c in rest] == ["2000000003"]
        assert first[0].id < first[1].id < rest[0].id


async def test_addressees_are_found_by_their_integrated_numbers(
    backend: Backend[VaultRepository],
) -> None:
    one = await bind(backend, "2000000001", "idx-1")
    two = await bind(backend, "2000000002", "idx-2")
    async with backend.open() as vault:
        assert await vault.addressees_of_integrated([two, one, "9999999999999999"]) == [
            "2000000001",
            "2000000002",
        ]
        assert await vault.addressees_of_integrated([]) == []
