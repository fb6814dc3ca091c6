"""The premium parameters of one fiscal year as the engine sees them: the national figures
(caps, reduction thresholds) and the city's rates and conventions, with every figure used kept
by its dotted name for citing (source and confidence mark)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Component(StrEnum):
    """The components of the NHI premium, each assessed and capped separately."""

    MEDICAL = "medical"  # 基礎賦課額 (医療分)
    ELDERLY_SUPPORT = "elderly_support"  # 後期高齢者支援金等賦課額 (支援分)
    LONG_TERM_CARE = "long_term_care"  # 介護納付金賦課額 (介護分), members aged 40–64
    CHILD_SUPPORT = "child_support"  # 子ども・子育て支援納付金賦課額 (子ども分), from FY2026


@dataclass(frozen=True)
class Figure:
    value: Any
    mark: str
    source: str
    configuration: bool


@dataclass(frozen=True)
class ComponentRates:
    component: Component
    income_rate: Decimal  # 所得割率
    asset_rate: Decimal  # 資産割率 (0 where the city does not use 資産割)
    per_capita: int  # 均等割額
    per_household: int  # 平等割額
    cap: int  # the city's 賦課限度額 (never above the statutory cap)
    adult_per_capita: int = 0  # 18歳以上均等割 (子ども分 only)
    specified_per_household: int | None = None  # 平等割 of a 特定世帯
    specified_continuing_per_household: int | None = None  # 平等割 of a 特定継続世帯
    statutory_reductions_apply: bool = True  # 7/5/2割 on 均等割/平等割
    childbirth_exemption_applies: bool = True  # 産前産後 on 所得割/均等割
    under_18_per_capita_exempt: bool = False  # 子ども分: 10割 reduction under 18


@dataclass(frozen=True)
class ReductionRules:
    """軽減判定 (国民健康保険法施行令29条の7)."""

    seventy_base: int  # 43万
    earner_addition: int  # 10万 × (給与所得者等の数 − 1)
    fifty_per_head: int
    twenty_per_head: int
    earner_salary_revenue_over: int  # 給与収入 > 55万
    earner_pension_revenue_over_under_65: int  # 公的年金等収入 > 60万
    earner_pension_revenue_over_65_plus: int  # > 125万
    pension_deduction_65_plus: int  # 15万 off 年金所得 for the test only


@dataclass(frozen=True)
class Conventions:
    """Calculation conventions that differ by city (rules.md 5b)."""

    rounding_unit: int  # e.g. 100: cut to the 100円 below
    rounding_level: str  # "component": per component before the cap; "total": the sum
    reduced_levy_rounding: str  # "per_member": floor each reduced amount; "household": the sum
    prorated_rounding_unit: int  # unit a prorated (月割) component is cut to


@dataclass(frozen=True)
class InstalmentCalendar:
    """普通徴収 instalments (納期)."""

    periods: int  # 10 in Hiroshima
    first_month: int  # 6 = June
    closed_days: frozenset[tuple[int, int]]  # (month, day) the city office is closed
    amount_unit: int  # instalments in multiples of this, the remainder in the first


@dataclass(frozen=True)
class SpecialCollectionRules:
    """特別徴収 (pension deduction) conditions and months (rules.md 2.6)."""

    pension_minimum: int  # 18万円
    share_limit: Decimal  # 国保料 + 介護保険料 ≤ 1/2 of the pension
    age_from: int  # every member 65..
    age_to: int  # ..74; the householder does not turn 75 in the year
    deduction_months: tuple[int, ...]  # 4, 6, 8 (仮徴収), 10, 12, 2 (本徴収)


@dataclass(frozen=True)
class IncomeBand:
    """One row of a revenue → income table, from ``from_revenue`` (inclusive) to the next row.

    For 給与: 給与所得 = ⌊A × rate⌋ + constant, A = the revenue cut to ``step`` yen (所得税法
    別表第五 works on 4,000円 steps). For 公的年金等: 公的年金等控除額 = A × rate + constant
    (``step`` 1) and the income is ⌊revenue − deduction⌋. Never below 0."""

    from_revenue: int
    rate: Decimal
    constant: int
    step: int = 1


@dataclass(frozen=True)
class IncomeConversion:
    """収入 → 所得 of one income year (the calendar year before the fiscal year)."""

    income_year: int
    salary: tuple[IncomeBand, ...]  # 給与所得控除 (所得税法28条3項, 別表第五)
    pension_under_65: tuple[IncomeBand, ...]  # 公的年金等控除 under 65 (所得税法35条4項)
    pension_65_plus: tuple[IncomeBand, ...]  # 65 and over at the end of the income year
    #: (other 合計所得 over, the pension deduction reduced by): 1,000万 → 10万, 2,000万 → 20万
    pension_other_income_over: tuple[tuple[int, int], ...]
    #: 所得金額調整控除 for salary and pension together (租税特別措置法41条の3の3②): 10万
    salary_pension_adjustment: int


@dataclass(frozen=True)
class CityReduction:
    """A city's own reduction of one levy for members with an attribute (e.g. 均等割 waived for
    everyone aged 18 or under), applied after the statutory reductions (ADR 0036).

    ``attribute``: ``age`` (``age_from``..``age_to`` inclusive, on April 1 or March 31 of the
    fiscal year, ``age_on``), ``newborn`` (born in the fiscal year), or a named fact of the
    member (e.g. ``disability``) given with the household."""

    name: str
    components: frozenset[Component]
    levy: str  # "per_capita" (均等割) | "income" (所得割)
    ratio: Decimal  # the share of what is left taken off, 0 < ratio ≤ 1
    attribute: str
    age_from: int = 0
    age_to: int = 0
    age_on: str = "april_1"  # | "march_31"


@dataclass(frozen=True)
class PremiumParameters:
    fiscal_year: int
    city: str
    basic_deduction: int  # 基礎控除 for 旧ただし書き所得
    components: tuple[ComponentRates, ...]
    reductions: ReductionRules
    preschool_reduction: Decimal  # 未就学児 均等割 reduction after the 7/5/2割
    unemployment_salary_factor: Decimal  # 非自発的失業者: 給与所得 × 30/100
    childbirth_births_from: date
    childbirth_months_before: int
    childbirth_months_after: int
    childbirth_multiple_months_before: int
    former_dependant_per_capita_reduction: Decimal
    former_dependant_per_household_reduction: Decimal
    former_dependant_months: int
    specified_household_months: int
    specified_continuing_household_months: int
    long_term_care_age_from: int
    long_term_care_age_to: int
    correction_years: int  # how far back a premium may be corrected (国保法110条)
    conventions: Conventions
    instalments: InstalmentCalendar
    special_collection: SpecialCollectionRules
    figures: Mapping[str, Figure]  # every figure used, by dotted name, for citing
    documents: tuple[str, ...]  # the parameter files the year was built from
    digest: str = ""  # sha256 of the files' text, to tell whether they changed since
    #: 収入 → 所得 for a stated gross amount (the what-if); parse always sets it
    income_conversion: IncomeConversion | None = None
    #: the city's reductions by member attribute (none: an empty tuple)
    city_reductions: tuple[CityReduction, ...] = ()

    def rates(self, component: Component) -> ComponentRates | None:
        for c in self.components:
            if c.component is component:
                return c
        return None
