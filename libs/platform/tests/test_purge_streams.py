"""Retention's purge of ended streams with group rows in the outbox (ADR 0096, ADR 0111):
kept while a group holding one of their events is unpublished; once published, the events
and the group row go, the other streams' events stay."""

from __future__ import annotations

import asyncpg
import pytest

from kokuho.events.runtime.store import PostgresEventStore, StreamAppend
from kokuho.events.testing.databases import temporary_database
from kokuho.events.testing.sample import SampleRecorded
from kokuho.platform.retention import purge_streams

pytestmark = pytest.mark.integration


async def test_a_stream_in_an_unpublished_group_is_kept_and_purged_once_published(
    pg_admin_dsn: str,
) -> None:
    async with temporary_database(pg_admin_dsn, events_schema=True) as dsn:
        conn = await asyncpg.connect(dsn)
        try:
            async with conn.transaction():
                await PostgresEventStore(conn, source="/kokuho/sample").append_batch(
                    [
                        StreamAppend(f"a{i:03d}", 0, [SampleRecorded(n=i)], topic="t")
                        for i in range(100)
                    ]
                )
            assert await conn.fetchval("SELECT count(*) FROM outbox") == 1  # one group
            async with conn.transaction():
                assert await purge_streams(conn, ["a001", "a050"]) is False
            assert await conn.fetchval("SELECT count(*) FROM events") == 100

            await conn.execute("UPDATE outbox SET published_at = now()")
            async with conn.transaction():
                assert await purge_streams(conn, ["a001", "a050"]) is True
            assert await conn.fetchval("SELECT count(*) FROM outbox") == 0
            left = await conn.fetch("SELECT stream_id FROM events ORDER BY stream_id")
            assert [r["stream_id"] for r in left] == [
                f"a{i:03d}" for i in range(100) if i not in (1, 50)
            ]
        finally:
            await conn.close()
