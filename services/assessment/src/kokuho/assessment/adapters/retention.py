"""The retention job's records on PostgreSQL (``app/retention.RetentionRecords``, ADR 0096)."""

from __future__ import annotations

import asyncpg

from kokuho.assessment.app.deciding import stream_id
from kokuho.assessment.domain import retention as r
from kokuho.platform.erasure_records import ErasureRecord, PostgresErasureRecords
from kokuho.platform.retention import purge_streams

_EXPIRED = {
    r.ASSESSMENT: (
        "SELECT nhi_household_number AS subject, fiscal_year AS year FROM assessments"
        " WHERE fiscal_year <= $1"
        " UNION SELECT nhi_household_number, fiscal_year FROM reduction_exemptions"
        " WHERE fiscal_year <= $1"
        " UNION SELECT nhi_household_number, fiscal_year FROM collection_method_requests"
        " WHERE fiscal_year <= $1"
        " UNION SELECT split_part(stream_id, '-', 2), split_part(stream_id, '-', 3)::integer"
        " FROM events WHERE stream_id ~ '^premium-[0-9]+-[0-9]{4}$'"
        " AND split_part(stream_id, '-', 3)::integer <= $1"
        " ORDER BY 2, 1"
    ),
    r.INCOME: (
        "SELECT addressee_number AS subject, income_year AS year FROM incomes"
        " WHERE income_year <= $1"
        " UNION SELECT addressee_number, income_year FROM income_history WHERE income_year <= $1"
        " ORDER BY 2, 1"
    ),
    r.PENSION: (
        "SELECT addressee_number AS subject, fiscal_year AS year FROM pensions"
        " WHERE fiscal_year <= $1 ORDER BY 2, 1"
    ),
}


class PostgresRetention:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def expired(self, data_class: str, through_year: int) -> list[tuple[str, int]]:
        rows = await self._conn.fetch(_EXPIRED[data_class], through_year)
        return [(row[0], row[1]) for row in rows]

    async def erase(self, data_class: str, subject: str, year: int) -> bool:
        c = self._conn
        if data_class == r.INCOME:
            for table in ("incomes", "income_history"):
                await c.execute(
                    f"DELETE FROM {table} WHERE addressee_number = $1 AND income_year = $2",  # noqa: S608
                    subject,
                    year,
                )
            return True
        if data_class == r.PENSION:
            await c.execute(
                "DELETE FROM pensions WHERE addressee_number = $1 AND fiscal_year = $2",
                subject,
                year,
            )
            return True
        streams = [stream_id(subject, year)] + [
            f"reduction-exemption-{row[0]}"
            for row in await c.fetch(
                "SELECT application_id FROM reduction_exemptions"
                " WHERE nhi_household_number = $1 AND fiscal_year = $2",
                subject,
                year,
            )
        ]
        if not await purge_streams(c, streams):
            return False
        for table in ("assessments", "reduction_exemptions", "collection_method_requests"):
            await c.execute(
                f"DELETE FROM {table} WHERE nhi_household_number = $1 AND fiscal_year = $2",  # noqa: S608
                subject,
                year,
            )
        return True

    async def kept_by_year(self, after_year: int) -> dict[int, int]:
        rows = await self._conn.fetch(
            "SELECT fiscal_year, count(*) FROM assessments WHERE fiscal_year > $1"
            " GROUP BY 1 ORDER BY 1",
            after_year,
        )
        return {row[0]: row[1] for row in rows}

    async def record(self, records: list[ErasureRecord]) -> None:
        await PostgresErasureRecords(self._conn).add(records)
