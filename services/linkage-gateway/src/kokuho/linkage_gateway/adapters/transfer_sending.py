"""A transfer in two phases around the delivery (C-66): recorded as prepared and committed
before anything leaves, marked delivered with the receipt after."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from kokuho.linkage_gateway.adapters.postgres_transfers import PostgresTransferRecords
from kokuho.linkage_gateway.adapters.postgres_vault import PostgresVault
from kokuho.linkage_gateway.app.ports import NumberSealer, TransferChannel, TransferRecord
from kokuho.linkage_gateway.app.transfers import deliver_prepared, prepare_transfer
from kokuho.linkage_gateway.domain.transfers import TransferRegistry

Finish = Callable[[asyncpg.Connection, TransferRecord], Awaitable[None]]


async def transfer(
    pool: asyncpg.Pool,
    registry: TransferRegistry,
    channel: TransferChannel,
    sealer: NumberSealer,
    *,
    transfer_id: UUID,
    flow_id: str,
    recipient: str,
    method: str,
    items: Sequence[str],
    addressee_numbers: Sequence[str],
    user_id: str,
    at: datetime,
    finish: Finish | None = None,
) -> TransferRecord:
    async with pool.acquire() as conn, conn.transaction():
        prepared = await prepare_transfer(
            registry,
            PostgresVault(conn),
            sealer,
            PostgresTransferRecords(conn),
            transfer_id=transfer_id,
            flow_id=flow_id,
            recipient=recipient,
            method=method,
            items=items,
            addressee_numbers=addressee_numbers,
            user_id=user_id,
            at=at,
        )
    receipt = await deliver_prepared(channel, prepared)
    async with pool.acquire() as conn, conn.transaction():
        delivered = await PostgresTransferRecords(conn).mark_delivered(
            transfer_id, receipt, datetime.now(UTC)
        )
        if finish is not None:
            await finish(conn, delivered)
    return delivered
