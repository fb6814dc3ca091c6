"""The PostgreSQL side every retention job of collection, benefits and delinquency shares
(ADR 0100): its records' base (the connection and the C-96 erasure records written on it), the
unit of work the job runs in (apart from the service's own: it needs none of its repositories)
and the ``retention [--dry-run]`` command on the service's pool.

Apart from ``kokuho.platform.retention``, which imports no I/O library (a domain uses it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import asyncpg

from kokuho.platform.audit import RequestAudit
from kokuho.platform.database import create_pool
from kokuho.platform.erasure_records import ErasureRecord, PostgresErasureRecords
from kokuho.platform.retention import (
    OPERATION,
    SYSTEM_RETENTION,
    RetentionJob,
    RetentionPeriod,
    RetentionReport,
    RetentionUnitPort,
    run_retention_command,
)
from kokuho.platform.settings import ServiceSettings
from kokuho.platform.unit_of_work import UnitOfWork


class PostgresRetentionRecords:
    """Base of a service's retention records (its ``app/retention.RetentionRecords``)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def record(self, records: list[ErasureRecord]) -> None:
        await PostgresErasureRecords(self._conn).add(records)

    async def subjects(self, sql: str, *args: Any) -> list[str]:
        """The first column of a query's rows: the job's candidates, in the query's order."""
        return [row[0] for row in await self._conn.fetch(sql, *args)]


R = TypeVar("R", bound=PostgresRetentionRecords)
U = TypeVar("U", bound=RetentionUnitPort)


class RetentionUnitOfWork(UnitOfWork, Generic[R]):
    """The job's unit: the service's records (``records``, its class) and the audit trail on
    one transaction. A service names its records class::

        class RetentionUnit(RetentionUnitOfWork[PostgresRetention]):
            records = PostgresRetention
    """

    records: type[R]
    retention: R

    def bind(self, conn: asyncpg.Connection) -> None:
        self.retention = self.records(conn)


async def run_retention(
    settings: ServiceSettings,
    args: Sequence[str],
    period: RetentionPeriod,
    job: RetentionJob[U],
    unit: Callable[..., AbstractAsyncContextManager[U]],
) -> int:
    """``retention [--dry-run]`` of a service: its ``job`` for today on a pool of its own (TLS
    as configured), each unit (``unit(pool source, audit=...)``) audited as the retention job."""

    async def run(now: datetime, on: date, dry_run: bool) -> RetentionReport:
        pool = await create_pool(settings, min_size=1, max_size=2)
        trail = RequestAudit.of_system(lambda: pool, SYSTEM_RETENTION, OPERATION)
        try:
            return await job(
                lambda: unit(lambda: pool, audit=trail), period, now=now, on=on, dry_run=dry_run
            )
        finally:
            await pool.close()

    return await run_retention_command(args, run)
