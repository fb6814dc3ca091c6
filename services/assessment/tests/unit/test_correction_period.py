"""The correction period (ADR 0035): a premium may be assessed or corrected for the current
fiscal year and ``correction.years`` (国保法110条: 2) before it; FY N stays correctable until
March 31 of N + 1 + years. Driven through ``assess_household``, the use case every assessment
and correction (更正) goes through, on the in-memory unit."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

import pytest

from kokuho.assessment.adapters.memory import InMemoryAssessmentStore, InMemoryAssessmentUnit
from kokuho.assessment.app.assessing import (
    AssessOutcome,
    assess_household,
    first_correctable_year,
    stream_id,
)
from kokuho.assessment.app.ports import HouseholdRow, MemberRow, StoredAssessment
from kokuho.assessment.bootstrap import CityRulebook
from kokuho.assessment.domain.errors import CorrectionPeriodExpired
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.events.testing.fakes import InMemoryEventStore

HOUSEHOLD = "9000000035"
PERSON = "1000000035"
#: the last day FY2024 may be corrected (two years after its 第10期 fell due, 2025-03-31)
BOUNDARY = date(2027, 3, 31)
DAY_AFTER = date(2027, 4, 1)


class StandInRulebook:
    """The packaged rulebook, with FY2023/FY2024 standing in as the FY2025 figures (test only:
    the period is decided before any rate is read) and an optional other reach."""

    def __init__(self, correction_years: int | None = None) -> None:
        self._city = CityRulebook("hiroshima", None)
        self._years = correction_years

    def __call__(self, fiscal_year: int) -> PremiumParameters:
        params = self._city(max(fiscal_year, 2025))
        params = dataclasses.replace(params, fiscal_year=fiscal_year)
        if self._years is not None:
            params = dataclasses.replace(params, correction_years=self._years)
        return params

    def is_holiday(self, day: date) -> bool:
        return self._city.is_holiday(day)


def store_with_household() -> InMemoryAssessmentStore:
    store = InMemoryAssessmentStore()
    store.households[HOUSEHOLD] = HouseholdRow(
        HOUSEHOLD, PERSON, members=(MemberRow(PERSON, date(1980, 5, 5)),)
    )
    return store


async def assess_on(
    store: InMemoryAssessmentStore,
    events: InMemoryEventStore,
    fiscal_year: int,
    today: date,
    rules: StandInRulebook | None = None,
) -> AssessOutcome:
    return await assess_household(
        InMemoryAssessmentUnit(store, events),
        rules or StandInRulebook(),
        nhi_household_number=HOUSEHOLD,
        fiscal_year=fiscal_year,
        cause="request",
        actor="U1",
        today=today,
    )


def test_first_correctable_year_moves_on_april_first() -> None:
    rules = StandInRulebook()
    assert first_correctable_year(rules, BOUNDARY) == 2024
    assert first_correctable_year(rules, DAY_AFTER) == 2025
    assert first_correctable_year(rules, date(2026, 12, 6)) == 2024


async def test_fy2024_is_correctable_on_the_boundary_day() -> None:
    store, events = store_with_household(), InMemoryEventStore(source="/kokuho/assessment")
    outcome = await assess_on(store, events, 2024, BOUNDARY)
    assert outcome.changed
    assert store.assessments[(HOUSEHOLD, 2024)].revision == 1
    assert len(await events.load(stream_id(HOUSEHOLD, 2024))) == 1


async def test_fy2024_is_refused_the_day_after_naming_the_rule_and_first_year() -> None:
    store, events = store_with_household(), InMemoryEventStore(source="/kokuho/assessment")
    # an assessment of FY2024 exists; a correction asked on 2027-04-01 comes too late
    previous = StoredAssessment(HOUSEHOLD, 2024, 1, uuid.uuid4(), 100, 0, 0, [], None, "r", "U")
    store.assessments[(HOUSEHOLD, 2024)] = previous
    with pytest.raises(CorrectionPeriodExpired) as refused:
        await assess_on(store, events, 2024, DAY_AFTER)
    assert refused.value.fiscal_year == 2024
    assert refused.value.first_correctable_year == 2025
    assert refused.value.years == 2
    assert refused.value.problem_slug() == "correction-period-expired"
    assert refused.value.status == 422
    message = str(refused.value)
    assert "国保法110条" in message
    assert "ADR 0035" in message
    assert "first correctable fiscal year is 2025" in message
    assert "2027-04-01" in message
    # nothing changed, nothing published
    assert store.assessments[(HOUSEHOLD, 2024)] is previous
    assert await events.load(stream_id(HOUSEHOLD, 2024)) == []


async def test_a_year_before_the_period_is_refused_before_its_parameters_are_read() -> None:
    store, events = store_with_household(), InMemoryEventStore(source="/kokuho/assessment")
    # FY2023 on 2026-12-06 (first correctable FY2024): refused by the rule, not as a year
    # without parameter files
    with pytest.raises(CorrectionPeriodExpired) as refused:
        await assess_household(
            InMemoryAssessmentUnit(store, events),
            CityRulebook("hiroshima", None),
            nhi_household_number=HOUSEHOLD,
            fiscal_year=2023,
            cause="request",
            actor="U1",
            today=date(2026, 12, 6),
        )
    assert refused.value.first_correctable_year == 2024


async def test_the_reach_is_the_parameter_not_a_literal() -> None:
    store, events = store_with_household(), InMemoryEventStore(source="/kokuho/assessment")
    # a city configured with the seed's 5 years (a 保険税 city, say) reaches FY2022 in FY2027
    five = StandInRulebook(correction_years=5)
    assert first_correctable_year(five, DAY_AFTER) == 2022
    outcome = await assess_on(store, events, 2022, DAY_AFTER, five)
    assert outcome.changed
    with pytest.raises(CorrectionPeriodExpired) as refused:
        await assess_on(store, events, 2021, DAY_AFTER, five)
    assert refused.value.first_correctable_year == 2022
    assert refused.value.years == 5
