"""Policy: eligibility's events keep assessment's view of households current, and every change
re-assesses (更正) the years already assessed that it touches; after a year's annual run, a
household not yet assessed for that year is assessed."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from kokuho.assessment.app.assessing import (
    AssessOutcome,
    ParametersFor,
    first_correctable_year,
    reassess_all,
)
from kokuho.assessment.app.ports import AssessmentStore
from kokuho.assessment.domain.calendar import fiscal_year_of
from kokuho.events.contracts import EventContract
from kokuho.events.contracts.eligibility import (
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
from kokuho.events.runtime.store import EventContext, EventStore


class HouseholdProjection(Protocol):
    async def household(
        self, number: str, householder: str, deemed: bool, *, householder_changed: bool
    ) -> None: ...

    async def household_if_new(self, number: str, householder: str) -> None: ...

    async def member_acquired(
        self,
        number: str,
        addressee: str,
        birth_date: date,
        acquisition_date: date,
        former_dependant_since: date | None,
    ) -> None: ...

    async def member_lost(
        self, number: str, addressee: str, loss_date: date, remains_in_household: bool
    ) -> None: ...

    async def qualification_corrected(
        self, number: str, addressee: str, acquisition_date: date, loss_date: date | None
    ) -> None: ...

    async def composition(self, event: HouseholdCompositionChanged) -> None: ...

    async def former_dependant(self, number: str, addressee: str, since: date | None) -> None: ...

    async def separation(self, number: str, addressee: str, separation_date: date) -> None: ...

    async def specified_member(
        self, number: str, addressee: str, since: date, until: date | None
    ) -> None: ...

    async def birth_date_corrected(self, number: str, addressee: str, birth_date: date) -> None: ...


async def apply_eligibility_event(
    projection: HouseholdProjection,
    store: AssessmentStore,
    events: EventStore,
    parameters_for: ParametersFor,
    event: EventContract,
    *,
    today: date,
    context: EventContext | None = None,
) -> list[AssessOutcome]:
    """Project ``event``; re-assess the affected household's assessed years. Unrelated event
    types are ignored (eligibility publishes more than assessment needs)."""
    number: str | None = None
    effective: date | None = None
    if isinstance(event, HouseholdRegistered):
        await projection.household(
            event.nhi_household_number,
            event.householder_addressee_number,
            event.deemed_householder,
            householder_changed=False,
        )
        number, effective = event.nhi_household_number, event.effective_date
    elif isinstance(event, QualificationAcquired):
        await projection.household_if_new(
            event.nhi_household_number, event.householder_addressee_number
        )
        await projection.member_acquired(
            event.nhi_household_number,
            event.addressee_number,
            event.birth_date,
            event.acquisition_date,
            event.acquisition_date if event.former_dependant else None,
        )
        number, effective = event.nhi_household_number, event.acquisition_date
    elif isinstance(event, QualificationLost):
        await projection.member_lost(
            event.nhi_household_number,
            event.addressee_number,
            event.loss_date,
            event.remains_in_household,
        )
        number, effective = event.nhi_household_number, event.loss_date
    elif isinstance(event, QualificationCorrected):
        await projection.qualification_corrected(
            event.nhi_household_number,
            event.addressee_number,
            event.acquisition_date,
            event.loss_date,
        )
        number, effective = event.nhi_household_number, event.acquisition_date
    elif isinstance(event, HouseholderChanged):
        await projection.household(
            event.nhi_household_number,
            event.householder_addressee_number,
            event.deemed_householder,
            householder_changed=True,
        )
        number, effective = event.nhi_household_number, event.effective_date
    elif isinstance(event, HouseholdCompositionChanged):
        await projection.composition(event)
        number, effective = event.nhi_household_number, event.effective_date
    elif isinstance(event, FormerDependantStatusChanged):
        await projection.former_dependant(
            event.nhi_household_number,
            event.addressee_number,
            event.since if event.former_dependant else None,
        )
        number, effective = event.nhi_household_number, event.since
    elif isinstance(event, InvoluntaryUnemploymentRecorded):
        await projection.separation(
            event.nhi_household_number, event.addressee_number, event.separation_date
        )
        number, effective = event.nhi_household_number, event.reduction_start
    elif isinstance(event, SpecifiedSameHouseholdMemberChanged):
        await projection.specified_member(
            event.nhi_household_number, event.addressee_number, event.since, event.until
        )
        number, effective = event.nhi_household_number, event.since
    elif isinstance(event, PersonalDetailsChanged) and event.birth_date is not None:
        # ages decide 介護分, 未就学児, the under-18 子ども分 and the 65+ pension rules
        await projection.birth_date_corrected(
            event.nhi_household_number, event.addressee_number, event.birth_date
        )
        # a corrected birth date is true from the start: every year still correctable
        number, effective = event.nhi_household_number, date(1900, 4, 1)
    if number is None or effective is None:
        return []
    first_year = max(fiscal_year_of(effective), first_correctable_year(parameters_for, today))
    # the years the household was assessed, and every year whose 本算定 is done: a household
    # that joins (or is first known) after the annual run is assessed now (年度途中の賦課), not
    # only when someone asks; before the run, the run assesses it
    years = sorted(
        set(await store.assessed_years(number, first_year))
        | set(await store.annually_run_years(first_year))
    )
    return await reassess_all(
        store,
        events,
        parameters_for,
        [(number, y) for y in years],
        cause="eligibility_change",
        actor="system:eligibility-policy",
        today=today,
        context=context,
    )
