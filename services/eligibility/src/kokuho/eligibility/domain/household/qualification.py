"""Acquisition and loss of the qualification (資格取得・喪失, rules.md 5.1-5.3), and the
registration of a household with its first members."""

from __future__ import annotations

from datetime import date

from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.household.evolve import evolve
from kokuho.eligibility.domain.household.state import (
    Household,
    Member,
    check_dates,
    check_not_future,
)
from kokuho.eligibility.domain.rules import (
    QualificationRules,
    acquisition_date,
    age_on,
    anniversary,
    is_late,
    loss_date,
)

ACQUISITION_REASONS = frozenset(
    {
        "moved_in",
        "left_employee_insurance",
        "birth",
        "public_assistance_ended",
        "late_elderly_disability_withdrawn",
        "residence_exception_started",
        "other",
    }
)
LOSS_REASONS = frozenset(
    {
        "moved_out",
        "joined_employee_insurance",
        "death",
        "public_assistance_started",
        "turned_75",
        "late_elderly_disability_recognised",
        "residence_exception_moved",
        "other",
    }
)
#: After these the person still lives in the household (and a householder becomes deemed).
STAYS_IN_HOUSEHOLD = frozenset(
    {
        "joined_employee_insurance",
        "public_assistance_started",
        "turned_75",
        "late_elderly_disability_recognised",
    }
)
#: Moving to 後期高齢者医療 while staying: 特定同一世帯所属者 (rules.md 5.3).
TO_LATE_ELDERLY = frozenset({"turned_75", "late_elderly_disability_recognised"})
#: No notification is needed for these (the 75th birthday is known to the city).
NO_NOTIFICATION = frozenset({"turned_75"})
#: A move out is usually notified before the day (転出予定日 on the 転出届).
ADVANCE_NOTICE = frozenset({"moved_out"})


# --- registration and acquisition -----------------------------------------------------------


def register(
    state: Household, command: c.RegisterHousehold, rules: QualificationRules
) -> list[ev.Event]:
    if state.registered:
        raise e.HouseholdAlreadyRegistered(state.nhi_household_number)
    if not command.acquisitions:
        raise e.MembersMissing([], state.nhi_household_number)
    for a in command.acquisitions:
        if a.relationship == "householder" and (
            a.addressee_number != command.householder_addressee_number
        ):
            raise e.RelationshipNotAllowed(
                a.addressee_number, a.relationship, "is only for the householder"
            )
    head_is_member = any(
        a.addressee_number == command.householder_addressee_number for a in command.acquisitions
    )
    registered = ev.HouseholdRegistered(
        nhi_household_number=state.nhi_household_number,
        householder_addressee_number=command.householder_addressee_number,
        deemed_householder=not head_is_member,
        effective_date=min(acquisition_date_of(a, rules) for a in command.acquisitions),
    )
    out: list[ev.Event] = [registered]
    current = evolve(state, registered)
    for acquisition in command.acquisitions:
        acquired = acquire(current, acquisition, rules)
        current = evolve(current, acquired)
        out.append(acquired)
    return out


def acquisition_date_of(command: c.AcquireQualification, rules: QualificationRules) -> date:
    if command.reason not in ACQUISITION_REASONS:
        raise e.ReasonNotForThisPath(command.reason, "is not an acquisition reason")
    if command.reason == "other":
        if command.effective_date is None:
            raise e.EffectiveDateRequired(command.reason)
        return command.effective_date
    if command.effective_date is not None:
        raise e.EffectiveDateNotAllowed(command.reason)
    return acquisition_date(command.reason, command.fact_date, rules)


def acquire(
    state: Household, command: c.AcquireQualification, rules: QualificationRules
) -> ev.QualificationAcquired:
    check_dates(command.fact_date, command.notification_date, command.today)
    if command.birth_date > command.fact_date:
        raise e.BornAfterFact(command.birth_date, command.fact_date)
    if command.reason == "birth" and command.fact_date != command.birth_date:
        raise e.BirthFactMismatch(command.fact_date, command.birth_date)
    effective = acquisition_date_of(command, rules)
    existing = state.members.get(command.addressee_number)
    _check_acquisition(state, command, existing, effective, rules)
    return ev.QualificationAcquired(
        addressee_number=command.addressee_number,
        nhi_household_number=state.nhi_household_number,
        insured_number=existing.insured_number if existing else command.insured_number,
        card_symbol=rules.card_symbol,
        card_number=state.nhi_household_number,
        branch_number=existing.branch_number if existing else f"{state.next_branch:02d}",
        acquisition_date=effective,
        acquisition_reason=command.reason,
        fact_date=command.fact_date,
        notification_date=command.notification_date,
        late_notification=is_late(command.fact_date, command.notification_date, rules),
        birth_date=command.birth_date,
        relationship=command.relationship,
        householder_addressee_number=state.householder_addressee_number,
        former_dependant=command.former_dependant,
    )


def _check_acquisition(
    state: Household,
    command: c.AcquireQualification,
    existing: Member | None,
    effective: date,
    rules: QualificationRules,
) -> None:
    """Not held already, not overlapping an earlier period, 'householder' for the householder
    alone, and under the age of 後期高齢者医療."""
    if existing is not None and existing.active:
        raise e.QualificationAlreadyHeld(command.addressee_number, state.nhi_household_number)
    if existing is not None and existing.loss_date and effective < existing.loss_date:
        raise e.AcquisitionOverlapsEarlierPeriod(
            command.addressee_number, existing.loss_date, effective
        )
    is_head = command.addressee_number == state.householder_addressee_number
    if command.relationship == "householder" and not is_head:
        raise e.RelationshipNotAllowed(
            command.addressee_number, command.relationship, "is only for the householder"
        )
    if is_head and command.relationship != "householder":
        raise e.RelationshipNotAllowed(
            command.addressee_number, command.relationship, "of the householder is 'householder'"
        )
    age = age_on(command.birth_date, effective, rules)
    if age >= rules.late_elderly_age:
        raise e.NotInAgeBand(command.addressee_number, age, f"NHI (under {rules.late_elderly_age})")


# --- loss ---------------------------------------------------------------------------------


def lose(
    state: Household, command: c.LoseQualification, rules: QualificationRules
) -> list[ev.Event]:
    if command.reason not in LOSS_REASONS:
        raise e.ReasonNotForThisPath(command.reason, "is not a loss reason")
    member = state.active_member(command.addressee_number)
    if command.reason in ADVANCE_NOTICE:
        check_not_future("notification_date", command.notification_date, command.today)
    elif command.reason not in NO_NOTIFICATION:
        check_dates(command.fact_date, command.notification_date, command.today)
    effective = _loss_date_of(member, command, rules)
    if effective < member.acquisition_date:
        raise e.LossBeforeAcquisition(command.addressee_number, member.acquisition_date, effective)
    lost = ev.QualificationLost(
        addressee_number=member.addressee_number,
        nhi_household_number=state.nhi_household_number,
        insured_number=member.insured_number,
        loss_date=effective,
        loss_reason=command.reason,
        fact_date=command.fact_date,
        notification_date=command.notification_date,
        late_notification=command.reason not in NO_NOTIFICATION
        and is_late(command.fact_date, command.notification_date, rules),
        remains_in_household=command.reason in STAYS_IN_HOUSEHOLD,
    )
    return [lost, *_after_loss(state, member, command.reason, effective)]


def _loss_date_of(member: Member, command: c.LoseQualification, rules: QualificationRules) -> date:
    if command.reason == "other":
        if command.effective_date is None:
            raise e.EffectiveDateRequired(command.reason)
        return command.effective_date
    if command.effective_date is not None:
        raise e.EffectiveDateNotAllowed(command.reason)
    if command.reason == "turned_75":
        birthday = anniversary(member.birth_date, rules.late_elderly_age, rules)
        if command.fact_date != birthday:
            raise e.ReasonNotForThisPath(
                command.reason, f"the fact date is the 75th birthday ({birthday})"
            )
    return loss_date(command.reason, command.fact_date, rules)


def _after_loss(state: Household, member: Member, reason: str, effective: date) -> list[ev.Event]:
    """A member moving to 後期高齢者医療 and staying becomes a specified member; when no one
    is left, the specified members end with the household; the member's open certificates
    are collected."""
    out: list[ev.Event] = []
    number = state.nhi_household_number
    others = [m for m in state.active_members if m.addressee_number != member.addressee_number]
    if reason in TO_LATE_ELDERLY and others:
        out.append(
            ev.SpecifiedSameHouseholdMemberChanged(member.addressee_number, number, since=effective)
        )
    if not others:  # the household is dissolved: specified members end with it
        out += [
            ev.SpecifiedSameHouseholdMemberChanged(a, number, since=since, until=effective)
            for a, since in sorted(state.specified_same_household.items())
        ]
    out += [
        ev.CertificateCollected(
            cert.certificate_id,
            cert.kind,
            member.addressee_number,
            number,
            collected_date=effective,
            reason="qualification_lost",
        )
        for cert in state.certificates.values()
        if cert.addressee_number == member.addressee_number and not cert.collected
    ]
    return out
