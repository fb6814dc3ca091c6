"""The collection retention rule (C-95: until fully paid, then 5 years; ADR 0100): only a
ledger settled in every direction is erased, from the fifth anniversary of its last movement;
a charge written off or lapsed unpaid, 延滞金 owed, an overpayment held, a change or a work
item waiting, or a 返納金 charge keep it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from types import MappingProxyType

import pytest

from kokuho.collection.domain import retention as r
from kokuho.collection.domain.charges import Charge, Charges, PendingChange
from kokuho.collection.domain.ledger import Held, Ledger
from kokuho.platform.retention import WITHIN_RETENTION, RetentionPeriod

PERIOD = RetentionPeriod(5, "test", "confirmed")
NOTHING_OUTSIDE = r.Outside(last_event_on=None, open_work_items=0, repayment_charges=0)
PAID = Charge(2026, 1, date(2026, 6, 30), 3_000, paid=3_000, payments=((date(2026, 7, 1), 3_000),))


def ledger(*charges: Charge, **changes: object) -> Ledger:
    built = Ledger("9950000001", charges=Charges({c.key: c for c in charges}))
    return replace(built, **changes)  # type: ignore[arg-type]


def test_settled_is_erased_on_the_anniversary_of_its_last_movement() -> None:
    paid = ledger(PAID)
    assert r.last_movement(paid, NOTHING_OUTSIDE) == date(2026, 7, 1)
    day_before, itself = date(2031, 6, 30), date(2031, 7, 1)
    assert r.keep_reason(paid, NOTHING_OUTSIDE, day_before, PERIOD) == WITHIN_RETENTION
    assert r.keep_reason(paid, NOTHING_OUTSIDE, itself, PERIOD) is None
    later_event = replace(NOTHING_OUTSIDE, last_event_on=date(2026, 8, 1))
    assert r.keep_reason(paid, later_event, itself, PERIOD) == WITHIN_RETENTION
    assert r.keep_reason(paid, later_event, date(2031, 8, 1), PERIOD) is None


@pytest.mark.parametrize(
    ("kept", "reason"),
    [
        (ledger(replace(PAID, paid=2_999)), r.UNPAID),
        (ledger(replace(PAID, late_charge=100)), r.UNPAID),
        (ledger(replace(PAID, paid=0, written_off=3_000)), r.WRITTEN_OFF),
        (ledger(replace(PAID, lapsed_on=date(2028, 7, 1))), r.WRITTEN_OFF),
        (ledger(PAID, held=(Held(500, date(2026, 7, 1)),)), r.OVERPAYMENT_HELD),
        (
            ledger(
                PAID,
                pending=MappingProxyType(
                    {"c1": PendingChange("c1", 2026, 1, 2_000, None, "誤り", "U-1")}
                ),
            ),
            r.CHANGE_PENDING,
        ),
    ],
)
def test_anything_owed_either_way_keeps_the_ledger_for_ever(kept: Ledger, reason: str) -> None:
    assert r.keep_reason(kept, NOTHING_OUTSIDE, date(2099, 1, 1), PERIOD) == reason


def test_what_lies_outside_the_ledger_keeps_it() -> None:
    paid = ledger(PAID)
    item = replace(NOTHING_OUTSIDE, open_work_items=1)
    repayment = replace(NOTHING_OUTSIDE, repayment_charges=1)
    assert r.keep_reason(paid, item, date(2099, 1, 1), PERIOD) == r.WORK_ITEM_OPEN
    assert r.keep_reason(paid, repayment, date(2099, 1, 1), PERIOD) == r.REPAYMENT_CHARGE
