"""The retention job's records on PostgreSQL (``app/retention.RetentionRecords``, ADR 0100)
and the unit of work it runs in."""

from __future__ import annotations

from datetime import date

from kokuho.benefits.domain import retention as r
from kokuho.events.contracts.benefits import BenefitPaymentOrdered
from kokuho.platform.retention import purge_streams
from kokuho.platform.retention_postgres import PostgresRetentionRecords, RetentionUnitOfWork

_PREFIXES = [prefix + "%" for prefix, _ in r.CLASSES.values()]

#: Per class: the read model's row of a stream, locked: household, status, decided and not
#: all paid;
#: $1 is the stream's key in the table (``_key``).
_ROW = {
    r.HIGH_COST: (
        "SELECT nhi_household_number AS household, 'approved' AS status,"
        " benefit > paid AS unpaid FROM high_cost_decisions"
        " WHERE nhi_household_number = split_part($1, '/', 1)"
        " AND treatment_month = split_part($1, '/', 2)::date FOR UPDATE"
    ),
    r.LUMP_SUM: (
        "SELECT nhi_household_number AS household, status,"
        " status = 'approved' AND to_household > paid AS unpaid FROM lump_sum_applications"
        " WHERE stream_id = $1 FOR UPDATE"
    ),
    r.MEDICAL_EXPENSE: (
        "SELECT nhi_household_number AS household, status,"
        " status = 'approved' AND amount > paid AS unpaid FROM medical_expense_applications"
        " WHERE application_id::text = $1 FOR UPDATE"
    ),
    r.COMBINED_CARE: (
        "SELECT nhi_household_number AS household, status,"
        " status = 'approved' AND amount > paid AS unpaid FROM combined_care_applications"
        " WHERE application_id::text = $1 FOR UPDATE"
    ),
}
_DELETE = {
    r.HIGH_COST: [
        "DELETE FROM high_cost_decisions WHERE nhi_household_number = split_part($1, '/', 1)"
        " AND treatment_month = split_part($1, '/', 2)::date",
        "DELETE FROM benefit_payments WHERE benefit_kind = 'high_cost'"
        " AND nhi_household_number = split_part($1, '/', 1)"
        " AND treatment_month = split_part($1, '/', 2)::date",
    ],
    r.LUMP_SUM: ["DELETE FROM lump_sum_applications WHERE stream_id = $1"],
    r.MEDICAL_EXPENSE: ["DELETE FROM medical_expense_applications WHERE application_id::text = $1"],
    r.COMBINED_CARE: ["DELETE FROM combined_care_applications WHERE application_id::text = $1"],
}


def _key(data_class: str, stream: str) -> str:
    """The stream's key in its read model: ``<household>/<first day of the month>`` for a
    high-cost month, the application id for 療養費 and 高額介護合算, the stream for lump sums."""
    prefix, _ = r.CLASSES[data_class]
    rest = stream.removeprefix(prefix)
    if data_class == r.HIGH_COST:
        household, year, month = rest.split("-")
        return f"{household}/{date(int(year), int(month), 1).isoformat()}"
    return stream if data_class == r.LUMP_SUM else rest


class PostgresRetention(PostgresRetentionRecords):
    async def streams(self, on_or_before: date) -> list[str]:
        return await self.subjects(
            "SELECT stream_id FROM events WHERE stream_id LIKE ANY($1::text[])"
            " GROUP BY stream_id HAVING coalesce(greatest("
            " max((envelope->'data'->>'payment_date')::date) FILTER (WHERE event_type = $3),"
            " max((envelope->'data'->>'decided_on')::date)),"
            " (max(occurred_at) AT TIME ZONE 'Asia/Tokyo')::date) <= $2 ORDER BY stream_id",
            _PREFIXES,
            on_or_before,
            BenefitPaymentOrdered.event_type,
        )

    async def benefit(self, stream: str) -> tuple[r.Benefit, str] | None:
        data_class = r.class_of(stream)
        if data_class is None:
            return None
        c = self._conn
        row = await c.fetchrow(_ROW[data_class], _key(data_class, stream))
        facts = await c.fetchrow(
            "SELECT max((envelope->'data'->>'decided_on')::date) AS decided_on,"
            " max((envelope->'data'->>'payment_date')::date) FILTER (WHERE event_type = $2)"
            " AS paid_on, max(envelope->'data'->>'nhi_household_number') AS household"
            " FROM events WHERE stream_id = $1",
            stream,
            BenefitPaymentOrdered.event_type,
        )
        household = row["household"] if row is not None else facts["household"]
        if household is None:  # neither a read model nor a public event names it
            return None
        withheld = await c.fetchval(
            "SELECT count(*) FROM withheld_payments WHERE stream_id = $1 AND payment_id IS NULL",
            stream,
        )
        decided = row is not None and row["status"] != "pending"
        benefit = r.Benefit(
            data_class,
            stream,
            decided_on=facts["decided_on"] if decided else None,
            paid_on=facts["paid_on"],
            unpaid=bool(withheld) or (row is not None and bool(row["unpaid"])),
        )
        return benefit, household

    async def erase(self, benefit: r.Benefit) -> bool:
        c = self._conn
        if not await purge_streams(c, [benefit.stream]):
            return False
        await c.execute("DELETE FROM withheld_payments WHERE stream_id = $1", benefit.stream)
        for sql in _DELETE[benefit.data_class]:
            await c.execute(sql, _key(benefit.data_class, benefit.stream))
        return True

    async def claim_months(self, ended_on_or_before: date) -> list[tuple[str, date]]:
        rows = await self._conn.fetch(
            "SELECT DISTINCT nhi_household_number, treatment_month FROM claims"
            " WHERE (treatment_month + interval '1 month' - interval '1 day')::date <= $1"
            " ORDER BY treatment_month, nhi_household_number",
            ended_on_or_before,
        )
        return [(row[0], row[1]) for row in rows]

    async def decision_held(self, household: str, month: date) -> bool:
        found = await self._conn.fetchval(
            "SELECT count(*) FROM high_cost_decisions WHERE nhi_household_number = $1"
            " AND treatment_month = $2",
            household,
            month,
        )
        return bool(found)

    async def erase_claims(self, household: str, month: date) -> None:
        await self._conn.execute(
            "DELETE FROM claim_adjustments WHERE claim_number IN (SELECT claim_number FROM"
            " claims WHERE nhi_household_number = $1 AND treatment_month = $2)",
            household,
            month,
        )
        await self._conn.execute(
            "DELETE FROM claims WHERE nhi_household_number = $1 AND treatment_month = $2",
            household,
            month,
        )


class RetentionUnit(RetentionUnitOfWork[PostgresRetention]):
    records = PostgresRetention
