"""The inbox: which events a consumer has applied, recorded in the transaction of its effects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

import asyncpg


class Inbox(Protocol):
    async def first_seen(self, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
        """Record the ids; return those this consumer had not seen before."""
        ...


class PostgresInbox:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def first_seen(self, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
        if not event_ids:
            return set()
        rows = await self._conn.fetch(
            "INSERT INTO inbox (consumer, event_id) SELECT $1, unnest($2::uuid[])"
            " ON CONFLICT DO NOTHING RETURNING event_id",
            consumer,
            list(event_ids),
        )
        return {r["event_id"] for r in rows}
