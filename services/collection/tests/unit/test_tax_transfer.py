"""移転 1: the premiums paid per household in a calendar year for the municipal tax division,
recorded with its basis and published once (in-memory unit)."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.collection.adapters.memory import InMemoryCollectionUnit
from kokuho.collection.app.ports import Versioned
from kokuho.collection.app.tax_transfer import transfer_premiums_paid
from kokuho.collection.domain import matching
from kokuho.collection.domain.errors import YearNotEnded
from kokuho.collection.domain.ledger import Ledger
from kokuho.collection.domain.tax_transfer import BASIS, TransferLine, paid_in_year
from kokuho.events.contracts import collection as contracts
from kokuho.events.contracts.registry import parse_data

from .ledgers import FY, apply, assess, assessed, pay
from .rules import flat

RULES = flat()
H1, H2, H3 = "9950000101", "9950000102", "9950000103"
TODAY = date(2027, 1, 15)


def charged(household: str) -> Ledger:
    return assess(Ledger(household), assessed([10_000] * 10))


def paid_by_pension(ledger: Ledger, amount: int, on: date, ref: str) -> Ledger:
    command = matching.ReceivePayment(f"p-{ref}", amount, "pension", FY, 1, ref, on, on)
    return apply(ledger, matching.receive(ledger, command, RULES))


def households() -> list[Ledger]:
    one, _ = pay(charged(H1), RULES, 10_000, date(2026, 12, 31), period=1, ref="A")
    one, _ = pay(one, RULES, 7_000, date(2027, 1, 1), period=2, ref="B")  # the next year
    two, _ = pay(charged(H2), RULES, 5_000, date(2026, 1, 1), period=1, ref="C")
    two = paid_by_pension(two, 5_000, date(2026, 4, 15), "P1")
    two, _ = pay(two, RULES, 3_000, date(2026, 7, 10), period=3, ref="D")
    reversal = matching.ReversePayment("p-D", "wrong household", "U-SUP", date(2026, 7, 20))
    two = apply(two, matching.reverse(two, reversal))  # taken back: not paid
    three, _ = pay(charged(H3), RULES, 2_000, date(2025, 12, 31), period=1, ref="E")
    return [one, two, three]


def test_the_years_net_premium_paid_on_days_of_that_year() -> None:
    one, two, three = households()
    assert paid_in_year(one, 2026) == TransferLine(H1, 10_000, 0)  # 31 Dec in, 1 Jan out
    assert paid_in_year(two, 2026) == TransferLine(H2, 10_000, 5_000)  # the reversal nets out
    assert paid_in_year(three, 2026) is None  # nothing paid in the year: not transferred


async def test_a_transfer_is_recorded_with_its_basis_published_once() -> None:
    uow = InMemoryCollectionUnit()
    await uow.ledgers.save_many([Versioned(x, 1) for x in households()])
    first = await transfer_premiums_paid(uow, 2026, "U-OP", TODAY)
    assert not first.replayed
    t = first.transfer
    assert (t.calendar_year, t.households, t.total) == (2026, 2, 20_000)
    assert (t.flow_id, t.recipient, t.legal_basis, t.method, t.items) == (
        BASIS.flow_id,
        BASIS.recipient,
        BASIS.legal_basis,
        BASIS.method,
        BASIS.items,
    )
    assert (t.transferred_by, t.transferred_on) == ("U-OP", TODAY)
    assert await uow.tax_transfers.lines(t.transfer_id) == [
        TransferLine(H1, 10_000, 0),
        TransferLine(H2, 10_000, 5_000),
    ]
    [recorded] = await uow.events.load("tax-transfer-2026")
    event = parse_data(recorded.event_type, recorded.envelope.data)
    assert isinstance(event, contracts.TaxDeductionTransferred)
    assert (event.part, event.parts, event.flow_id) == (1, 1, BASIS.flow_id)
    assert [(x.nhi_household_number, x.amount) for x in event.lines] == [
        (H1, 10_000),
        (H2, 10_000),
    ]
    again = await transfer_premiums_paid(uow, 2026, "U-OTHER", date(2027, 2, 1))
    assert again.replayed
    assert again.transfer == t
    assert len(await uow.events.load("tax-transfer-2026")) == 1  # nothing published again


async def test_a_year_not_yet_ended_is_refused() -> None:
    uow = InMemoryCollectionUnit()
    with pytest.raises(YearNotEnded):
        await transfer_premiums_paid(uow, 2027, "U-OP", TODAY)
    assert await uow.tax_transfers.find(2027) is None
