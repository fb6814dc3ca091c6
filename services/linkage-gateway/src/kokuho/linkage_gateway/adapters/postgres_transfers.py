"""The transfer record (C-66) in PostgreSQL."""

from __future__ import annotations

import asyncpg

from kokuho.linkage_gateway.app.ports import TransferRecord


class PostgresTransferRecords:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def save(self, record: TransferRecord) -> None:
        await self._conn.execute(
            "INSERT INTO transfers (transfer_id, flow_id, recipient, legal_basis, items, method,"
            " subjects, requested_by, delivered_at, receipt)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            record.transfer_id,
            record.flow_id,
            record.recipient,
            record.legal_basis,
            list(record.items),
            record.method,
            list(record.subjects),
            record.requested_by,
            record.delivered_at,
            record.receipt,
        )
