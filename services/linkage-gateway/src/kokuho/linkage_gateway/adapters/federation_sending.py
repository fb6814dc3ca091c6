"""A send to the federation in two phases around the file transfer (C-58): the ledger entry
is committed before the file leaves and marked sent after, in its own transactions, so the
external call never sits inside a database transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg

from kokuho.linkage_gateway.adapters.postgres_federation import PostgresFederationRecords
from kokuho.linkage_gateway.app.federation import deliver_prepared, prepare_insured_changes
from kokuho.linkage_gateway.app.ports import Federation, Transmission

Finish = Callable[[asyncpg.Connection, Transmission], Awaitable[None]]


async def send_to_federation(
    pool: asyncpg.Pool,
    federation: Federation,
    *,
    user_id: str,
    at: datetime,
    finish: Finish | None = None,
) -> Transmission | None:
    """``finish`` runs in the transaction that marks the file sent (audit, idempotency)."""
    async with pool.acquire() as conn, conn.transaction():
        prepared = await prepare_insured_changes(
            PostgresFederationRecords(conn), user_id=user_id, at=at
        )
    if prepared is None:
        return None
    receipt = await deliver_prepared(federation, prepared)
    async with pool.acquire() as conn, conn.transaction():
        sent = await PostgresFederationRecords(conn).mark_sent(
            prepared.transmission.id, receipt, datetime.now(UTC)
        )
        if finish is not None:
            await finish(conn, sent)
    return sent
