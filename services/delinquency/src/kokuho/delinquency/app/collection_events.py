"""collection's public events becoming facts of the cases (the only way delinquency data comes
in, C-08): charges give the 納期限, a dunning notice starts tracking the instalment, payments,
reversals, 充当, 延滞金 and collection's lapses follow it."""

from __future__ import annotations

from kokuho.delinquency.app.cases import apply
from kokuho.delinquency.app.ports import DelinquencyUnitPort
from kokuho.delinquency.domain import lifecycle
from kokuho.delinquency.domain.model import Part
from kokuho.delinquency.domain.parameters import Rules
from kokuho.events.contracts import EventContract
from kokuho.events.contracts import collection as c
from kokuho.events.ports import EventContext


def _parts(applied: list[c.Applied]) -> tuple[Part, ...]:
    return tuple(Part(a.fiscal_year, a.period, a.amount) for a in applied)


async def _command(uow: DelinquencyUnitPort, event: EventContract, rules: Rules) -> object | None:
    match event:
        case c.ChargeSet():
            h = event.nhi_household_number
            await uow.charges.put(h, event.fiscal_year, event.period, event.due_date)
            change = event.amount - event.previous_amount
            return lifecycle.NoteRecharge(
                event.fiscal_year, event.period, change, event.effective_on
            )
        case c.DunningNoticeIssued():
            due = await uow.charges.due_date(
                event.nhi_household_number, event.fiscal_year, event.period
            )
            return lifecycle.NoteDunning(
                event.fiscal_year,
                event.period,
                due or event.effective_on,  # no charge seen: the issue day (a later, safer start)
                event.outstanding,
                event.designated_deadline,
                event.notice_id,
                event.effective_on,
            )
        case c.PaymentReceived():
            applied, late = _parts(event.applied), _parts(event.late_charge_applied)
            return lifecycle.NotePayment(
                event.payment_id, applied, late, event.channel, event.paid_on
            )
        case c.Appropriated():
            principal, late = _parts(event.principal), _parts(event.late_charge)
            return lifecycle.NotePayment(
                event.appropriation_id, principal, late, "appropriation", event.effective_on
            )
        case c.PaymentReversed():
            parts = _parts(event.principal)
            return lifecycle.NoteReversal(event.payment_id, event.effective_on, parts)
        case c.PensionDeductionStopped():  # the instalment moved to ordinary collection
            h = event.nhi_household_number
            await uow.charges.put(h, event.fiscal_year, event.period, event.due_date)
            return None
        case c.LateChargeFixed():
            return lifecycle.NoteLateCharge(
                event.fiscal_year, event.period, event.amount, event.effective_on
            )
        case c.ChargeLapsed():
            return lifecycle.NoteLapse(
                event.fiscal_year, event.period, event.amount, event.effective_on, rules
            )
    return None  # OverpaymentArisen, RefundDecided, DirectDebitFailed: nothing tracked changes


async def take_in(
    uow: DelinquencyUnitPort, event: EventContract, rules: Rules, context: EventContext
) -> list[str]:
    """Apply one collection event; returns the kinds of the case events it caused."""
    async with uow:
        household = getattr(event, "nhi_household_number", None)
        command = await _command(uow, event, rules)
        if command is None or household is None:
            return []
        _, events = await apply(uow, household, command, context)
        if events:
            await uow.audit.record(
                subjects=[household],
                detail={"consumed": event.event_type, "events": [type(e).__name__ for e in events]},
            )
        return [type(e).__name__ for e in events]
