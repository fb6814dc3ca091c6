"""収入 → 所得: 給与所得 from 給与収入 and 公的年金等に係る雑所得 from 公的年金等収入, by the
income year's tables (parameter ``income_conversion``; ADR 0036).

- 給与所得 (所得税法28条, 別表第五): the band of the revenue; from 1,628,000円 (2025: 1,900,000円)
  to 6,599,999円 the revenue is first cut to 4,000円 steps, as the table does.
- 公的年金等控除 (所得税法35条4項): by age at December 31 of the income year (65 and over /
  under 65) and reduced by 10万 (other 合計所得 over 1,000万) or 20万 (over 2,000万); the
  income is cut to the yen.
- 所得金額調整控除 (租税特別措置法41条の3の3②): a person with both 給与所得 and 年金所得 takes
  min(給与所得, 10万) + min(年金所得, 10万) − 10万 off the 給与所得.

The tax data's figures win where they are known (the income file carries both and checks
them); the conversion is for a stated gross amount (the what-if at the counter).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kokuho.assessment.domain.calendar import age_on
from kokuho.assessment.domain.parameters.model import IncomeBand, IncomeConversion

SENIOR_AGE = 65


@dataclass(frozen=True)
class Converted:
    """One conversion with what the explanation shows."""

    kind: str  # "salary" | "pension"
    revenue: int
    income: int
    deduction: int  # revenue − income
    band_from: int  # the row of the table used
    rate: Decimal
    constant: int
    note: str


def _band(table: tuple[IncomeBand, ...], revenue: int) -> IncomeBand:
    chosen = table[0]
    for band in table:
        if revenue >= band.from_revenue:
            chosen = band
    return chosen


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding="ROUND_FLOOR"))


def salary_income(revenue: int, conversion: IncomeConversion) -> Converted:
    """給与所得 from 給与収入 (所得税法別表第五 / 28条3項)."""
    band = _band(conversion.salary, revenue)
    cut = revenue // band.step * band.step
    income = max(0, _floor(cut * band.rate) + band.constant)
    note = f"給与収入 {revenue}"
    if band.step > 1:
        note += f" → {cut} (cut to {band.step})"
    note += f" × {band.rate} + ({band.constant}) = 給与所得 {income}"
    return Converted(
        "salary",
        revenue,
        income,
        revenue - income,
        band.from_revenue,
        band.rate,
        band.constant,
        note,
    )


def senior_for_pension(birth_date: date, income_year: int) -> bool:
    """65 and over at December 31 of the income year (the age 公的年金等控除 uses)."""
    return age_on(birth_date, date(income_year, 12, 31)) >= SENIOR_AGE


def pension_income(
    revenue: int, senior: bool, other_income: int, conversion: IncomeConversion
) -> Converted:
    """公的年金等に係る雑所得 from 公的年金等収入 (所得税法35条4項): ``other_income`` is the
    合計所得 other than the pension (it selects the 10万/20万 reduction of the deduction)."""
    table = conversion.pension_65_plus if senior else conversion.pension_under_65
    band = _band(table, revenue)
    reduced_by = 0
    for over, amount in conversion.pension_other_income_over:
        if other_income > over:
            reduced_by = amount
    deduction = revenue * band.rate + band.constant - reduced_by
    income = max(0, _floor(revenue - deduction))
    age = "65+" if senior else "under 65"
    note = (
        f"公的年金等収入 {revenue} ({age}) − 公的年金等控除 ({revenue} × {band.rate} + "
        f"{band.constant}"
        + (f" − {reduced_by} (other income over the threshold)" if reduced_by else "")
        + f") = 年金所得 {income}"
    )
    return Converted(
        "pension",
        revenue,
        income,
        revenue - income,
        band.from_revenue,
        band.rate,
        band.constant,
        note,
    )


def salary_pension_adjustment(salary: int, pension: int, conversion: IncomeConversion) -> int:
    """所得金額調整控除 for someone with both 給与所得 and 年金所得 (0 otherwise: with either at 0
    the sum of the two minimums cannot exceed the limit)."""
    limit = conversion.salary_pension_adjustment
    return max(0, min(salary, limit) + min(pension, limit) - limit)
