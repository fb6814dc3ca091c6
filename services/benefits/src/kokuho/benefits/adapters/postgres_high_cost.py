"""PostgreSQL repositories of the claims, carry-over lists, payees, 高額療養費 decisions and
monthly runs (the in-memory twins in ``memory_high_cost.py`` pass the same contract tests).
A second open run of a month is translated here into the open one (the unique index)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

import asyncpg

from kokuho.benefits.adapters.rows import (
    CLAIM_COLUMNS,
    DECISION_COLUMNS,
    PAYMENT_COLUMNS,
    carry_over_of,
    claim_of,
    claim_record,
    decision_of,
    decision_record,
    payee_of,
    payment_of,
    payment_record,
    run_status_of,
)
from kokuho.benefits.app.ports import CarryOver, ClaimImport, MonthlyRunStatus, PayeeAccount
from kokuho.benefits.domain import high_cost_decision as hc
from kokuho.benefits.domain.claims import Claim


class PostgresClaims:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def file_seen(self, sha256: str) -> bool:
        found = await self._conn.fetchval("SELECT 1 FROM claim_imports WHERE sha256 = $1", sha256)
        return found is not None

    async def known(self, claim_numbers: Sequence[str]) -> set[str]:
        rows = await self._conn.fetch(
            "SELECT claim_number FROM claims WHERE claim_number = ANY($1::text[])",
            list(claim_numbers),
        )
        return {r["claim_number"] for r in rows}

    async def save_import(self, received: ClaimImport) -> None:
        file, conn = received.file, self._conn
        await conn.execute(
            "INSERT INTO claim_imports (import_id, file_name, sha256, file_date,"
            " processing_month, claims, adjustments, received_by)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            received.import_id,
            received.file_name,
            received.sha256,
            file.file_date,
            file.processing_month,
            len(file.claims),
            len(file.adjustments),
            received.received_by,
        )
        await conn.copy_records_to_table(
            "claims",
            columns=list(CLAIM_COLUMNS),
            records=[
                claim_record(c, received.import_id, file.processing_month) for c in file.claims
            ],
        )
        for a in file.adjustments:  # in file order: a later line adjusts the adjusted amounts
            await conn.execute(
                "INSERT INTO claim_adjustments (import_id, line, claim_number, kind, reason_code,"
                " medical_cost_before, self_pay_before, medical_cost, self_pay)"
                " SELECT $1, $2, claim_number, $3, $4, medical_cost, self_pay, $5, $6"
                " FROM claims WHERE claim_number = $7",
                received.import_id,
                a.line,
                a.kind,
                a.reason_code,
                a.medical_cost,
                a.self_pay,
                a.claim_number,
            )
            await conn.execute(
                "UPDATE claims SET medical_cost = $2, self_pay = $3,"
                " adjustments = adjustments + 1 WHERE claim_number = $1",
                a.claim_number,
                a.medical_cost,
                a.self_pay,
            )

    async def of_household(self, nhi_household_number: str, treatment_month: date) -> list[Claim]:
        rows = await self._conn.fetch(
            "SELECT * FROM claims WHERE nhi_household_number = $1 AND treatment_month = $2"
            " ORDER BY claim_number",
            nhi_household_number,
            treatment_month,
        )
        return [claim_of(r) for r in rows]

    async def of_person_from(self, addressee_number: str, from_month: date) -> list[Claim]:
        rows = await self._conn.fetch(
            "SELECT * FROM claims WHERE addressee_number = $1 AND treatment_month >= $2"
            " ORDER BY treatment_month, claim_number",
            addressee_number,
            from_month,
        )
        return [claim_of(r) for r in rows]

    async def adjustments_of(self, claim_number: str) -> list[dict[str, object]]:
        rows = await self._conn.fetch(
            "SELECT kind, reason_code, medical_cost_before, self_pay_before, medical_cost,"
            " self_pay FROM claim_adjustments a JOIN claim_imports i USING (import_id)"
            " WHERE claim_number = $1 ORDER BY i.received_at, a.line",
            claim_number,
        )
        return [dict(r) for r in rows]


class PostgresCarryOvers:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def put(self, c: CarryOver) -> None:
        await self._conn.execute(
            "INSERT INTO carry_overs (nhi_household_number, target_month, kind,"
            " householder_addressee_number, previous_insurer_number, high_cost_months,"
            " last_high_cost_month, file_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT (nhi_household_number, target_month, kind) DO UPDATE SET"
            " householder_addressee_number = EXCLUDED.householder_addressee_number,"
            " previous_insurer_number = EXCLUDED.previous_insurer_number,"
            " high_cost_months = EXCLUDED.high_cost_months,"
            " last_high_cost_month = EXCLUDED.last_high_cost_month, file_date = EXCLUDED.file_date",
            c.nhi_household_number,
            c.target_month,
            c.kind,
            c.householder_addressee_number,
            c.previous_insurer_number,
            c.high_cost_months,
            c.last_high_cost_month,
            c.file_date,
        )

    async def get(self, nhi_household_number: str, target_month: date) -> list[CarryOver]:
        rows = await self._conn.fetch(
            "SELECT * FROM carry_overs WHERE nhi_household_number = $1 AND target_month = $2"
            " ORDER BY kind",
            nhi_household_number,
            target_month,
        )
        return [carry_over_of(r) for r in rows]


class PostgresPayees:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def put(self, p: PayeeAccount) -> None:
        fields = list(PayeeAccount.__dataclass_fields__)
        updates = ", ".join(f"{f} = EXCLUDED.{f}" for f in fields[1:])
        await self._conn.execute(
            f"INSERT INTO payees ({', '.join(fields)}) VALUES"  # noqa: S608
            f" ({', '.join(f'${i + 1}' for i in range(len(fields)))})"
            f" ON CONFLICT (nhi_household_number) DO UPDATE SET {updates}",
            *(getattr(p, f) for f in fields),
        )

    async def get(self, nhi_household_number: str) -> PayeeAccount | None:
        row = await self._conn.fetchrow(
            "SELECT * FROM payees WHERE nhi_household_number = $1", nhi_household_number
        )
        return None if row is None else payee_of(row)


def upsert_decisions_sql(table: str) -> str:
    columns = ", ".join(DECISION_COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in DECISION_COLUMNS[2:])
    return (
        f"INSERT INTO high_cost_decisions ({columns}) SELECT {columns} FROM {table}"  # noqa: S608
        f" ON CONFLICT (nhi_household_number, treatment_month) DO UPDATE SET {updates}"
    )


class PostgresHighCostDecisions:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(
        self, nhi_household_number: str, treatment_month: date
    ) -> hc.HighCostDecision | None:
        row = await self._conn.fetchrow(
            "SELECT * FROM high_cost_decisions WHERE nhi_household_number = $1"
            " AND treatment_month = $2",
            nhi_household_number,
            treatment_month,
        )
        return None if row is None else decision_of(row)

    async def unpaid(self, nhi_household_number: str) -> list[hc.HighCostDecision]:
        rows = await self._conn.fetch(
            "SELECT * FROM high_cost_decisions WHERE nhi_household_number = $1"
            " AND benefit > paid ORDER BY treatment_month",
            nhi_household_number,
        )
        return [decision_of(r) for r in rows]

    async def put(self, decision: hc.HighCostDecision) -> None:
        values = ", ".join(f"${i + 1}" for i in range(len(DECISION_COLUMNS)))
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in DECISION_COLUMNS[2:])
        await self._conn.execute(
            f"INSERT INTO high_cost_decisions ({', '.join(DECISION_COLUMNS)})"  # noqa: S608
            f" VALUES ({values}) ON CONFLICT (nhi_household_number, treatment_month)"
            f" DO UPDATE SET {updates}",
            *decision_record(decision),
        )

    async def add_payment(self, payment: hc.PaymentOrdered) -> None:
        values = ", ".join(f"${i + 1}" for i in range(len(PAYMENT_COLUMNS)))
        await self._conn.execute(
            f"INSERT INTO benefit_payments ({', '.join(PAYMENT_COLUMNS)})"  # noqa: S608
            f" VALUES ({values})",
            *payment_record(payment),
        )

    async def payments_of(self, nhi_household_number: str) -> list[hc.PaymentOrdered]:
        rows = await self._conn.fetch(
            "SELECT * FROM benefit_payments WHERE nhi_household_number = $1"
            " ORDER BY payment_date, payment_id",
            nhi_household_number,
        )
        return [payment_of(r) for r in rows]


class PostgresMonthlyRuns:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def request(
        self, run_id: UUID, treatment_month: date, payment_date: date, actor: str
    ) -> MonthlyRunStatus:
        await self._conn.execute(
            "INSERT INTO monthly_runs (run_id, treatment_month, status, payment_date,"
            " started_by) VALUES ($1, $2, 'requested', $3, $4)"
            " ON CONFLICT (treatment_month) WHERE status IN ('requested', 'running')"
            " DO NOTHING",
            run_id,
            treatment_month,
            payment_date,
            actor,
        )
        found = await self.latest(treatment_month)
        assert found is not None
        return found

    async def latest(self, treatment_month: date) -> MonthlyRunStatus | None:
        row = await self._conn.fetchrow(
            "SELECT * FROM monthly_runs WHERE treatment_month = $1"
            " ORDER BY requested_at DESC, run_id LIMIT 1",
            treatment_month,
        )
        return None if row is None else run_status_of(row)
