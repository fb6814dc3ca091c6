"""What the gateway's contract suites share: a backend that opens one part of the unit of work
in a transaction of its own and reads back what was published, and its PostgreSQL form."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Generic, TypeVar

import asyncpg

from kokuho.linkage_gateway.adapters.unit_of_work import GatewayUnit
from kokuho.platform.testing import migrated_database

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
PartT = TypeVar("PartT")


class Backend(Generic[PartT]):
    def __init__(
        self,
        open_part: Callable[[], AbstractAsyncContextManager[PartT]],
        published: Callable[[], Awaitable[list[str]]],
    ) -> None:
        self.open = open_part
        self.published = published


@asynccontextmanager
async def postgres_backend(
    pg_admin_dsn: str, topic: str, part: Callable[[GatewayUnit], PartT]
) -> AsyncIterator[Backend[PartT]]:
    """A migrated database of its own; ``part`` picks the repository under test from the unit;
    ``published`` lists the outbox keys on ``topic``."""
    async with migrated_database(pg_admin_dsn, MIGRATIONS) as dsn:
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)

        @asynccontextmanager
        async def open_postgres() -> AsyncIterator[PartT]:
            async with GatewayUnit(lambda: pool, events_topic=topic) as uow:
                yield part(uow)

        async def postgres_published() -> list[str]:
            rows = await pool.fetch(
                "SELECT key FROM outbox WHERE topic = $1 ORDER BY position", topic
            )
            return [r["key"] for r in rows]

        try:
            yield Backend(open_postgres, postgres_published)
        finally:
            await pool.close()
