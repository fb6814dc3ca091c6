"""Use cases of 葬祭費 and 出産育児一時金: the application (first pair of eyes, with the payee
account, kept in benefits' database only) and its review (a second, different person: approve
with the amount in force and the payment to the payee, or refuse with a reason); reading it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from kokuho.benefits.app import applications
from kokuho.benefits.app.ports import Benefits, BenefitsUnitPort, PayeeAccount
from kokuho.benefits.domain import lump_sum as ls
from kokuho.benefits.domain.withholding import is_withheld
from kokuho.events.contracts import benefits as contracts
from kokuho.events.contracts.registry import EventContract


@dataclass(frozen=True)
class Reviewed:
    state: ls.LumpSum
    payment: ls.PaymentOrdered | None

    @property
    def withheld(self) -> bool:
        """Approved, and the payment withheld (給付の一時差止, rules.md §4.6)."""
        return self.payment is None and self.state.to_household > self.state.paid


def _contract(state: ls.LumpSum, event: ls.Event) -> EventContract:
    a = state.application
    if isinstance(event, ls.Applied):
        return contracts.LumpSumBenefitApplied(
            application_id=a.application_id,
            benefit_kind=a.kind.value,
            nhi_household_number=a.nhi_household_number,
            subject_addressee_number=a.subject_addressee_number,
            event_date=a.event_date,
            children=a.children,
            entered_by=a.entered_by,
            applied_on=a.today,
        )
    if isinstance(event, ls.Decided):
        return contracts.LumpSumBenefitDecided(
            application_id=a.application_id,
            benefit_kind=a.kind.value,
            nhi_household_number=a.nhi_household_number,
            approved=event.approved,
            amount=event.amount,
            to_institution=event.to_institution,
            to_household=event.to_household,
            reason=event.reason,
            reviewed_by=event.reviewed_by,
            decided_on=event.decided_on,
        )
    if isinstance(event, ls.PaymentWithheld):
        return contracts.BenefitPaymentWithheld(
            decision_id=a.application_id,
            benefit_kind=a.kind.value,
            nhi_household_number=a.nhi_household_number,
            amount=event.amount,
            withheld_on=event.withheld_on,
        )
    return contracts.BenefitPaymentOrdered(
        payment_id=event.payment_id,
        decision_id=a.application_id,
        benefit_kind=a.kind.value,
        nhi_household_number=a.nhi_household_number,
        payee_addressee_number=a.payee_addressee_number,
        treatment_month=None,
        amount=event.amount,
        payment_date=event.payment_date,
        ordered_by=event.ordered_by,
        ordered_on=event.ordered_on,
    )


async def append_lump_sum(
    uow: BenefitsUnitPort, before: int, state: ls.LumpSum, events: list[ls.Event]
) -> None:
    a = state.application
    contracts = [_contract(state, e) for e in events]
    await applications.append(uow, ls.stream_id(a), a.nhi_household_number, before, contracts)


async def apply_lump_sum(
    uow: BenefitsUnitPort, command: ls.Apply, account: PayeeAccount
) -> ls.LumpSum:
    async with uow:
        existing = await uow.lump_sums.by_stream(ls.stream_id(command))
        events = ls.decide_apply(existing, command)
        state = ls.replay(events)
        assert state is not None
        await append_lump_sum(uow, 0, state, events)
        await uow.lump_sums.add(state, account)
        await uow.audit.record(
            subjects=sorted({command.subject_addressee_number, command.payee_addressee_number}),
            detail={"lump_sum": command.kind.value, "application_id": str(command.application_id)},
        )
        return state


async def review_lump_sum(
    uow: BenefitsUnitPort, ports: Benefits, application_id: UUID, command: ls.Review
) -> Reviewed:
    async with uow:
        state = await uow.lump_sums.get(application_id)
        if state is not None:
            periods = await uow.withholdings.periods(state.application.nhi_household_number)
            command = replace(command, withheld=is_withheld(periods, command.today))
        events = ls.decide_review(state, command, ports.lump_sums)
        assert state is not None
        after = ls.replay(events, state)
        assert after is not None
        await append_lump_sum(uow, state.version, state, events)
        await uow.lump_sums.update(after)
        payment = await applications.keep_withheld(
            uow,
            events,
            stream_id=ls.stream_id(state.application),
            benefit_kind=state.application.kind.value,
            household=state.application.nhi_household_number,
            application_id=application_id,
        )
        await uow.audit.record(
            subjects=[state.application.subject_addressee_number],
            detail={"application_id": str(application_id), "approved": command.approve},
        )
        return Reviewed(after, payment)


async def read_lump_sum(uow: BenefitsUnitPort, application_id: UUID) -> ls.LumpSum:
    async with uow:
        state = await uow.lump_sums.get(application_id)
        if state is None:
            raise ls.LumpSumNotFound("application_id: no such application")
        await uow.audit.record(
            subjects=[state.application.subject_addressee_number],
            detail={"application_id": str(application_id)},
        )
        return state
