"""所得区分 and the 70–74 rate at every line of rules.md §3.1, §3.2 and §3.4."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.benefits.domain.high_cost.household_month import AgeBand
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory as E
from kokuho.benefits.domain.high_cost.limits import Under70Category as U
from kokuho.benefits.domain.income_category import (
    HouseholdFacts,
    PersonFacts,
    decide_categories,
    income_year_for,
    rate_period,
)
from kokuho.benefits.parameters import load_income_lines

LINES = load_income_lines()


def household(
    *members: PersonFacts, exempt: bool = False, specified: tuple[int, ...] = ()
) -> HouseholdFacts:
    return HouseholdFacts("9920000001", 2025, members, exempt, specified)


def young(old_proviso: int, *, exempt: bool = False) -> PersonFacts:
    return PersonFacts("9910000001", AgeBand.UNDER_70, exempt, old_proviso_income=old_proviso)


def elder(
    taxable: int,
    *,
    old_proviso: int = 3_000_000,
    revenue: int = 6_000_000,
    number: str = "9910000002",
    exempt: bool = False,
    zero: bool = False,
) -> PersonFacts:
    return PersonFacts(number, AgeBand.AGED_70_74, exempt, taxable, old_proviso, revenue, zero)


@pytest.mark.parametrize(
    ("total", "category"),
    [
        (9_010_001, U.A),
        (9_010_000, U.I),
        (6_000_001, U.I),
        (6_000_000, U.U),
        (2_100_001, U.U),
        (2_100_000, U.E),
        (0, U.E),
    ],
)
def test_under_70_lines(total: int, category: U) -> None:
    assert decide_categories(household(young(total)), LINES).under_70 is category


def test_a_tax_exempt_household_is_o_only_with_the_householder_exempt_too() -> None:
    member = young(0, exempt=True)
    assert decide_categories(household(member, exempt=True), LINES).under_70 is U.O
    assert decide_categories(household(member, exempt=False), LINES).under_70 is U.E


@pytest.mark.parametrize(
    ("taxable", "category", "rate"),
    [
        (1_449_999, E.GENERAL, 20),
        (1_450_000, E.ACTIVE_1, 30),
        (3_799_999, E.ACTIVE_1, 30),
        (3_800_000, E.ACTIVE_2, 30),
        (6_899_999, E.ACTIVE_2, 30),
        (6_900_000, E.ACTIVE_3, 30),
    ],
)
def test_70_74_taxable_income_lines(taxable: int, category: E, rate: int) -> None:
    decision = decide_categories(household(elder(taxable)), LINES)
    assert (decision.elderly, decision.copayment_rate_percent) == (category, rate)
    assert decision.elderly_members == ("9910000002",)


@pytest.mark.parametrize(("old_proviso", "rate"), [(2_100_000, 20), (2_100_001, 30)])
def test_back_to_2_wari_when_the_old_proviso_total_is_at_most_210man(
    old_proviso: int, rate: int
) -> None:
    decision = decide_categories(household(elder(2_000_000, old_proviso=old_proviso)), LINES)
    assert decision.copayment_rate_percent == rate


@pytest.mark.parametrize(("revenue", "rate"), [(3_829_999, 20), (3_830_000, 30)])
def test_the_383man_revenue_line_with_one_member(revenue: int, rate: int) -> None:
    decision = decide_categories(household(elder(2_000_000, revenue=revenue)), LINES)
    assert decision.copayment_rate_percent == rate


@pytest.mark.parametrize(("second", "rate"), [(1_199_999, 20), (1_200_000, 30)])
def test_the_520man_revenue_line_with_two_members(second: int, rate: int) -> None:
    first = elder(2_000_000, revenue=4_000_000)
    other = elder(0, old_proviso=0, revenue=second, number="9910000003")
    decision = decide_categories(household(first, other), LINES)
    assert decision.copayment_rate_percent == rate
    assert set(decision.elderly_members) == {"9910000002", "9910000003"}


def test_a_specified_same_household_member_counts_in_the_520man_test() -> None:
    alone = decide_categories(household(elder(2_000_000, revenue=4_000_000)), LINES)
    with_former = decide_categories(
        household(elder(2_000_000, revenue=4_000_000), specified=(1_000_000,)), LINES
    )
    assert alone.copayment_rate_percent == 30  # 400万 ≥ 383万
    assert with_former.copayment_rate_percent == 20  # 500万 < 520万


def test_low_income_categories() -> None:
    poor = elder(0, old_proviso=0, revenue=0, exempt=True)
    assert decide_categories(household(poor, exempt=True), LINES).elderly is E.LOW_2
    zero = elder(0, old_proviso=0, revenue=0, exempt=True, zero=True)
    assert decide_categories(household(zero, exempt=True), LINES).elderly is E.LOW_1
    assert decide_categories(household(zero, exempt=False), LINES).elderly is E.GENERAL


def test_no_70_74_member_no_rate() -> None:
    decision = decide_categories(household(young(0)), LINES)
    assert (decision.elderly, decision.copayment_rate_percent) == (None, None)


@pytest.mark.parametrize(
    ("month", "year"),
    [
        (date(2026, 1, 1), 2024),
        (date(2026, 7, 1), 2024),
        (date(2026, 8, 1), 2025),
        (date(2026, 12, 1), 2025),
    ],
)
def test_the_income_year_of_a_treatment_month(month: date, year: int) -> None:
    assert income_year_for(month) == year


def test_the_rate_applies_from_august_to_the_next_july() -> None:
    assert rate_period(2025) == (date(2026, 8, 1), date(2027, 7, 31))
