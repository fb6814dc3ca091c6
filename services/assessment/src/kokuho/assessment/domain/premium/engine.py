"""The premium engine (保険料算定): what one NHI household owes for one fiscal year, and why.

Method (rules.md 2, 5b; ADR 0030):

1. Each month of the fiscal year gets a *state* (:mod:`.months`); months with the same state
   form a segment.
2. For each segment and component the engine computes the *annual* amount as if that state held
   all year: 所得割 (+ 資産割) (:mod:`.income_levy`) + 均等割 + 平等割 (:mod:`.fixed_levies`),
   the statutory 7/5/2割 reduction judged at the reference date (:mod:`.statutory`) and the
   未就学児 reduction on 均等割/平等割, rounding to the city's unit, then the cap per component
   (:mod:`.rounding`).
3. Monthly proration (月割): component = Σ(segment annual × segment months) ÷ 12, cut to the
   city's prorated unit. A member present all year gives exactly the annual amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from kokuho.assessment.domain.calendar import age_on
from kokuho.assessment.domain.errors import HouseholdInvalid, NoInsuredMonths
from kokuho.assessment.domain.household import Household, Person
from kokuho.assessment.domain.parameters import ComponentRates, PremiumParameters
from kokuho.assessment.domain.premium.explanation import (
    Assessment,
    ComponentResult,
    LevyLine,
    ReductionJudgement,
    Segment,
)
from kokuho.assessment.domain.premium.fixed_levies import per_capita_levy, per_household_levy
from kokuho.assessment.domain.premium.income_levy import income_and_asset_levies
from kokuho.assessment.domain.premium.levying import Levying, liable
from kokuho.assessment.domain.premium.months import (
    MONTHS,
    MonthState,
    YearStates,
    prorate,
    prorated_yen,
    year_states,
)
from kokuho.assessment.domain.premium.rounding import capped, round_component, round_total
from kokuho.assessment.domain.premium.statutory import judge_statutory_reduction, reference_date


def _person_problem(household: Household, p: Person) -> str | None:
    if p.insured and p.specified_same_household and p.loss_date is None:
        # a 特定同一世帯所属者 is someone whose NHI membership ended (a loss date)
        return f"{p.addressee_number} cannot be insured and 特定同一世帯所属者 at once"
    if (
        not p.insured
        and not p.specified_same_household
        and p.addressee_number != household.householder
    ):
        return f"{p.addressee_number} is neither insured, householder nor 特定同一世帯所属者"
    if (
        p.acquisition_date is not None
        and p.loss_date is not None
        and p.loss_date < p.acquisition_date
    ):
        return f"{p.addressee_number} is lost before acquired"
    sep = p.involuntary_separation_date
    if sep is not None and age_on(p.birth_date, sep) >= 65:
        return f"{p.addressee_number} was 65 or over at separation (非自発的失業者 is under 65)"
    return None


def validate(household: Household) -> None:
    """Refuse a household whose facts contradict each other (:class:`HouseholdInvalid`)."""
    number = household.nhi_household_number
    seen: set[str] = set()
    for p in household.people:
        if p.addressee_number in seen:
            raise HouseholdInvalid(number, f"{p.addressee_number} is listed twice")
        seen.add(p.addressee_number)
        problem = _person_problem(household, p)
        if problem is not None:
            raise HouseholdInvalid(number, problem)
    if household.householder not in seen:
        raise HouseholdInvalid(number, "the householder is not among the household's people")


def component_segment(
    household: Household,
    params: PremiumParameters,
    rates: ComponentRates,
    state: MonthState,
    months: tuple[date, ...],
    judgement: ReductionJudgement,
    year: YearStates,
    explain: bool = True,
) -> Segment | None:
    """One component for the months of one state, as an annual amount; None when nobody is
    liable for it in those months."""
    members = liable(rates.component, state)
    if not members:
        return None
    lines: list[LevyLine] = []
    lv = Levying(
        params, rates, state, judgement, year.people, year.timelines, members, explain, lines
    )
    income_levy, asset_levy = income_and_asset_levies(lv)
    capita, capita_reduction = per_capita_levy(lv)
    household_levy, household_reduction = per_household_levy(lv)
    subtotal = income_levy + asset_levy + capita + household_levy
    rounded = round_component(subtotal, params.conventions)
    return Segment(  # positional: the fields in order
        months,
        judgement,
        tuple(lines),
        income_levy,
        asset_levy,
        capita,
        household_levy,
        capita_reduction,
        household_reduction,
        subtotal,
        rounded,
        rates.cap,
        capped(rounded, rates.cap),
    )


class _Judgements:
    """The statutory reduction judged once per set of 非自発的失業者 (the only state that
    changes the test within a year)."""

    def __init__(self, household: Household, params: PremiumParameters) -> None:
        self.household = household
        self.params = params
        self.reference = reference_date(household, params.fiscal_year)
        self.judged: dict[tuple[str, ...], ReductionJudgement] = {}

    def __call__(self, state: MonthState) -> ReductionJudgement:
        judgement = self.judged.get(state.unemployed)
        if judgement is None:
            judgement = judge_statutory_reduction(
                self.household, self.params, self.reference, state.unemployed
            )
            self.judged[state.unemployed] = judgement
        return judgement


def _component(
    household: Household,
    params: PremiumParameters,
    rates: ComponentRates,
    year: YearStates,
    judge: _Judgements,
    explain: bool,
) -> ComponentResult | None:
    segments: list[Segment] = []
    for state, firsts in year.groups.items():
        seg = component_segment(
            household, params, rates, state, firsts, judge(state), year, explain
        )
        if seg is not None:
            segments.append(seg)
    if not segments:
        return None
    if len(segments) == 1 and len(segments[0].months) == MONTHS:
        # one state all year: the annual figures themselves (what prorating them gives)
        only = segments[0]
        return ComponentResult(
            rates.component,
            (only,),
            MONTHS,
            only.annual,
            only.per_capita_reduction,
            only.per_household_reduction,
        )
    months, amount = prorate(segments, params.conventions.prorated_rounding_unit)
    return ComponentResult(
        rates.component,
        tuple(segments),
        months,
        amount,
        per_capita_reduction=prorated_yen(segments, lambda s: s.per_capita_reduction),
        per_household_reduction=prorated_yen(segments, lambda s: s.per_household_reduction),
    )


def assess(household: Household, params: PremiumParameters, explain: bool = True) -> Assessment:
    """Assess ``household`` for ``params.fiscal_year``; with ``explain`` every segment keeps its
    levy lines (the batch leaves them out and regenerates them on request)."""
    validate(household)
    year = year_states(household, params)
    if not year.groups:
        raise NoInsuredMonths(household.nhi_household_number, params.fiscal_year)
    return _assessed(household, params, year, _Judgements(household, params), explain)


def _shared(params: PremiumParameters) -> tuple[object, ...]:
    """What the month states and the 7/5/2割 judgement depend on: the year and national
    figures only (a city's rates never change them)."""
    return (
        params.fiscal_year,
        params.childbirth_births_from,
        params.childbirth_months_before,
        params.childbirth_months_after,
        params.childbirth_multiple_months_before,
        params.former_dependant_months,
        params.specified_household_months,
        params.specified_continuing_household_months,
        params.long_term_care_age_from,
        params.long_term_care_age_to,
        params.reductions,
        params.unemployment_salary_factor,
    )


def assess_each(
    household: Household, sets: Sequence[PremiumParameters], explain: bool = False
) -> list[Assessment]:
    """``household`` under each parameter set (a rate simulation): the same as :func:`assess`
    per set, with the month states and the 7/5/2割 judgement computed once for the sets that
    share the national figures they depend on."""
    validate(household)
    shared: dict[tuple[object, ...], tuple[YearStates, _Judgements]] = {}
    out = []
    for params in sets:
        key = _shared(params)
        if key not in shared:
            year = year_states(household, params)
            if not year.groups:
                raise NoInsuredMonths(household.nhi_household_number, params.fiscal_year)
            shared[key] = (year, _Judgements(household, params))
        year, judge = shared[key]
        out.append(_assessed(household, params, year, judge, explain))
    return out


def _assessed(
    household: Household,
    params: PremiumParameters,
    year: YearStates,
    judge: _Judgements,
    explain: bool,
) -> Assessment:
    results = [
        result
        for rates in params.components
        if (result := _component(household, params, rates, year, judge, explain)) is not None
    ]
    total = round_total(sum(r.amount for r in results), params.conventions)
    return Assessment(
        nhi_household_number=household.nhi_household_number,
        fiscal_year=params.fiscal_year,
        city=params.city,
        components=tuple(results),
        total=total,
        insured_months=year.insured_months,
    )
