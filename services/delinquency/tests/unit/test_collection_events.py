"""collection's events through the use case on the in-memory unit: the due date from ChargeSet
reaches the arrear, a dunning notice tracks it, a payment lowers it, a partial reversal owes the
named principal again, a pension stop moves the due date; events of untracked households leave
no case."""

from __future__ import annotations

from datetime import date

from kokuho.delinquency.adapters.memory import InMemoryDelinquencyUnit
from kokuho.delinquency.app.collection_events import take_in
from kokuho.events.contracts import collection as c
from kokuho.events.ports import EventContext

from .rules import RULES

H = "9920000001"
CTX = EventContext()


def charge() -> c.ChargeSet:
    return c.ChargeSet(
        nhi_household_number=H, fiscal_year=2026, period=1, due_date=date(2026, 6, 30),
        amount=30_000, previous_amount=0, cause="assessment", source_id="a", revision=1,
        entered_by="system:assessment", effective_on=date(2026, 6, 1),
    )  # fmt: skip


def notice() -> c.DunningNoticeIssued:
    return c.DunningNoticeIssued(
        nhi_household_number=H, notice_id="n1", fiscal_year=2026, period=1, outstanding=30_000,
        fee=0, designated_deadline=date(2026, 7, 31), effective_on=date(2026, 7, 21),
    )  # fmt: skip


def payment(amount: int) -> c.PaymentReceived:
    return c.PaymentReceived(
        nhi_household_number=H, payment_id="p1", amount=amount, channel="bank", fiscal_year=None,
        period=None, applied=[c.Applied(fiscal_year=2026, period=1, amount=amount)],
        late_charge_applied=[], overpaid=0, reference="r", received_on=date(2026, 8, 2),
        paid_on=date(2026, 8, 1),
    )  # fmt: skip


async def test_collection_facts_become_the_arrear() -> None:
    uow = InMemoryDelinquencyUnit()
    assert await take_in(uow, charge(), RULES, CTX) == []
    assert await take_in(uow, payment(100), RULES, CTX) == []  # untracked: nothing kept
    assert await uow.cases.get(H) is None
    assert await take_in(uow, notice(), RULES, CTX) == ["ArrearDunned"]
    case = await uow.cases.get(H)
    assert case is not None
    assert case.arrears[0].due_date == date(2026, 6, 30)
    assert case.status == "watching"
    assert await take_in(uow, payment(30_000), RULES, CTX) == ["PaymentNoted"]
    reversed_ = c.PaymentReversed(
        nhi_household_number=H, payment_id="p1", reason="誤り", reversed_by="U-C",
        principal=[c.Applied(fiscal_year=2026, period=1, amount=20_000)], from_held=0,
        effective_on=date(2026, 8, 3),
    )  # fmt: skip
    assert await take_in(uow, reversed_, RULES, CTX) == ["PaymentWithdrawn"]
    case = await uow.cases.get(H)
    assert case is not None
    assert case.outstanding == 20_000


async def test_a_pension_stop_moves_the_due_date_of_the_instalment() -> None:
    uow = InMemoryDelinquencyUnit()
    await take_in(uow, charge(), RULES, CTX)
    stopped = c.PensionDeductionStopped(
        nhi_household_number=H, fiscal_year=2026, period=1, pension_month=6, amount=30_000,
        reason="moved", due_date=date(2026, 7, 31), effective_on=date(2026, 7, 1),
    )  # fmt: skip
    assert await take_in(uow, stopped, RULES, CTX) == []
    assert await uow.charges.due_date(H, 2026, 1) == date(2026, 7, 31)
