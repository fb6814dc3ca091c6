"""The retention job's records on PostgreSQL (``app/retention.RetentionRecords``, ADR 0100)
and the unit of work it runs in."""

from __future__ import annotations

import json
from datetime import date

from kokuho.delinquency.app.cases import stream_id
from kokuho.delinquency.app.codec import decode
from kokuho.delinquency.domain.model import Case
from kokuho.platform.retention import purge_streams
from kokuho.platform.retention_postgres import PostgresRetentionRecords, RetentionUnitOfWork


class PostgresRetention(PostgresRetentionRecords):
    async def closed(self, on_or_before: date) -> list[str]:
        return await self.subjects(
            "SELECT household FROM case_views WHERE status = 'closed'"
            " AND (state->>'closed_on')::date <= $1 ORDER BY household",
            on_or_before,
        )

    async def case_for_erasure(self, household: str) -> Case | None:
        # locked: a consumer noting a new arrear for the household waits for this transaction
        row = await self._conn.fetchrow(
            "SELECT state FROM case_views WHERE household = $1 FOR UPDATE", household
        )
        if row is None:
            return None
        case: Case = decode(Case, json.loads(row["state"]))
        return case

    async def erase(self, household: str) -> bool:
        if not await purge_streams(self._conn, [stream_id(household)]):
            return False
        for table in ("case_views", "charge_dates"):
            await self._conn.execute(
                f"DELETE FROM {table} WHERE household = $1",  # noqa: S608
                household,
            )
        return True


class RetentionUnit(RetentionUnitOfWork[PostgresRetention]):
    records = PostgresRetention
