"""``evolve(state, event) -> state``: one small function per event type, found in a table.
Events that do not change the state (composition, unemployment, retiree status) are absent
from the table and leave the state as it is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.household import care_exclusion
from kokuho.eligibility.domain.household.state import Certificate, Household, Member

Evolver = Callable[[Household, Any], Household]


def evolve(state: Household, event: ev.Event) -> Household:
    evolver = EVOLVERS.get(type(event))
    return state if evolver is None else evolver(state, event)


def _registered(state: Household, event: ev.HouseholdRegistered) -> Household:
    return replace(
        state, registered=True, householder_addressee_number=event.householder_addressee_number
    )


def _acquired(state: Household, event: ev.QualificationAcquired) -> Household:
    member = Member(
        addressee_number=event.addressee_number,
        insured_number=event.insured_number,
        branch_number=event.branch_number,
        birth_date=event.birth_date,
        relationship=event.relationship,
        acquisition_date=event.acquisition_date,
        acquisition_reason=event.acquisition_reason,
        former_dependant=event.former_dependant,
    )
    branch = max(state.next_branch, int(event.branch_number) + 1)
    return replace(state.with_member(member), next_branch=branch)


def _lost(state: Household, event: ev.QualificationLost) -> Household:
    old = state.members[event.addressee_number]
    return state.with_member(
        replace(
            old, loss_date=event.loss_date, loss_reason=event.loss_reason, special_cases=frozenset()
        )
    )


def _corrected(state: Household, event: ev.QualificationCorrected) -> Household:
    old = state.members[event.addressee_number]
    return state.with_member(
        replace(
            old,
            acquisition_date=event.acquisition_date,
            acquisition_reason=event.acquisition_reason,
            loss_date=event.loss_date,
            loss_reason=event.loss_reason,
        )
    )


def _householder_changed(state: Household, event: ev.HouseholderChanged) -> Household:
    return replace(state, householder_addressee_number=event.householder_addressee_number)


def _relationship_changed(state: Household, event: ev.RelationshipChanged) -> Household:
    old = state.members[event.addressee_number]
    return state.with_member(replace(old, relationship=event.relationship))


def _personal_details_changed(state: Household, event: ev.PersonalDetailsChanged) -> Household:
    if event.birth_date is None or event.addressee_number not in state.members:
        return state
    old = state.members[event.addressee_number]
    return state.with_member(replace(old, birth_date=event.birth_date))


def _rate_determined(state: Household, event: ev.CopaymentRateDetermined) -> Household:
    old = state.members[event.addressee_number]
    return state.with_member(
        replace(
            old,
            copayment_until=event.valid_until,
            copayment_rate_tenths=event.copayment_rate_tenths,
            copayment_from=event.valid_from,
            copayment_basis=event.basis,
        )
    )


def _former_dependant_changed(
    state: Household, event: ev.FormerDependantStatusChanged
) -> Household:
    old = state.members[event.addressee_number]
    flag = event.former_dependant and event.until is None
    return state.with_member(replace(old, former_dependant=flag))


def _special_case_started(state: Household, event: ev.SpecialCaseStarted) -> Household:
    old = state.members[event.addressee_number]
    return state.with_member(replace(old, special_cases=old.special_cases | {event.kind}))


def _special_case_ended(state: Household, event: ev.SpecialCaseEnded) -> Household:
    old = state.members[event.addressee_number]
    return state.with_member(replace(old, special_cases=old.special_cases - {event.kind}))


def _specified_changed(
    state: Household, event: ev.SpecifiedSameHouseholdMemberChanged
) -> Household:
    if event.until is None:
        specified = {**state.specified_same_household, event.addressee_number: event.since}
    else:
        specified = {
            a: d for a, d in state.specified_same_household.items() if a != event.addressee_number
        }
    return replace(state, specified_same_household=specified)


def _certificate_issued(state: Household, event: ev.CertificateIssued) -> Household:
    cert = Certificate(event.certificate_id, event.kind, event.addressee_number)
    return replace(state, certificates={**state.certificates, cert.certificate_id: cert})


def _special_care(state: Household, event: ev.SpecialCareStatusChanged) -> Household:
    return replace(state, special_care_from=event.effective_on if event.special_care else None)


def _certificate_collected(state: Household, event: ev.CertificateCollected) -> Household:
    old = state.certificates[event.certificate_id]
    collected = replace(old, collected=True)
    return replace(state, certificates={**state.certificates, old.certificate_id: collected})


def _split(state: Household, event: ev.HouseholdSplit) -> Household:
    leaving = state.nhi_household_number == event.from_household_number
    return _move(state, event.members, leaving=leaving)


def _merged(state: Household, event: ev.HouseholdMerged) -> Household:
    leaving = state.nhi_household_number == event.absorbed_household_number
    return _move(state, event.members, leaving=leaving)


def _move(state: Household, moved: tuple[ev.MemberMoved, ...], *, leaving: bool) -> Household:
    """Members leaving this household are dropped from it (their history stays in the stream);
    members joining it are added with their new card and branch numbers."""
    members = dict(state.members)
    if leaving:
        for one in moved:
            members.pop(one.addressee_number, None)
        return replace(state, members=members)
    branch = state.next_branch
    for one in moved:
        if not (one.birth_date and one.acquisition_date and one.acquisition_reason):
            continue  # every producer fills them; an event without them adds no one
        members[one.addressee_number] = Member(
            addressee_number=one.addressee_number,
            insured_number=one.insured_number,
            branch_number=one.branch_number,
            birth_date=one.birth_date,
            relationship=one.relationship,
            acquisition_date=one.acquisition_date,
            acquisition_reason=one.acquisition_reason,
            former_dependant=one.former_dependant,
        )
        branch = max(branch, int(one.branch_number) + 1)
    return replace(state, members=members, next_branch=branch)


EVOLVERS: dict[type[ev.Event], Evolver] = {
    ev.HouseholdRegistered: _registered,
    ev.QualificationAcquired: _acquired,
    ev.QualificationLost: _lost,
    ev.QualificationCorrected: _corrected,
    ev.HouseholderChanged: _householder_changed,
    ev.RelationshipChanged: _relationship_changed,
    ev.PersonalDetailsChanged: _personal_details_changed,
    ev.CopaymentRateDetermined: _rate_determined,
    ev.FormerDependantStatusChanged: _former_dependant_changed,
    ev.SpecialCaseStarted: _special_case_started,
    ev.SpecialCaseEnded: _special_case_ended,
    ev.SpecifiedSameHouseholdMemberChanged: _specified_changed,
    ev.CertificateIssued: _certificate_issued,
    ev.CertificateCollected: _certificate_collected,
    ev.SpecialCareStatusChanged: _special_care,
    ev.HouseholdSplit: _split,
    ev.HouseholdMerged: _merged,
    ev.CareInsuranceExclusionRecorded: care_exclusion.recorded,
    ev.CareInsuranceExclusionEnded: care_exclusion.ended,
}
