"""期割: Hiroshima's ten due dates (standard-and-rates.md B.4, derived from the FY2020 rule) and
the split of the annual amount, including corrections."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kokuho.assessment.adapters.holidays import is_public_holiday
from kokuho.assessment.domain.instalments import Instalment, due_dates, split
from kokuho.assessment.domain.parameters import PremiumParameters

FY2025_DUE = [  # standard-and-rates.md B.4, FY2025 column
    date(2025, 6, 30),
    date(2025, 7, 31),
    date(2025, 9, 1),
    date(2025, 9, 30),
    date(2025, 10, 31),
    date(2025, 12, 1),
    date(2026, 1, 5),
    date(2026, 2, 2),
    date(2026, 3, 2),
    date(2026, 3, 31),
]
FY2026_DUE = [  # FY2026 column
    date(2026, 6, 30),
    date(2026, 7, 31),
    date(2026, 8, 31),
    date(2026, 9, 30),
    date(2026, 11, 2),
    date(2026, 11, 30),
    date(2027, 1, 4),
    date(2027, 2, 1),
    date(2027, 3, 1),
    date(2027, 3, 31),
]


def test_fy2025_due_dates(fy2025: PremiumParameters) -> None:
    assert due_dates(2025, fy2025.instalments, is_public_holiday) == FY2025_DUE


def test_fy2026_due_dates(fy2026: PremiumParameters) -> None:
    assert due_dates(2026, fy2026.instalments, is_public_holiday) == FY2026_DUE


def test_fy2020_calendar_of_the_source(fy2025: PremiumParameters) -> None:
    # rules.md 2.6 [R01]: FY2020 10/31 (Sat) → 11/2, 12/31 → 1/4, 1/31 (Sun) → 2/1, 2/28 → 3/1
    dues = due_dates(2020, fy2025.instalments, is_public_holiday)
    assert dues[4:] == [
        date(2020, 11, 2),
        date(2020, 11, 30),
        date(2021, 1, 4),
        date(2021, 2, 1),
        date(2021, 3, 1),
        date(2021, 3, 31),
    ]


def test_first_assessment_before_the_first_due_date() -> None:
    # 316,000 / 10 = 31,600 each
    parts = split(316_000, FY2026_DUE, date(2026, 6, 1), 100)
    assert [p.amount for p in parts] == [31_600] * 10


def test_remainder_goes_to_the_first_period() -> None:
    # 307,750 / 10 = 30,775 → 30,700 each, remainder 750 in 第1期
    parts = split(307_750, FY2026_DUE, date(2026, 6, 1), 100)
    assert parts[0].amount == 31_450
    assert [p.amount for p in parts[1:]] == [30_700] * 9
    assert sum(p.amount for p in parts) == 307_750


def test_late_first_assessment_spreads_over_the_open_periods() -> None:
    # assessed 2026-11-26: 第6期 (11/30) to 第10期 open: 316,000 / 5 = 63,200
    parts = split(316_000, FY2026_DUE, date(2026, 11, 26), 100)
    assert [p.amount for p in parts] == [0] * 5 + [63_200] * 5


def test_correction_keeps_due_periods_and_shows_the_difference() -> None:
    first = split(316_000, FY2026_DUE, date(2026, 6, 1), 100)
    # a loss halves the annual amount to 158,000 on 2026-11-26: 第1–5期 paid 158,000 already
    corrected = split(158_000, FY2026_DUE, date(2026, 11, 26), 100, first)
    assert [p.amount for p in corrected] == [31_600] * 5 + [0] * 5
    assert [p.difference for p in corrected] == [0] * 5 + [-31_600] * 5


def test_correction_below_what_is_due_reduces_from_the_latest_due_period() -> None:
    first = split(316_000, FY2026_DUE, date(2026, 6, 1), 100)
    corrected = split(100_000, FY2026_DUE, date(2026, 11, 26), 100, first)
    # due: 5 × 31,600 = 158,000; 58,000 too much: 第5期 −31,600 → 0, 第4期 −26,400 → 5,200
    assert [p.amount for p in corrected] == [31_600, 31_600, 31_600, 5_200] + [0] * 6
    assert sum(p.amount for p in corrected) == 100_000


def test_after_the_last_due_date_everything_goes_to_the_last_period() -> None:
    parts = split(50_000, FY2026_DUE, date(2027, 4, 15), 100)
    assert parts[-1].amount == 50_000


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 2_000_000),
    st.integers(0, 2_000_000),
    st.dates(date(2026, 4, 1), date(2027, 5, 1)),
    st.dates(date(2026, 4, 1), date(2027, 5, 1)),
)
def test_instalments_always_sum_to_the_annual_amount(
    first: int, second: int, day1: date, day2: date
) -> None:
    a, b = sorted([day1, day2])
    one = split(first, FY2026_DUE, a, 100)
    two = split(second, FY2026_DUE, b, 100, one)
    assert sum(p.amount for p in one) == first
    assert sum(p.amount for p in two) == second
    assert all(p.amount >= 0 for p in one + two)
    assert all(p.difference == p.amount - o.amount for p, o in zip(two, one, strict=True))


@pytest.mark.parametrize("period", [1, 10])
def test_instalment_numbers(period: int) -> None:
    parts = split(1_000, FY2026_DUE, date(2026, 1, 1), 100)
    assert isinstance(parts[period - 1], Instalment)
    assert parts[period - 1].period == period
