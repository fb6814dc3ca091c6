"""``repayment_charges`` and ``benefit_payout_appropriations`` (ADR 0085) on the caller's
transaction connection."""

from __future__ import annotations

import asyncpg

from kokuho.collection.app.benefit_events import PayoutAppropriation, RepaymentCharge


class PostgresBenefitRecords:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add_repayment(self, charge: RepaymentCharge) -> bool:
        status = await self._conn.execute(
            "INSERT INTO repayment_charges (repayment_id, nhi_household_number,"
            " debtor_addressee_number, amount, due_date, loss_date, decided_by, decided_on,"
            " recorded_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT (repayment_id) DO NOTHING",
            charge.repayment_id,
            charge.nhi_household_number,
            charge.debtor_addressee_number,
            charge.amount,
            charge.due_date,
            charge.loss_date,
            charge.decided_by,
            charge.decided_on,
            charge.recorded_on,
        )
        return bool(status.endswith(" 1"))

    async def repayments(self, household: str) -> list[RepaymentCharge]:
        rows = await self._conn.fetch(
            "SELECT repayment_id, nhi_household_number, debtor_addressee_number, amount,"
            " due_date, loss_date, decided_by, decided_on, recorded_on FROM repayment_charges"
            " WHERE nhi_household_number = $1 ORDER BY due_date, repayment_id",
            household,
        )
        return [RepaymentCharge(**dict(r)) for r in rows]

    async def add_appropriation(self, decision: PayoutAppropriation) -> bool:
        status = await self._conn.execute(
            "INSERT INTO benefit_payout_appropriations (benefit_payment_id,"
            " nhi_household_number, payee_addressee_number, benefit_kind, payout, appropriated,"
            " decided_on) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (benefit_payment_id) DO NOTHING",
            decision.benefit_payment_id,
            decision.nhi_household_number,
            decision.payee_addressee_number,
            decision.benefit_kind,
            decision.payout,
            decision.appropriated,
            decision.decided_on,
        )
        return bool(status.endswith(" 1"))

    async def appropriations(self, household: str) -> list[PayoutAppropriation]:
        rows = await self._conn.fetch(
            "SELECT benefit_payment_id, nhi_household_number, payee_addressee_number,"
            " benefit_kind, payout, appropriated, decided_on FROM benefit_payout_appropriations"
            " WHERE nhi_household_number = $1 ORDER BY decided_on, benefit_payment_id",
            household,
        )
        return [PayoutAppropriation(**dict(r)) for r in rows]
