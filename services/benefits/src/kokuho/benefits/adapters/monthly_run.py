"""The monthly run's store on PostgreSQL: a chunk of households loaded with a handful of
set-based queries; each chunk's events (the event store), decisions (COPY + one upsert),
payments (COPY) and the run's checkpoint written in one transaction."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from uuid import UUID, uuid4

import asyncpg

from kokuho.benefits.adapters.postgres_high_cost import upsert_decisions_sql
from kokuho.benefits.adapters.rows import (
    DECISION_COLUMNS,
    PAYMENT_COLUMNS,
    claim_of,
    decision_of,
    decision_record,
    payment_record,
)
from kokuho.benefits.adapters.unit_of_work import SOURCE
from kokuho.benefits.adapters.withholding_store import add_withheld, periods_of
from kokuho.benefits.app.monthly_run import ChunkPlan, HouseholdClaims, RunSummary
from kokuho.benefits.domain import high_cost_decision as hc
from kokuho.benefits.domain.claims import Claim
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory, Under70Category
from kokuho.benefits.domain.income_category import income_year_for
from kokuho.events.runtime.store import PostgresEventStore


def months_back(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


class PostgresMonthlyRunStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def start_or_resume(
        self, treatment_month: date, payment_date: date, actor: str
    ) -> tuple[RunSummary, str, date]:
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT * FROM monthly_runs WHERE treatment_month = $1"
                " AND status IN ('requested', 'running')",
                treatment_month,
            )
            if row is None:
                run_id = uuid4()
                await conn.execute(
                    "INSERT INTO monthly_runs (run_id, treatment_month, status, payment_date,"
                    " started_by) VALUES ($1, $2, 'running', $3, $4)",
                    run_id,
                    treatment_month,
                    payment_date,
                    actor,
                )
                return RunSummary(run_id, treatment_month, resumed=False), "", payment_date
            await conn.execute(
                "UPDATE monthly_runs SET status = 'running' WHERE run_id = $1", row["run_id"]
            )
        summary = RunSummary(
            row["run_id"],
            treatment_month,
            resumed=row["status"] == "running",
            households=row["households"],
            decided=row["decided"],
            unchanged=row["unchanged"],
            no_benefit=row["no_benefit"],
            prompted=row["prompted"],
            payments=row["payments"],
            paid_amount=row["paid_amount"],
            held=json.loads(row["held"]),
        )
        return summary, row["checkpoint"], row["payment_date"]

    async def load_chunk(
        self, treatment_month: date, after: str, size: int
    ) -> list[HouseholdClaims]:
        async with self._pool.acquire() as conn:
            numbers = [
                r[0]
                for r in await conn.fetch(
                    "SELECT DISTINCT nhi_household_number FROM claims WHERE treatment_month = $1"
                    " AND nhi_household_number > $2 ORDER BY 1 LIMIT $3",
                    treatment_month,
                    after,
                    size,
                )
            ]
            if not numbers:
                return []
            return await self._facts(conn, treatment_month, numbers)

    async def _facts(
        self, conn: asyncpg.Connection, month: date, numbers: list[str]
    ) -> list[HouseholdClaims]:
        claims: dict[str, list[Claim]] = defaultdict(list)
        for r in await conn.fetch(
            "SELECT * FROM claims WHERE treatment_month = $1"
            " AND nhi_household_number = ANY($2::text[])",
            month,
            numbers,
        ):
            claims[r["nhi_household_number"]].append(claim_of(r))
        categories = await _categories(conn, month, numbers)
        carried, own = await _counts(conn, month, numbers)
        decisions = {
            r["nhi_household_number"]: decision_of(r)
            for r in await conn.fetch(
                "SELECT * FROM high_cost_decisions WHERE treatment_month = $1"
                " AND nhi_household_number = ANY($2::text[])",
                month,
                numbers,
            )
        }
        payees = {
            r[0]: hc.Payee(r[1])
            for r in await conn.fetch(
                "SELECT nhi_household_number, payee_addressee_number FROM payees"
                " WHERE nhi_household_number = ANY($1::text[])",
                numbers,
            )
        }
        withholdings = await periods_of(conn, numbers)
        return [
            HouseholdClaims(
                n,
                tuple(claims[n]),
                categories.get(n),
                carried.get(n, 0),
                own.get(n, 0),
                decisions.get(n),
                payees.get(n),
                tuple(withholdings.get(n, ())),
            )
            for n in numbers
        ]

    async def write_chunk(self, summary: RunSummary, plan: ChunkPlan, checkpoint: str) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            if plan.appends:
                await PostgresEventStore(conn, source=SOURCE).append_batch(plan.appends)
            if plan.decisions:
                await conn.execute(
                    "CREATE TEMPORARY TABLE IF NOT EXISTS incoming_decisions"
                    " (LIKE high_cost_decisions INCLUDING DEFAULTS) ON COMMIT DROP"
                )
                await conn.copy_records_to_table(
                    "incoming_decisions",
                    columns=list(DECISION_COLUMNS),
                    records=[decision_record(d) for d in plan.decisions],
                )
                await conn.execute(upsert_decisions_sql("incoming_decisions"))
            if plan.payments:
                await conn.copy_records_to_table(
                    "benefit_payments",
                    columns=list(PAYMENT_COLUMNS),
                    records=[payment_record(p) for p in plan.payments],
                )
            await add_withheld(conn, plan.withheld)
            await conn.execute(
                "UPDATE monthly_runs SET checkpoint = $2, households = $3, decided = $4,"
                " unchanged = $5, no_benefit = $6, prompted = $7, payments = $8,"
                " paid_amount = $9, held = $10::jsonb WHERE run_id = $1",
                summary.run_id,
                checkpoint,
                summary.households,
                summary.decided,
                summary.unchanged,
                summary.no_benefit,
                summary.prompted,
                summary.payments,
                summary.paid_amount,
                json.dumps(summary.held, ensure_ascii=False),
            )

    async def finish(self, run_id: UUID) -> None:
        async with self._pool.acquire() as conn:
            await conn.execute(
                "UPDATE monthly_runs SET status = 'finished', finished_at = now()"
                " WHERE run_id = $1",
                run_id,
            )


async def _categories(
    conn: asyncpg.Connection, month: date, numbers: list[str]
) -> dict[str, tuple[Under70Category, ElderlyCategory | None]]:
    """所得区分 of the month's income year (rules.md §3.1: Jan–Jul two years before)."""
    return {
        r["nhi_household_number"]: (
            Under70Category(r["under_70_category"]),
            ElderlyCategory(r["elderly_category"]) if r["elderly_category"] else None,
        )
        for r in await conn.fetch(
            "SELECT nhi_household_number, under_70_category, elderly_category"
            " FROM copayment_rates WHERE income_year = $1"
            " AND nhi_household_number = ANY($2::text[])",
            income_year_for(month),
            numbers,
        )
    }


async def _counts(
    conn: asyncpg.Connection, month: date, numbers: list[str]
) -> tuple[dict[str, int], dict[str, int]]:
    """The federation's carried 多数回 count for the month (a confirmed list stands over the
    candidate one), and our own 高額該当 months in the 12 before."""
    carried: dict[str, int] = {}
    for r in await conn.fetch(
        "SELECT nhi_household_number, kind, high_cost_months FROM carry_overs"
        " WHERE target_month = $1 AND nhi_household_number = ANY($2::text[])"
        " ORDER BY kind",  # candidate, then confirmed
        month,
        numbers,
    ):
        carried[r["nhi_household_number"]] = r["high_cost_months"]
    own = {
        r[0]: r[1]
        for r in await conn.fetch(
            "SELECT nhi_household_number, count(*) FROM high_cost_decisions"
            " WHERE nhi_household_number = ANY($1::text[]) AND counts_for_many_times"
            " AND treatment_month >= $2 AND treatment_month < $3 GROUP BY 1",
            numbers,
            months_back(month, 12),
            month,
        )
    }
    return carried, own
