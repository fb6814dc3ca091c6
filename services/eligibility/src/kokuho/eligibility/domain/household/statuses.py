"""Special statuses of a member: 住所地特例 and 修学中 (special cases), 非自発的失業者 (the
reduction for involuntary unemployment), 退職被保険者 (retiree status) and 旧被扶養者."""

from __future__ import annotations

from datetime import date, timedelta

from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.household.state import (
    Household,
    Member,
    check_dates,
    check_not_future,
)
from kokuho.eligibility.domain.rules import QualificationRules, age_on, fiscal_year_end, is_late

SPECIAL_CASE_KINDS = ("residence_exception", "student")
RETIREE_KINDS = frozenset({"retired_insured", "retiree_dependant"})


def start_special_case(
    state: Household, command: c.StartSpecialCase, rules: QualificationRules
) -> list[ev.Event]:
    check_dates(command.fact_date, command.notification_date, command.today)
    member = state.active_member(command.addressee_number)
    if command.kind not in SPECIAL_CASE_KINDS:
        raise e.ReasonNotForThisPath(command.kind, "is not a special case")
    if command.kind == "residence_exception" and command.facility_kind is None:
        raise e.FacilityKindRequired()
    if command.kind in member.special_cases:
        raise e.SpecialCaseAlreadyActive(member.addressee_number, command.kind)
    return [
        ev.SpecialCaseStarted(
            addressee_number=member.addressee_number,
            nhi_household_number=state.nhi_household_number,
            kind=command.kind,
            facility_kind=command.facility_kind if command.kind == "residence_exception" else None,
            start_date=command.fact_date,
            notification_date=command.notification_date,
            late_notification=is_late(command.fact_date, command.notification_date, rules),
        )
    ]


def end_special_case(
    state: Household, command: c.EndSpecialCase, rules: QualificationRules
) -> list[ev.Event]:
    member = state.active_member(command.addressee_number)
    if command.kind not in member.special_cases:
        raise e.SpecialCaseNotActive(member.addressee_number, command.kind)
    check_not_future("end_date", command.end_date, command.today)
    return [
        ev.SpecialCaseEnded(
            member.addressee_number, state.nhi_household_number, command.kind, command.end_date
        )
    ]


def record_unemployment(
    state: Household, command: c.RecordInvoluntaryUnemployment, rules: QualificationRules
) -> list[ev.Event]:
    member = state.active_member(command.addressee_number)
    check_not_future("separation_date", command.separation_date, command.today)
    if command.separation_reason_code not in rules.unemployment_reason_codes:
        raise e.UnemploymentNotEligible(
            f"separation reason code {command.separation_reason_code} is not an involuntary one"
        )
    age = age_on(member.birth_date, command.separation_date, rules)
    if age > rules.unemployment_max_age_at_separation:
        raise e.UnemploymentNotEligible(f"aged {age} at separation (65 or over)")
    start = command.separation_date + timedelta(days=1)
    return [
        ev.InvoluntaryUnemploymentRecorded(
            addressee_number=member.addressee_number,
            nhi_household_number=state.nhi_household_number,
            separation_date=command.separation_date,
            separation_reason_code=command.separation_reason_code,
            reduction_start=start,
            # to the end of the fiscal year following the one containing the day after 離職
            reduction_end=fiscal_year_end(start).replace(year=fiscal_year_end(start).year + 1),
        )
    ]


def _check_status_period(member: Member, since: date, until: date | None, today: date) -> None:
    """A status starts within the qualification, not in the future, and ends after it starts."""
    if since < member.acquisition_date:
        raise e.StatusBeforeAcquisition(member.addressee_number, member.acquisition_date, since)
    check_not_future("since", since, today)
    if until is not None and until < since:
        raise e.PeriodEndsBeforeStart(since, until)


def record_retiree_status(
    state: Household, command: c.RecordRetireeStatus, rules: QualificationRules
) -> list[ev.Event]:
    member = state.active_member(command.addressee_number)
    if command.retiree_kind not in RETIREE_KINDS:
        raise e.ReasonNotForThisPath(command.retiree_kind, "retiree status")
    _check_status_period(member, command.since, command.until, command.today)
    return [
        ev.RetireeStatusRecorded(
            member.addressee_number,
            state.nhi_household_number,
            command.retiree_kind,
            command.since,
            command.until,
        )
    ]


def change_former_dependant(
    state: Household, command: c.ChangeFormerDependantStatus, rules: QualificationRules
) -> list[ev.Event]:
    member = state.active_member(command.addressee_number)
    _check_status_period(member, command.since, command.until, command.today)
    now = command.former_dependant and command.until is None
    if now == member.former_dependant and command.until is None:
        raise e.NothingChanged("former dependant status")
    return [
        ev.FormerDependantStatusChanged(
            member.addressee_number,
            state.nhi_household_number,
            command.former_dependant,
            command.since,
            command.until,
        )
    ]
