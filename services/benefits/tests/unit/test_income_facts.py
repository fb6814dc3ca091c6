"""Assessment's income facts (ADR 0045) decide 所得区分 and the 70–74 rate: who is 70–74 in
the rate period (the day itself), the 低所得Ⅰ zero-income test at its figures (the deduction
itself and a yen above, by period), the 145万 line through the statement, undeclared members,
and the use case on the in-memory unit (a decision once, a changed income a new one)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kokuho.benefits.adapters.memory import InMemoryBenefitsUnit
from kokuho.benefits.app.copayment_rates import (
    INCOME_FACTS_ACTOR,
    decide_on_income_facts,
    facts_of,
)
from kokuho.benefits.app.ports import Benefits
from kokuho.benefits.domain import copayment_rate as rate
from kokuho.benefits.domain.high_cost.household_month import AgeBand
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory, Under70Category
from kokuho.benefits.domain.income_category import HouseholdFacts, decide_categories
from kokuho.benefits.domain.income_facts import age_band_in_period, age_on, is_zero_income
from kokuho.benefits.parameters import load_income_lines, load_schedule, load_zero_income
from kokuho.events.contracts import benefits as contracts
from kokuho.events.contracts.assessment import HouseholdIncomeFactsStated

PORTS = Benefits(load_schedule(), load_income_lines())
ZERO = load_zero_income()
START, END = date(2026, 8, 1), date(2027, 7, 31)  # the period of income year 2025
TODAY = date(2026, 12, 1)
HOUSEHOLD = "9930000001"
ELDER, SPOUSE = "3000000001", "3000000002"


def member(number: str, birth: date, **figures: Any) -> dict[str, Any]:
    return {
        "addressee_number": number,
        "birth_date": birth.isoformat(),
        "insured": True,
        "declared": True,
        "resident_tax_exempt": False,
        "taxable_income": 0,
        "old_proviso_income": 0,
        "revenue": 0,
        "salary_income": 0,
        "pension_revenue": 0,
        "other_income": 0,
        **figures,
    }


def stated(*members: dict[str, Any], head: str = ELDER, **extra: Any) -> HouseholdIncomeFactsStated:
    return HouseholdIncomeFactsStated.model_validate(
        {
            "nhi_household_number": HOUSEHOLD,
            "income_year": 2025,
            "householder_addressee_number": head,
            "members": list(members),
            "cause": "income_import",
            "stated_on": TODAY.isoformat(),
            "stated_by": "U-BATCH",
            **extra,
        }
    )


def elder(taxable: int, **figures: Any) -> dict[str, Any]:
    given = {"old_proviso_income": 3_000_000, "revenue": 5_000_000, **figures}
    return member(ELDER, date(1954, 5, 5), taxable_income=taxable, **given)


def test_ages_are_attained_the_day_before_the_birthday() -> None:
    assert age_on(date(1957, 8, 1), date(2027, 7, 30)) == 69
    assert age_on(date(1957, 8, 1), date(2027, 7, 31)) == 70


@pytest.mark.parametrize(
    ("birth", "band"),
    [
        (date(1957, 8, 1), AgeBand.AGED_70_74),  # attains 70 on the period's last day
        (date(1957, 8, 2), AgeBand.UNDER_70),  # the day after: not in this period
        (date(1951, 8, 3), AgeBand.AGED_70_74),  # 74 on the first day (75 the day after)
        (date(1951, 8, 2), None),  # attains 75 on the first day: 後期
    ],
)
def test_the_70_74_band_of_a_rate_period(birth: date, band: AgeBand | None) -> None:
    assert age_band_in_period(birth, START, END) is band


@pytest.mark.parametrize(
    ("day", "pension", "zero"),
    [
        (date(2026, 7, 1), 800_000, True),
        (date(2026, 7, 1), 800_001, False),
        (date(2026, 8, 1), 826_500, True),  # the 2026-08 figure (❌ configuration)
        (date(2026, 8, 1), 826_501, False),
    ],
)
def test_the_zero_income_pension_deduction_by_period(day: date, pension: int, zero: bool) -> None:
    assert is_zero_income(0, pension, 0, ZERO.on(day)) is zero


def test_the_zero_income_salary_deduction_and_other_income() -> None:
    figures = ZERO.on(START)
    assert is_zero_income(100_000, 0, 0, figures)
    assert not is_zero_income(100_001, 0, 0, figures)
    assert not is_zero_income(0, 0, 1, figures)
    assert int(figures.pension_deduction.value) == 826_500  # type: ignore[call-overload]
    assert figures.pension_deduction.configuration


@pytest.mark.parametrize(
    ("taxable", "percent", "category"),
    [
        (1_450_000, 30, ElderlyCategory.ACTIVE_1),  # the line itself
        (1_449_999, 20, ElderlyCategory.GENERAL),
    ],
)
def test_the_145_line_through_the_statement(
    taxable: int, percent: int, category: ElderlyCategory
) -> None:
    facts = facts_of(stated(elder(taxable)), ZERO)
    assert isinstance(facts, HouseholdFacts)
    decision = decide_categories(facts, PORTS.income_lines)
    assert (decision.copayment_rate_percent, decision.elderly) == (percent, category)
    assert decision.elderly_members == (ELDER,)


def test_an_under_70_spouse_and_a_specified_member_count_where_they_should() -> None:
    spouse = member(SPOUSE, date(1970, 1, 1), old_proviso_income=6_500_000, revenue=8_000_000)
    facts = facts_of(
        stated(
            elder(2_000_000, revenue=3_000_000),
            spouse,
            specified_same_household=[{"addressee_number": "3000000009", "revenue": 2_500_000}],
        ),
        ZERO,
    )
    assert isinstance(facts, HouseholdFacts)
    assert [m.age_band for m in facts.members] == [AgeBand.AGED_70_74, AgeBand.UNDER_70]
    assert facts.specified_same_household_revenue == (2_500_000,)
    decision = decide_categories(facts, PORTS.income_lines)
    # under 70: 3,000,000 + 6,500,000 > 901万 → ア; the elder alone 3,000,000 < 383万 but with
    # the 特定同一世帯所属者 5,500,000 ≥ 520万: 3割 stands
    assert decision.under_70 is Under70Category.A
    assert decision.copayment_rate_percent == 30


def test_an_undeclared_member_or_householder_is_not_decided() -> None:
    assert facts_of(stated(elder(0, declared=False)), ZERO) == "a member's income is not declared"
    head = member("3000000005", date(1960, 1, 1), insured=False, declared=False)
    assert facts_of(stated(elder(0), head, head="3000000005"), ZERO) == (
        "the householder's income is not declared"
    )


def test_a_deemed_householder_with_income_keeps_the_household_out_of_low_1() -> None:
    exempt = {"resident_tax_exempt": True, "old_proviso_income": 0, "revenue": 700_000}
    poor = elder(0, pension_revenue=700_000, **exempt)
    head = member(
        "3000000005",
        date(1960, 1, 1),
        insured=False,
        resident_tax_exempt=True,
        salary_income=500_000,
    )
    alone = facts_of(stated(poor), ZERO)
    deemed = facts_of(stated(poor, head, head="3000000005"), ZERO)
    assert isinstance(alone, HouseholdFacts)
    assert isinstance(deemed, HouseholdFacts)
    assert decide_categories(alone, PORTS.income_lines).elderly is ElderlyCategory.LOW_1
    assert decide_categories(deemed, PORTS.income_lines).elderly is ElderlyCategory.LOW_2


def test_a_member_75_or_older_is_left_out() -> None:
    old = member(ELDER, date(1950, 1, 1), taxable_income=5_000_000, old_proviso_income=5_000_000)
    assert facts_of(stated(old), ZERO) == "no NHI member under 75 in the rate period"


async def test_the_use_case_decides_once_and_again_on_a_changed_income() -> None:
    uow = InMemoryBenefitsUnit(topic="test.topic")
    first = await decide_on_income_facts(uow, PORTS, stated(elder(2_000_000)), TODAY)
    assert first is not None
    assert first.changed
    assert first.rate.copayment_rate_percent == 30
    assert first.rate.decided_by == INCOME_FACTS_ACTOR
    again = await decide_on_income_facts(uow, PORTS, stated(elder(2_000_000)), TODAY)
    assert again is not None
    assert not again.changed
    lower = await decide_on_income_facts(uow, PORTS, stated(elder(1_000_000)), TODAY)
    assert lower is not None
    assert (lower.changed, lower.rate.copayment_rate_percent) == (True, 20)
    recorded = await uow.events.load(rate.stream_id(HOUSEHOLD, 2025))
    assert [r.event_type for r in recorded] == [contracts.CopaymentRateDecided.event_type] * 2
    # the figures are judged and dropped: no income on the published event
    for message in uow.events.outbox:
        assert "2000000" not in str(message)
        assert "5000000" not in str(message)


async def test_nothing_is_decided_on_a_year_not_ended_or_an_undeclared_member() -> None:
    uow = InMemoryBenefitsUnit(topic="test.topic")
    assert (
        await decide_on_income_facts(uow, PORTS, stated(elder(2_000_000)), date(2025, 12, 31))
        is None
    )
    assert await decide_on_income_facts(uow, PORTS, stated(elder(0, declared=False)), TODAY) is None
    assert uow.events.outbox == []
