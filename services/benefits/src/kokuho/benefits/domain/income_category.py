"""所得区分 per household and the 70–74 一部負担金割合 (2割/3割), from income facts.

rules.md §3.1 (under 70: the household's total 旧ただし書き所得; オ when the 世帯主, deemed
householder included, and every NHI member are 住民税非課税), §3.2 (70–74 区分) and §3.4:

- 3割 (現役並み) when any 70–74 member has 課税所得 ≥ 145万; the band of the highest such
  member gives Ⅰ (≥ 145万), Ⅱ (≥ 380万), Ⅲ (≥ 690万);
- back to 2割 (一般) when the 70–74 members' 旧ただし書き所得 total ≤ 210万, or by 基準収入額:
  one 70–74 member with 収入 < 383万 (with a 特定同一世帯所属者: the two together < 520万), two
  or more < 520万 together;
- otherwise 低所得Ⅱ when the household is 住民税非課税 as above, 低所得Ⅰ when moreover every
  member passes the zero-income test (the test itself, with its pension deduction, is the
  income source's: rules.md §3.2, §3.8 ❌ for 2026-08), else 一般.

The income year (rules.md §3.1, §3.4): treatment months January–July use the income of two
years before, August–December the previous year's; the 70–74 rate is decided each July on the
previous year's income and applies from August to the following July.

The amounts are used here and never kept: only the categories and the rate are recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from kokuho.benefits.domain.high_cost.household_month import AgeBand
from kokuho.benefits.domain.high_cost.limits import (
    ElderlyCategory,
    Figure,
    Under70Category,
)

ACTIVE = (ElderlyCategory.ACTIVE_3, ElderlyCategory.ACTIVE_2, ElderlyCategory.ACTIVE_1)


@dataclass(frozen=True)
class IncomeLines:
    """The lines of the parameter file ``income-category-*.toml``, in yen."""

    name: str
    a_over: int
    i_over: int
    u_over: int
    active_3_from: int
    active_2_from: int
    active_1_from: int
    old_proviso_total_up_to: int
    revenue_single_under: int
    revenue_several_under: int
    figures: Mapping[str, Figure] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class PersonFacts:
    addressee_number: str
    age_band: AgeBand
    resident_tax_exempt: bool
    taxable_income: int = 0  # 住民税課税所得 (課税標準額), after the child deduction
    old_proviso_income: int = 0  # 旧ただし書き所得
    revenue: int = 0  # 収入額 for 基準収入額
    zero_income: bool = False  # passes the 低所得Ⅰ test


@dataclass(frozen=True)
class HouseholdFacts:
    nhi_household_number: str
    income_year: int
    members: tuple[PersonFacts, ...]
    householder_tax_exempt: bool  # the 世帯主 (deemed householder included)
    #: 特定同一世帯所属者: former members now in 後期, counted in the 520万 test only
    specified_same_household_revenue: tuple[int, ...] = ()
    #: a deemed householder (not a member) passes the zero-income test too (低所得Ⅰ)
    householder_zero_income: bool = True


@dataclass(frozen=True)
class CategoryDecision:
    under_70: Under70Category
    elderly: ElderlyCategory | None
    #: 70–74 members' 一部負担割合 in percent (20 or 30); None without a 70–74 member
    copayment_rate_percent: int | None
    elderly_members: tuple[str, ...]
    basis: tuple[str, ...]


def income_year_for(treatment_month: date) -> int:
    """The income year a treatment month's 所得区分 is judged on (rules.md §3.1 [B02])."""
    return treatment_month.year - (2 if treatment_month.month <= 7 else 1)


def rate_period(income_year: int) -> tuple[date, date]:
    """The August–July a 70–74 rate decided on ``income_year`` applies to (§3.4 [B19])."""
    return date(income_year + 1, 8, 1), date(income_year + 2, 7, 31)


def decide_categories(facts: HouseholdFacts, lines: IncomeLines) -> CategoryDecision:
    exempt = facts.householder_tax_exempt and all(m.resident_tax_exempt for m in facts.members)
    under_70, basis = _under_70(facts, lines, exempt)
    elders = [m for m in facts.members if m.age_band is AgeBand.AGED_70_74]
    if not elders:
        return CategoryDecision(under_70, None, None, (), tuple(basis))
    elderly = _elderly(facts, elders, lines, exempt, basis)
    rate = 30 if elderly in ACTIVE else 20
    basis.append(f"70–74 一部負担割合 {rate // 10}割 (rules.md §3.4)")
    return CategoryDecision(
        under_70, elderly, rate, tuple(m.addressee_number for m in elders), tuple(basis)
    )


def _under_70(
    facts: HouseholdFacts, lines: IncomeLines, exempt: bool
) -> tuple[Under70Category, list[str]]:
    if exempt:
        return Under70Category.O, ["under 70 オ: 世帯主 and every member 住民税非課税 (§3.1)"]
    total = sum(m.old_proviso_income for m in facts.members)
    for category, line in (
        (Under70Category.A, lines.a_over),
        (Under70Category.I, lines.i_over),
        (Under70Category.U, lines.u_over),
    ):
        if total > line:
            return category, [
                f"under 70 {category.value}: 旧ただし書き所得 total > {line:,} (§3.1)"
            ]
    return Under70Category.E, [f"under 70 e: 旧ただし書き所得 total ≤ {lines.u_over:,} (§3.1)"]


def _elderly(
    facts: HouseholdFacts,
    elders: list[PersonFacts],
    lines: IncomeLines,
    exempt: bool,
    basis: list[str],
) -> ElderlyCategory:
    highest = max(m.taxable_income for m in elders)
    if highest >= lines.active_1_from:
        back = _back_to_general(facts, elders, lines)
        if back is not None:
            basis.append(back)
            return ElderlyCategory.GENERAL
        for category, line in (
            (ElderlyCategory.ACTIVE_3, lines.active_3_from),
            (ElderlyCategory.ACTIVE_2, lines.active_2_from),
        ):
            if highest >= line:
                basis.append(f"{category.value}: a 70–74 課税所得 ≥ {line:,} (§3.2)")
                return category
        basis.append(f"active_1: a 70–74 課税所得 ≥ {lines.active_1_from:,} (§3.4)")
        return ElderlyCategory.ACTIVE_1
    if exempt:
        if facts.householder_zero_income and all(m.zero_income for m in facts.members):
            basis.append("low_1: 住民税非課税 and every member's income 0 (§3.2)")
            return ElderlyCategory.LOW_1
        basis.append("low_2: 世帯主 and every member 住民税非課税 (§3.2)")
        return ElderlyCategory.LOW_2
    basis.append(f"general: no 70–74 課税所得 ≥ {lines.active_1_from:,} (§3.4)")
    return ElderlyCategory.GENERAL


def _back_to_general(
    facts: HouseholdFacts, elders: list[PersonFacts], lines: IncomeLines
) -> str | None:
    """The 2割 fallbacks of rules.md §3.4, or None when 3割 stands."""
    old_proviso = sum(m.old_proviso_income for m in elders)
    if old_proviso <= lines.old_proviso_total_up_to:
        return f"general: 70–74 旧ただし書き所得 total ≤ {lines.old_proviso_total_up_to:,} (§3.4)"
    revenue = sum(m.revenue for m in elders)
    if len(elders) == 1 and not facts.specified_same_household_revenue:
        if revenue < lines.revenue_single_under:
            return f"general: 基準収入額 one member < {lines.revenue_single_under:,} (§3.4)"
        return None
    revenue += sum(facts.specified_same_household_revenue)
    if revenue < lines.revenue_several_under:
        return f"general: 基準収入額 together < {lines.revenue_several_under:,} (§3.4)"
    return None
