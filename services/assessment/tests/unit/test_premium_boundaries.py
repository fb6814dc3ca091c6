"""Boundaries of the premium engine that mutation testing showed were not pinned.

First a sample of the old ``premium.py``: the cap itself, a loss on the acquisition day, the
reference date (賦課期日), the 12 months of a fiscal year. Then a run over the split modules:
where a period starts or ends exactly (特定世帯, 産前産後, 非自発的失業者), the 軽減判定
add-backs and ages, cutting near zero, and what the explanation lines say. Figures come from
the year's parameter files (``fy2025`` fixture), never from literals here; the comments show
what they are for FY2025 (Hiroshima).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import Any

import pytest

from kokuho.assessment.domain.errors import HouseholdInvalid, NoInsuredMonths
from kokuho.assessment.domain.household import Childbirth, Household, Income, Person
from kokuho.assessment.domain.parameters import Component, PremiumParameters
from kokuho.assessment.domain.premium import (
    Assessment,
    ComponentResult,
    LevyLine,
    Reduction,
    assess,
    floor_to,
    judge_statutory_reduction,
    reference_date,
)

MED = Component.MEDICAL
AGE_30 = date(1995, 6, 1)


def p(n: int, birth: date = AGE_30, **fields: Any) -> Person:
    income = {k: fields.pop(k) for k in list(fields) if k in Income.__dataclass_fields__}
    return Person(f"{n:010d}", birth, Income(**income), **fields)


def hh(*people: Person, **fields: Any) -> Household:
    return Household("9000000001", people[0].addressee_number, tuple(people), **fields)


def medical(a: Assessment) -> ComponentResult:
    result = a.component(MED)
    assert result is not None
    return result


def income_reaching(params: PremiumParameters, levy: int) -> int:
    """The smallest 総所得金額 whose 医療 所得割 is exactly ``levy`` yen (rates are below 1, so
    the smallest base whose levy reaches ``levy`` cannot overshoot it by a yen)."""
    rates = params.rates(MED)
    assert rates is not None
    base = (Decimal(levy) / rates.income_rate).to_integral_value(rounding=ROUND_CEILING)
    return int(base) + params.basic_deduction


# --- the cap (賦課限度額) ------------------------------------------------------------------------


def test_an_amount_exactly_at_the_cap_is_not_capped(fy2025: PremiumParameters) -> None:
    # FY2025 医療: cap 660,000 − 均等割 30,133 − 平等割 29,758 = 所得割 600,109
    #   (base 7,230,229 × 8.30% = 600,109.007 → 600,109): subtotal 660,000, nothing cut off
    rates = fy2025.rates(MED)
    assert rates is not None
    levy = rates.cap - rates.per_capita - rates.per_household
    a = assess(hh(p(1, other_income=income_reaching(fy2025, levy))), fy2025)
    seg = medical(a).segments[0]
    assert seg.income_levy == levy
    assert (seg.subtotal, seg.rounded, seg.cap, seg.annual) == (rates.cap,) * 4
    assert not seg.capped
    assert medical(a).amount == rates.cap


def test_one_rounding_unit_above_the_cap_is_capped(fy2025: PremiumParameters) -> None:
    # 所得割 600,209: subtotal 660,100 → rounded 660,100 > 660,000 → capped at 660,000
    rates = fy2025.rates(MED)
    assert rates is not None
    unit = fy2025.conventions.rounding_unit
    levy = rates.cap - rates.per_capita - rates.per_household + unit
    seg = medical(assess(hh(p(1, other_income=income_reaching(fy2025, levy))), fy2025)).segments[0]
    assert seg.rounded == rates.cap + unit
    assert seg.capped
    assert seg.annual == rates.cap


# --- a loss on the acquisition day ------------------------------------------------------------


def test_a_loss_on_the_acquisition_day_is_accepted_and_gives_no_month(
    fy2025: PremiumParameters,
) -> None:
    # joins and leaves on 10 July (e.g. a same-day transfer): a valid history with no premium
    # month; the household pays exactly what the other member alone pays
    day = date(2025, 7, 10)
    both = assess(hh(p(1), p(2, acquisition_date=day, loss_date=day)), fy2025)
    alone = assess(hh(p(1)), fy2025)
    assert both.total == alone.total
    assert both.insured_months == 12
    assert [len(s.months) for s in medical(both).segments] == [12]


def test_a_loss_on_the_acquisition_day_alone_has_no_insured_month(
    fy2025: PremiumParameters,
) -> None:
    day = date(2025, 7, 10)
    with pytest.raises(NoInsuredMonths):
        assess(hh(p(1, acquisition_date=day, loss_date=day)), fy2025)


def test_a_same_day_joiner_does_not_fix_the_reference_date(fy2025: PremiumParameters) -> None:
    # nobody is insured on 1 April; the first real joining (1 September) is the reference date
    day = date(2025, 7, 10)
    h = hh(p(1, acquisition_date=day, loss_date=day), p(2, acquisition_date=date(2025, 9, 1)))
    assert reference_date(h, 2025) == date(2025, 9, 1)
    seg = medical(assess(h, fy2025)).segments[0]
    assert seg.judgement.reference_date == date(2025, 9, 1)
    assert [m.month for m in seg.months] == [9, 10, 11, 12, 1, 2, 3]


def test_a_loss_on_april_1_means_not_insured_on_the_reference_date(
    fy2025: PremiumParameters,
) -> None:
    # member 1 leaves on 1 April (no month of the year); member 2 joins on 1 June
    h = hh(p(1, loss_date=date(2025, 4, 1)), p(2, acquisition_date=date(2025, 6, 1)))
    assert reference_date(h, 2025) == date(2025, 6, 1)


def test_an_acquisition_on_april_1_is_insured_on_the_reference_date(
    fy2025: PremiumParameters,
) -> None:
    h = hh(p(1), p(2, acquisition_date=date(2025, 4, 1)))
    assert reference_date(h, 2025) == date(2025, 4, 1)
    # both count as heads of the 軽減判定 on that day
    assert judge_statutory_reduction(h, fy2025, date(2025, 4, 1)).heads == 2


def test_a_member_lost_on_the_reference_date_is_not_a_head(fy2025: PremiumParameters) -> None:
    h = hh(p(1), p(2, loss_date=date(2025, 4, 1)))
    assert judge_statutory_reduction(h, fy2025, date(2025, 4, 1)).heads == 1


# --- the 12 months of a fiscal year --------------------------------------------------------------


def test_a_member_insured_across_the_whole_year_counts_twelve_months(
    fy2025: PremiumParameters,
) -> None:
    # acquired long before April, lost long after March: exactly April..March, no more
    h = hh(p(1, acquisition_date=date(2010, 1, 1), loss_date=date(2030, 1, 1)))
    a = assess(h, fy2025)
    assert a.insured_months == 12
    assert medical(a).months == 12
    assert [m for m in medical(a).segments[0].months] == [
        date(2025, m, 1) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12)
    ] + [date(2026, m, 1) for m in (1, 2, 3)]


def test_a_loss_on_april_1_of_the_next_year_keeps_all_twelve_months(
    fy2025: PremiumParameters,
) -> None:
    # loss 2026-04-01 is in the next fiscal year: March 2026 is the last premium month
    a = assess(hh(p(1, loss_date=date(2026, 4, 1))), fy2025)
    assert (a.insured_months, medical(a).months) == (12, 12)
    assert medical(a).amount == medical(assess(hh(p(1)), fy2025)).amount


def test_a_loss_on_march_31_drops_march(fy2025: PremiumParameters) -> None:
    # the month containing the loss is not a premium month: April..February, 11 months; one
    # state for 11 months is still prorated: 医療 17,900 × 11/12 = 16,408.3 → 16,400
    a = assess(hh(p(1, loss_date=date(2026, 3, 31))), fy2025)
    assert (a.insured_months, medical(a).months) == (11, 11)
    annual = medical(a).segments[0].annual
    unit = fy2025.conventions.prorated_rounding_unit
    assert medical(a).amount == annual * 11 // 12 // unit * unit
    assert medical(a).amount < annual


def test_a_joiner_in_march_pays_one_twelfth(fy2025: PremiumParameters) -> None:
    # 7割 single member: 医療 annual 17,900 (see test_premium_engine) × 1/12 = 1,491.6 → 1,400
    a = assess(hh(p(1, acquisition_date=date(2026, 3, 31))), fy2025)
    seg = medical(a).segments[0]
    unit = fy2025.conventions.prorated_rounding_unit
    assert (a.insured_months, medical(a).months) == (1, 1)
    # joining on the last day of the fiscal year still sets the reference date (賦課期日)
    assert seg.judgement.reference_date == date(2026, 3, 31)
    assert medical(a).amount == seg.annual // 12 // unit * unit


def test_twelve_months_in_two_states_are_prorated_not_taken_whole(
    fy2025: PremiumParameters,
) -> None:
    # birth 2025-08-10 exempts Jul..Oct: two segments cover the 12 months, so the amount is
    # Σ(annual × months) ÷ 12 cut to the prorated unit, not the first segment's annual
    mother = p(1, salary_income=2_000_000, childbirth=Childbirth(date(2025, 8, 10)))
    result = medical(assess(hh(mother), fy2025))
    assert result.months == 12
    weighted = sum(s.annual * len(s.months) for s in result.segments)
    unit = fy2025.conventions.prorated_rounding_unit
    assert result.amount == weighted // 12 // unit * unit
    assert result.amount != result.segments[0].annual


def test_ten_tenths_reductions_are_reported_with_rate_one(fy2025: PremiumParameters) -> None:
    # 産前産後: 所得割 and 均等割 of the exempt months are reduced by 10割 (rate 1)
    mother = p(1, salary_income=2_000_000, childbirth=Childbirth(date(2025, 8, 10)))
    exempt = medical(assess(hh(mother), fy2025)).segments[1]
    reductions = [r for line in exempt.lines for r in line.reductions]
    assert {r.name for r in reductions} == {"childbirth"}
    assert all(r.rate == 1 for r in reductions)
    assert exempt.income_levy == exempt.per_capita_levy == 0


def test_a_specified_household_from_may_changes_from_the_second_month(
    fy2025: PremiumParameters,
) -> None:
    # the move in May 2025: April is an ordinary month, May..March are 特定世帯 months
    member = p(1, date(1955, 1, 10), other_income=3_000_000)
    moved = p(2, date(1951, 3, 3), insured=False, specified_same_household=True)
    h = hh(member, moved, specified_household_since=date(2025, 5, 20))
    segments = medical(assess(h, fy2025)).segments
    assert [len(s.months) for s in segments] == [1, 11]
    rates = fy2025.rates(MED)
    assert rates is not None
    assert segments[1].per_household_levy == rates.specified_per_household


def test_a_specified_household_from_march_changes_the_last_month(
    fy2025: PremiumParameters,
) -> None:
    # a member moves to 後期高齢者医療 in March 2026: March alone is a 特定世帯 month, so the
    # year has two states (Apr..Feb, Mar) and March's 平等割 is reduced
    member = p(1, date(1955, 1, 10), other_income=3_000_000)
    moved = p(2, date(1951, 3, 3), insured=False, specified_same_household=True)
    h = hh(member, moved, specified_household_since=date(2026, 3, 20))
    segments = medical(assess(h, fy2025)).segments
    assert [len(s.months) for s in segments] == [11, 1]
    rates = fy2025.rates(MED)
    assert rates is not None
    assert rates.specified_per_household is not None
    assert segments[0].per_household_levy == rates.per_household
    assert segments[1].per_household_levy == rates.specified_per_household


# --- cutting to the unit (切捨て) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal("0.5"), 1, 0),  # less than one unit above zero is cut to zero, not below
        (Decimal("0.99"), 100, 0),
        (Decimal("50"), 100, 0),
        (Decimal("-0.01"), 100, -100),
        (Decimal("0"), 100, 0),
    ],
)
def test_floor_to_near_zero(value: Decimal, unit: int, expected: int) -> None:
    assert floor_to(value, unit) == expected


# --- where a period starts or ends exactly ------------------------------------------------------


def months_before(year: int, month: int, months: int) -> date:
    index = year * 12 + month - 1 - months
    return date(index // 12, index % 12 + 1, 15)


def test_the_specified_continuing_household_ends_in_its_last_month(
    fy2025: PremiumParameters,
) -> None:
    # 特定世帯 for 5 years, 特定継続世帯 to 8 years (96 months in FY2025): with the move
    # 96 months before June 2025, April and May are the last continuing months and June is
    # the first month with the full 平等割 again
    since = months_before(2025, 6, fy2025.specified_continuing_household_months)
    member = p(1, date(1955, 1, 10), other_income=3_000_000)
    moved = p(2, date(1948, 3, 3), insured=False, specified_same_household=True)
    segments = medical(assess(hh(member, moved, specified_household_since=since), fy2025)).segments
    assert [[m.month for m in s.months] for s in segments] == [
        [4, 5],
        [6, 7, 8, 9, 10, 11, 12, 1, 2, 3],
    ]
    rates = fy2025.rates(MED)
    assert rates is not None
    assert segments[0].per_household_levy == rates.specified_continuing_per_household
    assert segments[1].per_household_levy == rates.per_household


@pytest.mark.parametrize(
    ("birth", "exempt"), [(date(2025, 8, 10), True), (date(2025, 8, 9), False)]
)
def test_childbirth_exemption_from_the_first_birth_date_on(
    fy2025: PremiumParameters, birth: date, exempt: bool
) -> None:
    # the exemption covers births on or after childbirth.births_from (here moved into the
    # year so that its months fall in FY2025)
    params = replace(fy2025, childbirth_births_from=date(2025, 8, 10))
    mother = p(1, salary_income=2_000_000, childbirth=Childbirth(birth))
    segments = medical(assess(hh(mother), params)).segments
    assert (len(segments) == 2) is exempt


@pytest.mark.parametrize(
    ("separation", "normal_months"),
    [(date(2025, 9, 29), 5), (date(2025, 9, 30), 6)],
)
def test_unemployment_treatment_from_the_month_of_the_day_after_separation(
    fy2025: PremiumParameters, separation: date, normal_months: int
) -> None:
    # separated 29 September: the day after is still September, so September is reduced;
    # separated 30 September: the day after is 1 October
    member = p(1, salary_revenue=4_400_000, salary_income=3_000_000,
               involuntary_separation_date=separation)  # fmt: skip
    segments = medical(assess(hh(member), fy2025)).segments
    assert [len(s.months) for s in segments] == [normal_months, 12 - normal_months]


# --- the 軽減判定 and the explanation ------------------------------------------------------------


def test_deductions_added_back_for_the_reduction_test(fy2025: PremiumParameters) -> None:
    # 軽減判定所得 adds back 専従者控除 and 譲渡所得の特別控除 (they are not 所得割 income)
    member = p(1, other_income=100_000, family_employee_deduction=200_000,
               transfer_special_deduction=50_000)  # fmt: skip
    judged = judge_statutory_reduction(hh(member), fy2025, date(2025, 4, 1))
    assert judged.judged_income == 350_000
    assert judged.incomes == (("0000000001", 350_000),)


@pytest.mark.parametrize(("birth", "senior"), [(date(1960, 1, 1), True), (date(1960, 1, 2), False)])
def test_the_65_plus_pension_deduction_uses_the_age_at_the_end_of_the_income_year(
    fy2025: PremiumParameters, birth: date, senior: bool
) -> None:
    # born 1 January 1960: 65 on 31 December 2024 (the end of the income year of FY2025);
    # born 2 January 1960: 65 only on 1 January 2025
    member = p(1, birth, pension_income=400_000)
    judged = judge_statutory_reduction(hh(member), fy2025, date(2025, 4, 1))
    deduction = fy2025.reductions.pension_deduction_65_plus if senior else 0
    assert judged.judged_income == 400_000 - deduction


def test_the_earliest_joining_is_the_reference_date() -> None:
    late, early = date(2025, 11, 1), date(2025, 8, 1)
    h = hh(p(1, acquisition_date=late), p(2, acquisition_date=early))
    assert reference_date(h, 2025) == early


def test_a_joining_in_the_next_fiscal_year_does_not_move_the_reference_date() -> None:
    h = hh(p(1, acquisition_date=date(2026, 4, 1)))
    assert reference_date(h, 2025) == date(2025, 4, 1)


def test_the_income_line_says_how_its_base_was_found(fy2025: PremiumParameters) -> None:
    member = p(1, salary_revenue=4_400_000, salary_income=3_000_000, other_income=10_000,
               involuntary_separation_date=date(2025, 3, 31))  # fmt: skip
    seg = medical(assess(hh(member), fy2025)).segments[0]
    line = next(x for x in seg.lines if x.levy == "income_levy")
    factor = fy2025.unemployment_salary_factor
    reduced = floor_to(3_000_000 * factor)
    assert line.notes == (
        f"involuntary_unemployment: salary_income 3000000 × {factor} = {reduced}",
        f"total_income {reduced + 10_000} − basic_deduction {fy2025.basic_deduction}",
    )
    assert line.base == reduced + 10_000 - fy2025.basic_deduction
    without = assess(hh(member), fy2025, explain=False)
    assert medical(without).segments[0].lines == ()
    assert without.total == assess(hh(member), fy2025).total


def test_income_below_the_basic_deduction_is_a_zero_base(fy2025: PremiumParameters) -> None:
    member = p(1, other_income=fy2025.basic_deduction - 1)
    seg = medical(assess(hh(member), fy2025)).segments[0]
    line = next(x for x in seg.lines if x.levy == "income_levy")
    assert (line.base, line.gross, line.net, seg.income_levy) == (0, 0, 0, 0)
    assert line.notes == (
        f"total_income {fy2025.basic_deduction - 1} − basic_deduction {fy2025.basic_deduction}",
    )


def test_an_equal_statutory_reduction_is_named_before_the_former_dependant_halving(
    fy2025: PremiumParameters,
) -> None:
    # 5割 (income 500,000, one head) equals the 旧被扶養者 halving of 均等割 and 平等割: the
    # halving applies only where it is larger, so the lines name the statutory reduction
    assert fy2025.former_dependant_per_capita_reduction == Decimal("0.5")
    assert fy2025.former_dependant_per_household_reduction == Decimal("0.5")
    member = p(1, date(1957, 2, 2), other_income=500_000, former_dependant_since=date(2025, 1, 1))
    seg = medical(assess(hh(member), fy2025)).segments[0]
    assert seg.judgement.level == 5
    names = {x.levy: [r.name for r in x.reductions] for x in seg.lines}
    assert names["per_capita_levy"] == ["statutory_50_percent"]
    assert names["per_household_levy"] == ["statutory_50_percent"]
    assert names["income_levy"] == ["former_dependant"]


def _specified_household_line(params: PremiumParameters) -> LevyLine:
    member = p(1, date(1955, 1, 10), other_income=3_000_000)
    moved = p(2, date(1951, 3, 3), insured=False, specified_same_household=True)
    h = hh(member, moved, specified_household_since=date(2024, 9, 15))
    lines = medical(assess(h, params)).segments[0].lines
    return next(x for x in lines if x.levy == "per_household_levy")


def test_the_specified_household_reduction_is_the_difference_of_the_amounts(
    fy2025: PremiumParameters,
) -> None:
    rates = fy2025.rates(MED)
    assert rates is not None
    assert rates.specified_per_household is not None
    line = _specified_household_line(fy2025)
    cut = rates.per_household - rates.specified_per_household
    assert [(r.name, r.rate, r.amount) for r in line.reductions] == [
        ("specified_household", None, cut)
    ]
    assert line.net == rates.specified_per_household


def test_no_specified_household_reduction_where_the_amounts_are_equal(
    fy2025: PremiumParameters,
) -> None:
    # a city could set the 特定世帯 平等割 to the full amount: then nothing is taken off
    same = replace(
        fy2025,
        components=tuple(
            replace(r, specified_per_household=r.per_household) for r in fy2025.components
        ),
    )
    line = _specified_household_line(same)
    assert line.reductions == ()
    assert line.net == line.gross


# --- validation ---------------------------------------------------------------------------------


def test_an_insured_member_without_a_loss_cannot_be_specified_same_household(
    fy2025: PremiumParameters,
) -> None:
    both = p(2, specified_same_household=True)
    with pytest.raises(HouseholdInvalid, match="特定同一世帯所属者 at once"):
        assess(hh(p(1), both), fy2025)


def test_a_member_who_left_during_the_year_may_be_specified_same_household(
    fy2025: PremiumParameters,
) -> None:
    # insured until 1 October, then 特定同一世帯所属者 (moved to 後期高齢者医療)
    moved = p(2, date(1950, 10, 2), specified_same_household=True, loss_date=date(2025, 10, 1))
    a = assess(hh(p(1), moved), fy2025)
    assert [len(s.months) for s in medical(a).segments] == [6, 6]


@pytest.mark.parametrize(
    ("separation", "refused"), [(date(2025, 5, 31), False), (date(2025, 6, 1), True)]
)
def test_unemployment_treatment_is_for_separation_under_65(
    fy2025: PremiumParameters, separation: date, refused: bool
) -> None:
    # born 2 June 1960: 65 on 1 June 2025 (the day before the birthday)
    member = p(1, date(1960, 6, 2), salary_income=3_000_000, involuntary_separation_date=separation)
    if refused:
        with pytest.raises(HouseholdInvalid, match="65 or over"):
            assess(hh(member), fy2025)
    else:
        assert assess(hh(member), fy2025).total > 0


def test_the_result_and_its_explanation_are_immutable(fy2025: PremiumParameters) -> None:
    a = assess(hh(p(1, salary_income=2_000_000)), fy2025)
    seg = medical(a).segments[0]
    line = seg.lines[0]
    judgement = seg.judgement
    reduction = Reduction("x", None, Decimal(1))
    for obj, field in [
        (a, "total"),
        (medical(a), "amount"),
        (seg, "annual"),
        (line, "net"),
        (judgement, "level"),
        (reduction, "amount"),
    ]:
        # FrozenInstanceError for the dataclasses, AttributeError for the tuples (Segment,
        # ComponentResult since ADR 0108): both refuse the change
        with pytest.raises(AttributeError):
            setattr(obj, field, 0)
