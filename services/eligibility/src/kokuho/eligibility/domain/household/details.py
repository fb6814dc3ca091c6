"""Changes to who heads the household and to a member's details: 世帯主変更, 続柄変更, changes of
personal details (氏名・住所 ... 異動), and the ex officio correction of a period (職権訂正)."""

from __future__ import annotations

from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.household.qualification import ACQUISITION_REASONS, LOSS_REASONS
from kokuho.eligibility.domain.household.state import Household, check_dates, check_not_future
from kokuho.eligibility.domain.rules import QualificationRules, is_late


def change_householder(
    state: Household, command: c.ChangeHouseholder, rules: QualificationRules
) -> list[ev.Event]:
    check_dates(command.fact_date, command.notification_date, command.today)
    new = command.householder_addressee_number
    if new == state.householder_addressee_number:
        raise e.HouseholderUnchanged(new)
    previous = state.members.get(state.householder_addressee_number)
    staying = previous if previous is not None and previous.active else None
    if staying is not None and command.previous_householder_relationship in (None, "householder"):
        raise e.RelationshipNotAllowed(
            staying.addressee_number,
            str(command.previous_householder_relationship),
            "must be given for the previous householder who stays insured",
        )
    new_member = state.members.get(new)
    deemed = new_member is None or not new_member.active
    out: list[ev.Event] = [
        ev.HouseholderChanged(
            nhi_household_number=state.nhi_household_number,
            previous_householder_addressee_number=state.householder_addressee_number,
            householder_addressee_number=new,
            deemed_householder=deemed,
            effective_date=command.fact_date,
            notification_date=command.notification_date,
            late_notification=is_late(command.fact_date, command.notification_date, rules),
        )
    ]
    if staying is not None and command.previous_householder_relationship:
        out.append(
            ev.RelationshipChanged(
                staying.addressee_number,
                state.nhi_household_number,
                command.previous_householder_relationship,
                command.fact_date,
            )
        )
    if not deemed:
        out.append(
            ev.RelationshipChanged(
                new, state.nhi_household_number, "householder", command.fact_date
            )
        )
    return out


def change_relationship(
    state: Household, command: c.ChangeRelationship, rules: QualificationRules
) -> list[ev.Event]:
    member = state.active_member(command.addressee_number)
    check_not_future("fact_date", command.fact_date, command.today)
    is_head = member.addressee_number == state.householder_addressee_number
    if (command.relationship == "householder") != is_head:
        raise e.RelationshipNotAllowed(
            member.addressee_number,
            command.relationship,
            "is set by a change of householder, not directly",
        )
    if command.relationship == member.relationship:
        raise e.NothingChanged("relationship")
    return [
        ev.RelationshipChanged(
            member.addressee_number,
            state.nhi_household_number,
            command.relationship,
            command.fact_date,
        )
    ]


def change_personal_details(
    state: Household, command: c.ChangePersonalDetails, rules: QualificationRules
) -> list[ev.Event]:
    check_dates(command.fact_date, command.notification_date, command.today)
    is_head = command.addressee_number == state.householder_addressee_number
    if not is_head:
        state.active_member(command.addressee_number)
    if not command.changed_fields:
        raise e.NothingChanged("personal details")
    birth_changed = "birth_date" in command.changed_fields
    return [
        ev.PersonalDetailsChanged(
            addressee_number=command.addressee_number,
            nhi_household_number=state.nhi_household_number,
            changed_fields=tuple(sorted(set(command.changed_fields))),
            effective_date=command.fact_date,
            notification_date=command.notification_date,
            late_notification=is_late(command.fact_date, command.notification_date, rules),
            birth_date=command.birth_date if birth_changed else None,
        )
    ]


def correct(
    state: Household, command: c.CorrectQualification, rules: QualificationRules
) -> list[ev.Event]:
    if not command.reason.strip() or not command.reason_code.strip():
        raise e.CorrectionReasonMissing()
    member = state.members.get(command.addressee_number)
    if member is None:
        raise e.QualificationNotHeld(command.addressee_number, state.nhi_household_number)
    if command.acquisition_reason not in ACQUISITION_REASONS:
        raise e.ReasonNotForThisPath(command.acquisition_reason, "is not an acquisition reason")
    if (command.loss_date is None) != (command.loss_reason is None):
        raise e.ReasonNotForThisPath(str(command.loss_reason), "loss date and reason go together")
    if command.loss_reason is not None and command.loss_reason not in LOSS_REASONS:
        raise e.ReasonNotForThisPath(command.loss_reason, "is not a loss reason")
    if command.loss_date is not None and command.loss_date < command.acquisition_date:
        raise e.LossBeforeAcquisition(
            member.addressee_number, command.acquisition_date, command.loss_date
        )
    if (
        command.acquisition_date == member.acquisition_date
        and command.acquisition_reason == member.acquisition_reason
        and command.loss_date == member.loss_date
        and command.loss_reason == member.loss_reason
    ):
        raise e.NothingChanged("qualification period")
    return [
        ev.QualificationCorrected(
            addressee_number=member.addressee_number,
            nhi_household_number=state.nhi_household_number,
            insured_number=member.insured_number,
            acquisition_date=command.acquisition_date,
            acquisition_reason=command.acquisition_reason,
            loss_date=command.loss_date,
            loss_reason=command.loss_reason,
            correction_reason_code=command.reason_code,
        )
    ]
