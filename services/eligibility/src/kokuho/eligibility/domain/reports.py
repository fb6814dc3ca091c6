"""The statutory reports' figures (SF-S01 事業状況報告 monthly and yearly, SF-S02 納付金 base data,
SF-A21 保険基盤安定 totals; ADR 0018), computed from facts the services published: eligibility's
qualification periods, assessment's PremiumAssessed, collection's payments, reversals and
appropriations, benefits' payments ordered.

Pure: facts in, figures out. The official layouts were not retrieved (standard-functions.md
3.7, ❌), so the figures and their names are ours (the CSV layout is documented in
``adapters/report_csv.py`` and the README)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

BENEFIT_KINDS = ("high_cost", "funeral", "childbirth", "medical_expense")
COMPONENTS = ("medical", "elderly_support", "long_term_care", "child_support")
REDUCTION_LEVELS = (7, 5, 2)


@dataclass(frozen=True)
class Period:
    """One qualification period of a member in a household."""

    addressee_number: str
    nhi_household_number: str
    birth_date: date
    acquired: date
    lost: date | None

    def insured_on(self, day: date) -> bool:
        return self.acquired <= day and (self.lost is None or self.lost > day)


@dataclass(frozen=True)
class Assessment:
    """One PremiumAssessed (a household's premium for a fiscal year, or its correction)."""

    nhi_household_number: str
    fiscal_year: int
    revision: int
    assessed_on: date
    annual_amount: int
    previous_annual_amount: int | None
    statutory_reduction: int
    insured_months: int
    components: dict[str, int] = field(default_factory=dict)
    capped: frozenset[str] = frozenset()
    levies_after_reduction: int = 0  # 均等割 + 平等割 after the 7/5/2割 reduction
    # 軽減額 per component: (均等割, 平等割) the statutory reduction took off, for the year;
    # None when the event did not carry it (published before ADR 0080)
    reductions: dict[str, tuple[int, int]] | None = None

    @property
    def change(self) -> int:
        return self.annual_amount - (self.previous_annual_amount or 0)


@dataclass(frozen=True)
class Collected:
    """Principal collected for a fiscal year's premium (payment, 充当) or taken back (negative:
    a reversal), on the day it counts."""

    nhi_household_number: str
    fiscal_year: int
    amount: int
    on: date


@dataclass(frozen=True)
class BenefitPaid:
    kind: str
    amount: int
    payment_date: date


def fiscal_year_of(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def age_on(birth: date, day: date) -> int:
    """Age on ``day``: attained at the end of the day before the birthday (年齢計算ニ関スル法律),
    so counted on the next day's calendar."""
    after = day + timedelta(days=1)
    return after.year - birth.year - ((after.month, after.day) < (birth.month, birth.day))


def percent(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Members:
    households: int
    members: int
    under_6: int
    aged_40_64: int
    aged_65_74: int
    aged_70_74: int


def members_on(periods: Iterable[Period], day: date) -> Members:
    insured: dict[str, Period] = {}
    for p in periods:
        if p.insured_on(day):
            insured[p.addressee_number] = p
    ages = [age_on(p.birth_date, day) for p in insured.values()]
    return Members(
        households=len({p.nhi_household_number for p in insured.values()}),
        members=len(insured),
        under_6=sum(a < 6 for a in ages),
        aged_40_64=sum(40 <= a <= 64 for a in ages),
        aged_65_74=sum(65 <= a <= 74 for a in ages),
        aged_70_74=sum(70 <= a <= 74 for a in ages),
    )


def latest(assessments: Iterable[Assessment], fiscal_year: int, until: date) -> list[Assessment]:
    """Each household's assessment for ``fiscal_year`` in force on ``until`` (highest revision
    assessed by then)."""
    best: dict[str, Assessment] = {}
    for a in assessments:
        if a.fiscal_year != fiscal_year or a.assessed_on > until:
            continue
        held = best.get(a.nhi_household_number)
        if held is None or a.revision > held.revision:
            best[a.nhi_household_number] = a
    return list(best.values())


@dataclass(frozen=True)
class Premiums:
    fiscal_year: int
    assessed_current_in_period: int  # 現年度分 調定の増減
    assessed_past_in_period: int  # 過年度分 調定の増減
    assessed_current_total: int  # 現年度分 調定額 (each household's latest assessment)
    collected_current_in_period: int
    collected_past_in_period: int
    collected_current_to_date: int  # since 1 April of the fiscal year
    collection_rate_current: Decimal | None  # percent, 2 places, half up


def premiums(
    assessments: list[Assessment], collected: list[Collected], start: date, end: date
) -> Premiums:
    fy = fiscal_year_of(end)
    in_period = [a for a in assessments if start <= a.assessed_on <= end]
    paid = [c for c in collected if start <= c.on <= end]
    to_date = sum(
        c.amount for c in collected if c.fiscal_year == fy and date(fy, 4, 1) <= c.on <= end
    )
    total = sum(a.annual_amount for a in latest(assessments, fy, end))
    return Premiums(
        fiscal_year=fy,
        assessed_current_in_period=sum(a.change for a in in_period if a.fiscal_year == fy),
        assessed_past_in_period=sum(a.change for a in in_period if a.fiscal_year < fy),
        assessed_current_total=total,
        collected_current_in_period=sum(c.amount for c in paid if c.fiscal_year == fy),
        collected_past_in_period=sum(c.amount for c in paid if c.fiscal_year < fy),
        collected_current_to_date=to_date,
        collection_rate_current=percent(to_date, total),
    )


@dataclass(frozen=True)
class Benefits:
    by_kind: dict[str, tuple[int, int]]  # kind -> (payments, yen)

    @property
    def count(self) -> int:
        return sum(n for n, _ in self.by_kind.values())

    @property
    def amount(self) -> int:
        return sum(y for _, y in self.by_kind.values())


def benefits(paid: Iterable[BenefitPaid], start: date, end: date) -> Benefits:
    counts: dict[str, list[int]] = {k: [0, 0] for k in BENEFIT_KINDS}
    for b in paid:
        if start <= b.payment_date <= end:
            slot = counts.setdefault(b.kind, [0, 0])
            slot[0] += 1
            slot[1] += b.amount
    return Benefits({k: (v[0], v[1]) for k, v in counts.items()})


@dataclass(frozen=True)
class MonthlyReport:
    month: str
    members: Members
    premiums: Premiums
    benefits: Benefits


@dataclass(frozen=True)
class YearlyReport:
    fiscal_year: int
    members: Members  # at the fiscal year's end (31 March)
    average_members: Decimal  # mean of the 12 month-end counts, 1 place, half up
    premiums: Premiums  # the whole fiscal year (April to March)
    benefits: Benefits


def monthly(
    year: int,
    month: int,
    periods: list[Period],
    assessments: list[Assessment],
    collected: list[Collected],
    paid: list[BenefitPaid],
) -> MonthlyReport:
    start, end = date(year, month, 1), month_end(year, month)
    return MonthlyReport(
        f"{year:04d}-{month:02d}",
        members_on(periods, end),
        premiums(assessments, collected, start, end),
        benefits(paid, start, end),
    )


def month_ends(fiscal_year: int) -> list[date]:
    return [month_end(fiscal_year + (m < 4), m) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def yearly(
    fiscal_year: int,
    periods: list[Period],
    assessments: list[Assessment],
    collected: list[Collected],
    paid: list[BenefitPaid],
) -> YearlyReport:
    start, end = date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31)
    counts = [members_on(periods, day).members for day in month_ends(fiscal_year)]
    average = (Decimal(sum(counts)) / 12).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return YearlyReport(
        fiscal_year,
        members_on(periods, end),
        average,
        premiums(assessments, collected, start, end),
        benefits(paid, start, end),
    )


@dataclass(frozen=True)
class LevyBase:
    """SF-S02 (納付金 base data) and SF-A21 (保険基盤安定) for a fiscal year, from each
    household's assessment in force at the year's end."""

    fiscal_year: int
    households_assessed: int
    premiums_by_component: dict[str, int]
    capped_households_by_component: dict[str, int]
    reduced_households: dict[int, int]  # 7/5/2 -> households with that 軽減
    reduced_insured_months: dict[int, int]  # 7/5/2 -> household-months assessed (月割)
    reduced_levies_after_reduction: dict[int, int]  # 7/5/2 -> 均等割+平等割 after reduction
    # 7/5/2 -> component -> (均等割, 平等割) 軽減額 (ADR 0080)
    reduction_amounts: dict[int, dict[str, tuple[int, int]]]
    # 7/5/2 -> households whose assessment carried no 軽減額 (events from before ADR 0080)
    reduced_households_without_amounts: dict[int, int]
    average_members: Decimal
    members_40_64_at_year_end: int
    members_65_74_at_year_end: int


def reduction_amounts(current: list[Assessment], level: int) -> dict[str, tuple[int, int]]:
    """軽減額 per component of the households with ``level`` (the basis of the 保険基盤安定
    負担金, 保険料軽減分): (均等割, 平等割) summed over the assessments that carry them."""
    sums = {k: [0, 0] for k in COMPONENTS}
    for a in current:
        if a.statutory_reduction != level or a.reductions is None:
            continue
        for name, (per_capita, per_household) in a.reductions.items():
            slot = sums.setdefault(name, [0, 0])
            slot[0] += per_capita
            slot[1] += per_household
    return {k: (v[0], v[1]) for k, v in sums.items()}


def levy_base(fiscal_year: int, periods: list[Period], assessments: list[Assessment]) -> LevyBase:
    end = date(fiscal_year + 1, 3, 31)
    current = latest(assessments, fiscal_year, end)
    by_component: dict[str, int] = defaultdict(int)
    capped: dict[str, int] = defaultdict(int)
    for a in current:
        for name, amount in a.components.items():
            by_component[name] += amount
        for name in a.capped:
            capped[name] += 1
    year = yearly(fiscal_year, periods, [], [], [])
    return LevyBase(
        fiscal_year=fiscal_year,
        households_assessed=len(current),
        premiums_by_component={k: by_component.get(k, 0) for k in COMPONENTS},
        capped_households_by_component={k: capped.get(k, 0) for k in COMPONENTS},
        reduced_households={
            lv: sum(a.statutory_reduction == lv for a in current) for lv in REDUCTION_LEVELS
        },
        reduced_insured_months={
            lv: sum(a.insured_months for a in current if a.statutory_reduction == lv)
            for lv in REDUCTION_LEVELS
        },
        reduced_levies_after_reduction={
            lv: sum(a.levies_after_reduction for a in current if a.statutory_reduction == lv)
            for lv in REDUCTION_LEVELS
        },
        reduction_amounts={lv: reduction_amounts(current, lv) for lv in REDUCTION_LEVELS},
        reduced_households_without_amounts={
            lv: sum(a.statutory_reduction == lv and a.reductions is None for a in current)
            for lv in REDUCTION_LEVELS
        },
        average_members=year.average_members,
        members_40_64_at_year_end=year.members.aged_40_64,
        members_65_74_at_year_end=year.members.aged_65_74,
    )
