"""The transfer record (C-66) in PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, datetime
from uuid import UUID

import asyncpg

from kokuho.linkage_gateway.app.records import TransferRecord


def _record(row: asyncpg.Record) -> TransferRecord:
    detail = row["detail"]
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
        channel=row["channel"],
        source=row["source"],
        source_event_id=row["source_event_id"],
        subject_kind=row["subject_kind"],
        detail=json.loads(detail) if isinstance(detail, str) else dict(detail or {}),
    )


class PostgresTransferRecords:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def save(self, record: TransferRecord) -> None:
        await self._conn.execute(
            "INSERT INTO transfers (transfer_id, flow_id, recipient, legal_basis, items, method,"
            " subjects, requested_by, status, prepared_at, delivered_at, receipt, channel,"
            " source, source_event_id, subject_kind, detail)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,"
            " $17::jsonb)",
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
            record.channel,
            record.source,
            record.source_event_id,
            record.subject_kind,
            json.dumps(dict(record.detail), ensure_ascii=False),
        )

    async def mark_delivered(self, transfer_id: UUID, receipt: str, at: datetime) -> TransferRecord:
        row = await self._conn.fetchrow(
            "UPDATE transfers SET status = 'delivered', receipt = $2, delivered_at = $3"
            " WHERE transfer_id = $1 RETURNING *",
            transfer_id,
            receipt,
            at,
        )
        return _record(row)

    async def listed(
        self,
        limit: int,
        *,
        flow_id: str | None = None,
        on_or_after: date | None = None,
        on_or_before: date | None = None,
    ) -> list[TransferRecord]:
        rows = await self._conn.fetch(
            "SELECT * FROM transfers WHERE ($2::text IS NULL OR flow_id = $2)"
            " AND ($3::date IS NULL OR"
            "  (COALESCE(prepared_at, delivered_at) AT TIME ZONE 'Asia/Tokyo')::date >= $3)"
            " AND ($4::date IS NULL OR"
            "  (COALESCE(prepared_at, delivered_at) AT TIME ZONE 'Asia/Tokyo')::date <= $4)"
            " ORDER BY COALESCE(prepared_at, delivered_at) DESC, transfer_id LIMIT $1",
            limit,
            flow_id,
            on_or_after,
            on_or_before,
        )
        return [_record(r) for r in rows]
