"""Use cases of 療養費 (補装具, 柔道整復, はり・きゅう, 海外療養費), in the pattern of
:mod:`.lump_sums`: the application (first pair of eyes, with the payee account, kept in
benefits' database only) and its review (a second, different person: approve the insurer's
share at the member's 一部負担割合 and order the payment, or refuse with a reason); reading it.

The rate: for a 70–74 member listed on the household's decided rate of the care's income year
(``copayment_rates``, rules.md §3.4), that rate; otherwise the default of
``parameters/medical-expenses.toml`` (70–74 2割; under 70 3割, configuration)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from kokuho.benefits.app import applications
from kokuho.benefits.app.ports import Benefits, BenefitsUnitPort, PayeeAccount
from kokuho.benefits.domain import medical_expense as me
from kokuho.benefits.domain.application_review import LumpSumNotFound
from kokuho.benefits.domain.income_category import income_year_for
from kokuho.benefits.domain.special_care import SpecialCareNotFlagged, is_flagged
from kokuho.benefits.domain.withholding import is_withheld
from kokuho.events.contracts import benefits as contracts
from kokuho.events.contracts.registry import EventContract


@dataclass(frozen=True)
class Reviewed:
    state: me.MedicalExpense
    payment: me.PaymentOrdered | None


def _contract(state: me.MedicalExpense, event: me.Event) -> EventContract:
    a = state.application
    if isinstance(event, me.Applied):
        return contracts.MedicalExpenseApplied(
            application_id=a.application_id,
            expense_kind=a.kind.value,
            nhi_household_number=a.nhi_household_number,
            patient_addressee_number=a.patient_addressee_number,
            care_from=a.care_from,
            paid_on=a.paid_on,
            paid_amount=a.paid_amount,
            standard_cost=a.standard_cost,
            entered_by=a.entered_by,
            applied_on=a.today,
        )
    if isinstance(event, me.Decided):
        return contracts.MedicalExpenseDecided(
            application_id=a.application_id,
            expense_kind=a.kind.value,
            nhi_household_number=a.nhi_household_number,
            approved=event.approved,
            allowed_cost=event.allowed_cost,
            copayment_rate_percent=event.rate_percent,
            amount=event.amount,
            reason=event.reason,
            reviewed_by=event.reviewed_by,
            decided_on=event.decided_on,
        )
    special = a.kind is me.MedicalExpenseKind.SPECIAL_CARE
    if isinstance(event, me.PaymentWithheld):
        return contracts.BenefitPaymentWithheld(
            decision_id=a.application_id,
            benefit_kind="special_care" if special else "medical_expense",
            nhi_household_number=a.nhi_household_number,
            amount=event.amount,
            withheld_on=event.withheld_on,
        )
    return contracts.BenefitPaymentOrdered(
        payment_id=event.payment_id,
        decision_id=a.application_id,
        benefit_kind="special_care" if special else "medical_expense",
        nhi_household_number=a.nhi_household_number,
        payee_addressee_number=a.payee_addressee_number,
        treatment_month=None,
        amount=event.amount,
        payment_date=event.payment_date,
        ordered_by=event.ordered_by,
        ordered_on=event.ordered_on,
        may_appropriate_to_arrears=special,
    )


async def append_medical_expense(
    uow: BenefitsUnitPort, before: int, state: me.MedicalExpense, events: list[me.Event]
) -> None:
    a = state.application
    contracts = [_contract(state, e) for e in events]
    await applications.append(uow, me.stream_id(a), a.nhi_household_number, before, contracts)


async def apply_medical_expense(
    uow: BenefitsUnitPort, command: me.Apply, account: PayeeAccount
) -> me.MedicalExpense:
    async with uow:
        if command.kind is me.MedicalExpenseKind.SPECIAL_CARE:
            periods = await uow.special_care.periods(command.nhi_household_number)
            if not is_flagged(periods, command.care_from):
                raise SpecialCareNotFlagged(
                    "/body/care_from: the household is not under 特別療養費 on that day"
                    " (rules.md §4.6)"
                )
        existing = await uow.medical_expenses.get(command.application_id)
        events = me.decide_apply(existing, command)
        state = me.replay(events)
        assert state is not None
        await append_medical_expense(uow, 0, state, events)
        await uow.medical_expenses.add(state, account)
        await uow.audit.record(
            subjects=sorted({command.patient_addressee_number, command.payee_addressee_number}),
            detail={
                "medical_expense": command.kind.value,
                "application_id": str(command.application_id),
            },
        )
        return state


async def rate_of(uow: BenefitsUnitPort, ports: Benefits, a: me.Apply) -> tuple[int, str]:
    """The member's 一部負担割合 (percent) and where it comes from."""
    defaults = ports.medical_expense_rates
    if a.age_band is me.AgeBand.UNDER_70:
        return defaults.default_under_70, "default under 70 (parameters/medical-expenses.toml)"
    year = income_year_for(a.care_from.replace(day=1))
    decided = await uow.copayment_rates.get(a.nhi_household_number, year)
    if (
        decided is not None
        and decided.copayment_rate_percent is not None
        and a.patient_addressee_number in decided.addressee_numbers
    ):
        return decided.copayment_rate_percent, f"decided rate of income year {year}"
    return defaults.default_70_74, "default 70–74 (rules.md §3.4)"


async def review_medical_expense(
    uow: BenefitsUnitPort, ports: Benefits, application_id: UUID, command: me.Review
) -> Reviewed:
    async with uow:
        state = await uow.medical_expenses.get(application_id)
        if state is not None:
            a = state.application
            rate, basis = await rate_of(uow, ports, a)
            periods = await uow.withholdings.periods(a.nhi_household_number)
            command = replace(
                command,
                rate_percent=rate,
                rate_basis=basis,
                withheld=is_withheld(periods, command.today),
            )
        events = me.decide_review(state, command, ports.medical_expense_rates)
        assert state is not None
        after = me.replay(events, state)
        assert after is not None
        await append_medical_expense(uow, state.version, state, events)
        await uow.medical_expenses.update(after)
        special = state.application.kind is me.MedicalExpenseKind.SPECIAL_CARE
        payment = await applications.keep_withheld(
            uow,
            events,
            stream_id=me.stream_id(state.application),
            benefit_kind="special_care" if special else "medical_expense",
            household=state.application.nhi_household_number,
            application_id=application_id,
        )
        await uow.audit.record(
            subjects=[state.application.patient_addressee_number],
            detail={"application_id": str(application_id), "approved": command.approve},
        )
        return Reviewed(after, payment)


async def read_medical_expense(uow: BenefitsUnitPort, application_id: UUID) -> me.MedicalExpense:
    async with uow:
        state = await uow.medical_expenses.get(application_id)
        if state is None:
            raise LumpSumNotFound("application_id: no such application")
        await uow.audit.record(
            subjects=[state.application.patient_addressee_number],
            detail={"application_id": str(application_id)},
        )
        return state


async def record_special_care_flag(
    uow: BenefitsUnitPort, nhi_household_number: str, effective_on: date
) -> None:
    """delinquency's ``SpecialCareFlagged``: the household is under 特別療養費 from that day."""
    async with uow:
        await uow.special_care.flag(nhi_household_number, effective_on)


async def record_special_care_cleared(
    uow: BenefitsUnitPort, nhi_household_number: str, effective_on: date
) -> None:
    """delinquency's ``SpecialCareCleared``: no longer from that day."""
    async with uow:
        await uow.special_care.clear(nhi_household_number, effective_on)
