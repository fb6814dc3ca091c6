"""On PostgreSQL: a payment file read in slabs and matched in parts of households, each part
written while the next is matched and the next slab read, is still one transaction. Every
part's rows are there after the commit, and a write or a read that fails takes the writes
before it back (no ledger, event, outbox row or import record remains); the same as the file
read and matched in one part."""

from __future__ import annotations

import multiprocessing
import operator
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from typing import Any

import asyncpg
import pytest

from kokuho.collection.adapters.matching_workers import matching_executor
from kokuho.collection.adapters.unit_of_work import CollectionUnit, PostgresLedgers, StoredLedger
from kokuho.collection.app import ledgers, payments
from kokuho.collection.domain import charging
from kokuho.collection.domain.payment_file import HEADER, notice_number
from kokuho.collection.parameters import load_rules
from kokuho.platform.audit import PostgresAuditLog, RequestAudit
from kokuho.platform.testing import migrated_database

from .conftest import FY, MIGRATIONS, due_dates

HOUSEHOLDS = [f"99600000{i:02d}" for i in range(1, 8)]
TODAY = date(2026, 12, 1)


def unit(pool: asyncpg.Pool) -> CollectionUnit:
    trail = RequestAudit(
        PostgresAuditLog(pool), user_id="U-OP", terminal_id=None, operation="t", request_id=None
    )
    return CollectionUnit(lambda: pool, audit=trail, topic="t")


async def set_up(pool: asyncpg.Pool) -> None:
    async with unit(pool) as uow:
        batch = await ledgers.open_batch(uow, HOUSEHOLDS[:-1])  # the last has no charges
        for h in HOUSEHOLDS[:-1]:
            instalments = [
                charging.Instalment(p, d, 10_000) for p, d in enumerate(due_dates(), start=1)
            ]
            command = charging.AssessCharges(
                f"a-{h}", FY, 1, "assessment", instalments, "system", date(FY, 6, 15)
            )
            batch.decide(h, lambda s, c=command: charging.assess(s, c))
        await ledgers.commit_batch(uow, batch)
    await pool.execute("DELETE FROM outbox")


@pytest.fixture
async def pools(pg_admin_dsn: str) -> AsyncIterator[tuple[asyncpg.Pool, asyncpg.Pool]]:
    """Two databases set up alike: one imports in parts, the other in one part."""
    async with (
        migrated_database(pg_admin_dsn, MIGRATIONS) as one,
        migrated_database(pg_admin_dsn, MIGRATIONS) as two,
    ):
        a = await asyncpg.create_pool(one, min_size=1, max_size=2)
        b = await asyncpg.create_pool(two, min_size=1, max_size=2)
        try:
            await set_up(a)
            await set_up(b)
            yield a, b
        finally:
            await a.close()
            await b.close()


def payment_file() -> str:
    # each household twice, interleaved (every part holds both lines of its households), a
    # line for the household without charges, and one paying more than is due
    rows = [
        f"{notice_number(FY, h, period)},10000,2026-07-01,bank,R{period}{h}"
        for period in (1, 2)
        for h in HOUSEHOLDS
    ]
    rows.append(f"{notice_number(FY, HOUSEHOLDS[0], 3)},12000,2026-07-01,bank,R3")
    return "\n".join([HEADER, *rows]) + "\n"


async def state(pool: asyncpg.Pool) -> tuple[Any, ...]:
    return (
        await pool.fetch(
            "SELECT stream_id, version, event_type, (envelope::jsonb -> 'data')::text AS data"
            " FROM events ORDER BY stream_id, version"
        ),
        await pool.fetch("SELECT key, count(*) FROM outbox GROUP BY key ORDER BY key"),
        await pool.fetch(
            "SELECT import_id, applied, work_items FROM payment_imports ORDER BY import_id"
        ),
        await pool.fetch("SELECT household, version, state FROM ledgers ORDER BY household"),
        await pool.fetch(
            "SELECT household, fiscal_year, period, outstanding FROM charges"
            " ORDER BY household, fiscal_year, period"
        ),
        await pool.fetch("SELECT item_id, kind, line FROM work_items ORDER BY item_id"),
    )


async def test_a_file_in_parts_is_written_as_the_file_in_one_part(
    pools: tuple[asyncpg.Pool, asyncpg.Pool], monkeypatch: pytest.MonkeyPatch
) -> None:
    parts, whole = pools
    command = payments.ImportPayments("f.csv", payment_file(), False, "U-OP", TODAY)
    writes = 0
    real = ledgers.write_prepared

    async def counted(*args: Any, **kwargs: Any) -> None:
        nonlocal writes
        writes += 1
        await real(*args, **kwargs)

    reads: list[list[str]] = []
    real_read = PostgresLedgers.load_stored

    async def read(self: PostgresLedgers, households: Sequence[str]) -> list[StoredLedger]:
        reads.append(list(households))
        return await real_read(self, households)

    monkeypatch.setattr(payments, "write_prepared", counted)
    monkeypatch.setattr(PostgresLedgers, "load_stored", read)
    monkeypatch.setattr(payments, "PART_HOUSEHOLDS", 2)
    monkeypatch.setattr(payments, "LOAD_HOUSEHOLDS", 3)
    outcome = await payments.import_payments(unit(parts), load_rules(), command)
    assert writes >= 2
    # slabs of three households in the order the file first names them, each read once
    assert reads == [sorted(HOUSEHOLDS[0:3]), sorted(HOUSEHOLDS[3:6]), HOUSEHOLDS[6:]]
    monkeypatch.setattr(payments, "PART_HOUSEHOLDS", 1000)
    monkeypatch.setattr(payments, "LOAD_HOUSEHOLDS", 1000)
    assert await payments.import_payments(unit(whole), load_rules(), command) == outcome
    assert len(reads) == 4
    # 12 paid, 2 unmatched, the over-payment applied with its work item
    assert (outcome.record.applied, outcome.record.work_items) == (13, 3)
    in_parts, in_one = await state(parts), await state(whole)
    assert in_parts == in_one  # the same events, outbox rows, ledgers, charges and work items
    assert sum(r["count"] for r in in_parts[1]) == 13  # a PaymentReceived a line applied


async def test_a_failing_write_takes_the_writes_before_it_back(
    pools: tuple[asyncpg.Pool, asyncpg.Pool], monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = pools[0]
    before = await state(pool)
    writes = 0
    real = ledgers.write_prepared

    async def last_household_fails(uow: Any, prepared: ledgers.PreparedBatch) -> None:
        nonlocal writes
        writes += 1
        await real(uow, prepared)
        if any(a.partition_key == HOUSEHOLDS[-2] for a in prepared.appends):  # rows sent
            raise RuntimeError("the connection broke")

    monkeypatch.setattr(payments, "PART_HOUSEHOLDS", 2)
    monkeypatch.setattr(payments, "LOAD_HOUSEHOLDS", 3)
    monkeypatch.setattr(payments, "write_prepared", last_household_fails)
    command = payments.ImportPayments("f.csv", payment_file(), False, "U-OP", TODAY)
    with pytest.raises(RuntimeError, match="connection broke"):
        await payments.import_payments(unit(pool), load_rules(), command)
    assert writes >= 2  # the first slab was written on its own before
    assert await state(pool) == before


async def test_a_failing_read_takes_the_writes_before_it_back(
    pools: tuple[asyncpg.Pool, asyncpg.Pool], monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = pools[0]
    before = await state(pool)
    writes = 0
    real = ledgers.write_prepared

    async def counted(*args: Any, **kwargs: Any) -> None:
        nonlocal writes
        writes += 1
        await real(*args, **kwargs)

    real_read = PostgresLedgers.load_stored

    async def third_slab_fails(
        self: PostgresLedgers, households: Sequence[str]
    ) -> list[StoredLedger]:
        # read after the first slab was written (queued behind that write)
        if HOUSEHOLDS[6] in households:
            await self._conn.execute("SELECT 1/0")
        return await real_read(self, households)

    monkeypatch.setattr(payments, "PART_HOUSEHOLDS", 1)
    monkeypatch.setattr(payments, "LOAD_HOUSEHOLDS", 3)
    monkeypatch.setattr(payments, "SLABS_AHEAD", 1)  # the third read queued behind a write
    monkeypatch.setattr(payments, "write_prepared", counted)
    monkeypatch.setattr(PostgresLedgers, "load_stored", third_slab_fails)
    command = payments.ImportPayments("f.csv", payment_file(), False, "U-OP", TODAY)
    with pytest.raises(asyncpg.DivisionByZeroError):
        await payments.import_payments(unit(pool), load_rules(), command)
    assert writes >= 1  # a part was written before the read failed
    assert await state(pool) == before


async def test_a_failing_match_after_a_write_takes_it_back(
    pools: tuple[asyncpg.Pool, asyncpg.Pool], monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = pools[0]
    before = await state(pool)
    writes = 0
    real_write, real_match = ledgers.write_prepared, payments.match_file

    async def counted(*args: Any, **kwargs: Any) -> None:
        nonlocal writes
        writes += 1
        await real_write(*args, **kwargs)

    def second_slab_fails(batch: ledgers.Batch, lines: Sequence[Any], *args: Any) -> Any:
        if any(line.household == HOUSEHOLDS[3] for line in lines):
            raise RuntimeError("a bug in the matching")
        return real_match(batch, lines, *args)

    monkeypatch.setattr(payments, "PART_HOUSEHOLDS", 1)
    monkeypatch.setattr(payments, "LOAD_HOUSEHOLDS", 3)
    monkeypatch.setattr(payments, "write_prepared", counted)
    monkeypatch.setattr(payments, "match_file", second_slab_fails)
    command = payments.ImportPayments("f.csv", payment_file(), False, "U-OP", TODAY)
    with pytest.raises(RuntimeError, match="a bug in the matching"):
        await payments.import_payments(unit(pool), load_rules(), command)
    assert writes >= 1
    assert await state(pool) == before


@pytest.mark.parametrize("workers", [1, 2])
async def test_a_file_matched_in_worker_processes_is_written_as_in_one_thread(
    pools: tuple[asyncpg.Pool, asyncpg.Pool], monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """ADR 0116: the slabs matched in spawned processes (their parts of the default size),
    their contracts validated back here, give the rows the same slabs matched in a thread
    give."""
    processes, thread = pools
    monkeypatch.setattr(payments, "LOAD_HOUSEHOLDS", 3)  # three slabs, more lines than one
    made: list[Executor] = []
    make = matching_executor(workers)

    def counted() -> Executor:
        made.append(make())
        return made[-1]

    command = payments.ImportPayments("f.csv", payment_file(), False, "U-OP", TODAY)
    outcome = await payments.import_payments(unit(processes), load_rules(), command, counted)
    assert [type(e) for e in made] == [ProcessPoolExecutor]
    assert await payments.import_payments(unit(thread), load_rules(), command) == outcome
    assert (outcome.record.applied, outcome.record.work_items) == (13, 3)
    assert await state(processes) == await state(thread)


async def test_a_worker_that_dies_fails_the_file_and_changes_nothing(
    pools: tuple[asyncpg.Pool, asyncpg.Pool], monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = pools[0]
    before = await state(pool)
    monkeypatch.setattr(payments, "LOAD_HOUSEHOLDS", 3)

    def dying() -> Executor:
        return ProcessPoolExecutor(
            # a worker that cannot start (its initializer fails): the pool is broken
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=operator.truediv,
            initargs=(1, 0),
        )

    command = payments.ImportPayments("f.csv", payment_file(), False, "U-OP", TODAY)
    with pytest.raises(BrokenProcessPool):
        await payments.import_payments(unit(pool), load_rules(), command, dying)
    assert await state(pool) == before
