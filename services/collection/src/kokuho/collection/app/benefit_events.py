"""What collection does with benefits' events (ADR 0085):

- ``RepaymentClaimed`` (返納金, NHI-B-58, benefits' ADR 0046): the debt is recorded as a 返納金
  charge of the debtor (stream ``repayment-<repayment id>``, private; ``repayment_charges``),
  once per repayment.
- ``BenefitPaymentOrdered`` with ``may_appropriate_to_arrears`` (特別療養費, rules.md §4.6): the
  payout is set against the household's overdue premiums (``domain/benefit_payouts``), published
  as ``BenefitAppropriatedToArrears``; the decision (payout, appropriated, the rest paid to the
  payee) is kept in ``benefit_payout_appropriations`` whether or not anything was overdue,
  once per payment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from pydantic import Field

from kokuho.collection.app.ledgers import commit_batch, open_batch
from kokuho.collection.app.ports import CollectionUnitPort
from kokuho.collection.domain import benefit_payouts
from kokuho.collection.domain.parameters import CollectionRules
from kokuho.events.contracts import EventContract
from kokuho.events.ports import EventContext, StreamAppend


class RepaymentChargeRecorded(EventContract):
    """A 返納金 charge taken in from benefits' ``RepaymentClaimed`` (private: no topic)."""

    event_type = "jp.kokuho.collection.repayment_charge_recorded.v1"

    repayment_id: str
    nhi_household_number: str
    debtor_addressee_number: str
    amount: int = Field(gt=0)
    due_date: date
    loss_date: date
    decided_by: str
    decided_on: date
    effective_on: date


@dataclass(frozen=True)
class RepaymentCharge:
    repayment_id: str
    nhi_household_number: str
    debtor_addressee_number: str
    amount: int
    due_date: date
    loss_date: date
    decided_by: str
    decided_on: date
    recorded_on: date


@dataclass(frozen=True)
class PayoutAppropriation:
    benefit_payment_id: str
    nhi_household_number: str
    payee_addressee_number: str
    benefit_kind: str
    payout: int
    appropriated: int
    decided_on: date

    @property
    def paid_to_payee(self) -> int:
        return self.payout - self.appropriated


class BenefitRecords(Protocol):
    """``repayment_charges`` and ``benefit_payout_appropriations`` on the unit's connection."""

    async def add_repayment(self, charge: RepaymentCharge) -> bool:
        """False when this repayment was recorded before (nothing changes)."""
        ...

    async def repayments(self, household: str) -> list[RepaymentCharge]: ...

    async def add_appropriation(self, decision: PayoutAppropriation) -> bool:
        """False when this payment was decided before (nothing changes)."""
        ...

    async def appropriations(self, household: str) -> list[PayoutAppropriation]: ...


async def record_repayment(
    uow: CollectionUnitPort,
    records: BenefitRecords,
    charge: RepaymentCharge,
    context: EventContext | None = None,
) -> bool:
    async with uow:
        if not await records.add_repayment(charge):
            return False
        event = RepaymentChargeRecorded(
            repayment_id=charge.repayment_id,
            nhi_household_number=charge.nhi_household_number,
            debtor_addressee_number=charge.debtor_addressee_number,
            amount=charge.amount,
            due_date=charge.due_date,
            loss_date=charge.loss_date,
            decided_by=charge.decided_by,
            decided_on=charge.decided_on,
            effective_on=charge.recorded_on,
        )
        stream = f"repayment-{charge.repayment_id}"
        await uow.events.append_batch(
            [StreamAppend(stream, 0, [event], context=context or EventContext())]
        )
        await uow.audit.record(
            subjects=[charge.nhi_household_number, charge.debtor_addressee_number],
            detail={"repayment_id": charge.repayment_id, "amount": charge.amount},
        )
        return True


async def appropriate_payout(
    uow: CollectionUnitPort,
    records: BenefitRecords,
    rules: CollectionRules,
    decision: PayoutAppropriation,
    context: EventContext | None = None,
) -> PayoutAppropriation | None:
    """Set the payout against the overdue charges (the household's ledger, if it has one) and
    keep the decision; None when this payment was decided before."""
    household = decision.nhi_household_number
    command = benefit_payouts.AppropriatePayout(
        decision.benefit_payment_id, decision.payout, decision.decided_on
    )
    async with uow:
        batch = await open_batch(uow, [household])
        used = 0
        if batch.ledger(household) is not None:
            _, events = batch.decide(
                household, lambda ledger: benefit_payouts.appropriate(ledger, command, rules)
            )
            used = benefit_payouts.appropriated(events)
        decided = PayoutAppropriation(
            decision.benefit_payment_id,
            household,
            decision.payee_addressee_number,
            decision.benefit_kind,
            decision.payout,
            used,
            decision.decided_on,
        )
        if not await records.add_appropriation(decided):
            return None
        await commit_batch(uow, batch, context)
        await uow.audit.record(
            subjects=[household, decision.payee_addressee_number],
            detail={
                "benefit_payment_id": decision.benefit_payment_id,
                "payout": decision.payout,
                "appropriated": used,
            },
        )
        return decided


async def read_benefit_records(
    uow: CollectionUnitPort, records: BenefitRecords, household: str
) -> tuple[list[RepaymentCharge], list[PayoutAppropriation]]:
    async with uow:
        found = await records.repayments(household), await records.appropriations(household)
        await uow.audit.record(subjects=[household])
        return found
