"""The income facts assessment states (ADR 0045) turned into the facts a 所得区分 decision is
judged on: who is 70–74 in the rate period, and the 低所得Ⅰ zero-income test. Pure.

- A member counts as 70–74 for the decision on income year Y when they attain 70 by the end
  of the period it applies to (August Y+1 – July Y+2: the rate applies from the month after
  the 70th birthday, rules.md §3.4) and are not yet 75 at its start; a member 75 or older at
  its start is in 後期高齢者医療 and left out. Ages are attained the day before the birthday
  (年齢計算ニ関スル法律).
- Zero income (rules.md §3.2): 給与所得 less the salary deduction, 公的年金等収入 less the
  pension deduction (each not below 0) and the other income add up to 0; the figures by the
  period's first day (``parameters/zero-income.toml``, the 2026-08 figure ❌ configuration).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from kokuho.benefits.domain.high_cost.household_month import AgeBand
from kokuho.benefits.domain.high_cost.limits import Figure


@dataclass(frozen=True)
class ZeroIncomeFigures:
    effective_from: date
    pension_deduction: Figure
    salary_deduction: Figure


@dataclass(frozen=True)
class ZeroIncomeRule:
    periods: tuple[ZeroIncomeFigures, ...]

    def on(self, day: date) -> ZeroIncomeFigures:
        found = [p for p in self.periods if p.effective_from <= day]
        if not found:
            raise LookupError(f"no zero-income figures for {day.isoformat()}")
        return max(found, key=lambda p: p.effective_from)


def age_on(birth_date: date, day: date) -> int:
    """The age attained on ``day`` (an age is attained the day before the birthday)."""
    after = day + timedelta(days=1)
    return (
        after.year
        - birth_date.year
        - ((after.month, after.day) < (birth_date.month, birth_date.day))
    )


def age_band_in_period(birth_date: date, start: date, end: date) -> AgeBand | None:
    """The member's band for a rate period; None: 75 or older at its start (後期)."""
    if age_on(birth_date, start) >= 75:
        return None
    if age_on(birth_date, end) >= 70:
        return AgeBand.AGED_70_74
    return AgeBand.UNDER_70


def _yen(figure: Figure) -> int:
    if not isinstance(figure.value, int):
        raise TypeError(f"{figure.source}: not integer yen")
    return figure.value


def is_zero_income(
    salary_income: int, pension_revenue: int, other_income: int, figures: ZeroIncomeFigures
) -> bool:
    salary = max(0, salary_income - _yen(figures.salary_deduction))
    pension = max(0, pension_revenue - _yen(figures.pension_deduction))
    return salary + pension + other_income <= 0
