"""高額療養費 of one household and treatment month: a pure calculation with its explanation.

The order is the law's (rules.md §3.1, §3.2, §3.3, §5b; 国保法57条の2, 施行令29条の2–29条の4):

1. 70–74 members: each member's outpatient self-pay against the individual outpatient limit
   (外来特例, 一般 and 低所得 only; its Aug–Jul annual cap where one is set); a member in the
   month of turning 75 then against half the household limit on their own bills;
2. 70–74 members together: everything they still bear against the 70–74 household limit, the
   1% term on all their bills' medical cost (no 21,000-yen floor for 70–74, [B03], [B07]);
3. under-70 members (and with them the 70–74 members' remainder, in a mixed household [B34]):
   only claim units of 21,000 yen or more count (per person, provider, setting, medical/dental,
   pharmacy added to its prescriber), against the under-70 household limit, the 1% term on the
   medical cost of the counted units and of the 70–74 bills;
4. the annual cap (年間上限, from 2026-08) on what the household still bears.

The 多数回 amount replaces a household limit from the 4th month with 高額療養費 in 12
(``prior_high_cost_months`` ≥ 3, carried-over counts included). An in-prefecture move halves
the month's limits; turning 75 halves that member's own (1/4 for both, §3.3). A month counts
towards 多数回 only when a household limit (step 2 or 3) paid something, never for the
outpatient limit alone, and never in a category without a 多数回 amount ([B08]).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from kokuho.benefits.domain.high_cost.apportion import apportion
from kokuho.benefits.domain.high_cost.household_month import (
    AgeBand,
    Bill,
    HouseholdMonth,
    Member,
    Setting,
    claim_units,
    validate,
)
from kokuho.benefits.domain.high_cost.limits import (
    FULL,
    HALF,
    LABELS,
    LimitSchedule,
    LimitTable,
    scaled,
)


@dataclass(frozen=True)
class Step:
    """One step of the explanation: the rule applied, what it did, and the benefit it gave."""

    rule: str
    text: str
    benefit: int = 0


@dataclass(frozen=True)
class AppliedLimit:
    name: str
    formula: str
    amount: int
    source: str


@dataclass(frozen=True)
class PersonBenefit:
    person: str
    self_pay: int
    benefit: int


@dataclass(frozen=True)
class HighCostResult:
    treatment_month: date
    table: str
    many_times: bool
    self_pay_total: int
    counted_self_pay: int
    household_borne: int
    benefit: int
    persons: tuple[PersonBenefit, ...]
    limits: tuple[AppliedLimit, ...]
    steps: tuple[Step, ...]
    excluded_bill_ids: tuple[str, ...]
    #: this month is a 高額該当 month for the 多数回 count
    counts_for_many_times: bool


class _Work:
    """The running state of one calculation (what each person still bears, and receives)."""

    def __init__(self, month: HouseholdMonth, table: LimitTable) -> None:
        self.month = month
        self.table = table
        self.many = month.prior_high_cost_months >= table.many_times_after
        self.fraction = HALF if month.moved_within_prefecture else FULL
        self.benefit = {m.person: 0 for m in month.members}
        self.borne: dict[str, int] = {}
        self.counted = 0
        self.steps: list[Step] = []
        self.limits: list[AppliedLimit] = []
        self.excluded: list[str] = []
        self.counts = False

    def bills(self, band: AgeBand) -> list[Bill]:
        return [b for b in self.month.bills if self.month.band_of(b.person) is band]

    def limit(self, name: str, formula: str, amount: int, figure: str) -> None:
        self.limits.append(AppliedLimit(name, formula, amount, self.table.cite(figure)))

    def reduce_to(self, rule: str, limit: int, people: list[str], what: str) -> int:
        """Bring what ``people`` bear together down to ``limit``, sharing the excess by what
        each bore; returns the excess paid."""
        weights = {p: self.borne[p] for p in people}
        total = sum(weights.values())
        excess = max(0, total - limit)
        for person, share in apportion(excess, weights).items():
            self.benefit[person] += share
            self.borne[person] -= share
        self.steps.append(
            Step(rule, f"{what}: {total:,}円 borne, limit {limit:,}円, paid {excess:,}円", excess)
        )
        return excess


def calculate(month: HouseholdMonth, schedule: LimitSchedule) -> HighCostResult:
    """The benefit of one household-month; refuses a self-contradicting description."""
    validate(month)
    table = schedule.for_month(month.treatment_month)
    work = _Work(month, table)
    work.steps.append(_opening(work))
    if any(m.age_band is AgeBand.AGED_70_74 for m in month.members):
        _elderly(work)
    if any(m.age_band is AgeBand.UNDER_70 for m in month.members):
        _under_70(work)
    _annual_cap(work)
    return _result(work)


def _opening(work: _Work) -> Step:
    month, table = work.month, work.table
    text = (
        f"treatment month {month.treatment_month:%Y-%m}: limits of {table.name}"
        f" (in force from {table.effective_from:%Y-%m}); {month.prior_high_cost_months}"
        f" prior 高額該当 months in 12: {'多数回 applies' if work.many else 'no 多数回'}"
    )
    if month.moved_within_prefecture:
        text += "; in-prefecture move this month: half limits (rules.md §3.3)"
    return Step("month", text)


def _person_fraction(work: _Work, member: Member) -> Fraction:
    return work.fraction * (HALF if member.turning_75 else FULL)


def _elderly(work: _Work) -> None:
    month, table = work.month, work.table
    assert month.elderly_category is not None
    category = month.elderly_category
    limits = table.elderly[category]
    label = LABELS[category.value]
    people = [m for m in month.members if m.age_band is AgeBand.AGED_70_74]
    for member in people:
        _elderly_member(work, member)
    bills = work.bills(AgeBand.AGED_70_74)
    cost = sum(b.medical_cost for b in bills)
    amount = limits.household.amount(cost, many_times=work.many, fraction=work.fraction)
    formula = limits.household.formula(many_times=work.many, fraction=work.fraction)
    figure = "many_times" if work.many and limits.household.many_times else "household_base"
    work.limit(f"70–74 household ({label})", formula, amount, f"elderly.{category}.{figure}")
    paid = work.reduce_to(
        "elderly-household",
        amount,
        [m.person for m in people],
        f"70–74 members together ({label}, medical cost {cost:,}円, all bills count)",
    )
    if paid and limits.household.many_times is not None:
        work.counts = True


def _elderly_member(work: _Work, member: Member) -> None:
    assert work.month.elderly_category is not None
    category = work.month.elderly_category
    limits = work.table.elderly[category]
    mine = [b for b in work.month.bills if b.person == member.person]
    outpatient = sum(b.self_pay for b in mine if b.setting is Setting.OUTPATIENT)
    inpatient = sum(b.self_pay for b in mine if b.setting is Setting.INPATIENT)
    work.counted += outpatient + inpatient
    work.borne[member.person] = outpatient + inpatient
    fraction = _person_fraction(work, member)
    if limits.outpatient is not None and outpatient > 0:
        cap = scaled(limits.outpatient, fraction)
        name = f"outpatient, {member.person}"
        if limits.outpatient_annual_cap is not None:
            left = max(0, limits.outpatient_annual_cap - member.outpatient_borne_before)
            if left < cap:
                cap = left
                name += f" (annual cap {limits.outpatient_annual_cap:,}円, {left:,}円 left)"
        work.limit(name, f"{cap:,}円", cap, f"elderly.{category}.outpatient")
        work.borne[member.person] = outpatient
        work.reduce_to("outpatient-individual", cap, [member.person], f"{member.person} 外来")
        work.borne[member.person] += inpatient
    if member.turning_75:
        cost = sum(b.medical_cost for b in mine)
        household = limits.household
        limit = household.amount(cost, many_times=work.many, fraction=fraction)
        formula = household.formula(many_times=work.many, fraction=fraction)
        work.limit(
            f"turning 75, {member.person}", formula, limit, f"elderly.{category}.household_base"
        )
        work.reduce_to("turning-75", limit, [member.person], f"{member.person} 75歳到達月 1/2")


def _under_70(work: _Work) -> None:
    month, table = work.month, work.table
    assert month.under_70_category is not None
    category = month.under_70_category
    units = claim_units(work.bills(AgeBand.UNDER_70))
    counted = [u for u in units if u.self_pay >= table.floor_under_70]
    for unit in units:
        if unit.self_pay < table.floor_under_70:
            work.excluded.extend(unit.bill_ids)
            work.steps.append(
                Step(
                    "floor-21000",
                    f"{unit.describe()}: self-pay {unit.self_pay:,}円 below"
                    f" {table.floor_under_70:,}円, bills {', '.join(unit.bill_ids)} excluded",
                )
            )
        else:
            work.steps.append(
                Step(
                    "counted",
                    f"{unit.describe()}: self-pay {unit.self_pay:,}円 counted"
                    f" (bills {', '.join(unit.bill_ids)})",
                )
            )
            work.borne[unit.person] = work.borne.get(unit.person, 0) + unit.self_pay
            work.counted += unit.self_pay
    elderly_cost = sum(b.medical_cost for b in work.bills(AgeBand.AGED_70_74))
    cost = sum(u.medical_cost for u in counted) + elderly_cost
    limit = table.under_70[category]
    amount = limit.amount(cost, many_times=work.many, fraction=work.fraction)
    formula = limit.formula(many_times=work.many, fraction=work.fraction)
    figure = "many_times" if work.many and limit.many_times else "base"
    label = LABELS[category.value]
    work.limit(f"household ({label})", formula, amount, f"under_70.{category}.{figure}")
    paid = work.reduce_to(
        "household", amount, list(work.borne), f"household ({label}, medical cost {cost:,}円)"
    )
    if paid and limit.many_times is not None:
        work.counts = True


def _annual_cap(work: _Work) -> None:
    month = work.month
    code = month.under_70_category or month.elderly_category
    if code is None or code.value not in work.table.annual_caps:
        return
    cap = work.table.annual_caps[code.value]
    left = max(0, cap - month.annual_borne_before)
    group = "under_70" if month.under_70_category else "elderly"
    work.limit(
        f"annual cap ({LABELS[code.value]})",
        f"{cap:,}円 − {month.annual_borne_before:,}円 borne before",
        left,
        f"{group}.{code.value}.annual_cap",
    )
    work.reduce_to("annual-cap", left, list(work.borne), "the year's cap")


def _result(work: _Work) -> HighCostResult:
    month = work.month
    paid = sum(work.benefit.values())
    borne = sum(work.borne.values())
    assert work.counted - borne == paid, "the steps lost a yen"
    persons = tuple(
        PersonBenefit(
            m.person,
            sum(b.self_pay for b in month.bills if b.person == m.person),
            work.benefit[m.person],
        )
        for m in month.members
    )
    return HighCostResult(
        treatment_month=month.treatment_month,
        table=work.table.name,
        many_times=work.many,
        self_pay_total=sum(b.self_pay for b in month.bills),
        counted_self_pay=work.counted,
        household_borne=borne,
        benefit=paid,
        persons=persons,
        limits=tuple(work.limits),
        steps=tuple(work.steps),
        excluded_bill_ids=tuple(work.excluded),
        counts_for_many_times=work.counts,
    )
