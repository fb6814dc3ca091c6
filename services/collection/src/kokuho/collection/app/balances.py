"""A household's balance by fiscal year and instalment as of any day, for the counter:
charged, paid, outstanding, overdue, 延滞金 (fixed or accrued to the day), written off, and the
overpayment it holds (refundable). Replayed from the household's events up to that day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kokuho.collection.app.ledgers import stream_id
from kokuho.collection.app.ports import CollectionUnitPort
from kokuho.collection.app.translate import from_recorded
from kokuho.collection.domain.errors import HouseholdNotFound
from kokuho.collection.domain.jobs import lapse_day, late_charge_on
from kokuho.collection.domain.ledger import Ledger, as_of
from kokuho.collection.domain.parameters import CollectionRules


@dataclass(frozen=True)
class InstalmentBalance:
    fiscal_year: int
    period: int
    due_date: date
    charged: int
    paid: int
    outstanding: int
    overdue: int
    late_charge: int
    late_charge_paid: int
    written_off: int
    dunned_on: date | None
    designated_deadline: date | None
    lapses_on: date
    written_off_on: date | None  # 不納欠損 recorded (delinquency's ArrearWrittenOff)


@dataclass(frozen=True)
class Balance:
    household: str
    as_of: date
    instalments: list[InstalmentBalance]
    received: int
    refundable: int
    refunded: int


def balance_of(ledger: Ledger, day: date, rules: CollectionRules) -> Balance:
    rows = [
        InstalmentBalance(
            c.fiscal_year,
            c.period,
            c.due_date,
            c.amount,
            c.paid,
            c.outstanding,
            c.outstanding if c.due_date < day else 0,
            late_charge_on(c, day, rules),
            c.late_charge_paid,
            c.written_off,
            c.dunned_on,
            c.designated_deadline,
            lapse_day(c, rules),
            c.written_off_on,
        )
        for c in sorted(ledger.charges.values(), key=lambda c: c.key)
    ]
    return Balance(ledger.household, day, rows, ledger.received, ledger.held_total, ledger.refunded)


async def read_balance(
    uow: CollectionUnitPort, rules: CollectionRules, household: str, day: date
) -> Balance:
    async with uow:
        recorded = await uow.events.load(stream_id(household))
        await uow.audit.record(subjects=[household], detail={"balance_as_of": day.isoformat()})
    if not recorded:
        raise HouseholdNotFound(f"no charges for household {household}")
    ledger = as_of(household, [from_recorded(r) for r in recorded], day)
    return balance_of(ledger, day, rules)
