"""The transfer record (C-66) in PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from kokuho.linkage_gateway.app.records import TransferRecord


class PostgresTransferRecords:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def save(self, record: TransferRecord) -> None:
        await self._conn.execute(
            "INSERT INTO transfers (transfer_id, flow_id, recipient, legal_basis, items, method,"
            " subjects, requested_by, status, prepared_at, delivered_at, receipt)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            record.transfer_id,
            record.flow_id,
            record.recipient,
            record.legal_basis,
            list(record.items),
            record.method,
            list(record.subjects),
            record.requested_by,
            record.status,
            record.prepared_at,
            record.delivered_at,
            record.receipt,
        )

    async def mark_delivered(self, transfer_id: UUID, receipt: str, at: datetime) -> TransferRecord:
        row = await self._conn.fetchrow(
            "UPDATE transfers SET status = 'delivered', receipt = $2, delivered_at = $3"
            " WHERE transfer_id = $1 RETURNING *",
            transfer_id,
            receipt,
            at,
        )
        return TransferRecord(
            transfer_id=row["transfer_id"],
            flow_id=row["flow_id"],
            recipient=row["recipient"],
            legal_basis=row["legal_basis"],
            items=tuple(row["items"]),
            method=row["method"],
            subjects=tuple(row["subjects"]),
            requested_by=row["requested_by"],
            status=row["status"],
            prepared_at=row["prepared_at"],
            delivered_at=row["delivered_at"],
            receipt=row["receipt"],
        )
