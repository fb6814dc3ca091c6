"""The claims files handed to benefits (``claims_file_deliveries``, ADR 0084), on the caller's
transaction connection."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import asyncpg

from kokuho.linkage_gateway.app.claims_files import ClaimsDelivery

_FIELDS = (
    "sha256",
    "file_name",
    "file_date",
    "month",
    "lines",
    "status",
    "received_by",
    "received_at",
    "recipient",
    "delivered_at",
)


def _delivery(row: asyncpg.Record) -> ClaimsDelivery:
    receipt = row["receipt"]
    return ClaimsDelivery(
        **{k: row[k] for k in _FIELDS},
        receipt=json.loads(receipt) if receipt is not None else None,
    )


class PostgresClaimsDeliveries:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def find(self, sha256: str) -> ClaimsDelivery | None:
        row = await self._conn.fetchrow(
            "SELECT sha256, file_name, file_date, month, lines, status, received_by, received_at,"
            " recipient, delivered_at, receipt FROM claims_file_deliveries WHERE sha256 = $1",
            sha256,
        )
        return _delivery(row) if row is not None else None

    async def prepare(self, delivery: ClaimsDelivery) -> None:
        await self._conn.execute(
            "INSERT INTO claims_file_deliveries (sha256, file_name, file_date, month, lines,"
            " status, received_by, received_at, recipient)"
            " VALUES ($1, $2, $3, $4, $5, 'prepared', $6, $7, $8)"
            " ON CONFLICT (sha256) DO UPDATE SET file_name = EXCLUDED.file_name,"
            " status = 'prepared', received_by = EXCLUDED.received_by,"
            " received_at = EXCLUDED.received_at, delivered_at = NULL, receipt = NULL"
            " WHERE claims_file_deliveries.status <> 'delivered'",
            delivery.sha256,
            delivery.file_name,
            delivery.file_date,
            delivery.month,
            delivery.lines,
            delivery.received_by,
            delivery.received_at,
            delivery.recipient,
        )

    async def finish(
        self, sha256: str, *, status: str, at: datetime, receipt: dict[str, Any]
    ) -> None:
        await self._conn.execute(
            "UPDATE claims_file_deliveries SET status = $2, delivered_at = $3, receipt = $4"
            " WHERE sha256 = $1",
            sha256,
            status,
            at,
            json.dumps(receipt),
        )

    async def latest(self, limit: int) -> list[ClaimsDelivery]:
        rows = await self._conn.fetch(
            "SELECT sha256, file_name, file_date, month, lines, status, received_by, received_at,"
            " recipient, delivered_at, receipt FROM claims_file_deliveries"
            " ORDER BY received_at DESC LIMIT $1",
            limit,
        )
        return [_delivery(r) for r in rows]
