"""Jobs the serving process runs on a schedule (when configured): sending insured changes to
the federation (C-58: "sent on schedule") and polling the e-application portal. Each run is
audited under the job's own user id."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg

from kokuho.linkage_gateway.adapters.federation_sending import send_to_federation
from kokuho.linkage_gateway.adapters.postgres_applications import run_intake
from kokuho.linkage_gateway.api.context import Gateway
from kokuho.linkage_gateway.app.ports import Transmission
from kokuho.platform.audit import AuditEntry, Outcome, PostgresAuditLog

log = logging.getLogger(__name__)

FEDERATION_JOB = "system:federation-schedule"
INTAKE_JOB = "system:e-application-intake"


async def scheduled_federation_send(gateway: Gateway) -> None:
    pool = gateway.pool()

    async def audited(conn: asyncpg.Connection, sent: Transmission) -> None:
        await PostgresAuditLog(pool).append(
            AuditEntry(
                user_id=FEDERATION_JOB,
                operation="federation transmission (C-58)",
                outcome=Outcome.ALLOWED,
                detail={"file_name": sent.file_name, "records": sent.record_count},
            ),
            conn=conn,
        )

    await send_to_federation(
        pool, gateway.federation, user_id=FEDERATION_JOB, at=datetime.now(UTC), finish=audited
    )


async def scheduled_intake(gateway: Gateway) -> None:
    pool = gateway.pool()
    results = await run_intake(
        pool,
        gateway.portal,
        verifier=gateway.signatures,
        residents=gateway.residents,
        sealer=gateway.sealer,
        at=datetime.now(UTC),
    )
    audit = PostgresAuditLog(pool)
    for r in results:
        await audit.append(
            AuditEntry(
                user_id=INTAKE_JOB,
                operation="e-application intake",
                outcome=Outcome.ALLOWED if r.status_code == "accepted" else Outcome.FAILED,
                subjects=(r.addressee_number,) if r.addressee_number else (),
                detail={"receipt_number": r.receipt_number, "status": r.status_code},
            )
        )


async def every(
    seconds: float, job: Callable[[], Awaitable[None]], stop: asyncio.Event, name: str
) -> None:
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)
        if stop.is_set():
            return
        try:
            await job()
        except (OSError, asyncpg.PostgresError, ConnectionError):
            log.exception("scheduled job failed; next run as scheduled", extra={"job": name})
