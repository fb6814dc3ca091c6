"""The application-management table (AM) in PostgreSQL, on the caller's transaction."""

from __future__ import annotations

from uuid import uuid4

import asyncpg

from kokuho.events.contracts.linkage_gateway import EApplicationAccepted
from kokuho.events.runtime.store import PostgresEventStore, append
from kokuho.linkage_gateway.adapters.postgres_vault import SOURCE, publication_topic
from kokuho.linkage_gateway.app.records import ApplicationRecord

_COLUMNS = (
    "receipt_number, procedure_code, procedure_name, applied_at, status_code, status_reason,"
    " addressee_number, integrated_addressee_number, user_auth_certificate_serial, received_at"
)


class PostgresApplicationRecords:
    def __init__(self, conn: asyncpg.Connection, *, topic: str | None = None) -> None:
        self._conn = conn
        self._topic = topic  # the unit of work passes settings.events_topic

    async def seen(self, receipt_number: str) -> bool:
        found = await self._conn.fetchval(
            "SELECT 1 FROM applications WHERE receipt_number = $1", receipt_number
        )
        return found is not None

    async def status_of(self, receipt_number: str) -> tuple[str, str] | None:
        row = await self._conn.fetchrow(
            "SELECT status_code, status_reason FROM applications WHERE receipt_number = $1",
            receipt_number,
        )
        return (row["status_code"], row["status_reason"]) if row else None

    async def record_of(self, receipt_number: str) -> ApplicationRecord | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM applications WHERE receipt_number = $1",  # noqa: S608
            receipt_number,
        )
        return ApplicationRecord(**dict(row)) if row else None

    async def save(self, record: ApplicationRecord) -> None:
        await self._conn.execute(
            f"INSERT INTO applications ({_COLUMNS})"  # noqa: S608
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            record.receipt_number,
            record.procedure_code,
            record.procedure_name,
            record.applied_at,
            record.status_code,
            record.status_reason,
            record.addressee_number,
            record.integrated_addressee_number,
            record.user_auth_certificate_serial,
            record.received_at,
        )

    async def publish(self, event: EApplicationAccepted) -> None:
        await append(
            PostgresEventStore(self._conn, source=SOURCE),
            f"e-application-{event.receipt_number}-{uuid4().hex[:8]}",
            0,
            [event],
            topic=publication_topic(self._topic),
            partition_key=event.addressee_number,
        )
