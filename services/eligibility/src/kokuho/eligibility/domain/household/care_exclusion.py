"""介護保険適用除外 (NHI-Q-33, issue 13): a member living in a facility excluded from
long-term-care insurance (介護保険法施行法11条, 施行規則170条) is not a 介護保険 第2号被保険者,
so assessment levies no 介護分 for the months the exclusion covers. Eligibility records the
period (facility kind and name, start, end) from the clerk's form; the months are assessment's."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.household.state import (
    CareExclusion,
    Household,
    check_not_future,
)
from kokuho.eligibility.domain.rules import QualificationRules

FOREVER = date.max


def record(
    state: Household, command: c.RecordCareExclusion, rules: QualificationRules
) -> list[ev.Event]:
    member = state.active_member(command.addressee_number)
    check_not_future("start_date", command.start_date, command.today)
    if command.start_date < member.acquisition_date:
        raise e.CareExclusionBeforeAcquisition(command.start_date, member.acquisition_date)
    if command.end_date is not None:
        if command.end_date < command.start_date:
            raise e.PeriodEndsBeforeStart(command.start_date, command.end_date)
        check_not_future("end_date", command.end_date, command.today)
    end = command.end_date or FOREVER
    for held in member.care_exclusions:
        if held.start_date <= end and command.start_date <= (held.end_date or FOREVER):
            raise e.CareExclusionOverlaps(member.addressee_number, held.start_date)
    return [
        ev.CareInsuranceExclusionRecorded(
            nhi_household_number=state.nhi_household_number,
            addressee_number=member.addressee_number,
            facility_kind=command.facility_kind,
            facility_name=command.facility_name,
            start_date=command.start_date,
            end_date=command.end_date,
        )
    ]


def end(state: Household, command: c.EndCareExclusion, rules: QualificationRules) -> list[ev.Event]:
    member = state.active_member(command.addressee_number)
    open_ = [x for x in member.care_exclusions if x.end_date is None]
    if not open_:
        raise e.CareExclusionNotOpen(member.addressee_number)
    (held,) = open_
    if command.end_date < held.start_date:
        raise e.PeriodEndsBeforeStart(held.start_date, command.end_date)
    check_not_future("end_date", command.end_date, command.today)
    return [
        ev.CareInsuranceExclusionEnded(
            nhi_household_number=state.nhi_household_number,
            addressee_number=member.addressee_number,
            facility_kind=held.facility_kind,
            facility_name=held.facility_name,
            start_date=held.start_date,
            end_date=command.end_date,
        )
    ]


def recorded(state: Household, event: ev.CareInsuranceExclusionRecorded) -> Household:
    old = state.members[event.addressee_number]
    period = CareExclusion(
        event.facility_kind, event.facility_name, event.start_date, event.end_date
    )
    return state.with_member(replace(old, care_exclusions=(*old.care_exclusions, period)))


def ended(state: Household, event: ev.CareInsuranceExclusionEnded) -> Household:
    old = state.members[event.addressee_number]
    periods = tuple(
        replace(x, end_date=event.end_date)
        if x.start_date == event.start_date and x.end_date is None
        else x
        for x in old.care_exclusions
    )
    return state.with_member(replace(old, care_exclusions=periods))
