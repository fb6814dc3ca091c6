"""A benefit payout set against arrears (rules.md §4.4, §4.6, §4.7; ADR 0085): overdue
principal oldest first, then 延滞金 already fixed; the rest stays with the payee; money is
conserved; the same payout twice changes nothing; the contract round-trips."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.collection.app.translate import to_contract, to_domain
from kokuho.collection.domain.benefit_payouts import (
    BENEFIT_CHANNEL,
    AppropriatePayout,
    appropriate,
    appropriated,
)
from kokuho.collection.domain.ledger import LateChargeFixed, Ledger, PaymentReceived
from kokuho.events.contracts import collection as contracts

from .ledgers import FY, HOUSEHOLD, apply, assess, assessed, pay
from .rules import flat

EMPTY = Ledger(HOUSEHOLD)
PAYMENT = "0f8e7d6c-5b4a-4392-8100-000000000001"


def test_overdue_principal_oldest_first_and_the_rest_stays_with_the_payee() -> None:
    rules = flat()
    ledger = assess(EMPTY, assessed([10_000] * 10))
    on = date(FY, 8, 10)  # periods 1 (6/28) and 2 (7/28) overdue, 3 (8/28) not yet
    events = appropriate(ledger, AppropriatePayout(PAYMENT, 15_000, on), rules)
    received = events[0]
    assert isinstance(received, PaymentReceived)
    assert received.channel == BENEFIT_CHANNEL
    assert [(a.period, a.amount) for a in received.applied] == [(1, 10_000), (2, 5_000)]
    assert received.late_charge_applied == ()
    assert (received.amount, received.overpaid, received.reference) == (15_000, 0, PAYMENT)
    assert appropriated(events) == 15_000
    # period 1 completed after its 納期限: its 延滞金 is fixed as with any payment
    assert [type(e) for e in events[1:]] == [LateChargeFixed] * len(events[1:])
    after = apply(ledger, events)
    assert after.received == 15_000
    assert after.charges[(FY, 3)].outstanding == 10_000  # not overdue: untouched
    assert after.held == ()
    assert appropriate(after, AppropriatePayout(PAYMENT, 15_000, on), rules) == []


def test_a_payout_larger_than_the_arrears_takes_only_them_then_fixed_late_charges() -> None:
    rules = flat()
    ledger = assess(EMPTY, assessed([100_000] * 10))
    ledger, paid = pay(ledger, rules, 100_000, date(FY + 1, 1, 10), period=1, ref="LATE")
    fixed = sum(e.amount for e in paid if isinstance(e, LateChargeFixed))
    assert fixed > 0  # paid 196 days late at 10%: 5,369 -> 5,300
    on = date(FY + 1, 1, 10)
    overdue = sum(c.outstanding for c in ledger.overdue(on))
    events = appropriate(ledger, AppropriatePayout(PAYMENT, 1_000_000, on), rules)
    received = events[0]
    assert isinstance(received, PaymentReceived)
    assert sum(a.amount for a in received.applied) == overdue
    assert sum(a.amount for a in received.late_charge_applied) == fixed
    assert received.amount == overdue + fixed < 1_000_000
    after = apply(ledger, events)
    assert after.received == 100_000 + received.amount
    paid_total = sum(c.paid + c.late_charge_paid for c in after.charges.values())
    assert after.received == paid_total + after.held_total + after.refunded


def test_nothing_overdue_appropriates_nothing_and_a_payout_must_be_positive() -> None:
    rules = flat()
    ledger = assess(EMPTY, assessed([10_000] * 10))
    assert appropriate(ledger, AppropriatePayout(PAYMENT, 5_000, date(FY, 6, 20)), rules) == []
    with pytest.raises(ValueError, match="positive"):
        appropriate(ledger, AppropriatePayout(PAYMENT, 0, date(FY, 8, 10)), rules)


def test_published_as_its_own_contract_and_read_back_as_the_payment() -> None:
    rules = flat()
    ledger = assess(EMPTY, assessed([10_000] * 10))
    [received, *_] = appropriate(ledger, AppropriatePayout(PAYMENT, 15_000, date(FY, 8, 10)), rules)
    contract = to_contract(HOUSEHOLD, received)
    assert isinstance(contract, contracts.BenefitAppropriatedToArrears)
    assert contract.reference == PAYMENT
    assert to_domain(contract) == received
    bank = PaymentReceived(
        "p", 1, "bank", None, None, (), (), 0, "r", date(FY, 8, 1), date(FY, 8, 1)
    )
    assert isinstance(to_contract(HOUSEHOLD, bank), contracts.PaymentReceived)
