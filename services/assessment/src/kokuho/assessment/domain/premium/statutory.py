"""The statutory 7割/5割/2割 reduction test (軽減判定, 国民健康保険法施行令29条の7; rules.md
2.3) and the reference date it is judged on (賦課期日).

The household's 軽減判定所得 is the sum over the householder (even a deemed householder,
擬制世帯主) and every insured member and 特定同一世帯所属者 on the reference date; 65 and over
(at the end of the income year) take 15万 off their pension income for the test only; each
給与所得者等 after the first raises the thresholds. Undeclared income gives no reduction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from kokuho.assessment.domain.calendar import age_on
from kokuho.assessment.domain.household import Household, Person
from kokuho.assessment.domain.parameters import PremiumParameters, ReductionRules
from kokuho.assessment.domain.premium.explanation import ReductionJudgement
from kokuho.assessment.domain.premium.income_levy import salary_income
from kokuho.assessment.domain.premium.months import insured_on


def reference_date(household: Household, fiscal_year: int) -> date:
    """賦課期日 April 1, or the joining date of a household that joins during the year."""
    april = date(fiscal_year, 4, 1)
    if any(insured_on(p, april) for p in household.people):
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


def _judged_people(household: Household, reference: date) -> tuple[list[Person], int]:
    """Whose income counts (the householder first), and the number of heads (被保険者 +
    特定同一世帯所属者)."""
    heads = [p for p in household.people if insured_on(p, reference) or p.specified_same_household]
    judged: list[Person] = []
    householder = household.person(household.householder)
    if householder is not None:
        judged.append(householder)  # even a deemed householder (擬制世帯主)
    judged += [p for p in heads if p.addressee_number != household.householder]
    return judged, len(heads)


def _judged_income(p: Person, senior: bool, unemployed: bool, params: PremiumParameters) -> int:
    inc = p.income
    pension = inc.pension_income
    if senior:
        pension = max(0, pension - params.reductions.pension_deduction_65_plus)
    return (
        salary_income(p, unemployed, params)
        + pension
        + inc.other_income
        + inc.family_employee_deduction
        + inc.transfer_special_deduction
    )


def _is_earner(p: Person, senior: bool, rules: ReductionRules) -> bool:
    """給与所得者等: salary revenue over 55万, or pension revenue over 60万 (125万 at 65+)."""
    pension_over = (
        rules.earner_pension_revenue_over_65_plus
        if senior
        else rules.earner_pension_revenue_over_under_65
    )
    return (
        p.income.salary_revenue > rules.earner_salary_revenue_over
        or p.income.pension_revenue > pension_over
    )


def _level(total: int, thresholds: tuple[tuple[int, int], ...]) -> int:
    for level, threshold in thresholds:
        if total <= threshold:
            return level
    return 0


def judge_statutory_reduction(
    household: Household,
    params: PremiumParameters,
    reference: date,
    unemployed: Iterable[str] = (),
) -> ReductionJudgement:
    """7割/5割/2割軽減 test on the household's 軽減判定所得 (rules.md 2.3)."""
    rules = params.reductions
    unemployed_set = set(unemployed)
    judged, heads = _judged_people(household, reference)
    # the age used for pensions is the one at the end of the income year (公的年金等控除)
    income_year_end = date(params.fiscal_year - 1, 12, 31)
    incomes: list[tuple[str, int]] = []
    earners = 0
    for p in judged:
        senior = age_on(p.birth_date, income_year_end) >= 65
        unemployed_p = p.addressee_number in unemployed_set
        incomes.append((p.addressee_number, _judged_income(p, senior, unemployed_p, params)))
        if _is_earner(p, senior, rules):
            earners += 1
    total = sum(amount for _, amount in incomes)
    seventy = rules.seventy_base + rules.earner_addition * max(earners - 1, 0)
    fifty = seventy + rules.fifty_per_head * heads
    twenty = seventy + rules.twenty_per_head * heads
    reason: str | None = None
    if any(not p.income.declared for p in judged):
        level, reason = 0, "income-not-declared"
    else:
        level = _level(total, ((7, seventy), (5, fifty), (2, twenty)))
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
