"""The collection retention job (C-95, C-96; ADR 0100) on the real PostgreSQL and Kafka: charges
from assessment's events, paid by a payment file through the service; a household paid in full
is kept the day before the fifth anniversary of its last movement and erased on the day itself
(its streams, published outbox rows, snapshot, charges, work items, notices, direct-debit
registration), one erasure record per store; a household still owing, and one with an
overpayment held, are never erased; a dry run changes nothing; a re-run erases nothing new;
the balance afterwards is not found; the records are listed to an auditor, audited."""

from __future__ import annotations

from datetime import date, timedelta

import asyncpg
import pytest

from kokuho.collection.adapters.retention import RetentionUnit
from kokuho.collection.app.retention import apply_retention
from kokuho.collection.commands import retention_command
from kokuho.collection.config import Settings
from kokuho.collection.domain import retention as r
from kokuho.collection.domain.payment_file import HEADER, notice_number
from kokuho.collection.parameters import load_retention
from kokuho.events.testing.waiting import eventually
from kokuho.platform.retention import JAPAN, SYSTEM_RETENTION, add_years
from kokuho.platform.testing import (
    RetentionRuns,
    erasure_records_listed,
    outbox_relayed,
    retention_command_runs_today,
)

from .conftest import FY, Running

pytestmark = pytest.mark.integration

PAID, OWING, HELD = "9950000021", "9950000022", "9950000023"
CLERK, OPERATOR = "collection.clerk", "batch.operator"
TABLES = (
    "events",
    "outbox",
    "ledgers",
    "charges",
    "work_items",
    "documents",
    "debit_accounts",
    "erasure_records",
)


def payment_file(*lines: tuple[str, int, int, str]) -> str:
    rows = [f"{notice_number(FY, h, p)},{yen},2026-11-30,bank,{ref}" for h, p, yen, ref in lines]
    return "\n".join([HEADER, *rows]) + "\n"


async def charged(running: Running, household: str, count: int) -> None:
    async def ready() -> bool:
        got = await running.client.get(
            f"/api/v1/households/{household}/balance", headers=running.headers(CLERK)
        )
        return got.status_code == 200 and len(got.json()["instalments"]) == count

    await eventually(ready, what=f"charges of {household}")


async def test_retention_of_household_ledgers(
    running: Running, capsys: pytest.CaptureFixture[str]
) -> None:
    period = load_retention()
    assert (period.years, period.confidence) == (5, "confirmed")
    await running.assess(PAID, [3_000] * 10)
    await running.assess(OWING, [3_000] * 10)
    await running.assess(HELD, [3_000])
    await charged(running, PAID, 10)
    await charged(running, OWING, 10)
    await charged(running, HELD, 1)
    lines = [(PAID, p, 3_000, f"A{p}") for p in range(1, 11)]
    lines += [(OWING, p, 3_000, f"B{p}") for p in range(1, 10)]  # the 10th still owed
    lines += [(HELD, 1, 3_500, "C1")]  # 500 held as an overpayment
    imported = await running.client.post(
        "/api/v1/payment-imports",
        json={"file_name": "bank.csv", "content": payment_file(*lines)},
        headers=running.headers(OPERATOR, user="U-OP"),
    )
    assert imported.status_code == 201, imported.text
    pool = await asyncpg.create_pool(running.dsn, min_size=1, max_size=2)
    try:
        await pool.execute(
            "INSERT INTO debit_accounts VALUES ('R1', $1, '0001', '001', 'ordinary', '1234567',"
            " 'ｺｸﾎ ﾀﾛｳ', 'ﾐｽﾞﾎ', 'ﾄｳｷﾖｳ', 'active', 'U-C', '2026-07-01', 'U-S', '2026-07-02')",
            PAID,
        )
        await pool.execute(
            "INSERT INTO documents VALUES ('D1', 'dunning', $1, '2026-07-20', '{}')", PAID
        )

        await outbox_relayed(pool)
        # the 5 years run from the last movement: the payment day, or the day the last event
        # was recorded when that is later
        recorded = await pool.fetchval(
            "SELECT max(occurred_at) FROM events WHERE stream_id LIKE $1", f"household-{PAID}%"
        )
        settled = max(date(2026, 11, 30), recorded.astimezone(JAPAN).date())
        anniversary = add_years(settled, 5)

        run = RetentionRuns(pool, apply_retention, RetentionUnit, period)

        before = await run.counts(TABLES)
        day_before = await run(anniversary - timedelta(days=1))
        assert (day_before.erased, day_before.records) == ({}, 0)
        assert day_before.kept == {}  # nothing settled 5 years ago: not even a candidate
        dry = await run(anniversary, dry_run=True)
        assert dry.erased == {r.LEDGER: [PAID]}
        assert dry.records == 0
        assert await run.counts(TABLES) == before  # the dry run changed nothing

        itself = await run(anniversary)
        assert itself.erased == {r.LEDGER: [PAID]}
        assert itself.records == len(r.STORES)
        after = await run.counts(TABLES)
        streams = await pool.fetchval(
            "SELECT count(*) FROM events WHERE stream_id LIKE $1", f"household-{PAID}%"
        )
        assert streams == 0
        assert await pool.fetchval("SELECT count(*) FROM outbox WHERE key = $1", PAID) == 0
        for table in ("ledgers", "charges", "documents", "debit_accounts"):
            held = await pool.fetchval(
                f"SELECT count(*) FROM {table} WHERE household = $1",
                PAID,
            )
            assert held == 0, table
        assert await pool.fetchval("SELECT count(*) FROM ledgers") == 2  # OWING and HELD
        again = await run(anniversary + timedelta(days=1))
        assert (again.erased, again.records) == ({}, 0)
        years_later = await run(date(2060, 1, 1))  # owing or holding money: never erased
        assert (years_later.erased, years_later.records) == ({}, 0)
        assert years_later.kept == {r.OVERPAYMENT_HELD: [HELD]}
        assert await run.counts(TABLES) == after
        records = await pool.fetch(
            "SELECT data_class, subject, store, erased_on FROM erasure_records"
        )
        audited = await pool.fetch(
            "SELECT subject_addressee_numbers FROM audit_log WHERE user_id = $1", SYSTEM_RETENTION
        )
    finally:
        await pool.close()
    assert {tuple(x) for x in records} == {(r.LEDGER, PAID, s, anniversary) for s in r.STORES}
    assert [list(x[0]) for x in audited] == [[PAID]]

    gone = await running.client.get(
        f"/api/v1/households/{PAID}/balance", headers=running.headers(CLERK)
    )
    assert gone.status_code == 404, gone.text
    owing = await running.client.get(
        f"/api/v1/households/{OWING}/balance", headers=running.headers(CLERK)
    )
    assert owing.status_code == 200, owing.text
    listed = await erasure_records_listed(
        running.client, running.headers(CLERK), running.headers("auditor", user="U-AUD")
    )
    assert {(x["subject"], x["store"]) for x in listed} == {(PAID, s) for s in r.STORES}
    read = await running.fetchval(
        "SELECT subject_addressee_numbers FROM audit_log WHERE user_id = 'U-AUD'"
        " AND detail->>'view' = 'erasure-records'"
    )
    assert list(read) == [PAID]

    # the command: today's run for Japan's day (nothing of the test is 5 years old); an
    # unknown argument is refused
    settings = Settings(database_dsn=running.dsn)
    await retention_command_runs_today(
        lambda args: retention_command(settings, args), lambda: capsys.readouterr().out
    )
