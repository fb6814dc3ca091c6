"""Policy: eligibility's events keep assessment's view of households current, and every change
re-assesses (更正) the years already assessed that it touches; after a year's annual run, a
household not yet assessed for that year is assessed.

The projection is a dispatch table keyed by event type: each entry writes the event into the
projection and says which household it touched and from which date."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from kokuho.assessment.app.assessing import AssessOutcome, first_correctable_year, reassess_all
from kokuho.assessment.app.ports import AssessmentUnitPort, HouseholdProjection, ParametersFor
from kokuho.assessment.domain.calendar import fiscal_year_of
from kokuho.events.contracts import EventContract
from kokuho.events.contracts.eligibility import (
    CareInsuranceExclusionEnded,
    CareInsuranceExclusionRecorded,
    FormerDependantStatusChanged,
    HouseholdCompositionChanged,
    HouseholderChanged,
    HouseholdRegistered,
    InvoluntaryUnemploymentRecorded,
    PersonalDetailsChanged,
    QualificationAcquired,
    QualificationCorrected,
    QualificationLost,
    SpecifiedSameHouseholdMemberChanged,
)
from kokuho.events.ports import EventContext

#: (household touched, the date from which it changed), or None when nothing changed
Touched = tuple[str, date] | None
Project = Callable[[HouseholdProjection, Any], Awaitable[Touched]]


async def _registered(p: HouseholdProjection, e: HouseholdRegistered) -> Touched:
    number = e.nhi_household_number
    await p.household(
        number, e.householder_addressee_number, e.deemed_householder, householder_changed=False
    )
    return number, e.effective_date


async def _acquired(p: HouseholdProjection, e: QualificationAcquired) -> Touched:
    number = e.nhi_household_number
    await p.household_if_new(number, e.householder_addressee_number)
    former = e.acquisition_date if e.former_dependant else None
    await p.member_acquired(number, e.addressee_number, e.birth_date, e.acquisition_date, former)
    return number, e.acquisition_date


async def _lost(p: HouseholdProjection, e: QualificationLost) -> Touched:
    number = e.nhi_household_number
    await p.member_lost(number, e.addressee_number, e.loss_date, e.remains_in_household)
    return number, e.loss_date


async def _corrected(p: HouseholdProjection, e: QualificationCorrected) -> Touched:
    number = e.nhi_household_number
    await p.qualification_corrected(number, e.addressee_number, e.acquisition_date, e.loss_date)
    return number, e.acquisition_date


async def _householder(p: HouseholdProjection, e: HouseholderChanged) -> Touched:
    number = e.nhi_household_number
    await p.household(
        number, e.householder_addressee_number, e.deemed_householder, householder_changed=True
    )
    return number, e.effective_date


async def _composition(p: HouseholdProjection, e: HouseholdCompositionChanged) -> Touched:
    await p.composition(e)
    return e.nhi_household_number, e.effective_date


async def _former_dependant(p: HouseholdProjection, e: FormerDependantStatusChanged) -> Touched:
    since = e.since if e.former_dependant else None
    await p.former_dependant(e.nhi_household_number, e.addressee_number, since)
    return e.nhi_household_number, e.since


async def _unemployment(p: HouseholdProjection, e: InvoluntaryUnemploymentRecorded) -> Touched:
    await p.separation(e.nhi_household_number, e.addressee_number, e.separation_date)
    return e.nhi_household_number, e.reduction_start


async def _specified(p: HouseholdProjection, e: SpecifiedSameHouseholdMemberChanged) -> Touched:
    await p.specified_member(e.nhi_household_number, e.addressee_number, e.since, e.until)
    return e.nhi_household_number, e.since


async def _care_recorded(p: HouseholdProjection, e: CareInsuranceExclusionRecorded) -> Touched:
    await p.care_exclusion(
        e.nhi_household_number, e.addressee_number, e.start_date, e.end_date, e.facility_kind
    )
    return e.nhi_household_number, e.start_date


async def _care_ended(p: HouseholdProjection, e: CareInsuranceExclusionEnded) -> Touched:
    await p.care_exclusion(
        e.nhi_household_number, e.addressee_number, e.start_date, e.end_date, e.facility_kind
    )
    # the months from the start are affected only if the end moved; from the start is safe
    return e.nhi_household_number, e.start_date


async def _personal_details(p: HouseholdProjection, e: PersonalDetailsChanged) -> Touched:
    if e.birth_date is None:
        return None
    # ages decide 介護分, 未就学児, the under-18 子ども分 and the 65+ pension rules
    await p.birth_date_corrected(e.nhi_household_number, e.addressee_number, e.birth_date)
    # a corrected birth date is true from the start: every year still correctable
    return e.nhi_household_number, date(1900, 4, 1)


PROJECTIONS: dict[type[EventContract], Project] = {
    HouseholdRegistered: _registered,
    QualificationAcquired: _acquired,
    QualificationLost: _lost,
    QualificationCorrected: _corrected,
    HouseholderChanged: _householder,
    HouseholdCompositionChanged: _composition,
    FormerDependantStatusChanged: _former_dependant,
    InvoluntaryUnemploymentRecorded: _unemployment,
    SpecifiedSameHouseholdMemberChanged: _specified,
    PersonalDetailsChanged: _personal_details,
    CareInsuranceExclusionRecorded: _care_recorded,
    CareInsuranceExclusionEnded: _care_ended,
}


async def apply_eligibility_event(
    uow: AssessmentUnitPort,
    rules: ParametersFor,
    event: EventContract,
    *,
    today: date,
    context: EventContext | None = None,
) -> list[AssessOutcome]:
    """Project ``event``; re-assess the affected household's assessed years. Unrelated event
    types are ignored (eligibility publishes more than assessment needs)."""
    project = PROJECTIONS.get(type(event))
    if project is None:
        return []
    async with uow:
        touched = await project(uow.households, event)
        if touched is None:
            return []
        number, effective = touched
        first_year = max(fiscal_year_of(effective), first_correctable_year(rules, today))
        # the years the household was assessed, and every year whose 本算定 is done: a
        # household that joins (or is first known) after the annual run is assessed now
        # (年度途中の賦課), not only when someone asks; before the run, the run assesses it
        years = sorted(
            set(await uow.assessments.assessed_years(number, first_year))
            | set(await uow.assessments.annually_run_years(first_year))
        )
        return await reassess_all(
            uow,
            rules,
            [(number, y) for y in years],
            cause="eligibility_change",
            actor="system:eligibility-policy",
            today=today,
            context=context,
        )
