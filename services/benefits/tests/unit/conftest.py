"""Fixtures of benefits' unit tests: the stores (in memory; PostgreSQL marked ``integration``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from kokuho.benefits.adapters.memory import InMemoryBenefitsUnit
from kokuho.benefits.adapters.memory_high_cost import InMemoryMonthlyRunStore
from kokuho.benefits.adapters.monthly_run import PostgresMonthlyRunStore
from kokuho.benefits.adapters.unit_of_work import BenefitsUnit
from kokuho.platform.audit import PostgresAuditLog, RequestAudit
from kokuho.platform.testing import migrated_database

from .stores_kit import Stores

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
async def stores(request: pytest.FixtureRequest) -> AsyncIterator[Stores]:
    if request.param == "memory":
        unit = InMemoryBenefitsUnit()
        yield Stores(lambda: unit, InMemoryMonthlyRunStore(unit))
        return
    infra = request.getfixturevalue("infra")
    async with migrated_database(infra.pg_admin_dsn, MIGRATIONS) as dsn:
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=3)
        trail = RequestAudit(
            PostgresAuditLog(pool),
            user_id="U-TEST",
            terminal_id=None,
            operation="t",
            request_id=None,
        )
        try:
            yield Stores(
                lambda: BenefitsUnit(lambda: pool, audit=trail), PostgresMonthlyRunStore(pool)
            )
        finally:
            await pool.close()
