"""On PostgreSQL: a payment file matched and written in chunks of households is still one
transaction. Every chunk's rows are there after the commit, and a chunk that fails takes the
chunks written before it with it (no ledger, event, outbox row or import record remains)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import asyncpg
import pytest

from kokuho.collection.adapters.unit_of_work import CollectionUnit
from kokuho.collection.app import ledgers, payments
from kokuho.collection.domain import charging
from kokuho.collection.domain.payment_file import HEADER, notice_number
from kokuho.collection.parameters import load_rules
from kokuho.platform.audit import PostgresAuditLog, RequestAudit
from kokuho.platform.testing import migrated_database

from .conftest import FY, MIGRATIONS, due_dates

HOUSEHOLDS = [f"99600000{i:02d}" for i in range(1, 7)]
TODAY = date(2026, 12, 1)


def unit(pool: asyncpg.Pool) -> CollectionUnit:
    trail = RequestAudit(
        PostgresAuditLog(pool), user_id="U-OP", terminal_id=None, operation="t", request_id=None
    )
    return CollectionUnit(lambda: pool, audit=trail, topic="t")


@pytest.fixture
async def pool(pg_admin_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_database(pg_admin_dsn, MIGRATIONS) as dsn:
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
        try:
            async with unit(pool) as uow:
                batch = await ledgers.open_batch(uow, HOUSEHOLDS)
                for h in HOUSEHOLDS:
                    instalments = [
                        charging.Instalment(p, d, 10_000)
                        for p, d in enumerate(due_dates(), start=1)
                    ]
                    command = charging.AssessCharges(
                        f"a-{h}", FY, 1, "assessment", instalments, "system", date(FY, 6, 15)
                    )
                    batch.decide(h, lambda s, c=command: charging.assess(s, c))
                await ledgers.commit_batch(uow, batch)
            await pool.execute("DELETE FROM outbox")
            yield pool
        finally:
            await pool.close()


def payment_file() -> str:
    # each household twice, interleaved, so every chunk of one household has two lines
    rows = [
        f"{notice_number(FY, h, period)},10000,2026-07-01,bank,R{period}{h}"
        for period in (1, 2)
        for h in HOUSEHOLDS
    ]
    return "\n".join([HEADER, *rows]) + "\n"


async def state(pool: asyncpg.Pool) -> tuple[Any, ...]:
    return (
        await pool.fetchval("SELECT count(*) FROM outbox"),
        await pool.fetchval("SELECT count(*) FROM payment_imports"),
        await pool.fetch("SELECT household, version FROM ledgers ORDER BY household"),
        await pool.fetch(
            "SELECT household, fiscal_year, period, outstanding FROM charges"
            " ORDER BY household, fiscal_year, period"
        ),
    )


async def test_every_chunk_is_written_in_the_one_transaction(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(payments, "CHUNK_HOUSEHOLDS", 2)
    set_up = {r["household"]: r["version"] for r in (await state(pool))[2]}
    command = payments.ImportPayments("f.csv", payment_file(), False, "U-OP", TODAY)
    outcome = await payments.import_payments(unit(pool), load_rules(), command)
    assert (outcome.record.applied, outcome.record.work_items) == (12, 0)
    outbox, imports, versions, rows = await state(pool)
    assert {r["household"]: r["version"] - 2 for r in versions} == set_up  # two payments each
    # a PaymentReceived a line; instalment 1 is paid a day late, its 延滞金 below the minimum
    assert (outbox, imports) == (12, 1)
    paid = {(r["household"], r["period"]) for r in rows if r["outstanding"] == 0}
    assert paid == {(h, p) for h in HOUSEHOLDS for p in (1, 2)}
    keys = await pool.fetch("SELECT key FROM outbox ORDER BY position")
    assert sorted({r["key"] for r in keys}) == HOUSEHOLDS


async def test_a_failing_chunk_takes_the_chunks_before_it_back(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(payments, "CHUNK_HOUSEHOLDS", 2)
    before = await state(pool)
    writes = 0
    real = ledgers.commit_batch

    async def third_write_fails(*args: Any, **kwargs: Any) -> None:
        nonlocal writes
        writes += 1
        await real(*args, **kwargs)
        if writes == 3:  # after its rows were sent: the first two chunks are written too
            raise RuntimeError("the connection broke")

    monkeypatch.setattr(payments, "commit_batch", third_write_fails)
    command = payments.ImportPayments("f.csv", payment_file(), False, "U-OP", TODAY)
    with pytest.raises(RuntimeError, match="connection broke"):
        await payments.import_payments(unit(pool), load_rules(), command)
    assert writes == 3
    assert await state(pool) == before
