"""The demo seed is deterministic and idempotent (make run seeds it on every start)."""

from __future__ import annotations

import asyncpg
import pytest

from kokuho.eligibility.config import Settings
from kokuho.eligibility.seed import seed
from kokuho.events.testing.databases import temporary_database
from kokuho.platform.database import migrate, migration_files

from ..conftest import MIGRATIONS

pytestmark = pytest.mark.integration

SNAPSHOT = (
    "SELECT string_agg(concat_ws('|', p.addressee_number, p.name, p.birth_date,"
    " q.nhi_household_number, q.insured_number, q.acquisition_date, q.acquisition_reason,"
    " q.loss_date, q.loss_reason), ';' ORDER BY p.addressee_number, q.acquisition_date)"
    " FROM persons p LEFT JOIN qualification_periods q USING (addressee_number)"
)


async def seeded_snapshot(admin_dsn: str, households: int) -> tuple[str, str, str, int]:
    async with temporary_database(admin_dsn) as dsn:
        await migrate(dsn, migration_files(MIGRATIONS))
        settings = Settings(database_dsn=dsn, seed_households=households)
        first = await seed(settings)
        second = await seed(settings)
        conn = await asyncpg.connect(dsn)
        try:
            snapshot = await conn.fetchval(SNAPSHOT)
            outbox = await conn.fetchval("SELECT count(*) FROM outbox")
        finally:
            await conn.close()
    return first, second, snapshot, outbox


async def test_seed_is_deterministic_and_idempotent(pg_admin_dsn: str) -> None:
    first, second, snapshot, outbox = await seeded_snapshot(pg_admin_dsn, 25)
    assert first.startswith("demo city seeded: ")
    assert "households=25" in first
    assert second.startswith("demo city already seeded")
    assert outbox > 25  # events and personal details wait in the outbox for the relay
    _, _, again, _ = await seeded_snapshot(pg_admin_dsn, 25)
    assert snapshot == again
