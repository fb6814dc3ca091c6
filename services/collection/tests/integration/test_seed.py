"""The demo seed of ``make run``: four households (paid, partly paid, overdue, direct debit)
and the unpaid ones of delinquency's demo cases, through the use cases, once however often it
runs."""

from __future__ import annotations

import asyncpg
import pytest

from kokuho.collection.commands import seed
from kokuho.collection.config import Settings
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.platform.testing import kafka_settings, migrated_database

from .conftest import MIGRATIONS

pytestmark = pytest.mark.integration


async def test_the_demo_seed_runs_once(
    pg_admin_dsn: str, kafka: KafkaConnection, kafka_users: dict[str, KafkaConnection]
) -> None:
    user = kafka_users.get("collection", kafka)  # its own (a test container: no users)
    async with migrated_database(pg_admin_dsn, MIGRATIONS) as dsn:
        settings = Settings(database_dsn=dsn, **kafka_settings(user))
        first = await seed(settings)
        conn = await asyncpg.connect(dsn)
        try:
            events = await conn.fetchval("SELECT count(*) FROM events")
            await seed(settings)
            assert await conn.fetchval("SELECT count(*) FROM events") == events
            rows = await conn.fetch(
                "SELECT household, sum(outstanding) AS owed, count(*) FILTER"
                " (WHERE outstanding = 0) AS paid FROM charges GROUP BY household"
                " ORDER BY household"
            )
        finally:
            await conn.close()
    assert "4 households" in first
    arrears = [(h, 0) for h in ("2000000001", *(f"99300000{n:02d}" for n in range(1, 9)))]
    assert [(r["household"], r["paid"]) for r in rows] == [
        *arrears,
        ("9950000001", 10),
        ("9950000002", 4),
        ("9950000003", 1),
        ("9950000004", 10),
    ]
    assert rows[-2]["owed"] > 0
