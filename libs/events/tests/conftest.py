from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from kokuho.events.testing.databases import temporary_database


@pytest.fixture
async def events_db(pg_admin_dsn: str) -> AsyncIterator[str]:
    """A fresh database with the runtime schema installed; yields its DSN."""
    async with temporary_database(pg_admin_dsn, events_schema=True) as dsn:
        yield dsn


@pytest.fixture
async def events_pool(events_db: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(events_db, min_size=1, max_size=8)
    yield pool
    await pool.close()


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
def backend_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)
