"""延滞金 and 還付加算金 at their boundaries: the due date itself, the day after, the end of the
early period, a year boundary (two years' rates), a leap year (still 365 days), rounding and
minimums; rates of a year the files do not hold are refused."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.collection.domain.errors import RatesMissing
from kokuho.collection.domain.interest import add_months, late_charge, refund_interest

from .rules import PACKAGED, flat


def test_nothing_is_owed_on_the_due_date_itself() -> None:
    assert late_charge(1_000_000, date(2026, 6, 30), [], date(2026, 6, 30), PACKAGED) == 0


def test_the_day_after_counts_one_day_at_the_early_rate() -> None:
    # 36,500,000 × 10% × 1 / 365 = 10,000 exactly
    rules = flat()
    assert late_charge(36_500_000, date(2026, 6, 30), [], date(2026, 7, 1), rules) == 10_000


def test_early_then_later_rate_of_2026() -> None:
    # 7/1–7/30 early 2.8% (30 days), 7/31–9/30 later 9.1% (62 days):
    # 100,000 × (0.028×30 + 0.091×62) / 365 = 1,775.9 → 1,700 (100円未満切捨て)
    due, paid = date(2026, 6, 30), date(2026, 9, 30)
    assert late_charge(100_000, due, [(paid, 100_000)], paid, PACKAGED) == 1_700


def test_across_a_year_boundary_each_year_has_its_rate() -> None:
    # 2025-12-01..12-30 early 2.4% (30 d), 12-31 later 8.7% (1 d), 2026-01-01..01-31 later
    # 9.1% (31 d): 1,000,000 × (0.72 + 0.087 + 2.821) / 365 = 9,939.7 → 9,900
    due, paid = date(2025, 11, 30), date(2026, 1, 31)
    assert late_charge(1_000_000, due, [(paid, 1_000_000)], paid, PACKAGED) == 9_900


def test_a_leap_year_still_divides_by_365() -> None:
    # 2028-02-01..03-31 is 60 days (29 in February): 365,000 × 10% × 60 / 365 = 6,000
    due, paid = date(2028, 1, 31), date(2028, 3, 31)
    assert late_charge(365_000, due, [], paid, flat()) == 6_000


def test_a_part_payment_lowers_the_base_from_the_next_day() -> None:
    # 730,000 for 10 days (7/1–7/10, the payment day counts) then 365,000 for 10 (7/11–7/20)
    # at 10%: (730,000 × 10 + 365,000 × 10) × 0.1 / 365 = 3,000
    due = date(2026, 6, 30)
    payments = [(date(2026, 7, 10), 365_000), (date(2026, 7, 20), 365_000)]
    assert late_charge(730_000, due, payments, date(2026, 7, 20), flat()) == 3_000


def test_rounding_and_minimums() -> None:
    rules = flat()
    # under the premium minimum (2,000円): nothing at all
    assert late_charge(1_999, date(2026, 6, 30), [], date(2030, 6, 30), rules) == 0
    # base floored to 1,000円: 36,500,999 counts as 36,500,000 → 10,000 for one day
    assert late_charge(36_500_999, date(2026, 6, 30), [], date(2026, 7, 1), rules) == 10_000
    # under 1,000円: none (3,650,000 × 10% / 365 = 1,000 for 1 day; 999 would be dropped)
    assert late_charge(3_650_000, date(2026, 6, 30), [], date(2026, 7, 1), rules) == 1_000
    assert late_charge(3_649_000, date(2026, 6, 30), [], date(2026, 7, 1), rules) == 0


def test_from_the_designated_deadline_only_the_later_rate() -> None:
    rules = flat(late_charge_start="after_designated_deadline")
    due, deadline = date(2026, 6, 30), date(2026, 7, 31)
    assert late_charge(36_500_000, due, [], date(2026, 7, 31), rules, deadline) == 0
    assert late_charge(36_500_000, due, [], date(2026, 8, 1), rules, deadline) == 10_000
    assert late_charge(36_500_000, due, [], date(2026, 8, 1), rules, None) == 0


def test_a_year_without_rates_is_refused() -> None:
    with pytest.raises(RatesMissing, match="2031"):
        late_charge(100_000, date(2030, 12, 31), [], date(2031, 1, 1), PACKAGED)


def test_refund_interest_runs_from_the_day_after_payment_to_the_decision() -> None:
    rules = flat()
    # paid 2026-07-01: 7/2..7/11 = 10 days on 365,000 at 10% = 1,000
    assert refund_interest([(date(2026, 7, 1), 365_000)], date(2026, 7, 11), rules) == 1_000
    assert refund_interest([(date(2026, 7, 1), 365_000)], date(2026, 7, 1), rules) == 0
    # under 1,000円 of interest: none
    assert refund_interest([(date(2026, 7, 1), 365_000)], date(2026, 7, 10), rules) == 0


def test_refund_interest_at_the_2025_and_2026_rates() -> None:
    # 2025-12-02..12-31 (30 d at 0.9%) and 2026-01-01..03-31 (90 d at 1.3%) on 1,000,000:
    # (0.009×30 + 0.013×90) × 1,000,000 / 365 = 3,945.2 → 3,900
    paid = date(2025, 12, 1)
    assert refund_interest([(paid, 1_000_000)], date(2026, 3, 31), PACKAGED) == 3_900


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 6, 30), 1, date(2026, 7, 30)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


def _full(amount: int, due: date, payments: list[tuple[date, int]], until: date) -> int:
    """The same 延滞金 without the shortcut that answers 0 below the minimum."""
    from decimal import Decimal

    from kokuho.collection.domain.interest import ONE_DAY, spans, total

    rules = PACKAGED
    if amount < rules.late_charge.premium_minimum:
        return 0
    early_last = add_months(due, rules.early_months)
    ordered = sorted(payments)

    def base_on(day: date) -> int:
        return max(0, amount - sum(yen for paid, yen in ordered if paid < day))

    def rate_on(day: date) -> Decimal:
        year = rules.year(day.year)
        return year.later if day > early_last else year.early

    breaks = [paid + ONE_DAY for paid, _ in ordered] + [early_last + ONE_DAY]
    items = spans(due + ONE_DAY, until, base_on, rate_on, breaks)
    return total(items, rules.late_charge, rules.days_in_year)


@pytest.mark.parametrize(
    ("amount", "days"),
    [(10_000, 155), (20_000, 400), (12_999, 366), (50_000, 40), (49_000, 90), (9_999, 600)],
)
def test_the_below_minimum_shortcut_answers_what_the_full_sum_answers(
    amount: int, days: int
) -> None:
    # around the 1,000-yen minimum: a payment in parts, and a reversal dated before it that
    # lifts the base above the charge for a while
    due = date(2025, 4, 30)
    until = date.fromordinal(due.toordinal() + days)
    for payments in (
        [],
        [(date(2025, 5, 20), amount // 2), (until, amount - amount // 2)],
        [(date(2025, 5, 10), -amount // 3), (date(2025, 5, 20), amount + amount // 3)],
    ):
        expected = _full(amount, due, payments, until)
        assert late_charge(amount, due, payments, until, PACKAGED) == expected


def test_a_year_without_rates_is_refused_even_below_the_minimum() -> None:
    due = date(2026, 11, 30)
    with pytest.raises(RatesMissing):
        late_charge(10_000, due, [], date(2027, 1, 5), PACKAGED)


def test_the_below_minimum_answer_is_each_rules_own() -> None:
    """The highest rate is kept per rules and years: other rules over the same days (here a
    rate ten times higher, whose bound is no longer under the minimum) answer by their own."""
    due, paid = date(2026, 6, 30), date(2026, 7, 10)
    # 100,000 × 1% × 10 / 365 = 27 (under 1,000: none); at 10%: 273; at 100%: 2,739 → 2,700
    for _ in range(2):
        assert late_charge(100_000, due, [], paid, flat("0.01")) == 0
        assert late_charge(100_000, due, [], paid, flat("1")) == 2_700
    with pytest.raises(RatesMissing):
        late_charge(100_000, due, [], paid, flat("1", years=range(2020, 2026)))
