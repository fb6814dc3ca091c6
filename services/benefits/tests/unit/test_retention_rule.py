"""The benefits retention rule (C-95: 5 years from the date the benefit was received; ADR
0100): from the payment date (a later revision: its day; nothing paid: the decision), the day
before kept and the anniversary erasable; undecided and unpaid benefits kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from kokuho.benefits.domain import retention as r
from kokuho.platform.retention import WITHIN_RETENTION, RetentionPeriod

PERIOD = RetentionPeriod(5, "test", "confirmed")
PAID = r.Benefit(
    r.LUMP_SUM, "lump-sum-funeral-9910000001", date(2026, 12, 1), date(2026, 12, 15), False
)


def test_counted_from_the_payment_date() -> None:
    assert r.keep_reason(PAID, date(2031, 12, 14), PERIOD) == WITHIN_RETENTION
    assert r.keep_reason(PAID, date(2031, 12, 15), PERIOD) is None


def test_nothing_paid_counts_from_the_decision_and_a_later_revision_from_its_day() -> None:
    refused = replace(PAID, paid_on=None)
    assert r.keep_reason(refused, date(2031, 11, 30), PERIOD) == WITHIN_RETENTION
    assert r.keep_reason(refused, date(2031, 12, 1), PERIOD) is None
    revised = replace(PAID, decided_on=date(2027, 3, 1))
    assert r.keep_reason(revised, date(2032, 2, 29), PERIOD) == WITHIN_RETENTION
    assert r.keep_reason(revised, date(2032, 3, 1), PERIOD) is None


def test_undecided_or_unpaid_is_kept_for_ever() -> None:
    assert r.keep_reason(replace(PAID, decided_on=None), date(2099, 1, 1), PERIOD) == r.NOT_DECIDED
    assert r.keep_reason(replace(PAID, unpaid=True), date(2099, 1, 1), PERIOD) == r.NOT_PAID
    assert r.class_of("high-cost-9920000001-2026-08") == r.HIGH_COST
    assert r.class_of("repayment-9910000001-2026-04-01") is None


def test_claims_count_from_the_last_day_of_their_month_and_wait_for_its_decision() -> None:
    february = date(2028, 2, 1)  # a leap February: its last day is the 29th
    assert r.last_day(february) == date(2028, 2, 29)
    assert r.claims_keep_reason(february, False, date(2033, 2, 28), PERIOD) == WITHIN_RETENTION
    assert r.claims_keep_reason(february, False, date(2033, 3, 1), PERIOD) is None
    assert r.claims_keep_reason(february, True, date(2099, 1, 1), PERIOD) == r.DECISION_HELD
