"""Building ledgers in unit tests through decide and replay."""

from __future__ import annotations

from datetime import date

from kokuho.collection.domain import charging, matching
from kokuho.collection.domain.ledger import Event, Ledger, replay
from kokuho.collection.domain.parameters import CollectionRules

HOUSEHOLD = "9950000001"
FY = 2026


def dues(fiscal_year: int = FY) -> list[date]:
    months = (6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
    return [date(fiscal_year + (m < 4), m, 28) for m in months]


def assessed(
    amounts: list[int], revision: int = 1, fiscal_year: int = FY, on: date | None = None
) -> charging.AssessCharges:
    return charging.AssessCharges(
        f"a{revision}",
        fiscal_year,
        revision,
        "assessment" if revision == 1 else "correction",
        [
            charging.Instalment(p, d, a)
            for p, (d, a) in enumerate(zip(dues(fiscal_year), amounts, strict=False), start=1)
        ],
        "system:test",
        on or date(fiscal_year, 6, 15),
    )


def apply(ledger: Ledger, events: list[Event]) -> Ledger:
    return replay(ledger.household, events, ledger)


def assess(ledger: Ledger, command: charging.AssessCharges) -> Ledger:
    return apply(ledger, charging.assess(ledger, command))


def pay(
    ledger: Ledger,
    rules: CollectionRules,
    amount: int,
    paid_on: date,
    period: int | None = None,
    ref: str = "R1",
    fiscal_year: int = FY,
) -> tuple[Ledger, list[Event]]:
    command = matching.ReceivePayment(
        f"p-{ref}", amount, "bank", fiscal_year if period else None, period, ref, paid_on, paid_on
    )
    events = matching.receive(ledger, command, rules)
    return apply(ledger, events), events
