"""One contract for both units of work: the in-memory twin and the PostgreSQL unit (the latter
needs PostgreSQL: marked ``integration``). A fake that passes it may stand in for the real unit
in every unit test."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from kokuho.collection.adapters.memory import InMemoryCollectionUnit
from kokuho.collection.adapters.unit_of_work import CollectionUnit
from kokuho.collection.app.ports import (
    CollectionUnitPort,
    DebitRequest,
    Document,
    ImportRecord,
    TaxTransfer,
    Versioned,
    WorkItem,
)
from kokuho.collection.domain import acts, charging
from kokuho.collection.domain.direct_debit import DebitAccount
from kokuho.collection.domain.ledger import Ledger, replay
from kokuho.collection.domain.tax_transfer import TransferLine
from kokuho.collection.domain.work_items import Resolution
from kokuho.events.ports import ConcurrencyConflict
from kokuho.platform.audit import PostgresAuditLog, RequestAudit
from kokuho.platform.testing import migrated_database

from .ledgers import assessed, pay
from .rules import PACKAGED

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
H = "9950000001"

UnitFactory = Callable[[], CollectionUnitPort]


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
async def units(request: pytest.FixtureRequest) -> AsyncIterator[UnitFactory]:
    if request.param == "memory":
        unit = InMemoryCollectionUnit()
        yield lambda: unit
        return
    infra = request.getfixturevalue("infra")
    async with migrated_database(infra.pg_admin_dsn, MIGRATIONS) as dsn:
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
        trail = RequestAudit(
            PostgresAuditLog(pool),
            user_id="U-TEST",
            terminal_id="T-TEST",
            operation="contract",
            request_id=None,
        )
        try:
            yield lambda: CollectionUnit(lambda: pool, audit=trail)
        finally:
            await pool.close()


def a_ledger(household: str = H) -> Ledger:
    ledger = Ledger(household)
    ledger = replay(household, charging.assess(ledger, assessed([10_000] * 10)), ledger)
    ledger, _ = pay(ledger, PACKAGED, 25_000, date(2026, 7, 10))
    # delinquency's acts: the renewing act and the 不納欠損 are kept in the snapshot too
    ledger = replay(household, acts.renew(ledger, 2026, 4, "plan", date(2026, 11, 2)), ledger)
    written_off = acts.write_off(ledger, 2026, 5, 10_000, "suspension_period", date(2026, 11, 3))
    return replay(household, written_off, ledger)


async def test_a_ledger_is_read_back_as_it_was_saved(units: UnitFactory) -> None:
    ledger = a_ledger()
    async with units() as uow:
        await uow.ledgers.save_many([Versioned(ledger, 11)])
    async with units() as uow:
        loaded = await uow.ledgers.load_many([H, "9950000002"])
    assert loaded == {H: Versioned(ledger, 11)}


async def test_an_older_version_does_not_overwrite_a_newer_one(units: UnitFactory) -> None:
    async with units() as uow:
        await uow.ledgers.save_many([Versioned(a_ledger(), 5)])
    with pytest.raises(ConcurrencyConflict):
        async with units() as uow:
            await uow.ledgers.save_many([Versioned(Ledger(H), 4)])
    async with units() as uow:
        assert (await uow.ledgers.load_many([H]))[H].version == 5


async def test_the_jobs_find_their_households(units: UnitFactory) -> None:
    async with units() as uow:
        await uow.ledgers.save_many([Versioned(a_ledger(), 1), Versioned(Ledger("9950000002"), 1)])
    async with units() as uow:
        # period 3 (due 2026-08-28) is partly paid: unpaid and undunned
        assert await uow.ledgers.due_for_dunning(date(2026, 8, 27)) == []
        assert await uow.ledgers.due_for_dunning(date(2026, 8, 28)) == [H]
        assert await uow.ledgers.unpaid_due_before(date(2026, 8, 28)) == []
        assert await uow.ledgers.unpaid_due_before(date(2026, 8, 29)) == [H]


async def test_a_ledger_loaded_changed_and_saved_moves_the_jobs_rows(units: UnitFactory) -> None:
    async with units() as uow:
        await uow.ledgers.save_many([Versioned(a_ledger(), 1)])
    async with units() as uow:
        loaded = (await uow.ledgers.load_many([H]))[H]
        # the rest of period 3 paid: nothing unpaid is due before 29 August any more
        paid, _ = pay(loaded.ledger, PACKAGED, 5_000, date(2026, 8, 20), period=3, ref="R9")
        await uow.ledgers.save_many([Versioned(paid, 2)])
        assert await uow.ledgers.unpaid_due_before(date(2026, 8, 29)) == []
        assert await uow.ledgers.due_for_dunning(date(2026, 8, 28)) == []
        # a second save in the same transaction is written too
        await uow.ledgers.save_many([Versioned(loaded.ledger, 3)])
        assert await uow.ledgers.unpaid_due_before(date(2026, 8, 29)) == [H]
    async with units() as uow:
        assert await uow.ledgers.unpaid_due_before(date(2026, 8, 29)) == [H]
        assert await uow.ledgers.due_for_dunning(date(2026, 9, 28)) == [H]


async def test_ledgers_prepared_in_parts_are_saved_as_by_save_many(units: UnitFactory) -> None:
    """A payment file builds each part's rows while the one before is written (ADR 0109): the
    parts saved at once are what ``save_many`` saves, a second part of the same household
    after its first."""
    other = "9950000002"
    async with units() as uow:
        await uow.ledgers.save_many([Versioned(a_ledger(), 1)])
    async with units() as uow:
        loaded = (await uow.ledgers.load_many([H]))[H]
        paid, _ = pay(loaded.ledger, PACKAGED, 5_000, date(2026, 8, 20), period=3, ref="R9")
        first = uow.ledgers.prepare([Versioned(paid, 2)])
        second = uow.ledgers.prepare([Versioned(a_ledger(other), 1)])
        again = uow.ledgers.prepare([Versioned(loaded.ledger, 3)])  # period 3 unpaid again
        await uow.ledgers.save_prepared([first, second])
        assert await uow.ledgers.unpaid_due_before(date(2026, 8, 29)) == [other]
        await uow.ledgers.save_prepared([again])
        assert await uow.ledgers.unpaid_due_before(date(2026, 8, 29)) == [H, other]
    async with units() as uow:
        found = await uow.ledgers.load_many([H, other])
        assert {h: v.version for h, v in found.items()} == {H: 3, other: 1}
        assert found[H].ledger == loaded.ledger
        assert found[other].ledger == a_ledger(other)
        assert await uow.ledgers.unpaid_due_before(date(2026, 8, 29)) == [H, other]


async def test_work_items_imports_and_documents(units: UnitFactory) -> None:
    item = WorkItem(
        "00000000-0000-0000-0000-000000000001",
        "unmatched",
        "no charges",
        None,
        100,
        "R1",
        date(2026, 7, 1),
        "imp",
        3,
    )
    record = ImportRecord(
        "imp",
        "ab" * 32,
        "f.csv",
        3,
        2,
        1,
        1,
        True,
        "U-OP",
        date(2026, 7, 1),
        [{"line": 3, "field": "amount", "reason": "bad"}],
    )
    document = Document("d1", "dunning_notice", H, date(2026, 7, 1), {"period": 1, "fee": 0})
    async with units() as uow:
        await uow.work_items.add_many([item, item])
        await uow.imports.add(record)
        await uow.documents.add_many([document])
    async with units() as uow:
        assert await uow.work_items.open_items(10, None) == [item]
        assert await uow.work_items.open_items(10, item.item_id) == []
        assert await uow.imports.find("ab" * 32) == record
        assert await uow.imports.find("cd" * 32) is None
        assert await uow.documents.get("d1") == document
        assert await uow.documents.get("d2") is None


async def test_work_item_resolutions(units: UnitFactory) -> None:
    day = date(2026, 7, 2)
    item = WorkItem(
        "00000000-0000-0000-0000-000000000002",
        "over-payment",
        "3000 yen over",
        H,
        3_000,
        "R2",
        day,
        channel="bank",
        paid_on=date(2026, 7, 1),
    )
    other = dataclasses.replace(item, item_id="00000000-0000-0000-0000-000000000003")
    pending = Resolution(
        "r1", item.item_id, "refund", "asked", None, None, None, "pending", "A", day
    )
    async with units() as uow:
        await uow.work_items.add_many([item, other])
        await uow.work_items.add_resolution(pending)
    async with units() as uow:
        assert await uow.work_items.get(item.item_id) == item
        assert await uow.work_items.get("nope") is None
        assert await uow.work_items.resolution("r1") == pending
        assert await uow.work_items.open_of_household(H, ["over-payment"]) == [item, other]
        assert await uow.work_items.open_of_household(H, ["slip"]) == []
    with pytest.raises(ConcurrencyConflict):  # one pending resolution per item
        async with units() as uow:
            await uow.work_items.add_resolution(dataclasses.replace(pending, resolution_id="r2"))
    confirmed = dataclasses.replace(
        pending, status="confirmed", decided_by="B", decided_on=day, outcome="refund notice d"
    )
    async with units() as uow:
        await uow.work_items.update_resolution(confirmed)
        assert await uow.work_items.mark_resolved([item.item_id, item.item_id], "r1", day) == 1
    with pytest.raises(ConcurrencyConflict):  # decided once
        async with units() as uow:
            await uow.work_items.update_resolution(confirmed)
    async with units() as uow:
        assert await uow.work_items.mark_resolved([item.item_id, other.item_id], "r3", day) == 1
        assert await uow.work_items.resolutions(item.item_id) == [confirmed]
        assert await uow.work_items.open_items(10, None) == []
        found = await uow.work_items.get(item.item_id)
        assert found is not None
        assert found.resolved


async def test_a_failed_block_leaves_nothing(units: UnitFactory) -> None:
    async def fail() -> None:
        async with units() as uow:
            await uow.ledgers.save_many([Versioned(a_ledger(), 1)])
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await fail()
    async with units() as uow:
        assert await uow.ledgers.load_many([H]) == {}


def account(registration_id: str, status: str = "pending") -> DebitAccount:
    return DebitAccount(
        registration_id,
        H,
        "0001",
        "001",
        "ordinary",
        "1234567",
        "ｺｸﾎ ﾀﾛｳ",
        "ﾐｽﾞﾎ",
        "ﾄｳｷﾖｳ",
        status,
        "U-1",
        date(2026, 5, 1),
    )


async def test_debit_accounts_one_active_per_household_the_old_kept(units: UnitFactory) -> None:
    first, second = account("r1"), account("r2")
    async with units() as uow:
        await uow.debit_accounts.add(first)
        await uow.debit_accounts.add(second)
        assert await uow.debit_accounts.active() == []
        active = dataclasses.replace(first, status="active", confirmed_by="U-2")
        await uow.debit_accounts.replace(active)
    async with units() as uow:
        assert await uow.debit_accounts.active() == [active]
        newer = dataclasses.replace(second, status="active", confirmed_by="U-2")
        await uow.debit_accounts.replace(newer)
    async with units() as uow:
        assert await uow.debit_accounts.active() == [newer]
        old = await uow.debit_accounts.get("r1")
        assert old is not None
        assert old.status == "replaced"
        assert await uow.debit_accounts.get("r3") is None


async def test_debit_requests_by_day(units: UnitFactory) -> None:
    request = DebitRequest("q1", date(2026, 6, 30), 2, 20_000, "U-OP", date(2026, 6, 20))
    async with units() as uow:
        await uow.debit_requests.add(request)
    async with units() as uow:
        assert await uow.debit_requests.find(date(2026, 6, 30)) == request
        assert await uow.debit_requests.find(date(2026, 7, 31)) is None
        assert await uow.debit_requests.days() == [date(2026, 6, 30)]


async def test_ledgers_listed_in_pages(units: UnitFactory) -> None:
    async with units() as uow:
        await uow.ledgers.save_many([Versioned(a_ledger(h), 1) for h in ("9950000003", H)])
    async with units() as uow:
        assert await uow.ledgers.households("", 1) == [H]
        assert await uow.ledgers.households(H, 10) == ["9950000003"]
        assert await uow.ledgers.households("9950000003", 10) == []


async def test_a_tax_transfer_is_recorded_once_per_year_with_its_lines(units: UnitFactory) -> None:
    transfer = TaxTransfer(
        "t1",
        2026,
        "flow",
        "municipal-tax-division",
        "basis",
        "platform-linkage",
        ("nhi_household_number", "amount", "pension_deducted"),
        2,
        15_000,
        "U-OP",
        date(2027, 1, 15),
    )
    lines = [TransferLine("9950000003", 5_000, 0), TransferLine(H, 10_000, 2_000)]
    async with units() as uow:
        await uow.tax_transfers.add(transfer, lines)
    async with units() as uow:
        assert await uow.tax_transfers.find(2026) == transfer
        assert await uow.tax_transfers.find(2025) is None
        assert await uow.tax_transfers.lines("t1") == sorted(lines, key=lambda x: x.household)
    with pytest.raises(Exception):  # noqa: B017, PT011 - one transfer per calendar year
        async with units() as uow:
            await uow.tax_transfers.add(dataclasses.replace(transfer, transfer_id="t2"), [])


@pytest.mark.integration
async def test_the_ledgers_kept_for_a_transaction_are_dropped_when_the_outermost_ends(
    infra: object,
) -> None:
    """A payment file's tens of thousands of ledgers do not outlive its transaction (the cyclic
    collector, paused for the file, would walk them all when it resumes; issue 10)."""
    async with migrated_database(infra.pg_admin_dsn, MIGRATIONS) as dsn:  # type: ignore[attr-defined]
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
        try:
            uow = CollectionUnit(lambda: pool)
            async with uow:
                await uow.ledgers.save_many([Versioned(a_ledger(), 1)])
            async with uow:
                await uow.ledgers.load_many([H])
                async with uow:  # a use case calling another: the same transaction
                    pass
                assert uow.ledgers._loaded  # still needed: a save writes only what changed
                ledgers = uow.ledgers
            assert ledgers._loaded == {}
            async with uow:  # the next transaction on the same unit writes the rows in full
                paid, _ = pay(a_ledger(), PACKAGED, 5_000, date(2026, 8, 20), period=3, ref="R9")
                await uow.ledgers.save_many([Versioned(paid, 2)])
                assert await uow.ledgers.unpaid_due_before(date(2026, 8, 29)) == []
        finally:
            await pool.close()
