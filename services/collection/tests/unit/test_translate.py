"""A payment's contract built field by field (the payment file's way) is the contract the
generic copy of any event gives, and refuses what it refuses."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from kokuho.collection.app.translate import _contract, _payment_received, to_contract
from kokuho.collection.domain.ledger import Applied, PaymentReceived

HOUSEHOLD = "9800000001"


def payment(**changes: object) -> PaymentReceived:
    fields: dict[str, object] = {
        "payment_id": "8df38725-74a4-56b0-a51d-67cad44c94de",
        "amount": 12_000,
        "channel": "bank",
        "fiscal_year": 2026,
        "period": 3,
        "applied": (Applied(2026, 3, 10_000), Applied(2026, 4, 1_000)),
        "late_charge_applied": (Applied(2025, 9, 500),),
        "overpaid": 500,
        "reference": "B000008999",
        "received_on": date(2026, 12, 1),
        "on": date(2026, 11, 30),
    }
    return PaymentReceived(**(fields | changes))  # type: ignore[arg-type]


PAYMENTS = [
    payment(),
    payment(applied=(), late_charge_applied=(), overpaid=12_000),
    payment(fiscal_year=None, period=None, channel="counter"),
    payment(channel="convenience_store", reference="CVS-1"),
]


@pytest.mark.parametrize("event", PAYMENTS)
def test_a_payment_gives_the_contract_of_the_generic_copy(event: PaymentReceived) -> None:
    fast = to_contract(HOUSEHOLD, event)
    generic = _contract(HOUSEHOLD, event)
    assert type(fast) is type(generic)
    assert fast == generic
    assert fast.model_dump_json() == generic.model_dump_json()


@pytest.mark.parametrize(
    "event",
    [
        payment(reference="R" * 65),
        payment(amount=-1),
        payment(channel="cash"),
        payment(period=13),
        payment(applied=(Applied(2026, 0, 10_000),)),
        payment(late_charge_applied=(Applied(2026, 3, -5),)),
        payment(payment_id="x" * 65),
    ],
)
def test_a_payment_the_contract_refuses_is_refused_both_ways(event: PaymentReceived) -> None:
    with pytest.raises(ValidationError):
        _contract(HOUSEHOLD, event)
    with pytest.raises(ValidationError):
        _payment_received(HOUSEHOLD, event)


def test_a_household_number_the_contract_refuses_is_refused_both_ways() -> None:
    with pytest.raises(ValidationError):
        _contract("12345", payment())
    with pytest.raises(ValidationError):
        to_contract("12345", payment())


def test_a_benefit_appropriation_keeps_its_own_contract() -> None:
    event = payment(channel="benefit", fiscal_year=None, period=None, overpaid=0)
    assert type(to_contract(HOUSEHOLD, event)).__name__ == "BenefitAppropriatedToArrears"
