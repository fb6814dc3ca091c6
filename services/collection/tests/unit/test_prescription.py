"""時効 dates (国保法110条, 民法140条, 143条): 2 years from the day after the 納期限, renewed by
a 督促 (from its 指定期限), a part payment, a seizure; leap days and month ends."""

from __future__ import annotations

from datetime import date

from kokuho.collection.domain.prescription import lapses_on, period_end


def test_two_years_from_the_day_after_the_due_date() -> None:
    # due 2026-06-30: the period is 2026-07-01..2028-06-30; lapsed from 2028-07-01
    assert lapses_on(date(2026, 6, 30), [], 2) == date(2028, 7, 1)


def test_the_last_day_is_not_yet_lapsed() -> None:
    assert period_end(date(2026, 7, 1), 2) == date(2028, 6, 30)


def test_a_renewal_starts_the_period_again() -> None:
    due = date(2026, 6, 30)
    # a 督促 whose 指定期限 is 2026-07-30 and a part payment on 2027-03-15
    assert lapses_on(due, [date(2026, 7, 30)], 2) == date(2028, 7, 31)
    assert lapses_on(due, [date(2026, 7, 30), date(2027, 3, 15)], 2) == date(2029, 3, 16)
    # an earlier act does not shorten it
    assert lapses_on(due, [date(2026, 1, 1)], 2) == date(2028, 7, 1)


def test_a_period_from_a_leap_day_ends_at_the_months_end() -> None:
    # from 2028-02-29: no 2030-02-29, so it ends on 2030-02-28 (民法143条2項)
    assert period_end(date(2028, 2, 29), 2) == date(2030, 2, 28)
    assert lapses_on(date(2028, 2, 28), [], 2) == date(2030, 3, 1)


def test_across_a_leap_year() -> None:
    # due 2027-02-28: from 2027-03-01 to 2029-02-28, lapsed 2029-03-01
    assert lapses_on(date(2027, 2, 28), [], 2) == date(2029, 3, 1)
