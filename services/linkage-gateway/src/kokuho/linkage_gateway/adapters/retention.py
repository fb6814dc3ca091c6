"""C-77: inquiry results are deleted after the configured period, and each deletion recorded
in the audit log (who: the retention job)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

import asyncpg

from kokuho.linkage_gateway.adapters.postgres_linkage import PostgresLinkageRecords
from kokuho.linkage_gateway.app.intermediate import delete_expired_results
from kokuho.platform.audit import AuditEntry, Outcome, PostgresAuditLog

JOB = "system:inquiry-result-retention"
log = logging.getLogger(__name__)


async def purge_inquiry_results(
    pool: asyncpg.Pool, *, retention: timedelta, now: datetime | None = None
) -> int:
    at = now or datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        deleted = await delete_expired_results(
            PostgresLinkageRecords(conn), retention=retention, now=at
        )
        if deleted:
            await PostgresAuditLog(pool).append(
                AuditEntry(
                    user_id=JOB,
                    operation="delete inquiry results (C-77)",
                    outcome=Outcome.ALLOWED,
                    detail={
                        "inquiry_ids": [str(i) for i in deleted],
                        "retention_days": retention.days,
                    },
                ),
                conn=conn,
            )
    return len(deleted)


async def run_retention(
    pool: asyncpg.Pool, retention: timedelta, stop: asyncio.Event, every: float = 3600.0
) -> None:
    while not stop.is_set():
        try:
            count = await purge_inquiry_results(pool, retention=retention)
            if count:
                log.info("inquiry results deleted", extra={"count": count})
        except (OSError, asyncpg.PostgresError):
            log.exception("inquiry-result retention failed; retrying later")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
