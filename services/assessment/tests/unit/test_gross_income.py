"""収入 → 所得 at every band boundary (ADR 0036), with the packaged tables.

給与所得: 所得税法28条3項 and 別表第五 (令和2年分以降, NTA タックスアンサー No.1410 「給与所得
控除」 table of 給与所得の金額): e.g. 1,619,000–1,619,999円 → 1,069,000円; 1,628,000–1,799,999円:
収入÷4 (千円未満切捨て) × 2.4 + 100,000; 令和7年分 onwards the minimum is 65万 up to 1,899,999円.
公的年金等控除: 所得税法35条4項 (NTA No.1600): under 65, 60万 up to 129.9万, then ×25%+27.5万 ...;
65+: 110万 up to 329.9万. 所得金額調整控除: 租税特別措置法41条の3の3②.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kokuho.assessment.domain.gross_income import (
    pension_income,
    salary_income,
    salary_pension_adjustment,
    senior_for_pension,
)
from kokuho.assessment.domain.parameters import IncomeConversion, PremiumParameters


@pytest.fixture(scope="module")
def income_2024(fy2025: PremiumParameters) -> IncomeConversion:
    """income year 2024 (FY2025's premium)."""
    assert fy2025.income_conversion is not None
    assert fy2025.income_conversion.income_year == 2024
    return fy2025.income_conversion


@pytest.fixture(scope="module")
def income_2025(fy2026: PremiumParameters) -> IncomeConversion:
    """income year 2025 (FY2026), after the 令和7年度 reform."""
    assert fy2026.income_conversion is not None
    assert fy2026.income_conversion.income_year == 2025
    return fy2026.income_conversion


@pytest.mark.parametrize(
    ("revenue", "income"),
    [
        (0, 0),
        (550_999, 0),  # 〜550,999円: 0
        (551_000, 1_000),  # 551,000円〜1,618,999円: 収入 − 550,000
        (1_618_999, 1_068_999),
        (1_619_000, 1_069_000),  # 1,619,000〜1,619,999: 1,069,000
        (1_619_999, 1_069_000),
        (1_620_000, 1_070_000),  # 1,620,000〜1,621,999: 1,070,000
        (1_621_999, 1_070_000),
        (1_622_000, 1_072_000),  # 1,622,000〜1,623,999: 1,072,000
        (1_623_999, 1_072_000),
        (1_624_000, 1_074_000),  # 1,624,000〜1,627,999: 1,074,000
        (1_627_999, 1_074_000),
        (1_628_000, 1_076_800),  # 407,000 × 2.4 + 100,000
        (1_631_999, 1_076_800),  # same 4,000円 step
        (1_632_000, 1_079_200),  # next step
        (1_799_999, 1_177_600),  # 449,000 × 2.4 + 100,000
        (1_800_000, 1_180_000),  # 450,000 × 2.8 − 80,000
        (3_599_999, 2_437_200),  # 899,000 × 2.8 − 80,000
        (3_600_000, 2_440_000),  # 900,000 × 3.2 − 440,000
        (6_599_999, 4_836_800),  # 1,649,000 × 3.2 − 440,000
        (6_600_000, 4_840_000),  # 収入 × 90% − 1,100,000
        (6_600_004, 4_840_003),  # 4,840,003.6: cut to the yen
        (8_499_999, 6_549_999),  # 7,649,999.1 − 1,100,000, cut to the yen
        (8_500_000, 6_550_000),  # 収入 − 1,950,000 (控除の上限 195万)
        (10_000_000, 8_050_000),
    ],
)
def test_salary_income_income_year_2024(
    income_2024: IncomeConversion, revenue: int, income: int
) -> None:
    done = salary_income(revenue, income_2024)
    assert done.income == income
    assert done.deduction == revenue - income


@pytest.mark.parametrize(
    ("revenue", "income"),
    [
        (650_999, 0),  # 令和7年分: 控除 65万 up to 190万
        (651_000, 1_000),
        (1_625_000, 975_000),  # the old 別表 quirks are gone below 190万
        (1_899_999, 1_249_999),
        (1_900_000, 1_250_000),  # 475,000 × 2.8 − 80,000, continuous with 190万 − 65万
        (1_903_999, 1_250_000),  # 4,000円 steps
        (3_600_000, 2_440_000),  # unchanged above
        (8_500_000, 6_550_000),
    ],
)
def test_salary_income_income_year_2025(
    income_2025: IncomeConversion, revenue: int, income: int
) -> None:
    assert salary_income(revenue, income_2025).income == income


@pytest.mark.parametrize(
    ("revenue", "senior", "income"),
    [
        (600_000, False, 0),  # under 65: 控除 60万
        (600_001, False, 1),
        (1_299_999, False, 699_999),
        (1_300_000, False, 700_000),  # ×75% − 275,000
        (1_300_001, False, 700_000),  # 700,000.75: cut, never rounded to the nearest
        (4_099_999, False, 2_799_999),  # 3,074,999.25 − 275,000, cut to the yen
        (4_100_000, False, 2_800_000),  # ×85% − 685,000
        (7_699_999, False, 5_859_999),
        (7_700_000, False, 5_860_000),  # ×95% − 1,455,000
        (9_999_999, False, 8_044_999),
        (10_000_000, False, 8_045_000),  # − 1,955,000 (上限)
        (1_100_000, True, 0),  # 65+: 控除 110万
        (1_100_001, True, 1),
        (1_680_000, True, 580_000),  # the demo household 9900000002
        (3_299_999, True, 2_199_999),
        (3_300_000, True, 2_200_000),  # ×75% − 275,000
        (4_100_000, True, 2_800_000),  # the same as under 65 from here
    ],
)
def test_pension_income(
    income_2024: IncomeConversion, revenue: int, senior: bool, income: int
) -> None:
    assert pension_income(revenue, senior, 0, income_2024).income == income


@pytest.mark.parametrize(
    ("other", "income"),
    [
        (10_000_000, 400_000),  # 1,000万 exactly: not over, 控除 60万
        (10_000_001, 500_000),  # over 1,000万: 控除 50万
        (20_000_000, 500_000),
        (20_000_001, 600_000),  # over 2,000万: 控除 40万
    ],
)
def test_pension_deduction_falls_with_other_income(
    income_2024: IncomeConversion, other: int, income: int
) -> None:
    assert pension_income(1_000_000, False, other, income_2024).income == income


def test_pension_age_is_taken_at_the_end_of_the_income_year() -> None:
    # age is attained the day before the birthday: born 1959-01-01 is 65 on 2023-12-31
    assert senior_for_pension(date(1959, 1, 1), 2023)
    assert not senior_for_pension(date(1959, 1, 2), 2023)
    assert senior_for_pension(date(1958, 12, 31), 2023)


@pytest.mark.parametrize(
    ("salary", "pension", "adjustment"),
    [
        (0, 500_000, 0),
        (500_000, 0, 0),
        (80_000, 50_000, 30_000),  # 80,000 + 50,000 − 100,000
        (50_000, 50_000, 0),
        (50_001, 50_000, 1),
        (150_000, 200_000, 100_000),  # both at 10万: the most it can be
    ],
)
def test_salary_pension_adjustment(
    income_2024: IncomeConversion, salary: int, pension: int, adjustment: int
) -> None:
    assert salary_pension_adjustment(salary, pension, income_2024) == adjustment


def test_the_salary_conversion_says_how(income_2024: IncomeConversion) -> None:
    done = salary_income(1_631_999, income_2024)
    assert (done.kind, done.revenue, done.income) == ("salary", 1_631_999, 1_076_800)
    assert (done.band_from, done.rate, done.constant) == (1_628_000, Decimal("0.6"), 100_000)
    assert done.note == (
        "給与収入 1631999 → 1628000 (cut to 4000) × 0.6 + (100000) = 給与所得 1076800"
    )
    plain = salary_income(1_000_000, income_2024)
    assert plain.note == "給与収入 1000000 × 1 + (-550000) = 給与所得 450000"


def test_the_pension_conversion_says_how(income_2024: IncomeConversion) -> None:
    done = pension_income(1_300_000, False, 0, income_2024)
    assert (done.kind, done.revenue, done.income, done.deduction) == (
        "pension",
        1_300_000,
        700_000,
        600_000,
    )
    assert (done.band_from, done.rate, done.constant) == (1_300_000, Decimal("0.25"), 275_000)
    assert done.note == (
        "公的年金等収入 1300000 (under 65) − 公的年金等控除 (1300000 × 0.25 + 275000) "
        "= 年金所得 700000"
    )
    senior = pension_income(1_300_000, True, 10_000_001, income_2024)
    assert senior.note == (
        "公的年金等収入 1300000 (65+) − 公的年金等控除 (1300000 × 0 + 1100000 − 100000 "
        "(other income over the threshold)) = 年金所得 300000"
    )
