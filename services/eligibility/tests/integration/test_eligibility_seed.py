"""The demo seed is deterministic and idempotent (make run seeds it on every start)."""

from __future__ import annotations

import asyncpg
import pytest

from kokuho.eligibility.commands import seed
from kokuho.eligibility.config import Settings
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


async def test_the_default_demo_city_spans_the_acquisition_and_loss_reasons(
    pg_admin_dsn: str,
) -> None:
    settings_default = Settings(database_dsn="postgresql://unused/unused")
    assert 200 <= settings_default.seed_households <= 1000  # "a few hundred households"
    async with temporary_database(pg_admin_dsn) as dsn:
        await migrate(dsn, migration_files(MIGRATIONS))
        await seed(Settings(database_dsn=dsn))
        conn = await asyncpg.connect(dsn)
        try:
            households = await conn.fetchval("SELECT count(*) FROM households")
            acquired = {
                r["acquisition_reason"]
                for r in await conn.fetch(
                    "SELECT DISTINCT acquisition_reason FROM qualification_periods"
                )
            }
            lost = {
                r["loss_reason"]
                for r in await conn.fetch(
                    "SELECT DISTINCT loss_reason FROM qualification_periods"
                    " WHERE loss_reason IS NOT NULL"
                )
            }
            late = await conn.fetchval(
                "SELECT count(*) FROM qualification_periods WHERE acquisition_late"
            )
            deemed = await conn.fetchval("SELECT count(*) FROM households WHERE deemed_householder")
        finally:
            await conn.close()
    assert households == settings_default.seed_households
    assert {"moved_in", "left_employee_insurance", "birth", "public_assistance_ended"} <= acquired
    assert {"moved_out", "joined_employee_insurance", "death", "public_assistance_started"} <= lost
    assert late > 0
    assert deemed > 0
