"""Use cases of delinquency's 給付の一時差止 (rules.md §4.6): the withholding and its release as
consumed (``BenefitsWithheld`` / ``BenefitsReleased``), the release ordering each payment
withheld under it once (``BenefitPaymentOrdered``), and the list staff read."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from kokuho.benefits.app.high_cost_events import to_contracts
from kokuho.benefits.app.lump_sums import append_lump_sum
from kokuho.benefits.app.medical_expenses import append_medical_expense
from kokuho.benefits.app.ports import BenefitsUnitPort
from kokuho.benefits.domain import high_cost_decision as hc
from kokuho.benefits.domain import lump_sum as ls
from kokuho.benefits.domain import medical_expense as me
from kokuho.benefits.domain.withholding import WithheldPayment, Withholding, is_withheld
from kokuho.events.contracts.delinquency import BenefitsReleased, BenefitsWithheld
from kokuho.events.ports import StreamAppend

#: who orders the payments a release frees (C-24: a system actor)
RELEASED_BY = "system:benefits-withholding-release"
#: the payment date of a released payment: this many days after the release (as the run's)
PAYMENT_DAYS = 14


async def withheld_today(uow: BenefitsUnitPort, nhi_household_number: str, day: date) -> bool:
    return is_withheld(await uow.withholdings.periods(nhi_household_number), day)


async def record_withheld(uow: BenefitsUnitPort, event: BenefitsWithheld) -> None:
    async with uow:
        await uow.withholdings.withhold(Withholding(event.nhi_household_number, event.effective_on))


async def release_withheld(uow: BenefitsUnitPort, event: BenefitsReleased) -> int:
    """End the withholding and order every payment withheld under it, once (a second release
    finds none pending). Returns how many were ordered."""
    household, today = event.nhi_household_number, event.effective_on
    payment_date = today + timedelta(days=PAYMENT_DAYS)
    ordered = 0
    async with uow:
        await uow.withholdings.release(household, today)
        for pending in await uow.withholdings.pending(household):
            release = {
                "high_cost": _release_high_cost,
                "medical_expense": _release_medical_expense,
                "special_care": _release_medical_expense,
            }.get(pending.benefit_kind, _release_lump_sum)
            payment_id = await release(uow, pending, today, payment_date)
            if payment_id is not None:
                await uow.withholdings.ordered(pending.stream_id, payment_id, today)
                ordered += 1
    return ordered


async def _release_high_cost(
    uow: BenefitsUnitPort, pending: WithheldPayment, today: date, payment_date: date
) -> UUID | None:
    assert pending.treatment_month is not None
    decision = await uow.high_cost.get(pending.nhi_household_number, pending.treatment_month)
    payee = await uow.payees.get(pending.nhi_household_number)
    if decision is None or payee is None:
        return None
    events = hc.decide_pay(
        decision,
        hc.PayOnApplication(
            hc.Payee(payee.payee_addressee_number), RELEASED_BY, today, payment_date
        ),
    )
    if not events:
        return None
    await uow.events.append_batch(
        [
            StreamAppend(
                pending.stream_id,
                decision.version,
                to_contracts(events),
                topic=uow.topic,
                partition_key=pending.nhi_household_number,
            )
        ]
    )
    state = hc.replay(events, decision)
    assert state is not None
    await uow.high_cost.put(state)
    payment = events[0]
    assert isinstance(payment, hc.PaymentOrdered)
    await uow.high_cost.add_payment(payment)
    return payment.payment_id


async def _release_lump_sum(
    uow: BenefitsUnitPort, pending: WithheldPayment, today: date, payment_date: date
) -> UUID | None:
    state = await uow.lump_sums.by_stream(pending.stream_id)
    if state is None:
        return None
    events = ls.decide_release(state, RELEASED_BY, today, payment_date)
    if not events:
        return None
    await append_lump_sum(uow, state.version, state, events)
    after = ls.replay(events, state)
    assert after is not None
    await uow.lump_sums.update(after)
    payment = events[0]
    assert isinstance(payment, ls.PaymentOrdered)
    return payment.payment_id


async def _release_medical_expense(
    uow: BenefitsUnitPort, pending: WithheldPayment, today: date, payment_date: date
) -> UUID | None:
    state = await uow.medical_expenses.get(pending.decision_id)
    if state is None:
        return None
    events = me.decide_release(state, RELEASED_BY, today, payment_date)
    if not events:
        return None
    await append_medical_expense(uow, state.version, state, events)
    after = me.replay(events, state)
    assert after is not None
    await uow.medical_expenses.update(after)
    payment = events[0]
    assert isinstance(payment, me.PaymentOrdered)
    return payment.payment_id


async def list_withheld(uow: BenefitsUnitPort) -> list[WithheldPayment]:
    """The payments withheld and not yet ordered, for staff."""
    async with uow:
        found = await uow.withholdings.pending()
        await uow.audit.record(subjects=[], detail={"withheld_payments": len(found)})
        return found
