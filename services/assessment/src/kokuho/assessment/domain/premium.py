"""The premium engine (保険料算定): what one NHI household owes for one fiscal year, and why.

Method (rules.md 2, 5b; ADR 0030):

1. Each month of the fiscal year gets a *state*: who is insured, who is liable for 介護分,
   whose 産前産後 exemption or 非自発的失業者 treatment runs, whether the household is a
   特定世帯/特定継続世帯, whose 旧被扶養者 halving runs. Months with the same state form a
   segment.
2. For each segment and component the engine computes the *annual* amount as if that state held
   all year: 所得割 (+ 資産割) + 均等割 + 平等割, the statutory 7/5/2割 reduction (judged at
   the reference date) and the 未就学児 reduction on 均等割/平等割, rounding to the city's unit,
   then the cap per component.
3. Monthly proration (月割): component = Σ(segment annual × segment months) ÷ 12, cut to the
   city's prorated unit. A member present all year gives exactly the annual amount.

All money is integer yen or :class:`~decimal.Decimal`; no binary float is ever involved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise

from kokuho.assessment.domain.calendar import (
    age_on,
    attains,
    fiscal_months,
    fiscal_year_of,
    month_end,
    month_index,
    until_fiscal_year_end_after,
)
from kokuho.assessment.domain.errors import HouseholdInvalid, NoInsuredMonths
from kokuho.assessment.domain.household import Household, Person
from kokuho.assessment.domain.parameters import Component, ComponentRates, PremiumParameters

ZERO = Decimal(0)
ONE = Decimal(1)

STATUTORY_RATIOS = {7: Decimal("0.7"), 5: Decimal("0.5"), 2: Decimal("0.2"), 0: ZERO}


@lru_cache(maxsize=32)
def _fiscal_month_bounds(fiscal_year: int) -> tuple[tuple[date, date], ...]:
    return tuple((first, month_end(first)) for first in fiscal_months(fiscal_year))


def floor_to(value: Decimal | int, unit: int = 1) -> int:
    """Cut ``value`` down to a multiple of ``unit`` yen (切捨て)."""
    if isinstance(value, int):
        return value // unit * unit
    quotient = value // unit  # Decimal division truncates toward zero
    if value < 0 and quotient * unit != value:
        quotient -= 1
    return int(quotient) * unit


# --- the explanation -----------------------------------------------------------------------


@dataclass(frozen=True)
class Reduction:
    """One reduction applied to one levy line: its name, its rate (None for a fixed amount such
    as the 特定世帯 平等割) and the yen it took off before rounding."""

    name: str
    rate: Decimal | None
    amount: Decimal


@dataclass(frozen=True)
class LevyLine:
    """One levy of one member (or of the household for 平等割) in one component."""

    levy: str  # income_levy | asset_levy | per_capita_levy | per_household_levy
    addressee_number: str | None  # None for 平等割
    base: int  # 旧ただし書き所得, 固定資産税額, or the 均等割/平等割 amount
    rate: Decimal | None  # 所得割率/資産割率; None for fixed amounts
    gross: Decimal
    reductions: tuple[Reduction, ...]
    net: Decimal
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReductionJudgement:
    """軽減判定: the statutory 7/5/2割 reduction of 均等割 and 平等割 for the household."""

    level: int  # 7, 5, 2, or 0 for none
    reference_date: date
    judged_income: int  # 軽減判定所得
    heads: int  # 被保険者 + 特定同一世帯所属者
    earners: int  # 給与所得者等の数
    seventy_threshold: int
    fifty_threshold: int
    twenty_threshold: int
    incomes: tuple[tuple[str, int], ...]  # each judged person's income for the test
    reason: str | None = None  # why there is no reduction when one could apply

    @property
    def ratio(self) -> Decimal:
        return STATUTORY_RATIOS[self.level]


@dataclass(frozen=True)
class Segment:
    """A component for the months that share one state, as an annual amount."""

    months: tuple[date, ...]
    judgement: ReductionJudgement
    lines: tuple[LevyLine, ...]
    income_levy: int
    asset_levy: int
    per_capita_levy: int
    per_household_levy: int
    subtotal: int
    rounded: int
    cap: int
    annual: int

    @property
    def capped(self) -> bool:
        return self.rounded > self.cap


@dataclass(frozen=True)
class ComponentResult:
    component: Component
    segments: tuple[Segment, ...]
    months: int  # months assessed
    amount: int  # the component's premium for the fiscal year (prorated)


@dataclass(frozen=True)
class Assessment:
    nhi_household_number: str
    fiscal_year: int
    city: str
    components: tuple[ComponentResult, ...]
    total: int
    insured_months: int  # months with at least one insured member

    def component(self, component: Component) -> ComponentResult | None:
        for c in self.components:
            if c.component is component:
                return c
        return None


# --- month states --------------------------------------------------------------------------


@dataclass(frozen=True)
class _MonthState:
    insured: tuple[str, ...]
    long_term_care: tuple[str, ...]
    childbirth_exempt: tuple[str, ...]
    unemployed: tuple[str, ...]
    former_dependant: tuple[str, ...]
    former_dependant_halved: tuple[str, ...]
    specified: str | None  # "specified_household" | "specified_continuing_household"


def _insured_on(person: Person, day: date) -> bool:
    if not person.insured:
        return False
    if person.acquisition_date is not None and person.acquisition_date > day:
        return False
    return person.loss_date is None or person.loss_date > day


NEVER = 10**6  # a month offset beyond any fiscal year


@dataclass(frozen=True)
class _Timeline:
    """One person's facts as month offsets from April of the fiscal year (0..11), computed once
    per assessment so that each month's state is a handful of integer comparisons."""

    addressee_number: str
    insured_from: int  # first premium month
    insured_to: int  # first month no longer insured (the month containing the loss)
    long_term_care_from: int  # the month of attaining 40
    long_term_care_to: int  # the month of attaining 65
    childbirth_from: int
    childbirth_to: int  # exclusive
    unemployed_from: int
    former_from: int
    former_halved_to: int  # exclusive
    minor: bool  # 子ども分: under 18 up to the 31 March after attaining 18
    preschool: bool  # 未就学児

    def bounds(self) -> tuple[int, ...]:
        return (
            self.insured_from,
            self.insured_to,
            self.long_term_care_from,
            self.long_term_care_to,
            self.childbirth_from,
            self.childbirth_to,
            self.unemployed_from,
            self.former_from,
            self.former_halved_to,
        )


def _offset(day: date, april: int) -> int:
    return month_index(day) - april


def _timeline(person: Person, params: PremiumParameters) -> _Timeline:
    fy = params.fiscal_year
    april = month_index(date(fy, 4, 1))
    acquired = person.acquisition_date
    insured_from = -NEVER if acquired is None else _offset(acquired, april)
    insured_to = NEVER if person.loss_date is None else _offset(person.loss_date, april)
    if not person.insured:
        insured_from, insured_to = NEVER, NEVER
    childbirth_from = childbirth_to = NEVER
    birth = person.childbirth
    if birth is not None and birth.date >= params.childbirth_births_from:
        before = (
            params.childbirth_multiple_months_before
            if birth.multiple
            else params.childbirth_months_before
        )
        at = _offset(birth.date, april)
        childbirth_from, childbirth_to = at - before, at + params.childbirth_months_after + 1
    unemployed_from = NEVER
    if person.involuntary_separation_date is not None:
        start = person.involuntary_separation_date + timedelta(days=1)
        # from the month of the day after 離職 to the end of the following fiscal year
        if fy <= fiscal_year_of(start) + 1:
            unemployed_from = _offset(start, april)
    former_from = former_halved_to = NEVER
    if person.former_dependant_since is not None:
        former_from = _offset(person.former_dependant_since, april)
        former_halved_to = former_from + params.former_dependant_months
    ltc_from = attains(person.birth_date, params.long_term_care_age_from)
    ltc_to = attains(person.birth_date, params.long_term_care_age_to)
    return _Timeline(
        addressee_number=person.addressee_number,
        insured_from=insured_from,
        insured_to=insured_to,
        long_term_care_from=_offset(ltc_from, april),
        long_term_care_to=_offset(ltc_to, april),
        childbirth_from=childbirth_from,
        childbirth_to=childbirth_to,
        unemployed_from=unemployed_from,
        former_from=former_from,
        former_halved_to=former_halved_to,
        minor=until_fiscal_year_end_after(person.birth_date, 18, fy),
        preschool=until_fiscal_year_end_after(person.birth_date, 6, fy),
    )


def _month_state(
    params: PremiumParameters,
    m: int,
    timelines: tuple[_Timeline, ...],
    specified_from: int,
) -> _MonthState:
    insured = [t for t in timelines if t.insured_from <= m < t.insured_to]
    former = [t for t in insured if t.former_from <= m]
    specified: str | None = None
    if len(insured) == 1 and specified_from <= m:
        elapsed = m - specified_from
        if elapsed < params.specified_household_months:
            specified = "specified_household"
        elif elapsed < params.specified_continuing_household_months:
            specified = "specified_continuing_household"
    return _MonthState(
        insured=tuple(t.addressee_number for t in insured),
        long_term_care=tuple(
            t.addressee_number for t in insured if t.long_term_care_from <= m < t.long_term_care_to
        ),
        childbirth_exempt=tuple(
            t.addressee_number for t in insured if t.childbirth_from <= m < t.childbirth_to
        ),
        # the deemed householder's and 特定同一世帯所属者' salary counts in the test too
        unemployed=tuple(t.addressee_number for t in timelines if t.unemployed_from <= m),
        former_dependant=tuple(t.addressee_number for t in former),
        former_dependant_halved=tuple(t.addressee_number for t in former if m < t.former_halved_to),
        specified=specified,
    )


# --- the statutory reduction test ------------------------------------------------------------


def _salary_income(person: Person, unemployed: bool, params: PremiumParameters) -> int:
    if unemployed:
        return floor_to(person.income.salary_income * params.unemployment_salary_factor)
    return person.income.salary_income


def _levy_income(person: Person, unemployed: bool, params: PremiumParameters) -> int:
    """総所得金額等 as the 所得割 base sees it (before the basic deduction)."""
    inc = person.income
    return _salary_income(person, unemployed, params) + inc.pension_income + inc.other_income


def reference_date(household: Household, fiscal_year: int) -> date:
    """賦課期日 April 1, or the joining date of a household that joins during the year."""
    april = date(fiscal_year, 4, 1)
    if any(_insured_on(p, april) for p in household.people):
        return april
    joins = [
        p.acquisition_date
        for p in household.people
        if p.insured
        and p.acquisition_date is not None
        and april <= p.acquisition_date <= date(fiscal_year + 1, 3, 31)
        and (p.loss_date is None or p.loss_date > p.acquisition_date)
    ]
    return min(joins) if joins else april


def judge_statutory_reduction(
    household: Household,
    params: PremiumParameters,
    reference: date,
    unemployed: Iterable[str] = (),
) -> ReductionJudgement:
    """7割/5割/2割軽減 test on the household's 軽減判定所得 (rules.md 2.3)."""
    rules = params.reductions
    unemployed_set = set(unemployed)
    heads_people = [
        p for p in household.people if _insured_on(p, reference) or p.specified_same_household
    ]
    judged: list[Person] = []
    householder = household.person(household.householder)
    if householder is not None:
        judged.append(householder)  # even a deemed householder (擬制世帯主)
    judged += [p for p in heads_people if p.addressee_number != household.householder]
    # the age used for pensions is the one at the end of the income year (公的年金等控除)
    income_year_end = date(params.fiscal_year - 1, 12, 31)
    incomes: list[tuple[str, int]] = []
    earners = 0
    for p in judged:
        inc = p.income
        senior = age_on(p.birth_date, income_year_end) >= 65
        pension = inc.pension_income
        if senior:
            pension = max(0, pension - rules.pension_deduction_65_plus)
        amount = (
            _salary_income(p, p.addressee_number in unemployed_set, params)
            + pension
            + inc.other_income
            + inc.family_employee_deduction
            + inc.transfer_special_deduction
        )
        incomes.append((p.addressee_number, amount))
        pension_over = (
            rules.earner_pension_revenue_over_65_plus
            if senior
            else rules.earner_pension_revenue_over_under_65
        )
        if (
            inc.salary_revenue > rules.earner_salary_revenue_over
            or inc.pension_revenue > pension_over
        ):
            earners += 1
    heads = len(heads_people)
    total = sum(amount for _, amount in incomes)
    seventy = rules.seventy_base + rules.earner_addition * max(earners - 1, 0)
    fifty = seventy + rules.fifty_per_head * heads
    twenty = seventy + rules.twenty_per_head * heads
    reason: str | None = None
    if any(not p.income.declared for p in judged):
        level, reason = 0, "income-not-declared"
    elif total <= seventy:
        level = 7
    elif total <= fifty:
        level = 5
    elif total <= twenty:
        level = 2
    else:
        level = 0
    return ReductionJudgement(
        level=level,
        reference_date=reference,
        judged_income=total,
        heads=heads,
        earners=earners,
        seventy_threshold=seventy,
        fifty_threshold=fifty,
        twenty_threshold=twenty,
        incomes=tuple(incomes),
        reason=reason,
    )


# --- one component for one segment -------------------------------------------------------------


def _round_reduced(values: list[Decimal], method: str) -> int:
    if method == "per_member":
        return sum(floor_to(v) for v in values)
    return floor_to(sum(values, ZERO))


def _component_segment(
    household: Household,
    params: PremiumParameters,
    rates: ComponentRates,
    state: _MonthState,
    months: tuple[date, ...],
    judgement: ReductionJudgement,
    flags: dict[str, _Timeline],
    explain: bool = True,
) -> Segment | None:
    comp = rates.component
    liable = state.long_term_care if comp is Component.LONG_TERM_CARE else state.insured
    if not liable:
        return None
    people = {p.addressee_number: p for p in household.people}
    conv = params.conventions
    lines: list[LevyLine] = []

    # 所得割 on 旧ただし書き所得, and 資産割 where the city uses it
    income_nets: list[Decimal] = []
    asset_nets: list[Decimal] = []
    for a in liable:
        p = people[a]
        unemployed = a in state.unemployed
        income = _levy_income(p, unemployed, params)
        base = max(0, income - params.basic_deduction)
        notes: list[str] = []
        if explain and unemployed:
            notes.append(
                f"involuntary_unemployment: salary_income {p.income.salary_income} × "
                f"{params.unemployment_salary_factor} = {_salary_income(p, True, params)}"
            )
        if explain:
            notes.append(f"total_income {income} − basic_deduction {params.basic_deduction}")
        gross = base * rates.income_rate
        net = gross
        reductions: list[Reduction] = []
        if a in state.former_dependant and net:
            reductions.append(Reduction("former_dependant", ONE, net))
            net = ZERO
        if a in state.childbirth_exempt and rates.childbirth_exemption_applies and net:
            reductions.append(Reduction("childbirth", ONE, net))
            net = ZERO
        income_nets.append(net)
        if explain:
            lines.append(
                LevyLine(
                    "income_levy",
                    a,
                    base,
                    rates.income_rate,
                    gross,
                    tuple(reductions),
                    net,
                    tuple(notes),
                )
            )
        if rates.asset_rate:
            asset_gross = p.income.fixed_asset_tax * rates.asset_rate
            asset_net = asset_gross
            asset_reductions: list[Reduction] = []
            if a in state.childbirth_exempt and rates.childbirth_exemption_applies and asset_net:
                asset_reductions.append(Reduction("childbirth", ONE, asset_net))
                asset_net = ZERO
            asset_nets.append(asset_net)
            if explain:
                lines.append(
                    LevyLine(
                        "asset_levy",
                        a,
                        p.income.fixed_asset_tax,
                        rates.asset_rate,
                        asset_gross,
                        tuple(asset_reductions),
                        asset_net,
                    )
                )
    income_levy = floor_to(sum(income_nets, ZERO))
    asset_levy = floor_to(sum(asset_nets, ZERO))

    statutory = judgement.ratio if rates.statutory_reductions_apply else ZERO
    statutory_name = f"statutory_{judgement.level}0_percent"

    # 均等割
    capita_nets: list[Decimal] = []
    for a in liable:
        p = people[a]
        minor = flags[a].minor
        amount = rates.per_capita + (rates.adult_per_capita if not minor else 0)
        gross = Decimal(amount)
        net = gross
        reductions = []
        if rates.under_18_per_capita_exempt and minor:
            reductions.append(Reduction("under_18", ONE, net))
            net = ZERO
        ratio, name = statutory, statutory_name
        if (
            a in state.former_dependant_halved
            and params.former_dependant_per_capita_reduction > ratio
        ):
            # 旧被扶養者 halving applies only where the statutory reduction is smaller
            ratio, name = params.former_dependant_per_capita_reduction, "former_dependant"
        if ratio and net:
            cut = net * ratio
            reductions.append(Reduction(name, ratio, cut))
            net -= cut
        if flags[a].preschool and net:
            cut = net * params.preschool_reduction
            reductions.append(Reduction("preschool", params.preschool_reduction, cut))
            net -= cut
        if a in state.childbirth_exempt and rates.childbirth_exemption_applies and net:
            reductions.append(Reduction("childbirth", ONE, net))
            net = ZERO
        capita_nets.append(net)
        if explain:
            lines.append(
                LevyLine("per_capita_levy", a, amount, None, gross, tuple(reductions), net)
            )
    per_capita_levy = _round_reduced(capita_nets, conv.reduced_levy_rounding)

    # 平等割
    household_amount = rates.per_household
    reductions = []
    gross = Decimal(household_amount)
    net = gross
    special = {
        "specified_household": rates.specified_per_household,
        "specified_continuing_household": rates.specified_continuing_per_household,
    }.get(state.specified or "")
    if special is not None and special < household_amount:
        reductions.append(
            Reduction(str(state.specified), None, Decimal(household_amount - special))
        )
        net = Decimal(special)
    ratio, name = statutory, statutory_name
    if (
        set(liable) <= set(state.former_dependant_halved)
        and params.former_dependant_per_household_reduction > ratio
    ):
        ratio, name = params.former_dependant_per_household_reduction, "former_dependant"
    if ratio and net:
        cut = net * ratio
        reductions.append(Reduction(name, ratio, cut))
        net -= cut
    if explain:
        lines.append(
            LevyLine(
                "per_household_levy", None, household_amount, None, gross, tuple(reductions), net
            )
        )
    per_household_levy = floor_to(net)

    subtotal = income_levy + asset_levy + per_capita_levy + per_household_levy
    rounded = (
        floor_to(subtotal, conv.rounding_unit) if conv.rounding_level == "component" else subtotal
    )
    # the cap comes after reductions and rounding (rules.md 5b)
    annual = min(rounded, rates.cap)
    return Segment(
        months=months,
        judgement=judgement,
        lines=tuple(lines),
        income_levy=income_levy,
        asset_levy=asset_levy,
        per_capita_levy=per_capita_levy,
        per_household_levy=per_household_levy,
        subtotal=subtotal,
        rounded=rounded,
        cap=rates.cap,
        annual=annual,
    )


# --- the whole household ---------------------------------------------------------------------


def _validate(household: Household, params: PremiumParameters) -> None:
    number = household.nhi_household_number
    seen: set[str] = set()
    for p in household.people:
        if p.addressee_number in seen:
            raise HouseholdInvalid(number, f"{p.addressee_number} is listed twice")
        seen.add(p.addressee_number)
        if p.insured and p.specified_same_household and p.loss_date is None:
            # a 特定同一世帯所属者 is someone whose NHI membership ended (a loss date)
            raise HouseholdInvalid(
                number, f"{p.addressee_number} cannot be insured and 特定同一世帯所属者 at once"
            )
        if (
            not p.insured
            and not p.specified_same_household
            and p.addressee_number != (household.householder)
        ):
            raise HouseholdInvalid(
                number,
                f"{p.addressee_number} is neither insured, householder nor 特定同一世帯所属者",
            )
        if (
            p.acquisition_date is not None
            and p.loss_date is not None
            and p.loss_date < p.acquisition_date
        ):
            raise HouseholdInvalid(number, f"{p.addressee_number} is lost before acquired")
        sep = p.involuntary_separation_date
        if sep is not None and age_on(p.birth_date, sep) >= 65:
            raise HouseholdInvalid(
                number,
                f"{p.addressee_number} was 65 or over at separation (非自発的失業者 is under 65)",
            )
    if household.householder not in seen:
        raise HouseholdInvalid(number, "the householder is not among the household's people")


def assess(household: Household, params: PremiumParameters, explain: bool = True) -> Assessment:
    """Assess ``household`` for ``params.fiscal_year``; with ``explain`` every segment keeps its
    levy lines (the batch leaves them out and regenerates them on request)."""
    _validate(household, params)
    fy = params.fiscal_year
    # premium months: from the month containing acquisition to the month before the month
    # containing the loss (rules.md 5.1, [Q03]); states change only at a person's boundaries
    timelines = tuple(_timeline(p, params) for p in household.people)
    april = month_index(date(fy, 4, 1))
    since = household.specified_household_since
    specified_from = NEVER if since is None else _offset(since, april)
    cuts = {0, 12}
    for t in timelines:
        cuts.update(b for b in t.bounds() if 0 < b < 12)
    if since is not None:
        for b in (
            specified_from,
            specified_from + params.specified_household_months,
            specified_from + params.specified_continuing_household_months,
        ):
            if 0 < b < 12:
                cuts.add(b)
    firsts = [first for first, _ in _fiscal_month_bounds(fy)]
    ordered = sorted(cuts)
    groups: dict[_MonthState, list[date]] = {}
    for start, stop in pairwise(ordered):
        state = _month_state(params, start, timelines, specified_from)
        if state.insured:
            groups.setdefault(state, []).extend(firsts[start:stop])
    flags = {t.addressee_number: t for t in timelines}
    if not groups:
        raise NoInsuredMonths(household.nhi_household_number, fy)
    reference = reference_date(household, fy)
    judgements: dict[tuple[str, ...], ReductionJudgement] = {}
    results: list[ComponentResult] = []
    for rates in params.components:
        segments: list[Segment] = []
        weighted = 0
        months = 0
        for state, firsts in groups.items():
            judgement = judgements.get(state.unemployed)
            if judgement is None:
                judgement = judge_statutory_reduction(
                    household, params, reference, state.unemployed
                )
                judgements[state.unemployed] = judgement
            seg = _component_segment(
                household, params, rates, state, tuple(firsts), judgement, flags, explain
            )
            if seg is None:
                continue
            segments.append(seg)
            weighted += seg.annual * len(firsts)
            months += len(firsts)
        if not segments:
            continue
        # 月割: Σ(annual × months) ÷ 12, integer arithmetic, cut to the city's unit
        amount = floor_to(Decimal(weighted) / 12, params.conventions.prorated_rounding_unit)
        if months == 12 and len(segments) == 1:
            amount = segments[0].annual
        results.append(ComponentResult(rates.component, tuple(segments), months, amount))
    total = sum(r.amount for r in results)
    if params.conventions.rounding_level == "total":
        total = floor_to(total, params.conventions.rounding_unit)
    return Assessment(
        nhi_household_number=household.nhi_household_number,
        fiscal_year=fy,
        city=params.city,
        components=tuple(results),
        total=total,
        insured_months=len([m for ms in groups.values() for m in ms]),
    )
