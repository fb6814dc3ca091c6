"""The application-management table and intake runs on PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

import asyncpg

from kokuho.events.contracts.linkage_gateway import TOPIC, EApplicationAccepted
from kokuho.events.runtime.store import PostgresEventStore, append
from kokuho.linkage_gateway.adapters.postgres_vault import SOURCE, PostgresVault
from kokuho.linkage_gateway.app.applications import IntakeResult, take_application
from kokuho.linkage_gateway.app.ports import (
    ApplicationRecord,
    EApplicationPortal,
    NumberSealer,
    ResidentRecords,
    SignatureVerifier,
)


class PostgresApplicationRecords:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

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

    async def save(self, record: ApplicationRecord) -> None:
        await self._conn.execute(
            "INSERT INTO applications (receipt_number, procedure_code, procedure_name,"
            " applied_at, status_code, status_reason, addressee_number,"
            " integrated_addressee_number, user_auth_certificate_serial, received_at)"
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
            topic=TOPIC,
            partition_key=event.addressee_number,
        )


async def run_intake(
    pool: asyncpg.Pool,
    portal: EApplicationPortal,
    *,
    verifier: SignatureVerifier,
    residents: ResidentRecords,
    sealer: NumberSealer,
    at: datetime,
) -> list[IntakeResult]:
    """Take every new application, one transaction each; tell the portal after the commit."""
    results = []
    for application in await portal.fetch_new():
        async with pool.acquire() as conn, conn.transaction():
            records = PostgresApplicationRecords(conn)
            known = await records.status_of(application.receipt_number)
            if known is not None:
                # Taken before, but the portal was not told (a crash after the commit).
                await portal.update_status(application.receipt_number, *known)
                continue
            result = await take_application(
                application,
                verifier=verifier,
                residents=residents,
                vault=PostgresVault(conn),
                sealer=sealer,
                records=records,
                at=at,
            )
        await portal.update_status(result.receipt_number, result.status_code, result.reason)
        results.append(result)
    return results
