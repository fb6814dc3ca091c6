"""The PostgreSQL unit of work of benefits: the event store and the read models on one
transaction. Driver errors would be translated here into domain errors, never in the HTTP
layer (the upsert below has none to translate)."""

from __future__ import annotations

import asyncpg

from kokuho.benefits.adapters.combined_care_store import PostgresCombinedCare
from kokuho.benefits.adapters.lump_sum_store import PostgresLumpSums
from kokuho.benefits.adapters.medical_expense_store import PostgresMedicalExpenses
from kokuho.benefits.adapters.postgres_high_cost import (
    PostgresCarryOvers,
    PostgresClaims,
    PostgresHighCostDecisions,
    PostgresMonthlyRuns,
    PostgresPayees,
)
from kokuho.benefits.adapters.repayment_store import PostgresRepayments
from kokuho.benefits.adapters.special_care_store import PostgresSpecialCare
from kokuho.benefits.adapters.withholding_store import PostgresWithholdings
from kokuho.benefits.domain.copayment_rate import CopaymentRate
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory, Under70Category
from kokuho.events.contracts import benefits as contracts
from kokuho.events.ports import EventStore
from kokuho.events.runtime.store import PostgresEventStore
from kokuho.platform.audit import RequestAudit
from kokuho.platform.unit_of_work import PoolSource, UnitOfWork

SOURCE = "/kokuho/benefits"
PUT = (
    "INSERT INTO copayment_rates (nhi_household_number, income_year, effective_from,"
    " effective_to, under_70_category, elderly_category, copayment_rate_percent,"
    " addressee_numbers, decided_by, decided_on, basis, decisions)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    " ON CONFLICT (nhi_household_number, income_year) DO UPDATE SET"
    " effective_from = EXCLUDED.effective_from, effective_to = EXCLUDED.effective_to,"
    " under_70_category = EXCLUDED.under_70_category,"
    " elderly_category = EXCLUDED.elderly_category,"
    " copayment_rate_percent = EXCLUDED.copayment_rate_percent,"
    " addressee_numbers = EXCLUDED.addressee_numbers, decided_by = EXCLUDED.decided_by,"
    " decided_on = EXCLUDED.decided_on, basis = EXCLUDED.basis,"
    " decisions = EXCLUDED.decisions"
)
GET = (
    "SELECT nhi_household_number, income_year, effective_from, effective_to,"
    " under_70_category, elderly_category, copayment_rate_percent, addressee_numbers,"
    " decided_by, decided_on, basis, decisions FROM copayment_rates"
    " WHERE nhi_household_number = $1 AND income_year = $2"
)


class PostgresCopaymentRates:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def put(self, rate: CopaymentRate) -> None:
        await self._conn.execute(
            PUT,
            rate.nhi_household_number,
            rate.income_year,
            rate.effective_from,
            rate.effective_to,
            rate.under_70_category.value,
            rate.elderly_category.value if rate.elderly_category else None,
            rate.copayment_rate_percent,
            list(rate.addressee_numbers),
            rate.decided_by,
            rate.decided_on,
            list(rate.basis),
            rate.decisions,
        )

    async def get(self, nhi_household_number: str, income_year: int) -> CopaymentRate | None:
        row = await self._conn.fetchrow(
            GET,
            nhi_household_number,
            income_year,
        )
        if row is None:
            return None
        return CopaymentRate(
            row["nhi_household_number"],
            row["income_year"],
            row["effective_from"],
            row["effective_to"],
            Under70Category(row["under_70_category"]),
            ElderlyCategory(row["elderly_category"]) if row["elderly_category"] else None,
            row["copayment_rate_percent"],
            tuple(row["addressee_numbers"]),
            row["decided_by"],
            row["decided_on"],
            tuple(row["basis"]),
            row["decisions"],
        )


class BenefitsUnit(UnitOfWork):
    """Opened on the pool (commands, jobs) or on a request's connection (``WriteDep``)."""

    events: EventStore
    copayment_rates: PostgresCopaymentRates
    claims: PostgresClaims
    carry_overs: PostgresCarryOvers
    payees: PostgresPayees
    high_cost: PostgresHighCostDecisions
    monthly_runs: PostgresMonthlyRuns
    lump_sums: PostgresLumpSums
    withholdings: PostgresWithholdings
    medical_expenses: PostgresMedicalExpenses
    repayments: PostgresRepayments
    special_care: PostgresSpecialCare
    combined_care: PostgresCombinedCare

    def __init__(
        self,
        pool: PoolSource | None = None,
        *,
        conn: asyncpg.Connection | None = None,
        audit: RequestAudit | None = None,
        topic: str = contracts.EVENTS_TOPIC,
    ) -> None:
        super().__init__(pool, conn=conn, audit=audit)
        self.topic = topic

    def bind(self, conn: asyncpg.Connection) -> None:
        self.events = PostgresEventStore(conn, source=SOURCE)
        self.copayment_rates = PostgresCopaymentRates(conn)
        self.claims = PostgresClaims(conn)
        self.carry_overs = PostgresCarryOvers(conn)
        self.payees = PostgresPayees(conn)
        self.high_cost = PostgresHighCostDecisions(conn)
        self.monthly_runs = PostgresMonthlyRuns(conn)
        self.lump_sums = PostgresLumpSums(conn)
        self.withholdings = PostgresWithholdings(conn)
        self.medical_expenses = PostgresMedicalExpenses(conn)
        self.repayments = PostgresRepayments(conn)
        self.special_care = PostgresSpecialCare(conn)
        self.combined_care = PostgresCombinedCare(conn)
